"""Attribute measures: a numeric column of the candidates, or of a zone layer joined to them.

A zone layer (provinces with a digital-infrastructure ranking, districts with a labour-force
figure) is joined to each parcel by *largest overlap*: the parcel takes the attributes of the
zone covering the largest part of its area. On a tie (a parcel split exactly in two), the zone
that comes first in the layer wins, so the result does not depend on the order of the parcels.
A parcel overlapping no zone gets NaN with a reason.

Values that are NaN or infinite become NaN with a reason the pipeline reports; text that is not
a number is an error, since it usually means the wrong column (a name, a code) was chosen.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import pyproj
import shapely
from pydantic import ConfigDict, Field

from geosite.errors import CRSError, LayerError
from geosite.i18n import key_name, layer_name, phrase
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec
from geosite.measures.overlay import require_valid
from geosite.types import Where

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy.typing as npt

__all__ = ["AttributeMeasure", "attribute_values", "zone_by_largest_overlap"]

#: Overlap areas closer than this (relative) count as a tie.
_TIE = 1e-9


def _column(table: pd.DataFrame, column: str, layer: str) -> pd.Series:
    if column in table.columns:
        return table[column]
    available = [str(c) for c in table.columns if c != getattr(table, "_geometry_column_name", "")]
    close = difflib.get_close_matches(column, available, n=1, cutoff=0.6)
    folded = [c for c in available if c.casefold() == column.casefold()]
    hint = folded or close
    msg = f"layer {layer!r} has no column {column!r}"
    msg += f"; did you mean {hint[0]!r}?" if hint else "."
    msg += f" Available columns: {available!r}"
    raise LayerError(msg)


def attribute_values(
    table: pd.DataFrame,
    column: str,
    *,
    layer: str = "candidates",
) -> tuple[npt.NDArray[np.float64], list[str | None]]:
    """Read a numeric column, turning NaN and infinite values into NaN with a reason.

    Parameters
    ----------
    table
        The layer's attribute table (a GeoDataFrame or DataFrame).
    column
        Name of the column to read.
    layer
        Name of the layer, used in messages.

    Returns
    -------
    values
        float64 array, one per row; NaN where the value is missing or infinite.
    reasons
        Why each NaN is NaN (``None`` where the value is fine).

    Raises
    ------
    LayerError
        The column does not exist (the message suggests the closest name and lists the
        available ones) or holds text that is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> values, reasons = attribute_values(pd.DataFrame({"rank": [3, None]}), "rank")
    >>> values.tolist(), reasons
    ([3.0, nan], [None, "column 'rank' of layer 'candidates' is empty (NaN)"])
    """
    series = _column(table, column, layer)
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    if not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series, errors="coerce")
        bad = series[converted.isna() & series.notna()]
        if len(bad):
            examples = [str(v) for v in bad.head(3).tolist()]
            msg = (
                f"column {column!r} of layer {layer!r} is not numeric: {len(bad)} value(s) "
                f"such as {examples!r} are not numbers; choose a numeric column, or convert "
                "the text (decimal point, not comma) before use"
            )
            raise LayerError(msg)
        series = converted
    values = series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    reasons: list[str | None] = [None] * len(values)
    for i in np.flatnonzero(~np.isfinite(values)):
        reasons[i] = (
            phrase("reason.column_empty", column=key_name(column), layer=layer_name(layer))
            if np.isnan(values[i])
            else phrase(
                "reason.column_infinite",
                column=key_name(column),
                layer=layer_name(layer),
                value=values[i],
            )
        )
        values[i] = np.nan
    return values, reasons


def zone_by_largest_overlap(
    geoms: gpd.GeoSeries | npt.ArrayLike,
    zones: gpd.GeoSeries | npt.ArrayLike,
    *,
    layer: str = "zones",
) -> npt.NDArray[np.int64]:
    """Find, for each parcel, the zone that covers the largest part of it.

    Parameters
    ----------
    geoms
        Parcel polygons (or points, which take the zone they fall in) in a metric CRS.
    zones
        Zone polygons in the same CRS.
    layer
        Name of the zone layer, used in messages.

    Returns
    -------
    numpy.ndarray
        Position in ``zones`` of each parcel's zone; -1 where a parcel touches no zone's
        interior. Ties (equal overlap within a relative 1e-9) go to the zone that comes
        first in ``zones``.

    Raises
    ------
    LayerError
        Invalid geometries among the parcels or the zones.

    Examples
    --------
    >>> from shapely import box
    >>> zones = [box(0, 0, 10, 10), box(10, 0, 20, 10)]
    >>> zone_by_largest_overlap([box(8, 0, 18, 1), box(5, 0, 15, 1), box(50, 50, 51, 51)], zones)
    array([ 1,  0, -1])
    """
    parcels = np.asarray(getattr(geoms, "array", geoms), dtype=object)
    zone_arr = np.asarray(getattr(zones, "array", zones), dtype=object)
    require_valid(parcels, "the parcels")
    require_valid(zone_arr, f"layer {layer!r}")
    out = np.full(len(parcels), -1, dtype=np.int64)
    if len(parcels) == 0 or len(zone_arr) == 0:
        return out
    tree = shapely.STRtree(zone_arr)
    idx_p, idx_z = tree.query(parcels, predicate="intersects")
    if len(idx_p) == 0:
        return out
    areal = shapely.area(parcels[idx_p]) > 0
    overlap = np.where(
        areal,
        shapely.area(shapely.intersection(parcels[idx_p], zone_arr[idx_z])),
        # A point or line parcel: inside a zone counts, on its border does not.
        shapely.relate_pattern(parcels[idx_p], zone_arr[idx_z], "T********").astype(float),
    )
    keep = overlap > 0
    idx_p, idx_z, overlap = idx_p[keep], idx_z[keep], overlap[keep]
    if len(idx_p) == 0:
        return out
    best = np.zeros(len(parcels))
    np.maximum.at(best, idx_p, overlap)
    near_best = overlap >= best[idx_p] * (1 - _TIE)
    # Among the near-best zones of a parcel, the first in the layer wins.
    order = np.lexsort((idx_z[near_best], idx_p[near_best]))
    p_sorted, z_sorted = idx_p[near_best][order], idx_z[near_best][order]
    first = np.ones(len(p_sorted), dtype=bool)
    first[1:] = p_sorted[1:] != p_sorted[:-1]
    out[p_sorted[first]] = z_sorted[first]
    return out


class AttributeMeasure(MeasureSpec):
    """Take a numeric column of the candidates, or of a zone layer joined by largest overlap.

    YAML::

        measure: {type: attribute, column: area_ha, unit: ha}
        measure: {type: attribute, layer: provinces, column: digital_rank}

    Examples
    --------
    >>> AttributeMeasure(column="digital_rank", layer="provinces", unit="rank")
    ... # doctest: +ELLIPSIS
    AttributeMeasure(type='attribute', column='digital_rank', layer='provinces', ...)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    type: Literal["attribute"] = "attribute"
    column: str = Field(min_length=1, description="Numeric column to read.")
    layer: str | None = Field(
        None,
        description="Zone layer joined to each parcel by largest overlap (ties: the first "
        "zone in the layer); omit to read the candidates' own column.",
    )
    where: Where | None = Field(None, description="Keep only zones whose attributes match.")
    value_unit: str | None = Field(
        None, alias="unit", description="Unit of the values, used as column suffix (ha, rank)."
    )

    def layers_used(self) -> list[str]:
        """Return the zone layer joined, if any."""
        return [self.layer] if self.layer else []

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse a missing or non-numeric column, an unreadable zone layer or invalid zones."""
        if self.layer is None:
            attribute_values(ctx.candidates, self.column, layer="candidates")
            return
        zones = self._zones(ctx)
        attribute_values(zones, self.column, layer=self.layer)
        require_valid(np.asarray(ctx.candidates.geometry.array, dtype=object), "the parcels")
        require_valid(np.asarray(zones.geometry.array, dtype=object), f"layer {self.layer!r}")

    def _zones(self, ctx: MeasureContext) -> gpd.GeoDataFrame:
        zones = ctx.load_layer(self.layer or "", self.where)
        if zones.crs is not None and pyproj.CRS.from_user_input(zones.crs) != ctx.crs:
            msg = f"layer {self.layer!r} is not in the analysis CRS {ctx.crs.name}"
            raise CRSError(msg)
        return zones

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Read the column for every candidate, joining the zone layer when one is named."""
        unit = self.value_unit or ""
        if self.layer is None:
            own, why = attribute_values(ctx.candidates, self.column, layer="candidates")
            return MeasureResult(values=own, unit=unit, reasons=why)
        zones = self._zones(ctx)
        zone_values, zone_reasons = attribute_values(zones, self.column, layer=self.layer)
        which = zone_by_largest_overlap(ctx.candidates.geometry, zones.geometry, layer=self.layer)
        values = np.full(len(which), np.nan)
        reasons: list[str | None] = [None] * len(which)
        joined = which >= 0
        values[joined] = zone_values[which[joined]]
        for i in np.flatnonzero(~joined):
            reasons[i] = phrase("reason.no_zone", layer=layer_name(self.layer))
        for i in np.flatnonzero(joined):
            reasons[i] = zone_reasons[which[i]]
        zone_ids = np.asarray(zones.index)[np.maximum(which, 0)].astype(object)
        zone_ids[~joined] = None
        return MeasureResult(values=values, unit=unit, reasons=reasons, extra={"zone": zone_ids})
