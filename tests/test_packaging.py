"""What a newcomer gets: the README's commands, the installed package and its data."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import geosite
from geosite.data.bundled import layers_dir
from geosite.scenario import bundled_scenarios_dir

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block is not None, "the README must start with a sh block of the two set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "geosite run scenarios/dong-nam-bo.yaml --out out/" in commands[0]
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert f"readme_test_command='{readme_commands()[1]}'" in ci


def test_installed_package_carries_layers_and_scenarios() -> None:
    installed = "site-packages" in str(Path(geosite.__file__).resolve())
    if not installed:
        if os.environ.get("CI"):
            pytest.fail("CI must test the installed wheel, not the source tree")
        pytest.skip("testing a source checkout (editable install)")
    assert layers_dir().is_relative_to(Path(geosite.__file__).resolve().parent)
    assert (layers_dir() / "catalog.json").is_file()
    assert (bundled_scenarios_dir() / "dong-nam-bo.yaml").is_file()


def test_every_bundled_scenario_validates() -> None:
    paths = sorted(bundled_scenarios_dir().glob("*.yaml"))
    assert paths
    for path in paths:
        geosite.load_scenario(path)


def test_package_ships_type_information() -> None:
    assert (Path(geosite.__file__).parent / "py.typed").is_file()


def test_readme_sample_output_is_what_the_main_job_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geosite.cli import main

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"```console\n\$ geosite run scenarios/dong-nam-bo.yaml --out out/\n(.*?)```",
        text,
        re.DOTALL,
    )
    assert block is not None
    expected = [line for line in block.group(1).splitlines() if not line.startswith("wrote ")]
    assert main(["run", "dong-nam-bo", "--out", str(tmp_path), "--no-map"]) == 0
    printed = [
        line for line in capsys.readouterr().out.splitlines() if not line.startswith("wrote ")
    ]
    assert printed == expected


def test_readme_python_output_is_what_the_api_gives() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(\s+site_id\s+total_score\s+rank\n.*?)```", text, re.DOTALL)
    assert block is not None
    table = geosite.evaluate(geosite.load_scenario("dong-nam-bo")).table
    assert str(table[["site_id", "total_score", "rank"]].head(3)) + "\n" == block.group(1)


def test_top_level_names_do_not_shadow_submodules() -> None:
    import importlib
    import pkgutil
    import types

    for info in pkgutil.iter_modules(geosite.__path__):
        if info.name == "__main__":
            continue  # importing it runs the command line
        module = importlib.import_module(f"geosite.{info.name}")
        assert isinstance(getattr(geosite, info.name, module), types.ModuleType), info.name


def test_package_licence_names_every_licence_of_the_bundled_layers():
    """The SPDX expression covers what the layers ship, and their licence texts ship too."""
    import fnmatch
    import tomllib

    from geosite.data import bundled

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    expression = set(project["license"].split(" AND "))
    spdx_of = {
        "ODbL-1.0": "ODbL-1.0",
        "CC-BY-SA-4.0": "CC-BY-SA-4.0",
        "GPL-3.0": "GPL-3.0-only",
        "Apache-2.0": "Apache-2.0",
        "MIT": "MIT",
        "public domain": "LicenseRef-Public-Domain",
        "facts: no licence stated": "LicenseRef-Facts-No-Licence-Stated",
    }
    files = {
        str(p.relative_to(REPO)) for pattern in project["license-files"] for p in REPO.glob(pattern)
    }
    for part in [p for info in bundled.catalog() for p in (*info.parts, info)]:
        named = {spdx for text, spdx in spdx_of.items() if text in part.licence}
        assert named, part.file
        assert named <= expression, (part.file, named - expression)
        if part.licence_file:
            path = f"layers/{part.licence_file}"
            assert (REPO / path).is_file(), path
            assert any(fnmatch.fnmatch(path, pattern) for pattern in project["license-files"])
            assert path in files
    assert "LICENSE" in files
    # the files of a split layer are each under one of the licences the layer names
    for info in bundled.catalog():
        for part in info.parts:
            assert part.licence in info.licence, (info.name, part.file)
