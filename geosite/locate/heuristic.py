"""The fast region search: seeded region growing, then swaps that keep the region contiguous.

1. **Seeds.** On a small surface every usable cell seeds a region. On a large one the seeds
   are the peaks of the surface smoothed over a window of about the region's size (a moving
   mean of the usable cells, :func:`scipy.ndimage.uniform_filter`), kept apart by that
   window, plus the best single cells.
2. **Growing.** From each seed the region grows best first: the neighbour with the highest
   ``score + beta * (sides shared with the region) / sides`` joins next (a lazy heap). With
   ``beta = 0`` this is Prim's order, and for the minimum-cell objective it gives the best
   region that contains the seed (no cell outside it can be added without lowering the
   minimum more). A compactness bound raises ``beta`` step by step until the grown region
   meets it. For the mean over an area range the best prefix of the growth is kept.
3. **Improving.** The best few grown regions are improved by moves that keep them
   contiguous, inside their unit and within the shape rule: swap a region cell for a better
   neighbouring cell, and (for the mean over a range) add a cell above the mean or drop one
   below it. Contiguity is checked by labelling the region's bounding box
   (:func:`scipy.ndimage.label`), the perimeter by counting shared sides.

The result is a contiguous region that meets every rule, but not a proven optimum. Its
``bound`` is an upper bound on the optimum (the mean, minimum or sum of the best allowed
cells regardless of contiguity), so ``(bound - value) / bound`` bounds the gap from above;
the gap to the exact optimum is measured in ``tests/test_locate.py`` and the README.
"""

from __future__ import annotations

import heapq
import logging
import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from geosite.locate.exact import Objective, RegionFound, region_value
from geosite.locate.surface import OFFSETS, STRUCTURES, Surface, min_perimeter

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["best_region_heuristic", "upper_bound"]

logger = logging.getLogger(__name__)

#: Seeds per region on a large surface, and grown regions that get improved.
DEFAULT_SEEDS = 24
DEFAULT_IMPROVE = 4
#: Every usable cell seeds a region when cells x region size stays below this.
_ALL_SEEDS_WORK = 300_000
_BETAS = (0.0, 0.05, 0.2, 1.0, 5.0, 1e3)
_CANDIDATES = 12


def upper_bound(values: npt.NDArray[np.float64], counts: range, objective: Objective) -> float:
    """Return an upper bound on any region's objective: its best cells, contiguous or not."""
    ranked = np.sort(values)[::-1]
    if len(ranked) < counts.start:
        return math.nan
    if objective == "total":
        return float(ranked[: min(counts.stop - 1, len(ranked))].sum())
    return region_value(ranked[: counts.start], objective)


class _Search:
    """State shared by the growth and improvement of one region search."""

    def __init__(  # noqa: PLR0917 - private; called once
        self,
        surface: Surface,
        allowed: npt.NDArray[np.bool_],
        counts: range,
        objective: Objective,
        compactness: float | None,
        groups: npt.NDArray[np.int64] | None,
    ) -> None:
        self.surface = surface
        self.width = surface.scores.shape[1]
        self.ok = (allowed & surface.usable).ravel()
        self.s = np.nan_to_num(surface.scores.ravel(), nan=-np.inf)
        self.groups = groups.ravel() if groups is not None else None
        self.offsets = [dr * self.width + dc for dr, dc in OFFSETS[surface.shape]]
        self.sides = surface.sides
        self.nmin, self.nmax = counts.start, counts.stop - 1
        self.objective = objective
        self.compactness = compactness
        self.inreg = np.zeros(self.ok.shape, dtype=bool)
        valid = self.s[self.ok]
        self.spread = float(valid.max() - valid.min()) if len(valid) else 1.0
        self.spread = self.spread if self.spread > 0 else 1.0

    def max_perimeter(self, n: int) -> float:
        if self.compactness is None:
            return math.inf
        return math.floor(min_perimeter(n, self.surface.shape) / self.compactness + 1e-9)

    def fits(self, j: int, group: int) -> bool:
        return bool(self.ok[j]) and (self.groups is None or int(self.groups[j]) == group)

    # ------------------------------------------------------------------ growing

    def grow(self, seed: int, beta: float) -> list[int] | None:
        """Grow from ``seed``; return the cells of the best admissible prefix, or None."""
        s, inreg, offsets = self.s, self.inreg, self.offsets
        group = int(self.groups[seed]) if self.groups is not None else -1
        weight = beta * self.spread / self.sides
        region = [seed]
        inreg[seed] = True
        shared: dict[int, int] = {}
        heap: list[tuple[float, int, int]] = []
        internal = [0]

        def push(c: int) -> None:
            for o in offsets:
                j = c + o
                if inreg[j] or not self.fits(j, group):
                    continue
                m = shared.get(j, 0) + 1
                shared[j] = m
                heapq.heappush(heap, (-(s[j] + weight * m), m, j))

        push(seed)
        while len(region) < self.nmax and heap:
            _, m, j = heapq.heappop(heap)
            if inreg[j] or shared[j] != m:
                continue
            inreg[j] = True
            region.append(j)
            internal.append(internal[-1] + m)
            push(j)
        inreg[region] = False
        if len(region) < self.nmin:
            return None
        values = s[region]
        best_n, best_key = 0, (-math.inf, -math.inf)
        sums = np.cumsum(values)
        mins = np.minimum.accumulate(values)
        for n in range(self.nmin, len(region) + 1):
            if self.sides * n - 2 * internal[n - 1] > self.max_perimeter(n):
                continue
            mean = float(sums[n - 1] / n)
            value = {"mean": mean, "min": float(mins[n - 1]), "total": float(sums[n - 1])}
            key = (value[self.objective], mean)
            if key > best_key:
                best_n, best_key = n, key
        return region[:best_n] if best_n else None

    def grow_admissible(self, seed: int) -> list[int] | None:
        betas = _BETAS if self.compactness is not None else (0.0,)
        for beta in betas:
            region = self.grow(seed, beta)
            if region is not None:
                return region
        return None

    # ------------------------------------------------------------------ improving

    def connected(self, cells: list[int]) -> bool:
        rows, cols = np.divmod(np.asarray(cells), self.width)
        r0, c0 = rows.min(), cols.min()
        box = np.zeros((rows.max() - r0 + 1, cols.max() - c0 + 1), dtype=bool)
        box[rows - r0, cols - c0] = True
        _, count = ndimage.label(box, structure=STRUCTURES[self.surface.shape])
        return bool(count == 1)

    def key(self, values: npt.NDArray[np.float64]) -> tuple[float, float]:
        return (region_value(values, self.objective), float(np.mean(values)))

    def shared_sides(self, c: int) -> int:
        return sum(bool(self.inreg[c + o]) for o in self.offsets)

    def improve(self, region: list[int]) -> list[int]:  # noqa: C901, PLR0912
        """Apply improving moves until none is left."""
        s, inreg = self.s, self.inreg
        group = int(self.groups[region[0]]) if self.groups is not None else -1
        cells = list(region)
        inreg[cells] = True
        internal = sum(self.shared_sides(c) for c in cells) // 2
        current = self.key(s[cells])
        for _ in range(50 * self.nmax):
            frontier = {
                c + o
                for c in cells
                for o in self.offsets
                if not inreg[c + o] and self.fits(c + o, group)
            }
            adds = sorted(frontier, key=lambda j: -s[j])[:_CANDIDATES]
            drops = sorted(cells, key=lambda j: s[j])[:_CANDIDATES]
            moves: list[tuple[float, int | None, int | None]] = [
                (s[a] - s[b], a, b) for a in adds for b in drops if s[a] > s[b]
            ]
            n = len(cells)
            if self.objective == "mean":
                mean = current[1]
                if n < self.nmax:
                    moves += [(s[a] - mean, a, None) for a in adds if s[a] > mean]
                if n > self.nmin:
                    moves += [(mean - s[b], None, b) for b in drops if s[b] < mean]
            moves.sort(key=lambda m: -m[0])
            applied = False
            for _, a, b in moves:
                new = [c for c in cells if c != b] + ([a] if a is not None else [])
                key = self.key(s[new])
                if key <= current:
                    continue
                if b is not None:
                    inreg[b] = False
                gained = self.shared_sides(a) if a is not None else 0
                lost = self.shared_sides(b) if b is not None else 0
                if b is not None:
                    inreg[b] = True
                if a is not None and gained == 0:
                    continue
                new_internal = internal + gained - lost
                if self.sides * len(new) - 2 * new_internal > self.max_perimeter(len(new)):
                    continue
                if not self.connected(new):
                    continue
                if b is not None:
                    inreg[b] = False
                if a is not None:
                    inreg[a] = True
                cells, internal, current, applied = new, new_internal, key, True
                break
            if not applied:
                break
        inreg[cells] = False
        return cells

    # ------------------------------------------------------------------ seeds

    def seeds(self, count: int) -> list[int]:
        ok, s = self.ok, self.s
        usable = np.flatnonzero(ok)
        if len(usable) * max(self.nmax, 1) <= _ALL_SEEDS_WORK:
            ordered: list[int] = usable[np.argsort(-s[usable], kind="stable")].tolist()
            return ordered
        shape = self.surface.scores.shape
        window = max(1, round(math.sqrt(self.nmax)))
        okf = ok.reshape(shape).astype(np.float64)
        total = ndimage.uniform_filter(np.where(ok, s, 0.0).reshape(shape), window, mode="constant")
        share = ndimage.uniform_filter(okf, window, mode="constant")
        # The mean of the usable cells of each window, where at least half are usable.
        dense = ok.reshape(shape) & (share >= 0.5)
        local = np.where(dense, total / np.maximum(share, 1e-12), -np.inf)
        order = np.argsort(-local.ravel(), kind="stable")
        claimed = np.zeros(shape, dtype=bool)
        chosen: list[int] = []
        half = window // 2 + 1
        for flat in order.tolist():
            if len(chosen) >= count or not np.isfinite(local.flat[flat]):
                break
            r, c = divmod(flat, shape[1])
            if claimed[r, c]:
                continue
            chosen.append(flat)
            claimed[max(r - half, 0) : r + half + 1, max(c - half, 0) : c + half + 1] = True
        best_cells = usable[np.argsort(-s[usable], kind="stable")[: max(count // 3, 1)]]
        return list(dict.fromkeys(chosen + best_cells.tolist()))


def best_region_heuristic(
    surface: Surface,
    allowed: npt.NDArray[np.bool_],
    counts: range,
    *,
    objective: Objective = "mean",
    compactness: float | None = None,
    groups: npt.NDArray[np.int64] | None = None,
    seeds: int = DEFAULT_SEEDS,
    improve: int = DEFAULT_IMPROVE,
) -> RegionFound | None:
    """Return a good contiguous region of the allowed cells (see the module docstring).

    Parameters
    ----------
    surface, allowed, counts, objective, compactness
        As for :func:`geosite.locate.exact.best_region_exact`.
    groups
        A label per dense cell: a region keeps to the label of its seed (one province,
        one district); -1 cells are never used. None for no such rule.
    seeds
        Seeds on a large surface (a small one seeds from every usable cell).
    improve
        How many of the best grown regions are improved by swaps.
    """
    search = _Search(surface, allowed, counts, objective, compactness, groups)
    if groups is not None:
        search.ok &= search.groups >= 0  # type: ignore[operator]
    grown: dict[tuple[int, ...], tuple[tuple[float, float], list[int]]] = {}
    for seed in search.seeds(seeds):
        region = search.grow_admissible(seed)
        if region is not None:
            grown.setdefault(tuple(sorted(region)), (search.key(search.s[region]), region))
    if not grown:
        return None
    ranked = sorted(grown.values(), key=lambda kv: kv[0], reverse=True)
    best_key, best = ranked[0]
    for _, region in ranked[:improve]:
        better = search.improve(region)
        key = search.key(search.s[better])
        if key > best_key:
            best_key, best = key, better
    cells = np.array(sorted(best), dtype=np.int64)
    bound = upper_bound(search.s[search.ok], counts, objective)
    return RegionFound(cells, best_key[0], optimal=False, method="heuristic", bound=bound)
