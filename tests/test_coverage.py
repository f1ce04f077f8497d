"""A layer that covers only part of the region flags the values it cannot vouch for.

The power lines and universities of the Ho Chi Minh City extract hold nothing beyond it. A
distance from a site nearer the edge of that coverage than to the nearest mapped feature is an
upper bound (a feature may lie just beyond the edge), and a count whose radius crosses the edge a
lower bound. Checked on a synthetic layer with known answers and, on the bundled data-centre
scenario, against shapely distances computed here.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import LineString, box

import geosite
from geosite.data import bundled
from geosite.measures.base import MeasureContext, uncovered_distance
from geosite.measures.distance import CountWithinMeasure, DistanceMeasure
from geosite.render.text import tr
from geosite.result.scorecard import compute_score_cards, value_bounds

CRS = "EPSG:32648"
COVERAGE = box(0, 0, 10_000, 10_000)


def context(covered: bool = True) -> MeasureContext:
    """Three sites: well inside (A), inside near the east edge (B), outside (C).

    The only line runs north-south at x = 2,000 m inside the 10 km square the layer covers.
    A: 2,000 m from the line, 4,000 m from the edge; B: 7,000 m from the line, 900 m from the
    edge; C: 10,000 m from the line, outside the coverage.
    """
    sites = gpd.GeoDataFrame(
        {"site": ["A", "B", "C"]},
        geometry=[
            box(4000, 5000, 4100, 5100),
            box(9000, 5000, 9100, 5100),
            box(12_000, 5000, 12_100, 5100),
        ],
        crs=CRS,
    )
    lines = gpd.GeoDataFrame(
        {"name": ["Line 1"]}, geometry=[LineString([(2000, 0), (2000, 10_000)])], crs=CRS
    )
    if covered:
        lines.attrs["coverage"] = COVERAGE
    return MeasureContext(
        candidates=sites,
        crs=pyproj.CRS(CRS),
        load_layer=lambda name, where: lines,
        resolve_path=Path,
        base_dir=Path(),
    )


def test_uncovered_distance_known_answers():
    d = uncovered_distance(context().candidates.geometry, COVERAGE)
    assert d.tolist() == pytest.approx([4000.0, 900.0, 0.0])


def test_distance_beyond_the_edge_of_the_coverage_is_an_upper_bound():
    result = DistanceMeasure(type="distance", layer="lines").compute(context())
    assert result.values.tolist() == pytest.approx([2000.0, 7000.0, 10_000.0])  # noqa: PD011
    assert result.extra["coverage_edge_m"].tolist() == pytest.approx([4000.0, 900.0, 0.0])
    assert result.extra["upper_bound"].tolist() == [False, True, True]


def test_count_whose_radius_crosses_the_edge_is_a_lower_bound():
    measure = CountWithinMeasure(type="count_within", layer="lines", radius_m=3000)
    result = measure.compute(context())
    assert result.values.tolist() == [1.0, 0.0, 0.0]  # noqa: PD011
    assert result.extra["lower_bound"].tolist() == [False, True, True]


def test_a_layer_without_coverage_flags_nothing():
    result = DistanceMeasure(type="distance", layer="lines").compute(context(covered=False))
    assert "upper_bound" not in result.extra
    assert "coverage_edge_m" not in result.extra


def test_only_the_extract_layers_declare_a_partial_coverage():
    partial = {i.name for i in bundled.catalog() if bundled.layer_coverage(i.name) is not None}
    assert partial == {"power_lines", "universities"}
    for info in bundled.catalog():
        assert info.extra["coverage"]["area"].strip(), info.name
    # The coverage holds the extract's roads where it claims to: Tân Sơn Nhất lies inside.
    airports = bundled.read_layer("airports").set_index("airport_id")
    assert bundled.layer_coverage("power_lines").contains(airports.geometry["tan-son-nhat"])
    assert not bundled.layer_coverage("power_lines").intersects(airports.geometry["long-thanh"])


@pytest.fixture(scope="module")
def data_centre():
    return geosite.evaluate(geosite.load_scenario("data-centre"))


def test_bundled_supply_distances_flagged_as_shapely_says(data_centre):
    coverage = gpd.GeoSeries([bundled.layer_coverage("power_lines")], crs=4326).to_crs(CRS)[0]
    lines = bundled.read_layer("power_lines").to_crs(CRS)
    lines = lines[lines.voltage_kv.isin([220, 500])]
    table = data_centre.table.to_crs(CRS)
    flags = []
    for geom, value, flagged in zip(
        table.geometry,
        table["hv_supply_distance_m"],
        table["hv_supply_distance_upper_bound"],
        strict=True,
    ):
        nearest = min(geom.distance(g) for g in lines.geometry)
        edge = coverage.exterior.distance(geom) if coverage.contains(geom) else 0.0
        assert value == pytest.approx(nearest, abs=1e-6)
        assert bool(flagged) == (nearest > edge)
        flags.append(bool(flagged))
    assert any(flags)
    assert not all(flags)  # the sites in the city are measured, not bounded
    sites = dict(zip(table["site_id"], flags, strict=True))
    assert sites["long-thanh-digital-119ha"]
    assert not sites["saigon-hi-tech-park"]


def test_outputs_never_present_a_bound_as_exact(data_centre, tmp_path):
    bounds = value_bounds(data_centre, "hv_supply_distance")
    cards = compute_score_cards(data_centre)
    rows = cards[cards.criterion == "hv_supply_distance"]
    assert [None if pd.isna(b) else b for b in rows["bound"]] == bounds
    assert "upper" in bounds
    from geosite.render.report import write_report

    for lang in ("en", "vi"):
        out = tmp_path / lang
        write_report(data_centre, out, cards=6, lang=lang)
        html = (out / "report.html").read_text(encoding="utf-8")
        assert tr("card.bound.note", lang) in html
        assert "≤ " in html
        assert "≥ " in html  # university counts that reach beyond the extract
    fmap = geosite.result_to_map(data_centre)
    assert tr("card.bound.note", "en") in fmap.get_root().render()
    assert np.isin(rows["bound"].dropna().unique(), ["upper"]).all()
