"""Interactive folium maps of a result: candidates coloured by score, with their score cards.

Every text that comes from data (names, ids, reasons) is HTML-escaped before it reaches the
page, so a feature named ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING, Any, Literal

import branca.colormap as cm
import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geosite.errors import ParameterError

if TYPE_CHECKING:
    from geosite.analysis import CriterionSummary, Result

__all__ = ["format_value", "result_to_map"]

#: Colour-blind-safe sequential palette (viridis, 5 classes), low to high.
PALETTE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
EXCLUDED_COLOUR = "#9e9e9e"

Basemap = Literal["light", "osm", "satellite", "none"]
Scheme = Literal["equal_interval", "quantiles", "natural_breaks"]

_BASEMAPS: dict[str, tuple[str, str, str]] = {
    "light": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "Light (CARTO)",
        (
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>'
        ),
    ),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "OpenStreetMap",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Satellite (Esri)",
        (
            "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, "
            "and the GIS User Community"
        ),
    ),
}


def format_value(value: float | None, unit: str) -> str:
    """Format a raw criterion value with its unit for people.

    Examples
    --------
    >>> format_value(12345.6, "m"), format_value(42.25, "min"), format_value(3.0, "count")
    ('12.3 km', '42.2 min', '3')
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "m" and abs(value) >= 1000:
        return f"{value / 1000:,.1f} km"
    formats = {
        "m": "{:,.0f} m",
        "min": "{:,.1f} min",
        "count": "{:,.0f}",
        "ha": "{:,.1f} ha",
        "": "{:,.4g}",
    }
    if unit == "share":
        return f"{100 * value:.1f} %"
    return formats.get(unit, "{:,.4g} " + unit).format(value)


def _breaks(scores: np.ndarray, scheme: Scheme, k: int) -> list[float]:
    finite = scores[np.isfinite(scores)]
    if scheme == "equal_interval" or len(np.unique(finite)) <= k:
        return [round((i + 1) / k, 6) for i in range(k)]
    classifier = (
        mapclassify.Quantiles(finite, k=k)
        if scheme == "quantiles"
        else mapclassify.NaturalBreaks(finite, k=k)
    )
    bins = [float(b) for b in classifier.bins]
    bins[-1] = max(bins[-1], 1.0)
    return bins


def _class_colour(score: float, bins: list[float], palette: tuple[str, ...]) -> str:
    for i, upper in enumerate(bins):
        if score <= upper + 1e-12:
            return palette[i]
    return palette[-1]


def _records(table: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return the table's rows as dicts, with missing values (NaN, NA) as ``None``."""
    frame = pd.DataFrame(table.drop(columns=table.geometry.name)).astype(object)
    return [
        {str(k): (None if pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _score_card(row: dict[str, Any], result: Result) -> str:
    """Return the popup HTML of one candidate: its rank and per-criterion breakdown."""
    esc = html.escape
    title = esc(str(row[result.name_column or result.id_column]))
    rank = row["rank"]
    status = (
        f"Rank <b>{int(rank)}</b> &middot; total score <b>{float(row['total_score']):.3f}</b>"
        if rank is not None
        else f"<b>Excluded</b>: {esc(str(row['exclusion_reason']))}"
    )
    head = f"<b>{title}</b><br><small>id {esc(str(row[result.id_column]))}</small><br>{status}"
    rows = []
    for s in result.criteria:
        raw = row[s.raw_column]
        score = row[f"{s.name}_score"]
        width = round(100 * float(score)) if _finite(score) else 0
        rows.append(
            "<tr>"
            f"<td>{esc(s.title)}</td>"
            f"<td style='text-align:right'>{esc(format_value(raw, s.unit))}</td>"
            f"<td style='text-align:right'>{_fmt(score)}</td>"
            f"<td style='text-align:right'>{s.weight:.2f}</td>"
            f"<td style='text-align:right'>{_fmt(row[f'{s.name}_contribution'])}</td>"
            f"<td><div style='background:#21918c;height:8px;width:{width}px'></div></td>"
            "</tr>"
        )
    table = (
        "<table style='font-size:12px;border-collapse:collapse'>"
        "<tr><th style='text-align:left'>criterion</th><th>raw</th><th>score</th>"
        "<th>weight</th><th>contrib.</th><th>score bar</th></tr>" + "".join(rows) + "</table>"
    )
    return f"<div class='geosite-scorecard'>{head}<br>{table}</div>"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(float(value))


def _fmt(value: Any) -> str:
    return f"{float(value):.3f}" if _finite(value) else "n/a"


class _Attribution(MacroElement):
    """Add data-source attributions to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for text in this.texts %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, texts: list[str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Attribution"
        self.texts = texts


def _feature_layer(summary: CriterionSummary, colour: str) -> folium.FeatureGroup | None:
    features = summary.features
    if features is None or len(features) == 0:
        return None
    group = folium.FeatureGroup(name=f"Measured to: {html.escape(summary.title)}", show=True)
    gdf = features.to_crs(4326)
    label_col = next((c for c in ("name", "name_en") if c in gdf.columns), None)
    points = gdf.geom_type.isin(["Point"]).to_numpy()
    for geom, label in zip(
        gdf.geometry[points],
        gdf[label_col][points] if label_col else [""] * int(points.sum()),
        strict=True,
    ):
        folium.CircleMarker(
            location=(geom.y, geom.x),
            radius=6,
            color="#222222",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
            tooltip=html.escape(str(label)) if label else None,
        ).add_to(group)
    others = gdf.loc[~points]
    route = _is_route(summary)
    if len(others):
        wanted = ("name", "ref", "class", "candidate", "facility", "cost_min", "cost_m")
        keep = [c for c in wanted if c in others.columns]
        folium.GeoJson(
            others[[*keep, "geometry"]].to_json(drop_id=True),
            name=summary.title,
            style_function=lambda _f: {
                "color": colour,
                "weight": 4 if route else 2,
                "opacity": 0.9,
                "fillOpacity": 0.2,
            },
            tooltip=folium.GeoJsonTooltip(fields=keep) if keep else None,
        ).add_to(group)
    return group


def _is_route(summary: CriterionSummary) -> bool:
    """Return whether a criterion's features are routes from candidates to facilities."""
    return summary.features is not None and "facility" in summary.features.columns


_FEATURE_COLOURS = ("#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1b9e77")


def result_to_map(
    result: Result,
    *,
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    show_features: bool = True,
) -> folium.Map:
    """Draw a result as an interactive folium map.

    Parameters
    ----------
    result
        The evaluated scenario.
    basemap
        Background tiles shown first (the others stay selectable in the layer control);
        ``"none"`` for no tiles.
    scheme
        How total scores are classed for colouring: ``"equal_interval"`` over [0, 1]
        (comparable between scenarios), or ``"quantiles"`` / ``"natural_breaks"`` of the
        scores present (mapclassify).
    classes
        Number of colour classes, 2 to 5.
    show_features
        Draw, for each criterion, the features it measured to (ports, airports, roads...).

    Returns
    -------
    folium.Map
        A map to customise further or save with ``.save("map.html")``.

    Examples
    --------
    >>> from geosite import evaluate
    >>> m = result_to_map(evaluate("dong-nam-bo"))
    >>> type(m).__name__
    'Map'
    """
    if not 2 <= classes <= len(PALETTE):
        msg = f"classes must be between 2 and {len(PALETTE)}, got {classes!r}"
        raise ParameterError(msg)
    if basemap not in {*_BASEMAPS, "none"}:
        msg = f"basemap must be one of {[*_BASEMAPS, 'none']}, got {basemap!r}"
        raise ParameterError(msg)
    table = result.table.to_crs(4326)
    minx, miny, maxx, maxy = table.total_bounds
    fmap = folium.Map(
        location=((miny + maxy) / 2, (minx + maxx) / 2),
        zoom_start=9,
        tiles=None,
        control_scale=True,
    )
    order = [basemap] + [b for b in _BASEMAPS if b != basemap] if basemap != "none" else []
    for i, key in enumerate(order):
        url, name, attr = _BASEMAPS[key]
        folium.TileLayer(
            url, name=name, attr=attr, show=i == 0, overlay=False, control=True
        ).add_to(fmap)

    scores = table["total_score"].to_numpy(dtype=float)
    palette = (
        PALETTE
        if classes == len(PALETTE)
        else tuple(PALETTE[round(i * (len(PALETTE) - 1) / (classes - 1))] for i in range(classes))
    )
    bins = _breaks(scores, scheme, classes)
    colours = [
        EXCLUDED_COLOUR if bool(excl) or not math.isfinite(sc) else _class_colour(sc, bins, palette)
        for sc, excl in zip(scores, table["excluded"], strict=True)
    ]

    candidates = folium.FeatureGroup(name="Candidates (total score)", show=True)
    labels = folium.FeatureGroup(name="Rank labels", show=True)
    for row, geom, colour in zip(_records(table), table.geometry, colours, strict=True):
        name = row[result.name_column] if result.name_column else row[result.id_column]
        rank = row["rank"]
        tooltip = html.escape(str(name)) + (
            f" &middot; rank {int(rank)}" if rank is not None else " &middot; excluded"
        )
        folium.GeoJson(
            json.loads(gpd.GeoSeries([geom], crs=4326).to_json()),
            style_function=lambda _f, c=colour: {
                "fillColor": c,
                "color": "#202020",
                "weight": 1.5,
                "fillOpacity": 0.75,
            },
            tooltip=tooltip,
        ).add_child(folium.Popup(_score_card(row, result), max_width=520)).add_to(candidates)
        point = geom.representative_point()
        badge = f"#{int(rank)}" if rank is not None else "&times;"
        folium.Marker(
            location=(point.y, point.x),
            icon=folium.DivIcon(
                html=(
                    "<div class='geosite-rank' style='font:bold 12px sans-serif;color:#fff;"
                    "background:#202020;border-radius:10px;padding:1px 6px;"
                    f"display:inline-block;white-space:nowrap'>{badge}</div>"
                ),
                icon_size=(34, 18),
                icon_anchor=(17, 9),
            ),
            tooltip=tooltip,
        ).add_to(labels)
    candidates.add_to(fmap)
    labels.add_to(fmap)

    if show_features:
        # Routes go on top of the reference features (roads) they follow.
        criteria = sorted(enumerate(result.criteria), key=lambda item: _is_route(item[1]))
        for i, summary in criteria:
            group = _feature_layer(summary, _FEATURE_COLOURS[i % len(_FEATURE_COLOURS)])
            if group is not None:
                group.add_to(fmap)

    legend = cm.StepColormap(
        list(palette),
        vmin=0.0,
        vmax=1.0,
        index=[0.0, *bins],
        caption="Total suitability score (0 = worst, 1 = best)",
    )
    legend.add_to(fmap)
    attributions = sorted({html.escape(u.attribution) for u in result.layers if u.attribution})
    if attributions:
        _Attribution(attributions).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([(miny, minx), (maxy, maxx)], padding=(20, 20))
    return fmap
