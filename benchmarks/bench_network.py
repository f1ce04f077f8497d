"""Benchmark the network criterion against what users write today with networkx.

Synthetic grid road networks in EPSG:32648 around Ho Chi Minh City (100 m blocks, jittered
junctions, mixed road classes, 10 % one-way streets), N square parcels of 30 m and K = 10
facility points. For each graph size E (directed edges) and parcel count N it times:

- geosite, whole criterion: build the graph from the road GeoDataFrame, snap every parcel to
  its nearest edge (exact, polygon to line), one multi-source search, per-parcel values;
- networkx, per parcel: ``nx.shortest_path_length`` from each parcel's nearest node (a sample
  of parcels is timed and the time extrapolated to N), minimum over the facility nodes;
- networkx, one ``nx.multi_source_dijkstra`` from the facility nodes on the reversed graph,
  then a lookup per parcel.

The networkx timings leave out building the networkx graph and snapping (both reported
apart), so the ratios favour networkx. Run by hand::

    python benchmarks/bench_network.py                 # full table (several minutes)
    python benchmarks/bench_network.py --quick         # small sizes only
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from geosite.network import accessibility, graph_from_gdf, snap_to_graph

CRS = "EPSG:32648"
X0, Y0 = 680_000.0, 1_180_000.0  # south-west corner, near District 7 of HCMC
BLOCK = 100.0
K = 10


def grid_roads(edges: int, seed: int = 0) -> gpd.GeoDataFrame:
    """Return a jittered grid of road segments with about ``edges`` directed edges."""
    rng = np.random.default_rng(seed)
    n = round(np.sqrt(edges / 4 / 0.95)) + 1
    jx = rng.normal(0, 8, (n, n))
    jy = rng.normal(0, 8, (n, n))
    gx, gy = np.meshgrid(np.arange(n) * BLOCK, np.arange(n) * BLOCK)
    x, y = X0 + gx + jx, Y0 + gy + jy
    a = np.concatenate(
        [
            np.stack([x[:, :-1], y[:, :-1]], -1).reshape(-1, 2),
            np.stack([x[:-1, :], y[:-1, :]], -1).reshape(-1, 2),
        ]
    )
    b = np.concatenate(
        [
            np.stack([x[:, 1:], y[:, 1:]], -1).reshape(-1, 2),
            np.stack([x[1:, :], y[1:, :]], -1).reshape(-1, 2),
        ]
    )
    m = len(a)
    lines = shapely.linestrings(
        np.stack([a, b], 1).reshape(-1, 2), indices=np.repeat(np.arange(m), 2)
    )
    classes = rng.choice(
        ["residential", "tertiary", "secondary", "primary", "trunk"],
        m,
        p=[0.6, 0.2, 0.1, 0.07, 0.03],
    )
    oneway = rng.random(m) < 0.1
    return gpd.GeoDataFrame({"class": classes, "oneway": oneway}, geometry=lines, crs=CRS)


def parcels_and_facilities(roads: gpd.GeoDataFrame, n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = roads.total_bounds
    cx, cy = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    parcels = shapely.box(cx - 15, cy - 15, cx + 15, cy + 15)
    fac = shapely.points(rng.uniform(x0, x1, K), rng.uniform(y0, y1, K))
    return gpd.GeoSeries(parcels, crs=CRS), gpd.GeoSeries(fac, crs=CRS)


def timed(fn, repeat: int = 1):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def geosite_criterion(roads, parcels, fac):
    t0 = time.perf_counter()
    g = graph_from_gdf(roads, oneway_column="oneway")
    g.csr("time", transpose=True)  # built lazily on first use: part of the graph build
    _ = g.component
    t1 = time.perf_counter()
    snap = snap_to_graph(g, parcels)
    t2 = time.perf_counter()
    res = accessibility(g, snap, fac, metric="time", max_snap_m=None, min_component_share=0)
    t3 = time.perf_counter()
    return g, res, {"build": t1 - t0, "snap": t2 - t1, "search": t3 - t2, "total": t3 - t0}


def nx_graph(g):
    G = nx.DiGraph()
    w = g.edge_time_min
    G.add_weighted_edges_from(zip(g.edge_u.tolist(), g.edge_v.tolist(), w.tolist(), strict=True))
    return G


def nearest_nodes(g, geoms):
    tree = cKDTree(np.column_stack([g.node_x, g.node_y]))
    c = shapely.centroid(np.asarray(geoms))
    return tree.query(np.column_stack([shapely.get_x(c), shapely.get_y(c)]))[1]


def per_parcel(graph, sources, targets, budget_s: float = 6.0, min_n: int = 3):
    """Time one shortest_path_length per parcel on a sample; return seconds per parcel."""
    tset = set(targets.tolist())
    done, t0 = 0, time.perf_counter()
    values = []
    for s in sources:
        lengths = nx.shortest_path_length(graph, source=int(s), weight="weight")
        values.append(min((lengths[t] for t in tset if t in lengths), default=np.inf))
        done += 1
        if done >= min_n and time.perf_counter() - t0 > budget_s:
            break
    return (time.perf_counter() - t0) / done, np.array(values)


def multi_source(graph, targets, sources):
    reverse = graph.reverse(copy=False)
    dist = nx.multi_source_dijkstra_path_length(reverse, set(targets.tolist()), weight="weight")
    return np.array([dist.get(int(s), np.inf) for s in sources])


def fmt(s: float) -> str:
    if s >= 86400:
        return f"{s / 86400:,.1f} d"
    if s >= 3600:
        return f"{s / 3600:,.1f} h"
    if s >= 1:
        return f"{s:,.2f} s"
    return f"{s * 1000:,.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edges", type=float, nargs="*", default=[1e4, 1e5, 1e6])
    ap.add_argument("--parcels", type=float, nargs="*", default=[1e3, 1e4, 1e5, 1e6])
    ap.add_argument("--quick", action="store_true", help="E <= 1e5, N <= 1e4")
    ap.add_argument(
        "--repeat", type=int, default=1, help="interleaved runs per row; medians are shown"
    )
    ap.add_argument("--no-extra", action="store_true", help="skip the other-statistics table")
    args = ap.parse_args()
    edges = [e for e in args.edges if not args.quick or e <= 1e5]
    parcels = [n for n in args.parcels if not args.quick or n <= 1e4]
    print(f"cores: {os.cpu_count()}, K = {K} facilities, parcels: 30 m squares")
    print()
    print(
        "| E (directed) | N | geosite build | snap | search | **total** "
        "| nx build + node snap | nx per parcel (extrap.) | nx multi_source "
        "| **x vs per parcel** | **x vs multi_source** (search; total) | median ratio |"
    )
    print("|" + "---|" * 12)
    for e in edges:
        roads = grid_roads(int(e))
        g = graph_from_gdf(roads, oneway_column="oneway")
        t_nx_build, nxg = timed(lambda g=g: nx_graph(g))
        per_s = None
        for n in parcels:
            par, fac = parcels_and_facilities(roads, int(n))
            runs, multis = [], []
            for _ in range(args.repeat):  # interleaved, so load changes hit both sides
                g2, res, t = geosite_criterion(roads, par, fac)
                runs.append(t)
                t_nodes, (src, tgt) = timed(
                    lambda g2=g2, par=par, fac=fac: (nearest_nodes(g2, par), nearest_nodes(g2, fac))
                )
                t_multi, multi = timed(
                    lambda tgt=tgt, src=src, nxg=nxg: multi_source(nxg, tgt, src)
                )
                multis.append(t_multi)
            t = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            t_multi = statistics.median(multis)
            if per_s is None:
                per_s, _ = per_parcel(nxg, src, tgt)
            # networkx joins parcels at the nearest node, geosite at the nearest point of the
            # nearest edge: the values differ by the snap, so compare medians only
            ok = np.isfinite(res.values) & np.isfinite(multi)
            agree = float(np.median(res.values[ok]) / np.median(multi[ok]))
            nx_fixed = t_nx_build + t_nodes
            per_total = nx_fixed + per_s * n
            multi_total = nx_fixed + t_multi
            print(
                f"| {g2.n_edges:,} | {int(n):,} | {t['build']:.2f} | {t['snap']:.2f} | "
                f"{t['search']:.3f} | **{t['total']:.2f}** | {nx_fixed:.2f} | {fmt(per_total)} | "
                f"{fmt(t_multi)} | **{per_total / t['total']:,.0f}x** | "
                f"**{t_multi / t['search']:,.0f}x**; {multi_total / t['total']:,.1f}x | "
                f"{agree:.3f} |",
                flush=True,
            )
        print(
            f"\nE = {g.n_edges:,}: one nx.shortest_path_length {per_s * 1000:,.1f} ms; "
            f"nx.DiGraph build {t_nx_build:.2f} s\n",
            flush=True,
        )


def other_statistics(edges: int = 1_000_000, n: int = 100_000) -> None:
    """Time every statistic on one graph and parcel set, reusing graph and snaps."""
    roads = grid_roads(edges)
    par, fac = parcels_and_facilities(roads, n)
    g = graph_from_gdf(roads, oneway_column="oneway")
    snap = snap_to_graph(g, par)
    fsnap = snap_to_graph(g, fac)
    accessibility(g, snap, fsnap, max_snap_m=None, min_component_share=0)  # warm caches
    print(f"\nOther statistics, E = {g.n_edges:,}, N = {n:,}, K = {K} (graph and snaps reused)\n")
    print("| statistic | search s |")
    print("|---|---|")
    cases = [
        ("nearest (time)", {"statistic": "nearest"}),
        ("nearest (distance)", {"statistic": "nearest", "metric": "distance"}),
        ("kth_nearest k=3", {"statistic": "kth_nearest", "k": 3}),
        ("mean_k_nearest k=3", {"statistic": "mean_k_nearest", "k": 3}),
        ("count_within 15 min", {"statistic": "count_within", "within": 15.0}),
        ("detour_ratio", {"statistic": "detour_ratio"}),
    ]
    for label, kw in cases:
        t, _ = timed(
            lambda kw=kw: accessibility(
                g, snap, fsnap, max_snap_m=None, min_component_share=0, **kw
            ),
            repeat=3,
        )
        print(f"| {label} | {t:.3f} |", flush=True)


if __name__ == "__main__":
    main()
    if "--no-extra" not in sys.argv:
        other_statistics()
