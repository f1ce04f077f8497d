"""Road graphs: build once from any source, snap parcels to edges, search once per facility layer.

A :class:`RoadGraph` holds what routing needs as flat arrays in a metric CRS: nodes, directed
edges with their length in metres and travel time in minutes, edge geometries for snapping, and
compressed sparse row (CSR) matrices built directly from the edge arrays (the cheapest of
parallel edges wins). Builders follow the ``graph_from_<source>`` pattern:
:func:`graph_from_gdf`, :func:`graph_from_layer`, :func:`graph_from_xml`,
:func:`graph_from_pbf`, :func:`graph_from_graphml`, :func:`graph_from_osmnx` and
:func:`graph_from_place` (online, cached on disk).

Parcels and facilities join the network at the nearest point of the nearest *edge*
(:func:`snap_to_graph`), not at the nearest node: a point a fraction ``t`` along edge
``(u, v)`` reaches ``v`` at ``(1 - t)`` of the edge's cost and, if the road is two-way, ``u`` at
``t`` of it. Facilities become virtual nodes with exactly those offsets, so one multi-source
Dijkstra pass (:func:`scipy.sparse.csgraph.dijkstra`) per facility layer gives every parcel its
exact cost (:func:`accessibility`).

The package is split by concern:

- :mod:`~geosite.network.speeds`: speed tables, posted-speed and one-way tags;
- :mod:`~geosite.network.graph`: the :class:`RoadGraph` type;
- :mod:`~geosite.network.osm`: which OpenStreetMap ways are roads (the road filters);
- :mod:`~geosite.network.build`: graphs from line layers and OSM PBF extracts;
- :mod:`~geosite.network._osmnx`: graphs through osmnx (the only module importing osmnx,
  loaded on first use of one of its builders);
- :mod:`~geosite.network.snapping`: where geometries join the graph;
- :mod:`~geosite.network.routing`: exact searches and the paths drawn on maps;
- :mod:`~geosite.network.statistics`: :func:`accessibility` and its statistics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geosite.network.build import graph_from_gdf, graph_from_layer, graph_from_pbf
from geosite.network.graph import Metric, RoadGraph
from geosite.network.osm import NetworkType
from geosite.network.routing import Direction, network_paths
from geosite.network.snapping import Snap, snap_to_graph
from geosite.network.speeds import DEFAULT_SPEEDS_KMH, MAX_SPEED_KMH, Profile, default_speeds
from geosite.network.statistics import AccessResult, Statistic, accessibility, check_facilities
from geosite.types import CRSLike

if TYPE_CHECKING:
    from geosite.network._osmnx import (
        graph_from_graphml,
        graph_from_osmnx,
        graph_from_place,
        graph_from_xml,
    )

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "MAX_SPEED_KMH",
    "AccessResult",
    "CRSLike",
    "Direction",
    "Metric",
    "NetworkType",
    "Profile",
    "RoadGraph",
    "Snap",
    "Statistic",
    "accessibility",
    "check_facilities",
    "default_speeds",
    "graph_from_gdf",
    "graph_from_graphml",
    "graph_from_layer",
    "graph_from_osmnx",
    "graph_from_pbf",
    "graph_from_place",
    "graph_from_xml",
    "network_paths",
    "snap_to_graph",
]

# builders that need osmnx: imported on first use, so `import geosite` stays light
_OSMNX_BUILDERS = frozenset(
    {"graph_from_graphml", "graph_from_osmnx", "graph_from_place", "graph_from_xml"}
)


def __getattr__(name: str) -> Any:
    if name in _OSMNX_BUILDERS:
        value = getattr(importlib.import_module("geosite.network._osmnx"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
