"""The command line: outputs, exit codes, and messages without tracebacks."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geosite.cli import EXIT_DATA, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main
from tests.reading import english_words


def test_run_writes_table_gpkg_and_map(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tiny_project / "out"
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == [
        "map.html",
        "score_cards.csv",
        "scores.csv",
        "scores.gpkg",
    ]
    table = pd.read_csv(out / "scores.csv")
    assert table["site_id"].tolist() == ["b", "a", "c"]
    gpkg = gpd.read_file(out / "scores.gpkg", layer="scores")
    assert gpkg.crs.to_epsg() == 32648
    assert gpkg["site_id"].tolist() == ["b", "a", "c"]
    printed = capsys.readouterr().out
    assert "  1  0.698  Site B" in printed
    assert "[excluded: area 4.0 ha < 5 ha]" in printed


def test_broken_scenario_exits_2_with_position_and_writes_nothing(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("weight: 3", "wieght: 3"), encoding="utf-8"
    )
    out = tiny_project / "out"
    assert main(["run", str(path), "--out", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "did you mean 'weight'?" in err
    assert f"{path}:" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_failed_run_leaves_previous_outputs_intact(tiny_project: Path) -> None:
    out = tiny_project / "out"
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == EXIT_OK
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (tiny_project / "data" / "roads.gpkg").write_bytes(b"not a geopackage")
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == EXIT_DATA
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unwritable_output_directory_exits_3(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tiny_project / "file"
    blocker.write_text("x")
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(blocker)]) == EXIT_OUTPUT
    assert "is not a directory" in capsys.readouterr().err


def test_validate_reports_ok_and_failures(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tiny_project / "scenario.yaml"
    bad = tiny_project / "bad.yaml"
    bad.write_text("version: 1\nname: [\n", encoding="utf-8")
    assert main(["validate", str(good)]) == EXIT_OK
    assert "ok (3 criteria, 1 constraints, data ok)" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad)]) == EXIT_USAGE
    assert "not valid YAML" in capsys.readouterr().err


def test_schema_is_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["schema"]) == EXIT_OK
    assert '"title": "geosite scenario, format version 1"' in capsys.readouterr().out
    assert main(["schema", "--out", str(tmp_path / "s.json")]) == EXIT_OK
    assert (tmp_path / "s.json").read_text(encoding="utf-8").startswith("{")


def test_layers_lists_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers"]) == EXIT_OK
    out = capsys.readouterr().out
    for name in ("candidate_sites", "ports", "airports", "industrial_parks", "roads"):
        assert f"{name}: " in out
    assert "licence:" in out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == EXIT_USAGE
    assert main(["run", "nope.yaml", "--out", "x", "--format", "xls"]) == EXIT_USAGE


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    exe = shutil.which("geosite") or str(Path(sys.executable).with_name("geosite"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nname: x\ncandidates: {layer: nowhere}\ncriteria: []\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [exe, "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == EXIT_USAGE
    assert "Traceback" not in proc.stderr
    assert "criteria" in proc.stderr


def test_run_prints_in_vietnamese_with_vietnamese_numbers(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "run",
                str(tiny_project / "scenario.yaml"),
                "--out",
                str(tiny_project / "out"),
                "--lang",
                "vi",
            ]
        )
        == EXIT_OK
    )
    printed = capsys.readouterr().out
    assert "tiny: 3 địa điểm, 2 được xếp hạng" in printed
    assert "  1  0,698  Site B" in printed
    assert "[bị loại: diện tích 4,0 ha < 5 ha]" in printed
    assert "đã ghi " in printed
    assert english_words(printed.replace(str(tiny_project), " ")) == []


def test_scenario_language_is_the_default(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: tiny", "name: tiny\nlanguage: vi"),
        encoding="utf-8",
    )
    assert main(["run", str(path), "--out", str(tiny_project / "out"), "--no-map"]) == EXIT_OK
    assert "được xếp hạng" in capsys.readouterr().out


@pytest.mark.parametrize("draws", ["1e12", "1e30", "1000000000000000000000000000000"])
def test_sensitivity_refuses_draws_that_cannot_fit_in_memory(
    draws: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["sensitivity", "dong-nam-bo", "--out", str(tmp_path / "s"), "--draws", draws])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE or code == 1, err
    assert "of memory" in err
    assert "iB" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s").exists()


def _sigterm_inside_set_name() -> None:
    import os
    import signal
    import time

    class Descriptor:
        def __set_name__(self, owner: type, name: str) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs here, inside class creation

    type("Quadrature", (), {"nodes": Descriptor()})


def _ctrl_c_inside_set_name() -> None:
    class Descriptor:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    type("Quadrature", (), {"nodes": Descriptor()})


def _terminated_wrapped_in_a_geosite_error() -> None:
    from geosite.cli._base import Terminated
    from geosite.errors import LayerError

    try:
        _terminate_now()
    except Terminated as err:
        raise LayerError("a layer could not be read") from err


def _terminate_now() -> None:
    from geosite.cli._base import Terminated

    raise Terminated


@pytest.mark.parametrize(
    ("interrupt", "code", "word"),
    [
        (_sigterm_inside_set_name, 143, "terminated"),
        (_ctrl_c_inside_set_name, 130, "interrupted"),
        (_terminated_wrapped_in_a_geosite_error, 143, "terminated"),
    ],
)
def test_a_signal_wrapped_by_the_code_it_lands_in_is_still_an_interruption(
    interrupt, code: int, word: str, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python wraps what ``__set_name__`` raises in a RuntimeError; that is no internal error."""
    import geosite.scenario

    def schema() -> dict:
        interrupt()
        return {}

    monkeypatch.setattr(geosite.scenario, "scenario_json_schema", schema)
    assert main(["schema"]) == code
    err = capsys.readouterr().err
    assert f"geosite: {word}; previous outputs are unchanged" in err
    assert "internal error" not in err


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from geosite.cli import _parser

    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


#: Options that ask for opposite things, per command; every command that has both takes part.
CONTRADICTIONS = [
    (["--offline"], ["--cdn"]),
    (["--json"], ["--markdown"]),
    (["--no-map"], ["--cdn"]),
    (["--no-map"], ["--offline"]),
    (["--no-map"], ["--basemap", "osm"]),
    (["--no-map"], ["--no-what-if"]),
    (["--no-map"], ["--layout", "side_by_side"]),
    (["--offline"], ["--basemap", "satellite"]),
    (["--no-sensitivity"], ["--draws", "50"]),
    (["--no-sensitivity"], ["--seed", "4"]),
]


def _cases() -> list[tuple[str, list[str], list[str]]]:
    commands = _subcommands()
    cases = []
    for name, parser in commands.items():
        options = {s for a in parser._actions for s in a.option_strings}
        cases += [
            (name, first, second)
            for first, second in CONTRADICTIONS
            if first[0] in options and second[0] in options
        ]
    return cases


@pytest.mark.parametrize(("command", "first", "second"), _cases())
def test_contradictory_options_are_a_usage_error_naming_both(
    command: str,
    first: list[str],
    second: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    positional = {
        "run": ["dong-nam-bo"],
        "report": ["dong-nam-bo"],
        "compare": ["dong-nam-bo", "port-led"],
    }.get(command, [])
    out = tmp_path / "out"
    needs_out = command in {"run", "report", "compare"}
    argv = [command, *positional, *(["--out", str(out)] if needs_out else []), *first, *second]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert first[0] in err, err
    assert second[0] in err, err
    assert "Traceback" not in err
    assert not out.exists()  # refused before any work


def test_every_command_with_both_offline_and_cdn_is_checked() -> None:
    cases = _cases()
    both = {c for c, first, second in cases if (first[0], second[0]) == ("--offline", "--cdn")}
    assert {"run", "report", "compare"} <= both
    assert ("layers", ["--json"], ["--markdown"]) in cases


@pytest.mark.parametrize(
    "argv",
    [
        ["--offline", "--basemap", "none"],
        ["--no-map", "--lang", "vi"],
    ],
)
def test_options_that_agree_are_accepted(argv: list[str]) -> None:
    from geosite.cli import _parser

    args = _parser().parse_args(["run", "dong-nam-bo", "--out", "x", *argv])
    assert args.command == "run"
