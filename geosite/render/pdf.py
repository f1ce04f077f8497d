"""The report as a PDF, for attaching to a letter: made in Python, without a browser.

The PDF carries what ``report.html`` carries, from the same prepared content: the first page
(the question, the ranking, the winner's margin and how robust it is, what the data can and
cannot support), then the ranking, the print map, the contributions, the score cards, the
sensitivity tables with their readings and figures, the methodology and the sources with their
attribution. It is drawn with fpdf2 (pure Python; its Pillow and fontTools dependencies are
already matplotlib's), in DejaVu Sans, shipped with geosite under its licence
(``fonts/LICENSE-DejaVu.txt``) because Vietnamese needs a font with its diacritics and the
PDF core fonts have none. fpdf2 embeds only the glyphs used, so a report stays small.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

__all__ = ["FONT_DIR", "write_pdf"]

logger = logging.getLogger(__name__)

#: The fonts shipped with geosite: DejaVu Sans regular and bold, and their licence.
FONT_DIR = Path(__file__).with_name("fonts")
_FAMILY = "DejaVuSans"
_TEAL = (33, 145, 140)
_GREY = (90, 90, 90)


def _new_pdf(title: str, footer: str, created: dt.datetime) -> Any:
    from fpdf import FPDF  # noqa: PLC0415 - only reports need it

    class _Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(_FAMILY, size=7)
            self.set_text_color(*_GREY)
            self.cell(0, 5, f"{footer} · {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = _Report(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font(_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("geosite")
    pdf.set_creation_date(created)
    pdf.alias_nb_pages()
    return pdf


def _heading(pdf: Any, text: str, level: int = 1) -> None:
    size = {0: 16, 1: 13, 2: 11}[level]
    if pdf.will_page_break(size * 2):
        pdf.add_page()
    pdf.ln(3 if level else 0)
    pdf.set_font(_FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    if level == 1:
        pdf.set_draw_color(*_TEAL)
        pdf.set_line_width(0.5)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.w - pdf.r_margin, pdf.get_y() + 0.5)
        pdf.ln(2)
    pdf.set_font(_FAMILY, size=9)


def _para(pdf: Any, text: str, *, size: float = 9, grey: bool = False, bold: bool = False) -> None:
    if not text:
        return
    pdf.set_font(_FAMILY, "B" if bold else "", size)
    if grey:
        pdf.set_text_color(*_GREY)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _bullets(pdf: Any, lines: Sequence[str], *, numbered: bool = False) -> None:
    pdf.set_font(_FAMILY, size=9)
    for i, line in enumerate(lines, start=1):
        mark = f"{i}." if numbered else "•"
        pdf.set_x(pdf.l_margin)
        pdf.cell(6, 4.5, mark)
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(
    pdf: Any,
    head: Sequence[str],
    body: Sequence[Sequence[Any]],
    *,
    widths: Sequence[float] | None = None,
    size: float = 7,
    numeric_from: int | None = None,
) -> None:
    """Draw a table that breaks across pages between rows and repeats its heading."""
    if not body:
        return
    pdf.set_font(_FAMILY, size=size)
    align = [
        "RIGHT" if numeric_from is not None and j >= numeric_from else "LEFT"
        for j in range(len(head))
    ]
    with pdf.table(
        col_widths=widths,
        text_align=align,
        line_height=size * 0.5,
        padding=0.8,
        headings_style=_headings_style(),
        borders_layout="HORIZONTAL_LINES",
        repeat_headings=1,
    ) as table:
        row = table.row()
        for text in head:
            row.cell(str(text))
        for values in body:
            row = table.row()
            for value in values:
                row.cell("" if value is None else str(value))
    pdf.ln(2)


def _headings_style() -> Any:
    from fpdf.fonts import FontFace  # noqa: PLC0415

    return FontFace(emphasis="BOLD", fill_color=(240, 240, 240))


def _image(pdf: Any, path: Path | None, caption: str, *, max_height: float = 180) -> None:
    if path is None or not path.is_file():
        return
    from PIL import Image  # noqa: PLC0415 - Pillow comes with matplotlib

    with Image.open(path) as img:
        ratio = img.height / img.width
    width = pdf.epw
    height = width * ratio
    if height > max_height:
        height = max_height
        width = height / ratio
    if pdf.will_page_break(height + 10):
        pdf.add_page()
    pdf.image(str(path), x=pdf.l_margin + (pdf.epw - width) / 2, w=width, h=height)
    pdf.ln(1)
    _para(pdf, caption, size=7.5, grey=True)


def write_pdf(context: dict[str, Any], figures: Mapping[str, Path], path: Path) -> Path:
    """Write the report's content as an A4 PDF.

    Parameters
    ----------
    context
        The content prepared for ``report.html`` by :func:`geosite.render.report.write_report`
        (translated and formatted).
    figures
        The PNG file of each figure that ``context`` names (``figures/map.png`` ...).
    path
        PDF file to write.

    Returns
    -------
    Path
        ``path``.
    """
    pdf = _new_pdf(context["title"], context["title"], context["created"])
    _first_page(pdf, context)
    _ranking_and_maps(pdf, context, figures)
    _cards(pdf, context)
    _sensitivity(pdf, context, figures)
    _appendix(pdf, context, figures)
    pdf.output(str(path))
    return path


def _first_page(pdf: Any, context: dict[str, Any]) -> None:
    t = context["t"]
    pdf.add_page()
    _heading(pdf, context["title"], 0)
    _para(pdf, context["generated"], size=7.5, grey=True)
    summary = context["summary"]
    _heading(pdf, t("report.question"), 2)
    _para(pdf, summary["question"])
    _heading(pdf, t("report.summary.ranking"), 2)
    _table(
        pdf,
        [t("report.col.rank"), t("report.col.name"), t("report.col.total")],
        summary["top"],
        widths=(12, 130, 25),
        size=9,
        numeric_from=2,
    )
    _para(pdf, summary["margin"])
    _heading(pdf, t("report.robust"), 2)
    for line in summary["robust"]:
        _para(pdf, line)
    _heading(pdf, t("report.data"), 2)
    _bullets(pdf, summary["data"])
    _para(pdf, t("report.details"), size=8, grey=True)


def _ranking_and_maps(pdf: Any, context: dict[str, Any], figures: Mapping[str, Path]) -> None:
    t = context["t"]
    pdf.add_page()
    _heading(pdf, t("report.ranking"))
    _para(
        pdf, context["intro"] + (" " + context["ranking_note"] if context["ranking_note"] else "")
    )
    ranking = context["ranking"]
    n = len(ranking["head"])
    fixed = (9, 33, 24, 12, 20)  # rank, name, id, ..., total, reason
    criteria_width = max((pdf.epw - sum(fixed)) / max(n - 5, 1), 8)
    widths = (*fixed[:3], *([criteria_width] * (n - 5)), *fixed[3:])
    _table(pdf, ranking["head"], [r["cells"] for r in ranking["body"]], widths=widths, size=6)

    _heading(pdf, t("report.static"))
    static = context["static"]
    _image(pdf, figures.get(static.file), f"{static.caption} {t('report.no_basemap')}")
    _para(
        pdf,
        f"{context['attribution_label']}: " + "; ".join(context["attributions"]),
        size=7,
        grey=True,
    )
    contributions = context["contributions"]
    _image(pdf, figures.get(contributions.file), contributions.caption, max_height=150)


def _cards(pdf: Any, context: dict[str, Any]) -> None:
    t = context["t"]

    _heading(pdf, t("report.cards"))
    _para(pdf, context["cards_note"], size=8, grey=True)
    card_head = [
        t("card.criterion"),
        t("card.raw"),
        t("card.score"),
        t("card.weight"),
        t("card.contribution"),
        t("card.margin"),
    ]
    for card in context["cards"]:
        title = (f"#{card['rank']} " if card["rank"] is not None else "") + card["name"]
        _heading(pdf, title, 2)
        _para(pdf, f"{t('card.id')} {card['id']} · {t('card.total')} {card['total']}", size=8)
        rows = [
            [
                r["title"] + (f"\n{r['to']}" if r["to"] else ""),
                r["raw"],
                r["score_text"],
                r["weight"],
                r["contribution"],
                r["margin"] or "\u2013",
            ]
            for r in card["rows"]
        ]
        _table(pdf, card_head, rows, widths=(70, 24, 16, 16, 22, 32), numeric_from=1)
        if card.get("note"):
            _para(pdf, card["note"], size=8, grey=True)


def _sensitivity(pdf: Any, context: dict[str, Any], figures: Mapping[str, Path]) -> None:
    t = context["t"]

    _heading(pdf, t("report.sensitivity"))
    sensitivity = context["sensitivity"]
    if sensitivity:
        _para(pdf, sensitivity["settings"], size=8, grey=True)
        if context["sensitivity_figure"]:
            _image(
                pdf,
                figures.get(context["sensitivity_figure"]),
                t("report.sens.figure"),
                max_height=120,
            )
        for table in sensitivity["tables"]:
            _heading(pdf, table["title"], 2)
            _para(pdf, table["reading"])
            body = [[_cell(c) for c in row] for row in table["body"]]
            _table(pdf, table["head"], body, numeric_from=table["numeric_from"])
    else:
        _para(pdf, t("report.sensitivity.none"), grey=True)


def _cell(value: Any) -> str:
    """Write a table cell: a (words, path) pair as the words with the path after them."""
    if isinstance(value, tuple):
        words, path = value
        return f"{words} ({path})" if words else str(path)
    return str(value)


def _appendix(pdf: Any, context: dict[str, Any], figures: Mapping[str, Path]) -> None:
    t = context["t"]
    pdf.add_page()
    _heading(pdf, t("report.appendix"))
    _para(pdf, t("report.appendix.intro"), size=8, grey=True)
    scenario = context["scenario"]
    _table(
        pdf,
        [t("report.scenario"), ""],
        [
            [t("report.scenario"), scenario["name"]],
            [t("report.scenario.aggregation"), scenario["aggregation_text"]],
            [t("report.scenario.crs"), scenario["crs"]],
        ],
        widths=(45, 135),
        size=8,
    )
    _heading(pdf, t("report.criteria"), 2)
    for criterion in context["criteria"]:
        _para(pdf, f"{criterion['title']} ({criterion['weight']})", bold=True)
        if criterion["description"]:
            _para(pdf, criterion["description"], size=8)
        _para(pdf, f"{t('report.criteria.measure')}: {criterion['measured']}", size=8)
        measure = "; ".join(f"{k}: {v}" for k, v in criterion["measure"])
        _para(pdf, measure, size=7, grey=True)
        _para(pdf, f"{t('report.criteria.formula')}: {criterion['formula']}", size=7.5, grey=True)
        figure = criterion["figure"]
        _image(pdf, figures.get(figure.file), figure.caption, max_height=70)
    weights = context["weights"]
    _heading(pdf, t("report.weights"), 2)
    _para(pdf, t("report.weights.method", method=weights["method"]))
    _table(
        pdf,
        [t("card.criterion"), t("card.weight"), ""],
        weights["table"],
        widths=(120, 25, 35),
        size=8,
        numeric_from=1,
    )
    _heading(pdf, t("report.constraints"), 2)
    if context["constraints"]:
        _bullets(
            pdf,
            [
                c["label"] + (f": {c['rule']}" if c["rule"] != c["label"] else "")
                for c in context["constraints"]
            ],
        )
    else:
        _para(pdf, t("report.constraints.none"))
    _heading(pdf, t("report.sources"), 2)
    if context["lang"] != "en":
        _para(pdf, t("report.sources.quoted"), size=7, grey=True)
    rows = [
        [
            s["name"] + (f"\n{s['title']}" if s.get("title") else ""),
            s.get("source") or t("report.sources.uncatalogued"),
            s.get("licence") or "",
            s.get("vintage") or "",
            s.get("accuracy") or "",
        ]
        for s in context["sources"]
    ]
    _table(
        pdf,
        [
            t("report.sources.layer"),
            t("report.sources.source"),
            t("report.sources.licence"),
            t("report.sources.vintage"),
            t("report.sources.accuracy"),
        ],
        rows,
        widths=(32, 50, 33, 30, 35),
        size=6.5,
    )
    _para(
        pdf,
        f"{context['attribution_label']}: " + "; ".join(context["attributions"]),
        size=7,
        grey=True,
    )
