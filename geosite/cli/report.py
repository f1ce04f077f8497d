"""``geosite report``: evaluate a scenario and write an HTML report with maps and figures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geosite.cli._base import EXIT_OK, Subparsers, add_map_delivery, refuse_contradictions
from geosite.cli.run import add_allow_path, add_what_if_flag
from geosite.i18n import localized, translate

if TYPE_CHECKING:
    from geosite.i18n import Language

#: Seed of the sensitivity draws when none is given, so reports are reproducible by default.
DEFAULT_SEED = 0
#: Monte Carlo weight draws of a report's sensitivity analysis, unless --draws says.
DRAWS = 1000


def register(sub: Subparsers) -> None:
    """Add the ``report`` command."""
    report = sub.add_parser(
        "report",
        help="evaluate a scenario; write report.html, report.pdf, map.html and figures",
        description=(
            "Write one HTML report (ranking, interactive map, static maps for print, score "
            "cards and a methodology appendix generated from the scenario), the same report "
            "as an A4 PDF, and its figures."
        ),
    )
    report.add_argument("scenario", help="scenario YAML file (or the name of a bundled scenario)")
    report.add_argument("--out", required=True, type=Path, help="output directory")
    add_map_delivery(report)
    report.add_argument(
        "--basemap",
        default=None,
        choices=["light", "osm", "satellite", "none"],
        help="background of the interactive map (default: light)",
    )
    add_what_if_flag(report)
    report.add_argument(
        "--scheme",
        default="equal_interval",
        choices=["equal_interval", "quantiles", "natural_breaks"],
        help="how total scores are classed for colouring",
    )
    report.add_argument(
        "--cards", type=int, default=20, help="score cards for this many best candidates"
    )
    report.add_argument(
        "--lang",
        default=None,
        choices=["en", "vi"],
        help="report language (default: the scenario's `language`, else English)",
    )
    report.add_argument(
        "--sensitivity",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=(
            "run the weight and threshold sensitivity analysis and include it (the default; "
            "--no-sensitivity leaves it out)"
        ),
    )
    report.add_argument(
        "--draws", type=int, default=None, help=f"Monte Carlo weight draws (default {DRAWS})"
    )
    report.add_argument(
        "--seed",
        type=int,
        default=None,
        help=(
            f"seed of the weight draws (default {DEFAULT_SEED}: two reports of one scenario give "
            "the same figures; the report states the seed)"
        ),
    )
    report.add_argument(
        "--pdf",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also write report.pdf, the report on A4 pages (the default; --no-pdf leaves it out)",
    )
    report.add_argument("--quiet", action="store_true", help="no progress bars")
    add_allow_path(report)
    refuse_contradictions(report)
    report.set_defaults(handler=main, writes_folder=True)


def main(args: argparse.Namespace) -> int:
    """Evaluate the scenario and write the report."""
    from geosite.analysis import evaluate  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.cli.run import allowed_roots  # noqa: PLC0415
    from geosite.render.report import write_report  # noqa: PLC0415
    from geosite.scenario import load_scenario  # noqa: PLC0415

    result = evaluate(load_scenario(args.scenario, allowed_roots=allowed_roots(args)))
    stability = None
    if args.sensitivity:
        from geosite.decision.sensitivity import sensitivity  # noqa: PLC0415
        from geosite.progress import ProgressBar  # noqa: PLC0415

        stability = sensitivity(
            result,
            draws=DRAWS if args.draws is None else args.draws,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            progress=ProgressBar("weight draws"),
        )
    lang: Language = args.lang or result.scenario.language
    written = write_report(
        result,
        args.out,
        sensitivity=stability,
        offline=args.offline,
        cdn=args.cdn,
        basemap=args.basemap or "light",
        scheme=args.scheme,
        cards=args.cards,
        lang=lang,
        what_if=result.scenario.outputs.what_if and not args.no_what_if,
        pdf=args.pdf,
    )
    report = next(p for p in written if p.name == "report.html")
    name = localized(result.scenario.name, lang)
    print(translate("cli.report.wrote", lang, scenario=name, path=report, count=len(written) - 1))
    return EXIT_OK
