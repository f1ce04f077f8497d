"""A Result for notebooks: the ranking as HTML, the map, one file, score cards kept."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import geosite
from geosite.errors import ParameterError
from geosite.result import scorecard


@pytest.fixture
def result(tiny_project: Path) -> geosite.Result:
    return geosite.evaluate(tiny_project / "scenario.yaml")


def test_repr_html_shows_the_ranking(result: geosite.Result) -> None:
    html = result._repr_html_()
    assert "<b>tiny</b>: 3 candidates, 2 ranked" in html
    ids = result.table["site_id"].tolist()
    assert sorted(ids, key=lambda i: html.index(f"<td>{i}</td>")) == ids  # best first
    assert "<th>port_distance_m</th>" in html


def test_repr_html_escapes_names(tiny_project: Path) -> None:
    sites = gpd.read_file(tiny_project / "data" / "candidates.gpkg", layer="sites")
    sites.loc[0, "name"] = "<script>alert(1)</script>"
    result = geosite.evaluate(tiny_project / "scenario.yaml", layers={"sites": sites})
    assert "<script>" not in result._repr_html_()


def test_explore_returns_a_folium_map(result: geosite.Result) -> None:
    import folium

    fmap = result.explore(basemap="none")
    assert isinstance(fmap, folium.Map)
    assert "Site A" in fmap.get_root().render()


def test_to_file_writes_one_table(result: geosite.Result, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    gpkg = result.to_file(tmp_path / "scores.gpkg")
    back = gpd.read_file(gpkg, layer="scores")
    assert back["site_id"].tolist() == result.table["site_id"].tolist()
    csv = pd.read_csv(result.to_file(tmp_path / "scores.csv"))
    assert "geometry" not in csv.columns
    assert (
        gpd.read_file(result.to_file(tmp_path / "s.json", driver="GeoJSON")).crs.to_epsg() == 4326
    )
    with pytest.raises(ParameterError, match=r"\.gpkg, \.geojson or \.csv"):
        result.to_file(tmp_path / "scores.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "scores.csv", "scores.gpkg"]


def test_score_cards_are_computed_once(
    result: geosite.Result, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []
    real = scorecard.compute_score_cards

    def counting(res: geosite.Result, *, limit: int | None) -> pd.DataFrame:
        calls.append(limit)
        return real(res, limit=limit)

    monkeypatch.setattr(scorecard, "compute_score_cards", counting)
    first = geosite.score_cards(result)
    geosite.write_outputs(result, tmp_path, formats=["csv"])
    again = result.score_cards()
    assert calls == [1000]
    pd.testing.assert_frame_equal(first, again)
    first.loc[:, "raw"] = 0  # a copy: the kept cards are not changed through it
    assert not (result.score_cards()["raw"] == 0).all()
