"""Sensitivity of a ranking: how far the weights and thresholds can move before it changes.

Four analyses, all on the scores an evaluation already computed (no measure is re-run):

One-at-a-time weights
    Each criterion's weight is raised and lowered by ``step`` (relative, e.g. +/-10 %) and
    the weights renormalised to sum 1; each run reports its winner, Kendall's tau against the
    scenario's ranking and the largest rank shift.
Monte Carlo weights
    ``draws`` weight vectors are sampled from a Dirichlet distribution centred on the
    scenario's weights (see :func:`dirichlet_concentration` for how ``spread`` sets its
    concentration) with a seeded :class:`numpy.random.Generator`; per candidate: the rank
    interval (min, 5 %, 95 %, max), the probability of ranking first and of ranking in the
    top ``k``. All draws are aggregated at once, in blocks that bound memory, and ranked
    with one ``argsort`` per block: there is no Python loop per draw.
Thresholds
    Each parameter of a value function that is written in the criterion's unit (the
    ``best``/``worst`` of a line, a midpoint, the control points of a curve, the x of a
    piecewise table, a penalty threshold) is moved by ``step`` relative to its value (a
    parameter of 0 by ``step`` times the largest parameter of that function), the function
    rebuilt through its validation, the criterion re-scored and the candidates re-ranked.
    Then ``threshold_draws`` draws move every such parameter at once, each uniformly within
    +/- ``step``, for per-candidate rank intervals and probabilities under threshold
    uncertainty (weights as written). Shape parameters (spread, steepness, scores of a
    table) and hard cutoffs are not moved.
Winner stability
    The smallest weight change that changes the winner, along every one-at-a-time direction
    (one criterion's weight up or down, the others rescaled pro rata) and every pairwise
    transfer (weight moved from one criterion to another). A change is measured as the
    *weight moved*: the share of the total weight taken from some criteria and given to
    others, i.e. half the L1 distance between the two normalised weight vectors. For the
    weighted linear combination every total is linear along a direction, so the change is
    exact (where two lines cross); for other aggregations it is found on a grid of 100 steps
    and refined by bisection.

Excluded candidates stay excluded throughout: the set of ranked candidates is that of the
evaluation, and hard limits (constraints, cutoffs) are never perturbed. Ranks are
competition ranks ("1224", as in :func:`geosite.evaluate`); a draw in which several
candidates tie for first credits each with an equal share, so the probabilities of ranking
first sum to 1 over the candidates.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import ValidationError

from geosite._json import json_ready
from geosite._memory import require_memory
from geosite.decision.aggregate import PROMETHEE, WLC, aggregate, linear_profile
from geosite.decision.robustness import WeightChange, min_weight_changes
from geosite.errors import ParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    import numpy.typing as npt

    from geosite.analysis import Result
    from geosite.decision.aggregate import AggregationSpec
    from geosite.decision.transforms import ValueFunction
    from geosite.scenario import Scenario

__all__ = [
    "RankStability",
    "Sensitivity",
    "WinnerStability",
    "competition_ranks",
    "dirichlet_concentration",
    "rank_stability",
    "sample_weights",
    "sensitivity",
    "winner_stability",
]

logger = logging.getLogger(__name__)

#: Number of (draw x candidate) totals each thread ranks at once in the Monte Carlo runs.
BLOCK_CELLS = 4_000_000

#: Most memory the ranks kept for the 5-95 % rank quantiles may take.
MAX_RANK_BYTES = 4_000_000_000

#: Grid steps per direction when the winner change is searched numerically (not WLC).
GRID_STEPS = 100
_BISECTIONS = 40

#: Value-function parameters written in the criterion's unit, by ``type``: these are the
#: thresholds that :func:`sensitivity` perturbs. Pairs and tables are perturbed per number.
UNIT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "linear": ("best", "worst"),
    "fuzzy_small": ("midpoint",),
    "fuzzy_large": ("midpoint",),
    "fuzzy_near": ("midpoint",),
    "fuzzy_gaussian": ("midpoint",),
    "ms_small": ("mean", "std"),
    "ms_large": ("mean", "std"),
    "logistic": ("midpoint",),
    "sigmoidal": ("rise", "fall"),
    "j_shaped": ("rise", "fall"),
    "ideal": ("target", "zero_beyond", "full_within"),
    "piecewise": ("points",),
    "cutoff": ("penalty_above", "penalty_below", "curve"),
    "categorical": (),
}


# --------------------------------------------------------------------------- weights


def dirichlet_concentration(spread: float, n_criteria: int) -> float:
    r"""Return the Dirichlet concentration that gives weights a relative spread of ``spread``.

    Weights drawn from :math:`\mathrm{Dir}(\kappa w)` have mean :math:`w` and variance
    :math:`w_j (1 - w_j) / (\kappa + 1)`. ``spread`` is the coefficient of variation (standard
    deviation / mean) of a criterion whose weight is the average, :math:`1/m` for :math:`m`
    criteria with a positive weight, so

    .. math:: \kappa = \frac{m - 1}{\text{spread}^2} - 1 .

    Heavier weights then vary relatively less and lighter ones more, as in any Dirichlet.

    Parameters
    ----------
    spread
        Relative standard deviation of an average weight, > 0 and below
        :math:`\sqrt{m - 1}` (0.2 means an average weight varies by about +/-20 %).
    n_criteria
        Number of criteria with a positive weight, at least 2.

    Raises
    ------
    ParameterError
        If ``spread`` is out of range or fewer than two criteria can vary.

    Examples
    --------
    >>> dirichlet_concentration(0.5, 5)
    15.0
    """
    if n_criteria < 2:
        msg = f"weights can vary only with at least 2 weighted criteria; got {n_criteria}"
        raise ParameterError(msg)
    limit = math.sqrt(n_criteria - 1)
    if not (math.isfinite(spread) and 0 < spread < limit):
        msg = (
            f"spread must be a number in (0, {limit:.3g}) for {n_criteria} weighted criteria "
            f"(the relative standard deviation of an average weight, e.g. 0.2); got {spread!r}"
        )
        raise ParameterError(msg)
    return (n_criteria - 1) / spread**2 - 1.0


def sample_weights(
    weights: npt.ArrayLike,
    *,
    draws: int,
    spread: float,
    rng: np.random.Generator | int | None = None,
) -> npt.NDArray[np.float64]:
    """Sample weight vectors from a Dirichlet distribution centred on ``weights``.

    Criteria with a zero weight keep a zero weight; the others are drawn from
    ``Dirichlet(kappa * w)`` with ``kappa`` from :func:`dirichlet_concentration`.

    Parameters
    ----------
    weights
        The scenario's weights, shape (c,), non-negative (normalised here).
    draws
        Number of weight vectors, >= 1.
    spread
        Relative standard deviation of an average weight (see
        :func:`dirichlet_concentration`).
    rng
        A numpy Generator, or a seed for one; the same seed gives the same draws.

    Returns
    -------
    numpy.ndarray
        Shape (draws, c); every row sums to 1.

    Examples
    --------
    >>> w = sample_weights([0.5, 0.3, 0.2], draws=4, spread=0.2, rng=1)
    >>> w.shape, bool(np.allclose(w.sum(axis=1), 1.0))
    ((4, 3), True)
    """
    w = _normalised(weights)
    if draws < 1:
        msg = f"draws must be at least 1; got {draws!r}"
        raise ParameterError(msg)
    require_memory(
        float(draws) * w.size * 8,
        what=f"{draws:,} draws of {w.size} weights",
        fix="use fewer draws (`--draws`); 10,000 already give probabilities to about 1 %",
    )
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    active = w > 0
    out = np.zeros((draws, w.size))
    if active.sum() < 2:
        out[:] = w
        return out
    kappa = dirichlet_concentration(spread, int(active.sum()))
    out[:, active] = generator.dirichlet(kappa * w[active], size=draws)
    return out


def _normalised(weights: npt.ArrayLike) -> npt.NDArray[np.float64]:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        msg = (
            f"weights must be a non-empty 1-D array of finite, non-negative numbers with a "
            f"positive sum; got {w!r}"
        )
        raise ParameterError(msg)
    return np.asarray(w / w.sum(), dtype=np.float64)


# --------------------------------------------------------------------------- ranking kernels


def competition_ranks(totals: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Rank each row of totals, highest first, with competition ranks ("1224").

    Parameters
    ----------
    totals
        Shape (d, n) or (n,): suitability per draw and candidate.

    Returns
    -------
    numpy.ndarray
        Integer ranks of the same shape, 1 for the highest total; equal totals share the
        better rank.

    Examples
    --------
    >>> competition_ranks([0.2, 0.9, 0.5, 0.9]).tolist()
    [4, 1, 3, 1]
    """
    t = np.asarray(totals, dtype=np.float64)
    two = np.atleast_2d(t)
    n = two.shape[1]
    order = np.argsort(-two, axis=1)
    ordered = np.take_along_axis(two, order, axis=1)
    start = np.zeros(two.shape, dtype=np.int64)
    if n > 1:
        new = ordered[:, 1:] != ordered[:, :-1]
        start[:, 1:] = np.where(new, np.arange(1, n), 0)
    np.maximum.accumulate(start, axis=1, out=start)
    ranks = np.empty(two.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, start + 1, axis=1)
    return ranks if t.ndim == 2 else ranks[0]


@dataclass(frozen=True, slots=True)
class RankStability:
    """Per-candidate rank statistics over Monte Carlo weight draws.

    Arrays have one entry per ranked candidate, in the order of the score matrix given to
    :func:`rank_stability`.

    Parameters
    ----------
    rank_min, rank_max
        Best and worst rank over all draws.
    rank_p05, rank_p95
        5 % and 95 % quantiles of the rank (nearest rank: the smallest rank reached in at
        least that share of draws).
    p_first
        Probability of ranking first (ties for first share the credit); sums to 1.
    p_top_k
        Probability of a rank <= ``top_k``.
    top_k
        The ``k`` of ``p_top_k``.
    draws
        Number of weight draws.
    concentration
        The Dirichlet concentration used (``nan`` when weights could not vary).
    """

    rank_min: npt.NDArray[np.int64]
    rank_max: npt.NDArray[np.int64]
    rank_p05: npt.NDArray[np.int64]
    rank_p95: npt.NDArray[np.int64]
    p_first: npt.NDArray[np.float64]
    p_top_k: npt.NDArray[np.float64]
    top_k: int
    draws: int
    concentration: float


def _scorer(
    scores: npt.NDArray[np.float64],
    spec: AggregationSpec,
    ranked: npt.NDArray[np.bool_],
    criteria: Sequence[str] | None = None,
) -> Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """Return ``W (d, c) -> totals (d, m)`` of the ranked candidates.

    Methods whose totals depend on the whole candidate set (TOPSIS, VIKOR, PROMETHEE,
    ELECTRE) aggregate all complete rows (as :func:`geosite.evaluate` does) and keep the
    ranked ones; the other methods aggregate only the ranked rows. PROMETHEE's net flow is
    linear in the weights: its unicriterion flows are computed once.
    """
    if not spec.separable:
        complete = np.isfinite(scores).all(axis=1)
        rows = scores[complete]
        keep = ranked[complete]
        if isinstance(spec, PROMETHEE):
            flows = np.asarray(linear_profile(rows, spec, criteria=criteria))[keep]

            def promethee(w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
                w = w / w.sum(axis=1, keepdims=True)
                return np.asarray(np.clip(0.5 * (1.0 + w @ flows.T), 0.0, 1.0))

            return promethee

        def relative(w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return aggregate(rows, w, spec, criteria=criteria)[:, keep]

        return relative
    rows = np.ascontiguousarray(scores[ranked])

    def other(w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return aggregate(rows, w, spec, criteria=criteria)

    return other


def _check_scores(scores: npt.ArrayLike, ranked: npt.ArrayLike | None) -> tuple[Any, Any]:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        msg = f"scores must be a 2-D array (candidates x criteria); got shape {s.shape!r}"
        raise ParameterError(msg)
    mask = (
        np.isfinite(s).all(axis=1)
        if ranked is None
        else np.asarray(ranked, dtype=bool) & np.isfinite(s).all(axis=1)
    )
    if mask.shape != (s.shape[0],):
        msg = f"ranked must have one entry per candidate ({s.shape[0]}); got {mask.shape!r}"
        raise ParameterError(msg)
    return s, mask


@dataclass(frozen=True, slots=True)
class _Groups:
    """Ranked candidates grouped by identical score rows: identical rows always tie."""

    first: npt.NDArray[np.intp]  # a candidate (index among the ranked) of each group
    inverse: npt.NDArray[np.intp]  # group of each ranked candidate
    size: npt.NDArray[np.int64]  # candidates per group
    complement: npt.NDArray[np.float64]  # 1 - scores of each group, transposed (c, u)

    @property
    def unique(self) -> bool:
        return bool((self.size == 1).all())


def _groups(rows: npt.NDArray[np.float64]) -> _Groups:
    if rows.shape[0] == 0:
        empty = np.empty(0, dtype=np.intp)
        return _Groups(empty, empty, np.empty(0, dtype=np.int64), np.empty((rows.shape[1], 0)))
    _, first, inverse, size = np.unique(
        rows, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    return _Groups(
        first=first,
        inverse=inverse.reshape(-1),
        size=size.astype(np.int64),
        complement=np.ascontiguousarray((1.0 - rows[first]).T),
    )


@dataclass(frozen=True, slots=True)
class _BlockOut:
    hi: int
    first: npt.NDArray[np.float64]
    top: npt.NDArray[np.float64]
    low: npt.NDArray[Any] | None
    high: npt.NDArray[Any] | None


class _Workspace(threading.local):
    """Buffers reused by every block a thread ranks: fresh large arrays cost page faults."""

    buffers: dict[tuple[str, int, int], npt.NDArray[Any]]

    def __init__(self) -> None:
        self.buffers = {}

    def get(self, name: str, shape: tuple[int, int], dtype: type[Any]) -> npt.NDArray[Any]:
        key = (name, *shape)
        if key not in self.buffers:
            self.buffers[key] = np.empty(shape, dtype=dtype)
        return self.buffers[key]


@dataclass(frozen=True, slots=True)
class _Ranker:
    """Rank blocks of weight draws; see :func:`rank_stability`."""

    sampled: npt.NDArray[np.float64]
    groups: _Groups
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]] | None
    top_k: int
    store: npt.NDArray[Any] | None
    dtype: type[Any]
    workspace: _Workspace

    def complement(self, lo: int, hi: int) -> npt.NDArray[np.float64]:
        """Return ``1 - total`` of each group for draws ``lo:hi``, in a reused buffer."""
        u = self.groups.size.size
        out = self.workspace.get("totals", (hi - lo, u), np.float64)
        if self.score_of is None:
            # Weighted sum with weights summing to 1: sum_j w_j (1 - s_j) = 1 - total.
            np.matmul(self.sampled[lo:hi], self.groups.complement, out=out)
        else:
            np.subtract(1.0, self.score_of(self.sampled[lo:hi])[:, self.groups.first], out=out)
        return out

    def __call__(self, lo: int, hi: int) -> _BlockOut:
        """Rank draws ``lo:hi``; accumulate first places, top-k places and rank bounds.

        Each ``1 - total`` (non-negative, so its IEEE bit pattern orders like the number)
        becomes a sort key with the group index in its lowest bits: one in-place sort per
        row gives the order, several times faster than ``argsort``. Groups whose totals
        agree to within the dropped bits (about 1e-11) are ordered by index.
        """
        b, u = hi - lo, self.groups.size.size
        bits = max(1, int(u - 1).bit_length())
        mask = (1 << bits) - 1
        keys = self.complement(lo, hi).view(np.int64)
        keys &= ~mask
        keys |= np.arange(u, dtype=np.int64)
        keys.sort(axis=1)
        order = self.workspace.get("order", (b, u), np.intp)
        np.bitwise_and(keys, mask, out=order, casting="unsafe")
        size = self.groups.size
        first = np.bincount(order[:, 0], minlength=u).astype(np.float64)
        head = order[:, : min(self.top_k, u)]
        if self.groups.unique:
            top = np.bincount(head.ravel(), minlength=u).astype(np.float64)
            ranks_sorted: npt.NDArray[Any] = np.broadcast_to(
                np.arange(1, u + 1, dtype=self.dtype), (b, u)
            )
        else:
            # Competition rank of a group: 1 + the candidates in groups ranked above it.
            before = np.cumsum(size[head], axis=1) - size[head]
            top = np.bincount(head[before < self.top_k], minlength=u).astype(np.float64)
            ranks_sorted = self.workspace.get("sorted", (b, u), np.int64)
            np.take(size, order, out=ranks_sorted)
            np.cumsum(ranks_sorted, axis=1, out=ranks_sorted)
            ranks_sorted -= np.take(size, order) - 1
        # Scatter straight into candidate-major layout: each candidate's ranks in this block
        # end up contiguous, ready to copy into its row of the store.
        ranks = self.workspace.get("ranks", (u, b), self.dtype)
        ranks[order, np.arange(b)[:, None]] = ranks_sorted
        if self.store is None:
            return _BlockOut(hi, first, top, ranks.min(axis=1), ranks.max(axis=1))
        self.store[:, lo:hi] = ranks
        return _BlockOut(hi, first, top, None, None)


def rank_stability(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec | None = None,
    *,
    draws: int = 1000,
    spread: float = 0.2,
    seed: int | np.random.Generator | None = None,
    top_k: int = 3,
    ranked: npt.ArrayLike | None = None,
    criteria: Sequence[str] | None = None,
    quantiles: bool = True,
    block_cells: int = BLOCK_CELLS,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RankStability:
    """Rank candidates under Monte Carlo weight draws and summarise each candidate's ranks.

    Parameters
    ----------
    scores
        Criterion scores in [0, 1], shape (n candidates, c criteria).
    weights
        The scenario's weights, shape (c,); draws are centred on them.
    spec
        The aggregation method (weighted linear combination if omitted).
    draws
        Number of weight vectors sampled.
    spread
        Relative standard deviation of an average weight (see
        :func:`dirichlet_concentration`).
    seed
        Seed (or Generator) of the draws: the same seed gives the same result, whatever
        ``block_cells`` and ``threads``.
    top_k
        ``k`` of the probability of ranking in the top ``k``, >= 1.
    ranked
        Boolean mask of the candidates that take part in the ranking (default: those with
        every score); the statistics cover these candidates only, in order.
    criteria
        Criterion names of the score columns, for aggregations that name criteria.
    quantiles
        Compute the 5 % and 95 % rank quantiles. They need every rank kept, ``draws x
        distinct candidates`` small integers (200 MB for 10,000 x 10,000; refused above
        :data:`MAX_RANK_BYTES`); without them ``rank_p05`` and ``rank_p95`` are -1.
    block_cells
        Draws are processed in blocks of about ``block_cells / n`` draws; each thread holds
        a few arrays of ``block_cells`` numbers.
    threads
        Blocks ranked in parallel (numpy sorts release the GIL); default: the CPU count,
        at most 4.
    progress
        Called as ``progress(done, draws)`` after each block; silent if omitted.

    Returns
    -------
    RankStability
        Arrays with one entry per ranked candidate.

    Notes
    -----
    Candidates with identical scores always tie (competition ranks). Distinct candidates
    whose totals agree to within about ``1e-11`` in a draw are ordered by their position
    instead of tied.

    Examples
    --------
    >>> stats = rank_stability([[0.9, 0.1], [0.1, 0.9], [0.4, 0.4]], [0.7, 0.3],
    ...                        draws=2000, seed=0)
    >>> stats.p_first.round(1).tolist(), stats.rank_min.tolist(), stats.rank_max.tolist()
    ([1.0, 0.0, 0.0], [1, 1, 2], [3, 3, 3])
    """
    s, mask = _check_scores(scores, ranked)
    spec = spec if spec is not None else WLC()
    if top_k < 1:
        msg = f"top_k must be at least 1; got {top_k!r}"
        raise ParameterError(msg)
    w = _normalised(weights)
    if w.size != s.shape[1]:
        msg = f"weights have {w.size} entries but scores have {s.shape[1]} criteria"
        raise ParameterError(msg)
    generator = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    sampled = sample_weights(w, draws=draws, spread=spread, rng=generator)
    active = int((w > 0).sum())
    kappa = dirichlet_concentration(spread, active) if active >= 2 else math.nan
    groups = _groups(s[mask])
    u = groups.size.size
    dtype: type[Any] = np.uint16 if mask.sum() < np.iinfo(np.uint16).max else np.uint32
    needed = u * draws * np.dtype(dtype).itemsize
    if quantiles and needed > MAX_RANK_BYTES:
        msg = (
            f"rank quantiles of {u:,} distinct candidates over {draws:,} draws need "
            f"{needed / 1e9:.1f} GB (limit {MAX_RANK_BYTES / 1e9:.0f} GB); pass "
            "quantiles=False (`--no-quantiles`) for rank bounds and probabilities only, "
            "or use fewer draws"
        )
        raise ParameterError(msg)
    ranker = _Ranker(
        sampled=sampled,
        groups=groups,
        score_of=None if isinstance(spec, WLC) else _scorer(s, spec, mask, criteria),
        top_k=top_k,
        store=np.empty((u, draws), dtype=dtype) if quantiles and u else None,
        dtype=dtype,
        workspace=_Workspace(),
    )
    first, top = np.zeros(u), np.zeros(u)
    low = np.full(u, np.iinfo(dtype).max, dtype=dtype)
    high = np.zeros(u, dtype=dtype)
    block = max(1, block_cells // max(1, u))
    for out in _run_blocks(ranker, draws, block, threads, enabled=u > 0):
        first += out.first
        top += out.top
        if out.low is not None and out.high is not None:
            np.minimum(low, out.low, out=low)
            np.maximum(high, out.high, out=high)
        if progress is not None:
            progress(out.hi, draws)
    if u == 0 and progress is not None:
        progress(draws, draws)
    p05 = p95 = np.full(u, -1, dtype=np.int64)
    if ranker.store is not None:
        _sort_rows(ranker.store, threads)
        k05, k95 = (max(0, math.ceil(q * draws) - 1) for q in (0.05, 0.95))
        p05, p95 = ranker.store[:, k05], ranker.store[:, k95]
        low, high = ranker.store[:, 0], ranker.store[:, -1]
    inv = groups.inverse
    return RankStability(
        rank_min=low.astype(np.int64)[inv],
        rank_max=high.astype(np.int64)[inv],
        rank_p05=p05.astype(np.int64)[inv],
        rank_p95=p95.astype(np.int64)[inv],
        p_first=(first / groups.size / draws)[inv] if u else np.zeros(0),
        p_top_k=(top / draws)[inv] if u else np.zeros(0),
        top_k=top_k,
        draws=draws,
        concentration=kappa,
    )


def _workers(threads: int | None) -> int:
    return max(1, threads if threads is not None else min(4, os.cpu_count() or 1))


def _run_blocks(
    ranker: _Ranker, draws: int, block: int, threads: int | None, *, enabled: bool
) -> Iterator[_BlockOut]:
    """Yield the ranked blocks in order, a few in flight at once on a thread pool."""
    if not enabled:
        return
    workers = _workers(threads)
    bounds = iter([(lo, min(lo + block, draws)) for lo in range(0, draws, block)])
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[_BlockOut]] = deque(
            pool.submit(ranker, lo, hi) for lo, hi in itertools.islice(bounds, 2 * workers)
        )
        while pending:
            out = pending.popleft().result()
            nxt = next(bounds, None)
            if nxt is not None:
                pending.append(pool.submit(ranker, *nxt))
            yield out


def _sort_rows(store: npt.NDArray[Any], threads: int | None) -> None:
    """Sort every row of ``store`` in place, in parallel chunks."""
    chunks = [store[i : i + 1024] for i in range(0, store.shape[0], 1024)]
    with ThreadPoolExecutor(max_workers=_workers(threads)) as pool:
        list(pool.map(lambda part: part.sort(axis=1), chunks))


# --------------------------------------------------------------------------- winner stability

DirectionKind = Literal["one_at_a_time", "pair"]


@dataclass(frozen=True, slots=True)
class _Direction:
    kind: DirectionKind
    criterion: int
    other: int | None
    u: npt.NDArray[np.float64]
    t_max: float


def _directions(w: npt.NDArray[np.float64]) -> list[_Direction]:
    """Return the one-at-a-time and pairwise directions of weight change from ``w``."""
    c = w.size
    out: list[_Direction] = []
    for j in range(c):
        if not 0.0 < w[j] < 1.0:
            continue
        rest = w.copy()
        rest[j] = 0.0
        rest /= 1.0 - w[j]
        u = -rest
        u[j] = 1.0
        out.append(_Direction("one_at_a_time", j, None, u, 1.0 - float(w[j])))
        out.append(_Direction("one_at_a_time", j, None, -u, float(w[j])))
    for j in range(c):
        for k in range(c):
            if j != k and w[k] > 0:
                u = np.zeros(c)
                u[j], u[k] = 1.0, -1.0
                out.append(_Direction("pair", j, k, u, float(w[k])))
    return out


def _first_winner(totals: npt.NDArray[np.float64]) -> int:
    """Return the index of the best total; ties go to the earliest (table order)."""
    return int(np.argmax(totals))


def _envelope(
    base: npt.NDArray[np.float64], slope: npt.NDArray[np.float64], t_max: float
) -> list[tuple[float, int]]:
    """Walk the upper envelope of lines ``base + slope * t`` on ``[0, t_max]``.

    Returns the (t, candidate) pairs where the leader changes, in increasing ``t``.
    """
    cur = _first_winner(base)
    t0 = 0.0
    out: list[tuple[float, int]] = []
    while True:
        gain = slope - slope[cur]
        up = gain > 1e-15
        if not up.any():
            return out
        t = np.full(base.size, np.inf)
        t[up] = (base[cur] - base[up]) / gain[up]
        t[up] = np.maximum(t[up], t0)
        best = float(t.min())
        if best > t_max:
            return out
        # Of the lines crossing first, the steepest leads from there on.
        tied = np.flatnonzero(t <= best + 1e-15)
        cur = int(tied[np.argmax(slope[tied])])
        out.append((best, cur))
        t0 = best


def _numeric_leaders(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w: npt.NDArray[np.float64],
    d: _Direction,
    base_winner: int,
) -> list[tuple[float, int]]:
    """Find where the leader changes along ``d`` on a grid, refined by bisection."""

    def leader(t: float) -> int:
        return _first_winner(score_of(np.clip(w + t * d.u, 0.0, None)[None, :])[0])

    grid = np.linspace(0.0, d.t_max, GRID_STEPS + 1)
    weights = np.clip(w[None, :] + grid[:, None] * d.u[None, :], 0.0, None)
    leaders = np.argmax(score_of(weights), axis=1)
    out: list[tuple[float, int]] = []
    prev = base_winner
    for i in range(1, grid.size):
        now = int(leaders[i])
        if now == prev:
            continue
        lo, hi = float(grid[i - 1]), float(grid[i])
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            if leader(mid) == prev:
                lo = mid
            else:
                hi = mid
        out.append((hi, leader(hi)))
        prev = now
    return out


@dataclass(frozen=True, slots=True)
class WinnerStability:
    """The smallest weight changes that change the winner.

    Parameters
    ----------
    winner
        Id of the scenario's winner.
    changes
        One row per direction of change: ``kind`` (``one_at_a_time``: the weight of
        ``criterion`` up or down, the others rescaled pro rata; ``pair``: weight moved from
        ``from_criterion`` to ``criterion``), ``weight_moved`` (the smallest change that
        changes the winner, as half the L1 distance between normalised weight vectors; NaN
        when no change in that direction does), ``weight_before`` and ``weight_after`` (of
        ``criterion``), ``relative_change`` (``weight_after / weight_before - 1``),
        ``new_winner`` and ``exact``. Sorted by ``weight_moved``.
    smallest
        The smallest weight moved that changes the winner: over every weight vector when
        that minimum is solved (see :attr:`flips`), else over the directions of
        :attr:`changes` and the bounded search (NaN if the winner never changes).
    smallest_relative
        The smallest ``|relative_change|`` over the one-at-a-time directions.
    fragile
        Whether changing one criterion's weight by at most ``step`` (relative) changes the
        winner: ``smallest_relative <= step``.
    step
        The relative change of the one-at-a-time analysis.
    exact
        Whether the changes are exact (aggregations linear in the weights: weighted linear
        combination, PROMETHEE II) or numeric.
    flips
        The smallest change of the whole weight vector, over the simplex, that changes the
        winner and that moves a candidate into or out of the top ``k``, each in the L1 and
        the L-infinity norm, with the weight vector that achieves it (see
        :func:`geosite.decision.robustness.min_weight_change`): exact by linear programming
        for aggregations linear in the weights, a bounded search (an upper bound) otherwise.
    """

    winner: Any
    changes: pd.DataFrame
    smallest: float
    smallest_relative: float
    fragile: bool
    step: float
    exact: bool
    flips: tuple[WeightChange, ...] = ()

    def flip(self, event: str = "winner", norm: str = "l1") -> WeightChange | None:
        """Return the smallest change of the whole weight vector for an event and norm."""
        return next((f for f in self.flips if f.event == event and f.norm == norm), None)


def _stability_tables(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w: npt.NDArray[np.float64],
    profile: npt.NDArray[np.float64] | None,
) -> tuple[list[tuple[_Direction, list[tuple[float, int]]]], bool]:
    """Return the leader changes along every direction, and whether they are exact.

    With a linear profile ``F`` (totals ``a + b F w``) every total is a line along a
    direction, so the leader changes are exact crossings of lines.
    """
    exact = profile is not None
    base = score_of(w[None, :])[0]
    winner = _first_winner(base)
    out = []
    for d in _directions(w):
        if profile is not None:
            walk = _envelope(profile @ w, profile @ d.u, d.t_max)
        else:
            walk = _numeric_leaders(score_of, w, d, winner)
        out.append((d, walk))
    return out, exact


def winner_stability(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    spec: AggregationSpec | None = None,
    *,
    ids: Sequence[Any] | None = None,
    criteria: Sequence[str] | None = None,
    step: float = 0.1,
    ranked: npt.ArrayLike | None = None,
    top_k: int = 3,
) -> WinnerStability:
    """Find the smallest weight changes that change the winner.

    Parameters
    ----------
    scores
        Criterion scores in [0, 1], shape (n candidates, c criteria); ties for first go to
        the earliest row, as in a result table.
    weights
        The scenario's weights, shape (c,).
    spec
        The aggregation method (weighted linear combination if omitted).
    ids
        Candidate ids, one per row (row numbers if omitted).
    criteria
        Criterion names, one per column (``c0``, ``c1``... if omitted).
    step
        Relative weight change below which the winner is called fragile (0.1 = 10 %).
    ranked
        Boolean mask of the candidates that take part (default: those with every score).
    top_k
        ``k`` of the smallest change that moves a candidate into or out of the top ``k``.

    Returns
    -------
    WinnerStability
        Per direction, the weight that must move to change the winner.

    Examples
    --------
    Two candidates, two criteria: A wins at weights (0.6, 0.4) and ties B where
    ``0.8 w + 0.2 (1 - w) = 0.3 w + 0.7 (1 - w)``, at ``w = 0.5``:

    >>> ws = winner_stability([[0.8, 0.2], [0.3, 0.7]], [0.6, 0.4], ids=["A", "B"])
    >>> round(ws.smallest, 6), ws.fragile
    (0.1, False)
    """
    s, mask = _check_scores(scores, ranked)
    spec = spec if spec is not None else WLC()
    w = _normalised(weights)
    if w.size != s.shape[1]:
        msg = f"weights have {w.size} entries but scores have {s.shape[1]} criteria"
        raise ParameterError(msg)
    if not math.isfinite(step) or step < 0:
        msg = f"step must be a non-negative relative change such as 0.1; got {step!r}"
        raise ParameterError(msg)
    names = list(criteria) if criteria is not None else [f"c{j}" for j in range(w.size)]
    row_ids = list(ids) if ids is not None else list(range(s.shape[0]))
    kept = [row_ids[i] for i in np.flatnonzero(mask)]
    if not kept:
        msg = "no candidate is ranked, so there is no winner to test"
        raise ParameterError(msg)
    stability, _ = _winner_stability(
        _scorer(s, spec, mask, names),
        w,
        kept,
        names,
        step,
        top_k=top_k,
        profile=_profile(s, spec, mask, names),
    )
    return stability


def _profile(
    scores: npt.NDArray[np.float64],
    spec: AggregationSpec,
    ranked: npt.NDArray[np.bool_],
    names: Sequence[str],
) -> npt.NDArray[np.float64] | None:
    """Return ``F`` with totals ``F @ w`` (up to a constant) of the ranked, or None."""
    complete = np.isfinite(scores).all(axis=1)
    f = linear_profile(scores[complete], spec, criteria=names)
    return None if f is None else np.asarray(f[ranked[complete]], dtype=np.float64)


def _flips(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w: npt.NDArray[np.float64],
    profile: npt.NDArray[np.float64] | None,
    *,
    kept: list[Any],
    names: list[str],
    top_k: int,
) -> tuple[WeightChange, ...]:
    events: tuple[tuple[Literal["winner", "top_k"], int], ...] = (("winner", 1), ("top_k", top_k))
    return tuple(
        change
        for event, k in events
        for change in min_weight_changes(
            score_of,
            w,
            profile=profile,
            norms=("l1", "linf"),
            event=event,
            top_k=k,
            ids=kept,
            criteria=names,
        )
    )


def _winner_stability(
    score_of: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    w: npt.NDArray[np.float64],
    kept: list[Any],
    names: list[str],
    step: float,
    *,
    top_k: int = 3,
    profile: npt.NDArray[np.float64] | None = None,
) -> tuple[WinnerStability, list[tuple[_Direction, list[tuple[float, int]]]]]:
    """Build the winner-stability table of the ranked scores ``s``; also return the walks."""
    walks, exact = _stability_tables(score_of, w, profile)
    flips = _flips(score_of, w, profile, kept=kept, names=names, top_k=top_k)
    rows = []
    for d, walk in walks:
        t, new = walk[0] if walk else (math.nan, None)
        sign = 1.0 if d.u[d.criterion] > 0 else -1.0
        before = float(w[d.criterion])
        after = before + sign * t if math.isfinite(t) else math.nan
        rows.append(
            {
                "kind": d.kind,
                "criterion": names[d.criterion],
                "from_criterion": names[d.other] if d.other is not None else None,
                "direction": "up" if sign > 0 else "down",
                "weight_moved": t,
                "weight_before": before,
                "weight_after": after,
                "relative_change": after / before - 1.0 if before > 0 else math.inf,
                "new_winner": kept[new] if new is not None else None,
                "exact": exact,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(
            columns=[
                "kind",
                "criterion",
                "from_criterion",
                "direction",
                "weight_moved",
                "weight_before",
                "weight_after",
                "relative_change",
                "new_winner",
                "exact",
            ]
        )
    else:
        table = table.sort_values("weight_moved", kind="stable", na_position="last")
        table = table.reset_index(drop=True)
    moved = table["weight_moved"].to_numpy(dtype=float)
    oat = table.loc[table["kind"] == "one_at_a_time", "relative_change"].to_numpy(dtype=float)
    found = [*moved[np.isfinite(moved)].tolist()]
    overall = flips[0]
    if math.isfinite(overall.weight_moved):
        found.append(overall.weight_moved)
    # Solved exactly, the minimum over the simplex is the answer; a search only adds a
    # candidate to the directions' own minimum.
    smallest = (
        overall.weight_moved
        if overall.exact and math.isfinite(overall.weight_moved)
        else (min(found) if found else math.nan)
    )
    rel = np.abs(oat[np.isfinite(oat)])
    smallest_rel = float(rel.min()) if rel.size else math.nan
    stability = WinnerStability(
        winner=kept[_first_winner(score_of(w[None, :])[0])],
        changes=table,
        smallest=smallest,
        smallest_relative=smallest_rel,
        fragile=bool(rel.size and smallest_rel <= step),
        step=step,
        exact=exact,
        flips=flips,
    )
    return stability, walks


def _weight_to_first(
    walks: list[tuple[_Direction, list[tuple[float, int]]]],
    scores: npt.NDArray[np.float64],
    winner: int,
) -> npt.NDArray[np.float64]:
    """Return, per ranked candidate, the least weight moved that makes it first."""
    out = np.full(scores.shape[0], np.inf)
    out[winner] = 0.0
    for _, walk in walks:
        for t, who in walk:
            out[who] = min(out[who], t)
    # Candidates with identical scores lead together: give each the best of its group.
    inverse = _groups(scores).inverse
    best = np.full(int(inverse.max()) + 1, np.inf)
    np.minimum.at(best, inverse, out)
    out = best[inverse]
    out[~np.isfinite(out)] = np.nan
    return out


# --------------------------------------------------------------------------- thresholds


def _unit_parameters(spec: dict[str, Any], prefix: str = "") -> list[tuple[str, tuple[Any, ...]]]:
    """List (label, path) of the unit parameters of a dumped value function."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    for key in UNIT_PARAMETERS.get(str(spec.get("type")), ()):
        value = spec.get(key)
        if value is None:
            continue
        if key == "curve" and isinstance(value, dict):
            out += [
                (label, ("curve", *path))
                for label, path in _unit_parameters(value, prefix=f"{prefix}curve.")
            ]
        elif key == "points":
            out += [(f"{prefix}points[{i}].x", ("points", i, 0)) for i in range(len(value))]
        elif isinstance(value, list | tuple):
            out += [(f"{prefix}{key}[{i}]", (key, i)) for i in range(len(value))]
        else:
            out.append((f"{prefix}{key}", (key,)))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: float) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _perturbed_functions(
    function: ValueFunction, step: float
) -> list[tuple[str, float, float, ValueFunction | str]]:
    """Return (parameter, before, after, rebuilt function or why not) per perturbation."""
    dumped = function.model_dump(mode="python")
    params = _unit_parameters(dumped)
    values = [float(_get(dumped, path)) for _, path in params]
    scale = max((abs(v) for v in values), default=0.0)
    out: list[tuple[str, float, float, ValueFunction | str]] = []
    for (label, path), before in zip(params, values, strict=True):
        for sign in (1.0, -1.0):
            after = before * (1.0 + sign * step) if before != 0 else sign * step * scale
            doc = function.model_dump(mode="python")
            # Pydantic dumps pairs as tuples; make every level mutable before editing.
            doc = _mutable(doc)
            _set(doc, path, after)
            try:
                rebuilt: ValueFunction | str = type(function).model_validate(doc)
            except ValidationError as err:
                rebuilt = "; ".join(e["msg"] for e in err.errors())
            out.append((label, before, after, rebuilt))
    return out


def _mutable(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _mutable(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_mutable(v) for v in doc]
    return doc


# --------------------------------------------------------------------------- the whole analysis


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """Everything :func:`sensitivity` found.

    Parameters
    ----------
    scenario
        Name of the scenario.
    id_column
        The column of :attr:`candidates` that identifies candidates.
    candidates
        One row per candidate, in the result's order: id (and name), ``rank``,
        ``total_score``, ``excluded``; Monte Carlo ``rank_min``, ``rank_p05``, ``rank_p95``,
        ``rank_max``, ``p_first``, ``p_top_<k>``; ``oat_rank_min``/``oat_rank_max`` over the
        one-at-a-time weight runs, ``threshold_rank_min``/``threshold_rank_max`` over the
        threshold runs (both include the scenario's own ranking); with threshold draws,
        ``threshold_mc_rank_min``/``_p05``/``_p95``/``_max``, ``threshold_mc_p_first`` and
        ``threshold_mc_p_top_<k>`` over them; ``weight_to_first``, the
        least weight moved along any one-at-a-time or pairwise direction that makes the
        candidate first (0 for the winner, NaN if none does). Excluded candidates have no
        ranks and zero probabilities.
    weights
        One row per one-at-a-time weight run: ``criterion``, ``change`` (relative),
        ``weight_before``, ``weight_after`` (normalised), ``winner``, ``winner_changed``,
        ``kendall_tau`` (tau-b against the scenario's ranks), ``max_rank_shift``,
        ``top_k_overlap``.
    thresholds
        One row per threshold run: ``criterion``, ``parameter``, ``value_before``,
        ``value_after``, then as :attr:`weights`; ``skipped`` says why a perturbed function
        was invalid (its statistics are then empty).
    winner
        The smallest weight changes that change the winner.
    draws, seed, spread, concentration, step, top_k, threshold_draws
        The settings used; ``concentration`` is the Dirichlet concentration from ``spread``.
    invalid_threshold_draws
        Drawn value functions that failed validation and were kept as written in that draw.
    """

    scenario: str
    id_column: str
    candidates: pd.DataFrame
    weights: pd.DataFrame
    thresholds: pd.DataFrame
    winner: WinnerStability
    draws: int
    seed: int | None
    spread: float
    concentration: float
    step: float
    top_k: int
    threshold_draws: int = 0
    invalid_threshold_draws: int = 0

    def flips_table(self) -> pd.DataFrame:
        """Return the smallest whole-vector weight changes, one row per event and norm.

        Columns: ``event``, ``norm``, ``distance``, ``weight_moved``, ``rival``,
        ``incumbent``, ``top_k``, ``exact``, ``bound``, then one ``weight_<criterion>``
        column per criterion holding the weight vector that achieves the change.
        """
        rows = []
        for f in self.winner.flips:
            row = {k: v for k, v in f.as_dict().items() if k != "weights"}
            row |= {f"weight_{c}": w for c, w in zip(f.criteria, f.weights, strict=True)}
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """Return the headline figures and settings as JSON-ready data."""
        ranked = self.candidates.loc[~self.candidates["excluded"]]
        top = ranked.sort_values("p_first", ascending=False, kind="stable").head(self.top_k)
        return {
            "scenario": self.scenario,
            "winner": json_ready(self.winner.winner),
            "winner_fragile": self.winner.fragile,
            "smallest_weight_change_to_change_winner": json_ready(self.winner.smallest),
            "smallest_relative_one_at_a_time_change": json_ready(self.winner.smallest_relative),
            "winner_change_exact": self.winner.exact,
            "smallest_weight_changes": [f.as_dict() for f in self.winner.flips],
            "p_first": {
                str(i): float(p) for i, p in zip(top[self.id_column], top["p_first"], strict=True)
            },
            "one_at_a_time_runs_changing_winner": int(self.weights["winner_changed"].sum()),
            "threshold_runs_changing_winner": int(
                self.thresholds["winner_changed"].eq(other=True).sum()
            ),
            "settings": {
                "draws": self.draws,
                "seed": self.seed,
                "spread": self.spread,
                "dirichlet_concentration": json_ready(self.concentration),
                "step": self.step,
                "top_k": self.top_k,
                "threshold_draws": self.threshold_draws,
                "invalid_threshold_draws": self.invalid_threshold_draws,
            },
        }


@dataclass(frozen=True, slots=True)
class _Base:
    """The scenario's own ranking, that every run is compared with."""

    scores: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    spec: AggregationSpec
    ranked: npt.NDArray[np.bool_]
    ids: list[Any]
    ranks: npt.NDArray[np.int64]
    winner: int
    top_k: int
    criteria: tuple[str, ...] = ()

    def totals(
        self, weights: npt.NDArray[np.float64], scores: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]:
        """Return totals (d, m) of the ranked candidates for weights (d, c)."""
        s = self.scores if scores is None else scores
        return _scorer(s, self.spec, self.ranked, self.criteria or None)(weights)

    def compare(
        self, ranks: npt.NDArray[np.int64], totals: npt.NDArray[np.float64]
    ) -> dict[str, Any]:
        """Compare one run's ranks with the scenario's."""
        base = self.ranks
        winner = _first_winner(totals)
        if np.array_equal(ranks, base):
            tau = 1.0  # exactly; scipy's sum can land a hair below 1
        elif ranks.size >= 2 and np.ptp(ranks) > 0 and np.ptp(base) > 0:
            from scipy.stats import kendalltau  # noqa: PLC0415 - scipy.stats is slow to import

            tau = float(np.clip(kendalltau(base, ranks).statistic, -1.0, 1.0))
        else:
            tau = math.nan
        top_base = set(np.flatnonzero(base <= self.top_k).tolist())
        top_run = set(np.flatnonzero(ranks <= self.top_k).tolist())
        denominator = min(self.top_k, ranks.size)
        return {
            "winner": self.ids[winner],
            "winner_changed": winner != self.winner,
            "kendall_tau": tau,
            "max_rank_shift": int(np.abs(ranks - base).max()) if ranks.size else 0,
            "top_k_overlap": len(top_base & top_run) / denominator if denominator else math.nan,
        }


_STAT_COLUMNS = ["winner", "winner_changed", "kendall_tau", "max_rank_shift", "top_k_overlap"]


def _weight_runs(
    base: _Base, names: list[str], step: float
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Run every one-at-a-time weight change at once; return the table and rank bounds."""
    w = base.weights
    rows: list[dict[str, Any]] = []
    runs: list[npt.NDArray[np.float64]] = []
    for j, name in enumerate(names):
        if w[j] <= 0:
            continue
        for sign in (1.0, -1.0):
            v = w.copy()
            v[j] *= 1.0 + sign * step
            v /= v.sum()
            runs.append(v)
            rows.append(
                {
                    "criterion": name,
                    "change": sign * step,
                    "weight_before": float(w[j]),
                    "weight_after": float(v[j]),
                }
            )
    low, high = base.ranks.copy(), base.ranks.copy()
    if runs:
        totals = base.totals(np.array(runs))
        ranks = competition_ranks(totals)
        for row, r, t in zip(rows, ranks, totals, strict=True):
            row.update(base.compare(r, t))
        low = np.minimum(low, ranks.min(axis=0))
        high = np.maximum(high, ranks.max(axis=0))
    columns = ["criterion", "change", "weight_before", "weight_after", *_STAT_COLUMNS]
    return pd.DataFrame(rows, columns=columns), low, high


def _threshold_runs(
    base: _Base, result: Result, step: float
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Re-score each criterion with each unit parameter moved; return table and rank bounds."""
    rows: list[dict[str, Any]] = []
    low, high = base.ranks.copy(), base.ranks.copy()
    for j, summary in enumerate(result.criteria):
        raw = result.table[summary.raw_column].to_numpy(dtype=np.float64)
        for label, before, after, rebuilt in _perturbed_functions(summary.criterion.value, step):
            row: dict[str, Any] = {
                "criterion": summary.name,
                "parameter": label,
                "value_before": before,
                "value_after": after,
                "skipped": None,
            }
            rows.append(row)
            if isinstance(rebuilt, str):
                row["skipped"] = f"invalid value function: {rebuilt}"
                continue
            changed = base.scores.copy()
            changed[:, j] = np.where(np.isfinite(changed[:, j]), rebuilt(raw), np.nan)
            totals = base.totals(base.weights[None, :], changed)[0]
            ranks = competition_ranks(totals)
            row.update(base.compare(ranks, totals))
            low = np.minimum(low, ranks)
            high = np.maximum(high, ranks)
    columns = ["criterion", "parameter", "value_before", "value_after", *_STAT_COLUMNS, "skipped"]
    return pd.DataFrame(rows, columns=columns), low, high


@dataclass(frozen=True, slots=True)
class _ThresholdDraws:
    rank_min: npt.NDArray[np.int64]
    rank_p05: npt.NDArray[np.int64]
    rank_p95: npt.NDArray[np.int64]
    rank_max: npt.NDArray[np.int64]
    p_first: npt.NDArray[np.float64]
    p_top_k: npt.NDArray[np.float64]
    invalid: int


def _threshold_draws(
    base: _Base, result: Result, step: float, draws: int, rng: np.random.Generator
) -> _ThresholdDraws:
    """Re-score every criterion with all its unit parameters drawn within +/- ``step``.

    Each parameter moves by a uniform share in [-step, step] of its value (of the function's
    largest parameter when it is 0), independently; weights stay the scenario's. A drawn
    function that fails validation (control points out of order) is replaced by the written
    one in that draw and counted in ``invalid``. One Python iteration per draw re-scores the
    criteria (each call vectorised over candidates); the ranking is vectorised.
    """
    specs = []
    for j, summary in enumerate(result.criteria):
        function = summary.criterion.value
        dumped = function.model_dump(mode="python")
        params = _unit_parameters(dumped)
        if not params:
            continue
        values = [float(_get(dumped, path)) for _, path in params]
        scale = max(abs(v) for v in values)
        raw = result.table[summary.raw_column].to_numpy(dtype=np.float64)
        specs.append((j, function, params, values, scale, raw))
    m = int(base.ranked.sum())
    # totals, their ranks and the sorted ranks: three numbers of 8 bytes per draw and candidate
    require_memory(
        float(draws) * m * 24,
        what=f"{draws:,} threshold draws of {m:,} candidates",
        fix="use fewer threshold draws (`--threshold-draws`)",
    )
    totals = np.empty((draws, m))
    invalid = 0
    for k in range(draws):
        changed = base.scores.copy()
        for j, function, params, values, scale, raw in specs:
            doc = _mutable(function.model_dump(mode="python"))
            shares = rng.uniform(-step, step, size=len(params))
            for (_, path), before, share in zip(params, values, shares, strict=True):
                _set(doc, path, before + share * (abs(before) if before != 0 else scale))
            try:
                drawn = type(function).model_validate(doc)
            except ValidationError:
                invalid += 1
                continue
            changed[:, j] = np.where(np.isfinite(changed[:, j]), drawn(raw), np.nan)
        totals[k] = base.totals(base.weights[None, :], changed)[0]
    if not draws:
        none = np.full(m, -1, dtype=np.int64)
        return _ThresholdDraws(none, none, none, none, np.zeros(m), np.zeros(m), 0)
    ranks = competition_ranks(totals)
    first = ranks == 1
    ordered = np.sort(ranks, axis=0)
    k05, k95 = (max(0, math.ceil(q * draws) - 1) for q in (0.05, 0.95))
    return _ThresholdDraws(
        rank_min=ordered[0],
        rank_p05=ordered[k05],
        rank_p95=ordered[k95],
        rank_max=ordered[-1],
        p_first=(first / first.sum(axis=1, keepdims=True)).mean(axis=0),
        p_top_k=(ranks <= base.top_k).mean(axis=0),
        invalid=invalid,
    )


def _check_settings(*, step: float, top_k: int, threshold_draws: int) -> None:
    if not (math.isfinite(step) and 0 < step < 1):
        msg = f"step must be a relative change in (0, 1), e.g. 0.1 for +/-10 %; got {step!r}"
        raise ParameterError(msg)
    if top_k < 1:
        msg = f"top_k must be at least 1; got {top_k!r}"
        raise ParameterError(msg)
    if threshold_draws < 0:
        msg = f"threshold_draws must be 0 (skip) or more; got {threshold_draws!r}"
        raise ParameterError(msg)


def _candidate_table(
    result: Result,
    ranked: npt.NDArray[np.bool_],
    ints: dict[str, npt.NDArray[Any]],
    floats: dict[str, npt.NDArray[np.float64]],
) -> pd.DataFrame:
    """Lay per-candidate statistics of the ranked candidates out over the whole table."""
    table = result.table
    n = len(table)
    out = pd.DataFrame({result.id_column: table[result.id_column].to_numpy()})
    if result.name_column is not None:
        out[result.name_column] = table[result.name_column].to_numpy()
    out["rank"] = table["rank"].to_numpy()
    out["total_score"] = table["total_score"].to_numpy()
    out["excluded"] = ~ranked
    where = np.flatnonzero(ranked)
    for column, values in ints.items():
        full = pd.array([pd.NA] * n, dtype="Int64")
        full[where] = values
        out[column] = full
    for column, values in floats.items():
        # Excluded candidates never rank first; their weight change to first is undefined.
        filled = np.full(n, np.nan if column == "weight_to_first" else 0.0)
        filled[where] = values
        out[column] = filled
    return out


def sensitivity(
    result: Result | Scenario | str | Path,
    *,
    draws: int = 1000,
    seed: int | None = None,
    spread: float = 0.2,
    step: float = 0.1,
    top_k: int = 3,
    threshold_draws: int = 200,
    quantiles: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Test how robust a scenario's ranking is to its weights and thresholds.

    Parameters
    ----------
    result
        An evaluated scenario, or a scenario (or its file, or a bundled name) to evaluate.
    draws
        Monte Carlo weight draws, >= 1.
    seed
        Seed of the draws; the same seed gives the same figures. ``None`` draws a fresh
        seed, recorded in :attr:`Sensitivity.seed`.
    spread
        Relative standard deviation of an average weight in the Monte Carlo draws (see
        :func:`dirichlet_concentration`); 0.2 is about +/-20 %.
    step
        Relative change of the one-at-a-time weight and threshold runs (0.1 = +/-10 %), in
        (0, 1); also the limit below which the winner is called fragile.
    top_k
        ``k`` of the probability of ranking in the top ``k``.
    threshold_draws
        Monte Carlo draws of the thresholds (every unit parameter of every value function
        drawn uniformly within +/- ``step``, weights as written); 0 to skip. Each draw
        re-scores the criteria in a Python loop, so keep this in the hundreds.
    quantiles
        Compute the 5-95 % rank interval; it keeps every rank of every draw (2 bytes per
        candidate and draw). Without it ``rank_p05`` and ``rank_p95`` are -1.
    progress
        Called as ``progress(done, draws)`` while the draws run; silent if omitted.

    Returns
    -------
    Sensitivity
        Per-candidate rank intervals and probabilities, the one-at-a-time weight and
        threshold runs, and the winner's stability.

    Raises
    ------
    ParameterError
        If a setting is out of range or no candidate is ranked.

    Examples
    --------
    >>> report = sensitivity("dong-nam-bo", draws=200, seed=1)
    >>> float(report.candidates["p_first"].sum())
    1.0
    """
    from geosite.analysis import Result as _Result  # noqa: PLC0415 - avoid an import cycle
    from geosite.analysis import evaluate  # noqa: PLC0415

    _check_settings(step=step, top_k=top_k, threshold_draws=threshold_draws)
    if seed is None:
        # A fresh seed, recorded in the result so the run can be repeated.
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    res = result if isinstance(result, _Result) else evaluate(result)
    table = res.table
    names = [s.name for s in res.criteria]
    scores = table[[f"{n}_score" for n in names]].to_numpy(dtype=np.float64)
    w = np.array([s.weight for s in res.criteria], dtype=np.float64)
    ranked = ~table["excluded"].to_numpy(dtype=bool)
    if not ranked.any():
        msg = (
            f"scenario {res.scenario.name!r} ranks no candidate (all are excluded), so there "
            "is nothing to test; relax its constraints"
        )
        raise ParameterError(msg)
    ids = table[res.id_column].tolist()
    kept_ids = [ids[i] for i in np.flatnonzero(ranked)]
    spec = res.scenario.aggregation
    score_of = _scorer(scores, spec, ranked, names)
    base_totals = score_of(w[None, :])[0]
    base = _Base(
        scores=scores,
        weights=w,
        spec=spec,
        ranked=ranked,
        ids=kept_ids,
        ranks=competition_ranks(base_totals),
        winner=_first_winner(base_totals),
        top_k=top_k,
        criteria=tuple(names),
    )

    logger.info("sensitivity of %s: %d draws", res.scenario.name, draws)
    mc = rank_stability(
        scores,
        w,
        spec,
        draws=draws,
        spread=spread,
        seed=seed,
        top_k=top_k,
        ranked=ranked,
        criteria=names,
        quantiles=quantiles,
        progress=progress,
    )
    weights_table, oat_min, oat_max = _weight_runs(base, names, step)
    thresholds_table, thr_min, thr_max = _threshold_runs(base, res, step)
    thr_mc = _threshold_draws(base, res, step, threshold_draws, np.random.default_rng([seed, 1]))
    stability, walks = _winner_stability(
        score_of,
        w,
        kept_ids,
        names,
        step,
        top_k=top_k,
        profile=_profile(scores, spec, ranked, names),
    )
    to_first = _weight_to_first(walks, scores[ranked], base.winner)

    ints: dict[str, npt.NDArray[Any]] = {
        "rank_min": mc.rank_min,
        "rank_p05": mc.rank_p05,
        "rank_p95": mc.rank_p95,
        "rank_max": mc.rank_max,
        "oat_rank_min": oat_min,
        "oat_rank_max": oat_max,
        "threshold_rank_min": thr_min,
        "threshold_rank_max": thr_max,
    }
    floats: dict[str, npt.NDArray[np.float64]] = {
        "p_first": mc.p_first,
        f"p_top_{top_k}": mc.p_top_k,
    }
    if threshold_draws:
        ints |= {
            "threshold_mc_rank_min": thr_mc.rank_min,
            "threshold_mc_rank_p05": thr_mc.rank_p05,
            "threshold_mc_rank_p95": thr_mc.rank_p95,
            "threshold_mc_rank_max": thr_mc.rank_max,
        }
        floats |= {
            "threshold_mc_p_first": thr_mc.p_first,
            f"threshold_mc_p_top_{top_k}": thr_mc.p_top_k,
        }
    floats["weight_to_first"] = to_first
    out = _candidate_table(res, ranked, ints, floats)
    return Sensitivity(
        scenario=res.scenario.name,
        id_column=res.id_column,
        candidates=out,
        weights=weights_table,
        thresholds=thresholds_table,
        winner=stability,
        draws=draws,
        seed=seed,
        spread=spread,
        concentration=mc.concentration,
        step=step,
        top_k=top_k,
        threshold_draws=threshold_draws,
        invalid_threshold_draws=thr_mc.invalid,
    )
