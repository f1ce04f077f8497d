"""The examples run as documented."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geosite

REPO = Path(__file__).resolve().parent.parent


def test_score_example_runs(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "score_dong_nam_bo.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "strongest criterion" in proc.stdout
    assert (tmp_path / "map.html").is_file()
    assert (tmp_path / "scores.csv").is_file()


def test_in_memory_example_writes_no_file(tmp_path: Path) -> None:
    # A clean working directory and temporary folder: both must stay empty.
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "notebook_in_memory.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PM-02" in proc.stdout
    assert "BH-12 excluded: area 10.9 ha < 20 ha" in proc.stdout
    assert "characters of HTML; map:" in proc.stdout
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []


@pytest.fixture(scope="module")
def zones_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("zones") / "out"
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "locate_zones.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _metric(name: str) -> gpd.GeoDataFrame:
    return geosite.read_layer(name).to_crs(32648)


def _region(out: Path, search: str) -> shapely.Geometry:
    regions = gpd.read_file(out / search / "regions.gpkg", layer="regions")
    assert regions.crs.to_epsg() == 32648
    assert len(regions) == 1
    geom = regions.geometry.iloc[0]
    # Contiguous: one polygon, not several touching at a corner or apart.
    assert geom.geom_type == "Polygon"
    # The region's mean is the mean of the surface cells it covers (read back independently).
    cells = gpd.read_file(out / search / "scores.gpkg", layer="scores")
    inside = cells[cells.geometry.representative_point().within(geom)]
    assert len(inside) == regions["cells"].iloc[0]
    assert not inside["excluded"].astype(bool).any()
    assert inside["total_score"].mean() == pytest.approx(regions["mean_score"].iloc[0], abs=1e-9)
    return geom


def test_zones_example_locates_650_ha_inside_ba_ria_vung_tau(zones_example) -> None:
    out, _ = zones_example
    region = _region(out, "brvt-650ha")
    # The fewest 10 ha cells covering 650 ha: at least 650 ha, less than one cell more.
    assert 650 - 1e-3 <= region.area / 1e4 < 660
    # The province before the July 2025 mergers, as the bundled admin layer draws it.
    provinces = _metric("provinces_pre2025")
    brvt = provinces.loc[provinces["province_id"] == "ba-ria-vung-tau"].geometry.iloc[0]
    assert region.difference(brvt).area < 1.0  # m²: rounding of the cell corners only
    others = provinces.loc[provinces["province_id"] != "ba-ria-vung-tau"]
    assert (others.geometry.intersection(region).area < 1.0).all()


def test_zones_example_locates_50_ha_within_15_km_of_the_airport(zones_example) -> None:
    out, _ = zones_example
    region = _region(out, "long-thanh-50ha")
    assert 50 - 1e-3 <= region.area / 1e4 < 60
    airports = _metric("airports")
    outline = airports.loc[airports["airport_id"] == "long-thanh"].geometry.iloc[0]
    assert outline.geom_type == "Polygon"  # an outline, not the reference point
    # Every point within 15 km of the outline: a fine buffer lies inside the true 15 km
    # zone by at most 0.07 m, so one metre more contains it.
    assert shapely.buffer(outline, 15_001, quad_segs=256).contains(region)
    assert region.intersection(outline).area < 1.0  # not on the airport itself
    assert region.distance(outline) < 15_000


def test_zones_example_ranks_maps_and_reports_them_beside_the_proposed_sites(
    zones_example,
) -> None:
    out, stdout = zones_example
    proposed = set(_metric("candidate_sites")["site_id"])
    located = {"located-brvt-650ha", "located-long-thanh-50ha"}
    ranking = pd.read_csv(out / "report" / "scores.csv")
    assert set(ranking["site_id"]) == proposed | located
    assert sorted(ranking["rank"].dropna().astype(int)) == list(range(1, len(ranking) + 1))
    # The candidates scored are the located regions themselves.
    sites = gpd.read_file(out / "together.gpkg", layer="candidates").set_index("site_id")
    for site_id, search in (
        ("located-brvt-650ha", "brvt-650ha"),
        ("located-long-thanh-50ha", "long-thanh-50ha"),
    ):
        assert sites.geometry[site_id].equals(_region(out, search))
    page = (out / "report" / "map.html").read_text(encoding="utf-8")
    report = (out / "report" / "report.html").read_text(encoding="utf-8")
    for name in ranking["name"]:
        assert json.dumps(name)[1:-1] in page or name in page, name
        assert html.escape(name) in report, name
    printed = [line for line in stdout.splitlines() if line.strip()[:1].isdigit()]
    assert len(printed) == len(ranking)
    assert sum(" located " in line for line in printed) == 2


def test_readme_shows_the_ranking_the_zones_example_prints(zones_example) -> None:
    _, stdout = zones_example
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("$ python examples/locate_zones.py out/zones\n...\n", 1)[1].split("```")[0]
    printed = stdout.split("\n\n")[1]  # the table, between the located zones and "wrote"
    assert block.strip() == printed.strip()
