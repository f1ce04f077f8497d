"""The whole bundled scenario on a grid of cells: time per step and peak memory.

The four provinces of ``provinces_pre2025`` (about 1.25 million ha) are covered with square
cells (1.25 ha gives about one million) by the scenario itself (``candidates: {grid: ...}``;
with ``--from-file`` the cells are written to a FlatGeobuf file the scenario reads) and scored
with the bundled ``dong-nam-bo`` criteria (2 network travel times, 3 exact distances, 1 count within
15 km, 1 more distance) plus one raster criterion (share of sea on the bundled land/sea mask),
with the 10 ha minimum-area constraint dropped (cells are smaller). Each size is evaluated in
a fresh process so its peak resident memory (``ru_maxrss``) is its own.

The table shows, per N: grid generation, reading and checking the candidates, each criterion,
the rest (constraints, weights, aggregation, table) and the peak memory. CPU time (all
threads of the evaluating process) and the load average at the end are shown beside the
wall time: on a busy machine the wall time grows with other processes' work, the CPU time
much less. Run by hand::

    python benchmarks/bench_pipeline.py                     # 1e4, 1e5 and 1e6 cells
    python benchmarks/bench_pipeline.py --cell-ha 100 10    # smaller runs only
    python benchmarks/bench_pipeline.py --criteria target   # 6 criteria: 2 network, 1 raster
    python benchmarks/bench_pipeline.py --dask 250000       # partitioned on Dask (threads)

With ``--dask`` the per-criterion columns are empty: the partitions measure every criterion
at once, and only the total is timed.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from geosite import read_layer
from geosite.analysis import evaluate
from geosite.data.grid import GridSpec, grid_candidates
from geosite.data.io import filter_where
from geosite.scenario import bundled_scenarios_dir, load_scenario

RASTER = {
    "name": "sea_share",
    "label": "Share of the cell at sea",
    "measure": {
        "type": "raster",
        "raster": "land_sea_mask",
        "statistic": "share_in_classes",
        "classes": [1],
    },
    "value": {"type": "linear", "best": 0, "worst": 0.5},
    "weight": 10,
}
#: Six criteria: the two network times, three straight-line ones and the raster.
TARGET = {
    "port_truck_time",
    "long_thanh_airport_time",
    "trunk_road_distance",
    "industrial_parks_within_15km",
    "hcmc_centre_distance",
    "sea_share",
}


def make_grid(cell_ha: float, path: Path) -> tuple[int, float, float]:
    def load(name, where):
        return filter_where(read_layer(name), where, layer=name).to_crs(32648)

    spec = GridSpec(cell_ha=cell_ha, area="provinces_pre2025")
    t0 = time.perf_counter()
    cells = grid_candidates(spec, load, "EPSG:32648")
    t1 = time.perf_counter()
    cells.to_file(path, driver="FlatGeobuf")
    return len(cells), t1 - t0, time.perf_counter() - t1


def write_scenario(directory: Path, grid: Path | None, criteria: str, cell_ha: float) -> Path:
    doc = yaml.safe_load((bundled_scenarios_dir() / "dong-nam-bo.yaml").read_text())
    doc["name"] = f"{doc['name']} - grid"
    if grid is None:
        # The one-key switch: the scenario generates its cells itself.
        doc["candidates"] = {"grid": {"cell_ha": cell_ha, "area": "provinces_pre2025"}}
    else:
        doc["layers"] = {"grid": {"path": grid.name, "id": "cell_id"}}
        doc["candidates"] = {"layer": "grid", "id": "cell_id"}
    doc["criteria"].append(RASTER)
    if criteria == "target":
        doc["criteria"] = [c for c in doc["criteria"] if c["name"] in TARGET]
    doc["constraints"] = []
    doc["outputs"] = {"map": False, "table": False}
    path = directory / "grid.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return path


class _Steps(logging.Handler):
    """Time between the pipeline's "measuring <criterion>" log records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.marks: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "geosite.analysis" and record.msg == "measuring %s":
            self.marks.append((str(record.args[0]), time.perf_counter()))  # type: ignore[index]


def evaluate_once(scenario_path: Path, partition_size: int | None = None) -> dict:
    steps = _Steps()
    log = logging.getLogger("geosite.analysis")
    log.addHandler(steps)
    log.setLevel(logging.INFO)
    scenario = load_scenario(scenario_path)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0 = time.process_time()
    t0 = time.perf_counter()
    if partition_size is None:
        result = evaluate(scenario)
    else:
        from geosite.distributed import evaluate_partitioned  # noqa: PLC0415 - optional

        result = evaluate_partitioned(scenario, partition_size=partition_size, scheduler="threads")
    t1 = time.perf_counter()
    cpu = time.process_time() - c0
    names = [c.name for c in scenario.criteria]
    marks = steps.marks if partition_size is None else []
    timing = {"load": marks[0][1] - t0 if marks else float("nan")}
    for k, (name, start) in enumerate(marks):
        end = marks[k + 1][1] if k + 1 < len(marks) else None
        timing[name] = (end - start) if end is not None else float("nan")
    # The last criterion's end is not logged: give it and the rest together.
    timing["last+rest"] = t1 - marks[-1][1] if marks else float("nan")
    return {
        "n": len(result.table),
        "total": t1 - t0,
        "cpu": cpu,
        "load": os.getloadavg()[0],
        "steps": timing,
        "criteria": names,
        "rss_before_mb": rss0 / 1024,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ranked": int((~result.table["excluded"]).sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell-ha", type=float, nargs="+", default=[125.0, 12.5, 1.25])
    ap.add_argument("--criteria", choices=["bundled", "target"], default="bundled")
    ap.add_argument(
        "--dask",
        type=int,
        metavar="PARTITION_SIZE",
        help="evaluate with geosite.distributed (threads scheduler) in partitions of this size",
    )
    ap.add_argument(
        "--from-file",
        action="store_true",
        help="read the cells from a FlatGeobuf file instead of `candidates: {grid: ...}`",
    )
    ap.add_argument("--evaluate", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.evaluate is not None:
        print(json.dumps(evaluate_once(args.evaluate, args.dask)))
        return

    how = f"geosite.distributed, partitions of {args.dask:,}" if args.dask else "geosite.evaluate"
    print(f"cores: {os.cpu_count()}; criteria: {args.criteria}; {how}")
    rows = []
    for cell_ha in args.cell_ha:
        with tempfile.TemporaryDirectory() as tmp:
            grid = Path(tmp) / "grid.fgb"
            n, t_grid, t_write = make_grid(cell_ha, grid)
            scenario = write_scenario(
                Path(tmp), grid if args.from_file else None, args.criteria, cell_ha
            )
            extra = ["--dask", str(args.dask)] if args.dask else []
            proc = subprocess.run(
                [sys.executable, __file__, "--evaluate", str(scenario), *extra],
                capture_output=True,
                text=True,
                check=True,
            )
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            out.update(cell_ha=cell_ha, grid=t_grid, write=t_write)
            rows.append(out)
            print(f"  done {n:,} cells: {out['total']:.1f} s", flush=True)
    names = rows[0]["criteria"]
    print()
    print(
        "| cells N | cell ha | grid generation | evaluate total | CPU time (load) | "
        "candidates (generate, or read + check) | "
        + " | ".join(names[:-1])
        + f" | {names[-1]} + aggregation | peak RSS | time per 1e5 cells |"
    )
    print("|" + "---|" * (len(names) + 8))
    for r in rows:
        steps = r["steps"]
        cells = " | ".join(f"{steps.get(c, float('nan')):.2f}" for c in names[:-1])
        print(
            f"| {r['n']:,} | {r['cell_ha']:g} | {r['grid']:.2f} s | **{r['total']:.1f} s** | "
            f"{r['cpu']:.1f} s ({r['load']:.1f}) | {steps['load']:.2f} | {cells} | "
            f"{steps['last+rest']:.2f} | "
            f"**{r['peak_mb'] / 1024:.2f} GB** | {r['total'] / r['n'] * 1e5:.2f} s |"
        )
    if len(rows) > 1:
        a, b = rows[-2], rows[-1]
        k = math.log(b["total"] / a["total"]) / math.log(b["n"] / a["n"])
        print(f"\nGrowth of the evaluate time with N between the two largest runs: N^{k:.2f}")


if __name__ == "__main__":
    main()
