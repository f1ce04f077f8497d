"""Maps and reports: the edge of the house. Analysis code never imports this package."""

from __future__ import annotations

from geosite.render.assets import make_offline
from geosite.render.context import zone_layers
from geosite.render.map import classify_scores, result_to_map, results_to_map
from geosite.render.text import format_value

__all__ = [
    "classify_scores",
    "format_value",
    "make_offline",
    "result_to_map",
    "results_to_map",
    "zone_layers",
]
