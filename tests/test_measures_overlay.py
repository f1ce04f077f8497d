"""Overlay shares and areas, checked against shapely areas computed one parcel at a time."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pydantic
import pyproj
import pytest
import shapely
from shapely import box

from geosite.errors import CRSError, LayerError, ParameterError
from geosite.measures.base import MeasureContext
from geosite.measures.overlay import OverlayMeasure, dissolve_layer, overlay_share

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0


def sq(x: float, y: float, side: float) -> shapely.Polygon:
    return box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


def series(*geoms: object, crs: str = CRS) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=crs)


def reference_share(parcel: shapely.Geometry, layer: list[shapely.Geometry]) -> float:
    """Independent: intersect the parcel with the union, one parcel at a time."""
    return float(parcel.intersection(shapely.unary_union(layer)).area / parcel.area)


def test_share_and_area_of_a_half_covered_square() -> None:
    parcel = series(sq(0, 0, 100))
    layer = series(sq(50, 0, 200))
    assert overlay_share(parcel, layer).tolist() == [0.5]
    assert overlay_share(parcel, layer, statistic="area_ha").tolist() == [0.5]


def test_overlapping_features_count_once() -> None:
    parcel = series(sq(0, 0, 100))
    strips = [(0, 60), (20, 80), (30, 40)]  # full-height strips; their union spans x 0..80
    layer = series(*(box(X0 + a, Y0, X0 + b, Y0 + 100) for a, b in strips))
    assert overlay_share(parcel, layer).tolist() == pytest.approx([0.8])


def test_random_parcels_match_independent_areas() -> None:
    rng = np.random.default_rng(2)
    parcels = shapely.buffer(
        shapely.points(X0 + rng.uniform(0, 5000, 200), Y0 + rng.uniform(0, 5000, 200)),
        rng.uniform(20, 300, 200),
        quad_segs=4,
    )
    layer = list(
        shapely.buffer(
            shapely.points(X0 + rng.uniform(0, 5000, 40), Y0 + rng.uniform(0, 5000, 40)),
            rng.uniform(100, 900, 40),
        )
    )
    got = overlay_share(series(*parcels), series(*layer))
    expected = [reference_share(p, layer) for p in parcels]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert 0 < np.mean(got) < 1


def test_large_layer_polygon_is_cut_without_changing_areas() -> None:
    # A circle with thousands of vertices, cut into tiles internally.
    big = shapely.Point(X0, Y0).buffer(5000, quad_segs=1000)
    pieces = dissolve_layer(series(big))
    assert len(pieces) > 1
    assert shapely.get_num_coordinates(pieces).max() <= 300
    assert sum(p.area for p in pieces) == pytest.approx(big.area, rel=1e-12)
    parcels = [sq(4900 * np.cos(a) - 100, 4900 * np.sin(a) - 100, 200) for a in range(6)]
    np.testing.assert_allclose(
        overlay_share(series(*parcels), series(big)),
        [reference_share(p, [big]) for p in parcels],
        rtol=1e-9,
    )


def test_parcel_buffer_measures_the_surroundings() -> None:
    parcel = sq(0, 0, 100)
    layer = sq(-1000, -1000, 1000)  # everything south-west of the parcel's corner (0, 0)
    got = overlay_share(series(parcel), series(layer), buffer_m=50)
    grown = parcel.buffer(50)
    assert got[0] == pytest.approx(grown.intersection(layer).area / grown.area)
    assert overlay_share(series(parcel), series(layer))[0] == 0


def test_layer_buffer_measures_the_part_of_the_parcel_near_the_layer() -> None:
    parcel = sq(0, 0, 100)
    river = shapely.LineString([(X0 - 10, Y0 - 500), (X0 - 10, Y0 + 500)])  # 10 m west of it
    got = overlay_share(series(parcel), series(river), layer_buffer_m=30)
    assert got[0] == pytest.approx(0.2, rel=1e-3)  # the 20 m strip next to the river
    assert overlay_share(series(parcel), series(river))[0] == 0  # a line has no area


def test_parcels_outside_empty_or_missing() -> None:
    got = overlay_share(series(sq(0, 0, 10), None, shapely.Polygon()), series(sq(500, 0, 10)))
    assert got[0] == 0
    assert np.isnan(got[1:]).all()


def test_empty_layer_gives_zero() -> None:
    assert overlay_share(series(sq(0, 0, 10)), series()).tolist() == [0.0]


def test_mixed_crs_is_refused() -> None:
    layer = series(sq(0, 0, 10)).to_crs("EPSG:3405")
    with pytest.raises(CRSError, match="different CRSs"):
        overlay_share(series(sq(0, 0, 10)), layer, layer="flood")


def test_geographic_or_non_metre_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="geographic CRS"):
        overlay_share(series(box(106, 10, 107, 11), crs="EPSG:4326"), series(sq(0, 0, 1)))
    feet = "EPSG:2227"  # California zone 3, US survey feet
    with pytest.raises(CRSError, match="a CRS in US survey foot"):
        overlay_share(series(sq(0, 0, 10), crs=feet), series(sq(0, 0, 1), crs=feet))


def test_chunks_do_not_change_results(monkeypatch) -> None:
    from geosite.measures import overlay

    rng = np.random.default_rng(1)
    parcels = series(*shapely.buffer(shapely.points(X0 + rng.uniform(0, 900, 50), Y0), 40))
    layer = series(sq(100, -100, 300), sq(600, -50, 100))
    whole = overlay_share(parcels, layer)
    monkeypatch.setattr(overlay, "_CHUNK", 7)
    np.testing.assert_array_equal(overlay_share(parcels, layer), whole)


def test_invalid_layer_geometry_is_listed() -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(LayerError, match=r"layer 'flood' have 1 invalid.*positions \[2\]"):
        overlay_share(series(sq(0, 0, 10)), series(sq(0, 0, 1), None, bowtie), layer="flood")
    with pytest.raises(LayerError, match=r"the parcels have 1 invalid.*positions \[0\]"):
        overlay_share(series(bowtie), series(sq(0, 0, 1)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"buffer_m": -1}, "buffer_m must be"),
        ({"layer_buffer_m": float("nan")}, "layer_buffer_m must be"),
        ({"statistic": "ratio"}, "statistic 'ratio'"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        overlay_share(series(sq(0, 0, 10)), series(sq(0, 0, 10)), **kwargs)


# --------------------------------------------------------------------------- measure spec


def _context(candidates: gpd.GeoSeries, layers: dict[str, gpd.GeoDataFrame]) -> MeasureContext:
    calls: list[tuple[str, object]] = []

    def load_layer(name, where):
        calls.append((name, where))
        frame = layers[name]
        if where:
            for column, value in where.items():
                frame = frame[frame[column] == value]
        return frame

    return MeasureContext(
        candidates=gpd.GeoDataFrame(geometry=candidates, crs=candidates.crs),
        crs=pyproj.CRS(CRS),
        load_layer=load_layer,
        resolve_path=Path,
        base_dir=Path(),
        cache={"calls": calls},
    )


def test_measure_filters_the_layer_and_reports_units_and_reasons() -> None:
    zones = gpd.GeoDataFrame(
        {"kind": ["flood", "forest"]}, geometry=[sq(0, 0, 50), sq(50, 0, 50)], crs=CRS
    )
    ctx = _context(series(sq(0, 0, 100), None), {"zones": zones})
    spec = OverlayMeasure.model_validate(
        {"type": "overlay", "layer": "zones", "where": {"kind": "flood"}, "statistic": "area_ha"}
    )
    result = spec.compute(ctx)
    assert result.unit == "ha"
    assert result.values[0] == pytest.approx(0.25)
    assert result.reasons == [None, "the parcel has no geometry"]
    share = OverlayMeasure(layer="zones").compute(ctx)
    assert (share.unit, share.values[0]) == ("share", 0.5)
    assert spec.layers_used() == ["zones"]


def test_measure_reuses_the_dissolved_layer() -> None:
    zones = gpd.GeoDataFrame(geometry=[sq(0, 0, 50)], crs=CRS)
    ctx = _context(series(sq(0, 0, 100)), {"zones": zones})
    OverlayMeasure(layer="zones").compute(ctx)
    OverlayMeasure(layer="zones", buffer_m=10).compute(ctx)
    assert len(ctx.cache["calls"]) == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"buffer_m": -5}, "buffer_m"),
        ({"layer_buffer_m": "far"}, "layer_buffer_m"),
        ({"statistic": "count"}, "statistic"),
        ({"buffer": 10}, "buffer"),
    ],
)
def test_measure_spec_is_validated(spec: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        OverlayMeasure.model_validate({"type": "overlay", "layer": "zones", **spec})


def test_overlay_criteria_run_in_a_scenario(tiny_project: Path) -> None:
    from geosite import evaluate

    # Site a is the 400 m square at (0, 0) of the project; the flood zone covers its west
    # quarter, and lies 300 m west of site b (the square at (5000, 0)).
    flood = shapely.union(box(X0 - 1000, Y0 - 1000, X0 + 100, Y0 + 1000), sq(4600, 0, 100))
    gpd.GeoDataFrame(
        {"kind": ["flood", "forest"]},
        geometry=[flood, sq(0, 0, 400)],
        crs=CRS,
    ).to_file(tiny_project / "data" / "zones.gpkg")
    text = (tiny_project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:\n", "layers:\n  zones: {path: data/zones.gpkg}\n")
    text = text.replace(
        "constraints:",
        """  - name: flooded
    measure: {type: overlay, layer: zones, where: {kind: flood}}
    value: {type: linear, best: 0, worst: 1}
    weight: 1
  - name: near_flood
    measure: {type: overlay, layer: zones, where: {kind: flood}, layer_buffer_m: 400,
              statistic: area_ha}
    value: {type: linear, best: 0, worst: 16}
    weight: 1
constraints:""",
    )
    (tiny_project / "scenario.yaml").write_text(text, encoding="utf-8")
    table = evaluate(tiny_project / "scenario.yaml").table.set_index("site_id")
    assert table.loc[["a", "b"], "flooded_share"].tolist() == pytest.approx([0.25, 0.0])
    grown = flood.buffer(400)
    expected = [grown.intersection(sq(x, 0, 400)).area / 1e4 for x in (0, 5000)]
    assert table.loc[["a", "b"], "near_flood_ha"].tolist() == pytest.approx(expected)
