"""Pay for what you use: importing geosite and running its pipeline loads no maps, plots or osmnx."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("folium", "matplotlib", "jinja2", "osmnx", "branca", "mapclassify")


def _loaded_after(code: str) -> list[str]:
    """Return which heavy libraries are in ``sys.modules`` after ``code`` runs afresh."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "code",
    [
        "import geosite",
        # the shortcuts a script uses to load and score, and the command line's parser
        "from geosite import evaluate, load_scenario, Result, score_cards, write_outputs",
        "import geosite.analysis, geosite.scenario, geosite.measures, geosite.data.source",
        "from geosite.cli import _parser; _parser()",
    ],
)
def test_import_loads_no_rendering_or_osmnx(code: str) -> None:
    assert _loaded_after(code) == []


def test_bare_import_loads_no_geopandas() -> None:
    # `geosite --version` only needs the version: the pipeline loads on first use.
    proc = subprocess.run(
        [sys.executable, "-c", "import geosite, sys; print('geopandas' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "False"


def test_shortcuts_load_on_first_use() -> None:
    import geosite
    from geosite.render.map import result_to_map

    assert geosite.result_to_map is result_to_map
    assert "write_report" in dir(geosite)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = geosite.nope  # type: ignore[attr-defined]


def test_every_public_name_resolves() -> None:
    import geosite

    for name in geosite.__all__:
        assert getattr(geosite, name) is not None, name
