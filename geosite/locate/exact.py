"""The exact region search: mixed-integer programmes per cell count and root, solved by HiGHS.

For a fixed number of cells ``n`` the best contiguous region of a connected set of usable
cells is the best, over every *root* cell ``r`` (the region's first cell in row-major
order), of the optimum of (binary ``x_i``: cell ``i`` is in the region)::

    maximise   sum_i s_i x_i                       (mean and total: n is fixed)
          or   t,  t <= s_i + M (1 - x_i)          (minimum cell; then the mean at that t)
    subject to sum_i x_i = n,  x_r = 1,  x_i = 0 for the cells before r
               single-commodity flow: r sends n - 1 units along lattice edges, every other
               selected cell keeps one; f_ij <= (n - h_j) x_i and (n - h_j) x_j, where h_j
               is the number of steps from r to j through cells after r
               perimeter, in cell sides, sum_i k x_i - 2 sum_(ij) y_ij <= P_max,
               y_ij <= x_i, y_ij <= x_j                     (only with a compactness bound)

Any flow-feasible ``x`` is connected (every selected cell receives flow from the root along
selected cells) and every connected ``x`` rooted at ``r`` has a feasible flow: the subtree
sizes of a shortest-path tree from ``r`` in the region, where a cell ``h`` steps away heads
at most ``n - h`` cells. Cells more than ``n - 1`` steps from ``r``, or, with a perimeter
bound, farther from it than half the longest outline allowed (``P_max`` sides), are left
out. Fixing the root removes the choice of root from the programme (each region has exactly
one) and the weak big-M rows that chose it; the tighter flow bounds and the smaller
programmes make the relaxation much stronger. Roots are solved best bound first (the root's
score plus the best ``n - 1`` it can reach); a root whose bound cannot beat the best region
found is skipped, and each programme only accepts regions better than it.

An area range is solved count by count and the best kept, skipping a count whose bound (the
mean of its ``n`` best cells) cannot beat the best found; so the mean, a ratio over a varying
count, stays exact without linearising a fraction. HiGHS (through
:func:`scipy.optimize.milp`) proves optimality to a relative gap of 1e-7; a time limit that
stops it first is reported (``optimal`` False) with the best region found.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import ndimage, optimize, sparse
from scipy.sparse import csgraph

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


def _solve_count(  # noqa: C901 - roots bounded, then solved best first
    s: npt.NDArray[np.float64],
    edges: npt.NDArray[np.int64],
    n: int,
    *,
    sides: int,
    max_perimeter: float | None,
    objective: Objective,
    time_limit_s: float,
    cutoff: float,
    xy: npt.NDArray[np.float64] | None = None,
    side_m: float = math.inf,
) -> tuple[npt.NDArray[np.bool_], bool] | None:
    """Solve one count, root by root; return the selection and whether it is proven optimal.

    Cells are in row-major order; the region's *root* is its first cell. For each root ``r``
    only cells after it can join, and only those at most ``n - 1`` steps away (through
    cells after ``r``) or, with a perimeter bound ``P``, at most ``P * side / 2`` from it (a
    region's outline is at least twice its diameter). Roots whose best ``n`` reachable
    scores cannot beat the best region found are skipped unsolved.
    """
    v = len(s)
    tail = np.concatenate([edges[:, 0], edges[:, 1]])
    head = np.concatenate([edges[:, 1], edges[:, 0]])
    adjacency = sparse.csr_array((np.ones(len(tail)), (tail, head)), shape=(v, v))
    reach = math.inf if max_perimeter is None else max_perimeter * side_m / 2.0 + 1e-6
    roots = []
    for r in range(v):
        cand = np.arange(r, v)
        hops = csgraph.shortest_path(
            adjacency[cand][:, cand], unweighted=True, directed=False, indices=0
        )
        keep = hops <= n - 1
        if xy is not None and math.isfinite(reach):
            keep &= np.hypot(*(xy[cand] - xy[r]).T) <= reach
        cand, hops = cand[keep], hops[keep]
        if len(cand) < n:
            continue
        rest = np.sort(s[cand[1:]])[::-1][: n - 1]
        if objective == "min":
            bound = float(min(s[r], rest.min(initial=math.inf)))
        else:
            bound = float(s[r] + rest.sum())
        roots.append((bound, r, cand, hops.astype(np.int64)))
    roots.sort(key=lambda item: -item[0])
    deadline = time.monotonic() + time_limit_s
    best: npt.NDArray[np.bool_] | None = None
    best_key = (-math.inf, -math.inf)
    floor = cutoff
    proven, stopped = True, False
    for bound, _, cand, hops in roots:
        tol = 1e-9 * max(1.0, abs(floor))
        if bound < floor - tol:
            break  # sorted: no later root can reach the floor either
        left = deadline - time.monotonic()
        if left <= 0:
            proven, stopped = False, True
            break
        solved = _solve_rooted(
            s[cand],
            cand,
            edges,
            hops,
            n,
            sides=sides,
            max_perimeter=max_perimeter,
            objective=objective,
            time_limit_s=left,
            floor=floor,
        )
        if solved is None:
            continue
        local, optimal = solved
        proven = proven and optimal
        if local is None:
            continue
        chosen = np.zeros(v, dtype=bool)
        chosen[cand[local]] = True
        key = _key(s[chosen], objective)
        if key > best_key:
            best_key, best = key, chosen
            # Later roots must do better (the minimum: as well, with a better mean).
            value = key[0] * n if objective == "mean" else key[0]
            floor = max(floor, value if objective == "min" else value + 1e-9 * max(1, abs(value)))
    if best is None:
        return (np.zeros(v, dtype=bool), False) if stopped or not proven else None
    return best, proven


def _solve_rooted(  # noqa: C901, PLR0915 - one programme, built block by block
    s: npt.NDArray[np.float64],
    cand: npt.NDArray[np.int64],
    edges: npt.NDArray[np.int64],
    hops: npt.NDArray[np.int64],
    n: int,
    *,
    sides: int,
    max_perimeter: float | None,
    objective: Objective,
    time_limit_s: float,
    floor: float,
) -> tuple[npt.NDArray[np.bool_] | None, bool] | None:
    """Solve the region rooted at ``cand[0]``; None if no region reaches ``floor``.

    Single-commodity flow from the root: it sends ``n - 1`` units, every other selected
    cell keeps one. A cell ``h`` steps from the root heads a subtree of at most ``n - h``
    cells in a shortest-path spanning tree of the region, so no more flow need enter it:
    flow bounds of ``n - h`` instead of ``n - 1``.
    """
    v = len(cand)
    where = np.full(int(cand.max()) + 1, -1, dtype=np.int64)
    where[cand] = np.arange(v)
    inside = (edges.max(axis=1) <= cand.max()) & (edges.min(axis=1) >= cand[0])
    local = where[edges[inside]]
    local = local[(local >= 0).all(axis=1)]
    e = len(local)
    a = 2 * e
    tail = np.concatenate([local[:, 0], local[:, 1]])
    head = np.concatenate([local[:, 1], local[:, 0]])
    use_y = max_perimeter is not None
    ny = e if use_y else 0
    nt = 1 if objective == "min" else 0
    ox, of, oy, ot = 0, v, v + a, v + a + ny
    nvar = v + a + ny + nt
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
    add(np.full(v, row), ox + idx, 1.0)
    lo.append(n)
    hi.append(n)
    row += 1
    # inflow - outflow - x_i = -n at the root, 0 elsewhere
    arcs = np.arange(a)
    add(row + head, of + arcs, 1.0)
    add(row + tail, of + arcs, -1.0)
    add(row + idx, ox + idx, -1.0)
    supply = np.zeros(v)
    supply[0] = -float(n)
    lo += supply.tolist()
    hi += supply.tolist()
    row += v
    # f_a <= (n - hops(head)) x_tail and x_head; nothing flows back into the root
    cap = np.where(head == 0, 0.0, n - hops[head]).astype(np.float64)
    for ends in (tail, head):
        add(row + arcs, of + arcs, 1.0)
        add(row + arcs, ox + ends, -cap)
        lo += [-np.inf] * a
        hi += [0.0] * a
        row += a
    if use_y:
        assert max_perimeter is not None
        add(np.full(v, row), ox + idx, float(sides))
        add(np.full(e, row), oy + np.arange(e), -2.0)
        lo.append(-np.inf)
        hi.append(max_perimeter)
        row += 1
        for ends in (local[:, 0], local[:, 1]):
            add(row + np.arange(e), oy + np.arange(e), 1.0)
            add(row + np.arange(e), ox + ends, -1.0)
            lo += [-np.inf] * e
            hi += [0.0] * e
            row += e
    if math.isfinite(floor) and not nt:
        add(np.full(v, row), ox + idx, s)
        lo.append(floor)
        hi.append(np.inf)
        row += 1
    big = float(s.max() - s.min()) + 1.0
    if nt:
        add(row + idx, np.full(v, ot), 1.0)
        add(row + idx, ox + idx, big)
        lo += [-np.inf] * v
        hi += list(s + big)
        row += v
    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, nvar)
    )
    integrality = np.zeros(nvar)
    integrality[:v] = 1
    lower = np.zeros(nvar)
    lower[0] = 1.0  # the root
    upper = np.concatenate([np.ones(v), cap, np.ones(ny), np.full(nt, np.inf)])
    if nt:
        lower[ot] = floor if math.isfinite(floor) else -np.inf
    constraints = [optimize.LinearConstraint(matrix, np.array(lo), np.array(hi))]
    options = {"time_limit": time_limit_s, "mip_rel_gap": _GAP, "disp": False}
    cost = np.zeros(nvar)
    if nt:
        cost[ot] = -1.0
    else:
        cost[:v] = -s
    res = optimize.milp(
        cost,
        integrality=integrality,
        bounds=optimize.Bounds(lower, upper),
        constraints=constraints,
        options=options,
    )
    if res.x is None:
        return None if res.status == 2 else (None, False)
    optimal = res.status == 0
    if nt:
        t_star = float(res.x[ot])
        lower2 = lower.copy()
        lower2[ot] = t_star - 1e-9
        cost = np.zeros(nvar)
        cost[:v] = -s
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
    return np.asarray(res.x[:v] > 0.5, dtype=bool), optimal


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
        Time limit of the programmes of one cell count, all roots together, in seconds.
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
    # The length of a cell side: the outline of a region of perimeter P is P sides long.
    side_m = surface.cell_size_m if surface.shape == "square" else surface.circumradius_m
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
                xy=np.column_stack(surface.centres(cells)),
                side_m=side_m,
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
