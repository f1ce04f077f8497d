"""The exact region search: one mixed-integer programme per cell count, solved by HiGHS.

For a fixed number of cells ``n`` the best contiguous region of a connected set of usable
cells is the optimum of (binary ``x_i``: cell ``i`` is in the region)::

    maximise   sum_i s_i x_i                       (mean and total: n is fixed)
          or   t,  t <= s_i + M (1 - x_i)          (minimum cell; then the mean at that t)
    subject to sum_i x_i = n
               single-commodity flow: one root r_i (sum r_i = 1, r_i <= x_i) sends n - 1
               units along lattice edges, every other selected cell keeps one; flow only
               between selected cells (f_ij <= (n - 1) x_i, f_ij <= (n - 1) x_j)
               the root is the selected cell of lowest index (breaks the n-fold symmetry)
               perimeter, in cell sides, sum_i k x_i - 2 sum_(ij) y_ij <= P_max,
               y_ij <= x_i, y_ij <= x_j                     (only with a compactness bound)

Any flow-feasible ``x`` is connected (every selected cell receives flow from the root along
selected cells) and every connected ``x`` has a feasible flow (a spanning tree), so the
optimum is the best contiguous region. An area range is solved count by count and the best
kept, skipping a count whose bound (the mean of its ``n`` best cells) cannot beat the best
found; so the mean, a ratio over a varying count, stays exact without linearising a fraction.
HiGHS (through :func:`scipy.optimize.milp`) proves optimality to a relative gap of 1e-7; a
time limit that stops it first is reported (``optimal`` False) with the best region found.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import ndimage, optimize, sparse

from geosite.locate.surface import OFFSETS, STRUCTURES, Surface, min_perimeter

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["Objective", "RegionFound", "best_region_exact", "region_value"]

logger = logging.getLogger(__name__)

Objective = Literal["mean", "min", "total"]

_GAP = 1e-7


@dataclass(frozen=True)
class RegionFound:
    """One region: dense flat positions of its cells and its objective value."""

    cells: npt.NDArray[np.int64]
    value: float
    optimal: bool
    method: str
    bound: float = math.nan


def region_value(scores: npt.NDArray[np.float64], objective: Objective) -> float:
    """Return a region's objective: the mean, minimum or sum of its cells' scores."""
    if objective == "mean":
        return float(np.mean(scores))
    if objective == "min":
        return float(np.min(scores))
    return float(np.sum(scores))


def _key(scores: npt.NDArray[np.float64], objective: Objective) -> tuple[float, float]:
    """Return the comparison key: the objective, then the mean (ties of the minimum)."""
    return (region_value(scores, objective), float(np.mean(scores)))


def _half_offsets(surface: Surface) -> list[tuple[int, int]]:
    # One direction of each neighbour pair.
    return [o for o in OFFSETS[surface.shape] if o > (0, 0)]


def _edges(surface: Surface, cells: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return the lattice edges between ``cells`` as pairs of positions in ``cells``."""
    width = surface.scores.shape[1]
    local = {int(c): i for i, c in enumerate(cells)}
    pairs = []
    for dr, dc in _half_offsets(surface):
        step = dr * width + dc
        for i, c in enumerate(cells.tolist()):
            j = local.get(c + step)
            if j is not None:
                pairs.append((i, j))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _solve_count(  # noqa: C901, PLR0915 - one programme, built block by block
    s: npt.NDArray[np.float64],
    edges: npt.NDArray[np.int64],
    n: int,
    *,
    sides: int,
    max_perimeter: float | None,
    objective: Objective,
    time_limit_s: float,
    cutoff: float,
) -> tuple[npt.NDArray[np.bool_], bool] | None:
    """Solve one count; return the selection and whether it is proven optimal."""
    v, e = len(s), len(edges)
    a = 2 * e
    # Variable blocks: x (v), r (v), f (a arcs), y (e, perimeter), t (1, minimum).
    use_y = max_perimeter is not None
    nx, nr, nf = v, v, a
    ny = e if use_y else 0
    nt = 1 if objective == "min" else 0
    ox, orr, of, oy, ot = 0, v, 2 * v, 2 * v + nf, 2 * v + nf + ny
    nvar = ox + nx + nr + nf + ny + nt
    tail = np.concatenate([edges[:, 0], edges[:, 1]])
    head = np.concatenate([edges[:, 1], edges[:, 0]])
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    vals: list[npt.NDArray[np.float64]] = []
    lo: list[float] = []
    hi: list[float] = []
    row = 0

    def add(r: npt.ArrayLike, c: npt.ArrayLike, x: npt.ArrayLike) -> None:
        rr, cc = np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)
        rows.append(rr)
        cols.append(cc)
        vals.append(np.broadcast_to(np.asarray(x, dtype=np.float64), rr.shape).copy())

    idx = np.arange(v)
    # sum x = n ; sum r = 1
    add(np.full(v, row), ox + idx, 1.0)
    add(np.full(v, row + 1), orr + idx, 1.0)
    lo += [n, 1]
    hi += [n, 1]
    row += 2
    # A root is a selected cell.
    add(row + idx, orr + idx, 1.0)
    add(row + idx, ox + idx, -1.0)
    lo += [-np.inf] * v
    hi += [0.0] * v
    row += v
    # inflow - outflow - x_i + n r_i = 0
    arcs = np.arange(a)
    add(row + head, of + arcs, 1.0)
    add(row + tail, of + arcs, -1.0)
    add(row + idx, ox + idx, -1.0)
    add(row + idx, orr + idx, float(n))
    lo += [0.0] * v
    hi += [0.0] * v
    row += v
    # f_a - (n - 1) x_tail <= 0 ; f_a - (n - 1) x_head <= 0
    for ends in (tail, head):
        add(row + arcs, of + arcs, 1.0)
        add(row + arcs, ox + ends, -(n - 1.0))
        lo += [-np.inf] * a
        hi += [0.0] * a
        row += a
    # root = the selected cell of lowest index: sum_{j<i} x_j + n r_i <= n
    if v > 1:
        jj, ii = np.triu_indices(v, k=1)  # jj < ii
        add(row + ii, ox + jj, 1.0)
        add(row + idx, orr + idx, float(n))
        lo += [-np.inf] * v
        hi += [float(n)] * v
        row += v
    if use_y:
        assert max_perimeter is not None
        add(np.full(v, row), ox + idx, float(sides))
        add(np.full(e, row), oy + np.arange(e), -2.0)
        lo.append(-np.inf)
        hi.append(max_perimeter)
        row += 1
        for ends in (edges[:, 0], edges[:, 1]):
            add(row + np.arange(e), oy + np.arange(e), 1.0)
            add(row + np.arange(e), ox + ends, -1.0)
            lo += [-np.inf] * e
            hi += [0.0] * e
            row += e
    if math.isfinite(cutoff) and not nt:
        # Only regions at least as good as one already known: prunes the search tree.
        add(np.full(v, row), ox + idx, s)
        lo.append(cutoff)
        hi.append(np.inf)
        row += 1
    big = float(s.max() - s.min()) + 1.0
    if nt:
        # t + M x_i <= s_i + M
        add(row + idx, np.full(v, ot), 1.0)
        add(row + idx, ox + idx, big)
        lo += [-np.inf] * v
        hi += list(s + big)
        row += v
    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, nvar)
    )
    integrality = np.zeros(nvar)
    integrality[: nx + nr] = 1
    lower = np.zeros(nvar)
    upper = np.concatenate(
        [np.ones(nx + nr), np.full(nf, max(n - 1.0, 0.0)), np.ones(ny), np.full(nt, np.inf)]
    )
    if nt:
        lower[ot] = cutoff if math.isfinite(cutoff) else -np.inf
    constraints = [optimize.LinearConstraint(matrix, np.array(lo), np.array(hi))]
    options = {"time_limit": time_limit_s, "mip_rel_gap": _GAP, "disp": False}
    cost = np.zeros(nvar)
    if nt:
        cost[ot] = -1.0
    else:
        cost[ox : ox + nx] = -s
    res = optimize.milp(
        cost,
        integrality=integrality,
        bounds=optimize.Bounds(lower, upper),
        constraints=constraints,
        options=options,
    )
    if res.x is None:
        # Infeasible (no region of this count and shape), or stopped before finding one.
        return None if res.status == 2 else (np.zeros(v, dtype=bool), False)
    optimal = res.status == 0
    if nt:
        # Second stage: the best mean among the regions whose minimum is the optimum.
        t_star = float(res.x[ot])
        lower2 = lower.copy()
        lower2[ot] = t_star - 1e-9
        cost = np.zeros(nvar)
        cost[ox : ox + nx] = -s
        res2 = optimize.milp(
            cost,
            integrality=integrality,
            bounds=optimize.Bounds(lower2, upper),
            constraints=constraints,
            options=options,
        )
        if res2.x is not None:
            optimal = optimal and res2.status == 0
            res = res2
    return np.asarray(res.x[ox : ox + nx] > 0.5, dtype=bool), optimal


def _cutoff(value: float, n: int, objective: Objective) -> float:
    """Return the least objective row value of a region at least ``value`` good."""
    if not math.isfinite(value):
        return -math.inf
    # Above HiGHS's feasibility tolerance, so the known region itself stays feasible.
    slack = 1e-6 * max(1.0, abs(value))
    return (n * value if objective == "mean" else value) - slack


def _may_reach(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    counts: range,
    objective: Objective,
    lower: float,
) -> npt.NDArray[np.bool_]:
    """Return the cells that may belong to a region whose objective reaches ``lower``.

    A cell of score ``s`` is in such a region only if ``s`` plus the best ``n - 1`` other
    scores reaches ``n * lower`` (mean), ``lower`` (total), or if ``s >= lower`` (minimum),
    for some allowed count ``n``.
    """
    tol = 1e-9 * max(1.0, abs(lower))
    values = np.where(allowed, scores, -np.inf)
    if objective == "min":
        return np.asarray(values >= lower - tol, dtype=bool)
    ranked = np.sort(values[allowed])[::-1]
    keep = np.zeros(scores.shape, dtype=bool)
    for n in counts:
        if n > len(ranked):
            break
        rest = float(ranked[: n - 1].sum())
        need = n * lower if objective == "mean" else lower
        keep |= values + rest >= need - tol * n
    return keep


def best_region_exact(  # noqa: C901
    surface: Surface,
    allowed: npt.NDArray[np.bool_],
    counts: range,
    *,
    objective: Objective = "mean",
    compactness: float | None = None,
    time_limit_s: float = 60.0,
    known: RegionFound | None = None,
) -> RegionFound | None:
    """Return the provably best contiguous region of the allowed cells, or None if none fits.

    Parameters
    ----------
    surface
        The scored lattice.
    allowed
        Mask of the dense array: the cells the region may use (usable, in the search area,
        away from earlier regions, in one unit).
    counts
        The numbers of cells the region may have.
    objective
        ``"mean"``, ``"min"`` (then the mean among equal minima) or ``"total"``.
    compactness
        Least ratio of the lattice's minimum perimeter for the count to the region's perimeter
        (0-1]; None for no shape rule.
    time_limit_s
        Time limit of each HiGHS solve, in seconds.
    known
        A region known to meet every rule (the heuristic's): cells that cannot belong to a
        region at least as good are left out of the programme, and it is returned, proven
        optimal, when nothing better exists.
    """
    allowed = allowed & surface.usable
    floor = known.value if known is not None else -math.inf
    if known is not None:
        allowed = allowed & _may_reach(surface.scores, allowed, counts, objective, floor)
    labels, _ = ndimage.label(allowed, structure=STRUCTURES[surface.shape])
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    flat_scores = surface.scores.ravel()
    best: RegionFound | None = None
    best_key = (-math.inf, -math.inf)
    proven = True
    # The count's bound: its n best cells anywhere (mean and minimum), or their sum.
    ranked = np.sort(flat_scores[allowed.ravel()])[::-1]
    for n in sorted(counts, reverse=objective == "total"):
        if n > len(ranked):
            continue
        top = ranked[:n]
        if _key(top, objective) <= best_key:
            continue
        max_perimeter = (
            math.floor(min_perimeter(n, surface.shape) / compactness + 1e-9)
            if compactness is not None
            else None
        )
        for label in np.flatnonzero(sizes >= n):
            cells = np.flatnonzero(labels.ravel() == label)
            s = flat_scores[cells]
            if _key(np.sort(s)[::-1][:n], objective) <= best_key:
                continue
            solved = _solve_count(
                s,
                _edges(surface, cells),
                n,
                sides=surface.sides,
                max_perimeter=max_perimeter,
                objective=objective,
                time_limit_s=time_limit_s,
                cutoff=_cutoff(max(best_key[0], floor), n, objective),
            )
            if solved is None:
                continue
            chosen, optimal = solved
            proven = proven and optimal
            if not chosen.any():
                continue
            key = _key(s[chosen], objective)
            if key > best_key:
                best_key = key
                best = RegionFound(cells[chosen], key[0], optimal, "exact")
    logger.info("exact search: best %s", best_key)
    if known is not None and (
        best is None or best_key < _key(surface.scores.ravel()[known.cells], objective)
    ):
        best = known
    if best is None:
        return None
    return RegionFound(best.cells, best.value, proven, "exact")
