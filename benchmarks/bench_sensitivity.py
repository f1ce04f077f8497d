"""Monte Carlo weight sensitivity: geosite.decision.sensitivity.rank_stability against loops per draw.

Run by hand (never in the test suite)::

    python benchmarks/bench_sensitivity.py                   # 10,000 draws x 10,000 candidates
    python benchmarks/bench_sensitivity.py --criteria 6 8 --naive-draws 300
    python benchmarks/bench_sensitivity.py --quick           # 1,000 x 1,000, a few seconds

Scores are uniform random in [0, 1] (candidates x criteria) and weights random; each draw is a
Dirichlet sample around them (spread 0.2). geosite aggregates every draw with one matrix
product per block and ranks a block with one in-place sort of packed keys, on a few threads.
The baselines are what a user writes today, one Python iteration per draw:

- ``loop + scipy``: ``aggregate`` (the same kernel, one weight vector) and
  ``scipy.stats.rankdata(-totals, method="min")`` per draw, ranks kept for the quantiles;
- ``loop + argsort``: ``scores @ w`` and an ``argsort`` per draw (ordinal ranks), the fastest
  plain loop.

Baselines run a sample of draws and are extrapolated linearly to the full count (each draw
costs the same). On the sample the baseline's probabilities of ranking first and rank bounds
are checked to equal geosite's for the same seed. Wall time on a shared machine varies with
the load; CPU time (all threads) is shown too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosite.decision.aggregate import WLC, aggregate
from geosite.decision.sensitivity import rank_stability, sample_weights

SPREAD = 0.2
TOP_K = 10


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def naive_scipy(scores, weights):
    ranks = np.empty((len(weights), scores.shape[0]), dtype=np.int64)
    for i, w in enumerate(weights):
        ranks[i] = rankdata(-aggregate(scores, w, WLC()), method="min")
    first = ranks == 1
    p_first = (first / first.sum(axis=1, keepdims=True)).mean(axis=0)
    np.percentile(ranks, [5, 95], axis=0)
    return ranks, p_first


def naive_argsort(scores, weights):
    n = scores.shape[0]
    ranks = np.empty((len(weights), n), dtype=np.int64)
    positions = np.arange(1, n + 1)
    for i, w in enumerate(weights):
        ranks[i, np.argsort(-(scores @ w))] = positions
    np.percentile(ranks, [5, 95], axis=0)
    return ranks


def bench(n: int, c: int, draws: int, sample: int, threads: int | None) -> list[str]:
    rng = np.random.default_rng(c)
    scores = rng.random((n, c))
    w = rng.random(c) + 0.1
    w /= w.sum()

    stats, wall, cpu = timed(
        lambda: rank_stability(
            scores, w, draws=draws, spread=SPREAD, seed=1, top_k=TOP_K, threads=threads
        )
    )
    assert np.isclose(stats.p_first.sum(), 1.0)
    _, lean_wall, lean_cpu = timed(
        lambda: rank_stability(
            scores,
            w,
            draws=draws,
            spread=SPREAD,
            seed=1,
            top_k=TOP_K,
            threads=threads,
            quantiles=False,
        )
    )

    sample = min(sample, draws)
    weights = sample_weights(w, draws=sample, spread=SPREAD, rng=np.random.default_rng(1))
    (ranks, p_first), s_wall, s_cpu = timed(lambda: naive_scipy(scores, weights))
    _, a_wall, a_cpu = timed(lambda: naive_argsort(scores, weights))
    check = rank_stability(scores, w, draws=sample, spread=SPREAD, seed=1, top_k=TOP_K)
    agree = (
        np.allclose(check.p_first, p_first)
        and np.array_equal(check.rank_min, ranks.min(axis=0))
        and np.array_equal(check.rank_max, ranks.max(axis=0))
    )
    scale = draws / sample
    rows = [
        f"| {n:,} | {c} | {draws:,} | geosite rank_stability | {wall:.2f} | {cpu:.2f} | 1.0 | |",
        (
            f"| {n:,} | {c} | {draws:,} | geosite, quantiles=False | {lean_wall:.2f} | "
            f"{lean_cpu:.2f} | {lean_wall / wall:.1f} | rank bounds and probabilities only |"
        ),
        (
            f"| {n:,} | {c} | {draws:,} | loop + scipy rankdata | {s_wall * scale:.1f} | "
            f"{s_cpu * scale:.1f} | {s_wall * scale / wall:.0f} | {sample} draws timed; same "
            f"P(first) and rank bounds: {'yes' if agree else 'NO'} |"
        ),
        (
            f"| {n:,} | {c} | {draws:,} | loop + numpy argsort | {a_wall * scale:.1f} | "
            f"{a_cpu * scale:.1f} | {a_wall * scale / wall:.0f} | {sample} draws timed; "
            "ordinal ranks |"
        ),
    ]
    for row in rows:
        print(row, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[10_000])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--criteria", type=int, nargs="+", default=[6, 7, 8])
    parser.add_argument("--naive-draws", type=int, default=200, help="draws the loops time")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="1,000 x 1,000, 7 criteria")
    args = parser.parse_args()
    if args.quick:
        args.candidates, args.draws, args.criteria, args.naive_draws = [1000], 1000, [7], 100

    print(f"CPUs: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    print("| candidates | criteria | draws | method | wall s | CPU s | x geosite | note |")
    print("|---:|---:|---:|---|---:|---:|---:|---|")
    for n in args.candidates:
        for c in args.criteria:
            bench(n, c, args.draws, args.naive_draws, args.threads)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
