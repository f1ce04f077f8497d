"""Outputs published as one set: staging, one atomic step, clean-up on every exit, a lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geosite.cli import EXIT_OK, EXIT_OUTPUT, main
from geosite.data import publish
from geosite.data.publish import STAGE_MARK, output_lock, output_set
from geosite.errors import OutputError

OWNS = {"scores.csv", "scores.gpkg", "map.html", "figures"}


def _write(stage: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(text)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _strays(folder: Path) -> list[str]:
    """Entries beside or inside ``folder`` left by geosite's machinery."""
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    inside = [p.name for p in folder.rglob("*") if STAGE_MARK in p.name or "geosite-lock" in p.name]
    return beside + inside


OLD = {"scores.csv": "old csv", "scores.gpkg": "old gpkg", "figures/a.png": "old a"}
NEW = {"scores.csv": "new csv", "map.html": "new map", "figures/b.png": "new b"}
MINE = {"notes.txt": "a planner's notes", "drafts/plan.txt": "draft"}


def _expected(files: dict[str, str]) -> dict[str, bytes]:
    return {k: v.encode() for k, v in {**files, **MINE}.items()}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    with output_set(out, owns=OWNS) as stage:
        _write(stage, OLD)
    _write(out, MINE)
    return out


def test_new_set_replaces_the_owned_files_and_keeps_the_rest(previous: Path) -> None:
    inode = previous.stat().st_ino
    with output_set(previous, owns=OWNS) as stage:
        _write(stage, NEW)
    # scores.gpkg and figures/a.png belong to the earlier run only: gone, not mixed in
    assert _snapshot(previous) == _expected(NEW)
    assert _strays(previous) == []
    if sys.platform.startswith("linux"):
        assert previous.stat().st_ino != inode  # published by exchanging the folder


def test_an_error_leaves_the_previous_set_and_no_stray_file(previous: Path) -> None:
    with pytest.raises(RuntimeError), output_set(previous, owns=OWNS) as stage:
        _write(stage, NEW)
        raise RuntimeError
    assert _snapshot(previous) == _expected(OLD)
    assert _strays(previous) == []


def test_without_the_exchange_files_are_renamed_one_by_one(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(a: Path, b: Path) -> None:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(publish, "_exchange", unsupported)
    with output_set(previous, owns=OWNS) as stage:
        _write(stage, NEW)
    assert _snapshot(previous) == _expected(NEW)
    assert _strays(previous) == []


def test_a_folder_whose_parent_is_read_only_is_staged_inside(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    out = tmp_path / "ro" / "out"
    out.mkdir(parents=True)
    (tmp_path / "ro").chmod(0o555)
    try:
        with output_set(out, owns=OWNS) as stage:
            _write(stage, NEW)
        assert _snapshot(out) == {k: v.encode() for k, v in NEW.items()}
        assert _strays(out) == []
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_the_working_directory_can_be_the_output_folder(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inode = previous.stat().st_ino
    monkeypatch.chdir(previous)
    for _ in range(2):  # the second run must find its working directory still there
        with output_set(".", owns=OWNS) as stage:
            _write(stage, NEW)
    # not swapped, or the user's shell would sit in a deleted folder: renamed file by file
    assert Path.cwd().stat().st_ino == inode
    assert _snapshot(previous) == _expected(NEW)
    assert _strays(previous) == []


def test_stale_staging_from_a_killed_run_is_removed_by_the_next(previous: Path) -> None:
    stale = previous.parent / f".{previous.name}{STAGE_MARK}deadbeef"
    stale.mkdir()
    (stale / "scores.csv").write_text("half")
    with output_set(previous, owns=OWNS) as stage:
        _write(stage, NEW)
    assert not stale.exists()
    assert _strays(previous) == []


def _publish_then_die_at(out: Path, line: int) -> int:
    """Publish NEW in a forked child that exits abruptly at the ``line``-th traced line."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = 0

        def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
            nonlocal count
            if frame.f_code.co_filename != publish.__file__:
                return None
            if event == "line":
                count += 1
                if count == line:
                    os._exit(137)
            return tracer

        try:
            sys.settrace(tracer)
            with output_set(out, owns=OWNS) as stage:
                _write(stage, NEW)
            sys.settrace(None)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_kill_at_any_line_of_the_publication_leaves_one_whole_set(tmp_path: Path) -> None:
    line = 1
    seen = set()
    while True:
        out = tmp_path / f"k{line}" / "out"
        with output_set(out, owns=OWNS) as stage:
            _write(stage, OLD)
        _write(out, MINE)
        code = _publish_then_die_at(out, line)
        state = _snapshot(out)
        assert state in (_expected(OLD), _expected(NEW)), f"mixed set when killed at line {line}"
        seen.add("new" if state == _expected(NEW) else "old")
        # the next run cleans whatever the kill left
        with output_set(out, owns=OWNS) as stage:
            _write(stage, NEW)
        assert _snapshot(out) == _expected(NEW)
        assert _strays(out) == [], f"stray files after a kill at line {line}"
        if code == 0:
            break
        line += 1
    assert line > 50  # the publication was interrupted at each of its steps
    assert seen == {"old", "new"}


def test_a_second_command_into_a_locked_folder_exits_3_naming_it(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tiny_project / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from geosite.data.publish import output_lock\n"
                f"with output_lock({str(out)!r}):\n"
                "    print('held', flush=True); time.sleep(60)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        code = main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == EXIT_OUTPUT
        assert f"process {holder.pid}" in err
        assert str(out) in err
        with pytest.raises(OutputError, match="another geosite command"), output_set(out):
            pass
    finally:
        holder.kill()
        holder.communicate()
    # the lock dies with its holder
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == EXIT_OK
    assert _strays(out) == []


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    with output_lock(tmp_path / "out"), output_set(tmp_path / "out") as stage:
        (stage / "x.csv").write_text("x")
    assert (tmp_path / "out" / "x.csv").read_text() == "x"
    assert _strays(tmp_path / "out") == []


def _run(scenario: Path, out: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("geosite")
    return subprocess.Popen(
        [str(exe), "run", str(scenario), "--out", str(out), "--format", "csv,gpkg", "--no-map"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finish(process: subprocess.Popen[bytes]) -> int:
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()
    return process.returncode


@pytest.mark.slow
def test_killing_geosite_run_at_random_moments_leaves_one_whole_set(tiny_project: Path) -> None:
    """SIGTERM and SIGKILL at seeded random moments of real runs: old set or new, whole.

    Runs alternate between two scenarios, each run killed while the previous set is in the
    folder; every kill in :mod:`geosite.data.publish` itself is covered line by line above.
    """
    import random

    scenario = tiny_project / "scenario.yaml"
    other = tiny_project / "other.yaml"
    other.write_text(scenario.read_text().replace("weight: 3", "weight: 5", 1))
    started = time.perf_counter()
    refs = {
        label: _run(path, tiny_project / label) for label, path in (("a", scenario), ("b", other))
    }
    assert all(_finish(p) == 0 for p in refs.values())
    elapsed = (time.perf_counter() - started) / 2  # two runs shared two cores
    sets = {label: _snapshot(tiny_project / label) for label in refs}
    assert sets["a"] != sets["b"]
    out = tiny_project / "out"
    assert _finish(_run(scenario, out)) == 0
    rng = random.Random(17)
    for trial, sig in enumerate([signal.SIGTERM, signal.SIGKILL] * 2):
        before = _snapshot(out)
        process = _run(other if before == sets["a"] else scenario, out)
        # the writing happens at the end of a run: aim at its second half
        time.sleep(rng.uniform(0.5, 1.1) * elapsed)
        process.send_signal(sig)
        _, raw = process.communicate(timeout=60)
        err = raw.decode()
        assert "Traceback" not in err
        # -SIGTERM: the signal came before the command line was up (nothing written yet)
        assert process.returncode in (0, 143, -signal.SIGTERM, -signal.SIGKILL), err
        state = _snapshot(out)
        assert state in (sets["a"], sets["b"]), f"trial {trial}: a mixed set"
        if sig == signal.SIGTERM:
            assert _strays(out) == [], f"trial {trial}: SIGTERM left {_strays(out)}"
    # whatever a SIGKILL left is cleaned by the next run
    assert _finish(_run(other, out)) == 0
    assert _snapshot(out) == sets["b"]
    assert _strays(out) == []


def test_a_deleted_working_directory_is_a_clear_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main(["run", "dong-nam-bo", "--out", ".", "--no-map"]) == EXIT_OUTPUT
    assert "working directory no longer exists" in capsys.readouterr().err
