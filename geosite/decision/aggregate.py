"""Aggregation: combine per-criterion scores and weights into one suitability per candidate.

An aggregation spec is a frozen pydantic model written under the scenario's ``aggregation:``
key and told apart by its ``method``. :func:`aggregate` applies it to a score matrix
(candidates x criteria, scores in [0, 1]) and either one weight vector or many at once (one row
per weight draw, for Monte Carlo sensitivity); :func:`contributions` splits each total into
per-criterion parts for the score cards, with a meaning stated per method in
``spec.contribution_note``.

All methods are vectorised over candidates and weight draws. Methods whose result depends on
the ordering of each candidate's scores (OWA, fuzzy AND/OR with zero weights) process weight
draws in blocks so memory stays bounded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from geosite.errors import ParameterError, WeightsError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "OWA",
    "TOPSIS",
    "WLC",
    "AggregationSpec",
    "FuzzyAnd",
    "FuzzyGamma",
    "FuzzyOr",
    "WeightedProduct",
    "aggregate",
    "contributions",
    "linear_profile",
    "owa_quantifier_weights",
]

FloatArray = npt.NDArray[np.float64]

#: Largest number of (draw x candidate x criterion) cells built at once.
_BLOCK_CELLS = 4_000_000


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: What :func:`contributions` reports for this method, for report footnotes.
    contribution_note: ClassVar[str] = ""
    #: Whether each row of :func:`contributions` sums to the aggregated score.
    contributions_sum_to_total: ClassVar[bool] = True


class WLC(_Spec):
    r"""Weighted linear combination (weighted sum, simple additive weighting).

    .. math:: S_i = \sum_j w_j s_{ij}

    with weights normalised to sum 1, so ``S`` stays in [0, 1]. Fully compensatory: a low
    score on one criterion can be made up by high scores on others. This is TerrSet's WLC and
    the weighted sum of ArcGIS Pro's Suitability Modeler. Contributions are exact:
    ``w_j * s_ij``, summing to ``S_i``.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.5, 0.5]], [3, 1], WLC()).tolist()
    [0.75, 0.5]
    """

    method: Literal["wlc"] = "wlc"
    contribution_note: ClassVar[str] = "weight x score; the contributions add up to the suitability"


class WeightedProduct(_Spec):
    r"""Weighted product (geometric) aggregation.

    .. math:: S_i = \prod_j s_{ij}^{w_j}

    with weights normalised to sum 1, so ``S`` is a weighted geometric mean in [0, 1]. Less
    compensatory than WLC: a score of 0 on any criterion with positive weight gives 0.
    Criteria with weight 0 are ignored (``s^0 = 1``). Source: Bridgman (1922), Miller & Starr
    (1969); Triantaphyllou (2000), *Multi-criteria Decision Making Methods*, ch. 2.

    Contributions are log-points ``w_j ln s_ij`` (<= 0): they add up to ``ln S_i``, 0 means
    the criterion costs nothing, more negative means it pulls the total down more (``-inf``
    for a zero score).

    Examples
    --------
    >>> aggregate([[0.25, 1.0], [0.5, 0.5]], [0.5, 0.5], WeightedProduct()).tolist()
    [0.5, 0.5]
    """

    method: Literal["weighted_product"] = "weighted_product"
    contribution_note: ClassVar[str] = (
        "log-points w x ln(score): they add up to ln(suitability); 0 costs nothing, more "
        "negative pulls the total down more"
    )
    contributions_sum_to_total: ClassVar[bool] = False


def owa_quantifier_weights(n: int, alpha: float) -> FloatArray:
    """Return Yager's quantifier-guided order weights ``(j/n)^alpha - ((j-1)/n)^alpha``.

    Parameters
    ----------
    n
        Number of criteria.
    alpha
        Risk attitude (> 0): ``alpha < 1`` stresses the best scores (optimistic, towards OR),
        ``alpha = 1`` gives equal order weights (WLC), ``alpha > 1`` stresses the worst
        scores (pessimistic, towards AND).

    Returns
    -------
    numpy.ndarray
        Shape (n,), for scores sorted from highest to lowest; sums to 1.

    Examples
    --------
    >>> owa_quantifier_weights(4, 2.0).tolist()
    [0.0625, 0.1875, 0.3125, 0.4375]
    """
    if n < 1 or not (math.isfinite(alpha) and alpha > 0):
        raise ParameterError(f"need n >= 1 and alpha > 0; got n={n!r}, alpha={alpha!r}")
    p = np.arange(n + 1, dtype=np.float64) / n
    return np.asarray(np.diff(p**alpha), dtype=np.float64)


class OWA(_Spec):
    r"""Ordered weighted averaging with criterion weights (Yager 1988; Malczewski 2006).

    Each candidate's scores are sorted from highest to lowest, ``z_(1) >= ... >= z_(c)``, and
    ``u_(k)`` is the criterion weight of the criterion in position ``k``. Give either:

    ``alpha`` (risk attitude)
        Yager's (1996) importance-weighted quantifier ``Q(p) = p^alpha``:

        .. math:: v_k = Q\left(\sum_{m \le k} u_{(m)}\right) - Q\left(\sum_{m < k} u_{(m)}\right),
                  \qquad S = \sum_k v_k z_{(k)}

        With equal criterion weights this is :math:`v_k = (k/c)^\alpha - ((k-1)/c)^\alpha`.
        ``alpha = 1`` reproduces WLC exactly; ``alpha -> 0`` tends to the maximum (fuzzy OR,
        optimistic); ``alpha -> inf`` to the minimum (fuzzy AND, pessimistic). This is the
        GIS-OWA of Malczewski, J. (2006), "Ordered weighted averaging with fuzzy quantifiers:
        GIS-based multicriteria evaluation for land-use suitability analysis", *Int. J.
        Applied Earth Observation and Geoinformation* 8: 270-277.

    ``order_weights`` (explicit)
        Order weights ``v_1 ... v_c`` for positions highest to lowest, combined with criterion
        weights as in TerrSet's OWA (Jiang & Eastman 2000, *IJGIS* 14(2): 173-184):

        .. math:: S = \frac{\sum_k u_{(k)} v_k z_{(k)}}{\sum_k u_{(k)} v_k}

        ``[1, 0, ..., 0]`` is the maximum, ``[0, ..., 0, 1]`` the minimum, equal order
        weights reproduce WLC. If all order weight falls on criteria of weight 0, ``S = 0``.

    Contributions are exact: each criterion's effective weight for that candidate times its
    score, adding up to ``S``.

    Parameters
    ----------
    alpha
        Quantifier exponent (> 0).
    order_weights
        Non-negative order weights, highest score first, one per criterion; normalised to
        sum 1.

    Examples
    --------
    >>> s = [[1.0, 0.0]]
    >>> aggregate(s, [0.5, 0.5], OWA(alpha=1)).tolist()
    [0.5]
    >>> aggregate(s, [0.5, 0.5], OWA(alpha=2)).tolist()
    [0.25]
    >>> aggregate(s, [0.5, 0.5], OWA(order_weights=[0, 1])).tolist()
    [0.0]
    """

    method: Literal["owa"] = "owa"
    alpha: float | None = None
    order_weights: list[float] | None = None
    contribution_note: ClassVar[str] = (
        "effective (order-adjusted) weight x score; the contributions add up to the suitability"
    )

    @field_validator("alpha")
    @classmethod
    def _check_alpha(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(
                f"`alpha` must be a positive number (1 = WLC, < 1 optimistic, > 1 "
                f"pessimistic); got {value!r}"
            )
        return value

    @field_validator("order_weights")
    @classmethod
    def _check_order_weights(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("`order_weights` is empty; give one weight per criterion")
        bad = [v for v in value if not (math.isfinite(v) and v >= 0)]
        if bad:
            raise ValueError(f"`order_weights` must be finite and non-negative; got {bad!r}")
        if math.fsum(value) <= 0:
            raise ValueError("`order_weights` are all zero; give at least one a positive value")
        return value

    @model_validator(mode="after")
    def _check_one(self) -> OWA:
        if (self.alpha is None) == (self.order_weights is None):
            raise ValueError(
                "give exactly one of `alpha` (risk attitude) or `order_weights`; got "
                f"alpha={self.alpha!r}, order_weights={self.order_weights!r}"
            )
        return self


class FuzzyAnd(_Spec):
    """Fuzzy AND: the minimum score (ArcGIS Pro *Fuzzy Overlay* "And"; Zadeh 1965).

    Non-compensatory: a candidate is only as suitable as its worst criterion. Criterion
    weights do not scale scores; a criterion with weight 0 is left out. The contribution is
    the whole score, assigned to the limiting criterion (split equally between ties).

    Examples
    --------
    >>> aggregate([[0.2, 0.9], [0.6, 0.7]], [1, 1], FuzzyAnd()).tolist()
    [0.2, 0.6]
    """

    method: Literal["fuzzy_and"] = "fuzzy_and"
    contribution_note: ClassVar[str] = (
        "the whole suitability is credited to the limiting (lowest-scoring) criterion"
    )


class FuzzyOr(_Spec):
    """Fuzzy OR: the maximum score (ArcGIS Pro *Fuzzy Overlay* "Or"; Zadeh 1965).

    A candidate is as suitable as its best criterion. Criterion weights do not scale scores;
    a criterion with weight 0 is left out. The contribution is the whole score, assigned to
    the best criterion (split equally between ties).

    Examples
    --------
    >>> aggregate([[0.2, 0.9], [0.6, 0.7]], [1, 1], FuzzyOr()).tolist()
    [0.9, 0.7]
    """

    method: Literal["fuzzy_or"] = "fuzzy_or"
    contribution_note: ClassVar[str] = (
        "the whole suitability is credited to the best-scoring criterion"
    )


class FuzzyGamma(_Spec):
    r"""Fuzzy gamma operator (Zimmermann & Zysno 1980; ArcGIS Pro *Fuzzy Overlay* "Gamma").

    .. math:: S = \Big(1 - \prod_j (1 - s_j)\Big)^{\gamma}\;\Big(\prod_j s_j\Big)^{1-\gamma}

    the fuzzy algebraic sum raised to ``gamma`` times the fuzzy algebraic product raised to
    ``1 - gamma``. ``gamma = 0`` is the fuzzy product (decreasing, very strict), ``gamma = 1``
    the fuzzy sum (increasing); ArcGIS's default is 0.9. Criterion weights do not scale
    scores; a criterion with weight 0 is left out.

    The operator is not additive, so contributions are leave-one-out effects
    ``S - S_without_j``: how much the suitability changes because criterion ``j`` is in the
    model (negative when it pulls the total down). They do not add up to ``S``.

    Parameters
    ----------
    gamma
        Exponent in [0, 1].

    Examples
    --------
    >>> aggregate([[0.5, 0.5]], [1, 1], FuzzyGamma(gamma=0.5)).round(4).tolist()
    [0.433]
    """

    method: Literal["fuzzy_gamma"] = "fuzzy_gamma"
    gamma: float = 0.9
    contribution_note: ClassVar[str] = (
        "leave-one-out effect: suitability minus the suitability without this criterion; "
        "does not add up to the suitability"
    )
    contributions_sum_to_total: ClassVar[bool] = False

    @field_validator("gamma")
    @classmethod
    def _check_gamma(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                f"`gamma` must lie in [0, 1] (0 = fuzzy product, 1 = fuzzy sum); got {value!r}"
            )
        return value


class TOPSIS(_Spec):
    r"""TOPSIS: closeness to the ideal candidate (Hwang & Yoon 1981).

    On the score matrix, every criterion is a benefit criterion (higher score is better):

    1. vector normalisation per criterion, :math:`r_{ij} = s_{ij} / \sqrt{\sum_i s_{ij}^2}`
       (a criterion where every candidate scores 0 gets ``r = 0``);
    2. weighting, :math:`v_{ij} = w_j r_{ij}`;
    3. ideal and anti-ideal, :math:`v_j^+ = \max_i v_{ij}`, :math:`v_j^- = \min_i v_{ij}`;
    4. Euclidean distances :math:`D_i^\pm = \lVert v_i - v^\pm \rVert`;
    5. closeness :math:`S_i = D_i^- / (D_i^+ + D_i^-)`, in [0, 1]; when every candidate is
       identical (``D+ = D- = 0``), ``S = 0.5``.

    Candidates with a ``NaN`` score take no part in steps 1 and 3 and get ``NaN``. TOPSIS is
    relative to the candidate set: adding or removing candidates can change the ranking of
    the others (rank reversal), unlike WLC.

    Contributions are leave-one-out effects ``S - S_without_j``; they do not add up to
    ``S``.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.5, 0.5], TOPSIS()).tolist()
    [0.5, 0.5, 1.0]
    """

    method: Literal["topsis"] = "topsis"
    contribution_note: ClassVar[str] = (
        "leave-one-out effect: suitability minus the suitability without this criterion; "
        "does not add up to the suitability"
    )
    contributions_sum_to_total: ClassVar[bool] = False


AggregationSpec = Annotated[
    WLC | WeightedProduct | OWA | FuzzyAnd | FuzzyOr | FuzzyGamma | TOPSIS,
    Field(discriminator="method"),
]
"""Any aggregation spec, told apart by its ``method`` key in the scenario file."""


# --- input checks --------------------------------------------------------------------------


def _check_scores(scores: npt.ArrayLike) -> FloatArray:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ParameterError(
            f"scores must be a 2-D array (candidates x criteria); got shape {s.shape!r}"
        )
    if s.shape[1] == 0:
        raise ParameterError("scores have no criteria (0 columns)")
    finite = s[~np.isnan(s)]
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
        raise WeightsError("weights must be finite; got NaN or inf")
    if (w < 0).any():
        raise WeightsError(f"weights must be non-negative; got {w[w < 0][:10]!r}")
    total = w.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        rows = np.flatnonzero(total.reshape(-1) <= 0)[:10].tolist()
        where = f" (draws {rows!r})" if w.ndim == 2 else ""
        raise WeightsError(
            f"weights sum to zero{where}; give at least one criterion a positive weight"
        )
    return np.asarray(w / total, dtype=np.float64)


def _blocks(d: int, n: int, c: int) -> list[slice]:
    size = max(1, _BLOCK_CELLS // max(1, n * c))
    return [slice(k, min(k + size, d)) for k in range(0, d, size)]


# --- kernels on 2-D weights (d, c), clean scores (n, c) -> (d, n) --------------------------------


def _wpm(s: FloatArray, w: FloatArray) -> FloatArray:
    zero = s <= 0.0
    logs = np.log(np.where(zero, 1.0, s))
    out = np.exp(w @ logs.T)
    if zero.any():
        # A zero score with positive weight forces 0; with weight 0 it is ignored.
        killed = (w > 0).astype(np.float64) @ zero.T.astype(np.float64) > 0
        out[killed] = 0.0
    return out


def _owa_sorted_weights(u: FloatArray, spec: OWA) -> FloatArray:
    """Return effective weights in sorted position from criterion weights ``u`` (d, n, c)."""
    c = u.shape[-1]
    if spec.alpha is not None:
        cum = np.cumsum(u, axis=-1)
        prev = np.clip(cum - u, 0.0, None)
        return np.asarray(np.clip(cum, 0.0, 1.0) ** spec.alpha - prev**spec.alpha)
    ow = np.asarray(spec.order_weights, dtype=np.float64)
    if ow.size != c:
        raise ParameterError(
            f"`order_weights` has {ow.size} values but there are {c} criteria; give one "
            "order weight per criterion (highest score first)"
        )
    uv = u * (ow / ow.sum())
    denom = uv.sum(axis=-1, keepdims=True)
    return np.asarray(np.divide(uv, denom, out=np.zeros_like(uv), where=denom > 0))


def _owa_order(s: FloatArray) -> npt.NDArray[np.intp]:
    return np.argsort(-s, axis=1, kind="stable")  # (n, c), highest score first


def _owa_effective(s: FloatArray, w: FloatArray, spec: OWA) -> FloatArray:
    """Return effective weights, shape (n, c), in criterion order, for one weight vector."""
    order = _owa_order(s)
    v = _owa_sorted_weights(w[order], spec)
    eff = np.empty_like(v)
    np.put_along_axis(eff, order, v, axis=1)
    return eff


def _owa(s: FloatArray, w: FloatArray, spec: OWA) -> FloatArray:
    d, (n, c) = w.shape[0], s.shape
    order = _owa_order(s)
    z = np.take_along_axis(s, order, axis=1)
    out = np.empty((d, n))
    for blk in _blocks(d, n, c):
        v = _owa_sorted_weights(w[blk][:, order], spec)  # (b, n, c)
        out[blk] = np.einsum("bnc,nc->bn", v, z)
    return out


def _fuzzy_minmax(s: FloatArray, w: FloatArray, *, use_max: bool) -> FloatArray:
    d, (n, c) = w.shape[0], s.shape
    active = w > 0
    if active.all():
        row = s.max(axis=1) if use_max else s.min(axis=1)
        return np.broadcast_to(row, (d, n)).copy()
    out = np.empty((d, n))
    fill = -np.inf if use_max else np.inf
    for blk in _blocks(d, n, c):
        masked = np.where(active[blk][:, None, :], s[None, :, :], fill)
        out[blk] = masked.max(axis=2) if use_max else masked.min(axis=2)
    return out


def _gamma(s: FloatArray, w: FloatArray, gamma: float) -> FloatArray:
    # Work in logs: ln S = gamma ln(fuzzy sum) + (1 - gamma) ln(fuzzy product), each term
    # a matrix product over the criteria that take part (weight > 0).
    active = (w > 0).astype(np.float64)  # (d, c)
    log_s = np.zeros((active.shape[0], s.shape[0]))
    if gamma < 1.0:
        zero = s <= 0.0
        log_prod = active @ np.log(np.where(zero, 1.0, s)).T
        killed = active @ zero.T.astype(np.float64) > 0
        log_s += (1.0 - gamma) * np.where(killed, -np.inf, log_prod)
    if gamma > 0.0:
        one = s >= 1.0
        log_comp = active @ np.log(np.where(one, 1.0, 1.0 - s)).T
        full = active @ one.T.astype(np.float64) > 0
        with np.errstate(divide="ignore"):
            log_sum = np.where(full, 0.0, np.log(-np.expm1(log_comp)))
        log_s += gamma * log_sum
    return np.asarray(np.exp(log_s), dtype=np.float64)


def _topsis(s: FloatArray, w: FloatArray) -> FloatArray:
    norm = np.sqrt((s**2).sum(axis=0))
    r = np.divide(s, norm, out=np.zeros_like(s), where=norm > 0)
    # With w >= 0, max_i w_j r_ij = w_j max_i r_ij, so distances need only w squared.
    w2 = w**2
    dp = np.sqrt(w2 @ ((r - r.max(axis=0)) ** 2).T)  # (d, n)
    dm = np.sqrt(w2 @ ((r - r.min(axis=0)) ** 2).T)
    total = dp + dm
    # Identical candidates are as close to the ideal as to the anti-ideal: 0.5.
    np.divide(dm, total, out=dp, where=total > 0)
    dp[total <= 0] = 0.5
    return np.asarray(dp, dtype=np.float64)


def _aggregate_clean(s: FloatArray, w: FloatArray, spec: AggregationSpec) -> FloatArray:
    """Aggregate NaN-free scores (n, c) with 2-D normalised weights (d, c) -> (d, n)."""
    if s.shape[0] == 0:
        return np.empty((w.shape[0], 0))
    if isinstance(spec, WLC):
        out = w @ s.T
    elif isinstance(spec, WeightedProduct):
        out = _wpm(s, w)
    elif isinstance(spec, OWA):
        out = _owa(s, w, spec)
    elif isinstance(spec, FuzzyAnd):
        out = _fuzzy_minmax(s, w, use_max=False)
    elif isinstance(spec, FuzzyOr):
        out = _fuzzy_minmax(s, w, use_max=True)
    elif isinstance(spec, FuzzyGamma):
        out = _gamma(s, w, spec.gamma)
    elif isinstance(spec, TOPSIS):
        out = _topsis(s, w)
    else:  # pragma: no cover
        raise ParameterError(f"unknown aggregation spec {spec!r}")
    out = np.asarray(out, dtype=np.float64)
    # Rounding can step a hair outside [0, 1]; clip in place to spare a second large array.
    return np.clip(out, 0.0, 1.0, out=out)


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
        candidate with any ``NaN`` score gets ``NaN`` (and, for TOPSIS, takes no part in the
        ideal points of the others).

    Raises
    ------
    ParameterError
        If ``scores`` is not 2-D or has values outside [0, 1], or OWA ``order_weights`` do not
        match the number of criteria.
    WeightsError
        If ``weights`` has the wrong shape, negative or non-finite values, or sums to zero.

    Notes
    -----
    For d draws and n candidates the result holds d x n floats (800 MB for 10,000 x 10,000):
    pass draws in blocks when both are large.

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
    w2 = w if w.ndim == 2 else w[None, :]
    bad = np.isnan(s).any(axis=1)
    if not bad.any():
        out = _aggregate_clean(s, w2, spec)
    else:
        out = np.full((w2.shape[0], s.shape[0]), np.nan)
        if not bad.all():
            out[:, ~bad] = _aggregate_clean(s[~bad], w2, spec)
    return out if w.ndim == 2 else out[0]


def linear_profile(
    scores: npt.ArrayLike,
    spec: AggregationSpec,
    *,
    criteria: Sequence[str] | None = None,
) -> FloatArray | None:
    """Return ``F`` such that the totals are ``a + b * F @ w`` (``b > 0``), or None.

    Methods whose totals are linear in the weights have such a profile: the weighted linear
    combination (``F`` = the scores). The exact weight-robustness analysis
    (:mod:`geosite.decision.robustness`) solves linear programmes on it. ``scores`` must be
    complete (no ``NaN``).

    Examples
    --------
    >>> linear_profile([[0.2, 0.4]], WLC()).tolist()
    [[0.2, 0.4]]
    >>> linear_profile([[0.2, 0.4]], FuzzyAnd()) is None
    True
    """
    s = _check_scores(scores)
    del criteria  # reserved for methods with per-criterion parameters
    if isinstance(spec, WLC):
        return s
    return None


def _leave_one_out(s: FloatArray, w: FloatArray, spec: AggregationSpec) -> FloatArray:
    total = _aggregate_clean(s, w[None, :], spec)[0]
    out = np.empty_like(s)
    for j in range(s.shape[1]):
        rest = np.delete(np.arange(s.shape[1]), j)
        wj = w[rest]
        if wj.sum() <= 0:
            # Without j nothing is left to aggregate; j accounts for the whole score.
            out[:, j] = total
            continue
        out[:, j] = total - _aggregate_clean(s[:, rest], (wj / wj.sum())[None, :], spec)[0]
    return out


def _winner_share(s: FloatArray, w: FloatArray, *, use_max: bool) -> FloatArray:
    active = w > 0
    fill = -np.inf if use_max else np.inf
    masked = np.where(active[None, :], s, fill)
    best = masked.max(axis=1) if use_max else masked.min(axis=1)
    hit = (masked == best[:, None]) & active[None, :]
    return np.asarray(hit / hit.sum(axis=1, keepdims=True) * best[:, None], dtype=np.float64)


def contributions(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec,
) -> FloatArray:
    """Split each candidate's suitability into per-criterion contributions.

    What a contribution means depends on the method (``spec.contribution_note`` says it in
    one line for the report; ``spec.contributions_sum_to_total`` says whether rows add up to
    the suitability):

    ``wlc``
        ``w_j * s_ij``; exact, rows add up to the suitability.
    ``owa``
        effective (order-adjusted) weight times score; exact, rows add up.
    ``fuzzy_and`` / ``fuzzy_or``
        the whole suitability credited to the limiting (lowest) / best criterion, split
        equally between ties; rows add up.
    ``weighted_product``
        log-points ``w_j * ln(s_ij)`` (<= 0, ``-inf`` for a zero score); rows add up to
        ``ln(suitability)``.
    ``fuzzy_gamma`` / ``topsis``
        leave-one-out effect: suitability minus the suitability computed without criterion
        ``j`` (weights renormalised; for TOPSIS the other candidates stay in). Positive when
        the criterion raises the suitability; rows do not add up.

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
    >>> contributions([[0.2, 0.9]], [0.5, 0.5], FuzzyAnd()).tolist()
    [[0.2, 0.0]]
    """
    s = _check_scores(scores)
    w = _check_weights(weights, s.shape[1])
    if w.ndim != 1:
        raise WeightsError(f"contributions take one weight vector, shape (c,); got {w.shape!r}")
    bad = np.isnan(s).any(axis=1)
    out = np.full(s.shape, np.nan)
    c = s[~bad]
    if not c.size:
        return out
    if isinstance(spec, WLC):
        part = c * w
    elif isinstance(spec, OWA):
        part = _owa_effective(c, w, spec) * c
    elif isinstance(spec, FuzzyAnd | FuzzyOr):
        part = _winner_share(c, w, use_max=isinstance(spec, FuzzyOr))
    elif isinstance(spec, WeightedProduct):
        active = w > 0
        part = np.zeros_like(c)
        with np.errstate(divide="ignore"):
            part[:, active] = w[active] * np.log(c[:, active])
    else:
        part = _leave_one_out(c, w, spec)
    out[~bad] = part
    return out
