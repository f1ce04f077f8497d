"""Straight-line measures: exact edge-to-edge distance to the nearest feature, and counts.

Distances are computed between the parcel polygons and the features themselves (not their
centroids) in the metric analysis CRS, so a parcel that touches or contains a feature is at
0 m and a large parcel is measured from its nearest edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import geopandas as gpd
import numpy as np
import shapely
from pydantic import Field

from geosite.errors import LayerError, ParameterError
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec, Where

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["CountWithinMeasure", "DistanceMeasure", "count_within", "nearest_distance"]


def _geometry_array(geoms: gpd.GeoSeries | npt.ArrayLike) -> npt.NDArray[np.object_]:
    if isinstance(geoms, gpd.GeoSeries | gpd.GeoDataFrame):
        return np.asarray(geoms.geometry.array, dtype=object)
    return np.asarray(geoms, dtype=object)


def nearest_distance(
    geoms: gpd.GeoSeries | npt.ArrayLike,
    features: gpd.GeoSeries | npt.ArrayLike,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Measure the exact distance from each geometry to its nearest feature.

    Both inputs must be in the same projected CRS; the unit of the result is that CRS's unit
    (metres in EPSG:32648). The distance is edge to edge: 0 when a geometry touches, overlaps
    or contains a feature.

    Parameters
    ----------
    geoms
        The geometries to measure from (candidate parcels).
    features
        The features to measure to (ports, roads, parks).

    Returns
    -------
    distances
        float64 array, one distance per geometry.
    nearest
        Position in ``features`` of the nearest feature of each geometry (the first one on
        ties).

    Examples
    --------
    >>> from shapely import Point, box
    >>> d, i = nearest_distance([box(0, 0, 10, 10)], [Point(13, 14), Point(50, 50)])
    >>> float(d[0]), int(i[0])
    (5.0, 0)
    """
    src = _geometry_array(geoms)
    dst = _geometry_array(features)
    if len(dst) == 0:
        msg = "no features to measure to"
        raise ParameterError(msg)
    tree = shapely.STRtree(dst)
    (idx_src, idx_dst), dist = tree.query_nearest(src, return_distance=True, all_matches=False)
    distances = np.full(len(src), np.nan)
    nearest = np.full(len(src), -1, dtype=np.int64)
    distances[idx_src] = dist
    nearest[idx_src] = idx_dst
    return distances, nearest


def count_within(
    geoms: gpd.GeoSeries | npt.ArrayLike,
    features: gpd.GeoSeries | npt.ArrayLike,
    radius: float,
) -> npt.NDArray[np.int64]:
    """Count the features within ``radius`` of each geometry (edge to edge, inclusive).

    Examples
    --------
    >>> from shapely import Point
    >>> count_within([Point(0, 0)], [Point(3, 4), Point(6, 8), Point(0, 1)], 5.0).tolist()
    [2]
    """
    if not np.isfinite(radius) or radius < 0:
        msg = f"radius must be a finite distance >= 0, got {radius!r}"
        raise ParameterError(msg)
    src = _geometry_array(geoms)
    tree = shapely.STRtree(_geometry_array(features))
    idx_src, _ = tree.query(src, predicate="dwithin", distance=radius)
    return np.bincount(idx_src, minlength=len(src)).astype(np.int64)


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

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Measure the distance from every candidate to the nearest feature."""
        features = _features(ctx, self.layer, self.where)
        distances, nearest = nearest_distance(ctx.candidates.geometry, features.geometry)
        names = _feature_labels(features)
        return MeasureResult(
            values=distances,
            unit=self.unit,
            extra={"nearest": np.asarray(names, dtype=object)[nearest]},
            features=features,
        )


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

    def compute(self, ctx: MeasureContext) -> MeasureResult:
        """Count the features within the radius of every candidate."""
        features = _features(ctx, self.layer, self.where)
        counts = count_within(ctx.candidates.geometry, features.geometry, self.radius_m)
        return MeasureResult(values=counts.astype(np.float64), unit=self.unit, features=features)


def _feature_labels(features: gpd.GeoDataFrame) -> list[str]:
    for column in ("name", "name_en"):
        if column in features.columns:
            return [str(v) for v in features[column].fillna("").tolist()]
    return [str(v) for v in features.index.tolist()]
