"""The bundled layers are what the build script makes of the shared data, byte for byte."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("osmium")


def digests(root: Path, names: list[str]) -> dict[str, str]:
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in names}


@pytest.mark.slow
def test_rebuilding_the_layers_gives_the_committed_files(shared_data, tmp_path):
    out = tmp_path / "layers"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/build_layers.py"),
            str(shared_data),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    committed = sorted(
        str(p.relative_to(REPO / "layers")) for p in (REPO / "layers").rglob("*") if p.is_file()
    )
    built = sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "LAYERS.md"
    )
    assert built == committed
    assert digests(out, built) == digests(REPO / "layers", committed)
    assert (out / "LAYERS.md").read_bytes() == (REPO / "LAYERS.md").read_bytes()
