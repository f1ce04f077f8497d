"""`geosite fetch-osm` / `geosite.fetch_osm`: OpenStreetMap layers of a region, cached.

Nothing here downloads. The Overpass API is replayed at the transport (``responses`` patches
requests' HTTP adapter, under osmnx) from answers built from the real OpenStreetMap extract
of Ho Chi Minh City (about 2018) by ``scripts/overpass_fixtures.py``: tests/data/overpass.
The expected numbers are recomputed from those JSON answers here, with pyproj's geodesic
lengths and areas, not from geosite's output.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import re
import socket
from pathlib import Path
from urllib.parse import parse_qs

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import requests
import responses
import shapely

import geosite
from geosite.cli import main
from geosite.data import osm
from geosite.errors import DataNotFoundError, NetworkError, ParameterError

DATA = Path(__file__).parent / "data" / "overpass"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
BBOX = MANIFEST["bbox"]
REGION = ",".join(str(v) for v in BBOX)
ENDPOINT = "https://overpass.test/api"
GEOD = pyproj.Geod(ellps="WGS84")

#: What an idle Overpass server's status page says (line 5: slots available, no pause).
STATUS = (
    "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, "
    "time limit, start time):\n"
)
_TAG = re.compile(r"\['([^']+)'='([^']+)'\]")
_POLY = re.compile(r"poly:'([^']+)'")


def _answer(kind: str) -> dict:
    return json.loads(gzip.decompress((DATA / MANIFEST["queries"][kind]["file"]).read_bytes()))


def _kind_of(query: str) -> str | None:
    asked = set(_TAG.findall(query))
    for kind, spec in MANIFEST["queries"].items():
        if asked == {(k, v) for k, values in spec["tags"].items() for v in values}:
            return kind
    return None


class Overpass:
    """A replayed Overpass API: the recorded answer of each query the fixtures hold."""

    def __init__(self, rsps: responses.RequestsMock, *, empty: bool = False) -> None:
        self.rsps = rsps
        self.queries: list[str] = []
        self.empty = empty
        rsps.add(responses.GET, f"{ENDPOINT}/status", body=STATUS)
        rsps.add_callback(responses.POST, f"{ENDPOINT}/interpreter", callback=self.interpret)

    def interpret(self, request: requests.PreparedRequest) -> tuple[int, dict, str]:
        body = request.body if isinstance(request.body, str) else request.body.decode()
        query = parse_qs(body)["data"][0]
        self.queries.append(query)
        kind = _kind_of(query)
        if kind is None:
            return 400, {}, "<html><body>Error: unknown query</body></html>"
        coords = [float(v) for v in _POLY.search(query).group(1).split()]
        lats, lons = coords[0::2], coords[1::2]
        inside = (min(lons), min(lats), max(lons), max(lats)) == pytest.approx(BBOX, abs=1e-6)
        doc = _answer(kind)
        if self.empty or not inside:
            doc = {**doc, "elements": []}
        return 200, {"Content-Type": "application/json"}, json.dumps(doc)

    @property
    def calls(self) -> int:
        return len(self.rsps.calls)


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # osmnx pins the server's address with a DNS look-up of its own; keep it off the network.
    monkeypatch.setattr(socket, "gethostbyname", lambda _host: "192.0.2.1")
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)


@pytest.fixture
def overpass():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield Overpass(rsps)


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("osm") / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        server = Overpass(rsps)
        saved = socket.gethostbyname, socket.getaddrinfo
        socket.gethostbyname = lambda _host: "192.0.2.1"  # type: ignore[assignment]
        try:
            result = osm.fetch_osm(REGION, out, endpoint=ENDPOINT)
        finally:
            socket.gethostbyname, socket.getaddrinfo = saved
        assert not result.from_cache
        assert len(server.queries) == len(osm.KINDS)
    return out


# --------------------------------------------------------------------------- independent


def _elements(kind: str) -> tuple[dict, dict, dict]:
    doc = _answer(kind)
    nodes = {e["id"]: e for e in doc["elements"] if e["type"] == "node"}
    ways = {e["id"]: e for e in doc["elements"] if e["type"] == "way"}
    rels = {e["id"]: e for e in doc["elements"] if e["type"] == "relation"}
    return nodes, ways, rels


def _way_coords(way: dict, nodes: dict) -> list[tuple[float, float]]:
    return [(nodes[n]["lon"], nodes[n]["lat"]) for n in way["nodes"]]


def _geodesic_km(coords: list[tuple[float, float]]) -> float:
    lons, lats = zip(*coords, strict=True)
    return GEOD.line_length(lons, lats) / 1000


def _kv(tag: str | None) -> int | None:
    values = [int(p) // 1000 for p in re.split("[;,]", tag or "") if p.strip().isdigit()]
    return max(values) if values else None


# --------------------------------------------------------------------------- the layers


def test_layers_columns_and_crs(fetched: Path) -> None:
    layers = dict(pyogrio.list_layers(fetched))
    assert list(layers) == list(osm.KINDS)
    for kind in osm.KINDS:
        gdf = gpd.read_file(fetched, layer=kind)
        assert gdf.crs.to_epsg() == 4326
        bundled_id = geosite.layer_info(kind).id_column
        for column in (bundled_id, "name", "osm_id", "osm_type", "source", "licence"):
            assert column in gdf.columns, (kind, column)
        for column in ("accuracy_m", "location_precision", "approximate", "fetched_at"):
            assert column in gdf.columns, (kind, column)
        if len(gdf):
            assert set(gdf.licence) == {"ODbL-1.0"}
            assert gdf[bundled_id].is_unique
            assert gdf.source.str.startswith("OpenStreetMap via the Overpass API").all()
    roads = gpd.read_file(fetched, layer="roads")
    assert {"class", "oneway", "speed_kmh", "ref"} <= set(roads.columns)
    assert {"voltage_kv", "voltages_kv"} <= set(gpd.read_file(fetched, layer="power_lines"))
    assert {"icao", "iata"} <= set(gpd.read_file(fetched, layer="airports").columns)
    # the bbox holds no port: the layer is there, empty, with its columns
    ports = gpd.read_file(fetched, layer="ports")
    assert len(ports) == 0
    assert {"port_id", "kind", "licence"} <= set(ports.columns)


def test_metadata_names_query_osmnx_endpoint_date_and_odbl(fetched: Path) -> None:
    import osmnx

    info = pyogrio.read_info(fetched, layer="roads")
    meta = info["dataset_metadata"]
    assert meta["attribution"] == "© OpenStreetMap contributors"
    assert meta["licence"] == "ODbL-1.0"
    assert meta["osmnx_version"] == osmnx.__version__
    assert meta["overpass_endpoint"] == ENDPOINT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["fetched_at"])
    full = json.loads(meta[osm.META_KEY])
    assert full["query"]["power_lines"] == "power=line|cable"
    assert full["region"] == f"bbox {REGION}"
    assert "ODbL" in full["notice"]
    assert info["layer_metadata"]["query"].startswith("highway=motorway|trunk")


def test_power_lines_match_the_answer(fetched: Path) -> None:
    nodes, ways, _ = _elements("power_lines")
    expected = {
        wid: _geodesic_km(_way_coords(w, nodes))
        for wid, w in ways.items()
        if w.get("tags", {}).get("power") in {"line", "cable"}
        and _kv(w["tags"].get("voltage")) == 220
    }
    assert len(expected) == 5  # the five 220 kV ways of the box (scripts/overpass_fixtures.py)
    lines = gpd.read_file(fetched, layer="power_lines")
    at220 = lines[lines.voltage_kv == 220]
    assert sorted(at220.osm_id) == sorted(expected)
    measured = sum(GEOD.geometry_length(g) for g in at220.geometry) / 1000
    assert measured == pytest.approx(sum(expected.values()), rel=1e-9)
    assert (lines.voltage_kv >= 110).all()


def test_roads_match_the_answer(fetched: Path) -> None:
    nodes, ways, _ = _elements("roads")
    classes = set(osm.DEFAULT_ROAD_CLASSES)
    expected = {
        wid: (w["tags"]["highway"], _geodesic_km(_way_coords(w, nodes)))
        for wid, w in ways.items()
        if w.get("tags", {}).get("highway") in classes
    }
    roads = gpd.read_file(fetched, layer="roads")
    assert len(roads) == len(expected)
    assert dict(zip(roads.osm_id, roads["class"], strict=True)) == {
        k: v[0] for k, v in expected.items()
    }
    primary = sum(km for cls, km in expected.values() if cls == "primary")
    assert roads.loc[roads["class"] == "primary", "length_km"].sum() == pytest.approx(
        primary, abs=0.001 * len(roads)
    )
    oneway = {k for k, w in ways.items() if w.get("tags", {}).get("oneway") == "yes"}
    assert set(roads.loc[roads.oneway == "yes", "osm_id"]) >= oneway


def test_airport_outline_and_universities(fetched: Path) -> None:
    _, _, rels = _elements("airports")
    (rel,) = rels.values()
    airports = gpd.read_file(fetched, layer="airports")
    assert list(airports.osm_id) == [rel["id"]]
    row = airports.iloc[0]
    assert row["name"] == rel["tags"]["name"]
    assert row["icao"] == rel["tags"].get("icao")
    assert row.geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert row["geometry_kind"] == "outline"
    # Tân Sơn Nhất's reference point lies inside the outline
    assert row.geometry.contains(shapely.Point(106.6519, 10.8188))

    nodes, ways, urels = _elements("universities")
    tagged = {
        ("way", k)
        for k, w in ways.items()
        if w.get("tags", {}).get("amenity") == "university" and w["nodes"][0] == w["nodes"][-1]
    }
    tagged |= {("node", k) for k, n in nodes.items() if n.get("tags", {}).get("amenity")}
    tagged |= {("relation", k) for k, r in urels.items() if r.get("tags", {}).get("amenity")}
    unis = gpd.read_file(fetched, layer="universities")
    assert set(zip(unis.osm_type, unis.osm_id, strict=True)) == tagged
    assert set(unis.kind) == {"university"}


def test_industrial_parks_keep_areas_of_at_least_5_ha(fetched: Path) -> None:
    nodes, ways, _ = _elements("industrial_parks")
    areas = {}
    for wid, w in ways.items():
        if w.get("tags", {}).get("landuse") != "industrial":
            continue
        lons, lats = zip(*_way_coords(w, nodes), strict=True)
        areas[wid] = abs(GEOD.polygon_area_perimeter(lons, lats)[0]) / 1e4
    parks = gpd.read_file(fetched, layer="industrial_parks")
    assert sorted(parks.osm_id) == sorted(k for k, ha in areas.items() if ha >= 5)
    for row in parks.itertuples():
        assert row.area_ha == pytest.approx(areas[row.osm_id], rel=0.002)  # UTM vs geodesic


# --------------------------------------------------------------------------- the cache


def test_second_run_reads_the_cache_and_refresh_fetches(tmp_path: Path, overpass) -> None:
    out = tmp_path / "osm.gpkg"
    first = osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["power_lines", "airports"])
    assert overpass.calls > 0
    assert not first.from_cache
    before = out.read_bytes()
    overpass.rsps.calls.reset()
    second = osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["power_lines", "airports"])
    assert overpass.calls == 0
    assert second.from_cache
    assert second.counts == first.counts == {"power_lines": 5, "airports": 1}
    assert list(second.counts) == ["power_lines", "airports"]  # the file's order
    assert out.read_bytes() == before
    third = osm.fetch_osm(
        REGION, out, endpoint=ENDPOINT, kinds=["power_lines", "airports"], refresh=True
    )
    assert overpass.calls > 0
    assert not third.from_cache
    assert third.counts == first.counts


def test_cli_second_run_touches_no_network(tmp_path: Path, overpass, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    args = ["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT, "--kinds",
            "power_lines"]  # fmt: skip
    assert main(args) == 0
    assert "power_lines 5" in capsys.readouterr().out
    overpass.rsps.calls.reset()
    assert main(args) == 0
    assert overpass.calls == 0
    said = capsys.readouterr().out
    assert "nothing downloaded" in said
    assert f"path: {out}, layer: power_lines" in said
    assert main([*args, "--refresh"]) == 0
    assert overpass.calls > 0


def test_a_different_request_does_not_reuse_the_file(tmp_path: Path, overpass) -> None:
    out = tmp_path / "osm.gpkg"
    osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"])
    with pytest.raises(ParameterError, match="not this request.*--refresh"):
        osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports", "power_lines"])
    foreign = tmp_path / "mine.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Point(106.7, 10.8)], crs=4326).to_file(foreign)
    with pytest.raises(ParameterError, match="not written by geosite fetch-osm"):
        osm.fetch_osm(REGION, foreign, endpoint=ENDPOINT)


# --------------------------------------------------------------------------- failures


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _fails(args: list[str], capsys) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert err.startswith("geosite: ")
    return err


def test_no_network(tmp_path: Path, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # answers nothing
        err = _fails(["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT], capsys)
    assert f"region 'bbox {REGION}'" in err
    assert "cannot reach the Overpass API" in err
    assert "check the internet connection" in err
    assert _leftovers(tmp_path) == []


def test_http_error(tmp_path: Path, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{ENDPOINT}/status", body=STATUS)
        rsps.add(responses.POST, f"{ENDPOINT}/interpreter", status=500, body="<html>oops</html>")
        err = _fails(["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT], capsys)
    assert "refused the query (HTTP 500)" in err
    assert f"bbox {REGION}" in err
    assert "try again later" in err
    assert _leftovers(tmp_path) == []


def test_timeout(tmp_path: Path, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{ENDPOINT}/status", body=STATUS)
        rsps.add(responses.POST, f"{ENDPOINT}/interpreter", body=requests.exceptions.ReadTimeout())
        err = _fails(
            ["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT, "--timeout", "5"],
            capsys,
        )
    assert "did not answer within 5 s" in err
    assert "longer --timeout" in err
    assert _leftovers(tmp_path) == []


def test_incomplete_answer_is_refused(tmp_path: Path) -> None:
    remark = 'runtime error: Query timed out in "query" at line 1 after 181 seconds.'
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{ENDPOINT}/status", body=STATUS)
        doc = {**_answer("power_lines"), "remark": remark}
        rsps.add(responses.POST, f"{ENDPOINT}/interpreter", json=doc)
        with pytest.raises(NetworkError, match="incomplete answer.*Query timed out"):
            osm.fetch_osm(REGION, tmp_path / "o.gpkg", endpoint=ENDPOINT, kinds=["power_lines"])
    assert _leftovers(tmp_path) == []


def test_empty_result(tmp_path: Path, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        Overpass(rsps, empty=True)
        err = _fails(
            ["fetch-osm", "107.5,9.5,107.6,9.6", "--out", str(out), "--endpoint", ENDPOINT],
            capsys,
        )
    assert "has none of the roads" in err
    assert "region 'bbox 107.5,9.5,107.6,9.6'" in err
    assert "longitude first" in err
    assert _leftovers(tmp_path) == []


def test_unknown_region_name(tmp_path: Path, capsys) -> None:
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        err = _fails(["fetch-osm", "Bien Hoaa", "--out", str(out)], capsys)
        assert len(rsps.calls) == 0
    assert "no province or district named 'Bien Hoaa'" in err
    assert "Thành phố Biên Hòa" in err
    assert "bbox" in err
    assert _leftovers(tmp_path) == []


def test_interruption_leaves_the_previous_file(tmp_path: Path, overpass, monkeypatch) -> None:
    out = tmp_path / "osm.gpkg"
    osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports", "power_lines"])
    before = out.read_bytes()
    real = pyogrio.write_dataframe
    written = []

    def interrupted(gdf, path, **kwargs):
        written.append(kwargs["layer"])
        if len(written) == 2:
            raise KeyboardInterrupt
        return real(gdf, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", interrupted)
    with pytest.raises(KeyboardInterrupt):
        osm.fetch_osm(
            REGION, out, endpoint=ENDPOINT, kinds=["airports", "power_lines"], refresh=True
        )
    assert out.read_bytes() == before
    assert _leftovers(tmp_path) == ["osm.gpkg"]


def test_busy_server_is_given_up_after_one_retry(tmp_path: Path, capsys, monkeypatch) -> None:
    import time

    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)  # osmnx waits 55 s before a retry
    out = tmp_path / "osm.gpkg"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{ENDPOINT}/status", body=STATUS)
        rsps.add(responses.POST, f"{ENDPOINT}/interpreter", status=504, body="busy")
        err = _fails(["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT], capsys)
        posts = [c for c in rsps.calls if c.request.method == "POST"]
    assert len(posts) == 2  # the first answer and osmnx's one retry
    assert "is busy (HTTP 504" in err
    assert "try again in a few minutes" in err
    assert _leftovers(tmp_path) == []


def test_bad_options_are_named(tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "osm.gpkg")
    err = _fails(["fetch-osm", REGION, "--out", out, "--kinds", "roads,stations"], capsys)
    assert "unknown kind 'stations'; choose from roads, industrial_parks" in err
    err = _fails(["fetch-osm", REGION, "--out", str(tmp_path / "osm.shp")], capsys)
    assert "must be a GeoPackage file ending in .gpkg" in err
    err = _fails(["fetch-osm", REGION, "--out", out, "--timeout", "0"], capsys)
    assert "timeout_s: 0.0 must be a positive number of seconds" in err
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------- regions


def test_region_names_before_and_after_2025() -> None:
    old = osm.region_polygon("dong-nai")
    new = osm.region_polygon("dong-nai-2025")
    area = gpd.GeoSeries([old.polygon, new.polygon], crs=4326).to_crs(32648).area / 1e6
    assert area[0] == pytest.approx(5863, rel=0.02)  # official, before July 2025
    assert area[1] == pytest.approx(12743, rel=0.02)  # with Bình Phước, after
    with pytest.raises(ParameterError, match="'dong-nai-2025'.*'dong-nai'"):
        osm.region_polygon("Đồng Nai")
    assert osm.region_polygon("Long Thanh").label.endswith("(dong-nai-huyen-long-thanh)")
    with pytest.raises(DataNotFoundError, match="did you mean"):
        osm.region_polygon("Long Thanhh")


def test_region_from_a_polygon_file_and_a_bad_bbox(tmp_path: Path) -> None:
    area = tmp_path / "area.geojson"
    square = shapely.box(*BBOX)
    gpd.GeoDataFrame(geometry=[square], crs=4326).to_crs(32648).to_file(area)
    region = osm.region_polygon(area)
    assert region.polygon.bounds == pytest.approx(BBOX, abs=1e-6)
    with pytest.raises(ParameterError, match="W,S,E,N"):
        osm.region_polygon("10.82,106.59,10.87,106.66")  # latitude first


def test_fetch_osm_is_exported() -> None:
    assert geosite.fetch_osm is osm.fetch_osm
    assert "fetch_osm" in geosite.__all__


# --------------------------------------------------------------------------- a scenario


def _readme_scenario() -> str:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [b for b in blocks if "osm-dnb.gpkg" in b]
    return block


def test_the_readme_scenario_uses_the_fetched_layers(fetched: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "osm-dnb.gpkg").write_bytes(fetched.read_bytes())
    (tmp_path / "dc.yaml").write_text(_readme_scenario(), encoding="utf-8")
    scenario = geosite.load_scenario(tmp_path / "dc.yaml")
    result = geosite.evaluate(scenario)
    table = result.table.set_index("site_id")
    nodes, ways, _ = _elements("power_lines")
    lines = [
        shapely.LineString(_way_coords(w, nodes))
        for w in ways.values()
        if _kv(w.get("tags", {}).get("voltage")) in {220, 500}
    ]
    to_utm = pyproj.Transformer.from_crs(4326, 32648, always_xy=True)
    grid = shapely.transform(
        shapely.union_all(lines), lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1]))
    )
    sites = geosite.read_layer("candidate_sites").set_index("site_id").to_crs(32648)
    for site_id, geom in sites.geometry.items():
        expected = geom.distance(grid)
        assert table.loc[site_id, "hv_supply_distance_m"] == pytest.approx(expected, abs=0.01)
    assert math.isfinite(table["universities_within_20km_count"].sum())
    used = {use.name: use.path for use in result.layers}
    gpkg = (tmp_path / "data" / "osm-dnb.gpkg").resolve()
    assert used["power_lines"] == used["universities"] == gpkg
    # the map and the workbook credit OpenStreetMap as the ODbL asks
    credited = {use.name: use.attribution for use in result.layers}
    assert credited["power_lines"] == "© OpenStreetMap contributors (ODbL-1.0)"


# --------------------------------------------------------------------------- live


@pytest.mark.network
def test_live_fetch_of_a_small_box(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.undo()  # real DNS
    out = tmp_path / "live.gpkg"
    result = osm.fetch_osm(
        "106.768,10.849,106.776,10.855", out, kinds=["roads", "universities"], timeout_s=60
    )
    assert result.counts["roads"] > 0
    assert osm.fetch_osm(
        "106.768,10.849,106.776,10.855", out, kinds=["roads", "universities"]
    ).from_cache


# --------------------------------------------------------------------------- routing


def test_fetched_roads_route_like_the_answer_one_way_streets_included(fetched: Path) -> None:
    """Road distances on the fetched layer equal Dijkstra on the answer's ways (networkx)."""
    import networkx as nx

    from geosite.network import accessibility, graph_from_gdf

    nodes, ways, _ = _elements("roads")
    to_utm = pyproj.Transformer.from_crs(4326, 32648, always_xy=True)
    xy = {n: to_utm.transform(e["lon"], e["lat"]) for n, e in nodes.items()}
    g = nx.DiGraph()
    uses = {}
    for w in ways.values():
        tags = w.get("tags", {})
        if tags.get("highway") not in osm.DEFAULT_ROAD_CLASSES:
            continue
        oneway = tags.get("oneway")
        if oneway is None and tags.get("junction") == "roundabout":
            oneway = "yes"
        for a, b in zip(w["nodes"], w["nodes"][1:], strict=False):
            length = math.dist(xy[a], xy[b])
            if oneway != "-1":
                g.add_edge(
                    a, b, length=min(length, g.get_edge_data(a, b, {"length": 1e18})["length"])
                )
            if oneway not in {"yes", "true", "1"}:
                g.add_edge(
                    b, a, length=min(length, g.get_edge_data(b, a, {"length": 1e18})["length"])
                )
        for n in w["nodes"]:
            uses[n] = uses.get(n, 0) + 1
    main_part = max(nx.strongly_connected_components(g), key=len)
    junctions = sorted(n for n in main_part if uses[n] >= 2)
    rng = np.random.default_rng(16)
    pairs = [tuple(rng.choice(junctions, 2, replace=False)) for _ in range(12)]

    roads = gpd.read_file(fetched, layer="roads")
    graph = graph_from_gdf(
        roads, crs=32648, class_column="class", speed_column="speed_kmh", oneway_column="oneway"
    )
    origins = gpd.GeoSeries([shapely.Point(xy[a]) for a, _ in pairs], crs=32648)
    expected = [nx.dijkstra_path_length(g, a, b, weight="length") for a, b in pairs]
    for i, (_, b) in enumerate(pairs):
        target = gpd.GeoSeries([shapely.Point(xy[b])], crs=32648)
        got = accessibility(graph, origins.iloc[[i]], target, metric="distance")
        assert got.values[0] == pytest.approx(expected[i], abs=0.01), pairs[i]
    # one-way streets matter here: some trips are longer one way than back
    back = [nx.dijkstra_path_length(g, b, a, weight="length") for a, b in pairs]
    assert any(abs(x - y) > 1 for x, y in zip(expected, back, strict=True))


# --------------------------------------------------------------------------- cache key, lock


def test_another_server_never_answers_from_the_cache(tmp_path: Path, overpass) -> None:
    out = tmp_path / "osm.gpkg"
    osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"])
    before = out.read_bytes()
    overpass.rsps.calls.reset()
    with pytest.raises(ParameterError, match=r"from https://overpass.test/api.*from "
                       r"https://mirror.test/api.*--refresh"):  # fmt: skip
        osm.fetch_osm(REGION, out, endpoint="https://mirror.test/api", kinds=["airports"])
    assert overpass.calls == 0
    assert out.read_bytes() == before
    # the same server spelt with a trailing slash is the same server
    again = osm.fetch_osm(REGION, out, endpoint=ENDPOINT + "/", kinds=["airports"])
    assert again.from_cache
    assert again.metadata["request"]["endpoint"] == ENDPOINT


def test_a_file_from_before_the_server_was_keyed_is_read_by_its_metadata(
    tmp_path: Path, overpass
) -> None:
    out = tmp_path / "osm.gpkg"
    first = osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"])
    meta = dict(first.metadata)
    meta["request"] = {k: v for k, v in meta["request"].items() if k != "endpoint"}
    pyogrio.write_dataframe(
        gpd.read_file(out, layer="airports"),
        out,
        layer="airports",
        dataset_metadata={osm.META_KEY: json.dumps(meta)},
    )
    overpass.rsps.calls.reset()
    assert osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"]).from_cache
    assert overpass.calls == 0
    with pytest.raises(ParameterError, match="mirror.test"):
        osm.fetch_osm(REGION, out, endpoint="https://mirror.test/api", kinds=["airports"])


_HOLD = """
import sys, time
from geosite.data.publish import file_lock
with file_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_fetch_into_the_same_file_refuses_while_one_runs(
    tmp_path: Path, overpass, capsys
) -> None:
    import subprocess
    import sys

    out = tmp_path / "osm.gpkg"
    osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"])
    before = out.read_bytes()
    overpass.rsps.calls.reset()
    other = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "held"
        for refresh in ([], ["--refresh"]):
            args = ["fetch-osm", REGION, "--out", str(out), "--endpoint", ENDPOINT,
                    "--kinds", "airports", *refresh]  # fmt: skip
            err = _fails(args, capsys)
            assert f"process {other.pid}" in err
            assert "osm.gpkg" in err
    finally:
        other.kill()
        other.communicate()
    assert overpass.calls == 0
    assert out.read_bytes() == before
    # the lock of a dead process is free: the next fetch runs, and tidies its lock file
    assert osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports"]).from_cache
    assert not (tmp_path / ".osm.gpkg.geosite-lock").exists()


def test_the_download_and_the_rename_happen_under_the_lock(
    tmp_path: Path, overpass, monkeypatch
) -> None:
    import fcntl

    from geosite.data import io
    from geosite.network import _osmnx

    out = tmp_path / "osm.gpkg"
    lock = tmp_path / ".osm.gpkg.geosite-lock"
    held: list[str] = []

    def is_held(what: str) -> None:
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(what)
        finally:
            os.close(fd)

    fetch, publish = _osmnx.features_online, io.atomic_path

    def features_online(*args, **kwargs):
        is_held("fetch")
        return fetch(*args, **kwargs)

    @contextlib.contextmanager
    def atomic_path(target):
        with publish(target) as tmp:
            yield tmp
            is_held("rename")

    monkeypatch.setattr(_osmnx, "features_online", features_online)
    monkeypatch.setattr(io, "atomic_path", atomic_path)
    osm.fetch_osm(REGION, out, endpoint=ENDPOINT, kinds=["airports", "power_lines"])
    assert held == ["fetch", "fetch", "rename"]
    assert not lock.exists()
