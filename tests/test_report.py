"""The HTML report: contents generated from the scenario, escaping, figures, atomic writes, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from matplotlib.image import imread

from geosite import evaluate
from geosite.cli import main
from geosite.data.bundled import layer_info
from geosite.errors import OutputError, ParameterError
from geosite.render import report as report_module
from geosite.render.report import write_report
from geosite.render.text import tr

AHP = """\
weighting:
  method: ahp
  criteria: [port_distance, road_distance, ports_within_3km]
  matrix: [[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]]
"""


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def with_ahp(tiny_project: Path) -> Path:
    scenario = tiny_project / "scenario.yaml"
    text = re.sub(r"\n\s+weight: \d+", "", read(scenario))
    scenario.write_text(text + AHP, encoding="utf-8")
    return scenario


def assert_not_blank(png: Path) -> None:
    pixels = imread(png)
    assert pixels.ndim == 3
    assert pixels.shape[0] > 100
    assert pixels.shape[1] > 100
    # Mostly white paper with drawn content: the pixel values must vary.
    assert float(pixels[..., :3].std()) > 0.02, png.name


def test_report_of_the_tiny_project(tiny_project: Path, tmp_path: Path) -> None:
    scenario = with_ahp(tiny_project)
    result = evaluate(scenario)
    out = tmp_path / "report"
    written = write_report(result, out)
    assert {p.name for p in written} >= {"report.html", "map.html", "map.png", "contributions.png"}
    text = read(out / "report.html")
    # Ranking: every candidate, the excluded one with its reason.
    for name in ("Site A", "Site B", "Site C"):
        assert name in text
    assert "area 4.0 ha &lt; 5 ha" in text
    assert "3 candidates, 2 ranked, 1 excluded." in text
    scores = pd.read_csv(out / "scores.csv")
    assert scores["site_id"].tolist() == result.table["site_id"].tolist()
    # Appendix from the scenario: formulas, AHP matrix and consistency, constraints, sources.
    for summary in result.criteria:
        assert str(escape(summary.criterion.value.formula())) in text
        assert (out / "figures" / f"value-{summary.name.replace('_', '-')}.png").is_file()
    details = result.weights.details
    assert "AHP pairwise comparison matrix" in text
    assert f"CR = {details['CR']:.3f}" in text
    assert f"{details['priorities'][0]:.3f}" in text
    assert "area &gt;= 5 ha" in text
    assert "user file; provenance not catalogued" in text
    assert "candidates.gpkg" in text
    # The map is there and linked.
    assert '<iframe src="map.html"' in text
    assert "geosite.candidateLayer" in read(out / "map.html")
    for png in (out / "figures").glob("*.png"):
        assert_not_blank(png)


def test_bundled_report_lists_every_source_with_provenance(tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    write_report(result, tmp_path, cards=3)
    text = read(tmp_path / "report.html")
    for use in result.layers:
        info = layer_info(use.bundled or use.name)
        for field in (info.licence, info.vintage, info.source):
            assert str(escape(field)) in text, (use.name, field)
        for defect in info.known_defects:
            assert str(escape(defect)) in text
    # Three score cards, each with a bar per criterion.
    assert text.count('class="card geosite-scorecard"') == 3
    assert text.count('class="bar"') == 3 * len(result.criteria)
    assert "No sensitivity analysis was run" in text


def test_data_text_is_escaped(tiny_project: Path, tmp_path: Path) -> None:
    path = tiny_project / "data" / "candidates.gpkg"
    gdf = gpd.read_file(path, layer="sites")
    gdf.loc[0, "name"] = "<script>alert(1)</script>"
    gdf.to_file(path, layer="sites")
    write_report(evaluate(tiny_project / "scenario.yaml"), tmp_path)
    text = read(tmp_path / "report.html")
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_sensitivity_table_is_rendered(tiny_project: Path, tmp_path: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    frame = pd.DataFrame(
        {
            "site_id": result.table["site_id"],
            "rank": result.table["rank"],
            "rank_min": [1, 1, np.nan],
            "rank_max": [2, 2, np.nan],
            "p_first": [0.6, 0.4, 0.0],
        }
    )
    written = write_report(result, tmp_path, sensitivity=frame)
    text = read(tmp_path / "report.html")
    assert tr("report.sens.col.p_first") in text
    assert "60.0 %" in text  # shares as rounded percentages, never raw keys or floats
    assert "p_first" not in text
    assert tmp_path / "figures" / "sensitivity_ranks.png" in written
    assert_not_blank(tmp_path / "figures" / "sensitivity_ranks.png")
    with pytest.raises(ParameterError, match="sensitivity"):
        write_report(result, tmp_path, sensitivity=object())


def test_sensitivity_result_is_rendered(tiny_project: Path, tmp_path: Path) -> None:
    from geosite.decision.sensitivity import sensitivity

    result = evaluate(tiny_project / "scenario.yaml")
    analysis = sensitivity(result, draws=200, seed=1)
    write_report(result, tmp_path, sensitivity=analysis)
    text = read(tmp_path / "report.html")
    for key in ("report.sens.candidates", "report.sens.changes"):
        assert f"<h3>{tr(key)}</h3>" in text
    assert "winner_fragile" not in text
    assert "seed 1" in text
    assert_not_blank(tmp_path / "figures" / "sensitivity_ranks.png")
    flip = analysis.winner.flip("winner", "l1")
    assert flip is not None
    assert "Smallest change of the whole weight vector" in text
    # Candidates by name, the weight moved as a share of the total, and how it was found.
    names = dict(zip(result.table["site_id"], result.table["name"], strict=True))
    assert f"{names[flip.rival]} then reaches {names[flip.incumbent]}" in text
    moved = f"{100 * flip.weight_moved:.1f} %"
    assert f"{moved} of the total weight moved (exact, by linear programming)" in text
    assert "Weighted linear combination: the total is the weighted sum" in text


def test_report_shows_blank_ahp_judgments_and_the_method(
    tiny_project: Path, tmp_path: Path
) -> None:
    path = tiny_project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    names = [line.split("name:")[1].strip() for line in text.splitlines() if "- name:" in line]
    text = "\n".join(line for line in text.splitlines() if "weight:" not in line) + "\n"
    n = len(names)
    rows = [[1 if i == j else (2 if i < j else "1/2") for j in range(n)] for i in range(n)]
    rows[0][n - 1] = rows[n - 1][0] = None
    matrix = (
        "["
        + ", ".join(
            "[" + ", ".join("null" if v is None else repr(v) for v in r) + "]" for r in rows
        )
        + "]"
    )
    text += (
        f"weighting: {{method: ahp, criteria: {names}, matrix: {matrix}}}\n"
        "aggregation: {method: promethee_ii, preference: {type: linear, q: 0.05, p: 0.3}}\n"
    )
    path.write_text(text, encoding="utf-8")
    result = evaluate(path)
    write_report(result, tmp_path)
    html = read(tmp_path / "report.html")
    assert "Judgments left blank (1) were estimated" in html
    assert "PROMETHEE II: every pair of candidates" in html


def test_failed_report_leaves_previous_files(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    write_report(result, tmp_path)
    before = read(tmp_path / "report.html")
    files = sorted(p.name for p in tmp_path.rglob("*"))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "contributions_figure", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(result, tmp_path)
    assert read(tmp_path / "report.html") == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == files


def test_report_refuses_a_file_as_directory(tiny_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a directory"):
        write_report(evaluate(tiny_project / "scenario.yaml"), target)
    with pytest.raises(ParameterError, match="lang"):
        write_report(evaluate(tiny_project / "scenario.yaml"), tmp_path, lang="xx")


def test_cli_report_and_offline_run(
    tiny_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(tiny_project / "scenario.yaml")
    args = ["report", scenario, "--out", str(tmp_path / "r"), "--offline", "--sensitivity"]
    assert main([*args, "--draws", "200", "--seed", "3"]) == 0
    assert "report.html" in capsys.readouterr().out
    assert (tmp_path / "r" / "figures" / "map.png").is_file()
    assert (tmp_path / "r" / "figures" / "sensitivity_ranks.png").is_file()
    page = read(tmp_path / "r" / "report.html")
    assert tr("report.sens.col.p_top", k=3) in page
    assert "p_top_3" not in page
    assert (tmp_path / "r" / "report.pdf").is_file()
    # Without the PDF, the one of the earlier report goes too: the folder holds one report.
    assert main(["report", scenario, "--out", str(tmp_path / "r"), "--offline", "--no-pdf"]) == 0
    assert not (tmp_path / "r" / "report.pdf").exists()
    assert (tmp_path / "r" / "report.html").is_file()
    offline = read(tmp_path / "r" / "map.html")
    assert not re.search(r"<script[^>]+src=\"https?://", offline)
    assert main(["run", scenario, "--out", str(tmp_path / "o"), "--offline"]) == 0
    assert not re.search(r"<script[^>]+src=\"https?://", read(tmp_path / "o" / "map.html"))
    # By default the map embeds its libraries too; --cdn links them.
    assert main(["run", scenario, "--out", str(tmp_path / "d")]) == 0
    assert not re.search(r"<script[^>]+src=\"https?://", read(tmp_path / "d" / "map.html"))
    assert main(["run", scenario, "--out", str(tmp_path / "c"), "--cdn"]) == 0
    assert re.search(r"<script[^>]+src=\"https://cdn", read(tmp_path / "c" / "map.html"))
    with pytest.raises(SystemExit) as exit_info:
        main(["report", scenario, "--out", str(tmp_path / "x"), "--lang", "fr"])
    assert exit_info.value.code == 2


def test_vietnamese_report(tiny_project: Path, tmp_path: Path) -> None:
    write_report(evaluate(tiny_project / "scenario.yaml"), tmp_path, lang="vi")
    text = read(tmp_path / "report.html")
    assert '<html lang="vi">' in text
    assert "Bảng xếp hạng" in text
    assert "Phụ lục phương pháp" in text
    assert "3 địa điểm, 2 được xếp hạng, 1 bị loại." in text
    assert "2,0 km" in text


def test_ranking_table_is_bounded(tiny_project: Path, tmp_path: Path) -> None:
    write_report(evaluate(tiny_project / "scenario.yaml"), tmp_path, rows=1)
    text = read(tmp_path / "report.html")
    body = text[text.index('<table class="ranking">') : text.index("</table>")]
    assert body.count("<tr") == 2  # header and the winner
    assert "The first 1 rows; every candidate is in scores.csv." in text


def test_report_score_cards_show_the_margin_to_the_next_rank(tmp_path) -> None:
    from geosite import evaluate, score_cards
    from geosite.render.report import write_report

    result = evaluate("dong-nam-bo")
    write_report(result, tmp_path, cards=3)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "to move up a rank" in page
    cards = score_cards(result, limit=3)
    second = cards[(cards["rank"] == 2) & (cards["criterion"] == "port_truck_time")].iloc[0]
    assert f"\u2212{abs(second['margin_to_next_rank']):.1f} min" in page


def _decimals(text: str, point: str) -> int:
    return len(text.split(point)[1]) if point in text else 0


def test_threshold_values_share_one_format_across_the_arrow_and_languages() -> None:
    from geosite.decision.sensitivity import sensitivity
    from geosite.render.report import _sensitivity_tables

    result = evaluate("dong-nam-bo")
    analysis = sensitivity(result, draws=50, seed=0)
    done = analysis.thresholds.loc[analysis.thresholds["winner_changed"].notna()]
    assert len(done)
    cells = {}
    for lang in ("en", "vi"):
        values = tr("report.sens.col.values", lang)
        tables = _sensitivity_tables(analysis, result, lang)
        table = next(t for t in tables if values in t["head"])
        cells[lang] = [row[2] for row in table["body"]]
        # Each parameter is named in words, its path in the scenario kept beside them.
        for (_, row), (word, path) in zip(
            done.iterrows(), (r[1] for r in table["body"]), strict=True
        ):
            assert path == row["parameter"]
            assert word
            assert word != path
    for (_, row), en, vi in zip(done.iterrows(), cells["en"], cells["vi"], strict=True):
        before, after = en.split(" → ")
        # One quantity, one format: the same decimals on both sides of the arrow ...
        assert _decimals(before, ".") == _decimals(after, "."), en
        # ... and the same digits in both languages, with each language's separators.
        assert vi == en.replace(",", "\0").replace(".", ",").replace("\0", "."), (en, vi)
        places = _decimals(before, ".")
        for shown, value in ((before, row["value_before"]), (after, row["value_after"])):
            assert abs(float(shown.replace(",", "")) - float(value)) <= 0.5 * 10**-places
        # No zeros that carry nothing: the more precise side needs the last decimal.
        if places:
            assert not (before.endswith("0") and after.endswith("0")), en


MEASURE_ROW = re.compile(
    r"<tr><th>[^<]*</th><td>([^<]*)<br><small class=\"spec\"[^>]*><code>(.*?)</code>"
)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_appendix_says_each_measure_in_words_and_keeps_the_exact_spec(
    lang: str, tmp_path: Path
) -> None:
    import html

    from geosite.data.bundled import read_layer
    from tests.reading import english_words

    result = evaluate("dong-nam-bo")
    write_report(result, tmp_path, lang=lang, pdf=False, cards=1)
    page = read(tmp_path / "report.html")
    rows = [(html.unescape(a).strip(), html.unescape(b)) for a, b in MEASURE_ROW.findall(page)]
    assert len(rows) == len(result.criteria)
    for summary, (sentence, spec) in zip(result.criteria, rows, strict=True):
        measure = summary.criterion.measure.model_dump(exclude_none=True, mode="json")
        # The exact specification, for auditors: every key and value as the scenario has it.
        assert spec.startswith(f"type: {measure['type']}; layer: {measure['layer']}")
        # The sentence is words, not the specification again.
        assert "type:" not in sentence
        assert re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", sentence) is None, sentence
        assert tr(f"layer.{measure['layer']}", lang) in sentence
        if lang == "vi":
            assert english_words(sentence) == [], sentence
        # What values ran to, from the bundled layer's own geometry: outlines or points.
        layer = read_layer(measure["layer"])
        for key, value in (measure.get("where") or {}).items():
            layer = layer.loc[layer[key].isin(value if isinstance(value, list) else [value])]
        kinds = set(layer.geom_type)
        if measure["type"] in {"distance", "network"} and kinds <= {"Polygon", "MultiPolygon"}:
            assert tr("measure.to.outline", lang) in sentence, sentence
        if measure["type"] in {"distance", "network"} and kinds <= {"Point"}:
            assert tr("measure.to.point", lang) in sentence, sentence
        if measure["type"] == "network":
            profile = result.scenario.networks[measure["network"]].profile
            assert tr(f"measure.mode.{profile}", lang) in sentence
            if len(layer) == 1:
                assert str(layer["name"].iloc[0]) in sentence
    port = next(
        s for s, c in zip(rows, result.criteria, strict=True) if c.name == "port_truck_time"
    )
    assert (
        port[0]
        == {
            "en": "Travel time by truck on the road network to the nearest of Ports "
            "(Cảng Cái Mép – Thị Vải), measured to its point",
            "vi": "Thời gian di chuyển bằng xe tải trên mạng lưới đường bộ đến đối tượng gần nhất "
            "trong Cảng biển (Cảng Cái Mép – Thị Vải), đo đến điểm",
        }[lang]
    )
