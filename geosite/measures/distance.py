"""Straight-line measures: exact edge-to-edge distance to the nearest feature, and counts.

Distances are computed between the parcel polygons and the features themselves (not their
centroids) in the metric analysis CRS, so a parcel that touches or contains a feature is at
0 m and a large parcel is measured from its nearest edge.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import geopandas as gpd
import numpy as np
import shapely
from pydantic import Field

from geosite.errors import LayerError, ParameterError
from geosite.measures.base import (
    MeasureContext,
    MeasureResult,
    MeasureSpec,
    geometry_kinds,
    uncovered_distance,
)
from geosite.tolerance import at_least, widen
from geosite.types import Where

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt

__all__ = ["CountWithinMeasure", "DistanceMeasure", "count_within", "nearest_distance"]

_T = TypeVar("_T")


#: Parcels per query batch: bounds the memory of the pairs a query returns.
DEFAULT_CHUNK = 1 << 16
#: Threads used when a call does not say; ``None``: the cores, at most 8. Code that already
#: runs in parallel (a Dask worker thread) sets 1 here for its own context.
DEFAULT_THREADS: ContextVar[int | None] = ContextVar("geosite_distance_threads", default=None)

_POLYGONAL = (3, 6)  # Polygon, MultiPolygon type ids
#: Features with at most this many vertices per parcel are split into segments and searched
#: with sample bounds; indexing more costs more than the queries save.
_SAMPLED_VERTICES_PER_PARCEL = 4
#: Features with at least this many vertices each are split into segments anyway: an exact
#: distance to a whole large feature costs as much as its vertices.
_LARGE_FEATURE_VERTICES = 64
#: Tests force one search ("whole", "tree" or "samples") to check that all agree.
_FORCE: str | None = None


def _method(n_parcels: int, vertices: int, n_features: int) -> str:
    """Choose the search measured to be cheapest (in CPU time) for these sizes."""
    if _FORCE is not None:
        return _FORCE
    if vertices <= _SAMPLED_VERTICES_PER_PARCEL * n_parcels:
        return "samples"
    if vertices >= _LARGE_FEATURE_VERTICES * max(n_features, 1):
        return "tree"
    return "whole"


def _geometry_array(geoms: gpd.GeoSeries | npt.ArrayLike) -> npt.NDArray[np.object_]:
    if isinstance(geoms, gpd.GeoSeries | gpd.GeoDataFrame):
        return np.asarray(geoms.geometry.array, dtype=object)
    return np.asarray(geoms, dtype=object)


def _check_batching(chunk_size: int | None, threads: int | None) -> tuple[int, int]:
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        msg = f"chunk_size must be a positive number of parcels, got {chunk_size!r}"
        raise ParameterError(msg)
    if threads is not None and (isinstance(threads, bool) or threads < 1):
        msg = f"threads must be a positive number, got {threads!r}"
        raise ParameterError(msg)
    if threads is None:
        threads = DEFAULT_THREADS.get() or min(os.cpu_count() or 1, 8)
    return chunk_size or DEFAULT_CHUNK, threads


def _batches(n: int, chunk: int) -> list[slice]:
    return [slice(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]


def _run(func: Callable[[slice], _T], parts: list[slice], workers: int) -> list[_T]:
    """Run ``func`` over the batches, in threads: shapely releases the GIL while it works."""
    if workers <= 1 or len(parts) <= 1:
        return [func(part) for part in parts]
    with ThreadPoolExecutor(max_workers=min(workers, len(parts))) as pool:
        return list(pool.map(func, parts))


@dataclass(frozen=True, slots=True)
class _Pieces:
    """Features broken into points and two-point segments, each with its feature position.

    The nearest segment of a feature is as near as the feature itself unless the parcel lies
    strictly inside a polygon feature, and a segment's envelope is tight where a large
    feature's envelope is not, so the tree search examines far fewer candidates.
    """

    geoms: npt.NDArray[np.object_]
    owner: npt.NDArray[np.int64]
    polygons: npt.NDArray[np.object_]
    polygon_owner: npt.NDArray[np.int64]
    #: End points of each piece, (S, 2) each (a point piece starts and ends at itself).
    start: npt.NDArray[np.float64]
    end: npt.NDArray[np.float64]


def _pieces(features: npt.NDArray[np.object_]) -> _Pieces:
    present = np.flatnonzero(~(shapely.is_missing(features) | shapely.is_empty(features)))
    parts, index = shapely.get_parts(features[present], return_index=True)
    owner = present[index]
    kinds = shapely.get_type_id(parts)
    polygonal = np.isin(kinds, _POLYGONAL)
    points = kinds == 0
    # Rings of polygons and the lines themselves, split into one linestring per part.
    lines = np.concatenate([shapely.boundary(parts[polygonal]), parts[~polygonal & ~points]])
    line_owner = np.concatenate([owner[polygonal], owner[~polygonal & ~points]])
    lines, index = shapely.get_parts(lines, return_index=True)
    line_owner = line_owner[index]
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = np.flatnonzero(index[1:] == index[:-1])
    pairs = np.stack([coords[same], coords[same + 1]], axis=1).reshape(-1, 2)
    segments = shapely.linestrings(pairs, indices=np.repeat(np.arange(len(same)), 2))
    point_xy = shapely.get_coordinates(parts[points])
    return _Pieces(
        geoms=np.concatenate([parts[points], np.asarray(segments, dtype=object)]),
        owner=np.concatenate([owner[points], line_owner[index[same]]]).astype(np.int64),
        polygons=parts[polygonal],
        polygon_owner=owner[polygonal].astype(np.int64),
        start=np.concatenate([point_xy, coords[same]]),
        end=np.concatenate([point_xy, coords[same + 1]]),
    )


def _first_of_each(
    rows: npt.NDArray[np.int64], values: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return each distinct row and its smallest value."""
    order = np.lexsort((values, rows))
    rows, values = rows[order], values[order]
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else rows
    return rows[first], values[first]


def nearest_distance(
    geoms: gpd.GeoSeries | npt.ArrayLike,
    features: gpd.GeoSeries | npt.ArrayLike,
    *,
    chunk_size: int | None = None,
    threads: int | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Measure the exact distance from each geometry to its nearest feature.

    Both inputs must be in the same projected CRS; the unit of the result is that CRS's unit
    (metres in EPSG:32648). The distance is edge to edge: 0 when a geometry touches, overlaps
    or contains a feature, or lies inside a polygon feature.

    When the features have few vertices per parcel (at most 4), or many per feature (64 and
    more), they are indexed as points and two-point segments (polygon rings and lines split at
    their vertices) and parcels are tested for lying inside a polygon feature; a bound from
    points sampled along the segments leaves few segments to measure exactly. Otherwise the
    whole features are indexed, which is then cheaper. Every way gives the same distances.
    Parcels are processed in batches of ``chunk_size`` on ``threads`` threads, so memory
    grows with the number of parcels, never with parcels times features.

    Parameters
    ----------
    geoms
        The geometries to measure from (candidate parcels). Missing or empty geometries get
        ``NaN`` and ``-1``.
    features
        The features to measure to (ports, roads, parks). Missing or empty features are
        skipped.
    chunk_size
        Parcels per batch (default 65,536); results do not depend on it.
    threads
        Worker threads (default: :data:`DEFAULT_THREADS`, else the number of cores, at most
        8); results do not depend on it.

    Returns
    -------
    distances
        float64 array, one distance per geometry.
    nearest
        Position in ``features`` of the nearest feature of each geometry (the lowest position
        on ties).

    Raises
    ------
    ParameterError
        No features, or a non-positive ``chunk_size`` or ``threads``.

    Examples
    --------
    >>> from shapely import Point, box
    >>> d, i = nearest_distance([box(0, 0, 10, 10)], [Point(13, 14), Point(50, 50)])
    >>> float(d[0]), int(i[0])
    (5.0, 0)
    """
    chunk, workers = _check_batching(chunk_size, threads)
    src = _geometry_array(geoms)
    dst = _geometry_array(features)
    if len(dst) == 0 or bool(np.all(shapely.is_missing(dst) | shapely.is_empty(dst))):
        msg = "no features to measure to"
        raise ParameterError(msg)
    distances = np.full(len(src), np.nan)
    nearest = np.full(len(src), -1, dtype=np.int64)
    vertices = shapely.get_num_coordinates(dst)
    method = _method(len(src), int(vertices.sum()), int(np.count_nonzero(vertices)))
    if method == "whole":
        _nearest_whole(src, dst, distances, nearest, chunk=chunk, workers=workers)
        return distances, nearest
    pieces = _pieces(dst)
    tree = shapely.STRtree(pieces.geoms)
    inside = _inside_polygons(src, pieces)
    present = ~(shapely.is_missing(src) | shapely.is_empty(src))
    samples = _Samples(pieces, spacing=_typical_size(src[present])) if method == "samples" else None

    def batch(part: slice) -> None:
        base = part.start
        # Parcels at 0: inside a polygon feature, or meeting a point or segment of a feature.
        i, j = tree.query(src[part], predicate="intersects")
        rows = np.concatenate([i.astype(np.int64) + base, inside[0][_within(inside[0], part)]])
        owners = np.concatenate([pieces.owner[j], inside[1][_within(inside[0], part)]])
        rows, owners = _first_of_each(rows, owners)
        distances[rows] = 0.0
        nearest[rows] = owners
        rest = np.flatnonzero(np.isnan(distances[part]) & present[part]) + base
        if samples is None:
            rows, d, owners = _nearest_by_tree(src[rest], pieces, tree)
        else:
            rows, d, owners = _nearest_pieces(src[rest], pieces, tree, samples)
        distances[rest[rows]] = d
        nearest[rest[rows]] = owners
        missed = rest[np.isnan(distances[rest])]
        if len(missed):  # pragma: no cover - the bound always finds a piece; belt and braces
            rows, d, owners = _nearest_by_tree(src[missed], pieces, tree)
            distances[missed[rows]] = d
            nearest[missed[rows]] = owners

    _run(batch, _batches(len(src), chunk), workers)
    return distances, nearest


def _nearest_whole(
    src: npt.NDArray[np.object_],
    dst: npt.NDArray[np.object_],
    distances: npt.NDArray[np.float64],
    nearest: npt.NDArray[np.int64],
    *,
    chunk: int,
    workers: int,
) -> None:
    """Fill ``distances`` and ``nearest`` from a tree of the whole features.

    Cheaper than segments when the features have far more vertices than there are parcels:
    splitting them would cost more than the queries save.
    """
    tree = shapely.STRtree(dst)

    def batch(part: slice) -> None:
        (i, j), d = tree.query_nearest(src[part], return_distance=True, all_matches=True)
        rows, owners = _first_of_each(i.astype(np.int64), j.astype(np.int64))
        distances[part.start + i] = d
        nearest[part.start + rows] = owners

    _run(batch, _batches(len(src), chunk), workers)


class _Samples:
    """Points along every piece, at most ``spacing`` apart, in a k-d tree.

    The nearest sample to a point of a parcel is a cheap upper bound of the parcel's
    distance to the features; it limits the pieces that need an exact distance.
    """

    def __init__(self, pieces: _Pieces, *, spacing: float) -> None:
        a, b = pieces.start, pieces.end
        length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
        # Never more than about four samples per piece plus a million.
        budget = 4 * len(a) + 1_000_000
        spacing = max(spacing, float(length.sum()) / budget, 1e-9)
        k = np.maximum(1, np.ceil(length / spacing)).astype(np.int64)
        piece = np.repeat(np.arange(len(a)), k)
        t = (np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)) / np.repeat(k, k)
        points = np.vstack([a[piece] + t[:, None] * (b - a)[piece], b])
        from scipy.spatial import cKDTree  # noqa: PLC0415 - scipy.spatial is slow to import

        self.tree = cKDTree(points)

    def upper_bound(self, xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        dist, _ = self.tree.query(xy)
        # Interpolated samples may lie a rounding error off their piece.
        return np.asarray(dist, dtype=np.float64) * (1 + 1e-9) + 1e-6


def _typical_size(geoms: npt.NDArray[np.object_]) -> float:
    """Return the median envelope diagonal of (a sample of) the geometries, in CRS units."""
    if len(geoms) == 0:
        return 1.0
    step = max(1, len(geoms) // 10_000)
    b = shapely.bounds(geoms[::step])
    return max(float(np.median(np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))), 1.0)


def _point_segment(
    p: npt.NDArray[np.float64], a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Distance from points to segments (or points, where a == b), row by row."""
    ab = b - a
    ap = p - a
    den = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(den > 0, np.einsum("ij,ij->i", ap, ab) / den, 0.0)
    t = np.clip(t, 0.0, 1.0)
    q = a + t[:, None] * ab
    return np.asarray(np.hypot(p[:, 0] - q[:, 0], p[:, 1] - q[:, 1]), dtype=np.float64)


def _nearest_pieces(
    geoms: npt.NDArray[np.object_], pieces: _Pieces, tree: shapely.STRtree, samples: _Samples
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return (row, distance, feature) of the nearest piece of each geometry, exactly.

    ``v``, a vertex of the geometry, gives an upper bound of its distance: the nearest sample
    to ``v``, then the exact distance from ``v`` to each piece found near it. A piece can be
    the nearest only if a lower bound of its distance (the gap between envelopes, or its
    distance from ``v`` less the geometry's extent around ``v``) does not exceed that upper
    bound; only those pieces get an exact GEOS distance, and ties go to the lowest feature.
    """
    empty = np.empty(0, dtype=np.int64)
    if len(geoms) == 0:
        return empty, np.empty(0), empty
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    v = coords[starts]
    spread = np.hypot(
        *(coords - v[np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(coords)]))]).T
    )
    extent = np.maximum.reduceat(spread, starts)
    reach = samples.upper_bound(v)
    bounds = shapely.bounds(geoms)
    grown = shapely.box(
        bounds[:, 0] - reach, bounds[:, 1] - reach, bounds[:, 2] + reach, bounds[:, 3] + reach
    )
    i, j = tree.query(grown)
    # Pairs come grouped by geometry; keep them so (reduceat needs contiguous groups).
    order = np.argsort(i, kind="stable")
    i, j = i[order].astype(np.int64), j[order]
    via_v = _point_segment(v[i], pieces.start[j], pieces.end[j])
    group = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    size = np.diff(np.r_[group, len(i)])
    upper = np.repeat(np.minimum.reduceat(via_v, group), size)
    lo = np.minimum(pieces.start[j], pieces.end[j])
    hi = np.maximum(pieces.start[j], pieces.end[j])
    gap_x = np.maximum(0.0, np.maximum(bounds[i, 0] - hi[:, 0], lo[:, 0] - bounds[i, 2]))
    gap_y = np.maximum(0.0, np.maximum(bounds[i, 1] - hi[:, 1], lo[:, 1] - bounds[i, 3]))
    lower = np.maximum(np.hypot(gap_x, gap_y), via_v - extent[i])
    keep = lower <= upper * (1 + 1e-9) + 1e-9
    i, j = i[keep], j[keep]
    d = shapely.distance(geoms[i], pieces.geoms[j])
    owner = pieces.owner[j]
    group = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    size = np.diff(np.r_[group, len(i)])
    best = np.minimum.reduceat(d, group)
    # Among the pieces at exactly the smallest distance, the lowest feature position.
    tied = np.where(d == np.repeat(best, size), owner, np.iinfo(np.int64).max)
    return i[group], best, np.minimum.reduceat(tied, group)


def _nearest_by_tree(
    geoms: npt.NDArray[np.object_], pieces: _Pieces, tree: shapely.STRtree
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return (row, distance, feature) of the nearest piece of each geometry, by tree search."""
    (i, j), d = tree.query_nearest(geoms, return_distance=True, all_matches=True)
    # all_matches gives every piece at the (same) smallest distance: keep the lowest feature.
    rows, owners = _first_of_each(i.astype(np.int64), pieces.owner[j])
    best = np.empty(len(geoms))
    best[i] = d
    return rows, best[rows], owners


def _within(rows: npt.NDArray[np.int64], part: slice) -> npt.NDArray[np.bool_]:
    return np.asarray((rows >= part.start) & (rows < part.stop), dtype=bool)


def _inside_polygons(
    src: npt.NDArray[np.object_], pieces: _Pieces
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return (parcel, feature) pairs where a vertex of the parcel lies in a polygon feature.

    A parcel meeting no ring of a polygon is, part by part, entirely inside or outside it,
    so the first vertex of each part decides; parcels crossing a ring are found by the
    segment query. The polygons are the query side so that each is prepared once and
    tested against a tree of the vertices (point in polygon in logarithmic time).
    """
    empty = np.empty(0, dtype=np.int64)
    if len(pieces.polygons) == 0 or len(src) == 0:
        return empty, empty
    parts, index = shapely.get_parts(src, return_index=True)
    coords, cindex = shapely.get_coordinates(parts, return_index=True)
    if len(coords) == 0:
        return empty, empty
    first = np.flatnonzero(np.r_[True, cindex[1:] != cindex[:-1]])
    owner = index[cindex[first]].astype(np.int64)
    poly, point = shapely.STRtree(shapely.points(coords[first])).query(
        pieces.polygons, predicate="intersects"
    )
    return owner[point], pieces.polygon_owner[poly]


def count_within(
    geoms: gpd.GeoSeries | npt.ArrayLike,
    features: gpd.GeoSeries | npt.ArrayLike,
    radius: float,
    *,
    chunk_size: int | None = None,
    threads: int | None = None,
) -> npt.NDArray[np.int64]:
    """Count the features within ``radius`` of each geometry (edge to edge, inclusive).

    Pairs are found from envelopes; most are decided by the envelopes alone (surely within,
    surely beyond) and only those near the radius get the exact GEOS test. Parcels are
    queried in batches of ``chunk_size`` on ``threads`` threads: the pairs held at once are
    bounded by the batch, not by parcels times features. A feature exactly ``radius`` away
    counts even when rounding puts it a hair beyond (:mod:`geosite.tolerance`).

    Parameters
    ----------
    geoms
        The geometries counted from (candidate parcels).
    features
        The features counted.
    radius
        Search distance from the parcel's edge, in the CRS's unit (metres), >= 0.
    chunk_size
        Parcels per batch (default 65,536); results do not depend on it.
    threads
        Worker threads (default: the number of cores, at most 8).

    Examples
    --------
    >>> from shapely import Point
    >>> count_within([Point(0, 0)], [Point(3, 4), Point(6, 8), Point(0, 1)], 5.0).tolist()
    [2]
    """
    if not np.isfinite(radius) or radius < 0:
        msg = f"radius must be a finite distance >= 0, got {radius!r}"
        raise ParameterError(msg)
    chunk, workers = _check_batching(chunk_size, threads)
    # A feature exactly `radius` away counts, up to rounding error (geosite.tolerance).
    radius = widen(radius)
    src = _geometry_array(geoms)
    dst = _geometry_array(features)
    tree = shapely.STRtree(dst)
    src_bounds = shapely.bounds(src)
    dst_bounds = shapely.bounds(dst)
    counts = np.zeros(len(src), dtype=np.int64)

    def batch(part: slice) -> None:
        i, j = tree.query(_grown(src_bounds[part], radius))
        sure, maybe = _envelope_bounds(src_bounds[part][i], dst_bounds[j], radius)
        hit = sure
        hit[maybe] = shapely.dwithin(src[part][i[maybe]], dst[j[maybe]], radius)
        counts[part] = np.bincount(i[hit], minlength=part.stop - part.start)

    _run(batch, _batches(len(src), chunk), workers)
    return counts


def _grown(bounds: npt.NDArray[np.float64], radius: float) -> npt.NDArray[np.object_]:
    """Return the envelopes grown by ``radius`` (None for missing geometries)."""
    boxes = np.asarray(
        shapely.box(
            bounds[:, 0] - radius,
            bounds[:, 1] - radius,
            bounds[:, 2] + radius,
            bounds[:, 3] + radius,
        ),
        dtype=object,
    )
    boxes[np.isnan(bounds[:, 0])] = None
    return boxes


def _envelope_bounds(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], radius: float
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Decide pairs from their envelopes: surely within ``radius``, or needing a test.

    Two geometries are within ``radius`` when the farthest corners of their envelopes are
    (every point of one is then near every point of the other), and beyond it when the
    envelopes are; only the pairs in between need the exact GEOS test. The small relative
    margin sends pairs at the radius itself, where rounding could decide, to the exact test.
    """
    r2 = radius * radius
    gap_x = np.maximum(0.0, np.maximum(a[:, 0] - b[:, 2], b[:, 0] - a[:, 2]))
    gap_y = np.maximum(0.0, np.maximum(a[:, 1] - b[:, 3], b[:, 1] - a[:, 3]))
    span_x = np.maximum(a[:, 2] - b[:, 0], b[:, 2] - a[:, 0])
    span_y = np.maximum(a[:, 3] - b[:, 1], b[:, 3] - a[:, 1])
    sure = span_x * span_x + span_y * span_y < r2 * (1.0 - 1e-9)
    maybe = ~sure & (gap_x * gap_x + gap_y * gap_y <= r2 * (1.0 + 1e-9))
    return np.asarray(sure, dtype=bool), np.asarray(maybe, dtype=bool)


def _features(ctx: MeasureContext, layer: str, where: Where | None) -> gpd.GeoDataFrame:
    features = ctx.load_layer(layer, where)
    if len(features) == 0:
        msg = f"layer {layer!r} has no features to measure to"
        raise LayerError(msg)
    return features


class DistanceMeasure(MeasureSpec):
    """Straight-line distance (m) from each parcel's edge to the nearest feature of a layer.

    YAML::

        measure: {type: distance, layer: ports, where: {port_id: cai-mep-thi-vai}}
    """

    type: Literal["distance"]
    layer: str = Field(
        description="Layer to measure to: a bundled layer or one declared under `layers:`."
    )
    where: Where | None = Field(
        None, description="Keep only features whose attributes match, e.g. {kind: seaport}."
    )

    unit: ClassVar[str] = "m"
    higher_is_better: ClassVar[bool | None] = False

    def layers_used(self) -> list[str]:
        """Return the layer measured to."""
        return [self.layer]

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse a layer that cannot be read or has no feature left by ``where``."""
        _features(ctx, self.layer, self.where)

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Measure the distance from every candidate to the nearest feature."""
        features = _features(ctx, self.layer, self.where)
        distances, nearest = nearest_distance(ctx.candidates.geometry, features.geometry)
        names = np.asarray(_feature_labels(features), dtype=object)
        kinds = geometry_kinds(features.geometry)
        found = nearest >= 0
        nearest_name = np.full(len(nearest), None, dtype=object)
        nearest_kind = np.full(len(nearest), None, dtype=object)
        nearest_name[found] = names[nearest[found]]
        nearest_kind[found] = kinds[nearest[found]]
        extra: dict[str, npt.NDArray[Any]] = {
            "nearest": nearest_name,
            "measured_to_kind": nearest_kind,
        }
        coverage = features.attrs.get("coverage")
        if coverage is not None:
            # A feature beyond the layer's coverage could be nearer than the edge of it.
            edge = uncovered_distance(ctx.candidates.geometry, coverage)
            extra["coverage_edge_m"] = edge
            extra["upper_bound"] = np.isfinite(distances) & (distances > edge)
        return MeasureResult(values=distances, unit=self.unit, extra=extra, features=features)


class CountWithinMeasure(MeasureSpec):
    """Number of features of a layer within ``radius_m`` of each parcel (edge to edge).

    YAML::

        measure: {type: count_within, layer: industrial_parks, radius_m: 10000}
    """

    type: Literal["count_within"]
    layer: str = Field(description="Layer whose features are counted.")
    where: Where | None = Field(None, description="Keep only features whose attributes match.")
    radius_m: float = Field(gt=0, description="Search radius from the parcel edge, in metres.")

    unit: ClassVar[str] = "count"
    higher_is_better: ClassVar[bool | None] = True

    def layers_used(self) -> list[str]:
        """Return the layer counted."""
        return [self.layer]

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse a layer that cannot be read or has no feature left by ``where``."""
        _features(ctx, self.layer, self.where)

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Count the features within the radius of every candidate."""
        features = _features(ctx, self.layer, self.where)
        counts = count_within(ctx.candidates.geometry, features.geometry, self.radius_m)
        extra: dict[str, npt.NDArray[Any]] = {}
        coverage = features.attrs.get("coverage")
        if coverage is not None:
            # Where the radius reaches beyond the layer's coverage, more features may lie there.
            edge = uncovered_distance(ctx.candidates.geometry, coverage)
            extra["coverage_edge_m"] = edge
            extra["lower_bound"] = ~at_least(edge, self.radius_m)
        return MeasureResult(
            values=counts.astype(np.float64), unit=self.unit, extra=extra, features=features
        )


def _feature_labels(features: gpd.GeoDataFrame) -> list[str]:
    for column in ("name", "name_en"):
        if column in features.columns:
            return [str(v) for v in features[column].fillna("").tolist()]
    return [str(v) for v in features.index.tolist()]
