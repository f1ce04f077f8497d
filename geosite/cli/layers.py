"""``geosite layers``: list the bundled layers with their provenance."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosite.cli._base import EXIT_OK, Subparsers

if TYPE_CHECKING:
    import argparse


def register(sub: Subparsers) -> None:
    """Add the ``layers`` command."""
    layers = sub.add_parser("layers", help="list the bundled layers with their provenance")
    form = layers.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    form.add_argument("--markdown", action="store_true", help="print LAYERS.md")
    layers.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Print the catalogue as text, JSON or Markdown."""
    from geosite.data import bundled as layers  # noqa: PLC0415

    if args.markdown:
        sys.stdout.write(layers.catalog_markdown())
        return EXIT_OK
    infos = layers.catalog()
    if args.json:
        rows = [_plain(dataclasses.asdict(info)) for info in infos]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    for info in infos:
        count = f"{info.feature_count} features" if info.kind == "vector" else "raster"
        flag = "  [approximate]" if info.approximate else ""
        print(f"{info.name}: {info.title} ({info.geometry_type}, {count}){flag}")
        print(f"    source:   {info.source}")
        print(f"    licence:  {info.licence}")
        for part in info.parts:
            print(f"      {part.file}: {part.licence}")
        print(f"    vintage:  {info.vintage}")
        print(f"    accuracy: {info.positional_accuracy}")
    return EXIT_OK


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value
