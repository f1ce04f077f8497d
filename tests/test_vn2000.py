"""Tests of VN-2000 names, the provincial meridians, the datum shift and the no-CRS guess."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from geosite.data.crs import require_crs, to_crs
from geosite.data.io import read_vector
from geosite.data.text import fold
from geosite.data.vn2000 import (
    PROVINCE_MERIDIANS,
    TM3_EPSG,
    check_datum_shift,
    datum_shift_problem,
    datum_transformations,
    describe_vn2000,
    likely_crs,
    province_meridian,
    restores_datum_shift,
    tm3_crs,
    vn2000_crs,
)
from geosite.errors import CRSError

GEOD = pyproj.Geod(ellps="WGS84")


def _proj_db() -> sqlite3.Connection:
    return sqlite3.connect(Path(pyproj.datadir.get_data_dir()) / "proj.db")


def _areas_of_use(code: int) -> str:
    """Return every area-of-use description of a projected CRS in the EPSG dataset."""
    with _proj_db() as con:
        rows = con.execute(
            "SELECT e.description FROM usage u JOIN extent e "
            "ON u.extent_auth_name = e.auth_name AND u.extent_code = e.code "
            "WHERE u.object_table_name = 'projected_crs' AND u.object_auth_name = 'EPSG' "
            "AND u.object_code = ?",
            (str(code),),
        ).fetchall()
    return " ".join(fold(r[0]) for r in rows)


def test_the_table_covers_the_63_provinces_before_2025():
    assert len(PROVINCE_MERIDIANS) == 63


@pytest.mark.parametrize("province", sorted(PROVINCE_MERIDIANS))
def test_each_meridian_is_the_one_the_epsg_dataset_records(province):
    meridian = PROVINCE_MERIDIANS[province]
    code = TM3_EPSG[meridian]
    # The EPSG area of use of that zone names the province (Circular 973/2001/TT-TCĐC).
    assert fold(province) in _areas_of_use(code)
    crs = pyproj.CRS.from_epsg(code)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(meridian)
    assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
    assert params["False easting"] == pytest.approx(500_000)
    assert crs.geodetic_crs.to_epsg() == 4756
    # The province's name, with or without diacritics, gives that CRS.
    assert vn2000_crs(f"VN-2000 {province}").to_epsg() == code
    assert vn2000_crs(f"VN2000 {fold(province)}").to_epsg() == code


@pytest.mark.parametrize(
    ("name", "minutes_east_of_105"),
    [
        # The values the issue quotes from Circular 973/2001/TT-TCĐC.
        ("Thành phố Hồ Chí Minh", 45),
        ("Bình Dương", 45),
        ("Đồng Nai", 165),
        ("Bà Rịa–Vũng Tàu", 165),
        ("Bình Phước", 75),
        ("Tây Ninh", 30),
        ("Long An", 45),
    ],
)
def test_meridians_of_the_region(name, minutes_east_of_105):
    assert province_meridian(name)[1] == pytest.approx(105 + minutes_east_of_105 / 60)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("VN-2000 Đồng Nai", 5899),
        ("VN-2000 / TM-3 Đồng Nai", 5899),
        ("vn2000 dong nai", 5899),
        ("VN-2000 Tỉnh Đồng Nai", 5899),
        ("VN-2000 TM-3 107-45", 5899),
        ("VN-2000 107°45'", 5899),
        ("VN-2000 TM-3 107.75", 5899),
        ("VN-2000 TM-3 105,5", 9209),
        ("VN-2000 / TM-3 105-45", 9210),
        ("VN-2000 TP.HCM", 9210),
        ("VN-2000 BR-VT", 5899),
        ("VN-2000 / TM-3 zone 482", 5897),
        ("VN-2000 UTM 48N", 3405),
        ("VN-2000 / UTM zone 49N", 3406),
        ("VN-2000", 4756),
    ],
)
def test_vn2000_names(name, code):
    assert vn2000_crs(name).to_epsg() == code
    assert to_crs(name).to_epsg() == code


def test_a_meridian_without_epsg_code_is_built_on_the_vn2000_datum():
    crs = vn2000_crs("VN-2000 TM-3 109-00")
    assert crs.to_epsg() is None
    assert crs.name == "VN-2000 / TM-3 109-00"
    assert crs.geodetic_crs.to_epsg() == 4756
    codes = {t.code for t in datum_transformations(crs.geodetic_crs.to_wkt())}
    assert 6960 in codes
    assert "central meridian 109°00' E, scale 0.9999" in describe_vn2000(crs)


def test_unknown_names_are_refused_with_suggestions():
    with pytest.raises(CRSError, match=r"no province named 'dong nia'; did you mean 'Đồng Nai'"):
        vn2000_crs("VN-2000 Dong Nia", what="layers.parcels.crs")
    with pytest.raises(CRSError, match=r"layers\.parcels\.crs: cannot read 'VN-2000 Paris'"):
        to_crs("VN-2000 Paris", what="layers.parcels.crs")
    with pytest.raises(CRSError, match=r"not one of Vietnam's"):
        tm3_crs(45.0)
    with pytest.raises(CRSError, match=r"75 is not a number of minutes"):
        vn2000_crs("VN-2000 TM-3 107-75")


def test_describe_names_the_zone_and_its_provinces():
    text = describe_vn2000(vn2000_crs("VN-2000 Đồng Nai"))
    assert text.startswith("VN-2000 / TM-3 107-45 (EPSG:5899): Transverse Mercator")
    assert "Đồng Nai" in text
    assert "Circular 973/2001/TT-TCĐC" in text


def test_the_transformations_pyproj_knows():
    found = {t.code: t for t in datum_transformations()}
    assert set(found) == {5194, 6960}
    assert found[6960].accuracy_m == 1.0
    assert found[5194].accuracy_m == 1.0
    assert "Mekong" in found[5194].area


def _helmert(code: int) -> str:
    """Return the PROJ helmert step of an EPSG transformation, from the database's numbers."""
    with _proj_db() as con:
        row = con.execute(
            "SELECT tx, ty, tz, rx, ry, rz, scale_difference, method_code "
            "FROM helmert_transformation_table WHERE auth_name = 'EPSG' AND code = ?",
            (str(code),),
        ).fetchone()
    tx, ty, tz, rx, ry, rz, ds, method = row
    convention = {"9607": "coordinate_frame", "9606": "position_vector"}[str(method)]
    return (
        f"+proj=helmert +x={tx} +y={ty} +z={tz} +rx={rx} +ry={ry} +rz={rz} +s={ds} "
        f"+convention={convention}"
    )


def _by_hand(code: int, meridian: float) -> pyproj.Transformer:
    """VN-2000 TM-3 (easting, northing) to WGS 84 (lon, lat), written step by step."""
    pipeline = (
        "+proj=pipeline "
        f"+step +inv +proj=tmerc +lat_0=0 +lon_0={meridian} +k=0.9999 +x_0=500000 +y_0=0 "
        "+ellps=WGS84 "
        "+step +proj=push +v_3 +step +proj=cart +ellps=WGS84 "
        f"+step {_helmert(code)} "
        "+step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return pyproj.Transformer.from_pipeline(pipeline)


# Long Thành, Biên Hòa, Vũng Tàu (inside the EPSG:5194 Mekong box) and Đồng Xoài (outside).
POINTS = [(107.0, 10.8, 5194), (106.82, 10.95, 5194), (107.08, 10.35, 5194), (106.9, 11.53, 6960)]


@pytest.mark.parametrize(("lon", "lat", "code"), POINTS)
def test_dong_nai_zone_agrees_with_a_hand_built_pipeline(lon, lat, code):
    crs = vn2000_crs("VN-2000 Đồng Nai")
    # Where pyproj (and geopandas) put a VN-2000 point in WGS 84 ...
    easting, northing = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    points = gpd.GeoSeries([shapely.Point(easting, northing)], crs=crs).to_crs(4326)
    # ... is where the EPSG transformation valid there puts it, step by step.
    hand_lon, hand_lat = _by_hand(code, 107.75).transform(easting, northing)
    distance = GEOD.inv(points.x[0], points.y[0], hand_lon, hand_lat)[2]
    assert distance < 0.001


def test_round_trip_through_the_zone_is_exact():
    lon = np.array([107.0, 106.82, 107.08, 106.9])
    lat = np.array([10.8, 10.95, 10.35, 11.53])
    wgs = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326)
    back = wgs.to_crs(vn2000_crs("VN-2000 Đồng Nai")).to_crs(4326)
    assert np.abs(back.x - lon).max() < 1e-9
    assert np.abs(back.y - lat).max() < 1e-9


# A .prj as some tools write it: the WGS 84 ellipsoid, a datum name nobody recognises, no
# TOWGS84.
NO_SHIFT_PRJ = (
    'PROJCS["VN2000 Dong Nai",GEOGCS["VN2000",DATUM["VN2000",SPHEROID["WGS 84",6378137,'
    '298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
    'PARAMETER["central_meridian",107.75],PARAMETER["scale_factor",0.9999],'
    'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]'
)


def _parcels_without_shift(tmp_path: Path) -> Path:
    crs = vn2000_crs("VN-2000 Đồng Nai")
    to_tm3 = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = to_tm3.transform(107.0, 10.8)
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.box(x, y, x + 100, y + 100)], crs=crs)
    path = tmp_path / "parcels.shp"
    gdf.to_file(path)
    path.with_suffix(".prj").write_text(NO_SHIFT_PRJ)
    return path


def test_a_prj_without_the_datum_shift_is_reported_with_its_measured_offset(tmp_path):
    gdf = read_vector(_parcels_without_shift(tmp_path))
    # Measure the offset here, independently: the same corner read both ways.
    x, y = gdf.geometry[0].centroid.coords[0]
    lon1, lat1 = pyproj.Transformer.from_crs(gdf.crs, 4326, always_xy=True).transform(x, y)
    lon2, lat2 = pyproj.Transformer.from_crs(5899, 4326, always_xy=True).transform(x, y)
    offset = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    assert 200 < offset < 250  # the classic fault: hundreds of metres, here ~226 m
    with pytest.raises(CRSError) as info:
        check_datum_shift(gdf, layer="parcels")
    message = str(info.value)
    assert f"{offset:,.0f} m from their VN-2000 position" in message
    assert "layer 'parcels'" in message
    assert "datum 'VN2000'" in message
    assert "`layers: {parcels: {crs: 'EPSG:5899'}}`" in message
    problem = datum_shift_problem(pyproj.CRS(gdf.crs), at=(x, y))
    assert problem is not None
    assert problem.offset_m == pytest.approx(offset, abs=0.01)


@pytest.mark.parametrize(
    "definition",
    [
        "+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m",
        NO_SHIFT_PRJ.replace(
            'SPHEROID["WGS 84",6378137,298.257223563]',
            'SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[0,0,0,0,0,0,0]',
        ),
        NO_SHIFT_PRJ.replace('DATUM["VN2000"', 'DATUM["WGS_1984"'),  # TM-3 labelled WGS 84
        "+proj=utm +zone=48 +ellps=WGS84 +units=m",  # UTM on an unnamed datum
    ],
)
def test_other_forms_of_the_fault_are_found(definition):
    problem = datum_shift_problem(pyproj.CRS.from_user_input(definition))
    assert problem is not None
    assert 200 < problem.offset_m < 250


@pytest.mark.parametrize(
    "definition",
    [
        "EPSG:5899",
        "EPSG:3405",
        "EPSG:32648",
        "EPSG:4326",
        "EPSG:4756",
        NO_SHIFT_PRJ.replace('DATUM["VN2000"', 'DATUM["Vietnam_2000"'),  # recognised by name
        # An ESRI .prj: PROJ recognises D_Vietnam_2000.
        NO_SHIFT_PRJ.replace('DATUM["VN2000"', 'DATUM["D_Vietnam_2000"').replace(
            'GEOGCS["VN2000"', 'GEOGCS["GCS_VN_2000"'
        ),
        # The shift given explicitly (EPSG:6960's parameters).
        (
            "+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m "
            "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,"
            "-0.00427372,0.252906278"
        ),
    ],
)
def test_correct_crss_are_not_flagged(definition):
    assert datum_shift_problem(pyproj.CRS.from_user_input(definition)) is None


def test_restores_datum_shift():
    bad = pyproj.CRS.from_user_input(NO_SHIFT_PRJ)
    assert restores_datum_shift(bad, pyproj.CRS.from_epsg(5899))
    assert not restores_datum_shift(bad, pyproj.CRS.from_epsg(9210))
    assert not restores_datum_shift(pyproj.CRS.from_epsg(5899), pyproj.CRS.from_epsg(5899))


def _no_crs(lon: float, lat: float, crs: int | str) -> gpd.GeoDataFrame:
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    return gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(x, y)])


def test_no_crs_in_a_dong_nai_tm3_zone_names_it():
    gdf = _no_crs(107.0, 10.8, 5899)
    with pytest.raises(CRSError) as info:
        require_crs(gdf, layer="parcels")
    message = str(info.value)
    assert message.startswith("layer 'parcels' has no CRS")
    assert "VN-2000 / TM-3 107-45 (EPSG:5899): the layer would lie in Tỉnh Đồng Nai" in message
    assert "write `crs: 'EPSG:5899'`" in message
    assert likely_crs(gdf)[0].spec == "EPSG:5899"


def test_no_crs_in_hcmc_tm3_zone_names_it():
    gdf = _no_crs(106.68, 10.78, 9210)
    assert likely_crs(gdf)[0].spec == "EPSG:9210"
    assert "Hồ Chí Minh" in likely_crs(gdf)[0].lands


def test_no_crs_in_utm_48n_names_both_datums():
    gdf = _no_crs(106.83, 10.80, 32648)
    specs = [c.spec for c in likely_crs(gdf) if c.likely]
    assert specs[:2] == ["EPSG:32648", "EPSG:3405"]
    with pytest.raises(CRSError, match=r"WGS 84 / UTM zone 48N \(EPSG:32648\)"):
        require_crs(gdf, layer="parcels")


def test_no_crs_in_degrees_names_wgs84():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(106.9, 10.9)])
    with pytest.raises(CRSError, match=r"(?s)look like degrees.*EPSG:4326"):
        require_crs(gdf, layer="ports")


def test_no_crs_elsewhere_gives_the_plain_message():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(5.0, 50.0), shapely.Point(6.0, 51.0)])
    assert likely_crs(gdf) == []
    with pytest.raises(CRSError, match=r"has no CRS; declare the one") as info:
        require_crs(gdf, layer="ports")
    assert "look like" not in str(info.value)


VN_DATA = Path(__file__).parent / "data" / "vn"
TEXT_COLUMNS = ["ten", "huyen", "xa", "loai_dat"]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "auto"])
def test_legacy_tm3_parcels_equal_the_wgs84_unicode_parcels(encoding):
    suffix = "vni" if encoding == "vni" else "tcvn3"
    legacy = read_vector(VN_DATA / f"parcels_tm3_dongnai_{suffix}.shp", encoding=encoding)
    reference = read_vector(VN_DATA / "parcels_wgs84.geojson", encoding="unicode")
    assert legacy.crs.to_epsg() == 5899
    check_datum_shift(legacy, layer="parcels")  # the .prj names the VN-2000 datum
    # Names come back exactly, NFC.
    assert legacy["ma_lo"].tolist() == reference["ma_lo"].tolist()
    for column in TEXT_COLUMNS:
        assert legacy[column].tolist() == reference[column].tolist()
    assert len(legacy.attrs["text_conversions"]) == len(TEXT_COLUMNS)
    # Geometries agree within a millimetre in the analysis CRS (shapefiles reorient rings).
    a = legacy.to_crs(32648).geometry.normalize().get_coordinates().to_numpy()
    b = reference.to_crs(32648).geometry.normalize().get_coordinates().to_numpy()
    assert np.abs(a - b).max() < 0.001


def _scenario(tmp_path: Path, parcels: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"""\
version: 1
name: {name}
crs: EPSG:32648
layers:
  parcels: {{path: {parcels.as_posix()}, id: ma_lo}}
candidates: {{layer: parcels, id: ma_lo, name: ten}}
criteria:
  - name: port_distance
    measure: {{type: distance, layer: ports}}
    value: {{type: linear, best: 0, worst: 60000}}
    weight: 2
  - name: airport_distance
    measure: {{type: distance, layer: airports}}
    value: {{type: linear, best: 0, worst: 60000}}
    weight: 1
""",
        encoding="utf-8",
    )
    return path


def test_legacy_tm3_parcels_score_like_the_wgs84_parcels(tmp_path):
    from geosite import evaluate
    from geosite.errors import DataWarning

    # The .dbf's TCVN3 names are undeclared: converted, and said so.
    with pytest.warns(DataWarning, match=r"converted from tcvn3 \(detected\)"):
        tm3 = evaluate(_scenario(tmp_path, VN_DATA / "parcels_tm3_dongnai_tcvn3.shp", "tm3"))
    wgs = evaluate(_scenario(tmp_path, VN_DATA / "parcels_wgs84.geojson", "wgs"))
    a = tm3.table.set_index("ma_lo").sort_index()
    b = wgs.table.set_index("ma_lo").sort_index()
    for column in ("port_distance_m", "airport_distance_m", "total_score"):
        assert np.abs(a[column].to_numpy() - b[column].to_numpy()).max() < 0.001
    assert a["rank"].tolist() == b["rank"].tolist()


def test_the_tm3_parcels_without_prj_name_the_dong_nai_zone(tmp_path):
    gdf = read_vector(VN_DATA / "parcels_tm3_dongnai_tcvn3.shp")
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gdf.set_crs(None, allow_override=True).to_file(tmp_path / "noprj.shp")
    with pytest.raises(CRSError, match=r"VN-2000 / TM-3 107-45 \(EPSG:5899\)"):
        require_crs(read_vector(tmp_path / "noprj.shp"), layer="parcels")


def test_a_declared_vn2000_crs_replaces_a_prj_without_the_shift(tmp_path, caplog):
    from geosite.data.vn2000 import apply_declared_crs

    gdf = read_vector(_parcels_without_shift(tmp_path))
    with caplog.at_level("WARNING", logger="geosite.data.vn2000"):
        fixed = apply_declared_crs(gdf, vn2000_crs("VN-2000 Đồng Nai"), layer="parcels")
    assert fixed.crs.to_epsg() == 5899
    assert "lacks the VN-2000 datum shift" in caplog.text
    # Declared nothing: the fault is reported with its offset.
    with pytest.raises(CRSError, match=r"would land 226 m"):
        apply_declared_crs(gdf, None, layer="parcels")
    # Declared another zone: a conflict, not a repair.
    with pytest.raises(CRSError, match=r"the file declares 'VN2000 Dong Nai' but the scenario"):
        apply_declared_crs(gdf, vn2000_crs("VN-2000 Bình Dương"), layer="parcels")
    # No CRS in the file: the declared one is set.
    bare = gdf.set_crs(None, allow_override=True)
    assert apply_declared_crs(bare, to_crs("EPSG:5899"), layer="p").crs.to_epsg() == 5899
