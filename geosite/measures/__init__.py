"""Raw criterion values per parcel: distances, counts, network, raster, overlay, attributes.

Each measure type is a pydantic model (see :mod:`geosite.measures.base`); :data:`MeasureType`
is the union the scenario format accepts, told apart by the ``type`` key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from geosite.measures.attribute import AttributeMeasure
from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec
from geosite.measures.distance import (
    CountWithinMeasure,
    DistanceMeasure,
    count_within,
    nearest_distance,
)
from geosite.measures.network import NetworkMeasure
from geosite.measures.overlay import OverlayMeasure
from geosite.measures.raster import RasterMeasure

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
