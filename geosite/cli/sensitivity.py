"""``geosite sensitivity``: how robust a scenario's ranking is to its weights and thresholds."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from geosite.cli._base import EXIT_OK, Subparsers
from geosite.cli.compare import positive_int
from geosite.errors import OutputError
from geosite.progress import ProgressBar

if TYPE_CHECKING:
    import argparse

    from geosite.decision.robustness import WeightChange
    from geosite.decision.sensitivity import Sensitivity


def register(sub: Subparsers) -> None:
    """Add the ``sensitivity`` command."""
    cmd = sub.add_parser(
        "sensitivity",
        help="test how robust a scenario's ranking is to its weights and thresholds",
        description=(
            "Perturb each weight and each value-function threshold one at a time by +/- STEP, "
            "sample weights around the scenario's (Dirichlet) and thresholds within +/- STEP, "
            "and find the smallest weight change that changes the winner. Writes "
            "sensitivity.csv (per candidate: rank interval, probability of ranking first and "
            "in the top k), sensitivity_weights.csv, "
            "sensitivity_thresholds.csv, sensitivity_winner.csv, sensitivity_flips.csv (the "
            "smallest change of the whole weight vector that changes the winner or the top k, "
            "with the weights that do it) and sensitivity.json."
        ),
    )
    cmd.add_argument("scenario", help="scenario YAML file (or the name of a bundled scenario)")
    cmd.add_argument("--out", required=True, type=Path, help="output directory")
    cmd.add_argument(
        "--draws", type=positive_int, default=1000, help="Monte Carlo draws (default 1000)"
    )
    cmd.add_argument(
        "--seed", type=int, default=None, help="seed of the draws (default: a fresh one, reported)"
    )
    cmd.add_argument(
        "--spread",
        type=float,
        default=0.2,
        help="relative standard deviation of an average weight in the draws (default 0.2)",
    )
    cmd.add_argument(
        "--step",
        type=float,
        default=0.1,
        help="relative change of the one-at-a-time weight and threshold runs (default 0.1)",
    )
    cmd.add_argument("--top-k", type=positive_int, default=3, help="k of P(top k) (default 3)")
    cmd.add_argument(
        "--threshold-draws",
        type=int,
        default=200,
        help="Monte Carlo draws of all thresholds within +/- STEP, 0 to skip (default 200)",
    )
    cmd.add_argument(
        "--no-quantiles",
        action="store_true",
        help="skip the 5-95%% rank interval (saves 2 bytes per candidate and draw)",
    )
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=main, writes_folder=True)


class Progress:
    """A one-line progress bar on a terminal; silent when output is redirected."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.start = time.perf_counter()
        self.last = -1.0

    def __call__(self, done: int, total: int) -> None:
        """Redraw the bar (at most ten times a second, and at the end)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r{self.label} [{bar:<30}] {done:,}/{total:,} ({now - self.start:.1f} s)"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def main(args: argparse.Namespace) -> int:
    """Run the sensitivity analysis and write its tables."""
    from geosite.data.io import write_csv  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.data.publish import output_set  # noqa: PLC0415
    from geosite.decision.sensitivity import sensitivity  # noqa: PLC0415

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    progress = None if args.quiet else ProgressBar("Monte Carlo draws")
    report = sensitivity(
        args.scenario,
        draws=args.draws,
        seed=args.seed,
        spread=args.spread,
        step=args.step,
        top_k=args.top_k,
        threshold_draws=args.threshold_draws,
        quantiles=not args.no_quantiles,
        progress=progress,
    )
    tables = {
        "sensitivity.csv": report.candidates,
        "sensitivity_weights.csv": report.weights,
        "sensitivity_thresholds.csv": report.thresholds,
        "sensitivity_winner.csv": report.winner.changes,
        "sensitivity_flips.csv": report.flips_table(),
    }
    names = [*tables, "sensitivity.json"]
    with output_set(out, owns=set(names)) as stage:
        for name, frame in tables.items():
            write_csv(frame, stage / name)
        (stage / "sensitivity.json").write_text(
            json.dumps(report.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    written = [out / name for name in names]
    print_summary(report)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _interval(low: int, high: int) -> str:
    return f"{int(low):>5}-{int(high):<5}" if low >= 0 else f"{'n/a':^11}"


def print_flip(flip: WeightChange) -> None:
    """Print one smallest whole-vector weight change and the weights that achieve it."""
    what = "the winner" if flip.event == "winner" else f"the top {flip.top_k}"
    norm = "L1" if flip.norm == "l1" else "L-inf"
    how = "exact" if flip.exact else "search, an upper bound"
    if not math.isfinite(flip.distance):
        print(f"  no weight vector changes {what} ({norm}; {how})")
        return
    weights = ", ".join(f"{c} {w:.3f}" for c, w in zip(flip.criteria, flip.weights, strict=True))
    print(
        f"  {what} changes at {norm} distance {flip.distance:.4f} (weight moved "
        f"{flip.weight_moved:.4f}; {how}): {flip.rival} reaches {flip.incumbent} at "
        f"weights {weights}"
    )


def print_summary(report: Sensitivity) -> None:
    """Print the winner's stability and each candidate's rank interval and probabilities."""
    winner = report.winner
    print(
        f"{report.scenario}: {report.draws:,} weight draws (seed {report.seed}, spread "
        f"{report.spread:g}), one-at-a-time step +/-{report.step:.0%}"
    )
    if math.isfinite(winner.smallest):
        first = winner.changes.iloc[0]
        source = first["from_criterion"]
        how = (
            f"moving weight from {source} to {first['criterion']}"
            if isinstance(source, str)
            else f"{'raising' if first['direction'] == 'up' else 'lowering'} {first['criterion']}"
        )
        verdict = "FRAGILE" if winner.fragile else "stable"
        print(
            f"winner {winner.winner}: {verdict}; the smallest change that changes it moves "
            f"{winner.smallest:.3f} of the total weight ({how}; new winner "
            f"{first['new_winner']})"
        )
    else:
        print(f"winner {winner.winner}: no weight change along the tested directions changes it")
    for flip in winner.flips:
        print_flip(flip)
    if report.threshold_draws:
        top = report.candidates.sort_values("threshold_mc_p_first", ascending=False).iloc[0]
        print(
            f"thresholds drawn within +/-{report.step:.0%} ({report.threshold_draws:,} draws): "
            f"{top[report.id_column]} first in {top['threshold_mc_p_first']:.1%} of them"
        )
    table = report.candidates
    k = report.top_k
    print(f"  rank  5-95% range  min-max  P(first)  P(top {k})  candidate")
    for _, row in table.iterrows():
        if row["excluded"]:
            print(f"     -            -        -         -          -  {row[report.id_column]}")
            continue
        print(
            f"  {int(row['rank']):>4}  {_interval(row['rank_p05'], row['rank_p95'])}"
            f"  {int(row['rank_min']):>3}-{int(row['rank_max']):<3}  {row['p_first']:8.3f}"
            f"  {row[f'p_top_{k}']:9.3f}  {row[report.id_column]}"
        )
