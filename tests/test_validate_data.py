"""``geosite validate`` opens the data too; hostile files give exit 1 and a named error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point

from geosite.cli import EXIT_DATA, EXIT_OK, main

from .conftest import CRS, write_without_crs


def _replace(project: Path, old: str, new: str) -> Path:
    scenario = project / "scenario.yaml"
    scenario.write_text(scenario.read_text().replace(old, new), encoding="utf-8")
    return scenario


def test_validate_opens_the_data(tiny_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tiny_project / "scenario.yaml"
    assert main(["validate", str(scenario)]) == EXIT_OK
    assert "data ok" in capsys.readouterr().out
    (tiny_project / "data" / "ports.gpkg").write_bytes(b"")
    assert main(["validate", str(scenario)]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "1 data problem" in err
    assert "layer 'my_ports': file" in err
    assert "is empty (0 bytes)" in err
    # --no-data checks the YAML alone
    assert main(["validate", "--no-data", str(scenario)]) == EXIT_OK


def test_validate_reports_every_data_problem(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tiny_project / "data"
    sites = gpd.read_file(data / "candidates.gpkg", layer="sites")
    sites.loc[1, "site_id"] = "a"
    sites.to_file(data / "candidates.gpkg", layer="sites")
    (data / "roads.gpkg").unlink()
    (data / "roads.gpkg").mkdir()
    scenario = tiny_project / "scenario.yaml"
    assert main(["validate", str(scenario)]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "2 data problems" in err
    assert "id column 'site_id' has duplicate values 'a'" in err
    assert "is a folder, not a file" in err


def test_validate_refuses_lon_lat_declared_as_utm(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lonlat = gpd.GeoDataFrame({"port_id": ["p1"]}, geometry=[Point(106.8, 10.9)], crs=None)
    write_without_crs(lonlat, tiny_project / "data" / "lonlat.shp")
    scenario = _replace(
        tiny_project,
        "my_ports: {path: data/ports.gpkg, id: port_id}",
        "my_ports: {path: data/lonlat.shp, id: port_id, crs: 'EPSG:32648'}",
    )
    assert main(["validate", str(scenario)]) == EXIT_DATA
    assert "look like longitude/latitude" in capsys.readouterr().err
    assert main(["run", str(scenario), "--out", str(tiny_project / "out")]) == EXIT_DATA
    assert not (tiny_project / "out").exists()


def test_broken_raster_is_found_by_validate(
    tiny_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np
    import rasterio
    from affine import Affine

    path = tiny_project / "data" / "dem.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=512, width=512, count=1, dtype="float32",
        crs=CRS, transform=Affine(50.0, 0.0, 680_000.0, 0.0, -50.0, 1_200_000.0),
    ) as dst:  # fmt: skip
        dst.write(np.random.default_rng(0).random((512, 512), dtype=np.float32), 1)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 4])  # rows of the parcels gone
    scenario = tiny_project / "scenario.yaml"
    text = scenario.read_text()
    text = text.replace(
        "constraints:",
        "  - name: height\n"
        "    measure: {type: raster, raster: data/dem.tif}\n"
        "    value: {type: linear, best: 0, worst: 1}\n"
        "    weight: 1\n"
        "constraints:",
    )
    scenario.write_text(text, encoding="utf-8")
    assert main(["validate", str(scenario)]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "raster" in err
    assert "dem.tif" in err
    # run meets it while measuring: the same named error, exit 1, nothing written
    out = tiny_project / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == EXIT_DATA
    assert "dem.tif' cannot be read" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_run_on_a_named_pipe_exits_1_without_hanging(tiny_project: Path) -> None:
    fifo = tiny_project / "data" / "pipe.gpkg"
    os.mkfifo(fifo)
    scenario = _replace(tiny_project, "data/ports.gpkg", "data/pipe.gpkg")
    for command in (["validate", str(scenario)], ["run", str(scenario), "--out", "out"]):
        proc = subprocess.run(
            [sys.executable, "-m", "geosite", *command],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tiny_project,
            check=False,
        )
        assert proc.returncode == EXIT_DATA, proc.stderr
        assert "is a named pipe (FIFO), not a data file" in proc.stderr
        assert "Traceback" not in proc.stderr
