"""Site search: exact and heuristic region finding, checked against answers known apart."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy import ndimage

from geosite.errors import ParameterError
from geosite.locate import (
    LocateSpec,
    best_region_exact,
    best_region_heuristic,
    cell_counts,
    find_regions,
    min_perimeter,
    regions_to_frame,
    suitable_mask,
    summarise_zones,
    surface_from_array,
)
from geosite.locate.surface import OFFSETS


def _smooth(rng, shape=(10, 10), sigma=1.2):
    a = ndimage.gaussian_filter(rng.random(shape), sigma)
    return (a - a.min()) / (a.max() - a.min())


def _connected_sets(surface, n):
    """Every edge-connected set of ``n`` usable cells, by brute-force growth (independent)."""
    width = surface.scores.shape[1]
    steps = [dr * width + dc for dr, dc in OFFSETS[surface.shape]]
    usable = surface.usable.ravel()
    sets = {frozenset([c]) for c in np.flatnonzero(usable).tolist()}
    for _ in range(n - 1):
        sets = {
            s | {c + o} for s in sets for c in s for o in steps if usable[c + o] and c + o not in s
        }
    return sets


def _perimeter(surface, cells):
    width = surface.scores.shape[1]
    shared = sum((c + dr * width + dc) in cells for c in cells for dr, dc in OFFSETS[surface.shape])
    return surface.sides * len(cells) - shared


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("objective", ["mean", "min", "total"])
def test_exact_matches_brute_force(shape, objective):
    rng = np.random.default_rng(7)
    values = rng.random((5, 5))
    values[2, 2] = np.nan  # an excluded cell is never used
    surface = surface_from_array(values, shape=shape)
    n, compactness = 5, 0.8
    limit = min_perimeter(n, shape) / compactness
    best = -np.inf
    flat = surface.scores.ravel()
    for cells in _connected_sets(surface, n):
        if _perimeter(surface, cells) > limit:
            continue
        s = flat[list(cells)]
        value = {"mean": s.mean(), "min": s.min(), "total": s.sum()}[objective]
        best = max(best, value)
    found = best_region_exact(
        surface, surface.usable, range(n, n + 1), objective=objective, compactness=compactness
    )
    assert found is not None
    assert found.optimal
    assert found.value == pytest.approx(best, abs=1e-9)
    assert np.isfinite(flat[found.cells]).all()


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("objective", ["mean", "min", "total"])
def test_exact_matches_brute_force_over_an_area_range(shape, objective):
    # Every count of the range, a shape rule and an excluded cell: the roots, reach and
    # flow bounds of the programme must never cut off the best region.
    values = _smooth(np.random.default_rng(5), (5, 6))
    values[1, 3] = np.nan
    surface = surface_from_array(values, shape=shape)
    counts, compactness = range(4, 7), 0.75
    flat = surface.scores.ravel()
    best = (-np.inf, -np.inf)
    for n in counts:
        limit = min_perimeter(n, shape) / compactness
        for cells in _connected_sets(surface, n):
            if _perimeter(surface, cells) > limit:
                continue
            s = flat[list(cells)]
            best = max(
                best, ({"mean": s.mean(), "min": s.min(), "total": s.sum()}[objective], s.mean())
            )
    found = best_region_exact(
        surface, surface.usable, counts, objective=objective, compactness=compactness
    )
    assert found is not None
    assert found.optimal
    assert found.value == pytest.approx(best[0], abs=1e-9)
    assert flat[found.cells].mean() == pytest.approx(best[1], abs=1e-9)  # ties: the best mean
    assert len(found.cells) in counts
    assert (
        _perimeter(surface, set(found.cells.tolist()))
        <= min_perimeter(len(found.cells), shape) / compactness
    )


def test_min_perimeter_known_values():
    # Harary & Harborth: a 3x3 square, the P-pentomino, two hexagons, a flower of seven.
    assert [min_perimeter(n, "square") for n in (1, 4, 5, 9)] == [4, 8, 10, 12]
    assert [min_perimeter(n, "hex") for n in (1, 2, 3, 7)] == [6, 10, 12, 18]


def _planted(rng, shape):
    """A low surface, a few lone high cells, and one contiguous block a bit below them."""
    values = rng.uniform(0.0, 0.5, (12, 12))
    block = [(r, c) for r in range(6, 9) for c in range(3, 6)]  # 9 cells
    for r, c in block:
        values[r, c] = rng.uniform(0.7, 0.8)
    for r, c in [(1, 1), (1, 9), (10, 10), (4, 8)]:
        values[r, c] = 0.99  # isolated: only reachable through low cells
    surface = surface_from_array(values, shape=shape)
    where = {int(p): i for i, p in enumerate(surface.index.ravel()) if p >= 0}
    return surface, {where[r * 12 + c] for r, c in block}


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_exact_finds_the_planted_region_and_the_heuristic_gap_is_small(shape):
    surface, expected = _planted(np.random.default_rng(3), shape)
    counts = range(9, 10)
    exact = best_region_exact(surface, surface.usable, counts)
    assert exact is not None
    assert exact.optimal
    assert set(exact.cells.tolist()) == expected
    heuristic = best_region_heuristic(surface, surface.usable, counts)
    assert heuristic is not None
    gap = (exact.value - heuristic.value) / exact.value
    assert -1e-12 <= gap < 0.02
    assert heuristic.bound >= exact.value


def test_heuristic_mean_gap_on_random_surfaces_is_under_two_percent():
    rng = np.random.default_rng(2026)
    gaps = []
    for k in range(8):
        shape = "hex" if k % 2 else "square"
        surface = surface_from_array(_smooth(rng, (8, 8)), shape=shape)
        counts = range(6, 7)
        heuristic = best_region_heuristic(surface, surface.usable, counts, compactness=0.7)
        # The heuristic's region only prunes the programme; optimality is still proven.
        exact = best_region_exact(surface, surface.usable, counts, compactness=0.7, known=heuristic)
        assert exact is not None
        assert heuristic is not None
        assert exact.optimal
        assert heuristic.value <= exact.value + 1e-9
        gaps.append((exact.value - heuristic.value) / exact.value)
    assert np.mean(gaps) < 0.02


def test_heuristic_is_exact_for_the_minimum_without_a_shape_rule():
    # Best-first growth from every seed is the bottleneck (max-min) search.
    rng = np.random.default_rng(11)
    for _ in range(3):
        surface = surface_from_array(rng.random((7, 7)))
        counts = range(5, 6)
        exact = best_region_exact(surface, surface.usable, counts, objective="min")
        heuristic = best_region_heuristic(surface, surface.usable, counts, objective="min")
        assert heuristic.value == pytest.approx(exact.value)


def test_area_range_picks_the_best_count_for_the_mean():
    # Four excellent cells in a row, then a poor one: 4 cells beat 5 or 6 on the mean.
    values = np.full((3, 8), 0.1)
    values[1, 1:5] = 1.0
    surface = surface_from_array(values)
    found = best_region_exact(surface, surface.usable, range(4, 7))
    assert len(found.cells) == 4
    assert found.value == pytest.approx(1.0)
    heuristic = best_region_heuristic(surface, surface.usable, range(4, 7))
    assert heuristic.value == pytest.approx(1.0)
    total = best_region_exact(surface, surface.usable, range(4, 7), objective="total")
    assert len(total.cells) == 6


def _region_polygon(surface, cells):
    return shapely.union_all(surface.polygons(cells))


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_regions_keep_apart_avoid_excluded_cells_and_come_best_first(method):
    rng = np.random.default_rng(5)
    values = _smooth(rng, (12, 12), 1.0)
    values[rng.random((12, 12)) < 0.1] = np.nan
    surface = surface_from_array(values, cell_size_m=100.0)
    regions = find_regions(
        surface, range(5, 6), count=3, min_distance_m=250.0, method=method, compactness=0.6
    )
    assert len(regions) == 3
    assert [r.value for r in regions] == sorted((r.value for r in regions), reverse=True)
    for r in regions:
        assert np.isfinite(surface.scores.ravel()[r.cells]).all()
        _, pieces = ndimage.label(
            np.isin(np.arange(surface.scores.size), r.cells).reshape(surface.scores.shape),
            structure=np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]),
        )
        assert pieces == 1
    for a, b in itertools.combinations(regions, 2):
        distance = _region_polygon(surface, a.cells).distance(_region_polygon(surface, b.cells))
        assert distance >= 250.0 - 1e-6


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_regions_stay_within_one_unit(method):
    values = np.full((6, 10), 0.2)
    values[2:4, 3:7] = 0.9  # the best block straddles the border between two units
    surface = surface_from_array(values)
    units = np.full(surface.scores.shape, -1, dtype=np.int64)
    units[1:-1, 1:6] = 0
    units[1:-1, 6:-1] = 1
    surface = surface.with_units(units, ("west", "east"))
    regions = find_regions(surface, range(8, 9), within_units=True, method=method)
    (region,) = regions
    assert len(set(units.ravel()[region.cells].tolist())) == 1
    frame = regions_to_frame(surface, regions, crs="EPSG:32648", unit_level="province_old")
    assert frame.loc[0, "province_old"] in {"west", "east"}
    assert frame.loc[0, "cells"] == 8
    assert frame.loc[0, "area_ha"] == pytest.approx(8 * 1.0)


def test_search_mask_and_no_room_left():
    surface = surface_from_array(np.linspace(0, 1, 36).reshape(6, 6))
    search = np.zeros(surface.scores.shape, dtype=bool)
    search[1:4, 1:4] = True
    regions = find_regions(surface, range(4, 5), count=2, search=search)
    assert len(regions) == 2
    assert search.ravel()[np.concatenate([r.cells for r in regions])].all()
    assert find_regions(surface, range(20, 21), search=search) == []


def test_cell_counts_and_spec_validation():
    assert cell_counts(650, 100.0) == range(7, 8)
    assert cell_counts((600, 700), 50.0) == range(12, 15)
    with pytest.raises(ParameterError, match="no whole number"):
        cell_counts((610, 690), 100.0)
    with pytest.raises(ValueError, match="area_ha must be positive"):
        LocateSpec(area_ha=(700, 600))
    with pytest.raises(ValueError, match="less than or equal to 1"):
        LocateSpec(area_ha=50, compactness=1.5)
    with pytest.raises(ParameterError, match="compactness"):
        find_regions(surface_from_array(np.ones((3, 3))), range(2, 3), compactness=0.0)


def test_zone_summaries_count_suitable_land_per_unit():
    cells = gpd.GeoDataFrame(
        {
            "total_score": [0.9, 0.8, 0.2, np.nan, 0.75, 0.1],
            "province_old": ["A", "A", "A", "B", "B", "B"],
            "province_new": ["X", "X", "X", "X", "X", "X"],
        },
        geometry=[shapely.box(i * 100, 0, (i + 1) * 100, 100) for i in range(6)],
        crs="EPSG:32648",
    )
    zones = summarise_zones(cells, threshold=0.75, levels=("province_old", "province_new"))
    old = zones[zones["level"] == "province_old"].set_index("unit")
    assert old.loc["A", "suitable_ha"] == pytest.approx(2.0)  # 0.9 and 0.8, 1 ha each
    assert old.loc["B", "suitable_ha"] == pytest.approx(1.0)
    assert old.loc["B", "scored_ha"] == pytest.approx(2.0)  # the NaN cell is not scored
    new = zones[zones["level"] == "province_new"].set_index("unit")
    assert new.loc["X", "suitable_cells"] == 3
    assert new.loc["X", "period"] == "after 2025"
    assert new.loc["X", "geometry"].area == pytest.approx(6e4)
    top = suitable_mask(cells["total_score"].to_numpy(), top_share=0.2)
    assert top.sum() == 1  # the best of 5 scored cells


def test_zone_summaries_refuse_unknown_levels():
    cells = gpd.GeoDataFrame({"total_score": [1.0]}, geometry=[shapely.box(0, 0, 1, 1)], crs=32648)
    with pytest.raises(ParameterError, match="unknown unit level"):
        summarise_zones(cells, threshold=0.5, levels=("county",))
