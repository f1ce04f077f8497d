"""``geosite locate``: find the best regions on a grid scenario's surface, then score them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosite.cli._base import EXIT_OK, Parser, Subparsers, refuse_contradictions
from geosite.cli.run import add_allow_path, allowed_roots, print_ranking
from geosite.errors import ScenarioError
from geosite.i18n import Language, check_language, format_number, translate

if TYPE_CHECKING:
    import argparse


def _area(text: str) -> float | tuple[float, float]:
    """Parse ``650`` or ``600-700`` / ``600:700`` (hectares)."""
    import argparse  # noqa: PLC0415

    parts = text.replace(":", "-").split("-") if text.count("-") <= 1 else []
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 1 and math.isfinite(values[0]) and values[0] > 0:
        return values[0]
    if len(values) == 2 and all(math.isfinite(v) and v > 0 for v in values):
        low, high = values
        if low <= high:
            return (low, high)
    msg = f"expected hectares (650) or a range (600-700), got {text!r}"
    raise argparse.ArgumentTypeError(msg)


def register(sub: Subparsers) -> None:
    """Add the ``locate`` command."""
    cmd = sub.add_parser(
        "locate",
        help="find the best contiguous regions of a grid scenario; score them as candidates",
    )
    cmd.add_argument("scenario", help="grid scenario YAML file (or a bundled scenario's name)")
    cmd.add_argument("--out", required=True, type=Path, help="output directory")
    cmd.add_argument("--area-ha", type=_area, default=None, help="area of a region: 650 or 600-700")
    cmd.add_argument("--count", type=int, default=None, help="how many regions")
    cmd.add_argument(
        "--objective",
        choices=["mean", "min", "total"],
        default=None,
        help="what makes a region best (default: mean score)",
    )
    cmd.add_argument("--compactness", type=float, default=None, help="least compactness, 0-1")
    cmd.add_argument(
        "--min-distance-m", type=float, default=None, help="least distance between regions"
    )
    cmd.add_argument(
        "--within",
        choices=["province_old", "district_old", "ward_old", "province_new", "ward_new"],
        default=None,
        help="keep each region in one administrative unit",
    )
    cmd.add_argument(
        "--method",
        choices=["auto", "exact", "heuristic"],
        default=None,
        help="exact (MILP), heuristic, or auto (exact for small searches)",
    )
    cmd.add_argument(
        "--no-score", action="store_true", help="only locate; do not score the regions"
    )
    cmd.add_argument(
        "--surface-map", action="store_true", help="also write map.html of every scored cell"
    )
    cmd.add_argument("--lang", choices=["en", "vi"], default=None, help="language of the maps")
    add_allow_path(cmd)
    refuse_contradictions(cmd)
    if isinstance(cmd, Parser):
        # Only the scored regions' map and the surface map have a language.
        cmd.refuse_together(
            "--no-score",
            "--lang",
            why="writes no map unless --surface-map asks for one",
            unless_given=("--surface-map",),
        )
    cmd.set_defaults(handler=main, writes_folder=True)


def main(args: argparse.Namespace) -> int:
    """Locate regions and write them, with their scores."""
    from pydantic import ValidationError  # noqa: PLC0415

    from geosite.locate.pipeline import locate  # noqa: PLC0415 - keep `geosite --help` fast

    overrides: dict[str, Any] = {
        "area_ha": args.area_ha,
        "count": args.count,
        "objective": args.objective,
        "compactness": args.compactness,
        "min_distance_m": args.min_distance_m,
        "within": args.within,
        "method": args.method,
    }
    try:
        outcome = locate(
            args.scenario,
            args.out,
            score=not args.no_score,
            surface_map=args.surface_map,
            lang=args.lang,
            allowed_roots=allowed_roots(args),
            **overrides,
        )
    except ValidationError as err:
        problems = "; ".join(
            f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
            for e in err.errors()
        )
        raise ScenarioError(problems) from None
    lang = args.lang or outcome.surface.scenario.language
    for row in outcome.regions.itertuples():
        print(_region_line(row, check_language(lang)))
    if outcome.scored is not None:
        print_ranking(outcome.scored, lang=lang)
    for path in outcome.written:
        print(translate("cli.wrote", lang, path=path))
    return EXIT_OK


def _region_line(row: Any, lang: Language) -> str:
    """Describe one located region in a line of ``lang``."""
    if row.optimal:
        how = translate("locate.optimal", lang)
    else:
        how = translate(
            "locate.bound",
            lang,
            method=translate(f"locate.method.{row.method}", lang),
            bound=format_number(row.bound, lang, decimals=3),
        )
    return translate(
        "cli.locate.region",
        lang,
        region=row.region_id,
        area=format_number(row.area_ha, lang, decimals=0),
        cells=row.cells,
        mean=format_number(row.mean_score, lang, decimals=3),
        worst=format_number(row.min_score, lang, decimals=3),
        compactness=format_number(row.compactness, lang, decimals=2),
        how=how,
    )
