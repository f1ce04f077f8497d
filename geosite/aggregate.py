"""Aggregation: combine per-criterion scores and weights into one suitability per candidate.

An aggregation spec is a frozen pydantic model written under the scenario's ``aggregation:``
key and told apart by its ``method``. :func:`aggregate` applies it to a score matrix
(candidates x criteria, scores in [0, 1]) and either one weight vector or many at once (one row
per weight draw, for Monte Carlo sensitivity); :func:`contributions` splits each total into
per-criterion parts for the score cards.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from geosite.errors import ParameterError, WeightsError

__all__ = [
    "WLC",
    "AggregationSpec",
    "aggregate",
    "contributions",
]

FloatArray = npt.NDArray[np.float64]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WLC(_Spec):
    r"""Weighted linear combination (weighted sum, simple additive weighting).

    .. math:: S_i = \sum_j w_j s_{ij}

    with weights normalised to sum 1, so ``S`` stays in [0, 1]. Fully compensatory: a low
    score on one criterion can be made up by high scores on others. This is TerrSet's WLC and
    the weighted sum of ArcGIS Pro's Suitability Modeler.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.5, 0.5]], [3, 1], WLC()).tolist()
    [0.75, 0.5]
    """

    method: Literal["wlc"] = "wlc"


AggregationSpec = Annotated[WLC, Field(discriminator="method")]


def _check_scores(scores: npt.ArrayLike) -> FloatArray:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ParameterError(
            f"scores must be a 2-D array (candidates x criteria); got shape {s.shape!r}"
        )
    finite = s[np.isfinite(s)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise ParameterError(
            f"scores must lie in [0, 1]; got values from {finite.min()!r} to {finite.max()!r}. "
            "Pass raw values through a value function first."
        )
    return s


def _check_weights(weights: npt.ArrayLike, n_criteria: int) -> FloatArray:
    """Validate weights of shape (c,) or (d, c) and normalise each row to sum 1."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim not in (1, 2) or w.shape[-1] != n_criteria:
        raise WeightsError(
            f"weights must have shape ({n_criteria},) or (draws, {n_criteria}) to match the "
            f"{n_criteria} score columns; got shape {w.shape!r}"
        )
    if not np.isfinite(w).all():
        raise WeightsError(f"weights must be finite; got NaN or inf in {w!r}")
    if (w < 0).any():
        raise WeightsError(f"weights must be non-negative; got {w[w < 0]!r}")
    total = w.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        raise WeightsError("weights sum to zero; give at least one criterion a positive weight")
    return np.asarray(w / total, dtype=np.float64)


def aggregate(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec,
) -> FloatArray:
    """Combine criterion scores into one suitability per candidate.

    Parameters
    ----------
    scores
        Array of shape (n candidates, c criteria), scores in [0, 1]; ``NaN`` marks a score that
        could not be computed.
    weights
        Criterion weights, shape (c,), or many weight vectors at once, shape (d, c) (one row
        per Monte Carlo draw). Non-negative; each row is normalised to sum 1, so scaling all
        weights changes nothing.
    spec
        The aggregation method.

    Returns
    -------
    numpy.ndarray
        Suitability in [0, 1], shape (n,) for 1-D weights or (d, n) for 2-D weights. A
        candidate with any ``NaN`` score gets ``NaN``.

    Raises
    ------
    ParameterError
        If ``scores`` is not 2-D or has values outside [0, 1].
    WeightsError
        If ``weights`` has the wrong shape, negative or non-finite values, or sums to zero.

    Examples
    --------
    >>> scores = [[0.2, 0.9], [0.8, 0.4]]
    >>> aggregate(scores, [0.5, 0.5], WLC()).round(2).tolist()
    [0.55, 0.6]
    >>> aggregate(scores, [[1, 0], [0, 1]], WLC()).round(2).tolist()
    [[0.2, 0.8], [0.9, 0.4]]
    """
    s = _check_scores(scores)
    w = _check_weights(weights, s.shape[1])
    if isinstance(spec, WLC):
        out = np.asarray(w @ s.T, dtype=np.float64)
    else:  # pragma: no cover
        raise ParameterError(f"unknown aggregation spec {spec!r}")
    return np.clip(out, 0.0, 1.0)


def contributions(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec,
) -> FloatArray:
    """Split each candidate's suitability into per-criterion contributions.

    What a contribution means depends on the method:

    ``wlc``
        Exactly additive: ``w_j * s_ij``; the row sums to the suitability.

    Parameters
    ----------
    scores
        Array of shape (n candidates, c criteria), scores in [0, 1].
    weights
        Criterion weights, shape (c,); normalised to sum 1.
    spec
        The aggregation method.

    Returns
    -------
    numpy.ndarray
        Shape (n, c). Rows of candidates with any ``NaN`` score are all ``NaN``.

    Examples
    --------
    >>> contributions([[0.2, 0.9]], [0.5, 0.5], WLC()).round(2).tolist()
    [[0.1, 0.45]]
    """
    s = _check_scores(scores)
    w = _check_weights(weights, s.shape[1])
    if w.ndim != 1:
        raise WeightsError(f"contributions take one weight vector, shape (c,); got {w.shape!r}")
    nan_rows = np.isnan(s).any(axis=1)
    if isinstance(spec, WLC):
        out = s * w
    else:  # pragma: no cover
        raise ParameterError(f"unknown aggregation spec {spec!r}")
    out[nan_rows] = np.nan
    return out
