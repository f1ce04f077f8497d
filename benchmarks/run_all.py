"""Run every benchmark and write their tables to one Markdown file.

Each ``bench_*.py`` in this folder runs in its own process (so peak memory and warm caches do
not leak between them), its output is shown as it comes and collected, and the whole report
is written to ``benchmarks/results/<UTC time>.md`` and ``benchmarks/results/latest.md`` (the
folder is not versioned). Run by hand, never in the test suite::

    python benchmarks/run_all.py              # every size: an hour or more, several GB
    python benchmarks/run_all.py --quick      # small sizes only, a few minutes
    python benchmarks/run_all.py --only distance pipeline
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

#: Arguments for a quick run, per benchmark; benchmarks not listed run with ``--quick`` when
#: their ``--help`` offers it, else with no arguments.
QUICK = {
    "distance": ["--parcels", "1e3", "1e4", "1e5", "--features", "10", "1e3", "--loop-budget", "3"],
    "network": ["--quick"],
    "zonal": ["--sizes", "1000", "10000"],
    "map": ["--sizes", "1000"],
    "pipeline": ["--cell-ha", "125", "12.5"],
}
#: Order of the report: the kernels first, then the whole pipeline.
ORDER = ["distance", "network", "zonal", "sensitivity", "map", "pipeline"]


def discover() -> list[str]:
    names = [p.stem.removeprefix("bench_") for p in sorted(HERE.glob("bench_*.py"))]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def quick_args(name: str) -> list[str]:
    if name in QUICK:
        return QUICK[name]
    script = HERE / f"bench_{name}.py"
    help_text = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, check=False
    ).stdout
    return ["--quick"] if "--quick" in help_text else []


def run(name: str, args: list[str]) -> tuple[str, float, int]:
    script = HERE / f"bench_{name}.py"
    print(f"\n## {name}: {' '.join(['python', script.name, *args])}\n", flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=HERE.parent,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    code = proc.wait()
    return "".join(lines), time.perf_counter() - t0, code


def versions() -> str:
    out = []
    for module in ("geosite", "numpy", "shapely", "geopandas", "scipy", "rasterio"):
        try:
            mod = __import__(module)
            out.append(f"{module} {getattr(mod, '__version__', '?')}")
        except ImportError:
            continue
    return ", ".join(out)


def git_commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE.parent,
    )
    return proc.stdout.strip() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--only", nargs="+", help="benchmark names (e.g. distance pipeline)")
    args = ap.parse_args()
    names = discover()
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            ap.error(f"unknown benchmarks {unknown}; available: {names}")
        names = [n for n in names if n in args.only]
    started = dt.datetime.now(dt.UTC)
    head = [
        f"# geosite benchmarks, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- commit {git_commit()}; {'quick' if args.quick else 'full'} run",
        (
            f"- {platform.platform()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start"
        ),
        f"- {versions()}",
        "",
    ]
    print("\n".join(head), flush=True)
    sections, summary = [], ["| benchmark | arguments | wall time | status |", "|---|---|---|---|"]
    for name in names:
        bench_args = quick_args(name) if args.quick else []
        output, seconds, code = run(name, bench_args)
        status = "ok" if code == 0 else f"failed (exit {code})"
        summary.append(
            f"| {name} | `{' '.join(bench_args) or '(defaults)'}` | {seconds:,.0f} s | {status} |"
        )
        sections += [f"## {name}", "", output.rstrip(), ""]
    report = "\n".join([*head, *summary, "", *sections])
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.md"
    path.write_text(report, encoding="utf-8")
    (RESULTS / "latest.md").write_text(report, encoding="utf-8")
    print("\n" + "\n".join(summary))
    print(f"\nwritten to {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
