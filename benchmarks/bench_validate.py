"""What ``geosite validate`` costs next to ``geosite run``, on every bundled scenario.

``validate`` runs the preflight ``run`` runs (every layer opened, a grid generated, road
graphs built and facilities joined to them) but measures nothing, so it should stay a
fraction of ``run``. Both commands run as whole processes (interpreter start-up included),
``run`` with ``--no-map``, alternating so machine load hits both alike; medians are
reported, with ``validate``'s time as a share of ``run``'s::

    python benchmarks/bench_validate.py            # 5 rounds
    python benchmarks/bench_validate.py --quick    # 2 rounds
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _wall_seconds(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    cli = [sys.executable, "-m", "geosite"]
    print("| scenario | validate (s) | run --no-map (s) | validate / run |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in SCENARIOS:
            validate: list[float] = []
            run: list[float] = []
            for _ in range(rounds):
                validate.append(_wall_seconds([*cli, "validate", str(scenario)]))
                out = Path(tmp) / scenario.stem
                run.append(
                    _wall_seconds([*cli, "run", str(scenario), "--out", str(out), "--no-map"])
                )
            v, r = statistics.median(validate), statistics.median(run)
            print(f"| {scenario.stem} | {v:.2f} | {r:.2f} | {v / r:.0%} |")


if __name__ == "__main__":
    main()
