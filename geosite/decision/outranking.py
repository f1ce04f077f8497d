"""Kernels of the pairwise methods: PROMETHEE II net flows, ELECTRE III credibility, VIKOR.

Pure numpy on a complete score matrix (candidates x criteria); the scenario-facing specs
live in :mod:`geosite.decision.aggregate`.

PROMETHEE's net flow compares every pair of candidates, ``n^2`` pairs: 1e10 at 1e5
candidates, which a dense pairwise matrix (as pymcdm builds) cannot hold. For the five
piecewise-linear preference functions each criterion's flow is computed instead from the
sorted values and their prefix sums: for candidate ``a`` the candidates it beats by more
than ``p``, by between ``q`` and ``p``, and their summed values, are counts and sums over
index ranges found by binary search, so a criterion costs ``O(n log n)``. The Gaussian
function has no such closed form; it is summed exactly between distinct values in blocks,
``O(u^2)`` for ``u`` distinct values (``O(n^2)`` for continuous scores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "PreferenceType",
    "concordance_flows",
    "electre_credibility_flow",
    "promethee_flows",
    "unicriterion_flow",
    "vikor_q",
]

PreferenceType = Literal["usual", "u_shape", "v_shape", "level", "linear", "gaussian"]

#: Most cells of a pairwise block built at once.
_BLOCK_CELLS = 2_000_000


def _piecewise_sum(
    xs: npt.NDArray[np.float64],
    prefix: npt.NDArray[np.float64],
    x: npt.NDArray[np.float64],
    *,
    kind: PreferenceType,
    q: float,
    p: float,
) -> npt.NDArray[np.float64]:
    """Return ``sum_b P(x_a - x_b)`` for each ``x_a`` (``xs`` sorted, ``prefix`` its sums)."""
    if kind == "usual":
        return np.searchsorted(xs, x, side="left").astype(np.float64)
    if kind == "u_shape":
        return np.searchsorted(xs, x - q, side="left").astype(np.float64)
    if kind == "v_shape":
        q = 0.0
    # d > p: x_b < x_a - p; q < d <= p: x_a - p <= x_b < x_a - q.
    full = np.searchsorted(xs, x - p, side="left")
    upper = np.searchsorted(xs, x - q, side="left")
    mid = (upper - full).astype(np.float64)
    if kind == "level":
        return full + 0.5 * mid
    mid_sum = prefix[upper] - prefix[full]
    return np.asarray(full + (mid * (x - q) - mid_sum) / (p - q), dtype=np.float64)


def _gaussian_net(x: npt.NDArray[np.float64], s: float) -> npt.NDArray[np.float64]:
    """Return ``sum_b [P(x_a - x_b) - P(x_b - x_a)]`` for the Gaussian function, exactly."""
    # Equal values have equal flows: sum over distinct values against distinct values.
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    net = np.empty(values.size)
    block = max(1, _BLOCK_CELLS // max(1, values.size))
    two_s2 = 2.0 * s * s
    for lo in range(0, values.size, block):
        d = values[lo : lo + block, None] - values[None, :]
        pref = -np.expm1(-(d * d) / two_s2)  # 1 - exp(-d^2 / 2 s^2), 0 at d = 0
        net[lo : lo + block] = (np.sign(d) * pref) @ counts
    return np.asarray(net[inverse.reshape(-1)], dtype=np.float64)


def unicriterion_flow(
    x: npt.ArrayLike, kind: PreferenceType, *, q: float = 0.0, p: float = 0.0, s: float = 0.0
) -> npt.NDArray[np.float64]:
    r"""Return one criterion's PROMETHEE net flow per candidate.

    .. math:: \phi_j(a) = \frac{1}{n-1} \sum_{b} \left[P_j(x_a - x_b) - P_j(x_b - x_a)\right]

    with the preference function ``P_j`` of Brans & Vincke (1985): ``usual`` (1 for any
    positive difference), ``u_shape`` (1 above ``q``), ``v_shape`` (``d / p`` up to ``p``),
    ``level`` (1/2 between ``q`` and ``p``, 1 above), ``linear`` (``(d - q) / (p - q)``
    between ``q`` and ``p``, 1 above) and ``gaussian`` (``1 - exp(-d^2 / 2 s^2)``).
    A difference equal to a threshold counts as at or below it (``P(q) = 0``,
    ``P(p) = 1`` for the ramps), with differences formed as ``x_a - threshold``.

    Examples
    --------
    >>> unicriterion_flow([0.0, 0.5, 1.0], "usual").tolist()
    [-1.0, 0.0, 1.0]
    >>> unicriterion_flow([0.0, 0.5, 1.0], "v_shape", p=1.0).tolist()
    [-0.75, 0.0, 0.75]
    """
    v = np.asarray(x, dtype=np.float64)
    n = v.size
    if n < 2:
        return np.zeros(n)
    if kind == "gaussian":
        return _gaussian_net(v, s) / (n - 1)
    xs = np.sort(v)
    prefix = np.r_[0.0, np.cumsum(xs)]
    plus = _piecewise_sum(xs, prefix, v, kind=kind, q=q, p=p)
    # sum_b P(x_b - x_a): the same sums on the negated values.
    neg = -xs[::-1]
    neg_prefix = np.r_[0.0, np.cumsum(neg)]
    minus = _piecewise_sum(neg, neg_prefix, -v, kind=kind, q=q, p=p)
    return np.asarray((plus - minus) / (n - 1), dtype=np.float64)


def promethee_flows(
    scores: npt.NDArray[np.float64],
    kinds: list[PreferenceType],
    q: npt.NDArray[np.float64],
    p: npt.NDArray[np.float64],
    s: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Return the unicriterion net flows, shape (n, c); the net flow is ``flows @ w``."""
    out = np.empty(scores.shape)
    for j, kind in enumerate(kinds):
        out[:, j] = unicriterion_flow(
            scores[:, j], kind, q=float(q[j]), p=float(p[j]), s=float(s[j])
        )
    return out


def concordance_flows(
    scores: npt.NDArray[np.float64], q: npt.NDArray[np.float64], p: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Return per-criterion net concordance flows, (n, c): PROMETHEE's with the linear function.

    ``c_j(a, b) = 1 - P_j(x_b - x_a)`` with ``P_j`` the linear (``q``, ``p``) preference
    (the U-shape at ``q`` when ``q = p``), so ``c_j(a, b) - c_j(b, a) = P_j(x_a - x_b) -
    P_j(x_b - x_a)``: the concordance net flow is PROMETHEE II's, in ``O(n log n)``.
    """
    return np.column_stack(
        [
            unicriterion_flow(scores[:, j], "linear", q=float(q[j]), p=float(p[j]))
            if p[j] > q[j]
            else unicriterion_flow(scores[:, j], "u_shape", q=float(q[j]))
            for j in range(scores.shape[1])
        ]
    )


def electre_credibility_flow(
    scores: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    q: npt.NDArray[np.float64],
    p: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    r"""Return ELECTRE III net credibility flows, shape (d, n), for weights ``w`` (d, c).

    For each ordered pair ``(a, b)`` and criterion ``j`` with ``d_j = x_bj - x_aj``
    (how much ``b`` beats ``a``): concordance ``c_j = 1`` if ``d_j <= q_j``, 0 if
    ``d_j >= p_j``, linear between; discordance ``D_j = 0`` if ``d_j <= p_j``, 1 if
    ``d_j >= v_j``, linear between (``v = inf``: no veto). ``C = sum_j w_j c_j`` and the
    credibility ``S(a, b) = C * prod_{j: D_j > C} (1 - D_j) / (1 - C)`` (Roy 1978;
    Figueira, Mousseau & Roy 2005, in *Multiple Criteria Decision Analysis: State of the
    Art Surveys*, ch. 4). The net flow is ``(sum_b S(a, b) - S(b, a)) / (n - 1)`` in
    [-1, 1].

    Without vetoes ``S = C`` and the flow is the weighted sum of the concordance flows of
    :func:`concordance_flows`, ``O(n log n)`` per criterion. With vetoes the credibility
    departs from ``C`` only on pairs where some criterion is vetoing; those corrections
    are summed over all pairs in blocks, ``O(n^2)`` per veto criterion and weight vector.
    """
    n, c = scores.shape
    base = w @ concordance_flows(scores, q, p).T  # (d, n)
    veto = [int(j) for j in np.flatnonzero(np.isfinite(v))]
    if n < 2 or not veto:
        return np.asarray(base, dtype=np.float64)
    d_w = w.shape[0]
    out = np.zeros((d_w, n))
    block = max(1, _BLOCK_CELLS // max(1, n * d_w))
    for lo in range(0, n, block):
        a = scores[lo : lo + block]  # (m, c)
        m = a.shape[0]
        cred = np.zeros((d_w, m, n))
        for j in range(c):
            diff = scores[None, :, j] - a[:, None, j]
            if p[j] > q[j]:
                conc = np.clip((p[j] - diff) / (p[j] - q[j]), 0.0, 1.0)
            else:
                conc = (diff <= q[j]).astype(np.float64)
            cred += w[:, j, None, None] * conc
        factor = np.ones_like(cred)
        for j in veto:
            diff = scores[None, :, j] - a[:, None, j]
            if v[j] > p[j]:
                disc = np.clip((diff - p[j]) / (v[j] - p[j]), 0.0, 1.0)
            else:
                disc = (diff >= v[j]).astype(np.float64)
            cut = disc[None, :, :] > cred
            if cut.any():
                ratio = np.broadcast_to(disc, cred.shape)[cut]
                factor[cut] *= (1.0 - ratio) / (1.0 - cred[cut])
        corr = cred * factor - cred  # S - C, nonzero only where a criterion vetoes
        rows = np.arange(m)
        corr[:, rows, lo + rows] = 0.0
        out[:, lo : lo + m] += corr.sum(axis=2)
        out -= corr.sum(axis=1)
    return np.asarray(base + out / (n - 1), dtype=np.float64)


def vikor_q(
    scores: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    cost: npt.NDArray[np.bool_],
    v: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    r"""Return VIKOR's ``S``, ``R`` and ``Q``, each (d, n), for weights ``w`` (d, c).

    With ``f*_j`` the best and ``f-_j`` the worst value of criterion ``j`` (highest and
    lowest for benefit criteria, the reverse for cost), the regret
    ``r_ij = (f*_j - f_ij) / (f*_j - f-_j)`` (0 where all are equal),
    ``S_i = sum_j w_j r_ij``, ``R_i = max_j w_j r_ij`` and
    ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` (Opricovic &
    Tzeng 2004, *EJOR* 156: 445-455); a term whose range is 0 is 0. Lower is better.
    """
    best = np.where(cost, scores.min(axis=0), scores.max(axis=0))
    worst = np.where(cost, scores.max(axis=0), scores.min(axis=0))
    span = best - worst
    regret = np.divide(
        best - scores, span, out=np.zeros_like(scores), where=span != 0
    )  # (n, c), in [0, 1]
    s_val = w @ regret.T  # (d, n)
    r_val = np.empty_like(s_val)
    block = max(1, _BLOCK_CELLS // max(1, scores.size))
    for lo in range(0, w.shape[0], block):
        r_val[lo : lo + block] = (w[lo : lo + block, None, :] * regret[None, :, :]).max(axis=2)

    def scaled(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lo = x.min(axis=1, keepdims=True)
        rng = x.max(axis=1, keepdims=True) - lo
        return np.asarray(np.divide(x - lo, rng, out=np.zeros_like(x), where=rng > 0))

    q_val = np.asarray(v * scaled(s_val) + (1.0 - v) * scaled(r_val), dtype=np.float64)
    return s_val, r_val, q_val
