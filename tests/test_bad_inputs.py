"""The catalogue of bad inputs: each gets a clear error from the API and from the CLI.

Every case builds one broken input from the tiny project and checks that
- the Python API raises the documented :class:`~geosite.errors.GeositeError` subclass with a
  message naming the file, key or layer at fault;
- ``geosite run`` exits with the documented non-zero code, prints that message and no
  traceback, and writes no output file.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely import LineString, Point, Polygon

from geosite import evaluate, load_scenario
from geosite.cli import EXIT_DATA, EXIT_USAGE, main
from geosite.errors import (
    CRSError,
    DataNotFoundError,
    GeositeError,
    LayerError,
    NetworkError,
    ScenarioError,
)

from .conftest import CRS, X0, Y0, square, write_without_crs


def edit(project: Path, old: str, new: str) -> Path:
    path = project / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def replace_scenario(project: Path, text: str) -> Path:
    path = project / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rewrite_sites(
    project: Path, geoms: list[object], ids: list[object], **columns: list[object]
) -> Path:
    path = project / "data" / "candidates.gpkg"
    path.unlink()
    gpd.GeoDataFrame(
        {"site_id": ids, "name": [str(i) for i in ids], **columns}, geometry=geoms, crs=CRS
    ).to_file(path, layer="sites")
    return project / "scenario.yaml"


def add_criterion(project: Path, yaml_item: str) -> Path:
    return edit(
        project,
        "constraints:\n",
        textwrap.indent(textwrap.dedent(yaml_item), "  ") + "constraints:\n",
    )


def write_raster(
    path: Path, *, crs: str | None = CRS, nodata: float | None = -9999, x0: float = X0 - 1000
) -> None:
    values = np.tile(np.arange(120, dtype="float32"), (120, 1))
    profile = {
        "driver": "GTiff",
        "width": 120,
        "height": 120,
        "count": 1,
        "dtype": "float32",
        "transform": Affine(100, 0, x0, 0, -100, Y0 + 11000),
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]
    error: type[GeositeError]
    match: str
    exit_code: int


def _yaml(old: str, new: str) -> Callable[[Path], Path]:
    return lambda p: edit(p, old, new)


def _edits(*pairs: tuple[str, str]) -> Callable[[Path], Path]:
    def make(project: Path) -> Path:
        for old, new in pairs:
            edit(project, old, new)
        return project / "scenario.yaml"

    return make


def _ahp(matrix: str) -> Callable[[Path], Path]:
    """Switch the tiny scenario to AHP weights (criteria then carry no `weight:`)."""
    return _edits(
        ("    weight: 3\n", ""),
        ("    weight: 1\n", ""),
        ("    weight: 1\n", ""),
        (
            "constraints:",
            (
                "weighting:\n  method: ahp\n  criteria: [port_distance, road_distance, ports_within_3km]\n"
                f"  matrix: {matrix}\nconstraints:"
            ),
        ),
    )


CASES = [
    # --- the scenario file
    Case(
        "malformed-yaml",
        _yaml("name: tiny", "name: [tiny"),
        ScenarioError,
        r"scenario\.yaml:\d+:\d+: <document>: this is not valid YAML",
        EXIT_USAGE,
    ),
    Case(
        "tab-indentation",
        _yaml("crs: EPSG:32648", "crs:\n\tEPSG:32648"),
        ScenarioError,
        r"not valid YAML",
        EXIT_USAGE,
    ),
    Case(
        "unknown-top-level-key",
        _yaml("constraints:", "constrains:"),
        ScenarioError,
        r"unknown key 'constrains'; did you mean 'constraints'\?",
        EXIT_USAGE,
    ),
    Case(
        "misspelt-nested-key",
        _yaml("weight: 3", "wieght: 3"),
        ScenarioError,
        r"criteria\[0\]\.wieght: unknown key 'wieght'; did you mean 'weight'\?",
        EXIT_USAGE,
    ),
    Case(
        "missing-candidates",
        _yaml("candidates: {layer: sites, id: site_id, name: name}\n", ""),
        ScenarioError,
        r"candidates: missing required key 'candidates'",
        EXIT_USAGE,
    ),
    Case(
        "missing-measure-layer",
        _yaml("{type: distance, layer: my_roads}", "{type: distance}"),
        ScenarioError,
        r"criteria\[1\]\.measure\.layer: missing required key 'layer'",
        EXIT_USAGE,
    ),
    Case(
        "wrongly-typed-weight",
        _yaml("weight: 3", "weight: lots"),
        ScenarioError,
        r"criteria\[0\]\.weight: .*'lots'",
        EXIT_USAGE,
    ),
    Case(
        "wrongly-typed-radius",
        _yaml("radius_m: 3000", "radius_m: [3000]"),
        ScenarioError,
        r"criteria\[2\]\.measure\.radius_m",
        EXIT_USAGE,
    ),
    Case(
        "negative-weight",
        _yaml("weight: 3", "weight: -3"),
        ScenarioError,
        r"weight must be a finite number >= 0, got -3",
        EXIT_USAGE,
    ),
    Case(
        "nan-weight",
        _yaml("weight: 3", "weight: .nan"),
        ScenarioError,
        r"weight must be a finite number >= 0, got nan",
        EXIT_USAGE,
    ),
    Case(
        "all-weights-zero",
        _edits(("weight: 3", "weight: 0"), ("weight: 1", "weight: 0"), ("weight: 1", "weight: 0")),
        ScenarioError,
        r"weighting: .*(zero|sum)",
        EXIT_USAGE,
    ),
    Case(
        "missing-weight",
        _yaml("    weight: 3\n", ""),
        ScenarioError,
        r"criteria\[0\]: missing `weight`",
        EXIT_USAGE,
    ),
    Case(
        "unknown-measure-type",
        _yaml("type: distance, layer: my_ports}", "type: distanse, layer: my_ports}"),
        ScenarioError,
        r"unknown type 'distanse'; did you mean 'distance'\?",
        EXIT_USAGE,
    ),
    Case(
        "unknown-value-function",
        _yaml("{type: linear, best: 0, worst: 10000}", "{type: lineal, best: 0, worst: 10000}"),
        ScenarioError,
        r"criteria\[0\]\.value\.type: unknown type 'lineal'; did you mean 'linear'\?",
        EXIT_USAGE,
    ),
    Case(
        "equal-thresholds",
        _yaml("best: 0, worst: 10000", "best: 10000, worst: 10000"),
        ScenarioError,
        r"criteria\[0\]\.value",
        EXIT_USAGE,
    ),
    Case(
        "piecewise-not-increasing",
        _yaml(
            "{type: linear, best: 0, worst: 10000}",
            "{type: piecewise, points: [[0, 1], [5000, 0.5], [4000, 0]]}",
        ),
        ScenarioError,
        r"criteria\[0\]\.value.*increas",
        EXIT_USAGE,
    ),
    Case(
        "ahp-not-reciprocal",
        _ahp("[[1, 3, 5], [3, 1, 2], [1/5, 1/2, 1]]"),
        ScenarioError,
        r"weighting.*reciprocal",
        EXIT_USAGE,
    ),
    Case(
        "ahp-zero-judgment",
        _ahp("[[1, 0, 5], [0, 1, 2], [1/5, 1/2, 1]]"),
        ScenarioError,
        r"weighting",
        EXIT_USAGE,
    ),
    Case(
        "ahp-inconsistent",
        _ahp("[[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]]"),
        ScenarioError,
        r"weighting.*consisten",
        EXIT_USAGE,
    ),
    Case(
        "unknown-layer",
        _yaml("layer: my_roads}", "layer: my_road}"),
        ScenarioError,
        r"unknown layer 'my_road'; did you mean 'my_roads'\?",
        EXIT_USAGE,
    ),
    Case(
        "missing-file",
        _yaml("data/roads.gpkg", "data/road.gpkg"),
        ScenarioError,
        r"layers\.my_roads\.path: file 'data/road\.gpkg' does not exist",
        EXIT_USAGE,
    ),
    Case(
        "geographic-analysis-crs",
        _yaml("crs: EPSG:32648", "crs: EPSG:4326"),
        ScenarioError,
        r"crs: .*not a projected CRS in metres",
        EXIT_USAGE,
    ),
    Case(
        "unknown-crs",
        _yaml("crs: EPSG:32648", "crs: EPSG:999999"),
        ScenarioError,
        r"crs: .*not a coordinate reference system",
        EXIT_USAGE,
    ),
    Case(
        "duplicate-criterion",
        lambda p: add_criterion(
            p,
            "- name: port_distance\n  measure: {type: distance, layer: my_ports}\n  value: {type: linear, best: 0, worst: 1}\n  weight: 1\n",
        ),
        ScenarioError,
        r"criterion name 'port_distance' is used twice",
        EXIT_USAGE,
    ),
    Case(
        "duplicate-yaml-key",
        _yaml("name: tiny", "name: tiny\nname: again"),
        ScenarioError,
        r"key 'name' appears twice",
        EXIT_USAGE,
    ),
    Case(
        "unsupported-version",
        _yaml("version: 1", "version: 3"),
        ScenarioError,
        r"version 3 is not supported",
        EXIT_USAGE,
    ),
    Case(
        "billion-laughs",
        lambda p: replace_scenario(
            p,
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [{', '.join(['*a' if i == 1 else f'*a{i - 1}'] * 10)}]\n"
                for i in range(1, 8)
            ),
        ),
        ScenarioError,
        r"expands to more than",
        EXIT_USAGE,
    ),
    Case(
        "python-tag",
        lambda p: replace_scenario(p, "version: !!python/object/apply:os.system ['true']\n"),
        ScenarioError,
        r"not allowed",
        EXIT_USAGE,
    ),
    Case(
        "empty-file",
        lambda p: replace_scenario(p, ""),
        ScenarioError,
        r"the file is empty",
        EXIT_USAGE,
    ),
    Case(
        "not-utf8",
        lambda p: (
            (p / "scenario.yaml").write_bytes(b"name: \xd0\xf4ng Nai\n"),
            p / "scenario.yaml",
        )[1],
        ScenarioError,
        r"not UTF-8",
        EXIT_USAGE,
    ),
    Case(
        "extends-missing",
        _yaml("version: 1", "version: 1\nextends: nowhere.yaml"),
        ScenarioError,
        r"cannot find the scenario 'nowhere\.yaml' to extend",
        EXIT_USAGE,
    ),
    Case(
        "constraint-unknown-criterion",
        _yaml(
            "  - {type: min_area, min_ha: 5}",
            "  - {type: criterion, criterion: port_distanse, max: 5}",
        ),
        ScenarioError,
        r"no criterion 'port_distanse'; did you mean 'port_distance'\?",
        EXIT_USAGE,
    ),
    Case(
        "unknown-network",
        _yaml(
            "{type: distance, layer: my_roads}", "{type: network, layer: my_ports, network: roads}"
        ),
        ScenarioError,
        r"no network 'roads'",
        EXIT_USAGE,
    ),
    # --- layers
    Case(
        "layer-without-crs",
        lambda p: (
            write_without_crs(gpd.read_file(p / "data/ports.gpkg"), p / "data/ports.gpkg"),
            p / "scenario.yaml",
        )[1],
        CRSError,
        r"layer 'my_ports' has no CRS",
        EXIT_DATA,
    ),
    Case(
        "mixed-crs-declared",
        _yaml(
            "my_ports: {path: data/ports.gpkg, id: port_id}",
            "my_ports: {path: data/ports.gpkg, id: port_id, crs: 'EPSG:4326'}",
        ),
        CRSError,
        r"layer 'my_ports': the file declares",
        EXIT_DATA,
    ),
    Case(
        "invalid-geometry",
        lambda p: rewrite_sites(
            p,
            [
                square(0, 0, 400),
                Polygon([(X0, Y0), (X0 + 400, Y0 + 400), (X0 + 400, Y0), (X0, Y0 + 400)]),
            ],
            ["a", "bow"],
        ),
        LayerError,
        r"layer 'sites' has 1 invalid geometry: 'bow' \(Self-intersection",
        EXIT_DATA,
    ),
    Case(
        "null-geometry",
        lambda p: rewrite_sites(p, [square(0, 0, 400), None], ["a", "nothing"]),
        LayerError,
        r"layer 'sites' has 1 feature\(s\) with a null or empty geometry: 'nothing'",
        EXIT_DATA,
    ),
    Case(
        "empty-geometry",
        lambda p: rewrite_sites(p, [square(0, 0, 400), Polygon()], ["a", "hollow"]),
        LayerError,
        r"null or empty geometry: 'hollow'",
        EXIT_DATA,
    ),
    Case(
        "mixed-geometries",
        lambda p: rewrite_sites(
            p, [square(0, 0, 400), LineString([(X0, Y0), (X0 + 9, Y0)])], ["a", "line"]
        ),
        LayerError,
        r"candidates layer 'sites' mixes geometry types",
        EXIT_DATA,
    ),
    Case(
        "no-candidates",
        lambda p: rewrite_sites(p, [], []),
        LayerError,
        r"layer 'sites' has no features",
        EXIT_DATA,
    ),
    Case(
        "duplicate-ids",
        lambda p: rewrite_sites(p, [square(0, 0, 400), square(900, 0, 400)], ["a", "a"]),
        LayerError,
        r"id column 'site_id' has duplicate values 'a'",
        EXIT_DATA,
    ),
    Case(
        "missing-id-column",
        _yaml(
            "candidates: {layer: sites, id: site_id, name: name}",
            "candidates: {layer: sites, id: site, name: name}",
        ),
        LayerError,
        r"layer 'sites' has no id column 'site'; .*did you mean 'site_id'\?",
        EXIT_DATA,
    ),
    Case(
        "filter-column-missing",
        _yaml(
            "{type: distance, layer: my_ports}",
            "{type: distance, layer: my_ports, where: {knd: port}}",
        ),
        LayerError,
        r"layer 'my_ports' has no column 'knd' to filter on; .*did you mean 'kind'\?",
        EXIT_DATA,
    ),
    Case(
        "filter-matches-nothing",
        _yaml(
            "{type: distance, layer: my_ports}",
            "{type: distance, layer: my_ports, where: {kind: airport}}",
        ),
        DataNotFoundError,
        r"layer 'my_ports': no feature has kind = 'airport'",
        EXIT_DATA,
    ),
    Case(
        "force-include-unknown",
        _yaml("  - {type: min_area, min_ha: 5}", "  - {type: force_include, ids: [zz]}"),
        DataNotFoundError,
        r"force_include names 'zz'",
        EXIT_DATA,
    ),
    Case(
        "unreadable-file",
        lambda p: ((p / "data/roads.gpkg").write_bytes(b"not a geopackage"), p / "scenario.yaml")[
            1
        ],
        LayerError,
        r"cannot read '.*roads\.gpkg' as vector data",
        EXIT_DATA,
    ),
    Case(
        "attribute-not-numeric",
        lambda p: add_criterion(
            rewrite_sites(
                p, [square(0, 0, 400), square(5000, 0, 400)], ["a", "b"], grade=["high", "low"]
            ).parent,
            "- name: grade\n  measure: {type: attribute, column: grade}\n  value: {type: linear, best: 1, worst: 0}\n  weight: 1\n",
        ),
        LayerError,
        r"grade",
        EXIT_DATA,
    ),
    Case(
        "raster-missing-file",
        lambda p: add_criterion(
            p,
            "- name: dem\n  measure: {type: raster, raster: data/dem.tif, statistic: mean}\n  value: {type: linear, best: 0, worst: 100}\n  weight: 1\n",
        ),
        ScenarioError,
        r"criteria\[3\]\.measure\.raster: file 'data/dem\.tif' does not exist",
        EXIT_USAGE,
    ),
    Case(
        "raster-without-crs",
        lambda p: (
            write_raster(p / "data/dem.tif", crs=None),
            add_criterion(
                p,
                "- name: dem\n  measure: {type: raster, raster: data/dem.tif, statistic: mean}\n  value: {type: linear, best: 0, worst: 100}\n  weight: 1\n",
            ),
        )[1],
        CRSError,
        r"dem\.tif",
        EXIT_DATA,
    ),
    Case(
        "raster-no-overlap",
        lambda p: (
            write_raster(p / "data/dem.tif", x0=X0 + 500_000),
            add_criterion(
                p,
                "- name: dem\n  measure: {type: raster, raster: data/dem.tif, statistic: mean}\n  value: {type: linear, best: 0, worst: 100}\n  weight: 1\n",
            ),
        )[1],
        LayerError,
        r"dem\.tif",
        EXIT_DATA,
    ),
    Case(
        "road-graph-without-edges",
        lambda p: (
            gpd.GeoDataFrame(
                {"road_id": ["r1"], "class": ["trunk"]},
                geometry=[LineString([(X0, Y0), (X0, Y0)])],
                crs=CRS,
            ).to_file(p / "data/roads.gpkg"),
            _edits(
                (
                    "{type: distance, layer: my_roads}",
                    "{type: network, layer: my_ports, network: net}",
                ),
                ("candidates:", "networks:\n  net: {source: {file: data/roads.gpkg}}\ncandidates:"),
            )(p),
        )[1],
        NetworkError,
        r"network 'net'",
        EXIT_DATA,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_api_raises_a_clear_error(case: Case, tiny_project: Path) -> None:
    path = case.make(tiny_project)
    with pytest.raises(case.error, match=case.match):
        evaluate(load_scenario(path))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_exits_nonzero_without_traceback_or_output(
    case: Case, tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.make(tiny_project)
    out = tiny_project / "out"
    assert main(["run", str(path), "--out", str(out)]) == case.exit_code
    err = capsys.readouterr().err
    assert re.search(case.match, err), err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert not out.exists() or not any(out.iterdir())


def test_catalogue_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_unreachable_parcel_is_excluded_with_a_reason_not_scored_zero(tiny_project: Path) -> None:
    # Two separate road pieces: the parcels' piece never reaches the port's piece.
    gpd.GeoDataFrame(
        {"road_id": ["south", "west", "port"], "class": ["trunk", "trunk", "trunk"]},
        geometry=[
            LineString([(X0 - 1000, Y0 - 1000), (X0 - 500, Y0 - 1000), (X0 + 6000, Y0 - 1000)]),
            LineString([(X0 - 500, Y0 - 1000), (X0 - 500, Y0 + 6000)]),
            LineString([(X0 + 2400, Y0 + 150), (X0 + 2400, Y0 + 300)]),
        ],
        crs=CRS,
    ).to_file(tiny_project / "data/roads.gpkg")
    path = edit(
        tiny_project,
        "{type: distance, layer: my_roads}",
        "{type: network, layer: my_ports, where: {port_id: p1}, network: net}",
    )
    path = edit(
        tiny_project,
        "candidates:",
        "networks:\n  net: {source: {file: data/roads.gpkg}, access: {max_snap_m: 20000, min_component_share: 0}}\ncandidates:",
    )
    table = evaluate(path).table.set_index("site_id")
    assert table["road_distance_min"].isna().all()
    assert table["excluded"].all()
    assert all("road_distance not measurable" in r for r in table["exclusion_reason"])


def test_nan_and_infinite_attribute_values_exclude_the_candidate_with_a_reason(
    tiny_project: Path,
) -> None:
    path = rewrite_sites(
        tiny_project,
        [square(0, 0, 400), square(5000, 0, 400), square(0, 5000, 400)],
        ["a", "b", "c"],
        rank=[1.0, float("nan"), float("inf")],
    )
    add_criterion(
        tiny_project,
        "- name: rank\n  measure: {type: attribute, column: rank}\n  value: {type: linear, best: 1, worst: 10}\n  weight: 1\n",
    )
    table = evaluate(path).table.set_index("site_id")
    assert not table.loc["a", "excluded"]
    for site in ("b", "c"):
        assert table.loc[site, "excluded"]
        assert "rank not measurable" in table.loc[site, "exclusion_reason"]


def test_raster_without_nodata_is_read_and_in_another_crs_is_reprojected(
    tiny_project: Path,
) -> None:
    write_raster(tiny_project / "data/dem.tif", nodata=None)
    path = add_criterion(
        tiny_project,
        "- name: dem\n  measure: {type: raster, raster: data/dem.tif, statistic: mean}\n  value: {type: linear, best: 0, worst: 100}\n  weight: 1\n",
    )
    table = evaluate(path).table.set_index("site_id")
    assert table.loc["a", "dem_value"] == pytest.approx(11.5)


def test_point_candidates_are_accepted(tiny_project: Path) -> None:
    path = rewrite_sites(tiny_project, [Point(X0, Y0), Point(X0 + 5000, Y0)], ["a", "b"])
    edit(tiny_project, "  - {type: min_area, min_ha: 5}\n", "  []\n")
    assert len(evaluate(path).table) == 2


def test_paths_cannot_escape_the_allowed_folders(
    tiny_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.gpkg"
    gpd.read_file(tiny_project / "data/ports.gpkg").to_file(outside)
    path = edit(tiny_project, "data/ports.gpkg", str(outside))
    with pytest.raises(
        ScenarioError,
        match=r"layers\.my_ports\.path: path .* outside the folders this scenario may read",
    ):
        load_scenario(path)
    assert main(["run", str(path), "--out", str(tiny_project / "out")]) == EXIT_USAGE
    # Allowed explicitly, the same file is read.
    assert (
        main(
            [
                "run",
                str(path),
                "--out",
                str(tiny_project / "out"),
                "--allow-path",
                str(outside.parent),
            ]
        )
        == 0
    )
    evaluate(load_scenario(path, allowed_roots=[tiny_project, outside.parent]))


def test_dotdot_paths_are_resolved_before_the_check(tiny_project: Path) -> None:
    path = edit(tiny_project, "data/ports.gpkg", "data/../../../../../../etc/passwd")
    with pytest.raises(ScenarioError, match=r"resolves to '/etc/passwd', outside the folders"):
        load_scenario(path)


def test_inputs_are_never_modified(tiny_project: Path) -> None:
    import hashlib

    def digest() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((tiny_project / "data").iterdir())
        } | {
            "scenario.yaml": hashlib.sha256(
                (tiny_project / "scenario.yaml").read_bytes()
            ).hexdigest()
        }

    before = digest()
    assert (
        main(["run", str(tiny_project / "scenario.yaml"), "--out", str(tiny_project / "out")]) == 0
    )
    assert digest() == before


def test_same_inputs_give_byte_identical_tables(tiny_project: Path) -> None:
    outs = [tiny_project / "out1", tiny_project / "out2"]
    for out in outs:
        assert (
            main(
                [
                    "run",
                    str(tiny_project / "scenario.yaml"),
                    "--out",
                    str(out),
                    "--format",
                    "csv,geojson",
                    "--no-map",
                ]
            )
            == 0
        )
    for name in ("scores.csv", "score_cards.csv", "scores.geojson"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_disk_full_mid_write_exits_3_and_keeps_previous_outputs(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import geopandas as gpd_module

    from geosite.cli import EXIT_OUTPUT

    out = tiny_project / "out"
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The CSV is written first; the GeoPackage writer then finds the disk full.
    monkeypatch.setattr(gpd_module.GeoDataFrame, "to_file", full)
    capsys.readouterr()
    assert main(["run", str(tiny_project / "scenario.yaml"), "--out", str(out)]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "No space left on device" in err
    assert "the previous outputs, if any, are unchanged" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
