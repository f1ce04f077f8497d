"""Grid candidates: cell counts and areas checked by hand, exclusions, the scenario spec."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pydantic import ValidationError
from shapely import LineString, box

from geosite.data.grid import GridSpec, cell_area_m2, grid_candidates, grid_from_area
from geosite.errors import CRSError, LayerError, ParameterError

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0  # multiples of 100 m: the lattice lines up with the square


def km_square() -> gpd.GeoSeries:
    return gpd.GeoSeries([box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)


@pytest.mark.parametrize("cells", ["centre", "within", "clip"])
def test_one_km_square_with_100_m_cells_is_100_cells_of_1_ha(cells: str) -> None:
    grid = grid_from_area(km_square(), cell_size_m=100, cells=cells)
    assert len(grid) == 100
    assert np.allclose(grid["area_ha"], 1.0)
    assert grid.crs == CRS
    assert grid["cell_id"].is_unique
    # Together they tile the square exactly.
    assert shapely.union_all(grid.geometry.array).equals(km_square().iloc[0])


def test_cell_ha_gives_the_same_square_grid() -> None:
    by_ha = grid_from_area(km_square(), cell_ha=1)
    by_m = grid_from_area(km_square(), cell_size_m=100)
    assert by_ha["cell_id"].tolist() == by_m["cell_id"].tolist()


def test_ids_name_row_and_column_from_the_crs_origin() -> None:
    grid = grid_from_area(km_square(), cell_size_m=100, id_prefix="c")
    first = grid.iloc[0]
    row, col = int(Y0 // 100), int(X0 // 100)
    assert first["cell_id"] == f"c{row}_{col}"
    assert first.geometry.equals(box(X0, Y0, X0 + 100, Y0 + 100))


def test_hexagon_area_follows_the_formula() -> None:
    # Width across flats w: side s = w / sqrt(3), area = 3 sqrt(3) / 2 s^2 = sqrt(3) / 2 w^2.
    w = 100.0
    side = w / math.sqrt(3)
    expected = 3 * math.sqrt(3) / 2 * side**2
    grid = grid_from_area(km_square(), cell_size_m=w, shape="hex")
    assert np.allclose(grid["area_ha"] * 1e4, expected)
    assert cell_area_m2("hex", w) == pytest.approx(expected)
    # Every vertex is at distance `side` from the centre.
    hexagon = grid.geometry.iloc[0]
    xy = np.asarray(hexagon.exterior.coords)[:-1]
    c = np.asarray(hexagon.centroid.coords)[0]
    assert np.allclose(np.hypot(*(xy - c).T), side)


def test_hexagons_by_area_have_that_area() -> None:
    grid = grid_from_area(km_square(), cell_ha=2.5, shape="hex")
    assert np.allclose(grid["area_ha"], 2.5)


def test_hexagons_tile_without_gaps_or_overlaps() -> None:
    grid = grid_from_area(km_square(), cell_size_m=100, shape="hex", cells="clip")
    # Clipped cells cover the square exactly once: their areas add up to it.
    assert grid["area_ha"].sum() == pytest.approx(100.0)
    assert shapely.union_all(grid.geometry.array).area == pytest.approx(1e6)
    # Centre cells number about area / cell area (1e6 / 8660 = 115.5).
    centre = grid_from_area(km_square(), cell_size_m=100, shape="hex")
    assert abs(len(centre) - 1e6 / cell_area_m2("hex", 100)) < 12


def test_exclusions_take_cells_out() -> None:
    # A 300 x 200 m reserve in the corner; a road crossing the square at y = 550.
    reserve = box(X0, Y0, X0 + 300, Y0 + 200)
    road = gpd.GeoSeries([LineString([(X0 - 10, Y0 + 550), (X0 + 1010, Y0 + 550)])], crs=CRS)
    centre = grid_from_area(km_square(), cell_size_m=100, exclude=[reserve], crs=CRS)
    assert len(centre) == 100 - 6
    # A 60 m corridor (30 m each side) around the road covers the centres at y = 550 only.
    corridor = road.buffer(30)
    centre = grid_from_area(km_square(), cell_size_m=100, exclude=corridor)
    assert len(centre) == 90
    # Whole cells overlapping the corridor (y = 520-580): the row from 500 to 600.
    within = grid_from_area(km_square(), cell_size_m=100, exclude=corridor, cells="within")
    assert len(within) == 90
    clip = grid_from_area(km_square(), cell_size_m=100, exclude=corridor, cells="clip")
    assert len(clip) == 100
    assert clip["area_ha"].sum() == pytest.approx(
        100 - corridor.intersection(km_square()).area.iloc[0] / 1e4
    )
    cut = clip[clip["cell_share"] < 1]
    assert len(cut) == 10
    assert np.allclose(cut["area_ha"], 0.4)  # 100 x 40 m left of each crossed cell


def test_within_drops_cells_touching_the_border_only_when_they_overlap() -> None:
    # A study area that is not aligned with the lattice: 1040 m wide.
    area = gpd.GeoSeries([box(X0, Y0, X0 + 1040, Y0 + 1000)], crs=CRS)
    within = grid_from_area(area, cell_size_m=100, cells="within")
    centre = grid_from_area(area, cell_size_m=100, cells="centre")
    clip = grid_from_area(area, cell_size_m=100, cells="clip")
    assert len(within) == 100  # the cells along x = 1000-1100 stick out
    assert len(centre) == 100  # and their centres (x = 1050) are outside
    assert len(clip) == 110
    assert clip["area_ha"].sum() == pytest.approx(104.0)
    assert np.allclose(clip.loc[clip["cell_share"] < 1, "area_ha"], 0.4)


def test_min_share_drops_slivers() -> None:
    area = gpd.GeoSeries([box(X0, Y0, X0 + 1010, Y0 + 1000)], crs=CRS)
    clip = grid_from_area(area, cell_size_m=100, cells="clip")
    assert len(clip) == 110
    kept = grid_from_area(area, cell_size_m=100, cells="clip", min_share=0.2)
    assert len(kept) == 100


def test_multipolygon_and_several_features_are_unioned() -> None:
    a = box(X0, Y0, X0 + 500, Y0 + 1000)
    b = box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)
    far = box(X0 + 5000, Y0, X0 + 5200, Y0 + 200)
    grid = grid_from_area(gpd.GeoSeries([a, b, far], crs=CRS), cell_size_m=100)
    assert len(grid) == 104
    assert grid["cell_id"].is_unique


def test_errors_name_the_problem() -> None:
    with pytest.raises(ParameterError, match="exactly one"):
        grid_from_area(km_square())
    with pytest.raises(ParameterError, match="exactly one"):
        grid_from_area(km_square(), cell_size_m=100, cell_ha=1)
    with pytest.raises(ParameterError, match="positive"):
        grid_from_area(km_square(), cell_size_m=-1)
    with pytest.raises(ParameterError, match="shape"):
        grid_from_area(km_square(), cell_size_m=100, shape="triangle")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="cells"):
        grid_from_area(km_square(), cell_size_m=100, cells="all")  # type: ignore[arg-type]
    with pytest.raises(LayerError, match="study area must be polygons"):
        grid_from_area(gpd.GeoSeries([LineString([(0, 0), (1, 1)])], crs=CRS), cell_size_m=1)
    with pytest.raises(LayerError, match="buffer_m"):
        grid_from_area(km_square(), cell_size_m=100, exclude=[LineString([(X0, Y0), (X0 + 1, Y0)])])
    with pytest.raises(CRSError, match="metres"):
        grid_from_area(km_square().to_crs(4326), cell_size_m=100)
    with pytest.raises(ParameterError, match="CRS"):
        grid_from_area(box(0, 0, 1, 1), cell_size_m=100)


def test_gridspec_validates_and_accepts_layer_names() -> None:
    spec = GridSpec.model_validate(
        {
            "cell_ha": 10,
            "area": "provinces_pre2025",
            "exclude": ["parks", {"layer": "roads", "buffer_m": 50}],
        }
    )
    assert spec.area.layer == "provinces_pre2025"
    assert spec.exclude[1].buffer_m == 50
    assert spec.layers_used() == ["provinces_pre2025", "parks", "roads"]
    assert spec.cell_size() == pytest.approx(math.sqrt(1e5))
    with pytest.raises(ValidationError, match="exactly one"):
        GridSpec.model_validate({"area": "x"})
    with pytest.raises(ValidationError, match="min_share"):
        GridSpec.model_validate({"cell_ha": 1, "area": "x", "min_share": 0.5})
    with pytest.raises(ValidationError):
        GridSpec.model_validate({"cell_ha": 1, "area": "x", "colour": "red"})


def test_grid_candidates_loads_area_and_buffers_exclusions() -> None:
    layers = {
        "area": gpd.GeoDataFrame(
            {"zone": ["a", "b"]}, geometry=[km_square().iloc[0], box(0, 0, 1, 1)], crs=CRS
        ),
        "roads": gpd.GeoDataFrame(
            geometry=[LineString([(X0 - 10, Y0 + 550), (X0 + 1010, Y0 + 550)])], crs=CRS
        ),
    }

    def load(name: str, where: dict[str, object] | None) -> gpd.GeoDataFrame:
        gdf = layers[name]
        if where:
            for column, value in where.items():
                gdf = gdf[gdf[column] == value]
        return gdf

    spec = GridSpec(
        cell_size_m=100,
        area={"layer": "area", "where": {"zone": "a"}},
        exclude=[{"layer": "roads", "buffer_m": 30}],
    )
    cells = grid_candidates(spec, load, CRS)
    assert len(cells) == 90
    with pytest.raises(LayerError, match="roads"):
        grid_candidates(
            spec.model_copy(
                update={"exclude": (spec.exclude[0].model_copy(update={"buffer_m": 0.0}),)}
            ),
            load,
            CRS,
        )
    with pytest.raises(LayerError, match="no features"):
        grid_candidates(
            spec.model_copy(update={"area": spec.area.model_copy(update={"where": {"zone": "z"}})}),
            load,
            CRS,
        )


def test_grid_area_widened_by_a_buffer_holds_the_cells_within_that_distance() -> None:
    # A point widened by 1 km: the 100 m cells wholly within 1 km of it, counted directly.
    point = shapely.Point(X0 + 50, Y0 + 50)  # a cell centre: the lattice is symmetric about it
    layers = {"site": gpd.GeoDataFrame(geometry=[point], crs=CRS)}
    spec = GridSpec(cell_size_m=100, cells="within", area={"layer": "site", "buffer_m": 1000})
    cells = grid_candidates(spec, lambda name, where: layers[name], CRS)
    corners = shapely.get_coordinates(cells.geometry.boundary.to_numpy()).reshape(len(cells), -1)
    far = np.hypot(corners[:, 0::2] - point.x, corners[:, 1::2] - point.y).max(axis=1)
    assert far.max() <= 1000
    # Every cell of the lattice whose corners all lie within 1 km (less the buffer's
    # polygon approximation, at most 1000 * (1 - cos(pi / 32)) = 4.8 m) is there.
    i, j = np.meshgrid(np.arange(-12, 13), np.arange(-12, 13))
    cx, cy = X0 + 50 + 100 * i.ravel(), Y0 + 50 + 100 * j.ravel()
    reach = np.hypot(np.abs(cx - point.x) + 50, np.abs(cy - point.y) + 50)
    assert (reach <= 1000 - 4.9).sum() <= len(cells) <= (reach <= 1000).sum()
    with pytest.raises(ValidationError, match="buffer_m"):
        GridSpec(cell_size_m=100, area={"layer": "site", "buffer_m": -1})


def test_every_10_ha_cell_of_dong_nai() -> None:
    from geosite import read_layer

    provinces = read_layer("provinces_pre2025").to_crs(32648)
    dong_nai = provinces[provinces["province_id"] == "dong-nai"]
    area_ha = float(dong_nai.area.iloc[0]) / 1e4
    cells = grid_from_area(dong_nai, cell_ha=10)
    # One centre per 10 ha: the count matches the area to within the border cells.
    assert abs(len(cells) * 10 - area_ha) / area_ha < 0.002
    clip = grid_from_area(dong_nai, cell_ha=10, cells="clip")
    assert clip["area_ha"].sum() == pytest.approx(area_ha, rel=1e-9)
