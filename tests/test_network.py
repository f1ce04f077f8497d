"""Tests of geosite.network against hand computations and independent networkx searches."""

from __future__ import annotations

import functools
import importlib
import itertools
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import requests
import shapely
from shapely import LineString, Point

from geosite.errors import CRSError, DataNotFoundError, LayerError, NetworkError, ParameterError
from geosite.network import (
    accessibility,
    default_speeds,
    graph_from_gdf,
    graph_from_graphml,
    graph_from_layer,
    graph_from_osmnx,
    graph_from_pbf,
    graph_from_place,
    graph_from_xml,
    network_paths,
    snap_to_graph,
)

DATA = Path(__file__).parent / "data" / "network"
OSM = DATA / "hcmute_thuduc_drive.osm"
OVERPASS = DATA / "overpass_hcmute.json"
ROADS_LAYER = Path(__file__).parents[1] / "layers" / "roads_osm.geojson"
CRS = "EPSG:32648"
X0, Y0 = 700_000.0, 1_190_000.0  # near Thu Duc in UTM 48N


def roads(lines, crs=CRS, **columns):
    geoms = [LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


# ------------------------------------------------------------------------------------------
# building


def test_gdf_nodes_at_shared_vertices_and_ends():
    # a T: the long road's middle vertex is shared by the branch, so the long road splits
    g = graph_from_gdf(roads([[(0, 0), (500, 0), (1000, 0)], [(500, 0), (500, 400)]]))
    assert g.n_nodes == 4
    assert g.n_edges == 6  # 3 two-way segments
    assert sorted(np.round(g.edge_length_m[g.representative])) == [400, 500, 500]
    twins = g.edge_twin
    assert np.all(twins[twins] == np.arange(g.n_edges))


def test_gdf_crossing_without_shared_vertex_is_a_flyover():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)], [(500, -500), (500, 500)]]))
    assert g.n_nodes == 4
    assert len(np.unique(g.component)) == 2


def test_gdf_projects_geographic_input_to_utm():
    gdf = gpd.GeoDataFrame(
        geometry=[LineString([(106.70, 10.80), (106.71, 10.80)])], crs="EPSG:4326"
    )
    g = graph_from_gdf(gdf)
    assert g.crs.to_epsg() == 32648
    geod = gdf.to_crs(CRS).length.iloc[0]
    assert g.edge_length_m[0] == pytest.approx(geod)


def test_gdf_errors():
    with pytest.raises(CRSError, match="no CRS"):
        graph_from_gdf(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0)])]))
    with pytest.raises(LayerError, match="must hold lines"):
        graph_from_gdf(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=CRS))
    with pytest.raises(LayerError, match="no column"):
        graph_from_gdf(roads([[(0, 0), (10, 0)]]), oneway_column="oneway")
    with pytest.raises(CRSError, match="Mercator"):
        graph_from_gdf(roads([[(0, 0), (10, 0)]]), crs="EPSG:3857")
    with pytest.raises(NetworkError, match="no features"):
        graph_from_gdf(roads([[(0, 0), (10, 0)]], crs="EPSG:4326").iloc[:0])
    with pytest.raises(NetworkError, match="no line features"):
        graph_from_gdf(gpd.GeoDataFrame(geometry=[LineString()], crs=CRS))
    with pytest.raises(ParameterError, match="profile"):
        graph_from_gdf(roads([[(0, 0), (10, 0)]]), profile="bicycle")
    with pytest.raises(ParameterError, match="positive"):
        graph_from_gdf(roads([[(0, 0), (10, 0)]]), speeds={"trunk": 0})


def test_speeds_from_tags_table_and_profile():
    gdf = roads(
        [[(0, 0), (1000, 0)], [(0, 100), (1000, 100)], [(0, 200), (1000, 200)]],
        **{"class": ["trunk", "trunk", "mystery"], "maxspeed": ["60", None, "50 mph"]},
    )
    car = graph_from_gdf(gdf, speed_column="maxspeed")
    rep = car.representative
    assert list(car.edge_speed_kmh[rep]) == pytest.approx([60, 70, 80.4672])
    truck = graph_from_gdf(gdf, speed_column="maxspeed", profile="truck")
    # trucks: the lower of the posted speed and the truck class speed
    assert list(truck.edge_speed_kmh[rep]) == pytest.approx([55, 55, 25])
    table = graph_from_gdf(
        gdf, speed_column="maxspeed", use_speed_column=False, speeds={"trunk": 40}
    )
    assert list(table.edge_speed_kmh[rep]) == pytest.approx([40, 40, 30])
    assert table.edge_time_min[rep[0]] == pytest.approx(1000 / (40 / 0.06))
    assert default_speeds("car")["trunk"] == 70


def test_with_speeds_equals_a_fresh_build():
    gdf = roads(
        [[(0, 0), (1000, 0)], [(1000, 0), (1000, 800)]],
        **{"class": ["trunk", "residential"], "maxspeed": ["80", None]},
    )
    car = graph_from_gdf(gdf, speed_column="maxspeed")
    _ = car.component, car.edge_tree()
    for profile, use in (("truck", True), ("truck", False), ("car", False)):
        fresh = graph_from_gdf(
            gdf,
            speed_column="maxspeed",
            profile=profile,
            use_speed_column=use,
            speeds={"residential": 12},
        )
        derived = car.with_speeds(profile=profile, use_tagged=use, speeds={"residential": 12})
        np.testing.assert_array_equal(derived.edge_speed_kmh, fresh.edge_speed_kmh)
        np.testing.assert_allclose(derived.edge_time_min, fresh.edge_time_min)
        assert derived.topology_key == car.topology_key == fresh.topology_key
        assert derived.edge_tree() is car.edge_tree()


def test_oneway_column_directions():
    gdf = roads(
        [[(0, 0), (1000, 0)], [(0, 100), (1000, 100)], [(0, 200), (1000, 200)]],
        oneway=["yes", "-1", "no"],
    )
    g = graph_from_gdf(gdf, oneway_column="oneway")
    assert g.n_edges == 4
    xs = [
        (g.node_x[u] - X0, g.node_x[v] - X0, g.node_y[u] - Y0)
        for u, v in zip(g.edge_u, g.edge_v, strict=True)
    ]
    assert (0, 1000, 0) in xs  # as drawn
    assert (1000, 0, 100) in xs  # against the drawing
    assert (1000, 0, 0) not in xs
    assert graph_from_gdf(gdf, oneway_column="oneway", ignore_oneway=True).n_edges == 6


def test_csr_takes_minimum_over_parallel_edges():
    straight = [(0, 0), (1000, 0)]
    detour = [(0, 0), (500, 800), (1000, 0)]
    g = graph_from_gdf(roads([detour, straight]))
    m = g.csr("distance")
    assert m.nnz == 2
    assert m[[0], [1]][0] == pytest.approx(1000)
    # networkx sums parallel edges: the trap this avoids
    mg = nx.MultiDiGraph()
    for u, v, w in zip(g.edge_u, g.edge_v, g.edge_length_m, strict=True):
        mg.add_edge(int(u), int(v), weight=float(w))
    assert nx.to_scipy_sparse_array(mg, nodelist=[0, 1])[0, 1] > 2000
    res = accessibility(g, [pt(0, 0)], [pt(1000, 0)], metric="distance")
    assert res.values[0] == pytest.approx(1000)
    edge = g.edge_between([0, 1, 0], [1, 0, 0], metric="distance")
    assert g.edge_length_m[edge[:2]] == pytest.approx([1000, 1000])
    assert edge[2] == -1


# ------------------------------------------------------------------------------------------
# snapping and exact partial edges


def test_snap_to_nearest_point_of_nearest_edge():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]]))
    diamond = shapely.Polygon(
        [(X0 + 250, Y0 + 50), (X0 + 350, Y0 + 150), (X0 + 250, Y0 + 250), (X0 + 150, Y0 + 150)]
    )
    snap = snap_to_graph(g, gpd.GeoSeries([pt(990, 600), diamond], crs=CRS))
    assert snap.distance_m == pytest.approx([10, 50])
    assert snap.point[0].equals_exact(pt(1000, 600), 1e-9)
    assert snap.fraction[0] == pytest.approx(0.6)
    assert snap.point[1].equals_exact(pt(250, 0), 1e-9)  # below the diamond's lowest corner
    assert snap.origin[1].equals_exact(pt(250, 50), 1e-9)


def test_partial_edges_are_exact_and_respect_one_way():
    # one-way eastbound road 0 -> 1000 m
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)]], oneway=[True]), oneway_column="oneway")
    east = accessibility(g, [pt(200, 0)], [pt(700, 0)], metric="distance")
    assert east.values[0] == pytest.approx(500)
    west = accessibility(g, [pt(700, 0)], [pt(200, 0)], metric="distance")
    assert np.isnan(west.values[0])
    assert "can be reached" in west.reasons[0]
    # the facility drives back to the parcel: "from" reverses the question
    back = accessibility(g, [pt(700, 0)], [pt(200, 0)], metric="distance", direction="from")
    assert back.values[0] == pytest.approx(500)


def test_offsets_through_nodes_both_directions():
    # square loop 4 km, one-way clockwise (0,0)->(0,1000)->(1000,1000)->(1000,0)->(0,0)
    loop = [(0, 0), (0, 1000), (1000, 1000), (1000, 0), (0, 0)]
    g = graph_from_gdf(roads([loop], oneway=[1]), oneway_column="oneway")
    parcel, fac = pt(0, 300), pt(0, 100)  # the facility is 200 m behind on a one-way loop
    res = accessibility(g, [parcel], [fac], metric="distance")
    assert res.values[0] == pytest.approx(4000 - 200)
    two_way = graph_from_gdf(roads([loop]))
    assert accessibility(two_way, [parcel], [fac], metric="distance").values[0] == pytest.approx(
        200
    )


def test_legs_count_in_distance_and_at_offroad_speed_in_time():
    g = graph_from_gdf(roads([[(0, 0), (6000, 0)]], **{"class": ["trunk"]}))
    parcels, fac = [pt(1000, 300)], [pt(5000, -100)]
    dist = accessibility(g, parcels, fac, metric="distance")
    assert dist.values[0] == pytest.approx(300 + 4000 + 100)
    assert dist.snap_m[0] == pytest.approx(300)
    assert dist.straight_m[0] == pytest.approx(np.hypot(4000, 400))
    free = accessibility(g, parcels, fac, metric="time")
    assert free.values[0] == pytest.approx(4000 * 0.06 / 70)
    paid = accessibility(g, parcels, fac, metric="time", offroad_speed_kmh=20)
    assert paid.values[0] == pytest.approx(4000 * 0.06 / 70 + 400 * 0.06 / 20)


def test_detour_ratio_by_hand():
    # L-shaped road: 3 km east then 4 km north; straight line 5 km
    g = graph_from_gdf(roads([[(0, 0), (3000, 0), (3000, 4000)]]))
    res = accessibility(g, [pt(0, 0)], [pt(3000, 4000)], statistic="detour_ratio")
    assert res.values[0] == pytest.approx(7000 / 5000)
    assert res.straight_m[0] == pytest.approx(5000)


def test_kth_mean_and_count_by_hand():
    # one straight two-way road, 60 km/h (1 km per minute), facilities at 1, 2, 4 and 7 km
    g = graph_from_gdf(roads([[(0, 0), (10_000, 0)]]), speeds={"default": 60})
    facs = [pt(1000, 0), pt(2000, 0), pt(4000, 0), pt(7000, 0)]
    parcels = [pt(0, 0), pt(5000, 0)]
    near = accessibility(g, parcels, facs)
    assert near.values == pytest.approx([1, 1])
    assert list(near.facility) == [0, 2]
    kth = accessibility(g, parcels, facs, statistic="kth_nearest", k=3)
    assert kth.values == pytest.approx([4, 3])
    assert list(kth.facility) == [2, 1]
    mean = accessibility(g, parcels, facs, statistic="mean_k_nearest", k=2)
    assert mean.values == pytest.approx([1.5, 1.5])
    count = accessibility(g, parcels, facs, statistic="count_within", within=3.5)
    assert count.values == pytest.approx([2, 3])
    count_m = accessibility(
        g, parcels, facs, metric="distance", statistic="count_within", within=2000
    )
    assert count_m.values == pytest.approx([2, 2])
    too_many = accessibility(g, parcels, facs, statistic="kth_nearest", k=5)
    assert np.isnan(too_many.values).all()
    assert "only 4 usable facilities" in too_many.reasons[0]


def test_unreachable_is_nan_with_reason_never_zero():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)], [(0, 5000), (1000, 5000)]]))
    res = accessibility(g, [pt(500, 10), pt(500, 5010)], [pt(100, 0)], metric="distance")
    assert res.values[0] == pytest.approx(410)
    assert np.isnan(res.values[1])
    assert "no facility" in res.reasons[1]
    count = accessibility(g, [pt(500, 5010)], [pt(100, 0)], statistic="count_within", within=5)
    assert count.values[0] == 0  # a count of zero is a real value


def test_flags_far_parcels_and_small_components():
    big = [[(i * 100, 0), ((i + 1) * 100, 0)] for i in range(30)]
    g = graph_from_gdf(roads([*big, [(0, 9000), (50, 9000)]]))
    res = accessibility(
        g, [pt(500, 1500), pt(20, 9000), pt(500, 5)], [pt(2000, 0)], max_snap_m=1000
    )
    assert np.isnan(res.values[:2]).all()
    assert "1,500 m away" in res.reasons[0]
    assert "small disconnected part" in res.reasons[1]
    assert np.isfinite(res.values[2])
    with pytest.warns(UserWarning, match="1 of 2 facilities"):
        accessibility(g, [pt(500, 5)], [pt(2000, 0), pt(2000, 5000)], max_snap_m=1000)
    with pytest.raises(NetworkError, match="no facility of layer 'ports'"):
        accessibility(g, [pt(500, 5)], [pt(2000, 5000)], max_snap_m=1000, layer_name="ports")


def test_gates_replace_edge_snapping():
    # the parcel lies next to the highway, but its only gate opens on the back road
    g = graph_from_gdf(
        roads([[(0, 0), (4000, 0)], [(0, 500), (4000, 500)], [(4000, 0), (4000, 500)]]),
        speeds={"default": 60},
    )
    parcel = shapely.Polygon(
        [(X0 + 200, Y0 + 20), (X0 + 300, Y0 + 240), (X0 + 200, Y0 + 460), (X0 + 100, Y0 + 240)]
    )
    parcels = gpd.GeoSeries([parcel, pt(3000, 10)], crs=CRS)
    fac = [pt(2000, 0)]
    plain = accessibility(g, parcels, fac, metric="distance")
    assert plain.values == pytest.approx([20 + 1800, 10 + 1000])
    snap = snap_to_graph(g, parcels, gates=[pt(200, 460), pt(200, 470), pt(900, 900)])
    assert snap.owner.tolist() == [0, 0, 1]  # two gates for the diamond, none for the point
    gated = accessibility(g, snap, fac, metric="distance")
    # the better gate: 30 m to the back road, 3800 east, 500 down, 2000 west
    assert gated.values == pytest.approx([30 + 3800 + 500 + 2000, 10 + 1000])
    assert gated.snap_m == pytest.approx([30, 10])
    assert gated.origin.tolist() == [1, 2]


def test_empty_parcel_geometry_gets_a_reason():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)]]))
    res = accessibility(g, [None, Point(), pt(100, 10)], [pt(900, 0)], metric="distance")
    assert np.isnan(res.values[:2]).all()
    assert all("empty geometry" in r for r in res.reasons[:2])
    assert res.values[2] == pytest.approx(810)


def test_argument_errors():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)]]))
    with pytest.raises(ParameterError, match="metric"):
        accessibility(g, [pt(0, 0)], [pt(1, 0)], metric="cost")
    with pytest.raises(ParameterError, match="within"):
        accessibility(g, [pt(0, 0)], [pt(1, 0)], statistic="count_within")
    with pytest.raises(ParameterError, match="k must be"):
        accessibility(g, [pt(0, 0)], [pt(1, 0)], statistic="kth_nearest", k=0)
    with pytest.raises(LayerError, match="no facilities"):
        accessibility(g, [pt(0, 0)], [])


def test_paths_through_nodes_in_travel_order():
    g = graph_from_gdf(
        roads([[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)], [(1000, 1000), (2000, 1000)]])
    )
    for direction in ("to", "from"):
        paths = network_paths(
            g, [pt(500, -20)], [pt(1500, 1030)], metric="distance", direction=direction
        )
        line = paths.geometry.iloc[0]
        assert line.length == pytest.approx(20 + 500 + 1000 + 500 + 30)
        assert paths["cost"].iloc[0] == pytest.approx(line.length)
        start, end = (pt(500, -20), pt(1500, 1030))
        if direction == "from":
            start, end = end, start
        assert Point(line.coords[0]).equals_exact(start, 1e-9)
        assert Point(line.coords[-1]).equals_exact(end, 1e-9)


def test_paths_follow_the_road():
    g = graph_from_gdf(roads([[(0, 0), (3000, 0), (3000, 4000)]]))
    paths = network_paths(g, [pt(1000, 100)], [pt(3100, 2000)], metric="distance")
    assert len(paths) == 1
    line = paths.geometry.iloc[0]
    assert line.length == pytest.approx(paths["cost"].iloc[0])
    assert line.length == pytest.approx(100 + 2000 + 2000 + 100)
    assert Point(line.coords[0]).equals_exact(pt(1000, 100), 1e-9)


# ------------------------------------------------------------------------------------------
# the real OSM file against an independent networkx computation


@functools.cache
def _osmnx_edges(osm_path):
    """Return osmnx's own edges of an OSM file, projected: (u, v, key, geometry)."""
    G = ox.project_graph(ox.graph_from_xml(osm_path, retain_all=True), to_crs=CRS)
    edges = []
    for u, v, k, d in G.edges(keys=True, data=True):
        geom = d.get("geometry") or LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
        edges.append((u, v, k, geom))
    return tuple(edges)


def _independent(osm_path, parcels, facs, *, direction="to"):  # noqa: C901
    """Split osmnx's edges at the snapped points, search with networkx; add the legs."""
    edges = _osmnx_edges(osm_path)
    on_edge, legs = defaultdict(list), {}
    named = [(("p", i), p) for i, p in enumerate(parcels)]
    named += [(("f", j), q) for j, q in enumerate(facs)]
    for name, p in named:
        dist = [e[3].distance(p) for e in edges]
        best = edges[int(np.argmin(dist))][3]
        legs[name] = min(dist)
        for e in edges:  # both directions of a two-way road share the geometry
            if e[3].equals(best):
                on_edge[e[:3]].append((e[3].project(p) / e[3].length, name))
    H = nx.DiGraph()

    def add(a, b, w):
        if not H.has_edge(a, b) or H[a][b]["w"] > w:
            H.add_edge(a, b, w=w)

    for u, v, k, geom in edges:
        chain = [(0.0, u), *sorted(on_edge.get((u, v, k), [])), (1.0, v)]
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            add(a, b, (t1 - t0) * geom.length)
    for j in range(len(facs)):
        if direction == "to":
            add(("f", j), "END", legs[("f", j)])
        else:
            add("START", ("f", j), legs[("f", j)])
    out = []
    if direction == "from":
        reach = nx.single_source_dijkstra_path_length(H, "START", weight="w")
    for i in range(len(parcels)):
        if direction == "to":
            try:
                d = nx.shortest_path_length(H, ("p", i), "END", weight="w")
            except nx.NetworkXNoPath:
                d = np.nan
        else:
            d = reach.get(("p", i), np.nan)
        out.append(d + legs[("p", i)])
    return np.array(out)


@pytest.fixture(scope="module")
def osm_points():
    g = graph_from_xml(OSM, network_type="all")
    rng = np.random.default_rng(4)
    lo_x, hi_x = g.node_x.min(), g.node_x.max()
    lo_y, hi_y = g.node_y.min(), g.node_y.max()
    pts = shapely.points(rng.uniform(lo_x, hi_x, 33), rng.uniform(lo_y, hi_y, 33))
    # one parcel on the same edge as a facility, to exercise the shared-edge case
    return g, list(pts[:30]), list(pts[30:])


def test_snap_distance_equals_brute_force(osm_points):
    g, parcels, _ = osm_points
    rng = np.random.default_rng(5)
    far = shapely.points(g.node_x.min() - rng.uniform(100, 900, 5), g.node_y.mean())
    geoms = np.concatenate([parcels, shapely.buffer(parcels, 25), far])
    snap = snap_to_graph(g, geoms)
    edges = g.edge_geometry[g.representative]
    brute = np.array([shapely.distance(geom, edges).min() for geom in geoms])
    # a geometry may join several equally near edges: every row has its geometry's distance
    np.testing.assert_allclose(snap.distance_m, brute[snap.owner], atol=1e-6)
    on_edge = shapely.distance(snap.point, g.edge_geometry[snap.edge])
    assert on_edge.max() < 1e-6
    np.testing.assert_allclose(shapely.distance(snap.origin, snap.point), snap.distance_m)


@pytest.mark.parametrize("direction", ["to", "from"])
def test_osm_distances_equal_networkx(osm_points, direction):
    g, parcels, facs = osm_points
    expected = _independent(OSM, parcels, facs, direction=direction)
    res = accessibility(
        g,
        parcels,
        facs,
        metric="distance",
        direction=direction,
        max_snap_m=None,
        min_component_share=0,
    )
    assert np.array_equal(np.isnan(res.values), np.isnan(expected))
    assert np.isnan(expected).sum() < len(expected) // 2
    np.testing.assert_allclose(res.values, expected, rtol=1e-9, atol=1e-6)
    for value, reason in zip(res.values, res.reasons, strict=True):
        assert np.isnan(value) == (reason is not None)


@pytest.mark.parametrize("direction", ["to", "from"])
def test_osm_kth_and_counts_equal_networkx(osm_points, direction):
    g, parcels, facs = osm_points
    # one independent search per facility: a parcels x facilities matrix of road distances
    matrix = np.column_stack([_independent(OSM, parcels, [f], direction=direction) for f in facs])
    ranked = np.sort(np.where(np.isnan(matrix), np.inf, matrix), axis=1)
    kw = {
        "metric": "distance",
        "max_snap_m": None,
        "min_component_share": 0,
        "direction": direction,
    }
    second = accessibility(g, parcels, facs, statistic="kth_nearest", k=2, **kw)
    want = np.where(np.isfinite(ranked[:, 1]), ranked[:, 1], np.nan)
    np.testing.assert_allclose(second.values, want, rtol=1e-9, atol=1e-6)
    mean2 = accessibility(g, parcels, facs, statistic="mean_k_nearest", k=2, **kw)
    want = ranked[:, :2].mean(axis=1)
    np.testing.assert_allclose(mean2.values, np.where(np.isfinite(want), want, np.nan))
    within = float(np.nanmedian(matrix))
    count = accessibility(g, parcels, facs, statistic="count_within", within=within, **kw)
    np.testing.assert_array_equal(count.values, (ranked <= within).sum(axis=1))


def test_osm_times_match_distances_at_one_speed(osm_points):
    g, parcels, facs = osm_points
    flat = graph_from_xml(
        OSM,
        network_type="all",
        use_maxspeed=False,
        speeds={"default": 36.0, **dict.fromkeys(set(g.edge_class), 36.0)},
    )
    dist = accessibility(
        flat,
        parcels,
        facs,
        metric="distance",
        max_snap_m=None,
        min_component_share=0,
        offroad_speed_kmh=36,
    )
    time = accessibility(
        flat,
        parcels,
        facs,
        metric="time",
        max_snap_m=None,
        min_component_share=0,
        offroad_speed_kmh=36,
    )
    np.testing.assert_allclose(time.values, dist.values * 0.06 / 36)


def test_osm_times_equal_networkx_with_tag_and_table_speeds(osm_points):
    # independent speeds: maxspeed tag where numeric, else the car table (links at 70 %)
    g = osm_points[0]
    table = default_speeds("car")
    G = ox.project_graph(ox.graph_from_xml(OSM, retain_all=True), to_crs=CRS)
    H = nx.MultiDiGraph()
    for u, v, d in G.edges(data=True):
        geom = d.get("geometry") or LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
        tag = d.get("maxspeed")
        tag = tag[0] if isinstance(tag, list) else tag
        cls = d["highway"][0] if isinstance(d["highway"], list) else d["highway"]
        base = table.get(cls.removesuffix("_link"), table["default"])
        speed = (
            float(tag)
            if tag and str(tag).isdigit()
            else (table.get(cls) or (0.7 * base if cls.endswith("_link") else table["default"]))
        )
        H.add_edge(u, v, w=geom.length * 0.06 / speed)
    # facilities and parcels at nodes, so no partial edges are involved
    nodes = list(G.nodes)
    rng = np.random.default_rng(9)
    fac_nodes = [nodes[i] for i in rng.choice(len(nodes), 3, replace=False)]
    par_nodes = [nodes[i] for i in rng.choice(len(nodes), 25, replace=False)]
    rev = H.reverse()
    dist = nx.multi_source_dijkstra_path_length(rev, set(fac_nodes), weight="w")
    expected = np.array([dist.get(n, np.nan) for n in par_nodes])
    pts = [Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in par_nodes]
    fpts = [Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in fac_nodes]
    res = accessibility(g, pts, fpts, metric="time", max_snap_m=None, min_component_share=0)
    assert np.array_equal(np.isnan(res.values), np.isnan(expected))
    np.testing.assert_allclose(res.values, expected, rtol=1e-9, atol=1e-9)


def test_osm_filter_drops_non_roads(tmp_path):
    # add a building way to the file: it must not become an edge
    text = OSM.read_text(encoding="utf-8")
    first = text.index("<way")
    building = (
        '<way id="1"><nd ref="366370943"/><nd ref="366372322"/><nd ref="366370943"/>'
        '<tag k="building" v="yes"/></way>\n '
    )
    path = tmp_path / "with_building.osm"
    path.write_text(text[:first] + building + text[first:], encoding="utf-8")
    assert graph_from_xml(path, network_type="all").n_edges == 307
    drive = graph_from_xml(path, network_type="drive")
    assert "service" not in set(drive.edge_class)
    assert drive.n_edges < 307
    with pytest.raises(DataNotFoundError, match="does not exist"):
        graph_from_xml(tmp_path / "missing.osm")
    with pytest.raises(ParameterError, match="network_type 'bike'"):
        graph_from_xml(path, network_type="bike")


def test_osm_oneways_and_components():
    g = graph_from_xml(OSM, network_type="all")
    assert (g.n_nodes, g.n_edges) == (138, 307)
    assert sorted(np.bincount(g.component)) == [2, 2, 4, 130]
    assert g.edge_oneway.sum() == 21
    assert np.all(g.edge_twin[~g.edge_oneway] >= 0)
    assert np.all(g.edge_twin[g.edge_oneway] < 0)


def test_pbf_and_graphml_match_xml(tmp_path, osm_points):
    osmium = pytest.importorskip("osmium")
    g, parcels, facs = osm_points
    pbf = tmp_path / "hcmute.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    from_pbf = graph_from_pbf(pbf, network_type="all")
    ml = tmp_path / "hcmute.graphml"
    ox.save_graphml(ox.graph_from_xml(OSM, retain_all=True), ml)
    from_ml = graph_from_graphml(ml)
    kw = {"metric": "time", "max_snap_m": None, "min_component_share": 0}
    want = accessibility(g, parcels, facs, **kw).values
    np.testing.assert_allclose(accessibility(from_pbf, parcels, facs, **kw).values, want)
    np.testing.assert_allclose(accessibility(from_ml, parcels, facs, **kw).values, want)


def test_osmnx_graph_ignore_oneway_adds_reverse_edges():
    G = ox.graph_from_xml(OSM, retain_all=True)
    g = graph_from_osmnx(G, ignore_oneway=True)
    assert g.n_edges == 307 + 21
    assert np.all(g.edge_twin >= 0)


# ------------------------------------------------------------------------------------------
# online path, with the transport replayed


def _response(url, payload):
    r = requests.Response()
    r.status_code = 200
    r.url = url
    r.reason = "OK"
    r._content = json.dumps(payload).encode("utf-8")
    return r


@pytest.fixture
def replay(monkeypatch):
    calls = []
    overpass = json.loads(OVERPASS.read_text(encoding="utf-8"))
    place = [
        {
            "place_id": 1,
            "osm_type": "relation",
            "osm_id": 1,
            "lat": "10.852",
            "lon": "106.772",
            "class": "boundary",
            "type": "administrative",
            "place_rank": 16,
            "importance": 0.5,
            "addresstype": "suburb",
            "name": "HCMUTE",
            "display_name": "HCMUTE, Thu Duc, Vietnam",
            "boundingbox": ["10.8495", "10.8548", "106.7686", "106.7752"],
            "geojson": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [106.7686, 10.8495],
                        [106.7752, 10.8495],
                        [106.7752, 10.8548],
                        [106.7686, 10.8548],
                        [106.7686, 10.8495],
                    ]
                ],
            },
        }
    ]

    def post(url, **kwargs):
        calls.append(url)
        return _response(url, overpass)

    def get(url, **kwargs):
        calls.append(url)
        return _response(url, place)

    monkeypatch.setattr(requests, "post", post)
    monkeypatch.setattr(requests, "get", get)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr("osmnx._http._config_dns", lambda url: None)
    monkeypatch.setattr("osmnx._nominatim.time.sleep", lambda s: None)
    monkeypatch.setattr("osmnx._overpass.time.sleep", lambda s: None)
    return calls


def _offline(monkeypatch):
    def refuse(*args, **kwargs):
        msg = "no internet in tests"
        raise AssertionError(msg)

    monkeypatch.setattr(requests, "post", refuse)
    monkeypatch.setattr(requests, "get", refuse)


def test_place_bbox_downloads_once_then_reads_cache(tmp_path, replay, monkeypatch):
    bbox = (106.7686, 10.8495, 106.7752, 10.8548)
    first = graph_from_place(bbox, cache_dir=tmp_path)
    assert replay
    assert any("interpreter" in c for c in replay)
    assert list(tmp_path.glob("osm-*.graphml"))
    _offline(monkeypatch)
    second = graph_from_place(list(bbox), cache_dir=tmp_path)
    assert (second.n_nodes, second.n_edges) == (first.n_nodes, first.n_edges)
    np.testing.assert_allclose(np.sort(second.edge_length_m), np.sort(first.edge_length_m))


def test_place_name_geocodes_then_reads_cache(tmp_path, replay, monkeypatch):
    g = graph_from_place("HCMUTE, Thu Duc", cache_dir=tmp_path, network_type="drive")
    assert any("search" in c for c in replay)
    assert g.n_edges > 50
    _offline(monkeypatch)
    assert (
        graph_from_place("HCMUTE, Thu Duc", cache_dir=tmp_path, network_type="drive").n_edges
        == g.n_edges
    )


def test_place_without_internet_names_the_fix(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests, "post", fail)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr("osmnx._http._config_dns", lambda url: None)
    monkeypatch.setattr("osmnx._overpass.time.sleep", lambda s: None)
    with pytest.raises(NetworkError, match="cached graph"):
        graph_from_place((106.0, 10.0, 106.1, 10.1), cache_dir=tmp_path)
    with pytest.raises(ParameterError, match="west"):
        graph_from_place((106.1, 10.0, 106.0, 10.1), cache_dir=tmp_path)


@pytest.mark.network
def test_place_live(tmp_path):
    g = graph_from_place((106.7686, 10.8495, 106.7752, 10.8548), cache_dir=tmp_path)
    assert g.n_edges > 50


# ------------------------------------------------------------------------------------------
# the bundled trunk network


def test_layer_missing_module_or_layer_is_reported(monkeypatch):
    real = importlib.import_module

    def fake(name, *args):
        if name == "geosite.data.bundled":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(DataNotFoundError, match="roads"):
        graph_from_layer("roads")


@pytest.fixture(scope="module")
def trunk():
    if not ROADS_LAYER.is_file():
        pytest.skip("bundled layers/roads_*.geojson are not built yet")
    layers = pytest.importorskip("geosite.data.bundled")
    assert len(layers.read_layer("roads")) > 0
    return graph_from_layer("roads", profile="truck")


def test_trunk_network_distance_at_least_straight_line(trunk):
    g = trunk
    rng = np.random.default_rng(8)
    lo_x, lo_y = g.node_x.min(), g.node_y.min()
    hi_x, hi_y = g.node_x.max(), g.node_y.max()
    parcels = shapely.points(rng.uniform(lo_x, hi_x, 200), rng.uniform(lo_y, hi_y, 200))
    port = gpd.GeoSeries([Point(107.00131, 10.53578)], crs="EPSG:4326").to_crs(g.crs)
    res = accessibility(g, parcels, port, metric="distance", max_snap_m=None, min_component_share=0)
    ok = np.isfinite(res.values)
    assert ok.sum() > 50
    direct = shapely.distance(parcels[ok], port.iloc[0])
    assert np.all(res.values[ok] >= direct - 1e-6)
    assert np.all(res.values[ok] >= res.straight_m[ok] - 1e-6)


def test_trunk_times_to_cai_mep_are_plausible(trunk):
    g = trunk
    port = gpd.GeoSeries([Point(107.00131, 10.53578)], crs="EPSG:4326").to_crs(g.crs)
    hcmc = gpd.GeoSeries([Point(106.70, 10.78)], crs="EPSG:4326").to_crs(g.crs)
    time = accessibility(g, hcmc, port, metric="time", max_snap_m=None, min_component_share=0)
    dist = accessibility(g, hcmc, port, metric="distance", max_snap_m=None, min_component_share=0)
    assert 50_000 < dist.values[0] < 150_000  # Cai Mep is about 60-80 km by road from HCMC
    speed = dist.values[0] / 1000 / (time.values[0] / 60)
    assert g.edge_speed_kmh.min() <= speed <= g.edge_speed_kmh.max()


def test_every_public_name_imports_from_the_package_and_osmnx_loads_on_first_use():
    code = (
        "import sys, geosite, geosite.network as n\n"
        "assert 'osmnx' not in sys.modules, 'import geosite.network imported osmnx'\n"
        "for name in n.__all__:\n"
        "    assert getattr(n, name) is not None, name\n"
        "assert 'osmnx' in sys.modules\n"
        "from geosite.network import graph_from_xml\n"
        "assert graph_from_xml.__module__ == 'geosite.network._osmnx'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_one_module_imports_osmnx():
    package = Path(__file__).parents[1] / "geosite"
    importers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if re.search(r"^\s*(import osmnx|from osmnx)", p.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importers == ["network/_osmnx.py"]


# ------------------------------------------------------------------------------------------
# exact routing from any point: junctions, one-way streets, parcels crossed by roads


def _reference_matrix(osm_path, parcels, facs, *, direction):  # noqa: C901
    """Road distances parcels x facilities by networkx on osmnx's own edges, legs modelled.

    Every site joins each road it touches anywhere along the part inside it (no leg), or
    else every road at its smallest distance at the nearest point (a leg of that length). A
    join point on a road's end is the junction itself. Edges are split at every join point.
    """
    edges = _osmnx_edges(osm_path)
    geoms = [e[3] for e in edges]
    splits = defaultdict(list)  # edge position -> [(t, split node)]
    links = []  # (site, edge position, lo, hi, leg): the site joins [lo, hi] of the edge
    sites = [(("p", i), g) for i, g in enumerate(parcels)] + [
        (("f", j), g) for j, g in enumerate(facs)
    ]
    for name, site in sites:
        dist = np.array([site.distance(g) for g in geoms])
        near = np.flatnonzero(dist <= dist.min() + 1e-6)
        for k, e in enumerate(near):
            g = geoms[e]
            same = [x for x, h in enumerate(geoms) if h.equals(g)]  # both ways of a road
            if dist.min() <= 0:
                parts = shapely.get_parts(g.intersection(site))
                ends = [(p.coords[0], p.coords[-1]) for p in parts]
            else:
                q = shapely.ops.nearest_points(g, site)[0]
                ends = [(q.coords[0], q.coords[0])]
            for m, (a, b) in enumerate(ends):
                for x in same:
                    h = geoms[x]
                    ta, tb = sorted((h.project(Point(a)), h.project(Point(b))))
                    lo, hi = (ta / h.length, tb / h.length)
                    lo = 0.0 if ta < 1e-6 else (1.0 if h.length - ta < 1e-6 else lo)
                    hi = 0.0 if tb < 1e-6 else (1.0 if h.length - tb < 1e-6 else hi)
                    splits[x] += [(lo, (name, k, m, "a")), (hi, (name, k, m, "b"))]
                    links.append((name, x, lo, hi, float(dist.min())))
    H = nx.DiGraph()

    def add(a, b, w):
        if not H.has_edge(a, b) or H[a][b]["w"] > w:
            H.add_edge(a, b, w=w)

    chains = {}
    for x, (u, v, _, g) in enumerate(edges):
        inner = [(t, node) for t, node in splits.get(x, []) if 0.0 < t < 1.0]
        chain = [(0.0, u), *sorted(inner, key=lambda s: s[0]), (1.0, v)]
        chains[x] = chain
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            add(a, b, (t1 - t0) * g.length)
    for name, x, lo, hi, leg in links:
        for t, node in chains[x]:
            if lo - 1e-12 <= t <= hi + 1e-12:
                is_parcel = name[0] == "p"
                outward = is_parcel == (direction == "to")
                add(*((name, node) if outward else (node, name)), leg)
    out = np.full((len(parcels), len(facs)), np.nan)
    for j in range(len(facs)):
        if direction == "to":
            reach = nx.single_source_dijkstra_path_length(
                H.reverse(copy=False), ("f", j), weight="w"
            )
        else:
            reach = nx.single_source_dijkstra_path_length(H, ("f", j), weight="w")
        for i in range(len(parcels)):
            out[i, j] = reach.get(("p", i), np.nan)
    return out


@functools.cache
def _junction_sites():
    """Parcels and facilities on junctions, one-way edges, edge midpoints, and crossed by roads."""
    g = graph_from_xml(OSM, network_type="all")
    rng = np.random.default_rng(17)
    one = np.flatnonzero(g.edge_oneway)
    two = g.representative[~g.edge_oneway[g.representative]]
    node_of_oneway = np.unique(np.concatenate([g.edge_u[one], g.edge_v[one]]))

    def nodes(idx):
        return list(shapely.points(g.node_x[idx], g.node_y[idx]))

    def along(e_idx, t):
        return list(shapely.line_interpolate_point(g.edge_geometry[e_idx], t, normalized=True))

    lo_x, hi_x = g.node_x.min(), g.node_x.max()
    lo_y, hi_y = g.node_y.min(), g.node_y.max()
    parcels = (
        list(shapely.points(rng.uniform(lo_x, hi_x, 8), rng.uniform(lo_y, hi_y, 8)))
        + nodes(rng.choice(node_of_oneway, 6, replace=False))
        + nodes(rng.choice(g.n_nodes, 3, replace=False))
        + along(rng.choice(one, 4, replace=False), 0.5)
        + along(rng.choice(one, 2, replace=False), rng.uniform(0.1, 0.9, 2))
        + along(rng.choice(two, 2, replace=False), 0.5)
        # polygons crossed by several roads, and one touching nothing
        + list(
            shapely.buffer(
                shapely.points(rng.uniform(lo_x, hi_x, 4), rng.uniform(lo_y, hi_y, 4)), 80
            )
        )
        + list(shapely.buffer(nodes(rng.choice(node_of_oneway, 2, replace=False)), 40))
    )
    facs = (
        nodes(rng.choice(node_of_oneway, 4, replace=False))
        + along(rng.choice(one, 2, replace=False), 0.5)
        + list(shapely.points(rng.uniform(lo_x, hi_x, 2), rng.uniform(lo_y, hi_y, 2)))
        + list(shapely.buffer(along(rng.choice(two, 1), 0.3), 60))
    )
    # a facility on the same one-way edge as a parcel, ahead of it and behind it
    e = int(rng.choice(one))
    parcels += along(np.array([e]), 0.4)
    facs += along(np.array([e, e]), [0.7, 0.2])
    return g, parcels, facs


@pytest.mark.parametrize("direction", ["to", "from"])
def test_routing_equals_networkx_from_any_point_for_every_pair(direction):
    g, parcels, facs = _junction_sites()
    expected = _reference_matrix(OSM, parcels, facs, direction=direction)
    got = np.column_stack(
        [
            accessibility(
                g,
                parcels,
                [f],
                metric="distance",
                direction=direction,
                max_snap_m=None,
                min_component_share=0,
            ).values
            for f in facs
        ]
    )
    assert expected.size == len(parcels) * len(facs) >= 300
    assert np.isfinite(expected).sum() >= 150
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)
    # the nearest facility and the statistics over several agree with the same matrix
    ranked = np.sort(np.where(np.isnan(expected), np.inf, expected), axis=1)
    kw = {"metric": "distance", "direction": direction, "max_snap_m": None}
    kw["min_component_share"] = 0
    nearest = accessibility(g, parcels, facs, **kw).values
    np.testing.assert_allclose(nearest, np.where(np.isinf(ranked[:, 0]), np.nan, ranked[:, 0]))
    third = accessibility(g, parcels, facs, statistic="kth_nearest", k=3, **kw).values
    np.testing.assert_allclose(third, np.where(np.isinf(ranked[:, 2]), np.nan, ranked[:, 2]))
    within = float(np.nanmedian(expected))
    count = accessibility(g, parcels, facs, statistic="count_within", within=within, **kw)
    np.testing.assert_array_equal(count.values, (ranked <= within).sum(axis=1))


def test_parcel_crossed_twice_by_one_straight_road_pays_for_the_gap():
    # one straight two-point road enters the parcel, leaves it, enters again: the stretch
    # between the two parts is outside the parcel and must be driven
    g = graph_from_gdf(roads([[(0, 0), (3000, 0)]]))
    u_shape = shapely.union(
        shapely.box(X0 + 500, Y0 - 50, X0 + 1000, Y0 + 50),
        shapely.box(X0 + 2000, Y0 - 50, X0 + 2500, Y0 + 50),
    )
    snap = snap_to_graph(g, [u_shape])
    stretches = np.sort(np.column_stack([snap.fraction, snap.end]), axis=0)
    np.testing.assert_allclose(stretches, [[1 / 6, 1 / 3], [2 / 3, 5 / 6]])
    res = accessibility(g, snap, [pt(1500, 0)], metric="distance")
    assert res.values[0] == pytest.approx(500.0)
    assert res.snap_m[0] == 0.0


def test_parcel_joins_the_road_anywhere_inside_it():
    # a 2 km road crosses the parcel; the facility lies 5 km beyond either end
    g = graph_from_gdf(roads([[(-5000, 0), (7000, 0)]], **{"class": ["trunk"]}))
    parcel = shapely.box(X0, Y0 - 100, X0 + 2000, Y0 + 100)
    for fx, want in ((7000, 5000), (-5000, 5000), (1000, 0)):
        res = accessibility(g, [parcel], [pt(fx, 0)], metric="distance")
        assert res.values[0] == pytest.approx(want)
    time = accessibility(g, [parcel], [pt(7000, 0)], metric="time").values[0]
    assert time == pytest.approx(5000 * 0.06 / 70)


def test_point_on_a_junction_of_one_way_streets_uses_every_street():
    # four one-way streets meet at J: in from the west and south, out to the east and north
    streets = [[(-500, 0), (0, 0)], [(0, -500), (0, 0)], [(0, 0), (500, 0)], [(0, 0), (0, 500)]]
    g = graph_from_gdf(roads(streets, oneway=[True] * 4), oneway_column="oneway")
    for fac, want in ((pt(500, 0), 500.0), (pt(0, 500), 500.0)):
        res = accessibility(g, [pt(0, 0)], [fac], metric="distance", min_component_share=0)
        assert res.values[0] == pytest.approx(want)
    # and a facility on the junction is reached from both incoming streets
    res = accessibility(g, [pt(-500, 0), pt(0, -500)], [pt(0, 0)], metric="distance")
    np.testing.assert_allclose(res.values, [500.0, 500.0])


# ------------------------------------------------------------------------------------------
# road filters against osmnx's own Overpass filters


def _overpass_keeps(way_filter, tags):
    """Evaluate an Overpass way filter such as '["highway"]["area"!~"yes"]' on a tag dict."""
    for key, op, pattern in re.findall(r'\["([^"]+)"(?:(!~|~)"([^"]*)")?\]', way_filter):
        value = tags.get(key)
        if not op and value is None:
            return False
        if op == "!~" and value is not None and re.search(pattern, value):
            return False
        if op == "~" and (value is None or not re.search(pattern, value)):
            return False
    return True


_WAYS = [
    {"highway": h, **extra}
    for h in ("primary", "residential", "service", "unclassified", "trunk_link", "track")
    for extra in (
        {},
        {"service": "alley"},
        {"service": "driveway"},
        {"service": "parking_aisle"},
        {"service": "emergency_access"},
        {"access": "private"},
        {"access": "no"},
        {"access": "no", "motor_vehicle": "yes"},
        {"motor_vehicle": "no"},
        {"motorcar": "no"},
        {"area": "yes"},
        {"access": "destination"},
    )
] + [{"highway": h} for h in ("footway", "steps", "construction", "proposed", "rest_area")]


@pytest.mark.parametrize("network_type", ["drive", "drive_service", "all"])
def test_road_filters_equal_osmnx_except_where_documented(network_type):
    from geosite.network.osm import _keep_way

    osmnx_filter = ox._overpass._get_network_filter(network_type)
    for tags in _WAYS:
        want = _overpass_keeps(osmnx_filter, tags)
        # documented difference: access=no closes a road to cars unless they are allowed
        if network_type != "all" and tags.get("access") == "no":
            want = want and tags.get("motor_vehicle") == "yes"
        assert _keep_way(tags, network_type) == want, tags


def test_alleys_are_kept_with_service_roads_and_dropped_without():
    from geosite.network.osm import _keep_way

    hem = {"highway": "service", "service": "alley"}
    hem_residential = {"highway": "residential", "service": "alley"}
    assert _keep_way(hem, "drive_service")
    assert _keep_way(hem_residential, "drive_service")
    assert not _keep_way(hem, "drive")
    assert not _keep_way(hem_residential, "drive")


def test_count_within_counts_a_facility_at_exactly_the_threshold():
    g = graph_from_gdf(roads([[(0, 0), (1000, 0)]], **{"class": ["trunk"]}))
    facs = [pt(500, 0), pt(600, 0), pt(1000, 0)]
    res = accessibility(
        g, [pt(0, 0)], facs, metric="distance", statistic="count_within", within=500.0
    )
    assert res.values.tolist() == [1.0]
    res = accessibility(
        g, [pt(0, 0)], facs, metric="distance", statistic="count_within", within=499.999
    )
    assert res.values.tolist() == [0.0]


def test_readme_speed_table_is_the_default_table():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\s*\| `(\w+)` \| ([\d.]+) \| ([\d.]+) \|$", readme, re.MULTILINE)
    table = {cls: (float(car), float(truck)) for cls, car, truck in rows}
    want = {cls: (default_speeds("car")[cls], default_speeds("truck")[cls]) for cls in table}
    assert table == want
    assert set(table) == set(default_speeds("car"))
