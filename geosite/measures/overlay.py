"""Overlay measures: the share (or area) of each parcel lying inside another layer.

Typical layers are flood zones, protected areas, the sea or a planning zone. Areas are exact
polygon intersections in the metric analysis CRS. The layer is dissolved (unioned) first, so
overlapping features (two protected-area designations over the same forest) are counted once.

Two buffers answer two different questions, and are named apart:

``buffer_m`` (grows the parcel)
    "What share of the land within X m of the parcel is inside the layer?" The parcel is
    buffered by X m and the share is of the buffered parcel's area. Use it for surroundings:
    forest around a site, housing near a plant.
``layer_buffer_m`` (grows the layer)
    "What share of the parcel lies within X m of the layer?" The layer features are buffered
    by X m before the overlay. Use it for set-backs: the part of a parcel less than 100 m
    from a river.

Both may be combined; both default to 0. Features of the layer outside the study area still
count, since the layer is used as loaded.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pydantic import Field

from geosite.errors import CRSError, LayerError, ParameterError
from geosite.i18n import phrase
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec
from geosite.types import Where

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "OverlayMeasure",
    "OverlayStatistic",
    "dissolve_layer",
    "overlay_share",
    "require_valid",
]

logger = logging.getLogger(__name__)

OverlayStatistic = Literal["share", "area_ha"]

#: Dissolved parts with more vertices than this are cut into tiles, so that intersecting a
#: small parcel with a huge polygon (the sea, a province) costs little.
_MAX_VERTICES = 256
_MAX_DEPTH = 12
#: Segments per quarter circle in buffers, as in geopandas' and shapely's ``.buffer()``.
_QUAD_SEGS = 16
#: Parcels intersected at once.
_CHUNK = 100_000


def _array(geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike) -> npt.NDArray[np.object_]:
    if isinstance(geoms, gpd.GeoSeries | gpd.GeoDataFrame):
        return np.asarray(geoms.geometry.array, dtype=object)
    return np.asarray(geoms, dtype=object)


def _check_crs(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike,
    layer_geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike,
    layer: str,
) -> None:
    """Refuse geographic or mismatched CRSs; bare arrays are taken as already metric."""
    crs_a = getattr(geoms, "crs", None)
    crs_b = getattr(layer_geoms, "crs", None)
    for crs, what in ((crs_a, "the parcels"), (crs_b, f"layer {layer!r}")):
        if crs is None:
            continue
        parsed = pyproj.CRS.from_user_input(crs)
        unit = parsed.axis_info[0].unit_name if parsed.axis_info else "unknown"
        if parsed.is_geographic or unit not in {"metre", "meter"}:
            kind = "a geographic CRS" if parsed.is_geographic else f"a CRS in {unit}"
            msg = (
                f"{what} are in {kind} ({parsed.name}); areas and buffers need a CRS in "
                "metres: reproject with `.to_crs('EPSG:32648')`"
            )
            raise CRSError(msg)
    if (
        crs_a is not None
        and crs_b is not None
        and (pyproj.CRS.from_user_input(crs_a) != pyproj.CRS.from_user_input(crs_b))
    ):
        msg = (
            f"the parcels ({pyproj.CRS.from_user_input(crs_a).name}) and layer {layer!r} "
            f"({pyproj.CRS.from_user_input(crs_b).name}) are in different CRSs; reproject "
            "the layer with `.to_crs(parcels.crs)`"
        )
        raise CRSError(msg)


def require_valid(geoms: npt.NDArray[np.object_], what: str) -> None:
    """Raise a :class:`LayerError` listing the first invalid geometries, if any.

    Parameters
    ----------
    geoms
        Geometries to check; missing and empty ones are fine.
    what
        What they are, for the message (``"layer 'flood'"``, ``"the parcels"``).

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> require_valid(np.array([box(0, 0, 1, 1)]), "the parcels")
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> require_valid(np.array([box(0, 0, 1, 1), bowtie]), "the parcels")
    Traceback (most recent call last):
    ...
    geosite.errors.LayerError: the parcels have 1 invalid geometries (positions [1]: ...
    """
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = np.flatnonzero(present & ~shapely.is_valid(geoms))
    if len(invalid):
        reasons = [shapely.is_valid_reason(geoms[i]) for i in invalid[:5]]
        msg = (
            f"{what} have {len(invalid)} invalid geometries (positions "
            f"{invalid[:5].tolist()}: {reasons}); repair them with `shapely.make_valid` or "
            "ask the scenario to repair geometries"
        )
        raise LayerError(msg)


def _subdivide(parts: npt.NDArray[np.object_], depth: int = 0) -> npt.NDArray[np.object_]:
    """Cut polygons with many vertices into halves of their bounding box, recursively."""
    big = shapely.get_num_coordinates(parts) > _MAX_VERTICES
    if depth >= _MAX_DEPTH or not big.any():
        return parts
    small = parts[big == False]  # noqa: E712 - element-wise on an object array
    pieces = []
    for geom in parts[big]:
        xmin, ymin, xmax, ymax = geom.bounds
        if xmax - xmin >= ymax - ymin:
            mid = (xmin + xmax) / 2
            halves = [(xmin, ymin, mid, ymax), (mid, ymin, xmax, ymax)]
        else:
            mid = (ymin + ymax) / 2
            halves = [(xmin, ymin, xmax, mid), (xmin, mid, xmax, ymax)]
        for rect in halves:
            clipped = shapely.clip_by_rect(geom, *rect)
            sub = shapely.get_parts(clipped)
            pieces.append(sub[shapely.area(sub) > 0])
    cut = np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
    return np.concatenate([small, _subdivide(cut, depth + 1)])


def dissolve_layer(
    layer_geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike,
    *,
    layer_buffer_m: float = 0.0,
    layer: str = "layer",
) -> npt.NDArray[np.object_]:
    """Dissolve a polygon layer into disjoint pieces ready for fast overlays.

    The features are buffered by ``layer_buffer_m`` (when positive), unioned so overlaps count
    once, split into their polygons and cut into tiles of at most 256 vertices.

    Parameters
    ----------
    layer_geoms
        Polygon features in a metric CRS. Points and lines count only when buffered.
    layer_buffer_m
        Buffer added around every feature, in metres (>= 0).
    layer
        Name of the layer, used in error messages.

    Returns
    -------
    numpy.ndarray
        Polygons with disjoint interiors whose union is the (buffered) layer.

    Examples
    --------
    >>> from shapely import box
    >>> pieces = dissolve_layer([box(0, 0, 2, 2), box(1, 0, 3, 2)])
    >>> float(sum(p.area for p in pieces))
    6.0
    """
    geoms = _array(layer_geoms)
    require_valid(geoms, f"layer {layer!r}")
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if layer_buffer_m > 0:
        geoms = shapely.buffer(geoms, layer_buffer_m, quad_segs=_QUAD_SEGS)
    else:
        geoms = geoms[shapely.area(geoms) > 0]
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    union = shapely.union_all(geoms)
    parts = shapely.get_parts(union)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return np.asarray(_subdivide(parts), dtype=object)


def overlay_share(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike,
    layer_geoms: gpd.GeoSeries | gpd.GeoDataFrame | npt.ArrayLike,
    *,
    buffer_m: float = 0.0,
    layer_buffer_m: float = 0.0,
    statistic: OverlayStatistic = "share",
    layer: str = "layer",
) -> npt.NDArray[np.float64]:
    """Measure the share (or area) of each parcel inside a polygon layer.

    Parameters
    ----------
    geoms
        Parcel polygons in a metric CRS.
    layer_geoms
        Features of the layer, in the same CRS. Overlapping features are counted once.
    buffer_m
        Buffer around each *parcel*, in metres (>= 0): the share is then of the land within
        ``buffer_m`` of the parcel (parcel included).
    layer_buffer_m
        Buffer around each *layer feature*, in metres (>= 0): the share of the parcel within
        ``layer_buffer_m`` of the layer.
    statistic
        ``"share"``: area inside the layer divided by the (buffered) parcel's area, in [0, 1];
        ``"area_ha"``: area inside the layer in hectares.
    layer
        Name of the layer, used in error messages.

    Returns
    -------
    numpy.ndarray
        float64, one value per parcel; NaN for a missing or empty parcel, or (for ``share``)
        one with no area.

    Raises
    ------
    CRSError
        A geographic CRS, or the parcels and the layer in different CRSs.
    LayerError
        Invalid geometries among the parcels or in the layer.
    ParameterError
        A negative buffer or an unknown statistic.

    Examples
    --------
    >>> from shapely import box
    >>> overlay_share([box(0, 0, 100, 100)], [box(50, 0, 200, 100), box(60, 0, 80, 100)])
    array([0.5])
    >>> overlay_share([box(0, 0, 100, 100)], [box(50, 0, 200, 100)], statistic="area_ha")
    array([0.5])
    """
    problems = []
    for name, value in (("buffer_m", buffer_m), ("layer_buffer_m", layer_buffer_m)):
        if not np.isfinite(value) or value < 0:
            problems.append(f"{name} must be a finite distance >= 0 in metres, got {value!r}")
    if statistic not in ("share", "area_ha"):
        problems.append(f"statistic {statistic!r} is not one of ['share', 'area_ha']")
    if problems:
        raise ParameterError("; ".join(problems))
    _check_crs(geoms, layer_geoms, layer)
    parcels = _array(geoms)
    require_valid(parcels, "the parcels")
    pieces = dissolve_layer(layer_geoms, layer_buffer_m=layer_buffer_m, layer=layer)
    return _overlay(parcels, pieces, buffer_m=buffer_m, statistic=statistic)


def _overlay(
    parcels: npt.NDArray[np.object_],
    pieces: npt.NDArray[np.object_],
    *,
    buffer_m: float,
    statistic: OverlayStatistic,
) -> npt.NDArray[np.float64]:
    missing = shapely.is_missing(parcels) | shapely.is_empty(parcels)
    parcels = parcels.copy()
    parcels[missing] = None
    if buffer_m > 0:
        parcels = shapely.buffer(parcels, buffer_m, quad_segs=_QUAD_SEGS)
    area = shapely.area(parcels)
    inside = np.zeros(len(parcels))
    if len(pieces):
        tree = shapely.STRtree(pieces)
        # Chunks bound the memory held by intersection geometries for large parcel sets.
        for lo in range(0, len(parcels), _CHUNK):
            chunk = parcels[lo : lo + _CHUNK]
            idx_parcel, idx_piece = tree.query(chunk, predicate="intersects")
            a, b = chunk[idx_parcel], pieces[idx_piece]
            # A parcel wholly inside a piece needs no intersection; the rest are clipped.
            within = shapely.within(a, b)
            part_area = np.empty(len(a))
            part_area[within] = shapely.area(a[within])
            clip = ~within
            part_area[clip] = shapely.area(shapely.intersection(a[clip], b[clip]))
            inside[lo : lo + len(chunk)] = np.bincount(idx_parcel, part_area, minlength=len(chunk))
    if statistic == "area_ha":
        out = inside / 10_000.0
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(area > 0, np.minimum(inside / area, 1.0), np.nan)
    out[missing] = np.nan
    return np.asarray(out, dtype=np.float64)


class OverlayMeasure(MeasureSpec):
    """Measure the share (or area in hectares) of each parcel inside a layer.

    ``buffer_m`` grows the parcel (share of its surroundings inside the layer);
    ``layer_buffer_m`` grows the layer features (share of the parcel near the layer).

    YAML::

        measure: {type: overlay, layer: flood_zones}
        measure: {type: overlay, layer: rivers, layer_buffer_m: 100, statistic: area_ha}

    Examples
    --------
    >>> OverlayMeasure(layer="protected_areas", layer_buffer_m=100)
    ... # doctest: +ELLIPSIS
    OverlayMeasure(type='overlay', layer='protected_areas', where=None, buffer_m=0.0, ...)
    """

    type: Literal["overlay"] = "overlay"
    layer: str = Field(min_length=1, description="Polygon layer to overlay (dissolved first).")
    where: Where | None = Field(
        None, description="Keep only features whose attributes match, e.g. {kind: flood}."
    )
    buffer_m: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Grow each parcel by this many metres: the share is then of the land "
        "within that distance of the parcel.",
    )
    layer_buffer_m: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Grow each layer feature by this many metres: the share of the parcel "
        "within that distance of the layer.",
    )
    statistic: OverlayStatistic = Field(
        "share", description="share (0-1 of the parcel's area) or area_ha (hectares inside)."
    )

    @property
    def result_unit(self) -> str:
        """Return the unit of the raw values: ``"share"`` or ``"ha"``."""
        return "share" if self.statistic == "share" else "ha"

    def layers_used(self) -> list[str]:
        """Return the layer this measure overlays."""
        return [self.layer]

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse an unreadable layer, CRSs in other units than metres, invalid geometries."""
        features = ctx.load_layer(self.layer, self.where)
        _check_crs(ctx.candidates.geometry, features.geometry, self.layer)
        require_valid(_array(features.geometry), f"layer {self.layer!r}")
        require_valid(_array(ctx.candidates.geometry), "the candidates")

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Compute the share or area of every candidate inside the layer."""
        key = f"overlay:{self.layer}:{sorted((self.where or {}).items())!r}:{self.layer_buffer_m}"
        pieces: Any = ctx.cache.get(key)
        if pieces is None:
            features = ctx.load_layer(self.layer, self.where)
            _check_crs(ctx.candidates.geometry, features.geometry, self.layer)
            pieces = dissolve_layer(
                features.geometry, layer_buffer_m=self.layer_buffer_m, layer=self.layer
            )
            ctx.cache[key] = pieces
            if len(pieces) == 0:
                logger.info("layer %r has no polygon area: every share is 0", self.layer)
        parcels = _array(ctx.candidates.geometry)
        require_valid(parcels, "the candidates")
        values = _overlay(parcels, pieces, buffer_m=self.buffer_m, statistic=self.statistic)
        reasons: list[str | None] = [None] * len(values)
        missing = shapely.is_missing(parcels) | shapely.is_empty(parcels)
        for i in np.flatnonzero(np.isnan(values)):
            reasons[i] = phrase("reason.no_geometry" if missing[i] else "reason.no_area")
        return MeasureResult(values=values, unit=self.result_unit, reasons=reasons)
