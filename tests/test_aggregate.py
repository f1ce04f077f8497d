"""Aggregation against pymcdm (WSM, WPM, TOPSIS) and hand-computed cases, plus properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydantic import TypeAdapter, ValidationError
from pymcdm import normalizations
from pymcdm.methods import TOPSIS as PYMCDM_TOPSIS
from pymcdm.methods import WPM as PYMCDM_WPM
from pymcdm.methods import WSM as PYMCDM_WSM

from geosite.decision.aggregate import (
    OWA,
    TOPSIS,
    WLC,
    AggregationSpec,
    FuzzyAnd,
    FuzzyGamma,
    FuzzyOr,
    WeightedProduct,
    aggregate,
    contributions,
    owa_quantifier_weights,
)
from geosite.errors import ParameterError, WeightsError

SPEC = TypeAdapter(AggregationSpec)
ALL = [
    WLC(),
    WeightedProduct(),
    OWA(alpha=0.5),
    OWA(alpha=3),
    OWA(order_weights=[0.5, 0.3, 0.2]),
    FuzzyAnd(),
    FuzzyOr(),
    FuzzyGamma(gamma=0.7),
    TOPSIS(),
]
IDS = [f"{s.method}{i}" for i, s in enumerate(ALL)]


def _identity(x, cost=False):
    return x


def _rng_case(seed=0, n=12, c=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.01, 1, (n, c)), rng.uniform(0.05, 1, c)


# --- WLC -------------------------------------------------------------------------------------


def test_wlc_hand_computed():
    s = np.array([[1.0, 0.0, 0.5], [0.2, 0.4, 0.6]])
    w = np.array([2.0, 1.0, 1.0])
    np.testing.assert_allclose(aggregate(s, w, WLC()), [0.625, 0.35])


def test_wlc_matches_pymcdm_wsm():
    s, w = _rng_case(1, n=30, c=5)
    w = w / w.sum()
    ref = PYMCDM_WSM(normalization_function=_identity)(s, w, np.ones(5, dtype=int))
    np.testing.assert_allclose(aggregate(s, w, WLC()), ref, rtol=1e-12)


def test_wlc_contributions_sum_to_total():
    s = np.array([[0.3, 0.9], [0.7, 0.1]])
    w = np.array([0.25, 0.75])
    c = contributions(s, w, WLC())
    np.testing.assert_allclose(c, s * w)
    np.testing.assert_allclose(c.sum(axis=1), aggregate(s, w, WLC()))


# --- weighted product ----------------------------------------------------------------------------


def test_weighted_product_matches_pymcdm_wpm():
    s, w = _rng_case(2, n=30, c=4)
    w = w / w.sum()
    ref = PYMCDM_WPM(normalization_function=_identity)(s, w, np.ones(4, dtype=int))
    np.testing.assert_allclose(aggregate(s, w, WeightedProduct()), ref, rtol=1e-12)


def test_weighted_product_zero_scores_and_zero_weights():
    s = np.array([[0.0, 0.81], [0.25, 1.0]])
    np.testing.assert_allclose(aggregate(s, [1, 1], WeightedProduct()), [0.0, 0.5])
    # a zero score on a criterion of weight 0 is ignored
    np.testing.assert_allclose(aggregate(s, [0, 1], WeightedProduct()), [0.81, 1.0])
    out = aggregate(s, [[1, 1], [0, 1]], WeightedProduct())
    np.testing.assert_allclose(out, [[0.0, 0.5], [0.81, 1.0]])


def test_weighted_product_contributions_are_log_points():
    s = np.array([[0.25, 1.0], [0.5, 0.8]])
    w = np.array([0.5, 0.5])
    c = contributions(s, w, WeightedProduct())
    np.testing.assert_allclose(c, 0.5 * np.log(s))
    np.testing.assert_allclose(np.exp(c.sum(axis=1)), aggregate(s, w, WeightedProduct()))
    assert contributions([[0.0, 1.0]], w, WeightedProduct())[0, 0] == -np.inf
    assert not WeightedProduct.contributions_sum_to_total


# --- OWA -------------------------------------------------------------------------------------------


def test_owa_quantifier_weights_yager():
    np.testing.assert_allclose(owa_quantifier_weights(4, 2.0), [1 / 16, 3 / 16, 5 / 16, 7 / 16])
    np.testing.assert_allclose(owa_quantifier_weights(5, 1.0), [0.2] * 5)
    with pytest.raises(ParameterError, match="alpha > 0"):
        owa_quantifier_weights(3, 0)


def test_owa_alpha_hand_computed():
    # sorted: 0.9 (u .5), 0.6 (u .2), 0.3 (u .3); cumulative .5, .7, 1;
    # v = .5^2, .7^2 - .5^2, 1 - .7^2 = .25, .24, .51
    s = np.array([[0.9, 0.3, 0.6]])
    w = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(
        aggregate(s, w, OWA(alpha=2)), [0.25 * 0.9 + 0.24 * 0.6 + 0.51 * 0.3]
    )
    c = contributions(s, w, OWA(alpha=2))
    np.testing.assert_allclose(c, [[0.25 * 0.9, 0.51 * 0.3, 0.24 * 0.6]])


def test_owa_order_weights_hand_computed():
    # Jiang & Eastman: S = sum(u v z) / sum(u v) with u, v in sorted order
    s = np.array([[0.9, 0.3, 0.6]])
    w = np.array([0.5, 0.3, 0.2])
    uv = np.array([0.5 * 0.5, 0.2 * 0.3, 0.3 * 0.2])
    want = (uv * [0.9, 0.6, 0.3]).sum() / uv.sum()
    np.testing.assert_allclose(aggregate(s, w, OWA(order_weights=[5, 3, 2])), [want])
    np.testing.assert_allclose(contributions(s, w, OWA(order_weights=[5, 3, 2])).sum(), want)


def test_owa_special_cases():
    s, w = _rng_case(3, n=20, c=4)
    np.testing.assert_allclose(aggregate(s, w, OWA(alpha=1)), aggregate(s, w, WLC()), rtol=1e-12)
    np.testing.assert_allclose(
        aggregate(s, w, OWA(order_weights=[1, 1, 1, 1])), aggregate(s, w, WLC()), rtol=1e-12
    )
    np.testing.assert_allclose(aggregate(s, w, OWA(order_weights=[1, 0, 0, 0])), s.max(axis=1))
    np.testing.assert_allclose(aggregate(s, w, OWA(order_weights=[0, 0, 0, 1])), s.min(axis=1))
    # the quantifier tends to AND / OR at the extremes
    np.testing.assert_allclose(aggregate(s, w, OWA(alpha=1e4)), s.min(axis=1), atol=1e-3)
    np.testing.assert_allclose(aggregate(s, w, OWA(alpha=1e-4)), s.max(axis=1), atol=1e-3)


def test_owa_errors():
    with pytest.raises(
        ParameterError, match="`order_weights` has 2 values but there are 3 criteria"
    ):
        aggregate([[0.1, 0.2, 0.3]], [1, 1, 1], OWA(order_weights=[1, 1]))
    with pytest.raises(ValidationError, match="give exactly one of `alpha`"):
        OWA()
    with pytest.raises(ValidationError, match="give exactly one of `alpha`"):
        OWA(alpha=1, order_weights=[1])
    with pytest.raises(ValidationError, match=r"`alpha` must be a positive number.*got -1"):
        OWA(alpha=-1)
    with pytest.raises(
        ValidationError, match=r"`order_weights` must be finite and non-negative; got \[-1\.0\]"
    ):
        OWA(order_weights=[1, -1])


# --- fuzzy -----------------------------------------------------------------------------------------


def test_fuzzy_and_or_and_zero_weights():
    s = np.array([[0.2, 0.9, 0.5], [0.6, 0.7, 0.1]])
    np.testing.assert_allclose(aggregate(s, [1, 1, 1], FuzzyAnd()), [0.2, 0.1])
    np.testing.assert_allclose(aggregate(s, [1, 1, 1], FuzzyOr()), [0.9, 0.7])
    np.testing.assert_allclose(aggregate(s, [1, 5, 0], FuzzyAnd()), [0.2, 0.6])
    out = aggregate(s, [[1, 1, 1], [0, 1, 1]], FuzzyOr())
    np.testing.assert_allclose(out, [[0.9, 0.7], [0.9, 0.7]])
    out = aggregate(s, [[1, 1, 1], [0, 1, 1]], FuzzyAnd())
    np.testing.assert_allclose(out, [[0.2, 0.1], [0.5, 0.1]])


def test_fuzzy_and_or_contributions_credit_the_deciding_criterion():
    s = np.array([[0.2, 0.9, 0.2], [0.6, 0.7, 0.1]])
    np.testing.assert_allclose(
        contributions(s, [1, 1, 1], FuzzyAnd()), [[0.1, 0, 0.1], [0, 0, 0.1]]
    )
    np.testing.assert_allclose(contributions(s, [1, 1, 1], FuzzyOr()), [[0, 0.9, 0], [0, 0.7, 0]])


def test_fuzzy_gamma_matches_arcgis_definition():
    s = np.array([[0.2, 0.9, 0.5], [0.6, 0.7, 0.1], [0.0, 1.0, 0.5]])

    def ref(row, g):
        fsum = 1 - math.prod(1 - v for v in row)
        fprod = math.prod(row)
        return fsum**g * fprod ** (1 - g)

    for g in (0.0, 0.3, 0.9, 1.0):
        want = [ref(row, g) for row in s.tolist()]
        np.testing.assert_allclose(aggregate(s, [1, 1, 1], FuzzyGamma(gamma=g)), want, atol=1e-15)
    # zero weight leaves a criterion out
    np.testing.assert_allclose(
        aggregate(s, [1, 1, 0], FuzzyGamma(gamma=0.5)), [ref(r[:2], 0.5) for r in s.tolist()]
    )
    with pytest.raises(ValidationError, match=r"`gamma` must lie in \[0, 1\].*got 1\.5"):
        FuzzyGamma(gamma=1.5)
    assert FuzzyGamma().gamma == 0.9  # ArcGIS default


# --- TOPSIS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_topsis_matches_pymcdm_vector_normalisation(seed):
    s, w = _rng_case(seed, n=25, c=4)
    w = w / w.sum()
    ref = PYMCDM_TOPSIS(normalization_function=normalizations.vector_normalization)(
        s, w, np.ones(4, dtype=int)
    )
    np.testing.assert_allclose(aggregate(s, w, TOPSIS()), ref, rtol=1e-10)


def test_topsis_hand_computed():
    # two criteria, equal weights; r = s / sqrt(sum s^2) = s / sqrt(2) for both columns
    s = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(aggregate(s, [1, 1], TOPSIS()), [0.5, 0.5, 1.0])
    assert aggregate([[0.3, 0.3]], [1, 1], TOPSIS()).tolist() == [0.5]  # all identical
    assert aggregate([[0.0, 0.5], [0.0, 1.0]], [1, 1], TOPSIS()).tolist() == [
        0.0,
        1.0,
    ]  # zero column


def test_topsis_nan_candidates_take_no_part():
    s, w = _rng_case(4, n=10, c=3)
    with_nan = np.vstack([s, [[np.nan, 1.0, 1.0]]])
    out = aggregate(with_nan, w, TOPSIS())
    assert np.isnan(out[-1])
    np.testing.assert_allclose(out[:-1], aggregate(s, w, TOPSIS()))


@pytest.mark.parametrize("spec", [FuzzyGamma(gamma=0.4), TOPSIS()], ids=["gamma", "topsis"])
def test_leave_one_out_contributions(spec):
    s, w = _rng_case(5, n=8, c=3)
    total = aggregate(s, w, spec)
    c = contributions(s, w, spec)
    for j in range(3):
        keep = [k for k in range(3) if k != j]
        np.testing.assert_allclose(
            c[:, j], total - aggregate(s[:, keep], w[keep], spec), rtol=1e-12
        )
    assert not type(spec).contributions_sum_to_total


# --- all methods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_many_draws_match_one_by_one(spec):
    rng = np.random.default_rng(7)
    s = rng.random((9, 3))
    w = rng.random((6, 3))
    w[2, 1] = 0.0
    out = aggregate(s, w, spec)
    assert out.shape == (6, 9)
    for k in range(6):
        np.testing.assert_allclose(out[k], aggregate(s, w[k], spec), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_nan_row_gives_nan_even_with_zero_weight(spec):
    s = np.array([[np.nan, 0.5, 0.5], [0.1, 0.5, 0.9], [0.3, 0.2, 0.4]])
    out = aggregate(s, [0.0, 1.0, 1.0], spec)
    assert np.isnan(out[0])
    assert not np.isnan(out[1:]).any()
    c = contributions(s, [0.0, 1.0, 1.0], spec)
    assert np.isnan(c[0]).all()
    assert not np.isnan(c[1:]).any()


@pytest.mark.parametrize(
    "spec", [s for s in ALL if type(s).contributions_sum_to_total], ids=lambda s: s.method
)
def test_exact_contributions_add_up(spec):
    s, w = _rng_case(8, n=15, c=3)
    np.testing.assert_allclose(
        contributions(s, w, spec).sum(axis=1), aggregate(s, w, spec), rtol=1e-12
    )


def test_every_spec_round_trips_and_explains_contributions():
    for spec in ALL:
        assert SPEC.validate_python(spec.model_dump()) == spec
        assert type(spec).contribution_note
    with pytest.raises(ValidationError):
        SPEC.validate_python({"method": "wlc", "gamma": 1})
    with pytest.raises(ValidationError):
        SPEC.validate_python({"method": "electre"})


def test_input_errors():
    with pytest.raises(ParameterError, match="2-D"):
        aggregate([0.1, 0.2], [1, 1], WLC())
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        aggregate([[1.5, 0.2]], [1, 1], WLC())
    with pytest.raises(WeightsError, match="shape"):
        aggregate([[0.5, 0.2]], [1, 1, 1], WLC())
    with pytest.raises(WeightsError, match="non-negative"):
        aggregate([[0.5, 0.2]], [1, -1], WLC())
    with pytest.raises(WeightsError, match="finite"):
        aggregate([[0.5, 0.2]], [1, np.nan], WLC())
    with pytest.raises(WeightsError, match=r"sum to zero \(draws \[1\]\)"):
        aggregate([[0.5, 0.2]], [[1, 1], [0, 0]], WLC())
    with pytest.raises(WeightsError, match="one weight vector"):
        contributions([[0.5, 0.2]], [[1, 1], [0, 1]], WLC())


def test_large_batch_of_draws_is_vectorised():
    rng = np.random.default_rng(0)
    s = rng.random((2000, 6))
    w = rng.dirichlet(np.ones(6), size=300)
    for spec in (WLC(), TOPSIS(), OWA(alpha=2), FuzzyAnd()):
        out = aggregate(s, w, spec)
        assert out.shape == (300, 2000)
        np.testing.assert_allclose(out[123], aggregate(s, w[123], spec), rtol=1e-12)


# --- properties ---------------------------------------------------------------------------------------------

unit = st.floats(0, 1, allow_nan=False)
score_matrices = st.integers(1, 4).flatmap(
    lambda c: st.tuples(
        arrays(np.float64, st.tuples(st.integers(1, 8), st.just(c)), elements=unit),
        arrays(np.float64, st.just((c,)), elements=st.floats(0.01, 10)),
    )
)


@settings(max_examples=60, deadline=None)
@given(score_matrices, st.sampled_from(ALL))
def test_scores_stay_in_unit_interval_and_are_deterministic(case, spec):
    s, w = case
    if (
        isinstance(spec, OWA)
        and spec.order_weights is not None
        and len(spec.order_weights) != s.shape[1]
    ):
        spec = OWA(order_weights=[1.0] * s.shape[1])
    out = aggregate(s, w, spec)
    assert out.shape == (s.shape[0],)
    assert ((out >= 0) & (out <= 1)).all()
    np.testing.assert_array_equal(out, aggregate(s.copy(), w.copy(), spec))


@settings(max_examples=60, deadline=None)
@given(
    score_matrices, st.sampled_from(ALL), st.randoms(use_true_random=False), st.floats(1e-3, 1e3)
)
def test_reordering_candidates_or_scaling_weights_changes_nothing(case, spec, rnd, k):
    s, w = case
    if (
        isinstance(spec, OWA)
        and spec.order_weights is not None
        and len(spec.order_weights) != s.shape[1]
    ):
        spec = OWA(order_weights=[1.0] * s.shape[1])
    perm = list(range(s.shape[0]))
    rnd.shuffle(perm)
    base = aggregate(s, w, spec)
    np.testing.assert_allclose(aggregate(s[perm], w, spec), base[perm], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(aggregate(s, w * k, spec), base, rtol=1e-9, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(score_matrices, st.data())
def test_wlc_better_on_one_criterion_never_ranks_lower(case, data):
    s, w = case
    i = data.draw(st.integers(0, s.shape[0] - 1))
    j = data.draw(st.integers(0, s.shape[1] - 1))
    better = s.copy()
    better[i, j] = data.draw(st.floats(s[i, j], 1))
    before = aggregate(s, w, WLC())
    after = aggregate(better, w, WLC())
    assert after[i] >= before[i]
    # no other candidate overtakes it: the count of candidates strictly above can only fall
    others = np.delete(np.arange(s.shape[0]), i)
    assert (after[others] > after[i]).sum() <= (before[others] > before[i]).sum()


edge_unit = st.one_of(st.sampled_from([0.0, 1.0]), unit)
edge_cases = st.integers(1, 4).flatmap(
    lambda c: st.tuples(
        arrays(np.float64, st.tuples(st.integers(1, 6), st.just(c)), elements=edge_unit),
        arrays(np.float64, st.just((c,)), elements=st.sampled_from([0.0, 0.5, 1.0, 3.0])),
    )
)


@settings(max_examples=80, deadline=None)
@given(edge_cases, st.sampled_from(ALL))
def test_zero_and_one_scores_with_zero_weights_stay_clean(case, spec):
    # pytest turns any RuntimeWarning (0 * inf, 0 / 0) into an error here
    s, w = case
    if w.sum() == 0:
        w[0] = 1.0
    if isinstance(spec, OWA) and spec.order_weights is not None:
        spec = OWA(order_weights=[1.0] * s.shape[1])
    out = aggregate(s, w, spec)
    assert ((out >= 0) & (out <= 1)).all()
    c = contributions(s, w, spec)
    assert not np.isnan(c).any()
    if type(spec).contributions_sum_to_total:
        np.testing.assert_allclose(c.sum(axis=1), out, atol=1e-12)


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_no_candidates(spec):
    assert aggregate(np.empty((0, 3)), [1, 1, 1], spec).shape == (0,)
    assert aggregate(np.empty((0, 3)), [[1, 1, 1], [1, 2, 3]], spec).shape == (2, 0)
    assert contributions(np.empty((0, 3)), [1, 1, 1], spec).shape == (0, 3)
