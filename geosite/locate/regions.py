"""Find the best regions of a surface, one after another, and turn them into polygons.

Regions are chosen in turn: region 1 is the best region of the whole search; region ``k`` is
the best among the cells at least ``min_distance_m`` (edge to edge) from regions 1 to
``k - 1``. Every region is contiguous (cells sharing a side), uses only usable cells inside
the search area, meets the shape rule and, with ``within``, lies in one unit. With the exact
method each region is optimal given the earlier ones (so region 1 is the optimum of the whole
surface); the regions come out best first.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import shapely

from geosite.errors import ParameterError
from geosite.i18n import Language, format_number, translate
from geosite.locate.exact import Objective, RegionFound, best_region_exact
from geosite.locate.heuristic import DEFAULT_IMPROVE, DEFAULT_SEEDS, best_region_heuristic
from geosite.locate.surface import OFFSETS, Surface, min_perimeter
from geosite.tolerance import at_least

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyproj

__all__ = ["Method", "Region", "find_regions", "regions_to_frame"]

logger = logging.getLogger(__name__)

Method = Literal["auto", "exact", "heuristic"]


@dataclass(frozen=True)
class Region:
    """A located region: its cells (dense flat positions) and how it was found."""

    cells: npt.NDArray[np.int64]
    value: float
    method: str
    optimal: bool
    bound: float
    unit: int
    seconds: float


def _outline(surface: Surface, cells: npt.NDArray[np.int64]) -> shapely.Geometry:
    """Return the union of the cells: one polygon for a contiguous region."""
    # Neighbouring hexagons compute a shared corner from two centres, a rounding apart:
    # merging on a 1 mm grid makes them meet.
    return shapely.union_all(surface.polygons(cells), grid_size=1e-3)


def _blocked_near(
    surface: Surface, cells: npt.NDArray[np.int64], distance_m: float
) -> npt.NDArray[np.int64]:
    """Return the dense positions whose cell lies closer than ``distance_m`` to the region."""
    if distance_m <= 0:
        return cells
    # The cells themselves, not their outline merged on a 1 mm grid: a cell exactly
    # distance_m away must measure so up to rounding error, and is then far enough.
    region = shapely.geometrycollections(surface.polygons(cells))
    height, width = surface.scores.shape
    rows, cols = np.divmod(cells, width)
    radius = surface.circumradius_m
    # Margin in dense rows/columns: hexagon rows are 0.866 cell sizes apart, and an axial
    # column step moves up to 1.5 cell sizes along a row; 2 covers both with room.
    margin = math.ceil((distance_m + 2 * radius) / (surface.cell_size_m * 0.5)) + 1
    r0, r1 = max(rows.min() - margin, 0), min(rows.max() + margin, height - 1)
    c0, c1 = max(cols.min() - margin, 0), min(cols.max() + margin, width - 1)
    rr, cc = np.mgrid[r0 : r1 + 1, c0 : c1 + 1]
    flat = (rr * width + cc).ravel()
    flat = flat[surface.usable.ravel()[flat]]
    x, y = surface.centres(flat)
    centre = shapely.distance(region, shapely.points(x, y))
    near = ~at_least(centre, distance_m)
    unsure = ~near & (centre < distance_m + radius)
    if unsure.any():
        polys = surface.polygons(flat[unsure])
        near[np.flatnonzero(unsure)] = ~at_least(shapely.distance(region, polys), distance_m)
    return np.union1d(flat[near], cells)


def find_regions(
    surface: Surface,
    counts: range,
    *,
    count: int = 1,
    objective: Objective = "mean",
    compactness: float | None = None,
    min_distance_m: float = 0.0,
    search: npt.NDArray[np.bool_] | None = None,
    within_units: bool = False,
    method: Method = "auto",
    exact_max_cells: int = 400,
    time_limit_s: float = 120.0,
    seeds: int = DEFAULT_SEEDS,
    improve: int = DEFAULT_IMPROVE,
) -> list[Region]:
    """Find up to ``count`` regions, best first (see the module docstring).

    Parameters
    ----------
    surface
        The scored lattice (:func:`~geosite.locate.surface.surface_from_grid`).
    counts
        The numbers of cells a region may have (see :func:`~geosite.locate.spec.cell_counts`).
    count
        How many regions.
    objective
        ``"mean"``, ``"min"`` or ``"total"`` of the cells' scores.
    compactness
        Least ratio of the least possible perimeter to the region's perimeter, (0, 1].
    min_distance_m
        Least distance between regions, edge to edge, in metres (0 lets regions touch).
    search
        Mask of the dense array: where regions may lie (None: everywhere).
    within_units
        Keep each region inside one of ``surface.units``.
    method
        ``"exact"``, ``"heuristic"`` or ``"auto"`` (exact up to ``exact_max_cells`` usable
        cells in the search).
    time_limit_s
        Time limit of the exact search of one cell count (all its roots), in seconds.
    seeds, improve
        Heuristic: seeds on a large surface; grown regions improved by swaps.

    Returns
    -------
    list of Region
        Fewer than ``count`` when no further region fits; a warning is logged then.
    """
    if counts.start < 1 or len(counts) == 0:
        msg = f"a region needs at least one cell, got counts {counts!r}"
        raise ParameterError(msg)
    if compactness is not None and not 0 < compactness <= 1:
        msg = f"compactness must be in (0, 1], got {compactness!r}"
        raise ParameterError(msg)
    if within_units and surface.units is None:
        msg = "within_units needs a surface with units (Surface.with_units)"
        raise ParameterError(msg)
    allowed = surface.usable.copy()
    if search is not None:
        allowed &= search
    use_exact = method == "exact" or (method == "auto" and int(allowed.sum()) <= exact_max_cells)
    groups = surface.units if within_units else None
    found: list[Region] = []
    for k in range(count):
        start = time.perf_counter()
        best = best_region_heuristic(
            surface,
            allowed,
            counts,
            objective=objective,
            compactness=compactness,
            groups=groups,
            seeds=seeds,
            improve=improve,
        )
        if best is not None and use_exact:
            best = _exact(
                surface, allowed, counts, objective, compactness, groups, time_limit_s, best
            )
        if best is None:
            logger.warning("only %d of %d regions fit the rules", k, count)
            break
        unit = int(groups.ravel()[best.cells[0]]) if groups is not None else -1
        found.append(
            Region(
                best.cells,
                best.value,
                best.method,
                best.optimal,
                best.bound,
                unit,
                time.perf_counter() - start,
            )
        )
        allowed.ravel()[_blocked_near(surface, best.cells, min_distance_m)] = False
    return found


def _exact(  # noqa: PLR0917 - private
    surface: Surface,
    allowed: npt.NDArray[np.bool_],
    counts: range,
    objective: Objective,
    compactness: float | None,
    groups: npt.NDArray[np.int64] | None,
    time_limit_s: float,
    known: RegionFound,
) -> RegionFound:
    """Solve exactly, one unit at a time when regions keep to one unit."""
    if groups is None:
        exact = best_region_exact(
            surface,
            allowed,
            counts,
            objective=objective,
            compactness=compactness,
            time_limit_s=time_limit_s,
            known=known,
        )
        return exact if exact is not None else known
    best, proven = known, True
    known_unit = int(groups.ravel()[known.cells[0]])
    for unit in np.unique(groups[allowed & (groups >= 0)]):
        exact = best_region_exact(
            surface,
            allowed & (groups == unit),
            counts,
            objective=objective,
            compactness=compactness,
            time_limit_s=time_limit_s,
            known=known if unit == known_unit else None,
        )
        if exact is None:
            continue
        proven = proven and exact.optimal
        if exact.value > best.value or (exact.value == best.value and best is known):
            best = exact
    return RegionFound(best.cells, best.value, proven, "exact")


def _perimeter(surface: Surface, cells: npt.NDArray[np.int64]) -> int:
    width = surface.scores.shape[1]
    inside = np.zeros(surface.scores.size, dtype=bool)
    inside[cells] = True
    shared = sum(int(inside[cells + dr * width + dc].sum()) for dr, dc in OFFSETS[surface.shape])
    return surface.sides * len(cells) - shared


def regions_to_frame(
    surface: Surface,
    regions: list[Region],
    *,
    crs: pyproj.CRS | str | int,
    cell_area_ha: npt.NDArray[np.float64] | None = None,
    unit_level: str | None = None,
    language: Language = "en",
) -> gpd.GeoDataFrame:
    """Return one polygon per region, best first, with what describes it.

    Columns: ``region_id`` (``region-1`` ...), ``name``, ``rank``, ``area_ha`` (the exact
    area of its cells), ``cells``, ``mean_score``, ``min_score``, ``sum_score``,
    ``compactness`` (least possible perimeter / perimeter), ``method``, ``optimal`` (proven
    optimal given the earlier regions), ``bound`` (heuristic: an upper bound on the
    objective), the unit (with ``within``) and ``seconds``. Names are in ``language``.
    """
    flat_scores = surface.scores.ravel()
    index = surface.index.ravel()
    records = []
    geoms = []
    for k, region in enumerate(regions, start=1):
        cells = region.cells
        values = flat_scores[cells]
        if cell_area_ha is not None:
            area = float(cell_area_ha[index[cells]].sum())
        else:
            area = len(cells) * surface.cell_ha
        perimeter = _perimeter(surface, cells)
        record: dict[str, object] = {
            "region_id": f"region-{k}",
            "name": translate(
                "locate.region_name",
                language,
                rank=k,
                area=format_number(area, language, decimals=0),
            ),
            "rank": k,
            "area_ha": area,
            "cells": len(cells),
            "mean_score": float(values.mean()),
            "min_score": float(values.min()),
            "sum_score": float(values.sum()),
            "compactness": min_perimeter(len(cells), surface.shape) / perimeter,
            "method": region.method,
            "optimal": bool(region.optimal),
            "bound": region.bound,
            "seconds": round(region.seconds, 3),
        }
        if unit_level is not None and region.unit >= 0:
            record[unit_level] = surface.unit_names[region.unit]
        records.append(record)
        geoms.append(_outline(surface, cells))
    columns = [
        "region_id",
        "name",
        "rank",
        "area_ha",
        "cells",
        "mean_score",
        "min_score",
        "sum_score",
        "compactness",
        "method",
        "optimal",
        "bound",
        "seconds",
    ]
    if unit_level is not None:
        columns.append(unit_level)
    return gpd.GeoDataFrame(records, columns=columns, geometry=geoms, crs=crs)
