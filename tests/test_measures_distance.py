"""Exact distances and counts, checked by hand and against geodesic distances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely import LineString, Point, box

from geosite import evaluate, read_layer
from geosite.measures.distance import count_within, nearest_distance


def test_distance_is_edge_to_edge_and_zero_inside() -> None:
    parcels = [box(0, 0, 10, 10), box(100, 100, 110, 110), box(0, 0, 1000, 1000)]
    features = [Point(13, 14), LineString([(200, 0), (200, 500)])]
    d, i = nearest_distance(parcels, features)
    assert d.tolist() == [5.0, 90.0, 0.0]
    assert i.tolist() == [0, 1, 0]


def test_count_within_is_inclusive_and_edge_based() -> None:
    parcel = [box(0, 0, 10, 10)]
    features = [Point(15, 5), Point(16, 5), Point(5, 5)]
    assert count_within(parcel, features, 5.0).tolist() == [2]
    assert count_within(parcel, features, 6.0).tolist() == [3]


def test_count_within_refuses_negative_radius() -> None:
    from geosite.errors import ParameterError

    with pytest.raises(ParameterError, match="radius"):
        count_within([Point(0, 0)], [Point(1, 1)], -1.0)


def _geodesic_min_distance(polygon_lonlat: shapely.Polygon, point_lonlat: Point) -> float:
    """Geodesic distance from a point to a polygon edge, by densifying the edge to ~5 m."""
    geod = pyproj.Geod(ellps="WGS84")
    if polygon_lonlat.contains(point_lonlat):
        return 0.0
    ring = shapely.segmentize(polygon_lonlat.exterior, 0.00005)  # about 5 m in degrees
    xy = np.asarray(ring.coords)
    n = len(xy)
    _, _, dist = geod.inv(
        np.full(n, point_lonlat.x), np.full(n, point_lonlat.y), xy[:, 0], xy[:, 1]
    )
    return float(np.min(dist))


def test_bundled_distances_agree_with_geodesic_within_half_a_percent() -> None:
    """Planar UTM 48N edge distances against WGS 84 geodesics computed independently."""
    sites = read_layer("candidate_sites")
    airports = read_layer("airports").set_index("airport_id")
    # the geodesic reference measures from a point: the airports' reference points, not outlines
    facilities = [
        read_layer("ports").set_index("port_id").loc["cai-mep-thi-vai"].geometry,
        Point(airports.loc["long-thanh", ["reference_lon", "reference_lat"]].astype(float)),
        Point(airports.loc["tan-son-nhat", ["reference_lon", "reference_lat"]].astype(float)),
        read_layer("centres").set_index("centre_id").loc["hcmc-centre"].geometry,
    ]
    planar_sites = sites.to_crs(32648)
    checked = 0
    for point in facilities:
        planar_point = gpd.GeoSeries([point], crs=4326).to_crs(32648)
        planar, _ = nearest_distance(planar_sites.geometry, planar_point)
        for polygon, value in zip(sites.geometry, planar, strict=True):
            geodesic = _geodesic_min_distance(polygon, point)
            assert value == pytest.approx(geodesic, rel=0.005, abs=1e-9)
            checked += 1
    assert checked == 4 * len(sites)


def test_bundled_scenario_distances_are_the_exact_edge_distances() -> None:
    result = evaluate("dong-nam-bo").table.set_index("site_id")
    sites = read_layer("candidate_sites").set_index("site_id").to_crs(32648)
    tsn = gpd.GeoSeries(
        [read_layer("airports").set_index("airport_id").loc["tan-son-nhat"].geometry], crs=4326
    ).to_crs(32648)
    for site_id, polygon in sites.geometry.items():
        assert result.loc[site_id, "tan_son_nhat_airport_distance_m"] == pytest.approx(
            polygon.distance(tsn.iloc[0]), abs=1e-6
        )


def _random_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Parcels and features of every kind, many parcels inside polygons or their holes."""
    rng = np.random.default_rng(seed)
    n = 400
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    s = rng.uniform(1, 60, n)
    parcels = np.asarray(shapely.box(x, y, x + s, y + s), dtype=object)
    parcels[::50] = None  # missing geometries get NaN
    parcels[1::50] = shapely.MultiPolygon(
        [box(100, 100, 110, 110), box(2000, 2000, 2010, 2010)]
    )  # one part inside a polygon below, one outside
    centres = shapely.points(rng.uniform(0, 5000, (12, 2)))
    rings = shapely.difference(
        shapely.buffer(centres, rng.uniform(200, 900, 12)), shapely.buffer(centres, 80)
    )
    lines = shapely.linestrings(np.cumsum(rng.normal(0, 200, (10, 6, 2)), 1) + 2500)
    points = shapely.points(rng.uniform(0, 5000, (10, 2)))
    features = np.concatenate(
        [rings, lines, points, [box(50, 50, 150, 150), box(50, 50, 150, 150), None]]
    ).astype(object)
    return parcels, features


def _brute_force(parcels: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to every feature, one pair at a time; lowest position on ties."""
    present = ~shapely.is_missing(features)
    d = np.full((len(parcels), len(features)), np.inf)
    for j in np.flatnonzero(present):
        d[:, j] = shapely.distance(parcels, features[j])
    d[shapely.is_missing(parcels)] = np.nan
    ok = ~shapely.is_missing(parcels)
    nearest = np.full(len(parcels), -1)
    nearest[ok] = np.argmin(d[ok], axis=1)
    return np.where(ok, np.min(np.nan_to_num(d, nan=np.inf), axis=1), np.nan), nearest


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["whole", "tree", "samples"])
def test_nearest_distance_equals_pairwise_distances(
    monkeypatch: pytest.MonkeyPatch, seed: int, method: str
) -> None:
    import geosite.measures.distance as distance

    monkeypatch.setattr(distance, "_FORCE", method)
    parcels, features = _random_case(seed)
    expected_d, expected_i = _brute_force(parcels, features)
    d, i = nearest_distance(parcels, features)
    assert np.array_equal(d, expected_d, equal_nan=True)
    assert i.tolist() == expected_i.tolist()
    # Parcels inside polygons and in their holes both occur.
    assert (d == 0).sum() > 20
    assert d[1] == 0.0  # the multipolygon with one part inside the duplicated square
    assert i[1] <= len(features) - 3  # never the second of the two identical squares


@pytest.mark.parametrize(("chunk_size", "threads"), [(1, 1), (7, 2), (64, 3), (10_000, 1)])
@pytest.mark.parametrize("method", ["whole", "tree", "samples"])
def test_chunked_and_threaded_results_equal_one_batch(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int, threads: int, method: str
) -> None:
    import geosite.measures.distance as distance

    monkeypatch.setattr(distance, "_FORCE", method)
    parcels, features = _random_case(5)
    d0, i0 = nearest_distance(parcels, features, chunk_size=len(parcels), threads=1)
    d, i = nearest_distance(parcels, features, chunk_size=chunk_size, threads=threads)
    assert np.array_equal(d, d0, equal_nan=True)
    assert np.array_equal(i, i0)
    c0 = count_within(parcels, features, 300.0, chunk_size=len(parcels), threads=1)
    c = count_within(parcels, features, 300.0, chunk_size=chunk_size, threads=threads)
    assert np.array_equal(c, c0)
    brute = (shapely.dwithin(parcels[:, None], features[None, :], 300.0)).sum(axis=1)
    assert c.tolist() == brute.tolist()


@pytest.mark.parametrize("method", ["whole", "tree", "samples"])
def test_point_and_line_features_only(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    import geosite.measures.distance as distance

    monkeypatch.setattr(distance, "_FORCE", method)
    d, i = nearest_distance(
        [Point(0, 0), LineString([(0, 0), (0, 10)])], [Point(3, 4), LineString([(0, 5), (1, 5)])]
    )
    assert d.tolist() == [5.0, 0.0]
    assert i.tolist() == [0, 1]


def test_batching_arguments_are_checked() -> None:
    from geosite.errors import ParameterError

    with pytest.raises(ParameterError, match="chunk_size"):
        nearest_distance([Point(0, 0)], [Point(1, 1)], chunk_size=0)
    with pytest.raises(ParameterError, match="threads"):
        count_within([Point(0, 0)], [Point(1, 1)], 1.0, threads=0)
    with pytest.raises(ParameterError, match="no features"):
        nearest_distance([Point(0, 0)], [None])


@pytest.mark.parametrize("radius", [0.0, 25.0, 300.0, 6000.0])
def test_count_within_equals_pairwise_tests(radius: float) -> None:
    parcels, features = _random_case(7)
    present = ~shapely.is_missing(features)
    brute = shapely.dwithin(parcels[:, None], features[None, present], radius).sum(axis=1)
    assert count_within(parcels, features, radius, chunk_size=50).tolist() == brute.tolist()


@pytest.mark.parametrize("method", ["whole", "tree", "samples"])
def test_whole_feature_and_segment_paths_agree(
    monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    import geosite.measures.distance as distance

    monkeypatch.setattr(distance, "_FORCE", method)
    parcels, features = _random_case(4)
    expected_d, expected_i = _brute_force(parcels, features)
    d, i = nearest_distance(parcels, features, chunk_size=33)
    assert np.array_equal(d, expected_d, equal_nan=True)
    assert i.tolist() == expected_i.tolist()
