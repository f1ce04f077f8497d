"""The maps in a real browser: headless Chromium, every network request answered locally.

Maps embed Leaflet and its plugins; the CDN requests of maps that link them (``cdn=True``) are
answered from geosite's vendored copies, tiles
with a blank image; anything else is refused and fails the test. Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from geosite import evaluate
from geosite.render import result_to_map, results_to_map
from geosite.render.text import tr
from tests.browser import Browser, Page, chromium_available
from tests.reading import english_words

if TYPE_CHECKING:
    from collections.abc import Iterator

    from geosite.analysis import Result

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium_available(),
        reason="Chromium is not installed (Debian: apt-get install chromium chromium-driver)",
    ),
]

ARTIFACTS = Path(__file__).parent / "artifacts"

CANDIDATES = "geosite.layers.filter(l => l.kind === 'candidates' || l.kind === 'excluded')"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as chromium:
        yield chromium


def open_map(browser: Browser, fmap: object, path: Path) -> Page:
    fmap.save(str(path))  # type: ignore[attr-defined]
    page = browser.open(path)
    page.wait_for("window.geosite && geosite.layers.length > 0")
    # Let Leaflet draw (and tiles arrive) before looking.
    page.evaluate("new Promise(r => setTimeout(r, 300))")
    return page


def layer_control(page: Page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(e => e.textContent.trim())"
    )


def click_candidate(page: Page, index: int) -> str:
    """Click the middle of candidate ``index`` (table row) and return the popup's HTML."""
    point = page.evaluate(
        f"""(() => {{
          for (const entry of {CANDIDATES}) {{
            for (const shape of entry.layer.getLayers()) {{
              if (shape.feature.properties.i !== {index}) continue;
              const map = shape._map;
              shape.bringToFront();  // real candidates can overlap
              map.setView(shape.getBounds().getCenter(), 14, {{animate: false}});
              const p = map.latLngToContainerPoint(shape.getBounds().getCenter());
              const r = map.getContainer().getBoundingClientRect();
              return [p.x + r.left, p.y + r.top];
            }}
          }}
          return null;
        }})()"""
    )
    assert point is not None, f"candidate {index} is not on the map"
    page.evaluate("new Promise(r => setTimeout(r, 200))")
    page.click(*point)
    card = page.wait_for(
        "(document.querySelector('.leaflet-popup-content .geosite-scorecard') || {}).outerHTML",
        timeout=5,
    )
    page.evaluate("new Promise(r => setTimeout(r, 300))")  # the popup fades in
    return card


def assert_clean(page: Page) -> None:
    assert page.errors == []
    assert page.refused == []


def test_bundled_map_in_chromium(browser: Browser, tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    page = open_map(browser, result_to_map(result), tmp_path / "map.html")
    assert_clean(page)
    assert page.served == []  # Leaflet and its plugins are in the file
    assert page.tiles > 0
    # One SVG shape per candidate (small maps draw SVG).
    assert page.evaluate("document.querySelectorAll('path.geosite-candidate').length") == len(
        result.table
    )
    assert page.evaluate(f"{CANDIDATES}.reduce((n, l) => n + l.layer.getLayers().length, 0)") == (
        len(result.table)
    )
    # The layer control lists every layer drawn; the legend names each of them, and only them.
    labels = layer_control(page)
    assert sorted(labels) == sorted(page.evaluate("geosite.layers.map(l => l.name)"))
    assert tr("map.candidates") in labels
    legend = page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('.geosite-legend [data-layer]'))"
        ".map(e => e.dataset.layer)))"
    )
    assert sorted(legend) == sorted(set(page.evaluate("geosite.layers.map(l => l.key)")))
    # The first view holds every candidate, the port and the airports they were measured to.
    for column in ("port_truck_time_facility", "long_thanh_airport_time_facility"):
        facility = result.table[column].iloc[0]
        assert page.evaluate(
            f"""(() => {{
              const entry = geosite.layers.find(l => l.kind === 'facilities' &&
                l.layer.getLayers().some(m => m.feature.properties.label.startsWith({facility!r})));
              const marker = entry.layer.getLayers().find(
                m => m.feature.properties.label.startsWith({facility!r}));
              const view = marker._map.getBounds();
              return view.contains(marker.getLatLng ? marker.getLatLng() : marker.getBounds());
            }})()"""
        ), facility
    assert page.evaluate(
        f"{CANDIDATES}.every(e => e.layer.getLayers().every("
        "s => s._map.getBounds().contains(s.getBounds())))"
    )
    # Tools: scale bar, fullscreen and measure controls are on the map.
    for selector in (
        ".leaflet-control-scale",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-measure",
    ):
        assert page.evaluate(f"!!document.querySelector('{selector}')"), selector
    page.screenshot(ARTIFACTS / "bundled_map_first_view.png")
    card = click_candidate(page, 0)
    # No control covers the open popup: the legend folds when it would.
    assert page.evaluate(
        """(() => {
          const a = document.querySelector('.leaflet-popup').getBoundingClientRect();
          return Array.from(document.querySelectorAll('.geosite-legend, .leaflet-control-layers,'
            + ' .leaflet-control-attribution')).every(el => {
              const b = el.getBoundingClientRect();
              return !(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
            });
        })()"""
    )
    best = result.table.iloc[0]
    assert str(best["name"]) in card
    assert card.count("geosite-bar") == len(result.criteria)
    assert "Rank <b>1</b>" in card
    page.screenshot(ARTIFACTS / "bundled_map.png")
    assert_clean(page)


def test_map_linking_a_cdn_loads_leaflet_from_it(browser: Browser, tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    page = open_map(browser, result_to_map(result, cdn=True), tmp_path / "cdn.html")
    assert_clean(page)
    assert any("leaflet@1.9.3/dist/leaflet.js" in url for url in page.served)
    assert page.evaluate("document.querySelectorAll('path.geosite-candidate').length") == len(
        result.table
    )


def test_offline_map_makes_no_request(browser: Browser, tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    page = open_map(browser, result_to_map(result, offline=True), tmp_path / "offline.html")
    assert page.served == []
    assert page.tiles == 0
    assert_clean(page)
    assert page.evaluate("document.querySelectorAll('path.geosite-candidate').length") == len(
        result.table
    )
    assert tr("map.legend.offline") in page.evaluate(
        "document.querySelector('.geosite-legend').textContent"
    )
    # The measure tool and fullscreen work from the embedded copies.
    page.evaluate(
        "document.querySelector('.leaflet-control-measure')"
        ".dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))"
    )
    page.evaluate("document.querySelector('.js-start').click()")
    for xy in ((400, 400), (700, 450), (700, 650)):
        page.click(*xy)
    page.evaluate("document.querySelector('.js-finish').click()")
    measured = page.wait_for("(document.querySelector('.leaflet-popup-content') || {}).textContent")
    assert "Hectares" in measured
    assert "Kilometers" in measured
    page.screenshot(ARTIFACTS / "offline_measure.png")
    page.evaluate("document.querySelector('.leaflet-control-zoom-fullscreen').click()")
    page.wait_for("!!document.fullscreenElement", timeout=5)
    card = click_candidate(page, 1)
    assert str(result.table["name"].iloc[1]) in card
    assert f"Rank <b>{result.table['rank'].iloc[1]}</b>" in card
    page.screenshot(ARTIFACTS / "offline_map.png")
    assert_clean(page)


def test_names_show_as_text_and_excluded_say_why(browser: Browser, tiny_project: Path) -> None:
    path = tiny_project / "data" / "candidates.gpkg"
    gdf = gpd.read_file(path, layer="sites")
    evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    gdf.loc[gdf["site_id"] == "c", "name"] = evil
    gdf.to_file(path, layer="sites")
    result = evaluate(tiny_project / "scenario.yaml")
    page = open_map(browser, result_to_map(result, offline=True), tiny_project / "map.html")
    excluded = int(np.flatnonzero(result.table["excluded"])[0])
    card = click_candidate(page, excluded)
    assert "area 4.0 ha &lt; 5 ha" in card
    text = page.evaluate("document.querySelector('.leaflet-popup-content').textContent")
    assert evil in text
    assert page.evaluate("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert page.evaluate("window.pwned === undefined")
    fill = page.evaluate(
        "getComputedStyle(document.querySelectorAll('path.geosite-candidate')[2]).fill"
    )
    assert fill == "rgb(158, 158, 158)"  # excluded candidates are grey
    assert_clean(page)


def test_side_by_side_comparison(browser: Browser, tmp_path: Path) -> None:
    results = [evaluate("dong-nam-bo"), evaluate("port-led")]
    dual = results_to_map(results, layout="side_by_side")
    page = open_map(browser, dual, tmp_path / "compare.html")
    assert_clean(page)
    assert page.evaluate("document.querySelectorAll('.leaflet-container').length") == 2
    assert page.evaluate("document.querySelectorAll('path.geosite-candidate').length") == 2 * len(
        results[0].table
    )
    page.screenshot(ARTIFACTS / "compare.png")


def synthetic_result(tmp_path: Path, n: int) -> Result:
    """Score ``n`` 1 ha parcels on a grid against two points: a large map, quickly."""
    side = int(np.ceil(np.sqrt(n)))
    x0, y0 = 690_000.0, 1_190_000.0
    i = np.arange(n)
    xs, ys = x0 + (i % side) * 150.0, y0 + (i // side) * 150.0
    parcels = gpd.GeoDataFrame(
        {"pid": [f"p{k}" for k in i]},
        geometry=[box(x, y, x + 100, y + 100) for x, y in zip(xs, ys, strict=True)],
        crs="EPSG:32648",
    )
    parcels.to_file(tmp_path / "parcels.gpkg")
    gpd.GeoDataFrame(
        {"name": ["hub"]}, geometry=gpd.points_from_xy([x0], [y0]), crs="EPSG:32648"
    ).to_file(tmp_path / "hubs.gpkg")
    (tmp_path / "grid.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            name: grid
            crs: EPSG:32648
            layers:
              parcels: {path: parcels.gpkg, id: pid}
              hubs: {path: hubs.gpkg}
            candidates: {layer: parcels, id: pid}
            criteria:
              - name: hub_distance
                measure: {type: distance, layer: hubs}
                value: {type: linear, best: 0, worst: 20000}
                weight: 1
            """
        ),
        encoding="utf-8",
    )
    return evaluate(tmp_path / "grid.yaml")


def test_large_map_draws_on_canvas(browser: Browser, tmp_path: Path) -> None:
    result = synthetic_result(tmp_path, 3000)
    page = open_map(browser, result_to_map(result, offline=True), tmp_path / "large.html")
    assert_clean(page)
    assert page.evaluate("document.querySelectorAll('path.geosite-candidate').length") == 0
    assert page.evaluate("document.querySelectorAll('.leaflet-overlay-pane canvas').length") >= 1
    assert (
        page.evaluate(f"{CANDIDATES}.reduce((n, l) => n + l.layer.getLayers().length, 0)") == 3000
    )
    card = click_candidate(page, 0)
    assert "Rank <b>1</b>" in card
    assert_clean(page)


def test_report_opens_with_its_figures_and_map(browser: Browser, tmp_path: Path) -> None:
    from geosite.render.report import write_report

    write_report(evaluate("dong-nam-bo"), tmp_path, offline=True, cards=3)
    page = browser.open(tmp_path / "report.html")
    page.wait_for(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)", timeout=10
    )
    assert page.evaluate("document.images.length") >= 3
    assert page.evaluate("document.querySelectorAll('iframe[src=\"map.html\"]').length") == 1
    page.evaluate("document.querySelector('iframe').scrollIntoView()")
    page.evaluate("new Promise(r => setTimeout(r, 500))")
    page.screenshot(ARTIFACTS / "report.png")
    assert_clean(page)


# What a reader sees, code samples and text quoted in English from the catalogue aside.
READER_TEXT = """(() => {
  document.querySelectorAll('code, [lang="en"]').forEach(e => { e.style.display = 'none'; });
  return document.body.innerText;
})()"""


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_report_and_map_read_as_a_person_would(browser: Browser, tmp_path: Path, lang: str) -> None:
    from geosite.decision.sensitivity import sensitivity
    from geosite.render.report import write_report

    result = evaluate("dong-nam-bo")
    analysis = sensitivity(result, draws=300, seed=0)
    write_report(result, tmp_path, offline=True, cards=3, sensitivity=analysis, lang=lang)
    page = browser.open(tmp_path / "report.html")
    page.wait_for(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)", timeout=10
    )
    page.screenshot(ARTIFACTS / f"report_first_page_{lang}.png")
    text = page.evaluate(READER_TEXT)
    for site in result.table["site_id"]:
        text = text.replace(site, " ")
    if lang == "vi":
        assert re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text.replace("scores.csv", "")) == []
        assert re.findall(r"\d[.,]\d{5,}", text) == []
        assert "Truck time" not in text
    assert_clean(page)
    # The map of the report: every legend entry is a drawn layer and back, and the first
    # view holds the port and the airports the candidates were measured to.
    mapped = browser.open(tmp_path / "map.html")
    mapped.wait_for("window.geosite && geosite.layers.length > 0")
    mapped.evaluate("new Promise(r => setTimeout(r, 300))")
    legend = mapped.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('.geosite-legend [data-layer]'))"
        ".map(e => e.dataset.layer)))"
    )
    assert sorted(legend) == sorted(set(mapped.evaluate("geosite.layers.map(l => l.key)")))
    for key in ("facilities:ports", "facilities:airports"):
        assert mapped.evaluate(
            f"""(() => {{
              const entry = geosite.layers.find(l => l.key === {key!r});
              return entry.layer.getLayers().some(m => m._map.getBounds().contains(
                m.getLatLng ? m.getLatLng() : m.getBounds()));
            }})()"""
        ), key
    if lang == "vi":
        card = click_candidate(mapped, 0)
        assert english_words(MAP_READER_TEXT_STRIP.sub(" ", mapped.evaluate(MAP_READER_TEXT))) == []
        assert "Hạng" in card
    mapped.screenshot(ARTIFACTS / f"report_map_{lang}.png")
    assert_clean(mapped)


# Everything a reader of the map sees or hovers: the page's text, every title, every tooltip
# and the open popup. Only the data sources quoted in the attribution line stay English.
MAP_READER_TEXT = """(() => {
  const quoted = Array.from(document.querySelectorAll('[lang="en"]'));
  if (!quoted.every(e => e.closest('.leaflet-control-attribution'))) return 'misplaced the quote';
  quoted.forEach(e => { e.style.display = 'none'; });
  const parts = [document.body.innerText];
  document.querySelectorAll('[title]').forEach(e => parts.push(e.title));
  for (const entry of geosite.layers) {
    for (const shape of entry.layer.getLayers ? entry.layer.getLayers() : []) {
      const tip = shape.getTooltip && shape.getTooltip();
      if (tip) parts.push(typeof tip._content === 'function' ? tip._content(shape) : tip._content);
    }
  }
  return parts.join('\\n');
})()"""
MAP_READER_TEXT_STRIP = re.compile(r"<[^>]+>|&[a-z]+;")


# The rank labels a reader sees: their boxes, and every rank each one shows ("#3-5", written with an en dash, is 3, 4, 5).
LABELS = """(() => {
  const seen = Array.from(document.querySelectorAll('.leaflet-marker-pane .geosite-rank'))
    .filter(e => getComputedStyle(e).display !== 'none');
  const ranks = [];
  for (const e of seen) {
    for (const part of e.textContent.split(' ')) {
      const m = /^#(\\d+)(?:\\u2013(\\d+))?$/.exec(part);
      if (!m) continue;
      for (let k = +m[1]; k <= +(m[2] || m[1]); k++) ranks.push(k);
    }
  }
  const boxes = seen.map(e => e.getBoundingClientRect())
    .map(r => [r.left, r.top, r.right, r.bottom]);
  return {boxes, ranks: ranks.sort((a, b) => a - b)};
})()"""


def assert_labels_apart(page: Page, ranks: list[int]) -> int:
    """Check that no two visible rank labels touch and every rank shows; return the labels."""
    seen = page.evaluate(LABELS)
    boxes = seen["boxes"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
    assert seen["ranks"] == ranks
    return len(boxes)


@pytest.mark.parametrize("case", ["bundled", "grid"])
def test_rank_labels_never_overlap(browser: Browser, tmp_path: Path, case: str) -> None:
    result = evaluate("dong-nam-bo") if case == "bundled" else synthetic_result(tmp_path, 400)
    page = open_map(browser, result_to_map(result, offline=True), tmp_path / "labels.html")
    ranks = sorted(int(r) for r in result.table["rank"].iloc[:50].dropna())
    first = assert_labels_apart(page, ranks)
    page.screenshot(ARTIFACTS / f"rank_labels_{case}.png")
    if case == "bundled":
        # Only the two Long Thành sites, a few hundred metres apart, share a label.
        assert first == len(ranks) - 1
        assert "#1 #2" in page.evaluate(
            "Array.from(document.querySelectorAll('.geosite-rank')).map(e => e.textContent)"
        )
    for zoom in (-3, +6):
        page.evaluate(
            f"(() => {{ const m = geosite.layers[0].layer._map; "
            f"m.setZoom(m.getZoom() + ({zoom}), {{animate: false}}); }})()"
        )
        page.evaluate("new Promise(r => setTimeout(r, 200))")
        assert_labels_apart(page, ranks)
    page.screenshot(ARTIFACTS / f"rank_labels_{case}_zoomed.png")
    assert_clean(page)


def test_popup_says_what_each_value_was_measured_to(browser: Browser, tmp_path: Path) -> None:
    """The score card names the facility and whether to its outline or a point, per language."""
    from geosite.data import bundled

    result = evaluate("dong-nam-bo")
    airport = bundled.read_layer("airports").set_index("airport_id").loc["long-thanh", "name"]
    port = bundled.read_layer("ports").set_index("port_id").loc["cai-mep-thi-vai", "name"]
    for lang, outline, point in (("en", "outline", "point"), ("vi", "ranh giới", "điểm")):
        page = open_map(browser, result_to_map(result, lang=lang), tmp_path / f"map_{lang}.html")
        card = click_candidate(page, 0)
        assert tr("card.to", lang, target=f"{airport} ({outline})") in card
        assert tr("card.to", lang, target=f"{port} ({point})") in card
        page.screenshot(ARTIFACTS / f"popup_measured_to_{lang}.png")
        assert_clean(page)
