"""Nearest-feature distance: geosite against a per-feature loop and geopandas.sjoin_nearest.

Synthetic data in EPSG:32648 around Ho Chi Minh City: N parcels (random squares of 20-120 m)
over a 100 x 100 km square and M polygon features (discs of 24 vertices whose radius shrinks as
M grows, from 2 km at M = 10 to 60 m at M = 1e5, so they cover a similar, small share of the
area); about one parcel in twenty touches or lies inside a feature. For each N x M it times:

- geosite: :func:`geosite.measures.distance.nearest_distance` (exact, edge to edge);
- the loop users write: ``d = np.minimum(d, parcels.distance(feature))`` for each feature,
  timed on a sample of features and extrapolated when the whole loop would take long;
- ``geopandas.sjoin_nearest(..., distance_col=...)``, duplicate rows of ties dropped.

geosite and sjoin_nearest run in turn, ``--repeat`` rounds (one at 1e6 parcels), and the
medians are shown, with the ratio of wall times and of CPU times (all threads): on a busy
machine the CPU ratio is the steadier measure of the work each does.

Distances are checked against sjoin_nearest (the maximum absolute difference is printed).
The biggest sizes are slow and use several GB: run them once, by hand::

    python benchmarks/bench_distance.py                          # all sizes (about 15 minutes)
    python benchmarks/bench_distance.py --parcels 1e3 1e4 --features 10 1e3
    python benchmarks/bench_distance.py --threads 1              # geosite on one thread
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import time

import geopandas as gpd
import numpy as np
import shapely

from geosite.measures.distance import nearest_distance

CRS = "EPSG:32648"
X0, Y0 = 640_000.0, 1_150_000.0
EXTENT = 100_000.0


def make_parcels(n: int, seed: int) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, EXTENT, n), Y0 + rng.uniform(0, EXTENT, n)
    s = rng.uniform(20, 120, n)
    return gpd.GeoSeries(shapely.box(x, y, x + s, y + s), crs=CRS)


def make_features(m: int, seed: int) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    # Total covered share about 4 % whatever M: r = sqrt(0.04 A / (pi M)).
    r = math.sqrt(0.04 * EXTENT**2 / (math.pi * m))
    centres = shapely.points(X0 + rng.uniform(0, EXTENT, m), Y0 + rng.uniform(0, EXTENT, m))
    return gpd.GeoSeries(
        shapely.buffer(centres, r * rng.uniform(0.5, 1.5, m), quad_segs=6), crs=CRS
    )


def timed(func):
    """Return (wall seconds, CPU seconds of all threads, result) of one call."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = func()
    return time.perf_counter() - t0, time.process_time() - c0, out


def interleaved(funcs, repeat: int):
    """Time the functions in turn, ``repeat`` rounds; return median (wall, cpu) and results.

    Alternating the contenders spreads other processes' load over both sides.
    """
    walls = [[] for _ in funcs]
    cpus = [[] for _ in funcs]
    outs = [None] * len(funcs)
    for _ in range(repeat):
        for k, func in enumerate(funcs):
            wall, cpu, outs[k] = timed(func)
            walls[k].append(wall)
            cpus[k].append(cpu)
    return [
        (statistics.median(w), statistics.median(c), o)
        for w, c, o in zip(walls, cpus, outs, strict=True)
    ]


def loop_per_feature(parcels: gpd.GeoSeries, features: gpd.GeoSeries, budget_s: float):
    """Time the per-feature loop on as many features as fit in the budget; extrapolate."""
    d = np.full(len(parcels), np.inf)
    t0 = time.perf_counter()
    done = 0
    for feature in features:
        d = np.minimum(d, parcels.distance(feature).to_numpy())
        done += 1
        if time.perf_counter() - t0 > budget_s:
            break
    elapsed = time.perf_counter() - t0
    return elapsed / done * len(features), done == len(features), d


def sjoin(parcels: gpd.GeoSeries, features: gpd.GeoSeries):
    left = gpd.GeoDataFrame(geometry=parcels)
    right = gpd.GeoDataFrame(geometry=features)
    joined = gpd.sjoin_nearest(left, right, distance_col="distance_m")
    joined = joined[~joined.index.duplicated(keep="first")]  # ties give one row per feature
    return joined["distance_m"].reindex(left.index).to_numpy()


def fmt(s: float) -> str:
    if s >= 86400:
        return f"{s / 86400:,.1f} d"
    if s >= 3600:
        return f"{s / 3600:,.1f} h"
    if s >= 60:
        return f"{s / 60:,.1f} min"
    if s >= 1:
        return f"{s:,.2f} s"
    return f"{s * 1000:,.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=float, nargs="+", default=[1e3, 1e4, 1e5, 1e6])
    ap.add_argument("--features", type=float, nargs="+", default=[10, 1e3, 1e5])
    ap.add_argument("--repeat", type=int, default=3, help="rounds below 1e6 parcels (medians)")
    ap.add_argument("--threads", type=int, default=None, help="geosite threads (default: cores)")
    ap.add_argument("--loop-budget", type=float, default=10.0, help="seconds of loop to time")
    ap.add_argument(
        "--sjoin-max", type=float, default=1e6, help="largest N timed with sjoin_nearest"
    )
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}; geosite threads: {args.threads or 'default'}")
    rows = []
    for m in map(int, args.features):
        features = make_features(m, seed=m + 7919)  # never the parcels' seed
        for n in map(int, args.parcels):
            parcels = make_parcels(n, seed=n)
            repeat = args.repeat if n < 1_000_000 else 1
            contenders = [
                lambda p=parcels, f=features: nearest_distance(p, f, threads=args.threads)
            ]
            if n <= args.sjoin_max:
                contenders.append(lambda p=parcels, f=features: sjoin(p, f))
            results = interleaved(contenders, repeat)
            t_geo, c_geo, (ours, _) = results[0]
            t_sj, c_sj, diff = float("nan"), float("nan"), float("nan")
            if len(results) > 1:
                t_sj, c_sj, theirs = results[1]
                diff = float(np.max(np.abs(theirs - ours)))
            t_loop, complete, loop_d = loop_per_feature(parcels, features, args.loop_budget)
            if complete:
                diff_loop = float(np.max(np.abs(loop_d - ours)))
                diff = max(diff, diff_loop) if not math.isnan(diff) else diff_loop
            rows.append(
                {
                    "n": n,
                    "m": m,
                    "geosite": t_geo,
                    "geosite_cpu": c_geo,
                    "sjoin_cpu": c_sj,
                    "loop": t_loop,
                    "loop_timed": complete,
                    "sjoin": t_sj,
                    "zero": float(np.mean(ours == 0)),
                    "diff": diff,
                }
            )
            print(
                f"  N={n:,} M={m:,}: geosite {t_geo:.2f} s, sjoin {t_sj:.2f} s, loop {fmt(t_loop)}",
                flush=True,
            )
    print()
    print(
        "| N parcels | M features | geosite | sjoin_nearest | per-feature loop | "
        "**x vs sjoin_nearest** (wall; CPU) | **x vs loop** | geosite CPU | share at 0 m "
        "| max abs diff (m) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        loop = fmt(r["loop"]) + ("" if r["loop_timed"] else " (extrap.)")
        print(
            f"| {r['n']:,} | {r['m']:,} | {fmt(r['geosite'])} | {fmt(r['sjoin'])} | {loop} | "
            f"**{r['sjoin'] / r['geosite']:.1f}x**; {r['sjoin_cpu'] / r['geosite_cpu']:.1f}x | "
            f"**{r['loop'] / r['geosite']:,.0f}x** | {fmt(r['geosite_cpu'])} | "
            f"{r['zero']:.1%} | {r['diff']:.1e} |"
        )
    print()
    print("Growth with N (exponent k in time ~ N^k, between consecutive N):")
    for m in sorted({r["m"] for r in rows}):
        sub = sorted((r for r in rows if r["m"] == m), key=lambda r: r["n"])
        ks = [
            f"{math.log(b['geosite'] / a['geosite']) / math.log(b['n'] / a['n']):.2f}"
            for a, b in itertools.pairwise(sub)
        ]
        print(f"- M = {m:,}: geosite k = {', '.join(ks)}")


if __name__ == "__main__":
    main()
