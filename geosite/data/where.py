"""One ``where``: the attribute filter every layer, road source and measure applies.

``{column: value}`` or ``{column: [values]}``; a feature is kept when every column matches one
of its values. Text matches as planners write it: Unicode NFC, case and diacritics ignored
("Long Thanh" finds "Long Thành"), but never ambiguously: a value that would name two
different values of the column ("Long Thanh" against both "Long Thành" and "Long Thạnh") is
refused, and a value written exactly as it appears always finds that value alone.
"""

from __future__ import annotations

import difflib
import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from geosite.errors import DataNotFoundError, LayerError, ParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import geopandas as gpd
    import pandas as pd

__all__ = ["filter_where", "resolve_values"]

logger = logging.getLogger(__name__)

_MAX_LISTED = 10


def _listed(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_MAX_LISTED])
    if len(values) > _MAX_LISTED:
        shown += f" and {len(values) - _MAX_LISTED} more"
    return shown


def resolve_values(
    values: Sequence[Any], series: pd.Series, *, layer: str, column: str
) -> list[Any]:
    """Return ``values`` with each text value replaced by the one value it names in ``series``.

    A value found as written is kept; otherwise it is matched without diacritics, case and
    punctuation (:func:`geosite.data.text.match_name`). A value that matches nothing is kept,
    to be reported with the values present.

    Raises
    ------
    ParameterError
        If a value matches several values of the column once diacritics are ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_values(["Long Thanh"], pd.Series(["Long Thành", "Biên Hòa"]),
    ...                layer="districts", column="name")
    ['Long Thành']
    """
    from geosite.data import text  # noqa: PLC0415 - the Vietnamese tables load when needed

    present = sorted({v for v in series.dropna().unique() if isinstance(v, str)})
    if not present:
        return list(values)
    known = set(present)
    out = []
    for value in values:
        if not isinstance(value, str) or value in known:
            out.append(value)
            continue
        try:
            found = text.match_name(value, present, what=f"value of {column!r}")
        except DataNotFoundError:
            out.append(value)
            continue
        except ParameterError as err:
            msg = f"layer {layer!r}: {err}"
            raise ParameterError(msg) from err
        logger.info("layer %r: %s = %r taken as %r", layer, column, value, found)
        out.append(found)
    return out


def filter_where(
    gdf: gpd.GeoDataFrame, where: Mapping[str, Any] | None, *, layer: str
) -> gpd.GeoDataFrame:
    """Keep the features whose attributes match every ``{column: value or [values]}``.

    Text values match with or without diacritics and case ("Long Thanh" finds "Long
    Thành"), but a value that would match two different names is refused.

    Parameters
    ----------
    gdf
        The layer.
    where
        The filter; ``None`` or ``{}`` keeps every feature.
    layer
        The layer's name, for messages.

    Raises
    ------
    LayerError
        If a column does not exist.
    DataNotFoundError
        If no feature matches, listing the values that exist.
    ParameterError
        If a value without diacritics matches several names.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"district": ["Long Thành", "Nhơn Trạch"]},
    ...                        geometry=[shapely.Point(0, 0)] * 2, crs=32648)
    >>> filter_where(gdf, {"district": "long thanh"}, layer="parcels")["district"].tolist()
    ['Long Thành']
    """
    if not where:
        return gdf
    mask = np.ones(len(gdf), dtype=bool)
    for column, wanted in where.items():
        if column not in gdf.columns:
            columns = [c for c in gdf.columns if c != gdf.geometry.name]
            hint = difflib.get_close_matches(column, columns, n=1)
            msg = (
                f"layer {layer!r} has no column {column!r} to filter on; its columns are {columns}"
            )
            if hint:
                msg += f"; did you mean {hint[0]!r}?"
            raise LayerError(msg)
        values = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        values = resolve_values(values, gdf[column], layer=layer, column=str(column))
        match = gdf[column].isin(values).to_numpy()
        if not match.any():
            present = sorted({str(v) for v in gdf[column].dropna().unique()})
            hints = [h for v in values for h in difflib.get_close_matches(str(v), present, n=1)]
            msg = f"layer {layer!r}: no feature has {column} = {wanted!r}"
            if hints:
                msg += f"; did you mean {hints[0]!r}?"
            else:
                msg += f"; values present: {_listed(present)}"
            raise DataNotFoundError(msg)
        mask &= match
    if not mask.any():
        msg = f"layer {layer!r}: no feature matches all of {dict(where)!r}"
        raise DataNotFoundError(msg)
    return gdf.loc[mask]
