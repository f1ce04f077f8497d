"""Every piece of text maps and reports show, behind one function: :func:`tr`.

Messages are looked up by key in a per-language catalogue and filled with ``str.format``
fields; numbers and quantities are formatted by :mod:`geosite.i18n`, the project's
convention (``1,234.5`` in English, ``1.234,5`` in Vietnamese). Adding a language is adding
a table to :data:`CATALOGUES` (and the language to :mod:`geosite.i18n`), not touching the
renderers. Text from data (names, reasons) never goes through here: it is escaped where it is
written.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from geosite import i18n
from geosite.i18n import Language, check_language

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "CATALOGUES",
    "VENDOR_WORDS",
    "Language",
    "bounded",
    "format_alike",
    "format_number",
    "format_value",
    "formula_text",
    "tr",
]

_EN: dict[str, str] = {
    # map
    "map.candidates": "Candidates (total score)",
    "map.excluded": "Excluded candidates",
    "map.labels": "Rank labels",
    "map.measured": "Criterion {title}: {what}",
    "map.what.routes": "network paths",
    "map.what.features": "features measured to",
    "map.what.zone": "zone",
    "map.constraint": "Constraint: {rule}",
    "map.units.province_old": "Suitable land per province, before July 2025",
    "map.units.district_old": "Suitable land per district, before July 2025",
    "map.units.ward_old": "Suitable land per ward, before July 2025",
    "map.units.province_new": "Suitable land per province, after July 2025",
    "map.units.ward_new": "Suitable land per ward, after July 2025",
    "map.units.outside": "Outside every unit",
    "map.legend.units": "Suitable land per administrative unit",
    "map.units.rule.top": "Suitable: the best {share} of the scored cells.",
    "map.units.rule.threshold": "Suitable: cells scoring at least {score}.",
    "map.units.suitable": "Suitable land",
    "map.units.share": "Share of the unit's land on the grid",
    "map.units.area": "Unit's land on the grid",
    "map.units.mean": "Mean score",
    "map.units.best": "Best score",
    "map.fullscreen": "Full screen",
    "map.fullscreen.exit": "Exit full screen",
    "map.legend.title": "Total suitability score",
    "map.legend.subtitle": "{scheme}, 0 = worst, 1 = best",
    "map.legend.excluded": "excluded",
    "map.legend.roads": "Road class",
    "road.motorway": "expressway",
    "road.trunk": "national highway, trunk road",
    "road.primary": "primary road",
    "road.secondary": "secondary road",
    "road.tertiary": "tertiary road",
    "map.legend.offline": "Offline file: no background map tiles.",
    "map.legend.truncated": "Showing the best {shown} of {n} candidates.",
    "map.legend.scenario": "Scenario: {name}",
    "scheme.equal_interval": "equal intervals",
    "scheme.quantiles": "quantiles",
    "scheme.natural_breaks": "natural breaks",
    "basemap.light": "Light (CARTO)",
    "basemap.osm": "OpenStreetMap",
    "basemap.satellite": "Satellite (Esri)",
    "map.routes": "Routes: {title}",
    "map.legend": "Legend",
    "map.legend.candidates": "Candidates",
    "map.legend.context": "Measured to",
    "map.legend.labels": "rank of the candidate",
    "map.sources": "Data",
    "map.sources.show": "Show the data sources",
    "map.sources.quoted": "Sources:",
    "road.other": "other road",
    # parameters of value functions moved by the sensitivity analysis
    "param.best": "value scoring 1",
    "param.worst": "value scoring 0",
    "param.midpoint": "midpoint",
    "param.mean": "mean",
    "param.std": "standard deviation",
    "param.rise": "rising edge",
    "param.fall": "falling edge",
    "param.target": "ideal value",
    "param.zero_beyond": "distance from the ideal scoring 0",
    "param.full_within": "distance from the ideal scoring 1",
    "param.penalty_above": "penalty threshold, above",
    "param.penalty_below": "penalty threshold, below",
    "param.points": "breakpoint",
    # the measure of a criterion, in words (report appendix)
    "measure.distance": (
        "Straight-line distance from the parcel's edge to the nearest of {target}{to}"
    ),
    "measure.network.nearest": "{metric} {mode} on the road network to the nearest of {target}{to}",
    "measure.network.kth_nearest": (
        "{metric} {mode} on the road network to the k-th nearest of {target} (k = {k}){to}"
    ),
    "measure.network.mean_k_nearest": (
        "{metric} {mode} on the road network, averaged over the {k} nearest of {target}{to}"
    ),
    "measure.network.count_within": (
        "Number of {target} reachable {mode} on the road network within {within}"
    ),
    "measure.network.detour_ratio": (
        "Detour ratio {mode} (road distance over straight line) to the nearest of {target}{to}"
    ),
    "measure.network.from": ", travelling from the facility to the parcel",
    "measure.metric.time": "Travel time",
    "measure.metric.distance": "Road distance",
    "measure.mode.car": "by car",
    "measure.mode.truck": "by truck",
    "measure.count_within": "Number of {target} within {radius} of the parcel's edge",
    "measure.overlay.share": "Share of the parcel{buffer} covered by {target}{grown}",
    "measure.overlay.area_ha": "Area in hectares of the parcel{buffer} covered by {target}{grown}",
    "measure.overlay.buffer": " and the land within {distance} of it",
    "measure.overlay.grown": ", grown by {distance}",
    "measure.raster": "{statistic} of the raster {raster} under the parcel",
    "measure.raster.mean": "Mean",
    "measure.raster.min": "Minimum",
    "measure.raster.max": "Maximum",
    "measure.raster.majority": "Most frequent value",
    "measure.raster.share_in_classes": "Share of pixels in classes {classes}",
    "measure.raster.share_above": "Share of pixels above {threshold}",
    "measure.raster.share_below": "Share of pixels below {threshold}",
    "measure.attribute.own": "Value of the candidate's column {column}",
    "measure.attribute.zone": (
        "Value of column {column} of {target}, in the zone that covers most of the parcel"
    ),
    "measure.to.outline": ", measured to its outline (0 inside it)",
    "measure.to.point": ", measured to its point",
    "measure.to.line": ", measured to the line",
    "measure.to.mixed": ", measured to {kinds}, as each feature is drawn",
    "measure.kind.outline": "an outline (0 inside it)",
    "measure.kind.point": "a point",
    "measure.kind.line": "a line",
    "measure.or": "or",
    "measure.target.named": "{layer} ({names})",
    "measure.target.count": "{layer} ({n} features)",
    "measure.target.where": "{layer} whose {conditions}",
    "measure.where.is": "{column} is {values}",
    "measure.where.and": "and",
    "measure.where.true": "yes",
    "measure.where.false": "no",
    "measure.where.id": "id",
    "measure.where.name": "name",
    "report.criteria.spec": "Exact specification",
    **{key: texts["en"] for key, texts in i18n.CATALOGUE.items() if key.startswith("layer.")},
    # score card (map popups and report)
    "card.rank": "Rank",
    "card.total": "total score",
    "card.excluded": "Excluded",
    "card.id": "id",
    "card.criterion": "criterion",
    "card.raw": "value",
    "card.score": "score",
    "card.weight": "weight",
    "card.contribution": "contribution",
    "card.margin": "to move up a rank",
    "card.route": "{candidate} to {facility}",
    "card.to": "to {target}",
    "card.bound.upper": "≤ {value}",
    "card.bound.lower": "≥ {value}",
    "card.bound.note": (
        "≤ an upper bound, ≥ a lower bound: the layer measured covers only part of the region "
        "(LAYERS.md states its coverage), and a nearer feature, or more features, may lie "
        "beyond it."
    ),
    # what-if panel of the map ({placeholders} without values are filled in the browser)
    "whatif.title": "What if? Weights",
    "whatif.open": "Move the weights and watch the ranking change",
    "whatif.close": "Fold the panel",
    "whatif.method": "Aggregation: {method}",
    "whatif.note": (
        "Every candidate is re-scored in this page as you move a weight; weights at one "
        "level always add up to 100 %. Constraints and exclusions stay as computed."
    ),
    "whatif.scenario_mark": "scenario: {value} %",
    "whatif.reset": "Reset to the scenario",
    "whatif.copy": "Copy as YAML",
    "whatif.copied": "Copied. Save it as {file} and run it with geosite run.",
    "whatif.copy_failed": "Select the text below and copy it.",
    "whatif.unsupported": (
        "The {method} method cannot be recomputed in the browser: the weights cannot be "
        "moved here, and the scores shown are the scenario's. Change them in the scenario "
        "file and run it again."
    ),
    "whatif.no_file": "This scenario was not read from a file, so there is nothing to extend.",
    "whatif.modified": (
        "What-if weights: scores, ranks, colours and the score cards' contributions are "
        "recomputed; margins to the next rank are the scenario's and are not shown."
    ),
    "whatif.beyond": "{n} candidates not drawn on the map are re-scored and ranked too.",
    "whatif.rank": "rank",
    "whatif.move": "move",
    "whatif.name": "name",
    "whatif.score": "score",
    "whatif.new": "new",
    "whatif.group": "group",
    "whatif.yaml_head": "What-if weights for the scenario {name}, copied from its map.",
    "whatif.yaml_save": "Save this as {file} in the folder of {base}, then run:",
    "whatif.yaml_save_anywhere": "Save this as {file}, then run:",
    "whatif.yaml_name": "{name} (what-if)",
    "aggregation.wlc": "weighted linear combination (WLC)",
    "aggregation.weighted_product": "weighted product",
    "aggregation.owa": "ordered weighted averaging (OWA)",
    "aggregation.fuzzy_and": "fuzzy AND (minimum)",
    "aggregation.fuzzy_or": "fuzzy OR (maximum)",
    "aggregation.fuzzy_gamma": "fuzzy gamma",
    "aggregation.topsis": "TOPSIS (closeness to the ideal)",
    "aggregation.vikor": "VIKOR (compromise ranking)",
    "aggregation.promethee_ii": "PROMETHEE II (net outranking flow)",
    "aggregation.electre_iii": "ELECTRE III (outranking with thresholds)",
    # report
    "report.title": "Site-suitability report: {name}",
    "report.generated": "Generated by geosite {version} on {date}.",
    "report.summary": "Summary",
    "report.question": "The question",
    "report.question.default": (
        "Which of the {n} candidate sites suits the scenario “{name}” best, on the criteria "
        "and weights below?"
    ),
    "report.summary.ranking": "The ranking",
    "report.summary.margin": (
        "{winner} ranks first with a total score of {score}, {margin} ahead of {second} "
        "(scores run from 0 to 1)."
    ),
    "report.summary.alone": "{winner} is the only candidate ranked, with a total score of {score}.",
    "report.summary.none": "No candidate is ranked: every one is excluded by a constraint.",
    "report.robust": "How robust it is",
    "report.robust.draws": (
        "Over {draws} random weightings around the scenario's weights (seed {seed}), {winner} "
        "ranks first in {p} of them."
    ),
    "report.robust.change": (
        "The winner changes only if at least {moved} of the total weight is moved, for "
        "example {how}; {rival} would then rank first."
    ),
    "report.robust.never": "No weight change along the directions tested changes the winner.",
    "report.robust.verdict.stable": (
        "Changing any one criterion's weight by {step} does not change the winner: the "
        "result is robust to small changes of the weights."
    ),
    "report.robust.verdict.fragile": (
        "Changing one criterion's weight by {step} or less changes the winner: the result "
        "depends on the weights and should be discussed with them."
    ),
    "report.robust.none": (
        "Not tested: this report was made without the sensitivity analysis "
        "(run `geosite report` without --no-sensitivity)."
    ),
    "report.how.pair": "moving weight from “{source}” to “{target}”",
    "report.how.up": "raising the weight of “{target}”",
    "report.how.down": "lowering the weight of “{target}”",
    "report.data": "What the data can and cannot support",
    "report.data.can": (
        "Comparing the candidate sites at regional scale: the positions of the features "
        "measured to are good to about {accuracy}."
    ),
    "report.data.cannot": (
        "Separating sites whose distances differ by less than about {accuracy}, or siting a "
        "boundary or an access road: {n} of the {m} layers used are approximate ({names})."
    ),
    "report.data.exact": "All {m} layers used come from files whose accuracy is not catalogued.",
    "report.details": "The detail follows: ranking, maps, score cards, sensitivity, methodology.",
    "report.sens.candidates": "Rank of each candidate over the random weightings",
    "report.sens.candidates.reading": (
        "{winner} ranks first in {p} of the weightings; a narrow range means a rank that "
        "the weights hardly move."
    ),
    "report.sens.col.range": "rank, 5\u201395 % of draws",
    "report.sens.col.minmax": "best \u2013 worst rank",
    "report.sens.col.p_first": "share ranked first",
    "report.sens.col.p_top": "share in the top {k}",
    "report.sens.changes": "The smallest weight changes that change the winner",
    "report.sens.changes.reading": (
        "The closest change moves {moved} of the total weight; changes below that keep {winner} "
        "first."
    ),
    "report.sens.col.how": "change of weights",
    "report.sens.col.moved": "weight moved",
    "report.sens.col.new": "new winner",
    "report.sens.oat": "One weight at a time, {step} up and down",
    "report.sens.oat.reading": (
        "{changed} of the {n} runs change the winner; the ranking moves by at most {shift} "
        "place(s)."
    ),
    "report.sens.col.criterion": "criterion",
    "report.sens.col.change": "change",
    "report.sens.col.winner_changed": "winner changes",
    "report.sens.col.tau": "rank agreement (Kendall τ)",
    "report.sens.col.shift": "largest rank shift",
    "report.sens.thresholds": "Value-function thresholds moved by {step}",
    "report.sens.thresholds.reading": "{changed} of the {n} threshold runs change the winner.",
    "report.sens.col.parameter": "threshold",
    "report.sens.col.values": "from \u2013 to",
    "report.sens.figure": (
        "Rank of each candidate over the weightings: thin line best to worst, thick line "
        "5\u201395 % of the draws, dot the scenario's rank."
    ),
    "report.sens.axis": "rank",
    "report.sens.settings": (
        "{draws} Dirichlet weight draws around the scenario's weights (spread {spread}), "
        "seed {seed}: the same seed gives the same figures."
    ),
    "report.print": "Print or save as PDF: report.pdf beside this file.",
    "report.weights.method.direct": "direct weights",
    "report.weights.method.equal": "equal weights",
    "report.weights.method.rank": "weights from ranks",
    "report.weights.method.ahp": "analytic hierarchy process (AHP)",
    "report.weights.method.groups": "hierarchical weights (groups)",
    "report.sources.attribution": "Sources of the data drawn",
    "report.sources.quoted": "Provenance quoted from the layer catalogue, as written there.",
    "cli.report.wrote": "{scenario}: wrote {path} ({count} more files)",
    "value.yes": "yes",
    "value.no": "no",
    "report.contents": "Contents",
    "report.ranking": "Ranking",
    "report.ranking.intro": "{n} candidates, {ranked} ranked, {excluded} excluded.",
    "report.ranking.more": "The first {shown} rows; every candidate is in scores.csv.",
    "report.map": "Interactive map",
    "report.map.open": "Open the map on its own page",
    "report.static": "Maps for print",
    "report.static.caption": "Candidates coloured by total score ({scheme}); ranks in labels.",
    "report.contributions": "Contribution of each criterion to the total score",
    "report.cards": "Score cards",
    "report.cards.more": "Score cards of the first {shown} of {n} ranked candidates.",
    "report.sensitivity": "Sensitivity of the ranking",
    "report.sensitivity.none": "No sensitivity analysis was run for this report.",
    "report.appendix": "Methodology appendix",
    "report.appendix.intro": (
        "Generated from the scenario that produced the results above; nothing in it is "
        "written by hand."
    ),
    "report.scenario": "Scenario",
    "report.scenario.file": "Scenario file",
    "report.scenario.extends": "Extends",
    "report.scenario.aggregation": "Aggregation",
    "report.scenario.crs": "Analysis CRS",
    "report.criteria": "Criteria and value functions",
    "report.criteria.measure": "Measure",
    "report.criteria.formula": "Value function",
    "report.criteria.curve": "Value function of {title}; dots are the candidates.",
    "report.weights": "Weights",
    "report.weights.method": "Method: {method}.",
    "report.weights.ahp": "AHP pairwise comparison matrix",
    "report.weights.cr": (
        "λmax = {lambda_max}, CI = {ci}, RI = {ri}, consistency ratio CR = {cr} (limit {limit})."
    ),
    "report.constraints": "Constraints",
    "report.constraints.none": "No constraints.",
    "report.constraints.excluded": "candidates excluded",
    "report.sources": "Data sources",
    "report.sources.layer": "layer",
    "report.sources.source": "source",
    "report.sources.licence": "licence",
    "report.sources.vintage": "vintage",
    "report.sources.accuracy": "positional accuracy",
    "report.sources.defects": "known defects",
    "report.sources.file": "file (SHA-256)",
    "report.sources.uncatalogued": "user file; provenance not catalogued",
    "report.sources.approximate": "approximate",
    "report.no_basemap": "Static maps have no background: no tiles are downloaded.",
    "report.col.rank": "rank",
    "report.col.name": "name",
    "report.col.total": "total score",
    "report.col.reason": "excluded because",
    "report.flip.exact": "exact, by linear programming",
    "report.flip.bound": "an upper bound from a line search",
    "report.sources.attribution.quoted": "quoted from the layer catalogue",
    "map.legend.tiles": "The background map needs internet; without it the data show on grey.",
    "report.col.value": "value",
}

_VI: dict[str, str] = {
    "map.candidates": "Địa điểm đề xuất (điểm tổng hợp)",
    "map.excluded": "Địa điểm bị loại",
    "map.labels": "Nhãn thứ hạng",
    "map.measured": "Tiêu chí {title}: {what}",
    "map.what.routes": "tuyến đường trên mạng lưới",
    "map.what.features": "đối tượng được đo đến",
    "map.what.zone": "vùng",
    "map.constraint": "Điều kiện loại trừ: {rule}",
    "map.units.province_old": "Đất thích hợp theo tỉnh, trước tháng 7/2025",
    "map.units.district_old": "Đất thích hợp theo huyện, trước tháng 7/2025",
    "map.units.ward_old": "Đất thích hợp theo xã, phường, trước tháng 7/2025",
    "map.units.province_new": "Đất thích hợp theo tỉnh, sau tháng 7/2025",
    "map.units.ward_new": "Đất thích hợp theo xã, phường, sau tháng 7/2025",
    "map.units.outside": "Ngoài mọi đơn vị hành chính",
    "map.legend.units": "Đất thích hợp theo đơn vị hành chính",
    "map.units.rule.top": "Thích hợp: {share} số ô có điểm cao nhất.",
    "map.units.rule.threshold": "Thích hợp: các ô có điểm từ {score} trở lên.",
    "map.units.suitable": "Đất thích hợp",
    "map.units.share": "Tỷ lệ trên diện tích của đơn vị trong lưới",
    "map.units.area": "Diện tích của đơn vị trong lưới",
    "map.units.mean": "Điểm trung bình",
    "map.units.best": "Điểm cao nhất",
    "map.fullscreen": "Toàn màn hình",
    "map.fullscreen.exit": "Thoát toàn màn hình",
    "map.legend.title": "Điểm thích hợp tổng hợp",
    "map.legend.subtitle": "{scheme}, 0 = kém nhất, 1 = tốt nhất",
    "map.legend.excluded": "bị loại",
    "map.legend.roads": "Cấp đường",
    "road.motorway": "đường cao tốc",
    "road.trunk": "quốc lộ, đường trục",
    "road.primary": "đường chính",
    "road.secondary": "đường thứ yếu",
    "road.tertiary": "đường nhánh",
    "map.legend.offline": "Tệp ngoại tuyến: không có nền bản đồ.",
    "map.legend.truncated": "Hiển thị {shown} địa điểm tốt nhất trong {n} địa điểm.",
    "map.legend.scenario": "Kịch bản: {name}",
    "scheme.equal_interval": "khoảng đều",
    "scheme.quantiles": "phân vị",
    "scheme.natural_breaks": "ngắt tự nhiên",
    "basemap.light": "Nền sáng (CARTO)",
    "basemap.osm": "OpenStreetMap",
    "basemap.satellite": "Ảnh vệ tinh (Esri)",
    "map.routes": "Tuyến đường: {title}",
    "map.legend": "Chú giải",
    "map.legend.candidates": "Địa điểm đề xuất",
    "map.legend.context": "Đối tượng được đo đến",
    "map.legend.labels": "thứ hạng của địa điểm",
    "map.sources": "Dữ liệu",
    "map.sources.show": "Xem nguồn dữ liệu",
    "map.sources.quoted": "Nguồn (trích nguyên văn tiếng Anh):",
    "road.other": "đường khác",
    "param.best": "giá trị đạt điểm 1",
    "param.worst": "giá trị đạt điểm 0",
    "param.midpoint": "điểm giữa",
    "param.mean": "giá trị trung bình",
    "param.std": "độ lệch chuẩn",
    "param.rise": "đoạn tăng",
    "param.fall": "đoạn giảm",
    "param.target": "giá trị lý tưởng",
    "param.zero_beyond": "khoảng cách tới giá trị lý tưởng có điểm 0",
    "param.full_within": "khoảng cách tới giá trị lý tưởng có điểm 1",
    "param.penalty_above": "ngưỡng phạt phía trên",
    "param.penalty_below": "ngưỡng phạt phía dưới",
    "param.points": "điểm gãy",
    "measure.distance": (
        "Khoảng cách theo đường thẳng từ ranh thửa đất đến đối tượng gần nhất trong {target}{to}"
    ),
    "measure.network.nearest": (
        "{metric} {mode} trên mạng lưới đường bộ đến đối tượng gần nhất trong {target}{to}"
    ),
    "measure.network.kth_nearest": (
        "{metric} {mode} trên mạng lưới đường bộ đến đối tượng gần thứ k trong {target} "
        "(k = {k}){to}"
    ),
    "measure.network.mean_k_nearest": (
        "{metric} trung bình {mode} trên mạng lưới đường bộ đến {k} đối tượng gần nhất "
        "trong {target}{to}"
    ),
    "measure.network.count_within": (
        "Số đối tượng trong {target} đến được {mode} trên mạng lưới đường bộ trong vòng {within}"
    ),
    "measure.network.detour_ratio": (
        "Hệ số đi vòng {mode} (quãng đường bộ chia cho đường thẳng) đến đối tượng gần "
        "nhất trong {target}{to}"
    ),
    "measure.network.from": ", đi từ đối tượng đến thửa đất",
    "measure.metric.time": "Thời gian di chuyển",
    "measure.metric.distance": "Quãng đường",
    "measure.mode.car": "bằng xe con",
    "measure.mode.truck": "bằng xe tải",
    "measure.count_within": "Số đối tượng trong {target} cách ranh thửa đất không quá {radius}",
    "measure.overlay.share": "Tỷ lệ diện tích thửa đất{buffer} nằm trong {target}{grown}",
    "measure.overlay.area_ha": "Diện tích (ha) của thửa đất{buffer} nằm trong {target}{grown}",
    "measure.overlay.buffer": " và phần đất cách thửa không quá {distance}",
    "measure.overlay.grown": ", nới rộng thêm {distance}",
    "measure.raster": "{statistic} của raster {raster} trong thửa đất",
    "measure.raster.mean": "Giá trị trung bình",
    "measure.raster.min": "Giá trị nhỏ nhất",
    "measure.raster.max": "Giá trị lớn nhất",
    "measure.raster.majority": "Giá trị phổ biến nhất",
    "measure.raster.share_in_classes": "Tỷ lệ điểm ảnh thuộc lớp giá trị {classes}",
    "measure.raster.share_above": "Tỷ lệ điểm ảnh lớn hơn {threshold}",
    "measure.raster.share_below": "Tỷ lệ điểm ảnh nhỏ hơn {threshold}",
    "measure.attribute.own": "Giá trị cột {column} của địa điểm",
    "measure.attribute.zone": (
        "Giá trị cột {column} của {target}, theo vùng chiếm phần lớn thửa đất"
    ),
    "measure.to.outline": ", đo đến ranh giới (bằng 0 nếu nằm bên trong)",
    "measure.to.point": ", đo đến điểm",
    "measure.to.line": ", đo đến tuyến",
    "measure.to.mixed": ", đo đến {kinds}, tùy đối tượng",
    "measure.kind.outline": "ranh giới (bằng 0 nếu nằm bên trong)",
    "measure.kind.point": "điểm",
    "measure.kind.line": "tuyến",
    "measure.or": "hoặc",
    "measure.target.named": "{layer} ({names})",
    "measure.target.count": "{layer} ({n} đối tượng)",
    "measure.target.where": "{layer} có {conditions}",
    "measure.where.is": "{column} là {values}",
    "measure.where.and": "và",
    "measure.where.true": "có",
    "measure.where.false": "không",
    "measure.where.id": "mã",
    "measure.where.name": "tên",
    "report.criteria.spec": "Đặc tả chính xác",
    **{key: texts["vi"] for key, texts in i18n.CATALOGUE.items() if key.startswith("layer.")},
    "card.rank": "Hạng",
    "card.total": "điểm tổng hợp",
    "card.excluded": "Bị loại",
    "card.id": "mã",
    "card.criterion": "tiêu chí",
    "card.raw": "giá trị đo",
    "card.score": "điểm",
    "card.weight": "trọng số",
    "card.contribution": "đóng góp",
    "card.margin": "để lên một hạng",
    "card.route": "{candidate} đến {facility}",
    "card.to": "đến {target}",
    "card.bound.upper": "≤ {value}",
    "card.bound.lower": "≥ {value}",
    "card.bound.note": (
        "≤ là giới hạn trên, ≥ là giới hạn dưới: lớp dữ liệu được đo chỉ bao phủ một phần khu "
        "vực (phạm vi được nêu trong LAYERS.md), nên có thể có đối tượng gần hơn, hoặc nhiều "
        "đối tượng hơn, ở ngoài phạm vi đó."
    ),
    "whatif.title": "Thử thay đổi trọng số",
    "whatif.open": "Di chuyển trọng số và xem thứ hạng thay đổi",
    "whatif.close": "Thu gọn bảng",
    "whatif.method": "Phương pháp tổng hợp: {method}",
    "whatif.note": (
        "Mọi địa điểm được tính lại điểm ngay trong trang này khi bạn di chuyển một trọng "
        "số; các trọng số cùng cấp luôn cộng lại bằng 100 %. Điều kiện loại trừ giữ nguyên "
        "như đã tính."
    ),
    "whatif.scenario_mark": "kịch bản: {value} %",
    "whatif.reset": "Về trọng số của kịch bản",
    "whatif.copy": "Sao chép dạng YAML",
    "whatif.copied": "Đã sao chép. Lưu thành {file} rồi chạy bằng geosite run.",
    "whatif.copy_failed": "Hãy chọn đoạn văn bản dưới đây và sao chép.",
    "whatif.unsupported": (
        "Không thể tính lại phương pháp {method} trong trình duyệt: không di chuyển được "
        "trọng số ở đây, điểm hiển thị là điểm của kịch bản. Hãy sửa trong tệp kịch bản và "
        "chạy lại."
    ),
    "whatif.no_file": "Kịch bản này không được đọc từ tệp nên không có gì để kế thừa.",
    "whatif.modified": (
        "Trọng số thử nghiệm: điểm, thứ hạng, màu và phần đóng góp trong phiếu điểm đã được "
        "tính lại; khoảng cách lên hạng chỉ đúng với trọng số của kịch bản nên không hiển thị."
    ),
    "whatif.beyond": "{n} địa điểm không vẽ trên bản đồ cũng được tính lại và xếp hạng.",
    "whatif.rank": "hạng",
    "whatif.move": "thay đổi",
    "whatif.name": "tên",
    "whatif.score": "điểm",
    "whatif.new": "mới",
    "whatif.group": "nhóm",
    "whatif.yaml_head": "Trọng số thử nghiệm cho kịch bản {name}, sao chép từ bản đồ.",
    "whatif.yaml_save": "Lưu thành {file} trong thư mục chứa {base}, rồi chạy:",
    "whatif.yaml_save_anywhere": "Lưu thành {file}, rồi chạy:",
    "whatif.yaml_name": "{name} (thử nghiệm)",
    "aggregation.wlc": "tổ hợp tuyến tính có trọng số (WLC)",
    "aggregation.weighted_product": "tích có trọng số",
    "aggregation.owa": "trung bình có trọng số theo thứ tự (OWA)",
    "aggregation.fuzzy_and": "AND mờ (nhỏ nhất)",
    "aggregation.fuzzy_or": "OR mờ (lớn nhất)",
    "aggregation.fuzzy_gamma": "gamma mờ",
    "aggregation.topsis": "TOPSIS (mức gần phương án lý tưởng)",
    "aggregation.vikor": "VIKOR (xếp hạng thỏa hiệp)",
    "aggregation.promethee_ii": "PROMETHEE II (dòng trội thuần)",
    "aggregation.electre_iii": "ELECTRE III (quan hệ trội có ngưỡng)",
    "report.title": "Báo cáo đánh giá mức độ thích hợp địa điểm: {name}",
    "report.generated": "Lập bằng geosite {version} ngày {date}.",
    "report.summary": "Tóm tắt",
    "report.question": "Câu hỏi",
    "report.question.default": (
        "Trong {n} địa điểm đề xuất, địa điểm nào phù hợp nhất với kịch bản “{name}” theo các "
        "tiêu chí và trọng số dưới đây?"
    ),
    "report.summary.ranking": "Kết quả xếp hạng",
    "report.summary.margin": (
        "{winner} đứng đầu với điểm tổng hợp {score}, hơn {second} {margin} điểm "
        "(thang điểm từ 0 đến 1)."
    ),
    "report.summary.alone": (
        "{winner} là địa điểm duy nhất được xếp hạng, với điểm tổng hợp {score}."
    ),
    "report.summary.none": "Không địa điểm nào được xếp hạng: tất cả đều bị loại theo điều kiện.",
    "report.robust": "Mức độ vững chắc của kết quả",
    "report.robust.draws": (
        "Qua {draws} bộ trọng số ngẫu nhiên quanh trọng số của kịch bản (hạt giống {seed}), "
        "{winner} đứng đầu trong {p} số lần."
    ),
    "report.robust.change": (
        "Địa điểm đứng đầu chỉ thay đổi khi dịch chuyển ít nhất {moved} tổng trọng số, ví dụ "
        "{how}; khi đó {rival} sẽ đứng đầu."
    ),
    "report.robust.never": (
        "Không thay đổi trọng số nào theo các hướng đã thử làm đổi địa điểm đứng đầu."
    ),
    "report.robust.verdict.stable": (
        "Thay đổi trọng số của bất kỳ một tiêu chí nào {step} không làm đổi địa điểm đứng đầu: "
        "kết quả vững trước những thay đổi nhỏ của trọng số."
    ),
    "report.robust.verdict.fragile": (
        "Thay đổi trọng số của một tiêu chí {step} hoặc ít hơn đã làm đổi địa điểm đứng đầu: "
        "kết quả phụ thuộc vào trọng số và cần được thảo luận cùng các trọng số đó."
    ),
    "report.robust.none": (
        "Chưa kiểm tra: báo cáo này được lập không kèm phân tích độ nhạy "
        "(chạy `geosite report` không có --no-sensitivity)."
    ),
    "report.how.pair": "chuyển trọng số từ “{source}” sang “{target}”",
    "report.how.up": "tăng trọng số của “{target}”",
    "report.how.down": "giảm trọng số của “{target}”",
    "report.data": "Dữ liệu cho phép và không cho phép kết luận điều gì",
    "report.data.can": (
        "So sánh các địa điểm đề xuất ở quy mô vùng: vị trí của các đối tượng được đo đến "
        "chính xác trong khoảng {accuracy}."
    ),
    "report.data.cannot": (
        "Phân biệt các địa điểm có khoảng cách chênh nhau dưới khoảng {accuracy}, hoặc xác định "
        "ranh giới hay đường vào một khu đất: {n} trong {m} lớp dữ liệu sử dụng là gần đúng "
        "({names})."
    ),
    "report.data.exact": "Cả {m} lớp dữ liệu sử dụng đều từ tệp chưa có thông tin độ chính xác.",
    "report.details": (
        "Phần chi tiết tiếp theo: bảng xếp hạng, bản đồ, phiếu điểm, phân tích độ nhạy, "
        "phương pháp."
    ),
    "report.sens.candidates": "Thứ hạng của từng địa điểm qua các bộ trọng số ngẫu nhiên",
    "report.sens.candidates.reading": (
        "{winner} đứng đầu trong {p} số bộ trọng số; khoảng hẹp nghĩa là thứ hạng hầu như "
        "không đổi theo trọng số."
    ),
    "report.sens.col.range": "thứ hạng, 5\u201395 % số lần",
    "report.sens.col.minmax": "hạng tốt nhất \u2013 kém nhất",
    "report.sens.col.p_first": "tỷ lệ đứng đầu",
    "report.sens.col.p_top": "tỷ lệ trong {k} hạng đầu",
    "report.sens.changes": "Những thay đổi trọng số nhỏ nhất làm đổi địa điểm đứng đầu",
    "report.sens.changes.reading": (
        "Thay đổi gần nhất dịch chuyển {moved} tổng trọng số; các thay đổi nhỏ hơn vẫn giữ "
        "{winner} đứng đầu."
    ),
    "report.sens.col.how": "thay đổi trọng số",
    "report.sens.col.moved": "trọng số dịch chuyển",
    "report.sens.col.new": "địa điểm đứng đầu mới",
    "report.sens.oat": "Từng trọng số một, tăng và giảm {step}",
    "report.sens.oat.reading": (
        "{changed} trong {n} lần chạy làm đổi địa điểm đứng đầu; thứ hạng dịch chuyển nhiều "
        "nhất {shift} bậc."
    ),
    "report.sens.col.criterion": "tiêu chí",
    "report.sens.col.change": "thay đổi",
    "report.sens.col.winner_changed": "đổi địa điểm đứng đầu",
    "report.sens.col.tau": "mức tương đồng thứ hạng (Kendall τ)",
    "report.sens.col.shift": "dịch chuyển thứ hạng lớn nhất",
    "report.sens.thresholds": "Ngưỡng của hàm giá trị dịch chuyển {step}",
    "report.sens.thresholds.reading": (
        "{changed} trong {n} lần chạy với ngưỡng thay đổi làm đổi địa điểm đứng đầu."
    ),
    "report.sens.col.parameter": "ngưỡng",
    "report.sens.col.values": "từ \u2013 đến",
    "report.sens.figure": (
        "Thứ hạng của từng địa điểm qua các bộ trọng số: đường mảnh từ hạng tốt nhất đến kém "
        "nhất, đường đậm 5\u201395 % số lần, chấm là thứ hạng theo kịch bản."
    ),
    "report.sens.axis": "thứ hạng",
    "report.sens.settings": (
        "{draws} bộ trọng số Dirichlet quanh trọng số của kịch bản (độ phân tán {spread}), "
        "hạt giống {seed}: cùng hạt giống cho cùng kết quả."
    ),
    "report.print": "In hoặc lưu PDF: tệp report.pdf nằm cạnh tệp này.",
    "report.weights.method.direct": "trọng số trực tiếp",
    "report.weights.method.equal": "trọng số bằng nhau",
    "report.weights.method.rank": "trọng số theo thứ hạng",
    "report.weights.method.ahp": "phương pháp phân tích thứ bậc (AHP)",
    "report.weights.method.groups": "trọng số phân cấp (nhóm)",
    "report.sources.attribution": "Nguồn của dữ liệu trên bản đồ",
    "report.sources.quoted": (
        "Thông tin nguồn gốc được trích nguyên văn (tiếng Anh) từ danh mục lớp dữ liệu."
    ),
    "cli.report.wrote": "{scenario}: đã ghi {path} (và {count} tệp khác)",
    "value.yes": "có",
    "value.no": "không",
    "report.contents": "Mục lục",
    "report.ranking": "Bảng xếp hạng",
    "report.ranking.intro": "{n} địa điểm, {ranked} được xếp hạng, {excluded} bị loại.",
    "report.ranking.more": "{shown} dòng đầu; mọi địa điểm có trong scores.csv.",
    "report.map": "Bản đồ tương tác",
    "report.map.open": "Mở bản đồ trong trang riêng",
    "report.static": "Bản đồ để in",
    "report.static.caption": "Địa điểm tô màu theo điểm tổng hợp ({scheme}); nhãn là thứ hạng.",
    "report.contributions": "Đóng góp của từng tiêu chí vào điểm tổng hợp",
    "report.cards": "Phiếu điểm từng địa điểm",
    "report.cards.more": (
        "Phiếu điểm của {shown} địa điểm đứng đầu trong {n} địa điểm được xếp hạng."
    ),
    "report.sensitivity": "Phân tích độ nhạy của thứ hạng",
    "report.sensitivity.none": "Báo cáo này không kèm phân tích độ nhạy.",
    "report.appendix": "Phụ lục phương pháp",
    "report.appendix.intro": (
        "Được tạo tự động từ kịch bản đã cho ra kết quả trên; không có nội dung nào viết tay."
    ),
    "report.scenario": "Kịch bản",
    "report.scenario.file": "Tệp kịch bản",
    "report.scenario.extends": "Kế thừa từ",
    "report.scenario.aggregation": "Phương pháp tổng hợp",
    "report.scenario.crs": "Hệ tọa độ phân tích",
    "report.criteria": "Tiêu chí và hàm giá trị",
    "report.criteria.measure": "Cách đo",
    "report.criteria.formula": "Hàm giá trị",
    "report.criteria.curve": "Hàm giá trị của {title}; các chấm là các địa điểm.",
    "report.weights": "Trọng số",
    "report.weights.method": "Phương pháp: {method}.",
    "report.weights.ahp": "Ma trận so sánh cặp (AHP)",
    "report.weights.cr": (
        "λmax = {lambda_max}, CI = {ci}, RI = {ri}, tỷ số nhất quán CR = {cr} (giới hạn {limit})."
    ),
    "report.constraints": "Điều kiện loại trừ",
    "report.constraints.none": "Không có điều kiện loại trừ.",
    "report.constraints.excluded": "địa điểm bị loại",
    "report.sources": "Nguồn dữ liệu",
    "report.sources.layer": "lớp",
    "report.sources.source": "nguồn",
    "report.sources.licence": "giấy phép",
    "report.sources.vintage": "thời điểm dữ liệu",
    "report.sources.accuracy": "độ chính xác vị trí",
    "report.sources.defects": "khiếm khuyết đã biết",
    "report.sources.file": "tệp (SHA-256)",
    "report.sources.uncatalogued": "tệp của người dùng; chưa có thông tin nguồn gốc",
    "report.sources.approximate": "gần đúng",
    "report.no_basemap": "Bản đồ in không có nền: không tải ô bản đồ nào.",
    "report.col.rank": "hạng",
    "report.col.name": "tên",
    "report.col.total": "điểm tổng hợp",
    "report.col.reason": "lý do bị loại",
    "report.flip.exact": "chính xác, bằng quy hoạch tuyến tính",
    "report.flip.bound": "cận trên, tìm theo đường thẳng",
    "report.sources.attribution.quoted": "trích nguyên văn (tiếng Anh) từ danh mục lớp dữ liệu",
    "map.legend.tiles": "Nền bản đồ cần kết nối internet; khi không có, dữ liệu hiện trên nền xám.",
    "report.col.value": "giá trị",
}

#: Message catalogues by language. Languages without a table fall back to English per key.
CATALOGUES: dict[Language, dict[str, str]] = {"en": _EN, "vi": _VI}


def _check(lang: str) -> Language:
    return check_language(lang, what="lang")


def tr(key: str, lang: str = "en", /, **values: object) -> str:
    """Return the message ``key`` in ``lang``, with ``values`` filled in.

    Examples
    --------
    >>> tr("report.ranking.intro", "en", n=6, ranked=5, excluded=1)
    '6 candidates, 5 ranked, 1 excluded.'
    >>> tr("card.rank", "vi")
    'Hạng'
    """
    code = _check(lang)
    template = CATALOGUES[code].get(key) or _EN[key]
    return template.format(**values) if values else template


def bounded(text: str, bound: str | None, lang: str = "en") -> str:
    """Mark a formatted value that is only an upper or lower bound.

    Examples
    --------
    >>> bounded("4.7 km", "upper"), bounded("6", "lower", "vi"), bounded("12 min", None)
    ('≤ 4.7 km', '≥ 6', '12 min')
    """
    return text if bound is None else tr(f"card.bound.{bound}", lang, value=text)


def format_number(value: float | None, digits: int = 0, lang: str = "en") -> str:
    """Format a number with ``digits`` decimals and the language's separators.

    The project-wide convention of :func:`geosite.i18n.format_number`; missing values are
    an en dash.

    Examples
    --------
    >>> format_number(1234.5, 1, "en"), format_number(1234.5, 1, "vi")
    ('1,234.5', '1.234,5')
    """
    return i18n.format_number(value, _check(lang), decimals=digits)


def format_alike(
    values: Sequence[float | None], lang: str = "en", *, significant: int = 4
) -> list[str]:
    """Format numbers of one quantity alike: all with the decimals the most precise one needs.

    Each value needs the decimals that show it to ``significant`` significant digits of the
    largest value, without trailing zeros; all are written with the most any of them needs,
    so ``10`` and ``9.5`` read ``10.0 → 9.5``, never ``10.00 → 9.500``. The decimals depend on
    the values only, so every language shows the same digits.

    Examples
    --------
    >>> format_alike([10, 9]), format_alike([10, 9.5], "vi"), format_alike([0.5, 0.45])
    (['10', '9'], ['10,0', '9,5'], ['0.50', '0.45'])
    >>> format_alike([1234.5678, 1111.1]), format_alike([None, 2.5])
    (['1,235', '1,111'], ['–', '2.5'])
    """  # noqa: RUF002 - the en dash is the missing value's sign
    finite = [abs(float(v)) for v in values if v is not None and math.isfinite(float(v))]
    largest = max(finite, default=0.0)
    most = 0 if largest == 0 else max(0, significant - 1 - math.floor(math.log10(largest)))
    decimals = 0
    for value in finite:
        need = next((d for d in range(most + 1) if round(value, d) == round(value, most)), most)
        decimals = max(decimals, need)
    return [
        format_number(
            None if v is None or not math.isfinite(float(v)) else float(v), decimals, lang
        )
        for v in values
    ]


def format_value(value: float | None, unit: str, lang: str = "en") -> str:
    """Format a raw criterion value with its unit for people (:func:`geosite.i18n.format_quantity`).

    Examples
    --------
    >>> format_value(12345.6, "m"), format_value(42.25, "min"), format_value(3.0, "count")
    ('12.3 km', '42.2 min', '3')
    >>> format_value(42.25, "min", "vi")
    '42,2 phút'
    """
    return i18n.format_quantity(value, unit, _check(lang))


#: Words of value-function formulas (``geosite.decision.transforms``), longest first; the
#: mathematics (``clip``, ``exp``, ``x``) reads the same in every language.
_FORMULA_WORDS: dict[Language, tuple[tuple[str, str], ...]] = {
    "vi": (
        ("linear interpolation through", "nội suy tuyến tính qua"),
        ("constant beyond the ends", "không đổi ngoài hai đầu"),
        ("other categories", "các loại khác"),
        ("excluded if", "bị loại nếu"),
        ("otherwise", "trong các trường hợp khác"),
        ("lookup", "tra bảng"),
        ("value", "giá trị"),
        ("beyond", "vượt quá"),
        ("below", "dưới"),
        ("above", "trên"),
        ("if", "nếu"),
        ("or", "hoặc"),
        ("and", "và"),
    ),
}


def formula_text(formula: str, lang: str = "en", /) -> str:
    """Return a value function's formula with its words in ``lang``.

    Examples
    --------
    >>> formula_text("0 if x <= 5; 1 - 2 / (x - 5 + 2) otherwise", "vi")
    '0 nếu x <= 5; 1 - 2 / (x - 5 + 2) trong các trường hợp khác'
    """
    import re  # noqa: PLC0415

    words = _FORMULA_WORDS.get(_check(lang), ())
    for english, translated in words:
        formula = re.sub(rf"\b{re.escape(english)}\b", translated, formula)
    return formula


#: What Leaflet and its plugins write on the map in English, and what the map shows instead
#: (``geosite.ui`` in ``js/geosite.js`` replaces them in the page, popups included).
VENDOR_WORDS: dict[Language, dict[str, str]] = {
    "en": {},
    "vi": {
        "Zoom in": "Phóng to",
        "Zoom out": "Thu nhỏ",
        "Layers": "Lớp bản đồ",
        "A JavaScript library for interactive maps": "Thư viện JavaScript cho bản đồ tương tác",
        "Measure distances and areas": "Đo khoảng cách và diện tích",
        "Measure": "Đo",
        "Create a new measurement": "Tạo phép đo mới",
        "Start creating a measurement by adding points to the map": (
            "Bắt đầu đo bằng cách thêm các điểm lên bản đồ"
        ),
        "Finish measurement": "Kết thúc phép đo",
        "Last point": "Điểm cuối",
        "Area measurement": "Đo diện tích",
        "Linear measurement": "Đo chiều dài",
        "Path distance": "Chiều dài đường đo",
        "Point location": "Vị trí điểm",
        "Perimeter": "Chu vi",
        "Area": "Diện tích",
        "Center on this area": "Xem vùng này ở giữa",
        "Center on this line": "Xem đường này ở giữa",
        "Center on this location": "Xem điểm này ở giữa",
        "Cancel": "Hủy",
        "Delete": "Xóa",
        "Sq Meters": "m²",
        "Sq Feet": "ft²",
        "Sq Miles": "dặm²",
        "Kilometers": "km",
        "Hectares": "ha",
        "Meters": "m",
        "Acres": "mẫu Anh",
        "Miles": "dặm",
        "Feet": "ft",
    },
}
