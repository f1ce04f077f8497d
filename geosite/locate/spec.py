"""The ``locate:`` section of a scenario: what regions to find on a grid's suitability surface.

YAML::

    locate:
      area_ha: 650                 # or a range: [600, 700]
      count: 3
      objective: mean              # mean (default), min (the worst cell) or total
      compactness: 0.6             # least (minimum perimeter / perimeter), 0-1
      min_distance_m: 5000         # edge to edge between regions
      within: province_old         # each region in one unit: province_old, district_old,
                                   # province_new (July 2025), ward_old, ward_new
      search_area: {layer: airports, where: {airport_id: long-thanh}, buffer_m: 15000}
      beside: {layer: candidate_sites, id: site_id, name: name}   # score them together
      zones: {threshold: 0.7}      # suitable land per unit; or {top_share: 0.1}
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from geosite.errors import ParameterError
from geosite.measures.base import Where
from geosite.tolerance import ceil_ratio, floor_ratio

__all__ = ["BesideSpec", "LocateSpec", "SearchArea", "ZonesSpec", "cell_counts"]

Objective = Literal["mean", "min", "total"]
Method = Literal["auto", "exact", "heuristic"]
UnitLevel = Literal["province_old", "district_old", "ward_old", "province_new", "ward_new"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SearchArea(_Model):
    """Where regions may lie: cells whose centre is in a layer's features (buffered)."""

    layer: str = Field(description="A bundled layer or one declared under `layers:`.")
    where: Where | None = Field(None, description="Keep only features whose attributes match.")
    buffer_m: float = Field(
        0.0, ge=0, allow_inf_nan=False, description="Widen the features by this many metres."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"layer": value} if isinstance(value, str) else value


class BesideSpec(_Model):
    """Given parcels scored together with the located regions."""

    layer: str = Field(description="A layer of parcels: bundled or declared under `layers:`.")
    id: str = Field(description="Column with a unique id per parcel.")
    name: str | None = Field(None, description="Column with a display name.")
    where: Where | None = Field(None, description="Keep only parcels whose attributes match.")


class ZonesSpec(_Model):
    """How much suitable land each administrative unit holds."""

    threshold: float | None = Field(
        None, allow_inf_nan=False, description="Cells scoring at least this are suitable."
    )
    top_share: float | None = Field(
        None, gt=0, le=1, description="The best share of cells is suitable (0.1: top decile)."
    )
    levels: tuple[UnitLevel, ...] = Field(
        ("province_old", "district_old", "province_new", "ward_new"),
        description="Units to summarise, before (…_old) and after (…_new) July 2025.",
    )

    @model_validator(mode="after")
    def _one_rule(self) -> ZonesSpec:
        if (self.threshold is None) == (self.top_share is None):
            msg = "give exactly one of `threshold` (a score) or `top_share` (e.g. 0.1)"
            raise ValueError(msg)
        return self


class LocateSpec(_Model):
    """Find the best contiguous regions of a given area on a grid scenario's surface."""

    area_ha: float | tuple[float, float] = Field(
        description="Area of each region in hectares, or a range [min, max]."
    )
    count: int = Field(1, ge=1, le=100, description="How many regions to find.")
    objective: Objective = Field(
        "mean", description="What makes a region best: mean, min (its worst cell) or total."
    )
    compactness: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Least compactness: the least possible perimeter of a region of that many "
        "cells divided by the region's perimeter (1 = as compact as the lattice allows).",
    )
    min_distance_m: float = Field(
        0.0, ge=0, allow_inf_nan=False, description="Least distance between regions, edge to edge."
    )
    within: UnitLevel | None = Field(
        None, description="Keep each region inside one administrative unit of this level."
    )
    search_area: SearchArea | None = Field(
        None, description="Only cells whose centre lies in this layer's (buffered) features."
    )
    beside: BesideSpec | None = Field(
        None, description="Given parcels to score, map and compare together with the regions."
    )
    zones: ZonesSpec | None = Field(
        None, description="Summarise suitable land per province, district and ward."
    )
    method: Method = Field(
        "auto",
        description="exact (MILP, HiGHS), heuristic (region growing and swaps) or auto: exact "
        "when the search has at most `exact_max_cells` usable cells.",
    )
    exact_max_cells: int = Field(400, ge=1, description="Largest search auto solves exactly.")
    time_limit_s: float = Field(
        120.0,
        gt=0,
        allow_inf_nan=False,
        description="Time limit of the exact search of one cell count (seconds).",
    )

    @field_validator("area_ha")
    @classmethod
    def _positive(cls, value: float | tuple[float, float]) -> float | tuple[float, float]:
        low, high = (value, value) if isinstance(value, int | float) else value
        if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
            msg = f"area_ha must be positive, and a range [min, max] with min <= max; got {value!r}"
            raise ValueError(msg)
        return value

    @property
    def area_range(self) -> tuple[float, float]:
        """Return the least and greatest area of a region, in hectares."""
        if isinstance(self.area_ha, tuple):
            return self.area_ha
        return (self.area_ha, self.area_ha)


def cell_counts(area_ha: float | tuple[float, float], cell_ha: float) -> range:
    """Return the numbers of cells a region of ``area_ha`` may have.

    A single area takes the fewest whole cells that cover it (at least ``area_ha``); a range
    takes every count whose area lies in it. An area equal to a whole number of cells up to
    rounding error (:mod:`geosite.tolerance`) takes that number.

    Examples
    --------
    >>> cell_counts(650, 100.0), cell_counts((600, 700), 50.0)
    (range(7, 8), range(12, 15))
    """
    if isinstance(area_ha, tuple):
        low = ceil_ratio(area_ha[0], cell_ha)
        high = floor_ratio(area_ha[1], cell_ha)
        if high < max(low, 1):
            msg = (
                f"no whole number of {cell_ha:g} ha cells has an area in [{area_ha[0]:g}, "
                f"{area_ha[1]:g}] ha; widen the range or use a smaller cell"
            )
            raise ParameterError(msg)
        return range(max(low, 1), high + 1)
    n = max(1, ceil_ratio(area_ha, cell_ha))
    return range(n, n + 1)
