"""Files planners pass around: Excel workbook, styled GeoPackage, Cloud-Optimized GeoTIFF."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely import box

from geosite import evaluate, load_scenario, write_outputs
from geosite.cli import EXIT_OK, main

X0, Y0 = 690_000.0, 1_190_000.0


@pytest.fixture
def hostile_names(tiny_project: Path) -> Path:
    """The tiny project with candidate names a spreadsheet would run as formulas."""
    path = tiny_project / "data" / "candidates.gpkg"
    sites = gpd.read_file(path, layer="sites")
    sites["name"] = ["=1+2", "@SUM(A1:A9)", "-Site C"]
    sites.to_file(path, layer="sites")
    return tiny_project


def test_xlsx_round_trips_through_pandas_and_matches_the_csv(hostile_names: Path) -> None:
    out = hostile_names / "out"
    assert (
        main(
            [
                "run",
                str(hostile_names / "scenario.yaml"),
                "--out",
                str(out),
                "--format",
                "csv,xlsx",
                "--no-map",
            ]
        )
        == EXIT_OK
    )
    sheets = pd.read_excel(out / "scores.xlsx", sheet_name=None)
    assert list(sheets) == ["ranking", "score cards", "weights", "sources"]
    csv = pd.read_csv(out / "scores.csv")
    ranking = sheets["ranking"]
    assert list(ranking.columns) == list(csv.columns)
    # names come back as written, not as formulas nor quoted as in the CSV
    assert set(ranking["name"]) == {"=1+2", "@SUM(A1:A9)", "-Site C"}
    numeric = csv.select_dtypes("number").columns
    np.testing.assert_allclose(
        ranking[numeric].to_numpy(float), csv[numeric].to_numpy(float), rtol=1e-9
    )
    cards = pd.read_csv(out / "score_cards.csv")
    assert sheets["score cards"].shape == cards.shape
    # weights 3, 1, 1 as written; 0.6, 0.2, 0.2 as used
    weights = sheets["weights"].set_index("criterion")
    assert weights["weight_written"].tolist() == [3, 1, 1]
    np.testing.assert_allclose(weights["weight"], [0.6, 0.2, 0.2])
    assert weights.loc["port_distance", "unit"] == "m"
    sources = sheets["sources"]
    assert sources["file"].tolist() == ["candidates.gpkg", "ports.gpkg", "roads.gpkg"]
    assert sources["sha256"].str.len().eq(64).all()


def test_xlsx_reads_well_for_a_person_and_is_byte_identical_across_runs(
    hostile_names: Path,
) -> None:
    from openpyxl import load_workbook

    result = evaluate(load_scenario(hostile_names / "scenario.yaml"))
    paths = [hostile_names / f"o{i}" for i in range(2)]
    for path in paths:
        write_outputs(result, path, formats=["xlsx"])
    assert (paths[0] / "scores.xlsx").read_bytes() == (paths[1] / "scores.xlsx").read_bytes()
    # every entry carries the fixed time, not that of the temporary file a sheet went through
    with zipfile.ZipFile(paths[0] / "scores.xlsx") as archive:
        stamps = {info.filename: info.date_time for info in archive.infolist()}
    assert any(name.startswith("xl/worksheets/") for name in stamps)
    assert set(stamps.values()) == {(2000, 1, 1, 0, 0, 0)}, stamps
    book = load_workbook(paths[0] / "scores.xlsx")
    sheet = book["ranking"]
    assert sheet.freeze_panes == "B2"
    assert all(cell.font.bold for cell in sheet[1])
    header = [c.value for c in sheet[1]]
    names = [sheet.cell(row, header.index("name") + 1) for row in range(2, 5)]
    assert all(cell.data_type == "s" for cell in names)  # text, never a formula
    column = header.index("port_distance_score") + 1
    assert sheet.cell(2, column).number_format == "0.000"
    assert sheet.cell(2, header.index("port_distance_m") + 1).number_format == "#,##0"
    assert sheet.column_dimensions["A"].width >= len("site_id")
    assert book.properties.modified.year == 2000


QGIS_COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


def test_gpkg_carries_a_qgis_style_with_the_web_maps_classes(tiny_project: Path) -> None:
    from geosite.render.map import PALETTE, classify_scores

    out = tiny_project / "out"
    result = evaluate(load_scenario(tiny_project / "scenario.yaml"))
    write_outputs(result, out, formats=["gpkg"])
    with sqlite3.connect(out / "scores.gpkg") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
        geometry = db.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'scores'"
        ).fetchone()[0]
    db.close()
    assert columns == QGIS_COLUMNS
    [(table, column, qml, default)] = rows
    assert (table, column, default) == ("scores", geometry, 1)
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "graduatedSymbol"
    assert renderer.get("attr") == "total_score"
    uppers = [float(r.get("upper", "nan")) for r in renderer.iter("range")]
    bins, _ = classify_scores([0.5])  # the web map's default classes
    assert uppers == pytest.approx(bins)
    colours = [
        option.get("value")
        for symbol in renderer.find("symbols") or []
        for option in symbol.iter("Option")
        if option.get("name") == "color"
    ]
    expected = [",".join(str(int(c[i : i + 2], 16)) for i in (1, 3, 5)) + ",255" for c in PALETTE]
    assert colours == expected
    label = root.find("labeling/settings/text-style")
    assert label is not None
    assert '"rank"' in label.get("fieldName", "")
    # GDAL lists the style table and reads it like QGIS does
    assert "layer_styles" in pyogrio.list_layers(out / "scores.gpkg")[:, 0]
    styles = pyogrio.read_dataframe(out / "scores.gpkg", layer="layer_styles")
    assert styles["styleName"].tolist() == ["geosite ranking"]


def test_gpkg_and_csv_are_byte_identical_across_identical_runs(tiny_project: Path) -> None:
    outs = [tiny_project / f"run{i}" for i in range(2)]
    for out in outs:
        assert (
            main(
                [
                    "run",
                    str(tiny_project / "scenario.yaml"),
                    "--out",
                    str(out),
                    "--format",
                    "csv,gpkg",
                    "--no-map",
                ]
            )
            == EXIT_OK
        )
    for name in ("scores.csv", "score_cards.csv", "scores.gpkg"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


@pytest.fixture
def grid_project(tiny_project: Path) -> Path:
    gpd.GeoDataFrame(
        {"area_id": ["study"]},
        geometry=[box(X0 - 1000, Y0 - 1000, X0 + 3000, Y0 + 2000)],
        crs="EPSG:32648",
    ).to_file(tiny_project / "data" / "area.gpkg")
    text = (tiny_project / "scenario.yaml").read_text()
    text = text.replace(
        "candidates: {layer: sites, id: site_id, name: name}",
        "candidates: {grid: {cell_size_m: 250, shape: square, area: study_area}}",
    ).replace(
        "layers:\n",
        "layers:\n  study_area: {path: data/area.gpkg, id: area_id}\n",
    )
    (tiny_project / "grid.yaml").write_text(text)
    return tiny_project


def test_grid_runs_add_a_valid_cloud_optimized_geotiff(grid_project: Path) -> None:
    import rasterio
    from rio_cogeo.cogeo import cog_validate

    out = grid_project / "out"
    result = evaluate(load_scenario(grid_project / "grid.yaml"))
    written = write_outputs(result, out, formats=["csv"])
    assert out / "suitability.tif" in written
    valid, errors, _ = cog_validate(str(out / "suitability.tif"), strict=True)
    assert valid, errors
    table = result.table
    with rasterio.open(out / "suitability.tif") as cog:
        assert cog.descriptions[0] == "total_score"
        assert cog.descriptions[1:] == tuple(f"{c.name}_score" for c in result.criteria)
        assert cog.res == (250.0, 250.0)
        assert cog.crs.to_epsg() == 32648
        bands = cog.read()
        # 16 x 12 square cells of 250 m: one pixel each
        assert np.isfinite(bands[1]).sum() == len(table) == 16 * 12
        centres = [(p.x, p.y) for p in table.geometry.centroid]
        sampled = np.array(list(cog.sample(centres)))
    expected = np.where(table["excluded"], np.nan, table["total_score"])
    np.testing.assert_allclose(sampled[:, 0], expected, rtol=1e-6)
    for j, criterion in enumerate(result.criteria, start=1):
        np.testing.assert_allclose(sampled[:, j], table[f"{criterion.name}_score"], rtol=1e-6)


def test_a_later_run_without_the_grid_removes_the_stale_surface(grid_project: Path) -> None:
    out = grid_project / "out"
    write_outputs(evaluate(load_scenario(grid_project / "grid.yaml")), out, formats=["csv"])
    write_outputs(evaluate(load_scenario(grid_project / "scenario.yaml")), out, formats=["csv"])
    assert not (out / "suitability.tif").exists()


def test_report_html_is_byte_identical_with_source_date_epoch(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geosite.render.report import write_report

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")  # 2025-12-05 00:00 UTC
    result = evaluate(load_scenario(tiny_project / "scenario.yaml"))
    outs = [tiny_project / f"report{i}" for i in range(2)]
    for out in outs:
        write_report(result, out)
    first = (outs[0] / "report.html").read_text(encoding="utf-8")
    assert "2025-12-05 00:00 UTC" in first
    assert (outs[1] / "report.html").read_text(encoding="utf-8") == first
    assert (outs[0] / "scores.csv").read_bytes() == (outs[1] / "scores.csv").read_bytes()
    for png in (outs[0] / "figures").iterdir():
        assert png.read_bytes() == (outs[1] / "figures" / png.name).read_bytes(), png.name
