"""``geosite validate``: check scenario files, and the data they read, without running them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_DATA, EXIT_OK, EXIT_USAGE, Subparsers, report_problems
from geosite.cli.run import add_allow_path
from geosite.errors import ScenarioError

if TYPE_CHECKING:
    import argparse


def register(sub: Subparsers) -> None:
    """Add the ``validate`` command."""
    validate = sub.add_parser(
        "validate",
        help="check scenario files and their data without running them",
        description=(
            "Check each scenario file, then open every layer, raster and road file it reads "
            "as `run` would (file type, encoding, CRS and coordinates, ids, geometries, "
            "rasters). Exit 2 if a scenario is invalid, 1 if its data are unusable."
        ),
    )
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")
    validate.add_argument(
        "--no-data", action="store_true", help="check the YAML only; do not open the data"
    )
    add_allow_path(validate)
    validate.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Validate each file and its data; report every problem; exit 2 or 1 if any."""
    from geosite.scenario import load_scenario  # noqa: PLC0415

    invalid = unusable = 0
    for path in args.scenarios:
        roots = (
            [Path(path).resolve().parent, Path.cwd(), *args.allow_path] if args.allow_path else None
        )
        try:
            scenario = load_scenario(path, allowed_roots=roots)
        except ScenarioError as err:
            invalid += 1
            print(f"geosite: {err}", file=sys.stderr)  # as `run` prints it
            continue
        if not args.no_data:
            # the checks `geosite run` makes before computing, and nothing more
            from geosite.analysis import preflight  # noqa: PLC0415 - opens the data

            checked = preflight(scenario)
            if not checked.ok:
                if report_problems(path, checked.problems) == EXIT_USAGE:
                    invalid += 1
                else:
                    unusable += 1
                continue
        checked_data = "" if args.no_data else ", data ok"
        print(
            f"{path}: ok ({len(scenario.criteria)} criteria, "
            f"{len(scenario.constraints)} constraints{checked_data})"
        )
    if invalid:
        return EXIT_USAGE
    return EXIT_DATA if unusable else EXIT_OK
