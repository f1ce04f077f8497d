"""Raw criterion values per parcel: distances, counts, network, raster, overlay, attributes.

Each measure type is a pydantic model (see :mod:`geosite.measures.base`); :data:`MeasureType`
is the union the scenario format accepts, told apart by the ``type`` key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from geosite.measures.base import MeasureContext, MeasureResult, MeasureSpec
from geosite.measures.distance import (
    CountWithinMeasure,
    DistanceMeasure,
    count_within,
    nearest_distance,
)

__all__ = [
    "CountWithinMeasure",
    "DistanceMeasure",
    "MeasureContext",
    "MeasureResult",
    "MeasureSpec",
    "MeasureType",
    "count_within",
    "nearest_distance",
]

MeasureType = Annotated[
    DistanceMeasure | CountWithinMeasure,
    Field(discriminator="type"),
]
