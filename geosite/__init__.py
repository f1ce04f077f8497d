"""geosite: site-suitability analysis for regional planning."""

from __future__ import annotations

import logging

from geosite.errors import GeositeError

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["GeositeError", "__version__"]
