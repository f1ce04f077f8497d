"""A measured quantity equal to a user's bound up to rounding error meets the bound.

Every expected value here comes from a formula (hexagon area, the gap between two boxes),
not from the code under test: the geometry's own arithmetic puts the measured value a few
ulps to either side of it.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from geosite import evaluate, load_scenario
from geosite.data.grid import grid_from_area
from geosite.decision.transforms import Cutoff, Linear
from geosite.locate.regions import find_regions
from geosite.locate.spec import cell_counts
from geosite.locate.surface import surface_from_grid
from geosite.measures.distance import count_within
from geosite.tolerance import REL_TOL, at_least, at_most

from .conftest import CRS, X0, Y0


def _hexagon_ha(width_m: float) -> float:
    """Return the area of a regular hexagon ``width_m`` across flats: six equilateral triangles."""
    side = width_m / math.sqrt(3.0)
    return 6.0 * (math.sqrt(3.0) / 4.0) * side * side / 1e4


def _grid_variant(project: Path, grid: str, constraints: str) -> Path:
    gpd.GeoDataFrame(
        {"area_id": ["study"]}, geometry=[box(X0, Y0, X0 + 3000, Y0 + 3000)], crs=CRS
    ).to_file(project / "data" / "area.gpkg")
    text = (project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:\n", "layers:\n  area: {path: data/area.gpkg, id: area_id}\n")
    (project / "scenario.yaml").write_text(text, encoding="utf-8")
    variant = project / "grid.yaml"
    variant.write_text(
        f"version: 1\nextends: scenario.yaml\nname: grid\ncandidates:\n  grid: {grid}\n"
        f"constraints:\n{constraints}",
        encoding="utf-8",
    )
    return variant


@pytest.mark.parametrize(
    ("grid", "constraint"),
    [
        # cells of exactly the minimum area measure a hair below it at UTM coordinates
        ("{cell_ha: 10, shape: hex, area: area}", "{type: min_area, min_ha: 10}"),
        ("{cell_ha: 12.5, shape: square, area: area}", "{type: min_area, min_ha: 12.5}"),
        # and a hair above the hexagon formula as a maximum
        (
            "{cell_size_m: 100, shape: hex, area: area}",
            f"{{type: max_area, max_ha: {_hexagon_ha(100.0)!r}}}",
        ),
    ],
)
def test_grid_cells_of_exactly_the_bound_area_meet_area_constraints(
    tiny_project: Path, grid: str, constraint: str
) -> None:
    variant = _grid_variant(tiny_project, grid, f"  - {constraint}\n")
    table = evaluate(load_scenario(variant)).table
    assert len(table) > 50
    assert not table["excluded"].any(), table["exclusion_reason"].dropna().unique()


def test_area_constraints_still_exclude_cells_outside_the_bound(tiny_project: Path) -> None:
    bound = 10 * (1 + 1e-6)  # far beyond rounding error: a real shortfall
    variant = _grid_variant(
        tiny_project,
        "{cell_ha: 10, shape: hex, area: area}",
        f"  - {{type: min_area, min_ha: {bound}}}\n",
    )
    table = evaluate(load_scenario(variant)).table
    assert table["excluded"].all()


def test_a_parcel_exactly_buffer_m_from_a_zone_is_far_enough(tiny_project: Path) -> None:
    gap_m = 50.0
    # A site beside the 'c' site and a zone exactly gap_m east of it; a second zone 1 m nearer
    # to the other sites is a real intrusion.
    sites = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites")
    x1 = float(sites.geometry.bounds["maxx"].max())
    ymin, ymax = float(sites.total_bounds[1]), float(sites.total_bounds[3])
    gpd.GeoDataFrame(
        {"zone_id": ["z"]}, geometry=[box(x1 + gap_m, ymin, x1 + 500, ymax)], crs=CRS
    ).to_file(tiny_project / "data" / "zone.gpkg")
    text = (tiny_project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:\n", "layers:\n  zone: {path: data/zone.gpkg, id: zone_id}\n")
    text = text.replace(
        "  - {type: min_area, min_ha: 5}\n",
        f"  - {{type: outside, layer: zone, buffer_m: {gap_m}}}\n"
        f"  - {{type: inside, layer: zone, buffer_m: {gap_m}, name: near}}\n",
    )
    (tiny_project / "scenario.yaml").write_text(text, encoding="utf-8")
    table = evaluate(load_scenario(tiny_project / "scenario.yaml")).table
    east = sites.geometry.bounds["maxx"].to_numpy() == x1
    by_id = table.set_index(table.columns[0])
    kept = ~by_id.loc[sites["site_id"], "excluded"].to_numpy(dtype=bool)
    # exactly gap_m away: outside passes and inside (touching the grown zone) passes too
    assert kept[east].all()
    # the others are farther than gap_m: inside excludes them
    assert not kept[~east].any()


@pytest.mark.parametrize("radius_m", [33.3, 0.3, 1234.567])
def test_a_feature_exactly_radius_away_is_counted(radius_m: float) -> None:
    parcel = box(X0, Y0, X0 + 100, Y0 + 100)
    at_radius = Point(X0 + 100 + radius_m, Y0 + 50)
    beyond = Point(X0 + 100 + radius_m * (1 + 1e-6), Y0 + 50)
    assert count_within([parcel], [at_radius, beyond], radius_m).tolist() == [1]


def test_a_region_exactly_min_distance_m_away_is_allowed() -> None:
    # One row of hexagons 333.3 m across; cells k apart in a row are (k - 1) * width apart,
    # edge to edge. The best cell and one 3 cells along are the two regions at that distance.
    width = 333.3
    cells = grid_from_area(
        box(X0, Y0, X0 + 12 * width, Y0 + 150), cell_size_m=width, shape="hex", crs=CRS
    )
    parts = cells["cell_id"].str.extract(r"cell-(-?\d+)_(-?\d+)").astype(int)
    row = parts[0] == parts[0].min()
    order = parts[1][row].sort_values().index
    score = pd.Series(0.1, index=cells.index)
    score[order[0]] = 1.0
    score[order[3]] = 0.9
    cells["total_score"] = score
    surface = surface_from_grid(cells, shape="hex", cell_size_m=width)
    regions = find_regions(
        surface, range(1, 2), count=2, min_distance_m=2 * width, method="heuristic"
    )
    values = [r.value for r in regions]
    assert values == [1.0, 0.9]


def test_area_ranges_take_counts_at_the_ends() -> None:
    cell = _hexagon_ha(333.3)
    assert cell_counts((3 * cell, 5 * cell), cell) == range(3, 6)
    assert cell_counts(4 * cell, cell) == range(4, 5)


def test_a_cutoff_equal_to_the_measured_value_keeps_it() -> None:
    value = Cutoff(exclude_above=0.3, exclude_below=0.1, curve=Linear(best=0, worst=1))
    assert value.cutoff_mask([0.1 + 0.2, 0.3 - 0.2, 0.31, 0.09, np.nan]).tolist() == [
        False,
        False,
        True,
        True,
        False,
    ]


def test_tolerance_is_relative_to_the_bound() -> None:
    for bound in (1e-3, 1.0, 5000.0, 1e7):
        assert at_least(bound * (1 - REL_TOL / 2), bound)
        assert not at_least(bound * (1 - 10 * REL_TOL), bound)
        assert at_most(bound * (1 + REL_TOL / 2), bound)
        assert not at_most(bound * (1 + 10 * REL_TOL), bound)
    assert at_least(0.0, 0.0)
    assert not at_least(-1e-300, 0.0)


def test_search_area_takes_every_cell_centre_within_buffer_m(tiny_project: Path) -> None:
    from geosite.locate.pipeline import _search_mask
    from geosite.locate.spec import LocateSpec

    variant = _grid_variant(tiny_project, "{cell_size_m: 100, area: area}", "  []\n")
    result = evaluate(load_scenario(variant))
    size, buffer_m = 100.0, 1000.0
    surface = surface_from_grid(result.table, shape="square", cell_size_m=size)
    # A centre 0.9995 * buffer_m from the point, halfway between two vertices of a buffered
    # circle (64 chords): a polygon buffer leaves it out, a distance takes it.
    cx, cy = X0 + 1450.0, Y0 + 1450.0
    angle = math.pi / 64
    px, py = cx - 0.9995 * buffer_m * math.cos(angle), cy - 0.9995 * buffer_m * math.sin(angle)
    gpd.GeoDataFrame({"hub_id": ["h"]}, geometry=[Point(px, py)], crs=CRS).to_file(
        tiny_project / "data" / "hub.gpkg"
    )
    text = variant.read_text(encoding="utf-8")
    variant.write_text(
        text.replace(
            "candidates:", "layers:\n  hub: {path: data/hub.gpkg, id: hub_id}\ncandidates:"
        ),
        encoding="utf-8",
    )
    result = evaluate(load_scenario(variant))
    spec = LocateSpec(area_ha=1, search_area={"layer": "hub", "buffer_m": buffer_m})
    mask = _search_mask(result, spec, surface)
    assert mask is not None
    flat = np.flatnonzero(mask.ravel())
    x, y = surface.centres(flat)
    assert np.hypot(x - px, y - py).max() <= buffer_m
    ix, iy = surface.centres(np.flatnonzero(surface.usable.ravel()))
    expected = int((np.hypot(ix - px, iy - py) <= buffer_m).sum())
    assert len(flat) == expected
    assert np.isclose(np.hypot(x - px, y - py), 0.9995 * buffer_m).any()
