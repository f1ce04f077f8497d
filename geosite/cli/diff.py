"""``geosite diff``: what changed between two scenarios, in assumptions and in results."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_OK, Subparsers

if TYPE_CHECKING:
    import argparse


def register(sub: Subparsers) -> None:
    """Add the ``diff`` command."""
    cmd = sub.add_parser(
        "diff",
        help="show what changed between two scenarios",
        description=(
            "List the assumptions that differ (weights as written and normalised, value "
            "functions and thresholds, measures, constraints, weighting and aggregation "
            "methods, data files and their SHA-256) and the candidates whose rank, score or "
            "exclusion changed. The diff of a scenario with itself is empty."
        ),
    )
    cmd.add_argument("a", help="first scenario YAML file (or bundled name)")
    cmd.add_argument("b", help="second scenario YAML file (or bundled name)")
    cmd.add_argument("--json", action="store_true", help="print the diff as JSON")
    cmd.add_argument(
        "--no-results", action="store_true", help="compare assumptions only; do not evaluate"
    )
    cmd.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print the diff of two scenarios."""
    from geosite.decision.compare import diff  # noqa: PLC0415 - keep `geosite --help` fast

    result = diff(args.a, args.b, results=not args.no_results)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.to_text())
    return EXIT_OK
