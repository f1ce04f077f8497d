"""What it costs to start geosite: ``import geosite`` against ``import geopandas``.

geosite needs geopandas, so ``import geopandas`` is the floor a user pays anyway; the target is
``import geosite`` within 1.5x of it. ``import geosite`` itself loads only the version and
the errors (the pipeline loads on first use), so the fair comparison is the second row:
``import geosite; geosite.evaluate`` loads the whole pipeline (scenario validation, layers,
measures, decision) without maps, plots or osmnx. The third row adds what a planner's first
call does before any data is read, loading the bundled scenario, so that work moved from the
import into the first call shows up there. The command line's ``geosite --version`` and
``geosite validate --no-data`` are timed the same way (wall time of the whole process,
interpreter start-up included), next to a bare ``python -c pass``.

Each import runs in a fresh interpreter, alternating between the rows so machine load hits
them alike; the time is measured inside the interpreter (start-up excluded), as wall time and
as CPU time, and the minimum and the median over the rounds are reported: on a loaded machine
the minimum is the figure least disturbed by other work.

Both sides load compiled bytecode, as an installed package does (pip compiles it at install;
an editable checkout writes it on first import). Where ``PYTHONDONTWRITEBYTECODE`` is set and
the checkout has no ``__pycache__``, every start would compile geosite's sources again while
geopandas loads its ``.pyc`` files, which adds about 0.06 s to geosite's side alone. So the
interpreters here write and read bytecode in a temporary folder (``PYTHONPYCACHEPREFIX``),
filled by one warm-up round that is not counted; ``--from-source`` times the uncompiled
case instead::

    python benchmarks/bench_import.py            # 15 rounds
    python benchmarks/bench_import.py --quick    # 5 rounds
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "dong-nam-bo.yaml"

#: Row -> statement timed in a fresh interpreter.
IMPORTS = {
    "import geopandas": "import geopandas",
    "import geosite": "import geosite",
    "import geosite; geosite.evaluate": "import geosite; geosite.evaluate",
    "... and load the bundled scenario": (
        f"import geosite; geosite.evaluate; geosite.load_scenario({str(SCENARIO)!r})"
    ),
}


def _environment(pycache: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _import_seconds(statement: str, env: dict[str, str]) -> tuple[float, float]:
    """Return the wall and CPU seconds ``statement`` takes in a fresh interpreter."""
    code = (
        "import time; w = time.perf_counter(); c = time.process_time(); "
        f"{statement}; print(time.perf_counter() - w, time.process_time() - c)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    wall, cpu = out.split()
    return float(wall), float(cpu)


def _wall_seconds(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=env)
    return time.perf_counter() - t0


def _run(rounds: int, env: dict[str, str]) -> dict[str, dict[str, list[float]]]:
    cli = [sys.executable, "-m", "geosite"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "geosite --version": [*cli, "--version"],
        "geosite validate --no-data": [*cli, "validate", "--no-data", str(SCENARIO)],
    }
    for statement in IMPORTS.values():  # warm-up: writes the bytecode, fills the disk cache
        _import_seconds(statement, env)
    runs: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": []} for name in [*IMPORTS, *commands]
    }
    for _ in range(rounds):
        for name, statement in IMPORTS.items():
            wall, cpu = _import_seconds(statement, env)
            runs[name]["wall"].append(wall)
            runs[name]["cpu"].append(cpu)
        for name, argv in commands.items():
            runs[name]["wall"].append(_wall_seconds(argv, env))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="leave bytecode off as the environment has it (geosite compiled at every start)",
    )
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    with tempfile.TemporaryDirectory(prefix="geosite-pycache-") as pycache:
        env = _environment(None if args.from_source else pycache)
        runs = _run(rounds, env)
    load = os.getloadavg()[0]
    bytecode = "from source" if args.from_source else "bytecode compiled"
    print(f"{rounds} rounds, {bytecode}, load average {load:.1f}\n")
    print("| what | wall min | wall median | CPU min | CPU median |")
    print("|---|---|---|---|---|")
    for name, times in runs.items():
        cpu = times["cpu"]
        cpu_cells = f"{min(cpu):.3f} | {statistics.median(cpu):.3f}" if cpu else "- | -"
        print(
            f"| {name} | {min(times['wall']):.3f} | {statistics.median(times['wall']):.3f} "
            f"| {cpu_cells} |"
        )
    floor = runs["import geopandas"]
    print()
    for name in list(IMPORTS)[1:]:
        ratios = ", ".join(
            f"{kind} {stat.__name__} {stat(runs[name][kind]) / stat(floor[kind]):.2f}x"
            for kind in ("wall", "cpu")
            for stat in (min, statistics.median)
        )
        print(f"`{name}` / `import geopandas`: {ratios} (target: <= 1.5x)")


if __name__ == "__main__":
    main()
