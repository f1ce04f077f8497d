"""Layers a map draws besides the candidates: one list for the web map, print map and legends.

Every symbol on a map comes from a :class:`ContextLayer` of :func:`context_layers`, and every
legend entry is made from the same list, so a legend cannot name a layer that is not drawn nor
leave a drawn one out. The list holds, in drawing order: the zones of ``inside``/``outside``
constraints, the road network by class, the facilities that criteria measured to (one layer per
source layer, features that several criteria measured to drawn once), and the network routes
from the candidates to their facilities.

:func:`frame_bounds` gives the first view: the candidates and every facility a candidate was
measured to (the port and airports of travel-time criteria included), never the whole
reference layer.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.errors import GeositeError, ParameterError
from geosite.i18n import localized
from geosite.render.text import CATALOGUES, format_number, format_value, tr

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from geosite.analysis import CriterionSummary, Result

__all__ = [
    "ROAD_COLOURS",
    "SHAPES",
    "UNIT_PALETTE",
    "ZONE_LEVELS",
    "ContextLayer",
    "Shape",
    "context_layers",
    "frame_bounds",
    "layer_title",
    "shapes_of",
    "zone_layers",
]

logger = logging.getLogger(__name__)

#: Colours of road classes (OSM ``highway`` values); other classes are grey.
ROAD_COLOURS = {
    "motorway": "#7f2704",
    "trunk": "#d94801",
    "primary": "#fd8d3c",
    "secondary": "#807dba",
    "tertiary": "#9e9ac8",
}
OTHER_ROAD_COLOUR = "#969696"
#: Colours of facility layers (and the routes to them), in order of first use.
#: Chosen apart from the road colours (browns, oranges, purples) so a route never reads as a road.
FACILITY_COLOURS = ("#2166ac", "#1b9e77", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#000000")
ZONE_COLOUR = "#b2182b"
#: A layer with at most this many named features names them in the legend.
NAMED_UP_TO = 3

#: Fills of a choropleth of administrative units (ColorBrewer "Oranges", 5 classes), low to
#: high: apart from the viridis of the scores drawn above them.
UNIT_PALETTE = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
#: The unit levels of a zone table (:func:`geosite.locate.zones.summarise_zones`), in the
#: order their layers are drawn.
ZONE_LEVELS = ("province_old", "district_old", "ward_old", "province_new", "ward_new")

Kind = Literal["zone", "roads", "facilities", "routes", "units"]
#: The kinds of geometry a layer draws, each with its own legend symbol: a filled patch, a
#: line, a marker.
Shape = Literal["polygon", "line", "point"]
SHAPES: tuple[Shape, ...] = ("polygon", "line", "point")


def shapes_of(features: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[Shape, ...]:
    """Return the kinds of geometry among ``features``, in :data:`SHAPES` order.

    Multi-part geometries count as their parts' kind; a geometry collection as each kind of
    its parts.

    Examples
    --------
    >>> from shapely import LineString, Point, box
    >>> shapes_of(gpd.GeoSeries([Point(0, 0), box(0, 0, 1, 1), Point(1, 1)]))
    ('polygon', 'point')
    >>> shapes_of(gpd.GeoSeries([LineString([(0, 0), (1, 1)])]))
    ('line',)
    """
    geoms = np.asarray(features.geometry.array if hasattr(features, "geometry") else features)
    parts = shapely.get_parts(geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)])
    while True:  # geometry collections may nest
        nested = shapely.get_type_id(parts) == shapely.GeometryType.GEOMETRYCOLLECTION
        if not nested.any():
            break
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    types = set(shapely.get_type_id(parts).tolist())
    found = {
        "polygon": bool(types & {shapely.GeometryType.POLYGON}),
        "line": bool(types & {shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING}),
        "point": bool(types & {shapely.GeometryType.POINT}),
    }
    return tuple(shape for shape in SHAPES if found[shape])


@dataclass(frozen=True)
class ContextLayer:
    """One layer drawn under or beside the candidates, with its legend entry.

    Parameters
    ----------
    key
        Stable identifier, shared by the drawn layer and its legend entry.
    kind
        ``"zone"``, ``"roads"`` (lines coloured by ``classes``), ``"facilities"``,
        ``"routes"`` or ``"units"`` (a choropleth: one fill per feature from ``fills``).
    name
        Name in the map's language, shown in the layer control and the legend.
    colour
        Colour of the symbol (roads: of classes not in :data:`ROAD_COLOURS`).
    features
        The features, in the analysis CRS.
    labels
        One tooltip text per feature.
    classes
        Road classes drawn, in legend order (roads only).
    criteria
        The criteria that measured to the features.
    fills
        One fill colour per feature (units only).
    steps
        The legend's classes as (colour, text) pairs, highest first (units only).
    popups
        One popup per feature: a title and (label, value) rows, in the map's language
        (units only).
    show
        Whether the web map shows the layer at first (it is in the layer control either way).
    note
        A sentence under the layer's legend entry (what its classes count).
    """

    key: str
    kind: Kind
    name: str
    colour: str
    features: gpd.GeoDataFrame
    labels: list[str]
    classes: tuple[str, ...] = ()
    criteria: tuple[str, ...] = field(default=())
    fills: tuple[str, ...] = ()
    steps: tuple[tuple[str, str], ...] = ()
    popups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    show: bool = True
    note: str = ""

    @property
    def shapes(self) -> tuple[Shape, ...]:
        """Return the kinds of geometry drawn (:func:`shapes_of`): one legend symbol each."""
        return shapes_of(self.features)


def layer_title(name: str, lang: str) -> str:
    """Return a reference layer's name for people: translated for bundled layers.

    Examples
    --------
    >>> layer_title("ports", "vi"), layer_title("my_parcels", "en")
    ('Cảng biển', 'My parcels')
    """
    key = f"layer.{name}"
    if key in CATALOGUES["en"]:
        return tr(key, lang)
    return name.replace("_", " ").capitalize()


def _labels(gdf: gpd.GeoDataFrame) -> list[str]:
    column = next((c for c in ("name", "name_en", "ref", "id") if c in gdf.columns), None)
    if column is None:
        return [""] * len(gdf)
    return ["" if pd.isna(v) else str(v) for v in gdf[column]]


def _source(summary: CriterionSummary) -> str:
    layer = getattr(summary.criterion.measure, "layer", None)
    return layer if isinstance(layer, str) else summary.name


def _split(features: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (routes, the rest): route rows name the candidate they start from."""
    if "candidate" not in features.columns:
        return features.iloc[:0], features
    routes = features["candidate"].notna().to_numpy(bool)
    return features.loc[routes], features.loc[~routes]


def _drawable(features: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if features is None or len(features) == 0:
        return None
    keep = ~features.geometry.isna() & ~features.geometry.is_empty
    return features.loc[keep] if keep.any() else None


def _route_layer(
    summary: CriterionSummary, routes: gpd.GeoDataFrame, names: list[str], colour: str, lang: str
) -> ContextLayer:
    cost = next((c for c in routes.columns if c.startswith("cost_")), None)
    labels = []
    for _, row in routes.iterrows():
        text = tr(
            "card.route", lang, candidate=names[int(row["candidate"])], facility=row["facility"]
        )
        if cost is not None and pd.notna(row[cost]):
            text += ": " + format_value(float(row[cost]), cost.removeprefix("cost_"), lang)
        labels.append(text)
    title = localized(summary.title, lang)  # type: ignore[arg-type]
    return ContextLayer(
        key=f"routes:{summary.name}",
        kind="routes",
        name=tr("map.routes", lang, title=title),
        colour=colour,
        features=routes[["geometry"]].copy(),
        labels=labels,
        criteria=(summary.name,),
    )


def _zones(result: Result, lang: str) -> list[ContextLayer]:
    from geosite.analysis import load_layer  # noqa: PLC0415 - only maps need it
    from geosite.decision.constraints import InsideConstraint, OutsideConstraint  # noqa: PLC0415

    out = []
    for k, constraint in enumerate(result.scenario.constraints):
        if not isinstance(constraint, InsideConstraint | OutsideConstraint):
            continue
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
        name = tr("map.constraint", lang, rule=localized(constraint.label(), lang))  # type: ignore[arg-type]
        out.append(
            ContextLayer(
                key=f"zone:{k}",
                kind="zone",
                name=name,
                colour=ZONE_COLOUR,
                features=gpd.GeoDataFrame(geometry=[zone], crs=result.crs),
                labels=[name],
            )
        )
    return out


def context_layers(
    results: Sequence[Result], lang: str, *, overlays: Sequence[ContextLayer] = ()
) -> list[ContextLayer]:
    """Return every layer drawn besides the candidates, in drawing order (bottom first).

    Criteria are taken from each result in turn, once per name (the first result that has
    it); zones come from the first result.

    Parameters
    ----------
    results
        Evaluated scenarios drawn on one map.
    lang
        Language of the layer names and tooltips.
    overlays
        Layers of the caller's own, drawn first (under everything else), e.g. the
        suitable land per unit of :func:`zone_layers`.

    Returns
    -------
    list of ContextLayer
        The overlays, zones, roads, facilities, routes.

    Raises
    ------
    ParameterError
        If two layers share a key (the legend names a layer by its key).
    """
    zones = _zones(results[0], lang) if results else []
    roads: list[ContextLayer] = []
    facilities: dict[str, list[tuple[CriterionSummary, gpd.GeoDataFrame]]] = {}
    routes: list[ContextLayer] = []
    colours: dict[str, str] = {}
    seen: set[str] = set()
    pending_routes: list[tuple[CriterionSummary, gpd.GeoDataFrame, list[str]]] = []
    for result in results:
        names = [str(v) for v in result.table[result.name_column or result.id_column]]
        for summary in result.criteria:
            if summary.name in seen:
                continue
            seen.add(summary.name)
            features = _drawable(summary.features)
            if features is None:
                continue
            route_rows, rest = _split(features)
            source = _source(summary)
            lines = rest.geom_type.str.contains("Line").to_numpy(bool)
            if lines.any() and "class" in rest.columns:
                roads.append(_road_layer(summary, rest.loc[lines], source, lang))
                rest = rest.loc[~lines]
            if len(rest):
                colours.setdefault(source, FACILITY_COLOURS[len(colours) % len(FACILITY_COLOURS)])
                facilities.setdefault(source, []).append((summary, rest))
            if len(route_rows):
                pending_routes.append((summary, route_rows, names))
    drawn_facilities = [
        _facility_layer(source, parts, colours[source], lang)
        for source, parts in facilities.items()
    ]
    for summary, rows, names in pending_routes:
        colour = colours.get(_source(summary), FACILITY_COLOURS[0])
        routes.append(_route_layer(summary, rows, names, colour, lang))
    # Routes go on top of the roads they follow; facilities on top of both.
    layers = [*overlays, *zones, *roads, *routes, *drawn_facilities]
    keys = [layer.key for layer in layers]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        msg = f"overlays: layer key(s) {twice} are used twice; give each overlay its own key"
        raise ParameterError(msg)
    return layers


def _road_layer(
    summary: CriterionSummary, lines: gpd.GeoDataFrame, source: str, lang: str
) -> ContextLayer:
    classes = ["" if pd.isna(v) else str(v) for v in lines["class"]]
    # Unnamed roads are labelled by their class, in the map's words like the legend.
    # A class the legend does not list keeps its data name in English only.
    other = tr("road.other", lang)
    kinds = [
        tr(f"road.{cl}", lang) if cl in ROAD_COLOURS else cl if lang == "en" else other
        for cl in classes
    ]
    labels = [
        f"{lab} ({kind})" if lab else kind for lab, kind in zip(_labels(lines), kinds, strict=True)
    ]
    present = set(classes)
    ordered = tuple(c for c in ROAD_COLOURS if c in present)
    if present - set(ROAD_COLOURS):
        ordered += ("other",)
    frame = gpd.GeoDataFrame({"class": classes}, geometry=lines.geometry.to_numpy(), crs=lines.crs)
    return ContextLayer(
        key=f"roads:{source}",
        kind="roads",
        name=layer_title(source, lang),
        colour=OTHER_ROAD_COLOUR,
        features=frame,
        labels=labels,
        classes=ordered,
        criteria=(summary.name,),
    )


def _facility_layer(
    source: str,
    parts: list[tuple[CriterionSummary, gpd.GeoDataFrame]],
    colour: str,
    lang: str,
) -> ContextLayer:
    """Merge what several criteria measured to on one source layer; each feature once."""
    rows: dict[tuple[str, bytes], tuple[str, object, list[str]]] = {}
    for summary, features in parts:
        title = localized(summary.title, lang)  # type: ignore[arg-type]
        for label, geom in zip(_labels(features), features.geometry, strict=True):
            key = (label, shapely.to_wkb(geom))
            entry = rows.setdefault(key, (label, geom, []))
            if title not in entry[2]:
                entry[2].append(title)
    labels = [
        f"{lab} ({'; '.join(titles)})" if lab else "; ".join(titles)
        for lab, _, titles in rows.values()
    ]
    named = sorted({lab for lab, _, _ in rows.values() if lab})
    title = layer_title(source, lang)
    if 0 < len(rows) <= NAMED_UP_TO and len(named) == len(rows):
        name = f"{title}: {', '.join(named)}"
    else:
        name = f"{title} ({format_number(len(rows), 0, lang)})"
    return ContextLayer(
        key=f"facilities:{source}",
        kind="facilities",
        name=name,
        colour=colour,
        features=gpd.GeoDataFrame(
            {"label": [lab for lab, _, _ in rows.values()]},
            geometry=[g for _, g, _ in rows.values()],
            crs=parts[0][1].crs,
        ),
        labels=labels,
        criteria=tuple(s.name for s, _ in parts),
    )


def _candidate_box(result: Result, limit: int | None) -> npt.NDArray[np.float64]:
    table = result.table if limit is None else result.table.iloc[:limit]
    return np.asarray(table.to_crs(4326).total_bounds, dtype=float)


def _measured_to(results: Sequence[Result], limit: int | None) -> set[str]:
    """Return the names of the features that the drawn candidates were measured to."""
    named: set[str] = set()
    for result in results:
        table = result.table if limit is None else result.table.iloc[:limit]
        for summary in result.criteria:
            for suffix in ("facility", "nearest"):
                column = f"{summary.name}_{suffix}"
                if column in table.columns:
                    named |= {str(v) for v in table[column].dropna().unique()}
    return named


def frame_bounds(
    results: Sequence[Result], layers: Sequence[ContextLayer], *, max_candidates: int | None = None
) -> npt.NDArray[np.float64]:
    """Return the first view (WGS 84 bounds): the candidates and what they were measured to.

    A facility is framed when a drawn candidate was measured to it (the ``<criterion>_facility``
    and ``<criterion>_nearest`` columns name it), whatever the measure, so the port and the
    airports of travel-time criteria are in view; routes are framed whole. Roads and zones are
    not: they are context, often far larger than the study.
    """
    boxes = [_candidate_box(r, max_candidates) for r in results if len(r.table)]
    if not boxes:
        msg = "cannot map a result without candidates"
        raise ParameterError(msg)
    named = _measured_to(results, max_candidates)
    for layer in layers:
        if layer.kind == "routes":
            boxes.append(layer.features.to_crs(4326).total_bounds)
        elif layer.kind == "facilities":
            chosen = layer.features.loc[layer.features["label"].isin(named)]
            polygons_or_points = ~chosen.geom_type.str.contains("Line")
            chosen = chosen.loc[polygons_or_points.to_numpy(bool)]
            if len(chosen):
                boxes.append(chosen.to_crs(4326).total_bounds)
    arr = np.array(boxes, dtype=float)
    return np.array([arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()])


ZoneValue = Literal["suitable_share", "suitable_ha"]
#: The unit name :func:`geosite.locate.zones.summarise_zones` gives cells outside every unit.
OUTSIDE_UNITS = "(outside every unit)"


def _zone_text(value: float, what: str, lang: str) -> str:
    if what == "suitable_share":
        return f"{format_number(100 * value, 1, lang)} %"
    return f"{format_number(value, 0, lang)} ha"


def zone_layers(
    zones: pd.DataFrame,
    lang: str = "en",
    *,
    value: ZoneValue = "suitable_share",
    classes: int = 5,
    top_share: float | None = None,
    threshold: float | None = None,
) -> list[ContextLayer]:
    """Return one choropleth layer per unit level of a zone table, the first shown.

    Each unit is filled by its class of ``value`` (equal steps from 0 to the level's largest
    value, :data:`UNIT_PALETTE`) and opens a popup with its suitable hectares, their share
    of the unit's land on the grid, and its mean and best score, in the map's language.
    Pass the layers as ``overlays`` to :func:`geosite.render.result_to_map`; the legend
    gets one entry per layer and class, like every drawn layer.

    Parameters
    ----------
    zones
        A zone table with geometry (:func:`geosite.locate.zones.summarise_zones`, or
        ``zones.gpkg``): columns ``level``, ``unit``, ``area_ha``, ``suitable_ha``,
        ``suitable_share``, ``mean_score``, ``best_score``.
    lang
        Language of the names, legend and popups.
    value
        What the fill shows: ``"suitable_share"`` (0-1, of the unit's land on the grid) or
        ``"suitable_ha"`` (hectares).
    classes
        Number of fill classes, 2 to 5.
    top_share, threshold
        The rule that made cells suitable, when known, said under the first layer's legend
        entry.

    Returns
    -------
    list of ContextLayer
        One ``"units"`` layer per level, in :data:`ZONE_LEVELS` order; only the first is
        shown at first.

    Raises
    ------
    ParameterError
        For a table without those columns or geometry, an unknown level or ``value``.

    Examples
    --------
    >>> from shapely import box
    >>> zones = gpd.GeoDataFrame(
    ...     {"level": "province_old", "unit": ["A", "B"], "area_ha": [800.0, 400.0],
    ...      "suitable_ha": [400.0, 0.0], "suitable_share": [0.5, 0.0],
    ...      "mean_score": [0.6, 0.2], "best_score": [0.9, 0.3]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32648)
    >>> [layer] = zone_layers(zones, "vi")
    >>> layer.name, layer.labels
    ('Đất thích hợp theo tỉnh, trước tháng 7/2025', ['A: 50,0 %', 'B: 0,0 %'])
    >>> layer.popups[0][1][0]
    ('Đất thích hợp', '400 ha')
    """
    columns = ("level", "unit", "area_ha", "suitable_ha", "suitable_share", "mean_score")
    problems = []
    missing = [c for c in (*columns, "best_score") if c not in zones.columns]
    if missing:
        problems.append(f"the zone table has no column(s) {missing}")
    if not isinstance(zones, gpd.GeoDataFrame) or zones.crs is None:
        problems.append("the zone table has no geometry with a CRS (read zones.gpkg)")
    if value not in ("suitable_share", "suitable_ha"):
        problems.append(f"value must be 'suitable_share' or 'suitable_ha', got {value!r}")
    if not 2 <= classes <= len(UNIT_PALETTE):
        problems.append(f"classes must be between 2 and {len(UNIT_PALETTE)}, got {classes!r}")
    if not missing:
        unknown = sorted(set(map(str, zones["level"])) - set(ZONE_LEVELS))
        if unknown:
            problems.append(f"unknown level(s) {unknown}; levels are {list(ZONE_LEVELS)}")
    if problems:
        raise ParameterError("; ".join(problems))
    assert isinstance(zones, gpd.GeoDataFrame)
    palette = tuple(
        UNIT_PALETTE[round(i * (len(UNIT_PALETTE) - 1) / (classes - 1))] for i in range(classes)
    )
    layers: list[ContextLayer] = []
    present = set(map(str, zones["level"]))
    for level in (lv for lv in ZONE_LEVELS if lv in present):
        rows = zones.loc[zones["level"].astype(str).eq(level).to_numpy(bool)]
        rows = rows.loc[~rows.geometry.isna() & ~rows.geometry.is_empty]
        shown = pd.to_numeric(rows[value], errors="coerce").fillna(0.0).to_numpy(float)
        top = float(shown.max()) if len(shown) else 0.0
        bins = [top * (k + 1) / classes for k in range(classes)] if top > 0 else [0.0]
        cls = np.searchsorted(np.asarray(bins[:-1]) * (1 + 1e-9), shown, side="left")
        lows = [0.0, *bins[:-1]]
        # "0,0 to 1,9 %": the unit once, after the upper bound.
        steps = tuple(
            (palette[k], f"{_zone_text(lows[k], value, lang).split()[0]} \u2013 {high}")
            for k in reversed(range(len(bins)))
            for high in [_zone_text(bins[k], value, lang)]
        )
        units = [
            tr("map.units.outside", lang) if u == OUTSIDE_UNITS else str(u) for u in rows["unit"]
        ]
        popups = tuple(
            (
                unit,
                (
                    (tr("map.units.suitable", lang), _zone_text(row.suitable_ha, "ha", lang)),
                    (
                        tr("map.units.share", lang),
                        _zone_text(row.suitable_share, "suitable_share", lang),
                    ),
                    (tr("map.units.area", lang), _zone_text(row.area_ha, "ha", lang)),
                    (tr("map.units.mean", lang), format_number(_finite(row.mean_score), 3, lang)),
                    (tr("map.units.best", lang), format_number(_finite(row.best_score), 3, lang)),
                ),
            )
            for unit, row in zip(units, rows.itertuples(), strict=True)
        )
        layers.append(
            ContextLayer(
                key=f"units:{level}",
                kind="units",
                name=tr(f"map.units.{level}", lang),
                colour=palette[-1],
                features=gpd.GeoDataFrame(
                    {"unit": units}, geometry=rows.geometry.to_numpy(), crs=zones.crs
                ),
                labels=[
                    f"{unit}: {_zone_text(v, value, lang)}"
                    for unit, v in zip(units, shown, strict=True)
                ],
                fills=tuple(palette[int(c) if len(bins) > 1 else 0] for c in cls),
                steps=steps if len(bins) > 1 else ((palette[0], _zone_text(0.0, value, lang)),),
                popups=popups,
                show=not layers,
                note=_rule(top_share, threshold, lang) if not layers else "",
            )
        )
    return layers


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _rule(top_share: float | None, threshold: float | None, lang: str) -> str:
    if top_share is not None:
        share = f"{format_number(100 * top_share, 1 if 100 * top_share % 1 else 0, lang)} %"
        return tr("map.units.rule.top", lang, share=share)
    if threshold is not None:
        return tr("map.units.rule.threshold", lang, score=format_number(threshold, 2, lang))
    return ""
