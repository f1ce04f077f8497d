"""Every distance and travel time says what it was measured to: which feature, and whether to
its outline, a point or a line.

The nearest feature and its kind are checked against an independent computation: shapely's
distance from the candidate to every feature, the smallest taken.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

import geosite
from geosite.data import bundled
from geosite.result.scorecard import compute_score_cards

CRS = "EPSG:32648"


def kind_of(geom) -> str:
    return {"Polygon": "outline", "MultiPolygon": "outline", "Point": "point"}.get(
        geom.geom_type, "line"
    )


@pytest.fixture(scope="module")
def bundled_result():
    return geosite.evaluate(geosite.load_scenario("dong-nam-bo"))


@pytest.mark.parametrize(
    ("criterion", "layer", "where"),
    [
        ("industrial_park_distance", "industrial_parks", None),
        ("tan_son_nhat_airport_distance", "airports", ("airport_id", ["tan-son-nhat"])),
        ("hcmc_centre_distance", "centres", ("centre_id", ["hcmc-centre"])),
    ],
)
def test_distance_names_the_nearest_feature_and_its_kind(bundled_result, criterion, layer, where):
    features = bundled.read_layer(layer).to_crs(CRS)
    features = features[features.geometry.notna()]
    if where is not None:
        features = features[features[where[0]].isin(where[1])]
    table = bundled_result.table.to_crs(CRS)
    kinds = set()
    for geom, name, kind, text, value in zip(
        table.geometry,
        table[f"{criterion}_nearest"],
        table[f"{criterion}_measured_to_kind"],
        table[f"{criterion}_measured_to"],
        table[f"{criterion}_m"],
        strict=True,
    ):
        d = np.array([geom.distance(f) for f in features.geometry])
        best = features.iloc[int(np.argmin(d))]
        assert value == pytest.approx(d.min(), abs=1e-6)
        assert name == best["name"]
        assert kind == kind_of(best.geometry)
        assert text == f"{best['name']} ({kind_of(best.geometry)})"
        kinds.add(kind)
    if layer == "industrial_parks":  # a layer of outlines and points: both appear
        assert kinds == {"outline", "point"}


def test_travel_time_to_the_long_thanh_outline_says_so(bundled_result):
    airport = bundled.read_layer("airports").set_index("airport_id").loc["long-thanh"]
    assert airport.geometry.geom_type in {"Polygon", "MultiPolygon"}
    table = bundled_result.table
    assert set(table["long_thanh_airport_time_facility"]) == {airport["name"]}
    assert set(table["long_thanh_airport_time_measured_to"]) == {f"{airport['name']} (outline)"}
    port = bundled.read_layer("ports").set_index("port_id").loc["cai-mep-thi-vai"]
    assert set(table["port_truck_time_measured_to"]) == {f"{port['name']} (point)"}


def mixed_scenario(language="en"):
    """Two parcels; airports: an outline and two points. Parcel a is nearer the outline's edge
    (500 m) than the Far field point (700 m), though the outline's centre is 3.5 km away;
    parcel b is nearest the Airfield point (300 m)."""
    parcels = gpd.GeoDataFrame(
        {"pid": ["a", "b"], "label": ["A", "B"]},
        geometry=[box(0, 0, 100, 100), box(10_000, 0, 10_100, 100)],
        crs=CRS,
    )
    airports = gpd.GeoDataFrame(
        {"name": ["Big airport", "Airfield", "Far field"]},
        geometry=[box(600, -3000, 6600, 3000), Point(10_400, 50), Point(-700, 50)],
        crs=CRS,
    )
    roads = gpd.GeoDataFrame(
        {"class": ["trunk"]}, geometry=[LineString([(-2000, 50), (12_000, 50)])], crs=CRS
    )
    doc = {
        "version": 1,
        "name": "mixed",
        "crs": CRS,
        "language": language,
        "layers": {
            "parcels": {"memory": True, "id": "pid"},
            "fields": {"memory": True},
            "streets": {"memory": True},
        },
        "networks": {"cars": {"source": {"layer": "streets"}, "profile": "car"}},
        "candidates": {"layer": "parcels", "id": "pid", "name": "label"},
        "criteria": [
            {
                "name": "airport",
                "measure": {"type": "distance", "layer": "fields"},
                "value": {"type": "linear", "best": 0, "worst": 5000},
                "weight": 1,
            },
            {
                "name": "airport_time",
                "measure": {"type": "network", "network": "cars", "layer": "fields"},
                "value": {"type": "linear", "best": 0, "worst": 30},
                "weight": 1,
            },
        ],
    }
    layers = {"parcels": parcels, "fields": airports, "streets": roads}
    return geosite.load_scenario(doc), layers


def test_a_layer_of_outlines_and_points_says_which_per_candidate():
    scenario, layers = mixed_scenario()
    table = geosite.evaluate(scenario, layers=layers).table.set_index("pid")
    assert table.loc["a", "airport_m"] == pytest.approx(500.0)
    assert table.loc["a", "airport_measured_to"] == "Big airport (outline)"
    assert table.loc["b", "airport_m"] == pytest.approx(300.0)
    assert table.loc["b", "airport_measured_to"] == "Airfield (point)"
    assert table.loc["a", "airport_time_measured_to"] == "Big airport (outline)"
    assert table.loc["b", "airport_time_measured_to"] == "Airfield (point)"


def test_measured_to_is_written_in_the_scenario_language_and_on_the_score_cards(tmp_path):
    scenario, layers = mixed_scenario("vi")
    result = geosite.evaluate(scenario, layers=layers)
    table = result.table.set_index("pid")
    assert table.loc["a", "airport_measured_to"] == "Big airport (ranh giới)"
    assert table.loc["b", "airport_measured_to"] == "Airfield (điểm)"
    cards = compute_score_cards(result).set_index(["pid", "criterion"])
    assert cards.loc[("a", "airport"), "measured_to"] == "Big airport (ranh giới)"
    geosite.write_outputs(result, tmp_path, formats=("csv", "gpkg"), fmap=None)
    scores = pd.read_csv(tmp_path / "scores.csv").set_index("pid")
    assert scores.loc["b", "airport_time_measured_to"] == "Airfield (điểm)"
    gpkg = gpd.read_file(tmp_path / "scores.gpkg", layer="scores").set_index("pid")
    assert gpkg.loc["a", "airport_measured_to"] == "Big airport (ranh giới)"
    assert gpkg.loc["a", "airport_measured_to_kind"] == "outline"
    written = pd.read_csv(tmp_path / "score_cards.csv").set_index(["pid", "criterion"])
    assert written.loc[("b", "airport"), "measured_to"] == "Airfield (điểm)"
