"""Site search: three 650 ha regions on a 1e6-cell surface, against a moving-window search.

Run by hand (never in the test suite)::

    python benchmarks/bench_locate.py                  # 1000 x 1000 cells of 1 ha
    python benchmarks/bench_locate.py --side 500 --repeat 3
    python benchmarks/bench_locate.py --quick          # 300 x 300

The surface (smoothed random noise scaled to [0, 1], 5 % of the cells excluded in patches,
1 ha square cells) is computed and timed apart: it stands for a scored grid, whose evaluation
``bench_pipeline.py`` times (about a minute per 1e6 cells of the bundled scenario). The
heuristic then locates 3 regions of 650 ha (650 cells) with compactness >= 0.5, at least
10 km apart, as ``geosite locate`` does on a grid this large.

The baseline is what a planner would otherwise write with numpy and scipy: the mean of every
26 x 25 cell window over its usable cells (two :func:`scipy.ndimage.uniform_filter` passes),
the best window taken, every window within 10 km of it blocked, three times. Its windows hold
excluded cells (they are not contiguous regions of usable land, and hold fewer than 650 ha of
it) and are rectangles; the regions hold none. Both are reported with their mean score, and
the "top cells" bound (the mean of the best 650 usable cells anywhere, which no contiguous
region can beat) beside them. Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np
from scipy import ndimage

from geosite.locate import find_regions, surface_from_array

CELLS = 650  # 650 ha of 1 ha cells
WINDOW = (26, 25)  # 650 cells
APART_CELLS = 100  # 10 km of 100 m cells


def surface(side: int, seed: int, *, scattered: bool = False) -> np.ndarray:
    """Return smoothed noise in [0, 1] with 5 % of the cells NaN (excluded)."""
    rng = np.random.default_rng(seed)
    values = ndimage.gaussian_filter(rng.random((side, side), dtype=np.float32), 12.0)
    values = (values - values.min()) / (values.max() - values.min())
    if scattered:
        values[rng.random((side, side)) < 0.05] = np.nan
    else:  # in patches, as protected land and water are
        patches = ndimage.gaussian_filter(rng.random((side, side), dtype=np.float32), 3.0)
        values[patches > np.quantile(patches, 0.95)] = np.nan
    return values.astype(np.float64)


def moving_window(values: np.ndarray, count: int) -> list[tuple[float, int]]:
    """Return (mean over usable cells, excluded cells) of the best ``count`` windows apart."""
    usable = np.isfinite(values)
    sums = ndimage.uniform_filter(np.where(usable, values, 0.0), WINDOW, mode="constant")
    shares = ndimage.uniform_filter(usable.astype(np.float64), WINDOW, mode="constant")
    means = np.where(shares > 0.5, sums / np.maximum(shares, 1e-12), -np.inf)
    # The window at (r, c) covers rows r - h0 .. r - h0 + 25 (scipy's even-size origin):
    # keep only windows wholly inside the surface.
    h0, w0 = WINDOW[0] // 2, WINDOW[1] // 2
    height, width = means.shape
    means[:h0] = -np.inf
    means[height - WINDOW[0] + h0 + 1 :] = -np.inf
    means[:, :w0] = -np.inf
    means[:, width - WINDOW[1] + w0 + 1 :] = -np.inf
    found = []
    for _ in range(count):
        r, c = np.unravel_index(int(np.argmax(means)), means.shape)
        block = values[r - h0 : r - h0 + WINDOW[0], c - w0 : c - w0 + WINDOW[1]]
        found.append((float(np.nanmean(block)), int(np.isnan(block).sum())))
        reach_r, reach_c = WINDOW[0] + APART_CELLS, WINDOW[1] + APART_CELLS
        means[
            max(r - reach_r, 0) : r + reach_r + 1, max(c - reach_c, 0) : c + reach_c + 1
        ] = -np.inf
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=1000, help="cells per side")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--quick", action="store_true", help="300 x 300 cells, one round")
    parser.add_argument(
        "--scattered",
        action="store_true",
        help="exclude single cells at random instead of patches (the shape rule counts the "
        "sides of excluded cells inside a region, so it is then much harder to meet)",
    )
    args = parser.parse_args()
    side, repeat = (300, 1) if args.quick else (args.side, args.repeat)

    start = time.perf_counter()
    values = surface(side, 1, scattered=args.scattered)
    grid = surface_from_array(values, cell_size_m=100.0)
    t_surface = time.perf_counter() - start
    rss_surface = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    t_geosite: list[float] = []
    t_window: list[float] = []
    for _ in range(repeat):  # interleaved, so that the load of the machine hits both alike
        start = time.perf_counter()
        regions = find_regions(
            grid,
            range(CELLS, CELLS + 1),
            count=3,
            compactness=0.5,
            min_distance_m=APART_CELLS * 100.0,
            method="heuristic",
        )
        t_geosite.append(time.perf_counter() - start)
        start = time.perf_counter()
        windows = moving_window(values, 3)
        t_window.append(time.perf_counter() - start)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    top = float(np.sort(values[np.isfinite(values)])[::-1][:CELLS].mean())
    geo, win = statistics.median(t_geosite), statistics.median(t_window)

    print(f"## Site search: 3 x {CELLS} ha on {side} x {side} = {side * side:.0e} cells of 1 ha\n")
    print(f"- surface (timed apart): {t_surface:.2f} s, peak RSS {rss_surface:.2f} GiB after it")
    print(
        f"- geosite heuristic, compactness >= 0.5, 10 km apart: median {geo:.2f} s over "
        f"{repeat} round(s); peak RSS of the process {rss_peak:.2f} GiB"
    )
    print(f"- moving window {WINDOW[0]} x {WINDOW[1]}, 10 km apart: median {win:.2f} s")
    print(f"- time ratio geosite / moving window: {geo / win:.1f}x")
    print(f"- top-cells bound (best {CELLS} usable cells anywhere): {top:.4f}\n")
    print("| region | geosite mean | excluded cells | moving-window mean | excluded cells |")
    print("|---|---|---|---|---|")
    for k, (region, (mean, holes)) in enumerate(zip(regions, windows, strict=False), start=1):
        print(
            f"| {k} | {region.value:.4f} | 0 | {mean:.4f} | {holes} ({CELLS - holes} ha usable) |"
        )


if __name__ == "__main__":
    main()
