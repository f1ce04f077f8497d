"""``geosite compare``: rank candidates under several scenarios; write tables and a map."""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geosite.cli._base import EXIT_OK, Subparsers
from geosite.errors import OutputError

if TYPE_CHECKING:
    import folium

    from geosite.compare import Comparison

#: Significant digits kept in CSV output.
CSV_DIGITS = 10
_OSM = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
_TILES = {
    "light": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f'{_OSM} &copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM),
}
#: Above this many candidates the map leaves out the rank badges, which slow browsers down.
MAX_BADGES = 300


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
        "--basemap", default="light", choices=["light", "osm", "none"], help="map background"
    )
    cmd.set_defaults(handler=main)


def positive_int(text: str) -> int:
    """Parse a whole number >= 1 for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a whole number >= 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def main(args: argparse.Namespace) -> int:
    """Compare the scenarios and write the outputs atomically."""
    from geosite.compare import compare  # noqa: PLC0415 - keep `geosite --help` fast
    from geosite.io import atomic_path  # noqa: PLC0415

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    comparison = compare([args.reference, *args.others], top_k=args.top_k)
    fmap = None if args.no_map else comparison_map(comparison, basemap=args.basemap)
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        for name, frame in (("comparison.csv", comparison.table), ("pairs.csv", comparison.pairs)):
            target = out / name
            tmp = stack.enter_context(atomic_path(target))
            frame.to_csv(
                tmp,
                index=False,
                float_format=f"%.{CSV_DIGITS}g",
                encoding="utf-8",
                lineterminator="\n",
            )
            written.append(target)
        if fmap is not None:
            target = out / "comparison.html"
            tmp = stack.enter_context(atomic_path(target))
            fmap.save(str(tmp))
            written.append(target)
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


def _colour(score: float, excluded: bool) -> str:
    from geosite.render.map import EXCLUDED_COLOUR, PALETTE  # noqa: PLC0415

    if excluded or not math.isfinite(score):
        return EXCLUDED_COLOUR
    return PALETTE[min(len(PALETTE) - 1, int(score * len(PALETTE)))]


def _fmt_rank(value: Any) -> str:
    return "excluded" if _missing(value) else f"#{int(value)}"


def _missing(value: Any) -> bool:
    import pandas as pd  # noqa: PLC0415

    return value is None or bool(pd.isna(value))


def comparison_map(comparison: Comparison, *, basemap: str = "light") -> folium.Map:
    """Draw every scenario's ranking as a layer of one map; switch between them by radio button.

    Candidates are coloured by total score in five equal classes over [0, 1] (the same
    colours in every layer, so layers compare directly); excluded candidates are grey. A
    candidate's popup lists its rank and score in every scenario.
    """
    import branca.colormap as cm  # noqa: PLC0415
    import folium  # noqa: PLC0415

    from geosite.render.map import PALETTE  # noqa: PLC0415

    table = comparison.table.set_index(comparison.id_column)
    labels = comparison.labels
    shapes = [r.table.to_crs(4326) for r in comparison.results]
    minx, miny, maxx, maxy = shapes[0].total_bounds
    fmap = folium.Map(
        location=((miny + maxy) / 2, (minx + maxx) / 2),
        zoom_start=9,
        tiles=None,
        control_scale=True,
    )
    if basemap in _TILES:
        url, attribution = _TILES[basemap]
        folium.TileLayer(url, attr=attribution, control=False).add_to(fmap)
    for i, (label, result, shape) in enumerate(
        zip(labels, comparison.results, shapes, strict=True)
    ):
        group = folium.FeatureGroup(
            # Base layers: the layer control shows them as radio buttons, one at a time.
            name=html.escape(f"{label}: {result.scenario.name}"),
            overlay=False,
            show=i == 0,
        )
        features = []
        for key, geom, score, excluded in zip(
            shape[result.id_column],
            shape.geometry,
            shape["total_score"],
            shape["excluded"],
            strict=True,
        ):
            row = table.loc[key]
            name = row["name"] if "name" in table.columns else key
            rank = row[f"{label}_rank"]
            shift = row.get(f"{label}_rank_shift")
            moved = f" ({int(shift):+d} vs {labels[0]})" if not _missing(shift) else ""
            popup = "".join(
                f"<tr><td>{html.escape(other)}</td><td>{_fmt_rank(row[f'{other}_rank'])}</td>"
                f"<td>{row[f'{other}_score']:.3f}</td></tr>"
                for other in labels
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": geom.__geo_interface__,
                    "properties": {
                        "colour": _colour(float(score), bool(excluded)),
                        "tip": f"{html.escape(str(name))} · {_fmt_rank(rank)}{moved}",
                        "card": (
                            f"<b>{html.escape(str(name))}</b><table>"
                            "<tr><th>scenario</th><th>rank</th><th>score</th></tr>"
                            f"{popup}</table>"
                        ),
                    },
                }
            )
        folium.GeoJson(
            json.loads(json.dumps({"type": "FeatureCollection", "features": features})),
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "color": "#202020",
                "weight": 1.2,
                "fillOpacity": 0.75,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            popup=folium.GeoJsonPopup(fields=["card"], labels=False),
        ).add_to(group)
        if len(shape) <= MAX_BADGES:
            for geom, rank in zip(shape.geometry, shape["rank"], strict=True):
                point = geom.representative_point()
                badge = "&times;" if _missing(rank) else f"#{int(rank)}"
                folium.Marker(
                    location=(point.y, point.x),
                    icon=folium.DivIcon(
                        html=(
                            "<div style='font:bold 12px sans-serif;color:#fff;background:#202020;"
                            "border-radius:10px;padding:1px 6px;display:inline-block;"
                            f"white-space:nowrap'>{badge}</div>"
                        ),
                        icon_size=(34, 18),
                        icon_anchor=(17, 9),
                    ),
                ).add_to(group)
        group.add_to(fmap)
    cm.StepColormap(
        list(PALETTE),
        vmin=0.0,
        vmax=1.0,
        index=[i / len(PALETTE) for i in range(len(PALETTE) + 1)],
        caption="Total suitability score (0 = worst, 1 = best); grey = excluded",
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([(miny, minx), (maxy, maxx)], padding=(20, 20))
    return fmap
