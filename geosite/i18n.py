"""Words and numbers for people: the English and Vietnamese message catalogue.

Every string a planner reads on a map, in a report or on the command line comes from
:data:`CATALOGUE` through :func:`translate`, and every number through :func:`format_number`
or :func:`format_quantity`, so one switch (``language: vi`` in the scenario, ``--lang vi`` on
the command line) changes all of them at once.

Numbers follow each language's convention: English groups thousands with a comma and marks
decimals with a point (``1,234.5``); Vietnamese does the opposite (``1.234,5``), as in
Vietnamese government documents and the national standard for decimal notation.

Keys are dotted, grouped by where they appear (``map.*``, ``popup.*``, ``legend.*``,
``report.*``, ``admin.*``, ``cli.*``, ``unit.*``); placeholders are ``str.format`` fields
(``{title}``) and are the same in both languages.

Examples
--------
>>> translate("popup.rank", "vi")
'Hạng'
>>> format_number(1234.5, "vi", decimals=1), format_number(1234.5, "en", decimals=1)
('1.234,5', '1,234.5')
>>> format_quantity(12345.6, "m", "vi")
'12,3 km'
"""

from __future__ import annotations

import difflib
import math
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Self, get_args

from pydantic import PlainValidator, WithJsonSchema

from geosite.errors import ParameterError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "Language",
    "LocalizedText",
    "ScenarioText",
    "Translator",
    "check_language",
    "column_name",
    "format_date",
    "format_number",
    "format_quantity",
    "join_phrases",
    "key_name",
    "layer_name",
    "localized",
    "network_name",
    "phrase",
    "translate",
    "unit_label",
    "value_name",
]

#: The languages geosite writes: English and Vietnamese.
Language = Literal["en", "vi"]

#: Every :data:`Language`, English first (the default).
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)

#: Shown for a missing value (``None``, NaN) in both languages.
MISSING: Final = "\u2013"  # an en dash

#: ``key -> {language: text}``; placeholders are ``str.format`` fields.
CATALOGUE: Final[dict[str, dict[Language, str]]] = {
    # The bundled layers, named for people (see layer_name()).
    "layer.ports": {"en": "Ports", "vi": "Cảng biển"},
    "layer.airports": {"en": "Airports", "vi": "Cảng hàng không"},
    "layer.industrial_parks": {"en": "Industrial parks", "vi": "Khu công nghiệp"},
    "layer.centres": {"en": "City centres", "vi": "Trung tâm đô thị"},
    "layer.roads": {"en": "Roads", "vi": "Đường bộ"},
    "layer.railways": {"en": "Railways", "vi": "Đường sắt"},
    "layer.candidate_sites": {"en": "Candidate sites", "vi": "Địa điểm đề xuất"},
    "layer.candidates": {"en": "Candidates", "vi": "các địa điểm đề xuất"},
    "layer.provinces_pre2025": {
        "en": "Provinces (before July 2025)",
        "vi": "Tỉnh/thành phố (trước 01/7/2025)",
    },
    "layer.provinces_2025": {
        "en": "Provinces (from July 2025)",
        "vi": "Tỉnh/thành phố (từ 01/7/2025)",
    },
    "layer.districts": {"en": "Districts", "vi": "Quận/huyện"},
    "layer.land_sea_mask": {"en": "Land and sea", "vi": "Đất liền và biển"},
    "layer.power_lines": {"en": "Power lines", "vi": "Đường dây điện cao thế"},
    "layer.universities": {"en": "Universities", "vi": "Trường đại học, cao đẳng"},
    # Columns and values of the bundled layers a `where` filters on, named for people (see
    # column_name() and value_name()); values not listed read as written, underscores as spaces.
    "column.roads.class": {"en": "class", "vi": "cấp đường"},
    "value.roads.class.motorway": {"en": "expressway", "vi": "đường cao tốc"},
    "value.roads.class.trunk": {"en": "national highway", "vi": "quốc lộ"},
    "value.roads.class.primary": {"en": "primary road", "vi": "đường chính"},
    "value.roads.class.secondary": {"en": "secondary road", "vi": "đường thứ yếu"},
    "column.roads.status": {"en": "status", "vi": "tình trạng"},
    "value.roads.status.open": {"en": "open", "vi": "đang khai thác"},
    "value.roads.status.partly_open": {"en": "partly open", "vi": "khai thác một phần"},
    "value.roads.status.under_construction": {"en": "under construction", "vi": "đang xây dựng"},
    "value.roads.status.planned": {"en": "planned", "vi": "theo quy hoạch"},
    "column.roads.ref": {"en": "road number", "vi": "số hiệu đường"},
    "column.roads.lanes": {"en": "number of lanes", "vi": "số làn xe"},
    "column.roads.speed_kmh": {"en": "speed (km/h)", "vi": "tốc độ (km/h)"},
    "column.roads.open_year": {"en": "opening year", "vi": "năm thông xe"},
    "column.ports.kind": {"en": "kind", "vi": "loại"},
    "value.ports.kind.deepwater_port": {"en": "deep-water port", "vi": "cảng nước sâu"},
    "value.ports.kind.port": {"en": "port", "vi": "cảng"},
    "value.ports.kind.terminal": {"en": "terminal", "vi": "bến cảng"},
    "column.airports.status": {"en": "status", "vi": "tình trạng"},
    "value.airports.status.operating": {"en": "operating", "vi": "đang khai thác"},
    "value.airports.status.opening 2026": {"en": "opening in 2026", "vi": "khai thác từ năm 2026"},
    "column.airports.international": {"en": "international", "vi": "quốc tế"},
    "column.industrial_parks.status": {"en": "status", "vi": "tình trạng"},
    "value.industrial_parks.status.operating": {"en": "operating", "vi": "đang hoạt động"},
    "value.industrial_parks.status.planned": {"en": "planned", "vi": "theo quy hoạch"},
    "value.industrial_parks.status.under_construction": {
        "en": "under construction",
        "vi": "đang xây dựng",
    },
    "value.industrial_parks.status.established_not_yet_operating": {
        "en": "established, not yet operating",
        "vi": "đã thành lập, chưa hoạt động",
    },
    "value.industrial_parks.status.removed_from_plan": {
        "en": "removed from the plan",
        "vi": "đã đưa ra khỏi quy hoạch",
    },
    "value.industrial_parks.status.unknown": {"en": "unknown", "vi": "chưa rõ"},
    "column.industrial_parks.province": {"en": "province", "vi": "tỉnh/thành phố"},
    "column.industrial_parks.area_ha": {"en": "area (ha)", "vi": "diện tích (ha)"},
    "column.centres.kind": {"en": "kind", "vi": "loại"},
    "value.centres.kind.city_centre": {"en": "city centre", "vi": "trung tâm thành phố"},
    "value.centres.kind.provincial_centre": {"en": "provincial centre", "vi": "trung tâm tỉnh"},
    "column.universities.kind": {"en": "kind", "vi": "loại"},
    "value.universities.kind.university": {"en": "university", "vi": "đại học"},
    "value.universities.kind.college": {"en": "college", "vi": "cao đẳng"},
    "column.power_lines.voltage_kv": {"en": "voltage (kV)", "vi": "điện áp (kV)"},
    "column.power_lines.operator": {"en": "operator", "vi": "đơn vị vận hành"},
    "column.candidate_sites.status": {"en": "status", "vi": "tình trạng"},
    "value.candidate_sites.status.proposed": {"en": "proposed", "vi": "đề xuất"},
    "value.candidate_sites.status.zoning_plan_approved": {
        "en": "zoning plan approved",
        "vi": "đã duyệt quy hoạch phân khu",
    },
    "value.candidate_sites.status.established": {"en": "established", "vi": "đã thành lập"},
    "value.candidate_sites.status.operating": {"en": "operating", "vi": "đang hoạt động"},
    "column.candidate_sites.province_pre2025": {
        "en": "province (before July 2025)",
        "vi": "tỉnh/thành phố (trước 01/7/2025)",
    },
    "column.candidate_sites.province_2025": {
        "en": "province (from July 2025)",
        "vi": "tỉnh/thành phố (từ 01/7/2025)",
    },
    "column.railways.railway": {"en": "kind", "vi": "loại"},
    "column.districts.province_id": {"en": "province", "vi": "tỉnh/thành phố"},
    # Road networks of travel-time criteria, named by who drives them (see network_name()).
    "network.car": {"en": "roads by car", "vi": "đường bộ cho xe con"},
    "network.truck": {"en": "roads by truck", "vi": "đường bộ cho xe tải"},
    # Interactive map: layer control, basemaps, tooltips.
    "map.candidates": {"en": "Candidates (total score)", "vi": "Địa điểm đề xuất (điểm tổng hợp)"},
    "map.rank_labels": {"en": "Rank labels", "vi": "Nhãn thứ hạng"},
    "map.measured_to": {"en": "Measured to: {title}", "vi": "Đo đến: {title}"},
    "map.routes_to": {"en": "Routes to: {title}", "vi": "Tuyến đường đến: {title}"},
    "map.constraint": {"en": "Constraint: {title}", "vi": "Ràng buộc: {title}"},
    "map.excluded": {"en": "Excluded candidates", "vi": "Địa điểm bị loại"},
    "map.basemap.light": {"en": "Light (CARTO)", "vi": "Nền sáng (CARTO)"},
    "map.basemap.osm": {"en": "OpenStreetMap", "vi": "OpenStreetMap"},
    "map.basemap.satellite": {"en": "Satellite (Esri)", "vi": "Ảnh vệ tinh (Esri)"},
    "map.attribution": {"en": "Data sources", "vi": "Nguồn dữ liệu"},
    "map.scale": {"en": "Scale", "vi": "Tỷ lệ"},
    "map.fullscreen": {"en": "Full screen", "vi": "Toàn màn hình"},
    "map.exit_fullscreen": {"en": "Exit full screen", "vi": "Thoát toàn màn hình"},
    "map.measure": {"en": "Measure distances and areas", "vi": "Đo khoảng cách và diện tích"},
    "map.tooltip.rank": {"en": "{name} · rank {rank}", "vi": "{name} · hạng {rank}"},
    "map.tooltip.excluded": {"en": "{name} · excluded", "vi": "{name} · bị loại"},
    "map.scenario": {"en": "Scenario: {name}", "vi": "Kịch bản: {name}"},
    # Legends.
    "legend.total_score": {
        "en": "Total suitability score (0 = worst, 1 = best)",
        "vi": "Điểm thích hợp tổng hợp (0 = kém nhất, 1 = tốt nhất)",
    },
    "legend.score": {"en": "Score (0 to 1)", "vi": "Điểm (0 đến 1)"},
    "legend.excluded": {"en": "Excluded", "vi": "Bị loại"},
    "legend.class": {"en": "{low} to {high}", "vi": "{low} đến {high}"},
    "legend.road_class": {"en": "Road class", "vi": "Cấp đường"},
    # What a distance or travel time was measured to (the <criterion>_measured_to column).
    "measured_to.outline": {"en": "{name} (outline)", "vi": "{name} (ranh giới)"},
    "measured_to.point": {"en": "{name} (point)", "vi": "{name} (điểm)"},
    "measured_to.line": {"en": "{name} (line)", "vi": "{name} (tuyến)"},
    "measured_to.shape": {"en": "{name} (shape)", "vi": "{name} (hình)"},
    # The popup score card.
    "popup.rank": {"en": "Rank", "vi": "Hạng"},
    "popup.rank_total": {
        "en": "Rank {rank} · total score {score}",
        "vi": "Hạng {rank} · điểm tổng hợp {score}",
    },
    "popup.total_score": {"en": "Total score", "vi": "Điểm tổng hợp"},
    "popup.excluded": {"en": "Excluded: {reason}", "vi": "Bị loại: {reason}"},
    "popup.id": {"en": "id {id}", "vi": "mã {id}"},
    "popup.criterion": {"en": "Criterion", "vi": "Tiêu chí"},
    "popup.raw": {"en": "Measured", "vi": "Giá trị đo"},
    "popup.score": {"en": "Score", "vi": "Điểm"},
    "popup.weight": {"en": "Weight", "vi": "Trọng số"},
    "popup.contribution": {"en": "Contribution", "vi": "Đóng góp"},
    "popup.score_bar": {"en": "Score bar", "vi": "Biểu đồ điểm"},
    # The HTML report.
    "report.title": {
        "en": "Site-suitability report: {scenario}",
        "vi": "Báo cáo đánh giá mức độ thích hợp địa điểm: {scenario}",
    },
    "report.generated": {"en": "Generated on {date}", "vi": "Lập ngày {date}"},
    "report.summary": {"en": "Summary", "vi": "Tóm tắt"},
    "report.ranking": {"en": "Ranking", "vi": "Bảng xếp hạng"},
    "report.map": {"en": "Map", "vi": "Bản đồ"},
    "report.score_cards": {"en": "Score cards", "vi": "Phiếu điểm từng địa điểm"},
    "report.candidate": {"en": "Candidate", "vi": "Địa điểm"},
    "report.candidates_scored": {
        "en": "{count} candidates scored, {excluded} excluded",
        "vi": "Đã chấm điểm {count} địa điểm, loại {excluded} địa điểm",
    },
    "report.sensitivity": {"en": "Sensitivity analysis", "vi": "Phân tích độ nhạy"},
    "report.rank_stability": {"en": "Rank stability", "vi": "Độ ổn định thứ hạng"},
    "report.methodology": {"en": "Methodology", "vi": "Phương pháp"},
    "report.criteria": {"en": "Criteria", "vi": "Tiêu chí"},
    "report.value_function": {"en": "Value function", "vi": "Hàm giá trị"},
    "report.weights": {"en": "Weights", "vi": "Trọng số"},
    "report.ahp_matrix": {
        "en": "Pairwise comparison matrix (AHP)",
        "vi": "Ma trận so sánh cặp (AHP)",
    },
    "report.consistency_ratio": {"en": "Consistency ratio", "vi": "Tỷ số nhất quán"},
    "report.constraints": {"en": "Constraints", "vi": "Điều kiện loại trừ"},
    "report.aggregation": {"en": "Aggregation", "vi": "Phương pháp tổng hợp"},
    # Methodology appendix: one sentence per aggregation and weighting method.
    "method.aggregation.wlc": {
        "en": "Weighted linear combination: the total is the weighted sum of the scores.",
        "vi": "Tổ hợp tuyến tính có trọng số: tổng điểm là tổng có trọng số của các điểm.",
    },
    "method.aggregation.weighted_product": {
        "en": "Weighted product: the total is the weighted geometric mean of the scores.",
        "vi": "Tích có trọng số: tổng điểm là trung bình nhân có trọng số của các điểm.",
    },
    "method.aggregation.owa": {
        "en": (
            "Ordered weighted averaging: each candidate's scores are sorted and weighted by "
            "position as well as by criterion."
        ),
        "vi": (
            "Trung bình có trọng số theo thứ tự: điểm của mỗi địa điểm được sắp xếp và gán "
            "trọng số theo vị trí và theo tiêu chí."
        ),
    },
    "method.aggregation.fuzzy_and": {
        "en": "Fuzzy AND: a candidate is as suitable as its lowest score.",
        "vi": "Phép AND mờ: mức thích hợp của địa điểm bằng điểm thấp nhất của nó.",
    },
    "method.aggregation.fuzzy_or": {
        "en": "Fuzzy OR: a candidate is as suitable as its highest score.",
        "vi": "Phép OR mờ: mức thích hợp của địa điểm bằng điểm cao nhất của nó.",
    },
    "method.aggregation.fuzzy_gamma": {
        "en": "Fuzzy gamma: a blend of the fuzzy algebraic sum and product.",
        "vi": "Toán tử gamma mờ: kết hợp tổng đại số mờ và tích đại số mờ.",
    },
    "method.aggregation.topsis": {
        "en": (
            "TOPSIS: closeness of each candidate to the ideal and distance from the anti-ideal "
            "candidate, after {normalization} normalisation; relative to the candidate set."
        ),
        "vi": (
            "TOPSIS: mức gần phương án lý tưởng và xa phương án phản lý tưởng của mỗi địa "
            "điểm, sau khi chuẩn hóa {normalization}; phụ thuộc vào tập địa điểm."
        ),
    },
    "method.aggregation.vikor": {
        "en": (
            "VIKOR: compromise ranking by group utility and individual regret (v = {v}); "
            "the suitability is 1 - Q."
        ),
        "vi": (
            "VIKOR: xếp hạng thỏa hiệp theo lợi ích nhóm và mức hối tiếc cá nhân (v = {v}); "
            "mức thích hợp là 1 - Q."
        ),
    },
    "method.aggregation.promethee_ii": {
        "en": (
            "PROMETHEE II: every pair of candidates is compared criterion by criterion with a "
            "preference function; the suitability is (1 + net outranking flow) / 2."
        ),
        "vi": (
            "PROMETHEE II: từng cặp địa điểm được so sánh theo từng tiêu chí bằng một hàm ưu "
            "tiên; mức thích hợp là (1 + dòng trội ròng) / 2."
        ),
    },
    "method.aggregation.electre_iii": {
        "en": (
            "ELECTRE III: credibility that one candidate is at least as good as another, from "
            "concordance and veto thresholds; the suitability is (1 + net credibility flow) / 2."
        ),
        "vi": (
            "ELECTRE III: độ tin cậy rằng một địa điểm ít nhất tốt bằng địa điểm khác, từ các "
            "ngưỡng đồng thuận và phủ quyết; mức thích hợp là (1 + dòng tin cậy ròng) / 2."
        ),
    },
    "method.weighting.ahp_blank": {
        "en": (
            "Judgments left blank ({count}) were estimated from the others (Harker's method "
            "or logarithmic least squares)."
        ),
        "vi": (
            "Các phán đoán bỏ trống ({count}) được ước lượng từ các phán đoán còn lại (phương "
            "pháp Harker hoặc bình phương tối thiểu logarit)."
        ),
    },
    "method.weighting.ahp_group": {
        "en": "Experts combined by the geometric mean of their {what}.",
        "vi": "Ý kiến chuyên gia được kết hợp bằng trung bình nhân của {what}.",
    },
    "method.weighting.random_index": {
        "en": "Random index: {table} table.",
        "vi": "Chỉ số ngẫu nhiên: bảng {table}.",
    },
    "report.weight_flip": {
        "en": (
            "Smallest change of the whole weight vector that changes the winner: {distance} "
            "of the total weight moved ({how}); {rival} then reaches {incumbent}."
        ),
        "vi": (
            "Thay đổi nhỏ nhất của toàn bộ vectơ trọng số làm thay đổi địa điểm dẫn đầu: "
            "dịch chuyển {distance} tổng trọng số ({how}); khi đó {rival} bắt kịp {incumbent}."
        ),
    },
    "report.data_sources": {"en": "Data sources", "vi": "Nguồn dữ liệu"},
    "report.source": {"en": "Source", "vi": "Nguồn"},
    "report.vintage": {"en": "Vintage", "vi": "Thời điểm dữ liệu"},
    "report.licence": {"en": "Licence", "vi": "Giấy phép"},
    "report.accuracy": {"en": "Accuracy", "vi": "Độ chính xác"},
    "report.crs": {"en": "Coordinate reference system", "vi": "Hệ tọa độ"},
    # Administrative units, before and after the July 2025 mergers.
    "admin.province": {"en": "Province", "vi": "Tỉnh/thành phố"},
    "admin.district": {"en": "District", "vi": "Quận/huyện"},
    "admin.ward": {"en": "Ward/commune", "vi": "Phường/xã"},
    "admin.province_old": {
        "en": "Province (before July 2025)",
        "vi": "Tỉnh/thành phố (trước 01/7/2025)",
    },
    "admin.province_new": {
        "en": "Province (from July 2025)",
        "vi": "Tỉnh/thành phố (từ 01/7/2025)",
    },
    "admin.district_old": {
        "en": "District (before July 2025)",
        "vi": "Quận/huyện (trước 01/7/2025)",
    },
    "admin.ward_old": {
        "en": "Ward/commune (before July 2025)",
        "vi": "Phường/xã (trước 01/7/2025)",
    },
    "admin.ward_new": {
        "en": "Ward/commune (from July 2025)",
        "vi": "Phường/xã (từ 01/7/2025)",
    },
    # Site search.
    "locate.region_name": {
        "en": "Located region {rank} ({area} ha)",
        "vi": "Vùng tìm được {rank} ({area} ha)",
    },
    "locate.title": {
        "en": "{name} – located regions",  # noqa: RUF001 - a dash in a title
        "vi": "{name} – các vùng tìm được",  # noqa: RUF001 - a dash in a title
    },
    "locate.method.exact": {"en": "exact", "vi": "chính xác"},
    "locate.method.heuristic": {"en": "heuristic", "vi": "gần đúng"},
    "locate.optimal": {"en": "optimal", "vi": "tối ưu"},
    "locate.bound": {"en": "{method}, bound {bound}", "vi": "{method}, cận trên {bound}"},
    "cli.locate.region": {
        "en": (
            "{region}: {area} ha in {cells} cells, mean score {mean}, worst cell {worst}, "
            "compactness {compactness} ({how})"
        ),
        "vi": (
            "{region}: {area} ha gồm {cells} ô, điểm trung bình {mean}, ô thấp nhất {worst}, "
            "độ gọn {compactness} ({how})"
        ),
    },
    # Command line.
    "cli.error": {"en": "error: {message}", "vi": "lỗi: {message}"},
    "cli.warning": {"en": "warning: {message}", "vi": "cảnh báo: {message}"},
    "cli.scenario_valid": {"en": "{path}: scenario is valid", "vi": "{path}: kịch bản hợp lệ"},
    "cli.wrote": {"en": "wrote {path}", "vi": "đã ghi {path}"},
    "cli.scored": {
        "en": "{count} candidates scored in {seconds} s",
        "vi": "đã chấm điểm {count} địa điểm trong {seconds} giây",
    },
    "cli.converted_text": {
        "en": "layer {layer!r}: converted {count} values from {encoding} to Unicode",
        "vi": "lớp {layer}: đã chuyển {count} giá trị từ bảng mã {encoding} sang Unicode",
    },
    "cli.ranking": {
        "en": "{scenario}: {count} candidates, {ranked} ranked",
        "vi": "{scenario}: {count} địa điểm, {ranked} được xếp hạng",
    },
    "cli.excluded": {"en": "excluded: {reason}", "vi": "bị loại: {reason}"},
    "cli.report.wrote": {
        "en": "{scenario}: wrote {path} ({count} more files)",
        "vi": "{scenario}: đã ghi {path} (và {count} tệp khác)",
    },
    "cli.more_rows": {
        "en": "... ({count} more in the table)",
        "vi": "... (còn {count} địa điểm trong bảng)",
    },
    "cli.datum_restored": {
        "en": "layer {layer!r}: the file's CRS lacks the VN-2000 datum shift; using {crs}",
        "vi": "lớp {layer}: hệ tọa độ của tệp thiếu tham số chuyển đổi VN-2000; dùng {crs}",
    },
    # Why a candidate is excluded or not measured, and the rules of constraints: written into
    # the result as LocalizedText (English as the string, Vietnamese beside it) by phrase().
    "reason.not_measurable": {
        "en": "{criterion} not measurable ({why})",
        "vi": "{criterion}: không đo được ({why})",
    },
    "reason.no_value": {"en": "no value", "vi": "không có giá trị"},
    "reason.cutoff": {
        "en": "{criterion} = {value:.4g}{unit} beyond the cutoff",
        "vi": "{criterion} = {value:.4g}{unit}, vượt ngưỡng loại",
    },
    "reason.force_included": {
        "en": "force-included (would be excluded: {why})",
        "vi": "được giữ lại theo yêu cầu (lẽ ra bị loại: {why})",
    },
    "reason.min_area": {
        "en": "area {area:.1f} ha < {limit:g} ha",
        "vi": "diện tích {area:.1f} ha < {limit:g} ha",
    },
    "reason.max_area": {
        "en": "area {area:.1f} ha > {limit:g} ha",
        "vi": "diện tích {area:.1f} ha > {limit:g} ha",
    },
    "reason.not_rule": {"en": "not {rule}", "vi": "không thỏa điều kiện: {rule}"},
    "reason.fails": {
        "en": "{column} = {value} fails {rule}",
        "vi": "{column} = {value}, không thỏa điều kiện: {rule}",
    },
    "reason.criterion_fails": {
        "en": "{criterion} = {value:.4g} fails {rule}",
        "vi": "{criterion} = {value:.4g}, không thỏa điều kiện: {rule}",
    },
    "reason.column_empty": {
        "en": "column {column!r} of layer {layer!r} is empty (NaN)",
        "vi": "cột {column} của lớp {layer} trống (NaN)",
    },
    "reason.column_infinite": {
        "en": "column {column!r} of layer {layer!r} is infinite ({value})",
        "vi": "cột {column} của lớp {layer} có giá trị vô hạn ({value})",
    },
    "reason.no_zone": {
        "en": "the parcel lies in no zone of layer {layer!r}",
        "vi": "thửa đất không nằm trong vùng nào của lớp {layer}",
    },
    "reason.no_geometry": {
        "en": "the parcel has no geometry",
        "vi": "thửa đất không có hình học",
    },
    "reason.raster_nodata": {
        "en": "every pixel of raster {raster!r} under the parcel is nodata",
        "vi": "mọi điểm ảnh của raster {raster} dưới thửa đất đều không có dữ liệu",
    },
    "reason.raster_outside": {
        "en": "the parcel lies outside raster {raster!r}",
        "vi": "thửa đất nằm ngoài raster {raster}",
    },
    "reason.no_area": {
        "en": "the parcel has no area to take a share of",
        "vi": "thửa đất không có diện tích để tính tỷ lệ",
    },
    "reason.empty_geometry": {
        "en": "empty geometry: nothing to join to the road network",
        "vi": "hình học rỗng: không có gì để nối vào mạng lưới đường",
    },
    "reason.road_too_far": {
        "en": (
            "nearest road of network {network!r} is {distance:,.0f} m away, more than "
            "max_snap_m = {limit:,.0f} m"
        ),
        "vi": (
            "đường gần nhất của mạng lưới {network} cách {distance:,.0f} m, xa hơn khoảng cách "
            "nối tối đa {limit:,.0f} m"
        ),
    },
    "reason.small_component": {
        "en": (
            "nearest road of network {network!r} is on a small disconnected part "
            "({nodes} of {total} nodes)"
        ),
        "vi": (
            "đường gần nhất của mạng lưới {network} nằm trên một phần nhỏ bị tách rời "
            "({nodes} trong {total} nút)"
        ),
    },
    "reason.unreachable": {
        "en": (
            "no facility of layer {layer!r} can be reached on network {network!r} "
            "(separate part of the network or one-way streets)"
        ),
        "vi": (
            "không đến được đối tượng nào của lớp {layer} trên mạng lưới {network} (phần "
            "mạng lưới tách rời hoặc đường một chiều)"
        ),
    },
    "reason.too_few_facilities": {
        "en": "layer {layer!r} has only {count} usable facilities, k = {k}",
        "vi": "lớp {layer} chỉ có {count} đối tượng dùng được, k = {k}",
    },
    "reason.too_few_reachable": {
        "en": (
            "fewer than k = {k} facilities of layer {layer!r} can be reached on network {network!r}"
        ),
        "vi": "đến được ít hơn k = {k} đối tượng của lớp {layer} trên mạng lưới {network}",
    },
    "reason.detour_undefined": {
        "en": "parcel and facility less than 1 m apart: detour ratio undefined",
        "vi": "thửa đất và đối tượng cách nhau dưới 1 m: không xác định được hệ số đi vòng",
    },
    "reason.no_access_point": {
        "en": "no access point joins the road network",
        "vi": "không có điểm tiếp cận nào nối vào mạng lưới đường",
    },
    "rule.min_area": {"en": "area >= {limit:g} ha", "vi": "diện tích >= {limit:g} ha"},
    "rule.max_area": {"en": "area <= {limit:g} ha", "vi": "diện tích <= {limit:g} ha"},
    "rule.inside": {"en": "inside {zone}", "vi": "nằm trong {zone}"},
    "rule.touching": {"en": "touching {zone}", "vi": "chạm vào {zone}"},
    "rule.buffer": {"en": "{buffer:g} m of {layer}", "vi": "vùng {buffer:g} m quanh {layer}"},
    "rule.away": {
        "en": "at least {buffer:g} m from {layer}",
        "vi": "cách {layer} ít nhất {buffer:g} m",
    },
    "rule.outside": {"en": "outside {layer}", "vi": "nằm ngoài {layer}"},
    "rule.compare": {"en": "{column} {op} {value}", "vi": "{column} {op} {value}"},
    "rule.at_least": {"en": ">= {limit:g}", "vi": ">= {limit:g}"},
    "rule.at_most": {"en": "<= {limit:g}", "vi": "<= {limit:g}"},
    "rule.both": {"en": "{first} and {second}", "vi": "{first} và {second}"},
    "rule.bounded": {"en": "{criterion} {bounds}", "vi": "{criterion} {bounds}"},
    "rule.force_include": {"en": "always include {ids}", "vi": "luôn giữ lại {ids}"},
    # Unit words shown after numbers (symbols such as m, km and ha are the same in both).
    "unit.m": {"en": "m", "vi": "m"},
    "unit.km": {"en": "km", "vi": "km"},
    "unit.ha": {"en": "ha", "vi": "ha"},
    "unit.min": {"en": "min", "vi": "phút"},
    "unit.h": {"en": "h", "vi": "giờ"},
    "unit.count": {"en": "", "vi": ""},
    "unit.share": {"en": "%", "vi": "%"},
    "value.missing": {"en": MISSING, "vi": MISSING},
    "value.yes": {"en": "yes", "vi": "có"},
    "value.no": {"en": "no", "vi": "không"},
}

#: Units :func:`format_quantity` knows, with their decimals.
_UNIT_DECIMALS: Final[dict[str, int]] = {
    "m": 0,
    "km": 1,
    "min": 1,
    "h": 1,
    "count": 0,
    "share": 1,
    "ha": 1,
}

#: Thousands and decimal separators per language.
_SEPARATORS: Final[dict[Language, tuple[str, str]]] = {"en": (",", "."), "vi": (".", ",")}


def check_language(language: str, *, what: str = "language") -> Language:
    """Return ``language`` if geosite writes it, else raise :class:`ParameterError`.

    Parameters
    ----------
    language
        ``"en"`` (English) or ``"vi"`` (Vietnamese); case and surrounding spaces are ignored.
    what
        Name of the argument or scenario key, used in the error message.

    Examples
    --------
    >>> check_language(" VI ")
    'vi'
    """
    code = language.strip().lower() if isinstance(language, str) else language
    if code in LANGUAGES:
        return code
    msg = (
        f"{what}: {language!r} is not a language geosite writes; use 'en' (English) or "
        "'vi' (Vietnamese, tiếng Việt)"
    )
    raise ParameterError(msg)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def translate(key: str, language: Language = "en", **values: object) -> str:
    """Return the text of ``key`` in ``language`` with ``values`` filled in.

    Values are inserted as given: format numbers first with :func:`format_number` or
    :func:`format_quantity` so they follow the language's conventions.

    Parameters
    ----------
    key
        A key of :data:`CATALOGUE`, e.g. ``"legend.total_score"``.
    language
        ``"en"`` or ``"vi"``.
    **values
        The placeholders of the text, e.g. ``title="Port"`` for ``"map.measured_to"``.

    Raises
    ------
    ParameterError
        If the key or the language is unknown, or a placeholder is missing.

    Examples
    --------
    >>> translate("map.measured_to", "vi", title="Cảng Cái Mép")
    'Đo đến: Cảng Cái Mép'
    >>> translate("legend.total_score")
    'Total suitability score (0 = worst, 1 = best)'
    """
    language = check_language(language)
    entry = CATALOGUE.get(key)
    if entry is None:
        hints = difflib.get_close_matches(key, CATALOGUE, n=3)
        msg = f"no message {key!r} in the catalogue"
        msg += f"; did you mean {' or '.join(repr(h) for h in hints)}?" if hints else ""
        raise ParameterError(msg)
    text = entry[language]
    missing = sorted(_fields(text) - values.keys())
    if missing:
        msg = f"message {key!r} needs the value(s) {missing}; pass them as keyword arguments"
        raise ParameterError(msg)
    return text.format(**values) if values else text


def format_number(value: float | None, language: Language, *, decimals: int) -> str:
    """Format ``value`` with the thousands and decimal separators of ``language``.

    Parameters
    ----------
    value
        The number; ``None`` and NaN are shown as an en dash, infinities as ``"∞"``/``"-∞"``.
    language
        ``"en"`` (``1,234.5``) or ``"vi"`` (``1.234,5``).
    decimals
        Digits after the decimal mark, 0 or more.

    Raises
    ------
    ParameterError
        If ``decimals`` is negative or the language is unknown.

    Examples
    --------
    >>> format_number(1234567.891, "vi", decimals=2)
    '1.234.567,89'
    >>> format_number(-0.04, "en", decimals=1)
    '0.0'
    """
    language = check_language(language)
    if decimals < 0:
        msg = f"decimals must be 0 or more, not {decimals!r}"
        raise ParameterError(msg)
    if value is None or math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # "-0.0" reads as an error to people
    group, point = _SEPARATORS[language]
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


def unit_label(unit: str, language: Language) -> str:
    """Return the word or symbol written after a number in ``unit``.

    Examples
    --------
    >>> unit_label("min", "vi"), unit_label("ha", "vi")
    ('phút', 'ha')
    """
    key = f"unit.{unit}"
    return translate(key, language) if key in CATALOGUE else unit


def _significant(value: float, digits: int) -> int:
    """Return the decimals that show ``value`` with ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(value))))


def format_quantity(value: float | None, unit: str, language: Language) -> str:
    """Format a measured value with its unit for people.

    Distances of 1 km or more given in metres are shown in kilometres; shares (0-1) as
    percentages; counts as whole numbers; other units with four significant digits.

    Parameters
    ----------
    value
        The value in ``unit``; ``None`` and NaN are shown as an en dash.
    unit
        ``"m"``, ``"km"``, ``"min"``, ``"h"``, ``"count"``, ``"share"`` (a fraction 0-1),
        ``"ha"``, ``""`` (unitless) or any other unit symbol, written as given.
    language
        ``"en"`` or ``"vi"``.

    Examples
    --------
    >>> format_quantity(12345.6, "m", "en"), format_quantity(850.2, "m", "vi")
    ('12.3 km', '850 m')
    >>> format_quantity(42.25, "min", "vi"), format_quantity(0.125, "share", "vi")
    ('42,2 phút', '12,5%')
    >>> format_quantity(1520.0, "count", "vi"), format_quantity(3.5, "ha", "en")
    ('1.520', '3.5 ha')
    """
    language = check_language(language)
    if value is None or math.isnan(value):
        return MISSING
    if unit == "m" and abs(value) >= 1000:
        value, unit = value / 1000, "km"
    if unit == "share":
        return format_number(100 * value, language, decimals=1) + unit_label("share", language)
    decimals = _UNIT_DECIMALS.get(unit, _significant(value, 4))
    number = format_number(value, language, decimals=decimals)
    label = unit_label(unit, language)
    return f"{number} {label}" if label and unit != "count" else number


_MONTHS_EN: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(value: dt.date, language: Language) -> str:
    """Format a date as people write it: ``22 November 2026`` or ``22/11/2026``.

    Examples
    --------
    >>> import datetime
    >>> day = datetime.date(2026, 7, 1)
    >>> format_date(day, "en"), format_date(day, "vi")
    ('1 July 2026', '01/07/2026')
    """
    language = check_language(language)
    if language == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


class LocalizedText(str):
    """Text written by a user in one or more languages; as a ``str``, the default one.

    A scenario's name, description and labels may be given once or per language
    (``{vi: ..., en: ...}``). The string value is the English text (else the first given),
    so code that only logs or compares names keeps working; renderers pick the reader's
    language with :func:`localized`.

    Examples
    --------
    >>> name = LocalizedText.from_mapping({"vi": "Cảng Cái Mép", "en": "Cai Mep port"})
    >>> str(name), localized(name, "vi")
    ('Cai Mep port', 'Cảng Cái Mép')
    """

    __slots__ = ("translations",)
    translations: dict[str, str]

    def __new__(cls, value: str, translations: Mapping[str, str]) -> Self:
        """Make a text whose string value is ``value``, with ``translations`` by language."""
        made = super().__new__(cls, value)
        made.translations = dict(translations)
        return made

    @classmethod
    def from_mapping(cls, texts: Mapping[str, str]) -> Self:
        """Make a text from ``{language: text}``: English is the default, else the first."""
        return cls(texts.get("en") or next(iter(texts.values())), texts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.translations))


def _scenario_text(value: object) -> str:
    """Validate a user-written text: a string, or one non-empty string per language."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if not value:
            msg = "give the text, or one text per language: {en: ..., vi: ...}"
            raise ValueError(msg)
        unknown = sorted(str(k) for k in value if k not in LANGUAGES)
        if unknown:
            msg = f"unknown language(s) {unknown}; texts may be given in {list(LANGUAGES)}"
            raise ValueError(msg)
        bad = sorted(str(k) for k, v in value.items() if not isinstance(v, str) or not v.strip())
        if bad:
            msg = f"the text in {bad} must be a non-empty string"
            raise ValueError(msg)
        return LocalizedText.from_mapping(value)
    msg = f"expected text, or one text per language ({{en: ..., vi: ...}}), got {value!r}"
    raise ValueError(msg)


#: A scenario field of user-written text: ``"text"`` or ``{en: "text", vi: "văn bản"}``.
ScenarioText = Annotated[
    str,
    PlainValidator(_scenario_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {code: {"type": "string", "minLength": 1} for code in LANGUAGES},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }
    ),
]


def localized(text: str | Mapping[str, str], language: Language) -> str:
    """Return user-written text in ``language``: a plain string, or one per language.

    Scenario titles and descriptions may be written once (shown as written in every
    language) or as ``{en: ..., vi: ...}``; a missing language falls back to English, then
    to the first one given.

    Raises
    ------
    ParameterError
        If the mapping is empty.

    Examples
    --------
    >>> title = {"en": "Distance to Cai Mep port", "vi": "Khoảng cách đến cảng Cái Mép"}
    >>> localized(title, "vi"), localized("Port", "vi")
    ('Khoảng cách đến cảng Cái Mép', 'Port')
    """
    language = check_language(language)
    if isinstance(text, LocalizedText):
        return text.translations.get(language) or str(text)
    if isinstance(text, str):
        return text
    if not text:
        msg = "a text given per language must give at least one language, e.g. {en: ..., vi: ...}"
        raise ParameterError(msg)
    return text.get(language) or text.get("en") or next(iter(text.values()))


@dataclass(frozen=True, slots=True)
class Translator:
    """Translate and format for one language; what renderers hold on to.

    Parameters
    ----------
    language
        ``"en"`` or ``"vi"``.

    Examples
    --------
    >>> t = Translator("vi")
    >>> t("popup.weight"), t.number(0.25, decimals=2), t.quantity(2500.0, "m")
    ('Trọng số', '0,25', '2,5 km')
    """

    language: Language = "en"

    def __post_init__(self) -> None:
        check_language(self.language)

    def __call__(self, key: str, **values: object) -> str:
        """Return the text of ``key`` with ``values`` filled in; see :func:`translate`."""
        return translate(key, self.language, **values)

    def number(self, value: float | None, *, decimals: int) -> str:
        """Format a number; see :func:`format_number`."""
        return format_number(value, self.language, decimals=decimals)

    def quantity(self, value: float | None, unit: str) -> str:
        """Format a value with its unit; see :func:`format_quantity`."""
        return format_quantity(value, unit, self.language)

    def date(self, value: dt.date) -> str:
        """Format a date; see :func:`format_date`."""
        return format_date(value, self.language)

    def text(self, value: str | Mapping[str, str]) -> str:
        """Pick user-written text in this language; see :func:`localized`."""
        return localized(value, self.language)


class _Phrasing(string.Formatter):
    """``str.format`` with numbers in one language's convention (``{x:,.1f}`` -> ``1.234,5``).

    Text given per language (:class:`LocalizedText`) is written in that language.
    """

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, LocalizedText):
            value = localized(value, self.language)
        text: str = super().format_field(value, format_spec)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and self.language != "en" and format_spec:
            group, point = _SEPARATORS[self.language]
            text = text.replace(",", "\0").replace(".", point).replace("\0", group)
        return text

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if isinstance(value, LocalizedText) and conversion is not None:
            return LocalizedText(
                repr(str(value)) if conversion == "r" else str(value),
                {k: repr(v) if conversion == "r" else v for k, v in value.translations.items()},
            )
        return super().convert_field(value, conversion)


def phrase(key: str, /, **values: object) -> LocalizedText:
    """Return the catalogue text of ``key`` in every language, as one :class:`LocalizedText`.

    Results carry such phrases (exclusion reasons, the rules of constraints): their string
    value is English, as written into tables, and each renderer shows them in its reader's
    language with :func:`localized`. Numbers are formatted by the template's format spec
    (``{area:.1f}``) with each language's separators; values that are themselves
    :class:`LocalizedText` are written in each language.

    Raises
    ------
    ParameterError
        If the key is unknown or a placeholder is missing.

    Examples
    --------
    >>> reason = phrase("reason.min_area", area=4.04, limit=5)
    >>> str(reason), localized(reason, "vi")
    ('area 4.0 ha < 5 ha', 'diện tích 4,0 ha < 5 ha')
    """
    if key not in CATALOGUE:
        translate(key)  # raises, with a did-you-mean
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        template = CATALOGUE[key][language]
        missing = sorted(_fields(template) - values.keys())
        if missing:
            msg = f"message {key!r} needs the value(s) {missing}; pass them as keyword arguments"
            raise ParameterError(msg)
        texts[language] = _Phrasing(language).format(template, **values)
    return LocalizedText(texts["en"], texts)


def _readable(key: str) -> str:
    return key.replace("_", " ").strip()


def layer_name(name: str) -> LocalizedText:
    """Name a layer for readers: its key in English, its title in other languages.

    A phrase quoting the layer (``layer {layer!r}``) shows the planner's key in English, as
    written in the scenario; in another language a bundled layer reads as its title there,
    and any other layer as its key with words for underscores.

    Examples
    --------
    >>> name = layer_name("ports")
    >>> str(name), localized(name, "vi"), localized(layer_name("flood_zones"), "vi")
    ('ports', 'Cảng biển', 'flood zones')
    """
    return _named(name, f"layer.{name}")


def network_name(name: str, *, profile: str) -> LocalizedText:
    """Name a road network for readers: its key in English, who drives it in other languages.

    Examples
    --------
    >>> name = network_name("trunk_truck", profile="truck")
    >>> str(name), localized(name, "vi")
    ('trunk_truck', 'đường bộ cho xe tải')
    """
    return _named(name, f"network.{profile}")


def key_name(name: str) -> LocalizedText:
    """Name a column or raster for readers: as written in English, with words elsewhere.

    Examples
    --------
    >>> localized(key_name("speed_kmh"), "vi")
    'speed kmh'
    """
    return _named(name, None)


def column_name(layer: str | None, column: str) -> LocalizedText:
    """Name a column of a bundled layer for readers, in every language.

    Parameters
    ----------
    layer
        The bundled layer the column belongs to (``"roads"``), or ``None`` for any other.
    column
        The column.

    Examples
    --------
    >>> localized(column_name("roads", "class"), "vi")
    'cấp đường'
    >>> localized(column_name(None, "n_lanes"), "vi")
    'n lanes'
    """
    key = f"column.{layer}.{column}"
    return _catalogued(key, _readable(column))


def value_name(layer: str | None, column: str, value: str) -> LocalizedText:
    """Name a text value of a bundled layer's column for readers, in every language.

    A value the catalogue does not know reads as written, with words for underscores.

    Examples
    --------
    >>> localized(value_name("roads", "class", "motorway"), "vi")
    'đường cao tốc'
    >>> str(value_name(None, "status", "partly_open"))
    'partly open'
    """
    key = f"value.{layer}.{column}.{value}"
    return _catalogued(key, _readable(value))


def _catalogued(key: str, fallback: str) -> LocalizedText:
    """Return the catalogue's ``key`` in every language, else ``fallback`` in all of them."""
    texts: dict[str, str] = {
        language: CATALOGUE[key][language] if key in CATALOGUE else fallback
        for language in LANGUAGES
    }
    return LocalizedText(texts["en"], texts)


def _named(name: str, key: str | None) -> LocalizedText:
    """Return ``name`` in English, the catalogue's ``key`` (else ``name`` in words) elsewhere."""
    texts: dict[str, str] = {
        language: CATALOGUE[key][language]
        if key is not None and key in CATALOGUE
        else _readable(name)
        for language in LANGUAGES
    }
    texts["en"] = name
    return LocalizedText(name, texts)


def join_phrases(parts: Sequence[str], separator: str = "; ") -> str:
    """Join texts, keeping the translations of those given per language.

    Examples
    --------
    >>> both = join_phrases([phrase("reason.no_geometry"), "x > 1"])
    >>> localized(both, "vi")
    'thửa đất không có hình học; x > 1'
    """
    if not any(isinstance(p, LocalizedText) for p in parts):
        return separator.join(parts)
    texts: dict[str, str] = {
        lang: separator.join(localized(p, lang) for p in parts) for lang in LANGUAGES
    }
    return LocalizedText(texts["en"], texts)
