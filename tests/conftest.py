"""Shared fixtures: a tiny, hand-checkable project written in code, in EPSG:32648."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely import LineString, Point, box

CRS = "EPSG:32648"
# A point near Ho Chi Minh City in UTM 48N; all fixtures are offsets from it, in metres.
X0, Y0 = 690_000.0, 1_190_000.0


def square(x: float, y: float, side: float) -> object:
    return box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """Three candidate squares, two ports, one road; distances computable by hand.

    - ``a``: 400 m square at (0, 0): 20 ha.
    - ``b``: 400 m square at (5000, 0): 16 ha.
    - ``c``: 200 m square at (0, 5000): 4 ha (below a 5 ha minimum).
    - port ``p1`` at (2400, 200): 2000 m east of a's edge, 2600 m west of b's edge.
    - port ``p2`` at (0, 20000): far north.
    - road along x = 10000 (vertical line): 9600 m from a, 4600 m from b, 9800 m from c.
    """
    data = tmp_path / "data"
    data.mkdir()
    gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "name": ["Site A", "Site B", "Site C"]},
        geometry=[square(0, 0, 400), square(5000, 0, 400), square(0, 5000, 200)],
        crs=CRS,
    ).to_file(data / "candidates.gpkg", layer="sites")
    gpd.GeoDataFrame(
        {"port_id": ["p1", "p2"], "name": ["Port One", "Port Two"], "kind": ["port", "port"]},
        geometry=[Point(X0 + 2400, Y0 + 200), Point(X0, Y0 + 20000)],
        crs=CRS,
    ).to_file(data / "ports.gpkg")
    gpd.GeoDataFrame(
        {"road_id": ["r1"], "class": ["trunk"]},
        geometry=[LineString([(X0 + 10000, Y0 - 50000), (X0 + 10000, Y0 + 50000)])],
        crs=CRS,
    ).to_file(data / "roads.gpkg")
    (tmp_path / "scenario.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            name: tiny
            crs: EPSG:32648
            layers:
              sites: {path: data/candidates.gpkg, layer: sites, id: site_id}
              my_ports: {path: data/ports.gpkg, id: port_id}
              my_roads: {path: data/roads.gpkg, id: road_id}
            candidates: {layer: sites, id: site_id, name: name}
            criteria:
              - name: port_distance
                measure: {type: distance, layer: my_ports}
                value: {type: linear, best: 0, worst: 10000}
                weight: 3
              - name: road_distance
                measure: {type: distance, layer: my_roads}
                value: {type: linear, best: 0, worst: 20000}
                weight: 1
              - name: ports_within_3km
                measure: {type: count_within, layer: my_ports, radius_m: 3000}
                value: {type: linear, best: 2, worst: 0}
                weight: 1
            constraints:
              - {type: min_area, min_ha: 5}
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


#: Refusals `evaluate` may meet only while computing, each with why no preflight can find it
#: without doing the computation: damage inside a raster shows only when its pixels are read.
COMPUTE_ONLY = (re.compile(r"raster .* cannot be read: "),)


@pytest.fixture(autouse=True)
def _preflight_catches_every_refusal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test in which a scenario or data problem is refused after the preflight.

    ``geosite validate`` runs only :func:`geosite.analysis.preflight`; a refusal found later,
    while computing, is one ``validate`` would miss. Every test of the suite that evaluates
    a scenario checks this, so a new refusal written in a measure's ``compute`` instead of
    its ``prepare`` fails the tests that exercise it.
    """
    import geosite.analysis
    from geosite.errors import GeositeError

    compute = geosite.analysis._compute
    missed: list[GeositeError] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            return compute(*args, **kwargs)
        except GeositeError as err:
            if not any(known.search(str(err)) for known in COMPUTE_ONLY):
                missed.append(err)
            raise

    watched.__wrapped__ = compute  # type: ignore[attr-defined]
    monkeypatch.setattr(geosite.analysis, "_compute", watched)
    yield
    assert not missed, (
        "refused after the preflight, so `geosite validate` would have passed it; check it in "
        f"the measure's or constraint's `prepare` instead: {missed}"
    )


def write_without_crs(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``gdf`` with no CRS, as files from other offices often arrive."""
    if path.exists():
        path.unlink()
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gdf.set_crs(None, allow_override=True).to_file(path)


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return the shared public data the bundled layers are built from and checked against.

    ``GEOSITE_SHARED_DATA`` names it; otherwise ``shared/data`` beside the repository or one
    level up (a worktree). Tests that need it are skipped, with the reason, where it is absent.
    """
    import os

    env = os.environ.get("GEOSITE_SHARED_DATA")
    candidates = (
        [Path(env)] if env else [REPO.parent / "shared/data", REPO.parents[1] / "shared/data"]
    )
    for path in candidates:
        if (path / "osm_hcmc_2018/hcm_2018.osm.pbf").is_file():
            return path
    pytest.skip(
        "the shared reference data (shared/data with osm_hcmc_2018/) is not here; set "
        "GEOSITE_SHARED_DATA to run the checks against it"
    )
