"""Every scenario shipped in ``scenarios/`` runs with its default outputs, grids included."""

from __future__ import annotations

from pathlib import Path

import pytest

from geosite.cli import EXIT_OK, main
from geosite.render.static import static_map
from geosite.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_the_shipped_scenarios_are_found() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"dong-nam-bo", "dong-nai-grid"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_runs_with_its_default_outputs(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == EXIT_OK
    written = {p.name for p in out.iterdir()}
    expected = {"score_cards.csv"}
    if scenario.outputs.table:
        expected |= {f"scores.{fmt}" for fmt in scenario.outputs.formats}
    if scenario.outputs.map:
        expected.add("map.html")
    assert expected <= written
    if scenario.outputs.map:
        page = (out / "map.html").read_text(encoding="utf-8")
        assert "geosite.candidateLayer(" in page
        assert "addAttribution" in page


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_prints_its_static_map(path: Path, tmp_path: Path) -> None:
    from geosite import evaluate

    png = static_map(evaluate(load_scenario(path)), tmp_path / "map.png", lang="vi")
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_speaks_vietnamese(path: Path) -> None:
    """Every text a planner wrote in a shipped scenario is given in Vietnamese too."""
    from geosite.i18n import LocalizedText

    scenario = load_scenario(path)
    texts = {"name": scenario.name, "description": scenario.description}
    texts |= {c.name: c.title for c in scenario.criteria}
    texts |= {f"constraint {k}": c.label() for k, c in enumerate(scenario.constraints)}
    untranslated = [
        key
        for key, text in texts.items()
        if text and not (isinstance(text, LocalizedText) and text.translations.get("vi"))
    ]
    assert untranslated == []
