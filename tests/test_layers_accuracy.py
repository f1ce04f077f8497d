"""Each bundled layer against its independent reference, with the accuracy it states.

The references are the shared public data the layers were not copied from, or were copied
from and must still match: the OpenStreetMap extract of Ho Chi Minh City (about 2018), the
industrial-park facts, the hand-digitised national-road waypoints and official areas. Every
measurement below is made here with its own code (pyosmium reads the extract) and compared
with the figure the catalogue records, which is what LAYERS.md prints.
"""

from __future__ import annotations

import csv
import unicodedata

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from geosite.data import bundled as layers

osmium = pytest.importorskip("osmium")

METRIC = "EPSG:32648"
TAN_SON_NHAT_RELATION = 7240501
LONG_THANH_OFFICIAL_HA = 5000.0  # allocated site, facilities/PROVENANCE.md of the shared data


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def measured(layer: str, start: str) -> dict:
    items = [
        m
        for m in layers.layer_info(layer).extra["measured_accuracy"]
        if m["subject"].startswith(start)
    ]
    assert len(items) == 1, (layer, start)
    return items[0]


def to_metric(geoms):
    return gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(METRIC)


@pytest.fixture(scope="module")
def extract(shared_data):
    """Ways, areas and node positions of the extract that the layers draw on."""
    wkb = osmium.geom.WKBFactory()
    out = {"ways": {}, "areas": {}, "power": {}, "railways": []}

    class Reader(osmium.SimpleHandler):
        def way(self, w):
            coords = [(round(n.lon, 7), round(n.lat, 7)) for n in w.nodes]
            if w.tags.get("highway"):
                out["ways"][w.id] = coords
            if w.tags.get("power") == "line":
                out["power"][w.id] = (w.tags.get("voltage"), coords)
            if w.tags.get("railway") in {"rail", "light_rail", "subway"}:
                out["railways"].append(LineString(coords))

        def area(self, a):
            if a.tags.get("landuse") or a.tags.get("aeroway") or a.tags.get("amenity"):
                kind = "way" if a.from_way() else "relation"
                try:
                    geom = wkb.create_multipolygon(a)
                except RuntimeError:  # broken rings in the extract: no outline to compare
                    return
                out["areas"][(kind, a.orig_id())] = shapely.from_wkb(bytes.fromhex(geom))

    Reader().apply_file(str(shared_data / "osm_hcmc_2018/hcm_2018.osm.pbf"), locations=True)
    return out


def test_every_measured_accuracy_holds_its_statement():
    checked = 0
    for info in layers.catalog():
        for m in info.extra.get("measured_accuracy", []):
            assert m["p90"] <= m["stated"], (info.name, m["subject"])
            assert m["median"] <= m["p90"] <= m["max"]
            checked += 1
    assert checked >= 10


def test_openstreetmap_roads_are_the_extracts_ways(extract):
    roads = layers.read_layer("roads")
    osm = roads[roads.geometry_origin == "osm"]
    off = [
        set(geom.coords) - set(extract["ways"][int(oid)])
        for oid, geom in zip(osm.osm_id, osm.geometry, strict=True)
    ]
    assert not any(off)
    assert measured("roads", "OpenStreetMap ways")["max"] == 0
    assert measured("roads", "OpenStreetMap ways")["n"] == len(osm)


def test_remaining_lines_state_at_least_the_error_measured_where_they_were_replaced():
    roads = layers.read_layer("roads")
    for origin in ("source_line", "traced"):
        p90 = measured("roads", f"{origin} lines where the extract replaced them")["p90"]
        stated = roads.loc[roads.geometry_origin == origin, "accuracy_m"]
        assert (stated >= p90).all(), origin
    connectors = roads[roads.geometry_origin == "connector"].to_crs(METRIC)
    assert (connectors["accuracy_m"] >= connectors.length - 1).all()


def test_national_highways_against_hand_digitised_waypoints(shared_data):
    routes = {
        "QL1A": "ql1a",
        "QL1K": "ql1k",
        "QL13": "ql13",
        "QL20": "ql20",
        "QL51": "ql51",
        "QL55": "ql55",
    }
    region = shapely.union_all(list(layers.read_layer("provinces_2025").geometry))
    roads = layers.read_layer("roads").to_crs(METRIC)
    with (shared_data / "facts/road_waypoints.csv").open(encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["road_ref"] in routes
            and r["lat"]
            and region.contains(Point(float(r["lon"]), float(r["lat"])))
        ]
    d = []
    for r in rows:
        p = to_metric([Point(float(r["lon"]), float(r["lat"]))]).iloc[0]
        line = shapely.union_all(list(roads.loc[roads.route == routes[r["road_ref"]]].geometry))
        d.append(line.distance(p))
    m = measured("roads", "national highways")
    assert m["n"] == len(d)
    assert m["median"] == pytest.approx(np.median(d), abs=1)
    assert m["p90"] == pytest.approx(np.quantile(d, 0.9), abs=1)


def park_outline_ways() -> dict[str, int]:
    parks = layers.read_layer("industrial_parks")
    outlined = parks[parks.location_precision == "exact"]
    return {r.name: int(r.coord_source.rsplit("way ", 1)[1]) for r in outlined.itertuples()}


def test_park_outlines_are_the_extracts(extract):
    parks = layers.read_layer("industrial_parks").set_index("name")
    ways = park_outline_ways()
    assert len(ways) >= 15
    for name, way in ways.items():
        ref = to_metric([extract["areas"][("way", way)]]).iloc[0]
        mine = to_metric([parks.geometry[name]]).iloc[0]
        assert mine.symmetric_difference(ref).area / ref.area < 0.001, name


@pytest.mark.parametrize(("precision", "stated"), [("ward", 3000), ("district", 10000)])
def test_park_reference_points_against_the_outlines(shared_data, extract, precision, stated):
    """The reference points that remain elsewhere are as far off as where both exist."""
    ways = park_outline_ways()
    d = []
    with (shared_data / "facts/industrial_parks.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            way = ways.get(nfc(r["name"]))
            if way is None or not r["lat"] or not r["coord_precision"].startswith(precision):
                continue
            outline = to_metric([extract["areas"][("way", way)]]).iloc[0]
            d.append(outline.distance(to_metric([Point(float(r["lon"]), float(r["lat"]))]).iloc[0]))
    m = measured("industrial_parks", f"{precision} reference points")
    assert m["n"] == len(d)
    assert m["p90"] == pytest.approx(np.quantile(d, 0.9), abs=1)
    parks = layers.read_layer("industrial_parks")
    assert (
        parks.loc[parks.location_precision == precision, "accuracy_m"] >= np.quantile(d, 0.9)
    ).all()
    assert m["stated"] == stated


def test_airport_outlines(extract):
    airports = layers.read_layer("airports").set_index("airport_id")
    tsn = to_metric([airports.geometry["tan-son-nhat"]]).iloc[0]
    ref = to_metric([extract["areas"][("relation", TAN_SON_NHAT_RELATION)]]).iloc[0]
    assert tsn.symmetric_difference(ref).area / ref.area < 0.001
    lt_ha = to_metric([airports.geometry["long-thanh"]]).iloc[0].area / 1e4
    assert abs(lt_ha / LONG_THANH_OFFICIAL_HA - 1) * 100 == pytest.approx(
        measured("airports", "Long Thành outline")["p90"], abs=0.3
    )
    for aid in ("long-thanh", "tan-son-nhat"):
        ref_pt = Point(airports.loc[aid, ["reference_lon", "reference_lat"]].astype(float))
        assert airports.geometry[aid].contains(ref_pt), aid
        assert airports.loc[aid, "geometry_kind"] == "outline"


def test_cat_lai_lies_in_its_terminal_and_in_ho_chi_minh_city(extract):
    ports = layers.read_layer("ports").set_index("port_id")
    terminal = extract["areas"][("way", 410427637)]
    assert terminal.contains(ports.geometry["cat-lai"])
    hcmc = (
        layers.read_layer("provinces_pre2025").set_index("province_id").geometry["ho-chi-minh-city"]
    )
    assert hcmc.distance(ports.geometry["cat-lai"]) < 0.01  # on the river bank of the city


def test_railways_against_the_extract(extract):
    """Railways (OpenStreetMap of 2025) against the railways of the 2018 extract.

    Compared where both map a railway (within 500 m of a 2018 line): lines built or mapped
    since 2018 (the metro) have no reference there.
    """
    ref = to_metric(extract["railways"]).union_all()
    covered = ref.buffer(500)
    d = []
    for g in layers.read_layer("railways").to_crs(METRIC).geometry:
        inside = g.intersection(covered)
        for part in getattr(inside, "geoms", [inside]):
            if part.geom_type == "LineString":
                d.extend(
                    ref.distance(part.interpolate(t)) for t in np.arange(0, part.length, 100.0)
                )
    assert len(d) > 300
    assert np.quantile(d, 0.9) <= layers.layer_info("railways").accuracy_m


def test_power_lines_are_the_extracts_lines_by_voltage(extract):
    lines = layers.read_layer("power_lines")
    expected = {}
    for wid, (voltage, coords) in extract["power"].items():
        kv = [int(v) // 1000 for v in (voltage or "").split(";") if v.strip().isdigit()]
        if kv and max(kv) >= 110:
            expected[wid] = (max(kv), coords)
    assert set(lines.osm_id) == set(expected)
    for oid, kv, geom in zip(lines.osm_id, lines.voltage_kv, lines.geometry, strict=True):
        assert kv == expected[oid][0]
        assert list(geom.coords) == expected[oid][1]
    assert set(lines.voltage_kv) == {110, 220, 500}


def test_universities_are_the_extracts_campuses(extract):
    unis = layers.read_layer("universities")
    assert (unis.kind == "university").sum() >= 40
    for uid, geom in zip(unis.university_id, unis.geometry, strict=True):
        _, kind, num = uid.split("-")
        ref = to_metric([extract["areas"][(kind, int(num))]]).iloc[0]
        assert to_metric([geom]).iloc[0].symmetric_difference(ref).area / ref.area < 0.001, uid
