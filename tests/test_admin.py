"""Tests of administrative units before and after the July 2025 mergers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geosite.data.admin import (
    ADMIN_COLUMNS,
    add_admin_columns,
    admin_units_at,
    province_after_2025,
    provinces_before_2025,
    ward_after_2025,
)
from geosite.data.bundled import read_layer
from geosite.data.io import read_vector
from geosite.data.text import name_key
from geosite.errors import DataNotFoundError, ParameterError

vau = pytest.importorskip("vietnamadminunits")
from vietnamadminunits.database import query  # noqa: E402

VN_DATA = Path(__file__).parent / "data" / "vn"


def _old_province_name(code: str) -> str:
    rows = query(f"SELECT DISTINCT province FROM admin_units_legacy WHERE provinceCode = '{code}'")
    return str(rows[0]["province"])


def test_mergers_agree_with_the_bundled_2025_provinces():
    # The bundled 2025 polygons record which old province codes each new province merged.
    for _, row in read_layer("provinces_2025").iterrows():
        for code in row["merged_from"].split(","):
            assert province_after_2025(_old_province_name(code)) == row["name"]
        olds = provinces_before_2025(row["name"])
        assert sorted(olds) == sorted(_old_province_name(c) for c in row["merged_from"].split(","))


def test_province_names_match_without_diacritics_or_prefix():
    assert province_after_2025("binh phuoc") == "Tỉnh Đồng Nai"
    assert province_after_2025("Tỉnh Bình Dương") == "Thành phố Hồ Chí Minh"
    assert provinces_before_2025("Dong Nai") == ["Tỉnh Bình Phước", "Tỉnh Đồng Nai"]
    # A province that kept its borders.
    assert provinces_before_2025("Tây Ninh") == ["Tỉnh Long An", "Tỉnh Tây Ninh"]


def test_unknown_province_suggests():
    with pytest.raises(DataNotFoundError, match=r"'Dong Na'.*'Tỉnh Đồng Nai'.*before July 2025"):
        province_after_2025("Dong Na")


def test_ward_conversion_agrees_with_the_package_converter():
    ours = ward_after_2025(province="Đồng Nai", district="Long Thành", ward="Long Phước")
    theirs = vau.convert_address("Xã Long Phước, Huyện Long Thành, Tỉnh Đồng Nai")
    assert (ours.province_new, ours.ward_new) == (theirs.province, theirs.ward)
    assert ours.ward_code_old == "26413"
    assert ours.district_old == "Huyện Long Thành"
    assert not ours.divided


def test_a_divided_ward_goes_to_the_nearest_new_ward_when_a_place_is_given():
    default = ward_after_2025(province="Đồng Nai", district="Xuân Lộc", ward="Xuân Tâm")
    assert default.divided
    # The package lists Xã Xuân Đông (107.358 E, 10.8054 N) and Xã Xuân Hòa (107.493, 10.8661).
    east = ward_after_2025(
        province="Đồng Nai", district="Xuân Lộc", ward="Xuân Tâm", at=(107.49, 10.86)
    )
    west = ward_after_2025(
        province="Đồng Nai", district="Xuân Lộc", ward="Xuân Tâm", at=(107.36, 10.80)
    )
    assert (east.ward_new, west.ward_new) == ("Xã Xuân Hòa", "Xã Xuân Đông")


def test_ward_names_are_never_matched_ambiguously():
    with pytest.raises(ParameterError, match=r"'Minh Quan' is ambiguous.*Minh Quán.*Minh Quân"):
        ward_after_2025(province="Yên Bái", district="Trấn Yên", ward="Minh Quan")
    exact = ward_after_2025(province="Yên Bái", district="Trấn Yên", ward="Minh Quân")
    assert exact.ward_old == "Xã Minh Quân"
    # With its diacritics, "Sa Pa" is not "Sa Pả".
    sapa = ward_after_2025(province="Lào Cai", district="Sa Pa", ward="Sa Pa")
    assert sapa.ward_old == "Phường Sa Pa"


def test_points_in_each_bundled_district_get_that_district():
    districts = read_layer("districts")
    points = districts.geometry.representative_point()
    units = admin_units_at(points.x, points.y)
    codes = {
        r["wardCode"]: r["districtCode"]
        for r in query("SELECT wardCode, districtCode FROM admin_units_legacy")
    }
    districts_of = {
        r["district"]: r["districtCode"]
        for r in query("SELECT district, districtCode FROM admin_units_legacy")
    }
    found = [
        codes.get(w) or districts_of[d]
        for w, d in zip(units["ward_code_old"], units["district_old"], strict=True)
    ]
    # Long Điền (752) and Đất Đỏ (753) became Long Đất (753) before the July 2025 reform;
    # the ward table lists only the latter.
    expected = ["753" if c == "752" else c for c in districts["district_code"]]
    assert found == expected
    merged = districts["district_code"].eq("752").to_numpy()
    assert units["admin_method"][~merged].str.startswith("district polygon").all()
    con_dao = districts["name"].eq("Huyện Côn Đảo").to_numpy()
    assert units["ward_new"][con_dao].tolist() == ["Đặc khu Côn Đảo"]
    assert units["admin_method"][merged].str.contains("district 752 no longer listed").all()


def test_points_outside_vietnam_get_no_units():
    units = admin_units_at([100.0, np.nan, 106.9], [15.0, 10.0, 10.9])
    assert units["province_old"].isna().tolist() == [True, True, False]
    assert units.loc[0, "admin_method"] == "outside every ward of Vietnam"
    with pytest.raises(ParameterError, match="equal length"):
        admin_units_at([1.0, 2.0], [1.0])


def test_add_admin_columns_to_tm3_parcels():
    parcels = read_vector(VN_DATA / "parcels_tm3_dongnai_tcvn3.shp", encoding="tcvn3")
    out = add_admin_columns(parcels)
    assert list(out.columns[-len(ADMIN_COLUMNS) :]) == list(ADMIN_COLUMNS)
    assert (out["province_old"] == "Tỉnh Đồng Nai").all()
    assert (out["province_new"] == "Tỉnh Đồng Nai").all()
    # The districts recorded in the test file (before July 2025).
    assert [name_key(d, ignore_unit_prefix=True) for d in out["district_old"]] == [
        name_key(d) for d in parcels["huyen"]
    ]
    assert out.crs == parcels.crs
    assert "ward_old" not in parcels.columns


def test_add_admin_columns_errors():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(106.9, 10.9)])
    with pytest.raises(ParameterError, match="needs a layer with a CRS"):
        add_admin_columns(gdf)
    gdf = gdf.set_crs(4326)
    gdf["ward_old"] = "x"
    with pytest.raises(ParameterError, match=r"already has column\(s\) \['ward_old'\]"):
        add_admin_columns(gdf)
    out = add_admin_columns(gdf, prefix="admin_")
    assert out.loc[0, "admin_province_new"] == "Tỉnh Đồng Nai"


def test_scores_summarised_by_old_and_new_units():
    import pandas as pd

    from geosite.data.admin import summarise_by_unit

    table = add_admin_columns(read_vector(VN_DATA / "parcels_wgs84.geojson"))
    table["total_score"] = [0.9, 0.1, 0.5, 0.7, 0.3, 0.2]
    by_district = summarise_by_unit(table, by="district_old", id_column="ma_lo")
    assert by_district.loc["Huyện Long Thành", "candidates"] == 3
    assert by_district.loc["Huyện Long Thành", "best_candidate"] == "DN-01"
    assert by_district.loc["Huyện Nhơn Trạch", "mean_score"] == pytest.approx(0.3)
    by_province = summarise_by_unit(table, by="province_new")
    assert by_province.index.tolist() == ["Tỉnh Đồng Nai"]
    assert by_province.loc["Tỉnh Đồng Nai", "candidates"] == 6
    with pytest.raises(ParameterError, match=r"no column\(s\) \['ward_new'\]"):
        summarise_by_unit(pd.DataFrame({"total_score": [1.0]}), by="ward_new")
