"""The road graph: flat arrays of nodes and directed edges in a metric CRS."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from geosite.errors import CRSError, NetworkError, ParameterError
from geosite.network.speeds import _TIME_PER_M_AT_1KMH, Profile, _check_profile, _edge_speeds

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from geosite.types import CRSLike


Metric = Literal["time", "distance"]


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
