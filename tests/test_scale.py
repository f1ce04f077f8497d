"""Large inputs: memory bounded by the batch, grids of 1e5 cells, grid candidates end to end."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import Point, box

from geosite import evaluate
from geosite.data.grid import grid_from_area
from geosite.measures.distance import count_within, nearest_distance

CRS = "EPSG:32648"
X0, Y0 = 690_000.0, 1_190_000.0


def peak_bytes(func: object) -> tuple[int, object]:
    tracemalloc.start()
    try:
        out = func()  # type: ignore[operator]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, out


def test_count_within_memory_grows_with_the_batch_not_with_pairs() -> None:
    # 2,000 parcels x 500 features, every pair within the radius: 1e6 pairs in all.
    rng = np.random.default_rng(0)
    parcels = shapely.box(*(rng.uniform(0, 1000, (2, 2000))), *(rng.uniform(1000, 1010, (2, 2000))))
    features = shapely.points(rng.uniform(0, 1000, (500, 2)))
    small, counts = peak_bytes(lambda: count_within(parcels, features, 5000.0, chunk_size=50))
    assert np.all(counts == 500)  # type: ignore[operator]
    big, _ = peak_bytes(lambda: count_within(parcels, features, 5000.0, chunk_size=2000))
    # Pairs of one batch are held at a time: 25,000 pairs against 1e6.
    assert small < 10e6
    assert big > 5 * small


def test_nearest_distance_memory_is_linear_in_parcels() -> None:
    rng = np.random.default_rng(1)
    # Few enough vertices per parcel that both sizes take the same path.
    features = shapely.buffer(shapely.points(rng.uniform(0, 50_000, (200, 2))), 100)

    def run(n: int) -> int:
        x, y = rng.uniform(0, 50_000, (2, n))
        parcels = shapely.box(x, y, x + 30, y + 30)
        peak, _ = peak_bytes(lambda: nearest_distance(parcels, features, chunk_size=4096))
        return peak

    # Doubling N at most about doubles the memory: nothing of size N x M is built.
    assert run(20_000) < 2.6 * run(10_000)


def test_a_hundred_thousand_cells_with_exact_areas() -> None:
    area = gpd.GeoSeries([box(X0, Y0, X0 + 32_000, Y0 + 32_000)], crs=CRS)
    cells = grid_from_area(area, cell_size_m=100)
    assert len(cells) == 320 * 320
    assert cells["cell_id"].is_unique
    assert cells["area_ha"].sum() == pytest.approx(320 * 320)
    hexes = grid_from_area(area, cell_ha=1, shape="hex", cells="clip")
    assert hexes["area_ha"].sum() == pytest.approx(32_000 * 32_000 / 1e4)


def test_grid_candidates_run_through_the_pipeline(tmp_path: Path) -> None:
    area = gpd.GeoSeries([box(X0, Y0, X0 + 3000, Y0 + 3000)], crs=CRS)
    reserve = box(X0 + 1000, Y0 + 1000, X0 + 1500, Y0 + 1500)
    cells = grid_from_area(area, cell_size_m=100, exclude=[reserve], crs=CRS)
    assert len(cells) == 900 - 25
    cells.to_file(tmp_path / "cells.gpkg")
    port = Point(X0 + 4000, Y0 + 200)
    gpd.GeoDataFrame({"port_id": ["p"]}, geometry=[port], crs=CRS).to_file(tmp_path / "ports.gpkg")
    (tmp_path / "s.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            name: grid
            crs: EPSG:32648
            layers:
              cells: {path: cells.gpkg, id: cell_id}
              ports: {path: ports.gpkg, id: port_id}
            candidates: {layer: cells, id: cell_id}
            criteria:
              - name: port_distance
                measure: {type: distance, layer: ports}
                value: {type: linear, best: 1000, worst: 5000}
                weight: 1
            """
        ),
        encoding="utf-8",
    )
    table = evaluate(tmp_path / "s.yaml").table.set_index("cell_id")
    expected = cells.set_index("cell_id").distance(port)
    assert np.allclose(table.loc[expected.index, "port_distance_m"], expected, rtol=0, atol=1e-9)
    best = table.loc[table["rank"] == 1]
    # The best cells touch the east border, level with the port (x = 2900-3000, y = 100-300).
    assert set(best.index) == {c for c in expected.index if expected[c] == expected.min()}
