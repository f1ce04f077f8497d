"""Scoring a generated grid instead of proposed sites, from a scenario file."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

from geosite import evaluate, load_scenario
from geosite.errors import ScenarioError
from geosite.i18n import LocalizedText, localized

from .conftest import CRS, X0, Y0


def test_one_key_switches_the_tiny_scenario_to_a_grid(tiny_project: Path) -> None:
    gpd.GeoDataFrame(
        {"area_id": ["study"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS
    ).to_file(tiny_project / "data" / "area.gpkg")
    text = (tiny_project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:\n", "layers:\n  area: {path: data/area.gpkg, id: area_id}\n")
    (tiny_project / "scenario.yaml").write_text(text, encoding="utf-8")
    variant = tiny_project / "grid.yaml"
    variant.write_text(
        "version: 1\nextends: scenario.yaml\nname: grid\ncandidates:\n  grid: {cell_size_m: 100, area: area}\n",
        encoding="utf-8",
    )
    result = evaluate(load_scenario(variant))
    table = result.table
    # A 1 km square with 100 m square cells: 100 cells of 1 ha, all below the 5 ha minimum.
    assert len(table) == 100
    assert result.id_column == "cell_id"
    assert table["excluded"].all()
    assert set(table["exclusion_reason"]) == {"area 1.0 ha < 5 ha"}
    # The cell nearest the port (2400, 200) is in the east column, at 1400 m from its edge.
    assert table["port_distance_m"].min() == pytest.approx(2400 - 1000, abs=1e-6)


def test_grid_with_id_or_name_is_refused(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "candidates: {layer: sites, id: site_id, name: name}",
            "candidates: {grid: {cell_ha: 1, area: sites}, id: site_id}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="a grid's cells are named by `cell_id`"):
        load_scenario(path)


def test_grid_area_must_be_a_known_layer(tiny_project: Path) -> None:
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "candidates: {layer: sites, id: site_id, name: name}",
            "candidates: {grid: {cell_ha: 1, area: site}}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r"candidates\.grid\.area: unknown layer 'site'; did you mean 'sites'\?"
    ):
        load_scenario(path)


def test_bundled_grid_variant_covers_dong_nai() -> None:
    scenario = load_scenario("dong-nai-grid")
    assert scenario.candidates.grid is not None
    assert scenario.candidates.layer is None
    result = evaluate(scenario)
    cells = result.table
    # 100 ha hexagons whose centres fall in Đồng Nai (5,863 km² by the official figure).
    assert len(cells) == pytest.approx(5863, rel=0.02)
    assert math.isclose(float(cells.geometry.area.iloc[0]) / 1e4, 100.0, rel_tol=1e-9)
    # Every reason a cell is excluded for is given in Vietnamese too, numbers as written there.
    reasons = [r for r in cells["exclusion_reason"] if isinstance(r, str) and r]
    assert reasons
    assert all(isinstance(r, LocalizedText) and r.translations.get("vi") for r in reasons)
    assert all("không đo được" in localized(r, "vi") for r in reasons if "not measurable" in r)
