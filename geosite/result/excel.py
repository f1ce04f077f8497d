"""Write a result as an Excel workbook a planner can open, read and pass on.

``scores.xlsx`` holds four sheets: **ranking** (the rows of ``scores.csv``), **score cards**
(the rows of ``score_cards.csv``), **weights** (per criterion: what it measures, its value
function, the weight as written and as used) and **sources** (every layer read, its file and
SHA-256, and for bundled layers their source, licence, vintage and accuracy). Each sheet has
a bold frozen header, an autofilter, column widths fitted to their text and number formats
by unit (scores to 3 decimals, metres without decimals, minutes to 1 decimal).

openpyxl writes the file: pure Python, the reader pandas uses for ``.xlsx`` too, so one
dependency serves both ways. Text is stored as text even when it starts with ``=``: a park
named ``=HYPERLINK(...)`` is never a formula. The workbook's created/modified times and its
ZIP entries' times are :func:`geosite.data.io.output_timestamp`, so identical runs give
identical bytes.
"""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geosite.data.io import output_timestamp

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from geosite.analysis import Result

__all__ = ["SHEETS", "write_workbook"]

#: Sheet names, in order.
SHEETS = ("ranking", "score cards", "weights", "sources")

_MAX_WIDTH = 60


def _number_format(column: str) -> str:
    """Return the Excel number format of a column, from the unit in its name."""
    if column in {"rank", "next_rank"} or column.endswith(("_count", "_rank")):
        return "0"
    if column.endswith(("_m", "_m2")):
        return "#,##0"
    if column.endswith("_min"):
        return "#,##0.0"
    if column.endswith("_ha"):
        return "#,##0.00"
    if column.endswith(("score", "_weight", "_contribution", "weight", "contribution")):
        return "0.000"
    return "General"


def _weights(result: Result) -> pd.DataFrame:
    written = result.weights.details.get("raw", {}) if hasattr(result.weights, "details") else {}
    rows = []
    for summary in result.criteria:
        criterion = summary.criterion
        measure = criterion.measure.model_dump(exclude_none=True, mode="json")
        rows.append(
            {
                "criterion": summary.name,
                "label": summary.title,
                "unit": summary.unit,
                "measure": _short(measure),
                "value_function": criterion.value.type,
                "formula": criterion.value.formula(),
                "weight_written": written.get(summary.name, criterion.weight),
                "weight": summary.weight,
            }
        )
    return pd.DataFrame(rows)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _sources(result: Result) -> pd.DataFrame:
    import hashlib  # noqa: PLC0415

    from geosite.data import bundled  # noqa: PLC0415

    rows = []
    for use in result.layers:
        row: dict[str, Any] = {
            "layer": use.name,
            "file": use.path.name if use.path is not None else "(in memory)",
            "sha256": hashlib.sha256(use.path.read_bytes()).hexdigest()
            if use.path is not None and use.path.is_file()
            else "",
            "attribution": use.attribution or "",
        }
        if use.bundled is not None:
            info = bundled.layer_info(use.bundled)
            row |= {
                "title": info.title,
                "source": info.source,
                "url": info.source_url,
                "licence": info.licence,
                "vintage": info.vintage,
                "accuracy": info.positional_accuracy,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _cell_value(value.item())
    return value


def _fill(sheet: Worksheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    columns = [str(c) for c in frame.columns]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    widths = [len(c) for c in columns]
    formats = [_number_format(c) for c in columns]
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        values = [_cell_value(v) for v in row]
        for j, value in enumerate(values):
            cell = sheet.cell(row=i, column=j + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
                widths[j] = max(widths[j], len(value))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = formats[j]
                widths[j] = max(widths[j], len(f"{value:,.3f}"))
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(width, _MAX_WIDTH) + 2
    sheet.freeze_panes = "B2" if len(columns) > 1 else "A2"
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP archive whose entries all carry one time (the reproducible-builds way)."""

    date_time: tuple[int, int, int, int, int, int] = (2000, 1, 1, 0, 0, 0)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl writes each sheet to a temporary file first: ZipFile.write would stamp the
        # entry with that file's modification time, so two runs a second apart would differ.
        name = arcname if arcname is not None else os.fspath(filename)
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def write_workbook(result: Result, path: str | os.PathLike[str]) -> None:
    """Write ``result`` as an Excel workbook (see the module docstring for its sheets).

    Parameters
    ----------
    result
        The evaluated scenario.
    path
        The ``.xlsx`` file to write; write to a staging folder (:func:`geosite.write_outputs`
        does).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from geosite import evaluate
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scores.xlsx"
    >>> write_workbook(evaluate("dong-nam-bo"), path)
    >>> list(pd.read_excel(path, sheet_name=None))
    ['ranking', 'score cards', 'weights', 'sources']
    """
    from openpyxl import Workbook  # noqa: PLC0415 - only runs that ask for xlsx pay for it
    from openpyxl.writer.excel import ExcelWriter  # noqa: PLC0415

    from geosite.result.outputs import result_to_frame  # noqa: PLC0415
    from geosite.result.scorecard import score_cards  # noqa: PLC0415

    frames = {
        "ranking": result_to_frame(result),
        "score cards": score_cards(result),
        "weights": _weights(result),
        "sources": _sources(result),
    }
    book = Workbook()
    book.remove(book.active)
    for name, frame in frames.items():
        _fill(book.create_sheet(title=name), frame)
    stamp = output_timestamp().replace(tzinfo=None, microsecond=0)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "geosite"
    book.properties.title = result.scenario.name
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.date_time = (
            max(stamp.year, 1980),
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
        )  # ZIP times start in 1980
        ExcelWriter(book, archive).save()
