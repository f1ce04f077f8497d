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
