"""Routing: exact searches between snapped points, and the paths drawn on maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from geosite.network.snapping import Snap, _as_snap, _flags
from geosite.network.speeds import _TIME_PER_M_AT_1KMH

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

    from geosite.network.graph import Metric, RoadGraph


Direction = Literal["to", "from"]


_MATRIX_BYTES = 256 * 2**20


def _leg_cost(snap: Snap, metric: Metric, offroad_speed_kmh: float | None) -> np.ndarray:
    if metric == "distance":
        return np.nan_to_num(snap.distance_m, nan=0.0)
    if offroad_speed_kmh is None:
        return np.zeros(len(snap))
    return np.nan_to_num(snap.distance_m, nan=0.0) * _TIME_PER_M_AT_1KMH / offroad_speed_kmh


def _ports(
    graph: RoadGraph, snap: Snap, metric: Metric, *, leaving: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the two nodes a snapped row reaches (``leaving``) or is reached from.

    A row joins edge e (u->v) along [t0, t1]. Leaving it reaches v at (1 - t1) c_e and, along
    the twin edge, u at t0 c_twin; arriving at it comes from u at t0 c_e or from v at
    (1 - t1) c_twin. A stretch that reaches an end of the edge (t0 = 0 or t1 = 1) is on that
    node, so the node is reached at no cost both ways even on a one-way street. Missing ports
    have node -1 and cost inf.
    """
    e = np.where(snap.edge >= 0, snap.edge, 0)
    t0 = np.nan_to_num(snap.fraction, nan=0.0)
    t1 = np.nan_to_num(snap.end, nan=0.0)
    cost = graph.edge_cost(metric)
    tw = graph.edge_twin[e]
    has_tw = (tw >= 0) & (snap.edge >= 0)
    c_tw = np.where(has_tw, cost[np.where(has_tw, tw, 0)], 0.0)
    if leaving:
        n1, c1 = graph.edge_v[e], (1.0 - t1) * cost[e]
        on_node, c2 = t0 == 0.0, t0 * c_tw
        n2 = graph.edge_u[e]
    else:
        n1, c1 = graph.edge_u[e], t0 * cost[e]
        on_node, c2 = t1 == 1.0, (1.0 - t1) * c_tw
        n2 = graph.edge_v[e]
    c2 = np.where(on_node, 0.0, np.where(has_tw, c2, np.inf))
    bad = snap.edge < 0
    n1 = np.where(bad, -1, n1)
    c1 = np.where(bad, np.inf, c1)
    n2 = np.where(bad | ~np.isfinite(c2), -1, n2)
    c2 = np.where(n2 >= 0, c2, np.inf)
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
    """Cost of travelling along a shared edge from start stretches to end stretches."""
    e = start.edge[start_idx]
    s0, s1 = start.fraction[start_idx], start.end[start_idx]
    e0, e1 = end.fraction[end_idx], end.end[end_idx]
    cost = graph.edge_cost(metric)
    tw = graph.edge_twin[e]
    fwd = np.where(e1 >= s0, np.maximum(e0 - s1, 0.0) * cost[e], np.inf)
    back = np.maximum(s0 - e1, 0.0) * cost[np.where(tw >= 0, tw, 0)]
    bwd = np.where((tw >= 0) & (e0 <= s1), back, np.inf)
    return np.asarray(np.minimum(fwd, bwd), dtype=np.float64)


def _same_edge_pairs(origins: Snap, facilities: Snap, usable: np.ndarray) -> pd.DataFrame:
    """Return the (origin row ``i``, facility row ``j``) pairs that join the same edge."""
    left = pd.DataFrame({"edge": origins.edge, "i": np.arange(len(origins))})
    right = pd.DataFrame({"edge": facilities.edge[usable], "j": np.flatnonzero(usable)})
    return left[left["edge"] >= 0].merge(right, on="edge")


@dataclass(frozen=True, eq=False)
class _Search:
    """A multi-source search from facilities, as virtual nodes n..n+K-1 of an augmented graph.

    Facility ``f`` (an owner of the facility :class:`Snap`) is virtual node ``n + f``, linked
    to the ports of all its usable rows.
    """

    matrix: sparse.csr_array
    n: int
    sources: np.ndarray  # virtual node ids of the facilities with a usable row
    usable: np.ndarray  # facility row mask
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
    n, k = graph.n_nodes, facilities.n_owners
    n1, c1, n2, c2 = _ports(graph, facilities, metric, leaving=direction == "from")
    c1 = c1 + fac_leg
    c2 = c2 + fac_leg
    loop = n1 == n2
    c1 = np.where(loop, np.minimum(c1, c2), c1)
    n2 = np.where(loop, -1, n2)
    use1 = usable & (n1 >= 0) & np.isfinite(c1)
    use2 = usable & (n2 >= 0) & np.isfinite(c2)
    counts = np.bincount(facilities.owner, weights=use1.astype(np.int64) + use2, minlength=k)
    cols = np.stack([n1, n2], axis=1)[np.stack([use1, use2], axis=1)]
    vals = np.stack([c1, c2], axis=1)[np.stack([use1, use2], axis=1)]
    indptr = np.concatenate(
        [base.indptr.astype(np.int64), base.indptr[-1] + np.cumsum(counts).astype(np.int64)]
    )
    matrix = sparse.csr_array(
        (
            np.concatenate([base.data, vals]),
            np.concatenate([base.indices, cols]).astype(np.int32),
            indptr,
        ),
        shape=(n + k, n + k),
    )
    owners = np.unique(facilities.owner[usable])
    return _Search(matrix, n, n + owners, usable, direction, metric)


def _nearest(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    facilities: Snap,
    fac_leg: np.ndarray,
    *,
    keep_tree: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Return cost, facility and port used (1, 2 or 0 = along the shared edge) per origin row.

    The state holds ``via`` (the node the route passes, -1 along a shared edge) and
    ``fac_row`` (the facility row of a route along a shared edge, else -1).
    """
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
    fac_row = np.full(len(origins), -1, dtype=np.int64)
    pairs = _same_edge_pairs(origins, facilities, search.usable)
    if len(pairs):
        i = pairs["i"].to_numpy()
        j = pairs["j"].to_numpy()
        direct = _direct_costs(graph, search, origins, facilities, i=i, j=j) + fac_leg[j]
        order = np.lexsort((direct, i))
        i, j, direct = i[order], j[order], direct[order]
        first = np.ones(len(i), dtype=bool)
        first[1:] = i[1:] != i[:-1]
        i, j, direct = i[first], j[first], direct[first]
        better = direct < best[i]
        best[i[better]] = direct[better]
        fac[i[better]] = facilities.owner[j[better]]
        fac_row[i[better]] = j[better]
        port[i[better]] = 0
        via[i[better]] = -1
    state: dict[str, Any] = {"via": via, "fac_row": fac_row}
    if keep_tree:
        state.update(pred=pred, dist=dist)
    return best, fac.astype(np.int64), port, state


def _direct_costs(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    facilities: Snap,
    *,
    i: np.ndarray,
    j: np.ndarray,
) -> np.ndarray:
    """Cost between origin rows ``i`` and facility rows ``j`` along their shared edge."""
    if search.direction == "to":
        return _direct(
            graph, start=origins, start_idx=i, end=facilities, end_idx=j, metric=search.metric
        )
    return _direct(
        graph, start=facilities, start_idx=j, end=origins, end_idx=i, metric=search.metric
    )


def _per_facility(
    graph: RoadGraph,
    search: _Search,
    origins: Snap,
    facilities: Snap,
    fac_leg: np.ndarray,
    *,
    limit: float,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (facility positions, cost matrix origin rows x facilities) chunk by chunk."""
    n1, c1, n2, c2 = _ports(graph, origins, search.metric, leaving=search.direction == "to")
    fac_pos = search.sources - search.n
    width = max(search.n + facilities.n_owners, len(origins), 1)
    step = max(1, min(64, _MATRIX_BYTES // (8 * 3 * width)))
    pairs = _same_edge_pairs(origins, facilities, search.usable)
    if len(pairs):
        pairs["f"] = facilities.owner[pairs["j"].to_numpy()]
    for lo in range(0, len(fac_pos), step):
        chunk = fac_pos[lo : lo + step]
        dist = csgraph.dijkstra(search.matrix, directed=True, indices=search.n + chunk, limit=limit)
        dist = np.atleast_2d(dist)
        cost = np.where(n1 >= 0, c1 + dist[:, np.maximum(n1, 0)], np.inf)
        cost = np.minimum(cost, np.where(n2 >= 0, c2 + dist[:, np.maximum(n2, 0)], np.inf)).T
        if len(pairs):
            sel = pairs[pairs["f"].isin(chunk)]
            if len(sel):
                i = sel["i"].to_numpy()
                j = sel["j"].to_numpy()
                direct = _direct_costs(graph, search, origins, facilities, i=i, j=j)
                col = np.searchsorted(chunk, sel["f"].to_numpy())
                np.minimum.at(cost, (i, col), direct + fac_leg[j])
        yield chunk, cost


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


def _shared_stretch(
    graph: RoadGraph,
    metric: Metric,
    edge: int,
    start: tuple[float, float],
    end: tuple[float, float],
) -> tuple[float, float]:
    """Return the cheapest (from, to) fractions between two stretches of one edge."""
    cost = graph.edge_cost(metric)
    twin = int(graph.edge_twin[edge])
    fwd = max(end[0] - start[1], 0.0) * cost[edge] if end[1] >= start[0] else np.inf
    bwd = max(start[0] - end[1], 0.0) * cost[twin] if twin >= 0 and end[0] <= start[1] else np.inf
    p = min(max(end[0] if fwd <= bwd else end[1], start[0]), start[1])
    return p, min(max(p, end[0]), end[1])


def _facility_row(graph: RoadGraph, fac: Snap, owner: int, node: int) -> int:
    """Return a row of facility ``owner`` whose stretch a route meets at ``node``."""
    rows = np.flatnonzero(fac.owner == owner)
    e = fac.edge[rows]
    meets = (graph.edge_u[e] == node) | (graph.edge_v[e] == node)
    return int(rows[np.argmax(meets)])


def _line(parts: list[np.ndarray]) -> shapely.LineString:
    """Join coordinate runs into one line, dropping repeated points."""
    coords = np.concatenate(parts)
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
    coords = coords[keep]
    if len(coords) < 2:
        coords = np.concatenate([coords, coords])
    return shapely.LineString(coords)


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
    to = direction == "to"
    for i in range(min(len(origins), max_paths)):
        if not np.isfinite(best[i]) or origins.edge[i] < 0:
            continue
        j = int(which[i])
        e = int(origins.edge[i])
        s0, s1 = float(origins.fraction[i]), float(origins.end[i])
        ge = graph.edge_geometry[e]
        if port[i] == 0:
            jr = int(state["fac_row"][i])
            f0, f1 = float(fac.fraction[jr]), float(fac.end[jr])
            a0, a1, b0, b1 = (s0, s1, f0, f1) if to else (f0, f1, s0, s1)
            p, q = _shared_stretch(graph, metric, e, (a0, a1), (b0, b1))
            middle = [_part(ge, p, q)]
        else:
            nodes, inner = _walk(graph, metric, pred, int(via[i]), n, reverse=not to)
            jr = _facility_row(graph, fac, j, int(nodes[-1] if to else nodes[0]))
            fe = int(fac.edge[jr])
            f0, f1 = float(fac.fraction[jr]), float(fac.end[jr])
            gf = graph.edge_geometry[fe]
            if to:
                first = _part(ge, s1, 1.0) if port[i] == 1 else _part(ge, s0, 0.0)
                last = _part(gf, 0.0, f0) if nodes[-1] == graph.edge_u[fe] else _part(gf, 1.0, f1)
            else:
                first = _part(gf, f1, 1.0) if nodes[0] == graph.edge_v[fe] else _part(gf, f0, 0.0)
                last = _part(ge, 0.0, s0) if port[i] == 1 else _part(ge, 1.0, s1)
            middle = [first, *inner, last]
        start = shapely.get_coordinates(origins.origin[i])[: int(origins.distance_m[i] > 0)]
        end = shapely.get_coordinates(fac.origin[jr])[: int(fac.distance_m[jr] > 0)]
        if not to:
            start, end = end, start
        geoms.append(_line([start, *middle, end]))
        rows.append(
            {"parcel": int(origins.owner[i]), "facility": j, "cost": float(best[i] + leg_o[i])}
        )
    return gpd.GeoDataFrame(
        rows or {"parcel": [], "facility": [], "cost": []},
        geometry=gpd.GeoSeries(geoms, crs=graph.crs),
        crs=graph.crs,
    )
