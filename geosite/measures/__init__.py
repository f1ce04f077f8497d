"""Raw criterion values per parcel: distances, counts, network, raster, overlay, attributes.

Each measure type is a pydantic model (see :mod:`geosite.measures.base`); :data:`MeasureType`
is the union the scenario format accepts, told apart by the ``type`` key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from geosite.measures.attribute import AttributeMeasure, zone_by_largest_overlap
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec
from geosite.measures.distance import (
    CountWithinMeasure,
    DistanceMeasure,
    count_within,
    nearest_distance,
)
from geosite.measures.network import NetworkMeasure
from geosite.measures.overlay import OverlayMeasure, overlay_share
from geosite.measures.raster import RasterMeasure, zonal_statistics

__all__ = [
    "AttributeMeasure",
    "CountWithinMeasure",
    "DistanceMeasure",
    "MeasureContext",
    "MeasureResult",
    "MeasureSpec",
    "MeasureType",
    "NetworkMeasure",
    "OverlayMeasure",
    "RasterMeasure",
    "count_within",
    "nearest_distance",
    "overlay_share",
    "zonal_statistics",
    "zone_by_largest_overlap",
]

MeasureType = Annotated[
    DistanceMeasure
    | CountWithinMeasure
    | NetworkMeasure
    | RasterMeasure
    | OverlayMeasure
    | AttributeMeasure,
    Field(discriminator="type"),
]
