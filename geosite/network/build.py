"""Build road graphs from line layers: GeoDataFrames, bundled layers and OSM PBF extracts."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from geosite.errors import DataNotFoundError, LayerError, NetworkError, ParameterError
from geosite.network._validate import _check_choice, _check_file
from geosite.network.graph import RoadGraph, _assemble, _metric_crs
from geosite.network.osm import _NETWORK_TYPES, NetworkType, _keep_way, _osm_direction
from geosite.network.speeds import (
    Profile,
    _check_profile,
    _first,
    _parse_oneway,
    _parse_speed,
    _per_value,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    import numpy.typing as npt
    import pyproj

    from geosite.types import CRSLike

logger = logging.getLogger(__name__)


def graph_from_gdf(
    edges: gpd.GeoDataFrame,
    *,
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    class_column: str | None = "class",
    speed_column: str | None = None,
    oneway_column: str | None = None,
    use_speed_column: bool = True,
    ignore_oneway: bool = False,
    node_tolerance_m: float = 0.01,
    name: str = "network",
) -> RoadGraph:
    """Build a road graph from line features, with a node wherever lines share a vertex.

    Every line end is a node, and so is every vertex used by more than one line (or twice by
    the same line); lines are split there. Lines crossing without a shared vertex (bridges,
    flyovers) stay unconnected.

    Parameters
    ----------
    edges
        Road lines (LineString or MultiLineString) with a CRS.
    crs
        Projected metric CRS to build the graph in; by default the layer's own CRS if it is
        projected, else its UTM zone.
    profile
        Speed profile, ``"car"`` or ``"truck"``.
    speeds
        Speeds in km/h per road class, merged over :func:`default_speeds` of ``profile``.
    class_column
        Column with the road class; ``None`` (or the default ``"class"`` when the layer has
        no such column) gives every road the class ``"default"``.
    speed_column
        Column with a posted speed (an OSM ``maxspeed`` string or a number in km/h); where it
        holds a usable value it replaces the class speed (trucks: the lower of the two).
    oneway_column
        Column saying whether a line is one-way: true/"yes"/1 means only as drawn, "-1" or
        "reverse" means only against the drawing direction; ``None`` makes every road two-way.
    use_speed_column
        Set False to ignore ``speed_column`` and use the class table only.
    ignore_oneway
        Treat every road as two-way.
    node_tolerance_m
        Vertices closer than about this (metres; they are rounded to this grid) are one node.
    name
        Label used in messages.

    Returns
    -------
    RoadGraph

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(
    ...     {"class": ["trunk", "residential"]},
    ...     geometry=[LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (1000, 500)])],
    ...     crs="EPSG:32648",
    ... )
    >>> g = graph_from_gdf(roads)
    >>> g.n_nodes, g.n_edges
    (3, 4)
    >>> round(float(g.edge_time_min[0]), 3)  # 1 km at 70 km/h
    0.857
    """
    profile = _check_profile(profile)
    if not isinstance(edges, gpd.GeoDataFrame):
        msg = f"edges must be a GeoDataFrame of road lines, got {type(edges).__name__}"
        raise ParameterError(msg)
    if class_column == "class" and "class" not in edges:
        class_column = None
    missing = [c for c in (class_column, speed_column, oneway_column) if c and c not in edges]
    if missing:
        msg = (
            f"road layer of network {name!r} has no column(s) {missing!r}; "
            f"available: {sorted(map(str, edges.columns))!r}"
        )
        raise LayerError(msg)
    if node_tolerance_m <= 0:
        msg = f"node_tolerance_m must be positive, got {node_tolerance_m!r}"
        raise ParameterError(msg)
    if len(edges) == 0:
        msg = f"road layer of network {name!r} has no features; check its 'where' filter"
        raise NetworkError(msg)
    target = _metric_crs(edges, crs, f"road layer of network {name!r}")
    gdf = _road_lines(edges, target, name)
    n_lines = len(gdf)

    classes = (
        _per_value(gdf[class_column], _first, object)
        if class_column
        else np.full(n_lines, "default", dtype=object)
    )
    tagged = (
        _per_value(gdf[speed_column], _parse_speed, np.float64)
        if speed_column
        else np.full(n_lines, np.nan)
    )
    direction = (
        _per_value(gdf[oneway_column], _parse_oneway, np.int64)
        if oneway_column and not ignore_oneway
        else np.zeros(n_lines, dtype=np.int64)
    )

    coords, line_of = shapely.get_coordinates(gdf.geometry.array, return_index=True)
    # drop repeated consecutive vertices: they would make zero-length segments
    dup = np.zeros(len(coords), dtype=bool)
    dup[1:] = (line_of[1:] == line_of[:-1]) & np.all(coords[1:] == coords[:-1], axis=1)
    coords, line_of = coords[~dup], line_of[~dup]
    counts = np.bincount(line_of, minlength=n_lines)
    usable = counts >= 2
    keep_coord = usable[line_of]
    coords, line_of = coords[keep_coord], line_of[keep_coord]
    # renumber lines densely
    line_ids = np.flatnonzero(usable)
    dense = np.full(n_lines, -1, dtype=np.int64)
    dense[line_ids] = np.arange(len(line_ids))
    line_of = dense[line_of]
    classes, tagged, direction = classes[line_ids], tagged[line_ids], direction[line_ids]
    if len(coords) == 0:
        msg = f"road layer of network {name!r} has no line with two distinct vertices"
        raise NetworkError(msg)

    seg_geom, seg_u, seg_v, seg_line, node_xy = _split_at_nodes(coords, line_of, node_tolerance_m)
    good = shapely.length(seg_geom) > 0
    graph = _assemble(
        crs=target,
        node_id=np.arange(len(node_xy), dtype=np.int64),
        node_x=node_xy[:, 0].astype(np.float64),
        node_y=node_xy[:, 1].astype(np.float64),
        u=seg_u[good],
        v=seg_v[good],
        geometry=np.asarray(seg_geom[good], dtype=object),
        classes=classes[seg_line[good]],
        tagged_kmh=tagged[seg_line[good]],
        direction=direction[seg_line[good]],
        profile=profile,
        speeds=speeds,
        use_tagged=use_speed_column and speed_column is not None,
        name=name,
    )
    logger.info("built %r from %d lines", graph, n_lines)
    return graph


def _road_lines(edges: gpd.GeoDataFrame, target: pyproj.CRS, name: str) -> gpd.GeoDataFrame:
    """Return the non-empty single lines of a road layer in ``target``, numbered from 0."""
    gdf = edges[~(edges.geometry.isna() | edges.geometry.is_empty)]
    kinds = set(gdf.geom_type.unique())
    if not kinds <= {"LineString", "MultiLineString"}:
        msg = (
            f"road layer of network {name!r} must hold lines, found {sorted(kinds)!r}; "
            "drop other geometries first"
        )
        raise LayerError(msg)
    if len(gdf) == 0:
        msg = f"road layer of network {name!r} has no line features"
        raise NetworkError(msg)
    gdf = gdf.to_crs(target)
    if "MultiLineString" in kinds:
        return gdf.explode(index_parts=False, ignore_index=True)
    return gdf.reset_index(drop=True)


def _split_at_nodes(
    coords: npt.NDArray[np.float64], line_of: npt.NDArray[np.int64], tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split lines at their nodes: ends and vertices shared after rounding to ``tolerance``.

    Returns the segment geometries, their end nodes and source line, and node coordinates.
    """
    q = np.round(coords / tolerance).astype(np.int64)
    q -= q.min(axis=0)
    span = int(q[:, 1].max()) + 1
    if int(q[:, 0].max()) < (2**62) // span:
        key = q[:, 0] * span + q[:, 1]
        _, vertex, vcount = np.unique(key, return_inverse=True, return_counts=True)
    else:  # pragma: no cover - continental extents at sub-millimetre tolerance
        _, vertex, vcount = np.unique(q, axis=0, return_inverse=True, return_counts=True)
    vertex = vertex.ravel()

    first = np.ones(len(coords), dtype=bool)
    first[1:] = line_of[1:] != line_of[:-1]
    last = np.ones(len(coords), dtype=bool)
    last[:-1] = line_of[1:] != line_of[:-1]
    is_node = first | last | (vcount[vertex] > 1)

    # split lines at nodes: coordinate g (not last of its line) starts or continues edge
    # F[g] - line - 1, and a node coordinate (not first) also ends edge F[g] - line - 2
    cum = np.cumsum(is_node)
    start_g = np.flatnonzero(~last)
    start_e = cum[start_g] - line_of[start_g] - 1
    end_g = np.flatnonzero(is_node & ~first)
    end_e = cum[end_g] - line_of[end_g] - 2
    all_g = np.concatenate([start_g, end_g])
    all_e = np.concatenate([start_e, end_e])
    order = np.lexsort((all_g, all_e))
    all_g, all_e = all_g[order], all_e[order]
    seg_geom = shapely.linestrings(coords[all_g], indices=all_e)
    seg_first = np.ones(len(all_e), dtype=bool)
    seg_first[1:] = all_e[1:] != all_e[:-1]
    seg_last = np.ones(len(all_e), dtype=bool)
    seg_last[:-1] = all_e[1:] != all_e[:-1]
    seg_u_vertex = vertex[all_g[seg_first]]
    seg_v_vertex = vertex[all_g[seg_last]]
    seg_line = line_of[all_g[seg_first]]

    node_vertex = np.unique(vertex[is_node])
    node_pos = np.full(int(vertex.max()) + 1, -1, dtype=np.int64)
    node_pos[node_vertex] = np.arange(len(node_vertex))
    first_coord_of_vertex = np.zeros(int(vertex.max()) + 1, dtype=np.int64)
    first_coord_of_vertex[vertex[::-1]] = np.arange(len(vertex))[::-1]
    node_xy = coords[first_coord_of_vertex[node_vertex]]

    return seg_geom, node_pos[seg_u_vertex], node_pos[seg_v_vertex], seg_line, node_xy


def graph_from_layer(
    layer: str = "roads",
    *,
    where: Mapping[str, Any] | None = None,
    crs: CRSLike | None = "EPSG:32648",
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_speed_column: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from a bundled road layer (``roads`` by default).

    The bundled ``roads`` layer carries ``class`` (road class), ``speed_kmh`` (a typical
    speed, used like a posted speed) and, where known, ``oneway``.

    Parameters
    ----------
    layer
        Name of the bundled layer.
    where
        Attribute filter ``{column: value or [values]}``, e.g. ``{"status": "open"}``.
    crs, profile, speeds, use_speed_column, ignore_oneway
        As in :func:`graph_from_gdf`.
    name
        Label used in messages; the layer name by default.

    Returns
    -------
    RoadGraph

    Examples
    --------
    >>> trunk = graph_from_layer("roads", where={"status": "open"}, profile="truck")
    >>> trunk.crs.to_epsg(), bool(trunk.edge_speed_kmh.max() <= 90)
    (32648, True)
    """
    try:
        layers = importlib.import_module("geosite.data.bundled")
    except ImportError as err:
        msg = (
            f"bundled layer {layer!r} cannot be read: geosite.data.bundled is not available in "
            "this installation; build the graph from a file with graph_from_gdf instead"
        )
        raise DataNotFoundError(msg) from err
    gdf = layers.read_layer(layer)
    gdf = _filter_where(gdf, where, what=f"layer {layer!r}")
    return graph_from_gdf(
        gdf,
        crs=crs,
        profile=profile,
        speeds=speeds,
        class_column="class" if "class" in gdf else None,
        speed_column="speed_kmh" if "speed_kmh" in gdf else None,
        oneway_column="oneway" if "oneway" in gdf else None,
        use_speed_column=use_speed_column,
        ignore_oneway=ignore_oneway,
        name=name or layer,
    )


def _filter_where(
    gdf: gpd.GeoDataFrame, where: Mapping[str, Any] | None, *, what: str
) -> gpd.GeoDataFrame:
    # One `where` for every source: the layers' own (diacritic-insensitive, never ambiguous).
    from geosite.data.where import filter_where  # noqa: PLC0415

    return filter_where(gdf, where, layer=what.removeprefix("layer ").strip("'"))


def graph_from_pbf(
    path: str | os.PathLike[str],
    *,
    network_type: NetworkType = "drive_service",
    crs: CRSLike | None = None,
    profile: Profile = "car",
    speeds: Mapping[str, float] | None = None,
    use_maxspeed: bool = True,
    ignore_oneway: bool = False,
    name: str | None = None,
) -> RoadGraph:
    """Build a road graph from an OpenStreetMap PBF extract (``.osm.pbf``), with pyosmium.

    Road ways are read with their node locations and turned into a graph with a node at
    every OSM node shared by two ways and at way ends, as :func:`graph_from_xml` does.
    ``oneway=yes|-1`` and roundabouts are one-way.

    Parameters
    ----------
    path
        The ``.osm.pbf`` (or ``.osm``) file.
    network_type, crs, profile, speeds, use_maxspeed, ignore_oneway, name
        As in :func:`graph_from_xml`.

    Returns
    -------
    RoadGraph
    """
    p = _check_file(path, "OSM PBF")
    _check_choice("network_type", network_type, _NETWORK_TYPES)
    try:
        import osmium  # noqa: PLC0415 - optional dependency
    except ImportError as err:
        msg = "reading .osm.pbf files needs pyosmium: pip install osmium"
        raise NetworkError(msg) from err
    label = name or p.name
    lines: list[shapely.LineString] = []
    rows: list[dict[str, Any]] = []
    try:
        processor = osmium.FileProcessor(str(p)).with_locations()
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not _keep_way(tags, network_type):
                continue
            xy = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(xy) < 2:
                continue
            lines.append(shapely.LineString(xy))
            rows.append(
                {
                    "highway": tags.get("highway", "default"),
                    "maxspeed": tags.get("maxspeed"),
                    "oneway": _osm_direction(tags),
                }
            )
    except RuntimeError as err:
        msg = f"OSM PBF file {str(p)!r} cannot be read: {err}"
        raise NetworkError(msg) from err
    if not lines:
        msg = f"OSM file {str(p)!r} has no road ways for network_type {network_type!r}"
        raise NetworkError(msg)
    gdf = gpd.GeoDataFrame(rows, geometry=lines, crs="EPSG:4326")
    return graph_from_gdf(
        gdf,
        crs=crs,
        profile=profile,
        speeds=speeds,
        class_column="highway",
        speed_column="maxspeed",
        oneway_column="oneway",
        use_speed_column=use_maxspeed,
        ignore_oneway=ignore_oneway,
        name=label,
        node_tolerance_m=1e-3,
    )
