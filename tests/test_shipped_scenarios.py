"""Every scenario shipped in ``scenarios/`` runs with its default outputs, grids included."""

from __future__ import annotations

from pathlib import Path

import pytest

from geosite.cli import EXIT_OK, main
from geosite.render.report import write_report
from geosite.scenario import load_scenario
from tests.reading import map_texts, quoted_keys
from tests.test_deliverables import visible_text

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_the_shipped_scenarios_are_found() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"dong-nam-bo", "dong-nai-grid"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_runs_with_its_default_outputs(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = load_scenario(path)
    out = tmp_path / "out"
    # In Vietnamese: what the command prints and the map shows names no key of the scenario
    # or the code (a network's, a layer's) in quotes, but says it in words.
    assert main(["run", str(path), "--out", str(out), "--lang", "vi"]) == EXIT_OK
    printed = capsys.readouterr()
    assert quoted_keys(printed.out + printed.err) == []
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
        texts = map_texts(page)
        assert texts
        assert quoted_keys(texts) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_prints_its_report_in_vietnamese(path: Path, tmp_path: Path) -> None:
    from geosite import evaluate
    from geosite.i18n import localized

    result = evaluate(load_scenario(path))
    write_report(result, tmp_path, lang="vi", pdf=False, cards=5)
    assert (tmp_path / "figures" / "map.png").stat().st_size > 10_000
    page = visible_text((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert quoted_keys(page) == []
    # Every reason a candidate is left out or not measured, as any reader may see it.
    reasons = [
        localized(v, "vi")
        for column in result.table.columns
        if "reason" in column
        for v in result.table[column].dropna()
        if isinstance(v, str)
    ]
    assert quoted_keys("\n".join(reasons)) == []


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
