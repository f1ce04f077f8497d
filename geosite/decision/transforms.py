"""Value functions: turn a raw criterion value into a suitability score in [0, 1].

Each value function is a frozen pydantic model, written by a planner in the scenario file
under a criterion's ``value:`` key and told apart by its ``type``. Every model is callable on
an array of raw values (vectorised; ``NaN`` in gives ``NaN`` out; results clipped to [0, 1])
and explains itself with :meth:`~Linear.formula`, the plain-text formula with its parameters
filled in, which the report prints next to the curve it plots over :meth:`~Linear.plot_range`.

The functions follow the published definitions planners already use:

- ``linear``, ``fuzzy_small``, ``fuzzy_large``, ``fuzzy_near``, ``fuzzy_gaussian``,
  ``ms_small``, ``ms_large``: the *Fuzzy Membership* tool of ArcGIS Pro Spatial Analyst
  (Esri, "Fuzzy Membership (Spatial Analyst)" and the ``FuzzySmall``, ``FuzzyLarge``,
  ``FuzzyNear``, ``FuzzyGaussian``, ``FuzzyMSSmall``, ``FuzzyMSLarge`` arcpy class references).
- ``sigmoidal``, ``j_shaped``: the FUZZY module of TerrSet / IDRISI (Eastman, J. R., *TerrSet
  Geospatial Monitoring and Modeling System Manual*, Clark Labs, section "Fuzzy Set Membership
  Functions"); GRASS ``r.fuzzy.set`` offers the same S- and J-shaped boundaries.
- ``logistic``: the standard logistic curve.
- ``ideal``: ArcGIS Pro *Rescale by Function* "Symmetric linear", with an optional plateau.
- ``piecewise``, ``categorical``: lookup tables.
- ``cutoff``: a hard limit (candidates beyond it are excluded, not scored), an optional penalty
  zone with a maximum score, and any of the curves above as the preference curve.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from geosite.errors import ParameterError
from geosite.tolerance import at_least, at_most

__all__ = [
    "Categorical",
    "Curve",
    "Cutoff",
    "FuzzyGaussian",
    "FuzzyLarge",
    "FuzzyNear",
    "FuzzySmall",
    "Ideal",
    "JShaped",
    "Linear",
    "Logistic",
    "MSLarge",
    "MSSmall",
    "Piecewise",
    "Sigmoidal",
    "ValueFunction",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _num(value: float) -> str:
    """Format a parameter for a formula: no trailing zeros, no float noise."""
    return f"{value:.6g}"


def _finite(name: str | None, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number; got {value!r}")


def _positive(name: str | None, value: float) -> float:
    _finite(name, value)
    if value <= 0:
        raise ValueError(f"`{name}` must be greater than 0; got {value!r}")
    return value


class _Base(BaseModel):
    """Base of every value function: vectorised call, NaN propagation, clipping."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __call__(self, x: npt.ArrayLike) -> FloatArray:
        """Score raw values; ``NaN`` stays ``NaN`` and scores are clipped to [0, 1]."""
        arr = np.asarray(x, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            out = np.asarray(self._score(arr), dtype=np.float64)
        out = np.where(np.isnan(arr), np.nan, out)
        # ``+ 0.0`` turns -0.0 into 0.0 so printed scores stay tidy.
        return np.clip(out, 0.0, 1.0) + 0.0

    def _score(self, x: FloatArray) -> FloatArray:
        raise NotImplementedError

    def formula(self) -> str:
        """Return the formula of this value function with its parameters filled in."""
        raise NotImplementedError

    def plot_range(self) -> tuple[float, float]:
        """Return a range of raw values that shows the whole shape of the curve."""
        raise NotImplementedError


def _pad(lo: float, hi: float, share: float = 0.25) -> tuple[float, float]:
    """Widen [lo, hi] by ``share`` on both sides, not below 0 when ``lo`` is not negative.

    Distances and travel times cannot be negative, so a plot of their curve should not
    start below 0.
    """
    pad = (hi - lo) * share if hi > lo else max(abs(lo), 1.0) * share
    start = lo - pad
    if lo >= 0:
        start = max(start, 0.0)
    return (start, hi + pad)


class Linear(_Base):
    r"""Score linearly between a worst and a best raw value.

    .. math:: s(x) = \operatorname{clip}\left(\frac{x - \text{worst}}
              {\text{best} - \text{worst}}, 0, 1\right)

    The score is 1 at ``best``, 0 at ``worst``, linear in between and constant beyond both
    ends. ``best < worst`` means smaller raw values are better (a distance, a travel time).
    This is the ``FuzzyLinear`` membership of ArcGIS Pro's *Fuzzy Membership* tool (with
    ``minimum``/``maximum`` swapped for a decreasing line) and TerrSet's linear membership.

    Parameters
    ----------
    best
        Raw value that scores 1, in the criterion's unit.
    worst
        Raw value that scores 0, in the criterion's unit; must differ from ``best``.

    Examples
    --------
    >>> f = Linear(best=0, worst=60)
    >>> f([0, 15, 60, 90]).tolist()
    [1.0, 0.75, 0.0, 0.0]
    >>> f.formula()
    'clip((x - 60) / (0 - 60), 0, 1)'
    """

    type: Literal["linear"] = "linear"
    best: float
    worst: float

    @model_validator(mode="after")
    def _check(self) -> Linear:
        _finite("best", self.best)
        _finite("worst", self.worst)
        if self.best == self.worst:
            raise ValueError(
                f"`best` and `worst` are both {self.best!r}; give the raw value scoring 1 as "
                "`best` and a different one scoring 0 as `worst`"
            )
        return self

    def _score(self, x: FloatArray) -> FloatArray:
        return (x - self.worst) / (self.best - self.worst)

    def formula(self) -> str:
        """Return the formula with ``best`` and ``worst`` filled in."""
        w, b = _num(self.worst), _num(self.best)
        return f"clip((x - {w}) / ({b} - {w}), 0, 1)"

    def plot_range(self) -> tuple[float, float]:
        """Return a range a little wider than [best, worst]."""
        return _pad(min(self.best, self.worst), max(self.best, self.worst), 0.1)


class _MidpointSpread(_Base):
    """Shared fields of the ArcGIS Pro midpoint/spread memberships."""

    midpoint: float

    @field_validator("midpoint")
    @classmethod
    def _check_midpoint(cls, value: float) -> float:
        _finite("midpoint", value)
        return value

    @field_validator("spread", check_fields=False)
    @classmethod
    def _check_spread(cls, value: float) -> float:
        return _positive("spread", value)


class _PowerOfRatio(_MidpointSpread):
    """Shared checks and range of the memberships of ``x / midpoint`` (small, large)."""

    @field_validator("midpoint")
    @classmethod
    def _check_positive_midpoint(cls, value: float) -> float:
        return _positive("midpoint", value)

    def _ratio(self, x: FloatArray) -> FloatArray:
        """Return ``x / midpoint``, with raw values below 0 taken as 0."""
        return np.maximum(x / self.midpoint, 0.0)

    def plot_range(self) -> tuple[float, float]:
        """Return 0 to three times the midpoint."""
        return (0.0, 3.0 * self.midpoint)


class FuzzySmall(_PowerOfRatio):
    r"""Score small values high: ArcGIS Pro ``FuzzySmall`` membership.

    .. math:: s(x) = \frac{1}{1 + (x / m)^{f}}

    with ``m`` the midpoint (score 0.5) and ``f`` the spread (steepness). The score falls from
    1 towards 0 as ``x`` grows past the midpoint. Defined for positive values: raw values
    ``<= 0`` score 1, the limit as ``x -> 0``. Source: Esri, ArcGIS Pro, arcpy
    ``FuzzySmall`` class and the *Fuzzy Membership* tool reference (default spread 5).

    Parameters
    ----------
    midpoint
        Raw value scoring 0.5, in the criterion's unit; must be > 0.
    spread
        Steepness around the midpoint (unitless, > 0); larger is steeper. ArcGIS suggests
        1 to 10.

    Examples
    --------
    >>> f = FuzzySmall(midpoint=30, spread=2)
    >>> f([0, 30, 60]).round(3).tolist()
    [1.0, 0.5, 0.2]
    """

    type: Literal["fuzzy_small"] = "fuzzy_small"
    spread: float = 5.0

    def _score(self, x: FloatArray) -> FloatArray:
        return 1.0 / (1.0 + self._ratio(x) ** self.spread)

    def formula(self) -> str:
        """Return the formula with midpoint and spread filled in."""
        return f"1 / (1 + (x / {_num(self.midpoint)})^{_num(self.spread)})"


class FuzzyLarge(_PowerOfRatio):
    r"""Score large values high: ArcGIS Pro ``FuzzyLarge`` membership.

    .. math:: s(x) = \frac{1}{1 + (x / m)^{-f}}

    with ``m`` the midpoint (score 0.5) and ``f`` the spread. Defined for positive values: raw
    values ``<= 0`` score 0, the limit as ``x -> 0``. Source: Esri, ArcGIS Pro, arcpy
    ``FuzzyLarge`` class and the *Fuzzy Membership* tool reference (default spread 5).

    Parameters
    ----------
    midpoint
        Raw value scoring 0.5, in the criterion's unit; must be > 0.
    spread
        Steepness around the midpoint (unitless, > 0); larger is steeper.

    Examples
    --------
    >>> f = FuzzyLarge(midpoint=10, spread=2)
    >>> f([0, 10, 20]).round(3).tolist()
    [0.0, 0.5, 0.8]
    """

    type: Literal["fuzzy_large"] = "fuzzy_large"
    spread: float = 5.0

    def _score(self, x: FloatArray) -> FloatArray:
        # ratio**-f is inf at 0, giving the limit score 0.
        return 1.0 / (1.0 + self._ratio(x) ** (-self.spread))

    def formula(self) -> str:
        """Return the formula with midpoint and spread filled in."""
        return f"1 / (1 + (x / {_num(self.midpoint)})^-{_num(self.spread)})"


class FuzzyNear(_MidpointSpread):
    r"""Score values near a midpoint high: ArcGIS Pro ``FuzzyNear`` membership.

    .. math:: s(x) = \frac{1}{1 + f\,(x - m)^2}

    Score 1 at the midpoint ``m``, 0.5 at ``m ± 1/sqrt(f)``; a bell with heavier tails than
    :class:`FuzzyGaussian`. Source: Esri, ArcGIS Pro, arcpy ``FuzzyNear`` class and the
    *Fuzzy Membership* tool reference (default spread 0.1).

    Parameters
    ----------
    midpoint
        Ideal raw value (score 1), in the criterion's unit.
    spread
        Narrowness, in 1 / unit² (> 0); the score is 0.5 at a distance ``1 / sqrt(spread)``
        from the midpoint.

    Examples
    --------
    >>> f = FuzzyNear(midpoint=25, spread=0.25)
    >>> f([25, 27, 23, 31]).round(3).tolist()
    [1.0, 0.5, 0.5, 0.1]
    """

    type: Literal["fuzzy_near"] = "fuzzy_near"
    spread: float = 0.1

    def _score(self, x: FloatArray) -> FloatArray:
        return 1.0 / (1.0 + self.spread * (x - self.midpoint) ** 2)

    def formula(self) -> str:
        """Return the formula with midpoint and spread filled in."""
        return f"1 / (1 + {_num(self.spread)} * (x - {_num(self.midpoint)})^2)"

    def plot_range(self) -> tuple[float, float]:
        """Return the midpoint ± 4 half-widths."""
        half = 4.0 / math.sqrt(self.spread)
        return (self.midpoint - half, self.midpoint + half)


class FuzzyGaussian(_MidpointSpread):
    r"""Score values near a midpoint high with a bell curve: ArcGIS Pro ``FuzzyGaussian``.

    .. math:: s(x) = e^{-f\,(x - m)^2}

    Score 1 at the midpoint ``m``, 0.5 at ``m ± sqrt(ln 2 / f)``. Source: Esri, ArcGIS Pro,
    arcpy ``FuzzyGaussian`` class and the *Fuzzy Membership* tool reference (default spread
    0.1).

    Parameters
    ----------
    midpoint
        Ideal raw value (score 1), in the criterion's unit.
    spread
        Narrowness, in 1 / unit² (> 0).

    Examples
    --------
    >>> f = FuzzyGaussian(midpoint=0, spread=math.log(2))
    >>> f([0, 1, -1]).round(3).tolist()
    [1.0, 0.5, 0.5]
    """

    type: Literal["fuzzy_gaussian"] = "fuzzy_gaussian"
    spread: float = 0.1

    def _score(self, x: FloatArray) -> FloatArray:
        return np.exp(-self.spread * (x - self.midpoint) ** 2)

    def formula(self) -> str:
        """Return the formula with midpoint and spread filled in."""
        return f"exp(-{_num(self.spread)} * (x - {_num(self.midpoint)})^2)"

    def plot_range(self) -> tuple[float, float]:
        """Return the midpoint ± 3 standard deviations of the bell."""
        half = 3.0 / math.sqrt(2.0 * self.spread)
        return (self.midpoint - half, self.midpoint + half)


class _MeanStd(_Base):
    """Shared fields of the ArcGIS Pro mean/standard-deviation memberships."""

    mean: float
    std: float
    mean_multiplier: float = 1.0
    std_multiplier: float = 1.0

    @field_validator("mean", "mean_multiplier")
    @classmethod
    def _check_finite(cls, value: float, info: ValidationInfo) -> float:
        _finite(info.field_name, value)
        return value

    @field_validator("std", "std_multiplier")
    @classmethod
    def _check_positive(cls, value: float, info: ValidationInfo) -> float:
        return _positive(info.field_name, value)

    @property
    def _am(self) -> float:
        return self.mean_multiplier * self.mean

    @property
    def _bs(self) -> float:
        return self.std_multiplier * self.std

    def _small(self, x: FloatArray) -> FloatArray:
        """Return the ``MSSmall`` score: 1 up to ``a m``, ``b s / (x - a m + b s)`` above."""
        above = x > self._am
        return np.where(above, self._bs / np.where(above, x - self._am + self._bs, 1.0), 1.0)

    def plot_range(self) -> tuple[float, float]:
        """Return ``a*m - b*s`` to ``a*m + 8*b*s``."""
        return (self._am - self._bs, self._am + 8.0 * self._bs)


class MSSmall(_MeanStd):
    r"""Score small values high, scaled by a mean and standard deviation (ArcGIS ``MSSmall``).

    .. math:: s(x) = \begin{cases} 1 & x \le a m \\
              \dfrac{b s}{x - a m + b s} & x > a m \end{cases}

    with ``m`` the mean, ``s`` the standard deviation and ``a``, ``b`` their multipliers.
    The score is 0.5 at ``x = a m + b s``.

    ArcGIS computes ``m`` and ``s`` from the input raster; here they are parameters, so a
    value function never depends silently on the data it scores (compute them once, e.g.
    with ``numpy.nanmean``/``numpy.nanstd`` over the study area, and write them in the
    scenario). Source: Esri, ArcGIS Pro, arcpy ``FuzzyMSSmall`` class. Esri's page gives 0 for
    ``x <= a m``; that contradicts the function's limit 1 at ``x = a m`` and its purpose
    ("smaller values having a membership closer to 1"), so geosite scores those values 1.

    Parameters
    ----------
    mean
        Mean ``m`` of the raw values, in the criterion's unit.
    std
        Standard deviation ``s`` of the raw values (> 0), in the criterion's unit.
    mean_multiplier
        ``a``, multiplier of the mean (ArcGIS default 1).
    std_multiplier
        ``b``, multiplier of the standard deviation (> 0, ArcGIS default 1).

    Examples
    --------
    >>> f = MSSmall(mean=10, std=5)
    >>> f([5, 10, 15, 30]).tolist()
    [1.0, 1.0, 0.5, 0.2]
    """

    type: Literal["ms_small"] = "ms_small"

    def _score(self, x: FloatArray) -> FloatArray:
        return self._small(x)

    def formula(self) -> str:
        """Return the formula with the scaled mean and standard deviation filled in."""
        am, bs = _num(self._am), _num(self._bs)
        return f"1 if x <= {am}; {bs} / (x - {am} + {bs}) otherwise"


class MSLarge(_MeanStd):
    r"""Score large values high, scaled by a mean and standard deviation (ArcGIS ``MSLarge``).

    .. math:: s(x) = \begin{cases} 0 & x \le a m \\
              1 - \dfrac{b s}{x - a m + b s} & x > a m \end{cases}

    The score is 0.5 at ``x = a m + b s``. As for :class:`MSSmall`, ``mean`` and ``std`` are
    explicit parameters. Source: Esri, ArcGIS Pro, arcpy ``FuzzyMSLarge`` class.

    Parameters
    ----------
    mean
        Mean ``m`` of the raw values, in the criterion's unit.
    std
        Standard deviation ``s`` of the raw values (> 0), in the criterion's unit.
    mean_multiplier
        ``a``, multiplier of the mean (ArcGIS default 1).
    std_multiplier
        ``b``, multiplier of the standard deviation (> 0, ArcGIS default 1).

    Examples
    --------
    >>> f = MSLarge(mean=10, std=5)
    >>> f([5, 10, 15, 30]).tolist()
    [0.0, 0.0, 0.5, 0.8]
    """

    type: Literal["ms_large"] = "ms_large"

    def _score(self, x: FloatArray) -> FloatArray:
        return 1.0 - self._small(x)

    def formula(self) -> str:
        """Return the formula with the scaled mean and standard deviation filled in."""
        am, bs = _num(self._am), _num(self._bs)
        return f"0 if x <= {am}; 1 - {bs} / (x - {am} + {bs}) otherwise"


class Logistic(_Base):
    r"""Score with a logistic (sigmoid) curve around a midpoint.

    .. math:: s(x) = \frac{1}{1 + e^{-k (x - m)}}  \quad\text{(increasing)}, \qquad
              s(x) = \frac{1}{1 + e^{k (x - m)}}  \quad\text{(decreasing)}

    The score is 0.5 at the midpoint ``m`` and about 0.12 / 0.88 one ``1/k`` either side
    (:math:`1/(1+e)` and :math:`e/(1+e)`). It never reaches exactly 0 or 1; use
    :class:`Sigmoidal` for an S-curve that does.

    Parameters
    ----------
    midpoint
        Raw value scoring 0.5, in the criterion's unit.
    steepness
        ``k``, in 1 / unit (> 0); larger is steeper.
    direction
        ``"increasing"`` if larger raw values are better, ``"decreasing"`` otherwise.

    Examples
    --------
    >>> f = Logistic(midpoint=30, steepness=0.2, direction="decreasing")
    >>> f([30]).tolist()
    [0.5]
    """

    type: Literal["logistic"] = "logistic"
    midpoint: float
    steepness: float
    direction: Literal["increasing", "decreasing"] = "increasing"

    @field_validator("midpoint")
    @classmethod
    def _check_midpoint(cls, value: float) -> float:
        _finite("midpoint", value)
        return value

    @field_validator("steepness")
    @classmethod
    def _check_steepness(cls, value: float) -> float:
        return _positive("steepness", value)

    def _score(self, x: FloatArray) -> FloatArray:
        sign = 1.0 if self.direction == "increasing" else -1.0
        return 1.0 / (1.0 + np.exp(-sign * self.steepness * (x - self.midpoint)))

    def formula(self) -> str:
        """Return the formula with midpoint and steepness filled in."""
        sign = "-" if self.direction == "increasing" else ""
        return f"1 / (1 + exp({sign}{_num(self.steepness)} * (x - {_num(self.midpoint)})))"

    def plot_range(self) -> tuple[float, float]:
        """Return the midpoint ± 6 / steepness."""
        half = 6.0 / self.steepness
        return (self.midpoint - half, self.midpoint + half)


Pair = tuple[float, float]


class _RiseFall(_Base):
    """Shared fields of the TerrSet control-point memberships (sigmoidal, J-shaped)."""

    rise: Pair | None = None
    fall: Pair | None = None

    @field_validator("rise", "fall")
    @classmethod
    def _check_pair(cls, value: Pair | None, info: ValidationInfo) -> Pair | None:
        if value is None:
            return value
        name = info.field_name
        _finite(name, value[0])
        _finite(name, value[1])
        if not value[0] < value[1]:
            raise ValueError(
                f"`{name}` must be two increasing raw values [start, end]; got {list(value)!r}; "
                f"swap them to {[value[1], value[0]]!r}"
            )
        return value

    @model_validator(mode="after")
    def _check_order(self) -> _RiseFall:
        if self.rise is None and self.fall is None:
            raise ValueError(
                "give `rise: [a, b]` (score rises from a to b), `fall: [c, d]` (score falls "
                "from c to d), or both for a symmetric curve"
            )
        if self.rise is not None and self.fall is not None and self.rise[1] > self.fall[0]:
            raise ValueError(
                f"`rise` {list(self.rise)!r} must end at or before `fall` {list(self.fall)!r} "
                "starts: the curve rises, stays at 1, then falls"
            )
        return self

    def _plateau(self) -> str:
        """Return the formula's middle part: where the score is 1."""
        lo = _num(self.rise[1]) if self.rise is not None else None
        hi = _num(self.fall[0]) if self.fall is not None else None
        return "1 if " + " <= ".join(p for p in (lo, "x", hi) if p is not None)

    def _span(self) -> tuple[float, float]:
        """Return the lowest and the highest control point."""
        pts = [*(self.rise or ()), *(self.fall or ())]
        return (min(pts), max(pts))

    def plot_range(self) -> tuple[float, float]:
        """Return a range a little wider than all control points."""
        return _pad(*self._span())


class Sigmoidal(_RiseFall):
    r"""Score with TerrSet's sigmoidal (cosine-squared, S-shaped) membership.

    Rising between control points ``a < b`` and falling between ``c < d``:

    .. math::
        s(x) = \begin{cases}
            0 & x \le a \\
            \cos^2\!\left(\left(1 - \frac{x - a}{b - a}\right)\frac{\pi}{2}\right) & a < x < b \\
            1 & b \le x \le c \\
            \cos^2\!\left(\frac{x - c}{d - c}\,\frac{\pi}{2}\right) & c < x < d \\
            0 & x \ge d
        \end{cases}

    Give only ``rise`` for a monotonically increasing curve, only ``fall`` for a decreasing
    one, both for a symmetric one. The score is 0.5 halfway between ``a`` and ``b`` (and
    between ``c`` and ``d``). Source: Eastman, J. R., TerrSet / IDRISI manual, FUZZY module,
    "Sigmoidal" membership function.

    Parameters
    ----------
    rise
        ``[a, b]``: the score rises from 0 at ``a`` to 1 at ``b`` (raw units, ``a < b``).
    fall
        ``[c, d]``: the score falls from 1 at ``c`` to 0 at ``d`` (raw units, ``c < d``,
        ``b <= c``).

    Examples
    --------
    >>> f = Sigmoidal(fall=[30, 60])
    >>> f([0, 30, 45, 60]).round(3).tolist()
    [1.0, 1.0, 0.5, 0.0]
    """

    type: Literal["sigmoidal"] = "sigmoidal"

    def _score(self, x: FloatArray) -> FloatArray:
        out = np.ones_like(x)
        if self.rise is not None:
            a, b = self.rise
            t = np.clip((x - a) / (b - a), 0.0, 1.0)
            out = np.minimum(out, np.cos((1.0 - t) * np.pi / 2.0) ** 2)
        if self.fall is not None:
            c, d = self.fall
            t = np.clip((x - c) / (d - c), 0.0, 1.0)
            out = np.minimum(out, np.cos(t * np.pi / 2.0) ** 2)
        return out

    def formula(self) -> str:
        """Return the piecewise formula with the control points filled in."""
        parts = []
        if self.rise is not None:
            a, b = (_num(v) for v in self.rise)
            parts += [
                f"0 if x <= {a}",
                f"cos((1 - (x - {a}) / ({b} - {a})) * pi/2)^2 if {a} < x < {b}",
            ]
        parts.append(self._plateau())
        if self.fall is not None:
            c, d = (_num(v) for v in self.fall)
            parts += [f"cos((x - {c}) / ({d} - {c}) * pi/2)^2 if {c} < x < {d}", f"0 if x >= {d}"]
        return "; ".join(parts)


class JShaped(_RiseFall):
    r"""Score with TerrSet's J-shaped membership.

    Rising towards ``b`` with its 0.5 point at ``a``, and falling after ``c`` with its 0.5
    point at ``d``:

    .. math::
        s(x) = \begin{cases}
            \dfrac{1}{1 + \left(\frac{x - b}{b - a}\right)^2} & x < b \\
            1 & b \le x \le c \\
            \dfrac{1}{1 + \left(\frac{x - c}{d - c}\right)^2} & x > c
        \end{cases}

    Unlike :class:`Sigmoidal`, the score only approaches 0 far beyond ``a`` and ``d``, which
    are the points where it is 0.5 (Eastman, J. R., TerrSet / IDRISI manual, FUZZY module,
    "J-Shaped" membership function).

    Parameters
    ----------
    rise
        ``[a, b]``: the score is 0.5 at ``a`` and 1 from ``b`` (raw units, ``a < b``).
    fall
        ``[c, d]``: the score is 1 up to ``c`` and 0.5 at ``d`` (raw units, ``c < d``,
        ``b <= c``).

    Examples
    --------
    >>> f = JShaped(fall=[0, 30])
    >>> f([0, 30, 60]).round(3).tolist()
    [1.0, 0.5, 0.2]
    """

    type: Literal["j_shaped"] = "j_shaped"

    def _score(self, x: FloatArray) -> FloatArray:
        out = np.ones_like(x)
        if self.rise is not None:
            a, b = self.rise
            t = np.minimum(x - b, 0.0) / (b - a)
            out = np.minimum(out, 1.0 / (1.0 + t**2))
        if self.fall is not None:
            c, d = self.fall
            t = np.maximum(x - c, 0.0) / (d - c)
            out = np.minimum(out, 1.0 / (1.0 + t**2))
        return out

    def formula(self) -> str:
        """Return the piecewise formula with the control points filled in."""
        parts = []
        if self.rise is not None:
            a, b = (_num(v) for v in self.rise)
            parts.append(f"1 / (1 + ((x - {b}) / ({b} - {a}))^2) if x < {b}")
        parts.append(self._plateau())
        if self.fall is not None:
            c, d = (_num(v) for v in self.fall)
            parts.append(f"1 / (1 + ((x - {c}) / ({d} - {c}))^2) if x > {c}")
        return "; ".join(parts)

    def plot_range(self) -> tuple[float, float]:
        """Return a range wide enough to show the long J-shaped tails."""
        return _pad(*self._span(), 1.0)


class Ideal(_Base):
    r"""Score closeness to an ideal (target) raw value, linearly on both sides.

    .. math:: s(x) = \operatorname{clip}\left(
              \frac{z - |x - t|}{z - p}, 0, 1\right)

    with ``t`` the target, ``p`` the half-width of the plateau scoring 1 (``full_within``) and
    ``z`` the distance from the target at which the score reaches 0 (``zero_beyond``). With
    ``p = 0`` this is the "Symmetric linear" function of ArcGIS Pro's *Rescale by Function*
    tool; with a plateau it is the symmetric linear (trapezoidal) membership of TerrSet.

    Parameters
    ----------
    target
        Ideal raw value, in the criterion's unit.
    zero_beyond
        Distance from ``target`` (same unit, > ``full_within``) at and beyond which the score
        is 0.
    full_within
        Distance from ``target`` (same unit, >= 0) within which the score is 1.

    Examples
    --------
    >>> f = Ideal(target=100, zero_beyond=50, full_within=10)
    >>> f([100, 110, 130, 70, 150]).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.0]
    """

    type: Literal["ideal"] = "ideal"
    target: float
    zero_beyond: float
    full_within: float = 0.0

    @field_validator("target")
    @classmethod
    def _check_target(cls, value: float) -> float:
        _finite("target", value)
        return value

    @field_validator("zero_beyond")
    @classmethod
    def _check_zero(cls, value: float) -> float:
        return _positive("zero_beyond", value)

    @field_validator("full_within")
    @classmethod
    def _check_full(cls, value: float) -> float:
        _finite("full_within", value)
        if value < 0:
            raise ValueError(
                f"`full_within` is a distance from the target and must be >= 0; got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _check_widths(self) -> Ideal:
        if self.full_within >= self.zero_beyond:
            raise ValueError(
                f"`full_within` ({self.full_within!r}) must be smaller than `zero_beyond` "
                f"({self.zero_beyond!r}): the score is 1 within `full_within` of the target "
                "and falls to 0 at `zero_beyond`"
            )
        return self

    def _score(self, x: FloatArray) -> FloatArray:
        z, p = self.zero_beyond, self.full_within
        return (z - np.abs(x - self.target)) / (z - p)

    def formula(self) -> str:
        """Return the formula with target and widths filled in."""
        t, z, p = _num(self.target), _num(self.zero_beyond), _num(self.full_within)
        return f"clip(({z} - |x - {t}|) / ({z} - {p}), 0, 1)"

    def plot_range(self) -> tuple[float, float]:
        """Return the target ± 1.25 times ``zero_beyond``."""
        half = 1.25 * self.zero_beyond
        return (self.target - half, self.target + half)


class Piecewise(_Base):
    """Score by linear interpolation in a table of (raw value, score) points.

    Between two points the score is interpolated linearly; below the first point it is the
    first point's score and above the last point the last point's score. This is the
    "piecewise linear" reclassification planners build by hand in a spreadsheet.

    Parameters
    ----------
    points
        ``[[x, score], ...]`` with ``x`` in the criterion's unit, strictly increasing, and
        ``score`` in [0, 1]; at least two points.

    Examples
    --------
    >>> f = Piecewise(points=[[0, 1], [30, 0.8], [60, 0]])
    >>> f([-5, 15, 45, 90]).tolist()
    [1.0, 0.9, 0.4, 0.0]
    """

    type: Literal["piecewise"] = "piecewise"
    points: list[Pair]

    @field_validator("points")
    @classmethod
    def _check_points(cls, value: list[Pair]) -> list[Pair]:
        problems = []
        if len(value) < 2:
            problems.append(f"need at least two [x, score] points; got {len(value)}")
        for i, (x, s) in enumerate(value):
            if not (math.isfinite(x) and math.isfinite(s)):
                problems.append(f"point {i} {[x, s]!r} is not finite")
            elif not 0.0 <= s <= 1.0:
                problems.append(f"point {i} {[x, s]!r} has a score outside [0, 1]")
        problems.extend(
            f"x must increase strictly: point {i} has x={value[i][0]!r} after "
            f"x={value[i - 1][0]!r}; sort the points by x and drop duplicates"
            for i in range(1, len(value))
            if not value[i][0] > value[i - 1][0]
        )
        if problems:
            raise ValueError("`points`: " + "; ".join(problems))
        return value

    def _score(self, x: FloatArray) -> FloatArray:
        xs = np.array([p[0] for p in self.points])
        ys = np.array([p[1] for p in self.points])
        return np.asarray(np.interp(x, xs, ys), dtype=np.float64)

    def formula(self) -> str:
        """Return the interpolation table."""
        pts = ", ".join(f"({_num(x)}, {_num(s)})" for x, s in self.points)
        return f"linear interpolation through {pts}; constant beyond the ends"

    def plot_range(self) -> tuple[float, float]:
        """Return a range a little wider than the table."""
        return _pad(self.points[0][0], self.points[-1][0], 0.1)


def _category_key(value: object) -> str | None:
    """Normalise a category to a lookup key: ``1``, ``1.0`` and ``"1"`` match each other."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _unique_objects(
    flat: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
    """Return distinct values and the inverse index of an object array (mixed types allowed)."""
    index: dict[tuple[str, object] | None, int] = {}
    inverse = np.empty(flat.size, dtype=np.intp)
    for i, value in enumerate(flat.tolist()):
        # NaN != NaN, so key missing values together under None.
        key = None if _category_key(value) is None else (type(value).__name__, value)
        inverse[i] = index.setdefault(key, len(index))
    distinct = np.empty(len(index), dtype=object)
    for typed, k in index.items():
        distinct[k] = None if typed is None else typed[1]
    return distinct, inverse


class Categorical(_Base):
    """Score categories (land-use classes, zoning codes, rankings) from a lookup table.

    Keys may be numbers or text; ``1``, ``1.0`` and ``"1"`` are the same category. Missing
    values (``None``, ``NaN``) score ``NaN``.

    Parameters
    ----------
    categories
        ``{category: score}`` with scores in [0, 1].
    default
        Score for categories not in the table; if unset, unknown categories are an error.

    Examples
    --------
    >>> f = Categorical(categories={"industrial": 1, "agricultural": 0.4}, default=0)
    >>> f(["industrial", "forest", None]).tolist()
    [1.0, 0.0, nan]
    """

    type: Literal["categorical"] = "categorical"
    categories: dict[int | str, float]
    default: float | None = None

    @field_validator("categories")
    @classmethod
    def _check_categories(cls, value: dict[int | str, float]) -> dict[int | str, float]:
        problems = []
        if not value:
            problems.append("must list at least one `category: score` pair")
        bad = {k: v for k, v in value.items() if not (math.isfinite(v) and 0.0 <= v <= 1.0)}
        if bad:
            problems.append(f"scores must lie in [0, 1]; got {bad!r}")
        keys = [_category_key(k) for k in value]
        clashes = sorted({k for k in keys if k is not None and keys.count(k) > 1})
        if clashes:
            problems.append(f"categories {clashes!r} are given twice (as number and as text)")
        if problems:
            raise ValueError("`categories`: " + "; ".join(problems))
        return value

    @field_validator("default")
    @classmethod
    def _check_default(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"`default` must be a score in [0, 1]; got {value!r}")
        return value

    def __call__(self, x: npt.ArrayLike) -> FloatArray:
        """Look up the score of each category; unknown ones get ``default``."""
        arr = np.asarray(x)
        if arr.dtype.kind not in "biuf":
            arr = arr.astype(object)
        table = {_category_key(k): v for k, v in self.categories.items()}
        # Look up each distinct value once; parcels share few categories.
        flat = arr.reshape(-1)
        if flat.dtype.kind == "f":
            missing = np.isnan(flat)
            distinct, inverse = np.unique(np.where(missing, 0.0, flat), return_inverse=True)
        else:
            missing = np.fromiter((_category_key(v) is None for v in flat), bool, flat.size)
            distinct, inverse = _unique_objects(flat)
        scores = np.empty(len(distinct))
        unknown: set[str] = set()
        for k, value in enumerate(distinct.tolist()):
            key = _category_key(value)
            if key is None:
                scores[k] = np.nan
            elif key in table:
                scores[k] = table[key]
            elif self.default is not None:
                scores[k] = self.default
            else:
                scores[k] = np.nan
                if not missing[inverse == k].all():
                    unknown.add(key)
        out = np.where(missing, np.nan, scores[inverse]).reshape(arr.shape)
        if unknown:
            shown = sorted(unknown)[:10]
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            msg = (
                f"categories {shown!r}{more} are not in `categories` "
                f"({sorted(str(k) for k in self.categories)!r}); add them or set `default:`"
            )
            raise ParameterError(msg)
        return out

    def formula(self) -> str:
        """Return the lookup table as text."""
        pairs = ", ".join(f"{k!r}: {_num(v)}" for k, v in self.categories.items())
        other = "error" if self.default is None else _num(self.default)
        return f"lookup {{{pairs}}}; other categories: {other}"

    def plot_range(self) -> tuple[float, float]:
        """Categories have no numeric range; plot them as bars instead."""
        msg = "a categorical value function has no numeric range; plot `categories` as bars"
        raise TypeError(msg)


Curve = Annotated[
    Linear
    | FuzzySmall
    | FuzzyLarge
    | FuzzyNear
    | FuzzyGaussian
    | MSSmall
    | MSLarge
    | Logistic
    | Sigmoidal
    | JShaped
    | Ideal
    | Piecewise,
    Field(discriminator="type"),
]
"""Any numeric value function; the preference curve inside a :class:`Cutoff`."""


class Cutoff(_Base):
    """Combine a hard limit, a penalty zone and a preference curve.

    Written for rules like "must be within 60 min; 45-60 min is penalised; closer is
    better"::

        type: cutoff
        exclude_above: 60        # beyond 60 min the candidate is excluded
        penalty_above: 45        # above 45 min ...
        penalty_max_score: 0.3   # ... the score is capped at 0.3
        curve: {type: linear, best: 0, worst: 60}

    For a raw value ``x``:

    - ``x > exclude_above`` or ``x < exclude_below``: the candidate is **excluded**, not
      scored 0. :meth:`cutoff_mask` marks these candidates so the analysis drops them with a
      reason (:meth:`reason`). Calling the function still returns the score they would have
      had (the curve, capped as in the penalty zone), so a forced inclusion can be ranked
      and score cards show what was lost; exclusion is decided by the mask alone.
    - ``x > penalty_above`` or ``x < penalty_below``: ``min(curve(x), penalty_max_score)``.
    - otherwise: ``curve(x)``.

    Limits are inclusive of the allowed side: ``x == exclude_above`` is kept and
    ``x == penalty_above`` is not penalised.

    Parameters
    ----------
    curve
        The preference curve: any numeric value function (not categorical, not a cutoff).
    exclude_above, exclude_below
        Hard limits in the criterion's unit; at least one limit or penalty zone is required.
    penalty_above, penalty_below
        Start of the penalty zone(s), inside the hard limits.
    penalty_max_score
        Highest score allowed in a penalty zone, in [0, 1]; required with a penalty zone.

    Examples
    --------
    >>> f = Cutoff(exclude_above=60, penalty_above=45, penalty_max_score=0.3,
    ...            curve=Linear(best=0, worst=90))
    >>> f([0, 45, 50, 60, 75]).round(3).tolist()
    [1.0, 0.5, 0.3, 0.3, 0.167]
    >>> f.cutoff_mask([0, 45, 50, 60, 75]).tolist()
    [False, False, False, False, True]
    """

    type: Literal["cutoff"] = "cutoff"
    curve: Curve
    exclude_above: float | None = None
    exclude_below: float | None = None
    penalty_above: float | None = None
    penalty_below: float | None = None
    penalty_max_score: float | None = None

    @field_validator(
        "exclude_above", "exclude_below", "penalty_above", "penalty_below", "penalty_max_score"
    )
    @classmethod
    def _check_finite(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None:
            _finite(info.field_name, value)
        return value

    @model_validator(mode="after")
    def _check_limits(self) -> Cutoff:
        ea, eb = self.exclude_above, self.exclude_below
        pa, pb, cap = self.penalty_above, self.penalty_below, self.penalty_max_score
        problems = []
        if ea is None and eb is None and pa is None and pb is None:
            problems.append(
                "give `exclude_above`/`exclude_below` (hard limits) and/or "
                "`penalty_above`/`penalty_below` (penalty zones); without them use the curve "
                "on its own"
            )
        if ea is not None and eb is not None and not eb < ea:
            problems.append(
                f"`exclude_below` ({eb!r}) must be smaller than `exclude_above` ({ea!r})"
            )
        if pa is not None and ea is not None and not pa < ea:
            problems.append(
                f"`penalty_above` ({pa!r}) must be smaller than `exclude_above` ({ea!r}): the "
                "penalty zone lies between them"
            )
        if pb is not None and eb is not None and not pb > eb:
            problems.append(
                f"`penalty_below` ({pb!r}) must be larger than `exclude_below` ({eb!r}): the "
                "penalty zone lies between them"
            )
        if pa is not None and pb is not None and not pb < pa:
            problems.append(
                f"`penalty_below` ({pb!r}) must be smaller than `penalty_above` ({pa!r}), or "
                "every value would be penalised"
            )
        if (pa is not None or pb is not None) and cap is None:
            problems.append(
                "a penalty zone needs `penalty_max_score`, the highest score allowed in it "
                "(between 0 and 1)"
            )
        if cap is not None and pa is None and pb is None:
            problems.append(
                f"`penalty_max_score` ({cap!r}) is set but no penalty zone; add `penalty_above` "
                "or `penalty_below`, or remove it"
            )
        if cap is not None and not 0.0 <= cap <= 1.0:
            problems.append(f"`penalty_max_score` must lie in [0, 1]; got {cap!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def cutoff_mask(self, x: npt.ArrayLike) -> BoolArray:
        """Return ``True`` where a raw value lies beyond a hard limit (candidate excluded).

        ``NaN`` raw values are not marked: a missing value is reported by the measure, not
        by this limit.
        """
        arr = np.asarray(x, dtype=np.float64)
        mask = np.zeros(arr.shape, dtype=bool)
        known = ~np.isnan(arr)
        if self.exclude_above is not None:
            mask |= known & ~at_most(arr, self.exclude_above)
        if self.exclude_below is not None:
            mask |= known & ~at_least(arr, self.exclude_below)
        return mask

    def _beyond_penalty(self, arr: FloatArray) -> BoolArray:
        mask = np.zeros(arr.shape, dtype=bool)
        known = ~np.isnan(arr)
        if self.penalty_above is not None:
            mask |= known & ~at_most(arr, self.penalty_above)
        if self.penalty_below is not None:
            mask |= known & ~at_least(arr, self.penalty_below)
        return mask

    def penalty_mask(self, x: npt.ArrayLike) -> BoolArray:
        """Return ``True`` where a raw value lies in a penalty zone (and is not excluded)."""
        arr = np.asarray(x, dtype=np.float64)
        return self._beyond_penalty(arr) & ~self.cutoff_mask(arr)

    def _score(self, x: FloatArray) -> FloatArray:
        out = self.curve(x)
        if self.penalty_max_score is not None:
            # Values beyond a hard limit lie beyond the penalty zone too: capped as well.
            out = np.where(self._beyond_penalty(x), np.minimum(out, self.penalty_max_score), out)
        return out

    def reason(self) -> str:
        """Return the exclusion reason for candidates marked by :meth:`cutoff_mask`."""
        parts = []
        if self.exclude_below is not None:
            parts.append(f"below {_num(self.exclude_below)}")
        if self.exclude_above is not None:
            parts.append(f"above {_num(self.exclude_above)}")
        return "value " + " or ".join(parts) if parts else ""

    def formula(self) -> str:
        """Return the limits, the penalty zone and the curve's formula."""
        parts = []
        if self.exclude_below is not None or self.exclude_above is not None:
            parts.append(f"excluded if {self.reason().removeprefix('value ')}")
        zones = []
        if self.penalty_below is not None:
            zones.append(f"x < {_num(self.penalty_below)}")
        if self.penalty_above is not None:
            zones.append(f"x > {_num(self.penalty_above)}")
        if zones and self.penalty_max_score is not None:
            parts.append(f"min(curve(x), {_num(self.penalty_max_score)}) if {' or '.join(zones)}")
        parts.append(f"curve(x) otherwise, curve(x) = {self.curve.formula()}")
        return "; ".join(parts)

    def plot_range(self) -> tuple[float, float]:
        """Return the curve's range widened to show the limits."""
        lo, hi = self.curve.plot_range()
        limits = [
            v
            for v in (
                self.exclude_above,
                self.exclude_below,
                self.penalty_above,
                self.penalty_below,
            )
            if v is not None
        ]
        lo, hi = min([lo, *limits]), max([hi, *limits])
        return _pad(lo, hi, 0.05)


ValueFunction = Annotated[
    Linear
    | FuzzySmall
    | FuzzyLarge
    | FuzzyNear
    | FuzzyGaussian
    | MSSmall
    | MSLarge
    | Logistic
    | Sigmoidal
    | JShaped
    | Ideal
    | Piecewise
    | Categorical
    | Cutoff,
    Field(discriminator="type"),
]
"""Any value function, told apart by its ``type`` key in the scenario file."""
