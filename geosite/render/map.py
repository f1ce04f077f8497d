"""Interactive folium maps of results: candidates coloured by score, with their score cards.

Large inputs stay usable: candidate geometries are simplified and rounded for display and
written with :func:`shapely.to_geojson`; every candidate's numbers travel once, as compact
arrays, and the browser styles each shape from its class and builds its score card when it is
opened (``geosite/render/js/geosite.js``). folium's ``style_function``, which writes one
style case per feature, is never used. Above :data:`CANVAS_FROM` candidates the shapes are
drawn on a canvas instead of as SVG elements.

Every text that comes from data (names, ids, reasons) is escaped before it is shown, so a
feature named ``<script>`` shows as text.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import folium
import folium.plugins
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from jinja2 import Template

from geosite.errors import GeositeError, ParameterError
from geosite.render.assets import drop_unused_defaults, make_offline
from geosite.render.text import format_number, format_value, tr
from geosite.render.whatif import add_what_if
from geosite.result.scorecard import score_cards

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from geosite.analysis import CriterionSummary, Result

__all__ = [
    "CANVAS_FROM",
    "EXCLUDED_COLOUR",
    "PALETTE",
    "classify_scores",
    "display_geojson",
    "format_value",
    "result_to_map",
    "results_to_map",
]

logger = logging.getLogger(__name__)

#: Colour-blind-safe sequential palette (viridis, 5 classes), low to high.
PALETTE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
EXCLUDED_COLOUR = "#9e9e9e"
#: From this many candidates on, shapes are drawn on a canvas (faster) rather than as SVG.
CANVAS_FROM = 2000
#: Default size budget: candidates drawn at most (the best first).
MAX_SHAPES = 50_000
#: Decimal places of longitude/latitude written for display: about 1 m.
COORD_DIGITS = 5

Basemap = Literal["light", "osm", "satellite", "none"]
Scheme = Literal["equal_interval", "quantiles", "natural_breaks"]
Layout = Literal["layers", "side_by_side"]

_BASEMAPS: dict[str, tuple[str, str]] = {
    "light": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        (
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>'
        ),
    ),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        (
            "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, "
            "and the GIS User Community"
        ),
    ),
}

#: Colours of road classes (OSM ``highway`` values); other classes are grey.
ROAD_COLOURS = {
    "motorway": "#7f2704",
    "trunk": "#d94801",
    "primary": "#fd8d3c",
    "secondary": "#807dba",
    "tertiary": "#9e9ac8",
}
_FEATURE_COLOURS = ("#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1b9e77")
_ZONE_COLOUR = "#b2182b"

_CSS = """
<style>
.geosite-scorecard{font:12px/1.35 sans-serif}
.geosite-card{border-collapse:collapse;margin-top:4px}
.geosite-card th{text-align:left;font-weight:600;padding:1px 4px;border-bottom:1px solid #ccc}
.geosite-card td{padding:1px 4px}
.geosite-card td.n{text-align:right;white-space:nowrap}
.geosite-bar{display:inline-block;height:8px;background:#21918c;margin-right:4px;vertical-align:middle}
.geosite-rank{font:bold 11px/16px sans-serif;color:#fff;background:rgba(32,32,32,.85);
 border-radius:8px;text-align:center}
.geosite-legend{background:rgba(255,255,255,.92);padding:6px 8px;font:12px/1.4 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:260px}
.geosite-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;
 vertical-align:middle}
.geosite-legend i.line{height:3px}
.geosite-legend .note{color:#555;font-style:italic}
.leaflet-control-attribution{max-width:55%}
</style>
"""


def _js_json(value: Any) -> str:
    """Serialise for a ``<script>`` block: no ``</script>`` or HTML comment can break out."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _clean(value: Any) -> Any:
    """Return ``value`` as plain JSON data: NaN and NA as ``None``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def display_geojson(
    geometries: gpd.GeoSeries, *, simplify_m: float = 1.0, digits: int = COORD_DIGITS
) -> npt.NDArray[np.str_]:
    """Return one GeoJSON geometry string per geometry, simplified and rounded for display.

    Parameters
    ----------
    geometries
        Geometries with a CRS; simplified in it when it is projected, then projected to
        WGS 84.
    simplify_m
        Simplification tolerance in metres (Douglas-Peucker, topology preserved); ``0``
        keeps every vertex. Geometries that would vanish are kept as they are.
    digits
        Decimal places of longitude and latitude (5 is about 1 m).

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoSeries([box(690000, 1190000, 690400.4, 1190400)], crs=32648)
    >>> display_geojson(s)[0][:40]
    '{"type":"Polygon","coordinates":[[[106.7'
    """
    if simplify_m < 0 or not math.isfinite(simplify_m):
        msg = f"simplify_m must be a finite number of metres >= 0, got {simplify_m!r}"
        raise ParameterError(msg)
    series = geometries
    if simplify_m > 0 and series.crs is not None and series.crs.is_projected:
        arr = np.asarray(series.array)
        simple = shapely.simplify(arr, simplify_m, preserve_topology=True)
        simple = np.where(shapely.is_empty(simple) & ~shapely.is_empty(arr), arr, simple)
        series = gpd.GeoSeries(simple, crs=series.crs, index=series.index)
    wgs = np.asarray(series.to_crs(4326).array)
    rounded = shapely.transform(wgs, lambda xy: np.round(xy, digits))
    return np.asarray(shapely.to_geojson(rounded), dtype=str)


def _feature_collection(
    geometries: npt.NDArray[np.str_], properties: Sequence[dict[str, Any]]
) -> str:
    features = ",".join(
        f'{{"type":"Feature","properties":{_js_json(p)},"geometry":{g}}}'
        for g, p in zip(geometries, properties, strict=True)
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


def classify_scores(
    scores: npt.ArrayLike, *, scheme: Scheme = "equal_interval", classes: int = 5
) -> tuple[list[float], npt.NDArray[np.int64]]:
    """Class total scores for colouring: upper bounds of the classes and each score's class.

    Parameters
    ----------
    scores
        Total scores in [0, 1]; NaN (excluded) gets class ``-1``.
    scheme
        ``"equal_interval"`` over [0, 1] (comparable between scenarios), or
        ``"quantiles"`` / ``"natural_breaks"`` (mapclassify) of the scores present.
    classes
        Number of classes, 2 to 5.

    Examples
    --------
    >>> bins, cls = classify_scores([0.1, 0.5, 0.95, float("nan")], classes=5)
    >>> bins, cls.tolist()
    ([0.2, 0.4, 0.6, 0.8, 1.0], [0, 2, 4, -1])
    """
    if not 2 <= classes <= len(PALETTE):
        msg = f"classes must be between 2 and {len(PALETTE)}, got {classes!r}"
        raise ParameterError(msg)
    if scheme not in {"equal_interval", "quantiles", "natural_breaks"}:
        msg = (
            f"scheme must be one of 'equal_interval', 'quantiles', 'natural_breaks', got {scheme!r}"
        )
        raise ParameterError(msg)
    values = np.asarray(scores, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if scheme == "equal_interval" or len(np.unique(finite)) <= classes:
        bins = [round((i + 1) / classes, 6) for i in range(classes)]
    else:
        classifier = (
            mapclassify.Quantiles(finite, k=classes)
            if scheme == "quantiles"
            else mapclassify.NaturalBreaks(finite, k=classes)
        )
        bins = [float(b) for b in classifier.bins]
        bins[-1] = max(bins[-1], 1.0)
    edges = np.asarray(bins[:-1]) + 1e-12
    cls = np.searchsorted(edges, np.where(np.isfinite(values), values, 0.0), side="left")
    cls = np.where(np.isfinite(values), cls, -1).astype(np.int64)
    return bins, cls


def _feature_colour(i: int) -> str:
    """Return the colour of the ``i``-th criterion's features (and its contribution bars)."""
    return _FEATURE_COLOURS[i % len(_FEATURE_COLOURS)]


def _palette(classes: int) -> tuple[str, ...]:
    if classes == len(PALETTE):
        return PALETTE
    return tuple(PALETTE[round(i * (len(PALETTE) - 1) / (classes - 1))] for i in range(classes))


# --------------------------------------------------------------------------- map elements


class _Script(MacroElement):
    """A script that defines one variable from a ready JavaScript expression."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.js }};{% endmacro %}"
    )

    def __init__(self, js: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_data"
        self.js = js


class _JsLayer(Layer):
    """A Leaflet layer built by the geosite runtime, listed in the layer control."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.js }};{% endmacro %}"
    )

    def __init__(self, js: str, *, name: str, show: bool = True) -> None:
        # Leaflet's layer control writes names as HTML; names carry scenario text.
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "geosite_layer"
        self.js = js


class _Control(MacroElement):
    """A fixed HTML box on the map (the legend)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var c = L.control({position: {{ this.position|tojson }}});
          c.onAdd = function () {
            var div = L.DomUtil.create("div", "geosite-legend");
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          c.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str = "bottomright") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_legend"
        self.html = html_text
        self.position = position


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


def _add_runtime(fmap: folium.Map) -> None:
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium maps live in a figure
        msg = "the map is not inside a figure"
        raise TypeError(msg)
    runtime = (Path(__file__).with_name("js") / "geosite.js").read_text(encoding="utf-8")
    root.header.add_child(Element(_CSS), name="geosite_css")
    root.header.add_child(Element(f"<script>{runtime}</script>"), name="geosite_runtime")


# --------------------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class _Options:
    scheme: Scheme
    classes: int
    bins: tuple[float, ...]
    simplify_m: float
    max_labels: int
    lang: str
    renderer: str
    max_shapes: int


def _check_options(basemap: str, renderer: str, max_labels: int) -> None:
    if basemap not in {*_BASEMAPS, "none"}:
        msg = f"basemap must be one of {[*_BASEMAPS, 'none']}, got {basemap!r}"
        raise ParameterError(msg)
    if renderer not in {"auto", "svg", "canvas"}:
        msg = f"renderer must be one of 'auto', 'svg', 'canvas', got {renderer!r}"
        raise ParameterError(msg)
    if max_labels < 0:
        msg = f"max_labels must be >= 0, got {max_labels!r}"
        raise ParameterError(msg)


def _new_map(
    bounds: npt.NDArray[np.float64], basemap: str, *, offline: bool, lang: str, **kwargs: Any
) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    fmap = folium.Map(
        location=((miny + maxy) / 2, (minx + maxx) / 2),
        zoom_start=9,
        tiles=None,
        control_scale=True,
        **kwargs,
    )
    _add_tiles(fmap, basemap, offline=offline, lang=lang)
    return fmap


def _add_tiles(fmap: folium.Map, basemap: str, *, offline: bool, lang: str) -> None:
    if offline or basemap == "none":
        return
    order = [basemap] + [b for b in _BASEMAPS if b != basemap]
    for i, key in enumerate(order):
        url, attr = _BASEMAPS[key]
        folium.TileLayer(
            url, name=tr(f"basemap.{key}", lang), attr=attr, show=i == 0, overlay=False
        ).add_to(fmap)


def _add_tools(fmap: folium.Map, lang: str) -> None:
    folium.plugins.Fullscreen(  # type: ignore[no-untyped-call]
        position="topleft",
        title=tr("map.fullscreen", lang),
        title_cancel=tr("map.fullscreen.exit", lang),
    ).add_to(fmap)
    folium.plugins.MeasureControl(  # type: ignore[no-untyped-call]
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="hectares",
    ).add_to(fmap)


# --------------------------------------------------------------------------- candidates


#: Score cards compute the margin to the next rank for this many best candidates.
MARGIN_LIMIT = 1000


def _margins(result: Result, lang: str) -> list[list[str | None]]:
    """Return, per candidate and criterion, the signed raw change that moves it up one rank."""
    cards = score_cards(result, limit=MARGIN_LIMIT)
    criteria = [s.name for s in result.criteria]
    units = {s.name: s.unit for s in result.criteria}
    pivot = cards.pivot_table(
        index=result.id_column,
        columns="criterion",
        values="margin_to_next_rank",
        aggfunc="first",
        dropna=False,
    )
    pivot = pivot.reindex(index=result.table[result.id_column], columns=criteria)
    out: list[list[str | None]] = []
    for row in pivot.to_numpy(dtype=float):
        cells: list[str | None] = []
        for name, value in zip(criteria, row, strict=True):
            if not math.isfinite(value):
                cells.append(None)
                continue
            sign = "+" if value > 0 else "\u2212" if value < 0 else ""
            cells.append(sign + format_value(abs(value), units[name], lang))
        out.append(cells)
    return out


def _card_data(result: Result, lang: str, cls: npt.NDArray[np.int64], options: _Options) -> str:
    table = result.table
    name_col = result.name_column or result.id_column
    raw = np.column_stack(
        [
            np.array(
                [format_value(_clean(v), s.unit, lang) for v in table[s.raw_column]], dtype=object
            )
            for s in result.criteria
        ]
    )
    score = np.column_stack([table[f"{s.name}_score"].to_numpy(float) for s in result.criteria])
    contrib = np.column_stack(
        [table[f"{s.name}_contribution"].to_numpy(float) for s in result.criteria]
    )

    def rounded(a: npt.NDArray[np.float64], digits: int) -> list[list[float | None]]:
        r = np.round(a, digits).astype(object)
        r[~np.isfinite(a)] = None
        return r.tolist()  # type: ignore[no-any-return]

    margins = _margins(result, lang)
    ranks = table["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    totals = table["total_score"].to_numpy(dtype=float)
    payload = {
        "scenario": result.scenario.name,
        "criteria": [{"title": s.title, "weight": round(s.weight, 4)} for s in result.criteria],
        "palette": list(_palette(options.classes)),
        "excludedColour": EXCLUDED_COLOUR,
        "decimal": format_number(1.5, 1, lang)[1],
        "missing": format_number(None, 0, lang),
        "text": {
            k: tr(f"card.{k}", lang)
            for k in (
                "rank",
                "total",
                "excluded",
                "id",
                "criterion",
                "raw",
                "score",
                "weight",
                "contribution",
                "margin",
            )
        },
        "rows": {
            "name": [_clean(v) for v in table[name_col]],
            "id": [_clean(v) for v in table[result.id_column]],
            "rank": [int(r) if math.isfinite(r) else None for r in ranks],
            # Sent with spare digits: rounding here and again for display would round twice
            # (0.840462 -> 0.8405 -> 0.841).
            "total": [round(t, 6) if math.isfinite(t) else None for t in totals],
            "cls": cls.tolist(),
            "reason": [_clean(v) for v in table["exclusion_reason"]],
            "raw": raw.tolist(),
            "score": rounded(score, 6),
            "contrib": rounded(contrib, 6),
            "margin": margins,
        },
    }
    return _js_json(payload)


def _draw_candidates(
    fmap: folium.Map,
    result: Result,
    options: _Options,
    *,
    prefix: str = "",
    show: bool = True,
    what_if: bool = False,
) -> None:
    # Beyond the budget only the best candidates are drawn (the table is sorted by rank).
    full, table = result, result.table.iloc[: options.max_shapes]
    result = dataclasses.replace(result, table=table)
    # The breaks are shared (options.bins) so classes agree with the legend and other layers.
    scores = np.where(table["excluded"], np.nan, table["total_score"].to_numpy(float))
    edges = np.asarray(options.bins[:-1]) + 1e-12
    cls = np.where(
        np.isfinite(scores), np.searchsorted(edges, np.nan_to_num(scores), side="left"), -1
    ).astype(np.int64)
    data = _Script(_card_data(result, options.lang, cls, options))
    data.add_to(fmap)
    geoms = display_geojson(table.geometry, simplify_m=options.simplify_m)
    excluded = table["excluded"].to_numpy(bool)
    for kind, mask, key in (
        ("candidates", ~excluded, "map.candidates"),
        ("excluded", excluded, "map.excluded"),
    ):
        idx = np.flatnonzero(mask)
        if kind == "excluded" and len(idx) == 0:
            continue
        name = prefix + tr(key, options.lang)
        features = _feature_collection(geoms[idx], [{"i": int(i)} for i in idx])
        opts = _js_json({"kind": kind, "name": name})
        js = f"geosite.candidateLayer({data.get_name()}, {features}, {opts})"
        _JsLayer(js, name=name, show=show).add_to(fmap)

    n_labels = min(len(table), options.max_labels)
    if n_labels:
        points = shapely.point_on_surface(np.asarray(table.geometry.array[:n_labels]))
        wgs = gpd.GeoSeries(points, crs=table.crs).to_crs(4326)
        pts = [
            [i, round(float(p.y), COORD_DIGITS), round(float(p.x), COORD_DIGITS)]
            for i, p in enumerate(wgs)
        ]
        name = prefix + tr("map.labels", options.lang)
        js = f"geosite.rankLabels({data.get_name()}, {_js_json(pts)}, {_js_json(name)})"
        _JsLayer(js, name=name, show=show).add_to(fmap)
    if what_if:
        add_what_if(
            fmap,
            full,
            data=data.get_name(),
            bins=options.bins,
            drawn=len(table),
            max_labels=options.max_labels,
            lang=options.lang,
        )


# --------------------------------------------------------------------------- criteria layers


def _is_route(summary: CriterionSummary) -> bool:
    """Return whether a criterion's features are paths from candidates to facilities."""
    return summary.features is not None and "facility" in summary.features.columns


def _labels(gdf: gpd.GeoDataFrame) -> list[str]:
    column = next((c for c in ("name", "name_en", "ref", "id") if c in gdf.columns), None)
    if column is None:
        return [""] * len(gdf)
    return ["" if _clean(v) is None else str(v) for v in gdf[column]]


def _criterion_layer(
    summary: CriterionSummary, result: Result, colour: str, options: _Options
) -> tuple[_JsLayer, set[str]] | None:
    """Return the layer of what a criterion measured to, and the road classes it draws."""
    features = summary.features
    if features is None or len(features) == 0:
        return None
    features = features.loc[~features.geometry.isna() & ~features.geometry.is_empty]
    if len(features) == 0:
        return None
    lang = options.lang
    route = _is_route(summary)
    props: list[dict[str, Any]] = []
    classes: set[str] = set()
    if route:
        # Route rows name their candidate; the other rows are the facilities themselves.
        names = result.table[result.name_column or result.id_column].tolist()
        cost = next((c for c in features.columns if c.startswith("cost_")), None)
        labels = _labels(features)
        for label, (_, row) in zip(labels, features.iterrows(), strict=True):
            candidate = _clean(row["candidate"])
            if candidate is None:
                props.append({"label": label})
                continue
            text = tr("card.route", lang, candidate=names[int(candidate)], facility=row["facility"])
            if cost is not None:
                text += ": " + format_value(_clean(row[cost]), cost.removeprefix("cost_"), lang)
            props.append({"label": text})
        spec: dict[str, Any] = {"colour": colour, "weight": 3.5, "fillOpacity": 0.2}
    else:
        labels = _labels(features)
        by_class = "class" in features.columns and features.geom_type.str.contains("Line").any()
        if by_class:
            values = ["" if _clean(v) is None else str(v) for v in features["class"]]
            classes = set(values)
            props = [
                {"label": f"{lab} ({cl})" if lab else cl, "class": cl}
                for lab, cl in zip(labels, values, strict=True)
            ]
        else:
            props = [{"label": lab} for lab in labels]
        spec = {
            "colour": "#969696" if by_class else colour,
            "weight": 2.5 if by_class else 2,
            "fillOpacity": 0.25,
            "by": "class" if by_class else None,
            "colours": ROAD_COLOURS if by_class else {},
        }
    what = tr("map.what.routes" if route else "map.what.features", lang)
    name = tr("map.measured", lang, title=summary.title, what=what)
    spec |= {"kind": "criterion", "name": name}
    # Context features need less detail than candidates: 5 m is below a pixel at zoom 14.
    geoms = display_geojson(features.geometry, simplify_m=max(options.simplify_m, 5.0))
    js = f"geosite.featureLayer({_feature_collection(geoms, props)}, {_js_json(spec)})"
    return _JsLayer(js, name=name, show=True), classes


def _constraint_layers(result: Result, options: _Options) -> list[_JsLayer]:
    """Return the zones of ``inside`` / ``outside`` constraints, grown by their buffers."""
    from geosite.analysis import load_layer  # noqa: PLC0415 - only maps need it
    from geosite.decision.constraints import InsideConstraint, OutsideConstraint  # noqa: PLC0415

    zones = [
        c
        for c in result.scenario.constraints
        if isinstance(c, InsideConstraint | OutsideConstraint)
    ]
    if not zones:
        return []
    layers = []
    for constraint in zones:
        try:
            features = load_layer(
                result.scenario,
                constraint.layer,
                constraint.where,
                crs=result.crs,
                layers=result.in_memory,
            )
        except GeositeError as err:  # pragma: no cover - the evaluation read it already
            logger.warning("constraint zone %r not drawn: %s", constraint.layer, err)
            continue
        zone = shapely.union_all(np.asarray(features.geometry.array))
        if constraint.buffer_m > 0:
            zone = shapely.buffer(zone, constraint.buffer_m)
        geoms = display_geojson(
            gpd.GeoSeries([zone], crs=result.crs), simplify_m=max(options.simplify_m, 5.0)
        )
        name = tr("map.constraint", options.lang, rule=constraint.label())
        props = [{"label": name}]
        spec = {
            "colour": _ZONE_COLOUR,
            "weight": 1.5,
            "fillOpacity": 0.12,
            "dash": "6 4",
            "kind": "constraint",
            "name": name,
        }
        js = f"geosite.featureLayer({_feature_collection(geoms, props)}, {_js_json(spec)})"
        layers.append(_JsLayer(js, name=name, show=True))
    return layers


def _draw_context(fmap: folium.Map, results: Sequence[Result], options: _Options) -> set[str]:
    """Draw each criterion's features once (first result that has it); return road classes."""
    drawn: set[str] = set()
    road_classes: set[str] = set()
    layers: list[tuple[bool, _JsLayer]] = []
    for result in results:
        for i, summary in enumerate(result.criteria):
            if summary.name in drawn:
                continue
            drawn.add(summary.name)
            colour = _feature_colour(i)
            made = _criterion_layer(summary, result, colour, options)
            if made is not None:
                layers.append((_is_route(summary), made[0]))
                road_classes |= made[1]
    zones = [z for r in results[:1] for z in _constraint_layers(r, options)]
    for zone in zones:
        zone.add_to(fmap)
    # Routes go on top of the reference features (roads) they follow.
    for _, layer in sorted(layers, key=lambda item: item[0]):
        layer.add_to(fmap)
    return road_classes


# --------------------------------------------------------------------------- legend


def _legend_html(
    results: Sequence[Result], options: _Options, *, offline: bool, road_classes: set[str]
) -> str:
    lang = options.lang
    palette = _palette(options.classes)
    lows = [0.0, *options.bins[:-1]]
    esc = html.escape
    scheme = tr(f"scheme.{options.scheme}", lang)
    rows = [
        (
            (
                f"<b>{esc(tr('map.legend.scenario', lang, name=results[0].scenario.name))}</b><br>"
                if len(results) == 1
                else ""
            )
            + f"<b>{esc(tr('map.legend.title', lang))}</b><br>"
            f"<small>{esc(tr('map.legend.subtitle', lang, scheme=scheme))}</small>"
        )
    ]
    first = results[0]
    scores = np.where(first.table["excluded"], np.nan, first.table["total_score"].to_numpy(float))
    edges = np.asarray(options.bins[:-1]) + 1e-12
    cls = np.searchsorted(edges, np.nan_to_num(scores), side="left")
    counts = np.bincount(cls[np.isfinite(scores)], minlength=options.classes)
    for k in reversed(range(options.classes)):
        lo = format_number(lows[k], 2, lang)
        hi = format_number(options.bins[k], 2, lang)
        count = f" ({counts[k]})" if len(results) == 1 else ""
        rows.append(f"<i style='background:{palette[k]}'></i>{esc(lo)} &ndash; {esc(hi)}{count}")
    n_excluded = int(first.table["excluded"].sum())
    if n_excluded or len(results) > 1:
        count = f" ({n_excluded})" if len(results) == 1 else ""
        rows.append(
            f"<i style='background:{EXCLUDED_COLOUR}'></i>{esc(tr('map.legend.excluded', lang))}"
            f"{count}"
        )
    if road_classes:
        rows.append(f"<b>{esc(tr('map.legend.roads', lang))}</b>")
        for name, colour in ROAD_COLOURS.items():
            if name in road_classes:
                label = tr(f"road.{name}", lang)
                rows.append(f"<i class='line' style='background:{colour}'></i>{esc(label)}")
    for result in results:
        if len(result.table) > options.max_shapes:
            note = tr(
                "map.legend.truncated",
                lang,
                shown=format_number(options.max_shapes, 0, lang),
                n=format_number(len(result.table), 0, lang),
            )
            rows.append(f"<span class='note'>{esc(note)}</span>")
            break
    if offline:
        rows.append(f"<span class='note'>{esc(tr('map.legend.offline', lang))}</span>")
    return "<br>".join(rows)


def _attributions(results: Sequence[Result]) -> list[str]:
    return sorted({html.escape(u.attribution) for r in results for u in r.layers if u.attribution})


def _finish(
    fmap: folium.Map,
    results: Sequence[Result],
    options: _Options,
    *,
    offline: bool,
    road_classes: set[str],
) -> None:
    _Control(_legend_html(results, options, offline=offline, road_classes=road_classes)).add_to(
        fmap
    )
    texts = _attributions(results)
    if texts:
        _Attribution(texts).add_to(fmap)
    _add_tools(fmap, options.lang)
    folium.LayerControl(collapsed=True).add_to(fmap)


def _bounds(results: Sequence[Result]) -> npt.NDArray[np.float64]:
    boxes = np.array([r.table.to_crs(4326).total_bounds for r in results if len(r.table)])
    if len(boxes) == 0:
        msg = "cannot map a result without candidates"
        raise ParameterError(msg)
    return np.array([boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()])


def _options(
    results: Sequence[Result],
    *,
    scheme: Scheme,
    classes: int,
    simplify_m: float,
    max_labels: int,
    lang: str,
    renderer: str,
    max_shapes: int,
) -> _Options:
    first = results[0].table
    scores = np.where(first["excluded"], np.nan, first["total_score"].to_numpy(float))
    bins, _ = classify_scores(scores, scheme=scheme, classes=classes)
    tr("map.candidates", lang)  # checks the language
    return _Options(
        scheme=scheme,
        classes=classes,
        bins=tuple(bins),
        simplify_m=simplify_m,
        max_labels=max_labels,
        lang=lang,
        renderer=renderer,
        max_shapes=max_shapes,
    )


def result_to_map(
    result: Result,
    *,
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    show_features: bool = True,
    offline: bool = False,
    simplify_m: float = 1.0,
    max_labels: int = 50,
    renderer: Literal["auto", "svg", "canvas"] = "auto",
    max_shapes: int = MAX_SHAPES,
    lang: str = "en",
    what_if: bool = True,
) -> folium.Map:
    """Draw a result as an interactive folium map.

    The map has the candidates coloured by class of total score (excluded ones grey, with
    the reason in their score card), rank labels, one layer per criterion with what it
    measured (facilities, roads coloured by class, network paths), the zones of
    ``inside``/``outside`` constraints, a legend, basemaps, a scale bar, fullscreen and
    measure tools, and the attribution of every data source drawn.

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
        Number of colour classes, 2 to 5 (viridis, colour-blind safe).
    show_features
        Draw, for each criterion, the features it measured to, and constraint zones.
    offline
        Embed Leaflet and its plugins in the file so it renders without internet (see
        :mod:`geosite.render.assets`); such a map has no background tiles.
    simplify_m
        Display simplification tolerance, metres of the analysis CRS (0 keeps every vertex).
    max_labels
        Rank labels drawn for at most this many best candidates (all when fewer).
    renderer
        ``"svg"``, ``"canvas"``, or ``"auto"``: canvas from :data:`CANVAS_FROM` candidates.
    max_shapes
        Size budget: draw at most this many candidates, the best first (the legend says how
        many are left out). 10,000 candidates make a 3 MB file that draws in about a second
        (``benchmarks/bench_map.py``); 100,000 would take 0.5 GB of browser memory.
    lang
        Language of the map's text (see :mod:`geosite.render.text`).
    what_if
        Add the what-if panel (:mod:`geosite.render.whatif`): sliders for the weights that
        re-score, recolour and re-rank every candidate in the browser, and copy the weights
        as a scenario that extends this one.

    Returns
    -------
    folium.Map
        A map to customise further or save with ``.save("map.html")``.

    Raises
    ------
    ParameterError
        For an unknown option value.

    Examples
    --------
    >>> from geosite import evaluate
    >>> m = result_to_map(evaluate("dong-nam-bo"), offline=True)
    >>> "cdn.jsdelivr.net" in m.get_root().render()
    False
    """
    fmap = results_to_map(
        [result],
        basemap=basemap,
        scheme=scheme,
        classes=classes,
        show_features=show_features,
        offline=offline,
        simplify_m=simplify_m,
        max_labels=max_labels,
        renderer=renderer,
        max_shapes=max_shapes,
        lang=lang,
        what_if=what_if,
    )
    return cast("folium.Map", fmap)


def results_to_map(
    results: Sequence[Result],
    *,
    layout: Layout = "layers",
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    show_features: bool = True,
    offline: bool = False,
    simplify_m: float = 1.0,
    max_labels: int = 50,
    renderer: Literal["auto", "svg", "canvas"] = "auto",
    max_shapes: int = MAX_SHAPES,
    lang: str = "en",
    what_if: bool = True,
) -> folium.Map | folium.plugins.DualMap:
    """Draw one or more results on one map, to compare scenarios.

    Parameters
    ----------
    results
        Evaluated scenarios, usually of the same candidates.
    layout
        ``"layers"``: one map with each scenario's candidates and rank labels as layers to
        switch in the layer control (the first shown). ``"side_by_side"``: two maps that
        pan and zoom together (``folium.plugins.DualMap``); needs exactly two results.
    basemap, scheme, classes, show_features, offline, simplify_m, max_labels, renderer
    max_shapes, lang
        As for :func:`result_to_map`. Class breaks come from the first result, so colours
        mean the same score on every layer (use ``"equal_interval"`` to compare).
    what_if
        Add the what-if panel when the map shows one result (see :func:`result_to_map`);
        maps comparing several scenarios have none.

    Returns
    -------
    folium.Map or folium.plugins.DualMap
        Save it with ``.save("compare.html")``.

    Raises
    ------
    ParameterError
        If ``results`` is empty, or ``side_by_side`` is asked for other than two results.

    Examples
    --------
    >>> from geosite import evaluate
    >>> m = results_to_map([evaluate("dong-nam-bo"), evaluate("port-led")])
    >>> type(m).__name__
    'Map'
    """
    results = list(results)
    if not results:
        msg = "results_to_map needs at least one result"
        raise ParameterError(msg)
    if layout not in {"layers", "side_by_side"}:
        msg = f"layout must be 'layers' or 'side_by_side', got {layout!r}"
        raise ParameterError(msg)
    if layout == "side_by_side" and len(results) != 2:
        msg = f"layout='side_by_side' shows exactly two results, got {len(results)}; use 'layers'"
        raise ParameterError(msg)
    _check_options(basemap, renderer, max_labels)
    if max_shapes < 1:
        msg = f"max_shapes must be >= 1, got {max_shapes!r}"
        raise ParameterError(msg)
    options = _options(
        results,
        scheme=scheme,
        classes=classes,
        simplify_m=simplify_m,
        max_labels=max_labels,
        lang=lang,
        renderer=renderer,
        max_shapes=max_shapes,
    )
    bounds = _bounds(results)
    # One renderer for everything: stacked canvases or SVG over a canvas swallow clicks.
    canvas = renderer == "canvas" or (
        renderer == "auto" and max(len(r.table) for r in results) >= CANVAS_FROM
    )
    south_west, north_east = (bounds[1], bounds[0]), (bounds[3], bounds[2])
    fit = [south_west, north_east]
    if layout == "side_by_side":
        dual = folium.plugins.DualMap(  # type: ignore[no-untyped-call]
            location=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
            zoom_start=9,
            tiles=None,
            control_scale=True,
            prefer_canvas=canvas,
        )
        _add_runtime(dual.m1)
        for fmap, result in zip((dual.m1, dual.m2), results, strict=True):
            _add_tiles(fmap, basemap, offline=offline, lang=lang)
            prefix = f"{result.scenario.name}: "
            _draw_candidates(fmap, result, options, prefix=prefix)
            roads = _draw_context(fmap, [result], options) if show_features else set()
            _finish(fmap, [result], options, offline=offline, road_classes=roads)
            title = tr("map.legend.scenario", lang, name=result.scenario.name)
            _Control(f"<b>{html.escape(title)}</b>", position="topright").add_to(fmap)
            fmap.fit_bounds(fit, padding_top_left=(60, 40), padding_bottom_right=(190, 70))
        drop_unused_defaults(dual)
        if offline:
            make_offline(dual)
        return dual
    fmap = _new_map(bounds, basemap, offline=offline, lang=lang, prefer_canvas=canvas)
    _add_runtime(fmap)
    roads = _draw_context(fmap, results, options) if show_features else set()
    for k, result in enumerate(results):
        prefix = f"{k + 1}. {result.scenario.name}: " if len(results) > 1 else ""
        _draw_candidates(
            fmap, result, options, prefix=prefix, show=k == 0, what_if=what_if and len(results) == 1
        )
    _finish(fmap, results, options, offline=offline, road_classes=roads)
    fmap.fit_bounds(fit, padding_top_left=(60, 40), padding_bottom_right=(190, 70))
    drop_unused_defaults(fmap)
    if offline:
        make_offline(fmap)
    return fmap
