"""``geosite locate``: regions written as a layer, scored like parcels, bad input refused."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geosite.cli import EXIT_OK, EXIT_USAGE, main

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
