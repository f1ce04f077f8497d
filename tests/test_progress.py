"""Progress bars as a person at a terminal sees them, and silence everywhere else.

The command line runs under a pseudo-terminal (:mod:`pty`), as in a shell window, sized as
a shell window is, and of size zero, as pseudo-terminals opened without a size report it
(``script`` run from a program, ``docker exec -t``, some editors' shells): tqdm then hides
every bar unless told the screen's size.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

BAR = b"measures:"


def run_in_terminal(
    args: list[str], *, size: tuple[int, int] = (24, 120), timeout: float = 120
) -> bytes:
    """Run ``python -m geosite ARGS`` with a pseudo-terminal as its stdout and stderr."""
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    child = subprocess.Popen(
        [sys.executable, "-m", "geosite", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                child.kill()
                pytest.fail(f"geosite {' '.join(args)} did not finish in {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
    assert child.wait(timeout) == 0, out.decode(errors="replace")
    return out


@pytest.mark.parametrize("size", [(24, 120), (0, 0)], ids=["sized", "unsized"])
def test_terminal_shows_the_progress_bar(tiny_project: Path, size: tuple[int, int]) -> None:
    args = ["run", str(tiny_project / "scenario.yaml"), "--out", str(tiny_project / "out")]
    out = run_in_terminal(args, size=size)
    assert BAR in out
    assert b"%|" in out  # a drawn bar, not only a count
    assert b"wrote " in out


def test_no_bar_with_quiet(tiny_project: Path) -> None:
    args = ["run", str(tiny_project / "scenario.yaml"), "--out", str(tiny_project / "out")]
    out = run_in_terminal([*args, "--quiet"])
    assert BAR not in out
    assert b"wrote " in out


def test_no_bar_in_a_pipe(tiny_project: Path) -> None:
    args = ["run", str(tiny_project / "scenario.yaml"), "--out", str(tiny_project / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "geosite", *args], capture_output=True, timeout=120, check=True
    )
    assert BAR not in done.stdout + done.stderr
    assert b"wrote " in done.stdout
