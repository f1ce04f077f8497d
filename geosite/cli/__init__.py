"""The ``geosite`` command line: a thin layer over the public API.

Exit codes: 0 success; 1 unusable data (a layer, a file, a road graph); 2 an invalid scenario
or command line; 3 outputs could not be written; 70 an internal error (a bug: please report
it with the output of ``--debug``); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geosite._version import __version__
from geosite.errors import GeositeError, OutputError, ScenarioError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"geosite: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="geosite",
        description="Score candidate sites against a scenario and map the result.",
    )
    parser.add_argument("--version", action="version", version=f"geosite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="evaluate a scenario; write scores and a map")
    run.add_argument("scenario", help="scenario YAML file (or the name of a bundled scenario)")
    run.add_argument("--out", required=True, type=Path, help="output directory")
    run.add_argument("--no-map", action="store_true", help="do not write map.html")
    run.add_argument(
        "--format",
        default=None,
        help="comma-separated table formats: csv, gpkg, geojson (default: the scenario's)",
    )
    run.add_argument(
        "--basemap",
        default="light",
        choices=["light", "osm", "satellite", "none"],
        help="map background",
    )

    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("scenarios", nargs="+", help="scenario YAML files")

    schema = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")

    layers = sub.add_parser("layers", help="list the bundled layers with their provenance")
    layers.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    layers.add_argument("--markdown", action="store_true", help="print LAYERS.md")
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from geosite.analysis import evaluate  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.outputs import write_outputs  # noqa: PLC0415
    from geosite.render.map import result_to_map  # noqa: PLC0415
    from geosite.scenario import load_scenario  # noqa: PLC0415

    scenario = load_scenario(args.scenario)
    formats = scenario.outputs.formats
    if args.format:
        formats = [f.strip() for f in args.format.split(",") if f.strip()]
        unknown = sorted(set(formats) - {"csv", "gpkg", "geojson"})
        if unknown:
            msg = f"--format: unknown format(s) {unknown}; choose from csv, gpkg, geojson"
            raise ScenarioError(msg)
    result = evaluate(scenario)
    fmap = (
        result_to_map(result, basemap=args.basemap)
        if scenario.outputs.map and not args.no_map
        else None
    )
    written = write_outputs(
        result,
        args.out,
        formats=formats if scenario.outputs.table else (),
        fmap=fmap,
    )
    _print_ranking(result)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _print_ranking(result: object) -> None:
    from geosite.analysis import Result  # noqa: PLC0415

    assert isinstance(result, Result)
    table = result.table
    label = result.name_column or result.id_column
    print(
        f"{result.scenario.name}: {len(table)} candidates, {int((~table['excluded']).sum())} ranked"
    )
    for _, row in table.iterrows():
        score = row["total_score"]
        score_text = (
            f"{score:.3f}" if isinstance(score, float) and math.isfinite(score) else "  n/a"
        )
        rank = "  -" if row["excluded"] else f"{int(row['rank']):>3}"
        line = f"{rank}  {score_text}  {row[label]}"
        if row["excluded"]:
            line += f"  [excluded: {row['exclusion_reason']}]"
        print(line)


def _cmd_validate(args: argparse.Namespace) -> int:
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


def _cmd_schema(args: argparse.Namespace) -> int:
    from geosite.io import atomic_path  # noqa: PLC0415
    from geosite.scenario import scenario_json_schema  # noqa: PLC0415

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        with atomic_path(args.out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return EXIT_OK


def _cmd_layers(args: argparse.Namespace) -> int:
    from geosite import layers  # noqa: PLC0415

    if args.markdown:
        sys.stdout.write(layers.catalog_markdown())
        return EXIT_OK
    infos = layers.catalog()
    if args.json:
        rows = [
            {k: (str(v) if isinstance(v, Path) else v) for k, v in _asdict(i).items()}
            for i in infos
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    for info in infos:
        count = f"{info.feature_count} features" if info.kind == "vector" else "raster"
        flag = "  [approximate]" if info.approximate else ""
        print(f"{info.name}: {info.title} ({info.geometry_type}, {count}){flag}")
        print(f"    source:   {info.source}")
        print(f"    licence:  {info.licence}")
        print(f"    vintage:  {info.vintage}")
        print(f"    accuracy: {info.positional_accuracy}")
    return EXIT_OK


def _asdict(obj: object) -> dict[str, object]:
    import dataclasses  # noqa: PLC0415

    return dataclasses.asdict(obj)  # type: ignore[call-overload, no-any-return]


_COMMANDS = {
    "run": _cmd_run,
    "validate": _cmd_validate,
    "schema": _cmd_schema,
    "layers": _cmd_layers,
}


def _exit_code(err: GeositeError) -> int:
    if isinstance(err, ScenarioError):
        return EXIT_USAGE
    if isinstance(err, OutputError):
        return EXIT_OUTPUT
    return EXIT_DATA


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return _COMMANDS[args.command](args)
    except GeositeError as err:
        print(f"geosite: {err}", file=sys.stderr)
        return _exit_code(err)
    except BrokenPipeError:
        # The reader of our output went away (`geosite run ... | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("geosite: interrupted; previous outputs are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:
        if args.debug:
            raise
        print(
            f"geosite: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in geosite; please report it with the output of `geosite --debug ...`.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
