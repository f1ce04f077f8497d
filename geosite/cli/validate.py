"""``geosite validate``: check scenario files without running them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_OK, EXIT_USAGE, Subparsers
from geosite.errors import ScenarioError

if TYPE_CHECKING:
    import argparse


def register(sub: Subparsers) -> None:
    """Add the ``validate`` command."""
    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")
    validate.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Validate each file; report every problem; exit 2 if any file is invalid."""
    from geosite.scenario import load_scenario  # noqa: PLC0415

    failed = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            failed += 1
            print(err, file=sys.stderr)
        else:
            print(
                f"{path}: ok ({len(scenario.criteria)} criteria, "
                f"{len(scenario.constraints)} constraints)"
            )
    return EXIT_USAGE if failed else EXIT_OK
