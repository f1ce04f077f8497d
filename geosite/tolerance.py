"""Compare measured quantities with a user's bound, forgiving floating-point error.

An area, distance or travel time computed from geometry carries rounding error: a 10 ha
grid cell at UTM coordinates measures 9.999999999999 ha, a cell exactly 5 km from a region
measures 4999.999999999 m. Compared exactly with ``min_area: 10`` or ``min_distance_m: 5000``
it would fail a bound it meets. Every such comparison in geosite goes through this module,
which counts a value within a relative :data:`REL_TOL` of the bound as equal to it.

The tolerance is relative to the bound, so it means the same for hectares, metres and
minutes, and is far below any real difference (1e-9 of 5 km is 5 micrometres). A bound of 0
is compared exactly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, overload

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["REL_TOL", "at_least", "at_most", "ceil_ratio", "floor_ratio", "narrow", "widen"]

#: Relative tolerance of every comparison of a computed quantity with a bound.
REL_TOL = 1e-9


def _slack(bound: float) -> float:
    return REL_TOL * abs(float(bound))


@overload
def at_least(value: float, bound: float) -> bool: ...
@overload
def at_least(value: npt.ArrayLike, bound: float) -> npt.NDArray[np.bool_]: ...
def at_least(value: float | npt.ArrayLike, bound: float) -> bool | npt.NDArray[np.bool_]:
    """Return whether ``value`` reaches ``bound`` (``value >= bound`` up to :data:`REL_TOL`).

    NaN values are never at least a bound.

    Examples
    --------
    >>> at_least(9.999999999999998, 10), at_least(9.9999, 10)
    (True, False)
    >>> at_least([0.5, 1.0, float("nan")], 1.0).tolist()
    [False, True, False]
    """
    if isinstance(value, int | float):
        return bool(value >= bound - _slack(bound))
    with np.errstate(invalid="ignore"):
        return np.asarray(np.asarray(value, dtype=np.float64) >= bound - _slack(bound))


@overload
def at_most(value: float, bound: float) -> bool: ...
@overload
def at_most(value: npt.ArrayLike, bound: float) -> npt.NDArray[np.bool_]: ...
def at_most(value: float | npt.ArrayLike, bound: float) -> bool | npt.NDArray[np.bool_]:
    """Return whether ``value`` stays within ``bound`` (``value <= bound`` up to :data:`REL_TOL`).

    NaN values are never at most a bound.

    Examples
    --------
    >>> at_most(10.000000000000002, 10), at_most(10.0001, 10)
    (True, False)
    """
    if isinstance(value, int | float):
        return bool(value <= bound + _slack(bound))
    with np.errstate(invalid="ignore"):
        return np.asarray(np.asarray(value, dtype=np.float64) <= bound + _slack(bound))


def widen(bound: float) -> float:
    """Return the largest value :func:`at_most` accepts for ``bound``.

    For code handing a bound to a library that compares exactly (``shapely.dwithin``, a
    bounded shortest-path search).

    Examples
    --------
    >>> widen(5000.0) > 5000.0, widen(0.0)
    (True, 0.0)
    """
    return float(bound) + _slack(bound)


def narrow(bound: float) -> float:
    """Return the largest value :func:`at_least` refuses for ``bound``, about.

    For code asking a library that compares exactly (``shapely.dwithin``) which values fall
    short of a bound: those within ``narrow(bound)``.

    Examples
    --------
    >>> narrow(5000.0) < 5000.0, narrow(0.0)
    (True, 0.0)
    """
    return float(bound) - _slack(bound)


def ceil_ratio(value: float, unit: float) -> int:
    """Return the fewest whole ``unit`` that reach ``value`` (tolerating rounding error).

    Examples
    --------
    >>> ceil_ratio(0.3, 0.1), ceil_ratio(0.31, 0.1)
    (3, 4)
    """
    return math.ceil(value / unit - REL_TOL * abs(value / unit))


def floor_ratio(value: float, unit: float) -> int:
    """Return the most whole ``unit`` that stay within ``value`` (tolerating rounding error).

    Examples
    --------
    >>> floor_ratio(0.3, 0.1), floor_ratio(0.29, 0.1)
    (3, 2)
    """
    return math.floor(value / unit + REL_TOL * abs(value / unit))
