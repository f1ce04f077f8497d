r"""The smallest change of the whole weight vector that changes the winner or the top k.

One-at-a-time and pairwise weight moves (see :mod:`geosite.decision.sensitivity`) explore a
few lines through weight space; a planner's question is wider: *over every weight vector*,
how close to the scenario's weights does the ranking change? This module answers it for two
distances between normalised weight vectors ``w`` and ``w0`` (both on the simplex
``w >= 0, sum w = 1``):

``l1``
    ``sum_j |w_j - w0_j|``; half of it is the *weight moved*, the share of the total weight
    taken from some criteria and given to others (the measure of the direction table).
``linf``
    ``max_j |w_j - w0_j|``: the largest change of any single weight.

Events
    ``winner``: some rival reaches the winner's total. ``top_k``: some candidate outside
    the top ``k`` (competition ranks, as in the Monte Carlo ``p_top_k``) reaches the total
    of one inside it, so one enters and one leaves. A tie counts as a change: the distance
    reported is the infimum of the distances at which the rival is strictly ahead, and the
    returned weights are where it ties. A rival that can at best tie (at a corner of the
    simplex) is not counted, since it never passes.

Exact solution (linear aggregations)
    When every total is linear in the weights (weighted linear combination; PROMETHEE II,
    whose net flow is the weighted sum of per-criterion net flows), each rival ``b`` of an
    incumbent ``a`` gives one linear programme,

    .. math:: \min_w \lVert w - w_0 \rVert \quad \text{s.t.}\quad
              (F_b - F_a) \cdot w \ge 0,\; w \ge 0,\; \textstyle\sum_j w_j = 1,

    with the norm written linearly through auxiliary variables, solved by HiGHS through
    :func:`scipy.optimize.linprog`. The answer is the minimum over rivals. Rivals are taken
    in order of a lower bound on their distance (``G / (max g - min g)`` weight moved and
    ``G / sum_j |g_j - median g|`` for L-infinity, where ``g = F_b - F_a`` and ``G`` the
    gap to close) and the search stops when the bound reaches the best distance found, so
    the minimum is exact while only a handful of programmes are solved.

Bounded search (other aggregations)
    For aggregations whose totals are not linear in the weights (weighted product, OWA,
    fuzzy, TOPSIS, VIKOR, ELECTRE) the weights are moved along straight lines from ``w0``
    to every point of a lattice on the simplex, to each corner and along each pairwise
    transfer; each line is scanned on a grid and the first change refined by bisection. The
    result is an **upper bound** on the true minimum (a real weight vector that changes the
    ranking), and :attr:`WeightChange.bound` says how many lines and which lattice were
    searched.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.optimize import linprog

from geosite._json import json_ready
from geosite.errors import ParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

__all__ = ["Norm", "WeightChange", "min_weight_change", "min_weight_changes"]

Norm = Literal["l1", "linf"]
Event = Literal["winner", "top_k"]


#: Totals closer than this count as a tie.
_TIE = 1e-12
#: Most lines searched for a non-linear aggregation.
SEARCH_LINES = 2000
#: Most candidate totals one search computes (lines x steps x candidates): fewer lines are
#: searched for many candidates, never fewer than the corners and pairwise transfers.
SEARCH_BUDGET = 200_000_000
#: Grid steps along each searched line before bisection.
SEARCH_STEPS = 32
_BISECTIONS = 45
#: Most (weight vector x candidate) totals computed at once in the search.
_SEARCH_CELLS = 4_000_000
_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True, slots=True)
class WeightChange:
    """The smallest weight change found that changes the winner or the top ``k``.

    Parameters
    ----------
    event
        ``"winner"`` or ``"top_k"``.
    norm
        ``"l1"`` or ``"linf"``: the distance minimised.
    distance
        The smallest distance in that norm (0 when the ranking already ties; NaN when no
        weight vector changes it).
    weight_moved
        Half the L1 distance of the returned weights from the scenario's: the share of the
        total weight moved.
    weights
        The weight vector that achieves it, one per criterion, summing to 1 (the scenario's
        weights when nothing changes the ranking).
    criteria
        Criterion names, in the order of ``weights``.
    rival
        Id of the candidate that reaches the incumbent (``None`` when nothing changes).
    incumbent
        Id of the candidate it reaches: the winner, or the member of the top ``k`` it
        displaces.
    top_k
        The ``k`` of a ``top_k`` event (1 for the winner).
    exact
        Whether the distance is the exact minimum (linear programming) or an upper bound
        from a bounded search.
    bound
        How it was found: the programmes solved, or the lines searched.
    """

    event: Event
    norm: Norm
    distance: float
    weight_moved: float
    weights: tuple[float, ...]
    criteria: tuple[str, ...]
    rival: Any
    incumbent: Any
    top_k: int
    exact: bool
    bound: str

    def as_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready data (weights keyed by criterion)."""
        return {
            "event": self.event,
            "norm": self.norm,
            "distance": json_ready(self.distance),
            "weight_moved": json_ready(self.weight_moved),
            "weights": {c: json_ready(w) for c, w in zip(self.criteria, self.weights, strict=True)},
            "rival": json_ready(self.rival),
            "incumbent": json_ready(self.incumbent),
            "top_k": self.top_k,
            "exact": self.exact,
            "bound": self.bound,
        }


def _distance(delta: npt.NDArray[np.float64], norm: Norm) -> float:
    return float(np.abs(delta).sum() if norm == "l1" else np.abs(delta).max())


def _solve(g: npt.NDArray[np.float64], w0: npt.NDArray[np.float64], norm: Norm) -> Any:
    """Minimise ||w - w0|| on the simplex subject to ``g . w >= 0``; return w or None."""
    c = w0.size
    eye = np.eye(c)
    if norm == "l1":
        # x = [w, t]; t_j >= |w_j - w0_j|.
        cost = np.r_[np.zeros(c), np.ones(c)]
        a_ub = np.block([[eye, -eye], [-eye, -eye], [-g[None, :], np.zeros((1, c))]])
        b_ub = np.r_[w0, -w0, 0.0]
        a_eq = np.r_[np.ones(c), np.zeros(c)][None, :]
        bounds = [(0.0, 1.0)] * c + [(0.0, None)] * c
    else:
        # x = [w, z]; z >= |w_j - w0_j| for every j.
        cost = np.r_[np.zeros(c), 1.0]
        col = np.ones((c, 1))
        a_ub = np.block([[eye, -col], [-eye, -col], [-g[None, :], np.zeros((1, 1))]])
        b_ub = np.r_[w0, -w0, 0.0]
        a_eq = np.r_[np.ones(c), 0.0][None, :]
        bounds = [(0.0, 1.0)] * c + [(0.0, None)]
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=bounds,
        method="highs",
        options=_HIGHS,
    )
    if res.status != 0:
        return None
    w = np.clip(res.x[:c], 0.0, None)
    return w / w.sum()


def _lower_bounds(g: npt.NDArray[np.float64], gap: npt.NDArray[np.float64], norm: Norm) -> Any:
    """Return a lower bound on each row's distance (rows g of shape (r, c), gaps (r,))."""
    if norm == "l1":
        # g . dw <= (max g - min g) * (weight moved), and L1 = 2 * weight moved.
        spread = g.max(axis=1) - g.min(axis=1)
        return np.divide(2.0 * gap, spread, out=np.full(gap.shape, np.inf), where=spread > 0)
    # sum dw = 0, so g . dw = (g - m) . dw <= |dw|_inf * sum |g - m| for any m.
    dev = np.abs(g - np.median(g, axis=1, keepdims=True)).sum(axis=1)
    return np.divide(gap, dev, out=np.full(gap.shape, np.inf), where=dev > 0)


def _linear_change(
    profile: npt.NDArray[np.float64],
    w0: npt.NDArray[np.float64],
    pairs: list[tuple[int, npt.NDArray[np.intp]]],
    norm: Norm,
) -> tuple[float, Any, int, int, int]:
    """Solve the programmes of (incumbent, rivals) pairs; return the best and its parties."""
    gs, gaps, who = [], [], []
    for a, rivals in pairs:
        g = profile[rivals] - profile[a]
        gap = -(g @ w0)
        # Only rivals that can pass the incumbent somewhere on the simplex take part.
        can = g.max(axis=1) > _TIE
        gs.append(g[can])
        gaps.append(np.clip(gap[can], 0.0, None))
        who.append(np.column_stack([np.full(int(can.sum()), a), rivals[can]]))
    if not gs or not sum(len(x) for x in gaps):
        return math.nan, None, -1, -1, 0
    g_all = np.concatenate(gs)
    gap_all = np.concatenate(gaps)
    who_all = np.concatenate(who)
    lower = _lower_bounds(g_all, gap_all, norm)
    lower[gap_all <= _TIE] = 0.0
    best, best_w, best_pair, solved = math.inf, None, (-1, -1), 0
    for i in np.argsort(lower, kind="stable"):
        if lower[i] >= best - 1e-15:
            break
        if gap_all[i] <= _TIE:
            best, best_w, best_pair = 0.0, w0.copy(), (int(who_all[i, 0]), int(who_all[i, 1]))
            break
        w = _solve(g_all[i], w0, norm)
        solved += 1
        if w is None:
            continue
        d = _distance(w - w0, norm)
        if d < best:
            best, best_w, best_pair = d, w, (int(who_all[i, 0]), int(who_all[i, 1]))
    if best_w is None:
        return math.nan, None, -1, -1, solved
    return best, best_w, best_pair[0], best_pair[1], solved


def _lattice(c: int, limit: int) -> npt.NDArray[np.float64]:
    """Return the points of the finest simplex lattice {k / m} with at most ``limit`` points."""
    m = 1
    while math.comb(m + 1 + c - 1, c - 1) <= limit:
        m += 1
    points = (
        [
            np.array(k, dtype=np.float64) / m
            for k in itertools.product(range(m + 1), repeat=c)
            if sum(k) == m
        ]
        if c <= 6
        else []
    )
    if not points:
        # Many criteria: compositions are too many to enumerate; take corners and edge
        # midpoints, then a low-discrepancy fill.
        rng = np.random.default_rng(0)
        corners = np.eye(c)
        mids = [(corners[i] + corners[j]) / 2 for i in range(c) for j in range(i + 1, c)]
        extra = rng.dirichlet(np.ones(c), size=max(0, limit - c - len(mids)))
        return np.vstack([corners, *mids[: max(0, limit - c)], extra])[:limit]
    return np.vstack(points)


def _search_targets(w0: npt.NDArray[np.float64], limit: int) -> tuple[Any, str]:
    c = w0.size
    lattice = _lattice(c, max(limit - c * (c - 1), c))
    transfers = []
    for j in range(c):
        for k in range(c):
            if j != k and w0[k] > 0:
                p = w0.copy()
                p[j] += p[k]
                p[k] = 0.0
                transfers.append(p)
    targets = np.vstack([lattice, *transfers]) if transfers else lattice
    keep = np.abs(targets - w0).sum(axis=1) > 1e-12
    targets = targets[keep]
    how = (
        f"upper bound: {len(targets)} straight lines from the scenario's weights (to "
        f"{len(lattice)} points of a simplex lattice and along {len(transfers)} pairwise "
        f"transfers), each scanned in {SEARCH_STEPS} steps and refined by bisection"
    )
    return targets, how


def _event(totals: npt.NDArray[np.float64], inside: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Whether, per row of totals, some outsider reaches the lowest insider (ties count)."""
    low = np.where(inside, totals, np.inf).min(axis=1)
    high = np.where(inside, -np.inf, totals).max(axis=1)
    return np.asarray(high >= low - _TIE, dtype=bool)


def _searched_lines(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w0: npt.NDArray[np.float64],
    inside: npt.NDArray[np.bool_],
) -> tuple[Any, Any, str]:
    """Search straight lines from w0 for the first change of the ranking.

    Returns each line's direction, its first change (``t`` in [0, 1], NaN if none) and how
    the search was bounded.
    """
    n = int(inside.size)
    limit = min(SEARCH_LINES, SEARCH_BUDGET // max(1, n * (SEARCH_STEPS + _BISECTIONS)))
    targets, how = _search_targets(w0, limit)
    dirs = targets - w0
    first = np.full(len(dirs), np.nan)
    if not targets.size:
        return dirs, first, how
    steps = np.linspace(0.0, 1.0, SEARCH_STEPS + 1)[1:]
    block = max(1, _SEARCH_CELLS // max(1, n * steps.size))
    for lo in range(0, len(dirs), block):
        d = dirs[lo : lo + block]
        w = w0 + steps[None, :, None] * d[:, None, :]
        hit = _event(score_of(np.clip(w.reshape(-1, w0.size), 0.0, None)), inside)
        hit = hit.reshape(len(d), steps.size)
        any_hit = hit.any(axis=1)
        idx = np.argmax(hit, axis=1)
        first[lo : lo + block] = np.where(any_hit, steps[idx], np.nan)
    rows = np.flatnonzero(np.isfinite(first))
    if rows.size:
        hi = first[rows]
        low = np.clip(hi - 1.0 / SEARCH_STEPS, 0.0, None)
        chunk = max(1, _SEARCH_CELLS // max(1, n))
        for _ in range(_BISECTIONS):
            mid = (low + hi) / 2
            hit = np.zeros(rows.size, dtype=bool)
            for lo in range(0, rows.size, chunk):
                sl = slice(lo, lo + chunk)
                w = np.clip(w0 + mid[sl, None] * dirs[rows[sl]], 0.0, None)
                hit[sl] = _event(score_of(w), inside)
            hi = np.where(hit, mid, hi)
            low = np.where(hit, low, mid)
        first[rows] = hi
    return dirs, first, how


def _searched_change(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w0: npt.NDArray[np.float64],
    inside: npt.NDArray[np.bool_],
    norm: Norm,
    lines: tuple[Any, Any, str],
) -> tuple[float, Any, int, int, str]:
    """Return the nearest change found on the searched lines in ``norm``, and its parties."""
    dirs, first, how = lines
    rows = np.flatnonzero(np.isfinite(first))
    if not rows.size:
        return math.nan, None, -1, -1, how
    dist = np.array([_distance(first[r] * dirs[r], norm) for r in rows])
    k = int(np.argmin(dist))
    w = np.clip(w0 + first[rows[k]] * dirs[rows[k]], 0.0, None)
    w /= w.sum()
    totals = score_of(w[None, :])[0]
    incumbent = int(np.argmin(np.where(inside, totals, np.inf)))
    rival = int(np.argmax(np.where(inside, -np.inf, totals)))
    return float(dist[k]), w, incumbent, rival, how


def _inside(totals: npt.NDArray[np.float64], event: Event, top_k: int) -> Any:
    if event == "winner":
        inside = np.zeros(totals.size, dtype=bool)
        inside[int(np.argmax(totals))] = True
        return inside
    from geosite.decision.sensitivity import competition_ranks  # noqa: PLC0415 - avoid a cycle

    return competition_ranks(totals) <= top_k


def min_weight_change(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    weights: npt.ArrayLike,
    *,
    profile: npt.ArrayLike | None = None,
    norm: Norm = "l1",
    event: Event = "winner",
    top_k: int = 1,
    ids: Sequence[Any] | None = None,
    criteria: Sequence[str] | None = None,
) -> WeightChange:
    """Find the smallest change of the weight vector that changes the winner or the top k.

    Parameters
    ----------
    score_of
        Maps weight vectors, shape (d, c), to totals of the ranked candidates, shape (d, n);
        higher is better, the first of equal totals wins.
    weights
        The scenario's weights, shape (c,); normalised here.
    profile
        When totals are linear in the weights, the matrix ``F`` (n, c) with
        ``total = F @ w`` up to a constant; the minimum is then solved exactly by linear
        programming. Otherwise the bounded search runs.
    norm
        ``"l1"`` (sum of absolute weight changes) or ``"linf"`` (largest single change).
    event
        ``"winner"``: the first place changes. ``"top_k"``: a candidate enters or leaves
        the top ``top_k``.
    top_k
        ``k`` of the ``top_k`` event (>= 1).
    ids, criteria
        Candidate ids and criterion names for the result (positions if omitted).

    Returns
    -------
    WeightChange
        The distance, the weight vector achieving it and the two candidates involved.

    Examples
    --------
    Two candidates, two criteria: A wins at weights (0.6, 0.4) and ties B at (0.5, 0.5):

    >>> s = np.array([[0.8, 0.2], [0.3, 0.7]])
    >>> ch = min_weight_change(lambda w: w @ s.T, [0.6, 0.4], profile=s, ids=["A", "B"])
    >>> round(ch.distance, 9), [round(x, 9) for x in ch.weights], ch.rival
    (0.2, [0.5, 0.5], 'B')
    """
    return min_weight_changes(
        score_of,
        weights,
        profile=profile,
        norms=(norm,),
        event=event,
        top_k=top_k,
        ids=ids,
        criteria=criteria,
    )[0]


def min_weight_changes(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    weights: npt.ArrayLike,
    *,
    profile: npt.ArrayLike | None = None,
    norms: Sequence[Norm] = ("l1", "linf"),
    event: Event = "winner",
    top_k: int = 1,
    ids: Sequence[Any] | None = None,
    criteria: Sequence[str] | None = None,
) -> tuple[WeightChange, ...]:
    """Find the smallest weight change in several norms at once (one search for all).

    Parameters and results as :func:`min_weight_change`, one result per norm of ``norms``.
    """
    w0 = np.asarray(weights, dtype=np.float64)
    if w0.ndim != 1 or not np.isfinite(w0).all() or (w0 < 0).any() or w0.sum() <= 0:
        msg = f"weights must be finite, non-negative and not all zero; got {w0!r}"
        raise ParameterError(msg)
    w0 = w0 / w0.sum()
    bad = [x for x in norms if x not in ("l1", "linf")]
    if bad or not norms:
        msg = f"norm must be 'l1' or 'linf'; got {list(norms)!r}"
        raise ParameterError(msg)
    if event not in ("winner", "top_k") or top_k < 1:
        msg = f"event must be 'winner' or 'top_k' with top_k >= 1; got {event!r}, {top_k!r}"
        raise ParameterError(msg)
    names = tuple(criteria) if criteria is not None else tuple(f"c{j}" for j in range(w0.size))
    base = np.asarray(score_of(w0[None, :])[0], dtype=np.float64)
    row_ids = list(ids) if ids is not None else list(range(base.size))
    k = 1 if event == "winner" else top_k
    inside = _inside(base, event, k)

    def result(
        norm: Norm, dist: float, w: Any, pair: tuple[int, int], *, exact: bool, how: str
    ) -> WeightChange:
        a, b = pair
        found = w is not None and math.isfinite(dist)
        vec = w if found else w0
        return WeightChange(
            event=event,
            norm=norm,
            distance=dist if found else math.nan,
            weight_moved=float(np.abs(vec - w0).sum() / 2) if found else math.nan,
            weights=tuple(float(x) for x in vec),
            criteria=names,
            rival=row_ids[b] if found else None,
            incumbent=row_ids[a] if found else None,
            top_k=k,
            exact=exact,
            bound=how,
        )

    if inside.all():
        return tuple(
            result(
                norm,
                math.nan,
                None,
                (-1, -1),
                exact=profile is not None,
                how="every candidate is inside",
            )
            for norm in norms
        )
    out = []
    if profile is not None:
        f = np.asarray(profile, dtype=np.float64)
        outside = np.flatnonzero(~inside)
        pairs = [(int(a), outside) for a in np.flatnonzero(inside)]
        for norm in norms:
            dist, w, a, b, solved = _linear_change(f, w0, pairs, norm)
            how = (
                f"exact: linear programming (HiGHS), {solved} programme(s) solved, other "
                "rivals ruled out by a lower bound"
            )
            out.append(result(norm, dist, w, (a, b), exact=True, how=how))
        return tuple(out)
    lines = _searched_lines(score_of, w0, inside)
    for norm in norms:
        dist, w, a, b, how = _searched_change(score_of, w0, inside, norm, lines)
        out.append(result(norm, dist, w, (a, b), exact=False, how=how))
    return tuple(out)
