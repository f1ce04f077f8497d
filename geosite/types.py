"""Types shared by every step of the pipeline (data, measures, decision).

Kept apart from any one of their users, and cheap to import: no geospatial library here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import pyproj

__all__ = ["CRSLike", "Scalar", "Where"]

#: Anything a CRS argument takes: ``"EPSG:32648"``, ``32648``, ``"VN-2000 Đồng Nai"`` (see
#: :func:`geosite.data.crs.to_crs`) or a :class:`pyproj.CRS`.
CRSLike: TypeAlias = "str | int | pyproj.CRS"

#: One attribute value a filter compares with.
Scalar = str | int | float | bool

#: Attribute filter of a layer: ``{column: value}`` or ``{column: [values]}``; every column
#: must match (see :func:`geosite.data.where.filter_where` for how text values match).
Where = dict[str, Scalar | list[Scalar]]
