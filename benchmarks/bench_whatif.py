"""What-if panel: re-scoring after one slider move in Chromium, and what the panel adds to the map.

For 10,000 candidates (``bench_map.py``'s parcels, three criteria) and the aggregation methods
with the most work per move (WLC, OWA with a quantifier, TOPSIS), one slider is moved by
script and the time is taken from the input event to the second animation frame after it:
re-scoring every candidate, re-ranking, recolouring the canvas, relabelling and re-sorting
the ranking table, painted. The baseline is what a planner does without the panel: write
the new weights into a scenario file and run it again (``evaluate`` with the measures already
computed, plus writing the map), which is the least a re-run can cost.

Run: ``python benchmarks/bench_whatif.py [--sizes 1000 10000] [--moves 20]``. Needs Debian's
``chromium``; every network request is answered locally.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_map import scenario
from geosite import evaluate
from geosite.render import result_to_map
from geosite.scenario import load_scenario
from tests.browser import Browser

METHODS = {
    "wlc": {"method": "wlc"},
    "owa alpha=2": {"method": "owa", "alpha": 2.0},
    "topsis": {"method": "topsis"},
}

MOVE = """new Promise(resolve => {
  const r = document.querySelectorAll('.geosite-whatif .gw-range')[0];
  const t0 = performance.now();
  r.value = %s;
  r.dispatchEvent(new Event('input', {bubbles: true}));
  const sync = performance.now() - t0;
  requestAnimationFrame(() => requestAnimationFrame(() =>
    resolve([sync, performance.now() - t0])));
})"""


#: A full repaint of the candidates' canvas, as any pan or zoom makes it: the part of a
#: move's time that is the browser drawing 10,000 shapes, not the panel.
REDRAW = """(() => {
  const panel = geosite.whatIfPanels[0];
  const renderer = Object.values(panel.shapes)[0]._renderer;
  if (!renderer._redraw) return NaN;  // SVG below 2,000 candidates: no canvas
  const t0 = performance.now();
  renderer._redrawBounds = null;
  renderer._redraw();
  return performance.now() - t0;
})()"""


def cache_measures(store: dict[str, Any]) -> Any:
    def measure_all(criteria: Any, ctx: Any) -> list[Any]:
        out = []
        for criterion in criteria:
            key = criterion.measure.model_dump_json()
            if key not in store:
                store[key] = criterion.measure.compute(ctx)
            out.append(store[key])
        return out

    return measure_all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1,000 candidates, 5 moves")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.moves = [1000], 5
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n in args.sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            base = scenario(work, n)
            store: dict[str, Any] = {}
            plain = evaluate(base, measure_all=cache_measures(store))
            result_to_map(plain, what_if=False).save(str(work / "plain.html"))
            plain_mb = (work / "plain.html").stat().st_size / 1e6
            for label, spec in METHODS.items():
                variant = work / "variant.yaml"
                variant.write_text(
                    f"version: 1\nextends: {base.name}\nname: variant\n"
                    f"aggregation: {json.dumps(spec)}\n",
                    encoding="utf-8",
                )
                result = evaluate(load_scenario(variant), measure_all=cache_measures(store))
                path = work / "map.html"
                result_to_map(result).save(str(path))
                size_mb = path.stat().st_size / 1e6
                page = browser.open(path, timeout=300)
                page.wait_for("!!document.querySelector('.geosite-whatif .gw-head')", timeout=300)
                page.evaluate("document.querySelector('.geosite-whatif .gw-head').click()")
                sync, painted = [], []
                for k in range(args.moves):
                    value = json.dumps(str(0.2 + 0.6 * (k % 2) + 0.01 * k))
                    a, b = page.evaluate(MOVE % value)
                    sync.append(a)
                    painted.append(b)
                redraw = statistics.median(float(page.evaluate(REDRAW) or "nan") for _ in range(5))
                if page.errors:
                    raise RuntimeError(f"{label}: {page.errors[:3]}")
                page.close()
                # Without the panel: a new scenario file run again (measures cached).
                reruns = []
                for _ in range(3):
                    start = time.perf_counter()
                    again = evaluate(load_scenario(variant), measure_all=cache_measures(store))
                    result_to_map(again).save(str(work / "rerun.html"))
                    reruns.append(time.perf_counter() - start)
                row = (
                    n,
                    label,
                    statistics.median(sync),
                    statistics.median(painted),
                    max(painted),
                    redraw,
                    statistics.median(reruns),
                    size_mb,
                    plain_mb,
                )
                rows.append(row)
                print(
                    f"{n:>7} {label:<12} move {row[2]:6.1f} ms, painted {row[3]:6.1f} ms "
                    f"(max {row[4]:6.1f}, full canvas repaint {redraw:6.1f} ms), "
                    f"re-run {row[6]:6.2f} s, map {size_mb:.2f} MB "
                    f"(without panel {plain_mb:.2f} MB)",
                    flush=True,
                )
    print()
    print(
        "| candidates | method | re-score + re-rank (median) | to painted (median / max) "
        "| of which a full canvas repaint | re-run the scenario | x vs re-run "
        "| map size (without panel) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n, label, sync_ms, paint_ms, worst, redraw, rerun, size, plain_size in rows:
        print(
            f"| {n:,} | {label} | {sync_ms:.1f} ms | {paint_ms:.1f} / {worst:.1f} ms "
            f"| {redraw:.1f} ms "
            f"| {rerun:.2f} s | {rerun * 1000 / paint_ms:.0f} | {size:.2f} MB ({plain_size:.2f} MB) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
