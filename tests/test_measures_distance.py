"""Exact distances and counts, checked by hand and against geodesic distances."""

from __future__ import annotations

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
    result = evaluate("dong-nam-bo")
    sites = read_layer("candidate_sites").set_index("site_id")
    targets = {
        "port_distance_m": read_layer("ports").set_index("port_id").loc["cai-mep-thi-vai"].geometry,
        "long_thanh_airport_distance_m": read_layer("airports")
        .set_index("airport_id")
        .loc["long-thanh"]
        .geometry,
        "tan_son_nhat_airport_distance_m": read_layer("airports")
        .set_index("airport_id")
        .loc["tan-son-nhat"]
        .geometry,
    }
    table = result.table.set_index("site_id")
    checked = 0
    for column, point in targets.items():
        for site_id, polygon in sites.geometry.items():
            geodesic = _geodesic_min_distance(polygon, point)
            planar = table.loc[site_id, column]
            if geodesic == 0.0:
                assert planar == 0.0
                continue
            assert planar == pytest.approx(geodesic, rel=0.005), (column, site_id)
            checked += 1
    assert checked >= 15
