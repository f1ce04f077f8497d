"""Scenario inheritance: a variant overrides only what changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from geosite import evaluate, load_scenario
from geosite.errors import ScenarioError
from geosite.scenario import bundled_scenarios_dir


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def variant(project: Path, body: str, name: str = "variant.yaml") -> Path:
    return write(project / name, "version: 1\nextends: scenario.yaml\n" + textwrap.dedent(body))


def test_weight_override_changes_only_that_weight(tiny_project: Path) -> None:
    base = load_scenario(tiny_project / "scenario.yaml")
    child = load_scenario(
        variant(
            tiny_project, "name: heavier roads\ncriteria:\n  - {name: road_distance, weight: 3}\n"
        )
    )
    assert child.name == "heavier roads"
    assert [c.weight for c in child.criteria] == [3, 3, 1]
    assert child.criteria[0] == base.criteria[0]
    assert child.constraints == base.constraints
    assert child.lineage == ((tiny_project / "scenario.yaml").resolve(),)


def test_value_function_of_another_type_replaces_the_base_one(tiny_project: Path) -> None:
    child = load_scenario(
        variant(
            tiny_project,
            "criteria:\n  - name: port_distance\n    value: {type: piecewise, points: [[0, 1], [5000, 0.5], [10000, 0]]}\n",
        )
    )
    assert child.criteria[0].value.type == "piecewise"


def test_same_type_value_function_merges_its_parameters(tiny_project: Path) -> None:
    child = load_scenario(
        variant(tiny_project, "criteria:\n  - {name: port_distance, value: {worst: 4000}}\n")
    )
    value = child.criteria[0].value
    assert (value.best, value.worst) == (0, 4000)


def test_remove_and_add_criteria(tiny_project: Path) -> None:
    child = load_scenario(
        variant(
            tiny_project,
            """\
            criteria:
              - {name: ports_within_3km, remove: true}
              - name: ports_within_10km
                measure: {type: count_within, layer: my_ports, radius_m: 10000}
                value: {type: linear, best: 2, worst: 0}
                weight: 1
            """,
        )
    )
    assert child.criterion_names == ["port_distance", "road_distance", "ports_within_10km"]


def test_variant_evaluates_like_the_equivalent_full_scenario(tiny_project: Path) -> None:
    child = variant(tiny_project, "criteria:\n  - {name: road_distance, weight: 3}\n")
    full = tiny_project / "full.yaml"
    full.write_text(
        (tiny_project / "scenario.yaml")
        .read_text()
        .replace("weight: 1\n  - name: ports", "weight: 3\n  - name: ports"),
        encoding="utf-8",
    )
    a = evaluate(child).table.drop(columns="geometry")
    b = evaluate(full).table.drop(columns="geometry")
    assert a.equals(b)


def test_removing_an_unknown_item_is_an_error_in_the_variant_file(tiny_project: Path) -> None:
    path = variant(tiny_project, "criteria:\n  - {name: port_distanse, remove: true}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path.resolve())
    assert problem.line == 4
    assert "no item named 'port_distanse'; did you mean 'port_distance'?" in problem.message


def test_problems_in_the_base_point_at_the_base_file(tiny_project: Path) -> None:
    base = tiny_project / "scenario.yaml"
    base.write_text(base.read_text().replace("weight: 3", "wieght: 3"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant(tiny_project, "name: child\n"))
    problem = next(p for p in info.value.problems if "wieght" in p.message)
    assert problem.file == str(base.resolve())
    assert problem.line == 13


def test_cycles_are_refused(tiny_project: Path) -> None:
    write(tiny_project / "a.yaml", "version: 1\nextends: b.yaml\nname: a\n")
    write(tiny_project / "b.yaml", "version: 1\nextends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="`extends` makes a cycle"):
        load_scenario(tiny_project / "a.yaml")


def test_missing_base_is_named_with_suggestions(tiny_project: Path) -> None:
    path = write(tiny_project / "v.yaml", "version: 1\nextends: dong-nam-boo\nname: v\n")
    with pytest.raises(
        ScenarioError, match="cannot find the scenario 'dong-nam-boo'.*did you mean 'dong-nam-bo'"
    ):
        load_scenario(path)


def test_relative_paths_of_the_base_still_point_at_its_files(tiny_project: Path) -> None:
    child = write(
        tiny_project / "variants" / "deep" / "v.yaml",
        "version: 1\nextends: ../../scenario.yaml\nname: moved\n",
    )
    result = evaluate(load_scenario(child, allowed_roots=[tiny_project]))
    assert result.table["site_id"].tolist() == ["b", "a", "c"]


def test_extending_a_scenario_outside_the_allowed_folders_is_refused(tiny_project: Path) -> None:
    child = write(
        tiny_project / "variants" / "deep" / "v.yaml",
        "version: 1\nextends: ../../scenario.yaml\nname: moved\n",
    )
    with pytest.raises(
        ScenarioError,
        match=r"extends: path '\.\./\.\./scenario\.yaml' resolves to .* outside the folders",
    ):
        load_scenario(child)


def test_bundled_variants_extend_the_baseline() -> None:
    names = sorted(p.stem for p in bundled_scenarios_dir().glob("*.yaml"))
    assert {"dong-nam-bo", "port-led", "airport-led", "talent-led", "balanced"} <= set(names)
    base = load_scenario("dong-nam-bo")
    for name in ("port-led", "airport-led", "talent-led", "balanced"):
        scenario = load_scenario(name)
        assert scenario.lineage[0].name == "dong-nam-bo.yaml"
        assert scenario.criterion_names == base.criterion_names
        assert scenario.name != base.name
    assert load_scenario("port-led").criteria[0].weight == 40
