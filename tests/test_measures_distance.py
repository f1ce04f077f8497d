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
    facilities = [
        read_layer("ports").set_index("port_id").loc["cai-mep-thi-vai"].geometry,
        read_layer("airports").set_index("airport_id").loc["long-thanh"].geometry,
        read_layer("airports").set_index("airport_id").loc["tan-son-nhat"].geometry,
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
