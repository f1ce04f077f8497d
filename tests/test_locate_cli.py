"""``geosite locate``: regions written as a layer, scored like parcels, bad input refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geosite.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main
from geosite.data.publish import STAGE_MARK

SCENARIO = """\
version: 1
extends: dong-nam-bo
name: Bà Rịa–Vũng Tàu in 400 ha cells
candidates:
  grid: {cell_ha: 400, shape: hex,
         area: {layer: provinces_pre2025, where: {province_id: ba-ria-vung-tau}}}
locate:
  area_ha: 1200
  count: 2
  compactness: 0.6
  min_distance_m: 3000
  beside: {layer: candidate_sites, id: site_id, name: name,
           where: {site_id: [phu-my-650ha, long-thanh-50ha]}}
  zones: {top_share: 0.1, levels: [province_old, province_new]}
"""


@pytest.fixture(scope="module")
def located(tmp_path_factory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("locate")
    (root / "brvt.yaml").write_text(SCENARIO, encoding="utf-8")
    code = main(
        [
            "locate",
            str(root / "brvt.yaml"),
            "--out",
            str(root / "out"),
            "--count",
            "3",
        ]
    )
    return root / "out", code


def test_locate_writes_regions_best_first_and_scores_them(located):
    out, code = located
    assert code == EXIT_OK
    assert "regions" in pyogrio.list_layers(out / "regions.gpkg")[:, 0]
    regions = gpd.read_file(out / "regions.gpkg", layer="regions")
    assert regions["region_id"].tolist() == ["region-1", "region-2", "region-3"]  # --count wins
    assert list(regions["mean_score"]) == sorted(regions["mean_score"], reverse=True)
    assert (regions["cells"] == 3).all()  # 1200 ha of 400 ha cells
    assert (regions["compactness"] >= 0.6).all()
    assert regions.geometry.geom_type.eq("Polygon").all()
    # Apart by at least 3 km, edge to edge.
    geoms = regions.geometry.to_list()
    assert min(a.distance(b) for i, a in enumerate(geoms) for b in geoms[i + 1 :]) >= 3000 - 1e-6
    scored = pd.read_csv(out / "regions" / "scores.csv")
    assert set(scored["site_id"]) == {
        "region-1",
        "region-2",
        "region-3",
        "phu-my-650ha",
        "long-thanh-50ha",
    }
    assert (out / "regions" / "map.html").is_file()
    assert (out / "regions" / "score_cards.csv").is_file()
    zones = pd.read_csv(out / "zones.csv")
    brvt = zones[(zones["level"] == "province_old") & zones["unit"].str.contains("Vũng Tàu")]
    assert len(brvt) == 1
    surface = pd.read_csv(out / "scores.csv")
    # The top decile of the scored cells, counted independently from the surface table.
    ranked = surface["total_score"].dropna().sort_values(ascending=False)
    k = -(-len(ranked) // 10)
    assert zones[zones["level"] == "province_old"]["suitable_cells"].sum() == int(
        (ranked >= ranked.iloc[k - 1]).sum()
    )


def test_the_written_regions_scenario_scores_them_again(located, monkeypatch):
    out, _ = located
    monkeypatch.chdir(out.parent)  # the folder of the scenario it extends may be read
    assert main(["run", "out/regions.yaml", "--out", "out/again", "--no-map"]) == EXIT_OK
    again = pd.read_csv(out / "again" / "scores.csv")
    first = pd.read_csv(out / "regions" / "scores.csv")
    assert sorted(again["total_score"].round(9)) == sorted(first["total_score"].round(9))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["locate", "dong-nam-bo", "--area-ha", "50"], "scores a layer of parcels"),
        (["locate", "dong-nai-grid"], "nothing says what to locate"),
        (["locate", "dong-nai-grid", "--area-ha", "50", "--compactness", "2"], "compactness"),
        (["locate", "dong-nai-grid", "--area-ha", "700-600"], "range"),
    ],
)
def test_bad_locate_input_is_refused_without_traceback(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) if "700-600" in argv else _nothing():
        code = main([*argv, "--out", str(tmp_path / "o")])
        assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


class _nothing:  # noqa: N801 - a null context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# Published as one set, like every command's outputs (geosite.data.publish).

QUICK = SCENARIO.replace("  zones: {top_share: 0.1, levels: [province_old, province_new]}\n", "")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _strays(folder: Path) -> list[str]:
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    inside = [p.name for p in folder.rglob("*") if STAGE_MARK in p.name or "geosite-lock" in p.name]
    return beside + inside


@pytest.fixture
def previous(located, tmp_path: Path) -> Path:
    """A folder holding a whole earlier ``locate`` set (zones and scored regions) and notes."""
    out = tmp_path / "out"
    shutil.copytree(located[0], out, ignore=shutil.ignore_patterns("again"))
    (out / "notes.txt").write_text("a planner's notes", encoding="utf-8")
    (tmp_path / "brvt.yaml").write_text(QUICK, encoding="utf-8")
    return out


def test_a_new_locate_set_replaces_the_old_one_whole_and_keeps_other_files(previous):
    before = _snapshot(previous)
    inode = previous.stat().st_ino
    code = main(
        ["locate", str(previous.parent / "brvt.yaml"), "--out", str(previous), "--no-score"]
    )
    assert code == EXIT_OK
    after = _snapshot(previous)
    # No zones and no scoring this time: the earlier run's zones and regions/ are gone, not
    # left to be mistaken for this run's.
    assert not (previous / "zones.csv").exists()
    assert not (previous / "zones.gpkg").exists()
    assert not (previous / "regions").exists()
    assert {"regions.gpkg", "regions.yaml", "scores.csv", "scores.gpkg"} <= set(after)
    assert after["notes.txt"] == before["notes.txt"]
    assert after["scores.csv"] == before["scores.csv"]  # the same surface
    assert previous.stat().st_ino != inode  # swapped in one step
    assert _strays(previous) == []


@pytest.mark.parametrize("interrupt", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_or_ctrl_c_while_writing_leaves_the_previous_set(
    previous, monkeypatch, capsys, interrupt
):
    from geosite.locate import pipeline

    before = _snapshot(previous)

    def fail_late(*args, **kwargs):  # after the surface and the regions are staged
        raise interrupt

    monkeypatch.setattr(pipeline, "_regions_yaml", fail_late)
    code = main(["locate", str(previous.parent / "brvt.yaml"), "--out", str(previous)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if isinstance(interrupt, KeyboardInterrupt):
        assert code == EXIT_INTERRUPTED
        assert "previous outputs are unchanged" in err
    else:
        assert code == EXIT_OUTPUT
        assert "No space left on device" in err
    assert _snapshot(previous) == before
    assert _strays(previous) == []


def test_locate_into_a_folder_another_command_writes_to_exits_3_at_once(
    previous, capsys, monkeypatch
):
    import geosite.analysis

    def never(*args, **kwargs):
        raise AssertionError("the surface was scored before the lock was taken")

    monkeypatch.setattr(geosite.analysis, "evaluate", never)  # refused before any work
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import time\n"
                "from geosite.data.publish import output_lock\n"
                f"with output_lock({str(previous)!r}):\n"
                "    print('held', flush=True); time.sleep(60)\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        before = _snapshot(previous)
        code = main(["locate", str(previous.parent / "brvt.yaml"), "--out", str(previous)])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.communicate()
    assert code == EXIT_OUTPUT
    assert f"process {holder.pid}" in err
    assert str(previous) in err
    assert _snapshot(previous) == before


def test_locate_speaks_the_planners_language(tmp_path: Path, capsys) -> None:
    """With --lang vi the region lines, the regions' names and the ranking title are Vietnamese."""
    import yaml

    from tests.reading import english_words

    (tmp_path / "brvt.yaml").write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["locate", str(tmp_path / "brvt.yaml"), "--out", str(out), "--lang", "vi"])
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    prose = "\n".join(line for line in printed.splitlines() if not line.startswith("đã ghi "))
    assert english_words(prose) == []
    assert "region-1: 1.200 ha gồm 3 ô, điểm trung bình 0," in prose
    assert "– các vùng tìm được: " in prose
    names = gpd.read_file(out / "regions.gpkg", layer="regions")["name"].tolist()
    assert names == ["Vùng tìm được 1 (1.200 ha)", "Vùng tìm được 2 (1.200 ha)"]
    title = yaml.safe_load((out / "regions.yaml").read_text(encoding="utf-8"))["name"]
    assert title == {
        "en": "Bà Rịa–Vũng Tàu in 400 ha cells – located regions",
        "vi": "Bà Rịa–Vũng Tàu in 400 ha cells – các vùng tìm được",
    }
