"""Zonal statistics of a raster over each parcel: mean, min, max, majority and shares.

The parcels are burnt into the raster's own pixel grid with a vectorised scanline (every
polygon edge at once, in numpy), and the pixels they cover are read block by block through
rasterio windows, so a million parcels need neither one GDAL call per parcel nor the whole
raster in memory. Only the windows that parcels cover are read.

Which pixels count
    ``coverage="centre"`` (the default, as in GDAL and rasterstats) counts a pixel when its
    centre lies inside the parcel. ``coverage="fraction"`` weights every pixel by the exact
    share of its area the parcel covers (computed edge by edge with Green's theorem, as
    exactextract does), so edge pixels count in proportion and a parcel smaller than a
    pixel still gets the pixel it lies in; ``min`` and ``max`` then consider every pixel the
    parcel touches with a positive area.
Parcels without a pixel
    With ``coverage="centre"``, a parcel smaller than a pixel, or a thin one that contains
    no pixel centre, takes the value of the pixel under its centroid (under a point inside
    it when the centroid falls outside, as for a crescent); its ``fallback`` column is
    ``True``. This keeps small parcels in the analysis instead of returning nothing; a pixel
    that is larger than the parcel is still the best available estimate of what the parcel
    sits on. (With ``"fraction"`` only points and lines, which have no area, need this.)
Overlapping parcels
    Each parcel is burnt separately, so overlapping parcels each count every pixel they cover
    (unlike a single label image, which keeps one parcel per pixel).
Nodata
    A pixel is missing when it equals the band's declared nodata value, is NaN, or is masked
    by the dataset's own mask band. A raster with no nodata declared is allowed: then every
    finite value counts, including fill values such as ``-9999`` or ``0`` at the edges;
    declare the fill value with ``nodata=`` when the file does not. Missing pixels are left
    out of every statistic and counted in the ``nodata_pixels`` column; a parcel whose
    pixels are all missing gets NaN.
Other CRSs
    When the raster is not in the parcels' CRS, the parcels are reprojected to the raster's
    CRS, never the raster to theirs, so no pixel value is resampled. Pixel weights in
    ``fraction`` mode are then shares of a pixel in the raster's own grid (for a raster in
    degrees, shares of a pixel's area in degrees, which differ from shares in square metres
    by far less than a part in a thousand across a parcel).
"""

from __future__ import annotations

import logging
import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pydantic import ConfigDict, Field, model_validator

from geosite.errors import CRSError, DataNotFoundError, LayerError, ParameterError
from geosite.i18n import key_name, phrase
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import numpy.typing as npt
    from affine import Affine
    from rasterio.io import DatasetReader
    from rasterio.windows import Window

__all__ = [
    "RasterMeasure",
    "Statistic",
    "check_raster",
    "check_zonal_statistics",
    "zonal_statistics",
]

logger = logging.getLogger(__name__)

Statistic = Literal[
    "mean", "min", "max", "majority", "share_in_classes", "share_above", "share_below"
]
Coverage = Literal["centre", "fraction"]

_STATISTICS: tuple[str, ...] = get_args(Statistic)
_SHARES = frozenset({"share_in_classes", "share_above", "share_below"})
#: Side of the square blocks (pixels) in which the raster is read.
_BLOCK = 1024
#: Smallest block a sparse block is split into, and the sparseness that triggers a split.
_MIN_BLOCK = 256
_SPARSE = 4
#: Coverage below this share of a pixel is rounding noise, not overlap.
_MIN_WEIGHT = 1e-9
#: Largest number of edge/row crossings handled at once, to bound memory.
_MAX_CROSSINGS = 20_000_000
#: Largest number of pixels gathered at once.
_MAX_PIXELS = 20_000_000


# --------------------------------------------------------------------------- scanline


@dataclass(frozen=True, slots=True)
class _Runs:
    """Horizontal runs of pixels ``[col0, col1)`` in row ``row`` covered by parcel ``owner``."""

    owner: npt.NDArray[np.int64]
    row: npt.NDArray[np.int64]
    col0: npt.NDArray[np.int64]
    col1: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.owner)

    def take(self, index: npt.NDArray[Any] | slice) -> _Runs:
        return _Runs(
            self.owner[index],
            self.row[index],
            self.col0[index],
            self.col1[index],
            self.weight[index],
        )

    @staticmethod
    def concat(parts: Sequence[_Runs]) -> _Runs:
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return _Runs(empty, empty, empty, empty, np.empty(0))
        return _Runs(
            np.concatenate([p.owner for p in parts]),
            np.concatenate([p.row for p in parts]),
            np.concatenate([p.col0 for p in parts]),
            np.concatenate([p.col1 for p in parts]),
            np.concatenate([p.weight for p in parts]),
        )


_Edges = tuple[
    "npt.NDArray[np.int64]",
    "npt.NDArray[np.float64]",
    "npt.NDArray[np.float64]",
    "npt.NDArray[np.float64]",
    "npt.NDArray[np.float64]",
    "npt.NDArray[np.float64]",
]


@dataclass(frozen=True, slots=True)
class _Grid:
    """Where parcel coordinates land on the raster: CRS change, then pixel coordinates."""

    inverse: Affine
    height: int
    width: int
    name: str
    transformer: pyproj.Transformer | None = None

    def pixel(
        self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Return (column, row) coordinates of points given in the parcels' CRS."""
        if self.transformer is not None and len(x):
            x, y = self.transformer.transform(x, y)
            if not (np.isfinite(x).all() and np.isfinite(y).all()):
                source = self.transformer.source_crs
                target = self.transformer.target_crs
                msg = (
                    f"the parcels ({source.name if source else '?'}) fall outside the area of "
                    f"use of raster {self.name!r}'s CRS ({target.name if target else '?'}): "
                    "reprojecting them gave infinite coordinates"
                )
                raise CRSError(msg)
        i = self.inverse
        return i.a * x + i.b * y + i.c, i.d * x + i.e * y + i.f


def _ring_edges(geoms: npt.NDArray[np.object_], grid: _Grid) -> _Edges:
    """Return every polygon ring edge of ``geoms`` in pixel coordinates.

    Returns ``(owner, u0, v0, u1, v1, orient)``: the parcel of each edge, its end points as
    (column, row) and ``orient``, +1 or -1 so that ``orient * integral(u dv)`` around a ring
    is the ring's area for an exterior ring and minus its area for a hole, whatever the
    ring's stored orientation and the sign of the raster's transform.
    """
    # Polygons without holes (most parcels) are one ring each: read their coordinates
    # directly instead of building part and ring objects.
    simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
        shapely.get_num_interior_rings(geoms) == 0
    )
    simple_idx = np.flatnonzero(simple)
    coords_s, ring_s = shapely.get_coordinates(geoms[simple_idx], return_index=True)
    ring_owner_s = simple_idx
    exterior_s = np.ones(len(simple_idx), dtype=bool)

    other_idx = np.flatnonzero(~simple)
    parts, part_owner = shapely.get_parts(geoms[other_idx], return_index=True)
    part_owner = other_idx[part_owner]
    # Geometry collections may nest multipolygons: flatten until only single parts are left.
    nested = shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT
    while nested.any():
        inner, inner_of = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        part_owner = np.concatenate([part_owner[~nested], part_owner[nested][inner_of]])
        nested = shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, part_owner = parts[polygons], part_owner[polygons]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords_o, ring_o = shapely.get_coordinates(rings, return_index=True)
    exterior_o = np.ones(len(rings), dtype=bool)
    exterior_o[1:] = ring_part[1:] != ring_part[:-1]

    coords = np.concatenate([coords_s, coords_o])
    ring_of = np.concatenate([ring_s, ring_o + len(simple_idx)])
    ring_owner = np.concatenate([ring_owner_s, part_owner[ring_part]]).astype(np.int64)
    exterior = np.concatenate([exterior_s, exterior_o])
    u, v = grid.pixel(coords[:, 0], coords[:, 1])
    same = ring_of[:-1] == ring_of[1:]
    edge_ring = ring_of[:-1][same]
    u0, v0, u1, v1 = u[:-1][same], v[:-1][same], u[1:][same], v[1:][same]
    signed = np.bincount(edge_ring, (u0 + u1) / 2 * (v1 - v0), minlength=len(exterior))
    orient = np.where(exterior, np.sign(signed), -np.sign(signed))[edge_ring]
    return ring_owner[edge_ring], u0, v0, u1, v1, orient


def _scanline(geoms: npt.NDArray[np.object_], grid: _Grid) -> _Runs:
    """Burn polygons into the grid: the runs of pixels whose centre each polygon contains.

    Each polygon is handled on its own with the even-odd rule over all its rings (holes and
    multipolygon parts included); a row is crossed by an edge when the row's centre line
    lies in ``[min(v), max(v))``, so shared vertices are never counted twice. Runs are
    clipped to the grid and have weight 1.
    """
    height, width = grid.height, grid.width
    owner, ua, va, ub, vb, _ = _ring_edges(geoms, grid)
    vmin = np.minimum(va, vb)
    vmax = np.maximum(va, vb)
    first = np.clip(np.ceil(vmin - 0.5), 0, height).astype(np.int64)
    stop = np.clip(np.ceil(vmax - 0.5), 0, height).astype(np.int64)
    n = stop - first
    keep = n > 0
    owner, ua, va, ub, vb, first, n = (
        owner[keep],
        ua[keep],
        va[keep],
        ub[keep],
        vb[keep],
        first[keep],
        n[keep],
    )
    edge, row = _expand(first, n)
    slope = (ub - ua) / (vb - va)
    u = ua[edge] + (row + 0.5 - va[edge]) * slope[edge]
    key = owner[edge] * np.int64(height) + row
    order = np.lexsort((u, key))
    key, u = key[order], u[order]
    # Every ring crosses a row an even number of times, so sorted crossings pair up.
    left, right, key = u[0::2], u[1::2], key[0::2]
    col0 = np.clip(np.ceil(left - 0.5), 0, width).astype(np.int64)
    col1 = np.clip(np.ceil(right - 0.5), 0, width).astype(np.int64)
    keep = col1 > col0
    key = key[keep]
    return _Runs(key // height, key % height, col0[keep], col1[keep], np.ones(int(keep.sum())))


def _expand(
    start: npt.NDArray[np.int64], count: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return ``(item, value)`` enumerating ``start[i], start[i] + 1, ...`` ``count[i]`` times."""
    item = np.repeat(np.arange(len(count)), count)
    offset = np.cumsum(count) - count
    return item, start[item] + (np.arange(int(count.sum())) - offset[item])


def _ramp_integral(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Integral from 0 to ``t`` of ``clip(s, 0, 1) ds``."""
    return np.where(t <= 0, 0.0, np.where(t < 1, 0.5 * t * t, t - 0.5))


def _band_pieces(
    geoms: npt.NDArray[np.object_], grid: _Grid
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:
    """Cut every ring edge at the row boundaries of the grid.

    Returns ``(group, left, right, dv)`` per piece: ``group = parcel * height + row``, the
    piece's column range and its height, signed by the edge's direction and the ring's
    orientation so that the pieces of a parcel add up to its area.
    """
    height = grid.height
    owner, ua, va, ub, vb, orient = _ring_edges(geoms, grid)
    vmin = np.minimum(va, vb)
    vmax = np.maximum(va, vb)
    r_first = np.clip(np.floor(vmin), 0, height).astype(np.int64)
    r_stop = np.clip(np.ceil(vmax), 0, height).astype(np.int64)
    edge, row = _expand(r_first, np.where(vmax > vmin, r_stop - r_first, 0))
    lo_v = np.maximum(vmin[edge], row)
    hi_v = np.minimum(vmax[edge], row + 1)
    keep = hi_v > lo_v
    edge, row, lo_v, hi_v = edge[keep], row[keep], lo_v[keep], hi_v[keep]
    rise = vb - va
    slope = np.divide(ub - ua, rise, out=np.zeros_like(rise), where=rise != 0)
    u_lo = ua[edge] + (lo_v - va[edge]) * slope[edge]
    u_hi = ua[edge] + (hi_v - va[edge]) * slope[edge]
    dv = (hi_v - lo_v) * np.sign(rise)[edge] * orient[edge]
    group = owner[edge] * np.int64(height) + row
    return group, np.minimum(u_lo, u_hi), np.maximum(u_lo, u_hi), dv


class _FullShares:
    """Sum, per (parcel, row) group, of the height of the pieces right of a column."""

    def __init__(
        self,
        group: npt.NDArray[np.int64],
        column: npt.NDArray[np.int64],
        dv: npt.NDArray[np.float64],
        width: int,
    ) -> None:
        self.span = np.int64(width) + 2  # columns -1 .. width, for sortable keys
        key = group * self.span + np.clip(column, -1, width) + 1
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.cumulative = np.concatenate([[0.0], np.cumsum(dv[order])])

    def __call__(
        self, group: npt.NDArray[np.int64], column: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        upto = np.searchsorted(self.key, group * self.span + column + 1, side="right")
        stop = np.searchsorted(self.key, (group + 1) * self.span, side="left")
        return np.asarray(self.cumulative[stop] - self.cumulative[upto], dtype=np.float64)


def _coverage_runs(geoms: npt.NDArray[np.object_], grid: _Grid) -> _Runs:
    """Return runs of pixels weighted by the exact share of their area each polygon covers.

    By Green's theorem the covered area of pixel ``(r, c)`` is the sum over the polygon's
    edges, cut at the row band ``r <= v <= r + 1``, of ``integral(clip(u - c, 0, 1) dv)``
    (signed by the edge's direction and ring orientation). For the columns a piece crosses
    this integral has a closed form; every column left of the piece receives its full
    ``dv``, a running sum that only changes at columns some piece crosses. Edge pixels are
    emitted one by one, the stretches between them as runs.
    """
    height, width = grid.height, grid.width
    group, left, right, dv = _band_pieces(geoms, grid)
    first_col = np.floor(left).astype(np.int64)
    full = _FullShares(group, first_col, dv, width)

    # Edge pixels: the columns each piece crosses, clipped to the grid.
    c_lo = np.maximum(first_col, 0)
    c_hi = np.minimum(np.floor(right).astype(np.int64), width - 1)
    piece, col = _expand(c_lo, np.maximum(c_hi - c_lo + 1, 0))
    run = (right - left)[piece]
    steep = run < 1e-9
    mean_ramp = np.where(
        steep,
        np.clip((left + right)[piece] / 2 - col, 0.0, 1.0),
        (_ramp_integral(right[piece] - col) - _ramp_integral(left[piece] - col))
        / np.where(steep, 1.0, run),
    )
    key, slot = np.unique(group[piece] * full.span + col + 1, return_inverse=True)
    e_group, e_col = key // full.span, key % full.span - 1
    e_weight = np.bincount(slot.ravel(), dv[piece] * mean_ramp) + full(e_group, e_col)

    # Stretches between edge pixels (and the grid's sides) have the running sum as weight.
    groups = np.unique(group)
    b_group = np.concatenate([e_group, groups, groups])
    b_col = np.concatenate([e_col, np.full(len(groups), -1), np.full(len(groups), width)])
    order = np.lexsort((b_col, b_group))
    b_group, b_col = b_group[order], b_col[order]
    same = (b_group[1:] == b_group[:-1]) & (b_col[1:] > b_col[:-1] + 1)
    g_group, g_start, g_stop = b_group[:-1][same], b_col[:-1][same] + 1, b_col[1:][same]

    all_group = np.concatenate([e_group, g_group])
    weight = np.concatenate([e_weight, full(g_group, g_start)])
    col0 = np.concatenate([e_col, g_start])
    col1 = np.concatenate([e_col + 1, g_stop])
    keep = weight > _MIN_WEIGHT
    all_group = all_group[keep]
    return _Runs(all_group // height, all_group % height, col0[keep], col1[keep], weight[keep])


def _runs_for(geoms: npt.NDArray[np.object_], grid: _Grid, fraction: bool) -> _Runs:
    """Return the pixel runs of ``geoms`` with the weight of each pixel in the run."""
    if fraction:
        return _coverage_runs(geoms, grid)
    return _scanline(geoms, grid)


# --------------------------------------------------------------------------- accumulation


class _Accumulator:
    """Running per-parcel sums of the requested statistics over pixel batches."""

    def __init__(
        self,
        n: int,
        stats: Sequence[str],
        classes: npt.NDArray[np.float64] | None,
        threshold: float | None,
    ) -> None:
        self.n = n
        self.stats = set(stats)
        self.classes = classes
        self.threshold = threshold
        self.valid = np.zeros(n)
        self.missing = np.zeros(n)
        self.total = np.zeros(n)
        self.wsum = np.zeros(n)
        self.low = np.full(n, np.inf)
        self.high = np.full(n, -np.inf)
        self.in_classes = np.zeros(n)
        self.above = np.zeros(n)
        self.below = np.zeros(n)
        self.tallies: list[
            tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]
        ] = []

    def add(
        self,
        owner: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
        weight: npt.NDArray[np.float64],
        missing: npt.NDArray[np.bool_],
    ) -> None:
        n = self.n
        self.total += np.bincount(owner, weight, minlength=n)
        if missing.any():
            self.missing += np.bincount(owner[missing], weight[missing], minlength=n)
            ok = ~missing
            owner, values, weight = owner[ok], values[ok], weight[ok]
        self.valid += np.bincount(owner, weight, minlength=n)
        if "mean" in self.stats:
            self.wsum += np.bincount(owner, weight * values, minlength=n)
        if "min" in self.stats:
            np.minimum.at(self.low, owner, values)
        if "max" in self.stats:
            np.maximum.at(self.high, owner, values)
        if "share_in_classes" in self.stats and self.classes is not None:
            hit = np.isin(values, self.classes)
            self.in_classes += np.bincount(owner[hit], weight[hit], minlength=n)
        if self.threshold is not None:
            if "share_above" in self.stats:
                hit = values > self.threshold
                self.above += np.bincount(owner[hit], weight[hit], minlength=n)
            if "share_below" in self.stats:
                hit = values < self.threshold
                self.below += np.bincount(owner[hit], weight[hit], minlength=n)
        if "majority" in self.stats and len(values):
            distinct, code = np.unique(values, return_inverse=True)
            key = owner * np.int64(len(distinct)) + code.ravel()
            keys, slot = np.unique(key, return_inverse=True)
            counts = np.asarray(np.bincount(slot.ravel(), weight), dtype=np.float64)
            self.tallies.append((keys // len(distinct), distinct[keys % len(distinct)], counts))

    def majority(self) -> npt.NDArray[np.float64]:
        """Return the most frequent value per parcel (the smallest one on ties)."""
        out = np.full(self.n, np.nan)
        if not self.tallies:
            return out
        owner = np.concatenate([t[0] for t in self.tallies])
        value = np.concatenate([t[1] for t in self.tallies])
        count = np.concatenate([t[2] for t in self.tallies])
        if len(self.tallies) > 1:
            # Merge tallies of the same (parcel, value) from different batches; each batch
            # is already sorted by parcel, then value.
            order = np.lexsort((value, owner))
            owner, value, count = owner[order], value[order], count[order]
            new = np.ones(len(owner), dtype=bool)
            new[1:] = (owner[1:] != owner[:-1]) | (value[1:] != value[:-1])
            starts = np.flatnonzero(new)
            owner, value, count = owner[starts], value[starts], np.add.reduceat(count, starts)
        # Per parcel (a run of rows sorted by value), the first row with the highest count.
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        best = np.maximum.reduceat(count, starts)
        lengths = np.diff(np.r_[starts, len(owner)])
        is_best = count == np.repeat(best, lengths)
        rank = np.cumsum(is_best) - np.repeat(np.cumsum(is_best)[starts] - is_best[starts], lengths)
        first = is_best & (rank == 1)
        out[owner[first]] = value[first]
        return out

    def result(self, stats: Sequence[str]) -> dict[str, npt.NDArray[np.float64]]:
        has = self.valid > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = {
                "share_in_classes": self.in_classes / self.valid,
                "share_above": self.above / self.valid,
                "share_below": self.below / self.valid,
                "mean": self.wsum / self.valid,
            }
        out: dict[str, npt.NDArray[np.float64]] = {}
        for stat in stats:
            if stat == "min":
                values = self.low.copy()
            elif stat == "max":
                values = self.high.copy()
            elif stat == "majority":
                values = self.majority()
            else:
                values = frac[stat]
            values[~has] = np.nan
            out[stat] = values
        return out


# --------------------------------------------------------------------------- reading


def _pixel_batches(runs: _Runs, block: int) -> Iterator[tuple[Window, _Runs]]:
    """Split runs into raster blocks; yield the tight window each block's runs need.

    Where the parcels in a block are sparse (the window would hold far more pixels than they
    cover), the block is split again into quarters, down to 64 pixels, so scattered parcels
    read small windows instead of whole blocks.
    """
    if not len(runs):
        return
    cb0 = runs.col0 // block
    cb1 = (runs.col1 - 1) // block
    pieces = cb1 - cb0 + 1
    if (pieces > 1).any():
        idx = np.repeat(np.arange(len(runs)), pieces)
        start = np.cumsum(pieces) - pieces
        cb = cb0[idx] + (np.arange(int(pieces.sum())) - start[idx])
        runs = runs.take(idx)
        runs = _Runs(
            runs.owner,
            runs.row,
            np.maximum(runs.col0, cb * block),
            np.minimum(runs.col1, (cb + 1) * block),
            runs.weight,
        )
    else:
        cb = cb0
    ncb = int(cb.max()) + 1
    key = (runs.row // block) * ncb + cb
    order = np.argsort(key, kind="stable")
    key = key[order]
    runs = runs.take(order)
    bounds = np.flatnonzero(np.diff(key)) + 1
    for lo, hi in zip(
        np.concatenate([[0], bounds]), np.concatenate([bounds, [len(key)]]), strict=True
    ):
        part = runs.take(slice(int(lo), int(hi)))
        r0, r1 = int(part.row.min()), int(part.row.max()) + 1
        c0, c1 = int(part.col0.min()), int(part.col1.max())
        needed = int((part.col1 - part.col0).sum())
        if block > _MIN_BLOCK and (r1 - r0) * (c1 - c0) > _SPARSE * needed:
            yield from _pixel_batches(part, block // 2)
        else:
            from rasterio.windows import Window  # noqa: PLC0415 - rasterio loads when used

            yield Window(c0, r0, c1 - c0, r1 - r0), part


def _gather(
    ds: DatasetReader,
    band: int,
    runs: _Runs,
    acc: _Accumulator,
    *,
    nodata: float | None,
    use_mask: bool,
) -> None:
    """Read the windows the runs cover and add their pixels to ``acc``."""
    check_nodata = nodata is not None and not math.isnan(nodata)
    buffer: list[
        tuple[
            npt.NDArray[np.int64],
            npt.NDArray[np.float64],
            npt.NDArray[np.float64],
            npt.NDArray[np.bool_],
        ]
    ] = []
    buffered = 0

    def flush() -> None:
        nonlocal buffered
        if buffer:
            acc.add(*(np.concatenate(column) for column in zip(*buffer, strict=True)))
            buffer.clear()
            buffered = 0

    for window, part in _pixel_batches(runs, _BLOCK):
        data = ds.read(band, window=window)
        mask = ds.read_masks(band, window=window) if use_mask else None
        lengths = part.col1 - part.col0
        # Expand runs to pixels in slices that stay within the memory budget.
        ends = np.cumsum(lengths)
        lo = 0
        while lo < len(part):
            hi = int(np.searchsorted(ends, ends[lo] - lengths[lo] + _MAX_PIXELS, "right"))
            hi = max(hi, lo + 1)
            sl = slice(lo, hi)
            n = lengths[sl]
            run = np.repeat(np.arange(hi - lo), n)
            start = np.cumsum(n) - n
            col = (part.col0[sl] - window.col_off)[run] + (np.arange(int(n.sum())) - start[run])
            row = (part.row[sl] - window.row_off)[run]
            values = data[row, col].astype(np.float64)
            missing = np.isnan(values)
            if check_nodata:
                missing |= values == nodata
            if mask is not None:
                missing |= mask[row, col] == 0
            buffer.append((part.owner[sl][run], values, part.weight[sl][run], missing))
            buffered += len(values)
            if buffered >= _MAX_PIXELS // 4:
                flush()
            lo = hi
    flush()


# --------------------------------------------------------------------------- checks


def _raster_name(raster: str | Path | DatasetReader) -> str:
    if isinstance(raster, str | Path):
        return str(raster)
    return str(getattr(raster, "name", "<raster>"))


@contextmanager
def _open(raster: str | Path | DatasetReader) -> Iterator[DatasetReader]:
    if not isinstance(raster, str | Path):
        yield raster
        return
    import rasterio  # noqa: PLC0415 - rasterio loads when a raster is read
    import rasterio.errors  # noqa: PLC0415

    path = Path(raster)
    if not path.exists():
        msg = f"raster file {str(path)!r} does not exist; check the path or the layer name"
        raise DataNotFoundError(msg)
    try:
        with warnings.catch_warnings():
            # A file without georeferencing is refused below with a CRSError naming it.
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            ds = rasterio.open(path)
    except rasterio.errors.RasterioIOError as err:
        msg = f"cannot read raster {str(path)!r}: {err}; is it a GeoTIFF or another GDAL raster?"
        raise LayerError(msg) from err
    with ds:
        yield ds


def check_raster(raster: str | Path | DatasetReader, *, name: str | None = None) -> None:
    """Open a raster and check it as :func:`zonal_statistics` would, without parcels.

    Its CRS, geotransform and extent must be usable, and its first and last blocks of band 1
    must read (a truncated file fails there).

    Raises
    ------
    GeositeError
        :class:`~geosite.errors.DataNotFoundError`, :class:`~geosite.errors.CRSError` or
        :class:`~geosite.errors.LayerError` naming the raster.
    """
    import rasterio.errors  # noqa: PLC0415
    from rasterio.windows import Window  # noqa: PLC0415

    label = name or _raster_name(raster)
    with _open(raster) as ds:
        _raster_crs(ds, label)
        try:
            for row in {0, ds.height - 1}:
                ds.read(1, window=Window(0, row, ds.width, 1))
        except rasterio.errors.RasterioError as err:
            msg = (
                f"raster {label!r} cannot be read: {err}; the file is probably truncated or "
                "damaged: copy it again"
            )
            raise LayerError(msg) from err


def _looks_geographic(bounds: tuple[float, float, float, float]) -> bool:
    left, bottom, right, top = bounds
    return (
        -180.5 <= left <= 360.5
        and -180.5 <= right <= 360.5
        and -90.5 <= bottom <= 90.5
        and -90.5 <= top <= 90.5
    )


def _raster_crs(ds: DatasetReader, name: str) -> pyproj.CRS:
    """Return the raster's CRS, refusing a missing one or one its coordinates contradict."""
    if ds.crs is None:
        msg = (
            f"raster {name!r} has no CRS; set one with "
            f"`rio edit-info --crs EPSG:xxxx {name}` (or gdal_edit.py -a_srs)"
        )
        raise CRSError(msg)
    if ds.transform.is_identity:
        msg = (
            f"raster {name!r} has no geotransform (pixel size and origin), so its pixels "
            "cannot be placed; georeference it, e.g. with `gdal_edit.py -a_ullr`"
        )
        raise CRSError(msg)
    crs = pyproj.CRS.from_user_input(ds.crs.to_wkt())
    bounds = _grid_bounds(ds)
    t = ds.transform
    res = min(math.hypot(t.a, t.d), math.hypot(t.b, t.e))
    if crs.is_geographic and not _looks_geographic(bounds):
        msg = (
            f"raster {name!r} declares a geographic CRS ({crs.name}) but its extent "
            f"{_fmt(bounds)} is not in degrees; its CRS is probably wrong: set the projected "
            "CRS the coordinates are in with `rio edit-info --crs`"
        )
        raise CRSError(msg)
    if (
        crs.is_projected
        and res < 1.0
        and _looks_geographic(bounds)
        and crs.axis_info
        and crs.axis_info[0].unit_name in {"metre", "meter", "US survey foot", "foot"}
    ):
        msg = (
            f"raster {name!r} declares a projected CRS ({crs.name}) but its extent "
            f"{_fmt(bounds)} and pixel size {res:g} look like degrees; set its CRS to "
            "EPSG:4326 with `rio edit-info --crs EPSG:4326`"
        )
        raise CRSError(msg)
    return crs


def _fmt(bounds: Sequence[float]) -> str:
    return "(" + ", ".join(f"{b:.6g}" for b in bounds) + ")"


def _grid_bounds(ds: DatasetReader) -> tuple[float, float, float, float]:
    """Return the raster's bounding box in its CRS (also for rotated grids)."""
    t = ds.transform
    cols = np.array([0, ds.width, 0, ds.width], dtype=np.float64)
    rows = np.array([0, 0, ds.height, ds.height], dtype=np.float64)
    xs = t.a * cols + t.b * rows + t.c
    ys = t.d * cols + t.e * rows + t.f
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def _check_options(
    stats: Sequence[str],
    classes: Sequence[float] | None,
    threshold: float | None,
    coverage: str,
) -> None:
    problems = []
    unknown = [s for s in stats if s not in _STATISTICS]
    if unknown:
        problems.append(f"unknown statistic(s) {unknown!r}; choose from {list(_STATISTICS)!r}")
    if not stats:
        problems.append("stats is empty; ask for at least one statistic")
    if "share_in_classes" in stats and not classes:
        problems.append("statistic 'share_in_classes' needs `classes`, e.g. classes=[1, 2]")
    if {"share_above", "share_below"} & set(stats) and (
        threshold is None or not math.isfinite(threshold)
    ):
        problems.append(
            f"statistics 'share_above'/'share_below' need a finite `threshold`, got {threshold!r}"
        )
    if coverage not in get_args(Coverage):
        problems.append(f"coverage {coverage!r} is not one of {list(get_args(Coverage))!r}")
    if problems:
        raise ParameterError("; ".join(problems))


# --------------------------------------------------------------------------- public


def zonal_statistics(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame,
    raster: str | Path | DatasetReader,
    *,
    stats: Sequence[Statistic] = ("mean",),
    band: int = 1,
    classes: Sequence[float] | None = None,
    threshold: float | None = None,
    coverage: Coverage = "centre",
    nodata: float | None = None,
    chunk_size: int = 200_000,
    name: str | None = None,
) -> pd.DataFrame:
    """Summarise a raster band over each parcel, reading only the windows the parcels cover.

    Parameters
    ----------
    geoms
        Parcel polygons with a CRS (a GeoSeries, or a GeoDataFrame whose geometry is used).
        Reprojected to the raster's CRS when it differs. A parcel partly outside the raster
        is summarised over the part inside it.
        Points, lines and empty geometries cover no pixel (see "Parcels without a pixel"
        in the module notes).
    raster
        A path to a raster file or an open rasterio dataset (also an in-memory one).
    stats
        Statistics to compute: ``mean``, ``min``, ``max``, ``majority`` (most frequent value,
        the smallest on ties), ``share_in_classes`` (share of the parcel's valid pixels whose
        value is in ``classes``), ``share_above`` / ``share_below`` (share strictly above /
        below ``threshold``). Shares are in [0, 1].
    band
        1-based band number.
    classes
        Pixel values counted by ``share_in_classes``.
    threshold
        Value compared by ``share_above`` and ``share_below``, in the raster's unit.
    coverage
        ``"centre"`` counts the pixels whose centre lies in the parcel; ``"fraction"``
        weights each pixel by the share of its area inside the parcel.
    nodata
        Value to treat as missing, overriding the band's declared nodata (for rasters that
        declare none).
    chunk_size
        Parcels handled at once; bounds memory for very large parcel sets.
    name
        What to call the raster in messages (its file name, or ``<raster>``, if omitted).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``geoms``: one float column per statistic, ``pixels`` (the number of
        valid pixels counted, fractional with ``"fraction"``), ``nodata_pixels`` and
        ``fallback`` (``True`` where the parcel covered no pixel and took the pixel under its
        centroid). Statistics are NaN where no valid pixel was found.

    Raises
    ------
    CRSError
        The parcels or the raster have no CRS, or the raster's CRS contradicts its
        coordinates, or the parcels cannot be reprojected to it.
    LayerError
        The raster does not overlap the parcels at all, or cannot be read.
    ParameterError
        An unknown statistic, a missing ``classes``/``threshold``, or a bad ``band``.

    Examples
    --------
    Share of sea (class 1 of the bundled land/sea mask) in 1.5 km discs off Vũng Tàu and
    in Biên Hòa:

    >>> from geosite.data.bundled import layer_path
    >>> sites = gpd.GeoSeries.from_xy([107.15, 106.82], [10.30, 10.95], crs="EPSG:4326")
    >>> parcels = sites.to_crs("EPSG:32648").buffer(1500)
    >>> table = zonal_statistics(parcels, layer_path("land_sea_mask"),
    ...                          stats=["share_in_classes"], classes=[1])
    >>> table[["share_in_classes", "pixels"]].to_dict("list")
    {'share_in_classes': [1.0, 0.0], 'pixels': [9.0, 8.0]}
    """
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    class_values = None if classes is None else np.asarray(classes, dtype=np.float64)
    with _checked(
        geoms,
        raster,
        stats=stats,
        band=band,
        classes=classes,
        threshold=threshold,
        coverage=coverage,
        chunk_size=chunk_size,
        name=name,
    ) as (ds, grid, arrays):
        name = grid.name
        declared = ds.nodatavals[band - 1]
        fill = nodata if nodata is not None else declared
        if fill is None and ds.dtypes[band - 1].startswith(("int", "uint")):
            logger.info("raster %r declares no nodata: every pixel value counts", name)
        flags = ds.mask_flag_enums[band - 1]
        from rasterio.enums import MaskFlags  # noqa: PLC0415 - rasterio loads when used

        use_mask = MaskFlags.per_dataset in flags or MaskFlags.alpha in flags
        import rasterio.errors  # noqa: PLC0415

        try:
            columns = _compute(
                ds,
                band,
                arrays,
                grid,
                stats=stats,
                classes=class_values,
                threshold=threshold,
                fraction=coverage == "fraction",
                nodata=None if fill is None else float(fill),
                use_mask=use_mask,
                chunk_size=chunk_size,
            )
        except rasterio.errors.RasterioError as err:
            msg = (
                f"raster {name!r} cannot be read: {err}; the file is probably truncated or "
                "damaged: copy it again"
            )
            raise LayerError(msg) from err
    return pd.DataFrame(columns, index=geoms.index)


def check_zonal_statistics(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame,
    raster: str | Path | DatasetReader,
    *,
    stats: Sequence[Statistic] = ("mean",),
    band: int = 1,
    classes: Sequence[float] | None = None,
    threshold: float | None = None,
    coverage: Coverage = "centre",
    name: str | None = None,
) -> None:
    """Check everything :func:`zonal_statistics` would refuse, without reading pixels.

    The options, the parcels' CRS, the band, the raster's CRS and geotransform, and the
    overlap of the raster with the parcels are checked with :func:`zonal_statistics`'s own
    code and messages; the first and last rows of the band are read (a file truncated
    there fails), as by :func:`check_raster`. Parameters are those of
    :func:`zonal_statistics`.

    Raises
    ------
    GeositeError
        What :func:`zonal_statistics` would raise before computing.

    Examples
    --------
    >>> from geosite.data.bundled import layer_path
    >>> far = gpd.GeoSeries.from_xy([20.0], [50.0], crs="EPSG:4326").to_crs(3035).buffer(500)
    >>> check_zonal_statistics(far, layer_path("land_sea_mask"))
    Traceback (most recent call last):
    ...
    geosite.errors.LayerError: raster ... does not overlap the parcels: ...
    """
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    with _checked(
        geoms,
        raster,
        stats=stats,
        band=band,
        classes=classes,
        threshold=threshold,
        coverage=coverage,
        chunk_size=1,
        name=name,
    ) as (ds, grid, _arrays):
        check_raster(ds, name=grid.name)


@contextmanager
def _checked(
    geoms: gpd.GeoSeries,
    raster: str | Path | DatasetReader,
    *,
    stats: Sequence[str],
    band: int,
    classes: Sequence[float] | None,
    threshold: float | None,
    coverage: str,
    chunk_size: int,
    name: str | None,
) -> Iterator[tuple[DatasetReader, _Grid, npt.NDArray[np.object_]]]:
    """Open the raster and check it against the parcels; yield it, its grid and the parcels."""
    _check_options(stats, classes, threshold, coverage)
    if not isinstance(geoms, gpd.GeoSeries):
        msg = f"geoms must be a GeoSeries with a CRS, got {type(geoms).__name__}"
        raise ParameterError(msg)
    if chunk_size < 1:
        msg = f"chunk_size must be a positive number of parcels, got {chunk_size!r}"
        raise ParameterError(msg)
    if geoms.crs is None:
        msg = "the parcels have no CRS; set one with `gdf.set_crs(...)`"
        raise CRSError(msg)
    name = name or _raster_name(raster)
    with _open(raster) as ds:
        if not 1 <= band <= ds.count:
            msg = f"band {band!r} does not exist in raster {name!r}, which has {ds.count} band(s)"
            raise ParameterError(msg)
        crs = _raster_crs(ds, name)
        grid = _Grid(~ds.transform, ds.height, ds.width, name, _transformer(geoms, crs, name))
        arrays = np.asarray(geoms.array, dtype=object)
        _check_overlap(arrays, grid, ds, crs)
        yield ds, grid, arrays


def _transformer(geoms: gpd.GeoSeries, crs: pyproj.CRS, name: str) -> pyproj.Transformer | None:
    """Return the transformation of parcel coordinates to the raster's CRS, if needed.

    Coordinates are transformed as they are read, so no reprojected copy of the parcels
    is built.
    """
    source = pyproj.CRS.from_user_input(geoms.crs)
    if source == crs:
        return None
    try:
        transformer = pyproj.Transformer.from_crs(source, crs, always_xy=True)
    except pyproj.exceptions.ProjError as err:
        msg = f"cannot reproject the parcels from {source.name} to raster {name!r}'s {crs.name}"
        raise CRSError(msg) from err
    logger.debug("parcels in %s are reprojected to the CRS of raster %r", source.name, name)
    return transformer


def _check_overlap(
    geoms: npt.NDArray[np.object_], grid: _Grid, ds: DatasetReader, crs: pyproj.CRS
) -> None:
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(present) == 0:
        return
    left, bottom, right, top = shapely.total_bounds(present)
    if grid.transformer is not None:
        left, bottom, right, top = grid.transformer.transform_bounds(
            left, bottom, right, top, densify_pts=21
        )
        if not np.isfinite([left, bottom, right, top]).all():
            msg = (
                f"the parcels fall outside the area of use of raster {grid.name!r}'s CRS "
                f"{crs.name}: reprojecting their extent gave infinite coordinates"
            )
            raise CRSError(msg)
    rl, rb, rr, rt = _grid_bounds(ds)
    if left > rr or right < rl or bottom > rt or top < rb:
        msg = (
            f"raster {grid.name!r} does not overlap the parcels: raster extent "
            f"{_fmt((rl, rb, rr, rt))}, parcels' extent {_fmt((left, bottom, right, top))}, "
            f"both in {crs.name}; check that the raster covers the study area and that both "
            "CRSs are right"
        )
        raise LayerError(msg)


def _pixel_boxes(
    geoms: npt.NDArray[np.object_], grid: _Grid
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return each parcel's centre column and row and its approximate height in rows."""
    bounds = np.nan_to_num(shapely.bounds(geoms))
    c0, r0 = grid.pixel(bounds[:, 0], bounds[:, 1])
    c1, r1 = grid.pixel(bounds[:, 2], bounds[:, 3])
    return np.stack([(c0 + c1) / 2, (r0 + r1) / 2]), np.abs(r1 - r0)


def _fallback_points(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Return each geometry's centroid, or a point inside it where the centroid is outside."""
    points = shapely.centroid(geoms)
    areal = shapely.area(geoms) > 0
    outside = areal & ~shapely.intersects(points, geoms)
    if outside.any():
        points[outside] = shapely.point_on_surface(geoms[outside])
    return np.asarray(points, dtype=object)


def _compute(
    ds: DatasetReader,
    band: int,
    geoms: npt.NDArray[np.object_],
    grid: _Grid,
    *,
    stats: Sequence[str],
    classes: npt.NDArray[np.float64] | None,
    threshold: float | None,
    fraction: bool,
    nodata: float | None,
    use_mask: bool,
    chunk_size: int,
) -> dict[str, npt.NDArray[Any]]:
    n = len(geoms)
    out: dict[str, npt.NDArray[Any]] = {s: np.full(n, np.nan) for s in stats}
    out["pixels"] = np.zeros(n)
    out["nodata_pixels"] = np.zeros(n)
    out["fallback"] = np.zeros(n, dtype=bool)
    centre, rows = _pixel_boxes(geoms, grid)
    # Parcels ordered by the raster block under them, so that each chunk reads few blocks.
    order = np.lexsort((centre[0] // _BLOCK, centre[1] // _BLOCK)).astype(np.int64)
    for lo in range(0, n, chunk_size):
        idx = order[lo : lo + chunk_size]
        chunk = geoms[idx]
        acc = _Accumulator(len(chunk), stats, classes, threshold)
        for runs in _runs_in_slices(chunk, rows[idx], grid, fraction):
            _gather(ds, band, runs, acc, nodata=nodata, use_mask=use_mask)
        # Parcels that cover no pixel take the one under their centroid.
        empty = np.flatnonzero(acc.total == 0)
        present = empty[~shapely.is_missing(chunk[empty]) & ~shapely.is_empty(chunk[empty])]
        if len(present):
            points = _fallback_points(chunk[present])
            u, v = grid.pixel(shapely.get_x(points), shapely.get_y(points))
            col, row = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
            inside = (col >= 0) & (col < ds.width) & (row >= 0) & (row < ds.height)
            present, col, row = present[inside], col[inside], row[inside]
            runs = _Runs(present.astype(np.int64), row, col, col + 1, np.ones(len(present)))
            _gather(ds, band, runs, acc, nodata=nodata, use_mask=use_mask)
            out["fallback"][idx[present]] = True
        for stat, values in acc.result(stats).items():
            out[stat][idx] = values
        out["pixels"][idx] = acc.valid
        out["nodata_pixels"][idx] = acc.missing
    return out


def _runs_in_slices(
    geoms: npt.NDArray[np.object_],
    rows: npt.NDArray[np.float64],
    grid: _Grid,
    fraction: bool,
) -> Iterator[_Runs]:
    """Yield pixel runs of slices of ``geoms`` small enough to bound the crossings held."""
    n_edges = shapely.get_num_coordinates(geoms)
    # Crossings of a parcel are at most (its rows + 1) x its edges.
    # Edge pixels add about as many again with fraction coverage.
    cost = np.minimum(rows + 1, grid.height) * np.maximum(n_edges, 1) * (3 if fraction else 1)
    ends = np.cumsum(cost)
    lo = 0
    while lo < len(geoms):
        hi = int(np.searchsorted(ends, ends[lo] - cost[lo] + _MAX_CROSSINGS, "right"))
        hi = max(hi, lo + 1)
        runs = _runs_for(geoms[lo:hi], grid, fraction)
        yield _Runs(runs.owner + lo, runs.row, runs.col0, runs.col1, runs.weight)
        lo = hi


# --------------------------------------------------------------------------- measure


class RasterMeasure(MeasureSpec):
    """Summarise a raster over each parcel: a mean, extreme, majority or share of pixels.

    See :func:`zonal_statistics` for which pixels count, nodata, parcels smaller than a pixel
    and rasters in another CRS. Shares are in ``"share"`` units (0-1); other statistics are
    unitless unless ``unit:`` says otherwise.

    YAML::

        measure: {type: raster, raster: land_sea_mask, statistic: share_in_classes, classes: [1]}
        measure: {type: raster, raster: data/dem.tif, statistic: mean, unit: m}

    Examples
    --------
    >>> RasterMeasure(raster="land_sea_mask", statistic="share_in_classes", classes=[1])
    ... # doctest: +ELLIPSIS
    RasterMeasure(type='raster', raster='land_sea_mask', statistic='share_in_classes', ...)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    type: Literal["raster"] = "raster"
    raster: str = Field(
        min_length=1,
        description="Raster to read: a bundled or declared layer name, or a path relative to "
        "the scenario file.",
    )
    statistic: Statistic = Field(
        "mean",
        description="mean, min, max, majority (most frequent value, smallest on ties), "
        "share_in_classes, share_above or share_below (strictly above/below `threshold`).",
    )
    classes: list[float] | None = Field(
        None, description="Pixel values counted by share_in_classes, e.g. [1] for sea."
    )
    threshold: float | None = Field(
        None, description="Value compared by share_above/share_below, in the raster's unit."
    )
    band: int = Field(1, ge=1, description="1-based band number.")
    coverage: Coverage = Field(
        "centre",
        description="centre: pixels whose centre is in the parcel; fraction: every pixel "
        "weighted by the share of its area inside the parcel.",
    )
    nodata: float | None = Field(
        None, description="Pixel value to treat as missing when the raster declares none."
    )
    value_unit: str | None = Field(
        None,
        alias="unit",
        description="Unit of the values of mean/min/max/majority (e.g. m); not for shares.",
    )

    @model_validator(mode="after")
    def _check(self) -> RasterMeasure:
        if self.statistic == "share_in_classes" and not self.classes:
            msg = "statistic 'share_in_classes' needs `classes:`, e.g. `classes: [1]`"
            raise ValueError(msg)
        if self.statistic in {"share_above", "share_below"} and (
            self.threshold is None or not math.isfinite(self.threshold)
        ):
            msg = f"statistic {self.statistic!r} needs a finite `threshold:`, e.g. `threshold: 5`"
            raise ValueError(msg)
        if self.classes is not None and self.statistic != "share_in_classes":
            msg = f"`classes:` is only used by 'share_in_classes', not by {self.statistic!r}"
            raise ValueError(msg)
        if self.threshold is not None and self.statistic not in {"share_above", "share_below"}:
            msg = (
                f"`threshold:` is only used by 'share_above'/'share_below', not {self.statistic!r}"
            )
            raise ValueError(msg)
        if self.value_unit is not None and self.statistic in _SHARES:
            msg = f"statistic {self.statistic!r} is a share (0-1); remove `unit:`"
            raise ValueError(msg)
        return self

    @property
    def result_unit(self) -> str:
        """Return the unit of the raw values: ``"share"`` for shares, else the declared one."""
        if self.statistic in _SHARES:
            return "share"
        return self.value_unit or ""

    def layers_used(self) -> list[str]:
        """Return the raster this measure reads."""
        return [self.raster]

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse what :func:`zonal_statistics` would: a raster unreadable or elsewhere."""
        from geosite.data.source import open_raster  # noqa: PLC0415

        given = ctx.load_raster(self.raster) if ctx.load_raster else ctx.resolve_path(self.raster)
        with open_raster(given, name=self.raster) as raster:
            check_zonal_statistics(
                ctx.candidates.geometry,
                raster,
                stats=[self.statistic],
                band=self.band,
                classes=self.classes,
                threshold=self.threshold,
                coverage=self.coverage,
                name=self.raster if not isinstance(raster, str | Path) else None,
            )

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Compute the statistic of the raster over every candidate parcel."""
        from geosite.data.source import open_raster  # noqa: PLC0415

        given = ctx.load_raster(self.raster) if ctx.load_raster else ctx.resolve_path(self.raster)
        with open_raster(given, name=self.raster) as raster:
            table = zonal_statistics(
                ctx.candidates.geometry,
                raster,
                stats=[self.statistic],
                band=self.band,
                classes=self.classes,
                threshold=self.threshold,
                coverage=self.coverage,
                nodata=self.nodata,
                name=self.raster if not isinstance(raster, str | Path) else None,
            )
        values = table[self.statistic].to_numpy(dtype=np.float64)
        reasons: list[str | None] = [None] * len(values)
        geoms = np.asarray(ctx.candidates.geometry.array, dtype=object)
        nodata = table["nodata_pixels"].to_numpy(dtype=np.float64)
        for i in np.flatnonzero(np.isnan(values)):
            if shapely.is_missing(geoms[i]) or shapely.is_empty(geoms[i]):
                reasons[i] = phrase("reason.no_geometry")
            elif nodata[i] > 0:
                reasons[i] = phrase("reason.raster_nodata", raster=key_name(self.raster))
            else:
                reasons[i] = phrase("reason.raster_outside", raster=key_name(self.raster))
        return MeasureResult(
            values=values,
            unit=self.result_unit,
            reasons=reasons,
            extra={
                "pixels": table["pixels"].to_numpy(),
                "fallback": table["fallback"].to_numpy(),
            },
        )
