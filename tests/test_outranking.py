"""TOPSIS, VIKOR, PROMETHEE II and ELECTRE III against pymcdm and independent loops."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pymcdm import methods as pm
from pymcdm import normalizations as pn

from geosite.decision.aggregate import (
    ELECTRE,
    PROMETHEE,
    TOPSIS,
    VIKOR,
    Preference,
    Thresholds,
    aggregate,
    contributions,
    linear_profile,
)
from geosite.decision.outranking import unicriterion_flow
from geosite.errors import ParameterError

NAMES = ["a", "b", "c", "d"]


@pytest.fixture
def matrix() -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.random((30, 4))


W = np.array([0.4, 0.3, 0.2, 0.1])


@pytest.mark.parametrize(
    ("how", "norm"),
    [
        ("vector", pn.vector_normalization),
        ("minmax", pn.minmax_normalization),
        ("max", pn.max_normalization),
    ],
)
@pytest.mark.parametrize("cost", [[], ["b", "d"]])
def test_topsis_agrees_with_pymcdm(matrix, how, norm, cost) -> None:
    types = np.array([-1 if n in cost else 1 for n in NAMES])
    expected = pm.TOPSIS(normalization_function=norm)(matrix, W, types)
    got = aggregate(matrix, W, TOPSIS(normalization=how, cost=cost), criteria=NAMES)
    assert got == pytest.approx(expected, abs=1e-9)


def test_topsis_default_is_unchanged_vector_benefit(matrix) -> None:
    # The written-out textbook closeness (Hwang & Yoon 1981), vector normalised.
    r = matrix / np.sqrt((matrix**2).sum(axis=0))
    v = r * W
    dp = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    dm = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    assert aggregate(matrix, W, TOPSIS()) == pytest.approx(dm / (dp + dm), abs=1e-12)


@pytest.mark.parametrize("v", [0.0, 0.5, 0.8])
@pytest.mark.parametrize("cost", [[], ["a"]])
def test_vikor_agrees_with_pymcdm(matrix, v, cost) -> None:
    types = np.array([-1 if n in cost else 1 for n in NAMES])
    q = pm.VIKOR(v=v)(matrix, W, types)
    got = aggregate(matrix, W, VIKOR(v=v, cost=cost), criteria=NAMES)
    assert got == pytest.approx(1.0 - q, abs=1e-9)
    # Contributions are the weighted regrets: they add up to minus S.
    best = np.where(types < 0, matrix.min(axis=0), matrix.max(axis=0))
    worst = np.where(types < 0, matrix.max(axis=0), matrix.min(axis=0))
    s = (W * (best - matrix) / (best - worst)).sum(axis=1)
    parts = contributions(matrix, W, VIKOR(v=v, cost=cost), criteria=NAMES)
    assert parts.sum(axis=1) == pytest.approx(-s, abs=1e-12)


PYMCDM_TYPES = {
    "usual": ("usual", None, None),
    "u_shape": ("ushape", 0.1, None),
    "v_shape": ("vshape", None, 0.3),
    "level": ("level", 0.1, 0.3),
    "linear": ("vshape_2", 0.1, 0.3),
}


@pytest.mark.parametrize("kind", list(PYMCDM_TYPES))
def test_promethee_agrees_with_pymcdm(matrix, kind) -> None:
    name, q, p = PYMCDM_TYPES[kind]
    qs = None if q is None else [q] * 4
    ps = None if p is None else [p] * 4
    expected = pm.PROMETHEE_II(name, p=ps, q=qs)(matrix, W, np.ones(4))
    spec = PROMETHEE(preference=Preference(type=kind, q=q, p=p))
    got = aggregate(matrix, W, spec)
    assert got == pytest.approx(0.5 * (1.0 + expected), abs=1e-9)


def _pref(d: float, kind: str, q: float, p: float, s: float) -> float:
    """Brans & Vincke's (1985) six preference functions, written out for one difference."""
    if d <= 0:
        return 0.0
    if kind == "usual":
        return 1.0
    if kind == "u_shape":
        return 1.0 if d > q else 0.0
    if kind == "v_shape":
        return d / p if d <= p else 1.0
    if kind == "level":
        return 0.0 if d <= q else (0.5 if d <= p else 1.0)
    if kind == "linear":
        return 0.0 if d <= q else ((d - q) / (p - q) if d <= p else 1.0)
    return 1.0 - np.exp(-(d * d) / (2 * s * s))


def test_promethee_with_a_function_per_criterion_agrees_with_a_pairwise_loop() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((25, 4))
    x[3] = x[7]  # identical candidates
    x[:, 2] = np.round(x[:, 2], 1)  # ties within a criterion
    prefs = {
        "a": Preference(type="gaussian", s=0.2),
        "b": Preference(type="level", q=0.05, p=0.25),
        "c": Preference(type="v_shape", p=0.35),
        "d": Preference(type="linear", q=0.02, p=0.4),
    }
    spec = PROMETHEE(criteria=prefs)
    n = len(x)
    phi = np.zeros(n)
    for a, b in itertools.permutations(range(n), 2):
        for j, name in enumerate(NAMES):
            f = prefs[name]
            args = (f.type, f.q or 0, f.p or 0, f.s or 0)
            phi[a] += W[j] * (_pref(x[a, j] - x[b, j], *args) - _pref(x[b, j] - x[a, j], *args))
    phi /= n - 1
    assert aggregate(x, W, spec, criteria=NAMES) == pytest.approx(0.5 * (1 + phi), abs=1e-9)
    parts = contributions(x, W, spec, criteria=NAMES)
    assert parts.sum(axis=1) == pytest.approx(0.5 * phi, abs=1e-9)
    profile = linear_profile(x, spec, criteria=NAMES)
    assert profile is not None
    assert profile @ W == pytest.approx(phi, abs=1e-9)


def test_unicriterion_flow_by_hand() -> None:
    # Values 0, 0.5, 1 with V-shape p = 1: P(0.5) = 0.5, P(1) = 1.
    # phi(0) = (0 - 0.5 + 0 - 1) / 2 = -0.75.
    assert unicriterion_flow([0.0, 0.5, 1.0], "v_shape", p=1.0).tolist() == [-0.75, 0.0, 0.75]


def _electre_loop(x: np.ndarray, w: np.ndarray, th: list[Thresholds]) -> np.ndarray:
    """ELECTRE III credibility (Roy 1978) pair by pair, and its net flow."""
    n, c = x.shape
    cred = np.zeros((n, n))
    for a, b in itertools.permutations(range(n), 2):
        conc, disc = 0.0, []
        for j in range(c):
            d = x[b, j] - x[a, j]
            q, p, v = th[j].q, th[j].p, th[j].v
            if d <= q:
                cj = 1.0
            elif d >= p:
                cj = 0.0
            else:
                cj = (p - d) / (p - q)
            conc += w[j] * cj
            if v is None or d <= p:
                disc.append(0.0)
            elif d >= v:
                disc.append(1.0)
            else:
                disc.append((d - p) / (v - p))
        value = conc
        for dj in disc:
            if dj > conc:
                value *= (1 - dj) / (1 - conc)
        cred[a, b] = value
    return (cred.sum(axis=1) - cred.sum(axis=0)) / (n - 1)


def test_electre_iii_agrees_with_a_pairwise_loop() -> None:
    rng = np.random.default_rng(9)
    x = rng.random((20, 4))
    th = [
        Thresholds(q=0.05, p=0.2, v=0.5),
        Thresholds(q=0.0, p=0.1),
        Thresholds(q=0.1, p=0.1, v=0.4),
        Thresholds(q=0.02, p=0.3, v=0.6),
    ]
    spec = ELECTRE(criteria=dict(zip(NAMES, th, strict=True)))
    flow = _electre_loop(x, W, th)
    assert aggregate(x, W, spec, criteria=NAMES) == pytest.approx(0.5 * (1 + flow), abs=1e-9)
    # Without vetoes the credibility is the concordance: its net flow is PROMETHEE's with
    # the linear function, and the contributions add up to it.
    plain = ELECTRE(thresholds=Thresholds(q=0.05, p=0.2))
    parts = contributions(x, W, plain)
    total = aggregate(x, W, plain)
    assert parts.sum(axis=1) == pytest.approx(total - 0.5, abs=1e-9)
    flow = _electre_loop(x, W, [Thresholds(q=0.05, p=0.2)] * 4)
    assert total == pytest.approx(0.5 * (1 + flow), abs=1e-9)


def test_many_weight_vectors_match_one_at_a_time() -> None:
    rng = np.random.default_rng(2)
    x = rng.random((15, 4))
    ws = rng.dirichlet(np.ones(4), size=5)
    for spec in (
        TOPSIS(normalization="minmax", cost=["c"]),
        VIKOR(),
        PROMETHEE(preference=Preference(type="linear", q=0.1, p=0.3)),
        ELECTRE(thresholds=Thresholds(q=0.05, p=0.2, v=0.6)),
    ):
        many = aggregate(x, ws, spec, criteria=NAMES)
        one = np.array([aggregate(x, w, spec, criteria=NAMES) for w in ws])
        assert many == pytest.approx(one, abs=1e-12)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="`p` is required"):
        Preference(type="v_shape")
    with pytest.raises(ValueError, match="need q < p"):
        Preference(type="linear", q=0.3, p=0.1)
    with pytest.raises(ValueError, match="not used"):
        Preference(type="usual", q=0.1)
    with pytest.raises(ValueError, match="q <= p < v"):
        Thresholds(q=0.1, p=0.2, v=0.15)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        VIKOR(v=2)
    with pytest.raises(ParameterError, match="not criteria"):
        aggregate([[0.1, 0.2]], [1, 1], TOPSIS(cost=["nope"]), criteria=["a", "b"])
    with pytest.raises(ParameterError, match="criteria="):
        aggregate([[0.1, 0.2]], [1, 1], TOPSIS(cost=["a"]))
