# ruff: noqa: RUF001, RUF003  (Vietnamese names and notes use en dashes and × on purpose)
"""Build the bundled reference layers of Đông Nam Bộ from the shared public data.

Usage::

    python scripts/build_layers.py [SHARED_DATA_DIR] [--out DIR]

``SHARED_DATA_DIR`` defaults to the environment variable ``GEOSITE_SHARED_DATA``, else the first
``shared/data`` found beside the repository or one level up. The script rewrites every file
under ``layers/`` (GeoJSON in EPSG:4326, one GeoTIFF), the catalogue ``layers/catalog.json`` and
``LAYERS.md``; with ``--out DIR`` it writes the layers and ``LAYERS.md`` into ``DIR`` instead.
It is deterministic: running it twice gives byte-identical files (``tests/test_layers_build.py``
rebuilds and compares), so the generated layers are committed and reviewed like code.

Every approximation made here is written into the layer's catalogue entry and, per feature, into
``location_precision`` / ``approximate`` / ``notes``. The traced roads and the candidate-site
outlines are reconstructions, not surveys; their stated accuracy is the honest typical error.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.ops import linemerge

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosite.data.bundled import catalog_markdown

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "layers"
METRIC = "EPSG:32648"
TO_M = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
TO_LL = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)
GEOD = Geod(ellps="WGS84")
DECIMALS = 7

CATALOG: list[dict[str, Any]] = []


# --------------------------------------------------------------------------------------------
# helpers


def nfc(text: Any) -> Any:
    """Return ``text`` in Unicode NFC if it is a string."""
    if isinstance(text, str):
        return unicodedata.normalize("NFC", text.strip())
    return text


def slugify(text: str) -> str:
    """Return an ASCII slug of a Vietnamese name (đ -> d, diacritics dropped)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def to_m(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_M.transform(lon, lat)
    return float(x), float(y)


def to_ll(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_LL.transform(x, y)
    return round(float(lon), DECIMALS), round(float(lat), DECIMALS)


def geom_to_ll(geom: Any) -> Any:
    """Reproject a metric shapely geometry to rounded lon/lat."""
    return shapely.transform(geom, lambda a: np.array([to_ll(x, y) for x, y in a]))


def round_geom(geom: Any) -> Any:
    if geom is None:
        return None
    return shapely.transform(geom, lambda a: np.round(a, DECIMALS))


def geodesic_length_km(geom: Any) -> float:
    return float(GEOD.geometry_length(geom)) / 1000.0


def geodesic_area_ha(geom: Any) -> float:
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(float(area)) / 10_000.0


def write_geojson(gdf: gpd.GeoDataFrame, name: str) -> Path:
    """Write ``gdf`` (EPSG:4326) as compact, deterministic GeoJSON."""
    path = OUT / f"{name}.geojson"
    features = []
    props_cols = [c for c in gdf.columns if c != "geometry"]
    for _, row in gdf.iterrows():
        props = {}
        for col in props_cols:
            val = row[col]
            if isinstance(val, float) and math.isnan(val):
                val = None
            elif isinstance(val, np.integer):
                val = int(val)
            elif isinstance(val, np.floating):
                val = float(val)
            elif isinstance(val, np.bool_):
                val = bool(val)
            elif val is pd.NA:
                val = None
            props[col] = nfc(val)
        geom = row.geometry
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": None if geom is None or geom.is_empty else mapping(round_geom(geom)),
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": name,
        "features": features,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path


def register(entry: dict[str, Any], gdf: gpd.GeoDataFrame | None = None) -> None:
    """Add a catalogue entry, filling in the fields that come from the data itself."""
    if gdf is not None:
        types = sorted({g.geom_type for g in gdf.geometry if g is not None and not g.is_empty})
        entry.setdefault("geometry_type", types[0] if len(types) == 1 else "/".join(types))
        entry["feature_count"] = len(gdf)
        entry["features_without_geometry"] = int(
            sum(1 for g in gdf.geometry if g is None or g.is_empty)
        )
        valid = gdf.geometry.dropna()
        entry["bounds"] = [round(float(v), 5) for v in valid.total_bounds]
        ids = gdf[entry["id_column"]]
        if ids.duplicated().any() or ids.isna().any():
            raise SystemExit(f"layer {entry['name']}: duplicate or missing ids")
    entry.setdefault("crs", "EPSG:4326")
    CATALOG.append(entry)


def square_m(cx: float, cy: float, area_ha: float, *, aspect: float = 1.0) -> Polygon:
    """Return an axis-aligned rectangle of ``area_ha`` centred at a metric point."""
    area_m2 = area_ha * 10_000.0
    w = math.sqrt(area_m2 * aspect)
    h = area_m2 / w
    return Polygon(
        [
            (cx - w / 2, cy - h / 2),
            (cx + w / 2, cy - h / 2),
            (cx + w / 2, cy + h / 2),
            (cx - w / 2, cy + h / 2),
        ]
    )


def polygon_of_area(
    center_ll: tuple[float, float], area_ha: float, *, aspect: float = 1.0, anchor: str = "center"
) -> Polygon:
    """Return a lon/lat rectangle whose geodesic area equals ``area_ha`` within 0.05 %.

    ``anchor="west"`` puts the middle of the west edge (instead of the centre) at the point.
    """
    cx, cy = to_m(*center_ll)
    target = area_ha
    trial = area_ha
    poly_ll = None
    for _ in range(6):
        poly = square_m(cx, cy, trial, aspect=aspect)
        if anchor == "west":
            minx = poly.bounds[0]
            poly = shapely.affinity.translate(poly, xoff=cx - minx)
        poly_ll = geom_to_ll(poly)
        got = geodesic_area_ha(poly_ll)
        trial *= target / got
    assert poly_ll is not None
    return shapely.geometry.polygon.orient(poly_ll)


# --------------------------------------------------------------------------------------------
# sources and licences

SRC_DVHCVN = "daohoangson/dvhcvn data/gis (traced from the government GIS portal)"
URL_DVHCVN = "https://github.com/daohoangson/dvhcvn"
SRC_ADMINUNITS = "vietnamadminunits 1.0.4 (PyPI) ward and legacy-district reference points"
URL_ADMINUNITS = "https://pypi.org/project/vietnamadminunits/"
SRC_GIAOTHONG = "CTU-SematX/LegoCity opendata/giaothong (national road layer)"
URL_GIAOTHONG = "https://github.com/CTU-SematX/LegoCity"
SRC_WAYPOINTS = "geosite road facts (facts/road_waypoints.csv, facts/roads_summary.md)"


# --------------------------------------------------------------------------------------------
# layers


def build_ports(data: Path, osm: dict[str, Any]) -> gpd.GeoDataFrame:
    fac = pd.read_csv(data / "facilities/key_facilities_dnb.csv")
    wards = pd.read_csv(data / "boundaries/vietnamadminunits_2025_wards_HCM_DongNai.csv")
    prov = gpd.read_file(data / "boundaries/dnb_provinces_pre2025.geojson")

    def fac_pt(code: str, name: str) -> tuple[float, float]:
        row = fac[(fac.code.str.replace(" ", "") == code) & (fac.name == name)].iloc[0]
        return float(row.lon), float(row.lat)

    # Cái Mép: the UN/LOCODE point lies in the river channel, 0.6 km off the Cần Giờ bank.
    # The terminals stand on the east (Bà Rịa–Vũng Tàu, Tân Phước) bank, so the point is moved
    # to the nearest point of that bank as traced in the province boundary.
    cm_lon, cm_lat = fac_pt("VNCMT", "Cai Mep")
    brvt = prov[prov.level1_id.astype(str) == "77"].to_crs(METRIC).geometry.iloc[0]
    p = Point(to_m(cm_lon, cm_lat))
    bank = shapely.ops.nearest_points(brvt.boundary, p)[0]
    moved_m = bank.distance(p)
    cm_bank = to_ll(bank.x, bank.y)

    hp = wards[wards.ward == "Xã Hiệp Phước"].iloc[0]
    wpi_cat_lai = fac_pt("VNCLI", "Cat Lai")
    terminal = osm["outlines"][OSM_CAT_LAI]
    cat_lai = Point(round_geom(terminal.point_on_surface()).coords[0])
    rows = [
        {
            "port_id": "cai-mep-thi-vai",
            "name": "Cảng Cái Mép – Thị Vải",
            "name_en": "Cai Mep–Thi Vai deep-water port",
            "kind": "deepwater_port",
            "locode": "VNCMT",
            "geometry": Point(cm_bank),
            "location_precision": "approximate",
            "approximate": True,
            "accuracy_m": 1500,
            "source": "searoute 1.6.0 (PyPI) UN/LOCODE point VNCMT, moved onto the east bank",
            "licence": "Apache-2.0",
            "notes": (
                f"UN/LOCODE point ({cm_lat:.5f}, {cm_lon:.5f}) lies in the river channel; moved "
                f"{moved_m:.0f} m to the nearest point of the east (Tân Phước, Phú Mỹ) bank of the "
                "Cái Mép / Thị Vải river as traced in the province boundary, where the terminals "
                "(CMIT, TCIT, Gemalink, ...) stand. One point for the whole complex; no terminal "
                "position could be sourced, so no terminal rows."
            ),
        },
        {
            "port_id": "phu-my",
            "name": "Cảng Phú Mỹ",
            "name_en": "Phu My port",
            "kind": "port",
            "locode": "VNPHU",
            "geometry": Point(fac_pt("VNPHU", "Phu My")),
            "location_precision": "approximate",
            "approximate": True,
            "accuracy_m": 1800,
            "source": "NGA World Port Index (Pub. 150) and searoute 1.6.0 (same point)",
            "licence": "public domain",
            "notes": "World Port Index position, 1 arc-minute resolution (about 1.8 km); Thị Vải "
            "river ports of Phú Mỹ.",
        },
        {
            "port_id": "cat-lai",
            "name": "Cảng Cát Lái",
            "name_en": "Cat Lai port",
            "kind": "port",
            "locode": "VNCLI",
            "geometry": cat_lai,
            "location_precision": "exact",
            "approximate": False,
            "accuracy_m": 1000,
            "source": f"{SRC_OSM}, way 410427637 (Cat Lai Container Terminal, landuse="
            "industrial, industrial=port): a point inside the terminal outline",
            "licence": "ODbL-1.0",
            "notes": "A point inside the mapped container-terminal outline (about 138 ha, 1.8 km "
            "across). The World Port Index point "
            f"({wpi_cat_lai[1]:.4f} N, {wpi_cat_lai[0]:.4f} E), 1 arc-minute resolution, lies "
            "across the Đồng Nai river in Đồng Nai province and is no longer used.",
        },
        {
            "port_id": "hiep-phuoc",
            "name": "Cảng Hiệp Phước",
            "name_en": "Hiep Phuoc port",
            "kind": "port",
            "locode": None,
            "geometry": Point(float(hp.wardLon), float(hp.wardLat)),
            "location_precision": "ward",
            "approximate": True,
            "accuracy_m": 4000,
            "source": SRC_ADMINUNITS + " (Xã Hiệp Phước, 2025)",
            "licence": "MIT",
            "notes": "No port coordinate found; the reference point of the commune (63 km²) in "
            "which the port lies on the Soài Rạp river is used. Several km off.",
        },
        {
            "port_id": "vung-tau",
            "name": "Cảng Vũng Tàu",
            "name_en": "Vung Tau port",
            "kind": "port",
            "locode": "VNVUT",
            "geometry": Point(fac_pt("VNVUT", "Vung Tau")),
            "location_precision": "approximate",
            "approximate": True,
            "accuracy_m": 1000,
            "source": "searoute 1.6.0 (PyPI) UN/LOCODE point VNVUT",
            "licence": "Apache-2.0",
            "notes": "UN/LOCODE point; agrees with the World Port Index position within 0.8 km.",
        },
    ]
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "ports",
            "title": "Sea and river ports",
            "file": "ports_searoute.geojson",  # the first of its parts (PARTS)
            "kind": "vector",
            "id_column": "port_id",
            "name_column": "name",
            "description": "The Cái Mép–Thị Vải deep-water port and the main other ports of the "
            "region, one point each.",
            "source": "NGA World Port Index (Pub. 150); searoute 1.6.0 ports (UN/LOCODE); "
            "vietnamadminunits 1.0.4 commune point for Hiệp Phước; OpenStreetMap terminal "
            "outline for Cát Lái",
            "source_url": "https://msi.nga.mil/Publications/WPI",
            "licence": "public domain (WPI) AND Apache-2.0 (searoute) AND MIT "
            "(vietnamadminunits) AND ODbL-1.0 (Cát Lái, OpenStreetMap), one file per licence "
            "(see parts)",
            "licence_file": "LICENSES/README.txt",
            "attribution": "Ports: NGA World Port Index; searoute (Apache-2.0)",
            "vintage": "WPI 2019+ edition; searoute 1.6.0 (2024)",
            "positional_accuracy": "1–2 km for WPI/UN-LOCODE points; about 4 km for Hiệp Phước "
            "(commune reference point). Per-feature accuracy_m.",
            "accuracy_m": 1800,
            "approximate": True,
            "known_defects": [
                (
                    "One point per port complex; terminals (CMIT, TCIT, Gemalink, SSIT, SP-PSA, ...) "
                    "are not separated because no terminal position could be sourced."
                ),
                (
                    "The Cái Mép point was moved from the river channel to the port-side bank "
                    "(see the feature's notes)."
                ),
                "Hiệp Phước is a commune reference point, several km from the quays.",
            ],
            "good_for": [
                "Distance or travel time to the nearest port at regional scale (kilometres).",
            ],
            "not_for": [
                "Terminal-level logistics, berth or quay analysis, anything below about 2 km.",
            ],
        },
        gdf,
    )
    return gdf


def build_airports(data: Path, osm: dict[str, Any]) -> gpd.GeoDataFrame:
    fac = pd.read_csv(data / "facilities/key_facilities_dnb.csv")

    def pt(icao: str) -> Point:
        row = fac[(fac.code == icao) & fac.source.str.contains("airports-py")].iloc[0]
        return Point(float(row.lon), float(row.lat))

    lt = gpd.read_file(data / "facilities/longthanh_airport_boundary_osm.geojson")
    long_thanh = round_geom(single_polygon(lt.geometry.iloc[0]))
    tan_son_nhat = round_geom(single_polygon(osm["outlines"][OSM_TAN_SON_NHAT]))
    rows = [
        {
            "airport_id": "long-thanh",
            "name": "Cảng hàng không quốc tế Long Thành",
            "name_en": "Long Thanh International Airport",
            "iata": None,
            "icao": "VVLT",
            "status": "opening 2026",
            "international": True,
            "geometry": long_thanh,
            "geometry_kind": "outline",
            "reference_lon": pt("VVLT").x,
            "reference_lat": pt("VVLT").y,
            "location_precision": "exact",
            "approximate": False,
            "accuracy_m": 50,
            "source": "OpenStreetMap aerodrome outline 'Sân bay quốc tế Long Thành' (as exported "
            "in ngochieudao417/Xu_ly_anh, outputs/w4/airport_boundary.geojson); reference point "
            "airports-py 3.1.0",
            "licence": "ODbL-1.0 (outline); MIT (reference point)",
            "notes": "Aerodrome outline from OpenStreetMap (about 2025): one ring with one hole, "
            f"net {geodesic_area_ha(long_thanh):,.0f} ha against about 5,000 ha allocated. "
            "Phase 1: 25 M passengers and 1.2 Mt cargo a year; commercial operation expected "
            "mid-2026. Distances are to the outline; the reference point (airports-py, only "
            "source) is in reference_lon/lat.",
        },
        {
            "airport_id": "tan-son-nhat",
            "name": "Cảng hàng không quốc tế Tân Sơn Nhất",
            "name_en": "Tan Son Nhat International Airport",
            "iata": "SGN",
            "icao": "VVTS",
            "status": "operating",
            "international": True,
            "geometry": tan_son_nhat,
            "geometry_kind": "outline",
            "reference_lon": pt("VVTS").x,
            "reference_lat": pt("VVTS").y,
            "location_precision": "exact",
            "approximate": False,
            "accuracy_m": 20,
            "source": f"{SRC_OSM}, relation 7240501 (aeroway=aerodrome); reference point "
            "airports-py 3.1.0",
            "licence": "ODbL-1.0 (outline); MIT (reference point)",
            "notes": "Aerodrome outline from OpenStreetMap (about 2018, "
            f"{geodesic_area_ha(tan_son_nhat):,.0f} ha). Distances are to the outline; the "
            "reference point (airports-py; airportsdata gives a point 1.2 km west) is in "
            "reference_lon/lat.",
        },
        {
            "airport_id": "vung-tau",
            "name": "Sân bay Vũng Tàu",
            "name_en": "Vung Tau Airport",
            "iata": "VTG",
            "icao": "VVVT",
            "status": "operating",
            "international": False,
            "geometry": pt("VVVT"),
            "geometry_kind": "point",
            "reference_lon": pt("VVVT").x,
            "reference_lat": pt("VVVT").y,
            "location_precision": "exact",
            "approximate": False,
            "accuracy_m": 500,
            "source": "airports-py 3.1.0 (aerodrome reference point)",
            "licence": "MIT",
            "notes": "Small domestic airfield (helicopter services to offshore oil fields).",
        },
    ]
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "airports",
            "title": "Airports",
            "file": "airports_osm.geojson",  # the first of its parts (PARTS)
            "kind": "vector",
            "id_column": "airport_id",
            "name_column": "name",
            "description": "Long Thành (opening 2026) and Tân Sơn Nhất airports as their "
            "aerodrome outlines, Vũng Tàu airfield as its reference point; every row keeps the "
            "aerodrome reference point in reference_lon/reference_lat.",
            "source": "OpenStreetMap aerodrome outlines (Long Thành as exported in "
            "ngochieudao417/Xu_ly_anh; Tân Sơn Nhất from the Ho Chi Minh City extract of about "
            "2018); reference points airports-py 3.1.0 (PyPI), cross-checked with airportsdata",
            "source_url": "https://pypi.org/project/airports-py/",
            "licence": "ODbL-1.0 (outlines, with their reference points) AND MIT (the Vũng Tàu "
            "reference point), one file per licence (see parts)",
            "licence_file": "LICENSES/README.txt",
            "attribution": "Airports: © OpenStreetMap contributors (ODbL); airports-py (MIT)",
            "vintage": "OpenStreetMap of about 2025 (Long Thành) and 2018 (Tân Sơn Nhất); "
            "2025–2026 package data",
            "positional_accuracy": "Outlines as mapped in OpenStreetMap (tens of metres); the "
            "Vũng Tàu reference point lies within the small airfield. Per-feature accuracy_m.",
            "accuracy_m": 500,
            "approximate": False,
            "known_defects": [
                (
                    "Long Thành's outline is the whole allocated site (about 4,800 ha net): no "
                    "terminal or gate position is known, so distances are to the site's edge."
                ),
                "Vũng Tàu airfield has no outline (reference point only).",
            ],
            "good_for": ["Distance or travel time to an airport at regional scale."],
            "not_for": [
                (
                    "Noise contours, obstacle surfaces or anything needing the airport "
                    "boundary or runway geometry."
                )
            ],
        },
        gdf,
    )
    return gdf


def build_centres(data: Path) -> gpd.GeoDataFrame:
    wards = pd.read_csv(data / "boundaries/vietnamadminunits_2025_wards_HCM_DongNai.csv")

    def ward(name: str) -> pd.Series:
        return wards[wards.ward == name].iloc[0]

    spec = [
        (
            "hcmc-centre",
            "Trung tâm TP. Hồ Chí Minh (Bến Thành)",
            "Ho Chi Minh City centre (Ben Thanh)",
            "city_centre",
            "Phường Bến Thành",
            "Thành phố Hồ Chí Minh",
            "Thành phố Hồ Chí Minh",
            (
                "Centre of Ho Chi Minh City taken as the reference point of Bến Thành ward (1.85 km², "
                "District 1), which holds Bến Thành market and the city's historic core."
            ),
        ),
        (
            "bien-hoa",
            "Biên Hòa",
            "Bien Hoa",
            "provincial_centre",
            "Phường Biên Hòa",
            "Tỉnh Đồng Nai",
            "Tỉnh Đồng Nai",
            "Provincial centre of Đồng Nai (before and after the 2025 mergers).",
        ),
        (
            "thu-dau-mot",
            "Thủ Dầu Một",
            "Thu Dau Mot",
            "provincial_centre",
            "Phường Thủ Dầu Một",
            "Tỉnh Bình Dương",
            "Thành phố Hồ Chí Minh",
            "Provincial centre of Bình Dương until July 2025 (now part of Ho Chi Minh City).",
        ),
        (
            "ba-ria",
            "Bà Rịa",
            "Ba Ria",
            "provincial_centre",
            "Phường Bà Rịa",
            "Tỉnh Bà Rịa - Vũng Tàu",
            "Thành phố Hồ Chí Minh",
            "Provincial centre of Bà Rịa–Vũng Tàu until July 2025 (now part of Ho Chi Minh City).",
        ),
        (
            "vung-tau",
            "Vũng Tàu",
            "Vung Tau",
            "provincial_centre",
            "Phường Vũng Tàu",
            "Tỉnh Bà Rịa - Vũng Tàu",
            "Thành phố Hồ Chí Minh",
            (
                "Main city of Bà Rịa–Vũng Tàu (provincial seat before Bà Rịa); now part of Ho Chi "
                "Minh City."
            ),
        ),
        (
            "dong-xoai",
            "Đồng Xoài",
            "Dong Xoai",
            "provincial_centre",
            "Phường Đồng Xoài",
            "Tỉnh Bình Phước",
            "Tỉnh Đồng Nai",
            "Provincial centre of Bình Phước until July 2025 (now part of Đồng Nai).",
        ),
    ]
    rows = []
    for cid, name, name_en, kind, ward_name, prov_pre, prov_2025, note in spec:
        w = ward(ward_name)
        rows.append(
            {
                "centre_id": cid,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "province_pre2025": prov_pre,
                "province_2025": prov_2025,
                "reference_unit": ward_name,
                "reference_unit_area_km2": float(w.wardAreaKm2),
                "location_precision": "ward",
                "approximate": True,
                # half the side of a square of the ward's area, at least 1 km
                "accuracy_m": round(max(1000.0, 500.0 * math.sqrt(float(w.wardAreaKm2))), -2),
                "geometry": Point(float(w.wardLon), float(w.wardLat)),
                "notes": note,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "centres",
            "title": "City and provincial centres",
            "file": "centres.geojson",
            "kind": "vector",
            "id_column": "centre_id",
            "name_column": "name",
            "description": "Ho Chi Minh City centre and the (pre- and post-2025) provincial "
            "centres, as reference points of their central wards, for distance-to-city criteria.",
            "source": SRC_ADMINUNITS + " (2025 wards)",
            "source_url": URL_ADMINUNITS,
            "licence": "MIT",
            "licence_file": "LICENSES/MIT-notices.txt",
            "attribution": "Centres: vietnamadminunits (MIT)",
            "vintage": "ward units after the July 2025 reorganisation",
            "positional_accuracy": "Reference point of a central ward (2–80 km²); within about "
            "1 km of the core for Bến Thành, a few km for the larger wards.",
            "accuracy_m": 2000,
            "approximate": True,
            "known_defects": [
                "Ward reference points, not surveyed town-hall or kilometre-zero positions.",
                "The area figure of the source is unreliable for same-named wards.",
            ],
            "good_for": ["Distance or travel time to the city or a provincial centre (km scale)."],
            "not_for": ["Street-level accessibility; defining the extent of an urban area."],
        },
        gdf,
    )
    return gdf


# --------------------------------------------------------------------------------------------
# roads
#
# The trunk network is assembled in the metric CRS from two kinds of lines:
#   * base lines: national highways of the shared road layer, re-labelled where the source's
#     label contradicts the course of the line;
#   * traced lines: expressways and port roads that exist in no geometry source, drawn through
#     the waypoints of the road facts and through junction nodes on other roads.
# Junctions are explicit: a traced vertex written as ``("@", route, lon, lat)`` is projected
# onto that route and becomes a shared node of both lines; the end points of base lines are
# snapped to the nearest other line within SNAP_M. Lines are then split at every junction
# so that junctions are always segment end points (graph-ready).

SNAP_M = 350.0

# speed_basis: "design" = design speed stated in the road facts; "assumed" = a typical speed
# chosen here for a congested national road or urban arterial (no source).
ROUTES: dict[str, dict[str, Any]] = {
    "ql1a": {
        "ref": "QL1A",
        "name": "Quốc lộ 1A",
        "name_en": "National Route 1A",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql13": {
        "ref": "QL13",
        "name": "Quốc lộ 13",
        "name_en": "National Route 13",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql14": {
        "ref": "QL14",
        "name": "Quốc lộ 14",
        "name_en": "National Route 14",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql20": {
        "ref": "QL20",
        "name": "Quốc lộ 20",
        "name_en": "National Route 20",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql22": {
        "ref": "QL22",
        "name": "Quốc lộ 22",
        "name_en": "National Route 22",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql1k": {
        "ref": "QL1K",
        "name": "Quốc lộ 1K",
        "name_en": "National Route 1K",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql50": {
        "ref": "QL50",
        "name": "Quốc lộ 50",
        "name_en": "National Route 50",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "hcmc-trung-luong": {
        "ref": "CT.01 (TP.HCM–Trung Lương)",
        "name": "Cao tốc TP.HCM – Trung Lương",
        "name_en": "Ho Chi Minh City–Trung Luong Expressway",
        "class": "motorway",
        "lanes": 4,
        "speed_kmh": 100,
        "speed_basis": "design",
        "status": "open",
        "open_year": 2010,
    },
    "ql51": {
        "ref": "QL51",
        "name": "Quốc lộ 51",
        "name_en": "National Route 51",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql55": {
        "ref": "QL55",
        "name": "Quốc lộ 55",
        "name_en": "National Route 55",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ql56": {
        "ref": "QL56",
        "name": "Quốc lộ 56",
        "name_en": "National Route 56",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "xa-lo-ha-noi": {
        "ref": "Xa lộ Hà Nội",
        "name": "Xa lộ Hà Nội",
        "name_en": "Hanoi Highway",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "nguyen-van-linh": {
        "ref": "Nguyễn Văn Linh",
        "name": "Đại lộ Nguyễn Văn Linh",
        "name_en": "Nguyen Van Linh Boulevard",
        "class": "trunk",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "rung-sac": {
        "ref": None,
        "name": "Đường Huỳnh Tấn Phát – Rừng Sác",
        "name_en": "Huynh Tan Phat – Rung Sac road (Nha Be – Can Gio)",
        "class": "primary",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "tl8": {
        "ref": "ĐT8",
        "name": "Tỉnh lộ 8",
        "name_en": "Provincial Road 8",
        "class": "secondary",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "dt-binh-phuoc": {
        "ref": None,
        "name": "Đường tỉnh (không rõ tên)",
        "name_en": "Provincial road (unnamed in source)",
        "class": "secondary",
        "lanes": None,
        "speed_kmh": 50,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "ct01": {
        "ref": "CT.01",
        "name": "Cao tốc TP.HCM – Long Thành – Dầu Giây",
        "name_en": "Ho Chi Minh City–Long Thanh–Dau Giay Expressway",
        "class": "motorway",
        "lanes": 4,
        "speed_kmh": 100,
        "speed_basis": "design",
        "status": "open",
        "open_year": 2015,
    },
    "ct28": {
        "ref": "CT.28",
        "name": "Cao tốc Biên Hòa – Vũng Tàu",
        "name_en": "Bien Hoa–Vung Tau Expressway (phase 1)",
        "class": "motorway",
        "lanes": 4,
        "speed_kmh": 100,
        "speed_basis": "design",
        "status": "partly_open",
        "open_year": 2026,
    },
    "bllt": {
        "ref": "Bến Lức–Long Thành",
        "name": "Cao tốc Bến Lức – Long Thành",
        "name_en": "Ben Luc–Long Thanh Expressway",
        "class": "motorway",
        "lanes": 4,
        "speed_kmh": 100,
        "speed_basis": "design",
        "status": "partly_open",
        "open_year": 2026,
    },
    "vd3": {
        "ref": "VĐ3",
        "name": "Đường Vành đai 3 TP.HCM",
        "name_en": "Ho Chi Minh City Ring Road 3",
        "class": "motorway",
        "lanes": 4,
        "speed_kmh": 100,
        "speed_basis": "design",
        "status": "partly_open",
        "open_year": 2026,
    },
    "lien-cang": {
        "ref": "Liên cảng CM–TV",
        "name": "Đường liên cảng Cái Mép – Thị Vải",
        "name_en": "Cai Mep–Thi Vai inter-port road",
        "class": "primary",
        "lanes": 6,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": 2021,
    },
    "dt991b": {
        "ref": "ĐT991B",
        "name": "Đường 991B (QL51 – Cái Mép Hạ)",
        "name_en": "Road 991B (QL51 – Cai Mep Ha)",
        "class": "primary",
        "lanes": 4,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "under_construction",
        "open_year": 2024,
    },
    "vd2-phu-my": {
        "ref": "VĐ2",
        "name": "Vành đai 2 – cầu Phú Mỹ",
        "name_en": "Ring Road 2 via Phu My Bridge",
        "class": "trunk",
        "lanes": 6,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": 2009,
    },
    "link-an-phu": {
        "ref": None,
        "name": "Nút giao An Phú – cầu Sài Gòn (đường nối)",
        "name_en": "An Phu interchange – Saigon Bridge link",
        "class": "primary",
        "lanes": None,
        "speed_kmh": 40,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "dien-bien-phu": {
        "ref": None,
        "name": "Đường Điện Biên Phủ (Hàng Xanh – trung tâm)",
        "name_en": "Dien Bien Phu Street (Hang Xanh – city centre)",
        "class": "primary",
        "lanes": None,
        "speed_kmh": 30,
        "speed_basis": "assumed",
        "status": "open",
        "open_year": None,
    },
    "link-ng51": {
        "ref": None,
        "name": "Đường nối cao tốc Bến Lức–Long Thành – Biên Hòa–Vũng Tàu",
        "name_en": "Ben Luc–Long Thanh to Bien Hoa–Vung Tau expressway link (XL-NG51)",
        "class": "motorway",
        "lanes": None,
        "speed_kmh": 60,
        "speed_basis": "assumed",
        "status": "under_construction",
        "open_year": 2026,
    },
}

# giaothong gid -> (route, label note). Lines not listed (Long An, Tiền Giang, Tây Ninh,
# Bình Thuận roads and the railway) are left out of the trunk network.
BASE_LINES: dict[int, tuple[str, str]] = {
    136: ("ql1a", ""),
    141: ("ql1a", ""),
    146: ("ql1a", ""),
    418: ("ql13", ""),
    169: ("ql14", ""),
    134: ("ql20", ""),
    140: ("ql22", ""),
    116: ("ql51", ""),
    138: ("ql51", ""),
    139: ("ql51", ""),
    117: ("ql55", ""),
    118: ("ql55", ""),
    130: ("ql55", ""),
    137: ("ql56", ""),
    127: (
        "rung-sac",
        (
            "labelled 'Quốc lộ 14E' in the source; its course is Huỳnh Tấn Phát "
            "(Quận 7 – Nhà Bè) and the Rừng Sác road to Cần Giờ, with the Bình Khánh "
            "ferry crossing"
        ),
    ),
    419: (
        "tl8",
        "labelled 'Quốc lộ 8' in the source; its course is Tỉnh lộ 8 (Củ Chi – Thủ Dầu Một)",
    ),
    121: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
    122: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
    123: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
    125: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
    126: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
    167: ("dt-binh-phuoc", "unnamed ('Không biết') provincial road of the source"),
}

# Traced lines, in build order (a line may only snap onto routes built before it).
# Vertices: (lon, lat) free vertex; ("@", route, lon, lat) junction on an earlier route;
# ("END", route) the last vertex of the previous piece of a route; ("VERTEX", route, lon, lat)
# the existing vertex of a route nearest to a point; ("PORT", id) a port point.
# Coordinates come from the road facts where they exist (named in the comment); the rest are
# placed from the facts' descriptions (km markers, towns passed, junctions) and are the reason
# for the stated accuracy.
TRACED: list[dict[str, Any]] = [
    {
        "route": "ql13",
        "piece": "south",
        "accuracy_m": 700,
        "note": "Bình Thạnh – Bình Phước junction section, missing from the road layer; traced "
        "from the first vertex of the hand-digitised QL13 of the road facts to its "
        "junction with QL1A",
        "vertices": [
            (106.712302, 10.8103107),
            (106.7184, 10.8213),
            (106.7205, 10.8450),
            ("@", "ql1a", 106.7230, 10.8651),
        ],
    },
    {
        "route": "xa-lo-ha-noi",
        "piece": "hang-xanh",
        "accuracy_m": 500,
        "note": "Hàng Xanh – Sài Gòn bridge section, traced from the QL13 first vertex of the "
        "road facts to the start of the road layer's line",
        "vertices": [
            ("@", "ql13", 106.712302, 10.8103107),
            (106.7113, 10.8016),
            (106.7300, 10.7990),
            (106.7450, 10.8000),
            ("@", "xa-lo-ha-noi", 106.7537, 10.8041),
        ],
    },
    {
        "route": "dien-bien-phu",
        "piece": "",
        "accuracy_m": 500,
        "note": "short urban connector so that the city-centre point lies on the network; "
        "traced from general knowledge of the street, not from a source geometry",
        "vertices": [
            ("@", "xa-lo-ha-noi", 106.7113, 10.8016),
            (106.7005, 10.7893),
            (106.694, 10.7713),
        ],
    },
    {
        "route": "link-an-phu",
        "piece": "",
        "accuracy_m": 800,
        "note": "connects the An Phú interchange (CT.01 Km0) to Xa lộ Hà Nội at the Sài Gòn "
        "bridge; traced, not from a source geometry",
        "vertices": [("@", "xa-lo-ha-noi", 106.7537, 10.8041), (106.7647475, 10.8019128)],
    },
    {
        "route": "ct01",
        "piece": "an-phu-vd2",
        "accuracy_m": 1500,
        "speed_kmh": 80,
        "note": "urban section An Phú – Vành đai 2 (≈3.7–4 km, 80 km/h); "
        "starts at the An Phú ward reference point of the road facts",
        "vertices": [("@", "link-an-phu", 106.7647475, 10.8019128), (106.7985, 10.7905)],
    },
    {
        "route": "ct01",
        "piece": "vd2-long-thanh",
        "accuracy_m": 2000,
        "note": "passes the Phú Hữu and Long Trường ward reference points of the road facts; "
        "Long Thành bridge placed at Km 12.5 over the Đồng Nai river; ends at the "
        "Long Thành interchange on QL51 (24.7 km from An Phú)",
        "vertices": [
            ("@", "ct01", 106.7985, 10.7905),
            (106.8237, 10.7965),
            (106.8400, 10.7970),
            (106.8750, 10.7880),
            (106.9100, 10.7950),
            ("@", "ql51", 106.9500, 10.7950),
        ],
    },
    {
        "route": "ct01",
        "piece": "long-thanh-dau-giay",
        "accuracy_m": 3000,
        "note": "north of Long Thành airport through Bình An and Xuân Quế communes to the "
        "Dầu Giây interchange on QL1A (Km 54+983), placed on QL1A about 2.7 km east "
        "of the Dầu Giây junction as the road facts state",
        "vertices": [
            ("END", "ct01"),
            (106.9750, 10.8030),
            (107.0300, 10.8220),
            (107.0900, 10.8480),
            (107.1350, 10.8800),
            ("@", "ql1a", 107.1640, 10.9370),
        ],
    },
    {
        "route": "vd2-phu-my",
        "piece": "",
        "accuracy_m": 800,
        "note": "Ring Road 2 from Nguyễn Văn Linh over the Phú Mỹ bridge (Wikipedia infobox "
        "point of the road facts) to the CT.01 Vành đai 2 junction; ≈10 km route",
        "vertices": [
            ("VERTEX", "rung-sac", 106.7289, 10.7381),
            (106.7360, 10.7410),
            (106.7444556, 10.7449917),
            (106.7580, 10.7600),
            (106.7720, 10.7780),
            ("@", "ct01", 106.7985, 10.7905),
        ],
    },
    {
        "route": "bllt",
        "piece": "ben-luc-nguyen-van-tao",
        "accuracy_m": 3000,
        "status": "open",
        "open_year": 2025,
        "note": "Km 0+700 – Km 21+850, open since 28 Apr 2025; starts at the HCMC–Trung Lương "
        "expressway interchange near Bến Lức (former Long An), crosses QL1A at Km ≈3.4",
        "vertices": [
            (106.4950, 10.6220),
            ("@", "ql1a", 106.5300, 10.6400),
            (106.6000, 10.6550),
            (106.6600, 10.6500),
            (106.7150, 10.6430),
        ],
    },
    {
        "route": "bllt",
        "piece": "binh-khanh-phuoc-an",
        "accuracy_m": 3000,
        "status": "under_construction",
        "open_year": 2026,
        "note": "Bình Khánh bridge (Soài Rạp, inaugurated Dec 2025) and Phước Khánh bridge "
        "(Lòng Tàu, due Sep 2026); whole route due 2026",
        "vertices": [
            ("@", "bllt", 106.7150, 10.6430),
            (106.7650, 10.6520),
            (106.8000, 10.6600),
            (106.8500, 10.6850),
            (106.9000, 10.7000),
            (106.9400, 10.7050),
        ],
    },
    {
        "route": "bllt",
        "piece": "phuoc-an-ql51",
        "accuracy_m": 3000,
        "status": "open",
        "open_year": 2025,
        "note": "Km 50+530 – Km 57+581 (Phước An interchange – QL51), open since 2025",
        "vertices": [("@", "bllt", 106.9400, 10.7050), ("@", "ql51", 106.9950, 10.7200)],
    },
    {
        "route": "ct28",
        "piece": "bien-hoa-long-thanh",
        "accuracy_m": 3000,
        "note": "phase 1 from IC1 Phước Tân (ward reference point of the 2025 ward data) south "
        "through Tam Phước to the Long Thành interchange with CT.01 (about 16 km); "
        "one-way temporary operation from early 2026. The QL1 bypass (Võ Nguyên Giáp) "
        "on which IC1 lies is not in the road layer, so the first segment joins the "
        "old QL1A about 4 km further north",
        "vertices": [
            ("@", "ql1a", 106.9450, 10.9550),
            (106.946, 10.9137),
            (106.9550, 10.8800),
            (106.9720, 10.8400),
            ("@", "ct01", 106.9750, 10.8030),
        ],
    },
    {
        "route": "ct28",
        "piece": "long-thanh-ql56",
        "accuracy_m": 3000,
        "lanes": 6,
        "note": "Long Thành interchange – QL56 at Bà Rịa (≈37.7 km, opening proposed for "
        "30 Mar 2026); 6 lanes between the CT.01 and Bến Lức–Long Thành "
        "interchanges; passes east of QL51 through Phú Mỹ",
        "vertices": [
            ("@", "ct01", 106.9750, 10.8030),
            (106.9850, 10.7600),
            (107.0120, 10.7180),
            (107.0550, 10.6650),
            (107.0750, 10.6000),
            (107.1300, 10.5600),
            ("@", "ql56", 107.1970, 10.5300),
        ],
    },
    {
        "route": "link-ng51",
        "piece": "",
        "accuracy_m": 2000,
        "note": "XL-NG51 package linking the Bến Lức–Long Thành expressway end on QL51 to the "
        "Biên Hòa–Vũng Tàu expressway (due Apr 2026)",
        "vertices": [("END", "bllt"), ("@", "ct28", 107.0120, 10.7180)],
    },
    {
        "route": "vd3",
        "piece": "nhon-trach",
        "accuracy_m": 3000,
        "status": "open",
        "open_year": 2025,
        "note": "component 1A (Nhơn Trạch bridge, ĐT25B junction, CT.01 junction), opened "
        "Aug 2025; starts at the Bến Lức–Long Thành junction in Nhơn Trạch",
        "vertices": [
            ("@", "bllt", 106.8500, 10.6850),
            (106.8450, 10.7200),
            (106.8430, 10.7450),
            (106.8380, 10.7750),
            ("@", "ct01", 106.8400, 10.7970),
        ],
    },
    {
        "route": "vd3",
        "piece": "thu-duc-ben-luc",
        "accuracy_m": 3000,
        "status": "under_construction",
        "open_year": 2026,
        "note": "through Thủ Đức (Long Phước, Long Bình) to the Tân Vạn interchange on QL1A, "
        "across former Bình Dương (Dĩ An, Thuận An) to the Bình Gởi bridge (placed on the "
        "Sài Gòn river, the traced Ho Chi Minh City – Bình Dương border), then through Hóc "
        "Môn and Bình Chánh to the Bến Lức–Long Thành expressway, joined at its QL1 interchange "
        "(the real junction, with the HCMC–Trung Lương expressway, is near Bến Lức a few km "
        "away); target whole "
        "route June 2026. The facts' ≈27 km for the former Bình Dương section does not fit "
        "the 76.34 km total with the towns named; the trace follows the total",
        "vertices": [
            ("@", "ct01", 106.8400, 10.7970),
            (106.8420, 10.8300),
            (106.8350, 10.8650),
            ("@", "ql1a", 106.8000, 10.9050),
            (106.7450, 10.9250),
            (106.6860, 10.9210),
            ("@", "ql22", 106.6000, 10.8800),
            (106.5750, 10.8000),
            (106.5500, 10.7200),
            ("VERTEX", "bllt", 106.5300, 10.6400),
        ],
    },
    {
        "route": "lien-cang",
        "piece": "",
        "accuracy_m": 1500,
        "note": "along the east bank of the Cái Mép / Thị Vải river from Cái Mép Hạ through "
        "the Cái Mép port point to QL51 at Mỹ Xuân (≈18 km, completed 2021)",
        "vertices": [
            (107.0250, 10.5050),
            ("PORT", "cai-mep-thi-vai"),
            (107.0300, 10.5700),
            (107.0350, 10.6100),
            ("@", "ql51", 107.0430, 10.6520),
        ],
    },
    {
        "route": "dt991b",
        "piece": "",
        "accuracy_m": 2000,
        "note": "from the Hội Bài – Tóc Tiên road across QL51 (664 m overpass, modelled as a "
        "junction) to Cái Mép Hạ (9.7–10 km); scheduled to open 2024, 2026 status not "
        "found",
        "vertices": [
            (107.0980, 10.5480),
            ("@", "ql51", 107.0760, 10.5370),
            (107.0550, 10.5150),
            ("@", "lien-cang", 107.0250, 10.5050),
        ],
    },
]


def _project_onto(
    line: list[tuple[float, float]], p: tuple[float, float]
) -> tuple[list[tuple[float, float]], tuple[float, float], float]:
    """Insert the projection of ``p`` into ``line``; return new coords, the point, distance."""
    ls = LineString(line)
    pt = Point(p)
    d = ls.project(pt)
    q = ls.interpolate(d)
    # reuse an existing vertex within 1 m instead of inserting a near-duplicate
    for v in line:
        if math.dist(v, (q.x, q.y)) < 1.0:
            return line, v, pt.distance(q)
    acc = 0.0
    out = [line[0]]
    inserted = False
    for a, b in itertools.pairwise(line):
        seg = math.dist(a, b)
        if not inserted and acc <= d <= acc + seg:
            out.append((q.x, q.y))
            inserted = True
        out.append(b)
        acc += seg
    return out, (q.x, q.y), pt.distance(q)


def build_roads(
    data: Path, ports: gpd.GeoDataFrame, region_m: Any, osm: dict[str, Any]
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    src = gpd.read_file(data / "roads/giaothong_dnb_clip.geojson").to_crs(METRIC)
    lines: list[dict[str, Any]] = []
    clip = region_m.buffer(4000)
    for _, row in src.iterrows():
        if int(row.gid) not in BASE_LINES:
            continue
        route, label_note = BASE_LINES[int(row.gid)]
        geom = row.geometry.intersection(clip)
        merged = linemerge(geom) if geom.geom_type == "MultiLineString" else geom
        parts = list(merged.geoms) if hasattr(merged, "geoms") else [merged]
        for part in parts:
            if part.is_empty or part.geom_type != "LineString" or part.length < 50:
                continue
            lines.append(
                {
                    "route": route,
                    "piece": "",
                    "kind": "base",
                    "gid": int(row.gid),
                    "coords": [tuple(c) for c in part.coords],
                    "accuracy_m": 1000,
                    "note": label_note,
                }
            )

    # Xa lộ Hà Nội and QL51 share one source line (gid 414): split at the QL51 start vertex
    # (Biên Hòa, the first vertex of the road facts' QL51).
    l414 = src[src.gid == 414].geometry.iloc[0]
    coords = [tuple(c) for c in l414.coords]
    cut = to_m(106.8486792, 10.9057501)
    k = min(range(len(coords)), key=lambda i: math.dist(coords[i], cut))
    lines.append(
        {
            "route": "xa-lo-ha-noi",
            "piece": "",
            "kind": "base",
            "gid": 414,
            "coords": coords[: k + 1],
            "accuracy_m": 1000,
            "note": "first part of the source line labelled 'Quốc lộ 51' (Sài Gòn bridge – "
            "Biên Hòa); its course is Xa lộ Hà Nội",
        }
    )
    lines.append(
        {
            "route": "ql51",
            "piece": "",
            "kind": "base",
            "gid": 414,
            "coords": coords[k:],
            "accuracy_m": 1000,
            "note": "",
        }
    )
    # gid 132 holds QL1A (Long An – Bình Chánh) and Nguyễn Văn Linh (Bình Chánh – Quận 7).
    g132 = src[src.gid == 132].geometry.iloc[0]
    for raw_part in g132.geoms:
        part = raw_part.intersection(clip)
        if part.is_empty:
            continue
        start = TO_LL.transform(*part.coords[0])
        route = "nguyen-van-linh" if start[0] > 106.59 else "ql1a"
        note = (
            (
                "labelled 'Quốc lộ 1A' in the source; its course (Bình Chánh – Quận 7) is "
                "Nguyễn Văn Linh boulevard"
            )
            if route == "nguyen-van-linh"
            else (
                "one of two source lines labelled 'Quốc lộ 1A' between Tân An and Bình Chánh; "
                "its straight course continuing as Nguyễn Văn Linh suggests it may be the "
                "HCMC–Trung Lương expressway (not verified)"
            )
        )
        lines.extend(
            {
                "route": route,
                "piece": "",
                "kind": "base",
                "gid": 132,
                "coords": [tuple(c) for c in sub.coords],
                "accuracy_m": 1000,
                "note": note,
            }
            for sub in (part.geoms if hasattr(part, "geoms") else [part])
        )

    # 1. snap base end points: to another line's end point, else onto its interior
    def endpoints() -> list[tuple[int, int]]:
        return [(i, e) for i in range(len(lines)) for e in (0, -1)]

    for i, e in endpoints():
        p = lines[i]["coords"][e]
        best: tuple[float, int, int | None] | None = None
        for j, other in enumerate(lines):
            if j == i:
                continue
            for e2 in (0, -1):
                d = math.dist(p, other["coords"][e2])
                if d < SNAP_M and (best is None or d < best[0]):
                    best = (d, j, e2)
        if best is not None:
            _, j, e2 = best
            assert e2 is not None
            lines[i]["coords"][e] = lines[j]["coords"][e2]
            continue
        for j, other in enumerate(lines):
            if j == i:
                continue
            d = LineString(other["coords"]).distance(Point(p))
            if 0 < d < SNAP_M:
                new, q, _ = _project_onto(other["coords"], p)
                lines[j]["coords"] = new
                lines[i]["coords"][e] = q
                break

    # 2. traced lines
    port_pts = {r.port_id: to_m(r.geometry.x, r.geometry.y) for r in ports.itertuples()}
    snap_report: list[str] = []
    for spec in TRACED:
        coords: list[tuple[float, float]] = []
        for v in spec["vertices"]:
            if v[0] == "PORT":
                coords.append(port_pts[v[1]])
            elif v[0] == "VERTEX":
                # an existing vertex of that route (a junction several roads share)
                target = to_m(v[2], v[3])
                cands = [c for ln in lines if ln["route"] == v[1] for c in ln["coords"]]
                coords.append(min(cands, key=lambda c: math.dist(c, target)))
            elif v[0] == "END":
                # continue exactly from the last vertex of the previous piece of that route
                prev = [ln for ln in lines if ln["route"] == v[1]][-1]
                coords.append(prev["coords"][-1])
            elif v[0] == "@":
                _, route, lon, lat = v
                target = to_m(lon, lat)
                cands = [j for j, ln in enumerate(lines) if ln["route"] == route]
                if not cands:
                    raise SystemExit(f"traced {spec['route']}: no route {route!r} to snap to")
                j = min(cands, key=lambda j: LineString(lines[j]["coords"]).distance(Point(target)))
                new, q, dist = _project_onto(lines[j]["coords"], target)
                lines[j]["coords"] = new
                snap_report.append(f"{spec['route']}->{route}: {dist:.0f} m")
                coords.append(q)
            else:
                coords.append(to_m(*v))
        lines.append(
            {
                **{k: v for k, v in spec.items() if k != "vertices"},
                "kind": "traced",
                "gid": None,
                "coords": coords,
            }
        )

    # 3. the real roads of the OpenStreetMap extract wherever it reaches
    lines, checks = replace_with_osm(lines, osm)

    # 4. split at junctions: every end point, and every vertex shared by two lines
    count: dict[tuple[float, float], int] = {}
    for ln in lines:
        for c in set(ln["coords"]):
            count[c] = count.get(c, 0) + 1
    nodes = {c for c, n in count.items() if n > 1}
    for ln in lines:
        nodes.add(ln["coords"][0])
        nodes.add(ln["coords"][-1])

    rows = []
    seq: dict[str, int] = {}
    for ln in lines:
        ln["coords"] = [c for k, c in enumerate(ln["coords"]) if k == 0 or c != ln["coords"][k - 1]]
        pieces: list[list[tuple[float, float]]] = [[ln["coords"][0]]]
        for c in ln["coords"][1:]:
            pieces[-1].append(c)
            if c in nodes and c != ln["coords"][-1]:
                pieces.append([c])
        pieces = [p for p in pieces if len(p) >= 2]
        for k, piece in enumerate(pieces, start=1):
            geom_ll = LineString([to_ll(*c) for c in piece])
            if ln["kind"] == "osm":
                rows.append(osm_road_row(ln, geom_ll, k if len(pieces) > 1 else 0))
                continue
            route = ln["route"]
            info = ROUTES[route]
            seq[route] = seq.get(route, 0) + 1
            origin = {"traced": "traced", "connector": "connector"}.get(ln["kind"], "source_line")
            note = ln.get("note", "")
            rows.append(
                {
                    "road_id": f"{route}-{seq[route]:02d}",
                    "route": route,
                    "ref": info["ref"],
                    "name": info["name"],
                    "name_en": info["name_en"],
                    "class": info["class"],
                    "lanes": ln.get("lanes", info["lanes"]),
                    "speed_kmh": ln.get("speed_kmh", info["speed_kmh"]),
                    "speed_basis": info["speed_basis"],
                    "status": ln.get("status", info["status"]),
                    "open_year": ln.get("open_year", info["open_year"]),
                    "accuracy_m": ln["accuracy_m"],
                    "geometry_origin": origin,
                    "approximate": True,
                    "location_precision": "approximate",
                    "length_km": round(geodesic_length_km(geom_ll), 3),
                    "source": (SRC_WAYPOINTS + "; traced in build_layers.py")
                    if ln["kind"] in {"traced", "connector"}
                    else f"{SRC_GIAOTHONG} gid {ln['gid']}",
                    "licence": "MIT" if ln["kind"] in {"traced", "connector"} else "CC-BY-SA-4.0",
                    "osm_id": None,
                    "notes": note or None,
                    "geometry": geom_ll,
                }
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")

    # The network must be one connected component. Fragments left by the source's own clip
    # (e.g. a few hundred metres of QL14 at the 11.8° N edge) are dropped; anything larger that
    # is disconnected fails the build.
    g = nx.MultiGraph()
    for idx, r in gdf.iterrows():
        cs = list(r.geometry.coords)
        g.add_edge(cs[0], cs[-1], idx=idx)
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    drop: list[int] = []
    osm_dropped_km = 0.0
    for comp in comps[1:]:
        sub = g.subgraph(comp)
        idx = [d["idx"] for _, _, d in sub.edges(data=True)]
        own = gdf.loc[idx]
        km = float(own.loc[own.geometry_origin != "osm", "length_km"].sum())
        if km > 2.0:
            raise SystemExit(
                f"road network: disconnected component of {km:.1f} km near {next(iter(comp))}"
            )
        if km > 0:
            print(f"  dropped a {km:.2f} km road fragment near {next(iter(comp))}")
        osm_dropped_km += float(own.loc[own.geometry_origin == "osm", "length_km"].sum())
        drop += idx
    gdf = gdf.drop(index=drop).reset_index(drop=True)
    print(f"  dropped {osm_dropped_km:.1f} km of OpenStreetMap roads not joined to the network")
    print("  road snaps:", "; ".join(snap_report))
    gdf.attrs["osm_dropped_km"] = round(osm_dropped_km, 1)
    return gdf, checks


# --------------------------------------------------------------------------------------------
# OpenStreetMap extract of Ho Chi Minh City (about 2018)
#
# Read once with pyosmium: the main roads (motorway to primary, with their links), the outlines
# this build uses (parks, the Hi-Tech Park, Software City, port terminals, aerodromes), power
# lines and universities, and the extract's reach: the area where it holds a road network at all.

OSM_FILE = "osm_hcmc_2018/hcm_2018.osm.pbf"
SRC_OSM = "OpenStreetMap extract of Ho Chi Minh City of about 2018 (hcm_2018.osm.pbf)"
URL_OSM = "https://www.openstreetmap.org/"
OSM_ROAD_HIGHWAYS = {
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
}
# Classes of road that count towards the extract's reach: a cell of the reach grid holds at
# least REACH_MIN_WAYS vertices of such roads.
REACH_HIGHWAYS = {
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
}
REACH_CELL_M = 1000.0
REACH_MIN_VERTICES = 10
REACH_MARGIN_M = 1500.0


def _osm_text(value: str | None) -> str | None:
    """Return an OSM tag value in NFC, with the Icelandic eth some mappers type for Đ fixed."""
    if value is None:
        return None
    return nfc(value.replace("\u00d0", "\u0110"))


def read_osm(data: Path) -> dict[str, Any]:
    """Read what the build needs from the OpenStreetMap extract (a second or two)."""
    import osmium  # noqa: PLC0415  (only the build needs it)

    path = data / OSM_FILE
    wkb = osmium.geom.WKBFactory()
    wanted_areas = set(OSM_OUTLINES)

    class Handler(osmium.SimpleHandler):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.roads: list[dict[str, Any]] = []
            self.reach_xy: list[tuple[float, float]] = []
            self.outlines: dict[str, Any] = {}
            self.power: list[dict[str, Any]] = []
            self.universities: list[dict[str, Any]] = []
            self.railways: list[Any] = []

        def way(self, w: Any) -> None:
            tags = w.tags
            hw = tags.get("highway")
            if hw in REACH_HIGHWAYS:
                self.reach_xy.extend((n.lon, n.lat) for n in w.nodes)
            if hw in OSM_ROAD_HIGHWAYS:
                self.roads.append(
                    {
                        "osm_id": int(w.id),
                        "highway": hw,
                        "ref": _osm_text(tags.get("ref")),
                        "name": _osm_text(tags.get("name")),
                        "maxspeed": tags.get("maxspeed"),
                        "lanes": tags.get("lanes"),
                        "nodes": [int(n.ref) for n in w.nodes],
                        "coords": [(float(n.lon), float(n.lat)) for n in w.nodes],
                    }
                )
            if tags.get("power") == "line":
                self.power.append(
                    {
                        "osm_id": int(w.id),
                        "voltage": tags.get("voltage"),
                        "name": _osm_text(tags.get("name")),
                        "ref": _osm_text(tags.get("ref")),
                        "cables": tags.get("cables"),
                        "operator": _osm_text(tags.get("operator")),
                        "coords": [(float(n.lon), float(n.lat)) for n in w.nodes],
                    }
                )
            if tags.get("railway") in {"rail", "light_rail", "subway"}:
                self.railways.append(LineString([(float(n.lon), float(n.lat)) for n in w.nodes]))

        def area(self, a: Any) -> None:
            key = ("way" if a.from_way() else "relation", int(a.orig_id()))
            tags = a.tags
            if key in wanted_areas:
                self.outlines[key] = shapely.from_wkb(bytes.fromhex(wkb.create_multipolygon(a)))
            if tags.get("amenity") == "university":
                self.universities.append(
                    {
                        "osm_type": key[0],
                        "osm_id": key[1],
                        "name": _osm_text(tags.get("name")),
                        "name_en": _osm_text(tags.get("name:en")),
                        "geometry": shapely.from_wkb(bytes.fromhex(wkb.create_multipolygon(a))),
                    }
                )

    h = Handler()
    h.apply_file(str(path), locations=True)
    missing = wanted_areas - set(h.outlines)
    if missing:
        raise SystemExit(f"OpenStreetMap extract {path}: outlines not found: {sorted(missing)}")
    return {
        "path": path,
        "roads": sorted(h.roads, key=lambda r: r["osm_id"]),
        "reach_m": osm_reach(h.reach_xy),
        "outlines": h.outlines,
        "power": sorted(h.power, key=lambda r: r["osm_id"]),
        "universities": sorted(h.universities, key=lambda r: (r["osm_type"], r["osm_id"])),
        "railways": h.railways,
    }


def osm_reach(lonlat: list[tuple[float, float]]) -> Any:
    """Return the extract's reach (metric polygon): where it maps a road network at all.

    Cells of REACH_CELL_M holding at least REACH_MIN_VERTICES road vertices, closed by one
    cell, holes filled, then shrunk by REACH_MARGIN_M so that a road is only replaced where the
    extract clearly holds the whole neighbourhood.
    """
    xy = np.array(TO_M.transform(*np.array(lonlat).T)).T
    cells, counts = np.unique(
        np.floor(xy / REACH_CELL_M).astype(np.int64), axis=0, return_counts=True
    )
    boxes = [
        shapely.box(
            i * REACH_CELL_M, j * REACH_CELL_M, (i + 1) * REACH_CELL_M, (j + 1) * REACH_CELL_M
        )
        for (i, j), n in zip(cells, counts, strict=True)
        if n >= REACH_MIN_VERTICES
    ]
    area = (
        shapely.union_all(boxes)
        .buffer(REACH_CELL_M, join_style="mitre")
        .buffer(-REACH_CELL_M, join_style="mitre")
    )
    parts = list(getattr(area, "geoms", [area]))
    main = max(parts, key=lambda p: p.area)
    filled = Polygon(main.exterior)
    return filled.buffer(-REACH_MARGIN_M, join_style="mitre").simplify(50.0)


# Outlines taken from the extract, keyed by (OSM type, id).
OSM_PARKS: dict[int, tuple[str, str]] = {
    291267149: ("Khu công nghiệp Việt Nam – Singapore (VSIP I)", "VSIP I"),
    291663726: ("Khu công nghiệp Tân Đông Hiệp A", "KCN Tân Đông Hiệp - khu A"),
    291853380: ("Khu công nghiệp Bình Đường", "KCN Bình Đường"),
    306132369: ("Khu công nghiệp Biên Hòa 2", "KCN Biên Hoà 2"),
    306251856: ("Khu công nghiệp Sóng Thần 1", "KCN Sóng Thần"),
    323602532: ("Khu công nghiệp Đồng An", "KCN Đồng An 1"),
    327898250: ("Khu chế xuất Linh Trung 1", "KCX Linh Trung I"),
    330871753: ("Khu công nghiệp Vĩnh Lộc", "KCN Vĩnh Lộc"),
    377269911: ("Khu chế xuất Tân Thuận", "KCX Tân Thuận"),
    493155221: ("Khu công nghiệp Tân Tạo", "Khu công nghiệp Tân Tạo"),
    496910208: ("Khu công nghiệp Việt Hương", "KCN Việt Hương"),
    496910231: ("Khu công nghiệp Sóng Thần 2", "KCN Sóng Thần 2"),
    503373077: ("Khu công nghiệp Bình Chiểu", "Khu Công nghiệp Bình Chiểu"),
    291052399: ("Khu công nghiệp Bình An", "KCN Dệt May Bình An"),
    548717431: ("Khu Công nghệ cao TP.HCM", "Khu công nghệ cao Thành phố Hồ Chí Minh"),
    208935405: ("Công viên phần mềm Quang Trung", "Công viên Phần mềm Quang Trung"),
}
OSM_SHTP = ("way", 548717431)
OSM_QTSC = ("way", 208935405)
OSM_CAT_LAI = ("way", 410427637)
OSM_TAN_SON_NHAT = ("relation", 7240501)
OSM_OUTLINES: dict[tuple[str, int], str] = {
    **{("way", k): v[1] for k, v in OSM_PARKS.items()},
    OSM_CAT_LAI: "Cat Lai Container Terminal",
    OSM_TAN_SON_NHAT: "Sân bay Quốc tế Tân Sơn Nhất",
}


# Routes of the traced network that OpenStreetMap of 2018 cannot hold (built later): they keep
# their traced geometry inside the reach too, joined to the real roads there.
NOT_IN_OSM_2018 = {"vd3", "bllt", "ct28", "link-ng51", "lien-cang", "dt991b"}
# Routes kept whole although they cross the reach: the extract maps them below the primary
# class this build reads (Huỳnh Tấn Phát is a secondary road there).
KEEP_WHOLE = NOT_IN_OSM_2018 | {"rung-sac"}
# Routes of which the extract's main roads hold only a part (the Phú Mỹ bridge of Ring Road 2):
# they are replaced, but not used to measure how far the replaced line lay from the real road.
PARTIAL_OSM_ROUTES = {"vd2-phu-my"}
# OSM speeds where neither the route nor a maxspeed tag gives one (km/h, assumed for the class
# in congested Ho Chi Minh City traffic).
OSM_ASSUMED_SPEED_KMH = {"motorway": 80, "trunk": 50, "primary": 40}
OSM_LINK_SPEED_KMH = 30
OSM_ROAD_ACCURACY_M = 20
ROUTE_COVER_M = 3000.0


def osm_route(way: dict[str, Any]) -> str | None:
    """Return the id of the bundled route an OpenStreetMap way belongs to, if any."""
    ref = (way["ref"] or "").upper().replace(" ", "")
    name = (way["name"] or "").lower()
    refs = set(ref.replace("QL.", "").replace("QL", "").split(";"))
    if way["highway"].endswith("_link"):
        return None
    if "trung lương" in name or "TRUNGLUONG" in ref:
        return "hcmc-trung-luong"
    if "CT01" in refs or "CT.01" in refs:
        return "ct01"
    if "xa lộ hà nội" in name:
        return "xa-lo-ha-noi"
    if "1K" in refs or "quốc lộ 1k" in name:
        return "ql1k"
    if "1A" in refs or name.startswith("quốc lộ 1a"):
        return "ql1a"
    if "13" in refs or name.startswith("quốc lộ 13"):
        return "ql13"
    if "22" in refs or name.startswith("quốc lộ 22"):
        return "ql22"
    if "50" in refs or name.startswith("quốc lộ 50"):
        return "ql50"
    if name == "nguyễn văn linh":
        return "nguyen-van-linh"
    if name == "điện biên phủ":
        return "dien-bien-phu"
    if name == "cầu phú mỹ":
        return "vd2-phu-my"
    return None


def _osm_speed(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def _main_component_nodes(ways: list[dict[str, Any]]) -> set[int]:
    g = nx.Graph()
    for w in ways:
        nx.add_path(g, w["nodes"])
    return max(nx.connected_components(g), key=lambda c: (len(c), min(c)))


def replace_with_osm(
    lines: list[dict[str, Any]], osm: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Put the extract's real roads in place of the traced and source lines within its reach.

    Returns the new line list and, per route, how far the replaced lines lay from the real
    road (the evidence for the accuracy stated for what remains outside the reach).
    """
    from scipy.spatial import cKDTree  # noqa: PLC0415

    reach = osm["reach_m"]
    ways = osm["roads"]
    main = _main_component_nodes(ways)
    node_xy: dict[int, tuple[float, float]] = {}
    osm_lines: list[dict[str, Any]] = []
    for w in ways:
        coords = [to_m(*c) for c in w["coords"]]
        node_xy.update(zip(w["nodes"], coords, strict=True))
        osm_lines.append(
            {"route": osm_route(w), "kind": "osm", "osm": w, "coords": coords, "gid": None}
        )
    main_ids = sorted(main)
    main_xy = np.array([node_xy[n] for n in main_ids])
    tree_all = cKDTree(main_xy)
    route_nodes: dict[str, list[int]] = {}
    for ln in osm_lines:
        if ln["route"] is not None:
            route_nodes.setdefault(ln["route"], []).extend(
                n for n in ln["osm"]["nodes"] if n in main
            )
    route_trees = {
        r: (ids, cKDTree(np.array([node_xy[n] for n in ids])))
        for r, ids in ((r, sorted(set(v))) for r, v in route_nodes.items())
    }

    def target(c: tuple[float, float], route: str | None) -> tuple[float, float]:
        if route in route_trees:
            ids, tree = route_trees[route]
            d, k = tree.query(c)
            if d < 10_000:
                return node_xy[ids[int(k)]]
        _, k = tree_all.query(c)
        return node_xy[main_ids[int(k)]]

    # how far each replaced line lay from its real road, sampled every 100 m inside the reach
    checks: list[dict[str, Any]] = []
    pooled: dict[str, list[Any]] = {}
    osm_by_route: dict[str, Any] = {}
    for ln in osm_lines:
        if ln["route"] is not None:
            osm_by_route.setdefault(ln["route"], []).append(LineString(ln["coords"]))
    osm_by_route = {r: shapely.union_all(v) for r, v in osm_by_route.items()}
    for ln in lines:
        if ln["route"] in KEEP_WHOLE | PARTIAL_OSM_ROUTES or ln["route"] not in osm_by_route:
            continue
        inside = LineString(ln["coords"]).intersection(reach)
        if inside.length < 1000:
            continue
        parts = list(getattr(inside, "geoms", [inside]))
        samples = [
            p.interpolate(t)
            for p in parts
            if p.geom_type == "LineString"
            for t in np.arange(0.0, p.length, 100.0)
        ]
        d = np.array([osm_by_route[ln["route"]].distance(s) for s in samples])
        pooled.setdefault(ln["kind"], []).append(d)
        checks.append(
            {
                "route": ln["route"],
                "piece": ln.get("piece") or (f"gid {ln['gid']}" if ln.get("gid") else ""),
                "geometry_origin": "traced" if ln["kind"] == "traced" else "source_line",
                "stated_accuracy_m": ln["accuracy_m"],
                "length_inside_km": round(inside.length / 1000, 1),
                "median_m": round(float(np.median(d)), -1),
                "p90_m": round(float(np.quantile(d, 0.9)), -1),
                "max_m": round(float(d.max()), -1),
            }
        )

    # What the replaced lines missed by is the best estimate of what the same methods miss by
    # outside the reach: no remaining line may state a smaller error than their pooled p90.
    p90 = {k: float(np.quantile(np.concatenate(v), 0.9)) for k, v in sorted(pooled.items())}
    for ln in lines:
        floor = p90.get(ln["kind"])
        if floor is not None:
            ln["accuracy_m"] = max(int(ln["accuracy_m"]), int(math.ceil(floor / 100.0) * 100))
    for kind, d in sorted(pooled.items()):
        d_all = np.concatenate(d)
        checks.append(
            {
                "route": "all",
                "piece": "pooled",
                "geometry_origin": "traced" if kind == "traced" else "source_line",
                "stated_accuracy_m": None,
                "length_inside_km": round(len(d_all) * 0.1, 1),
                "median_m": round(float(np.median(d_all)), -1),
                "p90_m": round(float(np.quantile(d_all, 0.9)), -1),
                "max_m": round(float(d_all.max()), -1),
            }
        )

    # A route the extract holds also replaces its traced or source line where that line runs
    # within ROUTE_COVER_M of the real road beyond the reach (about the traced lines' error).
    cover = {r: shapely.union(reach, g.buffer(ROUTE_COVER_M)) for r, g in osm_by_route.items()}
    shared: dict[tuple[float, float], set[str]] = {}
    for ln in lines:
        for c in ln["coords"]:
            shared.setdefault(c, set()).add(ln["route"])
    moved: dict[tuple[float, float], tuple[float, float]] = {}

    def snap(c: tuple[float, float], own: str) -> tuple[float, float]:
        others = sorted(r for r in shared.get(c, set()) if r != own and r not in KEEP_WHOLE)
        if not others or not any(shapely.contains_xy(cover.get(r, reach), *c) for r in others):
            return c
        if c not in moved:
            moved[c] = target(c, others[0])
        return moved[c]

    out: list[dict[str, Any]] = []
    for ln in lines:
        if ln["route"] in KEEP_WHOLE:
            out.append({**ln, "coords": [snap(c, ln["route"]) for c in ln["coords"]]})
            continue
        line = LineString(ln["coords"])
        rest = line.difference(cover.get(ln["route"], reach))
        if rest.is_empty:
            continue
        ends = {ln["coords"][0], ln["coords"][-1]}
        for part in getattr(rest, "geoms", [rest]):
            if part.length < 200:
                continue
            coords = [snap(tuple(c), ln["route"]) for c in part.coords]
            out.append({**ln, "coords": coords})
            for end in (coords[0], coords[-1]):
                if end in ends:
                    continue
                goal = target(end, ln["route"])
                gap = math.dist(end, goal)
                out.append(
                    {
                        **{k: v for k, v in ln.items() if k not in {"coords", "note"}},
                        "kind": "connector",
                        "coords": [end, goal] if end == coords[-1] else [goal, end],
                        "accuracy_m": max(int(ln["accuracy_m"]), int(math.ceil(gap / 100.0) * 100)),
                        "note": f"joins the {'traced' if ln['kind'] == 'traced' else 'source'} "
                        f"line, cut at the edge of the extract's reach, to the nearest node of "
                        f"the same road in OpenStreetMap ({gap:.0f} m; straight)",
                    }
                )
    return out + osm_lines, checks


def osm_road_row(ln: dict[str, Any], geom_ll: LineString, piece: int) -> dict[str, Any]:
    """Return the layer row of (a piece of) an OpenStreetMap way."""
    w = ln["osm"]
    route = ln["route"]
    info = ROUTES.get(route or "", {})
    hw = w["highway"]
    base = hw.removesuffix("_link")
    tagged = _osm_speed(w["maxspeed"])
    if hw.endswith("_link"):
        speed, basis = OSM_LINK_SPEED_KMH, "assumed"
    elif tagged is not None:
        speed, basis = tagged, "osm_maxspeed"
    elif info:
        speed, basis = info["speed_kmh"], info["speed_basis"]
    else:
        speed, basis = OSM_ASSUMED_SPEED_KMH[base], "assumed"
    lanes = int(w["lanes"]) if (w["lanes"] or "").isdigit() else info.get("lanes")
    return {
        "road_id": f"osm-{w['osm_id']}" + (f"-{piece}" if piece else ""),
        "route": route or f"osm-{slugify(w['name'])}" if w["name"] else route or "osm-unnamed",
        "ref": info.get("ref") or w["ref"],
        "name": w["name"] or info.get("name"),
        "name_en": info.get("name_en"),
        "class": info.get("class", base) if not hw.endswith("_link") else base,
        "lanes": lanes,
        "speed_kmh": speed,
        "speed_basis": basis,
        "status": "open",
        "open_year": info.get("open_year"),
        "accuracy_m": OSM_ROAD_ACCURACY_M,
        "geometry_origin": "osm",
        "approximate": False,
        "location_precision": "exact",
        "length_km": round(geodesic_length_km(geom_ll), 3),
        "source": f"{SRC_OSM}, way {w['osm_id']} (highway={hw})",
        "licence": "ODbL-1.0",
        "osm_id": w["osm_id"],
        "notes": None,
        "geometry": geom_ll,
    }


def crossings_without_junction(gdf: gpd.GeoDataFrame) -> list[str]:
    """List the places where a source or traced line crosses a road without sharing a node.

    OpenStreetMap ways cross without a shared node only where one passes over the other, as
    mapped, so crossings between two of them are not listed.
    """
    out = []
    ends = [{g.coords[0], g.coords[-1]} for g in gdf.geometry]
    osm = (gdf["geometry_origin"] == "osm").to_numpy()
    tree = shapely.STRtree(list(gdf.geometry))
    for i, j in zip(*tree.query(list(gdf.geometry), predicate="intersects"), strict=True):
        if i >= j or (osm[i] and osm[j]):
            continue
        x = gdf.geometry.iloc[i].intersection(gdf.geometry.iloc[j])
        for p in getattr(x, "geoms", [x]):
            if p.geom_type == "Point" and (p.x, p.y) not in ends[i] | ends[j]:
                a, b = gdf.iloc[i], gdf.iloc[j]
                out.append(f"{a['name']} × {b['name']} at {p.y:.3f} N, {p.x:.3f} E")
    return sorted(out)


def build_roads_entry(gdf: gpd.GeoDataFrame, checks: list[dict[str, Any]]) -> None:
    crossings = crossings_without_junction(gdf)
    km = gdf.groupby("geometry_origin")["length_km"].sum().round(1).to_dict()
    acc = {
        origin: sorted({int(v) for v in gdf.loc[gdf.geometry_origin == origin, "accuracy_m"]})
        for origin in ("source_line", "traced", "connector")
    }
    pooled = {c["geometry_origin"]: c for c in checks if c["route"] == "all"}
    register(
        {
            "name": "roads",
            "crossings_without_junction": crossings,
            "replaced_line_checks": checks,
            "osm_roads_not_joined_km": gdf.attrs.get("osm_dropped_km"),
            "title": "Trunk road network (real OpenStreetMap roads in Ho Chi Minh City, "
            "approximate elsewhere)",
            "file": "roads_osm.geojson",  # the first of its parts (PARTS)
            "kind": "vector",
            "id_column": "road_id",
            "name_column": "name",
            "description": "Expressways, national highways, main urban roads and the Cái Mép–Thị "
            "Vải port roads as a graph-ready line network: lines are split at every junction, "
            "junctions are shared end vertices, and the network is one connected component (so "
            "are its open and its open-or-partly-open parts). Within the reach of the "
            "OpenStreetMap extract of Ho Chi Minh City (about 2018) the roads are its real "
            "motorway, trunk and primary ways with their links "
            f"({km.get('osm', 0):,.0f} km); outside it, national-road source lines "
            f"({km.get('source_line', 0):,.0f} km) and traced expressways "
            f"({km.get('traced', 0):,.0f} km), joined to the real roads by straight connectors "
            f"({km.get('connector', 0):,.0f} km). `route` groups the segments of one road; "
            "`geometry_origin`, `source`, `licence` and `accuracy_m` are per feature.",
            "source": "inside the extract's reach: OpenStreetMap (extract of Ho Chi Minh City of "
            "about 2018); national highways elsewhere: CTU-SematX/LegoCity opendata/giaothong "
            "(national road layer, upstream source not stated); expressways, ring roads and "
            "port roads not in the extract: traced through the waypoints, km markers and "
            "junctions of the geosite road facts (compiled from public pages, see "
            "roads_summary.md)",
            "source_url": URL_OSM,
            "licence": "ODbL-1.0 (OpenStreetMap ways) AND CC-BY-SA-4.0 (national-road source "
            "lines) AND MIT (traced lines and connectors), one file per licence (see parts)",
            "licence_file": "LICENSES/README.txt",
            "attribution": "Roads: © OpenStreetMap contributors (ODbL); LegoCity giaothong "
            "(CC BY-SA 4.0); traced expressways (approximate)",
            "vintage": "OpenStreetMap of about 2018 in Ho Chi Minh City; national road layer of "
            "unknown date (pre-2015: no expressways); expressway status as read in early 2026",
            "positional_accuracy": "OpenStreetMap ways: as mapped (typically 5–20 m; 20 m "
            "stated). Where the extract reaches, the lines it replaced were measured against it: "
            f"source lines missed the real road by a median {pooled['source_line']['median_m']:,.0f} m "
            f"and a p90 of {pooled['source_line']['p90_m']:,.0f} m, traced lines by a median "
            f"{pooled['traced']['median_m']:,.0f} m and a p90 of {pooled['traced']['p90_m']:,.0f} m "
            "(see replaced_line_checks). The source and traced lines that remain outside the "
            "reach state at least that p90 "
            f"(source lines {min(acc['source_line']):,}–{max(acc['source_line']):,} m, traced "
            f"{min(acc['traced']):,}–{max(acc['traced']):,} m); a connector states at least its "
            "own length. Per-feature accuracy_m.",
            "accuracy_m": 3000,
            "approximate": True,
            "known_defects": [
                (
                    "OpenStreetMap of about 2018 lacks what was built since (Ring Road 3, Bến "
                    "Lức–Long Thành, Biên Hòa–Vũng Tàu): those stay traced inside the reach too "
                    "and can be 1–3 km off."
                ),
                (
                    "Outside the reach no geometry source exists for the expressways (CT.01 east "
                    "of Long Thành, CT.28, Bến Lức–Long Thành, Ring Road 3) or the port roads: "
                    "they are traced; the national highways there come from a coarse layer."
                ),
                (
                    "Connectors are straight lines from where a source or traced line was cut to "
                    "the nearest node of the same road in OpenStreetMap (or of the nearest main "
                    "road where the extract does not name it); they stand for road that exists "
                    "but is not drawn."
                ),
                (
                    "Within the reach only motorway, trunk and primary roads (and their links) "
                    "are kept; secondary roads such as Huỳnh Tấn Phát are not, so the Nhà Bè – "
                    "Cần Giờ road keeps its source line through the city. "
                    f"{gdf.attrs.get('osm_dropped_km', 0):.1f} km of OpenStreetMap main roads "
                    "joined to the network only through smaller roads were left out."
                ),
                (
                    "OpenStreetMap dual carriageways are two lines; one-way rules are not kept "
                    "(every line is two-way)."
                ),
                (
                    "Outside the reach, crossings without a stated interchange are not junctions; "
                    "stated interchanges are single shared nodes (no ramps)."
                ),
                (
                    f"{len(crossings)} crossings of a source or traced line with another road "
                    "have no junction because no interchange is stated there, though real ones "
                    "may exist (see crossings_without_junction)."
                ),
                (
                    "Speeds marked speed_basis='assumed' are typical values chosen for the class, "
                    "not measurements; 'osm_maxspeed' is the OpenStreetMap maxspeed tag."
                ),
                (
                    "Source labels corrected: 'Quốc lộ 14E' is the Huỳnh Tấn Phát – Rừng Sác road, "
                    "'Quốc lộ 8' is Tỉnh lộ 8, part of 'Quốc lộ 1A' is Nguyễn Văn Linh and part of "
                    "'Quốc lộ 51' is Xa lộ Hà Nội (see notes)."
                ),
                (
                    "The source layer is clipped at 11.8° N: QL13 and QL14 stop there, about "
                    "20 km short of the Hoa Lư border gate and of the province's northern edge. "
                    "Base lines run up to 4 km past the region's border, where they are cut."
                ),
                (
                    "Outside Ho Chi Minh City local and provincial roads are almost entirely "
                    "missing: travel times there are trunk-network times plus an off-network "
                    "access leg."
                ),
            ],
            "good_for": [
                (
                    "Regional travel-time and network-distance criteria between sites tens of km "
                    "apart (e.g. to the Cái Mép port or Long Thành airport)."
                ),
                "Showing the trunk network on overview maps.",
            ],
            "not_for": [
                (
                    "Distances below a few km, 'distance to the nearest road' at parcel scale, "
                    "routing, engineering or cadastral work."
                ),
                (
                    "Deciding whether a parcel outside Ho Chi Minh City touches an expressway "
                    "(positions there can be 1–3 km off)."
                ),
            ],
        },
        gdf,
    )


def single_polygon(geom: Any) -> Any:
    """Return the one polygon of a (multi)polygon outline, oriented counter-clockwise."""
    parts = list(getattr(geom, "geoms", [geom]))
    if len(parts) != 1:
        return shapely.geometry.polygon.orient(shapely.MultiPolygon(parts))
    return shapely.geometry.polygon.orient(parts[0])


def build_candidate_sites(
    data: Path, roads: gpd.GeoDataFrame, osm: dict[str, Any]
) -> gpd.GeoDataFrame:
    wards = pd.read_csv(data / "boundaries/vietnamadminunits_2025_wards_HCM_DongNai.csv")

    def ward_pt(name: str) -> tuple[float, float]:
        w = wards[wards.ward == name].iloc[0]
        return float(w.wardLon), float(w.wardLat)

    # Long Thành zone: west side on the Biên Hòa–Vũng Tàu expressway's parallel road, between
    # the An Phước and Bình An communes. The outline is put against the east side of the traced
    # expressway at the latitude midway between the two commune reference points.
    ap, ba = ward_pt("Xã An Phước"), ward_pt("Xã Bình An")
    lat_mid = (ap[1] + ba[1]) / 2
    ct28 = shapely.union_all(list(roads[roads.route == "ct28"].geometry))
    probe = LineString([(106.90, lat_mid), (107.10, lat_mid)])
    hit = ct28.intersection(probe)
    hit_pt = hit if hit.geom_type == "Point" else min(hit.geoms, key=lambda p: p.x)
    # 60 m: the expressway's parallel road and its safety corridor lie between the two
    hx, hy = to_m(hit_pt.x, lat_mid)
    west_anchor = to_ll(hx + 60.0, hy)

    sites = [
        {
            "site_id": "long-thanh-50ha",
            "name": "Khu CNTT tập trung gần sân bay Long Thành (đề xuất 2023, 50 ha)",
            "name_en": "IT / data-centre zone near Long Thanh airport (2023 proposal, 50 ha)",
            "official_area_ha": 50.0,
            "area_source": "2023 proposal as cited in the project brief; the 50 ha figure was "
            "NOT found in the sources read (they give about 100 ha in 2023)",
            "status": "proposed",
            "status_date": "2023",
            "province_pre2025": "Tỉnh Đồng Nai",
            "province_2025": "Tỉnh Đồng Nai",
            "center": west_anchor,
            "anchor": "west",
            "aspect": 1.0,
            "location_precision": "approximate",
            "accuracy_m": 3000,
            "outline_method": "square of the stated area, west edge 60 m east of the traced "
            "Biên Hòa–Vũng Tàu expressway, centred on the latitude midway between the An "
            "Phước and Bình An commune reference points; nested in the 119 ha zone it became",
            "source_url": "https://diza.dongnai.gov.vn/Pages/newsdetail.aspx?CatId=102&NewsId=4520",
            "notes": "The 2023 proposal placed about 100 ha in Long Đức and An Phước communes; "
            "a 50 ha hyperscale data-centre project at VSIP Bình Dương may be the origin of the "
            "50 ha figure. Kept as the scenario's historical variant.",
        },
        {
            "site_id": "long-thanh-digital-119ha",
            "name": "Khu công nghệ số tập trung Long Thành",
            "name_en": "Long Thanh concentrated digital-technology zone",
            "official_area_ha": 119.35,
            "area_source": "1/2,000 zoning-plan task approved 18 Mar 2026: 119.35 ha "
            "(117.05 ha inside the plan boundary)",
            "status": "zoning_plan_approved",
            "status_date": "2026-03-18",
            "province_pre2025": "Tỉnh Đồng Nai",
            "province_2025": "Tỉnh Đồng Nai",
            "center": west_anchor,
            "anchor": "west",
            "aspect": 1.0,
            "location_precision": "approximate",
            "accuracy_m": 3000,
            "outline_method": "square of the stated area, west edge 60 m east of the traced "
            "Biên Hòa–Vũng Tàu expressway (the zone's west side is the expressway's parallel "
            "road), centred on the latitude midway between the An Phước and Bình An commune "
            "reference points",
            "source_url": "https://vietnamdaily.kienthuc.net.vn/dong-nai-quy-hoach-khu-cong-"
            "nghe-so-120ha-sat-san-bay-long-thanh-post4296576903.html",
            "notes": "Communes An Phước and Bình An, Long Thành; adjacent to Long Thành airport. "
            "Boundaries: N housing and defence land, S housing and education land and planned "
            "road QH5, E planned road QH3. Exact outline not published.",
        },
        {
            "site_id": "phu-my-650ha",
            "name": "Khu công nghiệp (CNTT) – đô thị – dịch vụ Phú Mỹ 650 ha",
            "name_en": "Phu My IT-industrial–urban–service zone (650 ha)",
            "official_area_ha": 650.0,
            "area_source": "2023 workshop on the Phú Mỹ general plan, as cited in the project "
            "brief; no page confirming the zone was found",
            "status": "proposed",
            "status_date": "2023",
            "province_pre2025": "Tỉnh Bà Rịa - Vũng Tàu",
            "province_2025": "Thành phố Hồ Chí Minh",
            "center": ward_pt("Phường Phú Mỹ"),
            "anchor": "center",
            "aspect": 1.0,
            "location_precision": "ward",
            "accuracy_m": 5000,
            "outline_method": "square of the stated area centred on the reference point of "
            "Phú Mỹ ward (2025), inside former Phú Mỹ town",
            "source_url": None,
            "notes": "Location within Phú Mỹ unknown; any place in the 333 km² town is "
            "possible. Treat as a placeholder.",
        },
        {
            "site_id": "binh-duong-it-park",
            "name": "Khu Công nghệ thông tin tập trung Bình Dương",
            "name_en": "Binh Duong concentrated IT park",
            "official_area_ha": 15.47,
            "area_source": "Decision 890/QĐ-TTg of 12 May 2025",
            "status": "established",
            "status_date": "2025-05-12",
            "province_pre2025": "Tỉnh Bình Dương",
            "province_2025": "Thành phố Hồ Chí Minh",
            "center": ward_pt("Phường Bình Dương"),
            "anchor": "center",
            "aspect": 1.0,
            "location_precision": "ward",
            "accuracy_m": 3000,
            "outline_method": "square of the stated area centred on the reference point of "
            "Bình Dương ward (2025), which took in former Hòa Phú ward",
            "source_url": "https://en.vneconomy.vn/establishment-of-binh-duong-concentrated-it-"
            "park-approved.htm",
            "notes": "Inside the Bình Dương industry–service–urban complex, Hòa Phú ward, Thủ "
            "Dầu Một; no street-level location published.",
        },
        {
            "site_id": "saigon-hi-tech-park",
            "name": "Khu Công nghệ cao TP.HCM",
            "name_en": "Saigon Hi-Tech Park (SHTP)",
            "official_area_ha": 913.0,
            "area_source": "planned area 913 ha (phase 1 300 ha, phase 2 613 ha); 326 ha developed",
            "status": "operating",
            "status_date": "2002-10",
            "province_pre2025": "Thành phố Hồ Chí Minh",
            "province_2025": "Thành phố Hồ Chí Minh",
            "center": (106.8237374, 10.8421949),
            "anchor": "center",
            "aspect": 1.0,
            "osm_outline": OSM_SHTP,
            "location_precision": "exact",
            "approximate": True,
            "accuracy_m": 20,
            "outline_method": "OpenStreetMap outline of the park (way 548717431, landuse="
            "industrial, as mapped about 2018)",
            "source_url": "https://en.wikipedia.org/wiki/Saigon_Hi-Tech_Park",
            "notes": "Benchmark. On Xa lộ Hà Nội in former District 9 (Thủ Đức). The mapped "
            "outline covers the developed core only (about 136 ha of the 913 ha planned), so "
            "the site is real in place but smaller than the planned park; distances measured "
            "to it are to that core.",
        },
        {
            "site_id": "quang-trung-software-city",
            "name": "Công viên phần mềm Quang Trung",
            "name_en": "Quang Trung Software City (QTSC)",
            "official_area_ha": 40.0,
            "area_source": "40 ha from a 2003 essay (low reliability); the official figure was "
            "not found",
            "status": "operating",
            "status_date": "2001-03-16",
            "province_pre2025": "Thành phố Hồ Chí Minh",
            "province_2025": "Thành phố Hồ Chí Minh",
            "center": (106.6143944, 10.856544),
            "anchor": "center",
            "aspect": 1.0,
            "osm_outline": OSM_QTSC,
            "location_precision": "exact",
            "approximate": False,
            "accuracy_m": 20,
            "outline_method": "OpenStreetMap outline of the park (way 208935405, landuse="
            "commercial, as mapped about 2018)",
            "source_url": "https://en.wikipedia.org/wiki/Quang_Trung_Software_City",
            "notes": "Benchmark. Stated area of low reliability (40 ha, could expand by 10 ha); "
            "the mapped outline covers about 43 ha.",
        },
    ]
    rows = []
    for s in sites:
        outline = s.pop("osm_outline", None)
        center, aspect, anchor = s.pop("center"), s.pop("aspect"), s.pop("anchor")
        if outline is not None:
            poly = round_geom(single_polygon(osm["outlines"][outline]))
        else:
            poly = polygon_of_area(center, s["official_area_ha"], aspect=aspect, anchor=anchor)
        metric_area = gpd.GeoSeries([poly], crs="EPSG:4326").to_crs(METRIC).area.iloc[0] / 1e4
        rows.append(
            {
                **s,
                "polygon_area_ha": round(float(metric_area), 2),
                "approximate": s.pop("approximate", True),
                "licence": "ODbL-1.0"
                if outline is not None
                else "MIT (constructed outline); facts: no licence stated",
                "geometry": poly,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    cols = [
        "site_id",
        "name",
        "name_en",
        "official_area_ha",
        "polygon_area_ha",
        "area_source",
        "status",
        "status_date",
        "province_pre2025",
        "province_2025",
        "outline_method",
        "location_precision",
        "approximate",
        "accuracy_m",
        "licence",
        "source_url",
        "notes",
        "geometry",
    ]
    gdf = gdf[cols]
    register(
        {
            "name": "candidate_sites",
            "title": "Candidate IT-zone sites (approximate outlines)",
            "file": "candidate_sites_osm.geojson",  # the first of its parts (PARTS)
            "kind": "vector",
            "id_column": "site_id",
            "name_column": "name",
            "description": "The sites of the regional IT-zone plans and two benchmarks, as "
            "polygons of their stated area at their best-known location.",
            "source": "geosite candidate-site facts (news and government pages, URLs per "
            "feature); location hints from vietnamadminunits 2025 ward reference points; "
            "outlines constructed in build_layers.py, or from OpenStreetMap where mapped",
            "source_url": None,
            "licence": "ODbL-1.0 (the two OpenStreetMap outlines) AND MIT (constructed outlines "
            "placed from vietnamadminunits reference points), one file per licence (see parts); "
            "facts compiled from public pages carry no licence of their own (see the column "
            "licence)",
            "licence_file": "LICENSES/README.txt",
            "attribution": "Candidate sites: geosite compilation (approximate outlines)",
            "vintage": "status as read up to March 2026",
            "positional_accuracy": "The two benchmarks (Saigon Hi-Tech Park, Quang Trung "
            "Software City) are their OpenStreetMap outlines (±20 m). No outline is published "
            "for the four proposed sites: each is a square of the stated area at a ward-level or "
            "road-relative position, 3–5 km from the real site. Per-feature accuracy_m.",
            "accuracy_m": 3000,
            "approximate": True,
            "known_defects": [
                (
                    "The proposed sites' outlines are constructed squares; shape and exact "
                    "position are unknown."
                ),
                (
                    "The Saigon Hi-Tech Park outline of the extract covers the developed core "
                    "(about 136 ha), not the 913 ha planned: its area is not the official one."
                ),
                "The 50 ha figure of the 2023 Long Thành proposal was not found in sources.",
                (
                    "No source was found for the Phú Mỹ 650 ha zone beyond the 2023 workshop; its "
                    "position inside Phú Mỹ is unknown."
                ),
                "The QTSC area (40 ha) comes from a low-reliability source.",
            ],
            "good_for": [
                (
                    "Demonstrating and comparing regional suitability scores of the candidate "
                    "sites (distances of kilometres to tens of kilometres)."
                ),
            ],
            "not_for": [
                (
                    "Site-level planning, land take, parcel overlays, or any measure under about "
                    "3 km (e.g. distance to the nearest road)."
                ),
            ],
        },
        gdf,
    )
    return gdf


PROVINCE_KEYS = {
    "TP. Hồ Chí Minh": "79",
    "Đồng Nai": "75",
    "Bình Dương": "74",
    "Bà Rịa – Vũng Tàu": "77",
}


def park_slug(name: str) -> str:
    prefixes = [
        ("Khu công nghiệp kỹ thuật cao ", "high-tech-ip"),
        ("Khu công nghiệp công nghệ cao ", "high-tech-ip"),
        ("Khu công nghiệp ", "ip"),
        ("Khu chế xuất ", "epz"),
    ]
    for prefix, suffix in prefixes:
        if name.startswith(prefix):
            return f"{slugify(name[len(prefix) :])}-{suffix}"
    return slugify(name)


def build_industrial_parks(data: Path, osm: dict[str, Any]) -> gpd.GeoDataFrame:
    df = pd.read_csv(data / "facts/industrial_parks.csv")
    outlines = {nfc(name): way for way, (name, _) in OSM_PARKS.items()}
    unknown = set(outlines) - {nfc(n) for n in df.name}
    if unknown:
        raise SystemExit(f"OSM_PARKS names not in the industrial-park facts: {sorted(unknown)}")
    rows = []
    for r in df.itertuples():
        prec_text = str(r.coord_precision)
        if prec_text.startswith("ward"):
            prec = "ward"
        elif prec_text.startswith("district"):
            prec = "district"
        else:
            prec = "none"
        has_pt = prec != "none" and not (pd.isna(r.lat) or pd.isna(r.lon))
        rows.append(
            {
                "park_id": park_slug(nfc(r.name)),
                "name": nfc(r.name),
                "name_en": None if pd.isna(r.name_en) else nfc(r.name_en),
                "province": nfc(r.province),
                "province_code": PROVINCE_KEYS[nfc(r.province)],
                "district_or_town": None if pd.isna(r.district_or_town) else r.district_or_town,
                "area_ha": None if pd.isna(r.area_ha) else float(r.area_ha),
                "area_kind": None if pd.isna(r.area_kind) else r.area_kind,
                "status": r.status,
                "status_detail": None if pd.isna(r.status_detail) else r.status_detail,
                "location_precision": prec if has_pt else "none",
                "approximate": True,
                "accuracy_m": {"ward": 3000, "district": 10000}.get(prec) if has_pt else None,
                "location_note": prec_text if has_pt else "no defensible location found",
                "coord_source": None if pd.isna(r.coord_source) else r.coord_source,
                "fact_source": r.fact_source,
                "notes": None if pd.isna(r.notes) else r.notes,
                # The reference points come from the code of two apps (coord_source) that state
                # no licence: they are facts like the rest of the row, not MIT data.
                "licence": "facts: no licence stated",
                "geometry": Point(float(r.lon), float(r.lat)) if has_pt else None,
            }
        )
        way = outlines.get(nfc(r.name))
        if way is not None:
            partial = ("way", way) == OSM_SHTP
            rows[-1].update(
                {
                    "location_precision": "exact",
                    "approximate": partial,
                    "accuracy_m": 20,
                    "location_note": f"OpenStreetMap outline (way {way}, named "
                    f"'{OSM_PARKS[way][1]}'), as mapped about 2018"
                    + ("; the developed core only, not the planned area" if partial else ""),
                    "coord_source": f"{SRC_OSM}, way {way}",
                    "licence": "ODbL-1.0 (outline); facts: no licence stated",
                    "geometry": round_geom(single_polygon(osm["outlines"][("way", way)])),
                }
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    dup = gdf.park_id.duplicated(keep=False)
    if dup.any():
        gdf.loc[dup, "park_id"] = [
            f"{pid}-{slugify(prov)}"
            for pid, prov in zip(gdf.park_id[dup], gdf.province[dup], strict=True)
        ]
    register(
        {
            "name": "industrial_parks",
            "title": "Industrial parks, export-processing zones and high-tech parks",
            "file": "industrial_parks_osm.geojson",  # the first of its parts (PARTS)
            "kind": "vector",
            "id_column": "park_id",
            "name_column": "name",
            "description": "All parks of the industrial-park facts with name, province, area "
            "and status; the parks that the OpenStreetMap extract of Ho Chi Minh City maps are "
            "their real outlines, the others a reference point whose precision is stated per "
            "row, and parks without a defensible location are kept with a null geometry.",
            "source": "geosite industrial-park facts (official lists and news, `fact_source` per "
            "row); outlines from OpenStreetMap (extract of Ho Chi Minh City, about 2018); "
            "reference points from ward and district datasets (`coord_source` per row)",
            "source_url": None,
            "licence": "ODbL-1.0 (OpenStreetMap outlines) AND facts: no licence stated (the "
            "reference points, taken from app code that states no licence, and the rows without "
            "a location), one file each (see parts); the compiled facts (names, areas, status) "
            "carry no licence in either: they come from public pages whose terms are not stated",
            "licence_file": "LICENSES/README.txt",
            "attribution": "Industrial parks: geosite compilation; outlines © OpenStreetMap "
            "contributors (ODbL)",
            "vintage": "facts compiled 2025–2026 from sources dated 2009–2026; outlines "
            "OpenStreetMap of about 2018",
            "positional_accuracy": f"{len(OSM_PARKS) - 1} parks are OpenStreetMap outlines "
            "(±20 m). The rest are ward reference points or district reference points, which "
            "were measured against the outlines where both exist (see the layer's measured "
            f"accuracy); {int(gdf.geometry.isna().sum())} parks have no location. Many parks "
            "share the same district point.",
            "accuracy_m": 10000,
            "approximate": True,
            "known_defects": [
                (
                    "Outside the extract (Đồng Nai, most of Bình Dương, Bà Rịa–Vũng Tàu) points "
                    "are administrative reference points, never park outlines or gates."
                ),
                "Parks in the same district share one point (stacked markers).",
                "Areas mix planned and established figures (see area_kind).",
                "Parks without a location are missing from any spatial count or distance.",
                (
                    "The Saigon Hi-Tech Park outline is the developed core (about 136 ha), not "
                    "the 913 ha planned."
                ),
            ],
            "good_for": [
                (
                    "Counting parks per province or district; coarse 'industrial parks within "
                    "20–30 km' indicators, with the precision column in view."
                ),
            ],
            "not_for": [
                (
                    "Distance to the nearest park below about 10 km, park footprints, or any "
                    "statement about a single park's exact position."
                ),
            ],
        },
        gdf,
    )
    return gdf


# Official areas (km²), General Statistics Office of Viet Nam, Statistical Yearbook 2022, and
# National Assembly Resolution 202/2025/QH15 for the merged provinces. Stored with the layer so
# users can see the gap; the tests keep their own copy of these figures.
OFFICIAL_AREA_KM2 = {
    "74": 2694.64,
    "75": 5863.62,
    "77": 1982.56,
    "79": 2095.39,
    "hcmc-2025": 6772.59,
    "dong-nai-2025": 12737.18,
}

PROVINCE_EN = {
    "74": ("binh-duong", "Binh Duong Province"),
    "75": ("dong-nai", "Dong Nai Province"),
    "77": ("ba-ria-vung-tau", "Ba Ria–Vung Tau Province"),
    "79": ("ho-chi-minh-city", "Ho Chi Minh City"),
}

GPL_ENTRY = {
    "source": SRC_DVHCVN,
    "source_url": URL_DVHCVN,
    "licence": "GPL-3.0",
    "licence_file": "LICENSES/GPL-3.0-dvhcvn.txt",
    "attribution": "Boundaries: dvhcvn (GPL-3.0)",
}


def metric_area_km2(geom: Any) -> float:
    return float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC).area.iloc[0]) / 1e6


def build_provinces_pre2025(data: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(data / "boundaries/dnb_provinces_pre2025.geojson")
    rows = []
    for r in src.itertuples():
        code = str(r.level1_id)
        pid, name_en = PROVINCE_EN[code]
        rows.append(
            {
                "province_id": pid,
                "province_code": code,
                "name": nfc(r.name),
                "name_en": name_en,
                "official_area_km2": OFFICIAL_AREA_KM2[code],
                "polygon_area_km2": round(metric_area_km2(r.geometry), 1),
                "geometry": r.geometry,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "provinces_pre2025",
            "title": "Provinces before the July 2025 mergers",
            "file": "provinces_pre2025.geojson",
            "kind": "vector",
            "id_column": "province_id",
            "name_column": "name",
            "description": "Bình Dương, Đồng Nai, Bà Rịa–Vũng Tàu and Ho Chi Minh City as "
            "they were until 30 June 2025.",
            **GPL_ENTRY,
            "vintage": "administrative list of 2025-03-01",
            "positional_accuracy": "Traced from the government GIS portal; boundary detail "
            "of tens of metres. Areas within 1 % of the official figures except Ho Chi Minh "
            "City (see known defects).",
            "accuracy_m": 100,
            "approximate": False,
            "known_defects": [
                (
                    "Ho Chi Minh City's polygon covers about 1,984 km² against the official "
                    "2,095.39 km² (GSO; −5.3 %). The missing area is not located: the coarse "
                    "geoBoundaries outline (2,091 km²) differs from it everywhere by more "
                    "than the gap. The shared data notes quote 1,984 km² as official; the "
                    "GSO figure is used here."
                ),
                (
                    "Rivers between provinces (e.g. the Cái Mép / Thị Vải channel) are gaps that "
                    "belong to no province."
                ),
                "Includes Côn Đảo (Bà Rịa–Vũng Tàu) about 180 km south of the mainland.",
            ],
            "good_for": [
                (
                    "Province attribution, regional maps, coastline and river-bank "
                    "reference at 100 m scale."
                )
            ],
            "not_for": ["Legal boundary questions; areas of Ho Chi Minh City (5 % short)."],
        },
        gdf,
    )
    return gdf


def build_provinces_2025(data: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(data / "boundaries/dnb_provinces_2025_derived.geojson")
    rows = []
    for r in src.itertuples():
        hcmc = "Hồ Chí Minh" in r.name
        pid = "hcmc-2025" if hcmc else "dong-nai-2025"
        rows.append(
            {
                "province_id": pid,
                "name": "Thành phố Hồ Chí Minh" if hcmc else "Tỉnh Đồng Nai",
                "name_en": "Ho Chi Minh City" if hcmc else "Dong Nai Province",
                "merged_from": r.merged_from,
                "official_area_km2": OFFICIAL_AREA_KM2[pid],
                "polygon_area_km2": round(metric_area_km2(r.geometry), 1),
                "geometry": r.geometry,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "provinces_2025",
            "title": "Provinces after the July 2025 mergers",
            "file": "provinces_2025.geojson",
            "kind": "vector",
            "id_column": "province_id",
            "name_column": "name",
            "description": "New Ho Chi Minh City (former HCMC + Bình Dương + Bà Rịa–Vũng Tàu) "
            "and new Đồng Nai (former Đồng Nai + Bình Phước), dissolved from the pre-2025 units.",
            **GPL_ENTRY,
            "vintage": "units in force from 1 July 2025 (Resolution 202/2025/QH15)",
            "positional_accuracy": "As the pre-2025 provinces (outer borders did not change).",
            "accuracy_m": 100,
            "approximate": False,
            "known_defects": [
                (
                    "New Ho Chi Minh City inherits the former city's 111 km² shortfall (−1.9 % "
                    "against 6,772.59 km²)."
                ),
                (
                    "merged_from uses the old province codes (70 Bình Phước, 74 Bình Dương, 75 Đồng "
                    "Nai, 77 Bà Rịa–Vũng Tàu, 79 Ho Chi Minh City)."
                ),
            ],
            "good_for": ["Attributing features to the current provinces; region outline."],
            "not_for": ["Legal boundary questions."],
        },
        gdf,
    )
    return gdf


def build_districts(data: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(data / "boundaries/dnb_districts_pre2025.geojson")
    rows = []
    for r in src.itertuples():
        code = str(r.level1_id)
        note = None
        if str(r.level2_id) == "769":
            note = (
                "Covers only former District 2 (about 50 km²); about 162 km² of former "
                "District 9 and Thủ Đức belongs to no district in this layer."
            )
        rows.append(
            {
                "district_id": f"{PROVINCE_EN[code][0]}-{slugify(nfc(r.name))}",
                "district_code": str(r.level2_id),
                "province_code": code,
                "province_id": PROVINCE_EN[code][0],
                "name": nfc(r.name),
                "polygon_area_km2": round(metric_area_km2(r.geometry), 2),
                "notes": note,
                "geometry": r.geometry,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "districts",
            "title": "Districts before the July 2025 reform",
            "file": "districts.geojson",
            "kind": "vector",
            "id_column": "district_id",
            "name_column": "name",
            "description": "The 50 district-level units of the four provinces (districts were "
            "abolished on 1 July 2025; they remain the unit of most statistics and plans).",
            **GPL_ENTRY,
            "vintage": "administrative list of 2025-03-01",
            "positional_accuracy": "As the provinces: boundary detail of tens of metres.",
            "accuracy_m": 100,
            "approximate": False,
            "known_defects": [
                (
                    "'Thành phố Thủ Đức' covers only former District 2 (about 50 km²); about 162 km² "
                    "of former District 9 / Thủ Đức (incl. the Saigon Hi-Tech Park) is in no "
                    "district."
                ),
                "Includes Côn Đảo district far to the south.",
            ],
            "good_for": ["District attribution outside Thủ Đức; maps."],
            "not_for": [
                (
                    "Anything in former Districts 9 and Thủ Đức; current (post-2025) "
                    "administration, which has no districts."
                )
            ],
        },
        gdf,
    )
    return gdf


def build_railways(data: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(data / "roads/hotosm_vnm_railways_dnb.geojson")
    rows = []
    for r in src.sort_values("osm_id").itertuples():
        name = None if pd.isna(r.name) else nfc(str(r.name)).replace("Bắc-Nam", "Bắc–Nam")
        rows.append(
            {
                "railway_id": f"osm-way-{int(r.osm_id)}",
                "name": name,
                "railway": r.railway,
                "osm_id": int(r.osm_id),
                "geometry": r.geometry,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    register(
        {
            "name": "railways",
            "title": "Railways",
            "file": "railways.geojson",
            "kind": "vector",
            "id_column": "railway_id",
            "name_column": "name",
            "description": "Railway lines (the North–South railway through Biên Hòa to Sài "
            "Gòn station) as OpenStreetMap ways.",
            "source": "Humanitarian OpenStreetMap Team export of OpenStreetMap (2025-03)",
            "source_url": "https://data.humdata.org/organization/hot",
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "attribution": "Railways: © OpenStreetMap contributors (ODbL)",
            "vintage": "OpenStreetMap, March 2025",
            "positional_accuracy": "OpenStreetMap mapping, typically within 10–20 m.",
            "accuracy_m": 20,
            "approximate": False,
            "known_defects": [
                "Most ways carry no name; bridges are separate ways.",
                "Planned lines (Biên Hòa–Vũng Tàu, Thủ Thiêm–Long Thành) are not included.",
            ],
            "good_for": ["Distance to the existing railway; maps."],
            "not_for": ["Station access (no stations); planned rail links."],
        },
        gdf,
    )
    return gdf


def build_land_sea_mask(data: Path) -> None:
    import rasterio  # noqa: PLC0415  (only this layer needs it)

    src = data / "raster/dnb_oceanmask_globe_1km.tif"
    dst = OUT / "land_sea_mask.tif"
    shutil.copyfile(src, dst)
    with rasterio.open(dst) as ds:
        bounds = [round(v, 5) for v in ds.bounds]
        width, height = ds.width, ds.height
        res = round(ds.res[0], 8)
    register(
        {
            "name": "land_sea_mask",
            "title": "Land/sea mask (1 km)",
            "file": "land_sea_mask.tif",
            "kind": "raster",
            "geometry_type": "raster",
            "feature_count": None,
            "id_column": None,
            "name_column": None,
            "description": "1 = sea, 0 = land, on a 30 arc-second (about 0.9 km) grid, "
            f"{width} × {height} cells.",
            "source": "NOAA GLOBE 1 km land mask via global-land-mask 1.0.0 (PyPI)",
            "source_url": "https://pypi.org/project/global-land-mask/",
            "licence": "MIT (package) / public domain (NOAA GLOBE)",
            "licence_file": "LICENSES/MIT-notices.txt",
            "attribution": "Land/sea mask: NOAA GLOBE via global-land-mask",
            "vintage": "GLOBE (1999) coastline",
            "positional_accuracy": "1 km cells; coastline position ±1 km.",
            "accuracy_m": 1000,
            "approximate": True,
            "known_defects": [
                (
                    "Inland water is land: rivers (incl. the Thị Vải and Soài Rạp channels), Trị An "
                    "lake and the Cần Giờ mangroves read as 0."
                ),
            ],
            "good_for": ["Excluding open sea at regional scale; coarse coastal distance."],
            "not_for": ["Shoreline position, river banks, flood or water-body analysis."],
            "bounds": bounds,
            "raster_width": width,
            "raster_height": height,
            "resolution_deg": res,
            "values": {"0": "land", "1": "sea"},
        }
    )


def _kv(voltage: str | None) -> list[int]:
    out = []
    for raw in (voltage or "").replace(",", ";").split(";"):
        part = raw.strip()
        if part.isdigit():
            out.append(int(part) // 1000)
    return sorted(set(out), reverse=True)


def build_power_lines(osm: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = []
    skipped = 0
    for w in osm["power"]:
        kv = _kv(w["voltage"])
        if not kv or kv[0] < 110:
            skipped += 1
            continue
        rows.append(
            {
                "line_id": f"osm-{w['osm_id']}",
                "name": w["name"],
                "voltage_kv": kv[0],
                "voltages_kv": ";".join(str(v) for v in kv),
                "circuits_note": None if len(kv) == 1 else "carries several voltages",
                "operator": w["operator"],
                "osm_id": w["osm_id"],
                "location_precision": "exact",
                "approximate": False,
                "accuracy_m": 20,
                "source": f"{SRC_OSM}, way {w['osm_id']} (power=line)",
                "licence": "ODbL-1.0",
                "geometry": round_geom(LineString(w["coords"])),
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    counts = gdf.voltage_kv.value_counts().sort_index(ascending=False)
    km = {
        int(v): round(
            float(sum(geodesic_length_km(g) for g in gdf.loc[gdf.voltage_kv == v].geometry)), 1
        )
        for v in counts.index
    }
    by_kv = ", ".join(f"{v} kV: {counts[v]} ways, {km[int(v)]:,.0f} km" for v in counts.index)
    register(
        {
            "name": "power_lines",
            "title": "High-voltage power lines (110–500 kV, Ho Chi Minh City extract only)",
            "file": "power_lines.geojson",
            "kind": "vector",
            "id_column": "line_id",
            "name_column": "name",
            "description": "Overhead transmission lines of 110 kV and more as mapped in the "
            f"OpenStreetMap extract of Ho Chi Minh City (about 2018), by voltage ({by_kv}). "
            "A data centre needs a 110–500 kV supply nearby; use `voltage_kv` to pick the "
            "level.",
            "source": SRC_OSM,
            "source_url": URL_OSM,
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "attribution": "Power lines: © OpenStreetMap contributors (ODbL)",
            "vintage": "OpenStreetMap, about 2018",
            "positional_accuracy": "OpenStreetMap mapping, typically within 10–20 m.",
            "accuracy_m": 20,
            "approximate": False,
            "known_defects": [
                (
                    "Only what the extract holds: old Ho Chi Minh City and its edges. Lines in "
                    "Đồng Nai, Bình Dương and Bà Rịa–Vũng Tàu (the Phú Mỹ plants, the lines past "
                    "Long Thành) are missing, so a distance to the nearest line from a site "
                    "outside the city is an upper bound, not a measurement."
                ),
                f"{skipped} power-line ways without a usable voltage or below 110 kV are left out.",
                "No substations; lines of 2018 (later lines missing).",
            ],
            "good_for": [
                "Supply-distance criteria for sites in and around Ho Chi Minh City; maps.",
            ],
            "not_for": [
                (
                    "Sites outside the extract (see known defects); grid capacity or "
                    "connection planning."
                ),
            ],
        },
        gdf,
    )
    return gdf


UNIVERSITY_NAME = re.compile(
    r"(đại học|\bđh\b|university|học viện|nhạc viện|huflit|sai gon tech)", re.IGNORECASE
)
COLLEGE_NAME = re.compile(r"(cao đẳng|\bcđ\b)", re.IGNORECASE)


def build_universities(osm: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = []
    left_out = []
    for u in osm["universities"]:
        name = u["name"] or ""
        if UNIVERSITY_NAME.search(name):
            kind = "university"
        elif COLLEGE_NAME.search(name):
            kind = "college"
        else:
            left_out.append(name or "(no name)")
            continue
        rows.append(
            {
                "university_id": f"osm-{u['osm_type']}-{u['osm_id']}",
                "name": name,
                "name_en": u["name_en"],
                "kind": kind,
                "osm_id": u["osm_id"],
                "location_precision": "exact",
                "approximate": False,
                "accuracy_m": 20,
                "source": f"{SRC_OSM}, {u['osm_type']} {u['osm_id']} (amenity=university)",
                "licence": "ODbL-1.0",
                "geometry": round_geom(single_polygon(u["geometry"])),
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    n_uni = int((gdf.kind == "university").sum())
    register(
        {
            "name": "universities",
            "title": "Universities and colleges (Ho Chi Minh City extract only)",
            "file": "universities.geojson",
            "kind": "vector",
            "id_column": "university_id",
            "name_column": "name",
            "description": "Campus outlines tagged amenity=university in the OpenStreetMap "
            f"extract of Ho Chi Minh City (about 2018): {n_uni} university and "
            f"{len(gdf) - n_uni} college campuses (`kind`), one row per mapped campus.",
            "source": SRC_OSM,
            "source_url": URL_OSM,
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "attribution": "Universities: © OpenStreetMap contributors (ODbL)",
            "vintage": "OpenStreetMap, about 2018",
            "positional_accuracy": "OpenStreetMap campus outlines, typically within 10–20 m.",
            "accuracy_m": 20,
            "approximate": False,
            "known_defects": [
                (
                    "Only the campuses the extract maps as areas: campuses outside old Ho Chi "
                    "Minh City (Bình Dương, Đồng Nai, Vũng Tàu) and campuses mapped as points "
                    "are missing; some universities appear once per campus."
                ),
                (
                    f"{len(left_out)} amenity=university areas are left out because their name "
                    "is not that of a university or college (single buildings, a language "
                    "centre, unnamed or mistagged areas): " + "; ".join(sorted(left_out)) + "."
                ),
                "No student numbers: a count of campuses is a rough proxy for talent.",
            ],
            "good_for": ["Talent-access criteria (campuses within reach) at city scale; maps."],
            "not_for": ["Counting students or graduates; campuses outside the extract."],
        },
        gdf,
    )
    return gdf


# --------------------------------------------------------------------------------------------
# measured accuracy: each layer against its independent reference, written into the catalogue
# (and so into LAYERS.md); tests/test_layers_accuracy.py repeats every measurement.


def _stats(d_m: Any) -> dict[str, Any]:
    d = np.asarray(d_m, dtype=float)
    return {
        "unit": "m",
        "n": len(d),
        "median": round(float(np.median(d)), 1),
        "p90": round(float(np.quantile(d, 0.9)), 1),
        "max": round(float(d.max()), 1),
    }


def _metric(geoms: Any) -> Any:
    return gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(METRIC)


def measure_roads(roads: gpd.GeoDataFrame, osm: dict[str, Any], data: Path) -> list[dict[str, Any]]:
    ways = {w["osm_id"]: LineString(w["coords"]) for w in osm["roads"]}
    osm_rows = roads[roads.geometry_origin == "osm"]
    offsets = []
    for oid, geom in zip(osm_rows.osm_id, osm_rows.geometry, strict=True):
        way = _metric([ways[int(oid)]]).iloc[0]
        pts = _metric([Point(c) for c in geom.coords])
        offsets.append(max(way.distance(p) for p in pts))
    out = [
        {
            "subject": "OpenStreetMap ways (geometry_origin osm), largest vertex offset per "
            "feature",
            "reference": "the ways of the extract",
            "stated": OSM_ROAD_ACCURACY_M,
            **_stats(offsets),
        }
    ]
    checks = next(e for e in CATALOG if e["name"] == "roads")["replaced_line_checks"]
    for c in checks:
        if c["route"] == "all":
            origin = c["geometry_origin"]
            stated = int(math.ceil(c["p90_m"] / 100.0) * 100)
            out.append(
                {
                    "subject": f"{origin} lines where the extract replaced them, sampled every "
                    "100 m; the same methods made the lines that remain outside its reach, which "
                    "state at least this p90",
                    "reference": "the same road in the extract",
                    "stated": stated,
                    "n": round(c["length_inside_km"] * 10),
                    "unit": "m",
                    "median": c["median_m"],
                    "p90": c["p90_m"],
                    "max": c["max_m"],
                }
            )
    wp = pd.read_csv(data / "facts/road_waypoints.csv")
    wp = wp[wp.road_ref.isin(WAYPOINT_ROUTES) & wp.lat.notna()]
    region = shapely.union_all(
        list(gpd.read_file(data / "boundaries/dnb_provinces_2025_derived.geojson").geometry)
    )
    wp = wp[[region.contains(Point(x, y)) for x, y in zip(wp.lon, wp.lat, strict=True)]]
    metric_roads = roads.to_crs(METRIC)
    d = []
    for r in wp.itertuples():
        route = WAYPOINT_ROUTES[r.road_ref]
        lines = metric_roads[(metric_roads.route == route)]
        p = _metric([Point(r.lon, r.lat)]).iloc[0]
        d.append(float(lines.distance(p).min()))
    out.append(
        {
            "subject": "national highways (QL1A, QL1K, QL13, QL20, QL51, QL55) at the vertices of "
            "an independently hand-digitised course inside the region",
            "reference": "facts/road_waypoints.csv (github:amTrinh/IE402_Lab1, about ±0.5 km)",
            "stated": int(roads.loc[roads.geometry_origin == "source_line", "accuracy_m"].max()),
            **_stats(d),
        }
    )
    return out


WAYPOINT_ROUTES = {
    "QL1A": "ql1a",
    "QL1K": "ql1k",
    "QL13": "ql13",
    "QL20": "ql20",
    "QL51": "ql51",
    "QL55": "ql55",
}


def measure_parks(parks: gpd.GeoDataFrame, osm: dict[str, Any], data: Path) -> list[dict[str, Any]]:
    facts = pd.read_csv(data / "facts/industrial_parks.csv")
    by_name = {nfc(n): way for way, (n, _) in OSM_PARKS.items()}
    out = []
    outlined = parks[parks.location_precision == "exact"]
    diffs = []
    for name, geom in zip(outlined.name, outlined.geometry, strict=True):
        ref = _metric([osm["outlines"][("way", by_name[name])]]).iloc[0]
        mine = _metric([geom]).iloc[0]
        diffs.append(mine.symmetric_difference(ref).area / ref.area * 100)
    out.append(
        {
            "subject": "outlines (location_precision exact), area of the symmetric difference "
            "in % of the outline",
            "reference": "the same outline in the extract",
            **_stats(diffs),
            "unit": "%",
            "stated": 0.1,
        }
    )
    for prec, stated in (("ward", 3000), ("district", 10000)):
        d = []
        for r in facts.itertuples():
            way = by_name.get(nfc(r.name))
            if way is None or pd.isna(r.lat) or not str(r.coord_precision).startswith(prec):
                continue
            ref = _metric([osm["outlines"][("way", way)]]).iloc[0]
            d.append(ref.distance(_metric([Point(r.lon, r.lat)]).iloc[0]))
        if d:
            out.append(
                {
                    "subject": f"{prec} reference points of the facts, for the parks the "
                    "extract outlines (distance to the outline, 0 inside)",
                    "reference": "the park outlines of the extract",
                    "stated": stated,
                    **_stats(d),
                }
            )
    return out


def measure_airports(airports: gpd.GeoDataFrame, osm: dict[str, Any]) -> list[dict[str, Any]]:
    a = airports.set_index("airport_id")
    tsn = _metric([a.geometry["tan-son-nhat"]]).iloc[0]
    ref = _metric([osm["outlines"][OSM_TAN_SON_NHAT]]).iloc[0]
    lt_ha = geodesic_area_ha(a.geometry["long-thanh"])
    d = [
        _metric([a.geometry[k]])
        .iloc[0]
        .distance(_metric([Point(a.loc[k, "reference_lon"], a.loc[k, "reference_lat"])]).iloc[0])
        for k in ("long-thanh", "tan-son-nhat")
    ]
    return [
        {
            "subject": "Tân Sơn Nhất outline, area of the symmetric difference in % of the outline",
            "reference": "the aerodrome relation of the extract",
            **_stats([tsn.symmetric_difference(ref).area / ref.area * 100]),
            "unit": "%",
            "stated": 0.1,
        },
        {
            "subject": "Long Thành outline, net area against the about 5,000 ha allocated "
            "(difference in %)",
            "reference": "official site area (about 5,000 ha)",
            **_stats([abs(lt_ha / 5000 - 1) * 100]),
            "unit": "%",
            "stated": 10,
        },
        {
            "subject": "aerodrome reference points (airports-py) against the outlines (0 inside)",
            "reference": "the outlines",
            "stated": 50,
            **_stats(d),
        },
    ]


def measure_railways(railways: gpd.GeoDataFrame, osm: dict[str, Any]) -> list[dict[str, Any]]:
    reach = osm["reach_m"]
    ref = _metric(osm["railways"]).union_all()
    d = []
    for g in railways.to_crs(METRIC).geometry:
        inside = g.intersection(reach)
        for part in getattr(inside, "geoms", [inside]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            d.extend(ref.distance(part.interpolate(t)) for t in np.arange(0, part.length, 100.0))
    return [
        {
            "subject": "railway lines inside the extract's reach, sampled every 100 m",
            "reference": "railway=rail, light_rail and subway ways of the extract (about 2018)",
            "stated": 20,
            **_stats(d),
        }
    ]


LICENCE_DIR = Path(__file__).resolve().parent / "licences"

CC_BY_SA_NOTICE = """\
roads_national.geojson - licence notice
=======================================

layers/roads_national.geojson (the features of the roads layer with geometry_origin
"source_line") is adapted from the national road layer published in CTU-SematX/LegoCity
(opendata/giaothong/giaothong.geojson, https://github.com/CTU-SematX/LegoCity). The folder's
LICENSE file states Creative Commons Attribution-ShareAlike 4.0 International (its README says
CC BY 4.0; the stricter licence is applied here). The upstream origin of that layer is not
stated by the publisher.

Changes made by geosite: clipped to Đông Nam Bộ, re-labelled where the source label contradicts
the course of the line, split at junctions, and cut where OpenStreetMap holds the real road.
Where a line meets an OpenStreetMap way or a traced line, its end vertex is the junction point
of that road (one position per junction). The file is shared under the same licence; the
OpenStreetMap ways (roads_osm.geojson, ODbL) and the traced lines (roads_traced.geojson, MIT)
are separate files under their own licences.

Licence: Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)
Licence text: https://creativecommons.org/licenses/by-sa/4.0/legalcode
Attribution: "Roads: LegoCity giaothong (CC BY-SA 4.0)"

No warranties are given. The licence may not give you all of the permissions necessary for your
intended use.
"""

ODBL_NOTICE = """\
OpenStreetMap data in the bundled layers - licence notice
=========================================================

These files contain data from OpenStreetMap, (c) OpenStreetMap contributors, and each of them
as a whole is made available under the Open Database License (ODbL) 1.0:

{files}
This data is made available under the Open Database License (ODbL) 1.0:
https://opendatacommons.org/licenses/odbl/1-0/
Any rights in individual contents of the database are licensed under the Database Contents
License: https://opendatacommons.org/licenses/dbcl/1-0/

Changes made by geosite: selection of features, splitting of ways at junctions, ids and
normalised names. A database derived from these files must be shared alike under the ODbL.
Maps, tables and reports made from them must credit "(c) OpenStreetMap contributors".
airports_osm.geojson also holds the aerodrome reference points of airports-py (MIT; notice in
MIT-notices.txt), which the MIT licence allows to be shared under the ODbL.
"""

MIT_GEOSITE_NOTICE = """\
Data made by geosite - licence notice
=====================================

These files were made by geosite itself (scripts/build_layers.py) and are under geosite's own
MIT licence, below:

{files}
They are reconstructions from facts (waypoints, junctions, stated areas) and from reference
points of vietnamadminunits (MIT; notice in MIT-notices.txt), not copies of another database.

"""

FACTS_NOTICE = """\
Facts without a licence - notice
================================

{files}
These files hold facts compiled from official lists and news pages (names, areas, dates,
status; fact_source per row) and ward or district reference points copied from the code of two
apps (github:kovymart/kovymart-frontend-admin, github:nntd2703/menu-onl; coord_source per row).
None of these sources states terms of reuse. geosite claims no rights in these facts and grants
no licence for them: it cannot license what it does not own. Check the sources' terms before you
republish them.
"""

README_NOTICE = """\
Licences of the bundled layers
==============================

geosite is a collection of separately licensed works: the code is under the MIT licence
(LICENSE of geosite) and each data file in this folder is under the licence of its source. Every
file is under exactly one licence. A layer whose sources carry different licences is stored as
several files, one per licence, and geosite.data.bundled.read_layer joins them only when the
layer is loaded. catalog.json ("parts") and LAYERS.md name each file's licence, source and
attribution; the column "licence" still names each feature's.

{table}
What this means in practice:

- Using the layers for an analysis (reading them, joining the parts in memory, scoring sites)
  is allowed by each of these licences. Maps and reports made from them must carry the
  attributions (geosite's maps and reports do).
- Passing the files on unchanged keeps each under its own licence; shipping them side by side,
  as this package does, does not extend any of the licences to the other files.
- A changed or derived database takes the licence of what it was derived from: from an ODbL
  file, ODbL; from roads_national.geojson, CC BY-SA 4.0; from the boundaries, GPL-3.0. ODbL
  requires a database derived from it to be shared under the ODbL, CC BY-SA 4.0 an adaptation
  under CC BY-SA (or a licence Creative Commons lists as compatible, which the ODbL is not), so
  no one database can honour both. If you save the joined roads layer and pass it on, split it
  again first (by the column licence), as it is split here.
- "facts: no licence stated": geosite grants no licence for these; see
  facts-no-licence-stated.txt.
"""


def licence_table() -> str:
    """Return the file, licence and licence-text table of every bundled data file."""
    rows = []
    for entry in sorted(CATALOG, key=lambda e: LAYER_ORDER.index(e["name"])):
        if entry["name"] in PARTS:
            rows += [(p["file"], p["licence"], p["licence_file"]) for p in PARTS[entry["name"]]]
        else:
            rows.append((entry["file"], entry["licence"], entry["licence_file"]))
    width = max(len(r[0]) for r in rows) + 2
    lic_width = max(len(r[1]) for r in rows) + 2
    lines = [f"  {'file':<{width}}{'licence':<{lic_width}}licence text"]
    lines += [
        f"  {f:<{width}}{lic:<{lic_width}}{(text or '').removeprefix('LICENSES/')}"
        for f, lic, text in rows
    ]
    return "\n".join(lines) + "\n"


def files_under(licence_file: str) -> str:
    """Return the indented list of the data files whose licence text is ``licence_file``."""
    names = []
    for entry in sorted(CATALOG, key=lambda e: LAYER_ORDER.index(e["name"])):
        parts = PARTS.get(entry["name"]) or [entry]
        names += [
            f"  {p['file']:<36}{p.get('holds') or 'all features'}"
            for p in parts
            if p["licence_file"] == licence_file
        ]
    return "\n".join(names) + "\n"


def build_licences(data: Path) -> None:
    lic = OUT / "LICENSES"
    lic.mkdir(exist_ok=True)
    shutil.copyfile(data / "boundaries/dvhcvn-LICENSE.txt", lic / "GPL-3.0-dvhcvn.txt")
    shutil.copyfile(data / "facilities/searoute_LICENCE.txt", lic / "searoute-Apache-2.0.txt")
    (lic / "CC-BY-SA-4.0.txt").write_text(CC_BY_SA_NOTICE, encoding="utf-8")
    (lic / "ODbL-1.0.txt").write_text(
        ODBL_NOTICE.format(files=files_under("LICENSES/ODbL-1.0.txt")), encoding="utf-8"
    )
    (lic / "MIT-geosite.txt").write_text(
        MIT_GEOSITE_NOTICE.format(files=files_under("LICENSES/MIT-geosite.txt"))
        + (REPO / "LICENSE").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (lic / "facts-no-licence-stated.txt").write_text(
        FACTS_NOTICE.format(files=files_under("LICENSES/facts-no-licence-stated.txt")),
        encoding="utf-8",
    )
    (lic / "README.txt").write_text(README_NOTICE.format(table=licence_table()), encoding="utf-8")
    parts = [
        (
            "MIT licence notices of the packages whose data the bundled layers use\n"
            "=====================================================================\n"
        )
    ]
    for name, used in (
        ("airports-py", "airports (aerodrome reference points)"),
        ("airportsdata", "airports (cross-check)"),
        ("vietnamadminunits", "centres, Hiệp Phước port, candidate-site reference points"),
        ("global-land-mask", "land_sea_mask (NOAA GLOBE data, public domain)"),
    ):
        text = (LICENCE_DIR / f"{name}-MIT.txt").read_text(encoding="utf-8").strip()
        parts.append(f"\n--- {name} (used for: {used}) ---\n\n{text}\n")
    (lic / "MIT-notices.txt").write_text("".join(parts), encoding="utf-8")


# Column descriptions shown in LAYERS.md; every column of every vector layer must have one.
COMMON_COLUMNS = {
    "name": "name in Vietnamese (with diacritics, Unicode NFC)",
    "name_en": "English name, where useful",
    "location_precision": "how the position was obtained: exact (surveyed/reference point of "
    "the facility), ward or district (reference point of the administrative unit it lies in), "
    "approximate (placed from descriptions), none (no defensible position; geometry empty)",
    "approximate": "true if the geometry is a reconstruction or a proxy, not the facility itself",
    "accuracy_m": "typical positional error of this feature, metres",
    "notes": "how the feature was placed and what to keep in mind",
    "source": "where this feature comes from",
    "licence": "licence of this feature's source",
    "status": "status of the facility (see the layer description for the values)",
    "province_pre2025": "province before the July 2025 mergers",
    "province_2025": "province after the July 2025 mergers",
    "official_area_km2": "official area, km² (GSO Statistical Yearbook 2022; Resolution "
    "202/2025/QH15 for the merged provinces)",
    "polygon_area_km2": "area of the polygon in EPSG:32648, km²",
    "province_code": "province code of the administrative list (74 Bình Dương, 75 Đồng Nai, "
    "77 Bà Rịa–Vũng Tàu, 79 Ho Chi Minh City)",
    "province_id": "id of the province in provinces_pre2025 / provinces_2025",
}
LAYER_COLUMNS: dict[str, dict[str, str]] = {
    "candidate_sites": {
        "site_id": "stable id",
        "official_area_ha": "stated (official) area, hectares",
        "polygon_area_ha": "area of the drawn polygon in EPSG:32648, hectares",
        "area_source": "where the stated area comes from and how reliable it is",
        "status": "proposed, zoning_plan_approved, established or operating",
        "status_date": "date of the status (ISO, as precise as known)",
        "outline_method": "how the outline was placed",
        "source_url": "main page the facts come from",
    },
    "ports": {
        "port_id": "stable id",
        "kind": "deepwater_port, port or terminal",
        "locode": "UN/LOCODE, where known",
    },
    "airports": {
        "airport_id": "stable id",
        "geometry_kind": "outline (the aerodrome's outline) or point (its reference point): "
        "what distances to the airport are measured to",
        "reference_lon": "longitude of the aerodrome reference point (EPSG:4326)",
        "reference_lat": "latitude of the aerodrome reference point (EPSG:4326)",
        "iata": "IATA code (none yet for Long Thành)",
        "icao": "ICAO code",
        "status": "operating or 'opening 2026'",
        "international": "true for international airports",
    },
    "industrial_parks": {
        "park_id": "stable id",
        "licence": "licence of this row's geometry; the compiled facts carry none",
        "province": "province as stated in the facts (pre-2025)",
        "district_or_town": "district, town or ward as stated in the facts",
        "area_ha": "area, hectares (see area_kind)",
        "area_kind": "what the area figure is: planned, established, ...",
        "status": "operating, planned, under_construction, established_not_yet_operating, "
        "removed_from_plan or unknown",
        "status_detail": "status as worded in the source",
        "location_note": "what the reference point is and how far off it may be",
        "coord_source": "dataset the reference point comes from",
        "fact_source": "pages the name, area and status come from",
    },
    "roads": {
        "road_id": "stable id of the segment (route and sequence)",
        "route": "id of the road the segment belongs to",
        "ref": "road number (QL51, CT.01, ...)",
        "class": "motorway, trunk, primary or secondary",
        "lanes": "number of lanes where stated in the road facts",
        "speed_kmh": "design speed (speed_basis 'design') or a typical speed assumed for the "
        "class (speed_basis 'assumed'), km/h",
        "speed_basis": "design (from the road facts) or assumed",
        "status": "open, partly_open, under_construction or planned (as read in early 2026)",
        "open_year": "year the segment opened or is due to open",
        "geometry_origin": "osm (a way of the OpenStreetMap extract, inside its reach), "
        "source_line (national road layer), traced (through the road facts' waypoints and "
        "junctions) or connector (straight join of a source or traced line, cut at the edge "
        "of the extract's reach, to the same road in OpenStreetMap)",
        "osm_id": "OpenStreetMap way id (geometry_origin osm)",
        "length_km": "geodesic length of the segment, km",
    },
    "centres": {
        "centre_id": "stable id",
        "kind": "city_centre or provincial_centre",
        "reference_unit": "ward whose reference point is used",
        "reference_unit_area_km2": "area of that ward as given by the source, km²",
    },
    "provinces_pre2025": {"name_en": "English name"},
    "provinces_2025": {"merged_from": "codes of the pre-2025 provinces merged into it"},
    "districts": {
        "district_id": "stable id",
        "district_code": "district code of the administrative list",
    },
    "power_lines": {
        "line_id": "stable id (OpenStreetMap way)",
        "voltage_kv": "highest voltage the line carries, kV",
        "voltages_kv": "every voltage the line carries, kV, highest first",
        "circuits_note": "set where the way carries circuits of several voltages",
        "operator": "operator as tagged",
        "osm_id": "OpenStreetMap way id",
    },
    "universities": {
        "university_id": "stable id (OpenStreetMap type and id)",
        "kind": "university (universities, academies, conservatory) or college",
        "osm_id": "OpenStreetMap id",
    },
    "railways": {
        "railway_id": "stable id (OpenStreetMap way)",
        "railway": "OpenStreetMap railway value",
        "osm_id": "OpenStreetMap way id",
    },
}


def column_docs(name: str, gdf: gpd.GeoDataFrame) -> dict[str, str]:
    out = {}
    for col in gdf.columns:
        if col == "geometry":
            continue
        text = LAYER_COLUMNS.get(name, {}).get(col) or COMMON_COLUMNS.get(col)
        if text is None:
            raise SystemExit(f"layer {name}: column {col!r} has no description")
        out[col] = text
    return out


# Layers whose features come from sources under different licences are written as one file per
# licence: a database derived from OpenStreetMap must be shared under the ODbL and an adaptation
# of the national road layer under CC BY-SA 4.0, so no one file can honour both. Each feature
# goes to the part whose `licences` hold its column licence; read_layer joins the parts again,
# in the order the layer was built (the part's `rows`), so the layer users see does not change.
PARTS: dict[str, list[dict[str, Any]]] = {
    "candidate_sites": [
        {
            "file": "candidate_sites_osm.geojson",
            "licences": {"ODbL-1.0"},
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "holds": "the Saigon Hi-Tech Park and Quang Trung Software City outlines",
            "source": SRC_OSM,
            "attribution": "Candidate sites: outlines © OpenStreetMap contributors (ODbL)",
        },
        {
            "file": "candidate_sites_constructed.geojson",
            "licences": {"MIT (constructed outline); facts: no licence stated"},
            "licence": "MIT",
            "licence_file": "LICENSES/MIT-geosite.txt",
            "holds": "the four proposed sites: outlines constructed by geosite from "
            "vietnamadminunits reference points (MIT, notice in MIT-notices.txt) and the road "
            "layer's traced expressway",
            "source": "geosite candidate-site facts; vietnamadminunits 1.0.4 ward reference points",
            "attribution": "Candidate sites: geosite compilation (approximate outlines)",
        },
    ],
    "ports": [
        {
            "file": "ports_searoute.geojson",
            "licences": {"Apache-2.0"},
            "licence": "Apache-2.0",
            "licence_file": "LICENSES/searoute-Apache-2.0.txt",
            "holds": "the searoute (UN/LOCODE) points: Cái Mép–Thị Vải and Vũng Tàu",
            "source": "searoute 1.6.0 ports (PyPI)",
            "attribution": "Ports: searoute (Apache-2.0)",
        },
        {
            "file": "ports_wpi.geojson",
            "licences": {"public domain"},
            "licence": "public domain",
            "licence_file": "LICENSES/README.txt",
            "holds": "the NGA World Port Index point of Phú Mỹ",
            "source": "NGA World Port Index (Pub. 150)",
            "attribution": "Ports: NGA World Port Index",
        },
        {
            "file": "ports_osm.geojson",
            "licences": {"ODbL-1.0"},
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "holds": "the Cát Lái point, inside the terminal outline mapped in OpenStreetMap",
            "source": SRC_OSM,
            "attribution": "Ports: © OpenStreetMap contributors (ODbL)",
        },
        {
            "file": "ports_adminunits.geojson",
            "licences": {"MIT"},
            "licence": "MIT",
            "licence_file": "LICENSES/MIT-notices.txt",
            "holds": "the Hiệp Phước commune reference point (vietnamadminunits)",
            "source": "vietnamadminunits 1.0.4 (PyPI)",
            "attribution": "Ports: vietnamadminunits (MIT)",
        },
    ],
    "airports": [
        {
            "file": "airports_osm.geojson",
            "licences": {"ODbL-1.0 (outline); MIT (reference point)"},
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "holds": "the Long Thành and Tân Sơn Nhất aerodrome outlines; their reference points "
            "(reference_lon/reference_lat) are airports-py data under MIT, which allows them to "
            "be shared inside this ODbL file (notice in MIT-notices.txt)",
            "source": "OpenStreetMap aerodrome outlines; reference points airports-py 3.1.0",
            "attribution": "Airports: © OpenStreetMap contributors (ODbL); airports-py (MIT)",
        },
        {
            "file": "airports_points.geojson",
            "licences": {"MIT"},
            "licence": "MIT",
            "licence_file": "LICENSES/MIT-notices.txt",
            "holds": "the Vũng Tàu airfield reference point (airports-py)",
            "source": "airports-py 3.1.0 (PyPI)",
            "attribution": "Airports: airports-py (MIT)",
        },
    ],
    "industrial_parks": [
        {
            "file": "industrial_parks_osm.geojson",
            "licences": {"ODbL-1.0 (outline); facts: no licence stated"},
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "holds": "the parks the extract outlines, with their compiled facts (names, areas, "
            "status; no licence stated)",
            "source": f"{SRC_OSM}; geosite industrial-park facts",
            "attribution": "Industrial parks: outlines © OpenStreetMap contributors (ODbL)",
        },
        {
            "file": "industrial_parks_facts.geojson",
            "licences": {"facts: no licence stated"},
            "licence": "facts: no licence stated",
            "licence_file": "LICENSES/facts-no-licence-stated.txt",
            "holds": "the other parks: compiled facts, with the ward or district reference "
            "point taken from app code that states no licence (coord_source), or no location",
            "source": "geosite industrial-park facts (fact_source per row); reference points "
            "from github:kovymart/kovymart-frontend-admin and github:nntd2703/menu-onl",
            "attribution": "Industrial parks: geosite compilation",
        },
    ],
    "roads": [
        {
            "file": "roads_osm.geojson",
            "licences": {"ODbL-1.0"},
            "licence": "ODbL-1.0",
            "licence_file": "LICENSES/ODbL-1.0.txt",
            "holds": "the OpenStreetMap ways (geometry_origin osm)",
            "source": SRC_OSM,
            "attribution": "Roads: © OpenStreetMap contributors (ODbL)",
        },
        {
            "file": "roads_national.geojson",
            "licences": {"CC-BY-SA-4.0"},
            "licence": "CC-BY-SA-4.0",
            "licence_file": "LICENSES/CC-BY-SA-4.0.txt",
            "holds": "the national-road source lines (geometry_origin source_line)",
            "source": "CTU-SematX/LegoCity opendata/giaothong (national road layer)",
            "attribution": "Roads: LegoCity giaothong (CC BY-SA 4.0)",
        },
        {
            "file": "roads_traced.geojson",
            "licences": {"MIT"},
            "licence": "MIT",
            "licence_file": "LICENSES/MIT-geosite.txt",
            "holds": "the lines traced by geosite through the road facts and the straight "
            "connectors (geometry_origin traced, connector)",
            "source": "geosite road facts (road_waypoints.csv, roads_summary.md); traced in "
            "build_layers.py",
            "attribution": "Roads: traced expressways (approximate)",
        },
    ],
}


def write_parts(gdf: gpd.GeoDataFrame, name: str) -> list[dict[str, Any]]:
    """Write one file per licence of ``gdf`` and return the catalogue entries of the parts."""
    specs = PARTS[name]
    which = []
    for lic in gdf["licence"]:
        hits = [k for k, spec in enumerate(specs) if lic in spec["licences"]]
        if len(hits) != 1:
            raise SystemExit(f"layer {name}: licence {lic!r} belongs to {len(hits)} parts, not 1")
        which.append(hits[0])
    part_of = np.asarray(which)
    out = []
    for k, spec in enumerate(specs):
        pos = np.flatnonzero(part_of == k)
        if len(pos) == 0:
            raise SystemExit(f"layer {name}: part {spec['file']} would be empty")
        write_geojson(gdf.iloc[pos], spec["file"].removesuffix(".geojson"))
        runs = np.split(pos, np.flatnonzero(np.diff(pos) != 1) + 1)
        entry = {key: value for key, value in spec.items() if key != "licences"}
        entry["feature_count"] = len(pos)
        entry["rows"] = [[int(run[0]), int(run[-1]) + 1] for run in runs]
        out.append(entry)
    return out


# Layers that hold only what the OpenStreetMap extract of Ho Chi Minh City maps: beyond its
# reach there may be lines and campuses it does not show, so distances measured from there are
# upper bounds (geosite flags them from the layer's coverage).
EXTRACT_ONLY = {"power_lines", "universities"}
REGION_COVERAGE = {
    "area": "the region of the layer's sources (Đông Nam Bộ), with the gaps its known defects "
    "name; not limited to part of the region",
    "geometry": None,
}


def extract_coverage(osm: dict[str, Any]) -> dict[str, Any]:
    """Return the coverage of the layers drawn from the extract: its reach, in lon/lat."""
    reach = geom_to_ll(osm["reach_m"])
    return {
        "area": "the OpenStreetMap extract of Ho Chi Minh City (about 2018): the area where it "
        f"maps a road network, less {REACH_MARGIN_M:,.0f} m (old Ho Chi Minh City and the "
        "edges of Bình Dương and Biên Hòa)",
        "geometry": mapping(shapely.set_precision(reach, 10**-5)),
    }


LAYER_ORDER = [
    "candidate_sites",
    "ports",
    "airports",
    "industrial_parks",
    "roads",
    "centres",
    "provinces_pre2025",
    "provinces_2025",
    "districts",
    "railways",
    "power_lines",
    "universities",
    "land_sea_mask",
]


def shared_data_dir() -> Path:
    """Return the shared data directory: GEOSITE_SHARED_DATA, else shared/data near the repo."""
    env = os.environ.get("GEOSITE_SHARED_DATA")
    if env:
        return Path(env)
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return REPO.parent / "shared" / "data"


def main(argv: list[str]) -> int:
    global OUT  # noqa: PLW0603  (one output directory for the whole build)
    args = list(argv[1:])
    md_path = REPO / "LAYERS.md"
    if "--out" in args:
        k = args.index("--out")
        OUT = Path(args[k + 1]).resolve()
        md_path = OUT / "LAYERS.md"
        del args[k : k + 2]
    data = Path(args[0]) if args else shared_data_dir()
    if not data.is_dir():
        print(f"shared data directory not found: {data}", file=sys.stderr)
        return 2
    data = data.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"building layers from {data}")

    provinces_2025 = build_provinces_2025(data)
    region_m = shapely.union_all(list(provinces_2025.to_crs(METRIC).geometry))

    osm = read_osm(data)
    ports = build_ports(data, osm)
    airports = build_airports(data, osm)
    centres = build_centres(data)
    roads, road_checks = build_roads(data, ports, region_m, osm)
    build_roads_entry(roads, road_checks)
    sites = build_candidate_sites(data, roads, osm)
    parks = build_industrial_parks(data, osm)
    provinces = build_provinces_pre2025(data)
    districts = build_districts(data)
    railways = build_railways(data)
    power_lines = build_power_lines(osm)
    universities = build_universities(osm)
    build_land_sea_mask(data)
    build_licences(data)

    frames = {
        "ports": ports,
        "roads": roads,
        "candidate_sites": sites,
        "industrial_parks": parks,
        "provinces_pre2025": provinces,
        "provinces_2025": provinces_2025,
        "districts": districts,
        "railways": railways,
        "airports": airports,
        "centres": centres,
        "power_lines": power_lines,
        "universities": universities,
    }
    measured = {
        "roads": measure_roads(roads, osm, data),
        "industrial_parks": measure_parks(parks, osm, data),
        "airports": measure_airports(airports, osm),
        "railways": measure_railways(railways, osm),
    }
    coverage = extract_coverage(osm)
    for entry in CATALOG:
        entry["coverage"] = coverage if entry["name"] in EXTRACT_ONLY else REGION_COVERAGE
        if entry["name"] in measured:
            entry["measured_accuracy"] = measured[entry["name"]]
        if entry["name"] in frames:
            entry["columns"] = column_docs(entry["name"], frames[entry["name"]])
            if entry["name"] in PARTS:
                entry["parts"] = write_parts(frames[entry["name"]], entry["name"])
                entry["file"] = entry["parts"][0]["file"]
            else:
                write_geojson(frames[entry["name"]], entry["name"])

    entries = sorted(CATALOG, key=lambda e: LAYER_ORDER.index(e["name"]))
    keys_first = [
        "name",
        "title",
        "file",
        "kind",
        "geometry_type",
        "crs",
        "feature_count",
        "id_column",
        "name_column",
        "description",
        "source",
        "source_url",
        "licence",
        "licence_file",
        "attribution",
        "vintage",
        "positional_accuracy",
        "accuracy_m",
        "approximate",
        "known_defects",
        "good_for",
        "not_for",
    ]
    ordered = []
    for e in entries:
        out = {k: e.get(k) for k in keys_first}
        out.update({k: v for k, v in e.items() if k not in out})
        ordered.append(out)
    doc = {"version": 1, "layers": ordered}
    (OUT / "catalog.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    md_path.write_text(catalog_markdown(OUT), encoding="utf-8")
    for e in ordered:
        size = (OUT / e["file"]).stat().st_size
        print(f"  {e['name']:<18} {e['feature_count']!s:>5} features  {size / 1024:8.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
