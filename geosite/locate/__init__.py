"""Site search: the best contiguous regions of a suitability surface, as new candidates.

Given a grid scenario's scored cells, find the best ``count`` regions of ``area_ha`` each:
contiguous, compact enough, apart from each other, inside the search area and (optionally)
inside one province or district, never on an excluded cell. Two methods:

- **exact** (:mod:`geosite.locate.exact`): a mixed-integer programme with single-commodity
  flow contiguity, solved by HiGHS through :func:`scipy.optimize.milp`; provably optimal, for
  problems of a few hundred cells;
- **heuristic** (:mod:`geosite.locate.heuristic`): seeded region growing and contiguity-
  preserving swaps, vectorised with numpy and :mod:`scipy.ndimage`; for millions of cells.

Regions are chosen in turn, best first (:mod:`geosite.locate.regions`). :func:`locate` runs a
scenario's ``locate:`` section end to end and scores the regions with the scenario's criteria
like any parcels; :func:`summarise_zones` says how much suitable land each unit holds, before
and after the July 2025 mergers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geosite.locate.exact import RegionFound, best_region_exact
    from geosite.locate.heuristic import best_region_heuristic
    from geosite.locate.pipeline import LocateOutcome, locate, locate_regions, regions_scenario
    from geosite.locate.regions import Region, find_regions, regions_to_frame
    from geosite.locate.spec import BesideSpec, LocateSpec, SearchArea, ZonesSpec, cell_counts
    from geosite.locate.surface import (
        Surface,
        min_perimeter,
        surface_from_array,
        surface_from_grid,
    )
    from geosite.locate.zones import suitable_mask, summarise_zones

#: Public name -> module. A scenario reads ``locate.spec`` without loading the solvers.
_NAMES = {
    "RegionFound": "exact",
    "best_region_exact": "exact",
    "best_region_heuristic": "heuristic",
    "LocateOutcome": "pipeline",
    "locate": "pipeline",
    "locate_regions": "pipeline",
    "regions_scenario": "pipeline",
    "Region": "regions",
    "find_regions": "regions",
    "regions_to_frame": "regions",
    "BesideSpec": "spec",
    "LocateSpec": "spec",
    "SearchArea": "spec",
    "ZonesSpec": "spec",
    "cell_counts": "spec",
    "Surface": "surface",
    "min_perimeter": "surface",
    "surface_from_array": "surface",
    "surface_from_grid": "surface",
    "suitable_mask": "zones",
    "summarise_zones": "zones",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used."""
    if name not in _NAMES:
        msg = f"module 'geosite.locate' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))


__all__ = [
    "BesideSpec",
    "LocateOutcome",
    "LocateSpec",
    "Region",
    "RegionFound",
    "SearchArea",
    "Surface",
    "ZonesSpec",
    "best_region_exact",
    "best_region_heuristic",
    "cell_counts",
    "find_regions",
    "locate",
    "locate_regions",
    "min_perimeter",
    "regions_scenario",
    "regions_to_frame",
    "suitable_mask",
    "summarise_zones",
    "surface_from_array",
    "surface_from_grid",
]
