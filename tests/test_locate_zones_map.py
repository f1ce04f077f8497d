"""The suitable land per unit on ``geosite locate``'s maps: one layer per level, in words and
numbers of the map's language, with the figures of ``zones.csv``; and contradicting flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from geosite.cli import EXIT_OK, EXIT_USAGE, main
from geosite.data.admin import add_admin_columns
from geosite.errors import ParameterError
from geosite.render.context import context_layers, zone_layers
from tests.browser import Browser, chromium_available
from tests.reading import english_words, map_texts
from tests.test_locate_cli import SCENARIO

LEVELS = ("district_old", "province_new")
ARTIFACTS = Path(__file__).parent / "artifacts"
VI = SCENARIO.replace(
    "  zones: {top_share: 0.1, levels: [province_old, province_new]}\n",
    f"  zones: {{top_share: 0.1, levels: [{', '.join(LEVELS)}]}}\nlanguage: vi\n",
)


@pytest.fixture(scope="module")
def located(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zones")
    (root / "brvt.yaml").write_text(VI, encoding="utf-8")
    code = main(["locate", str(root / "brvt.yaml"), "--out", str(root / "out"), "--surface-map"])
    assert code == EXIT_OK
    return root / "out"


def _unit_layers(page: str) -> list[dict]:
    """Return the spec and features of every unit layer drawn by the page's own script."""
    found = []
    for line in page.splitlines():
        for m in re.finditer(
            r"geosite\.featureLayer\((\{\"type\":\"FeatureCollection\".*?)\);", line
        ):
            text = m.group(1)
            depth, end = 0, 0
            for i, ch in enumerate(text):  # the collection, then the spec
                depth += ch == "{"
                depth -= ch == "}"
                if depth == 0:
                    end = i + 1
                    break
            features = json.loads(text[:end])
            spec = json.loads(text[end:].lstrip(", "))
            if spec["kind"] == "units":
                found.append({"spec": spec, "features": features["features"]})
    return found


def _vi(value: float, digits: int) -> str:
    """Write a number the Vietnamese way (1.234,5), independently of geosite; none as a dash."""
    if not np.isfinite(value):
        return "\u2013"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _expected(out: Path) -> dict[str, pd.DataFrame]:
    """Suitable land per unit, from the scored cells: the best tenth, grouped by unit."""
    cells = gpd.read_file(out / "scores.gpkg", layer="scores")
    score = cells["total_score"].to_numpy(float)
    ranked = np.sort(score[np.isfinite(score)])[::-1]
    cut = ranked[int(np.ceil(0.1 * len(ranked))) - 1]
    cells = add_admin_columns(cells[["total_score", "geometry"]])
    cells["ha"] = cells.geometry.area / 1e4
    cells["suitable_ha"] = np.where(np.isfinite(score) & (score >= cut), cells["ha"], 0.0)
    out_tables = {}
    for level in LEVELS:
        grouped = cells.groupby(cells[level].fillna("(outside every unit)"))
        table = pd.DataFrame(
            {
                "area_ha": grouped["ha"].sum(),
                "suitable_ha": grouped["suitable_ha"].sum(),
                "mean": grouped["total_score"].mean(),
                "best": grouped["total_score"].max(),
            }
        )
        table["share"] = table["suitable_ha"] / table["area_ha"]
        out_tables[level] = table
    return out_tables


def test_every_map_draws_one_unit_layer_per_level_with_the_figures_of_zones_csv(located):
    expected = _expected(located)
    zones = pd.read_csv(located / "zones.csv")
    for page in (located / "regions" / "map.html", located / "map.html"):
        layers = _unit_layers(page.read_text(encoding="utf-8"))
        assert [layer["spec"]["key"] for layer in layers] == [f"units:{lv}" for lv in LEVELS]
        for layer, level in zip(layers, LEVELS, strict=True):
            table = expected[level]
            assert len(table) > (1 if level == "district_old" else 0)
            popups = {
                f["properties"]["popup"][0]: dict(f["properties"]["popup"][1])
                for f in layer["features"]
            }
            assert sorted(popups) == sorted(table.index)
            assert sorted(popups) == sorted(zones.loc[zones["level"] == level, "unit"])
            for unit, row in table.iterrows():
                shown = popups[unit]
                assert shown["Đất thích hợp"] == f"{_vi(row['suitable_ha'], 0)} ha"
                assert (
                    shown["Tỷ lệ trên diện tích của đơn vị trong lưới"]
                    == f"{_vi(100 * row['share'], 1)} %"
                )
                assert shown["Diện tích của đơn vị trong lưới"] == f"{_vi(row['area_ha'], 0)} ha"
                assert shown["Điểm trung bình"] == _vi(row["mean"], 3)
                assert shown["Điểm cao nhất"] == _vi(row["best"], 3)
    # Hectares add up to the grid's in every level (no cell lost or counted twice).
    assert np.isclose(
        expected["district_old"]["area_ha"].sum(), expected["province_new"]["area_ha"].sum()
    )


def test_the_darkest_fill_is_the_unit_with_the_largest_share(located):
    expected = _expected(located)["district_old"]
    layer = _unit_layers((located / "regions" / "map.html").read_text(encoding="utf-8"))[0]
    fills = {f["properties"]["popup"][0]: f["properties"]["fill"] for f in layer["features"]}
    assert fills[expected["share"].idxmax()] == "#a63603"
    assert fills[expected["share"].idxmin()] == "#feedde"


def test_a_vietnamese_map_says_its_zones_in_vietnamese(located):
    for page in (located / "regions" / "map.html", located / "map.html"):
        source = page.read_text(encoding="utf-8")
        # What the unit layers show: names, tooltips, popups, and their part of the legend.
        shown = []
        for layer in _unit_layers(source):
            shown.append(layer["spec"]["name"])
            for feature in layer["features"]:
                title, rows = feature["properties"]["popup"]
                shown += [feature["properties"]["label"], title, *(": ".join(r) for r in rows)]
        legend = next(t for t in map_texts(source).splitlines() if "data-layer='units:" in t)
        start = legend.index("Đất thích hợp theo đơn vị hành chính")
        shown.append(re.sub(r"<[^>]+>", " ", legend[start : legend.index("class='head'", start)]))
        text = "\n".join(shown)
        assert "Đất thích hợp theo huyện, trước tháng 7/2025" in text
        assert "Thích hợp: 10 % số ô có điểm cao nhất." in text
        assert "Đất thích hợp theo tỉnh, sau tháng 7/2025" in text
        assert english_words(text) == []
        # Decimal commas; a point only groups thousands (19.200 ha), never ends a number.
        assert not re.search(r"\d\.(\d{1,2}|\d{4,})(?!\d)", text)
        assert re.search(r"\d,\d %", text)


def _square_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "level": ["province_old", "province_old", "ward_new"],
            "unit": ["A", "B", "(outside every unit)"],
            "area_ha": [800.0, 1200.5, 400.0],
            "suitable_ha": [400.0, 0.0, 100.0],
            "suitable_share": [0.5, 0.0, 0.25],
            "mean_score": [0.6, np.nan, 0.4],
            "best_score": [0.9, np.nan, 0.5],
        },
        geometry=[
            box(690000, 1190000, 691000, 1191000),
            box(691000, 1190000, 692000, 1191000),
            box(692000, 1190000, 693000, 1191000),
        ],
        crs=32648,
    )


def test_zone_layers_from_a_script_table_in_english():
    province, ward = zone_layers(_square_zones(), "en", value="suitable_ha", classes=4)
    assert (province.name, ward.name) == (
        "Suitable land per province, before July 2025",
        "Suitable land per ward, after July 2025",
    )
    assert (province.show, ward.show) == (True, False)
    assert province.popups[1] == (
        "B",
        (
            ("Suitable land", "0 ha"),
            ("Share of the unit's land on the grid", "0.0 %"),
            ("Unit's land on the grid", "1,200 ha"),
            ("Mean score", "\u2013"),
            ("Best score", "\u2013"),
        ),
    )
    # Four equal steps up to the largest value: 0-100, ..., 300-400 ha.
    assert [text for _, text in province.steps] == [
        "300 \u2013 400 ha",
        "200 \u2013 300 ha",
        "100 \u2013 200 ha",
        "0 \u2013 100 ha",
    ]
    assert province.fills == (province.steps[0][0], province.steps[-1][0])
    assert ward.popups[0][0] == "Outside every unit"


def test_overlays_join_the_one_list_of_drawn_layers_and_their_legend():
    from geosite import evaluate
    from geosite.render.map import _legend_html, _options
    from geosite.render.static import legend_entries

    result = evaluate("dong-nam-bo")
    overlays = zone_layers(_square_zones(), "en")
    layers = context_layers([result], "en", overlays=overlays)
    assert layers[: len(overlays)] == overlays
    options = _options(
        [result],
        scheme="equal_interval",
        classes=5,
        simplify_m=1.0,
        max_labels=5,
        lang="en",
        renderer="auto",
        max_shapes=100,
        basemap="none",
    )
    legend = _legend_html([result], options, offline=True, tiles=False, context=layers)
    keys = set(re.findall(r"data-layer='([^']+)'", legend))
    assert keys == {"candidates", "excluded", "labels"} & keys | {layer.key for layer in layers}
    for layer in overlays:
        assert len(legend_entries(layer)) == len(layer.steps)
    with pytest.raises(ParameterError, match="used twice"):
        context_layers([result], "en", overlays=[*overlays, overlays[0]])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda z: z.drop(columns="best_score"), "no column"),
        (lambda z: pd.DataFrame(z.drop(columns="geometry")), "no geometry"),
        (lambda z: z.assign(level="county"), "unknown level"),
    ],
)
def test_zone_layers_refuse_a_table_they_cannot_draw(change, message):
    with pytest.raises(ParameterError, match=message):
        zone_layers(change(_square_zones()))


def test_no_score_with_a_language_and_no_map_is_a_usage_error_before_any_work(
    tmp_path, capsys, monkeypatch
):
    import geosite.analysis

    def never(*args, **kwargs):
        raise AssertionError("the surface was scored before the flags were checked")

    monkeypatch.setattr(geosite.analysis, "evaluate", never)
    with pytest.raises(SystemExit) as exit_info:
        main(
            ["locate", "dong-nai-grid", "--out", str(tmp_path / "o"), "--no-score", "--lang", "vi"]
        )
    assert exit_info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--no-score" in err
    assert "--lang" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_no_score_with_a_surface_map_agrees():
    from geosite.cli import _parser

    args = _parser().parse_args(
        ["locate", "dong-nai-grid", "--out", "o", "--no-score", "--surface-map", "--lang", "vi"]
    )
    assert (args.no_score, args.surface_map, args.lang) == (True, True, "vi")


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")
def test_the_unit_layers_in_chromium(located):
    with Browser() as browser:
        page = browser.open(located / "regions" / "map.html")
        page.wait_for("window.geosite && geosite.layers.length > 0")
        page.evaluate("new Promise(r => setTimeout(r, 300))")
        assert page.errors == []
        # Every legend entry is a drawn layer and back, the unit layers among them.
        legend = page.evaluate(
            "Array.from(new Set(Array.from(document.querySelectorAll("
            "'.geosite-legend [data-layer]')).map(e => e.dataset.layer)))"
        )
        drawn = page.evaluate("geosite.layers.map(l => l.key)")
        assert sorted(legend) == sorted(set(drawn))
        assert {f"units:{lv}" for lv in LEVELS} <= set(drawn)
        # The first level is shown, the others wait in the layer control.
        shown = page.evaluate(
            "geosite.layers.filter(l => l.kind === 'units').map(l => l.layer._map ? 1 : 0)"
        )
        assert shown == [1, 0]
        control = page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
            ".map(e => e.textContent.trim())"
        )
        assert "Đất thích hợp theo tỉnh, sau tháng 7/2025" in control
        # Clicking a unit away from the candidates opens its figures.
        point = page.evaluate(
            """(() => {
              const units = geosite.layers.find(l => l.kind === 'units').layer;
              const shape = units.getLayers().reduce((a, b) =>
                a.getBounds().getNorthEast().lat > b.getBounds().getNorthEast().lat ? a : b);
              const map = shape._map;
              map.setView(shape.getBounds().getCenter(), 11, {animate: false});
              const p = map.latLngToContainerPoint(shape.getBounds().getCenter());
              const r = map.getContainer().getBoundingClientRect();
              return [p.x + r.left, p.y + r.top, shape.feature.properties.popup[0]];
            })()"""
        )
        page.evaluate("new Promise(r => setTimeout(r, 300))")
        page.click(point[0], point[1])
        popup = page.wait_for(
            "(document.querySelector('.leaflet-popup-content') || {}).textContent", timeout=5
        )
        assert point[2] in popup
        assert "Đất thích hợp" in popup
        page.evaluate("new Promise(r => setTimeout(r, 300))")
        page.screenshot(ARTIFACTS / "locate_zones_map.png")
        assert page.errors == []
