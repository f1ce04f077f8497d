"""Sensitivity: checked against closed forms, scipy distributions and naive loops per draw."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geosite.decision.aggregate import TOPSIS, WLC, WeightedProduct, aggregate
from geosite.decision.sensitivity import (
    _perturbed_functions,
    competition_ranks,
    dirichlet_concentration,
    rank_stability,
    sample_weights,
    sensitivity,
    winner_stability,
)
from geosite.decision.transforms import Linear, Sigmoidal
from geosite.errors import ParameterError


def _flip_weight(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Weight w of criterion 1 at which w a1 + (1 - w) a2 = w b1 + (1 - w) b2."""
    return (b[1] - a[1]) / ((a[0] - a[1]) - (b[0] - b[1]))


def test_two_by_two_winner_flips_at_the_closed_form_weight() -> None:
    a, b, w0 = (0.8, 0.2), (0.3, 0.7), 0.6
    w_star = _flip_weight(a, b)  # 0.5
    ws = winner_stability([a, b], [w0, 1 - w0], ids=["A", "B"], criteria=["x", "y"], step=0.1)
    assert ws.winner == "A"
    assert ws.exact
    assert ws.smallest == pytest.approx(w0 - w_star, abs=1e-12)
    first = ws.changes.iloc[0]
    assert first["new_winner"] == "B"
    lowered_x = ws.changes[(ws.changes["criterion"] == "x") & (ws.changes["direction"] == "down")]
    assert lowered_x["weight_after"].to_numpy() == pytest.approx([w_star])
    # Lowering x by (w0 - w*) / w0 = 16.7 % flips it: not fragile at 10 %, fragile at 20 %.
    assert ws.smallest_relative == pytest.approx((w0 - w_star) / w0)
    assert not ws.fragile
    assert winner_stability([a, b], [w0, 1 - w0], step=0.2).fragile
    # Raising x only widens A's lead: no change in that direction.
    up = ws.changes[(ws.changes["criterion"] == "x") & (ws.changes["direction"] == "up")]
    assert up["weight_moved"].isna().all()


def test_weighted_product_flip_is_found_numerically() -> None:
    a, b, w0 = (0.9, 0.3), (0.4, 0.8), 0.7
    la, lb = np.log(a), np.log(b)
    w_star = (lb[1] - la[1]) / ((la[0] - la[1]) - (lb[0] - lb[1]))
    ws = winner_stability([a, b], [w0, 1 - w0], WeightedProduct(), ids=["A", "B"])
    assert not ws.exact
    assert ws.winner == "A"
    assert ws.smallest == pytest.approx(w0 - w_star, abs=1e-9)


def test_weight_change_on_many_candidates_matches_a_brute_force_scan() -> None:
    rng = np.random.default_rng(4)
    scores = rng.random((40, 4))
    w = np.array([0.4, 0.3, 0.2, 0.1])
    ws = winner_stability(scores, w)
    base = int(np.argmax(scores @ w))
    # Independent check: scan each pairwise transfer finely and find the first flip.
    best = math.inf
    for j in range(4):
        for k in range(4):
            if j == k:
                continue
            t = np.linspace(0, w[k], 20_001)
            u = np.zeros(4)
            u[j], u[k] = 1, -1
            winners = np.argmax((w + t[:, None] * u) @ scores.T, axis=1)
            changed = np.flatnonzero(winners != base)
            if changed.size:
                best = min(best, t[changed[0]])
    oat_free = ws.changes[ws.changes["kind"] == "pair"]["weight_moved"].min()
    assert oat_free == pytest.approx(best, abs=w.max() / 20_000 + 1e-12)


def test_competition_ranks_match_scipy() -> None:
    totals = np.array([[0.2, 0.9, 0.5, 0.9, 0.1], [0.3, 0.3, 0.3, 0.1, 0.7]])
    expected = np.array([stats.rankdata(-row, method="min") for row in totals])
    assert np.array_equal(competition_ranks(totals), expected)


def test_dirichlet_spread_is_the_cv_of_an_average_weight() -> None:
    c, spread = 5, 0.25
    kappa = dirichlet_concentration(spread, c)
    w = np.full(c, 1 / c)
    draws = sample_weights(w, draws=100_000, spread=spread, rng=3)
    assert np.allclose(draws.sum(axis=1), 1.0)
    # Independent: Dir(kappa/c, ...) marginals are Beta(kappa/c, kappa (c-1)/c).
    marginal = stats.beta(kappa / c, kappa * (c - 1) / c)
    assert marginal.std() / marginal.mean() == pytest.approx(spread)
    assert draws[:, 0].std() / draws[:, 0].mean() == pytest.approx(spread, rel=0.02)


def test_zero_weights_stay_zero_and_seeds_reproduce() -> None:
    w = [0.5, 0.0, 0.5]
    one = sample_weights(w, draws=50, spread=0.3, rng=11)
    assert (one[:, 1] == 0).all()
    assert np.array_equal(one, sample_weights(w, draws=50, spread=0.3, rng=11))
    assert not np.array_equal(one, sample_weights(w, draws=50, spread=0.3, rng=12))


@pytest.mark.parametrize("spread", [0.0, -0.1, 2.0, math.nan])
def test_bad_spread_is_refused(spread: float) -> None:
    with pytest.raises(ParameterError, match="spread must be"):
        dirichlet_concentration(spread, 5)


def _naive(scores, w, spec, *, draws, spread, seed, top_k):
    """One aggregate call and one scipy ranking per draw: what a user would write."""
    weights = sample_weights(w, draws=draws, spread=spread, rng=np.random.default_rng(seed))
    ranks = np.array([stats.rankdata(-aggregate(scores, x, spec), method="min") for x in weights])
    first = ranks == 1
    return ranks, (first / first.sum(axis=1, keepdims=True)).mean(axis=0), (ranks <= top_k).mean(0)


@pytest.mark.parametrize("spec", [WLC(), WeightedProduct()])
def test_monte_carlo_matches_a_loop_per_draw_including_ties(spec) -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(0.05, 1, (60, 4))
    scores[10] = scores[3]
    scores[20] = scores[3]  # three identical candidates always tie
    w = np.array([0.4, 0.3, 0.2, 0.1])
    got = rank_stability(scores, w, spec, draws=400, seed=5, top_k=4, block_cells=997, threads=2)
    ranks, p_first, p_top = _naive(scores, w, spec, draws=400, spread=0.2, seed=5, top_k=4)
    assert np.allclose(got.p_first, p_first)
    assert np.allclose(got.p_top_k, p_top)
    assert np.array_equal(got.rank_min, ranks.min(axis=0))
    assert np.array_equal(got.rank_max, ranks.max(axis=0))
    ordered = np.sort(ranks, axis=0)
    assert np.array_equal(got.rank_p05, ordered[math.ceil(0.05 * 400) - 1])
    assert np.array_equal(got.rank_p95, ordered[math.ceil(0.95 * 400) - 1])
    assert got.p_first.sum() == pytest.approx(1.0)
    assert got.rank_min[10] == got.rank_min[3] == got.rank_min[20]


def test_topsis_ranks_only_the_ranked_but_idealises_over_all_scored() -> None:
    rng = np.random.default_rng(8)
    scores = rng.random((30, 3))
    ranked = np.ones(30, dtype=bool)
    ranked[[0, 5]] = False  # excluded by a constraint, still part of the ideal points
    got = rank_stability(scores, [0.5, 0.3, 0.2], TOPSIS(), draws=100, seed=1, ranked=ranked)
    weights = sample_weights([0.5, 0.3, 0.2], draws=100, spread=0.2, rng=np.random.default_rng(1))
    ranks = np.array(
        [stats.rankdata(-aggregate(scores, x, TOPSIS())[ranked], method="min") for x in weights]
    )
    assert np.array_equal(got.rank_max, ranks.max(axis=0))
    assert got.p_first.size == 28


def test_results_do_not_depend_on_blocks_or_threads() -> None:
    rng = np.random.default_rng(1)
    scores = rng.random((500, 6))
    w = rng.random(6)
    a = rank_stability(scores, w, draws=300, seed=9, block_cells=10_000, threads=1)
    b = rank_stability(scores, w, draws=300, seed=9, block_cells=200_000, threads=3)
    for name in ("rank_min", "rank_max", "rank_p05", "rank_p95", "p_first", "p_top_k"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.p_top_k.sum() == pytest.approx(3.0)


def test_progress_is_reported_up_to_the_number_of_draws() -> None:
    seen: list[tuple[int, int]] = []
    rank_stability(
        np.random.default_rng(0).random((50, 3)),
        [1, 1, 1],
        draws=120,
        seed=0,
        block_cells=50 * 25,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_perturbed_thresholds_are_rebuilt_through_validation() -> None:
    runs = _perturbed_functions(Linear(best=0, worst=60), 0.1)
    assert [(p, before, after) for p, before, after, _ in runs] == [
        ("best", 0.0, 6.0),
        ("best", 0.0, -6.0),
        ("worst", 60.0, 66.0),
        ("worst", 60.0, 54.0),
    ]
    assert runs[2][3] == Linear(best=0, worst=66)
    # Raising the end of `rise` past the start of `fall` is invalid: reported, not scored.
    sig = _perturbed_functions(Sigmoidal(rise=[10, 50], fall=[52, 90]), 0.1)
    invalid = {p: why for p, _, _, why in sig if isinstance(why, str)}
    assert sorted(invalid) == ["fall[0]", "rise[1]"]  # 55 > 52 and 46.8 < 50
    assert all("must end at or before" in why for why in invalid.values())
    assert sum(not isinstance(why, str) for *_, why in sig) == 6


@pytest.fixture
def two_criteria(tiny_project: Path) -> Path:
    """The tiny project with two criteria: a flip weight computable by hand."""
    path = tiny_project / "two.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            name: two criteria
            crs: EPSG:32648
            layers:
              sites: {path: data/candidates.gpkg, layer: sites, id: site_id}
              my_ports: {path: data/ports.gpkg, id: port_id}
              my_roads: {path: data/roads.gpkg, id: road_id}
            candidates: {layer: sites, id: site_id, name: name}
            criteria:
              - name: port_distance
                measure: {type: distance, layer: my_ports}
                value: {type: linear, best: 0, worst: 10000}
                weight: 3
              - name: road_distance
                measure: {type: distance, layer: my_roads}
                value: {type: linear, best: 0, worst: 20000}
                weight: 1
            constraints:
              - {type: min_area, min_ha: 5}
            """
        ),
        encoding="utf-8",
    )
    return path


def test_sensitivity_of_a_scenario_solved_by_hand(two_criteria: Path) -> None:
    # a: port 2000 m -> 0.8, road 9600 m -> 0.52; b: port 2600 m -> 0.74, road 4600 m -> 0.77.
    a, b = (0.8, 0.52), (0.74, 0.77)
    w0 = 0.75
    w_star = _flip_weight(a, b)  # 0.25 / 0.31
    report = sensitivity(two_criteria, draws=20_000, seed=2, step=0.1, top_k=1)
    table = report.candidates.set_index("site_id")
    assert report.winner.winner == "b"
    assert report.winner.smallest == pytest.approx(w_star - w0, abs=1e-9)
    assert report.winner.changes.iloc[0]["new_winner"] == "a"
    # The flip needs +7.5 % on the port weight: fragile at a 10 % step.
    assert report.winner.smallest_relative == pytest.approx((w_star - w0) / w0)
    assert report.winner.fragile
    assert table.loc["a", "weight_to_first"] == pytest.approx(w_star - w0)
    assert table.loc["b", "weight_to_first"] == 0
    # P(b first) = P(W_port < w*) with W_port ~ Beta(kappa w0, kappa (1 - w0)).
    kappa = dirichlet_concentration(0.2, 2)
    p_b = stats.beta(kappa * w0, kappa * (1 - w0)).cdf(w_star)
    assert table.loc["b", "p_first"] == pytest.approx(
        p_b, abs=4 * math.sqrt(p_b * (1 - p_b) / 20_000)
    )
    assert table["p_first"].sum() == pytest.approx(1.0)
    assert table.loc["b", "p_top_1"] == table.loc["b", "p_first"]
    # c is excluded (4 ha < 5 ha) and stays so.
    assert table.loc["c", "excluded"]
    assert table.loc["c", "p_first"] == 0
    assert table[["rank_min", "rank_max"]].loc["c"].isna().all()
    # One-at-a-time: +/-10 % on the port weight, renormalised; neither reaches w*.
    oat = report.weights.set_index(["criterion", "change"])
    assert oat.loc[("port_distance", 0.1), "weight_after"] == pytest.approx(0.825 / 1.075)
    assert oat.loc[("port_distance", -0.1), "weight_after"] == pytest.approx(0.675 / 0.925)
    assert not report.weights["winner_changed"].any()
    # Thresholds: worst 10,000 -> 11,000 m gives a 0.8182 / b 0.7636 on port distance.
    thr = report.thresholds.set_index(["criterion", "parameter", "value_after"])
    row = thr.loc[("port_distance", "worst", 11000.0)]
    total_a = w0 * (1 - 2000 / 11000) + (1 - w0) * 0.52
    total_b = w0 * (1 - 2600 / 11000) + (1 - w0) * 0.77
    assert (row["winner"] == "a") == (total_a > total_b)
    assert row["kendall_tau"] == (1.0 if total_b > total_a else -1.0)


def test_sensitivity_is_reproducible_with_a_seed(two_criteria: Path) -> None:
    one = sensitivity(two_criteria, draws=500, seed=3)
    two = sensitivity(two_criteria, draws=500, seed=3)
    assert one.candidates.equals(two.candidates)
    fresh = sensitivity(two_criteria, draws=10)
    assert isinstance(fresh.seed, int)
    again = sensitivity(two_criteria, draws=10, seed=fresh.seed)
    assert fresh.candidates.equals(again.candidates)


def test_sensitivity_refuses_bad_settings(two_criteria: Path) -> None:
    with pytest.raises(ParameterError, match="step must be"):
        sensitivity(two_criteria, step=1.5)
    with pytest.raises(ParameterError, match="top_k must be"):
        sensitivity(two_criteria, top_k=0)
    text = two_criteria.read_text(encoding="utf-8").replace("min_ha: 5", "min_ha: 500")
    two_criteria.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match="ranks no candidate"):
        sensitivity(two_criteria)


def test_without_quantiles_the_bounds_stay_exact() -> None:
    rng = np.random.default_rng(2)
    scores = rng.random((80, 3))
    scores[5] = scores[6]
    full = rank_stability(scores, [0.5, 0.3, 0.2], draws=200, seed=4, block_cells=2000)
    lean = rank_stability(
        scores, [0.5, 0.3, 0.2], draws=200, seed=4, block_cells=2000, quantiles=False
    )
    assert np.array_equal(full.rank_min, lean.rank_min)
    assert np.array_equal(full.rank_max, lean.rank_max)
    assert np.array_equal(full.p_first, lean.p_first)
    assert (lean.rank_p05 == -1).all()


@pytest.mark.parametrize(
    "aggregation",
    [
        "{method: weighted_product}",
        "{method: owa, alpha: 0.5}",
        "{method: fuzzy_gamma, gamma: 0.5}",
        "{method: topsis}",
        "{method: topsis, normalization: minmax, cost: [road_distance]}",
        "{method: fuzzy_and}",
        "{method: vikor, v: 0.3}",
        (
            "{method: promethee_ii, preference: {type: linear, q: 0.05, p: 0.3}, "
            "criteria: {port_distance: {type: gaussian, s: 0.2}}}"
        ),
        "{method: electre_iii, thresholds: {q: 0.05, p: 0.2, v: 0.7}}",
    ],
)
def test_sensitivity_runs_for_every_aggregation(tiny_project: Path, aggregation: str) -> None:
    path = tiny_project / "scenario.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + f"aggregation: {aggregation}\n", encoding="utf-8"
    )
    report = sensitivity(path, draws=200, seed=1)
    assert report.candidates["p_first"].sum() == pytest.approx(1.0)
    # Net flows are linear in the weights: PROMETHEE's weight changes are solved exactly.
    assert report.winner.exact == ("promethee" in aggregation)
    assert all(f.exact == report.winner.exact for f in report.winner.flips)
    assert report.candidates.set_index("site_id").loc["c", "excluded"]
    table = report.candidates.set_index("site_id")
    assert table.loc[report.winner.winner, "weight_to_first"] == 0


def test_quantiles_that_would_not_fit_in_memory_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geosite.decision.sensitivity as module

    monkeypatch.setattr(module, "MAX_RANK_BYTES", 1000)
    scores = np.random.default_rng(0).random((100, 3))
    with pytest.raises(ParameterError, match="quantiles=False"):
        rank_stability(scores, [1, 1, 1], draws=100)
    lean = rank_stability(scores, [1, 1, 1], draws=100, quantiles=False)
    assert lean.p_first.sum() == pytest.approx(1.0)


def test_identical_candidates_share_their_results(tiny_project: Path) -> None:
    # Two copies of site b: they always tie, share first place and the weight change to it.
    data = tiny_project / "data" / "candidates.gpkg"
    sites = gpd.read_file(data, layer="sites")
    twin = sites.iloc[[1]].assign(site_id="b2", name="Site B twin")
    pd.concat([sites, twin]).pipe(gpd.GeoDataFrame, crs=sites.crs).to_file(
        data, layer="sites", mode="w"
    )
    report = sensitivity(tiny_project / "scenario.yaml", draws=300, seed=0)
    table = report.candidates.set_index("site_id")
    assert table.loc["b", "p_first"] == pytest.approx(table.loc["b2", "p_first"])
    assert table["p_first"].sum() == pytest.approx(1.0)
    assert table.loc["b", "weight_to_first"] == table.loc["b2", "weight_to_first"] == 0
    assert table.loc["b", "rank_max"] == table.loc["b2", "rank_max"]


def test_threshold_draws_match_an_independent_simulation(two_criteria: Path) -> None:
    # Every best/worst drawn uniformly within +/-30 % (best 0: +/-30 % of worst).
    report = sensitivity(two_criteria, draws=10, seed=6, step=0.3, threshold_draws=2000)
    rng = np.random.default_rng(0)
    n, step = 400_000, 0.3

    def linear(x, best, worst):
        return np.clip((x - worst) / (best - worst), 0, 1)

    pb, pw = rng.uniform(-step, step, n) * 10_000, 10_000 * (1 + rng.uniform(-step, step, n))
    rb, rw = rng.uniform(-step, step, n) * 20_000, 20_000 * (1 + rng.uniform(-step, step, n))
    total_a = 0.75 * linear(2000, pb, pw) + 0.25 * linear(9600, rb, rw)
    total_b = 0.75 * linear(2600, pb, pw) + 0.25 * linear(4600, rb, rw)
    expected = float((total_a > total_b).mean())  # about 0.12
    table = report.candidates.set_index("site_id")
    got = table.loc["a", "threshold_mc_p_first"]
    assert got == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 2000))
    assert table["threshold_mc_p_first"].sum() == pytest.approx(1.0)
    assert table.loc["a", "threshold_mc_rank_min"] == 1
    assert pd.isna(table.loc["c", "threshold_mc_rank_max"])
    assert report.invalid_threshold_draws == 0
    again = sensitivity(two_criteria, draws=10, seed=6, step=0.3, threshold_draws=2000)
    assert again.candidates.equals(report.candidates)
    none = sensitivity(two_criteria, draws=10, seed=6, threshold_draws=0)
    assert "threshold_mc_p_first" not in none.candidates.columns
