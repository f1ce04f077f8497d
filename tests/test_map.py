"""The folium maps: what they draw, that data text cannot inject HTML, and the offline mode."""

from __future__ import annotations

import json
import math
import re
import textwrap
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import mapclassify
import numpy as np
import pytest
import shapely
from shapely import Polygon
from shapely.geometry import shape

from geosite import evaluate, result_to_map
from geosite.errors import ParameterError
from geosite.render import make_offline, results_to_map
from geosite.render.assets import VENDOR_DIR, vendored_assets
from geosite.render.map import classify_scores, display_geojson
from geosite.render.text import CATALOGUES, VENDOR_WORDS, format_number, format_value, tr

DATA = re.compile(r"^\s*var (geosite_data_\w+) = (\{.*\});$", re.MULTILINE)
LOADS = re.compile(r"<script[^>]+src=\"https?://|<link[^>]+href=\"https?://")
LAYER = re.compile(
    r"geosite\.candidateLayer\((geosite_data_\w+), (\{.*?\}), (\{[^{}]*\})\);$", re.MULTILINE
)


def payloads(html: str) -> list[dict]:
    return [json.loads(m.group(2)) for m in DATA.finditer(html)]


def candidate_layers(html: str) -> list[tuple[dict, dict]]:
    return [(json.loads(m.group(2)), json.loads(m.group(3))) for m in LAYER.finditer(html)]


def test_map_carries_one_shape_and_score_card_per_candidate(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    html = result_to_map(result).get_root().render()
    (data,) = payloads(html)
    rows = data["rows"]
    assert rows["name"] == ["Site B", "Site A", "Site C"]  # best first
    assert rows["rank"] == [1, 2, None]
    assert rows["reason"][2] == "area 4.0 ha < 5 ha"
    assert rows["cls"][2] == -1
    assert [c["title"] for c in data["criteria"]] == [s.title for s in result.criteria]
    # One feature per candidate: ranked ones on the candidates layer, excluded on their own.
    layers = candidate_layers(html)
    assert [opts["kind"] for _, opts in layers] == ["candidates", "excluded"]
    indices = sorted(f["properties"]["i"] for fc, _ in layers for f in fc["features"])
    assert indices == [0, 1, 2]
    # Raw values are formatted with their units; scores and contributions are numbers.
    a = rows["raw"][1]
    assert a == ["2.0 km", "9.6 km", "1"]
    assert rows["score"][1][0] == pytest.approx(0.8)  # 1 - 2000 / 10000
    assert "geosite.rankLabels" in html
    assert "Total suitability score" in html
    assert "My ports: Port One, Port Two" in html  # the layer measured to, named in the legend


def test_styles_come_from_a_property_not_one_case_per_feature(tiny_project: Path) -> None:
    html = result_to_map(evaluate(tiny_project / "scenario.yaml")).get_root().render()
    assert "switch(feature" not in html.replace(" ", "")
    assert "style_function" not in html


def test_names_from_data_are_escaped(tiny_project: Path) -> None:
    path = tiny_project / "data" / "candidates.gpkg"
    gdf = gpd.read_file(path, layer="sites")
    gdf.loc[gdf["site_id"] == "b", "name"] = "<script>alert(1)</script>"
    gdf.to_file(path, layer="sites")
    html = result_to_map(evaluate(tiny_project / "scenario.yaml")).get_root().render()
    assert "<script>alert(1)" not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert payloads(html)[0]["rows"]["name"][0] == "<script>alert(1)</script>"


def test_map_options_are_checked(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    with pytest.raises(ParameterError, match="classes"):
        result_to_map(result, classes=9)
    with pytest.raises(ParameterError, match="basemap"):
        result_to_map(result, basemap="google")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="simplify_m"):
        result_to_map(result, simplify_m=-1)
    with pytest.raises(ParameterError, match="lang"):
        result_to_map(result, lang="fr")
    with pytest.raises(ParameterError, match="side_by_side"):
        results_to_map([result], layout="side_by_side")
    with pytest.raises(ParameterError, match="at least one"):
        results_to_map([])


def test_bundled_map_draws_facilities_routes_and_attributions() -> None:
    result = evaluate("dong-nam-bo")
    html = result_to_map(result).get_root().render()
    assert len(payloads(html)[0]["rows"]["name"]) == len(result.table)
    assert "Cảng hàng không quốc tế Tân Sơn Nhất" in html
    # One layer per source layer measured to, one per network criterion's routes, the roads.
    sources = {s.criterion.measure.layer for s in result.criteria} - {"roads"}
    routes = [s for s in result.criteria if s.criterion.measure.type == "network"]
    assert html.count("geosite.featureLayer(") == len(sources) + len(routes) + 1
    assert "Routes: Truck time to the Cái Mép–Thị Vải port" in html
    assert '"by":"class"' in html  # roads coloured by class
    assert "addAttribution" in html
    for use in result.layers:
        # as written by folium: with or without \\u escapes of non-ASCII signs such as ©
        assert (
            json.dumps(use.attribution, ensure_ascii=False) in html
            or json.dumps(use.attribution) in html
        )


def test_constraint_zones_are_drawn(tiny_project: Path) -> None:
    scenario = tiny_project / "scenario.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8")
        + "  - {type: outside, layer: my_roads, buffer_m: 1000, name: away from the road}\n",
        encoding="utf-8",
    )
    html = result_to_map(evaluate(scenario)).get_root().render()
    assert "Constraint: away from the road" in html
    match = re.search(
        r"geosite\.featureLayer\((\{.*?\}), (\{[^{}]*\"kind\":\"zone\"[^{}]*\})\)", html
    )
    assert match is not None
    zone = shape(json.loads(match.group(1))["features"][0]["geometry"])
    # The 100 km road grown by 1 km: a 2 km band with round ends, drawn in WGS 84.
    area = gpd.GeoSeries([zone], crs=4326).to_crs("EPSG:32648").area.iloc[0]
    assert area == pytest.approx(2000 * 100_000 + math.pi * 1000**2, rel=0.005)


def test_offline_map_loads_nothing_from_the_network(tiny_project: Path) -> None:
    html = result_to_map(evaluate(tiny_project / "scenario.yaml"), offline=True).get_root().render()
    assert not LOADS.findall(html)
    assert "leaflet 1.9.3, BSD-2-Clause" in html
    assert "leaflet-measure 2.1.7, MIT" in html
    assert "L.tileLayer" not in html
    assert tr("map.legend.offline") in html
    linked = result_to_map(evaluate(tiny_project / "scenario.yaml"), cdn=True)
    online = linked.get_root().render()
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in online
    assert "bootstrap" not in online  # folium defaults geosite maps do not use


def test_default_map_embeds_its_libraries_and_keeps_its_tiles(tiny_project: Path) -> None:
    """A map e-mailed to someone opens: Leaflet is in the file; tiles come when online."""
    result = evaluate(tiny_project / "scenario.yaml")
    html = result_to_map(result).get_root().render()
    assert not LOADS.findall(html)
    assert "leaflet 1.9.3, BSD-2-Clause" in html
    assert "L.tileLayer" in html
    assert tr("map.legend.tiles") in html
    assert tr("map.legend.offline") not in html
    assert tr("map.legend.tiles") not in result_to_map(result, basemap="none").get_root().render()
    with pytest.raises(ParameterError, match="choose one"):
        result_to_map(result, offline=True, cdn=True)


def test_offline_refuses_assets_it_cannot_embed(tiny_project: Path) -> None:
    fmap = result_to_map(evaluate(tiny_project / "scenario.yaml"), cdn=True)
    folium.plugins.MarkerCluster().add_to(fmap)
    with pytest.raises(ParameterError, match="markercluster"):
        make_offline(fmap)
    # Nothing was changed: the map still loads everything from its CDNs.
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3" in fmap.get_root().render()


def test_vendored_assets_are_complete_and_licensed() -> None:
    assets = vendored_assets()
    licences = (VENDOR_DIR / "LICENSES.txt").read_text(encoding="utf-8")
    for asset in assets:
        assert asset.path.is_file()
        assert asset.npm_integrity.startswith("sha512-")
        assert f"{asset.package} {asset.version} ({asset.licence})" in licences
    folium_urls = {url for _, url in folium.Map.default_js + folium.Map.default_css}
    leaflet = [a for a in assets if a.package == "leaflet"]
    assert {u for a in leaflet for u in a.urls} <= folium_urls
    # Stylesheets must not point at files that are not embedded.
    for asset in assets:
        if asset.kind == "css":
            refs = re.findall(r"url\(([^)]*)\)", asset.path.read_text(encoding="utf-8"))
            assert all(r.startswith(("data:", "#")) for r in refs), asset.file


def test_comparison_map_switches_scenarios(tiny_project: Path) -> None:
    base = evaluate(tiny_project / "scenario.yaml")
    variant_path = tiny_project / "variant.yaml"
    variant_path.write_text(
        textwrap.dedent(
            """\
            version: 1
            extends: scenario.yaml
            name: road-led
            criteria:
              - {name: road_distance, weight: 10}
            """
        ),
        encoding="utf-8",
    )
    variant = evaluate(variant_path)
    html = results_to_map([base, variant]).get_root().render()
    data = payloads(html)
    assert [d["scenario"] for d in data] == ["tiny", "road-led"]
    assert "1. tiny: Candidates (total score)" in html
    assert "2. road-led: Candidates (total score)" in html
    dual = results_to_map([base, variant], layout="side_by_side", offline=True)
    assert isinstance(dual, folium.plugins.DualMap)
    html = dual.get_root().render()
    assert len(payloads(html)) == 2
    assert "leaflet.sync 0.2.4" in html
    assert not LOADS.findall(html)


def test_classes_match_mapclassify() -> None:
    rng = np.random.default_rng(7)
    scores = rng.beta(2, 5, 500)
    bins, cls = classify_scores(scores, scheme="quantiles", classes=4)
    expected = mapclassify.Quantiles(scores, k=4)
    assert bins[:-1] == pytest.approx(list(expected.bins[:-1]))
    assert (cls == expected.yb).all()
    bins, cls = classify_scores([0.0, 0.2, 0.2000001, 1.0, np.nan], classes=5)
    assert bins == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert cls.tolist() == [0, 0, 1, 4, -1]


def test_display_geometries_are_simplified_and_rounded() -> None:
    # A square with 400 nearly collinear extra vertices along one side.
    x = np.linspace(0, 1000, 401)
    side = [(690_000 + xi, 1_190_000 + 0.01 * (i % 2)) for i, xi in enumerate(x)]
    ring = [*side, (691_000, 1_191_000), (690_000, 1_191_000)]
    series = gpd.GeoSeries([Polygon(ring)], crs="EPSG:32648")
    full = json.loads(display_geojson(series, simplify_m=0)[0])
    simple = json.loads(display_geojson(series, simplify_m=1.0)[0])
    assert len(full["coordinates"][0]) > 300
    assert len(simple["coordinates"][0]) == 5
    assert all(len(str(v).split(".")[-1]) <= 5 for xy in simple["coordinates"][0] for v in xy)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (999.4, "m", "999 m"),
        (1500.0, "m", "1.5 km"),
        (12.34, "min", "12.3 min"),
        (0.256, "share", "25.6%"),
        (float("nan"), "m", "\u2013"),
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_numbers_follow_the_language() -> None:
    assert format_number(1234567.25, 2, "en") == "1,234,567.25"
    assert format_number(1234567.25, 2, "vi") == "1.234.567,25"
    assert format_value(12345.6, "m", "vi") == "12,3 km"


def test_every_language_has_every_message_with_the_same_fields() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    english = CATALOGUES["en"]
    for lang, table in CATALOGUES.items():
        assert set(table) == set(english), lang
        for key, text in table.items():
            assert fields(text) == fields(english[key]), (lang, key)


def test_vietnamese_map(tiny_project: Path) -> None:
    html = result_to_map(evaluate(tiny_project / "scenario.yaml"), lang="vi").get_root().render()
    data = payloads(html)[0]
    assert data["text"]["rank"] == "Hạng"
    assert data["decimal"] == ","
    assert data["rows"]["raw"][1] == ["2,0 km", "9,6 km", "1"]
    assert json.dumps("Điểm thích hợp tổng hợp")[1:-1] in html  # legend, as a JS string


def test_size_budget_draws_the_best_candidates(tiny_project: Path) -> None:
    result = evaluate(tiny_project / "scenario.yaml")
    html = result_to_map(result, max_shapes=1).get_root().render()
    (data,) = payloads(html)
    assert data["rows"]["name"] == ["Site B"]
    assert [len(fc["features"]) for fc, _ in candidate_layers(html)] == [1]
    assert "Showing the best 1 of 3 candidates." in html
    with pytest.raises(ParameterError, match="max_shapes"):
        result_to_map(result, max_shapes=0)


def test_scenario_text_is_escaped_in_the_layer_control(tiny_project: Path) -> None:
    scenario = tiny_project / "scenario.yaml"
    text = scenario.read_text(encoding="utf-8").replace(
        "  - name: port_distance\n",
        "  - name: port_distance\n    label: '<img src=x onerror=alert(1)>'\n",
    )
    scenario.write_text(text, encoding="utf-8")
    html = result_to_map(evaluate(scenario)).get_root().render()
    assert "<img src=x" not in html
    # The label travels as JSON data (escaped for the script) and is escaped again for HTML
    # by the runtime before it reaches a tooltip or a score card.
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_score_cards_in_popups_show_the_margin_to_the_next_rank(tiny_project: Path) -> None:
    # a (rank 2) must come 233 m closer to the port to reach b: 1766.7 m instead of 2000 m.
    html = result_to_map(evaluate(tiny_project / "scenario.yaml")).get_root().render()
    assert '"margin"' in html
    assert "\\u2212233 m" in html or "\u2212233 m" in html
    assert "to move up a rank" in html


def test_popup_numbers_are_rounded_once() -> None:
    # 0.840462 must show as 0.840, not 0.841 from rounding to 4 digits first.
    result = evaluate("dong-nam-bo")
    html = result_to_map(result).get_root().render()
    total = float(result.table["total_score"].iloc[0])
    assert f"{round(total, 6)}" in html


def test_road_classes_are_named_in_the_map_language() -> None:
    import json

    result = evaluate("dong-nam-bo")
    # The legend travels inside the page's script as JSON, so non-ASCII text is escaped.
    vietnamese = json.dumps("quốc lộ, đường trục")[1:-1]
    assert vietnamese in result_to_map(result, lang="vi").get_root().render()
    assert "national highway, trunk road" in result_to_map(result, lang="en").get_root().render()


LEGEND_ROW = re.compile(r"data-layer='([^']+)'")
SPEC_KEY = re.compile(r'geosite\.featureLayer\(.*?, (\{"colour":.*\})\);$', re.MULTILINE)


def legend_and_layers(html: str) -> tuple[set[str], set[str]]:
    """Return the layer keys the legend names and the keys of the layers drawn."""
    legend = {html_unescape(k) for k in LEGEND_ROW.findall(html.replace("\\u0027", "'"))}
    drawn = {json.loads(m.group(1))["key"] for m in SPEC_KEY.finditer(html)}
    drawn |= {opts["kind"] for _, opts in candidate_layers(html)}
    if "geosite.rankLabels(" in html:
        drawn.add("labels")
    return legend, drawn


def html_unescape(text: str) -> str:
    import html as html_module

    return html_module.unescape(text)


@pytest.mark.parametrize("name", ["dong-nam-bo", "talent-led"])
def test_every_legend_entry_is_a_drawn_layer_and_back(name: str) -> None:
    result = evaluate(name)
    html = result_to_map(result).get_root().render()
    legend, drawn = legend_and_layers(html)
    assert legend == drawn
    # Facilities by source layer, routes, roads and the candidates all have an entry.
    assert {
        "facilities:ports",
        "facilities:airports",
        "routes:port_truck_time",
        "candidates",
    } <= legend
    assert any(k.startswith("roads:") for k in legend)


def test_legend_names_constraint_zones_and_excluded_candidates(tiny_project: Path) -> None:
    scenario = tiny_project / "scenario.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8")
        + "  - {type: outside, layer: my_roads, buffer_m: 1000, name: away from the road}\n",
        encoding="utf-8",
    )
    html = result_to_map(evaluate(scenario)).get_root().render()
    legend, drawn = legend_and_layers(html)
    assert legend == drawn
    assert {"excluded", "zone:1", "facilities:my_ports", "roads:my_roads"} <= legend


def test_first_view_frames_the_port_and_airports_measured_to() -> None:
    from geosite.data.bundled import read_layer
    from geosite.render.context import context_layers, frame_bounds

    result = evaluate("dong-nam-bo")
    minx, miny, maxx, maxy = frame_bounds([result], context_layers([result], "en"))
    ports = read_layer("ports")
    airports = read_layer("airports")
    port = ports.loc[ports["port_id"] == "cai-mep-thi-vai"].geometry.iloc[0]
    view = shapely.box(minx, miny, maxx, maxy)
    measured_to = airports.loc[
        airports["name"].isin(
            result.table["long_thanh_airport_time_facility"].tolist()
            + result.table["tan_son_nhat_airport_distance_nearest"].tolist()
        )
    ]
    assert len(measured_to) == 2
    # Airports are outlines: the whole outline, not only a point of it, is in view.
    for geometry in [port, *measured_to.geometry]:
        assert view.covers(geometry)
    # Every candidate too.
    cands = result.table.to_crs(4326).total_bounds
    assert minx <= cands[0]
    assert cands[2] <= maxx
    assert miny <= cands[1]
    assert cands[3] <= maxy


def test_identical_runs_write_identical_maps(tiny_project: Path) -> None:
    from geosite.cli import main

    scenario = str(tiny_project / "scenario.yaml")
    assert main(["run", scenario, "--out", str(tiny_project / "a")]) == 0
    assert main(["run", scenario, "--out", str(tiny_project / "b")]) == 0
    first = (tiny_project / "a" / "map.html").read_bytes()
    assert first == (tiny_project / "b" / "map.html").read_bytes()
    # The ids are derived, not random: no two elements share one.
    names = re.findall(r"var (\w+_[0-9a-f]{32}) =", first.decode())
    assert len(names) == len(set(names)) > 5


def test_comparison_maps_are_identical_between_runs() -> None:
    results = [evaluate("dong-nam-bo"), evaluate("port-led")]
    for layout in ("layers", "side_by_side"):
        one = results_to_map(results, layout=layout).get_root().render()
        two = results_to_map(results, layout=layout).get_root().render()
        assert one == two, layout


def test_every_word_the_map_libraries_write_is_translated() -> None:
    """Each English text of Leaflet's controls and of the measure tool has a translation."""
    vendor = Path(__file__).parent.parent / "geosite" / "render" / "vendor"
    measure = (vendor / "leaflet-measure.min.js").read_text(encoding="utf-8")
    # The measure tool's English table: {measure:"Measure",...,decPoint:".",...}
    block = re.search(r'\{measure:"Measure",(.*?)\}', measure).group(1)
    english = {
        v for k, v in re.findall(r'(\w+):"([^"]*)"', block) if k not in {"decPoint", "thousandsSep"}
    }
    leaflet = (vendor / "leaflet.js").read_text(encoding="utf-8")
    english |= {"Zoom in", "Zoom out", "Layers", "A JavaScript library for interactive maps"}
    assert all(text in leaflet or text in measure for text in english)
    for lang, words in VENDOR_WORDS.items():
        if lang != "en":
            assert english <= set(words), sorted(english - set(words))
            assert all(words[w] and words[w] != w for w in english), lang


@pytest.mark.parametrize("case", ["bundled", "grid"])
def test_print_map_rank_labels_never_overlap(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from geosite.render import static
    from tests.test_browser import synthetic_result

    result = evaluate("dong-nam-bo") if case == "bundled" else synthetic_result(tmp_path, 300)
    drawn = []
    monkeypatch.setattr(static, "_save", lambda fig, path: drawn.append(fig) or path)
    static.static_map(result, tmp_path / "map.png", max_labels=30)
    fig = drawn[0]
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "geosite-rank"]
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (labels[i].get_text(), a, b)
    shown = []
    for text in (t.get_text() for t in labels):
        for part in text.split():
            first, _, last = part.removeprefix("#").partition("\u2013")
            shown += range(int(first), int(last or first) + 1)
    assert sorted(shown) == sorted(int(r) for r in result.table["rank"].iloc[:30].dropna())
    if case == "bundled":
        # Only the two Long Thành sites, a few hundred metres apart, share a label.
        assert sorted(t.get_text() for t in labels) == ["#1 #2", "#3", "#4", "#5", "#6"]


def _kinds_drawn(features: gpd.GeoDataFrame) -> set[str]:
    """The kinds of geometry in a layer, from geopandas' own geometry type names."""
    names = set(features.explode(index_parts=False).geom_type)
    kinds = {"Polygon": "polygon", "LineString": "line", "LinearRing": "line", "Point": "point"}
    return {kinds[n] for n in names}


LEGEND_SYMBOLS = re.compile(r"<div class='row[^']*' data-layer='([^']+)'>((?:<i [^>]*></i>)*)")
SYMBOL_KIND = {"area": "polygon", "zone": "polygon", "line": "line", "dot": "point"}


@pytest.mark.parametrize("name", ["dong-nam-bo", "talent-led"])
def test_legend_symbols_match_the_geometry_drawn(name: str) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from geosite.render.context import context_layers
    from geosite.render.map import _context_rows
    from geosite.render.static import legend_entries

    result = evaluate(name)
    layers = context_layers([result], "en")
    expected = {layer.key: _kinds_drawn(layer.features) for layer in layers}
    # The bundled airports are outlines and the industrial parks both outlines and points:
    # a legend of dots for all would be wrong for both.
    assert expected["facilities:airports"] == {"polygon"}
    assert expected["facilities:industrial_parks"] == {"polygon", "point"}

    def static_kind(symbol: object) -> str:
        if isinstance(symbol, Patch):
            return "polygon"
        assert isinstance(symbol, Line2D)
        return "point" if symbol.get_linestyle() == "None" else "line"

    for layer in layers:
        for symbol, _ in legend_entries(layer, "en"):
            parts = symbol if isinstance(symbol, tuple) else (symbol,)
            assert {static_kind(p) for p in parts} == expected[layer.key], layer.key
            assert len(parts) == len(expected[layer.key]), layer.key

    # The web map's legend rows, made from the same layers.
    rows = LEGEND_SYMBOLS.findall("".join(_context_rows(layers, "en")))
    seen = set()
    for key, symbols in rows:
        if key not in expected or not symbols:
            continue
        classes = re.findall(r"<i class='(\w+)", symbols)
        assert {SYMBOL_KIND[c] for c in classes} == expected[key], (key, symbols)
        assert len(classes) == len(expected[key]) or key.startswith("roads:"), (key, symbols)
        seen.add(key)
    assert seen == set(expected)
