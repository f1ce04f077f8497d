"""Attribute measures: own columns, zone joins by largest overlap, and bad values."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pydantic
import pyproj
import pytest
import shapely
from shapely import box

from geosite.errors import CRSError, LayerError
from geosite.measures.attribute import (
    AttributeMeasure,
    attribute_values,
    zone_by_largest_overlap,
)
from geosite.measures.base import MeasureContext

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0


def sq(x: float, y: float, w: float, h: float | None = None) -> shapely.Polygon:
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + (w if h is None else h))


@pytest.fixture
def provinces() -> gpd.GeoDataFrame:
    # Three 1 km wide provinces side by side, west to east.
    return gpd.GeoDataFrame(
        {"name": ["Bình Dương", "Đồng Nai", "Bà Rịa-Vũng Tàu"], "digital_rank": [2, 5, 9.5]},
        geometry=[sq(0, 0, 1000), sq(1000, 0, 1000), sq(2000, 0, 1000)],
        crs=CRS,
    )


def _context(candidates: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]) -> MeasureContext:
    return MeasureContext(
        candidates=candidates,
        crs=pyproj.CRS(CRS),
        load_layer=lambda name, where: layers[name],
        resolve_path=Path,
        base_dir=Path(),
    )


# --------------------------------------------------------------------------- columns


def test_numeric_column_is_read_as_float() -> None:
    values, reasons = attribute_values(pd.DataFrame({"area_ha": [1, 2, 3]}), "area_ha")
    assert values.dtype == np.float64
    assert values.tolist() == [1.0, 2.0, 3.0]
    assert reasons == [None, None, None]


def test_nan_and_infinite_values_become_nan_with_reasons() -> None:
    table = pd.DataFrame({"x": [1.0, np.nan, np.inf, -np.inf]})
    values, reasons = attribute_values(table, "x", layer="zones")
    assert values[0] == 1
    assert np.isnan(values[1:]).all()
    assert reasons[1] == "column 'x' of layer 'zones' is empty (NaN)"
    assert reasons[2] == "column 'x' of layer 'zones' is infinite (inf)"
    assert reasons[3] == "column 'x' of layer 'zones' is infinite (-inf)"


def test_numbers_stored_as_text_and_nullable_integers_are_accepted() -> None:
    table = pd.DataFrame({"t": ["1.5", None, "3"], "n": pd.array([1, None, 3], dtype="Int64")})
    assert attribute_values(table, "t")[0].tolist()[::2] == [1.5, 3.0]
    values, reasons = attribute_values(table, "n")
    assert values[0] == 1
    assert np.isnan(values[1])
    assert reasons[1] is not None


def test_booleans_are_zero_and_one() -> None:
    assert attribute_values(pd.DataFrame({"b": [True, False]}), "b")[0].tolist() == [1.0, 0.0]


def test_text_column_is_refused_with_examples() -> None:
    table = pd.DataFrame({"name": ["Biên Hòa", "3,5"]})
    with pytest.raises(LayerError, match=r"'name' of layer 'sites' is not numeric.*'Biên Hòa'"):
        attribute_values(table, "name", layer="sites")


def test_missing_column_suggests_the_closest_and_lists_all(provinces) -> None:
    with pytest.raises(LayerError) as info:
        attribute_values(provinces, "digital_rnak", layer="provinces")
    message = str(info.value)
    assert "layer 'provinces' has no column 'digital_rnak'" in message
    assert "did you mean 'digital_rank'?" in message
    assert "['name', 'digital_rank']" in message
    with pytest.raises(LayerError, match="did you mean 'digital_rank'"):
        attribute_values(provinces, "DIGITAL_RANK", layer="provinces")
    with pytest.raises(LayerError, match=r"no column 'zzz'\. Available"):
        attribute_values(provinces, "zzz", layer="provinces")


# --------------------------------------------------------------------------- zone join


def test_largest_overlap_wins(provinces) -> None:
    parcels = gpd.GeoSeries(
        [
            sq(900, 0, 300),  # 100 m in the first, 200 m in the second
            sq(100, 100, 50),  # wholly in the first
            sq(1950, 0, 100),  # split exactly: the first in the layer (Đồng Nai) wins
            sq(5000, 0, 10),  # in none
        ],
        crs=CRS,
    )
    assert zone_by_largest_overlap(parcels, provinces.geometry).tolist() == [1, 0, 1, -1]


def test_tie_rule_does_not_depend_on_parcel_order(provinces) -> None:
    split = sq(950, 0, 100)
    forward = zone_by_largest_overlap([split, sq(0, 0, 10)], provinces.geometry.array)
    backward = zone_by_largest_overlap([sq(0, 0, 10), split], provinces.geometry.array)
    assert forward[0] == backward[1] == 0


def test_touching_a_zone_is_not_overlapping_it(provinces) -> None:
    # Shares only an edge with the second province; lies in the first.
    assert zone_by_largest_overlap([sq(900, 0, 100)], provinces.geometry).tolist() == [0]
    # Points inside a zone join it; a point on a border joins the first zone it is inside.
    points = [shapely.Point(X0 + 1500, Y0 + 10), shapely.Point(X0 + 1000, Y0 + 10)]
    assert zone_by_largest_overlap(points, provinces.geometry).tolist() == [1, -1]


def test_join_matches_an_independent_overlay(provinces) -> None:
    rng = np.random.default_rng(4)
    parcels = shapely.buffer(
        shapely.points(X0 + rng.uniform(-200, 3200, 300), Y0 + rng.uniform(-200, 1200, 300)),
        rng.uniform(10, 400, 300),
    )
    got = zone_by_largest_overlap(parcels, provinces.geometry)
    for i, parcel in enumerate(parcels):
        areas = [parcel.intersection(zone).area for zone in provinces.geometry]
        expected = int(np.argmax(areas)) if max(areas) > 0 else -1
        assert got[i] == expected


def test_invalid_zones_or_parcels_are_listed(provinces) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(LayerError, match=r"layer 'provinces' have 1 invalid.*positions \[3\]"):
        zone_by_largest_overlap([sq(0, 0, 10)], [*provinces.geometry, bowtie], layer="provinces")
    with pytest.raises(LayerError, match=r"the parcels have 1 invalid.*positions \[1\]"):
        zone_by_largest_overlap([sq(0, 0, 10), bowtie], provinces.geometry)


# --------------------------------------------------------------------------- measure spec


def test_measure_reads_the_candidates_own_column() -> None:
    candidates = gpd.GeoDataFrame(
        {"area_ha": [12.0, np.inf]}, geometry=[sq(0, 0, 10), sq(20, 0, 10)], crs=CRS
    )
    spec = AttributeMeasure.model_validate({"type": "attribute", "column": "area_ha", "unit": "ha"})
    result = spec.compute(_context(candidates, {}))
    assert result.unit == "ha"
    values = result.values  # noqa: PD011 - a MeasureResult, not a DataFrame
    assert values[0] == 12
    assert np.isnan(values[1])
    assert result.reasons == [None, "column 'area_ha' of layer 'candidates' is infinite (inf)"]
    assert spec.layers_used() == []


def test_measure_joins_a_zone_layer(provinces) -> None:
    provinces.loc[2, "digital_rank"] = np.nan
    candidates = gpd.GeoDataFrame(
        geometry=[sq(900, 0, 300), sq(2500, 0, 10), sq(9000, 0, 10)], index=[7, 8, 9], crs=CRS
    )
    spec = AttributeMeasure(column="digital_rank", layer="provinces")
    result = spec.compute(_context(candidates, {"provinces": provinces}))
    values = result.values  # noqa: PD011 - a MeasureResult, not a DataFrame
    assert values[0] == 5
    assert np.isnan(values[1:]).all()
    assert result.reasons is not None
    assert result.reasons[1] == "column 'digital_rank' of layer 'provinces' is empty (NaN)"
    assert result.reasons[2] == "the parcel lies in no zone of layer 'provinces'"
    assert result.extra["zone"].tolist() == [1, 2, None]
    assert result.unit == ""
    assert spec.layers_used() == ["provinces"]


def test_measure_names_the_zone_layer_when_the_column_is_missing(provinces) -> None:
    candidates = gpd.GeoDataFrame(geometry=[sq(0, 0, 10)], crs=CRS)
    spec = AttributeMeasure(column="rank", layer="provinces")
    with pytest.raises(LayerError, match=r"layer 'provinces' has no column 'rank'"):
        spec.compute(_context(candidates, {"provinces": provinces}))


def test_measure_refuses_a_zone_layer_in_another_crs(provinces) -> None:
    candidates = gpd.GeoDataFrame(geometry=[sq(0, 0, 10)], crs=CRS)
    spec = AttributeMeasure(column="digital_rank", layer="provinces")
    with pytest.raises(CRSError, match="not in the analysis CRS"):
        spec.compute(_context(candidates, {"provinces": provinces.to_crs("EPSG:4326")}))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "column"),
        ({"column": ""}, "column"),
        ({"column": "x", "colour": 1}, "colour"),
    ],
)
def test_measure_spec_is_validated(spec: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        AttributeMeasure.model_validate({"type": "attribute", **spec})


def test_attribute_criteria_run_in_a_scenario(tiny_project: Path, provinces) -> None:
    from geosite import evaluate

    # Sites a (x 0..400) and c (x 0..200, y 5000) lie in the first province, b (x 5000) in
    # none of these three; give the provinces room to the north so c is inside.
    provinces.geometry = [sq(0, 0, 1000, 6000), sq(1000, 0, 1000, 6000), sq(2000, 0, 1000)]
    provinces.to_file(tiny_project / "data" / "provinces.gpkg")
    text = (tiny_project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:\n", "layers:\n  my_provinces: {path: data/provinces.gpkg}\n")
    text = text.replace(
        "constraints:",
        """  - name: digital
    measure: {type: attribute, layer: my_provinces, column: digital_rank, unit: rank}
    value: {type: linear, best: 1, worst: 10}
    weight: 1
constraints:""",
    )
    (tiny_project / "scenario.yaml").write_text(text, encoding="utf-8")
    table = evaluate(tiny_project / "scenario.yaml").table.set_index("site_id")
    assert table.loc["a", "digital_rank"] == 2
    assert table.loc["c", "digital_rank"] == 2
    assert np.isnan(table.loc["b", "digital_rank"])
    assert table.loc["a", "digital_zone"] == 0
