"""Accessibility statistics: each parcel's cost to the nearest, k-th nearest or all facilities."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import shapely

from geosite.errors import LayerError, NetworkError, ParameterError
from geosite.i18n import layer_name as readable_layer
from geosite.i18n import network_name, phrase
from geosite.network._validate import _check_choice
from geosite.network.routing import (
    Direction,
    _augmented,
    _leg_cost,
    _nearest,
    _per_facility,
    _Search,
)
from geosite.network.snapping import Snap, _as_snap, _flags
from geosite.tolerance import widen

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy.typing as npt

    from geosite.network.graph import Metric, RoadGraph


Statistic = Literal["nearest", "kth_nearest", "mean_k_nearest", "count_within", "detour_ratio"]


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
    >>> from geosite.network import graph_from_gdf
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
    names = {
        "layer": readable_layer(layer_name),
        "network": network_name(graph.name, profile=graph.profile),
    }
    unreachable = phrase("reason.unreachable", **names)
    blocked = ~pd.isna(reasons)
    if statistic in {"nearest", "detour_ratio"}:
        best, which, port, _ = _nearest(graph, search, origins, fac, leg_f)
        value = best + leg_o
        rank = value
        origin_xy = _join_xy(graph, origins, port=port, leaving=direction == "to")
    else:
        value, which, rank, note = _several(
            graph,
            search,
            origins,
            fac,
            leg_f=leg_f,
            leg_o=leg_o,
            blocked=blocked,
            statistic=statistic,
            k=k,
            within=within,
        )
        origin_xy = origins.origin_xy
        if note is not None:
            unreachable = phrase(note[0], **names, **note[1])
    straight = np.full(len(origins), np.nan)
    has = which >= 0
    # both ends are points: plain coordinates are exact and far cheaper than GEOS calls
    a = origin_xy[has]
    b = fac.origin_xy[fac.first_row[which[has]]]
    straight[has] = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    if statistic == "detour_ratio":
        ratio = np.full(len(origins), np.nan)
        ok = has & (straight >= 1.0)
        ratio[ok] = value[ok] / straight[ok]
        fine = pd.isna(reasons)
        reasons[has & ~ok & fine] = phrase("reason.detour_undefined")
        value = ratio
    fine = pd.isna(reasons)
    reasons[~np.isfinite(value) & fine] = unreachable
    value = np.where(pd.isna(reasons) & np.isfinite(value), value, np.nan)
    rank = np.where(pd.isna(reasons), rank, np.inf)
    return _reduce_owners(
        origins,
        rank=rank,
        value=value,
        reasons=reasons,
        straight=straight,
        which=which,
    )


def _join_xy(
    graph: RoadGraph, origins: Snap, *, port: np.ndarray, leaving: bool
) -> npt.NDArray[np.float64]:
    """Return where each row's route meets it: the leg start, or the used end of a stretch."""
    xy = origins.origin_xy.copy()
    stretch = np.flatnonzero((origins.edge >= 0) & (origins.end > origins.fraction))
    if len(stretch):
        # leaving by v (port 1) or arriving from v (port 2) uses the stretch's far end
        far = (port[stretch] == 1) == leaving
        t = np.where(far, origins.end[stretch], origins.fraction[stretch])
        pts = shapely.line_interpolate_point(
            graph.edge_geometry[origins.edge[stretch]], t, normalized=True
        )
        xy[stretch] = shapely.get_coordinates(pts)
    return xy


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


def check_facilities(
    graph: RoadGraph,
    facilities: Snap | gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    max_snap_m: float | None = 1000.0,
    min_component_share: float = 0.1,
    layer_name: str = "facilities",
) -> None:
    """Refuse facilities :func:`accessibility` could not measure to, before any search.

    Parameters are those of :func:`accessibility`; the facilities are snapped (pass a
    :class:`Snap` to reuse one).

    Raises
    ------
    LayerError
        There are no facilities.
    NetworkError
        No facility can join the network: all are farther than ``max_snap_m`` from a road or
        on parts of the network smaller than ``min_component_share`` of the largest.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from geosite.network import graph_from_gdf
    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame(
    ...     {"class": ["trunk"]}, geometry=[LineString([(0, 0), (7000, 0)])], crs=32648
    ... )
    >>> check_facilities(graph_from_gdf(roads), [Point(3000, 5000)], max_snap_m=1000)
    Traceback (most recent call last):
    ...
    geosite.errors.NetworkError: no facility of layer 'facilities' can join network ...
    """
    fac = _as_snap(graph, facilities, f"facilities of layer {layer_name!r}")
    _usable_facilities(
        graph,
        fac,
        max_snap_m=max_snap_m,
        min_component_share=min_component_share,
        layer_name=layer_name,
        warn=False,
    )


def _usable_facilities(
    graph: RoadGraph,
    fac: Snap,
    *,
    max_snap_m: float | None,
    min_component_share: float,
    layer_name: str,
    warn: bool = True,
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
    kept = np.zeros(fac.n_owners, dtype=bool)
    kept[fac.owner[usable]] = True
    if warn and not kept.all():
        dropped = int((~kept).sum())
        warnings.warn(
            f"{dropped} of {fac.n_owners} facilities of layer {layer_name!r} left out of network "
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
    blocked: np.ndarray,
    statistic: Statistic,
    k: int,
    within: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, dict[str, int]] | None]:
    """Compute statistics over several facilities: one bounded search per facility.

    A parcel's cost to each facility is the least over its rows (the places it joins), so
    the statistics are those of the parcel, not of one of its rows. Returns per row the
    value, the facility it refers to and a rank that is 0 on the row standing for its parcel.
    """
    n_o = origins.n_owners
    starts = origins.first_row
    n_use = len(search.sources)
    counting = statistic == "count_within"
    kk = 1 if counting else min(k, n_use)
    top = np.full((n_o, kk), np.inf)
    top_j = np.full((n_o, kk), -1, dtype=np.int64)
    top_row = np.broadcast_to(starts[:, None], (n_o, kk)).copy()
    count = np.zeros(n_o)
    # A facility exactly `within` away counts, up to rounding error (geosite.tolerance).
    limit = widen(within) if counting and within is not None else np.inf
    for chunk, raw in _per_facility(graph, search, origins, fac, leg_f, limit=limit):
        cost, best_row = _per_parcel(
            origins, np.where(blocked[:, None], np.inf, raw + leg_o[:, None])
        )
        if counting:
            count += (cost <= limit).sum(axis=1)
        both = np.concatenate([top, cost], axis=1)
        both_j = np.concatenate([top_j, np.broadcast_to(chunk, cost.shape)], axis=1)
        both_row = np.concatenate([top_row, best_row], axis=1)
        part = np.argpartition(both, kk - 1, axis=1)[:, :kk]
        top = np.take_along_axis(both, part, axis=1)
        top_j = np.take_along_axis(both_j, part, axis=1)
        top_row = np.take_along_axis(both_row, part, axis=1)
    order = np.argsort(top, axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_j = np.take_along_axis(top_j, order, axis=1)
    top_row = np.take_along_axis(top_row, order, axis=1)
    # The reason given to parcels without a value: a catalogue key and its values, phrased
    # by the caller, which knows the layer and the network.
    note: tuple[str, dict[str, int]] | None = ("reason.too_few_reachable", {"k": k})
    if counting:
        value, col, note = count, 0, None
    elif k > n_use:
        note = ("reason.too_few_facilities", {"count": n_use, "k": k})
        value, col = np.full(n_o, np.nan), 0
    elif statistic == "kth_nearest":
        value, col = top[:, kk - 1], kk - 1
    else:
        value, col = top.mean(axis=1), 0
    which = np.where(np.isfinite(top[:, col]), top_j[:, col], -1)
    if not counting and k > n_use:
        which = np.full(n_o, -1, dtype=np.int64)
    chosen = np.where(np.isfinite(top[:, col]), top_row[:, col], starts)
    # spread the parcel values over its rows: the chosen row carries them
    out = np.full(len(origins), np.nan)
    out_j = np.full(len(origins), -1, dtype=np.int64)
    rank = np.ones(len(origins))
    out[chosen] = value
    out_j[chosen] = which
    rank[chosen] = 0.0
    return out, out_j, rank, note


def _per_parcel(origins: Snap, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a (rows x facilities) cost matrix to parcels; return costs and the row used."""
    rows = np.arange(len(origins))
    if len(origins) == origins.n_owners:
        return cost, np.broadcast_to(rows[:, None], cost.shape)
    starts = origins.first_row
    cost_min = np.minimum.reduceat(cost, starts, axis=0)
    is_min = cost == cost_min[origins.owner]
    best_row = np.minimum.reduceat(np.where(is_min, rows[:, None], len(rows)), starts, axis=0)
    return cost_min, best_row


def _reduce_owners(
    origins: Snap,
    *,
    rank: np.ndarray,
    value: np.ndarray,
    reasons: npt.NDArray[np.object_],
    straight: np.ndarray,
    which: np.ndarray,
) -> AccessResult:
    """Give each parcel the values of its best row (lowest ``rank``: its cheapest join)."""
    if len(origins) == origins.n_owners and np.array_equal(
        origins.owner, np.arange(origins.n_owners)
    ):
        chosen = np.arange(origins.n_owners, dtype=np.int64)  # one row per parcel
    else:
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
    out_reasons[missing] = phrase("reason.no_access_point")

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
