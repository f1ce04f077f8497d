"""AHP with blanks, groups and 20 criteria, against numpy, AHPy and the published methods."""

from __future__ import annotations

import itertools

import ahpy
import numpy as np
import pytest
from pydantic import ValidationError

from geosite.decision.weights import (
    AHPWeights,
    Expert,
    ahp_priorities,
    consistency_ratio,
    resolve_weights,
)
from geosite.errors import WeightsError

SCALE = [1 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)]


def _random_matrix(n: int, rng: np.random.Generator, noise: float = 0.3) -> np.ndarray:
    """A near-consistent reciprocal matrix on Saaty's scale (true weights plus log noise)."""
    w = rng.uniform(1, 4, n)
    log = np.log(w[:, None] / w[None, :]) + rng.normal(0, noise, (n, n))
    log = (log - log.T) / 2
    return np.exp(np.clip(log, -np.log(9), np.log(9)))


def _blank(a: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    b = a.copy()
    for i, j in pairs:
        b[i, j] = b[j, i] = np.nan
    return b


def _principal(a: np.ndarray) -> tuple[np.ndarray, float]:
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    v = np.abs(vecs[:, k].real)
    return v / v.sum(), float(vals[k].real)


BLANKS = [(0, 3), (1, 4), (2, 5), (0, 5)]


def test_harker_priorities_match_numpy_eig_of_harkers_matrix() -> None:
    """Harker (1987): blanks 0, diagonal 1 + blanks in the row; its Perron vector."""
    rng = np.random.default_rng(1)
    a = _blank(_random_matrix(6, rng), BLANKS)
    b = np.where(np.isnan(a), 0.0, a)
    b[np.diag_indices(6)] = 1 + np.isnan(a).sum(axis=1)
    w_ref, lam_ref = _principal(b)
    w = ahp_priorities(a)
    np.testing.assert_allclose(w, w_ref, rtol=1e-9)
    # The matrix completed with the ratios w_i / w_j has the same Perron pair (the optimal
    # completion of Bozóki, Fülöp & Rónyai 2010); its CI is the CI reported.
    filled = np.where(np.isnan(a), w[:, None] / w[None, :], a)
    w_fill, lam_fill = _principal(filled)
    np.testing.assert_allclose(w_fill, w, rtol=1e-9)
    assert lam_fill == pytest.approx(lam_ref, rel=1e-12)
    ri = 1.2479  # Alonso & Lamata, n = 6
    assert consistency_ratio(a) == pytest.approx((lam_ref - 6) / 5 / ri, rel=1e-9)


def test_harker_is_close_to_ahpys_optimal_completion_and_not_below_it() -> None:
    """AHPy completes blanks by minimising lambda_max (Bozóki, Fülöp & Rónyai 2010).

    Harker's completion (the ratios of its own eigenvector) is a completion too, so its
    lambda_max cannot be below that minimum; the priorities differ slightly.
    """
    rng = np.random.default_rng(2)
    a = _blank(_random_matrix(5, rng), [(0, 3), (1, 4)])
    names = list("abcde")
    comparisons = {
        (names[i], names[j]): float(a[i, j])
        for i, j in itertools.combinations(range(5), 2)
        if np.isfinite(a[i, j])
    }
    theirs = ahpy.Compare("x", comparisons, precision=10, tolerance=1e-10, iterations=200)
    ours = ahp_priorities(a)
    got = np.array([theirs.target_weights[n] for n in names])
    np.testing.assert_allclose(got, ours, atol=1e-3)
    optimal = np.array(theirs._matrix, dtype=float)  # AHPy keeps its completion here
    filled = np.where(np.isnan(a), ours[:, None] / ours[None, :], a)
    assert _principal(optimal)[1] <= _principal(filled)[1] + 1e-9


def test_complete_matrices_agree_with_ahpy_to_1e9() -> None:
    rng = np.random.default_rng(3)
    for n in (3, 7, 12, 20):
        a = _random_matrix(n, rng, noise=0.15)
        names = [f"c{i:02d}" for i in range(n)]
        comparisons = {
            (names[i], names[j]): float(a[i, j]) for i, j in itertools.combinations(range(n), 2)
        }
        theirs = ahpy.Compare("x", comparisons, precision=14, random_index="dd")
        got = np.array([theirs.target_weights[c] for c in names])
        np.testing.assert_allclose(ahp_priorities(a), got, atol=1e-9)
        assert consistency_ratio(a, random_index="donegan_dodd") == pytest.approx(
            theirs.consistency_ratio, abs=1e-9
        )


def test_logarithmic_least_squares_matches_lstsq_over_the_given_judgments() -> None:
    rng = np.random.default_rng(4)
    a = _blank(_random_matrix(6, rng), BLANKS)
    rows, rhs = [], []
    for i, j in itertools.combinations(range(6), 2):
        if np.isfinite(a[i, j]):
            r = np.zeros(6)
            r[i], r[j] = 1, -1
            rows.append(r)
            rhs.append(np.log(a[i, j]))
    rows.append(np.ones(6))
    rhs.append(0.0)
    y = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    w_ref = np.exp(y) / np.exp(y).sum()
    np.testing.assert_allclose(ahp_priorities(a, method="geometric_mean"), w_ref, rtol=1e-9)


def test_consistent_blanks_are_recovered_exactly() -> None:
    w = np.array([4.0, 2.0, 1.0, 1.0])
    a = _blank(w[:, None] / w[None, :], [(0, 2), (1, 3)])
    for method in ("eigenvector", "geometric_mean"):
        np.testing.assert_allclose(ahp_priorities(a, method=method), w / w.sum(), rtol=1e-12)
        assert consistency_ratio(a, method=method) == pytest.approx(0.0, abs=1e-12)


def test_blank_judgments_in_a_scenario_spec() -> None:
    names = ["port", "road", "power", "water"]
    spec = AHPWeights(
        criteria=names,
        matrix=[[1, 2, None, 4], ["1/2", 1, 2, None], [None, "1/2", 1, 1], ["1/4", None, 1, 1]],
    )
    r = resolve_weights(spec, names, {})
    assert [(b["more"], b["less"]) for b in r.details["blank"]] == [
        ("port", "power"),
        ("road", "water"),
    ]
    assert r.details["matrix"][0][2] is None
    w = np.array(list(r.weights.values()))
    assert r.details["blank"][0]["estimate"] == pytest.approx(w[0] / w[2])
    # A judgment given on one side only is mirrored.
    half = AHPWeights(criteria=["a", "b"], matrix=[[1, 3], [None, 1]])
    assert resolve_weights(half, ["a", "b"], {}).weights["a"] == pytest.approx(0.75)


def test_judgment_lists_leave_pairs_out_only_when_asked() -> None:
    judgments = [
        {"more": "a", "less": "b", "value": 2},
        {"more": "b", "less": "c", "value": 2},
    ]
    with pytest.raises(ValidationError, match="missing: estimate"):
        AHPWeights(criteria=["a", "b", "c"], judgments=judgments)
    spec = AHPWeights(criteria=["a", "b", "c"], judgments=judgments, missing="estimate")
    w = resolve_weights(spec, ["a", "b", "c"], {}).weights
    assert [w["a"], w["b"], w["c"]] == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-12)


def test_unconnected_judgments_are_refused_naming_the_groups() -> None:
    spec = AHPWeights(
        criteria=["a", "b", "c", "d"],
        matrix=[
            [1, 2, None, None],
            ["1/2", 1, None, None],
            [None, None, 1, 3],
            [None, None, "1/3", 1],
        ],
    )
    with pytest.raises(WeightsError, match=r"2 unconnected groups \(\{'a', 'b'\}; \{'c', 'd'\}\)"):
        resolve_weights(spec, ["a", "b", "c", "d"], {})


def test_aggregation_of_individual_priorities() -> None:
    """AIP (Forman & Peniwati 1998): weighted geometric mean of each expert's priorities."""
    rng = np.random.default_rng(5)
    mats = [_random_matrix(4, rng, noise=0.1) for _ in range(3)]
    betas = [1.0, 2.0, 1.0]
    names = list("abcd")
    spec = AHPWeights(
        criteria=names,
        experts=[Expert(matrix=m.tolist(), weight=b) for m, b in zip(mats, betas, strict=True)],
        group="priorities",
    )
    r = resolve_weights(spec, names, {})
    prios = np.array([_principal(m)[0] for m in mats])
    g = np.prod(prios ** (np.array(betas)[:, None] / sum(betas)), axis=0)
    np.testing.assert_allclose(list(r.weights.values()), g / g.sum(), rtol=1e-9)
    assert r.details["group"] == "priorities"
    assert r.details["CR"] == pytest.approx(max(e["CR"] for e in r.details["experts"]))


def test_aggregation_of_judgments_skips_experts_who_left_a_blank() -> None:
    one = [[1, 4, 2], ["1/4", 1, None], ["1/2", None, 1]]
    two = [[1, 1, 2], [1, 1, 2], ["1/2", "1/2", 1]]
    spec = AHPWeights(criteria=list("abc"), experts=[one, two], cr_limit=0.5)
    r = resolve_weights(spec, list("abc"), {})
    a = np.array(r.details["matrix"])
    assert a[0, 1] == pytest.approx(2.0)  # sqrt(4 x 1)
    assert a[1, 2] == pytest.approx(2.0)  # only the second expert judged it
    assert a[0, 2] == pytest.approx(2.0)


def test_twenty_criteria() -> None:
    rng = np.random.default_rng(6)
    a = _random_matrix(20, rng, noise=0.1)
    names = [f"c{i}" for i in range(20)]
    r = resolve_weights(AHPWeights(criteria=names, matrix=a.tolist()), names, {})
    np.testing.assert_allclose(list(r.weights.values()), _principal(a)[0], rtol=1e-9)
    assert r.details["RI"] == 1.6287


@pytest.mark.parametrize("bad", [12, 1 / 12, 9.5])
def test_one_rule_for_a_valid_judgment_everywhere(bad) -> None:
    matrix = [[1, bad], [1 / bad, 1]]
    with pytest.raises(WeightsError, match="Saaty's scale 1/9 to 9"):
        ahp_priorities(matrix)
    with pytest.raises(WeightsError, match="Saaty's scale 1/9 to 9"):
        consistency_ratio(matrix)
    with pytest.raises(WeightsError, match="Saaty's scale 1/9 to 9"):
        resolve_weights(AHPWeights(criteria=["a", "b"], matrix=matrix), ["a", "b"], {})
    with pytest.raises(ValidationError, match="Saaty's scale 1 to 9"):
        AHPWeights(
            criteria=["a", "b"], judgments=[{"more": "a", "less": "b", "value": max(bad, 1 / bad)}]
        )
    # The edges of the scale are valid everywhere.
    assert ahp_priorities([[1, 9], ["1/9", 1]]).tolist() == pytest.approx([0.9, 0.1])
