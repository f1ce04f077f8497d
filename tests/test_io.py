"""Atomic writes and reading vector files."""

from __future__ import annotations

from pathlib import Path

import pytest

from geosite.data.io import atomic_path, read_vector
from geosite.errors import DataNotFoundError, LayerError, OutputError


def test_atomic_path_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half writ")
        raise RuntimeError
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"


def test_atomic_path_reports_a_full_disk_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("old")
    with pytest.raises(OutputError, match="No space left on device"), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_unwritable_directory_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write to"), atomic_path(blocker / "out.csv"):
        pass


def test_read_vector_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="does not exist"):
        read_vector(tmp_path / "missing.gpkg")
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a geopackage")
    with pytest.raises(LayerError, match="cannot read"):
        read_vector(junk)


def test_read_vector_names_missing_sublayer(tiny_project: Path) -> None:
    with pytest.raises(DataNotFoundError, match="has no layer 'site'.*did you mean 'sites'"):
        read_vector(tiny_project / "data" / "candidates.gpkg", layer="site")


def test_write_csv_neutralises_cells_a_spreadsheet_would_run(tmp_path: Path) -> None:
    import csv

    import pandas as pd

    from geosite.data.io import write_csv

    names = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "Long Thành"]
    names += ["-12.5", "+84", "-", "a=b"]
    frame = pd.DataFrame({"name": names, "value": [-1.5, 2, -3, 4, 5, 6, 7, 8, 9, 10, -11]})
    frame["=col"] = "x"
    write_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["name", "value", "'=col"]
    cells = [r[0] for r in rows[1:]]
    assert cells[:6] == [f"'{n}" for n in names[:6]]
    # plain text, numbers written as text, and a lone dash are not formulas
    assert cells[6:] == ["Long Thành", "-12.5", "+84", "'-", "a=b"]
    # numbers stay numbers, negative ones included
    assert [r[1] for r in rows[1:4]] == ["-1.5", "2", "-3"]
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["value"].dtype.kind == "i" or back["value"].dtype.kind == "f"
    assert back["value"].iloc[-1] == -11


def test_counts_that_cannot_fit_in_memory_are_refused_with_their_size() -> None:
    from geosite.decision.sensitivity import sample_weights
    from geosite.errors import ParameterError

    with pytest.raises(ParameterError, match=r"would need 50\.9 TiB of memory.*--draws"):
        sample_weights([1, 1, 1, 1, 1, 1, 1], draws=10**12, spread=0.2)
    with pytest.raises(ParameterError, match=r"would need .* EiB"):
        sample_weights([1, 1], draws=10**30, spread=0.2)
