"""``geosite run``: evaluate a scenario, write the score table and the map."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from geosite.cli._base import (
    EXIT_OK,
    Subparsers,
    add_map_delivery,
    refuse_contradictions,
    report_problems,
)
from geosite.errors import ScenarioError
from geosite.i18n import Language, format_number, localized, translate

if TYPE_CHECKING:
    import argparse

    from geosite.analysis import Result

FORMATS = ("csv", "gpkg", "geojson", "xlsx")


def register(sub: Subparsers) -> None:
    """Add the ``run`` command."""
    run = sub.add_parser("run", help="evaluate a scenario; write scores and a map")
    run.add_argument("scenario", help="scenario YAML file (or the name of a bundled scenario)")
    run.add_argument("--out", required=True, type=Path, help="output directory")
    run.add_argument("--no-map", action="store_true", help="do not write map.html")
    run.add_argument(
        "--format",
        default=None,
        help="comma-separated table formats: csv, gpkg, geojson, xlsx (default: the scenario's)",
    )
    run.add_argument(
        "--basemap",
        default=None,
        choices=["light", "osm", "satellite", "none"],
        help="map background (default: light)",
    )
    add_map_delivery(run)
    add_what_if_flag(run)
    run.add_argument(
        "--lang",
        choices=["en", "vi"],
        default=None,
        help="language of the map and the printed ranking (default: the scenario's `language`)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    add_allow_path(run)
    refuse_contradictions(run)
    run.set_defaults(handler=main, writes_folder=True)


def main(args: argparse.Namespace) -> int:
    """Run a scenario and write its outputs."""
    from geosite.analysis import preflight  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.render.map import result_to_map  # noqa: PLC0415
    from geosite.result.outputs import write_outputs  # noqa: PLC0415
    from geosite.scenario import load_scenario  # noqa: PLC0415

    scenario = load_scenario(args.scenario, allowed_roots=allowed_roots(args))
    formats = list(scenario.outputs.formats)
    if args.format:
        formats = [f.strip() for f in args.format.split(",") if f.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown:
            msg = f"--format: unknown format(s) {unknown}; choose from {', '.join(FORMATS)}"
            raise ScenarioError(msg)
    # the checks `geosite validate` makes, with its messages, before any computation
    checked = preflight(scenario)
    if not checked.ok:
        return report_problems(args.scenario, checked.problems)
    result = checked.evaluate()
    lang = args.lang or scenario.language
    fmap = (
        result_to_map(
            result,
            basemap=args.basemap or "light",
            offline=args.offline,
            cdn=args.cdn,
            lang=lang,
            what_if=scenario.outputs.what_if and not args.no_what_if,
        )
        if scenario.outputs.map and not args.no_map
        else None
    )
    written = write_outputs(
        result,
        args.out,
        formats=formats if scenario.outputs.table else (),
        fmap=fmap,
    )
    print_ranking(result, lang=lang)
    for path in written:
        print(translate("cli.wrote", lang, path=path))
    return EXIT_OK


def add_what_if_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-what-if``: leave the weight sliders out of the map."""
    parser.add_argument(
        "--no-what-if",
        action="store_true",
        help=(
            "leave the what-if panel (weight sliders re-scoring in the browser) out of the "
            "map; the scenario's `outputs: {what_if: false}` does the same"
        ),
    )


def add_allow_path(parser: argparse.ArgumentParser) -> None:
    """Add ``--allow-path DIR``: folders a scenario may read files from."""
    parser.add_argument(
        "--allow-path",
        action="append",
        type=Path,
        default=None,
        metavar="DIR",
        help=(
            "a folder the scenario may read files from, besides its own folder and the "
            "working directory (repeatable)"
        ),
    )


def allowed_roots(args: argparse.Namespace) -> list[Path] | None:
    """Return the folders a scenario may read: its own, the working directory and --allow-path."""
    extra: list[Path] | None = getattr(args, "allow_path", None)
    if not extra:
        return None
    directory = Path(args.scenario).resolve().parent
    return [directory, Path.cwd(), *extra]


def print_ranking(result: Result, *, lang: Language = "en", limit: int = 50) -> None:
    """Print one line per candidate: rank, total score, name, and why it was excluded.

    Beyond ``limit`` candidates only the best are printed (the table has them all).
    """
    table = result.table
    label = result.name_column or result.id_column
    ranked = int((~table["excluded"]).sum())
    print(
        translate(
            "cli.ranking",
            lang,
            scenario=localized(result.scenario.name, lang),
            count=len(table),
            ranked=ranked,
        )
    )
    for _, row in table.head(limit).iterrows():
        score = row["total_score"]
        finite = isinstance(score, float) and math.isfinite(score)
        shown = format_number(score, lang, decimals=3) if finite else "  n/a"
        rank = "  -" if row["excluded"] else f"{int(row['rank']):>3}"
        line = f"{rank}  {shown}  {row[label]}"
        if row["excluded"]:
            line += (
                "  ["
                + translate("cli.excluded", lang, reason=localized(row["exclusion_reason"], lang))
                + "]"
            )
        print(line)
    if len(table) > limit:
        print(
            translate(
                "cli.more_rows", lang, count=format_number(len(table) - limit, lang, decimals=0)
            )
        )
