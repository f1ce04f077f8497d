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
    "ContextLayer",
    "Shape",
    "context_layers",
    "frame_bounds",
    "layer_title",
    "shapes_of",
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

Kind = Literal["zone", "roads", "facilities", "routes"]
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
        ``"zone"``, ``"roads"`` (lines coloured by ``classes``), ``"facilities"`` or
        ``"routes"``.
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
    """

    key: str
    kind: Kind
    name: str
    colour: str
    features: gpd.GeoDataFrame
    labels: list[str]
    classes: tuple[str, ...] = ()
    criteria: tuple[str, ...] = field(default=())

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


def context_layers(results: Sequence[Result], lang: str) -> list[ContextLayer]:
    """Return every layer drawn besides the candidates, in drawing order (bottom first).

    Criteria are taken from each result in turn, once per name (the first result that has
    it); zones come from the first result.

    Parameters
    ----------
    results
        Evaluated scenarios drawn on one map.
    lang
        Language of the layer names and tooltips.

    Returns
    -------
    list of ContextLayer
        Zones, roads, facilities, routes.
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
    return [*zones, *roads, *routes, *drawn_facilities]


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
