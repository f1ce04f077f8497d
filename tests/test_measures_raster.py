"""Zonal statistics: hand-computed values, rasterstats as an independent reference, bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pydantic
import pyproj
import pytest
import rasterio
import rasterio.io
import shapely
import shapely.affinity
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from geosite.data.bundled import layer_path
from geosite.errors import CRSError, DataNotFoundError, LayerError, ParameterError
from geosite.measures.base import MeasureContext
from geosite.measures.raster import RasterMeasure, zonal_statistics

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0  # top-left corner of the test rasters, near Ho Chi Minh City
RES = 10.0


def write_tif(
    path: Path,
    array: np.ndarray,
    *,
    transform: Affine | None = None,
    crs: str | None = CRS,
    nodata: float | None = None,
) -> Path:
    data = array if array.ndim == 3 else array[None]
    profile = {
        "driver": "GTiff",
        "height": data.shape[1],
        "width": data.shape[2],
        "count": data.shape[0],
        "dtype": data.dtype.name,
        "transform": transform or Affine(RES, 0, X0, 0, -RES, Y0),
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with warnings.catch_warnings():
        # GDAL warns when a GeoTIFF is written without a CRS; that file is what we test.
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path, "w", **profile) as ds:
            ds.write(data)
    return path


def cell(col0: float, row0: float, col1: float, row1: float) -> shapely.Polygon:
    """Box spanning pixel coordinates [col0, col1] x [row0, row1] of the test grid."""
    return box(X0 + col0 * RES, Y0 - row1 * RES, X0 + col1 * RES, Y0 - row0 * RES)


def parcels(*geoms: object, crs: str = CRS) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=crs)


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    """4 x 4 float32 raster with values 0..15 row by row."""
    return write_tif(tmp_path / "grid.tif", np.arange(16, dtype="float32").reshape(4, 4))


# --------------------------------------------------------------------------- basic values


def test_centre_statistics_match_hand_computation(grid: Path) -> None:
    # Top-left 2 x 2 pixels hold 0, 1, 4, 5.
    table = zonal_statistics(parcels(cell(0, 0, 2, 2)), grid, stats=["mean", "min", "max"])
    assert table.loc[0, "mean"] == pytest.approx(2.5)
    assert table.loc[0, "min"] == 0
    assert table.loc[0, "max"] == 5
    assert table.loc[0, "pixels"] == 4
    assert not table.loc[0, "fallback"]


def test_result_keeps_the_index_of_the_parcels(grid: Path) -> None:
    geoms = gpd.GeoSeries([cell(0, 0, 1, 1), cell(3, 3, 4, 4)], index=["a", "b"], crs=CRS)
    table = zonal_statistics(geoms, grid, stats=["mean"])
    assert list(table.index) == ["a", "b"]
    assert table["mean"].tolist() == [0.0, 15.0]
    frame = gpd.GeoDataFrame({"id": [1, 2]}, geometry=list(geoms), crs=CRS)
    assert zonal_statistics(frame, grid)["mean"].tolist() == [0.0, 15.0]
    with pytest.raises(ParameterError, match="GeoSeries"):
        zonal_statistics([cell(0, 0, 1, 1)], grid)


def test_edge_pixels_count_by_their_centre(grid: Path) -> None:
    # Columns 0.4 to 2.6 of row 1: centres 0.5, 1.5, 2.5 are inside -> 4, 5, 6.
    table = zonal_statistics(parcels(cell(0.4, 1.2, 2.6, 1.8)), grid, stats=["mean"])
    assert table.loc[0, "pixels"] == 3
    assert table.loc[0, "mean"] == pytest.approx(5.0)


def test_fraction_weights_pixels_by_covered_area(grid: Path) -> None:
    # Half of pixel 4, all of pixel 5, half of pixel 6 (row 1).
    table = zonal_statistics(
        parcels(cell(0.5, 1, 2.5, 2)), grid, stats=["mean", "min", "max"], coverage="fraction"
    )
    assert table.loc[0, "pixels"] == pytest.approx(2.0)
    assert table.loc[0, "mean"] == pytest.approx((0.5 * 4 + 5 + 0.5 * 6) / 2)
    assert (table.loc[0, "min"], table.loc[0, "max"]) == (4, 6)


def test_fraction_weights_match_exact_areas_of_random_polygons(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = rng.random((40, 40)).astype("float32")
    path = write_tif(tmp_path / "r.tif", values)
    centres = shapely.points(X0 + rng.uniform(60, 340, 25), Y0 - rng.uniform(60, 340, 25))
    geoms = shapely.buffer(centres, rng.uniform(5, 50, 25), quad_segs=4)
    table = zonal_statistics(parcels(*geoms), path, stats=["mean"], coverage="fraction")
    # Independent: exact intersection area of every pixel with every parcel.
    rows, cols = np.mgrid[0:40, 0:40]
    pixel_boxes = shapely.box(
        X0 + cols * RES, Y0 - (rows + 1) * RES, X0 + (cols + 1) * RES, Y0 - rows * RES
    ).ravel()
    for i, geom in enumerate(geoms):
        weights = shapely.area(shapely.intersection(pixel_boxes, geom)) / RES**2
        expected = np.sum(weights * values.ravel()) / weights.sum()
        assert table.loc[i, "pixels"] == pytest.approx(weights.sum(), rel=1e-9)
        assert table.loc[i, "mean"] == pytest.approx(expected, rel=1e-9)


def test_shares_match_hand_computation(grid: Path) -> None:
    geom = cell(0, 0, 4, 2)  # values 0..7
    table = zonal_statistics(
        parcels(geom),
        grid,
        stats=["share_in_classes", "share_above", "share_below"],
        classes=[1, 3, 99],
        threshold=5,
    )
    assert table.loc[0, "share_in_classes"] == pytest.approx(2 / 8)
    assert table.loc[0, "share_above"] == pytest.approx(2 / 8)  # 6, 7 (strictly above)
    assert table.loc[0, "share_below"] == pytest.approx(5 / 8)  # 0..4


def test_majority_breaks_ties_towards_the_smallest_value(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "c.tif", np.array([[3, 3, 1, 1], [2, 7, 7, 7]], dtype="uint8"))
    table = zonal_statistics(parcels(cell(0, 0, 4, 1), cell(0, 0, 4, 2)), path, stats=["majority"])
    assert table["majority"].tolist() == [1.0, 7.0]


def test_band_selects_the_layer(tmp_path: Path) -> None:
    data = np.stack([np.zeros((4, 4)), np.full((4, 4), 9.0)]).astype("float32")
    path = write_tif(tmp_path / "two.tif", data)
    assert zonal_statistics(parcels(cell(0, 0, 2, 2)), path, band=2).loc[0, "mean"] == 9
    with pytest.raises(ParameterError, match=r"band 3 does not exist.*2 band"):
        zonal_statistics(parcels(cell(0, 0, 2, 2)), path, band=3)


def test_matches_rasterstats_on_random_polygons_with_holes(tmp_path: Path) -> None:
    rasterstats = pytest.importorskip("rasterstats")
    rng = np.random.default_rng(7)
    values = rng.integers(0, 6, (60, 80)).astype("float32")
    values[rng.random(values.shape) < 0.1] = -1
    transform = Affine(RES, 0, X0, 0, -RES, Y0)
    path = write_tif(tmp_path / "r.tif", values, transform=transform, nodata=-1)
    n = 150
    centres = shapely.points(X0 + rng.uniform(0, 800, n), Y0 - rng.uniform(0, 600, n))
    radius = rng.uniform(4, 120, n)
    geoms = shapely.buffer(centres, radius, quad_segs=3)
    geoms[:30] = shapely.difference(geoms[:30], shapely.buffer(centres[:30], radius[:30] / 2))
    geoms[30:40] = [shapely.MultiPolygon([g, box(*np.array(g.bounds) + 900)]) for g in geoms[30:40]]
    stats = ["mean", "min", "max", "majority"]
    table = zonal_statistics(parcels(*geoms), path, stats=stats)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pd.DataFrame(
            rasterstats.zonal_stats(
                list(geoms), values, affine=transform, nodata=-1, stats=[*stats, "count"]
            )
        )
    ref = ref.astype(float)
    same = ~table["fallback"].to_numpy()
    assert same.sum() > 100
    np.testing.assert_array_equal(table["pixels"].to_numpy()[same], ref["count"].to_numpy()[same])
    for stat in stats:
        np.testing.assert_allclose(
            table[stat].to_numpy()[same], ref[stat].to_numpy()[same], rtol=1e-6
        )


@st.composite
def polygons(draw: st.DrawFn) -> shapely.Geometry:
    """Random simple polygons (star-shaped around a centre), some with a hole, in pixels."""
    n = draw(st.integers(3, 9))
    cx, cy = draw(st.floats(0, 16)), draw(st.floats(0, 12))
    angles = np.sort(draw(st.lists(st.floats(0, 2 * np.pi), min_size=n, max_size=n, unique=True)))
    radii = np.array(draw(st.lists(st.floats(0.3, 6), min_size=n, max_size=n)))
    shell = np.c_[cx + radii * np.cos(angles), cy + radii * np.sin(angles)]
    geom = shapely.make_valid(shapely.Polygon(shell))
    if draw(st.booleans()):
        geom = geom.difference(shapely.Point(cx, cy).buffer(0.25 * radii.min(), quad_segs=3))
    return geom


@settings(max_examples=60, deadline=None)
@given(geoms=st.lists(polygons(), min_size=1, max_size=5))
def test_centre_pixels_are_those_whose_centre_is_inside(tmp_path_factory, geoms) -> None:
    path = tmp_path_factory.getbasetemp() / "values_12x16.tif"
    if not path.exists():
        write_tif(path, np.arange(12 * 16, dtype="float32").reshape(12, 16))
    values = np.arange(12 * 16, dtype="float32").reshape(12, 16)
    # Polygons are drawn in pixel units (x = column, y = row), then placed on the grid; the
    # first one keeps the set overlapping the raster when all drawn ones fall outside it.
    geoms = [box(6.3, 4.2, 9.7, 7.9), *geoms]
    placed = [shapely.affinity.affine_transform(g, [RES, 0, 0, -RES, X0, Y0]) for g in geoms]
    table = zonal_statistics(parcels(*placed), path, stats=["mean", "min", "max"])
    rows, cols = np.mgrid[0:12, 0:16]
    for i, geom in enumerate(geoms):
        inside = shapely.contains_xy(geom, cols + 0.5, rows + 0.5)
        # A centre on the boundary (to rounding, after placing the polygon on the grid and
        # back) is a tie that any rule may break either way.
        # GEOS divides by zero next to a near-degenerate edge (a vertex 1e-188 off a line);
        # such an undecidable distance counts as a tie too.
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = shapely.distance(geom.boundary, shapely.points(cols + 0.5, rows + 0.5))
        on_edge = ~(gap >= 1e-9)
        if on_edge.any():
            counted = 0 if table.loc[i, "fallback"] else table.loc[i, "pixels"]
            assert (inside & ~on_edge).sum() <= counted <= (inside | on_edge).sum()
            continue
        if table.loc[i, "fallback"]:
            assert not inside.any()
            continue
        assert table.loc[i, "pixels"] == inside.sum()
        if inside.any():
            assert table.loc[i, "mean"] == pytest.approx(values[inside].mean())
            assert table.loc[i, "min"] == values[inside].min()


def test_geometry_collections_are_flattened(grid: Path) -> None:
    nested = shapely.GeometryCollection(
        [shapely.MultiPolygon([cell(0, 0, 1, 1), cell(3, 3, 4, 4)]), shapely.Point(0, 0)]
    )
    table = zonal_statistics(parcels(nested), grid, stats=["mean"])
    assert table.loc[0, "pixels"] == 2
    assert table.loc[0, "mean"] == 7.5


def test_chunks_and_spatial_order_do_not_change_results(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    path = write_tif(tmp_path / "r.tif", rng.random((50, 50)).astype("float32"))
    geoms = shapely.buffer(
        shapely.points(X0 + rng.uniform(0, 500, 40), Y0 - rng.uniform(0, 500, 40)), 30
    )
    whole = zonal_statistics(parcels(*geoms), path, stats=["mean", "majority"])
    chunked = zonal_statistics(parcels(*geoms), path, stats=["mean", "majority"], chunk_size=3)
    pd.testing.assert_frame_equal(whole, chunked)


def test_small_memory_budgets_do_not_change_results(tmp_path: Path, monkeypatch) -> None:
    from geosite.measures import raster

    rng = np.random.default_rng(12)
    path = write_tif(tmp_path / "r.tif", rng.integers(0, 4, (30, 2100)).astype("uint8"))
    geoms = [
        cell(1000, 2, 1100, 20),
        cell(5, 5, 9, 7),
        cell(2040, 0, 2100, 30),
        cell(3, 3, 3.2, 3.1),
    ]
    stats = ["mean", "min", "max", "majority", "share_in_classes"]
    expected = zonal_statistics(parcels(*geoms), path, stats=stats, classes=[2])
    monkeypatch.setattr(raster, "_MAX_PIXELS", 16)
    monkeypatch.setattr(raster, "_MAX_CROSSINGS", 10)
    monkeypatch.setattr(raster, "_BLOCK", 8)
    got = zonal_statistics(parcels(*geoms), path, stats=stats, classes=[2])
    pd.testing.assert_frame_equal(got, expected)
    # Independent check of the majority of the first parcel.
    with rasterio.open(path) as ds:
        window = ds.read(1)[2:20, 1000:1100]
    counts = np.bincount(window.ravel(), minlength=4)
    assert expected.loc[0, "majority"] == int(np.argmax(counts))


def test_overlapping_parcels_each_count_their_pixels(grid: Path) -> None:
    table = zonal_statistics(
        parcels(cell(0, 0, 3, 3), cell(1, 1, 4, 4), cell(0, 0, 3, 3)), grid, stats=["mean"]
    )
    assert table["pixels"].tolist() == [9, 9, 9]
    assert table["mean"].tolist() == pytest.approx([5.0, 10.0, 5.0])


# --------------------------------------------------------------------------- small parcels


def test_parcel_smaller_than_a_pixel_takes_the_pixel_under_its_centroid(grid: Path) -> None:
    tiny = cell(2.1, 1.1, 2.3, 1.3)  # inside pixel (row 1, col 2) = 6, no centre inside
    thin = cell(0.6, 3.0, 3.2, 3.2)  # a sliver along row 3's top, centroid in column 1
    table = zonal_statistics(parcels(tiny, thin), grid, stats=["mean", "share_above"], threshold=10)
    assert table["mean"].tolist() == [6.0, 13.0]
    assert table["share_above"].tolist() == [0.0, 1.0]
    assert table["fallback"].tolist() == [True, True]
    assert table["pixels"].tolist() == [1.0, 1.0]


def test_fraction_coverage_weights_small_parcels_by_their_area(grid: Path) -> None:
    tiny = cell(2.1, 1.1, 2.3, 1.3)
    thin = cell(0.6, 3.0, 3.2, 3.2)  # 0.4, 1, 1 and 0.2 of pixels 12..15, 0.2 high
    line = shapely.LineString([(X0 + 5, Y0 - 5), (X0 + 6, Y0 - 6)])  # no area: pixel 0
    table = zonal_statistics(
        parcels(tiny, thin, line), grid, stats=["mean", "min", "max"], coverage="fraction"
    )
    assert table["pixels"].tolist() == pytest.approx([0.04, 2.6 * 0.2, 1.0])
    assert table["mean"].tolist() == pytest.approx([6.0, (0.4 * 12 + 13 + 14 + 0.2 * 15) / 2.6, 0])
    assert table["min"].tolist() == [6.0, 12.0, 0.0]
    assert table["max"].tolist() == [6.0, 15.0, 0.0]
    assert table["fallback"].tolist() == [False, False, True]


def test_crescent_falls_back_to_a_pixel_it_touches(grid: Path) -> None:
    # An L-shape inside pixel (0, 0) whose centroid would be too; the point used must be inside.
    ring = shapely.difference(cell(0.05, 0.05, 0.95, 0.95), cell(0.2, 0.2, 0.95, 0.95))
    assert not ring.contains(ring.centroid)
    table = zonal_statistics(parcels(ring), grid)
    assert table.loc[0, "mean"] == 0
    assert table.loc[0, "fallback"]


def test_empty_and_missing_geometries_give_nan(grid: Path) -> None:
    table = zonal_statistics(parcels(cell(0, 0, 1, 1), None, shapely.Polygon()), grid)
    assert table.loc[0, "mean"] == 0
    assert table["mean"].isna().tolist() == [False, True, True]


# --------------------------------------------------------------------------- nodata


def test_declared_nodata_is_left_out(tmp_path: Path) -> None:
    data = np.array([[1, -9999], [3, -9999]], dtype="float32")
    path = write_tif(tmp_path / "n.tif", data, nodata=-9999)
    table = zonal_statistics(
        parcels(cell(0, 0, 2, 2), cell(1, 0, 2, 2)), path, stats=["mean", "max"]
    )
    assert table.loc[0, "mean"] == 2.0
    assert table.loc[0, "max"] == 3.0
    assert table["nodata_pixels"].tolist() == [2, 2]
    assert np.isnan(table.loc[1, "mean"])
    assert table.loc[1, "pixels"] == 0


def test_nan_pixels_are_missing_without_declared_nodata(tmp_path: Path) -> None:
    data = np.array([[1, np.nan], [5, 2]], dtype="float32")
    path = write_tif(tmp_path / "n.tif", data)
    table = zonal_statistics(parcels(cell(0, 0, 2, 2)), path, stats=["mean", "min"])
    assert table.loc[0, "mean"] == pytest.approx(8 / 3)
    assert table.loc[0, "nodata_pixels"] == 1


def test_raster_without_nodata_counts_every_value_unless_told(tmp_path: Path) -> None:
    data = np.array([[0, 4], [0, 8]], dtype="int16")
    path = write_tif(tmp_path / "n.tif", data)
    assert zonal_statistics(parcels(cell(0, 0, 2, 2)), path).loc[0, "mean"] == 3.0
    told = zonal_statistics(parcels(cell(0, 0, 2, 2)), path, nodata=0)
    assert told.loc[0, "mean"] == 6.0


def test_fallback_pixel_that_is_nodata_gives_nan(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "n.tif", np.array([[-1, 2]], dtype="int8"), nodata=-1)
    table = zonal_statistics(parcels(cell(0.1, 0.1, 0.3, 0.3)), path)
    assert np.isnan(table.loc[0, "mean"])
    assert table.loc[0, "nodata_pixels"] == 1


def test_dataset_mask_band_marks_missing_pixels(tmp_path: Path) -> None:
    path = tmp_path / "m.tif"
    profile = {
        "driver": "GTiff",
        "height": 2,
        "width": 2,
        "count": 1,
        "dtype": "uint8",
        "crs": CRS,
        "transform": Affine(RES, 0, X0, 0, -RES, Y0),
    }
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(path, "w", **profile) as ds:
        ds.write(np.array([[10, 20], [30, 40]], dtype="uint8"), 1)
        ds.write_mask(np.array([[255, 0], [255, 255]], dtype="uint8"))
    table = zonal_statistics(parcels(cell(0, 0, 2, 2)), path)
    assert table.loc[0, "mean"] == pytest.approx(80 / 3)


# --------------------------------------------------------------------------- windows


def test_reads_only_the_windows_the_parcels_cover(tmp_path: Path, monkeypatch) -> None:
    path = write_tif(tmp_path / "big.tif", np.ones((3000, 3000), dtype="uint8"))
    read_pixels: list[int] = []
    original = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        read_pixels.append(out.size)
        return out

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    corners = parcels(cell(1, 1, 4, 3), cell(2990, 2995, 2999, 2999), cell(2, 2990, 5, 2998))
    table = zonal_statistics(corners, path)
    assert table["mean"].tolist() == [1.0, 1.0, 1.0]
    assert sum(read_pixels) < 200


# --------------------------------------------------------------------------- CRS


def _centre_mean(values: np.ndarray, transform: Affine, geom: shapely.Geometry) -> float:
    """Mean of the pixels whose centre is in ``geom`` (all given in the raster's CRS)."""
    rows, cols = np.mgrid[0 : values.shape[0], 0 : values.shape[1]]
    x = transform.c + (cols + 0.5) * transform.a
    y = transform.f + (rows + 0.5) * transform.e
    inside = shapely.contains_xy(geom, x, y)
    return float(values[inside].mean())


def test_parcels_are_reprojected_to_a_geographic_raster(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    values = rng.random((30, 30)).astype("float32")
    transform = Affine(0.001, 0, 106.70, 0, -0.001, 10.80)  # about 110 m pixels
    path = write_tif(tmp_path / "geo.tif", values, transform=transform, crs="EPSG:4326")
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x, y = to_utm.transform(106.712, 10.788)
    geom = shapely.Point(x, y).buffer(700, quad_segs=8)
    table = zonal_statistics(parcels(geom), path, stats=["mean"])
    in_degrees = gpd.GeoSeries([geom], crs=CRS).to_crs("EPSG:4326").iloc[0]
    assert table.loc[0, "mean"] == pytest.approx(
        _centre_mean(values, transform, in_degrees), rel=1e-6
    )
    assert table.loc[0, "pixels"] > 100


def test_parcels_in_another_metric_crs_are_reprojected(tmp_path: Path) -> None:
    values = np.arange(400, dtype="float32").reshape(20, 20)
    transform = Affine(50, 0, 33_000, 0, -50, 1_194_000)  # EPSG:32649 west of its zone centre
    path = write_tif(tmp_path / "z49.tif", values, transform=transform, crs="EPSG:32649")
    geom_49 = box(33_210, 1_193_210, 33_590, 1_193_590)
    geom_48 = gpd.GeoSeries([geom_49], crs="EPSG:32649").to_crs(CRS)
    table = zonal_statistics(geom_48, path)
    back = geom_48.to_crs("EPSG:32649").iloc[0]
    assert table.loc[0, "mean"] == pytest.approx(_centre_mean(values, transform, back))


@pytest.mark.parametrize("angle", [0.0, 30.0, 180.0])
def test_rotated_and_flipped_grids_use_their_own_pixel_centres(tmp_path: Path, angle) -> None:
    rng = np.random.default_rng(8)
    values = rng.random((20, 30)).astype("float32")
    cos, sin = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    transform = Affine(RES * cos, -RES * sin, X0, RES * sin * -1, -RES * cos, Y0)
    path = write_tif(tmp_path / "rot.tif", values, transform=transform)
    centre_x = transform.a * 15.5 + transform.b * 10.5 + transform.c  # pixel (row 10, col 15)
    centre_y = transform.d * 15.5 + transform.e * 10.5 + transform.f
    geom = shapely.Point(centre_x, centre_y).buffer(57, quad_segs=5)
    table = zonal_statistics(parcels(geom), path)
    rows, cols = np.mgrid[0:20, 0:30]
    x = transform.a * (cols + 0.5) + transform.b * (rows + 0.5) + transform.c
    y = transform.d * (cols + 0.5) + transform.e * (rows + 0.5) + transform.f
    inside = shapely.contains_xy(geom, x, y)
    assert table.loc[0, "pixels"] == inside.sum() > 20
    assert table.loc[0, "mean"] == pytest.approx(values[inside].mean())


def test_fraction_coverage_on_a_rotated_grid_matches_exact_areas(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    values = rng.random((20, 30)).astype("float32")
    cos, sin = np.cos(np.radians(25)), np.sin(np.radians(25))
    transform = Affine(RES * cos, RES * sin, X0, RES * sin, -RES * cos, Y0)
    path = write_tif(tmp_path / "rot.tif", values, transform=transform)
    centre = (
        transform.a * 14 + transform.b * 9 + transform.c,
        transform.d * 14 + transform.e * 9 + transform.f,
    )
    geom = shapely.Point(centre).buffer(47, quad_segs=4)
    table = zonal_statistics(parcels(geom), path, coverage="fraction")
    rows, cols = np.mgrid[0:20, 0:30]
    corners = [(cols, rows), (cols + 1, rows), (cols + 1, rows + 1), (cols, rows + 1)]
    xy = [
        (
            transform.a * c + transform.b * r + transform.c,
            transform.d * c + transform.e * r + transform.f,
        )
        for c, r in corners
    ]
    rings = np.stack([np.stack([x, y], axis=-1) for x, y in xy], axis=-2)
    pixels = shapely.polygons(rings.reshape(-1, 4, 2))
    weights = shapely.area(shapely.intersection(pixels, geom)) / RES**2
    assert table.loc[0, "pixels"] == pytest.approx(weights.sum(), rel=1e-9)
    assert table.loc[0, "mean"] == pytest.approx(
        np.sum(weights * values.ravel()) / weights.sum(), rel=1e-9
    )


def test_parcels_the_raster_crs_cannot_represent_are_refused(tmp_path: Path) -> None:
    # An orthographic view of the South Pole cannot show points north of the equator.
    south_pole = "+proj=ortho +lat_0=-90 +lon_0=0 +datum=WGS84 +units=m +no_defs"
    path = write_tif(
        tmp_path / "pole.tif",
        np.ones((10, 10), dtype="uint8"),
        transform=Affine(1000, 0, 0, 0, -1000, 10_000),
        crs=south_pole,
    )
    with pytest.raises(CRSError, match=r"pole\.tif.*infinite coordinates"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), path)


def test_raster_without_crs_is_refused_by_name(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "nocrs.tif", np.ones((2, 2), dtype="uint8"), crs=None)
    with pytest.raises(CRSError, match=r"nocrs\.tif.*has no CRS"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), path)


def test_raster_without_georeferencing_is_refused_without_warnings(tmp_path: Path) -> None:
    bare = write_tif(
        tmp_path / "bare.tif", np.ones((2, 2), dtype="uint8"), crs=None, transform=Affine.identity()
    )
    with pytest.raises(CRSError, match=r"bare\.tif.*has no CRS"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), bare)
    placed = write_tif(
        tmp_path / "nogt.tif", np.ones((2, 2), dtype="uint8"), transform=Affine.identity()
    )
    with pytest.raises(CRSError, match=r"nogt\.tif.*has no geotransform"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), placed)


def test_geographic_crs_with_metre_coordinates_is_refused(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "liar.tif", np.ones((2, 2), dtype="uint8"), crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"liar\.tif.*geographic CRS.*not in degrees"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), path)


def test_metric_crs_with_degree_coordinates_is_refused(tmp_path: Path) -> None:
    transform = Affine(0.0083, 0, 106.2, 0, -0.0083, 11.7)
    path = write_tif(tmp_path / "liar.tif", np.ones((2, 2), dtype="uint8"), transform=transform)
    with pytest.raises(CRSError, match="look like degrees"):
        zonal_statistics(parcels(box(106.2, 11.69, 106.21, 11.7)), path)


def test_parcels_without_crs_are_refused(grid: Path) -> None:
    with pytest.raises(CRSError, match="parcels have no CRS"):
        zonal_statistics(gpd.GeoSeries([cell(0, 0, 1, 1)]), grid)


def test_no_overlap_names_the_raster_and_both_extents(grid: Path) -> None:
    far = box(X0 + 50_000, Y0, X0 + 50_100, Y0 + 100)
    with pytest.raises(
        LayerError,
        match=r"grid\.tif.*does not overlap.*raster extent \(690000.*"
        r"parcels' extent \(740000",
    ):
        zonal_statistics(parcels(far), grid)


def test_parcel_partly_outside_uses_the_pixels_inside(grid: Path) -> None:
    table = zonal_statistics(
        parcels(cell(-5, -5, 1, 1), cell(10, 10, 11, 11), cell(0, 0, 1, 1)), grid
    )
    assert table.loc[0, "mean"] == 0
    assert np.isnan(table.loc[1, "mean"])


# --------------------------------------------------------------------------- bad arguments


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match=r"nothere\.tif"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), tmp_path / "nothere.tif")


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "junk.tif"
    path.write_text("not a raster")
    with pytest.raises(LayerError, match=r"cannot read raster.*junk\.tif"):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stats": ["median"]}, "unknown statistic"),
        ({"stats": ["share_in_classes"]}, "needs `classes`"),
        ({"stats": ["share_above"]}, "need a finite `threshold`"),
        ({"coverage": "touched"}, "coverage 'touched'"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_options_are_refused(grid: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        zonal_statistics(parcels(cell(0, 0, 1, 1)), grid, **kwargs)


# --------------------------------------------------------------------------- real data


def test_land_sea_mask_sea_off_vung_tau_and_land_at_bien_hoa() -> None:
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    sea = shapely.Point(*to_utm.transform(107.15, 10.30)).buffer(1500)
    bien_hoa = shapely.Point(*to_utm.transform(106.82, 10.95)).buffer(1500)
    # Vũng Tàu's Front Beach: the shore runs through a 3 km disc.
    coast = shapely.Point(*to_utm.transform(107.075, 10.345)).buffer(3000)
    for coverage in ("centre", "fraction"):
        table = zonal_statistics(
            parcels(sea, bien_hoa, coast),
            layer_path("land_sea_mask"),
            stats=["share_in_classes"],
            classes=[1],
            coverage=coverage,
        )
        assert table["share_in_classes"].tolist()[:2] == pytest.approx([1.0, 0.0])
        assert 0.05 < table.loc[2, "share_in_classes"] < 0.95
        assert not table["fallback"].any()


def test_measure_on_the_bundled_mask_by_layer_name() -> None:
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    sea = shapely.Point(*to_utm.transform(107.15, 10.30)).buffer(1500)
    ctx = _context(parcels(sea), {"land_sea_mask": layer_path("land_sea_mask")})
    spec = RasterMeasure(raster="land_sea_mask", statistic="share_in_classes", classes=[1])
    result = spec.compute(ctx)
    assert result.unit == "share"
    assert result.values.tolist() == [1.0]  # noqa: PD011 - a MeasureResult


# --------------------------------------------------------------------------- measure spec


def _context(candidates: gpd.GeoSeries, files: dict[str, Path]) -> MeasureContext:
    def load_layer(name, where):
        raise AssertionError(name)

    return MeasureContext(
        candidates=gpd.GeoDataFrame(geometry=candidates, crs=candidates.crs),
        crs=pyproj.CRS(CRS),
        load_layer=load_layer,
        resolve_path=lambda name: files[name],
        base_dir=Path(),
    )


def test_measure_reports_shares_with_unit_and_reasons(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "n.tif", np.array([[1, 0], [255, 255]], dtype="uint8"), nodata=255)
    ctx = _context(
        parcels(cell(0, 0, 2, 1), cell(0, 1, 2, 2), cell(9, 9, 10, 10), None), {"mask": path}
    )
    spec = RasterMeasure.model_validate(
        {"type": "raster", "raster": "mask", "statistic": "share_in_classes", "classes": [1]}
    )
    result = spec.compute(ctx)
    assert result.unit == "share"
    values = result.values  # noqa: PD011 - a MeasureResult, not a DataFrame
    assert values[0] == 0.5
    assert np.isnan(values[1:]).all()
    assert result.reasons is not None
    assert "nodata" in result.reasons[1]
    assert "outside raster 'mask'" in result.reasons[2]
    assert "no geometry" in result.reasons[3]
    assert spec.layers_used() == ["mask"]


def test_measure_unit_is_declared_for_values(grid: Path) -> None:
    spec = RasterMeasure.model_validate({"raster": "g", "statistic": "max", "unit": "m"})
    result = spec.compute(_context(parcels(cell(0, 0, 2, 2)), {"g": grid}))
    assert result.unit == "m"
    assert result.values.tolist() == [5.0]  # noqa: PD011 - a MeasureResult
    assert RasterMeasure(raster="g").result_unit == ""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"statistic": "share_in_classes"}, "needs `classes:`"),
        ({"statistic": "share_above"}, "needs a finite `threshold:`"),
        ({"statistic": "mean", "classes": [1]}, "only used by 'share_in_classes'"),
        ({"statistic": "mean", "threshold": 3}, "only used by 'share_above'"),
        ({"statistic": "share_below", "threshold": 3, "unit": "m"}, "remove `unit:`"),
        ({"statistic": "median"}, "statistic"),
        ({"band": 0}, "band"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_measure_spec_is_validated(spec: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        RasterMeasure.model_validate({"type": "raster", "raster": "r", **spec})


def test_raster_criteria_run_in_a_scenario(tiny_project: Path) -> None:
    from geosite import evaluate

    # Site a is the 400 m square at (0, 0) of the project, b the one at (5000, 0).
    values = np.zeros((10, 600), dtype="float32")
    values[:, 500:] = 7.0  # 7 from x = 5000 m eastwards
    write_tif(
        tiny_project / "data" / "heat.tif",
        values,
        transform=Affine(10, 0, 690_000, 0, -10, 1_190_400),
        nodata=-1,
    )
    text = (tiny_project / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "constraints:",
        """  - name: sea
    measure: {type: raster, raster: land_sea_mask, statistic: share_in_classes, classes: [1]}
    value: {type: linear, best: 0, worst: 1}
    weight: 1
  - name: heat
    measure: {type: raster, raster: data/heat.tif, statistic: mean, unit: degC}
    value: {type: linear, best: 0, worst: 10}
    weight: 1
constraints:""",
    )
    (tiny_project / "scenario.yaml").write_text(text, encoding="utf-8")
    table = evaluate(tiny_project / "scenario.yaml").table.set_index("site_id")
    assert table.loc["a", "sea_share"] == 0
    assert table.loc[["a", "b"], "heat_degC"].tolist() == [0.0, 7.0]
    assert np.isnan(table.loc["c", "heat_degC"])  # outside the raster's rows
