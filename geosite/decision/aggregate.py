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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from geosite.decision.outranking import (
    PreferenceType,
    concordance_flows,
    electre_credibility_flow,
    promethee_flows,
    vikor_q,
)
from geosite.errors import ParameterError, WeightsError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "ELECTRE",
    "OWA",
    "PROMETHEE",
    "TOPSIS",
    "VIKOR",
    "WLC",
    "AggregationSpec",
    "FuzzyAnd",
    "FuzzyGamma",
    "FuzzyOr",
    "Preference",
    "Thresholds",
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
    #: Whether a candidate's total depends on its own scores alone (not on the others).
    separable: ClassVar[bool] = True

    def named_criteria(self) -> list[str]:
        """Return the criterion names this spec refers to (checked against the scenario)."""
        return []


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


Normalization = Literal["vector", "minmax", "max"]


class TOPSIS(_Spec):
    r"""TOPSIS: closeness to the ideal candidate (Hwang & Yoon 1981).

    1. normalisation per criterion ``j`` (``normalization``):

       ``vector`` (the default, Hwang & Yoon's)
           :math:`r_{ij} = s_{ij} / \sqrt{\sum_i s_{ij}^2}`;
       ``minmax``
           :math:`r_{ij} = (s_{ij} - \min_i s_{ij}) / (\max_i s_{ij} - \min_i s_{ij})`;
       ``max``
           :math:`r_{ij} = s_{ij} / \max_i s_{ij}`;

       a criterion whose divisor is 0 gets ``r = 0``. For a criterion listed in ``cost``
       (lower is better), ``r`` is replaced by ``1 - r``, as pymcdm does: for every
       normalisation this is the same closeness as taking the ideal at the minimum;
    2. weighting, :math:`v_{ij} = w_j r_{ij}`;
    3. ideal and anti-ideal, :math:`v_j^+ = \max_i v_{ij}`, :math:`v_j^- = \min_i v_{ij}`;
    4. Euclidean distances :math:`D_i^\pm = \lVert v_i - v^\pm \rVert`;
    5. closeness :math:`S_i = D_i^- / (D_i^+ + D_i^-)`, in [0, 1]; when every candidate is
       identical (``D+ = D- = 0``), ``S = 0.5``.

    Scores from value functions are already oriented so that higher is better: list a
    criterion in ``cost`` only when its score measures something to keep low.

    Candidates with a ``NaN`` score take no part in steps 1 and 3 and get ``NaN``. TOPSIS is
    relative to the candidate set: adding or removing candidates can change the ranking of
    the others (rank reversal), unlike WLC.

    Contributions are leave-one-out effects ``S - S_without_j``; they do not add up to
    ``S``.

    Parameters
    ----------
    normalization
        ``"vector"``, ``"minmax"`` or ``"max"``.
    cost
        Names of criteria where a lower score is better.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.5, 0.5], TOPSIS()).tolist()
    [0.5, 0.5, 1.0]
    """

    method: Literal["topsis"] = "topsis"
    normalization: Normalization = "vector"
    cost: list[str] = Field(default_factory=list)
    contribution_note: ClassVar[str] = (
        "leave-one-out effect: suitability minus the suitability without this criterion; "
        "does not add up to the suitability"
    )
    contributions_sum_to_total: ClassVar[bool] = False
    separable: ClassVar[bool] = False

    def named_criteria(self) -> list[str]:
        """Return the cost criteria."""
        return list(self.cost)


class VIKOR(_Spec):
    r"""VIKOR: compromise ranking by group utility and individual regret.

    With regrets ``r_ij = (f*_j - s_ij) / (f*_j - f-_j)`` (``f*`` the best and ``f-`` the
    worst score of criterion ``j``; reversed for ``cost`` criteria), ``S_i = sum_j w_j
    r_ij``, ``R_i = max_j w_j r_ij`` and

    .. math:: Q_i = v \frac{S_i - S^*}{S^- - S^*} + (1 - v) \frac{R_i - R^*}{R^- - R^*}

    (Opricovic & Tzeng 2004, *EJOR* 156: 445-455), lower ``Q`` being better. The
    suitability is ``1 - Q``, in [0, 1]: 1 for the best compromise, 0 for the worst. A term
    whose range is 0 is 0. Relative to the candidate set, like TOPSIS.

    Contributions are the weighted regrets ``-w_j r_ij``, VIKOR's own explanation: how far
    below the best candidate on criterion ``j`` this one is, in weight units; they add up
    to ``-S_i``.

    Parameters
    ----------
    v
        Weight of the group utility against the individual regret, in [0, 1] (0.5: by
        consensus).
    cost
        Names of criteria where a lower score is better.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], [0.5, 0.5], VIKOR()).tolist()
    [0.0, 0.0, 1.0]
    """

    method: Literal["vikor"] = "vikor"
    v: float = 0.5
    cost: list[str] = Field(default_factory=list)
    contribution_note: ClassVar[str] = (
        "weighted regret -w x (best score - score) / (best - worst): how far below the best "
        "candidate on this criterion; they add up to minus VIKOR's S"
    )
    contributions_sum_to_total: ClassVar[bool] = False
    separable: ClassVar[bool] = False

    @field_validator("v")
    @classmethod
    def _check_v(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"`v` must lie in [0, 1] (0.5 = consensus); got {value!r}")
        return value

    def named_criteria(self) -> list[str]:
        """Return the cost criteria."""
        return list(self.cost)


class Preference(BaseModel):
    r"""One PROMETHEE preference function, thresholds in score units ([0, 1]).

    ``P(d)`` for a score difference ``d > 0`` (``P = 0`` for ``d <= 0``), after Brans &
    Vincke (1985), *Management Science* 31(6): 647-656:

    ``usual`` (type I)
        1.
    ``u_shape`` (type II, quasi-criterion)
        0 up to ``q``, then 1.
    ``v_shape`` (type III)
        ``d / p`` up to ``p``, then 1.
    ``level`` (type IV)
        0 up to ``q``, 1/2 up to ``p``, then 1.
    ``linear`` (type V, V-shape with indifference)
        0 up to ``q``, ``(d - q) / (p - q)`` up to ``p``, then 1.
    ``gaussian`` (type VI)
        ``1 - exp(-d^2 / (2 s^2))``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: PreferenceType = "usual"
    q: float | None = None
    p: float | None = None
    s: float | None = None

    @model_validator(mode="after")
    def _check_thresholds(self) -> Preference:
        need = {
            "usual": (),
            "u_shape": ("q",),
            "v_shape": ("p",),
            "level": ("q", "p"),
            "linear": ("q", "p"),
            "gaussian": ("s",),
        }[self.type]
        problems = [f"`{k}` is required" for k in need if getattr(self, k) is None]
        extra = [k for k in ("q", "p", "s") if k not in need and getattr(self, k) is not None]
        problems += [f"`{k}` is not used by type {self.type!r}; remove it" for k in extra]
        for k in need:
            value = getattr(self, k)
            if value is not None and not (math.isfinite(value) and 0 <= value <= 1):
                problems.append(f"`{k}` must lie in [0, 1] (score units); got {value!r}")
        if self.type == "gaussian" and self.s is not None and self.s <= 0:
            problems.append(f"`s` must be positive; got {self.s!r}")
        if self.type == "v_shape" and self.p is not None and self.p <= 0:
            problems.append(f"`p` must be positive; got {self.p!r}")
        if self.q is not None and self.p is not None and not self.q < self.p:
            problems.append(f"need q < p; got q={self.q!r}, p={self.p!r}")
        if problems:
            raise ValueError(f"preference function {self.type!r}: " + "; ".join(problems))
        return self


class PROMETHEE(_Spec):
    r"""PROMETHEE II: complete ranking by net outranking flow (Brans & Vincke 1985).

    For every pair of candidates and criterion ``j``, a preference function ``P_j`` turns
    the score difference into a preference in [0, 1]; the net flow is

    .. math:: \phi(a) = \frac{1}{n-1} \sum_b \sum_j w_j \left[P_j(s_{aj} - s_{bj})
              - P_j(s_{bj} - s_{aj})\right] = \sum_j w_j \phi_j(a),

    in [-1, 1], and the suitability is ``(1 + phi) / 2``. Relative to the candidate set.
    The five piecewise-linear functions are computed in ``O(n log n)`` per criterion from
    sorted scores (see :mod:`geosite.decision.outranking`); the Gaussian one in
    ``O(u^2)`` for ``u`` distinct scores.

    Contributions are PROMETHEE's own explanation: half of each criterion's weighted net
    flow ``w_j phi_j(a) / 2``; they add up to the suitability minus 0.5.

    Parameters
    ----------
    preference
        The preference function of every criterion not listed in ``criteria``.
    criteria
        Preference functions of particular criteria, by name.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.5, 0.5], PROMETHEE()).tolist()
    [0.375, 0.375, 0.75]
    """

    method: Literal["promethee_ii"] = "promethee_ii"
    preference: Preference = Field(default_factory=Preference)
    criteria: dict[str, Preference] = Field(default_factory=dict)
    contribution_note: ClassVar[str] = (
        "half the weighted net flow of this criterion, w x phi_j / 2: they add up to the "
        "suitability minus 0.5"
    )
    contributions_sum_to_total: ClassVar[bool] = False
    separable: ClassVar[bool] = False

    def named_criteria(self) -> list[str]:
        """Return the criteria with their own preference function."""
        return list(self.criteria)


class Thresholds(BaseModel):
    """ELECTRE III pseudo-criterion thresholds, in score units ([0, 1]).

    ``q`` indifference, ``p`` preference (``q <= p``), ``v`` veto (``v > p``; omit for no
    veto).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: float = 0.05
    p: float = 0.15
    v: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Thresholds:
        values = {"q": self.q, "p": self.p, "v": self.v}
        bad = [
            f"`{k}`={x!r}"
            for k, x in values.items()
            if x is not None and not (math.isfinite(x) and 0 <= x <= 1)
        ]
        if bad:
            raise ValueError(f"thresholds must lie in [0, 1] (score units); got {', '.join(bad)}")
        if not self.q <= self.p or (self.v is not None and not self.p < self.v):
            raise ValueError(
                f"thresholds must satisfy q <= p < v; got q={self.q!r}, p={self.p!r}, v={self.v!r}"
            )
        return self


class ELECTRE(_Spec):
    r"""ELECTRE III with pseudo-criteria, ranked by net credibility flow (Roy 1978).

    For each ordered pair ``(a, b)`` and criterion ``j`` the concordance with "a is at
    least as good as b" is 1 while ``b`` beats ``a`` by at most ``q_j``, 0 from ``p_j`` on,
    linear between; the discordance is 0 up to ``p_j``, 1 from the veto ``v_j`` on, linear
    between. The credibility is the weighted concordance ``C``, cut by every criterion
    whose discordance exceeds it: ``S = C prod (1 - D_j) / (1 - C)``. Candidates are
    ranked by net credibility flow ``(sum_b S(a, b) - S(b, a)) / (n - 1)``, mapped to a
    suitability ``(1 + flow) / 2`` (the distillation procedures give a partial preorder;
    the net flow gives the complete ranking a map needs; Figueira, Mousseau & Roy 2005,
    ch. 4). Without vetoes the flow takes ``O(n log n)`` per criterion (it is PROMETHEE
    II's with the linear function); vetoes need every pair, ``O(n^2)``: seconds at 1e4
    candidates, many minutes at 1e5.

    Contributions are the concordance part, criterion by criterion (the weighted net
    concordance flow over 2); the rest of the suitability minus 0.5 is the veto effect.

    Parameters
    ----------
    thresholds
        Thresholds of every criterion not listed in ``criteria``.
    criteria
        Thresholds of particular criteria, by name.

    Examples
    --------
    >>> aggregate([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.5, 0.5], ELECTRE()).tolist()
    [0.375, 0.375, 0.75]
    """

    method: Literal["electre_iii"] = "electre_iii"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    criteria: dict[str, Thresholds] = Field(default_factory=dict)
    contribution_note: ClassVar[str] = (
        "concordance part of the net credibility flow, w x (net concordance) / 2; the rest "
        "of the suitability minus 0.5 is the effect of vetoes"
    )
    contributions_sum_to_total: ClassVar[bool] = False
    separable: ClassVar[bool] = False

    def named_criteria(self) -> list[str]:
        """Return the criteria with their own thresholds."""
        return list(self.criteria)


AggregationSpec = Annotated[
    WLC
    | WeightedProduct
    | OWA
    | FuzzyAnd
    | FuzzyOr
    | FuzzyGamma
    | TOPSIS
    | VIKOR
    | PROMETHEE
    | ELECTRE,
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


@dataclass(frozen=True, slots=True)
class _Bound:
    """Per-criterion parameters of a spec, in column order."""

    cost: npt.NDArray[np.bool_]
    kinds: tuple[PreferenceType, ...]
    q: FloatArray
    p: FloatArray
    s: FloatArray
    v: FloatArray

    def take(self, idx: npt.NDArray[np.intp]) -> _Bound:
        return _Bound(
            self.cost[idx],
            tuple(self.kinds[i] for i in idx),
            self.q[idx],
            self.p[idx],
            self.s[idx],
            self.v[idx],
        )


def _bind(spec: AggregationSpec, criteria: Sequence[str] | None, c: int) -> _Bound:
    """Resolve a spec's per-criterion parameters to columns, naming any unknown criterion."""
    named = spec.named_criteria()
    if named and criteria is None:
        msg = (
            f"aggregation {spec.method!r} names criteria {named!r}; pass the score columns' "
            "criterion names as `criteria=`"
        )
        raise ParameterError(msg)
    names = list(criteria) if criteria is not None else [f"c{j}" for j in range(c)]
    if len(names) != c:
        msg = f"`criteria` has {len(names)} names for {c} score columns"
        raise ParameterError(msg)
    unknown = [n for n in named if n not in names]
    if unknown:
        msg = (
            f"aggregation {spec.method!r} names {unknown!r}, which are not criteria; choose "
            f"from {names!r}"
        )
        raise ParameterError(msg)
    cost = np.zeros(c, dtype=bool)
    kinds: list[PreferenceType] = ["usual"] * c
    q, p, s, v = (np.zeros(c) for _ in range(4))
    v[:] = np.inf
    if isinstance(spec, TOPSIS | VIKOR):
        cost = np.isin(names, spec.cost)
    elif isinstance(spec, PROMETHEE):
        for j, name in enumerate(names):
            pref = spec.criteria.get(name, spec.preference)
            kinds[j] = pref.type
            q[j], p[j], s[j] = pref.q or 0.0, pref.p or 0.0, pref.s or 0.0
    elif isinstance(spec, ELECTRE):
        for j, name in enumerate(names):
            th = spec.criteria.get(name, spec.thresholds)
            q[j], p[j] = th.q, th.p
            v[j] = th.v if th.v is not None else np.inf
    return _Bound(cost, tuple(kinds), q, p, s, v)


def _normalised_columns(
    s: FloatArray, how: Normalization, cost: npt.NDArray[np.bool_]
) -> FloatArray:
    if how == "vector":
        div = np.sqrt((s**2).sum(axis=0))
        r = np.divide(s, div, out=np.zeros_like(s), where=div > 0)
    elif how == "max":
        div = s.max(axis=0)
        r = np.divide(s, div, out=np.zeros_like(s), where=div > 0)
    else:
        lo = s.min(axis=0)
        div = s.max(axis=0) - lo
        r = np.divide(s - lo, div, out=np.zeros_like(s), where=div > 0)
    return np.asarray(np.where(cost, 1.0 - r, r), dtype=np.float64)


def _topsis(
    s: FloatArray, w: FloatArray, how: Normalization, cost: npt.NDArray[np.bool_]
) -> FloatArray:
    r = _normalised_columns(s, how, cost)
    # With w >= 0, max_i w_j r_ij = w_j max_i r_ij, so distances need only w squared.
    w2 = w**2
    dp = np.sqrt(w2 @ ((r - r.max(axis=0)) ** 2).T)  # (d, n)
    dm = np.sqrt(w2 @ ((r - r.min(axis=0)) ** 2).T)
    total = dp + dm
    # Identical candidates are as close to the ideal as to the anti-ideal: 0.5.
    np.divide(dm, total, out=dp, where=total > 0)
    dp[total <= 0] = 0.5
    return np.asarray(dp, dtype=np.float64)


def _promethee_profile(s: FloatArray, b: _Bound) -> FloatArray:
    return promethee_flows(s, list(b.kinds), b.q, b.p, b.s)


def _aggregate_clean(  # noqa: C901 - one branch per method
    s: FloatArray, w: FloatArray, spec: AggregationSpec, b: _Bound
) -> FloatArray:
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
        out = _topsis(s, w, spec.normalization, b.cost)
    elif isinstance(spec, VIKOR):
        out = 1.0 - vikor_q(s, w, b.cost, spec.v)[2]
    elif isinstance(spec, PROMETHEE):
        out = 0.5 * (1.0 + w @ _promethee_profile(s, b).T)
    elif isinstance(spec, ELECTRE):
        out = 0.5 * (1.0 + electre_credibility_flow(s, w, b.q, b.p, b.v))
    else:  # pragma: no cover
        raise ParameterError(f"unknown aggregation spec {spec!r}")
    out = np.asarray(out, dtype=np.float64)
    # Rounding can step a hair outside [0, 1]; clip in place to spare a second large array.
    return np.clip(out, 0.0, 1.0, out=out)


def aggregate(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec,
    *,
    criteria: Sequence[str] | None = None,
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
    criteria
        Names of the score columns; needed when ``spec`` names criteria (cost criteria,
        per-criterion preference functions or thresholds).

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
    b = _bind(spec, criteria, s.shape[1])
    w2 = w if w.ndim == 2 else w[None, :]
    bad = np.isnan(s).any(axis=1)
    if not bad.any():
        out = _aggregate_clean(s, w2, spec, b)
    else:
        out = np.full((w2.shape[0], s.shape[0]), np.nan)
        if not bad.all():
            out[:, ~bad] = _aggregate_clean(s[~bad], w2, spec, b)
    return out if w.ndim == 2 else out[0]


def linear_profile(
    scores: npt.ArrayLike,
    spec: AggregationSpec,
    *,
    criteria: Sequence[str] | None = None,
) -> FloatArray | None:
    """Return ``F`` such that the totals are ``a + b * F @ w`` (``b > 0``), or None.

    Methods whose totals are linear in the weights have such a profile: the weighted linear
    combination (``F`` = the scores) and PROMETHEE II (``F`` = the unicriterion net
    flows). The exact weight-robustness analysis (:mod:`geosite.decision.robustness`)
    solves linear programmes on it. ``scores`` must be complete (no ``NaN``).

    Examples
    --------
    >>> linear_profile([[0.2, 0.4]], WLC()).tolist()
    [[0.2, 0.4]]
    >>> linear_profile([[0.2, 0.4]], FuzzyAnd()) is None
    True
    """
    s = _check_scores(scores)
    if isinstance(spec, WLC):
        return s
    if isinstance(spec, PROMETHEE):
        return _promethee_profile(s, _bind(spec, criteria, s.shape[1]))
    return None


def _leave_one_out(s: FloatArray, w: FloatArray, spec: AggregationSpec, b: _Bound) -> FloatArray:
    total = _aggregate_clean(s, w[None, :], spec, b)[0]
    out = np.empty_like(s)
    for j in range(s.shape[1]):
        rest = np.delete(np.arange(s.shape[1]), j)
        wj = w[rest]
        if wj.sum() <= 0:
            # Without j nothing is left to aggregate; j accounts for the whole score.
            out[:, j] = total
            continue
        out[:, j] = (
            total - _aggregate_clean(s[:, rest], (wj / wj.sum())[None, :], spec, b.take(rest))[0]
        )
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
    *,
    criteria: Sequence[str] | None = None,
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
    ``vikor``
        weighted regret ``-w_j r_ij``; rows add up to ``-S_i``.
    ``promethee_ii``
        ``w_j phi_j / 2``; rows add up to the suitability minus 0.5.
    ``electre_iii``
        the concordance part ``w_j phi_j / 2`` with the linear (``q``, ``p``) function; the
        rest of the suitability minus 0.5 is the veto effect.

    Parameters
    ----------
    scores
        Array of shape (n candidates, c criteria), scores in [0, 1].
    weights
        Criterion weights, shape (c,); normalised to sum 1.
    spec
        The aggregation method.
    criteria
        Names of the score columns (see :func:`aggregate`).

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
    b = _bind(spec, criteria, s.shape[1])
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
    elif isinstance(spec, VIKOR):
        best = np.where(b.cost, c.min(axis=0), c.max(axis=0))
        span = best - np.where(b.cost, c.max(axis=0), c.min(axis=0))
        part = -w * np.divide(best - c, span, out=np.zeros_like(c), where=span != 0)
    elif isinstance(spec, PROMETHEE):
        part = 0.5 * w * _promethee_profile(c, b)
    elif isinstance(spec, ELECTRE):
        part = 0.5 * w * concordance_flows(c, b.q, b.p)
    else:
        part = _leave_one_out(c, w, spec, b)
    out[~bad] = part
    return out
