"""The what-if panel's data: which methods the browser may recompute, weights, switches."""

from __future__ import annotations

import base64
import dataclasses
import textwrap
import typing
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from geosite import evaluate
from geosite.cli import EXIT_OK, main
from geosite.decision.aggregate import TOPSIS, WLC, AggregationSpec
from geosite.render import result_to_map, results_to_map
from geosite.render.whatif import BROWSER_METHODS, browser_aggregation, what_if_payload
from geosite.scenario import load_scenario

PANEL = "geosite.whatIf("


def _variants() -> list[type]:
    union = typing.get_args(AggregationSpec)[0]
    return list(typing.get_args(union))


def test_every_method_is_either_recomputed_or_refused() -> None:
    for cls in _variants():
        method = cls.model_fields["method"].default
        spec = cls(alpha=1.0) if method == "owa" else cls()
        got = browser_aggregation(spec)
        if method in BROWSER_METHODS:
            assert got is not None
            assert got["method"] == method
        else:
            assert got is None, method


def test_unknown_method_or_parameter_is_refused() -> None:
    class Promethee(WLC):
        method: Literal["promethee"] = "promethee"  # type: ignore[assignment]

    class NormalisedTopsis(TOPSIS):
        normalisation: str = "linear_max"

    assert browser_aggregation(Promethee()) is None
    assert browser_aggregation(NormalisedTopsis()) is None
    assert browser_aggregation(TOPSIS()) == {
        "method": "topsis",
        "normalization": "vector",
        "cost": [],
    }
    # Other normalisations and cost criteria are not computed in the browser.
    assert browser_aggregation(TOPSIS(normalization="minmax")) is None
    assert browser_aggregation(TOPSIS(cost=["a"])) is None


def test_payload_carries_exact_scores_and_flags() -> None:
    result = evaluate("dong-nam-bo")
    p = what_if_payload(result, bins=[0.5, 1.0], drawn=4, max_labels=2, lang="vi")
    scores = np.frombuffer(base64.b64decode(p["scores"]), dtype="<f8").reshape(p["n"], -1)
    expected = np.column_stack([result.table[f"{s.name}_score"] for s in result.criteria])
    assert np.array_equal(scores, expected, equal_nan=True)
    assert p["eligible"] == "".join("0" if e else "1" for e in result.table["excluded"])
    assert p["extraNames"] == result.table["name"].iloc[4:].tolist()
    assert len(p["labels"]) == 2 * 4
    assert p["text"]["reset"] == "Về trọng số của kịch bản"
    assert p["group"] == "."
    assert p["extends"] == "dong-nam-bo"
    assert p["nextTo"] is None


def _groups_scenario(folder: Path) -> Path:
    path = folder / "grouped.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            extends: dong-nam-bo
            name: grouped
            weighting:
              method: groups
              group_weighting:
                method: ahp
                criteria: [access, city]
                matrix: [[1, 3], ["1/3", 1]]
              groups:
                - name: access
                  criteria: [port_truck_time, long_thanh_airport_time,
                             tan_son_nhat_airport_distance, trunk_road_distance]
                  weighting:
                    method: groups
                    groups:
                      - {name: port and roads, weight: 2,
                         criteria: [port_truck_time, trunk_road_distance]}
                      - name: airports
                        weight: 1
                        criteria: [long_thanh_airport_time, tan_son_nhat_airport_distance]
                        weighting: {method: rank, order: [long_thanh_airport_time,
                                                          tan_son_nhat_airport_distance]}
                - name: city
                  criteria: [industrial_park_distance, industrial_parks_within_15km,
                             hcmc_centre_distance]
            criteria:
              - {name: long_thanh_airport_time, weight: null}
              - {name: tan_son_nhat_airport_distance, weight: null}
            """
        ),
        encoding="utf-8",
    )
    return path


def test_grouped_weights_give_one_slider_per_group_and_member(tmp_path: Path) -> None:
    result = evaluate(_groups_scenario(tmp_path))
    p = what_if_payload(result, bins=[1.0], drawn=6, max_labels=0, lang="en")
    assert [g["name"] for g in p["tree"]] == ["access", "city"]
    assert [g["name"] for g in p["tree"][0]["items"]] == ["port and roads", "airports"]
    # Independently: the product of shares down each branch is the resolved weight.
    found = {}

    def walk(items: list[dict[str, object]], scale: float) -> None:
        for node in items:
            share = scale * float(node["weight"])  # type: ignore[arg-type]
            if "items" in node:
                walk(node["items"], share)  # type: ignore[arg-type]
            else:
                found[p["criteria"][node["criterion"]]] = share  # type: ignore[index]

    walk(p["tree"], 1.0)
    assert found == pytest.approx(result.weights.weights, abs=1e-15)
    assert p["extends"] == "grouped.yaml"
    assert p["nextTo"] == "grouped.yaml"
    assert p["fileName"] == "grouped-what-if.yaml"


def test_scenario_without_file_cannot_be_extended() -> None:
    result = evaluate("dong-nam-bo")
    scenario = load_scenario("dong-nam-bo")
    detached = scenario.model_copy()
    detached._source = None
    p = what_if_payload(
        dataclasses.replace(result, scenario=detached),
        bins=[1.0],
        drawn=6,
        max_labels=0,
        lang="en",
    )
    assert p["extends"] is None


def test_panel_is_on_by_default_and_can_be_switched_off(tmp_path: Path) -> None:
    result = evaluate("dong-nam-bo")
    assert PANEL in result_to_map(result).get_root().render()
    assert PANEL not in result_to_map(result, what_if=False).get_root().render()
    two = results_to_map([result, evaluate("port-led")])
    assert PANEL not in two.get_root().render()


def test_cli_flag_and_scenario_option_leave_the_panel_out(tiny_project: Path) -> None:
    scenario = tiny_project / "scenario.yaml"
    out = tiny_project / "out"
    assert main(["run", str(scenario), "--out", str(out), "--offline"]) == EXIT_OK
    assert PANEL in (out / "map.html").read_text(encoding="utf-8")
    assert main(["run", str(scenario), "--out", str(out), "--no-what-if"]) == EXIT_OK
    assert PANEL not in (out / "map.html").read_text(encoding="utf-8")
    scenario.write_text(
        scenario.read_text(encoding="utf-8") + "outputs: {what_if: false}\n", encoding="utf-8"
    )
    assert main(["run", str(scenario), "--out", str(out)]) == EXIT_OK
    assert PANEL not in (out / "map.html").read_text(encoding="utf-8")


def test_report_map_has_the_panel_unless_switched_off(tmp_path: Path) -> None:
    from geosite.render.report import write_report

    result = evaluate("dong-nam-bo")
    write_report(result, tmp_path / "on", cards=1)
    assert PANEL in (tmp_path / "on" / "map.html").read_text(encoding="utf-8")
    write_report(result, tmp_path / "off", cards=1, what_if=False)
    assert PANEL not in (tmp_path / "off" / "map.html").read_text(encoding="utf-8")
