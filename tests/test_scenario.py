"""Scenario parsing and validation: every problem at once, with line, column and key path."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

import geosite.scenario as scenario_module
from geosite.errors import ScenarioError
from geosite.scenario import (
    MAX_NODES,
    load_scenario,
    scenario_from_dict,
    scenario_from_yaml,
    scenario_json_schema,
)

REPO = Path(__file__).resolve().parent.parent


def write(project: Path, text: str) -> Path:
    path = project / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


BASE = """\
version: 1
name: tiny
layers:
  sites: {path: data/candidates.gpkg, layer: sites, id: site_id}
  my_ports: {path: data/ports.gpkg}
candidates: {layer: sites, id: site_id}
criteria:
  - name: port_distance
    measure: {type: distance, layer: my_ports}
    value: {type: linear, best: 0, worst: 10000}
    weight: 1
"""


def test_valid_scenario_loads_frozen(tiny_project: Path) -> None:
    scenario = load_scenario(write(tiny_project, BASE))
    assert scenario.criterion_names == ["port_distance"]
    assert scenario.base_dir == tiny_project
    with pytest.raises(ValueError, match="frozen"):
        scenario.name = "other"  # type: ignore[misc]


def test_broken_yaml_reports_line_and_column(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("name: tiny", "name: [tiny"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:")
    assert "not valid YAML" in problem


@pytest.mark.parametrize(
    ("before", "after", "where", "says"),
    [
        ("name: tiny", "name: *tiny", ":2:7:", "found undefined alias 'tiny'"),
        ("name: tiny", "name:\n\ttiny", ":3:1:", "found character '\\t' that cannot start"),
    ],
)
def test_broken_yaml_names_what_it_found(
    tiny_project: Path, before: str, after: str, where: str, says: str
) -> None:
    # libyaml parses first and words these tersely; the message is PyYAML's, which names it.
    path = write(tiny_project, BASE.replace(before, after))
    (problem,) = problems_of(path)
    assert where in problem
    assert says in problem


def test_yaml_parsers_read_values_and_positions_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "scenarios" / "dong-nam-bo.yaml").read_text(encoding="utf-8")
    fast = scenario_module._load_yaml(text, file=None)
    monkeypatch.setattr(scenario_module, "_FAST_LOADER", yaml.SafeLoader)
    assert scenario_module._load_yaml(text, file=None) == fast


def test_unknown_key_suggests_the_right_one_with_its_position(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("    weight: 1", "    wieght: 1"))
    found = problems_of(path)
    assert any(
        p.startswith(
            f"{path}:11:5: criteria[0].wieght: unknown key 'wieght'; did you mean 'weight'?"
        )
        for p in found
    ), found


def test_unknown_measure_type_suggests_the_closest(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("type: distance", "type: distanse"))
    found = problems_of(path)
    assert any(
        "criteria[0].measure.type: unknown type 'distanse'; did you mean 'distance'?" in p
        for p in found
    ), found
    assert any(":9:" in p for p in found)


def test_unknown_key_inside_a_measure_lists_allowed_keys(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("layer: my_ports}", "layr: my_ports}"))
    found = problems_of(path)
    assert any(
        "unknown key 'layr'; did you mean 'layer'?" in p and "allowed here: type, layer, where" in p
        for p in found
    ), found
    assert any("criteria[0].measure.layer: missing required key 'layer'" in p for p in found), found


def test_wrong_type_shows_the_value(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("weight: 1", "weight: lots"))
    (problem,) = problems_of(path)
    assert "criteria[0].weight" in problem
    assert "'lots'" in problem


def test_negative_weight_is_refused(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("weight: 1", "weight: -2"))
    (problem,) = problems_of(path)
    assert "weight must be a finite number >= 0, got -2" in problem


def test_all_problems_are_reported_at_once(tiny_project: Path) -> None:
    text = (
        BASE.replace("weight: 1", "wieght: 1")
        .replace("name: tiny", "nme: tiny")
        .replace("best: 0", "best: 10000")
    )
    found = problems_of(write(tiny_project, text))
    assert len(found) >= 3, found


def test_missing_required_keys_are_named(tiny_project: Path) -> None:
    path = write(tiny_project, "version: 1\nname: x\n")
    found = problems_of(path)
    assert any("candidates: missing required key 'candidates'" in p for p in found)
    assert any("criteria: missing required key 'criteria'" in p for p in found)


def test_unknown_layer_suggests_a_declared_or_bundled_one(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("layer: my_ports}", "layer: my_port}"))
    (problem,) = problems_of(path)
    assert ":9:" in problem
    assert "unknown layer 'my_port'; did you mean 'my_ports'?" in problem


def test_missing_file_is_reported_with_the_resolved_path(tiny_project: Path) -> None:
    path = write(tiny_project, BASE.replace("data/ports.gpkg", "data/port.gpkg"))
    (problem,) = problems_of(path)
    assert "layers.my_ports.path: file 'data/port.gpkg' does not exist" in problem


def test_duplicate_keys_are_refused(tiny_project: Path) -> None:
    path = write(tiny_project, BASE + "name: again\n")
    found = problems_of(path)
    assert any("key 'name' appears twice" in p for p in found)


def test_duplicate_criterion_names_are_refused(tiny_project: Path) -> None:
    text = BASE + textwrap.indent(
        "- name: port_distance\n  measure: {type: distance, layer: my_ports}\n  value: {type: linear, best: 0, worst: 1}\n  weight: 1\n",
        "  ",
    )
    (problem,) = problems_of(write(tiny_project, text))
    assert "criterion name 'port_distance' is used twice" in problem


def test_direct_weights_need_a_weight_on_every_criterion(tiny_project: Path) -> None:
    (problem,) = problems_of(write(tiny_project, BASE.replace("    weight: 1\n", "")))
    assert "criteria[0]: missing `weight`" in problem


def test_all_zero_weights_are_refused(tiny_project: Path) -> None:
    (problem,) = problems_of(write(tiny_project, BASE.replace("weight: 1", "weight: 0")))
    assert problem.split(": ", 2)[1] == "weighting"


def test_unsupported_version_is_refused(tiny_project: Path) -> None:
    (problem,) = problems_of(write(tiny_project, BASE.replace("version: 1", "version: 2")))
    assert "version 2 is not supported" in problem


def test_value_function_with_equal_thresholds_is_refused(tiny_project: Path) -> None:
    (problem,) = problems_of(write(tiny_project, BASE.replace("worst: 10000", "worst: 0")))
    assert "criteria[0].value" in problem


def test_billion_laughs_is_bounded(tiny_project: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = write(tiny_project, "\n".join(lines) + "\n")
    (problem,) = problems_of(path)
    assert f"more than {MAX_NODES} nodes" in problem


def test_deep_nesting_is_bounded(tiny_project: Path) -> None:
    path = write(tiny_project, "a: " + "[" * 60 + "]" * 60 + "\n")
    (problem,) = problems_of(path)
    assert "nested deeper than" in problem


def test_python_tags_are_not_executed(tiny_project: Path) -> None:
    path = write(tiny_project, "version: !!python/object/apply:os.system ['echo hacked']\n")
    (problem,) = problems_of(path)
    assert "cannot read this value" in problem


def test_empty_and_non_mapping_documents(tiny_project: Path) -> None:
    assert "the file is empty" in problems_of(write(tiny_project, ""))[0]
    assert "a scenario is a mapping" in problems_of(write(tiny_project, "- a\n- b\n"))[0]


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "nope.yaml")


def test_non_utf8_file_is_refused(tiny_project: Path) -> None:
    path = tiny_project / "latin1.yaml"
    path.write_bytes("name: Đồng Nai\n".encode("utf-16"))
    (problem,) = problems_of(path)
    assert "not UTF-8" in problem


def test_scenario_from_dict_equals_yaml(tiny_project: Path) -> None:
    data = yaml.safe_load(BASE)
    from_dict = scenario_from_dict(data, base_dir=tiny_project)
    from_yaml = scenario_from_yaml(BASE, source=tiny_project / "scenario.yaml")
    assert from_dict.model_dump() == from_yaml.model_dump()


def test_json_schema_accepts_the_bundled_scenarios_and_rejects_unknown_keys() -> None:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    checked = 0
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "extends" in doc:
            continue  # a variant is a partial document; the schema describes whole scenarios
        assert not list(validator.iter_errors(doc)), path
        checked += 1
    assert checked >= 1
    doc["criteria"][0]["wieght"] = 1
    assert list(validator.iter_errors(json.loads(json.dumps(doc))))


def test_bundled_scenario_is_found_by_name() -> None:
    scenario = load_scenario("dong-nam-bo")
    assert scenario.source is not None
    assert scenario.source.name == "dong-nam-bo.yaml"


@pytest.mark.parametrize(
    "body", ["a: " + "[" * 5000 + "]" * 5000, "a: " + "{a: " * 5000 + "}" * 5000]
)
def test_a_document_nested_thousands_deep_is_a_scenario_error(body: str) -> None:
    with pytest.raises(ScenarioError, match=r"deep.yaml:2:\d+: .*nested deeper than 40 levels"):
        scenario_from_yaml("version: 1\n" + body, source="deep.yaml")


def test_aggregation_naming_an_unknown_criterion_is_refused(tiny_project: Path) -> None:
    text = BASE + "aggregation: {method: topsis, cost: [port_distanse]}\n"
    (problem,) = problems_of(write(tiny_project, text))
    assert "port_distanse" in problem
    assert "port_distance" in problem


@pytest.mark.parametrize(
    "aggregation",
    [
        "{method: topsis, normalization: max, cost: [port_distance]}",
        "{method: vikor, v: 0.4}",
        "{method: promethee_ii, criteria: {port_distance: {type: level, q: 0.1, p: 0.2}}}",
        "{method: electre_iii, criteria: {port_distance: {q: 0.0, p: 0.1, v: 0.5}}}",
    ],
)
def test_every_method_reads_from_the_scenario_file(tiny_project: Path, aggregation: str) -> None:
    scenario = load_scenario(write(tiny_project, BASE + f"aggregation: {aggregation}\n"))
    assert scenario.aggregation.named_criteria() == ["port_distance"] or (
        scenario.aggregation.method == "vikor"
    )
