"""Variants merge and compare constraints by their stable ``id``, not their display label."""

from __future__ import annotations

from pathlib import Path

import pytest

from geosite.decision.compare import diff
from geosite.decision.constraints import MinAreaConstraint
from geosite.errors import ScenarioError
from geosite.i18n import LocalizedText
from geosite.scenario import load_scenario

_BASE_RULE = "  - {type: min_area, min_ha: 5}\n"
_NAMED_RULE = (
    "  - {id: big_enough, type: min_area, min_ha: 5, "
    "name: {en: Too small, vi: Quá nhỏ}}\n"
    "  - {id: no_port_zone, type: outside, layer: my_ports, buffer_m: 100, "
    "name: {en: Port buffer, vi: Vùng đệm cảng}}\n"
)


def _base(project: Path, rules: str = _NAMED_RULE) -> None:
    path = project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert _BASE_RULE in text
    path.write_text(text.replace(_BASE_RULE, rules), encoding="utf-8")


def _variant(project: Path, constraints: str) -> Path:
    path = project / "variant.yaml"
    path.write_text(
        f"version: 1\nextends: scenario.yaml\nname: variant\nconstraints:\n{constraints}",
        encoding="utf-8",
    )
    return path


def test_a_variant_changes_a_per_language_constraint_by_id(tiny_project: Path) -> None:
    _base(tiny_project)
    variant = _variant(tiny_project, "  - {id: big_enough, min_ha: 1}\n")
    constraints = load_scenario(variant).constraints
    assert [c.id for c in constraints] == ["big_enough", "no_port_zone"]
    first = constraints[0]
    assert isinstance(first, MinAreaConstraint)
    assert first.min_ha == 1
    # the labels the variant did not touch stay, in both languages
    assert isinstance(first.name, LocalizedText)
    assert first.name.translations["vi"] == "Quá nhỏ"
    assert first.name.translations["en"] == "Too small"


def test_a_variant_relabels_one_language_and_keeps_the_rule(tiny_project: Path) -> None:
    _base(tiny_project)
    variant = _variant(tiny_project, "  - {id: big_enough, name: {vi: Diện tích quá nhỏ}}\n")
    first = load_scenario(variant).constraints[0]
    assert isinstance(first, MinAreaConstraint)
    assert first.min_ha == 5
    assert isinstance(first.name, LocalizedText)
    assert first.name.translations["vi"] == "Diện tích quá nhỏ"
    assert first.name.translations["en"] == "Too small"


def test_a_variant_removes_and_adds_constraints_by_id(tiny_project: Path) -> None:
    _base(tiny_project)
    variant = _variant(
        tiny_project,
        "  - {id: big_enough, remove: true}\n"
        "  - {id: not_huge, type: max_area, max_ha: 50, name: {en: Too big, vi: Quá lớn}}\n",
    )
    assert [c.id for c in load_scenario(variant).constraints] == ["no_port_zone", "not_huge"]


def test_removing_an_unknown_id_names_the_known_ones(tiny_project: Path) -> None:
    _base(tiny_project)
    variant = _variant(tiny_project, "  - {id: big_enogh, remove: true}\n")
    with pytest.raises(ScenarioError, match=r"no item named 'big_enogh'.*big_enough"):
        load_scenario(variant)


def test_per_language_labels_without_ids_cannot_be_merged_silently(tiny_project: Path) -> None:
    _base(tiny_project, _NAMED_RULE.replace("id: big_enough, ", ""))
    variant = _variant(tiny_project, "  - {name: {en: Too small, vi: Quá nhỏ}, min_ha: 1}\n")
    with pytest.raises(ScenarioError, match=r"constraints.*per language.*`id`"):
        load_scenario(variant)


def test_constraint_ids_are_unique(tiny_project: Path) -> None:
    _base(tiny_project, _NAMED_RULE.replace("no_port_zone", "big_enough"))
    with pytest.raises(ScenarioError, match=r"constraint id 'big_enough' is used twice"):
        load_scenario(tiny_project / "scenario.yaml")


def test_diff_pairs_constraints_by_id_when_their_label_changes(tiny_project: Path) -> None:
    _base(tiny_project)
    variant = _variant(
        tiny_project, "  - {id: big_enough, min_ha: 6, name: {en: Below 6 ha, vi: Dưới 6 ha}}\n"
    )
    changes = diff(tiny_project / "scenario.yaml", variant, results=False).changes
    keys = sorted(c.key for c in changes if c.section == "constraints")
    assert keys == ["constraints.big_enough.min_ha", "constraints.big_enough.name"]
