"""Fuzzing: whatever a scenario document or a geometry holds, geosite either works or raises a
clean GeositeError, never another exception. Bounded in examples so CI stays fast."""

from __future__ import annotations

import contextlib
import copy
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Polygon

from geosite import evaluate
from geosite.errors import GeositeError
from geosite.scenario import scenario_from_dict, scenario_from_yaml

from .conftest import CRS, X0, Y0

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny project shared by the examples of one test."""
    from .conftest import tiny_project as make

    root = tmp_path_factory.mktemp("fuzz")
    return make.__wrapped__(root)  # type: ignore[attr-defined]


def base_document(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / "scenario.yaml").read_text(encoding="utf-8"))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated_documents(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    return doc


def test_mutated_scenario_documents_validate_or_fail_cleanly(project: Path) -> None:
    document = base_document(project)

    @FUZZ
    @given(mutated_documents(document))
    def check(doc: dict[str, Any]) -> None:
        try:
            scenario = scenario_from_dict(doc, base_dir=project)
        except GeositeError:
            return
        try:
            evaluate(scenario)
        except GeositeError:
            return

    check()


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_yaml_text_validates_or_fails_cleanly(text: str) -> None:
    with contextlib.suppress(GeositeError):
        scenario_from_yaml(text)


coordinates = st.tuples(
    st.floats(min_value=-2000, max_value=8000, allow_nan=False),
    st.floats(min_value=-2000, max_value=8000, allow_nan=False),
)


@FUZZ
@given(st.lists(st.lists(coordinates, min_size=0, max_size=7), min_size=1, max_size=4))
def test_arbitrary_polygons_score_or_fail_cleanly(
    project: Path, rings: list[list[tuple[float, float]]]
) -> None:
    geoms = []
    for ring in rings:
        pts = [(X0 + x, Y0 + y) for x, y in ring]
        geoms.append(Polygon(pts) if len(pts) >= 3 else Polygon())
    work = project.parent / "fuzz-geoms"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(project, work)
    path = work / "data" / "candidates.gpkg"
    path.unlink()
    ids = [f"p{i}" for i in range(len(geoms))]
    gpd.GeoDataFrame({"site_id": ids, "name": ids}, geometry=geoms, crs=CRS).to_file(
        path, layer="sites"
    )
    try:
        from geosite import load_scenario

        evaluate(load_scenario(work / "scenario.yaml"))
    except GeositeError:
        pass
