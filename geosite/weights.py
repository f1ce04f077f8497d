"""Criterion weights: direct, rank-based, AHP with consistency checks, and groups.

A weighting spec is a frozen pydantic model written under the scenario's ``weighting:`` key
and told apart by its ``method``. :func:`resolve_weights` turns a spec and the scenario's
criteria into a :class:`WeightResult`: weights normalised to sum 1 plus the working
(AHP matrix, consistency ratio, group weights) that the report shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geosite.errors import WeightsError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "DirectWeights",
    "WeightResult",
    "WeightingSpec",
    "resolve_weights",
]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DirectWeights(_Spec):
    """Take each criterion's weight from its own ``weight:`` key.

    Weights may be on any non-negative scale (percentages, points out of 10); they are
    normalised to sum 1.

    Examples
    --------
    >>> resolve_weights(DirectWeights(), ["port", "road"], {"port": 3, "road": 1}).weights
    {'port': 0.75, 'road': 0.25}
    """

    method: Literal["direct"] = "direct"


WeightingSpec = Annotated[DirectWeights, Field(discriminator="method")]


@dataclass(frozen=True, slots=True)
class WeightResult:
    """Resolved criterion weights and the working behind them.

    Parameters
    ----------
    weights
        Weight per criterion, in the scenario's criteria order, summing to 1.
    method
        The weighting method used (``"direct"``, ``"rank"``, ``"ahp"``, ``"groups"``).
    details
        Method-specific working for the report: for AHP the full matrix, priority vector,
        ``lambda_max``, ``CI``, ``RI`` and ``CR``; for groups the weight of each group.
    """

    weights: dict[str, float]
    method: str
    details: Mapping[str, Any] = field(default_factory=dict)


def _normalise(raw: Mapping[str, float], *, what: str) -> dict[str, float]:
    """Check raw weights and scale them to sum 1, reporting every bad one at once."""
    bad = [
        f"{name!r}: {value!r}"
        for name, value in raw.items()
        if not math.isfinite(value) or value < 0
    ]
    if bad:
        raise WeightsError(
            f"{what} must be finite and non-negative; got {', '.join(bad)}. "
            "Use 0 to switch a criterion off."
        )
    total = math.fsum(raw.values())
    if total <= 0:
        raise WeightsError(
            f"{what} are all zero ({dict(raw)!r}); give at least one criterion a positive weight"
        )
    return {name: value / total for name, value in raw.items()}


def _check_names(named: Sequence[str], criteria: Sequence[str], *, key: str) -> None:
    """Require ``named`` to list exactly the scenario's criteria, each once."""
    problems: list[str] = []
    dupes = sorted({n for n in named if list(named).count(n) > 1})
    if dupes:
        problems.append(f"listed more than once: {dupes!r}")
    unknown = [n for n in named if n not in criteria]
    if unknown:
        problems.append(f"not criteria of the scenario: {unknown!r} (criteria: {list(criteria)!r})")
    missing = [c for c in criteria if c not in named]
    if missing:
        problems.append(f"criteria missing: {missing!r}; add them to `{key}`")
    if problems:
        msg = f"`{key}` does not match the scenario's criteria: " + "; ".join(problems)
        raise WeightsError(msg)


def _resolve_direct(
    criteria: Sequence[str], direct: Mapping[str, float | None]
) -> WeightResult:
    missing = [c for c in criteria if direct.get(c) is None]
    if missing:
        raise WeightsError(
            f"weighting method 'direct' needs a `weight:` on every criterion; missing on "
            f"{missing!r}. Add `weight:` to them or choose another weighting method."
        )
    extra = [name for name in direct if name not in criteria and direct[name] is not None]
    if extra:
        raise WeightsError(
            f"weights given for {extra!r}, which are not criteria of the scenario "
            f"({list(criteria)!r})"
        )
    raw = {c: float(direct[c]) for c in criteria}  # type: ignore[arg-type]
    return WeightResult(weights=_normalise(raw, what="criterion weights"), method="direct",
                        details={"raw": raw})


def resolve_weights(
    spec: WeightingSpec,
    criteria: Sequence[str],
    direct: Mapping[str, float | None],
) -> WeightResult:
    """Resolve a weighting spec into normalised criterion weights.

    Parameters
    ----------
    spec
        The scenario's weighting spec.
    criteria
        Names of the scenario's criteria, in scenario order; the result follows this order.
    direct
        Each criterion's own ``weight:`` value (``None`` where absent). Used by
        :class:`DirectWeights`; other methods ignore it.

    Returns
    -------
    WeightResult
        Weights summing to 1, in ``criteria`` order, and the working behind them.

    Raises
    ------
    WeightsError
        If a weight is negative, NaN or all are zero, or if the spec names criteria that are
        not in the scenario (or misses some that are).

    Examples
    --------
    >>> r = resolve_weights(DirectWeights(), ["a", "b", "c"], {"a": 50, "b": 30, "c": 20})
    >>> r.weights
    {'a': 0.5, 'b': 0.3, 'c': 0.2}
    """
    if isinstance(spec, DirectWeights):
        return _resolve_direct(criteria, direct)
    raise WeightsError(f"unknown weighting spec {spec!r}")  # pragma: no cover
