"""Scenario comparison and diffs, on the tiny project: every number worked out by hand."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point

from geosite.analysis import evaluate
from geosite.decision.compare import compare, data_sources, diff
from geosite.errors import ParameterError
from geosite.scenario import load_scenario

from .conftest import CRS, X0, Y0


def _variant(project: Path, name: str, old: str, new: str) -> Path:
    text = (project / "scenario.yaml").read_text(encoding="utf-8")
    assert old in text
    path = project / f"{name}.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_compare_with_itself_agrees_perfectly(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    cmp = compare([path, path])
    assert cmp.labels == ("scenario", "scenario-2")
    pair = cmp.pairs.iloc[0]
    assert pair["kendall_tau"] == 1.0
    assert pair["top_k_share"] == 1.0
    assert pair["n_common"] == 2  # c is excluded in both
    assert (cmp.table["scenario-2_rank_shift"].dropna() == 0).all()


def test_compare_reports_shifts_tau_and_exclusions(tiny_project: Path) -> None:
    base = tiny_project / "scenario.yaml"
    # Scores (port, road, ports within 3 km): a (0.8, 0.52, 0.5), b (0.74, 0.77, 0.5),
    # c (0.45, 0.51, 0); with road weight 10 instead of 1: a 3.6/14... b wins more; with
    # port weight 30: a 24+0.52+0.5 vs b 22.2+0.77+0.5 -> a first.
    port_led = _variant(tiny_project, "port", "weight: 3", "weight: 30")
    no_min = _variant(tiny_project, "open", "min_ha: 5", "min_ha: 1")
    cmp = compare([base, port_led, no_min], top_k=1)
    table = cmp.table.set_index("site_id")
    assert table.loc["b", "scenario_rank"] == 1
    assert table.loc["a", "port_rank"] == 1
    assert table.loc["a", "port_rank_shift"] == 1  # 2 -> 1: moved up one place
    assert table.loc["b", "port_rank_shift"] == -1
    assert table.loc["c", "scenario_excluded"]
    assert not table.loc["c", "open_excluded"]
    assert table.loc["c", "open_rank"] == 3
    pairs = cmp.pairs.set_index(["a", "b"])
    # Two common candidates in reverse order: tau-b = -1; the top 1 differs.
    assert pairs.loc[("scenario", "port"), "kendall_tau"] == pytest.approx(-1.0)
    assert pairs.loc[("scenario", "port"), "top_k_overlap"] == 0
    # c is ranked only in "open": left out of that pair, whose common order is unchanged.
    assert pairs.loc[("scenario", "open"), "n_common"] == 2
    assert pairs.loc[("scenario", "open"), "kendall_tau"] == 1.0
    # Independent score check: a's total under the port-led weights.
    a_total = (30 * (1 - 2000 / 10000) + 1 * (1 - 9600 / 20000) + 1 * 0.5) / 32
    assert table.loc["a", "port_score"] == pytest.approx(a_total)


def test_compare_refuses_one_scenario_and_bad_k(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    with pytest.raises(ParameterError, match="at least two"):
        compare([path])
    with pytest.raises(ParameterError, match="top_k"):
        compare([path, path], top_k=0)
    with pytest.raises(ParameterError, match="unique label"):
        compare([path, path], labels=["x", "x"])


def test_diff_of_a_scenario_with_itself_is_empty(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    result = evaluate(path)
    d = diff(path, result)
    assert d.is_empty
    assert d.changes == ()
    assert d.results is not None
    assert d.results.empty
    assert "No differences" in d.to_text()
    assert json.loads(json.dumps(d.to_dict()))["empty"] is True


def test_diff_lists_assumptions_and_result_changes(tiny_project: Path) -> None:
    base = tiny_project / "scenario.yaml"
    text = base.read_text(encoding="utf-8")
    text = text.replace("weight: 3", "weight: 30").replace("worst: 10000", "worst: 12000")
    text = text.replace("min_ha: 5", "min_ha: 6")
    text += "aggregation: {method: weighted_product}\n"
    other = tiny_project / "other.yaml"
    other.write_text(text, encoding="utf-8")
    d = diff(base, other)
    by_key = {c.key: c for c in d.changes}
    assert by_key["criteria.port_distance.weight"].section == "weights"
    assert (
        by_key["criteria.port_distance.weight"].before,
        by_key["criteria.port_distance.weight"].after,
    ) == (3, 30)
    normalised = by_key["weights.port_distance (normalised)"]
    assert (normalised.before, normalised.after) == pytest.approx((3 / 5, 30 / 32))
    assert by_key["weights.road_distance (normalised)"].after == pytest.approx(1 / 32)
    assert by_key["criteria.port_distance.value.worst"].section == "value functions"
    assert by_key["criteria.port_distance.value.worst"].after == 12000
    assert by_key["aggregation.method"].before == "wlc"
    assert by_key["aggregation.method"].after == "weighted_product"
    assert any(c.section == "constraints" and c.after == 6 for c in d.changes)
    assert not any(c.section == "data" for c in d.changes)
    # Sections come in a fixed order: weights before value functions before aggregation.
    sections = [c.section for c in d.changes]
    assert (
        sections.index("weights")
        < sections.index("value functions")
        < sections.index("aggregation")
    )
    assert d.results is not None
    changed = d.results.set_index("site_id")
    # c stays excluded (4 ha < 6 ha) but its would-be score changed with the weights.
    assert set(changed.index) == {"a", "b", "c"}
    assert changed.loc[["c"], ["rank_a", "rank_b"]].isna().all(axis=None)
    assert changed.loc["a", "rank_a"] == 2
    assert changed.loc["a", "rank_b"] == 1
    text_report = d.to_text()
    assert "criteria.port_distance.value.worst: 10000 -> 12000" in text_report
    assert "weighting" not in [c.section for c in d.changes]


def test_diff_spots_a_changed_data_file_by_its_hash(tiny_project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_project, copy)
    ports = copy / "data" / "ports.gpkg"
    ports.unlink()
    gpd.GeoDataFrame(
        {"port_id": ["p1", "p2", "p3"], "name": ["One", "Two", "Three"], "kind": ["port"] * 3},
        geometry=[Point(X0 + 2400, Y0 + 200), Point(X0, Y0 + 20000), Point(X0 + 5200, Y0 + 600)],
        crs=CRS,
    ).to_file(ports)
    d = diff(tiny_project / "scenario.yaml", copy / "scenario.yaml", results=False)
    data = {c.key: c for c in d.changes if c.section == "data"}
    assert data["data.my_ports.sha256"].after == hashlib.sha256(ports.read_bytes()).hexdigest()
    assert (
        data["data.my_ports.sha256"].before
        == hashlib.sha256((tiny_project / "data" / "ports.gpkg").read_bytes()).hexdigest()
    )
    assert "data.my_ports.path" in data
    # Only files differ: no assumption other than data paths changed.
    assert {c.section for c in d.changes} == {"data"}
    assert d.results is None


def test_data_sources_hash_every_file_once(tiny_project: Path) -> None:
    sources = data_sources(load_scenario(tiny_project / "scenario.yaml"))
    assert [s.name for s in sources] == ["sites", "my_ports", "my_roads"]
    for source in sources:
        assert source.path is not None
        assert source.sha256 == hashlib.sha256(source.path.read_bytes()).hexdigest()


def test_bundled_variants_differ_only_in_what_they_override() -> None:
    d = diff("dong-nam-bo", "port-led", results=False)
    sections = {c.section for c in d.changes}
    assert sections == {"scenario", "weights"}
    written = {c.key for c in d.changes if c.key.startswith("criteria.")}
    assert written == {
        "criteria.port_truck_time.weight",
        "criteria.long_thanh_airport_time.weight",
        "criteria.tan_son_nhat_airport_distance.weight",
    }
