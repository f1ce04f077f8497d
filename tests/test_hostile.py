"""A hostile user's catalogue: no input ends in an internal error, a traceback or a hang.

The cases here add to the catalogue of ``test_bad_inputs.py`` (which checks each message):
every class of input a hostile user tried — deep nesting, impossible or swapped
coordinates, counts that cannot fit in memory, special files, lon/lat declared as UTM,
legacy encodings without ``.cpg``, formula-like names, broken, empty or truncated files,
folders in place of files, duplicate ids, broken rasters, unknown keys, missing or wrong
CRS, invalid geometry, empty layers, NaN values, unreachable roads. Each runs through the
command line in-process (``geosite validate`` and ``geosite run``); neither may exit 70 or
print a traceback, and ``validate`` refuses exactly what ``run`` refuses, with the same
message and exit code (command-line and output problems aside). A
representative subset runs as real processes under a 20 s timeout, special files included.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import LineString, Point, Polygon

import geosite._memory
from geosite.cli import EXIT_INTERNAL, EXIT_OK, main

from .conftest import CRS, X0, Y0, square
from .test_bad_inputs import CASES

Make = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Hostile:
    id: str
    make: Make  # edits the tiny project; returns extra arguments of `geosite run`
    ok: bool | None = None  # True: run must succeed; False: must fail; None: either


def _edit(project: Path, old: str, new: str) -> None:
    path = project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def yaml(old: str, new: str) -> Make:
    def make(p: Path) -> list[str]:
        _edit(p, old, new)
        return []

    return make


def scenario_bytes(data: bytes) -> Make:
    def make(p: Path) -> list[str]:
        (p / "scenario.yaml").write_bytes(data)
        return []

    return make


def sites(
    geoms: list[object],
    ids: list[object] | None = None,
    crs: str | None = CRS,
    **columns: list[object],
) -> Make:
    def make(p: Path) -> list[str]:
        path = p / "data" / "candidates.gpkg"
        path.unlink()
        n = len(geoms)
        frame = gpd.GeoDataFrame(
            {
                "site_id": ids if ids is not None else [f"s{i}" for i in range(n)],
                "name": columns.pop("name", [f"Site {i}" for i in range(n)]),
                **columns,
            },
            geometry=geoms,
            crs=crs,
        )
        frame.to_file(path, layer="sites")
        return []

    return make


def names(*values: str) -> Make:
    return sites([square(0, 0, 400), square(5000, 0, 400), square(0, 5000, 300)], name=list(values))


def ports_file(content: bytes | None = None, *, mode: str = "bytes") -> Make:
    """Point the ports layer at a file of given bytes, a folder, a FIFO or a device."""

    def make(p: Path) -> list[str]:
        target = p / "data" / "ports_bad.gpkg"
        if mode == "folder":
            target.mkdir()
        elif mode == "fifo":
            os.mkfifo(target)
        elif mode == "device":
            target = Path("/dev/zero")
        else:
            target.write_bytes(content or b"")
        _edit(p, "path: data/ports.gpkg", f"path: {target}")
        return ["--allow-path", str(target.parent)]

    return make


def truncated(name: str, keep: float) -> Make:
    def make(p: Path) -> list[str]:
        path = p / "data" / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
        return []

    return make


def ports(geoms: list[object], crs: str | None = CRS, declared: str | None = None) -> Make:
    def make(p: Path) -> list[str]:
        path = p / "data" / "ports.gpkg"
        path.unlink()
        frame = gpd.GeoDataFrame(
            {"port_id": [f"p{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a file without a CRS, on purpose
            frame.to_file(path)
        if declared:
            _edit(
                p,
                "my_ports: {path: data/ports.gpkg, id: port_id}",
                f"my_ports: {{path: data/ports.gpkg, id: port_id, crs: '{declared}'}}",
            )
        return []

    return make


def raster_criterion(content: bytes) -> Make:
    def make(p: Path) -> list[str]:
        (p / "data" / "dem.tif").write_bytes(content)
        _edit(
            p,
            "constraints:\n",
            textwrap.dedent("""\
              - name: slope
                measure: {type: raster, path: data/dem.tif, statistic: mean}
                value: {type: linear, best: 0, worst: 100}
                weight: 1
            constraints:
            """).replace("  - name", "  - name", 1),
        )
        return []

    return make


def grid(spec: str) -> Make:
    return yaml(
        "candidates: {layer: sites, id: site_id, name: name}", f"candidates: {{grid: {spec}}}"
    )


def args(*extra: str) -> Make:
    return lambda p: list(extra)


def shapefile_cp1258(p: Path) -> list[str]:
    """Vietnamese names encoded in Windows-1258, with no .cpg to say so."""
    frame = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "name": ["Long Tha\u0300nh", "Bi\u00ean Ho\u0300a"]},
        geometry=[square(0, 0, 400), square(5000, 0, 400)],
        crs=CRS,
    )
    frame.to_file(p / "data" / "legacy.shp", encoding="cp1258")
    (p / "data" / "legacy.cpg").unlink(missing_ok=True)
    _edit(
        p,
        "sites: {path: data/candidates.gpkg, layer: sites, id: site_id}",
        "sites: {path: data/legacy.shp, id: site_id}",
    )
    return []


LATLON = [Point(106.8, 10.8), Point(107.0, 10.6)]
BOWTIE = Polygon([(X0, Y0), (X0 + 400, Y0 + 400), (X0 + 400, Y0), (X0, Y0 + 400)])

HOSTILE = [
    # deep nesting
    Hostile(
        "yaml-flow-sequence-5000-deep",
        scenario_bytes(b"version: 1\na: " + b"[" * 5000 + b"]" * 5000),
        ok=False,
    ),
    Hostile(
        "yaml-flow-mapping-5000-deep",
        scenario_bytes(b"version: 1\na: " + b"{a: " * 5000 + b"}" * 5000),
        ok=False,
    ),
    Hostile(
        "yaml-block-nesting-60-deep",
        scenario_bytes(
            b"version: 1\n" + b"".join(b"  " * i + b"k:\n" for i in range(60)) + b"  " * 60 + b"v\n"
        ),
        ok=False,
    ),
    Hostile(
        "yaml-billion-laughs",
        scenario_bytes(
            b"a: &a [x, x, x, x, x, x, x, x, x]\n"
            + b"".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [".encode()
                + b", ".join([f"*{chr(97 + i)}".encode()] * 9)
                + b"]\n"
                for i in range(8)
            )
        ),
        ok=False,
    ),
    Hostile(
        "yaml-deep-in-a-criterion", yaml("weight: 3", "weight: " + "[" * 300 + "]" * 300), ok=False
    ),
    # impossible and swapped coordinates
    Hostile(
        "candidates-lat-lon-swapped",
        sites([Point(10.8, 106.8).buffer(0.01), Point(10.6, 107.0).buffer(0.01)], crs="EPSG:4326"),
        ok=False,
    ),
    Hostile(
        "candidates-latitude-beyond-90",
        sites([Point(106.8, 95.0).buffer(0.01), Point(107.0, 91.0).buffer(0.01)], crs="EPSG:4326"),
        ok=False,
    ),
    Hostile(
        "candidates-coordinates-1e20",
        sites([square(1e20, 1e20, 400), square(5000, 0, 400)]),
        ok=False,
    ),
    Hostile(
        "ports-far-outside-the-zone", ports([Point(X0 + 5e7, Y0), Point(X0, Y0 - 5e7)]), ok=False
    ),
    Hostile("ports-lonlat-declared-utm", ports(LATLON, crs=None, declared="EPSG:32648"), ok=False),
    Hostile("ports-lonlat-labelled-utm-in-file", ports(LATLON, crs=CRS), ok=False),
    # counts that cannot fit in memory, and other huge numbers
    Hostile(
        "grid-cells-of-a-millionth-hectare",
        grid("{cell_ha: 0.000001, area: provinces_pre2025}"),
        ok=False,
    ),
    Hostile(
        "grid-cells-of-a-millimetre",
        grid("{cell_size_m: 0.001, area: provinces_pre2025}"),
        ok=False,
    ),
    Hostile(
        "grid-cell-larger-than-the-earth",
        grid("{cell_size_m: 1e12, area: provinces_pre2025}"),
    ),
    Hostile("count-within-radius-1e30", yaml("radius_m: 3000", "radius_m: 1e30")),
    Hostile("linear-worst-1e308", yaml("worst: 10000", "worst: 1e308")),
    Hostile("weight-1e308", yaml("weight: 3", "weight: 1e308")),
    Hostile("weight-infinite", yaml("weight: 3", "weight: .inf"), ok=False),
    Hostile("weight-nan", yaml("weight: 3", "weight: .nan"), ok=False),
    Hostile("min-area-negative", yaml("min_ha: 5", "min_ha: -1e300"), ok=False),
    # special files and folders in place of files
    Hostile("layer-is-a-folder", ports_file(mode="folder"), ok=False),
    Hostile("layer-is-a-character-device", ports_file(mode="device"), ok=False),
    Hostile(
        "scenario-is-a-folder",
        lambda p: ((p / "scenario.yaml").unlink(), (p / "scenario.yaml").mkdir(), [])[2],
        ok=False,
    ),
    Hostile(
        "out-is-a-file",
        lambda p: ((p / "outfile").write_text("x"), ["--out", str(p / "outfile")])[1],
        ok=False,
    ),
    # legacy encodings
    Hostile("shapefile-cp1258-without-cpg", shapefile_cp1258),
    Hostile(
        "scenario-in-latin-1",
        scenario_bytes("version: 1\nname: Bi\u00ean Ho\u0300a\n".encode("cp1258")),
        ok=False,
    ),
    Hostile("scenario-utf16", scenario_bytes("version: 1\nname: x\n".encode("utf-16")), ok=False),
    # formula-like names go through, neutralised in the CSV
    Hostile("names-like-formulas", names("=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+1+1"), ok=True),
    Hostile("names-with-tab-and-cr", names("\t=1+1", "\r=2+2", "-2+3"), ok=True),
    Hostile(
        "names-html-script",
        names("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&amp;"),
        ok=True,
    ),
    Hostile("names-empty-and-long", names("", "x" * 10000, "🙂" * 50), ok=True),
    # broken, empty and truncated files
    Hostile("scenario-empty", scenario_bytes(b""), ok=False),
    Hostile("scenario-binary-junk", scenario_bytes(bytes(range(256)) * 4), ok=False),
    Hostile("scenario-a-list", scenario_bytes(b"- 1\n- 2\n"), ok=False),
    Hostile("scenario-a-number", scenario_bytes(b"42\n"), ok=False),
    Hostile("scenario-nul-bytes", scenario_bytes(b"version: 1\x00\nname: x\n"), ok=False),
    Hostile("layer-zero-bytes", ports_file(b""), ok=False),
    Hostile("layer-junk-bytes", ports_file(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), ok=False),
    Hostile(
        "layer-geojson-truncated",
        ports_file(b'{"type": "FeatureCollection", "features": [{"type": "Feat'),
        ok=False,
    ),
    Hostile("candidates-gpkg-truncated-half", truncated("candidates.gpkg", 0.5), ok=False),
    Hostile("candidates-gpkg-truncated-to-header", truncated("candidates.gpkg", 0.01), ok=False),
    Hostile("roads-gpkg-truncated", truncated("roads.gpkg", 0.3), ok=False),
    # duplicate and missing ids
    Hostile(
        "duplicate-site-ids",
        sites([square(0, 0, 400), square(5000, 0, 400)], ids=["a", "a"]),
        ok=False,
    ),
    Hostile(
        "null-site-ids", sites([square(0, 0, 400), square(5000, 0, 400)], ids=[None, "b"]), ok=False
    ),
    Hostile("id-column-missing", yaml("id: site_id, name: name", "id: nope, name: name"), ok=False),
    # broken rasters
    Hostile("raster-junk", raster_criterion(b"II*\x00" + b"\xff" * 200), ok=False),
    Hostile("raster-empty", raster_criterion(b""), ok=False),
    Hostile("raster-html", raster_criterion(b"<html>not a tiff</html>"), ok=False),
    # unknown keys and values
    Hostile(
        "unknown-measure-type",
        yaml("{type: distance, layer: my_ports}", "{type: teleport, layer: my_ports}"),
        ok=False,
    ),
    Hostile(
        "unknown-value-type",
        yaml("{type: linear, best: 0, worst: 10000}", "{type: magic}"),
        ok=False,
    ),
    Hostile("unknown-layer", yaml("layer: my_ports}", "layer: my_portz}"), ok=False),
    Hostile(
        "unknown-key-in-measure",
        yaml("{type: distance, layer: my_ports}", "{type: distance, layer: my_ports, speed: 9}"),
        ok=False,
    ),
    Hostile("format-version-99", yaml("version: 1", "version: 99"), ok=False),
    Hostile("key-is-a-list", yaml("name: tiny", "? [a, b]\n: c\nname: tiny"), ok=False),
    # missing or wrong CRS
    Hostile("analysis-crs-geographic", yaml("crs: EPSG:32648", "crs: EPSG:4326"), ok=False),
    Hostile("analysis-crs-unknown-code", yaml("crs: EPSG:32648", "crs: EPSG:999999"), ok=False),
    Hostile("analysis-crs-nonsense", yaml("crs: EPSG:32648", "crs: '+proj=nonsense'"), ok=False),
    Hostile("ports-without-crs", ports([Point(X0 + 2400, Y0 + 200)], crs=None), ok=False),
    # invalid geometry and empty layers
    Hostile("candidate-bowtie", sites([BOWTIE, square(5000, 0, 400)]), ok=False),
    Hostile("candidate-empty-geometry", sites([Polygon(), square(5000, 0, 400)]), ok=False),
    Hostile(
        "candidate-lines",
        sites([LineString([(X0, Y0), (X0 + 1, Y0 + 1)])] * 2, ids=["a", "b"]),
        ok=False,
    ),
    Hostile("ports-empty-layer", ports([]), ok=False),
    Hostile(
        "where-matches-nothing",
        yaml(
            "{type: distance, layer: my_ports}",
            "{type: distance, layer: my_ports, where: {port_id: nowhere}}",
        ),
        ok=False,
    ),
    # NaN values
    Hostile(
        "attribute-nan",
        lambda p: (
            sites([square(0, 0, 400), square(5000, 0, 400)], ids=["a", "b"], pop=[np.nan, 5.0])(p),
            _edit(
                p,
                "constraints:\n",
                "  - name: pop\n    measure: {type: attribute, column: pop}\n    value: {type: linear, best: 10, worst: 0}\n    weight: 1\nconstraints:\n",
            ),
            [],
        )[2],
        ok=True,
    ),
    # unreachable roads
    Hostile(
        "network-without-the-ports",
        lambda p: (
            _edit(
                p,
                "{type: distance, layer: my_roads}",
                "{type: network, layer: my_ports, network: net}",
            ),
            _edit(
                p,
                "candidates:",
                "networks:\n  net: {source: {layer: my_roads}, access: {max_snap_m: 10}}\ncandidates:",
            ),
            [],
        )[2],
    ),
    # command-line counts
    Hostile("run-format-unknown", args("--format", "xls"), ok=False),
    Hostile("run-format-empty", args("--format", ","), ok=True),
]


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize("case", HOSTILE, ids=[c.id for c in HOSTILE])
def test_hostile_input_gets_a_clear_answer(
    case: Hostile,
    tiny_project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the memory a refused grid would need is compared with what is free: hold that still
    monkeypatch.setattr(geosite._memory, "available_bytes", lambda: 8 * 2**30)
    extra = case.make(tiny_project)
    scenario = str(tiny_project / "scenario.yaml")
    out = ["--out", str(tiny_project / "out")] if "--out" not in extra else []
    run_code, run_err = _run_cli(["run", scenario, *out, "--no-map", *extra], capsys)
    assert "Traceback" not in run_err
    assert "internal error" not in run_err, run_err
    assert run_code != EXIT_INTERNAL
    if case.ok is not None:
        assert (run_code == EXIT_OK) == case.ok, run_err
    if run_code != EXIT_OK:
        assert run_err.startswith(("geosite", "usage")), run_err
    # `validate` accepts exactly what `run` accepts (command-line and output problems aside)
    allow = [
        a for i, a in enumerate(extra) if extra[i - 1] == "--allow-path" or a == "--allow-path"
    ]
    if "--out" not in extra and "--format" not in extra:
        code, err = _run_cli(["validate", scenario, *allow], capsys)
        assert "Traceback" not in err
        assert code == run_code, (code, err, run_code, run_err)
        if run_code != EXIT_OK:  # the same words: the one preflight both commands run
            assert err.splitlines() == run_err.splitlines(), (err, run_err)
    if run_code == EXIT_OK and (tiny_project / "out" / "scores.csv").exists():
        with (tiny_project / "out" / "scores.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_the_catalogue_holds_over_a_hundred_hostile_inputs() -> None:
    assert len(HOSTILE) + len(CASES) >= 100
    assert len({c.id for c in HOSTILE}) == len(HOSTILE)


SUBPROCESS = [
    "layer-is-a-fifo",
    "yaml-flow-sequence-5000-deep",
    "layer-is-a-folder",
    "candidates-lat-lon-swapped",
    "names-like-formulas",
]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_real_processes_answer_within_20_seconds(name: str, tiny_project: Path) -> None:
    case = {c.id: c for c in HOSTILE} | {
        "layer-is-a-fifo": Hostile("fifo", ports_file(mode="fifo"))
    }
    extra = case[name].make(tiny_project)
    exe = Path(sys.executable).with_name("geosite")
    for command in (["validate"], ["run", "--out", str(tiny_project / "out"), "--no-map"]):
        argv = [str(exe), command[0], str(tiny_project / "scenario.yaml"), *command[1:], *extra]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        assert done.returncode != EXIT_INTERNAL, done.stderr
        assert "Traceback" not in done.stderr
    assert not any(p.name.startswith(".out.geosite") for p in tiny_project.iterdir())


@pytest.mark.parametrize(
    "argv",
    [
        ["sensitivity", "--draws", "1e30"],
        ["sensitivity", "--draws", "1e12"],
        ["sensitivity", "--draws", "-5"],
        ["sensitivity", "--draws", "nan"],
        ["sensitivity", "--top-k", "1e30", "--draws", "10", "--threshold-draws", "0"],
        ["sensitivity", "--threshold-draws", "1e30"],
        ["sensitivity", "--spread", "inf", "--draws", "10"],
        ["sensitivity", "--step", "-1", "--draws", "10"],
        ["report", "--sensitivity", "--draws", "1000000000000"],
        ["report", "--cards", "-3"],
    ],
    ids=" ".join,
)
def test_hostile_counts_on_the_command_line(
    argv: list[str], tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command, *rest = argv
    try:
        code = main(
            [
                command,
                str(tiny_project / "scenario.yaml"),
                "--out",
                str(tiny_project / "out"),
                *rest,
            ]
        )
    except SystemExit as done:  # argparse refuses the value itself: a usage error
        code = int(done.code or 0)
        assert code == 2
    err = capsys.readouterr().err
    assert code != EXIT_INTERNAL, err
    assert "Traceback" not in err
    assert code != EXIT_OK or (command == "sensitivity" and "--top-k" in rest), err
