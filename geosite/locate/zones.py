"""How much suitable land each administrative unit holds, before and after July 2025.

A cell is *suitable* when its score reaches a threshold, or when it is among the best
``top_share`` of the scored cells (``0.1``: the top decile). Each cell is placed in its
province, district and ward before the mergers and its province and ward after them by
:func:`geosite.data.admin.add_admin_columns`; the summary counts the cells and hectares per
unit. A unit's outline on the map is the union of its grid cells (ward polygons are not
available offline), so it shows the part of the unit the grid covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.errors import ParameterError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ZONE_COLUMNS", "suitable_mask", "summarise_zones"]

#: Columns of the zone table, in order.
ZONE_COLUMNS = (
    "level",
    "period",
    "unit",
    "cells",
    "area_ha",
    "scored_ha",
    "suitable_cells",
    "suitable_ha",
    "suitable_share",
    "mean_score",
    "best_score",
)


def suitable_mask(
    scores: np.ndarray, *, threshold: float | None = None, top_share: float | None = None
) -> np.ndarray:
    """Return which scores count as suitable: at least ``threshold``, or in the top share.

    Ties at the top-share boundary are all suitable; NaN scores never are.

    Examples
    --------
    >>> suitable_mask(np.array([0.1, 0.9, 0.5, np.nan]), top_share=0.5).tolist()
    [False, True, True, False]
    """
    values = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(values)
    if (threshold is None) == (top_share is None):
        msg = "give exactly one of threshold or top_share"
        raise ParameterError(msg)
    if threshold is not None:
        return np.asarray(finite & (values >= threshold), dtype=bool)
    assert top_share is not None
    if not 0 < top_share <= 1:
        msg = f"top_share must be in (0, 1], got {top_share!r}"
        raise ParameterError(msg)
    ranked = np.sort(values[finite])[::-1]
    if len(ranked) == 0:
        return finite
    k = max(1, int(np.ceil(top_share * len(ranked))))
    return np.asarray(finite & (values >= ranked[k - 1]), dtype=bool)


def summarise_zones(
    cells: gpd.GeoDataFrame,
    *,
    score: str = "total_score",
    threshold: float | None = None,
    top_share: float | None = None,
    levels: Sequence[str] = ("province_old", "district_old", "province_new", "ward_new"),
) -> gpd.GeoDataFrame:
    """Summarise suitable land per administrative unit.

    Parameters
    ----------
    cells
        Scored grid cells (in a metric CRS) with ``score`` and the columns of
        :func:`geosite.data.admin.add_admin_columns` (added here when missing).
    score
        The score column; NaN (excluded or unmeasured) cells are never suitable.
    threshold, top_share
        The rule for suitable cells: give one.
    levels
        Unit columns to summarise: ``province_old``, ``district_old``, ``ward_old``
        (before July 2025) and ``province_new``, ``ward_new`` (after).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per level and unit, most suitable land first within a level
        (:data:`ZONE_COLUMNS`), with the union of the unit's cells as geometry.
    """
    from geosite.data.admin import ADMIN_COLUMNS, add_admin_columns  # noqa: PLC0415

    bad = [lv for lv in levels if lv not in ADMIN_COLUMNS or lv == "admin_method"]
    if bad:
        msg = f"unknown unit level(s) {bad}; choose from {list(ADMIN_COLUMNS[:-1])}"
        raise ParameterError(msg)
    missing = [c for c in (score,) if c not in cells.columns]
    if missing:
        msg = f"the cells have no column(s) {missing}"
        raise ParameterError(msg)
    if any(lv not in cells.columns for lv in levels):
        cells = add_admin_columns(cells.drop(columns=[c for c in ADMIN_COLUMNS if c in cells]))
    values = pd.to_numeric(cells[score], errors="coerce").to_numpy(dtype=np.float64)
    good = suitable_mask(values, threshold=threshold, top_share=top_share)
    area = np.asarray(cells.geometry.area.to_numpy() / 1e4, dtype=np.float64)
    frames = []
    for level in levels:
        units = cells[level].fillna("(outside every unit)").astype(str).to_numpy()
        frame = pd.DataFrame(
            {
                "unit": units,
                "cells": 1,
                "area_ha": area,
                "scored_ha": np.where(np.isfinite(values), area, 0.0),
                "suitable_cells": good.astype(int),
                "suitable_ha": np.where(good, area, 0.0),
                "score": values,
            }
        )
        grouped = frame.groupby("unit", sort=True)
        out = grouped[["cells", "area_ha", "scored_ha", "suitable_cells", "suitable_ha"]].sum()
        out["suitable_share"] = out["suitable_ha"] / out["area_ha"]
        out["mean_score"] = grouped["score"].mean()
        out["best_score"] = grouped["score"].max()
        geoms = {
            name: shapely.union_all(np.asarray(cells.geometry.to_numpy()[idx]), grid_size=1e-3)
            for name, idx in grouped.indices.items()
        }
        out = out.reset_index()
        out.insert(0, "period", "after 2025" if level.endswith("_new") else "before 2025")
        out.insert(0, "level", level)
        out["geometry"] = [geoms[u] for u in out["unit"]]
        frames.append(out.sort_values(["suitable_ha", "unit"], ascending=[False, True]))
    table = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(table[[*ZONE_COLUMNS, "geometry"]], geometry="geometry", crs=cells.crs)
