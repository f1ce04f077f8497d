"""Zonal statistics: geosite.measures.raster.zonal_statistics against rasterstats.

Run by hand (never in the test suite)::

    python benchmarks/bench_zonal.py                 # 1e3, 1e4, 1e5 parcels
    python benchmarks/bench_zonal.py --sizes 1000 10000 --repeat 5 --baseline-repeat 3
    python benchmarks/bench_zonal.py --rasterstats-max 10000   # skip slow baselines above 1e4

A 10,000 x 10,000 float32 GeoTIFF (30 m pixels, EPSG:32648, around Ho Chi Minh City, 5 % nodata)
is written to a temporary directory; the parcels are random quadrilaterals of 30-300 m across,
spread over the raster. Each size is timed for the mean (and for "min, max, majority" at once)
with geosite reading the file, rasterstats reading the file, and rasterstats on the array already
in memory (what a user with enough RAM writes); the means are compared. Area-weighted means
(``coverage="fraction"``) are compared with exactextract when it is installed
(``pip install exactextract``), which computes the same exact coverage fractions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from rasterstats import zonal_stats

try:
    from exactextract import exact_extract
except ImportError:  # the area-weighted comparison is optional
    exact_extract = None

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosite.measures.raster import zonal_statistics

SIZE = 10_000
RES = 30.0
ORIGIN = (560_000.0, 1_300_000.0)


def write_raster(path: Path) -> Affine:
    transform = Affine(RES, 0, ORIGIN[0], 0, -RES, ORIGIN[1])
    rng = np.random.default_rng(1)
    profile = {
        "driver": "GTiff",
        "width": SIZE,
        "height": SIZE,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:32648",
        "transform": transform,
        "nodata": -9999.0,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
    }
    with rasterio.open(path, "w", **profile) as ds:
        for r0 in range(0, SIZE, 1000):
            block = rng.random((1000, SIZE), dtype=np.float32) * 100
            block[rng.random((1000, SIZE)) < 0.05] = -9999.0
            ds.write(block, 1, window=rasterio.windows.Window(0, r0, SIZE, 1000))
    return transform


def make_parcels(n: int, seed: int) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    extent = SIZE * RES
    cx = ORIGIN[0] + 300 + rng.random(n) * (extent - 600)
    cy = ORIGIN[1] - 300 - rng.random(n) * (extent - 600)
    half = rng.uniform(15, 150, n)
    angle = rng.uniform(0, np.pi / 2, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    jitter = rng.uniform(0.8, 1.2, (n, 4, 2))
    local = corners[None, :, :] * jitter * half[:, None, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    xs = cx[:, None] + local[:, :, 0] * cos - local[:, :, 1] * sin
    ys = cy[:, None] + local[:, :, 0] * sin + local[:, :, 1] * cos
    rings = np.stack([xs, ys], axis=-1)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    return gpd.GeoSeries(shapely.polygons(rings), crs="EPSG:32648")


def timed(func, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def compare_fraction(parcels, path, repeat):
    """Time fraction coverage against exactextract and measure how far the means differ."""
    if exact_extract is None:
        return float("nan"), float("nan"), float("nan")
    frame = gpd.GeoDataFrame({"id": np.arange(len(parcels))}, geometry=parcels)
    ee = partial(exact_extract, str(path), frame, ["mean"], output="pandas")
    t_ee, theirs = timed(ee, repeat)
    ours = zonal_statistics(parcels, path, stats=["mean"], coverage="fraction")
    diff = np.abs(ours["mean"].to_numpy() - theirs["mean"].to_numpy())
    return t_ee, float(np.nanmean(diff)), float(np.nanmax(diff))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of geosite (median)")
    parser.add_argument(
        "--baseline-repeat", type=int, default=1, help="runs of rasterstats and exactextract"
    )
    parser.add_argument(
        "--rasterstats-max",
        type=int,
        default=100_000,
        help="largest parcel count timed with rasterstats (slow)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.tif"
        t0 = time.perf_counter()
        transform = write_raster(path)
        print(f"wrote {SIZE}x{SIZE} float32 raster in {time.perf_counter() - t0:.1f} s")
        with rasterio.open(path) as ds:
            array = ds.read(1)

        rows = []
        for n in args.sizes:
            parcels = make_parcels(n, seed=n)
            geoms = list(parcels.array)
            ours_mean = partial(zonal_statistics, parcels, path, stats=["mean"])
            ours_more = partial(zonal_statistics, parcels, path, stats=["min", "max", "majority"])
            ours_frac = partial(
                zonal_statistics, parcels, path, stats=["mean"], coverage="fraction"
            )
            t_mean, ours = timed(ours_mean, args.repeat)
            t_more, _ = timed(ours_more, args.repeat)
            t_frac, _ = timed(ours_frac, args.repeat)
            t_ee, ee_mean, ee_max = compare_fraction(parcels, path, args.baseline_repeat)
            row = {
                "n": n,
                "geosite": t_mean,
                "geosite_3stats": t_more,
                "geosite_fraction": t_frac,
                "exactextract": t_ee,
                "ee_diff": ee_mean,
                "ee_max": ee_max,
                "rs_file": float("nan"),
                "rs_memory": float("nan"),
                "fallback": int(ours["fallback"].sum()),
                "maxdiff": float("nan"),
            }
            if n <= args.rasterstats_max:
                rs_file = partial(zonal_stats, geoms, str(path), stats=["mean"])
                rs_memory = partial(
                    zonal_stats, geoms, array, affine=transform, nodata=-9999.0, stats=["mean"]
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    row["rs_file"], rs = timed(rs_file, args.baseline_repeat)
                    row["rs_memory"], _ = timed(rs_memory, args.baseline_repeat)
                theirs = np.array([np.nan if r["mean"] is None else r["mean"] for r in rs])
                same = ~ours["fallback"].to_numpy()
                row["maxdiff"] = float(
                    np.nanmax(np.abs(ours["mean"].to_numpy()[same] - theirs[same]))
                )
            rows.append(row)
            print(f"  done n={n}", flush=True)

    print()
    print("Pixel-centre statistics (the default) against rasterstats, same pixels:")
    print(
        "| parcels | geosite mean | geosite min+max+majority | rasterstats (file) | "
        "rasterstats (memory) | speed-up vs file / memory | max abs diff | centroid fallbacks |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']:,} | {r['geosite']:.2f} s | {r['geosite_3stats']:.2f} s | "
            f"{r['rs_file']:.1f} s | {r['rs_memory']:.1f} s | "
            f"{r['rs_file'] / r['geosite']:.0f}x / {r['rs_memory'] / r['geosite']:.0f}x | "
            f"{r['maxdiff']:.1e} | {r['fallback']} |"
        )
    print()
    print("Area-weighted statistics against exactextract (values 0-100):")
    print("| parcels | geosite fraction | exactextract | speed-up | mean abs diff | max abs diff |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']:,} | {r['geosite_fraction']:.2f} s | {r['exactextract']:.2f} s | "
            f"{r['exactextract'] / r['geosite_fraction']:.1f}x | {r['ee_diff']:.1e} | "
            f"{r['ee_max']:.1e} |"
        )


if __name__ == "__main__":
    main()
