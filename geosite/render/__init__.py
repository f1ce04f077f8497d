"""Maps and reports: the edge of the house. Analysis code never imports this package."""

from __future__ import annotations

from geosite.render.map import format_value, result_to_map

__all__ = ["format_value", "result_to_map"]
