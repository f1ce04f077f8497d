"""The compare, diff and sensitivity commands: files written, reports printed, exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geosite.cli import EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main
from geosite.cli.sensitivity import Progress


def _port_led(project: Path) -> Path:
    path = project / "port.yaml"
    text = (project / "scenario.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("weight: 3", "weight: 30"), encoding="utf-8")
    return path


def test_compare_writes_tables_and_a_switchable_map(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, port = tiny_project / "scenario.yaml", _port_led(tiny_project)
    out = tiny_project / "out"
    assert main(["compare", str(base), str(port), "--out", str(out), "--top-k", "1"]) == EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.csv",
        "comparison.html",
        "pairs.csv",
    ]
    table = pd.read_csv(out / "comparison.csv")
    assert table["site_id"].tolist() == ["b", "a", "c"]
    assert table["port_rank_shift"].tolist()[:2] == [-1, 1]
    pairs = pd.read_csv(out / "pairs.csv")
    assert pairs.loc[0, "kendall_tau"] == pytest.approx(-1.0)
    page = (out / "comparison.html").read_text(encoding="utf-8")
    # One switchable layer per scenario, numbered in the order given.
    assert "1. tiny: Candidates (total score)" in page
    assert "2. tiny: Candidates (total score)" in page
    printed = capsys.readouterr().out
    assert "Kendall tau-b -1.000 over 2 candidates" in printed


def test_compare_needs_two_scenarios_and_a_directory(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = str(tiny_project / "scenario.yaml")
    with pytest.raises(SystemExit) as exc:
        main(["compare", base, "--out", str(tiny_project / "o")])
    assert exc.value.code == EXIT_USAGE
    assert "required: others" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["compare", base, base, "--out", str(tiny_project / "o"), "--top-k", "0"])
    assert exc.value.code == EXIT_USAGE
    assert "--top-k: expected a whole number >= 1" in capsys.readouterr().err
    blocker = tiny_project / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["compare", base, base, "--out", str(blocker)]) == EXIT_OUTPUT
    assert "not a directory" in capsys.readouterr().err


def test_diff_prints_nothing_changed_for_the_same_file(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = str(tiny_project / "scenario.yaml")
    assert main(["diff", base, base]) == EXIT_OK
    assert "No differences" in capsys.readouterr().out
    assert main(["diff", base, str(_port_led(tiny_project)), "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    keys = {c["key"] for c in report["assumptions"]}
    assert "criteria.port_distance.weight" in keys
    assert "weights.port_distance (normalised)" in keys
    assert {r["site_id"] for r in report["results"]} >= {"a", "b"}


def test_sensitivity_writes_reproducible_tables(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = str(tiny_project / "scenario.yaml")
    runs = []
    for name in ("one", "two"):
        out = tiny_project / name
        argv = ["sensitivity", base, "--out", str(out), "--draws", "300", "--seed", "4"]
        assert main(argv) == EXIT_OK
        runs.append(out)
    names = sorted(p.name for p in runs[0].iterdir())
    assert names == [
        "sensitivity.csv",
        "sensitivity.json",
        "sensitivity_flips.csv",
        "sensitivity_thresholds.csv",
        "sensitivity_weights.csv",
        "sensitivity_winner.csv",
    ]
    for name in names:
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name
    table = pd.read_csv(runs[0] / "sensitivity.csv")
    assert table["p_first"].sum() == pytest.approx(1.0)
    summary = json.loads((runs[0] / "sensitivity.json").read_text(encoding="utf-8"))
    assert summary["settings"]["seed"] == 4
    assert summary["winner"] == "b"
    printed = capsys.readouterr().out
    assert "winner b:" in printed
    # The smallest whole-vector change, with the weights that achieve it, in each form.
    flips = pd.read_csv(runs[0] / "sensitivity_flips.csv")
    assert list(flips[["event", "norm"]].itertuples(index=False, name=None)) == [
        ("winner", "l1"),
        ("winner", "linf"),
        ("top_k", "l1"),
        ("top_k", "linf"),
    ]
    weights = flips.filter(like="weight_").drop(columns="weight_moved")
    assert weights.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert len(summary["smallest_weight_changes"]) == 4
    assert "the winner changes at L1 distance" in printed or "no weight vector" in printed


def test_sensitivity_rejects_bad_settings(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = str(tiny_project / "scenario.yaml")
    argv = ["sensitivity", base, "--out", str(tiny_project / "o"), "--spread", "9"]
    assert main(argv) != EXIT_OK
    assert "spread must be" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal = _Terminal()
    bar = Progress("draws", terminal)
    bar(50, 100)
    bar(100, 100)
    assert "100/100" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
    piped = io.StringIO()
    Progress("draws", piped)(100, 100)
    assert piped.getvalue() == ""


def test_sensitivity_without_quantiles(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tiny_project / "lean"
    argv = ["sensitivity", str(tiny_project / "scenario.yaml"), "--out", str(out)]
    assert main([*argv, "--draws", "50", "--seed", "1", "--no-quantiles", "--quiet"]) == EXIT_OK
    table = pd.read_csv(out / "sensitivity.csv")
    assert (table["rank_p05"].dropna() == -1).all()
    assert "n/a" in capsys.readouterr().out


def test_compare_side_by_side_needs_two_scenarios(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, port = tiny_project / "scenario.yaml", _port_led(tiny_project)
    out = tiny_project / "out"
    args = [
        "compare",
        str(base),
        str(port),
        str(port),
        "--out",
        str(out),
        "--layout",
        "side_by_side",
    ]
    assert main(args) == EXIT_USAGE
    assert "exactly two scenarios" in capsys.readouterr().err
    assert (
        main(["compare", str(base), str(port), "--out", str(out), "--layout", "side_by_side"])
        == EXIT_OK
    )
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert len(re.findall(r"map_\w+\.sync\(map_\w+\)", page)) == 2  # the two maps move together
