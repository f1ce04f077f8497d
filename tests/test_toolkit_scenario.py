"""The whole decision toolkit through a scenario file: raster, overlay and attribute measures,
a cutoff value function, AHP weights and TOPSIS, each checked against an independent computation."""

from __future__ import annotations

import textwrap
from fractions import Fraction
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely import box

from geosite import evaluate

from .conftest import CRS, X0, Y0

AHP = [[1, 3, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]]


@pytest.fixture
def toolkit_project(tiny_project: Path) -> Path:
    data = tiny_project / "data"
    # 100 m pixels from X0 - 1000; the value of a pixel is its column index.
    cols, rows = 120, 120
    values = np.tile(np.arange(cols, dtype="float32"), (rows, 1))
    transform = Affine(100, 0, X0 - 1000, 0, -100, Y0 + 11000)
    with rasterio.open(
        data / "dem.tif",
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=transform,
        nodata=-9999,
    ) as dst:
        dst.write(values, 1)
    gpd.GeoDataFrame(
        {"zone_id": ["flood"]}, geometry=[box(X0 - 100, Y0 - 100, X0 + 200, Y0 + 500)], crs=CRS
    ).to_file(data / "flood.gpkg")
    gpd.GeoDataFrame(
        {"zone_id": ["west", "east"], "digital_rank": [3.0, 7.0]},
        geometry=[
            box(X0 - 1000, Y0 - 1000, X0 + 2000, Y0 + 9000),
            box(X0 + 2000, Y0 - 1000, X0 + 9000, Y0 + 9000),
        ],
        crs=CRS,
    ).to_file(data / "zones.gpkg")
    (tiny_project / "toolkit.yaml").write_text(
        textwrap.dedent(
            f"""\
            version: 1
            name: toolkit
            crs: EPSG:32648
            layers:
              sites: {{path: data/candidates.gpkg, layer: sites, id: site_id}}
              my_ports: {{path: data/ports.gpkg, id: port_id}}
              flood: {{path: data/flood.gpkg, id: zone_id}}
              zones: {{path: data/zones.gpkg, id: zone_id}}
            candidates: {{layer: sites, id: site_id, name: name}}
            criteria:
              - name: port_distance
                measure: {{type: distance, layer: my_ports}}
                value: {{type: cutoff, exclude_above: 5000, curve: {{type: linear, best: 0, worst: 5000}}}}
              - name: dem
                measure: {{type: raster, raster: data/dem.tif, statistic: mean}}
                value: {{type: linear, best: 0, worst: 100}}
              - name: flood
                measure: {{type: overlay, layer: flood, statistic: share}}
                value: {{type: linear, best: 0, worst: 1}}
              - name: digital
                measure: {{type: attribute, layer: zones, column: digital_rank}}
                value: {{type: linear, best: 1, worst: 10}}
            weighting:
              method: ahp
              criteria: [port_distance, dem, flood, digital]
              matrix: {AHP!r}
            aggregation: {{method: topsis}}
            """
        ).replace("'", '"'),
        encoding="utf-8",
    )
    return tiny_project


def _matrix() -> np.ndarray:
    return np.array([[float(Fraction(str(v))) for v in row] for row in AHP])


def test_raw_values_match_independent_computation(toolkit_project: Path) -> None:
    t = evaluate(toolkit_project / "toolkit.yaml").table.set_index("site_id")
    # Pixel centres inside each square: a and b span 4 columns, c spans 2.
    assert t.loc["a", "dem_value"] == pytest.approx(np.mean([10, 11, 12, 13]))
    assert t.loc["b", "dem_value"] == pytest.approx(np.mean([60, 61, 62, 63]))
    assert t.loc["c", "dem_value"] == pytest.approx(np.mean([10, 11]))
    # The flood zone covers x 0..200 of a's 0..400 (all of its height): half of it.
    assert t.loc["a", "flood_share"] == pytest.approx(0.5)
    assert t.loc["b", "flood_share"] == 0.0
    assert t.loc["a", "digital_value"] == 3.0
    assert t.loc["b", "digital_value"] == 7.0


def test_cutoff_excludes_and_says_why(toolkit_project: Path) -> None:
    t = evaluate(toolkit_project / "toolkit.yaml").table.set_index("site_id")
    assert bool(t.loc["c", "excluded"])
    assert "port_distance = 5280 m beyond the cutoff" in t.loc["c", "exclusion_reason"]


def test_ahp_weights_equal_the_principal_eigenvector(toolkit_project: Path) -> None:
    result = evaluate(toolkit_project / "toolkit.yaml")
    vals, vecs = np.linalg.eig(_matrix())
    principal = np.real(vecs[:, np.argmax(np.real(vals))])
    expected = principal / principal.sum()
    got = [result.weights.weights[c] for c in ("port_distance", "dem", "flood", "digital")]
    assert got == pytest.approx(expected.tolist(), abs=1e-9)
    assert result.weights.details["CR"] < 0.1


def test_topsis_totals_match_a_hand_written_topsis(toolkit_project: Path) -> None:
    result = evaluate(toolkit_project / "toolkit.yaml")
    t = result.table
    names = ["port_distance", "dem", "flood", "digital"]
    # Every candidate with a complete score row takes part in TOPSIS, excluded or not.
    complete = t[[f"{n}_score" for n in names]].notna().all(axis=1)
    x = t.loc[complete, [f"{n}_score" for n in names]].to_numpy(dtype=float)
    w = np.array([result.weights.weights[n] for n in names])
    v = x / np.sqrt((x**2).sum(axis=0)) * w
    best, worst = v.max(axis=0), v.min(axis=0)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    closeness = d_worst / (d_best + d_worst)
    assert t.loc[complete, "total_score"].to_numpy() == pytest.approx(closeness, abs=1e-9)
