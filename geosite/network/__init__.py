"""Road graphs: build once from any source, snap parcels to edges, search once per facility layer.

This is the only module of geosite that imports osmnx. A :class:`RoadGraph` holds what routing
needs as flat arrays in a metric CRS: nodes, directed edges with their length in metres and
travel time in minutes, edge geometries for snapping, and compressed sparse row (CSR) matrices
built directly from the edge arrays (the cheapest of parallel edges wins). Builders follow the
``graph_from_<source>`` pattern: :func:`graph_from_gdf`, :func:`graph_from_layer`,
:func:`graph_from_xml`, :func:`graph_from_pbf`, :func:`graph_from_graphml`,
:func:`graph_from_osmnx` and :func:`graph_from_place` (online, cached on disk).

Parcels and facilities join the network at the nearest point of the nearest *edge*
(:func:`snap_to_graph`), not at the nearest node: a point a fraction ``t`` along edge
``(u, v)`` reaches ``v`` at ``(1 - t)`` of the edge's cost and, if the road is two-way, ``u`` at
``t`` of it. Facilities become virtual nodes with exactly those offsets, so one multi-source
Dijkstra pass (:func:`scipy.sparse.csgraph.dijkstra`) per facility layer gives every parcel its
exact cost (:func:`accessibility`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import logging
import math
import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from geosite.errors import (
    CRSError,
    DataNotFoundError,
    LayerError,
    NetworkError,
    ParameterError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    import networkx as nx
    import numpy.typing as npt

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "MAX_SPEED_KMH",
    "AccessResult",
    "CRSLike",
    "Metric",
    "NetworkType",
    "Profile",
    "RoadGraph",
    "Snap",
    "Statistic",
    "accessibility",
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

logger = logging.getLogger(__name__)

CRSLike = str | int | pyproj.CRS
Profile = Literal["car", "truck"]
Metric = Literal["time", "distance"]
Statistic = Literal["nearest", "kth_nearest", "mean_k_nearest", "count_within", "detour_ratio"]
NetworkType = Literal["drive", "drive_service", "all"]
Direction = Literal["to", "from"]

#: Free-flow speeds (km/h) per road class used where a road has no usable speed tag. Keys are
#: OpenStreetMap ``highway`` values plus the classes of geosite's bundled ``roads`` layer
#: (``expressway``, ``national``, ``provincial``, ``district``, ``urban``); ``default`` covers
#: any other class. Cars: typical Vietnamese limits outside dense urban areas (Circular
#: 38/2024/TT-BGTVT: 120 on expressways where signed, 80-90 on divided national roads, 60 in
#: towns). Trucks: the heavy-goods limits (90 on expressways, 80 on divided roads) lowered for
#: the stop-start traffic of local roads.
DEFAULT_SPEEDS_KMH: Mapping[str, Mapping[str, float]] = {
    "car": {
        "motorway": 100.0,
        "expressway": 100.0,
        "trunk": 70.0,
        "national": 70.0,
        "primary": 60.0,
        "provincial": 50.0,
        "secondary": 50.0,
        "tertiary": 40.0,
        "district": 40.0,
        "urban": 35.0,
        "unclassified": 30.0,
        "residential": 25.0,
        "living_street": 10.0,
        "service": 15.0,
        "road": 30.0,
        "default": 30.0,
    },
    "truck": {
        "motorway": 80.0,
        "expressway": 80.0,
        "trunk": 55.0,
        "national": 55.0,
        "primary": 45.0,
        "provincial": 40.0,
        "secondary": 40.0,
        "tertiary": 30.0,
        "district": 30.0,
        "urban": 25.0,
        "unclassified": 25.0,
        "residential": 20.0,
        "living_street": 10.0,
        "service": 10.0,
        "road": 25.0,
        "default": 25.0,
    },
}

#: Highest speed (km/h) a profile ever travels, whatever a tag or table says.
MAX_SPEED_KMH: Mapping[str, float] = {"car": 120.0, "truck": 90.0}

_PROFILES = ("car", "truck")
_MPH_KMH = 1.609344
_TIME_PER_M_AT_1KMH = 0.06  # minutes needed per metre at 1 km/h
_SNAP_CHUNK = 20_000
_MATRIX_BYTES = 256 * 2**20

# OSM ways that cars cannot use (the osmnx "drive" filter, written out so it also applies to
# files read from disk).
_NOT_DRIVABLE = frozenset(
    {
        "abandoned",
        "bridleway",
        "bus_guideway",
        "bus_stop",
        "construction",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "steps",
        "track",
        "via_ferrata",
        "busway",
    }
)
_PRIVATE_SERVICE = frozenset(
    {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
)
_ONEWAY_FORWARD = frozenset({"yes", "true", "1", "t", "y"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})


# --------------------------------------------------------------------------------------------
# speeds and tags


def default_speeds(profile: Profile = "car") -> dict[str, float]:
    """Return the default speed table of a profile (km/h per road class).

    Parameters
    ----------
    profile
        ``"car"`` or ``"truck"``.

    Returns
    -------
    dict
        A fresh copy of :data:`DEFAULT_SPEEDS_KMH` for ``profile``; edit it freely.

    Examples
    --------
    >>> default_speeds("truck")["motorway"]
    80.0
    """
    if profile not in _PROFILES:
        msg = f"profile {profile!r} is not known; use one of {list(_PROFILES)}"
        raise ParameterError(msg)
    return dict(DEFAULT_SPEEDS_KMH[profile])


def _speed_table(profile: Profile, speeds: Mapping[str, float] | None) -> dict[str, float]:
    table = default_speeds(profile)
    bad = {k: v for k, v in (speeds or {}).items() if not (math.isfinite(v) and v > 0)}
    if bad:
        msg = f"speeds must be positive km/h values; got {bad!r}"
        raise ParameterError(msg)
    table.update({str(k): float(v) for k, v in (speeds or {}).items()})
    return table


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def _parse_speed(value: object) -> float:
    """Return a speed tag in km/h (mean of several values), or NaN when not numeric."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else math.nan
    if isinstance(value, list | tuple | np.ndarray):
        parsed = [_parse_speed(v) for v in value]
        good = [p for p in parsed if math.isfinite(p)]
        return float(np.mean(good)) if good else math.nan
    parsed_parts = []
    for part in str(value).split(";"):
        m = _NUMBER.match(part)
        if m:
            v = float(m.group(1))
            parsed_parts.append(v * _MPH_KMH if (m.group(2) or "").lower() == "mph" else v)
    good = [p for p in parsed_parts if p > 0]
    return float(np.mean(good)) if good else math.nan


def _parse_oneway(value: object) -> int:
    """Return +1 (one-way as drawn), -1 (one-way against drawing) or 0 (two-way)."""
    if isinstance(value, list | tuple | np.ndarray):
        return _parse_oneway(value[0]) if len(value) else 0
    if isinstance(value, bool | np.bool_):
        result = int(bool(value))
    elif isinstance(value, int | float | np.integer | np.floating):
        result = int(np.sign(value)) if math.isfinite(float(value)) else 0
    else:
        text = "" if value is None else str(value).strip().lower()
        result = 1 if text in _ONEWAY_FORWARD else (-1 if text in _ONEWAY_BACKWARD else 0)
    return result


def _first(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return _first(value[0]) if len(value) else "default"
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "default"
    return str(value)


def _per_value(column: pd.Series, parse: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """Apply ``parse`` once per distinct value of a column (lists are parsed row by row)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable values such as the lists of merged osmnx edges
        return np.array([parse(v) for v in column], dtype=dtype)
    parsed = np.array([parse(v) for v in uniques] + [parse(None)], dtype=dtype)
    return np.asarray(parsed[codes], dtype=dtype)


def _class_speeds(classes: npt.NDArray[np.object_], table: Mapping[str, float]) -> np.ndarray:
    uniq, inverse = np.unique(classes.astype(str), return_inverse=True)
    default = table.get("default")
    per_class = np.empty(len(uniq))
    missing = []
    for i, cls in enumerate(uniq):
        speed = table.get(cls)
        if speed is None and cls.endswith("_link"):
            base = table.get(cls.removesuffix("_link"))
            speed = None if base is None else 0.7 * base
        if speed is None:
            speed = default
        if speed is None:
            missing.append(cls)
            continue
        per_class[i] = speed
    if missing:
        msg = (
            f"no speed for road classes {missing!r}; add them to the speed table "
            "(speeds_kmh) or give a 'default' speed"
        )
        raise NetworkError(msg)
    return np.asarray(per_class[inverse], dtype=np.float64)


def _edge_speeds(
    classes: npt.NDArray[np.object_],
    tagged_kmh: npt.NDArray[np.float64],
    *,
    profile: Profile,
    speeds: Mapping[str, float] | None,
    use_tagged: bool,
) -> npt.NDArray[np.float64]:
    """Choose a speed per edge: tag where present (trucks: at most their class speed)."""
    table = _speed_table(profile, speeds)
    by_class = _class_speeds(classes, table)
    if not use_tagged:
        chosen = by_class
    else:
        has_tag = np.isfinite(tagged_kmh)
        tagged = np.where(has_tag, tagged_kmh, by_class)
        chosen = np.minimum(tagged, by_class) if profile == "truck" else tagged
    return np.asarray(np.minimum(chosen, MAX_SPEED_KMH[profile]), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# the graph


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A directed road graph in a metric CRS, held as flat arrays.

    Build one with a ``graph_from_*`` function rather than directly.

    Parameters
    ----------
    crs
        The projected CRS of the coordinates and geometries (unit: metre).
    node_id
        Identifier of each node (OSM id where known, else its position), shape ``(n,)``.
    node_x, node_y
        Node coordinates in :attr:`crs`, metres.
    edge_u, edge_v
        Node positions (indices into the node arrays) of each directed edge, shape ``(m,)``.
        A two-way road is two edges, twins of each other (:attr:`edge_twin`).
    edge_length_m
        Length of each edge along its geometry, metres.
    edge_speed_kmh
        Travel speed on each edge, km/h.
    edge_class
        Road class of each edge (OSM ``highway`` value or the layer's class).
    edge_oneway
        True where the road can only be driven in the edge's direction.
    edge_twin
        Position of the edge running the other way along the same geometry, or -1.
    edge_geometry
        LineString of each edge, drawn from ``u`` to ``v``.
    profile
        The speed profile the travel times were computed for.
    name
        A label used in messages.
    edge_tagged_kmh
        Posted speed of each edge where the source had one (NaN elsewhere), kept so
        :meth:`with_speeds` can apply another profile without rebuilding.
    """

    crs: pyproj.CRS
    node_id: npt.NDArray[np.int64]
    node_x: npt.NDArray[np.float64]
    node_y: npt.NDArray[np.float64]
    edge_u: npt.NDArray[np.int64]
    edge_v: npt.NDArray[np.int64]
    edge_length_m: npt.NDArray[np.float64]
    edge_speed_kmh: npt.NDArray[np.float64]
    edge_class: npt.NDArray[np.object_]
    edge_oneway: npt.NDArray[np.bool_]
    edge_twin: npt.NDArray[np.int64]
    edge_geometry: npt.NDArray[np.object_]
    profile: str = "car"
    name: str = "network"
    edge_tagged_kmh: npt.NDArray[np.float64] | None = field(default=None, repr=False)
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        m = len(self.edge_u)
        arrays = (
            self.edge_v,
            self.edge_length_m,
            self.edge_speed_kmh,
            self.edge_class,
            self.edge_oneway,
            self.edge_twin,
            self.edge_geometry,
        )
        if any(len(a) != m for a in arrays):
            msg = f"network {self.name!r}: edge arrays differ in length"
            raise NetworkError(msg)
        if m == 0:
            msg = (
                f"network {self.name!r} has no edges; check that the source holds drivable "
                "roads and that any filter (where, network_type) keeps some"
            )
            raise NetworkError(msg)

    @property
    def n_nodes(self) -> int:
        """Return the number of nodes."""
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        """Return the number of directed edges."""
        return len(self.edge_u)

    @property
    def edge_time_min(self) -> npt.NDArray[np.float64]:
        """Return the travel time of each edge in minutes at :attr:`edge_speed_kmh`."""
        key = "time"
        if key not in self._cache:
            self._cache[key] = self.edge_length_m * _TIME_PER_M_AT_1KMH / self.edge_speed_kmh
        out: npt.NDArray[np.float64] = self._cache[key]
        return out

    def edge_cost(self, metric: Metric) -> npt.NDArray[np.float64]:
        """Return each edge's cost: minutes for ``"time"``, metres for ``"distance"``."""
        if metric == "time":
            return self.edge_time_min
        if metric == "distance":
            return self.edge_length_m
        msg = f"metric {metric!r} is not known; use 'time' or 'distance'"
        raise ParameterError(msg)

    def csr(self, metric: Metric, *, transpose: bool = False) -> sparse.csr_array:
        """Return the graph as a CSR matrix of edge costs, built once per metric.

        Parallel edges keep their cheapest member (summing them, as
        ``networkx.to_scipy_sparse_array`` does, would overstate costs).

        Parameters
        ----------
        metric
            ``"time"`` (minutes) or ``"distance"`` (metres).
        transpose
            Return the reversed graph, whose searches from facilities give costs *to* them.
        """
        key = ("csr", metric, transpose)
        if key not in self._cache:
            self._cache[key] = self._build_csr(metric, transpose=transpose)
        out: sparse.csr_array = self._cache[key][0]
        return out

    def csr_edges(self, metric: Metric, *, transpose: bool = False) -> npt.NDArray[np.int64]:
        """Return the edge behind each stored entry of :meth:`csr` (same order as its data)."""
        self.csr(metric, transpose=transpose)
        out: npt.NDArray[np.int64] = self._cache[("csr", metric, transpose)][1]
        return out

    def _build_csr(
        self, metric: Metric, *, transpose: bool
    ) -> tuple[sparse.csr_array, npt.NDArray[np.int64]]:
        cost = self.edge_cost(metric)
        rows, cols = (self.edge_v, self.edge_u) if transpose else (self.edge_u, self.edge_v)
        n = self.n_nodes
        key = rows.astype(np.int64) * n + cols
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = sorted_key[1:] != sorted_key[:-1]
        if not first.all():
            # parallel edges: keep the cheapest of each (u, v) group
            starts = np.flatnonzero(first)
            group = np.cumsum(first) - 1
            c = cost[order]
            cheapest = c == np.minimum.reduceat(c, starts)[group]
            cand = np.flatnonzero(cheapest)
            lead = np.ones(len(cand), dtype=bool)
            lead[1:] = group[cand[1:]] != group[cand[:-1]]
            order = order[cand[lead]]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[order], minlength=n), out=indptr[1:])
        matrix = sparse.csr_array(
            (cost[order].astype(np.float64), cols[order].astype(np.int32), indptr),
            shape=(n, n),
        )
        return matrix, order.astype(np.int64)

    def edge_between(
        self, u: npt.ArrayLike, v: npt.ArrayLike, *, metric: Metric = "time"
    ) -> npt.NDArray[np.int64]:
        """Return the cheapest edge from each node ``u`` to node ``v`` (-1 where none).

        Parameters
        ----------
        u, v
            Node positions, same shape.
        metric
            Which cost decides between parallel edges.
        """
        key = ("pair_keys", metric)
        m = self.csr(metric)
        n = np.int64(self.n_nodes)
        if key not in self._cache:
            # entries are sorted by row, then column: one global key finds any pair
            rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(m.indptr))
            self._cache[key] = rows * n + m.indices
        keys: npt.NDArray[np.int64] = self._cache[key]
        wanted = np.asarray(u, dtype=np.int64) * n + np.asarray(v, dtype=np.int64)
        where = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        found = keys[where] == wanted
        return np.where(found, self.csr_edges(metric)[where], -1).astype(np.int64)

    @property
    def component(self) -> npt.NDArray[np.int64]:
        """Return the weakly connected component label of each node."""
        if "component" not in self._cache:
            n = self.n_nodes
            structure = sparse.coo_array(
                (np.ones(self.n_edges, dtype=np.int8), (self.edge_u, self.edge_v)), shape=(n, n)
            ).tocsr()
            _, labels = csgraph.connected_components(structure, directed=True, connection="weak")
            self._cache["component"] = labels.astype(np.int64)
        out: npt.NDArray[np.int64] = self._cache["component"]
        return out

    @property
    def component_size(self) -> npt.NDArray[np.int64]:
        """Return the number of nodes of each node's weakly connected component."""
        if "component_size" not in self._cache:
            counts = np.bincount(self.component)
            self._cache["component_size"] = counts[self.component]
        out: npt.NDArray[np.int64] = self._cache["component_size"]
        return out

    @property
    def representative(self) -> npt.NDArray[np.int64]:
        """Return the edges that stand for a physical road segment (one of each twin pair)."""
        if "rep" not in self._cache:
            idx = np.arange(self.n_edges)
            self._cache["rep"] = idx[(self.edge_twin < 0) | (idx < self.edge_twin)]
        out: npt.NDArray[np.int64] = self._cache["rep"]
        return out

    def with_speeds(
        self,
        *,
        profile: Profile,
        speeds: Mapping[str, float] | None = None,
        use_tagged: bool = True,
        name: str | None = None,
    ) -> RoadGraph:
        """Return the same roads with another profile's speeds, without rebuilding them.

        Geometry-only work (edge index, components, snaps keyed by :attr:`topology_key`) is
        shared with this graph.

        Parameters
        ----------
        profile, speeds
            As in :func:`graph_from_gdf`.
        use_tagged
            Use the posted speeds kept in :attr:`edge_tagged_kmh`.
        name
            Label of the new graph; this graph's by default.

        Returns
        -------
        RoadGraph
        """
        profile = _check_profile(profile)
        tagged = (
            self.edge_tagged_kmh
            if self.edge_tagged_kmh is not None
            else np.full(self.n_edges, np.nan)
        )
        speed = _edge_speeds(
            self.edge_class, tagged, profile=profile, speeds=speeds, use_tagged=use_tagged
        )
        other = replace(self, edge_speed_kmh=speed, profile=profile, name=name or self.name)
        geometry_only = ("rep", "tree", "segments", "component", "component_size", "median_edge")
        for key in (*geometry_only, "topology_key"):
            if key in self._cache:
                other._cache[key] = self._cache[key]  # noqa: SLF001 - same class
        return other

    @property
    def topology_key(self) -> str:
        """Return a digest of nodes, edges and edge lengths: equal for graphs that snap alike.

        Graphs built from the same roads with different speeds (car and truck) share it, so
        parcels snapped to one can be reused on the other.
        """
        if "topology_key" not in self._cache:
            digest = hashlib.sha256()
            arrays = (self.node_x, self.node_y, self.edge_u, self.edge_v, self.edge_twin)
            for array in (*arrays, self.edge_length_m):
                digest.update(np.ascontiguousarray(array).tobytes())
            self._cache["topology_key"] = digest.hexdigest()[:24]
        out: str = self._cache["topology_key"]
        return out

    @property
    def median_edge_m(self) -> float:
        """Return the median length of the road segments, metres."""
        if "median_edge" not in self._cache:
            self._cache["median_edge"] = float(np.median(self.edge_length_m[self.representative]))
        out: float = self._cache["median_edge"]
        return out

    def segment_index(
        self,
    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.float64], Any]:
        """Return the straight pieces of the representative edges, for snapping.

        Returns
        -------
        tuple
            Two-point LineStrings, the edge each belongs to, the distance (m) from the edge's
            start to the piece's start, and an STRtree over the pieces. Distances to a
            two-point piece are far cheaper than to a long many-vertex edge.
        """
        if "segments" not in self._cache:
            rep = self.representative
            coords, which = shapely.get_coordinates(self.edge_geometry[rep], return_index=True)
            same = which[1:] == which[:-1]
            a, b, seg_rep = coords[:-1][same], coords[1:][same], which[:-1][same]
            length = np.hypot(*(b - a).T)
            before = np.cumsum(length) - length
            first = np.ones(len(seg_rep), dtype=bool)
            first[1:] = seg_rep[1:] != seg_rep[:-1]
            start = before - before[first][np.cumsum(first) - 1]
            pieces = shapely.linestrings(
                np.stack([a, b], axis=1).reshape(-1, 2), indices=np.repeat(np.arange(len(a)), 2)
            )
            self._cache["segments"] = (
                np.asarray(pieces, dtype=object),
                rep[seg_rep].astype(np.int64),
                start.astype(np.float64),
                shapely.STRtree(pieces),
            )
        out: tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.float64], Any] = (
            self._cache["segments"]
        )
        return out

    def edge_tree(self) -> shapely.STRtree:
        """Return an STRtree over the representative edge geometries, built once."""
        if "tree" not in self._cache:
            self._cache["tree"] = shapely.STRtree(self.edge_geometry[self.representative])
        return self._cache["tree"]

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Return the directed edges as a GeoDataFrame (for maps and inspection)."""
        return gpd.GeoDataFrame(
            {
                "u": self.node_id[self.edge_u],
                "v": self.node_id[self.edge_v],
                "class": self.edge_class,
                "length_m": self.edge_length_m,
                "speed_kmh": self.edge_speed_kmh,
                "travel_time_min": self.edge_time_min,
                "oneway": self.edge_oneway,
            },
            geometry=gpd.GeoSeries(self.edge_geometry, crs=self.crs),
            crs=self.crs,
        )

    def __repr__(self) -> str:
        return (
            f"RoadGraph(name={self.name!r}, profile={self.profile!r}, nodes={self.n_nodes}, "
            f"edges={self.n_edges}, crs={self.crs.to_string()!r})"
        )


def _metric_crs(gdf: gpd.GeoDataFrame, crs: CRSLike | None, what: str) -> pyproj.CRS:
    if gdf.crs is None:
        msg = f"{what} has no CRS; set one with `gdf.set_crs(...)` (OSM data is 'EPSG:4326')"
        raise CRSError(msg)
    if crs is not None:
        try:
            target = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as err:
            msg = f"crs {crs!r} is not a CRS pyproj understands; use e.g. 'EPSG:32648'"
            raise CRSError(msg) from err
    elif gdf.crs.is_projected:
        target = pyproj.CRS.from_user_input(gdf.crs)
    else:
        target = pyproj.CRS.from_user_input(gdf.estimate_utm_crs())
    unit = target.axis_info[0].unit_name if target.axis_info else ""
    mercator = target.to_epsg() in {3857, 900913, 3395, 3785}
    if not target.is_projected or unit not in {"metre", "meter"} or mercator:
        msg = (
            f"crs {target.to_string()!r} for {what} is not a true-distance projected CRS in "
            "metres (Mercator overstates distances by 2-3 % here); "
            "use a UTM zone such as 'EPSG:32648' (UTM 48N covers Dong Nam Bo)"
        )
        raise CRSError(msg)
    return target


def _assemble(
    *,
    crs: pyproj.CRS,
    node_id: npt.NDArray[np.int64],
    node_x: npt.NDArray[np.float64],
    node_y: npt.NDArray[np.float64],
    u: npt.NDArray[np.int64],
    v: npt.NDArray[np.int64],
    geometry: npt.NDArray[np.object_],
    classes: npt.NDArray[np.object_],
    tagged_kmh: npt.NDArray[np.float64],
    direction: npt.NDArray[np.int64],
    profile: Profile,
    speeds: Mapping[str, float] | None,
    use_tagged: bool,
    name: str,
    twin: npt.NDArray[np.int64] | None = None,
) -> RoadGraph:
    """Turn road segments into directed edges.

    Without ``twin``, each segment is drawn ``u`` to ``v`` and ``direction`` says which ways
    it may be driven (0 both, 1 as drawn, -1 against). With ``twin``, the segments already are
    directed edges and ``twin`` pairs them.
    """
    length = shapely.length(geometry).astype(np.float64)
    speed = _edge_speeds(classes, tagged_kmh, profile=profile, speeds=speeds, use_tagged=use_tagged)
    if twin is None:
        fwd = np.flatnonzero(direction >= 0)
        bwd = np.flatnonzero(direction <= 0)
        two_way = direction == 0
        # forward copies first, then reversed copies; twins pair the two copies of a segment
        src = np.concatenate([fwd, bwd])
        reverse = np.concatenate([np.zeros(len(fwd), bool), np.ones(len(bwd), bool)])
        pos_fwd = np.full(len(direction), -1, dtype=np.int64)
        pos_bwd = np.full(len(direction), -1, dtype=np.int64)
        pos_fwd[fwd] = np.arange(len(fwd))
        pos_bwd[bwd] = len(fwd) + np.arange(len(bwd))
        twin_out = np.full(len(src), -1, dtype=np.int64)
        seg_two = np.flatnonzero(two_way)
        twin_out[pos_fwd[seg_two]] = pos_bwd[seg_two]
        twin_out[pos_bwd[seg_two]] = pos_fwd[seg_two]
        geom = geometry[src].copy()
        if reverse.any():
            geom[reverse] = shapely.reverse(geom[reverse])
        eu = np.where(reverse, v[src], u[src])
        ev = np.where(reverse, u[src], v[src])
        oneway = ~two_way[src]
        return RoadGraph(
            crs=crs,
            node_id=node_id,
            node_x=node_x,
            node_y=node_y,
            edge_u=eu.astype(np.int64),
            edge_v=ev.astype(np.int64),
            edge_length_m=length[src],
            edge_speed_kmh=speed[src],
            edge_class=classes[src],
            edge_oneway=oneway,
            edge_twin=twin_out,
            edge_geometry=geom,
            profile=profile,
            name=name,
            edge_tagged_kmh=tagged_kmh[src],
        )
    return RoadGraph(
        crs=crs,
        node_id=node_id,
        node_x=node_x,
        node_y=node_y,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        edge_length_m=length,
        edge_speed_kmh=speed,
        edge_class=classes,
        edge_oneway=direction != 0,
        edge_twin=twin,
        edge_geometry=geometry,
        profile=profile,
        name=name,
        edge_tagged_kmh=tagged_kmh,
    )


def _check_profile(profile: str) -> Profile:
    if profile not in _PROFILES:
        msg = f"profile {profile!r} is not known; use one of {list(_PROFILES)}"
        raise ParameterError(msg)
    return profile  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# builders


def graph_from_gdf(
    edges: gpd.GeoDataFrame,
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    class_column: str | None = "class",
    speed_column: str | None = None,
    oneway_column: str | None = None,
    use_speed_column: bool = True,
    ignore_oneway: bool = False,
    node_tolerance_m: float = 0.01,
    name: str = "network",
) -> RoadGraph:
    """Build a road graph from line features, with a node wherever lines share a vertex.

    Every line end is a node, and so is every vertex used by more than one line (or twice by
    the same line); lines are split there. Lines crossing without a shared vertex (bridges,
    flyovers) stay unconnected.

    Parameters
    ----------
    edges
        Road lines (LineString or MultiLineString) with a CRS.
    crs
        Projected metric CRS to build the graph in; by default the layer's own CRS if it is
        projected, else its UTM zone.
    profile
        Speed profile, ``"car"`` or ``"truck"``.
    speeds
        Speeds in km/h per road class, merged over :func:`default_speeds` of ``profile``.
    class_column
        Column with the road class; ``None`` (or the default ``"class"`` when the layer has
        no such column) gives every road the class ``"default"``.
    speed_column
        Column with a posted speed (an OSM ``maxspeed`` string or a number in km/h); where it
        holds a usable value it replaces the class speed (trucks: the lower of the two).
    oneway_column
        Column saying whether a line is one-way: true/"yes"/1 means only as drawn, "-1" or
        "reverse" means only against the drawing direction; ``None`` makes every road two-way.
    use_speed_column
        Set False to ignore ``speed_column`` and use the class table only.
    ignore_oneway
        Treat every road as two-way.
    node_tolerance_m
        Vertices closer than about this (metres; they are rounded to this grid) are one node.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(
    ...     {"class": ["trunk", "residential"]},
    ...     geometry=[LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (1000, 500)])],
    ...     crs="EPSG:32648",
    ... )
    >>> g = graph_from_gdf(roads)
    >>> g.n_nodes, g.n_edges
    (3, 4)
    >>> round(float(g.edge_time_min[0]), 3)  # 1 km at 70 km/h
    0.857
    """
    profile = _check_profile(profile)
    if not isinstance(edges, gpd.GeoDataFrame):
        msg = f"edges must be a GeoDataFrame of road lines, got {type(edges).__name__}"
        raise ParameterError(msg)
    if class_column == "class" and "class" not in edges:
        class_column = None
    missing = [c for c in (class_column, speed_column, oneway_column) if c and c not in edges]
    if missing:
        msg = (
            f"road layer of network {name!r} has no column(s) {missing!r}; "
            f"available: {sorted(map(str, edges.columns))!r}"
        )
        raise LayerError(msg)
    if node_tolerance_m <= 0:
        msg = f"node_tolerance_m must be positive, got {node_tolerance_m!r}"
        raise ParameterError(msg)
    if len(edges) == 0:
        msg = f"road layer of network {name!r} has no features; check its 'where' filter"
        raise NetworkError(msg)
    target = _metric_crs(edges, crs, f"road layer of network {name!r}")
    gdf = _road_lines(edges, target, name)
    n_lines = len(gdf)

    classes = (
        _per_value(gdf[class_column], _first, object)
        if class_column
        else np.full(n_lines, "default", dtype=object)
    )
    tagged = (
        _per_value(gdf[speed_column], _parse_speed, np.float64)
        if speed_column
        else np.full(n_lines, np.nan)
    )
    direction = (
        _per_value(gdf[oneway_column], _parse_oneway, np.int64)
        if oneway_column and not ignore_oneway
        else np.zeros(n_lines, dtype=np.int64)
    )

    coords, line_of = shapely.get_coordinates(gdf.geometry.array, return_index=True)
    # drop repeated consecutive vertices: they would make zero-length segments
    dup = np.zeros(len(coords), dtype=bool)
    dup[1:] = (line_of[1:] == line_of[:-1]) & np.all(coords[1:] == coords[:-1], axis=1)
    coords, line_of = coords[~dup], line_of[~dup]
    counts = np.bincount(line_of, minlength=n_lines)
    usable = counts >= 2
    keep_coord = usable[line_of]
    coords, line_of = coords[keep_coord], line_of[keep_coord]
    # renumber lines densely
    line_ids = np.flatnonzero(usable)
    dense = np.full(n_lines, -1, dtype=np.int64)
    dense[line_ids] = np.arange(len(line_ids))
    line_of = dense[line_of]
    classes, tagged, direction = classes[line_ids], tagged[line_ids], direction[line_ids]
    if len(coords) == 0:
        msg = f"road layer of network {name!r} has no line with two distinct vertices"
        raise NetworkError(msg)

    seg_geom, seg_u, seg_v, seg_line, node_xy = _split_at_nodes(coords, line_of, node_tolerance_m)
    good = shapely.length(seg_geom) > 0
    graph = _assemble(
        crs=target,
        node_id=np.arange(len(node_xy), dtype=np.int64),
        node_x=node_xy[:, 0].astype(np.float64),
        node_y=node_xy[:, 1].astype(np.float64),
        u=seg_u[good],
        v=seg_v[good],
        geometry=np.asarray(seg_geom[good], dtype=object),
        classes=classes[seg_line[good]],
        tagged_kmh=tagged[seg_line[good]],
        direction=direction[seg_line[good]],
        profile=profile,
        speeds=speeds,
        use_tagged=use_speed_column and speed_column is not None,
        name=name,
    )
    logger.info("built %r from %d lines", graph, n_lines)
    return graph


def _road_lines(edges: gpd.GeoDataFrame, target: pyproj.CRS, name: str) -> gpd.GeoDataFrame:
    """Return the non-empty single lines of a road layer in ``target``, numbered from 0."""
    gdf = edges[~(edges.geometry.isna() | edges.geometry.is_empty)]
    kinds = set(gdf.geom_type.unique())
    if not kinds <= {"LineString", "MultiLineString"}:
        msg = (
            f"road layer of network {name!r} must hold lines, found {sorted(kinds)!r}; "
            "drop other geometries first"
        )
        raise LayerError(msg)
    if len(gdf) == 0:
        msg = f"road layer of network {name!r} has no line features"
        raise NetworkError(msg)
    gdf = gdf.to_crs(target)
    if "MultiLineString" in kinds:
        return gdf.explode(index_parts=False, ignore_index=True)
    return gdf.reset_index(drop=True)


def _split_at_nodes(
    coords: npt.NDArray[np.float64], line_of: npt.NDArray[np.int64], tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split lines at their nodes: ends and vertices shared after rounding to ``tolerance``.

    Returns the segment geometries, their end nodes and source line, and node coordinates.
    """
    q = np.round(coords / tolerance).astype(np.int64)
    q -= q.min(axis=0)
    span = int(q[:, 1].max()) + 1
    if int(q[:, 0].max()) < (2**62) // span:
        key = q[:, 0] * span + q[:, 1]
        _, vertex, vcount = np.unique(key, return_inverse=True, return_counts=True)
    else:  # pragma: no cover - continental extents at sub-millimetre tolerance
        _, vertex, vcount = np.unique(q, axis=0, return_inverse=True, return_counts=True)
    vertex = vertex.ravel()

    first = np.ones(len(coords), dtype=bool)
    first[1:] = line_of[1:] != line_of[:-1]
    last = np.ones(len(coords), dtype=bool)
    last[:-1] = line_of[1:] != line_of[:-1]
    is_node = first | last | (vcount[vertex] > 1)

    # split lines at nodes: coordinate g (not last of its line) starts or continues edge
    # F[g] - line - 1, and a node coordinate (not first) also ends edge F[g] - line - 2
    cum = np.cumsum(is_node)
    start_g = np.flatnonzero(~last)
    start_e = cum[start_g] - line_of[start_g] - 1
    end_g = np.flatnonzero(is_node & ~first)
    end_e = cum[end_g] - line_of[end_g] - 2
    all_g = np.concatenate([start_g, end_g])
    all_e = np.concatenate([start_e, end_e])
    order = np.lexsort((all_g, all_e))
    all_g, all_e = all_g[order], all_e[order]
    seg_geom = shapely.linestrings(coords[all_g], indices=all_e)
    seg_first = np.ones(len(all_e), dtype=bool)
    seg_first[1:] = all_e[1:] != all_e[:-1]
    seg_last = np.ones(len(all_e), dtype=bool)
    seg_last[:-1] = all_e[1:] != all_e[:-1]
    seg_u_vertex = vertex[all_g[seg_first]]
    seg_v_vertex = vertex[all_g[seg_last]]
    seg_line = line_of[all_g[seg_first]]

    node_vertex = np.unique(vertex[is_node])
    node_pos = np.full(int(vertex.max()) + 1, -1, dtype=np.int64)
    node_pos[node_vertex] = np.arange(len(node_vertex))
    first_coord_of_vertex = np.zeros(int(vertex.max()) + 1, dtype=np.int64)
    first_coord_of_vertex[vertex[::-1]] = np.arange(len(vertex))[::-1]
    node_xy = coords[first_coord_of_vertex[node_vertex]]

    return seg_geom, node_pos[seg_u_vertex], node_pos[seg_v_vertex], seg_line, node_xy


def graph_from_layer(
    layer: str = "roads",
    *,
    where: Mapping[str, Any] | None = None,
    crs: CRSLike | None = "EPSG:32648",
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_speed_column: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from a bundled road layer (``roads`` by default).

    The bundled ``roads`` layer carries ``class`` (road class), ``speed_kmh`` (a typical
    speed, used like a posted speed) and, where known, ``oneway``.

    Parameters
    ----------
    layer
        Name of the bundled layer.
    where
        Attribute filter ``{column: value or [values]}``, e.g. ``{"status": "open"}``.
    crs, profile, speeds, use_speed_column, ignore_oneway
        As in :func:`graph_from_gdf`.
    name
        Label used in messages; the layer name by default.

    Returns
    -------
    RoadGraph

    Examples
    --------
    >>> trunk = graph_from_layer("roads", where={"status": "open"}, profile="truck")
    >>> trunk.crs.to_epsg(), bool(trunk.edge_speed_kmh.max() <= 90)
    (32648, True)
    """
    try:
        layers = importlib.import_module("geosite.data.bundled")
    except ImportError as err:
        msg = (
            f"bundled layer {layer!r} cannot be read: geosite.data.bundled is not available in "
            "this installation; build the graph from a file with graph_from_gdf instead"
        )
        raise DataNotFoundError(msg) from err
    gdf = layers.read_layer(layer)
    gdf = _filter_where(gdf, where, what=f"layer {layer!r}")
    return graph_from_gdf(
        gdf,
        crs=crs,
        profile=profile,
        speeds=speeds,
        class_column="class" if "class" in gdf else None,
        speed_column="speed_kmh" if "speed_kmh" in gdf else None,
        oneway_column="oneway" if "oneway" in gdf else None,
        use_speed_column=use_speed_column,
        ignore_oneway=ignore_oneway,
        name=name or layer,
    )


def _filter_where(
    gdf: gpd.GeoDataFrame, where: Mapping[str, Any] | None, *, what: str
) -> gpd.GeoDataFrame:
    if not where:
        return gdf
    missing = [c for c in where if c not in gdf]
    if missing:
        msg = (
            f"{what} has no column(s) {missing!r} used in 'where'; "
            f"available: {sorted(map(str, gdf.columns))!r}"
        )
        raise LayerError(msg)
    mask = np.ones(len(gdf), dtype=bool)
    for column, wanted in where.items():
        values = wanted if isinstance(wanted, list | tuple) else [wanted]
        mask &= gdf[column].isin(values).to_numpy()
    return gdf[mask]


def _pair_twins(
    u: npt.NDArray[np.int64],
    v: npt.NDArray[np.int64],
    geometry: npt.NDArray[np.object_],
    eligible: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Pair directed edges that run along the same geometry in opposite directions."""
    twin = np.full(len(u), -1, dtype=np.int64)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return twin
    g = geometry[idx]
    wkb_fwd = shapely.to_wkb(g, hex=True)
    wkb_rev = shapely.to_wkb(shapely.reverse(g), hex=True)
    flip = np.where(u[idx] == v[idx], wkb_fwd > wkb_rev, u[idx] > v[idx])
    canon = np.where(flip, wkb_rev, wkb_fwd)
    frame = pd.DataFrame(
        {
            "a": np.minimum(u[idx], v[idx]),
            "b": np.maximum(u[idx], v[idx]),
            "g": canon,
            "flip": flip,
            "edge": idx,
        }
    )
    frame["n"] = frame.groupby(["a", "b", "g", "flip"], sort=False).cumcount()
    left = frame[~frame["flip"]]
    right = frame[frame["flip"]]
    pairs = left.merge(right, on=["a", "b", "g", "n"], suffixes=("_f", "_r"))
    ef = pairs["edge_f"].to_numpy(dtype=np.int64)
    er = pairs["edge_r"].to_numpy(dtype=np.int64)
    twin[ef] = er
    twin[er] = ef
    return twin


def graph_from_osmnx(
    graph: nx.MultiDiGraph,
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str = "network",
) -> RoadGraph:
    """Convert an osmnx ``MultiDiGraph`` into a :class:`RoadGraph`.

    Edge directions are taken from the graph (osmnx already drops the forbidden direction of
    one-way streets); speeds come from the ``maxspeed`` tag where usable, else from the class
    table keyed by ``highway``. Lengths are measured again along the projected geometries.

    Parameters
    ----------
    graph
        A graph from osmnx (``graph_from_xml``, ``load_graphml``, ``graph_from_place``...).
    crs
        Projected metric CRS; by default the graph's UTM zone.
    profile, speeds
        As in :func:`graph_from_gdf`.
    use_maxspeed
        Use ``maxspeed`` tags where present.
    ignore_oneway
        Add the missing direction of one-way streets.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph
    """
    import osmnx as ox  # noqa: PLC0415 - heavy import, only when osmnx graphs are used

    profile = _check_profile(profile)
    if graph.number_of_edges() == 0:
        msg = f"network {name!r}: the OSM graph has no edges; check the source's road filter"
        raise NetworkError(msg)
    nodes, edges = ox.graph_to_gdfs(graph, nodes=True, edges=True, fill_edge_geometry=True)
    target = _metric_crs(nodes, crs, f"OSM graph of network {name!r}")
    nodes = nodes.to_crs(target)
    edges = edges.to_crs(target)
    node_id = nodes.index.to_numpy(dtype=np.int64)
    index = pd.Index(node_id)
    uu = edges.index.get_level_values(0).to_numpy(dtype=np.int64)
    vv = edges.index.get_level_values(1).to_numpy(dtype=np.int64)
    u = index.get_indexer(uu).astype(np.int64)
    v = index.get_indexer(vv).astype(np.int64)
    nx_ = shapely.get_x(nodes.geometry.array).astype(np.float64)
    ny_ = shapely.get_y(nodes.geometry.array).astype(np.float64)
    geometry = np.asarray(edges.geometry.array, dtype=object)
    # osmnx draws edges from u to v; make sure, since orientation drives exact offsets
    start = shapely.get_point(geometry, 0)
    d_u = shapely.distance(start, shapely.points(nx_[u], ny_[u]))
    d_v = shapely.distance(start, shapely.points(nx_[v], ny_[v]))
    flipped = d_v < d_u
    if flipped.any():
        geometry[flipped] = shapely.reverse(geometry[flipped])
    classes = (
        _per_value(edges["highway"], _first, object)
        if "highway" in edges
        else np.full(len(edges), "default", dtype=object)
    )
    tagged = (
        _per_value(edges["maxspeed"], _parse_speed, np.float64)
        if "maxspeed" in edges
        else np.full(len(edges), np.nan)
    )
    oneway = (
        np.array([_parse_oneway(s) != 0 for s in edges["oneway"]], dtype=bool)
        if "oneway" in edges
        else np.zeros(len(edges), dtype=bool)
    )
    twin = _pair_twins(u, v, geometry, ~oneway)
    if ignore_oneway:
        lonely = np.flatnonzero(twin < 0)
        twin = np.concatenate([twin, np.full(len(lonely), -1, dtype=np.int64)])
        twin[lonely] = len(u) + np.arange(len(lonely))
        twin[len(u) :] = lonely
        u, v = np.concatenate([u, v[lonely]]), np.concatenate([v, u[lonely]])
        geometry = np.concatenate([geometry, shapely.reverse(geometry[lonely])])
        classes = np.concatenate([classes, classes[lonely]])
        tagged = np.concatenate([tagged, tagged[lonely]])
        oneway = np.zeros(len(u), dtype=bool)
    rg = _assemble(
        crs=target,
        node_id=node_id,
        node_x=nx_,
        node_y=ny_,
        u=u,
        v=v,
        geometry=geometry,
        classes=classes,
        tagged_kmh=tagged,
        direction=oneway.astype(np.int64),
        profile=profile,
        speeds=speeds,
        use_tagged=use_maxspeed,
        name=name,
        twin=twin,
    )
    logger.info("built %r from an osmnx graph", rg)
    return rg


_NETWORK_TYPES = ("drive", "drive_service", "all")


def _keep_way(tags: Mapping[str, str], network_type: NetworkType) -> bool:
    highway = tags.get("highway")
    if highway is None or network_type == "all":
        return highway is not None
    closed = (
        highway in _NOT_DRIVABLE
        or tags.get("area") == "yes"
        or tags.get("access") in {"private", "no"}
        or "no" in {tags.get("motor_vehicle"), tags.get("motorcar")}
    )
    if closed:
        return False
    if highway == "service":
        return network_type == "drive_service" and tags.get("service") not in _PRIVATE_SERVICE
    return True


def _check_file(path: str | os.PathLike[str], what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        msg = f"{what} file {str(p)!r} does not exist; check the path (relative to the scenario)"
        raise DataNotFoundError(msg)
    return p


def _filter_osm_xml(path: Path, out: Path, network_type: NetworkType) -> int:
    """Copy an OSM XML file keeping only road ways and the nodes they use; return the ways."""
    try:
        tree = ET.parse(path)  # noqa: S314 - local OSM files chosen by the user
    except ET.ParseError as err:
        msg = f"OSM XML file {str(path)!r} cannot be parsed: {err}"
        raise NetworkError(msg) from err
    root = tree.getroot()
    used: set[str] = set()
    drop: list[ET.Element] = []
    kept = 0
    for way in root.findall("way"):
        tags = {t.get("k", ""): t.get("v", "") for t in way.findall("tag")}
        if _keep_way(tags, network_type):
            used.update(nd.get("ref", "") for nd in way.findall("nd"))
            kept += 1
        else:
            drop.append(way)
    drop.extend(root.findall("relation"))
    drop.extend(n for n in root.findall("node") if n.get("id") not in used)
    for element in drop:
        root.remove(element)
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return kept


def graph_from_xml(
    path: str | os.PathLike[str],
    *,
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from an OpenStreetMap XML file (``.osm``).

    Ways without a ``highway`` tag (buildings, land use) are dropped before osmnx reads the
    file, and so are ways cars cannot use (footways, steps, private service roads...).

    Parameters
    ----------
    path
        The ``.osm`` file.
    network_type
        ``"drive"`` (public roads, no service roads), ``"drive_service"`` (plus public
        service roads: industrial estates and ports are often reached by them) or ``"all"``
        (every ``highway`` way).
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages; the file name by default.

    Returns
    -------
    RoadGraph
    """
    import osmnx as ox  # noqa: PLC0415

    p = _check_file(path, "OSM XML")
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    label = name or p.name
    with tempfile.TemporaryDirectory() as tmp:
        filtered = Path(tmp) / "roads.osm"
        kept = _filter_osm_xml(p, filtered, network_type)
        if kept == 0:
            msg = (
                f"OSM XML file {str(p)!r} has no road ways for network_type "
                f"{network_type!r}; is it an OSM extract with highway=* ways?"
            )
            raise NetworkError(msg)
        g = ox.graph_from_xml(filtered, bidirectional=False, simplify=True, retain_all=True)
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
    )


def _osm_direction(tags: Mapping[str, str]) -> int:
    oneway = tags.get("oneway")
    if oneway is not None:
        return _parse_oneway(oneway)
    if tags.get("junction") in {"roundabout", "circular"}:
        return 1
    return 0


def graph_from_pbf(
    path: str | os.PathLike[str],
    *,
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from an OpenStreetMap PBF extract (``.osm.pbf``), with pyosmium.

    Road ways are read with their node locations and turned into a graph with a node at
    every OSM node shared by two ways and at way ends, as :func:`graph_from_xml` does.
    ``oneway=yes|-1`` and roundabouts are one-way.

    Parameters
    ----------
    path
        The ``.osm.pbf`` (or ``.osm``) file.
    network_type, crs, profile, speeds, use_maxspeed, ignore_oneway, name
        As in :func:`graph_from_xml`.

    Returns
    -------
    RoadGraph
    """
    p = _check_file(path, "OSM PBF")
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    try:
        import osmium  # noqa: PLC0415 - optional dependency
    except ImportError as err:
        msg = "reading .osm.pbf files needs pyosmium: pip install osmium"
        raise NetworkError(msg) from err
    label = name or p.name
    lines: list[shapely.LineString] = []
    rows: list[dict[str, Any]] = []
    try:
        processor = osmium.FileProcessor(str(p)).with_locations()
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not _keep_way(tags, network_type):
                continue
            xy = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(xy) < 2:
                continue
            lines.append(shapely.LineString(xy))
            rows.append(
                {
                    "highway": tags.get("highway", "default"),
                    "maxspeed": tags.get("maxspeed"),
                    "oneway": _osm_direction(tags),
                }
            )
    except RuntimeError as err:
        msg = f"OSM PBF file {str(p)!r} cannot be read: {err}"
        raise NetworkError(msg) from err
    if not lines:
        msg = f"OSM file {str(p)!r} has no road ways for network_type {network_type!r}"
        raise NetworkError(msg)
    gdf = gpd.GeoDataFrame(rows, geometry=lines, crs="EPSG:4326")
    return graph_from_gdf(
        gdf,
        crs=crs,
        profile=profile,
        speeds=speeds,
        class_column="highway",
        speed_column="maxspeed",
        oneway_column="oneway",
        use_speed_column=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
        node_tolerance_m=1e-3,
    )


def graph_from_graphml(
    path: str | os.PathLike[str],
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from a GraphML file saved by ``osmnx.save_graphml``.

    Parameters
    ----------
    path
        The ``.graphml`` file.
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages; the file name by default.

    Returns
    -------
    RoadGraph
    """
    import osmnx as ox  # noqa: PLC0415

    p = _check_file(path, "GraphML")
    try:
        g = ox.load_graphml(p)
    except (ET.ParseError, KeyError, ValueError) as err:
        msg = f"GraphML file {str(p)!r} is not an osmnx graph: {err}"
        raise NetworkError(msg) from err
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=name or p.name,
    )


@contextmanager
def _osmnx_cache(folder: Path) -> Iterator[None]:
    import osmnx as ox  # noqa: PLC0415

    saved = (ox.settings.cache_folder, ox.settings.use_cache)
    ox.settings.cache_folder = folder
    ox.settings.use_cache = True
    try:
        yield
    finally:
        ox.settings.cache_folder, ox.settings.use_cache = saved


def _place_key(query: str | Sequence[float], network_type: NetworkType) -> str:
    payload = json.dumps(
        {
            "query": query if isinstance(query, str) else [float(q) for q in query],
            "network_type": network_type,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def graph_from_place(
    query: str | Sequence[float],
    *,
    cache_dir: str | os.PathLike[str],
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Download the road network of a place or bounding box with osmnx, cached on disk.

    The first call asks Nominatim and Overpass (internet needed) and saves the graph as
    GraphML in ``cache_dir``; later calls with the same query read that file and never touch
    the network, so a scenario re-runs offline.

    Parameters
    ----------
    query
        A place name Nominatim knows (``"Thu Duc, Ho Chi Minh City, Vietnam"``) or a bounding
        box ``(west, south, east, north)`` in degrees (EPSG:4326).
    cache_dir
        Folder for the cached graph and raw responses; created if missing.
    network_type
        ``"drive"``, ``"drive_service"`` or ``"all"``, as in :func:`graph_from_xml`.
    crs, profile, speeds, use_maxspeed, ignore_oneway
        As in :func:`graph_from_osmnx`.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph
    """
    import osmnx as ox  # noqa: PLC0415

    if not isinstance(query, str):
        bbox = tuple(float(q) for q in query)
        if len(bbox) != 4 or not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
            msg = (
                f"bbox {list(query)!r} must be [west, south, east, north] in degrees with "
                "west < east and south < north"
            )
            raise ParameterError(msg)
    folder = Path(cache_dir)
    cached = folder / f"osm-{_place_key(query, network_type)}.graphml"
    label = name or (query if isinstance(query, str) else "bbox")
    if cached.is_file():
        logger.info("reading cached road graph %s", cached)
        return graph_from_graphml(
            cached,
            crs=crs,
            profile=profile,
            speeds=speeds,
            use_maxspeed=use_maxspeed,
            ignore_oneway=ignore_oneway,
            name=label,
        )
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with _osmnx_cache(folder / "http"):
            if isinstance(query, str):
                g = ox.graph_from_place(query, network_type=network_type, retain_all=True)
            else:
                west, south, east, north = (float(q) for q in query)
                g = ox.graph_from_bbox(
                    (west, south, east, north), network_type=network_type, retain_all=True
                )
    except Exception as err:
        msg = (
            f"could not download the road network of {label!r} from OpenStreetMap ({err}); "
            f"check the internet connection and the query, or put a cached graph in "
            f"{str(folder)!r}"
        )
        raise NetworkError(msg) from err
    tmp = cached.with_suffix(".tmp")
    ox.save_graphml(g, tmp)
    tmp.replace(cached)
    return graph_from_osmnx(
        g,
        crs=crs,
        profile=profile,
        speeds=speeds,
        use_maxspeed=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
    )


# --------------------------------------------------------------------------------------------
# access: where geometries join the graph


@dataclass(frozen=True, eq=False)
class Snap:
    """Where geometries join a road graph: a point on an edge and the straight leg to it.

    Parameters
    ----------
    edge
        The (representative) directed edge each origin joins, -1 for empty geometries.
    fraction
        Position of the join point along the edge, 0 at ``edge_u`` and 1 at ``edge_v``.
    distance_m
        Length of the straight leg from the geometry to the road, metres (0 when the road
        touches or crosses the geometry).
    origin
        Point of the geometry where the leg starts (the point itself for points).
    point
        The join point on the edge.
    owner
        Position of the parcel each origin belongs to (several gates may serve one parcel).
    n_owners
        Number of parcels.
    """

    edge: npt.NDArray[np.int64]
    fraction: npt.NDArray[np.float64]
    distance_m: npt.NDArray[np.float64]
    origin: npt.NDArray[np.object_]
    point: npt.NDArray[np.object_]
    owner: npt.NDArray[np.int64]
    n_owners: int

    def __len__(self) -> int:
        return len(self.edge)

    @functools.cached_property
    def origin_xy(self) -> npt.NDArray[np.float64]:
        """Return the origin coordinates, shape ``(n, 2)`` (NaN for empty geometries)."""
        return np.column_stack([shapely.get_x(self.origin), shapely.get_y(self.origin)])

    def take(self, positions: npt.ArrayLike) -> Snap:
        """Return the origins at ``positions``, each becoming its own parcel."""
        idx = np.asarray(positions, dtype=np.int64)
        return Snap(
            self.edge[idx],
            self.fraction[idx],
            self.distance_m[idx],
            self.origin[idx],
            self.point[idx],
            np.arange(len(idx), dtype=np.int64),
            len(idx),
        )


def _geometry_array(geoms: Any, crs: pyproj.CRS, what: str) -> npt.NDArray[np.object_]:
    if isinstance(geoms, gpd.GeoDataFrame | gpd.GeoSeries):
        if geoms.crs is None:
            msg = f"{what} have no CRS; set one with `gdf.set_crs(...)`"
            raise CRSError(msg)
        if not pyproj.CRS.from_user_input(geoms.crs).equals(crs):
            geoms = geoms.to_crs(crs)
        return np.asarray(
            geoms.geometry.array if isinstance(geoms, gpd.GeoDataFrame) else geoms.array,
            dtype=object,
        )
    return np.asarray(geoms, dtype=object)


def _nearest_segments(
    graph: RoadGraph, geoms: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Find each geometry's nearest edge piece; return (row, piece, distance).

    Exact: a piece within ``radius`` of a geometry has its envelope within the geometry's
    envelope grown by ``radius``, so the envelope query holds the nearest piece whenever one
    is that close; the others go through ``STRtree.query_nearest``. The bulk envelope query
    plus vectorised distances is two to three times faster than nearest-neighbour queries.
    """
    tree = graph.segment_index()[3]
    # most parcels of a dense network find their road within half a typical edge length
    radius = min(200.0, max(25.0, graph.median_edge_m / 2))
    bounds = shapely.bounds(geoms)
    boxes = shapely.box(
        bounds[:, 0] - radius, bounds[:, 1] - radius, bounds[:, 2] + radius, bounds[:, 3] + radius
    )
    i, j = tree.query(boxes)
    d = shapely.distance(geoms[i], tree.geometries[j])
    order = np.lexsort((d, i))
    i, j, d = i[order], j[order], d[order]
    first = np.ones(len(i), dtype=bool)
    first[1:] = i[1:] != i[:-1]
    near = first & (d <= radius)
    pos, edge, gap = [i[near]], [j[near]], [d[near]]
    rest = np.setdiff1d(np.arange(len(geoms)), i[near])
    if len(rest):
        found, d2 = tree.query_nearest(geoms[rest], return_distance=True, all_matches=False)
        pos.append(rest[found[0]])
        edge.append(found[1])
        gap.append(d2)
    return (
        np.concatenate(pos).astype(np.int64),
        np.concatenate(edge).astype(np.int64),
        np.concatenate(gap).astype(np.float64),
    )


def _snap_chunk(
    graph: RoadGraph, geoms: npt.NDArray[np.object_]
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.object_],
    npt.NDArray[np.object_],
]:
    n = len(geoms)
    edge = np.full(n, -1, dtype=np.int64)
    fraction = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    origin = np.full(n, None, dtype=object)
    point = np.full(n, None, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return edge, fraction, dist, origin, point
    pos, found, d = _nearest_segments(graph, geoms[ok])
    pos = np.flatnonzero(ok)[pos]
    pieces, piece_edge, piece_start, _ = graph.segment_index()
    piece = pieces[found]
    ends = shapely.get_coordinates(shapely.shortest_line(piece, geoms[pos])).reshape(-1, 2, 2)
    on_edge, start = ends[:, 0], ends[:, 1]
    piece_a = shapely.get_coordinates(piece).reshape(-1, 2, 2)[:, 0]
    e = piece_edge[found]
    along = piece_start[found] + np.hypot(*(on_edge - piece_a).T)
    edge[pos] = e
    fraction[pos] = np.clip(along / graph.edge_length_m[e], 0.0, 1.0)
    dist[pos] = d
    origin[pos] = shapely.points(start)
    point[pos] = shapely.points(on_edge)
    return edge, fraction, dist, origin, point


def snap_to_graph(
    graph: RoadGraph,
    geometries: gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    gates: gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike | None = None,
    gate_tolerance_m: float = 50.0,
    max_workers: int | None = None,
) -> Snap:
    """Join geometries to the nearest point of the nearest road edge.

    A polygon joins where its boundary comes closest to a road (distance 0 when a road
    touches or crosses it). With ``gates``, a parcel that has gate points within
    ``gate_tolerance_m`` joins the road at each of its gates instead (each gate joining its
    own nearest edge); parcels without gates join as above.

    Parameters
    ----------
    graph
        The road graph.
    geometries
        Parcels or facilities; a GeoSeries/GeoDataFrame is projected to the graph's CRS,
        a plain array must already be in it.
    gates
        Access points (points) of the parcels, optional.
    gate_tolerance_m
        How far (metres) a gate may lie from its parcel.
    max_workers
        Threads used for large inputs (shapely releases the GIL); default: CPU count, up to 4.

    Returns
    -------
    Snap

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=32648)
    >>> snap = snap_to_graph(graph_from_gdf(roads), [Point(250, 30)])
    >>> float(snap.fraction[0]), float(snap.distance_m[0])
    (0.25, 30.0)
    """
    geoms = _geometry_array(geometries, graph.crs, "parcels")
    owner = np.arange(len(geoms), dtype=np.int64)
    if gates is not None:
        gate_geoms = _geometry_array(gates, graph.crs, "gates")
        if len(gate_geoms):
            tree = shapely.STRtree(geoms)
            pairs = tree.query(gate_geoms, predicate="dwithin", distance=gate_tolerance_m)
            gated = np.unique(pairs[1])
            plain = np.setdiff1d(owner, gated)
            owner = np.concatenate([plain, pairs[1]]).astype(np.int64)
            order = np.argsort(owner, kind="stable")
            owner = owner[order]
            geoms = np.concatenate([geoms[plain], gate_geoms[pairs[0]]])[order]
    n = len(geoms)
    workers = max_workers or min(4, os.cpu_count() or 1)
    if n > _SNAP_CHUNK and workers > 1:
        chunks = np.array_split(geoms, math.ceil(n / _SNAP_CHUNK))
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda c: _snap_chunk(graph, c), chunks))
        edge, fraction, dist, origin, point = (
            np.concatenate([p[i] for p in parts]) for i in range(5)
        )
    else:
        edge, fraction, dist, origin, point = _snap_chunk(graph, geoms)
    return Snap(
        edge,
        fraction,
        dist,
        origin,
        point,
        owner,
        int(len(owner) and owner.max() + 1) if gates is not None else n,
    )


# --------------------------------------------------------------------------------------------
# search


def _leg_cost(snap: Snap, metric: Metric, offroad_speed_kmh: float | None) -> np.ndarray:
    if metric == "distance":
        return np.nan_to_num(snap.distance_m, nan=0.0)
    if offroad_speed_kmh is None:
        return np.zeros(len(snap))
    return np.nan_to_num(snap.distance_m, nan=0.0) * _TIME_PER_M_AT_1KMH / offroad_speed_kmh


def _ports(
    graph: RoadGraph, snap: Snap, metric: Metric, *, leaving: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the two nodes a snapped point reaches (``leaving``) or is reached from.

    Leaving a point at fraction t of edge e (u->v) reaches v at (1-t)c_e and, along the twin
    edge, u at t c_twin; arriving at it comes from u at t c_e or from v at (1-t)c_twin.
    Missing ports have node -1 and cost inf.
    """
    e = np.where(snap.edge >= 0, snap.edge, 0)
    t = np.nan_to_num(snap.fraction, nan=0.0)
    cost = graph.edge_cost(metric)
    tw = graph.edge_twin[e]
    has_tw = (tw >= 0) & (snap.edge >= 0)
    c_tw = np.where(has_tw, cost[np.where(has_tw, tw, 0)], 0.0)
    if leaving:
        n1, c1 = graph.edge_v[e], (1.0 - t) * cost[e]
        n2, c2 = graph.edge_u[e], t * c_tw
    else:
        n1, c1 = graph.edge_u[e], t * cost[e]
        n2, c2 = graph.edge_v[e], (1.0 - t) * c_tw
    bad = snap.edge < 0
    n1 = np.where(bad, -1, n1)
    c1 = np.where(bad, np.inf, c1)
    n2 = np.where(has_tw, n2, -1)
    c2 = np.where(has_tw, c2, np.inf)
    return n1, c1, n2, c2


def _direct(
    graph: RoadGraph,
    *,
    start: Snap,
    start_idx: np.ndarray,
    end: Snap,
    end_idx: np.ndarray,
    metric: Metric,
) -> np.ndarray:
    """Cost of travelling along a shared edge from start points to end points."""
    e = start.edge[start_idx]
    ts, te = start.fraction[start_idx], end.fraction[end_idx]
    cost = graph.edge_cost(metric)
    tw = graph.edge_twin[e]
    fwd = np.where(te >= ts, (te - ts) * cost[e], np.inf)
    bwd = np.where((tw >= 0) & (te <= ts), (ts - te) * cost[np.where(tw >= 0, tw, 0)], np.inf)
    return np.asarray(np.minimum(fwd, bwd), dtype=np.float64)


def _same_edge_pairs(origins: Snap, facilities: Snap, usable: np.ndarray) -> pd.DataFrame:
    left = pd.DataFrame({"edge": origins.edge, "i": np.arange(len(origins))})
    right = pd.DataFrame({"edge": facilities.edge[usable], "j": np.flatnonzero(usable)})
    return left[left["edge"] >= 0].merge(right, on="edge")


@dataclass(frozen=True, eq=False)
class _Search:
    """A multi-source search from facilities, as virtual nodes n..n+K-1 of an augmented graph."""

    matrix: sparse.csr_array
    n: int
    sources: np.ndarray  # virtual node ids of the usable facilities
    usable: np.ndarray  # facility mask
    direction: Direction
    metric: Metric


def _augmented(
    graph: RoadGraph,
    facilities: Snap,
    *,
    usable: np.ndarray,
    fac_leg: np.ndarray,
    metric: Metric,
    direction: Direction,
) -> _Search:
    # costs *to* facilities: search the reversed graph from the points where one arrives at
    # them; costs *from* facilities: the graph itself from where one leaves them
    base = graph.csr(metric, transpose=direction == "to")
    n, k = graph.n_nodes, len(facilities)
    n1, c1, n2, c2 = _ports(graph, facilities, metric, leaving=direction == "from")
    c1 = c1 + fac_leg
    c2 = c2 + fac_leg
    loop = n1 == n2
    c1 = np.where(loop, np.minimum(c1, c2), c1)
    n2 = np.where(loop, -1, n2)
    use1 = usable & (n1 >= 0) & np.isfinite(c1)
    use2 = usable & (n2 >= 0) & np.isfinite(c2)
    counts = use1.astype(np.int64) + use2
    cols = np.stack([n1, n2], axis=1)[np.stack([use1, use2], axis=1)]
    vals = np.stack([c1, c2], axis=1)[np.stack([use1, use2], axis=1)]
    indptr = np.concatenate([base.indptr.astype(np.int64), base.indptr[-1] + np.cumsum(counts)])
    matrix = sparse.csr_array(
        (
            np.concatenate([base.data, vals]),
            np.concatenate([base.indices, cols]).astype(np.int32),
            indptr,
        ),
        shape=(n + k, n + k),
    )
    return _Search(matrix, n, n + np.flatnonzero(usable), usable, direction, metric)


def _nearest(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    facilities: Snap,
    fac_leg: np.ndarray,
    *,
    keep_tree: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Return cost, facility and port used (1, 2 or 0 = along the shared edge) per origin."""
    dist, pred, src = csgraph.dijkstra(
        search.matrix,
        directed=True,
        indices=search.sources,
        min_only=True,
        return_predecessors=True,
    )
    n1, c1, n2, c2 = _ports(graph, origins, search.metric, leaving=search.direction == "to")
    d1 = np.where(n1 >= 0, c1 + dist[np.maximum(n1, 0)], np.inf)
    d2 = np.where(n2 >= 0, c2 + dist[np.maximum(n2, 0)], np.inf)
    port = np.where(d2 < d1, 2, 1)
    via = np.where(port == 2, n2, n1)
    best = np.minimum(d1, d2)
    fac = np.where(np.isfinite(best), src[np.maximum(via, 0)] - search.n, -1)
    pairs = _same_edge_pairs(origins, facilities, search.usable)
    if len(pairs):
        i = pairs["i"].to_numpy()
        j = pairs["j"].to_numpy()
        if search.direction == "to":
            direct = _direct(
                graph, start=origins, start_idx=i, end=facilities, end_idx=j, metric=search.metric
            )
        else:
            direct = _direct(
                graph, start=facilities, start_idx=j, end=origins, end_idx=i, metric=search.metric
            )
        direct = direct + fac_leg[j]
        order = np.lexsort((direct, i))
        i, j, direct = i[order], j[order], direct[order]
        first = np.ones(len(i), dtype=bool)
        first[1:] = i[1:] != i[:-1]
        i, j, direct = i[first], j[first], direct[first]
        better = direct < best[i]
        best[i[better]] = direct[better]
        fac[i[better]] = j[better]
        port[i[better]] = 0
        via[i[better]] = -1
    state: dict[str, Any] = {"via": via}
    if keep_tree:
        state.update(pred=pred, dist=dist)
    return best, fac.astype(np.int64), port, state


def _per_facility(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    facilities: Snap,
    fac_leg: np.ndarray,
    *,
    limit: float,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (facility positions, cost matrix origins x facilities) chunk by chunk."""
    n1, c1, n2, c2 = _ports(graph, origins, search.metric, leaving=search.direction == "to")
    fac_pos = np.flatnonzero(search.usable)
    width = max(search.n + len(facilities), len(origins), 1)
    step = max(1, min(64, _MATRIX_BYTES // (8 * 3 * width)))
    pairs = _same_edge_pairs(origins, facilities, search.usable)
    for lo in range(0, len(fac_pos), step):
        chunk = fac_pos[lo : lo + step]
        dist = csgraph.dijkstra(search.matrix, directed=True, indices=search.n + chunk, limit=limit)
        dist = np.atleast_2d(dist)
        cost = np.where(n1 >= 0, c1 + dist[:, np.maximum(n1, 0)], np.inf)
        cost = np.minimum(cost, np.where(n2 >= 0, c2 + dist[:, np.maximum(n2, 0)], np.inf)).T
        if len(pairs):
            sel = pairs[pairs["j"].isin(chunk)]
            if len(sel):
                i = sel["i"].to_numpy()
                j = sel["j"].to_numpy()
                if search.direction == "to":
                    direct = _direct(
                        graph,
                        start=origins,
                        start_idx=i,
                        end=facilities,
                        end_idx=j,
                        metric=search.metric,
                    )
                else:
                    direct = _direct(
                        graph,
                        start=facilities,
                        start_idx=j,
                        end=origins,
                        end_idx=i,
                        metric=search.metric,
                    )
                col = np.searchsorted(chunk, j)
                np.minimum.at(cost, (i, col), direct + fac_leg[j])
        yield chunk, cost


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Network accessibility of each parcel.

    Parameters
    ----------
    values
        The statistic per parcel (minutes, metres, a count or a ratio); NaN where it could
        not be measured.
    reasons
        Why a value is NaN (None where it is fine).
    snap_m
        Straight distance from the parcel (or the gate used) to the road, metres.
    straight_m
        Straight-line distance from the parcel's access origin to the facility the value
        refers to (the nearest, or the k-th nearest), metres; NaN where there is none.
    facility
        Position of that facility in the facility input, -1 where there is none.
    origin
        Position in the origins (:class:`Snap`) of the origin that gave each parcel its value.
    """

    values: npt.NDArray[np.float64]
    reasons: list[str | None]
    snap_m: npt.NDArray[np.float64]
    straight_m: npt.NDArray[np.float64]
    facility: npt.NDArray[np.int64]
    origin: npt.NDArray[np.int64]


def _flags(
    graph: RoadGraph, snap: Snap, *, max_snap_m: float | None, min_component_share: float
) -> npt.NDArray[np.object_]:
    """Return why each snapped origin cannot be measured (None where it can)."""
    reasons = np.full(len(snap), None, dtype=object)
    size = graph.component_size
    big = int(size.max())
    comp = np.where(snap.edge >= 0, size[graph.edge_u[np.maximum(snap.edge, 0)]], 0)
    far = snap.distance_m > max_snap_m if max_snap_m is not None else np.zeros(len(snap), bool)
    small = comp < min_component_share * big
    for i in np.flatnonzero((snap.edge < 0) | far | small):
        if snap.edge[i] < 0:
            reasons[i] = "empty geometry: nothing to join to the road network"
        elif far[i]:
            reasons[i] = (
                f"nearest road of network {graph.name!r} is {snap.distance_m[i]:,.0f} m away, "
                f"more than max_snap_m = {max_snap_m:,.0f} m"
            )
        else:
            reasons[i] = (
                f"nearest road of network {graph.name!r} is on a small disconnected part "
                f"({comp[i]} of {graph.n_nodes} nodes)"
            )
    return reasons


def _as_snap(graph: RoadGraph, value: Any, what: str) -> Snap:
    if isinstance(value, Snap):
        return value
    return snap_to_graph(graph, _geometry_array(value, graph.crs, what))


def accessibility(
    graph: RoadGraph,
    parcels: Snap | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    facilities: Snap | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    metric: Metric = "time",
    statistic: Statistic = "nearest",
    k: int = 1,
    within: float | None = None,
    direction: Direction = "to",
    max_snap_m: float | None = 1000.0,
    offroad_speed_kmh: float | None = None,
    min_component_share: float = 0.1,
    layer_name: str = "facilities",
) -> AccessResult:
    """Measure each parcel's network cost to the facilities of one layer.

    Parcels and facilities join the graph at the nearest point of their nearest edge
    (:func:`snap_to_graph`); facilities become virtual nodes with exact partial-edge costs,
    and one multi-source Dijkstra pass gives every parcel its nearest facility. Statistics
    about several facilities run one search per facility (bounded by ``within`` for counts).

    The straight leg from a parcel (or facility) to the road always counts in distances; in
    travel times it counts only when ``offroad_speed_kmh`` is given.

    Parameters
    ----------
    graph
        The road graph.
    parcels
        Parcel geometries, or a :class:`Snap` of them (reused between measures).
    facilities
        Facility geometries (ports, airports, parks), or a :class:`Snap` of them.
    metric
        ``"time"`` (minutes) or ``"distance"`` (metres); ``detour_ratio`` always uses
        distance.
    statistic
        ``"nearest"``: cost to the nearest facility; ``"kth_nearest"``: to the k-th nearest;
        ``"mean_k_nearest"``: mean cost to the k nearest; ``"count_within"``: number of
        facilities within ``within``; ``"detour_ratio"``: network distance to the nearest
        facility divided by the straight line between the same two points (>= 1).
    k
        Rank for ``kth_nearest`` and ``mean_k_nearest`` (1 = nearest).
    within
        Threshold of ``count_within``, in minutes (time) or metres (distance).
    direction
        ``"to"``: from each parcel to the facilities (one-way streets as driven there);
        ``"from"``: from the facilities to each parcel.
    max_snap_m
        Parcels (and facilities) farther than this from any road get NaN with a reason
        (facilities are left out, with a warning); ``None`` for no limit.
    offroad_speed_kmh
        Speed charged on the straight leg in travel times; ``None`` leaves it free.
    min_component_share
        Parcels joining a weakly connected part of the graph with fewer nodes than this
        share of the largest part get NaN with a reason.
    layer_name
        Name of the facility layer, for messages.

    Returns
    -------
    AccessResult

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(
    ...     {"class": ["trunk"]}, geometry=[LineString([(0, 0), (7000, 0)])], crs=32648
    ... )
    >>> g = graph_from_gdf(roads)
    >>> res = accessibility(g, [Point(1000, 0)], [Point(6000, 0)], metric="time")
    >>> round(float(res.values[0]), 2)  # 5 km at 70 km/h
    4.29
    """
    _check_args(
        metric=metric,
        statistic=statistic,
        k=k,
        within=within,
        direction=direction,
        offroad_speed_kmh=offroad_speed_kmh,
    )
    if statistic == "detour_ratio":
        metric = "distance"
    origins = _as_snap(graph, parcels, "parcels")
    fac = _as_snap(graph, facilities, f"facilities of layer {layer_name!r}")
    usable = _usable_facilities(
        graph,
        fac,
        max_snap_m=max_snap_m,
        min_component_share=min_component_share,
        layer_name=layer_name,
    )
    reasons = _flags(graph, origins, max_snap_m=max_snap_m, min_component_share=min_component_share)
    leg_o = _leg_cost(origins, metric, offroad_speed_kmh)
    leg_f = _leg_cost(fac, metric, offroad_speed_kmh)
    search = _augmented(
        graph, fac, usable=usable, fac_leg=leg_f, metric=metric, direction=direction
    )
    unreachable = (
        f"no facility of layer {layer_name!r} can be reached on network {graph.name!r} "
        f"(separate part of the network or one-way streets)"
    )
    if statistic in {"nearest", "detour_ratio"}:
        best, which, _, _ = _nearest(graph, search, origins, fac, leg_f)
        value = best + leg_o
    else:
        value, which, note = _several(
            graph,
            search,
            origins,
            fac,
            leg_f=leg_f,
            leg_o=leg_o,
            statistic=statistic,
            k=k,
            within=within,
        )
        if note is not None:
            unreachable = note.format(layer=layer_name, network=graph.name)
    straight = np.full(len(origins), np.nan)
    has = which >= 0
    # both ends are points: plain coordinates are exact and far cheaper than GEOS calls
    a = origins.origin_xy[has]
    b = fac.origin_xy[which[has]]
    straight[has] = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    if statistic == "detour_ratio":
        ratio = np.full(len(origins), np.nan)
        ok = has & (straight >= 1.0)
        ratio[ok] = value[ok] / straight[ok]
        fine = pd.isna(reasons)
        reasons[has & ~ok & fine] = (
            "parcel and facility less than 1 m apart: detour ratio undefined"
        )
        value = ratio
    fine = pd.isna(reasons)
    reasons[~np.isfinite(value) & fine] = unreachable
    value = np.where(pd.isna(reasons) & np.isfinite(value), value, np.nan)
    return _reduce_owners(
        origins,
        statistic=statistic,
        value=value,
        reasons=reasons,
        straight=straight,
        which=which,
    )


def _check_args(
    *,
    metric: str,
    statistic: str,
    k: int,
    within: float | None,
    direction: str,
    offroad_speed_kmh: float | None,
) -> None:
    _check_choice("metric", metric, ("time", "distance"))
    _check_choice(
        "statistic",
        statistic,
        ("nearest", "kth_nearest", "mean_k_nearest", "count_within", "detour_ratio"),
    )
    _check_choice("direction", direction, ("to", "from"))
    if statistic in {"kth_nearest", "mean_k_nearest"} and k < 1:
        msg = f"k must be at least 1 for {statistic!r}, got {k!r}"
        raise ParameterError(msg)
    if statistic == "count_within" and (within is None or not within > 0):
        msg = f"count_within needs a positive 'within' threshold, got {within!r}"
        raise ParameterError(msg)
    if offroad_speed_kmh is not None and not offroad_speed_kmh > 0:
        msg = f"offroad_speed_kmh must be positive or None, got {offroad_speed_kmh!r}"
        raise ParameterError(msg)


def _usable_facilities(
    graph: RoadGraph,
    fac: Snap,
    *,
    max_snap_m: float | None,
    min_component_share: float,
    layer_name: str,
) -> np.ndarray:
    if len(fac) == 0:
        msg = f"layer {layer_name!r} has no facilities to measure to; check its 'where' filter"
        raise LayerError(msg)
    flags = _flags(graph, fac, max_snap_m=max_snap_m, min_component_share=min_component_share)
    usable = pd.isna(flags)
    if not usable.any():
        msg = (
            f"no facility of layer {layer_name!r} can join network {graph.name!r}: "
            f"{flags[0]}; raise access.max_snap_m or use a network that reaches them"
        )
        raise NetworkError(msg)
    if not usable.all():
        dropped = int((~usable).sum())
        warnings.warn(
            f"{dropped} of {len(fac)} facilities of layer {layer_name!r} left out of network "
            f"{graph.name!r}: {flags[~usable][0]}",
            UserWarning,
            stacklevel=3,
        )
    return usable


def _several(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    fac: Snap,
    *,
    leg_f: np.ndarray,
    leg_o: np.ndarray,
    statistic: Statistic,
    k: int,
    within: float | None,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Compute statistics over several facilities: one bounded search per facility."""
    n_o = len(origins)
    n_use = int(search.usable.sum())
    counting = statistic == "count_within"
    kk = 1 if counting else min(k, n_use)
    top = np.full((n_o, kk), np.inf)
    top_j = np.full((n_o, kk), -1, dtype=np.int64)
    count = np.zeros(n_o)
    limit = float(within) if counting and within is not None else np.inf
    for chunk, raw in _per_facility(graph, search, origins, fac, leg_f, limit=limit):
        cost = raw + leg_o[:, None]
        if counting:
            count += (cost <= limit).sum(axis=1)
        both = np.concatenate([top, cost], axis=1)
        both_j = np.concatenate([top_j, np.broadcast_to(chunk, cost.shape)], axis=1)
        part = np.argpartition(both, kk - 1, axis=1)[:, :kk]
        top = np.take_along_axis(both, part, axis=1)
        top_j = np.take_along_axis(both_j, part, axis=1)
    order = np.argsort(top, axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_j = np.take_along_axis(top_j, order, axis=1)
    nearest_j = np.where(np.isfinite(top[:, 0]), top_j[:, 0], -1)
    if counting:
        return count, nearest_j, None
    if k > n_use:
        note = f"layer {{layer!r}} has only {n_use} usable facilities, k = {k}"
        return np.full(n_o, np.nan), np.full(n_o, -1, dtype=np.int64), note
    note = (
        f"fewer than k = {k} facilities of layer {{layer!r}} can be reached on network "
        "{network!r}"
    )
    if statistic == "kth_nearest":
        value = top[:, kk - 1]
        return value, np.where(np.isfinite(value), top_j[:, kk - 1], -1), note
    return top.mean(axis=1), nearest_j, note


def _reduce_owners(
    origins: Snap,
    *,
    statistic: Statistic,
    value: np.ndarray,
    reasons: npt.NDArray[np.object_],
    straight: np.ndarray,
    which: np.ndarray,
) -> AccessResult:
    """Give each parcel the value of its best origin (gate)."""
    if len(origins) == origins.n_owners and np.array_equal(
        origins.owner, np.arange(origins.n_owners)
    ):
        chosen = np.arange(origins.n_owners, dtype=np.int64)  # one origin per parcel
    else:
        rank = -value if statistic == "count_within" else value
        rank = np.where(np.isnan(rank), np.inf, rank)
        order = np.lexsort((rank, origins.owner))
        owner_sorted = origins.owner[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = owner_sorted[1:] != owner_sorted[:-1]
        chosen = np.full(origins.n_owners, -1, dtype=np.int64)
        chosen[owner_sorted[first]] = order[first]
    missing = chosen < 0
    c = np.maximum(chosen, 0)
    out_reasons = reasons[c] if len(reasons) else np.full(len(chosen), None, dtype=object)
    out_reasons[missing] = "no access point joins the road network"

    def pick(a: np.ndarray, fill: Any) -> np.ndarray:
        return np.where(missing, fill, a[c]) if len(a) else np.full(len(chosen), fill)

    return AccessResult(
        values=pick(value, np.nan).astype(np.float64),
        reasons=out_reasons.tolist(),
        snap_m=pick(origins.distance_m, np.nan).astype(np.float64),
        straight_m=pick(straight, np.nan).astype(np.float64),
        facility=pick(which, -1).astype(np.int64),
        origin=chosen,
    )


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        msg = f"{name} {value!r} is not known; use one of {list(choices)}"
        raise ParameterError(msg)


# --------------------------------------------------------------------------------------------
# paths for maps


def _edge_between(graph: RoadGraph, metric: Metric, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the cheapest edge a->b for each pair (both must be adjacent)."""
    return graph.edge_between(a, b, metric=metric)


def _walk(
    graph: RoadGraph, metric: Metric, pred: np.ndarray, start: int, n: int, *, reverse: bool
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Follow predecessors from ``start`` to the virtual source; return nodes and edge coords."""
    chain = [start]
    while chain[-1] < n and pred[chain[-1]] >= 0:
        chain.append(int(pred[chain[-1]]))
    nodes = np.array([c for c in chain if c < n])
    if reverse:
        nodes = nodes[::-1]
    edges = _edge_between(graph, metric, nodes[:-1], nodes[1:])
    return nodes, [shapely.get_coordinates(graph.edge_geometry[x]) for x in edges]


def _part(geom: shapely.LineString, start: float, end: float) -> np.ndarray:
    from shapely.ops import substring  # noqa: PLC0415

    piece = substring(geom, min(start, end), max(start, end), normalized=True)
    coords: np.ndarray = shapely.get_coordinates(piece)
    return coords[::-1] if start > end else coords


def network_paths(
    graph: RoadGraph,
    parcels: Snap | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    facilities: Snap | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    metric: Metric = "time",
    direction: Direction = "to",
    offroad_speed_kmh: float | None = None,
    max_snap_m: float | None = None,
    min_component_share: float = 0.0,
    max_paths: int = 1000,
) -> gpd.GeoDataFrame:
    """Draw the cheapest network path from each parcel to its nearest facility.

    Each path runs from the parcel's access origin along its straight leg, the partial first
    edge, the graph's edges, the partial last edge and the facility's leg, in travel order.

    Parameters
    ----------
    graph, parcels, facilities, metric, direction, offroad_speed_kmh
        As in :func:`accessibility`.
    max_snap_m, min_component_share
        Facilities failing these are left out, as in :func:`accessibility`.
    max_paths
        Draw paths for at most this many origins (the first ones).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``parcel`` (owner position), ``facility`` (position), ``cost`` (minutes or
        metres, legs included) and the path geometry; unreachable parcels have no row.
    """
    origins = _as_snap(graph, parcels, "parcels")
    fac = _as_snap(graph, facilities, "facilities")
    flags = _flags(graph, fac, max_snap_m=max_snap_m, min_component_share=min_component_share)
    usable = pd.isna(flags)
    leg_o = _leg_cost(origins, metric, offroad_speed_kmh)
    leg_f = _leg_cost(fac, metric, offroad_speed_kmh)
    search = _augmented(
        graph, fac, usable=usable, fac_leg=leg_f, metric=metric, direction=direction
    )
    best, which, port, state = _nearest(graph, search, origins, fac, leg_f, keep_tree=True)
    pred, via = state["pred"], state["via"]
    rows: list[dict[str, Any]] = []
    geoms: list[shapely.LineString] = []
    n = search.n
    for i in range(min(len(origins), max_paths)):
        if not np.isfinite(best[i]) or origins.edge[i] < 0:
            continue
        j = int(which[i])
        e, s = int(origins.edge[i]), float(origins.fraction[i])
        ge = graph.edge_geometry[e]
        fe, t = int(fac.edge[j]), float(fac.fraction[j])
        gf = graph.edge_geometry[fe]
        if port[i] == 0:
            middle = [_part(ge, s, t) if direction == "to" else _part(ge, t, s)]
        else:
            nodes, inner = _walk(graph, metric, pred, int(via[i]), n, reverse=direction == "from")
            if direction == "to":
                first = _part(ge, s, 1.0) if port[i] == 1 else _part(ge, s, 0.0)
                last = _part(gf, 0.0, t) if nodes[-1] == graph.edge_u[fe] else _part(gf, 1.0, t)
                middle = [first, *inner, last]
            else:
                first = _part(gf, t, 1.0) if nodes[0] == graph.edge_v[fe] else _part(gf, t, 0.0)
                last = _part(ge, 0.0, s) if port[i] == 1 else _part(ge, 1.0, s)
                middle = [first, *inner, last]
        start = shapely.get_coordinates(origins.origin[i])
        end = shapely.get_coordinates(fac.origin[j])
        if direction == "from":
            start, end = end, start
        coords = np.concatenate([start, *middle, end])
        keep = np.ones(len(coords), dtype=bool)
        keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
        coords = coords[keep]
        if len(coords) < 2:
            coords = np.concatenate([coords, coords])
        geoms.append(shapely.LineString(coords))
        rows.append(
            {"parcel": int(origins.owner[i]), "facility": j, "cost": float(best[i] + leg_o[i])}
        )
    return gpd.GeoDataFrame(
        rows or {"parcel": [], "facility": [], "cost": []},
        geometry=gpd.GeoSeries(geoms, crs=graph.crs),
        crs=graph.crs,
    )
