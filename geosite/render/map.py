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
import hashlib
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

from geosite.errors import ParameterError
from geosite.i18n import check_language, localized
from geosite.render.assets import drop_unused_defaults, make_offline, stable_ids
from geosite.render.context import (
    OTHER_ROAD_COLOUR,
    ROAD_COLOURS,
    ContextLayer,
    context_layers,
    frame_bounds,
)
from geosite.render.text import VENDOR_WORDS, bounded, format_number, format_value, tr
from geosite.render.whatif import add_what_if
from geosite.result.scorecard import measured_to, score_cards, value_bounds

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from geosite.analysis import Result

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
#: Outline and fill opacity of administrative units (overlays): light enough that the roads
#: and facilities over them read.
UNIT_EDGE = "#6b6b6b"
UNIT_FILL_OPACITY = 0.45
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

_FEATURE_COLOURS = ("#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1b9e77")

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
.geosite-legend{background:rgba(255,255,255,.94);padding:4px 8px;font:12px/1.35 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:280px;
 max-height:calc(100vh - 140px);overflow-y:auto}
.geosite-legend summary{cursor:pointer;font-weight:600;list-style-position:inside}
.geosite-legend .scenario{font-weight:600;margin:2px 0 4px}
.geosite-legend .head{font-weight:600;margin-top:4px}
.geosite-legend .row{white-space:normal;padding-left:20px;text-indent:-20px}
.geosite-legend .row.sub{padding-left:34px}
.geosite-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;
 vertical-align:middle;text-indent:0;box-sizing:border-box}
.geosite-legend i.line{height:3px}
.geosite-legend i.dash{height:0;border-top:3px dashed;background:none}
.geosite-legend i.dot{width:11px;height:11px;border-radius:50%;border:1px solid #222;
 margin:0 8px 0 1px}
.geosite-legend i.area{border:1.5px solid;opacity:.9}
.geosite-legend i.zone{border:1.5px dashed;background:rgba(178,24,43,.12)}
.geosite-legend i.excl{border:1px dashed #616161}
.geosite-legend i.rank{width:22px;height:14px;font:bold 9px/14px sans-serif;font-style:normal;
 color:#fff;background:rgba(32,32,32,.85);border-radius:8px;text-align:center;
 margin-left:-4px;margin-right:2px}
.geosite-legend .note{color:#555;font-style:italic}
.leaflet-control-attribution.geosite-attribution{max-width:min(60vw,640px);white-space:nowrap;
 overflow:hidden;text-overflow:ellipsis;cursor:pointer}
.leaflet-control-attribution.geosite-attribution.open{white-space:normal;overflow:visible}
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
        # Other layers name this variable in their code, so its id is fixed now, from its
        # content, and kept by :func:`stable_ids`.
        self._id = hashlib.sha256(js.encode()).hexdigest()[:32]
        self.stable_id = True
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
    """The legend: a box in a corner that folds to its title (``<details>``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geosite.legend({{ this._parent.get_name() }}, {{ this.html|tojson }},
          {{ this.title|tojson }}, {{ this.position|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, title: str, position: str = "bottomright") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_legend"
        self.html = html_text
        self.title = title
        self.position = position


class _Frame(MacroElement):
    """The first view: fit the bounds around the legend; fold the attribution to one line."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geosite.frame({{ this._parent.get_name() }}, {{ this.bounds|tojson }},
          {{ this.label|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: npt.NDArray[np.float64], *, label: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_frame"
        minx, miny, maxx, maxy = (round(float(v), COORD_DIGITS) for v in bounds)
        self.bounds = [[miny, minx], [maxy, maxx]]
        self.label = label


class _Ui(MacroElement):
    """Leaflet's own words in the map's language, and a metric scale bar."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geosite.ui({{ this._parent.get_name() }}, {{ this.words|tojson }},
          {{ this.decimal|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, lang: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "geosite_ui"
        self.words = VENDOR_WORDS[check_language(lang)]
        self.decimal = format_number(1.5, 1, lang)[1]


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
    basemap: str


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
        control_scale=False,
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
    bounds = [value_bounds(result, s.name) for s in result.criteria]
    raw = np.column_stack(
        [
            np.array(
                [
                    bounded(format_value(_clean(v), s.unit, lang), bound, lang)
                    for v, bound in zip(table[s.raw_column], bounds[j], strict=True)
                ],
                dtype=object,
            )
            for j, s in enumerate(result.criteria)
        ]
    )
    bound_note = tr("card.bound.note", lang)
    notes = [bound_note if any(b[i] for b in bounds) else None for i in range(len(table))]
    score = np.column_stack([table[f"{s.name}_score"].to_numpy(float) for s in result.criteria])
    contrib = np.column_stack(
        [table[f"{s.name}_contribution"].to_numpy(float) for s in result.criteria]
    )

    def rounded(a: npt.NDArray[np.float64], digits: int) -> list[list[float | None]]:
        r = np.round(a, digits).astype(object)
        r[~np.isfinite(a)] = None
        return r.tolist()  # type: ignore[no-any-return]

    margins = _margins(result, lang)
    measured = [measured_to(result, s.name, language=lang) for s in result.criteria]
    to = [
        [None if m is None or m[i] is None else tr("card.to", lang, target=m[i]) for m in measured]
        for i in range(len(table))
    ]
    ranks = table["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    totals = table["total_score"].to_numpy(dtype=float)
    payload = {
        "scenario": localized(result.scenario.name, lang),  # type: ignore[arg-type]
        "criteria": [
            {"title": localized(s.title, lang), "weight": round(s.weight, 4)}  # type: ignore[arg-type]
            for s in result.criteria
        ],
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
            "reason": [
                None if v is None else localized(v, lang)  # type: ignore[arg-type]
                for v in map(_clean, table["exclusion_reason"])
            ],
            "raw": raw.tolist(),
            "score": rounded(score, 6),
            "contrib": rounded(contrib, 6),
            "margin": margins,
            "to": to,
            "note": notes,
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


# --------------------------------------------------------------------------- context layers


def _context_layer(layer: ContextLayer, options: _Options) -> _JsLayer:
    """Return the Leaflet layer of one context layer (roads, facilities, routes, a zone)."""
    features = layer.features
    props: list[dict[str, Any]]
    spec: dict[str, Any] = {"colour": layer.colour, "kind": layer.kind, "key": layer.key}
    if layer.kind == "roads":
        classes = [c if c in ROAD_COLOURS else "other" for c in features["class"]]
        props = [{"label": lab, "class": c} for lab, c in zip(layer.labels, classes, strict=True)]
        spec |= {"weight": 2.5, "fillOpacity": 0.25, "by": "class", "colours": ROAD_COLOURS}
    elif layer.kind == "routes":
        props = [{"label": lab} for lab in layer.labels]
        spec |= {"weight": 3.5, "fillOpacity": 0.2, "dash": "8 5"}
    elif layer.kind == "zone":
        props = [{"label": lab} for lab in layer.labels]
        spec |= {"weight": 1.5, "fillOpacity": 0.12, "dash": "6 4"}
    elif layer.kind == "units":
        props = [
            {"label": lab, "fill": fill, "popup": [title, [list(r) for r in rows]]}
            for lab, fill, (title, rows) in zip(
                layer.labels, layer.fills, layer.popups, strict=True
            )
        ]
        spec |= {"weight": 1.0, "fillOpacity": UNIT_FILL_OPACITY, "line": UNIT_EDGE, "by": "fill"}
    else:
        props = [{"label": lab} for lab in layer.labels]
        spec |= {"weight": 1.5, "fillOpacity": 0.85}
    spec["name"] = layer.name
    # Context features need less detail than candidates: 5 m is below a pixel at zoom 14.
    geoms = display_geojson(features.geometry, simplify_m=max(options.simplify_m, 5.0))
    js = f"geosite.featureLayer({_feature_collection(geoms, props)}, {_js_json(spec)})"
    return _JsLayer(js, name=layer.name, show=layer.show)


def _draw_context(
    fmap: folium.Map,
    results: Sequence[Result],
    options: _Options,
    *,
    overlays: Sequence[ContextLayer] = (),
) -> list[ContextLayer]:
    """Draw what the criteria measured to and the constraint zones; return what was drawn."""
    layers = context_layers(results, options.lang, overlays=overlays)
    for layer in layers:
        _context_layer(layer, options).add_to(fmap)
    return layers


# --------------------------------------------------------------------------- legend


def _symbol(layer: ContextLayer) -> str:
    """Return a layer's legend symbol: one per kind of geometry it draws, styled as drawn."""
    colour = layer.colour
    if layer.kind == "zone":
        return f"<i class='zone' style='border-color:{colour}'></i>"
    if layer.kind == "units":
        return ""
    symbols = {
        "polygon": f"<i class='area' style='background:{colour};border-color:{colour}'></i>",
        "line": (
            f"<i class='line dash' style='border-color:{colour}'></i>"
            if layer.kind == "routes"
            else f"<i class='line' style='background:{colour}'></i>"
        ),
        "point": f"<i class='dot' style='background:{colour}'></i>",
    }
    return "".join(symbols[shape] for shape in layer.shapes)


def _row(key: str, symbol: str, text: str) -> str:
    return f"<div class='row' data-layer='{html.escape(key)}'>{symbol}{html.escape(text)}</div>"


def _score_rows(results: Sequence[Result], options: _Options) -> list[str]:
    """Return the legend rows of the candidates: score classes, excluded, rank labels."""
    lang = options.lang
    palette = _palette(options.classes)
    lows = [0.0, *options.bins[:-1]]
    first = results[0]
    scores = np.where(first.table["excluded"], np.nan, first.table["total_score"].to_numpy(float))
    edges = np.asarray(options.bins[:-1]) + 1e-12
    cls = np.searchsorted(edges, np.nan_to_num(scores), side="left")
    counts = np.bincount(cls[np.isfinite(scores)], minlength=options.classes)
    rows = []
    for k in reversed(range(options.classes)):
        lo = format_number(lows[k], 2, lang)
        hi = format_number(options.bins[k], 2, lang)
        count = f" ({format_number(counts[k], 0, lang)})" if len(results) == 1 else ""
        symbol = f"<i style='background:{palette[k]}'></i>"
        rows.append(_row("candidates", symbol, f"{lo} \u2013 {hi}{count}"))
    n_excluded = int(first.table["excluded"].sum())
    if any(bool(r.table["excluded"].any()) for r in results):
        count = f" ({format_number(n_excluded, 0, lang)})" if len(results) == 1 else ""
        symbol = f"<i class='excl' style='background:{EXCLUDED_COLOUR}'></i>"
        rows.append(_row("excluded", symbol, tr("map.legend.excluded", lang) + count))
    if options.max_labels and any(len(r.table) for r in results):
        symbol = "<i class='rank'>#1</i>"
        rows.append(_row("labels", symbol, tr("map.legend.labels", lang)))
    return rows


def _context_rows(context: Sequence[ContextLayer], lang: str) -> list[str]:
    """Return the legend rows of what the criteria measured to, one or more per layer."""
    rows = []
    units = [layer for layer in context if layer.kind == "units"]
    if units:
        rows.append(f"<div class='head'>{html.escape(tr('map.legend.units', lang))}</div>")
    for layer in units:
        rows.append(_row(layer.key, "", layer.name))
        for fill, text in layer.steps:
            symbol = f"<i class='area' style='background:{fill};border-color:{UNIT_EDGE}'></i>"
            rows.append(_row(layer.key, symbol, text).replace("class='row'", "class='row sub'"))
        if layer.note:
            rows.append(f"<div class='note'>{html.escape(layer.note)}</div>")
    measured = [layer for layer in context if layer.kind != "units"]
    if measured:
        rows.append(f"<div class='head'>{html.escape(tr('map.legend.context', lang))}</div>")
    for layer in measured:
        if layer.kind != "roads":
            rows.append(_row(layer.key, _symbol(layer), layer.name))
            continue
        rows.append(_row(layer.key, "", layer.name))
        for name in layer.classes:
            colour = ROAD_COLOURS.get(name, OTHER_ROAD_COLOUR)
            symbol = f"<i class='line' style='background:{colour}'></i>"
            row = _row(layer.key, symbol, tr(f"road.{name}", lang))
            rows.append(row.replace("class='row'", "class='row sub'"))
    return rows


def _legend_html(
    results: Sequence[Result],
    options: _Options,
    *,
    offline: bool,
    tiles: bool,
    context: Sequence[ContextLayer],
) -> str:
    """Return the legend: one entry per drawn layer, made from the list that drew them."""
    lang = options.lang
    esc = html.escape
    scheme = tr(f"scheme.{options.scheme}", lang)
    parts = []
    if len(results) == 1:
        name = localized(results[0].scenario.name, lang)  # type: ignore[arg-type]
        parts.append(f"<div class='scenario'>{esc(name)}</div>")
    parts.append(
        f"<div class='head'>{esc(tr('map.legend.title', lang))}</div>"
        f"<div class='note'>{esc(tr('map.legend.subtitle', lang, scheme=scheme))}</div>"
    )
    parts += _score_rows(results, options)
    parts += _context_rows(context, lang)
    for result in results:
        if len(result.table) > options.max_shapes:
            note = tr(
                "map.legend.truncated",
                lang,
                shown=format_number(options.max_shapes, 0, lang),
                n=format_number(len(result.table), 0, lang),
            )
            parts.append(f"<div class='note'>{esc(note)}</div>")
            break
    if offline:
        parts.append(f"<div class='note'>{esc(tr('map.legend.offline', lang))}</div>")
    elif tiles:
        parts.append(f"<div class='note'>{esc(tr('map.legend.tiles', lang))}</div>")
    return "".join(parts)


def _attributions(results: Sequence[Result], lang: str) -> list[str]:
    """Return the sources of the layers drawn, quoted from the catalogue (in English).

    In another language the quotation is marked as English and introduced as a quotation.
    """
    texts = sorted({html.escape(u.attribution) for r in results for u in r.layers if u.attribution})
    if lang == "en" or not texts:
        return texts
    label = html.escape(tr("map.sources.quoted", lang))
    return [f"{label} " + "; ".join(f'<span lang="en">{t}</span>' for t in texts)]


def _finish(
    fmap: folium.Map,
    results: Sequence[Result],
    options: _Options,
    *,
    offline: bool,
    context: Sequence[ContextLayer],
    bounds: npt.NDArray[np.float64],
) -> None:
    legend = _legend_html(
        results, options, offline=offline, tiles=options.basemap != "none", context=context
    )
    _Control(legend, title=tr("map.legend", options.lang)).add_to(fmap)
    texts = _attributions(results, options.lang)
    if texts:
        _Attribution(texts).add_to(fmap)
    _add_tools(fmap, options.lang)
    folium.LayerControl(collapsed=True).add_to(fmap)
    _Ui(options.lang).add_to(fmap)
    _Frame(bounds, label=tr("map.sources", options.lang)).add_to(fmap)


def _bounds(
    results: Sequence[Result], context: Sequence[ContextLayer], options: _Options
) -> npt.NDArray[np.float64]:
    return frame_bounds(results, context, max_candidates=options.max_shapes)


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
    basemap: str,
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
        basemap=basemap,
    )


def result_to_map(
    result: Result,
    *,
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    show_features: bool = True,
    offline: bool = False,
    cdn: bool = False,
    simplify_m: float = 1.0,
    max_labels: int = 50,
    renderer: Literal["auto", "svg", "canvas"] = "auto",
    max_shapes: int = MAX_SHAPES,
    lang: str = "en",
    what_if: bool = True,
    overlays: Sequence[ContextLayer] = (),
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
        Leave out the background tiles too, so the file makes no network request at all.
        (Leaflet and its plugins are embedded in every map unless ``cdn`` is set: see
        :mod:`geosite.render.assets`.)
    cdn
        Link Leaflet and its plugins from their CDNs instead of embedding them: a file
        about 300 kB smaller that shows nothing without internet.
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
    overlays
        Layers of your own to draw under everything else, each listed in the layer control
        and the legend like the layers the map draws itself; e.g. the suitable land per
        administrative unit of a zone table,
        :func:`geosite.render.context.zone_layers` (``geosite locate`` draws them).

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
    >>> m = result_to_map(evaluate("dong-nam-bo"))
    >>> "cdn.jsdelivr.net" in m.get_root().render()  # Leaflet is embedded
    False
    """
    fmap = results_to_map(
        [result],
        basemap=basemap,
        scheme=scheme,
        classes=classes,
        show_features=show_features,
        offline=offline,
        cdn=cdn,
        simplify_m=simplify_m,
        max_labels=max_labels,
        renderer=renderer,
        max_shapes=max_shapes,
        lang=lang,
        what_if=what_if,
        overlays=overlays,
    )
    return cast("folium.Map", fmap)


def _dual_map(
    results: Sequence[Result],
    options: _Options,
    bounds: npt.NDArray[np.float64],
    *,
    basemap: str,
    offline: bool,
    cdn: bool,
    canvas: bool,
    show_features: bool,
    overlays: Sequence[ContextLayer],
) -> folium.plugins.DualMap:
    """Draw two results side by side on maps that pan and zoom together."""
    lang = options.lang
    dual = folium.plugins.DualMap(  # type: ignore[no-untyped-call]
        location=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
        zoom_start=9,
        tiles=None,
        control_scale=False,
        prefer_canvas=canvas,
    )
    _add_runtime(dual.m1)
    for fmap, result in zip((dual.m1, dual.m2), results, strict=True):
        _add_tiles(fmap, basemap, offline=offline, lang=lang)
        name = localized(result.scenario.name, lang)  # type: ignore[arg-type]
        own = (
            _draw_context(fmap, [result], options, overlays=overlays)
            if show_features
            else _draw_context(fmap, [], options, overlays=overlays)
        )
        _draw_candidates(fmap, result, options, prefix=f"{name}: ")
        _finish(fmap, [result], options, offline=offline, context=own, bounds=bounds)
    stable_ids(dual)
    drop_unused_defaults(dual)
    if not cdn:
        make_offline(dual)
    return dual


def results_to_map(
    results: Sequence[Result],
    *,
    layout: Layout = "layers",
    basemap: Basemap = "light",
    scheme: Scheme = "equal_interval",
    classes: int = 5,
    show_features: bool = True,
    offline: bool = False,
    cdn: bool = False,
    simplify_m: float = 1.0,
    max_labels: int = 50,
    renderer: Literal["auto", "svg", "canvas"] = "auto",
    max_shapes: int = MAX_SHAPES,
    lang: str = "en",
    what_if: bool = True,
    overlays: Sequence[ContextLayer] = (),
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
    basemap, scheme, classes, show_features, offline, cdn, simplify_m, max_labels, renderer
    max_shapes, lang
        As for :func:`result_to_map`. Class breaks come from the first result, so colours
        mean the same score on every layer (use ``"equal_interval"`` to compare).
    what_if
        Add the what-if panel when the map shows one result (see :func:`result_to_map`);
        maps comparing several scenarios have none.
    overlays
        Layers of your own, drawn under everything else (see :func:`result_to_map`); they
        are drawn even without ``show_features``.

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
    if offline and cdn:
        msg = (
            "offline=True makes a map that needs no internet, and cdn=True one that loads "
            "Leaflet from the internet; choose one"
        )
        raise ParameterError(msg)
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
        basemap=basemap,
    )
    context = context_layers(results, lang, overlays=overlays)
    bounds = _bounds(results, context, options)
    drawn = context if show_features else list(overlays)
    # One renderer for everything: stacked canvases or SVG over a canvas swallow clicks.
    canvas = renderer == "canvas" or (
        renderer == "auto" and max(len(r.table) for r in results) >= CANVAS_FROM
    )
    if layout == "side_by_side":
        return _dual_map(
            results,
            options,
            bounds,
            basemap=basemap,
            offline=offline,
            cdn=cdn,
            canvas=canvas,
            show_features=show_features,
            overlays=overlays,
        )
    fmap = _new_map(bounds, basemap, offline=offline, lang=lang, prefer_canvas=canvas)
    _add_runtime(fmap)
    for layer in drawn:
        _context_layer(layer, options).add_to(fmap)
    for k, result in enumerate(results):
        name = localized(result.scenario.name, lang)  # type: ignore[arg-type]
        prefix = f"{k + 1}. {name}: " if len(results) > 1 else ""
        _draw_candidates(
            fmap, result, options, prefix=prefix, show=k == 0, what_if=what_if and len(results) == 1
        )
    _finish(fmap, results, options, offline=offline, context=drawn, bounds=bounds)
    stable_ids(fmap)
    drop_unused_defaults(fmap)
    if not cdn:
        make_offline(fmap)
    return fmap
