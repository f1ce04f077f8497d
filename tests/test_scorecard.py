"""Score cards: the margin to the next rank, checked by hand on the tiny project."""

from __future__ import annotations

from pathlib import Path

import pytest

from geosite import evaluate
from geosite.result.scorecard import score_cards


def card(cards, site: str, criterion: str):
    row = cards[(cards["site_id"] == site) & (cards["criterion"] == criterion)]
    assert len(row) == 1
    return row.iloc[0]


def test_margins_under_wlc_match_hand_computation(tiny_project: Path) -> None:
    # Totals: b 0.698 (rank 1), a 0.684 (rank 2); weights 0.6, 0.2, 0.2.
    # a's scores: port 1 - 2000/10000 = 0.8, road 1 - 9600/20000 = 0.52, count 1/2 = 0.5.
    cards = score_cards(evaluate(tiny_project / "scenario.yaml"))
    need_port = (0.698 - 0.2 * 0.52 - 0.2 * 0.5) / 0.6
    port = card(cards, "a", "port_distance")
    assert port["needed_score"] == pytest.approx(need_port, abs=1e-6)
    assert port["target_raw"] == pytest.approx(10000 * (1 - need_port), abs=0.05)
    assert port["margin_to_next_rank"] == pytest.approx(10000 * (1 - need_port) - 2000, abs=0.05)
    road = card(cards, "a", "road_distance")
    need_road = (0.698 - 0.6 * 0.8 - 0.2 * 0.5) / 0.2
    assert road["margin_to_next_rank"] == pytest.approx(20000 * (1 - need_road) - 9600, abs=0.1)
    count = card(cards, "a", "ports_within_3km")
    need_count = (0.698 - 0.6 * 0.8 - 0.2 * 0.52) / 0.2
    assert count["margin_to_next_rank"] == pytest.approx(2 * need_count - 1, abs=1e-4)


def test_first_and_excluded_candidates_have_notes(tiny_project: Path) -> None:
    cards = score_cards(evaluate(tiny_project / "scenario.yaml"))
    assert set(cards.loc[cards["site_id"] == "b", "margin_note"]) == {"ranked first"}
    assert set(cards.loc[cards["site_id"] == "c", "margin_note"]) == {"excluded"}
    assert cards["contribution"].groupby(cards["site_id"]).sum().loc["a"] == pytest.approx(
        cards.loc[cards["site_id"] == "a", "total_score"].iloc[0]
    )


def test_unreachable_margin_is_missing_with_a_reason(tiny_project: Path) -> None:
    # With the road weighted low, no road distance alone can close a 0.5 gap.
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text()
        .replace("best: 2, worst: 0}\n    weight: 1", "best: 2, worst: 0}\n    weight: 1\n")
        .replace("weight: 3", "weight: 30"),
        encoding="utf-8",
    )
    result = evaluate(path)
    cards = score_cards(result)
    second = result.table.iloc[1]["site_id"]
    road = card(cards, second, "road_distance")
    gap = result.table.iloc[0]["total_score"] - result.table.iloc[1]["total_score"]
    room = road["weight"] * (1 - road["score"])
    if room < gap:
        assert road["margin_note"] == "cannot reach the next rank on this criterion alone"
    else:
        assert road["margin_to_next_rank"] < 0


def test_bundled_score_cards_cover_every_candidate_and_criterion() -> None:
    result = evaluate("dong-nam-bo")
    cards = score_cards(result)
    assert len(cards) == len(result.table) * len(result.criteria)
    moved = cards.dropna(subset=["margin_to_next_rank"])
    assert not moved.empty
    # Moving up on a 'smaller is better' criterion means a smaller raw value.
    times = moved[moved["criterion"] == "port_truck_time"]
    assert (times["margin_to_next_rank"] < 0).all()
