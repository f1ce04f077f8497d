"""The pipeline on a tiny project whose every number is computed by hand in the fixture."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import Polygon

from geosite import evaluate, load_scenario
from geosite.errors import CRSError, DataNotFoundError, LayerError

from .conftest import write_without_crs

# Hand computations (see the tiny_project fixture):
#   port distance a 2000, b 2600, c hypot(2200, 4800); road a 9600, b 4600, c 9800;
#   ports within 3 km a 1, b 1, c 0; weights 3:1:1 -> 0.6, 0.2, 0.2.
PORT = {"a": 2000.0, "b": 2600.0, "c": math.hypot(2200.0, 4800.0)}
ROAD = {"a": 9600.0, "b": 4600.0, "c": 9800.0}
COUNT = {"a": 1, "b": 1, "c": 0}
TOTAL = {
    k: 0.6 * (1 - PORT[k] / 10000) + 0.2 * (1 - ROAD[k] / 20000) + 0.2 * COUNT[k] / 2 for k in PORT
}


def test_raw_values_scores_and_totals_match_hand_computation(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    t = result.table.set_index("site_id")
    for k in "abc":
        assert t.loc[k, "port_distance_m"] == pytest.approx(PORT[k], abs=1e-6)
        assert t.loc[k, "road_distance_m"] == pytest.approx(ROAD[k], abs=1e-6)
        assert t.loc[k, "ports_within_3km_count"] == COUNT[k]
        assert t.loc[k, "total_score"] == pytest.approx(TOTAL[k], abs=1e-12)
        parts = [
            t.loc[k, f"{c}_contribution"]
            for c in ("port_distance", "road_distance", "ports_within_3km")
        ]
        assert sum(parts) == pytest.approx(t.loc[k, "total_score"], abs=1e-12)
    assert t.loc["a", "port_distance_weight"] == pytest.approx(0.6)
    assert t.loc["a", "port_distance_nearest"] == "Port One"


def test_rows_sorted_by_rank_and_excluded_last_with_reason(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    t = result.table
    assert t["site_id"].tolist() == ["b", "a", "c"]
    assert t["rank"].tolist()[:2] == [1, 2]
    assert t["rank"].isna().tolist() == [False, False, True]
    assert t["excluded"].tolist() == [False, False, True]
    assert "area 4.0 ha < 5 ha" in t.loc[2, "exclusion_reason"]
    assert t["exclusion_reason"].isna().tolist()[:2] == [True, True]


def test_columns_follow_the_documented_layout(tiny_project: Path) -> None:
    cols = evaluate(tiny_project / "scenario.yaml").table.columns.tolist()
    assert cols[:9] == [
        "site_id",
        "name",
        "port_distance_m",
        "port_distance_nearest",
        "port_distance_measured_to_kind",
        "port_distance_measured_to",
        "port_distance_score",
        "port_distance_weight",
        "port_distance_contribution",
    ]
    assert cols[-5:] == ["total_score", "rank", "excluded", "exclusion_reason", "geometry"]


def test_result_table_is_a_geodataframe_in_the_metric_crs(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    assert isinstance(result.table, gpd.GeoDataFrame)
    assert result.table.crs.to_epsg() == 32648
    assert result.weights.weights == pytest.approx(
        {"port_distance": 0.6, "road_distance": 0.2, "ports_within_3km": 0.2}
    )


def _edit(project: Path, old: str, new: str) -> Path:
    path = project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_force_include_keeps_an_excluded_candidate_and_says_so(tiny_project: Path) -> None:
    path = _edit(
        tiny_project,
        "  - {type: min_area, min_ha: 5}",
        "  - {type: min_area, min_ha: 5}\n  - {type: force_include, ids: [c]}",
    )
    t = evaluate(path).table.set_index("site_id")
    assert not t.loc["c", "excluded"]
    assert t.loc["c", "rank"] == 3
    assert t.loc["c", "exclusion_reason"].startswith("force-included (would be excluded: ")


def test_criterion_constraint_excludes_beyond_a_threshold(tiny_project: Path) -> None:
    path = _edit(
        tiny_project,
        "  - {type: min_area, min_ha: 5}",
        "  - {type: criterion, criterion: road_distance, max: 9000}",
    )
    t = evaluate(path).table.set_index("site_id")
    assert t["excluded"].to_dict() == {"b": False, "a": True, "c": True}
    assert "road_distance = 9600 fails road_distance <= 9000" in t.loc["a", "exclusion_reason"]


def test_inside_and_outside_constraints_use_buffers(tiny_project: Path) -> None:
    # Within 2500 m of a port: a (2000 m) and b (2600 m -> no), c (5280 m -> no).
    path = _edit(
        tiny_project,
        "  - {type: min_area, min_ha: 5}",
        "  - {type: inside, layer: my_ports, buffer_m: 2500}\n  - {type: outside, layer: my_roads, buffer_m: 5000}",
    )
    t = evaluate(path).table.set_index("site_id")
    assert t["excluded"].to_dict() == {"a": False, "b": True, "c": True}
    assert "at least 5000 m from my_roads" in t.loc["b", "exclusion_reason"]
    assert "touching 2500 m of my_ports" in t.loc["b", "exclusion_reason"]


def test_reordering_candidates_changes_nothing(tiny_project: Path) -> None:
    base = evaluate(tiny_project / "scenario.yaml").table
    path = tiny_project / "data" / "candidates.gpkg"
    gdf = gpd.read_file(path, layer="sites").iloc[::-1]
    gdf.to_file(path, layer="sites")
    again = evaluate(tiny_project / "scenario.yaml").table
    cols = [c for c in base.columns if c != "geometry"]
    assert base[cols].equals(again[cols])


def test_layer_without_crs_is_refused_naming_it(tiny_project: Path) -> None:
    path = tiny_project / "data" / "ports.gpkg"
    write_without_crs(gpd.read_file(path), path)
    with pytest.raises(CRSError, match="layer 'my_ports' has no CRS"):
        evaluate(tiny_project / "scenario.yaml")


def test_declared_crs_is_used_when_the_file_has_none(tiny_project: Path) -> None:
    path = tiny_project / "data" / "ports.gpkg"
    write_without_crs(gpd.read_file(path), path)
    _edit(
        tiny_project,
        "my_ports: {path: data/ports.gpkg, id: port_id}",
        "my_ports: {path: data/ports.gpkg, id: port_id, crs: 'EPSG:32648'}",
    )
    t = evaluate(tiny_project / "scenario.yaml").table.set_index("site_id")
    assert t.loc["a", "port_distance_m"] == pytest.approx(2000.0)


def test_declared_crs_conflicting_with_the_file_is_refused(tiny_project: Path) -> None:
    _edit(
        tiny_project,
        "my_ports: {path: data/ports.gpkg, id: port_id}",
        "my_ports: {path: data/ports.gpkg, id: port_id, crs: 'EPSG:4326'}",
    )
    with pytest.raises(CRSError, match="the file declares"):
        evaluate(tiny_project / "scenario.yaml")


def _rewrite_candidates(project: Path, geoms: list[object], ids: list[str]) -> None:
    path = project / "data" / "candidates.gpkg"
    path.unlink()
    gpd.GeoDataFrame({"site_id": ids, "name": ids}, geometry=geoms, crs="EPSG:32648").to_file(
        path, layer="sites"
    )


def _bowtie() -> Polygon:
    x, y = 690_000.0, 1_190_000.0
    return Polygon([(x, y), (x + 400, y + 400), (x + 400, y), (x, y + 400)])


def test_invalid_geometry_is_an_error_listing_the_feature(tiny_project: Path) -> None:
    good = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites").geometry.tolist()
    _rewrite_candidates(tiny_project, [good[0], _bowtie()], ["a", "bow"])
    with pytest.raises(
        LayerError, match=r"layer 'sites' has 1 invalid geometry: 'bow' \(Self-intersection"
    ):
        evaluate(tiny_project / "scenario.yaml")


def test_invalid_geometry_is_repaired_when_asked(
    tiny_project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites").geometry.tolist()
    _rewrite_candidates(tiny_project, [good[0], _bowtie()], ["a", "bow"])
    _edit(tiny_project, "layer: sites, id: site_id}", "layer: sites, id: site_id, repair: true}")
    result = evaluate(tiny_project / "scenario.yaml")
    assert result.table.geometry.is_valid.all()
    assert "repaired 1 invalid geometries" in caplog.text


def test_duplicate_candidate_ids_are_refused(tiny_project: Path) -> None:
    good = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites").geometry.tolist()
    _rewrite_candidates(tiny_project, good, ["a", "a", "c"])
    with pytest.raises(LayerError, match="duplicate values 'a'"):
        evaluate(tiny_project / "scenario.yaml")


def test_empty_candidate_layer_is_refused(tiny_project: Path) -> None:
    _rewrite_candidates(tiny_project, [], [])
    with pytest.raises(LayerError, match="layer 'sites' has no features"):
        evaluate(tiny_project / "scenario.yaml")


def test_null_geometry_in_candidates_is_refused(tiny_project: Path) -> None:
    good = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites").geometry.tolist()
    _rewrite_candidates(tiny_project, [good[0], None], ["a", "nothing"])
    with pytest.raises(LayerError, match="null or empty geometry: 'nothing'"):
        evaluate(tiny_project / "scenario.yaml")


def test_filter_matching_nothing_suggests_a_value(tiny_project: Path) -> None:
    path = _edit(
        tiny_project,
        "measure: {type: distance, layer: my_ports}",
        "measure: {type: distance, layer: my_ports, where: {port_id: p3}}",
    )
    with pytest.raises(
        DataNotFoundError, match="no feature has port_id = 'p3'; values present: 'p1', 'p2'"
    ):
        evaluate(path)


def test_missing_file_is_reported_at_load_time(tiny_project: Path) -> None:
    (tiny_project / "data" / "roads.gpkg").unlink()
    from geosite.errors import ScenarioError

    with pytest.raises(
        ScenarioError, match=r"layers\.my_roads\.path: file 'data/roads.gpkg' does not exist"
    ):
        load_scenario(tiny_project / "scenario.yaml")


def test_identical_inputs_give_identical_tables(tiny_project: Path) -> None:
    one = evaluate(tiny_project / "scenario.yaml").table
    two = evaluate(tiny_project / "scenario.yaml").table
    assert one.drop(columns="geometry").equals(two.drop(columns="geometry"))
    assert np.array_equal(one.geometry.to_wkb(), two.geometry.to_wkb())
