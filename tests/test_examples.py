"""The examples run as documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_score_example_runs(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "score_dong_nam_bo.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "strongest criterion" in proc.stdout
    assert (tmp_path / "map.html").is_file()
    assert (tmp_path / "scores.csv").is_file()


def test_in_memory_example_writes_no_file(tmp_path: Path) -> None:
    # A clean working directory and temporary folder: both must stay empty.
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), MPLCONFIGDIR=str(tmp_path / "mpl"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "notebook_in_memory.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PM-02" in proc.stdout
    assert "BH-12 excluded: area 10.9 ha < 20 ha" in proc.stdout
    assert "characters of HTML; map:" in proc.stdout
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []
