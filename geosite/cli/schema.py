"""``geosite schema``: print the JSON Schema of the scenario format."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_OK, Subparsers

if TYPE_CHECKING:
    import argparse


def register(sub: Subparsers) -> None:
    """Add the ``schema`` command."""
    schema = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")
    schema.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    from geosite.data.io import atomic_path  # noqa: PLC0415
    from geosite.scenario import scenario_json_schema  # noqa: PLC0415

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        with atomic_path(args.out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return EXIT_OK
