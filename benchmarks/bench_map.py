"""Map size budget: file size, write time and time to render in headless Chromium.

Compares geosite's map (compact data, styles and score cards built in the browser, shared
canvas renderer from 2,000 candidates) with what a user writes today: ``folium.GeoJson`` of
the scored table with a ``style_function`` and a ``GeoJsonPopup``. Candidates are 1 ha
parcels on a grid near Ho Chi Minh City scored on three criteria.

Run: ``python benchmarks/bench_map.py [--sizes 1000 10000] [--repeat 3]``. Needs Debian's
``chromium``; every network request is answered locally (tiles with a blank image).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
from shapely import Polygon

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosite import evaluate
from geosite.render import result_to_map
from geosite.render.assets import drop_unused_defaults
from tests.browser import Browser

X0, Y0 = 690_000.0, 1_190_000.0


def scenario(directory: Path, n: int) -> Path:
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    rng = np.random.default_rng(1)
    xs, ys = X0 + (i % side) * 130.0, Y0 + (i // side) * 130.0
    # Slightly irregular quadrilaterals, like cadastral parcels, not perfect squares.
    jitter = rng.uniform(-8, 8, (n, 4, 2))
    geoms = []
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
        corners = np.array([[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100]]) + jitter[k]
        geoms.append(Polygon(corners))
    gpd.GeoDataFrame(
        {"pid": [f"p{k}" for k in i], "name": [f"Parcel {k}" for k in i]},
        geometry=geoms,
        crs="EPSG:32648",
    ).to_file(directory / "parcels.gpkg")
    gpd.GeoDataFrame(
        {"name": ["hub", "port", "school"]},
        geometry=gpd.points_from_xy([X0, X0 + 9000, X0 + 3000], [Y0, Y0 + 4000, Y0 + 12000]),
        crs="EPSG:32648",
    ).to_file(directory / "points.gpkg")
    path = directory / "bench.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            name: map benchmark
            crs: EPSG:32648
            layers:
              parcels: {path: parcels.gpkg, id: pid}
              points: {path: points.gpkg}
            candidates: {layer: parcels, id: pid, name: name}
            criteria:
              - name: hub_distance
                measure: {type: distance, layer: points, where: {name: hub}}
                value: {type: linear, best: 0, worst: 20000}
                weight: 2
              - name: port_distance
                measure: {type: distance, layer: points, where: {name: port}}
                value: {type: linear, best: 0, worst: 30000}
                weight: 1
              - name: points_within_5km
                measure: {type: count_within, layer: points, radius_m: 5000}
                value: {type: linear, best: 3, worst: 0}
                weight: 1
            constraints:
              - {type: min_area, min_ha: 0.99}
            """
        ),
        encoding="utf-8",
    )
    return path


def folium_baseline(result: object) -> folium.Map:
    """What a user writes today: GeoJson of the table, style_function, GeoJsonPopup."""
    table = result.table.to_crs(4326)  # type: ignore[attr-defined]
    keep = ["name", "total_score", "rank", *[f"{s.name}_score" for s in result.criteria]]  # type: ignore[attr-defined]
    frame = table[[*keep, "geometry"]].copy()
    frame["rank"] = frame["rank"].astype("float64")
    minx, miny, maxx, maxy = table.total_bounds
    fmap = folium.Map(location=((miny + maxy) / 2, (minx + maxx) / 2), zoom_start=12)
    folium.GeoJson(
        frame,
        style_function=lambda f: {
            "fillColor": "#21918c" if (f["properties"]["total_score"] or 0) > 0.5 else "#440154",
            "color": "#202020",
            "weight": 1,
            "fillOpacity": 0.7,
        },
        popup=folium.GeoJsonPopup(fields=keep),
    ).add_to(fmap)
    fmap.fit_bounds([(miny, minx), (maxy, maxx)])
    drop_unused_defaults(fmap)  # same libraries as geosite's map: compare the drawing only
    return fmap


def render_time(browser: Browser, path: Path, ready: str) -> float:
    """Seconds from navigation to the first frames painted after the map is ready."""
    start = time.perf_counter()
    page = browser.open(path, timeout=300)
    page.wait_for(ready, timeout=300)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    elapsed = time.perf_counter() - start
    if page.errors:
        raise RuntimeError(f"{path.name}: {page.errors[:3]}")
    page.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n in args.sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            result = evaluate(scenario(work, n))
            for label, build, ready in (
                (
                    "geosite",
                    lambda r=result: result_to_map(r),
                    "window.geosite && geosite.layers.length > 0",
                ),
                (
                    "geosite offline",
                    lambda r=result: result_to_map(r, offline=True),
                    "window.geosite && geosite.layers.length > 0",
                ),
                (
                    "folium GeoJson + style_function",
                    lambda r=result: folium_baseline(r),
                    "document.querySelectorAll('.leaflet-interactive').length > 0",
                ),
            ):
                writes, renders = [], []
                path = work / f"{label.split()[0]}-{len(rows)}.html"
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    build().save(str(path))
                    writes.append(time.perf_counter() - start)
                    renders.append(render_time(browser, path, ready))
                rows.append(
                    (
                        n,
                        label,
                        path.stat().st_size / 1e6,
                        statistics.median(writes),
                        statistics.median(renders),
                    )
                )
                print(
                    f"{n:>7} {label:<34} {rows[-1][2]:7.2f} MB  write {rows[-1][3]:6.2f} s  render {rows[-1][4]:6.2f} s",
                    flush=True,
                )
    print()
    print("| candidates | map | file size | build + write | time to render (Chromium) |")
    print("|---|---|---|---|---|")
    for n, label, size, write, render in rows:
        print(f"| {n:,} | {label} | {size:.2f} MB | {write:.2f} s | {render:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
