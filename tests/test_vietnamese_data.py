"""Parcels as planners in Đồng Nai receive them: VN-2000 / TM-3 with a TCVN3 table, scored
through a scenario exactly like the same parcels in WGS 84 with Unicode names."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from geosite import evaluate, load_scenario
from geosite.errors import CRSError

DATA = Path(__file__).resolve().parent / "data" / "vn"

SCENARIO = """\
version: 1
name: Đồng Nai parcels
crs: EPSG:32648
layers:
  parcels: {{path: {path}, id: ma_lo{extra}}}
candidates: {{layer: parcels, id: ma_lo, name: ten}}
criteria:
  - name: airport_distance
    measure: {{type: distance, layer: airports, where: {{airport_id: long-thanh}}}}
    value: {{type: linear, best: 0, worst: 30000}}
    weight: 2
  - name: road_distance
    measure: {{type: distance, layer: roads}}
    value: {{type: linear, best: 0, worst: 10000}}
    weight: 1
outputs: {{admin_units: true}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for path in DATA.iterdir():
        if path.is_file() and path.suffix != ".py":
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def write(project: Path, name: str, path: str, extra: str = "") -> Path:
    target = project / name
    target.write_text(textwrap.dedent(SCENARIO.format(path=path, extra=extra)), encoding="utf-8")
    return target


def test_tm3_tcvn3_parcels_score_like_wgs84_unicode_parcels(project: Path) -> None:
    reference = evaluate(load_scenario(write(project, "wgs.yaml", "parcels_wgs84.geojson"))).table
    legacy = evaluate(
        load_scenario(
            write(
                project,
                "vn.yaml",
                "parcels_tm3_dongnai_tcvn3.shp",
                ", encoding: tcvn3, crs: VN-2000 Đồng Nai",
            )
        )
    ).table
    assert legacy["ma_lo"].tolist() == reference["ma_lo"].tolist()
    assert legacy["ten"].tolist() == reference["ten"].tolist()
    for column in ("airport_distance_m", "road_distance_m"):
        assert legacy[column].to_numpy() == pytest.approx(reference[column].to_numpy(), abs=1e-3)
    assert legacy["rank"].tolist() == reference["rank"].tolist()
    assert legacy["province_old"].tolist() == reference["province_old"].tolist()
    assert set(reference["province_old"]) == {"Tỉnh Đồng Nai"}
    assert set(reference["province_new"]) == {"Tỉnh Đồng Nai"}


def test_vni_table_is_converted_on_request(project: Path) -> None:
    table = evaluate(
        load_scenario(
            write(project, "vni.yaml", "parcels_tm3_dongnai_vni.shp", ", encoding: vni-windows")
        )
    ).table
    reference = evaluate(load_scenario(write(project, "wgs.yaml", "parcels_wgs84.geojson"))).table
    assert sorted(table["ten"]) == sorted(reference["ten"])


def test_undeclared_legacy_text_is_detected_automatically(project: Path) -> None:
    table = evaluate(
        load_scenario(
            write(project, "auto.yaml", "parcels_tm3_dongnai_tcvn3.shp", ", encoding: auto")
        )
    ).table
    reference = evaluate(load_scenario(write(project, "wgs.yaml", "parcels_wgs84.geojson"))).table
    assert sorted(table["ten"]) == sorted(reference["ten"])


def test_prj_without_datum_shift_is_reported_with_its_offset(project: Path) -> None:
    prj = project / "parcels_tm3_dongnai_tcvn3.prj"
    prj.write_text(
        'PROJCS["TM3 107-45",GEOGCS["GCS",DATUM["D_unknown",SPHEROID["WGS_84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
        'PARAMETER["False_Easting",500000],PARAMETER["False_Northing",0],PARAMETER["Central_Meridian",107.75],'
        'PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0],UNIT["Meter",1]]',
        encoding="utf-8",
    )
    path = write(project, "bad.yaml", "parcels_tm3_dongnai_tcvn3.shp", ", encoding: tcvn3")
    with pytest.raises(CRSError, match=r"layer 'parcels'.* (2[0-9]{2}) m"):
        evaluate(load_scenario(path))


def test_unknown_encoding_is_a_scenario_error(project: Path) -> None:
    from geosite.errors import ScenarioError

    path = write(project, "enc.yaml", "parcels_wgs84.geojson", ", encoding: latin-9")
    with pytest.raises(ScenarioError, match=r"layers\.parcels\.encoding"):
        load_scenario(path)
