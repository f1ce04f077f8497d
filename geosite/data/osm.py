"""Fetch OpenStreetMap layers for a region once, keep them as a GeoPackage, use them offline.

The bundled layers are a demonstration on partly approximate data. A planner with internet
can replace them with OpenStreetMap as it is today: :func:`fetch_osm` asks the Overpass API
(through osmnx, :mod:`geosite.network._osmnx`) for the roads, industrial areas, high-voltage
power lines, airports, ports and universities inside a region and writes them to one
GeoPackage, one layer per kind, named like the bundled layer it replaces and carrying the
same columns. A scenario then points its layers at the file::

    layers:
      power_lines: {path: osm-hcmc.gpkg, layer: power_lines}

The GeoPackage is the cache: while it holds what was asked for (the same region, layers,
options and Overpass server), :func:`fetch_osm` reads its metadata and returns without
touching the network; ``refresh=True`` fetches again. It is written whole or not at all (a
temporary file renamed over the target), so a failure or an interruption leaves the previous
file, or none; and one fetch at a time holds it (:func:`geosite.data.publish.file_lock`), so a
second fetch into the same file refuses to start, naming the process writing it.

Every feature says where it came from (``osm_type``, ``osm_id``, ``source``), its licence
(``ODbL-1.0``), its accuracy and when it was fetched; the file's metadata holds the query,
the Overpass endpoint, the osmnx version, the date and the attribution the ODbL requires,
"© OpenStreetMap contributors".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosite.errors import DataNotFoundError, GeositeError, NetworkError, ParameterError
from geosite.tolerance import at_least

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "DEFAULT_ROAD_CLASSES",
    "KINDS",
    "OSM_ATTRIBUTION",
    "FetchedOSM",
    "OSMKind",
    "fetch_osm",
    "region_polygon",
]

logger = logging.getLogger(__name__)

OSMKind = Literal["roads", "industrial_parks", "power_lines", "airports", "ports", "universities"]

#: Every kind :func:`fetch_osm` can fetch, in the order the GeoPackage holds them.
KINDS: tuple[OSMKind, ...] = (
    "roads",
    "industrial_parks",
    "power_lines",
    "airports",
    "ports",
    "universities",
)

#: The OpenStreetMap ``highway`` classes fetched as roads unless told otherwise: the trunk
#: and main roads a regional analysis routes on (the bundled ``roads`` holds motorway to
#: secondary), with their ramps. Residential streets multiply the size tenfold.
DEFAULT_ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
)

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_LICENCE = "ODbL-1.0"

#: Positional accuracy stated for OpenStreetMap geometry, in metres (as for the bundled
#: layers built from OpenStreetMap): features are traced from imagery and GPS.
OSM_ACCURACY_M = 20.0

#: Metadata key of the GeoPackage under which the fetch is described (JSON).
META_KEY = "geosite_fetch_osm"
_FORMAT = 1

#: Bundled administrative layers a region name may come from, with their id column and when.
_ADMIN_LAYERS = (
    ("provinces_2025", "province_id", "province since the July 2025 mergers"),
    ("provinces_pre2025", "province_id", "province before the July 2025 mergers"),
    ("districts", "district_id", "district before the July 2025 mergers"),
)

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_BBOX = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True, slots=True)
class Region:
    """An area to fetch: its polygon in EPSG:4326 and how it was named."""

    polygon: shapely.Polygon | shapely.MultiPolygon
    label: str
    how: str


def region_polygon(
    region: str | os.PathLike[str] | shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries,
) -> Region:
    """Return the polygon (EPSG:4326) of a region given by name, bbox, file or geometry.

    Parameters
    ----------
    region
        - the name or id of a bundled province or district (``"Đồng Nai"``, ``"Thu Duc"``,
          ``"dong-nai-2025"``), before or after the July 2025 mergers; a name both share is
          refused, naming the ids that tell them apart;
        - a bounding box ``"W,S,E,N"`` in degrees (``"106.6,10.7,106.8,10.9"``);
        - a vector file holding the area's polygon(s) (GeoJSON, GeoPackage, shapefile), read
          through :func:`geosite.data.source.open_layer`;
        - a shapely polygon (EPSG:4326) or a GeoDataFrame / GeoSeries of polygons.

    Returns
    -------
    Region
        The polygon, a label for messages and metadata, and how it was found.

    Raises
    ------
    DataNotFoundError
        If a name matches no unit (with the closest names) or a file does not exist.
    ParameterError
        If a bbox is malformed, or a name is ambiguous.
    LayerError
        If a file or geometry holds no polygon.

    Examples
    --------
    >>> r = region_polygon("106.6,10.7,106.8,10.9")
    >>> r.polygon.bounds, r.how
    ((106.6, 10.7, 106.8, 10.9), 'bbox')
    >>> region_polygon("Thu Duc").label
    'Thành phố Thủ Đức (ho-chi-minh-city-thanh-pho-thu-duc)'
    """
    if isinstance(region, gpd.GeoDataFrame | gpd.GeoSeries):
        return _from_frame(region, label="the given geometry")
    if isinstance(region, shapely.Geometry):
        frame = gpd.GeoSeries([region], crs=4326)
        return _from_frame(frame, label="the given geometry")
    if not isinstance(region, str | os.PathLike):
        msg = (
            f"region must be a name, a bbox 'W,S,E,N', a polygon file or a geometry; got a "
            f"{type(region).__name__}"
        )
        raise ParameterError(msg)
    text = str(region).strip()
    match = _BBOX.match(text)
    if match:
        return _from_bbox(text, [float(g) for g in match.groups()])
    looks_like_file = (
        isinstance(region, os.PathLike)
        or any((sep in text) for sep in ("/", "\\"))
        or bool(Path(text).suffix and Path(text).suffix[1:].isalpha() and Path(text).exists())
    )
    if looks_like_file or Path(text).is_file():
        return _from_file(Path(text))
    if "," in text and all(_looks_number(p) for p in text.split(",")):
        _from_bbox(text, [])  # raises with the expected form
    return _from_name(text)


def _looks_number(part: str) -> bool:
    return bool(re.fullmatch(rf"\s*{_NUMBER}\s*", part))


def _from_bbox(text: str, values: list[float]) -> Region:
    ok = len(values) == 4 and all(math.isfinite(v) for v in values)
    if ok:
        west, south, east, north = values
        ok = -180 <= west < east <= 180 and -90 <= south < north <= 90
    if not ok:
        msg = (
            f"region {text!r} is not a bounding box W,S,E,N in degrees with west < east and "
            "south < north (longitudes -180..180, latitudes -90..90), e.g. "
            "'106.6,10.7,106.8,10.9'"
        )
        raise ParameterError(msg)
    return Region(shapely.box(*values), f"bbox {text}", "bbox")


def _from_file(path: Path) -> Region:
    from geosite.data.source import open_layer  # noqa: PLC0415

    layer = open_layer(path, name=f"region file {path.name}")
    return _from_frame(layer.gdf, label=str(path))


def _from_frame(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, label: str) -> Region:
    from geosite.errors import LayerError  # noqa: PLC0415

    if frame.crs is None:
        msg = f"region {label!r} has no CRS; set one (e.g. gdf.set_crs(4326))"
        raise LayerError(msg)
    geoms = gpd.GeoSeries(frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame)
    geoms = geoms.to_crs(4326)
    geoms = geoms[geoms.notna() & ~geoms.is_empty]
    polys = geoms[geoms.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys) == 0:
        kinds = sorted(set(geoms.geom_type)) or ["nothing"]
        msg = (
            f"region {label!r} holds no polygon ({', '.join(kinds)}); give the area's outline "
            "as a polygon, or a bbox W,S,E,N"
        )
        raise LayerError(msg)
    union = shapely.make_valid(shapely.union_all(polys.to_numpy()))
    if isinstance(union, shapely.GeometryCollection):
        parts = [g for g in union.geoms if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
        union = shapely.union_all(parts)
    return Region(union, label, "polygon")


def _admin_units() -> list[dict[str, Any]]:
    from geosite.data import bundled  # noqa: PLC0415

    units: list[dict[str, Any]] = []
    for layer, id_column, when in _ADMIN_LAYERS:
        gdf = bundled.read_layer(layer)
        units.extend(
            {
                "id": getattr(row, id_column),
                "name": row.name,
                "name_en": getattr(row, "name_en", None),
                "when": when,
                "layer": layer,
                "geometry": row.geometry,
            }
            for row in gdf.itertuples(index=False)
        )
    return units


def _from_name(text: str) -> Region:
    import difflib  # noqa: PLC0415

    from geosite.data.text import name_key  # noqa: PLC0415

    units = _admin_units()
    wanted = name_key(text, ignore_unit_prefix=True)
    by_id = [u for u in units if u["id"] == text.strip()]
    found = by_id or [
        u
        for u in units
        if wanted
        in {
            name_key(str(u["name"]), ignore_unit_prefix=True),
            name_key(str(u["name_en"] or ""), ignore_unit_prefix=True)
            .removesuffix(" province")
            .removesuffix(" city"),
            name_key(str(u["name_en"] or ""), ignore_unit_prefix=True),
            name_key(str(u["id"])),
        }
    ]
    if len(found) == 1:
        unit = found[0]
        area = gpd.GeoSeries([unit["geometry"]], crs=4326).to_crs(32648).area.iloc[0] / 1e6
        logger.info("region %r is %s %s (%.0f km²)", text, unit["when"], unit["id"], area)
        return Region(unit["geometry"], f"{unit['name']} ({unit['id']})", unit["layer"])
    if found:
        listed = "; ".join(f"{u['id']!r} ({u['name']}, {u['when']})" for u in found)
        msg = (
            f"region {text!r} names {len(found)} units: {listed}; give the id of the one "
            "you mean (e.g. `geosite fetch-osm "
            f"{found[0]['id']} --out ...`)"
        )
        raise ParameterError(msg)
    keys = {name_key(str(u["name"]), ignore_unit_prefix=True): u for u in units}
    close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.6)
    hint = (
        "; did you mean "
        + " or ".join(f"{keys[c]['name']!r} ({keys[c]['id']})" for c in close)
        + "?"
        if close
        else ""
    )
    msg = (
        f"no province or district named {text!r} in the bundled boundaries (Đông Nam Bộ, "
        f"before and after the July 2025 mergers){hint} Give a bbox 'W,S,E,N' in degrees or a "
        "polygon file for other areas; `geosite layers` describes the boundaries"
    )
    raise DataNotFoundError(msg)


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True, slots=True)
class _KindSpec:
    id_column: str
    geometry: tuple[str, ...]  # geometry types kept
    geometry_type: str  # the layer's declared type when empty
    columns: tuple[tuple[str, str], ...]  # column, dtype (for an empty layer)
    rows: Callable[[gpd.GeoDataFrame, dict[str, Any]], gpd.GeoDataFrame]


def _tags(road_classes: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    return {
        "roads": {"highway": list(road_classes)},
        "industrial_parks": {"landuse": ["industrial"]},
        "power_lines": {"power": ["line", "cable"]},
        "airports": {"aeroway": ["aerodrome"]},
        "ports": {"landuse": ["port"], "industrial": ["port"]},
        "universities": {"amenity": ["university"]},
    }


def _col(gdf: gpd.GeoDataFrame, key: str) -> pd.Series:
    if key in gdf:
        column: pd.Series = gdf[key].astype(object)
        return column.where(column.notna(), None)
    return pd.Series([None] * len(gdf), index=gdf.index, dtype=object)


def _kv(value: object) -> list[int]:
    """Return the voltages of an OSM ``voltage`` tag in kV, highest first ("220000;110000")."""
    out = set()
    for raw in str(value or "").replace(",", ";").split(";"):
        part = raw.strip()
        if part.isdigit():
            out.add(int(part) // 1000)
    return sorted(out, reverse=True)


def _speed_kmh(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    from geosite.network.speeds import _parse_speed  # noqa: PLC0415

    kmh = _parse_speed(value)
    return float(kmh) if math.isfinite(kmh) else None


def _common(gdf: gpd.GeoDataFrame, kind: str, ctx: dict[str, Any]) -> dict[str, Any]:
    elements = gdf.index.get_level_values("element").astype(str)
    ids = gdf.index.get_level_values("id").astype(np.int64)
    return {
        "osm_type": list(elements),
        "osm_id": list(ids),
        "location_precision": "exact",
        "approximate": False,
        "accuracy_m": OSM_ACCURACY_M,
        "source": [
            f"OpenStreetMap via the Overpass API ({ctx['endpoint']}), {e} {i} ({ctx['tag'][kind]})"
            for e, i in zip(elements, ids, strict=True)
        ],
        "licence": OSM_LICENCE,
        "fetched_at": ctx["fetched_at"],
    }


def _ids(gdf: gpd.GeoDataFrame) -> list[str]:
    return [f"osm-{e}-{i}" for e, i in gdf.index]


def _frame(rows: dict[str, Any], gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {k: (list(v) if isinstance(v, pd.Series | list) else v) for k, v in rows.items()},
        geometry=list(gdf.geometry),
        crs=4326,
    )


def _roads(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    highway = _col(gdf, "highway")
    oneway = _col(gdf, "oneway")
    roundabout = _col(gdf, "junction").isin(["roundabout", "circular"])
    oneway = oneway.where(oneway.notna() | ~roundabout, "yes")
    maxspeed = [_speed_kmh(v) for v in _col(gdf, "maxspeed")]
    lanes = pd.to_numeric(_col(gdf, "lanes"), errors="coerce")
    lengths = gpd.GeoSeries(gdf.geometry, crs=4326).to_crs(ctx["metric"]).length / 1000
    rows = {
        "road_id": _ids(gdf),
        "ref": _col(gdf, "ref"),
        "name": _col(gdf, "name"),
        "name_en": _col(gdf, "name:en"),
        "class": highway,
        "lanes": lanes,
        "speed_kmh": maxspeed,
        "speed_basis": ["posted (maxspeed)" if s is not None else None for s in maxspeed],
        "oneway": oneway,
        "status": "open",
        "geometry_origin": "osm",
        "length_km": lengths.round(3),
        **_common(gdf, "roads", ctx),
    }
    return _frame(rows, gdf)


def _parks(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    # industrial=port areas are ports, not parks.
    gdf = gdf[_col(gdf, "industrial") != "port"]
    area_ha = gpd.GeoSeries(gdf.geometry, crs=4326).to_crs(ctx["metric"]).area / 1e4
    big = at_least(area_ha.to_numpy(), ctx["min_park_ha"])
    gdf = gdf[big]
    area_ha = area_ha[big]
    rows = {
        "park_id": _ids(gdf),
        "name": _col(gdf, "name"),
        "name_en": _col(gdf, "name:en"),
        "kind": _col(gdf, "industrial").fillna("industrial"),
        "area_ha": area_ha.round(2).to_numpy(),
        "area_kind": "outline in OpenStreetMap",
        "operator": _col(gdf, "operator"),
        **_common(gdf, "industrial_parks", ctx),
    }
    return _frame(rows, gdf)


def _power(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    kv = [_kv(v) for v in _col(gdf, "voltage")]
    keep = np.array([bool(v) and v[0] >= ctx["min_voltage_kv"] for v in kv], dtype=bool)
    ctx["left_out"]["power_lines"] = int((~keep).sum())
    gdf = gdf[keep]
    kv = [v for v, k in zip(kv, keep, strict=True) if k]
    rows = {
        "line_id": _ids(gdf),
        "name": _col(gdf, "name"),
        "kind": _col(gdf, "power"),
        "voltage_kv": [float(v[0]) for v in kv],
        "voltages_kv": [";".join(str(x) for x in v) for v in kv],
        "circuits_note": [None if len(v) == 1 else "carries several voltages" for v in kv],
        "operator": _col(gdf, "operator"),
        **_common(gdf, "power_lines", ctx),
    }
    return _frame(rows, gdf)


def _airports(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    point = gdf.geometry.geom_type == "Point"
    rep = gpd.GeoSeries(gdf.geometry, crs=4326).representative_point()
    rows = {
        "airport_id": _ids(gdf),
        "name": _col(gdf, "name"),
        "name_en": _col(gdf, "name:en"),
        "iata": _col(gdf, "iata"),
        "icao": _col(gdf, "icao"),
        "kind": _col(gdf, "aerodrome:type").fillna(_col(gdf, "aerodrome")).fillna("aerodrome"),
        "geometry_kind": np.where(point, "point", "outline"),
        "reference_lon": rep.x.round(6).to_numpy(),
        "reference_lat": rep.y.round(6).to_numpy(),
        **_common(gdf, "airports", ctx),
    }
    return _frame(rows, gdf)


def _ports(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = {
        "port_id": _ids(gdf),
        "name": _col(gdf, "name"),
        "name_en": _col(gdf, "name:en"),
        "kind": "port",
        "operator": _col(gdf, "operator"),
        **_common(gdf, "ports", ctx),
    }
    return _frame(rows, gdf)


def _universities(gdf: gpd.GeoDataFrame, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = {
        "university_id": _ids(gdf),
        "name": _col(gdf, "name"),
        "name_en": _col(gdf, "name:en"),
        "kind": "university",
        **_common(gdf, "universities", ctx),
    }
    return _frame(rows, gdf)


_PROVENANCE = (
    ("osm_type", "object"),
    ("osm_id", "int64"),
    ("location_precision", "object"),
    ("approximate", "bool"),
    ("accuracy_m", "float64"),
    ("source", "object"),
    ("licence", "object"),
    ("fetched_at", "object"),
)
_LINES = ("LineString", "MultiLineString")
_AREAS = ("Polygon", "MultiPolygon")
_ANY = ("Point", "MultiPoint", *_AREAS)

_SPECS: dict[str, _KindSpec] = {
    "roads": _KindSpec(
        "road_id",
        _LINES,
        "LineString",
        (
            ("road_id", "object"),
            ("ref", "object"),
            ("name", "object"),
            ("name_en", "object"),
            ("class", "object"),
            ("lanes", "float64"),
            ("speed_kmh", "float64"),
            ("speed_basis", "object"),
            ("oneway", "object"),
            ("status", "object"),
            ("geometry_origin", "object"),
            ("length_km", "float64"),
        ),
        _roads,
    ),
    "industrial_parks": _KindSpec(
        "park_id",
        _AREAS,
        "MultiPolygon",
        (
            ("park_id", "object"),
            ("name", "object"),
            ("name_en", "object"),
            ("kind", "object"),
            ("area_ha", "float64"),
            ("area_kind", "object"),
            ("operator", "object"),
        ),
        _parks,
    ),
    "power_lines": _KindSpec(
        "line_id",
        _LINES,
        "LineString",
        (
            ("line_id", "object"),
            ("name", "object"),
            ("kind", "object"),
            ("voltage_kv", "float64"),
            ("voltages_kv", "object"),
            ("circuits_note", "object"),
            ("operator", "object"),
        ),
        _power,
    ),
    "airports": _KindSpec(
        "airport_id",
        _ANY,
        "Unknown",
        (
            ("airport_id", "object"),
            ("name", "object"),
            ("name_en", "object"),
            ("iata", "object"),
            ("icao", "object"),
            ("kind", "object"),
            ("geometry_kind", "object"),
            ("reference_lon", "float64"),
            ("reference_lat", "float64"),
        ),
        _airports,
    ),
    "ports": _KindSpec(
        "port_id",
        _ANY,
        "Unknown",
        (
            ("port_id", "object"),
            ("name", "object"),
            ("name_en", "object"),
            ("kind", "object"),
            ("operator", "object"),
        ),
        _ports,
    ),
    "universities": _KindSpec(
        "university_id",
        _ANY,
        "Unknown",
        (
            ("university_id", "object"),
            ("name", "object"),
            ("name_en", "object"),
            ("kind", "object"),
        ),
        _universities,
    ),
}


def _empty(kind: str) -> gpd.GeoDataFrame:
    spec = _SPECS[kind]
    data = {c: pd.Series([], dtype=t) for c, t in (*spec.columns, *_PROVENANCE)}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def _layer(kind: str, raw: gpd.GeoDataFrame | None, ctx: dict[str, Any]) -> gpd.GeoDataFrame:
    """Turn osmnx's features of one kind into the layer's rows and columns."""
    spec = _SPECS[kind]
    if raw is None or len(raw) == 0:
        return _empty(kind)
    raw = raw[raw.geometry.notna() & ~raw.geometry.is_empty]
    raw = raw[raw.geometry.geom_type.isin(spec.geometry)]
    if len(raw) == 0:
        return _empty(kind)
    raw = raw.sort_index()
    out = spec.rows(raw, ctx)
    if len(out) == 0:
        return _empty(kind)
    columns = [c for c, _ in (*spec.columns, *_PROVENANCE)]
    out = out[[*columns, "geometry"]]
    for column, dtype in (*spec.columns, *_PROVENANCE):
        if dtype != "object":
            out[column] = out[column].astype(dtype)
    return out


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True, slots=True)
class FetchedOSM:
    """What :func:`fetch_osm` wrote, or found already written.

    Parameters
    ----------
    path
        The GeoPackage.
    region
        The region, as described in the file's metadata.
    counts
        Features per layer, by layer name (kind).
    fetched_at
        When the data were fetched (ISO 8601, UTC).
    from_cache
        True if the file already held this request and nothing was downloaded.
    metadata
        The file's fetch metadata (query, endpoint, osmnx version, licence, attribution...).
    """

    path: Path
    region: str
    counts: Mapping[str, int]
    fetched_at: str
    from_cache: bool
    metadata: Mapping[str, Any]


def _request(
    region: Region,
    kinds: Sequence[str],
    tags: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    endpoint: str,
    min_voltage_kv: float,
    min_park_ha: float,
) -> dict[str, Any]:
    """Return what identifies a fetch: the server, the area (WKB digest), kinds and queries.

    Two Overpass servers may hold different snapshots of OpenStreetMap: one server's answer
    is never another's.
    """
    wkb = shapely.to_wkb(shapely.set_precision(region.polygon, 1e-7), hex=True)
    return {
        "endpoint": endpoint,
        "area_sha256": hashlib.sha256(wkb.encode("ascii")).hexdigest(),
        "kinds": list(kinds),
        "tags": {k: {t: list(v) for t, v in tags[k].items()} for k in kinds},
        "min_voltage_kv": float(min_voltage_kv),
        "min_park_ha": float(min_park_ha),
    }


def _read_meta(path: Path) -> dict[str, Any] | None:
    import pyogrio  # noqa: PLC0415

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        info = pyogrio.read_info(path, layer=layers[0]) if layers else {}
    except Exception:  # noqa: BLE001 - any unreadable file is "not ours"
        return None
    text = (info.get("dataset_metadata") or {}).get(META_KEY)
    try:
        meta = json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == _FORMAT else None


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fetch_osm(
    region: str | os.PathLike[str] | shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries,
    out: str | os.PathLike[str],
    *,
    kinds: Sequence[OSMKind] = KINDS,
    road_classes: Sequence[str] = DEFAULT_ROAD_CLASSES,
    min_voltage_kv: float = 110.0,
    min_park_ha: float = 5.0,
    refresh: bool = False,
    endpoint: str | None = None,
    timeout_s: float = 180.0,
) -> FetchedOSM:
    """Fetch OpenStreetMap layers of a region into a GeoPackage, or reuse the one there.

    One Overpass query per kind, through osmnx. Each kind becomes a layer named like the
    bundled layer it can replace, with the same id and main columns, plus ``osm_type``,
    ``osm_id``, ``source``, ``licence`` (ODbL-1.0), ``accuracy_m``, ``location_precision``,
    ``approximate`` and ``fetched_at``; all in EPSG:4326. Features are kept whole (a road
    leaving the region is not cut at its edge).

    Parameters
    ----------
    region
        A bundled province or district (name or id, before or after the July 2025 mergers),
        a bbox ``"W,S,E,N"`` in degrees, a polygon file, or a polygon; see
        :func:`region_polygon`.
    out
        The GeoPackage to write (``.gpkg``). If it exists and holds this very request (from
        the same server), it is returned as it is and nothing is downloaded.
    kinds
        Which layers to fetch, from :data:`KINDS`.
    road_classes
        OpenStreetMap ``highway`` values fetched as roads; default :data:`DEFAULT_ROAD_CLASSES`.
    min_voltage_kv
        Power lines whose highest voltage is below this (kV), or unknown, are left out
        (110 kV: the transmission grid a data centre connects to).
    min_park_ha
        Industrial areas smaller than this (hectares) are left out: single factory yards.
    refresh
        Fetch again even if ``out`` holds this request (the file is replaced only once the
        new one is complete).
    endpoint
        Base URL of the Overpass API; osmnx's default (``https://overpass-api.de/api``)
        if ``None``.
    timeout_s
        Seconds to wait for each answer, > 0.

    Returns
    -------
    FetchedOSM
        The file, its layers' feature counts, and whether it came from the cache.

    Raises
    ------
    NetworkError
        If the Overpass API cannot be reached, times out, refuses the query or gives an
        incomplete answer, or if the region holds none of the features asked for; the
        message names the region and what to do. Nothing is written.
    ParameterError, DataNotFoundError
        For a bad region, kind or option; or if ``out`` exists and holds something else.
    OutputError
        If ``out`` cannot be written, or another fetch is writing it.

    Examples
    --------
    >>> fetch_osm("106.6,10.7,106.8,10.9", "osm.gpkg", kinds=["stations"])
    Traceback (most recent call last):
    ...
    geosite.errors.ParameterError: kinds: unknown kind 'stations'; choose from roads, ...
    """
    bad = [k for k in kinds if k not in KINDS]
    problems = []
    if bad or not kinds:
        problems.append(
            f"kinds: unknown kind {bad[0]!r}" if bad else "kinds: give at least one kind"
        )
        problems[-1] += f"; choose from {', '.join(KINDS)}"
    if not road_classes or not all(isinstance(c, str) and c for c in road_classes):
        problems.append("road_classes: give OpenStreetMap highway values such as 'primary'")
    if not (isinstance(timeout_s, int | float) and math.isfinite(timeout_s) and timeout_s > 0):
        problems.append(f"timeout_s: {timeout_s!r} must be a positive number of seconds")
    if problems:
        raise ParameterError("; ".join(problems))
    out_path = Path(out)
    if out_path.suffix.lower() != ".gpkg":
        msg = f"out: {str(out_path)!r} must be a GeoPackage file ending in .gpkg"
        raise ParameterError(msg)
    area = region_polygon(region)
    tags = _tags(road_classes)
    wanted = [k for k in KINDS if k in kinds]
    server = _endpoint(endpoint)
    request = _request(
        area,
        wanted,
        tags,
        endpoint=server,
        min_voltage_kv=min_voltage_kv,
        min_park_ha=min_park_ha,
    )
    from geosite.data.publish import file_lock  # noqa: PLC0415

    # One fetch per file at a time: a second one would read the file while it is replaced,
    # or download the same region again and race to rename over it.
    with file_lock(out_path):
        if out_path.exists() and not refresh:
            cached = _cached(out_path, request, area)
            if cached is not None:
                return cached
        return _download(
            area,
            out_path,
            wanted,
            tags,
            request,
            min_voltage_kv=float(min_voltage_kv),
            min_park_ha=float(min_park_ha),
            endpoint=server,
            timeout_s=float(timeout_s),
        )


def _endpoint(endpoint: str | None) -> str:
    """Return the Overpass server asked: ``endpoint`` or osmnx's, without a trailing slash."""
    if endpoint is None:
        from geosite.network import _osmnx  # noqa: PLC0415 - osmnx loads only to fetch

        endpoint = _osmnx.default_overpass_endpoint()
    return endpoint.rstrip("/")


def _cached(path: Path, request: dict[str, Any], area: Region) -> FetchedOSM | None:
    meta = _read_meta(path)
    if meta is None:
        msg = (
            f"{str(path)!r} exists but was not written by geosite fetch-osm; choose another "
            "--out, or pass --refresh (refresh=True) to replace it"
        )
        raise ParameterError(msg)
    held = dict(meta.get("request") or {})
    # Files written before the server was part of the request name it in their metadata.
    held.setdefault("endpoint", str(meta.get("overpass_endpoint", "")).rstrip("/"))
    if held != request:
        other_server = held["endpoint"] != request["endpoint"]
        msg = (
            f"{str(path)!r} holds OpenStreetMap layers of {meta.get('region')!r} fetched "
            f"{meta.get('fetched_at')} from {held['endpoint']}, not this request "
            f"({area.label}{', from ' + request['endpoint'] if other_server else ''}); pass "
            "--refresh (refresh=True) to replace it, or choose another --out"
        )
        raise ParameterError(msg)
    logger.info("%s already holds this request; nothing downloaded", path)
    return FetchedOSM(
        path=path,
        region=str(meta.get("region")),
        counts={k: int(n) for k in KINDS for c, n in (meta.get("counts") or {}).items() if c == k},
        fetched_at=str(meta.get("fetched_at")),
        from_cache=True,
        metadata=meta,
    )


def _download(
    area: Region,
    out: Path,
    kinds: Sequence[str],
    tags: Mapping[str, Mapping[str, Sequence[str]]],
    request: dict[str, Any],
    *,
    min_voltage_kv: float,
    min_park_ha: float,
    endpoint: str,
    timeout_s: float,
) -> FetchedOSM:
    import pyogrio  # noqa: PLC0415

    from geosite.data.io import atomic_path  # noqa: PLC0415
    from geosite.network import _osmnx  # noqa: PLC0415 - osmnx loads only to download

    server = endpoint
    fetched_at = _utc_now()
    ctx: dict[str, Any] = {
        "endpoint": server,
        "fetched_at": fetched_at,
        "metric": gpd.GeoSeries([area.polygon], crs=4326).estimate_utm_crs(),
        "min_voltage_kv": min_voltage_kv,
        "min_park_ha": min_park_ha,
        "left_out": {},
        "tag": {k: " or ".join(f"{t}={'|'.join(v)}" for t, v in tags[k].items()) for k in tags},
    }
    layers: dict[str, gpd.GeoDataFrame] = {}
    for kind in kinds:
        logger.info("fetching %s of %s from %s", kind, area.label, server)
        try:
            raw = _osmnx.features_online(
                area.polygon, tags[kind], endpoint=server, timeout_s=timeout_s
            )
        except NetworkError as err:
            msg = (
                f"cannot fetch the {kind.replace('_', ' ')} of region {area.label!r} from "
                f"OpenStreetMap: {err}"
            )
            raise NetworkError(msg) from err
        layers[kind] = _layer(kind, raw, ctx)
    counts = {k: len(v) for k, v in layers.items()}
    if not any(counts.values()):
        msg = (
            f"OpenStreetMap has none of the {', '.join(k.replace('_', ' ') for k in kinds)} "
            f"asked for inside region {area.label!r}; check the region (a bbox is W,S,E,N in "
            "degrees: longitude first) or ask for other kinds; nothing was written"
        )
        raise NetworkError(msg)
    meta = {
        "format": _FORMAT,
        "region": area.label,
        "region_from": area.how,
        "region_bounds": [round(b, 7) for b in area.polygon.bounds],
        "request": request,
        "query": {k: ctx["tag"][k] for k in kinds},
        "overpass_endpoint": server,
        "osmnx_version": _osmnx.osmnx_version(),
        "fetched_at": fetched_at,
        "counts": counts,
        "left_out": ctx["left_out"],
        "licence": OSM_LICENCE,
        "attribution": OSM_ATTRIBUTION,
        "notice": (
            "Data © OpenStreetMap contributors, available under the Open Database License "
            "(ODbL-1.0), https://www.openstreetmap.org/copyright. A database derived from it "
            "must be shared alike."
        ),
    }
    dataset_metadata = {
        META_KEY: json.dumps(meta, ensure_ascii=False, sort_keys=True),
        "region": area.label,
        "overpass_endpoint": server,
        "osmnx_version": meta["osmnx_version"],
        "fetched_at": fetched_at,
        "licence": OSM_LICENCE,
        "attribution": OSM_ATTRIBUTION,
    }
    with atomic_path(out) as tmp:
        try:
            for i, (kind, gdf) in enumerate(layers.items()):
                pyogrio.write_dataframe(
                    gdf,
                    tmp,
                    layer=kind,
                    driver="GPKG",
                    geometry_type=None if len(gdf) else _SPECS[kind].geometry_type,
                    promote_to_multi=kind == "industrial_parks",
                    dataset_metadata=dataset_metadata if i == 0 else None,
                    layer_metadata={
                        "query": ctx["tag"][kind],
                        "features": str(len(gdf)),
                        "licence": OSM_LICENCE,
                        "attribution": OSM_ATTRIBUTION,
                    },
                    append=i > 0,
                )
        except (OSError, GeositeError):
            raise
        except Exception as err:  # pyogrio's own errors: atomic_path reports OSErrors
            raise OSError(str(err)) from err
    logger.info("wrote %s: %s", out, counts)
    return FetchedOSM(
        path=out,
        region=area.label,
        counts=counts,
        fetched_at=fetched_at,
        from_cache=False,
        metadata=meta,
    )
