"""Plain values for JSON: what the ``as_dict``/``summary`` methods and JSON reports write."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def json_ready(value: Any) -> Any:
    """Return ``value`` as a plain Python value that JSON can hold.

    numpy scalars become Python scalars; ``NaN``, infinities and ``pandas.NA`` become
    ``None`` (JSON has no NaN); paths become strings; anything else is returned unchanged.

    Examples
    --------
    >>> json_ready(np.float32(0.5)), json_ready(float("nan")), json_ready(np.int64(3))
    (0.5, None, 3)
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
