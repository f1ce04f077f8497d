"""Smallest whole-vector weight change: checked against brute force on a simplex grid."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geosite.decision.aggregate import WLC, WeightedProduct, aggregate
from geosite.decision.robustness import min_weight_change
from geosite.decision.sensitivity import competition_ranks, winner_stability
from geosite.errors import ParameterError


def _grid(c: int, m: int) -> np.ndarray:
    return np.array([k for k in itertools.product(range(m + 1), repeat=c) if sum(k) == m]) / m


def _norm(d: np.ndarray, norm: str) -> np.ndarray:
    return np.abs(d).sum(axis=-1) if norm == "l1" else np.abs(d).max(axis=-1)


def _brute(totals: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Whether, per grid point, some outsider reaches the lowest insider."""
    low = np.where(inside, totals, np.inf).min(axis=1)
    high = np.where(inside, -np.inf, totals).max(axis=1)
    return high >= low


@pytest.mark.parametrize(("c", "m"), [(3, 240), (4, 60)])
@pytest.mark.parametrize("norm", ["l1", "linf"])
@pytest.mark.parametrize("top_k", [1, 3])
def test_exact_change_agrees_with_a_grid_over_the_simplex(c, m, norm, top_k) -> None:
    rng = np.random.default_rng(c * 10 + top_k)
    grid = _grid(c, m)
    for _ in range(4):
        s = rng.random((15, c))
        w0 = rng.dirichlet(np.ones(c))
        base = s @ w0
        inside = competition_ranks(base) <= top_k
        if top_k == 1:
            inside = np.arange(15) == np.argmax(base)
        change = min_weight_change(
            lambda w, s=s: w @ s.T,
            w0,
            profile=s,
            norm=norm,
            event="winner" if top_k == 1 else "top_k",
            top_k=top_k,
        )
        assert change.exact
        hit = _brute(grid @ s.T, inside)
        brute = _norm(grid[hit] - w0, norm).min()
        # The exact minimum is never above a grid point that changes the ranking, and a grid
        # point lies within one lattice step (in each coordinate) of the optimum.
        assert change.distance <= brute + 1e-9
        assert brute <= change.distance + (2.0 if norm == "l1" else 1.0) * c / m
        w = np.asarray(change.weights)
        assert w.sum() == pytest.approx(1.0, abs=1e-12)
        assert (w >= 0).all()
        assert _norm(w - w0, norm) == pytest.approx(change.distance, abs=1e-9)
        # At the returned weights the rival reaches the incumbent (a tie, to rounding).
        t = s @ w
        assert t[change.rival] >= t[change.incumbent] - 1e-9


def _greedy_l1(g: np.ndarray, w0: np.ndarray) -> float:
    """Independent closed form: move weight from the lowest-g criteria to the highest one.

    With one linear constraint g . w >= 0 on the simplex, the L1-nearest point moves mass
    to the criterion of largest g from those of smallest g, cheapest first (a fractional
    knapsack); L1 = 2 x the mass moved.
    """
    gap = -(g @ w0)
    top = int(np.argmax(g))
    moved = 0.0
    for k in np.argsort(g):
        if k == top or gap <= 0:
            continue
        gain = g[top] - g[k]
        take = min(w0[k], gap / gain)
        moved += take
        gap -= take * gain
    return 2.0 * moved


def test_l1_change_agrees_with_the_closed_form_to_1e9() -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        c = int(rng.integers(3, 9))
        s = rng.random((2, c))
        w0 = rng.dirichlet(np.ones(c))
        if s[0] @ w0 < s[1] @ w0:
            s = s[::-1].copy()
        g = s[1] - s[0]
        if g.max() <= 0:
            continue
        change = min_weight_change(lambda w, s=s: w @ s.T, w0, profile=s)
        assert change.distance == pytest.approx(_greedy_l1(g, w0), abs=1e-9)


def test_directions_overstate_the_change_that_the_simplex_finds() -> None:
    # B gains most from weight moved to criterion 3, taken first from criterion 0 (where A
    # leads most) and, once that is used up, from criterion 1: no single one-at-a-time or
    # pairwise move does it as cheaply. By hand: 0.02 from c0 closes 0.04 of the 0.06 gap,
    # the other 0.02 takes 0.02 / 1.2 from c1; 0.0367 moved against 0.05 along c1 -> c3.
    s = np.array([[1.0, 0.5, 0.5, 0.0], [0.0, 0.3, 0.5, 1.0]])
    w0 = np.array([0.02, 0.7, 0.18, 0.1])
    ws = winner_stability(s, w0, ids=["A", "B"])
    directional = float(ws.changes["weight_moved"].min())
    flip = ws.flip("winner", "l1")
    assert flip is not None
    assert flip.exact
    assert ws.smallest == pytest.approx(flip.weight_moved)
    assert flip.weight_moved < directional - 0.01
    assert flip.weight_moved == pytest.approx(0.02 + 0.02 / 1.2, abs=1e-9)
    assert directional == pytest.approx(0.05, abs=2e-3)


def test_no_change_possible_is_reported_as_missing() -> None:
    s = np.array([[0.9, 0.9], [0.1, 0.2]])
    change = min_weight_change(lambda w: w @ s.T, [0.5, 0.5], profile=s)
    assert np.isnan(change.distance)
    assert change.rival is None
    assert change.weights == (0.5, 0.5)


def test_a_tie_at_the_scenario_weights_is_a_change_of_zero() -> None:
    s = np.array([[0.6, 0.4], [0.4, 0.6]])
    change = min_weight_change(lambda w: w @ s.T, [0.5, 0.5], profile=s)
    assert change.distance == 0.0


@pytest.mark.parametrize("norm", ["l1", "linf"])
def test_search_is_an_upper_bound_for_the_weighted_product(norm) -> None:
    rng = np.random.default_rng(3)
    grid = _grid(3, 200)
    for _ in range(3):
        s = rng.uniform(0.05, 1.0, (10, 3))
        w0 = rng.dirichlet(np.ones(3) * 3)
        spec = WeightedProduct()
        totals = aggregate(s, grid, spec)
        base = aggregate(s, w0, spec)
        inside = np.arange(10) == np.argmax(base)
        hit = _brute(totals, inside)
        change = min_weight_change(lambda w, s=s, spec=spec: aggregate(s, w, spec), w0, norm=norm)
        assert not change.exact
        assert "upper bound" in change.bound
        brute = _norm(grid[hit] - w0, norm).min()
        # An upper bound on the true minimum, and close to the grid's answer.
        assert change.distance >= brute - 2.0 * 3 / 200
        assert change.distance <= brute + 0.02
        t = aggregate(s, np.asarray(change.weights), spec)
        assert t[change.rival] >= t[change.incumbent] - 1e-9


def test_bad_settings_are_refused() -> None:
    s = np.eye(2)
    with pytest.raises(ParameterError, match="norm"):
        min_weight_change(lambda w: w @ s.T, [0.5, 0.5], norm="l2")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="weights"):
        min_weight_change(lambda w: w @ s.T, [-1, 2])


def test_wlc_profile_is_the_scores() -> None:
    s = np.array([[0.8, 0.2], [0.3, 0.7]])
    ws = winner_stability(s, [0.6, 0.4], WLC(), ids=["A", "B"], top_k=1)
    flip = ws.flip("winner", "linf")
    assert flip is not None
    assert flip.distance == pytest.approx(0.1, abs=1e-9)
    assert flip.weights == pytest.approx((0.5, 0.5), abs=1e-9)


def test_one_search_serves_both_norms_and_shrinks_with_many_candidates(monkeypatch) -> None:
    from geosite.decision import robustness
    from geosite.decision.robustness import min_weight_changes

    rng = np.random.default_rng(8)
    s = rng.uniform(0.05, 1.0, (40, 3))
    w0 = np.array([0.5, 0.3, 0.2])
    spec = WeightedProduct()
    both = min_weight_changes(lambda w: aggregate(s, w, spec), w0)
    for change in both:
        single = min_weight_change(lambda w: aggregate(s, w, spec), w0, norm=change.norm)
        assert single.distance == pytest.approx(change.distance, abs=1e-12)
    # With a small budget only the corners and pairwise transfers are searched.
    monkeypatch.setattr(robustness, "SEARCH_BUDGET", 1)
    lean = min_weight_changes(lambda w: aggregate(s, w, spec), w0, norms=("l1",))[0]
    assert "along 6 pairwise transfers" in lean.bound
    assert lean.distance >= both[0].distance - 1e-12
