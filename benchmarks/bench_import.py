"""What it costs to start geosite: ``import geosite`` against ``import geopandas``.

geosite needs geopandas, so ``import geopandas`` is the floor a user pays anyway; the target is
``import geosite`` within 1.5x of it. ``import geosite`` itself loads only the version and
the errors (the pipeline loads on first use), so the fair comparison is the second row:
``import geosite; geosite.evaluate`` loads the whole pipeline (scenario validation, layers,
measures, decision) without maps, plots or osmnx. Each import runs in a fresh interpreter, alternating
between the two so machine load hits both alike; medians are reported. The command line's
``geosite --version`` and ``geosite validate --no-data`` are timed the same way (wall time of
the whole process, interpreter start-up included), next to a bare ``python -c pass``::

    python benchmarks/bench_import.py            # 15 rounds
    python benchmarks/bench_import.py --quick    # 5 rounds
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "dong-nam-bo.yaml"


def _import_seconds(statement: str) -> float:
    """Return the time ``statement`` takes in a fresh interpreter (start-up excluded)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip())


def _wall_seconds(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    cli = [sys.executable, "-m", "geosite"]
    runs: dict[str, list[float]] = {
        "import geopandas": [],
        "import geosite": [],
        "import geosite; geosite.evaluate": [],
        "python -c pass": [],
        "geosite --version": [],
        "geosite validate --no-data": [],
    }
    for _ in range(rounds):
        runs["import geopandas"].append(_import_seconds("import geopandas"))
        runs["import geosite"].append(_import_seconds("import geosite"))
        runs["import geosite; geosite.evaluate"].append(
            _import_seconds("import geosite; geosite.evaluate")
        )
        runs["python -c pass"].append(_wall_seconds([sys.executable, "-c", "pass"]))
        runs["geosite --version"].append(_wall_seconds([*cli, "--version"]))
        runs["geosite validate --no-data"].append(
            _wall_seconds([*cli, "validate", "--no-data", str(SCENARIO)])
        )
    medians = {name: statistics.median(times) for name, times in runs.items()}
    print(f"{rounds} rounds, medians\n")
    print("| what | seconds |")
    print("|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.3f} |")
    floor = medians["import geopandas"]
    for name in ("import geosite", "import geosite; geosite.evaluate"):
        print(f"\n`{name}` / `import geopandas`: {medians[name] / floor:.2f}x (target: <= 1.5x)")


if __name__ == "__main__":
    main()
