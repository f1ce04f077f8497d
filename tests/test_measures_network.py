"""Tests of the scenario-facing network measure: validation, wiring, caching, outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pydantic import ValidationError
from shapely import LineString, Point

from geosite import network as net
from geosite.errors import DataNotFoundError, LayerError, ParameterError
from geosite.measures.base import MeasureContext
from geosite.measures.network import (
    BboxSource,
    FileSource,
    LayerSource,
    NetworkMeasure,
    NetworkSpec,
    OsmXmlSource,
    PbfSource,
    PlaceSource,
    graph_for,
)

OSM = Path(__file__).parent / "data" / "network" / "hcmute_thuduc_drive.osm"
CRS = pyproj.CRS.from_epsg(32648)
X0, Y0 = 700_000.0, 1_190_000.0


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def diamond(x, y, half=20):
    """A parcel whose nearest point to any axis-parallel road is a single corner."""
    return shapely.Polygon(
        [
            (X0 + x, Y0 + y - half),
            (X0 + x + half, Y0 + y),
            (X0 + x, Y0 + y + half),
            (X0 + x - half, Y0 + y),
        ]
    )


def make_roads():
    lines = [
        [(0, 0), (4000, 0)],
        [(4000, 0), (4000, 3000)],
        [(0, 3000), (4000, 3000)],
        [(0, 8000), (300, 8000)],
    ]
    return gpd.GeoDataFrame(
        {
            "class": ["national", "provincial", "national", "district"],
            "speed_kmh": [60.0, None, 60.0, None],
            "status": ["open", "open", "open", "open"],
        },
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines],
        crs=CRS,
    )


def make_ctx(tmp_path, *, networks=None, candidates=None, layers=None):
    base = {
        "roads": make_roads(),
        "ports": gpd.GeoDataFrame(
            {"name": ["North port", "Cai Mep"], "kind": ["river", "sea"]},
            geometry=[pt(500, 3100), pt(3500, -50)],
            crs=CRS,
        ),
        "gates": gpd.GeoDataFrame(geometry=[pt(100, 2960)], crs=CRS),
    }
    base.update(layers or {})
    loads = []

    def load_layer(name, where):
        loads.append(name)
        if name not in base:
            raise DataNotFoundError(f"no layer {name!r}")
        gdf = base[name]
        for column, wanted in (where or {}).items():
            values = wanted if isinstance(wanted, list) else [wanted]
            gdf = gdf[gdf[column].isin(values)]
        return gdf

    cands = (
        candidates
        if candidates is not None
        else gpd.GeoDataFrame(
            {"name": ["A", "B", "C", "far"]},
            geometry=[
                diamond(1000, 100),
                diamond(3900, 1500),
                diamond(100, 2900),
                diamond(2000, 6000),
            ],
            crs=CRS,
        )
    )
    ctx = MeasureContext(
        candidates=cands,
        crs=CRS,
        load_layer=load_layer,
        resolve_path=lambda name: tmp_path / f"{name}.gpkg",
        base_dir=tmp_path,
        networks=networks or {},
        cache={},
    )
    return ctx, loads


# ------------------------------------------------------------------------------------------
# the networks: section


def test_network_spec_sources_parse():
    assert isinstance(NetworkSpec.model_validate({"source": "roads"}).source, LayerSource)
    kinds = {
        "layer": ({"layer": "roads", "where": {"status": "open"}}, LayerSource),
        "file": ({"file": "r.gpkg", "layer": "roads"}, FileSource),
        "osm_xml": ({"osm_xml": "a.osm"}, OsmXmlSource),
        "pbf": ({"pbf": "a.osm.pbf", "network_type": "drive"}, PbfSource),
        "place": ({"place": "Thu Duc", "cache_dir": "cache"}, PlaceSource),
        "bbox": ({"bbox": [106.7, 10.8, 106.8, 10.9], "cache_dir": "cache"}, BboxSource),
    }
    for source, model in kinds.values():
        spec = NetworkSpec.model_validate({"source": source, "profile": "truck"})
        assert isinstance(spec.source, model)
    spec = NetworkSpec.model_validate({"source": "roads"})
    assert spec.access.max_snap_m == 1000
    assert spec.layers_used() == ["roads"]
    assert "source" in NetworkSpec.model_json_schema()["properties"]


def test_network_spec_json_schema_matches_validation():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(NetworkSpec.model_json_schema())
    good = [
        {"source": "roads"},
        {"source": {"layer": "roads", "where": {"status": ["open", "partly_open"]}}},
        {"source": {"osm_xml": "a.osm"}, "profile": "truck", "speeds_kmh": {"trunk": 50}},
        {"source": {"bbox": [106.7, 10.8, 106.8, 10.9], "cache_dir": "c"}},
        {"source": "roads", "access": {"max_snap_m": 5000, "offroad_speed_kmh": 20}},
    ]
    for doc in good:
        assert not list(validator.iter_errors(doc)), doc
        NetworkSpec.model_validate(doc)
    for doc in ({"source": {"url": "x"}}, {"source": "roads", "speed": 3}):
        assert list(validator.iter_errors(doc)), doc


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"source": {"url": "x"}}, "network source"),
        ({"source": "roads", "speed": 3}, "Extra inputs"),
        ({"source": {"bbox": [106.8, 10.8, 106.7, 10.9], "cache_dir": "c"}}, "west"),
        ({"source": "roads", "profile": "bike"}, "car"),
        ({"source": "roads", "speeds_kmh": {"trunk": -5}}, "greater than 0"),
        ({"source": "roads", "access": {"max_snap_m": 0}}, "greater than 0"),
        ({"source": {"osm_xml": "a.osm", "where": {}}}, "Extra inputs"),
    ],
)
def test_network_spec_rejects(doc, match):
    with pytest.raises(ValidationError, match=match):
        NetworkSpec.model_validate(doc)


# ------------------------------------------------------------------------------------------
# the measure model


def test_measure_units_and_metric():
    m = NetworkMeasure(layer="ports")
    assert (m.resolved_metric, m.value_unit(), m.prefers_higher()) == ("time", "min", False)
    assert NetworkMeasure(layer="ports", metric="distance").value_unit() == "m"
    count = NetworkMeasure(layer="ports", statistic="count_within", within_m=5000)
    assert (count.resolved_metric, count.value_unit(), count.prefers_higher()) == (
        "distance",
        "count",
        True,
    )
    detour = NetworkMeasure(layer="ports", statistic="detour_ratio")
    assert (detour.resolved_metric, detour.value_unit()) == ("distance", "ratio")
    assert NetworkMeasure(layer="p", statistic="kth_nearest", k=2).value_unit() == "min"
    assert m.layers_used() == ["ports"]


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"statistic": "kth_nearest"}, "needs k"),
        ({"statistic": "nearest", "k": 2}, "remove k"),
        ({"statistic": "count_within"}, "exactly one of within_min"),
        ({"statistic": "count_within", "within_min": 5, "within_m": 9}, "exactly one"),
        ({"statistic": "count_within", "metric": "time", "within_m": 9}, "not within_m"),
        ({"statistic": "count_within", "metric": "distance", "within_min": 9}, "not within_min"),
        ({"statistic": "nearest", "within_min": 5}, "only apply to count_within"),
        ({"statistic": "detour_ratio", "metric": "time"}, "use metric: distance"),
        ({"statistic": "mean_k_nearest", "k": 0}, "greater than or equal to 1"),
        ({"statistic": "fastest"}, "nearest"),
    ],
)
def test_measure_rejects_inconsistent_combinations(fields, match):
    with pytest.raises(ValidationError, match=match):
        NetworkMeasure(layer="ports", **fields)


def test_measure_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as info:
        NetworkMeasure(layer="ports", statistic="detour_ratio", metric="time", k=3)
    text = str(info.value)
    assert "remove k" in text
    assert "use metric: distance" in text


# ------------------------------------------------------------------------------------------
# computing


def test_compute_on_layer_network(tmp_path):
    networks = {
        "trunk": {
            "source": {"layer": "roads", "where": {"status": "open"}},
            "speeds_kmh": {"provincial": 40},
            "access": {"max_snap_m": 1500},
        }
    }
    ctx, _ = make_ctx(tmp_path, networks=networks)
    m = NetworkMeasure(layer="ports", where={"kind": "sea"}, network="trunk", metric="distance")
    res = m.compute(ctx)
    assert res.unit == "m"
    # A: 80 m leg down to the national road, 2500 m east, 50 m leg to the port
    assert res.values[0] == pytest.approx(80 + 2500 + 50)
    # B: 80 m west to the provincial road, 1500 m down, 500 m west, 50 m leg
    assert res.values[1] == pytest.approx(80 + 1500 + 500 + 50)
    # C: 80 m up to the northern road, 3900 east, 3000 down, 500 west, 50
    assert res.values[2] == pytest.approx(80 + 3900 + 3000 + 500 + 50)
    assert np.isnan(res.values[3])
    assert "more than max_snap_m" in res.reasons[3]
    assert res.reasons[:3] == [None, None, None]
    assert res.extra["snap_m"][:3] == pytest.approx([80, 80, 80])
    assert list(res.extra["facility"][:3]) == ["Cai Mep"] * 3
    assert res.extra["straight_m"][0] == pytest.approx(np.hypot(2500, 130))
    features = res.features
    assert features.crs == CRS
    paths = features[features["candidate"].notna()]
    assert list(paths.columns) == ["candidate", "facility", "cost_m", "geometry", "name"]
    assert paths["candidate"].tolist() == [0, 1, 2]
    assert set(paths["facility"]) == {"Cai Mep"}
    np.testing.assert_allclose(paths.length, res.values[:3])
    np.testing.assert_allclose(paths["cost_m"], res.values[:3])
    marks = features[features["candidate"].isna()]
    assert marks["name"].tolist() == ["Cai Mep"]
    assert marks.geom_type.tolist() == ["Point"]


def test_compute_time_uses_speed_columns_and_offroad_speed(tmp_path):
    networks = {
        "default": NetworkSpec(
            source=LayerSource(layer="roads"), access={"offroad_speed_kmh": 6, "max_snap_m": 1500}
        )
    }
    ctx, _ = make_ctx(tmp_path, networks=networks)
    res = NetworkMeasure(layer="ports", where={"kind": "sea"}).compute(ctx)
    # A: 2500 m at the layer's 60 km/h plus 130 m of legs at 6 km/h
    assert res.unit == "min"
    assert res.values[0] == pytest.approx(2500 * 0.06 / 60 + 130 * 0.06 / 6)
    truck = {
        "default": {
            "source": "roads",
            "profile": "truck",
            "use_maxspeed": False,
            "access": {"max_snap_m": 1500},
        }
    }
    ctx, _ = make_ctx(tmp_path, networks=truck)
    res = NetworkMeasure(layer="ports", where={"kind": "sea"}).compute(ctx)
    assert res.values[0] == pytest.approx(2500 * 0.06 / net.default_speeds("truck")["national"])


def test_statistics_through_the_measure(tmp_path):
    ctx, _ = make_ctx(
        tmp_path, networks={"default": {"source": "roads", "access": {"max_snap_m": 1500}}}
    )
    near = NetworkMeasure(layer="ports", metric="distance").compute(ctx)
    second = NetworkMeasure(layer="ports", metric="distance", statistic="kth_nearest", k=2).compute(
        ctx
    )
    assert np.all(second.values[:3] >= near.values[:3])
    count = NetworkMeasure(
        layer="ports", statistic="count_within", within_m=float(near.values[0]) + 1
    ).compute(ctx)
    assert count.unit == "count"
    assert count.values[0] >= 1
    detour = NetworkMeasure(layer="ports", statistic="detour_ratio").compute(ctx)
    assert detour.unit == "ratio"
    assert np.all(detour.values[:3] >= 1)


def test_graph_built_once_per_network(tmp_path, monkeypatch):
    shutil.copy(OSM, tmp_path / "thu_duc.osm")
    calls = []
    real = net.graph_from_xml

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(net, "graph_from_xml", counting)
    g = real(OSM)
    # points 15 m off roads of the main part of the network
    main = g.component_size[g.edge_u] == g.component_size.max()
    lines = g.edge_geometry[np.flatnonzero(main)[::40][:6]]
    mid = shapely.line_interpolate_point(lines, 0.5, normalized=True)
    pts = shapely.points(shapely.get_x(mid) + 15, shapely.get_y(mid) + 5)
    cands = gpd.GeoDataFrame(geometry=shapely.buffer(pts[:4], 10), crs=CRS)
    schools = gpd.GeoDataFrame({"name": ["s1", "s2"]}, geometry=pts[4:], crs=CRS)
    ctx, _ = make_ctx(
        tmp_path,
        networks={"city": {"source": {"osm_xml": "thu_duc.osm"}}},
        candidates=cands,
        layers={"schools": schools},
    )
    a = NetworkMeasure(layer="schools", network="city").compute(ctx)
    b = NetworkMeasure(layer="schools", network="city", metric="distance").compute(ctx)
    assert len(calls) == 1
    assert Path(calls[0][0]) == tmp_path / "thu_duc.osm"
    assert graph_for(ctx, "city") is ctx.cache["geosite.measures.network:graph:city"]
    direct = net.accessibility(g, cands, schools, metric="distance")
    np.testing.assert_allclose(b.values, direct.values)
    assert np.isfinite(a.values).sum() == np.isfinite(b.values).sum()


def test_car_and_truck_networks_share_the_candidate_snap(tmp_path, monkeypatch):
    calls = []
    real = net.snap_to_graph

    def counting(graph, geoms, **kwargs):
        calls.append(graph.name)
        return real(graph, geoms, **kwargs)

    monkeypatch.setattr(net, "snap_to_graph", counting)
    networks = {
        "car": {"source": "roads", "access": {"max_snap_m": 1500}},
        "truck": {"source": "roads", "profile": "truck", "access": {"max_snap_m": 1500}},
        "truck_open": {
            "source": {"layer": "roads", "where": {"class": "national"}},
            "profile": "truck",
        },
    }
    ctx, _ = make_ctx(tmp_path, networks=networks)
    car = NetworkMeasure(layer="ports", network="car").compute(ctx)
    truck = NetworkMeasure(layer="ports", network="truck").compute(ctx)
    assert calls == ["car", "car"]  # candidates and ports, once for both profiles
    assert np.all(truck.values[:3] > car.values[:3])
    np.testing.assert_array_equal(truck.extra["snap_m"], car.extra["snap_m"])
    NetworkMeasure(layer="ports", network="truck_open").compute(ctx)
    assert calls == ["car", "car", "truck_open", "truck_open"]  # other roads: snapped anew
    # the truck graph was derived from the car graph's roads: same as building it directly
    direct = NetworkSpec.model_validate(networks["truck"]).build(
        name="truck", crs=CRS, base_dir=tmp_path, load_layer=ctx.load_layer
    )
    derived = graph_for(ctx, "truck")
    assert derived.topology_key == graph_for(ctx, "car").topology_key
    np.testing.assert_array_equal(derived.edge_speed_kmh, direct.edge_speed_kmh)
    assert derived.profile == "truck"
    assert derived.name == "truck"


def test_file_source_relative_to_scenario(tmp_path):
    roads = make_roads().assign(oneway=["no", "yes", "no", "no"])
    roads.to_file(tmp_path / "my_roads.geojson", driver="GeoJSON")
    spec = {
        "source": {
            "file": "my_roads.geojson",
            "oneway_column": "oneway",
            "speed_column": "speed_kmh",
            "where": {"status": "open"},
        },
        "access": {"max_snap_m": 1500},
    }
    ctx, _ = make_ctx(tmp_path, networks={"local": spec})
    res = NetworkMeasure(
        layer="ports", where={"kind": "sea"}, network="local", metric="distance"
    ).compute(ctx)
    # B can no longer drive down the one-way (northbound) provincial road
    assert res.values[0] == pytest.approx(80 + 2500 + 50)
    assert np.isnan(res.values[1])
    assert "can be reached on network 'local'" in res.reasons[1]
    missing = {"source": {"file": "nope.gpkg"}}
    ctx, _ = make_ctx(tmp_path, networks={"local": missing})
    with pytest.raises(DataNotFoundError, match="nope.gpkg"):
        NetworkMeasure(layer="ports", network="local").compute(ctx)


def test_gates_layer_from_access(tmp_path):
    spec = {"source": "roads", "access": {"gates": "gates", "max_snap_m": 1500}}
    ctx, loads = make_ctx(tmp_path, networks={"default": spec})
    res = NetworkMeasure(layer="ports", where={"name": "North port"}, metric="distance").compute(
        ctx
    )
    assert "gates" in loads
    # C's gate at (100, 2960) is 40 m from the northern road; the port is 400 m east
    assert res.extra["snap_m"][2] == pytest.approx(40)
    assert res.values[2] == pytest.approx(40 + 400 + 100)
    assert res.extra["snap_m"][0] == pytest.approx(80)  # A has no gate


def test_default_network_is_the_bundled_roads(tmp_path):
    ctx, loads = make_ctx(tmp_path)
    res = NetworkMeasure(layer="ports").compute(ctx)
    assert "roads" in loads
    assert np.isfinite(res.values[:3]).all()


def test_errors_name_the_network_and_layer(tmp_path):
    ctx, _ = make_ctx(tmp_path, networks={"trunk": {"source": "roads"}})
    with pytest.raises(ParameterError, match="network 'city' is not defined"):
        NetworkMeasure(layer="ports", network="city").compute(ctx)
    with pytest.raises(LayerError, match="'ports' has no features"):
        NetworkMeasure(layer="ports", network="trunk", where={"kind": "air"}).compute(ctx)


# ------------------------------------------------------------------------------------------
# the bundled candidates on the bundled trunk network


ROADS_LAYER = Path(__file__).parents[1] / "layers" / "roads_osm.geojson"


@pytest.fixture(scope="module")
def bundled():
    if not ROADS_LAYER.is_file():
        pytest.skip("bundled layers/roads_*.geojson are not built yet")
    layers = pytest.importorskip("geosite.data.bundled")

    def load_layer(name, where):
        gdf = layers.read_layer(name).to_crs(CRS)
        for column, wanted in (where or {}).items():
            gdf = gdf[gdf[column].isin(wanted if isinstance(wanted, list) else [wanted])]
        return gdf

    return load_layer


@pytest.mark.parametrize("profile", ["truck", "car"])
def test_bundled_candidates_to_cai_mep(bundled, tmp_path, profile):
    spec = {
        "source": "roads",
        "profile": profile,
        "access": {"max_snap_m": 15000, "offroad_speed_kmh": 20},
    }
    ctx = MeasureContext(
        candidates=bundled("candidate_sites", None),
        crs=CRS,
        load_layer=bundled,
        resolve_path=lambda name: tmp_path,
        base_dir=tmp_path,
        networks={"trunk": spec},
    )
    port = {"port_id": "cai-mep-thi-vai"}
    dist = NetworkMeasure(layer="ports", where=port, network="trunk", metric="distance").compute(
        ctx
    )
    time = NetworkMeasure(layer="ports", where=port, network="trunk").compute(ctx)
    ok = np.isfinite(dist.values)
    assert ok.all(), dist.reasons
    # every candidate: road distance >= the straight line, edge to edge
    geometric = ctx.candidates.distance(bundled("ports", port).geometry.iloc[0]).to_numpy()
    assert np.all(dist.values >= dist.extra["straight_m"] - 1e-6)
    assert np.all(dist.values >= geometric - 1e-6)
    # times between the slowest and the fastest speed charged anywhere on the trip
    graph = graph_for(ctx, "trunk")
    slowest = min(20.0, graph.edge_speed_kmh.min())
    fastest = graph.edge_speed_kmh.max()
    hours = time.values / 60
    km = dist.values / 1000
    assert np.all(km / fastest <= hours + 1e-9)
    assert np.all(hours <= km / slowest + 1e-9)
    # Cai Mep is about 60-100 km by road from the HCMC candidates
    assert np.all((km > 5) & (km < 150))
    assert np.all(time.values < 240)
