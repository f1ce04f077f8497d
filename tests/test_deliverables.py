"""What a planner hands to a ministry: the report in both languages, reproducible, and its PDF.

The Vietnamese report is read as a person would: outside code samples, no English key
(``snake_case`` words) and no unrounded number may show. The PDF is read back with poppler's
``pdftotext`` (Debian ``poppler-utils``), as a reader's PDF viewer would.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geosite import evaluate
from geosite.cli import main
from geosite.decision.sensitivity import sensitivity
from geosite.render.measure_text import measure_sentence, measure_spec
from geosite.render.report import write_report
from tests.reading import english_words

SNAKE_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RAW_FLOAT = re.compile(r"\d[.,]\d{5,}")


def visible_text(page: str) -> str:
    """Return the text a reader sees, without scripts, styles, code samples and attributes.

    Text marked ``lang="en"`` is quoted from the layer catalogue (its provenance is written in
    English) and says so in the report; it is left out too.
    """
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<(td|small|span)[^>]*lang=\"en\"[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.fixture(scope="module")
def bundled_vi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vi")
    result = evaluate("dong-nam-bo")
    write_report(result, out, sensitivity=sensitivity(result, draws=300, seed=0), lang="vi")
    return out


def test_vietnamese_report_has_no_english_key_or_raw_float(bundled_vi: Path) -> None:
    text = visible_text((bundled_vi / "report.html").read_text(encoding="utf-8"))
    # Ids and file names are data, not words: leave them out of the check.
    result = evaluate("dong-nam-bo")
    for value in [*result.table["site_id"], "scores.csv", "report.pdf"]:
        text = text.replace(str(value), " ")
    assert SNAKE_KEY.findall(text) == []
    assert RAW_FLOAT.findall(text) == []
    for english in ("Truck time", "winner", "Ranking", "Sensitivity", "False", "True"):
        assert english not in text, english
    assert english_words(text) == []
    # Numbers in the Vietnamese convention: decimal comma.
    best = float(result.ranked["total_score"].iloc[0])
    assert f"{best:.3f}".replace(".", ",") in text


def test_only_quoted_provenance_stays_english(bundled_vi: Path) -> None:
    page = (bundled_vi / "report.html").read_text(encoding="utf-8")
    # Text marked as English is the provenance quoted from the layer catalogue: in the
    # sources table, whose note says so, and in the map's attribution line, which says so.
    marked = [m.start() for m in re.finditer(r'lang="en"', page)]
    assert marked
    sources = (
        page.index('<table class="sources">'),
        page.index("</table>", page.index('<table class="sources">')),
    )
    attribution = (
        page.index('<p class="attribution">'),
        page.index("</p>", page.index('<p class="attribution">')),
    )
    for at in marked:
        assert sources[0] < at < sources[1] or attribution[0] < at < attribution[1], page[
            at - 200 : at
        ]
    assert "trích nguyên văn (tiếng Anh)" in visible_text(page[attribution[0] : attribution[1]])
    assert "trích nguyên văn (tiếng Anh)" in visible_text(page[: sources[0]].rsplit("<h3>", 1)[1])


def test_exclusion_reasons_and_rules_in_vietnamese(tiny_project: Path, tmp_path: Path) -> None:
    write_report(evaluate(tiny_project / "scenario.yaml"), tmp_path, lang="vi", pdf=False)
    text = visible_text((tmp_path / "report.html").read_text(encoding="utf-8"))
    # The tiny project's site C has 4.0 ha against a minimum of 5 ha.
    assert "diện tích 4,0 ha < 5 ha" in text
    assert "diện tích >= 5 ha" in text
    assert english_words(text) == []


def test_report_first_page_answers_the_minister(bundled_vi: Path) -> None:
    page = (bundled_vi / "report.html").read_text(encoding="utf-8")
    summary = visible_text(page.split('<section class="summary"', 1)[1].split("</section>", 1)[0])
    result = evaluate("dong-nam-bo")
    best, second = result.ranked.iloc[0], result.ranked.iloc[1]
    assert best["name"] in summary
    margin = f"{best['total_score'] - second['total_score']:.3f}".replace(".", ",")
    assert margin in summary  # the winner's margin, computed here from the table
    assert "hạt giống 0" in summary  # the seed is stated
    assert "gần đúng" in summary  # what the data cannot support


def test_two_reports_without_a_seed_give_identical_sensitivity(
    tiny_project: Path, tmp_path: Path
) -> None:
    scenario = str(tiny_project / "scenario.yaml")
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["report", scenario, "--out", str(out), "--draws", "300", "--quiet"]) == 0
    first = (tmp_path / "a" / "figures" / "sensitivity_ranks.png").read_bytes()
    assert first == (tmp_path / "b" / "figures" / "sensitivity_ranks.png").read_bytes()

    def section(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text.split('id="sensitivity"', 1)[1].split('id="appendix"', 1)[0]

    assert section(tmp_path / "a" / "report.html") == section(tmp_path / "b" / "report.html")
    assert (tmp_path / "a" / "map.html").read_bytes() == (tmp_path / "b" / "map.html").read_bytes()


def test_report_prints_on_a4() -> None:
    template = (
        Path(__file__).parent.parent / "geosite" / "render" / "templates" / "report.html.j2"
    ).read_text(encoding="utf-8")
    assert "@page{size:A4" in template
    assert "thead{display:table-header-group}" in template
    assert "tr,figure,.card{break-inside:avoid}" in template


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_pdf_holds_every_candidate_with_its_diacritics(bundled_vi: Path) -> None:
    pdf = bundled_vi / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    result = evaluate("dong-nam-bo")
    for name in result.table["name"]:
        assert " ".join(str(name).split()) in " ".join(text.split()), name
    for word in ("Bảng xếp hạng", "Phân tích độ nhạy", "cảng Cái Mép", "Nguồn dữ liệu"):
        assert word in text, word
    # Each measure said in words, and no cell written as a Python value.
    for summary in result.criteria:
        sentence = " ".join(measure_sentence(summary, result, "vi").split())
        assert sentence in " ".join(text.split()), sentence
    assert "('" not in text
    # Everything before the sources (the last section: provenance quoted in English, with a
    # note that says so) reads in Vietnamese, once the scenario's code (its measures, as
    # written in the YAML) and the quoted attribution line are taken out.
    assert "trích nguyên văn (tiếng Anh)" in text
    read = " ".join(text.rsplit("Nguồn dữ liệu", 1)[0].split())
    for summary in result.criteria:
        code = "; ".join(f"{k}: {v}" for k, v in measure_spec(summary))
        assert " ".join(code.split()) in read
        read = read.replace(" ".join(code.split()), " ")
    quoted = "; ".join(sorted({u.attribution for u in result.layers if u.attribution}))
    assert " ".join(quoted.split()) in read
    read = read.replace(" ".join(quoted.split()), " ")
    assert english_words(read) == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert 4 <= pages <= 30
    assert "A4" in info.stdout
