"""Types shared by every step of the pipeline (data, measures, decision).

Kept apart from any one of their users, and cheap to import: no geospatial library here.
"""

from __future__ import annotations

__all__ = ["Scalar", "Where"]

#: One attribute value a filter compares with.
Scalar = str | int | float | bool

#: Attribute filter of a layer: ``{column: value}`` or ``{column: [values]}``; every column
#: must match (see :func:`geosite.data.where.filter_where` for how text values match).
Where = dict[str, Scalar | list[Scalar]]
