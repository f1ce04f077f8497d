"""Partitioned runs on Dask give the single-machine result, value for value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point, box

from geosite import evaluate
from geosite.analysis import Result
from geosite.data.grid import grid_from_area
from geosite.errors import ParameterError
from geosite.measures.distance import count_within, nearest_distance

pytest.importorskip("dask_geopandas")

from geosite.distributed import (
    _nearest_subsets,
    evaluate_partitioned,
    partition_candidates,
)

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0


def assert_same_result(single: Result, parted: Result) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(single.table), pd.DataFrame(parted.table))
    assert single.scenario == parted.scenario
    assert single.weights == parted.weights
    assert single.layers == parted.layers
    for a, b in zip(single.criteria, parted.criteria, strict=True):
        assert a.criterion == b.criterion
        assert (a.unit, a.raw_column, a.weight, a.extra_columns) == (
            b.unit,
            b.raw_column,
            b.weight,
            b.extra_columns,
        )
        if a.features is None:
            assert b.features is None
        else:
            pd.testing.assert_frame_equal(
                pd.DataFrame(a.features).reset_index(drop=True),
                pd.DataFrame(b.features).reset_index(drop=True),
            )


@pytest.mark.parametrize("partition_size", [1, 2, 100])
def test_bundled_scenario_partitioned_equals_single_run(partition_size: int) -> None:
    single = evaluate("dong-nam-bo")
    parted = evaluate_partitioned(
        "dong-nam-bo", partition_size=partition_size, scheduler="synchronous"
    )
    assert_same_result(single, parted)


def test_coverage_flags_partitioned_equal_single_run() -> None:
    """Layers that cover part of the region flag bounds the same way in every partition."""
    single = evaluate("data-centre")
    parted = evaluate_partitioned("data-centre", partition_size=2, scheduler="synchronous")
    assert "hv_supply_distance_upper_bound" in single.table
    assert_same_result(single, parted)


def test_tiny_project_partitioned_equals_single_run(tiny_project: Path) -> None:
    scenario = tiny_project / "scenario.yaml"
    single = evaluate(scenario)
    parted = evaluate_partitioned(scenario, partition_size=1, scheduler="synchronous")
    assert_same_result(single, parted)


@pytest.fixture
def grid_project(tmp_path: Path) -> Path:
    """400 grid cells over 20 x 20 km, scattered parks, a few ports, a road; raster-free."""
    rng = np.random.default_rng(3)
    area = gpd.GeoSeries([box(X0, Y0, X0 + 20_000, Y0 + 20_000)], crs=CRS)
    grid_from_area(area, cell_size_m=1000).to_file(tmp_path / "cells.gpkg")
    centres = shapely.points(rng.uniform(-5000, 25_000, (40, 2)) + np.array([X0, Y0]))
    parks = shapely.buffer(centres, rng.uniform(100, 900, 40))
    gpd.GeoDataFrame(
        {"park_id": [f"p{i}" for i in range(40)], "name": [f"Park {i}" for i in range(40)]},
        geometry=parks,
        crs=CRS,
    ).to_file(tmp_path / "parks.gpkg")
    gpd.GeoDataFrame(
        {"port_id": ["a", "b", "c"]},
        geometry=[Point(X0 - 3000, Y0), Point(X0 + 30_000, Y0 + 30_000), Point(X0 + 500, Y0 + 500)],
        crs=CRS,
    ).to_file(tmp_path / "ports.gpkg")
    gpd.GeoDataFrame(
        {"road_id": ["r"]},
        geometry=[LineString([(X0 + 7000, Y0 - 9000), (X0 + 9000, Y0 + 29_000)])],
        crs=CRS,
    ).to_file(tmp_path / "roads.gpkg")
    (tmp_path / "grid.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            name: grid
            crs: EPSG:32648
            layers:
              cells: {path: cells.gpkg, id: cell_id}
              parks: {path: parks.gpkg, id: park_id}
              ports: {path: ports.gpkg, id: port_id}
              roads: {path: roads.gpkg, id: road_id}
            candidates: {layer: cells, id: cell_id}
            criteria:
              - name: park_distance
                measure: {type: distance, layer: parks}
                value: {type: linear, best: 0, worst: 10000}
                weight: 2
              - name: parks_within_2km
                measure: {type: count_within, layer: parks, radius_m: 2000}
                value: {type: linear, best: 5, worst: 0}
                weight: 1
              - name: port_distance
                measure: {type: distance, layer: ports, where: {port_id: [a, b]}}
                value: {type: linear, best: 0, worst: 30000}
                weight: 1
              - name: road_distance
                measure: {type: distance, layer: roads}
                value: {type: linear, best: 0, worst: 20000}
                weight: 1
            constraints:
              - {type: min_area, min_ha: 50}
            """
        ),
        encoding="utf-8",
    )
    return tmp_path / "grid.yaml"


@pytest.mark.parametrize("partition_size", [7, 64, 400])
def test_grid_scenario_partitioned_equals_single_run(
    grid_project: Path, partition_size: int
) -> None:
    single = evaluate(grid_project)
    parted = evaluate_partitioned(grid_project, partition_size=partition_size, scheduler="threads")
    assert_same_result(single, parted)
    assert len(single.table) == 400
    assert (single.table["park_distance_m"] == 0).any()


def test_local_cluster_gives_the_same_result(grid_project: Path) -> None:
    distributed = pytest.importorskip("distributed")
    single = evaluate(grid_project)
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        parted = evaluate_partitioned(grid_project, partition_size=50, client=client)
    assert_same_result(single, parted)


def test_each_partition_gets_only_the_features_it_needs() -> None:
    rng = np.random.default_rng(11)
    features = gpd.GeoDataFrame(
        geometry=shapely.buffer(shapely.points(rng.uniform(0, 100_000, (500, 2))), 50), crs=CRS
    )
    cells = grid_from_area(gpd.GeoSeries([box(0, 0, 100_000, 100_000)], crs=CRS), cell_size_m=2000)
    frame = partition_candidates(cells, partition_size=100).compute()
    geoms = np.asarray(frame.geometry.array)
    boxes = [shapely.box(*shapely.total_bounds(geoms[lo : lo + 100])) for lo in range(0, 2500, 100)]
    full_d, full_i = nearest_distance(geoms, features)
    full_c = count_within(geoms, features, 3000.0)
    sizes = []
    for radius in (None, 3000.0):
        subsets = _nearest_subsets(features, np.asarray(boxes, dtype=object), radius)
        for k, subset in enumerate(subsets):
            part = slice(k * 100, (k + 1) * 100)
            if radius is None:
                d, i = nearest_distance(geoms[part], subset)
                assert np.array_equal(d, full_d[part])
                assert np.array_equal(subset.index.to_numpy()[i], full_i[part])
                sizes.append(len(subset))
            else:
                assert np.array_equal(count_within(geoms[part], subset, radius), full_c[part])
    assert max(sizes) < len(features) / 4  # a compact partition needs few of the features


def test_partitions_follow_a_hilbert_curve_and_keep_positions() -> None:
    cells = grid_from_area(
        gpd.GeoSeries([box(X0, Y0, X0 + 6400, Y0 + 6400)], crs=CRS), cell_size_m=100
    )
    frame = partition_candidates(cells, partition_size=512)
    assert frame.npartitions == 8
    parts = [p.compute() for p in frame.partitions]
    # Each partition is a compact block: 512 cells of 1 ha in much less than the full extent.
    for part in parts:
        minx, miny, maxx, maxy = part.total_bounds
        assert (maxx - minx) * (maxy - miny) <= 4 * 512 * 1e4
    whole = pd.concat(parts)
    assert sorted(whole["_geosite_position"].tolist()) == list(range(len(cells)))
    back = whole.set_index("_geosite_position").sort_index()
    assert back["cell_id"].tolist() == cells["cell_id"].tolist()
    with pytest.raises(ParameterError, match="partition_size"):
        partition_candidates(cells, partition_size=0)


def test_grid_candidates_partitioned_equal_single_run(tmp_path: Path) -> None:
    """The bundled scenario switched to 100 km2 hexagons over Đồng Nai, with one key."""
    (tmp_path / "grid.yaml").write_text(
        textwrap.dedent(
            f"""\
            version: 1
            extends: {(Path(__file__).parents[1] / "scenarios" / "dong-nam-bo.yaml").as_posix()}
            name: every 100 km2 hexagon of Dong Nai
            candidates:
              grid:
                cell_ha: 10000
                shape: hex
                area: {{layer: provinces_pre2025, where: {{province_id: dong-nai}}}}
            constraints: []
            """
        ),
        encoding="utf-8",
    )
    single = evaluate(tmp_path / "grid.yaml")
    assert len(single.table) > 40
    parted = evaluate_partitioned(tmp_path / "grid.yaml", partition_size=16, scheduler="threads")
    assert_same_result(single, parted)


def test_layers_in_memory_partition_like_the_files(tiny_project: Path) -> None:
    data = tiny_project / "data"
    layers = {
        "sites": gpd.read_file(data / "candidates.gpkg", layer="sites"),
        "my_ports": gpd.read_file(data / "ports.gpkg"),
        "my_roads": gpd.read_file(data / "roads.gpkg"),
    }
    scenario = tiny_project / "scenario.yaml"
    single = evaluate(scenario, layers=layers)
    parted = evaluate_partitioned(
        scenario, layers=layers, partition_size=1, scheduler="synchronous"
    )
    assert_same_result(single, parted)
    pd.testing.assert_frame_equal(
        pd.DataFrame(evaluate(scenario).table), pd.DataFrame(parted.table)
    )
    with pytest.raises(ParameterError, match=r"reads rasters from files.*\['dem'\]"):
        evaluate_partitioned(
            scenario, layers={"dem": (np.zeros((2, 2)), None, None)}, scheduler="synchronous"
        )
