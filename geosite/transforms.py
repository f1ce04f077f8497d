"""Value functions: turn a raw criterion value into a suitability score in [0, 1].

Each value function is a frozen pydantic model, written by a planner in the scenario file
under a criterion's ``value:`` key and told apart by its ``type``. Every model is callable on
an array of raw values (vectorised; ``NaN`` in gives ``NaN`` out; results clipped to [0, 1])
and explains itself with :meth:`formula`, the plain-text formula with its parameters filled in
that the report prints next to the plotted curve.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Linear",
    "ValueFunction",
]

FloatArray = npt.NDArray[np.float64]


def _num(value: float) -> str:
    """Format a parameter for a formula: no trailing zeros, no float noise."""
    return f"{value:.6g}"


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


class Linear(_Base):
    r"""Score linearly between a worst and a best raw value.

    .. math:: s(x) = \operatorname{clip}\left(\frac{x - \text{worst}}
              {\text{best} - \text{worst}}, 0, 1\right)

    The score is 1 at ``best``, 0 at ``worst``, linear in between and constant beyond both
    ends. ``best < worst`` means smaller raw values are better (a distance, a travel time).
    This is the "linear" transformation of ArcGIS Pro's *Rescale by Function* tool and the
    linear fuzzy membership of TerrSet's FUZZY module.

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
        if not (np.isfinite(self.best) and np.isfinite(self.worst)):
            raise ValueError(
                f"best={self.best!r} and worst={self.worst!r} must be finite numbers"
            )
        if self.best == self.worst:
            raise ValueError(
                f"best and worst are both {self.best!r}; give the raw value scoring 1 as "
                "`best` and a different one scoring 0 as `worst`"
            )
        return self

    def _score(self, x: FloatArray) -> FloatArray:
        return (x - self.worst) / (self.best - self.worst)

    def formula(self) -> str:
        """Return the formula with ``best`` and ``worst`` filled in."""
        w, b = _num(self.worst), _num(self.best)
        return f"clip((x - {w}) / ({b} - {w}), 0, 1)"


ValueFunction = Annotated[Linear, Field(discriminator="type")]
