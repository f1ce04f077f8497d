"""``geosite compare``: rank candidates under several scenarios; write tables and a map."""

from __future__ import annotations

import argparse
import decimal
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosite.cli._base import EXIT_OK, Subparsers, add_map_delivery, refuse_contradictions
from geosite.errors import OutputError, ScenarioError

if TYPE_CHECKING:
    from geosite.decision.compare import Comparison


def register(sub: Subparsers) -> None:
    """Add the ``compare`` command."""
    cmd = sub.add_parser(
        "compare",
        help="compare the rankings of two or more scenarios",
        description=(
            "Evaluate each scenario and write comparison.csv (rank, score and rank shift "
            "against the first scenario per candidate), pairs.csv (Kendall's tau-b and top-k "
            "overlap of every pair) and comparison.html (one switchable map layer per "
            "scenario)."
        ),
    )
    cmd.add_argument("reference", help="scenario YAML file that rank shifts are measured against")
    cmd.add_argument("others", nargs="+", help="one or more scenario YAML files to compare")
    cmd.add_argument("--out", required=True, type=Path, help="output directory")
    cmd.add_argument(
        "--top-k", type=positive_int, default=3, help="k of the top-k overlap (default 3)"
    )
    cmd.add_argument("--no-map", action="store_true", help="do not write comparison.html")
    cmd.add_argument(
        "--basemap",
        default=None,
        choices=["light", "osm", "satellite", "none"],
        help="map background (default: light)",
    )
    cmd.add_argument(
        "--layout",
        default="layers",
        choices=["layers", "side_by_side"],
        help="one map with a layer per scenario, or two maps side by side (two scenarios)",
    )
    add_map_delivery(cmd, file="comparison.html")
    refuse_contradictions(cmd)
    cmd.set_defaults(handler=main, writes_folder=True)


def positive_int(text: str) -> int:
    """Parse a whole number >= 1 for argparse."""
    try:
        # "1e6" is a whole number too; Decimal reads it exactly, whatever its size.
        number = decimal.Decimal(text.strip().replace("_", ""))
        value = int(number) if number.is_finite() and number == number.to_integral() else 0
    except decimal.InvalidOperation:
        value = 0
    if value < 1:
        msg = f"expected a whole number >= 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def main(args: argparse.Namespace) -> int:
    """Compare the scenarios and write the outputs atomically."""
    from geosite.data.io import write_csv  # noqa: PLC0415
    from geosite.data.publish import output_set  # noqa: PLC0415
    from geosite.decision.compare import compare  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.render.map import results_to_map  # noqa: PLC0415

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    if args.layout == "side_by_side" and len(args.others) != 1:
        msg = "--layout side_by_side shows exactly two scenarios; use --layout layers"
        raise ScenarioError(msg)
    comparison = compare([args.reference, *args.others], top_k=args.top_k)
    fmap = (
        None
        if args.no_map
        else results_to_map(
            comparison.results,
            layout=args.layout,
            basemap=args.basemap or "light",
            offline=args.offline,
            cdn=args.cdn,
        )
    )
    names = ["comparison.csv", "pairs.csv"]
    with output_set(out, owns={*names, "comparison.html"}) as stage:
        write_csv(comparison.table, stage / "comparison.csv")
        write_csv(comparison.pairs, stage / "pairs.csv")
        if fmap is not None:
            fmap.save(str(stage / "comparison.html"))
            names.append("comparison.html")
    written = [out / name for name in names]
    print_comparison(comparison)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def print_comparison(comparison: Comparison) -> None:
    """Print ranks per scenario and the agreement of every pair."""
    table, labels = comparison.table, comparison.labels
    for i, (label, result) in enumerate(zip(labels, comparison.results, strict=True)):
        role = " (reference)" if i == 0 else ""
        print(f"{label}: {result.scenario.name}{role}")
    width = max(len(label) for label in labels)
    print("rank per scenario: " + "  ".join(f"{label:>{width}}" for label in labels))
    name = "name" if "name" in table.columns else comparison.id_column
    for _, row in table.iterrows():
        cells = []
        for label in labels:
            rank = row[f"{label}_rank"]
            cells.append(f"{'-' if _missing(rank) else int(rank):>{width}}")
        print(" " * 19 + "  ".join(cells) + f"  {row[name]}")
    k = comparison.top_k
    for _, pair in comparison.pairs.iterrows():
        tau = pair["kendall_tau"]
        shown = f"{tau:.3f}" if math.isfinite(tau) else "n/a"
        print(
            f"{pair['a']} vs {pair['b']}: Kendall tau-b {shown} over {pair['n_common']} "
            f"candidates; top {k} share {pair['top_k_overlap']} of {k}"
        )


def _missing(value: Any) -> bool:
    import pandas as pd  # noqa: PLC0415

    return value is None or bool(pd.isna(value))
