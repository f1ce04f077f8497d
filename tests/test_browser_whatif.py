"""The map's what-if panel in headless Chromium: the browser's scores against Python's.

For every shipped scenario and every aggregation method the browser can recompute, the page
is read at the scenario's weights (must equal ``total_score``), then sliders are moved by
script; the YAML the panel copies is saved next to the scenario it extends and evaluated by
geosite, which must give the page's scores (to 1e-9) and ranking. Measures are computed once
per candidate set and reused, so each case costs an aggregation, a map and a page load.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

from geosite import evaluate
from geosite.cli import EXIT_OK, main
from geosite.decision.aggregate import AggregationSpec
from geosite.render import classify_scores, result_to_map
from geosite.render.text import tr
from geosite.render.whatif import BROWSER_METHODS
from geosite.scenario import bundled_scenarios_dir, load_scenario
from tests.browser import Browser, Page, chromium_available
from tests.test_browser import LABELS, click_candidate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from geosite.analysis import Result
    from geosite.measures.base import MeasureContext, MeasureResult
    from geosite.scenario import Criterion

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium_available(),
        reason="Chromium is not installed (Debian: apt-get install chromium chromium-driver)",
    ),
]

ARTIFACTS = Path(__file__).parent / "artifacts"
SHIPPED = sorted(p.stem for p in bundled_scenarios_dir().glob("*.yaml"))
#: One aggregation spec per case, given the number of criteria; every method in
#: BROWSER_METHODS, each parameter form once.
METHODS: dict[str, Callable[[int], dict[str, Any]]] = {
    "wlc": lambda c: {"method": "wlc"},
    "weighted_product": lambda c: {"method": "weighted_product"},
    "owa_alpha": lambda c: {"method": "owa", "alpha": 2.5},
    "owa_order_weights": lambda c: {"method": "owa", "order_weights": list(range(1, c + 1))},
    "fuzzy_and": lambda c: {"method": "fuzzy_and"},
    "fuzzy_or": lambda c: {"method": "fuzzy_or"},
    "fuzzy_gamma": lambda c: {"method": "fuzzy_gamma", "gamma": 0.7},
    "topsis": lambda c: {"method": "topsis"},
}
#: Candidates drawn at most in these tests: the grid scenario's other cells are only
#: re-scored and ranked, which is what a map over its size budget does.
MAX_SHAPES = 400
STATE = "geosite.whatIfPanels[0].state()"


def test_every_browser_method_has_a_case() -> None:
    assert {m(3)["method"] for m in METHODS.values()} == set(BROWSER_METHODS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def measured() -> dict[tuple[Any, ...], MeasureResult]:
    return {}


def cached(store: dict[tuple[Any, ...], MeasureResult]) -> Any:
    """Return a ``measure_all`` hook that measures each criterion once per candidate set."""

    def measure_all(criteria: Sequence[Criterion], ctx: MeasureContext) -> list[MeasureResult]:
        where = (len(ctx.candidates), tuple(np.round(ctx.candidates.total_bounds, 3)))
        out = []
        for criterion in criteria:
            key = (*where, criterion.measure.model_dump_json())
            if key not in store:
                store[key] = criterion.measure.compute(ctx)
            out.append(store[key])
        return out

    return measure_all


def open_panel(browser: Browser, result: Result, path: Path, **options: Any) -> Page:
    options = {"offline": True, "show_features": False, "max_shapes": MAX_SHAPES} | options
    result_to_map(result, **options).save(str(path))
    page = browser.open(path)
    page.wait_for("!!document.querySelector('.geosite-whatif .gw-head')")
    return page


def move(page: Page, index: int, value: float) -> None:
    """Move slider ``index`` (panel order) to ``value`` as a hand on the slider would."""
    page.evaluate(
        f"""(() => {{
          const r = document.querySelectorAll('.geosite-whatif .gw-range')[{index}];
          r.value = {json.dumps(str(value))};
          r.dispatchEvent(new Event('input', {{bubbles: true}}));
        }})()"""
    )


def totals(state: dict[str, Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in state["totals"]], dtype=float)


def assert_same_scores(page_totals: np.ndarray, python: pd.Series) -> None:
    expected = python.to_numpy(dtype=float)
    assert np.array_equal(np.isnan(page_totals), np.isnan(expected))
    finite = ~np.isnan(expected)
    assert np.abs(page_totals[finite] - expected[finite]).max(initial=0) <= 1e-9


def check_fragment(state: dict[str, Any], result: Result, folder: Path, store: Any) -> Result:
    """Save the copied YAML where the panel says and evaluate it; compare with the page."""
    name = next(
        line.split("geosite run ")[1].split()[0]
        for line in state["yaml"].splitlines()
        if "geosite run" in line
    )
    fragment = folder / name
    fragment.write_text(state["yaml"], encoding="utf-8")
    again = evaluate(load_scenario(fragment), measure_all=cached(store))
    ids = result.table[result.id_column].astype(str).tolist()
    by_id = again.table.set_index(again.table[again.id_column].astype(str))
    assert_same_scores(totals(state), by_id.loc[ids, "total_score"])
    page_ranking = [ids[i] for i in state["order"]]
    assert page_ranking == again.ranked[again.id_column].astype(str).tolist()
    ranks = [state["ranks"][i] for i in state["order"]]
    assert ranks == again.ranked["rank"].astype(int).tolist()
    return again


def legend_counts(page: Page) -> list[int]:
    """Return the legend's candidate count per colour class, highest class first."""
    texts = page.evaluate(
        "Array.from(document.querySelectorAll('.geosite-legend i'), "
        "i => i.nextSibling ? i.nextSibling.textContent : '')"
    )
    return [int(re.sub(r"\D", "", t.rsplit("(", 1)[1])) for t in texts[:5]]


def class_counts(result: Result) -> list[int]:
    scores = result.ranked["total_score"].to_numpy(dtype=float)
    _, cls = classify_scores(scores, classes=5)
    return np.bincount(cls, minlength=5)[::-1].tolist()


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("scenario", SHIPPED)
def test_browser_scores_equal_python(
    browser: Browser, measured: Any, tmp_path: Path, scenario: str, method: str
) -> None:
    base = load_scenario(scenario)
    spec = METHODS[method](len(base.criteria))
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        textwrap.dedent(
            f"""\
            version: 1
            extends: {scenario}
            name: {json.dumps(f"{base.name} ({method})", ensure_ascii=False)}
            aggregation: {json.dumps(spec)}
            """
        ),
        encoding="utf-8",
    )
    result = evaluate(load_scenario(variant), measure_all=cached(measured))
    page = open_panel(browser, result, tmp_path / "map.html")
    state = page.evaluate(STATE)
    assert state["supported"]
    assert state["method"] == spec["method"]
    assert_same_scores(totals(state), result.table["total_score"])
    assert [state["ranks"][i] for i in state["order"]] == result.ranked["rank"].tolist()

    # One weight up, one to zero (fuzzy methods only see which weights are positive).
    n_sliders = page.evaluate("document.querySelectorAll('.geosite-whatif .gw-range').length")
    move(page, 0, 0.55)
    assert page.evaluate(STATE)["weights"][0] == pytest.approx(0.55, abs=1e-12)
    move(page, n_sliders - 1, 0.0)
    state = page.evaluate(STATE)
    assert state["modified"]
    assert state["weights"][-1] == 0.0
    assert math.fsum(state["weights"]) == pytest.approx(1.0, abs=1e-12)
    again = check_fragment(state, result, tmp_path, measured)
    assert legend_counts(page) == class_counts(again)
    # Rank labels follow: the best drawn candidates carry their new ranks.
    # Labels that would touch are joined ("#2 #3"): every rank shows in a visible label.
    shown = page.evaluate(LABELS)["ranks"]
    drawn = min(len(result.table), MAX_SHAPES)
    best = [state["ranks"][i] for i in state["order"] if i < drawn][:50]
    assert shown == sorted(best)
    # The score cards' contributions, recomputed in the page, as Python computes them.
    rows = min(len(result.table), 12)
    parts = page.evaluate(
        f"Array.from({{length: {rows}}}, (_, i) => geosite.whatIfPanels[0].d.rows.contrib[i])"
    )
    ids = result.table[result.id_column].astype(str).iloc[:rows]
    by_id = again.table.set_index(again.table[again.id_column].astype(str))
    for j, summary in enumerate(result.criteria):
        expected = by_id.loc[ids, f"{summary.name}_contribution"].to_numpy(dtype=float)
        got = np.array([np.nan if p[j] is None else p[j] for p in parts], dtype=float)
        finite = np.isfinite(expected)
        assert np.array_equal(finite, np.isfinite(got)), summary.name
        assert np.abs(got[finite] - expected[finite]).max(initial=0) <= 1e-9, summary.name
    assert page.errors == []
    assert page.refused == []
    page.close()


def test_group_sliders_move_whole_groups(browser: Browser, measured: Any, tmp_path: Path) -> None:
    from tests.test_whatif import _groups_scenario

    result = evaluate(_groups_scenario(tmp_path), measure_all=cached(measured))
    page = open_panel(browser, result, tmp_path / "map.html")
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.geosite-whatif .gw-label'), e => e.textContent)"
    )
    assert labels[0] == "access (group)"
    assert labels[1] == "port and roads (group)"
    assert_same_scores(totals(page.evaluate(STATE)), result.table["total_score"])
    before = page.evaluate(STATE)["weights"]
    move(page, 0, 0.3)  # the access group, from 0.75
    after = page.evaluate(STATE)["weights"]
    # Within each group the criteria keep their proportions.
    assert after[0] / after[3] == pytest.approx(before[0] / before[3], rel=1e-12)
    assert sum(after[:4]) == pytest.approx(0.3, abs=1e-12)
    move(page, 2, 0.9)  # port and roads' first member, within its group
    state = page.evaluate(STATE)
    again = check_fragment(state, result, tmp_path, measured)
    assert again.weights.method == "groups"
    assert again.weights.details["group_weights"]["access"] == pytest.approx(0.3, abs=1e-12)
    assert page.errors == []
    page.close()


def test_copied_yaml_runs_through_the_cli_in_vietnamese(
    browser: Browser, tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tiny_project / "scenario.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "language: vi\n", encoding="utf-8")
    out = tiny_project / "out"
    assert main(["run", str(scenario), "--out", str(out), "--offline"]) == EXIT_OK
    page = browser.open(out / "map.html")
    page.wait_for("!!document.querySelector('.geosite-whatif .gw-head')")
    page.evaluate("document.querySelector('.geosite-whatif .gw-head').click()")
    assert "Sao chép dạng YAML" in page.evaluate(
        "document.querySelector('.geosite-whatif').textContent"
    )
    # The number box reads the scenario's number format: a decimal comma in Vietnamese.
    boxes = "document.querySelectorAll('.geosite-whatif .gw-num')"
    assert page.evaluate(f"{boxes}[0].value") == "60,0"
    page.evaluate(
        f"(() => {{ const b = {boxes}[0]; b.value = '12,5'; "
        "b.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )
    state = page.evaluate(STATE)
    assert state["weights"][0] == pytest.approx(0.125, abs=1e-12)
    # Site C stays excluded, grey, with its reason.
    assert None in state["ranks"]
    page.evaluate("document.querySelector('.geosite-whatif .gw-copy').click()")
    text = page.wait_for("document.querySelector('.geosite-whatif .gw-yaml').value")
    assert text == state["yaml"]
    assert 'extends: "scenario.yaml"' in text
    page.screenshot(ARTIFACTS / "what_if_vi.png")
    assert page.errors == []
    page.close()

    fragment = tiny_project / "scenario-what-if.yaml"  # where the panel says to save it
    assert "scenario-what-if.yaml" in text
    fragment.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["run", str(fragment), "--out", str(tiny_project / "again")]) == EXIT_OK
    table = pd.read_csv(tiny_project / "again" / "scores.csv", dtype={"site_id": str})
    # The page's candidates are in the order of the first run's table.
    ids = pd.read_csv(out / "scores.csv", dtype={"site_id": str})["site_id"].tolist()
    ranked = table.loc[~table["excluded"]]
    assert ranked["site_id"].tolist() == [ids[i] for i in state["order"]]
    by_id = table.set_index("site_id").loc[ids, "total_score"]
    assert_same_scores(totals(state), by_id)


def _refused_specs() -> dict[str, dict[str, Any]]:
    """Every shipped method the browser does not recompute, and a TOPSIS it does not."""
    union = typing.get_args(typing.get_args(AggregationSpec)[0])
    specs = {
        cls.model_fields["method"].default: {"method": cls.model_fields["method"].default}
        for cls in union
        if cls.model_fields["method"].default not in BROWSER_METHODS
    }
    return specs | {"topsis_minmax": {"method": "topsis", "normalization": "minmax"}}


@pytest.mark.parametrize("case", list(_refused_specs()))
def test_method_the_browser_cannot_recompute_is_refused(
    browser: Browser, measured: Any, tmp_path: Path, case: str
) -> None:
    spec = _refused_specs()[case]
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"version: 1\nextends: dong-nam-bo\nname: refused\naggregation: {json.dumps(spec)}\n",
        encoding="utf-8",
    )
    result = evaluate(load_scenario(variant), measure_all=cached(measured))
    page = open_panel(browser, result, tmp_path / "m.html")
    state = page.evaluate(STATE)
    assert state["supported"] is False
    assert state["totals"] is None
    warning = page.evaluate("document.querySelector('.geosite-whatif .gw-warn').textContent")
    assert "cannot be recomputed in the browser" in warning
    assert tr(f"aggregation.{spec['method']}") in warning
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.geosite-whatif input, .geosite-whatif .gw-copy'))"
        ".every(e => e.disabled)"
    )
    # The map keeps Python's scores: the first candidate's card shows its rank and total.
    assert page.evaluate("geosite.whatIfPanels[0].d.rows.rank[0]") == 1
    assert page.errors == []
    page.close()


def test_open_panel_never_covers_a_popup(browser: Browser, tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    page = open_panel(browser, result, tmp_path / "map.html", show_features=True)
    page.evaluate("document.querySelector('.geosite-whatif .gw-head').click()")
    move(page, 0, 0.6)
    for index in range(len(result.table)):
        page.evaluate("void geosite.whatIfPanels[0].map.closePopup()")
        if page.evaluate(
            "document.querySelector('.geosite-whatif').classList.contains('collapsed')"
        ):
            page.evaluate("document.querySelector('.geosite-whatif .gw-head').click()")
        card = click_candidate(page, index)
        assert "geosite-scorecard" in card
        page.evaluate("new Promise(r => setTimeout(r, 500))")
        overlap = page.evaluate(
            """(() => {
              const a = document.querySelector('.leaflet-popup').getBoundingClientRect();
              const box = document.querySelector('.geosite-whatif');
              if (box.classList.contains('collapsed')) return false;
              const b = box.getBoundingClientRect();
              return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
            })()"""
        )
        assert overlap is False, index
    page.screenshot(ARTIFACTS / "what_if_popup.png")
    assert page.errors == []
    page.close()
