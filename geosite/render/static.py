"""Static figures for print (matplotlib, PNG): maps, value-function curves, contributions.

Figures are drawn with matplotlib's object API (no ``pyplot`` state), in the metric analysis
CRS, so distances on the page are true. No background tiles are downloaded: the maps show
the candidates and the features the criteria measured, with a scale bar and a north arrow.
"""

from __future__ import annotations

import logging
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from geosite.i18n import check_language, localized
from geosite.render.context import (
    OTHER_ROAD_COLOUR,
    ROAD_COLOURS,
    ContextLayer,
    Shape,
    context_layers,
    frame_bounds,
)
from geosite.render.map import (
    EXCLUDED_COLOUR,
    UNIT_EDGE,
    UNIT_FILL_OPACITY,
    Scheme,
    _feature_colour,
    _palette,
    classify_scores,
)
from geosite.render.text import format_number, tr

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from matplotlib.axes import Axes

    from geosite.analysis import CriterionSummary, Result

__all__ = [
    "contributions_figure",
    "legend_entries",
    "sensitivity_figure",
    "static_map",
    "value_function_figure",
]

logger = logging.getLogger(__name__)

DPI = 150


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, format="png")
    return path


def _scale_bar(ax: Axes) -> None:
    """Draw a scale bar of a round length in the lower left (axes in metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    magnitude = 10 ** math.floor(math.log10(target))
    length = max(s * magnitude for s in (1, 2, 5) if s * magnitude <= target)
    x, y = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + 0.015 * (y1 - y0), label, ha="center", va="bottom", fontsize=8)
    ax.annotate(
        "N",
        xy=(0.96, 0.95),
        xytext=(0.96, 0.85),
        xycoords="axes fraction",
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )


def static_map(
    result: Result,
    path: Path,
    *,
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    max_labels: int = 30,
    lang: str = "en",
    overlays: Sequence[ContextLayer] = (),
) -> Path:
    """Draw the candidates coloured by total score, ranks and measured features, as a PNG.

    The map shows what the web map shows (:func:`geosite.render.context.context_layers`):
    constraint zones, roads by class, the facilities measured to and the routes to them, each
    with its legend entry; it frames the candidates and every facility they were measured to,
    and names the source of every layer drawn.

    Parameters
    ----------
    result
        The evaluated scenario.
    path
        PNG file to write.
    scheme, classes
        Score classes, as for :func:`geosite.render.result_to_map`.
    max_labels
        Rank labels for at most this many best candidates.
    lang
        Language of the legend.
    overlays
        Layers of your own drawn under everything else, each with its legend entries, as
        on the web map (:func:`geosite.render.context.zone_layers`).

    Returns
    -------
    Path
        ``path``.
    """
    table = result.table
    scores = np.where(table["excluded"], np.nan, table["total_score"].to_numpy(float))
    bins, cls = classify_scores(scores, scheme=scheme, classes=classes)
    palette = _palette(classes)
    colours = [EXCLUDED_COLOUR if c < 0 else palette[c] for c in cls]
    layers = context_layers([result], lang, overlays=overlays)
    fig = Figure(figsize=(11.5, 8), layout="constrained")
    ax = fig.add_subplot()
    entries: list[tuple[Any, str]] = []
    for layer in layers:
        entries += _draw_layer(ax, layer, result.crs, lang)
    table.plot(ax=ax, color=colours, edgecolor="#202020", linewidth=0.5, zorder=4)
    _frame(ax, result, layers)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylabel("")
    _scale_bar(ax)
    lows = [0.0, *bins[:-1]]
    score_handles = [
        Patch(
            facecolor=palette[k],
            edgecolor="#202020",
            label=f"{format_number(lows[k], 2, lang)} – {format_number(bins[k], 2, lang)}",  # noqa: RUF001
        )
        for k in reversed(range(classes))
    ]
    if bool(table["excluded"].any()):
        score_handles.append(
            Patch(
                facecolor=EXCLUDED_COLOUR,
                edgecolor="#202020",
                label=tr("map.legend.excluded", lang),
            )
        )
    fig.legend(
        [*score_handles, *(symbol for symbol, _ in entries)],
        [str(h.get_label()) for h in score_handles] + [label for _, label in entries],
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)},
        title=tr("map.legend.title", lang),
        loc="outside right upper",
        fontsize=8,
        title_fontsize=8,
        framealpha=0.9,
    )
    ax.set_title(localized(result.scenario.name, lang), fontsize=11)  # type: ignore[arg-type]
    sources = sorted({u.attribution for u in result.layers if u.attribution})
    footer = f"{result.crs.name} · {tr('report.no_basemap', lang)}"
    if sources:
        label = tr("map.sources", lang) + ":" if lang == "en" else tr("map.sources.quoted", lang)
        footer += "\n" + label + " " + "; ".join(sources)
    # As the axis label, so the layout keeps room for it under the map.
    lines = [w for part in footer.split("\n") for w in textwrap.wrap(part, 150)]
    ax.set_xlabel("\n".join(lines), fontsize=6, color="#444", loc="left")
    _rank_labels(fig, ax, table.head(min(len(table), max_labels)))
    return _save(fig, path)


def label_text(ranks: Sequence[int], crosses: int = 0) -> str:
    """Return the text of a rank label that stands for several candidates.

    Runs of three or more ranks are written as a range; excluded candidates as a cross,
    as on the web map (``js/geosite.js``).

    Examples
    --------
    >>> label_text([1, 2]), label_text([3, 4, 5, 9], crosses=1)
    ('#1 #2', '#3–5 #9 ×')
    """  # noqa: RUF002 - the en dash and the cross are the label's own characters
    parts: list[str] = []
    ranks = sorted(ranks)
    k = 0
    while k < len(ranks):
        j = k
        while j + 1 < len(ranks) and ranks[j + 1] == ranks[j] + 1:
            j += 1
        if j > k + 1:
            parts.append(f"#{ranks[k]}\u2013{ranks[j]}")
        else:
            parts += [f"#{r}" for r in ranks[k : j + 1]]
        k = j + 1
    return " ".join(parts + ["\u00d7"] * crosses)


@dataclass
class _Label:
    at: tuple[float, float]
    ranks: list[int]
    crosses: int


def _best(label: _Label) -> float:
    return min(label.ranks) if label.ranks else math.inf


def _rank_labels(fig: Figure, ax: Axes, rows: gpd.GeoDataFrame) -> None:
    """Label candidates with their ranks, joining labels that would touch into one.

    Labels are placed best rank first; one that would overlap a label already placed joins
    it ("#1 #2"), at the place of the better rank, and the wider label may join others in
    turn: the rule of the web map. Sizes are measured in the laid-out figure, so no two
    labels of the printed map overlap. (adjustText moves labels apart iteratively but does
    not promise that none overlap, and a print map should match the web map's labels.)
    """
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # settle the layout: label boxes are measured in it
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    style: dict[str, Any] = {
        "xytext": (0, 7),
        "textcoords": "offset points",
        "ha": "center",
        "fontsize": 7,
        "color": "white",
        "bbox": {"boxstyle": "round,pad=0.2", "fc": "#202020", "ec": "none", "alpha": 0.85},
        "zorder": 5,
        "annotation_clip": False,
        "in_layout": False,
        "gid": "geosite-rank",
    }

    def box(label: _Label) -> Any:
        text = ax.annotate(label_text(label.ranks, label.crosses), label.at, **style)
        extent = text.get_window_extent(renderer)
        text.remove()
        # The round box around the text reaches its pad (0.2 of the font size) further.
        return extent.padded(0.2 * 7 * fig.dpi / 72 + 1.0)

    items = []
    for geometry, rank, excluded in zip(rows.geometry, rows["rank"], rows["excluded"], strict=True):
        point = geometry.representative_point()
        ok = not (excluded or pd.isna(rank))
        items.append(_Label((point.x, point.y), [int(rank)] if ok else [], 0 if ok else 1))
    items.sort(key=_best)
    placed: list[tuple[_Label, Any]] = []
    for item in items:
        label, extent = item, box(item)
        while True:
            hit = next((k for k, (_, other) in enumerate(placed) if other.overlaps(extent)), None)
            if hit is None:
                break
            other, _ = placed.pop(hit)
            # The better ranked of the two keeps its place; the other joins it.
            into, out = (other, label) if _best(other) <= _best(label) else (label, other)
            into.ranks += out.ranks
            into.crosses += out.crosses
            label, extent = into, box(into)
        placed.append((label, extent))
    for label, _ in placed:
        ax.annotate(label_text(label.ranks, label.crosses), label.at, **style)


def _wrap(text: str, width: int = 44) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


#: Fill of drawn facility outlines (polygons) on the print map, as ``alpha``.
FACILITY_FILL_ALPHA = 0.4
#: Fill of administrative units (overlays), as on the web map.
UNIT_FILL_ALPHA = UNIT_FILL_OPACITY


def _symbol(layer: ContextLayer, shape: Shape) -> Any:
    """Return the legend symbol of one kind of geometry of a layer, styled as it is drawn."""
    colour = layer.colour
    if layer.kind == "zone":
        return Patch(facecolor=(0.7, 0.09, 0.17, 0.12), edgecolor=colour, linestyle="--")
    if shape == "polygon":
        return Patch(
            facecolor=to_rgba(colour, FACILITY_FILL_ALPHA), edgecolor=colour, linewidth=0.6
        )
    if shape == "line":
        dashed = layer.kind == "routes"
        return Line2D([], [], color=colour, linewidth=1.4, linestyle="--" if dashed else "-")
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=6,
        markerfacecolor=colour,
        markeredgecolor="#222222",
    )


def legend_entries(layer: ContextLayer, lang: str = "en") -> list[tuple[Any, str]]:
    """Return a drawn layer's legend entries as (symbol, label) pairs.

    A symbol matches what the layer draws (:attr:`ContextLayer.shapes`): a filled patch for
    polygons, a line for lines, a marker for points; a layer of several kinds gets a tuple of
    symbols in one entry. Roads get one line per class.
    """
    if layer.kind == "roads":
        return [
            (
                Line2D([], [], color=ROAD_COLOURS.get(c, OTHER_ROAD_COLOUR), linewidth=1.5),
                _wrap(f"{layer.name}: {tr(f'road.{c}', lang)}"),
            )
            for c in layer.classes
        ]
    if layer.kind == "units":
        return [
            (
                Patch(facecolor=to_rgba(fill, UNIT_FILL_ALPHA), edgecolor=UNIT_EDGE, linewidth=0.6),
                _wrap(f"{layer.name}: {text}"),
            )
            for fill, text in layer.steps
        ]
    symbols = [_symbol(layer, shape) for shape in layer.shapes]
    if not symbols:
        return []
    return [(symbols[0] if len(symbols) == 1 else tuple(symbols), _wrap(layer.name))]


def _draw_layer(ax: Axes, layer: ContextLayer, crs: Any, lang: str) -> list[tuple[Any, str]]:
    """Draw one context layer; return its legend entries."""
    features = layer.features.to_crs(crs)
    if layer.kind == "zone":
        features.plot(
            ax=ax,
            facecolor=(0.7, 0.09, 0.17, 0.12),
            edgecolor=layer.colour,
            linestyle="--",
            linewidth=1,
            zorder=0,
        )
    elif layer.kind == "units":
        features.plot(
            ax=ax,
            color=[to_rgba(fill, UNIT_FILL_ALPHA) for fill in layer.fills],
            edgecolor=UNIT_EDGE,
            linewidth=0.6,
            zorder=0,
        )
    elif layer.kind == "roads":
        classes = features["class"].astype(str)
        colour = [ROAD_COLOURS.get(c, OTHER_ROAD_COLOUR) for c in classes]
        features.plot(ax=ax, color=colour, linewidth=0.8, zorder=1)
    elif layer.kind == "routes":
        features.plot(ax=ax, color=layer.colour, linewidth=1.4, linestyle="--", alpha=0.9, zorder=2)
    else:
        kinds = features.geom_type.to_numpy(str)
        points = np.char.find(kinds, "Point") >= 0
        lines = np.char.find(kinds, "Line") >= 0
        if (~points & ~lines).any():
            features.loc[~points & ~lines].plot(
                ax=ax,
                facecolor=to_rgba(layer.colour, FACILITY_FILL_ALPHA),
                edgecolor=layer.colour,
                linewidth=0.6,
                zorder=3,
            )
        if lines.any():
            features.loc[lines].plot(ax=ax, color=layer.colour, linewidth=1.4, zorder=3)
        if points.any():
            features.loc[points].plot(
                ax=ax,
                color=layer.colour,
                markersize=22,
                edgecolor="#222222",
                linewidth=0.5,
                zorder=3,
            )
    return legend_entries(layer, lang)


def _frame(ax: Axes, result: Result, layers: list[ContextLayer]) -> None:
    """Set the extent: the candidates and every facility they were measured to, padded."""
    wgs = frame_bounds([result], layers)
    box = gpd.GeoSeries([shapely.box(*wgs)], crs=4326).to_crs(result.crs)
    minx, miny, maxx, maxy = box.total_bounds
    pad = max(maxx - minx, maxy - miny, 2000.0) * 0.08
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)


def value_function_figure(
    summary: CriterionSummary, values: Any, path: Path, *, lang: str = "en"
) -> Path:
    """Plot a criterion's value function over its plot range, with the candidates on it.

    Parameters
    ----------
    summary
        The criterion (its value function has ``plot_range()`` and ``formula()``).
    values
        The candidates' raw values, drawn as dots on the curve.
    path
        PNG file to write.
    lang
        Language of the axis labels.

    Returns
    -------
    Path
        ``path``.
    """
    function = summary.criterion.value
    fig = Figure(figsize=(5.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    raw = np.asarray(values, dtype=float) if _numeric(values) else None
    try:
        lo, hi = function.plot_range()
    except TypeError:
        categories = getattr(function, "categories", {})
        ax.bar([str(k) for k in categories], list(categories.values()), color="#21918c")
        ax.set_ylabel(tr("card.score", lang))
    else:
        if raw is not None and np.isfinite(raw).any():
            lo = min(lo, float(np.nanmin(raw)))
            hi = max(hi, float(np.nanmax(raw)))
        x = np.linspace(lo, hi, 400)
        ax.plot(x, function(x), color="#3b528b", linewidth=2)
        if raw is not None:
            ok = np.isfinite(raw)
            ax.scatter(
                raw[ok], function(raw[ok]), color="#fde725", edgecolor="#202020", zorder=3, s=22
            )
        unit = f" ({summary.unit})" if summary.unit else ""
        ax.set_xlabel(f"{tr('card.raw', lang)}{unit}")
        ax.set_ylabel(tr("card.score", lang))
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.set_title(localized(summary.title, lang), fontsize=9)  # type: ignore[arg-type]
    return _save(fig, path)


def _numeric(values: Any) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def contributions_figure(result: Result, path: Path, *, top: int = 20, lang: str = "en") -> Path:
    """Draw stacked bars of each criterion's contribution for the best ``top`` candidates."""
    ranked = result.ranked.head(top)
    fig = Figure(figsize=(8.5, 0.9 + 0.32 * max(len(ranked), 1)), layout="constrained")
    ax = fig.add_subplot()
    label_col = result.name_column or result.id_column
    names = [
        f"#{int(r)} {str(n)[:40]}" for r, n in zip(ranked["rank"], ranked[label_col], strict=True)
    ]
    left = np.zeros(len(ranked))
    for i, summary in enumerate(result.criteria):
        part = np.nan_to_num(ranked[f"{summary.name}_contribution"].to_numpy(float))
        ax.barh(
            names,
            part,
            left=left,
            color=_feature_colour(i),
            label=localized(summary.title, check_language(lang))[:50],
        )
        left += part
    ax.invert_yaxis()
    ax.set_xlabel(tr("card.contribution", lang))
    ax.legend(fontsize=7, loc="lower right", framealpha=0.9)
    ax.tick_params(axis="y", labelsize=7)
    return _save(fig, path)


def sensitivity_figure(
    frame: pd.DataFrame, path: Path, *, label: str, top: int = 20, xlabel: str = "rank"
) -> Path | None:
    """Draw each candidate's rank interval over weight draws, if ``frame`` has one."""
    needed = {"rank_min", "rank_max"}
    if not needed <= set(frame.columns) or frame.empty:
        return None
    rows = frame.loc[frame["rank_min"].notna()]
    if "rank" in rows.columns:
        rows = rows.sort_values("rank")
    rows = rows.head(top)
    fig = Figure(figsize=(8.5, 0.9 + 0.32 * max(len(rows), 1)), layout="constrained")
    ax = fig.add_subplot()
    names = (
        [str(v)[:40] for v in rows[label]]
        if label in rows.columns
        else [str(i) for i in rows.index]
    )
    y = np.arange(len(rows))
    ax.hlines(y, rows["rank_min"], rows["rank_max"], color="#3b528b", linewidth=2)
    if {"rank_p05", "rank_p95"} <= set(rows.columns):
        ax.hlines(y, rows["rank_p05"], rows["rank_p95"], color="#21918c", linewidth=6)
    if "rank" in rows.columns:
        ax.scatter(rows["rank"], y, color="#fde725", edgecolor="#202020", zorder=3)
    ax.set_yticks(y, names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)
