"""Value functions against their published definitions.

Reference values are computed here with scalar ``math`` code written straight from the
published formulas (Esri arcpy Fuzzy* class references; Eastman's TerrSet/IDRISI FUZZY
module), not with the vectorised code under test.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from geosite.decision.transforms import (
    Categorical,
    Cutoff,
    FuzzyGaussian,
    FuzzyLarge,
    FuzzyNear,
    FuzzySmall,
    Ideal,
    JShaped,
    Linear,
    Logistic,
    MSLarge,
    MSSmall,
    Piecewise,
    Sigmoidal,
    ValueFunction,
)
from geosite.errors import ParameterError

VF = TypeAdapter(ValueFunction)
XS = [-10.0, 0.0, 0.5, 3.0, 7.5, 10.0, 12.0, 25.0, 40.0, 100.0]


def _check_against(f, reference, xs=XS):
    got = f(xs)
    want = [reference(x) for x in xs]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# --- linear -------------------------------------------------------------------------------


def test_linear_increasing_and_decreasing():
    up = Linear(best=10, worst=0)
    assert up([0, 5, 10, 20, -1]).tolist() == [0.0, 0.5, 1.0, 1.0, 0.0]
    down = Linear(best=0, worst=60)
    np.testing.assert_allclose(down([0, 30, 45, 60, 90]), [1, 0.5, 0.25, 0, 0])


def test_nan_in_nan_out_and_shapes_kept():
    f = Linear(best=1, worst=0)
    out = f([np.nan, 0.5])
    assert np.isnan(out[0])
    assert out[1] == 0.5
    assert f(0.25).shape == ()
    assert f(np.zeros((2, 3))).shape == (2, 3)


def test_linear_rejects_equal_thresholds():
    with pytest.raises(ValidationError, match=r"`best` and `worst` are both 3\.0"):
        Linear(best=3, worst=3)
    with pytest.raises(ValidationError, match=r"`best` must be a finite number; got nan"):
        Linear(best=math.nan, worst=3)


# --- ArcGIS Pro fuzzy memberships ---------------------------------------------------------


def test_fuzzy_small_matches_arcgis_definition():
    # Esri's definition, mu(x) = 1 / (1 + (x / f2) ** f1) with f1 the spread and f2 the
    # midpoint, is the reference below.
    f = FuzzySmall(midpoint=10, spread=5)

    def ref(x):
        return 1.0 if x <= 0 else 1 / (1 + (x / 10) ** 5)

    _check_against(f, ref)
    assert f([10]).tolist() == [0.5]
    assert FuzzySmall(midpoint=4).spread == 5.0  # ArcGIS default


def test_fuzzy_large_matches_arcgis_definition():
    # Esri's definition, mu(x) = 1 / (1 + (x / f2) ** -f1), is the reference below.
    f = FuzzyLarge(midpoint=10, spread=3)

    def ref(x):
        return 0.0 if x <= 0 else 1 / (1 + (x / 10) ** -3)

    _check_against(f, ref)
    assert f([10]).tolist() == [0.5]
    np.testing.assert_allclose(f([20]), [8 / 9])  # 1 / (1 + 2**-3)


def test_fuzzy_near_matches_arcgis_definition():
    # Esri's definition, mu(x) = 1 / (1 + f1 * (x - f2) ** 2), is the reference below.
    f = FuzzyNear(midpoint=10, spread=0.04)
    _check_against(f, lambda x: 1 / (1 + 0.04 * (x - 10) ** 2))
    np.testing.assert_allclose(f([10, 15, 5]), [1, 0.5, 0.5])  # 0.5 at m +- 1/sqrt(f1)
    assert FuzzyNear(midpoint=0).spread == 0.1


def test_fuzzy_gaussian_matches_arcgis_definition():
    # Esri's definition, mu(x) = e ** (-f1 * (x - f2) ** 2), is the reference below.
    f = FuzzyGaussian(midpoint=10, spread=0.02)
    _check_against(f, lambda x: math.exp(-0.02 * (x - 10) ** 2))
    half = math.sqrt(math.log(2) / 0.02)
    np.testing.assert_allclose(f([10 - half, 10, 10 + half]), [0.5, 1, 0.5])


def test_ms_large_matches_arcgis_definition():
    # Esri's definition, 1 - b*s / (x - a*m + b*s) above a*m and 0 elsewhere, is the reference.
    m, s, a, b = 12.0, 4.0, 0.5, 2.0
    f = MSLarge(mean=m, std=s, mean_multiplier=a, std_multiplier=b)

    def ref(x):
        return 1 - b * s / (x - a * m + b * s) if x > a * m else 0.0

    _check_against(f, ref)
    assert f([a * m + b * s]).tolist() == [0.5]


def test_ms_small_is_one_below_scaled_mean():
    # Esri: mu = b*s / (x - a*m + b*s) if x > a*m; below a*m the score is the limit 1
    m, s = 10.0, 5.0
    f = MSSmall(mean=m, std=s)

    def ref(x):
        return s / (x - m + s) if x > m else 1.0

    _check_against(f, ref)
    assert f([15.0]).tolist() == [0.5]
    # continuous at a*m
    np.testing.assert_allclose(f([m, m + 1e-9]), [1, 1], atol=1e-9)


def test_ms_small_and_large_are_complements_above_mean():
    small, large = MSSmall(mean=3, std=2), MSLarge(mean=3, std=2)
    x = np.linspace(3.01, 50, 20)
    np.testing.assert_allclose(small(x) + large(x), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"type": "fuzzy_small", "midpoint": 0}, r"`midpoint` must be greater than 0; got 0"),
        ({"type": "fuzzy_large", "midpoint": -5}, r"`midpoint` must be greater than 0"),
        (
            {"type": "fuzzy_large", "midpoint": 5, "spread": -1},
            r"`spread` must be greater than 0; got -1",
        ),
        ({"type": "fuzzy_near", "midpoint": 5, "spread": 0}, r"`spread`"),
        ({"type": "fuzzy_gaussian", "midpoint": math.inf}, r"`midpoint` must be a finite"),
        ({"type": "ms_small", "mean": 5, "std": 0}, r"`std` must be greater than 0; got 0"),
        ({"type": "ms_large", "mean": 5, "std": 1, "std_multiplier": -2}, r"`std_multiplier`"),
        ({"type": "logistic", "midpoint": 5, "steepness": 0}, r"`steepness` must be greater"),
        ({"type": "logistic", "midpoint": 5, "steepness": 1, "direction": "up"}, "direction"),
    ],
)
def test_bad_parameters_name_the_field(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        VF.validate_python(kwargs)


# --- logistic, TerrSet sigmoidal and J-shaped -----------------------------------------------


def test_logistic():
    up = Logistic(midpoint=10, steepness=0.5)
    _check_against(up, lambda x: 1 / (1 + math.exp(-0.5 * (x - 10))))
    down = Logistic(midpoint=10, steepness=0.5, direction="decreasing")
    np.testing.assert_allclose(up(XS) + down(XS), 1.0)
    # one 1/k from the midpoint the score is e / (1 + e)
    np.testing.assert_allclose(up([12]), [math.e / (1 + math.e)])


def _terrset_sigmoidal(x, a, b, c, d):
    # Eastman, TerrSet manual: mu = cos^2(alpha), alpha = (1 - (x-a)/(b-a)) pi/2 on the
    # rising limb, (x-c)/(d-c) pi/2 on the falling limb
    if x <= a or x >= d:
        return 0.0
    if x < b:
        return math.cos((1 - (x - a) / (b - a)) * math.pi / 2) ** 2
    if x <= c:
        return 1.0
    return math.cos((x - c) / (d - c) * math.pi / 2) ** 2


def test_sigmoidal_symmetric_matches_terrset():
    f = Sigmoidal(rise=[0, 10], fall=[25, 45])
    _check_against(f, lambda x: _terrset_sigmoidal(x, 0, 10, 25, 45))
    np.testing.assert_allclose(f([5, 35]), [0.5, 0.5])  # halfway = inflection


def test_sigmoidal_one_sided():
    inc = Sigmoidal(rise=[0, 10])
    _check_against(inc, lambda x: _terrset_sigmoidal(x, 0, 10, math.inf, math.inf))
    dec = Sigmoidal(fall=[30, 60])
    _check_against(dec, lambda x: _terrset_sigmoidal(x, -math.inf, -math.inf, 30, 60))
    np.testing.assert_allclose(dec([37.5]), [math.cos(math.pi / 8) ** 2])


def test_j_shaped_matches_terrset():
    # Eastman: mu = 1 / (1 + ((x - b) / (b - a))**2) below b, 1 / (1 + ((x - c) / (d - c))**2)
    # above c: 0.5 at a and d, only approaching 0 further out
    f = JShaped(rise=[0, 10], fall=[25, 40])

    def ref(x):
        if x < 10:
            return 1 / (1 + ((x - 10) / 10) ** 2)
        if x <= 25:
            return 1.0
        return 1 / (1 + ((x - 25) / 15) ** 2)

    _check_against(f, ref)
    np.testing.assert_allclose(f([0, 40]), [0.5, 0.5])
    assert 0 < f([1e6])[0] < 1e-8


@pytest.mark.parametrize("cls", [Sigmoidal, JShaped])
def test_control_points_validated(cls):
    with pytest.raises(
        ValidationError, match=r"`rise` must be two increasing.*swap them to \[0\.0, 10\.0\]"
    ):
        cls(rise=[10, 0])
    with pytest.raises(ValidationError, match=r"give `rise: \[a, b\]`"):
        cls()
    with pytest.raises(
        ValidationError,
        match=r"`rise` \[0\.0, 20\.0\] must end at or before `fall` \[10\.0, 30\.0\]",
    ):
        cls(rise=[0, 20], fall=[10, 30])


# --- ideal point, piecewise, categorical ----------------------------------------------------


def test_ideal_point():
    f = Ideal(target=20, zero_beyond=10)  # ArcGIS symmetric linear: peak at 20, 0 at 10 and 30
    np.testing.assert_allclose(f([10, 15, 20, 25, 30, 40]), [0, 0.5, 1, 0.5, 0, 0])
    g = Ideal(target=20, zero_beyond=10, full_within=4)
    np.testing.assert_allclose(g([16, 24, 27, 12, 31]), [1, 1, 0.5, 1 / 3, 0])


def test_ideal_validation():
    with pytest.raises(
        ValidationError, match=r"`full_within` \(5\.0\) must be smaller than `zero_beyond` \(5\.0\)"
    ):
        Ideal(target=0, zero_beyond=5, full_within=5)
    with pytest.raises(ValidationError, match=r"`full_within` .* must be >= 0; got -1"):
        Ideal(target=0, zero_beyond=5, full_within=-1)
    with pytest.raises(ValidationError, match=r"`zero_beyond` must be greater than 0"):
        Ideal(target=0, zero_beyond=-5)


def test_piecewise_interpolates_and_extends_flat():
    f = Piecewise(points=[[0, 1], [30, 0.8], [60, 0]])
    np.testing.assert_allclose(
        f([-100, 0, 10, 30, 50, 60, 1000]), [1, 1, 14 / 15, 0.8, 4 / 15, 0, 0]
    )


@pytest.mark.parametrize(
    ("points", "match"),
    [
        ([[0, 1]], "at least two"),
        ([[0, 1], [0, 0.5]], r"point 1 has x=0\.0 after x=0\.0; sort"),
        ([[5, 1], [1, 0]], r"x must increase strictly"),
        ([[0, 1], [5, 1.5]], r"point 1 \[5\.0, 1\.5\] has a score outside \[0, 1\]"),
    ],
)
def test_piecewise_validation(points, match):
    with pytest.raises(ValidationError, match=match):
        Piecewise(points=points)


def test_categorical_lookup():
    f = VF.validate_python({"type": "categorical", "categories": {1: 0.2, "port": 1.0, "3": 0.5}})
    assert f([1, 1.0, "1", "port", 3, None, np.nan]).tolist()[:5] == [0.2, 0.2, 0.2, 1.0, 0.5]
    assert np.isnan(f([None, np.nan])).all()
    with pytest.raises(
        ParameterError, match=r"categories \['7', 'sea'\] are not in `categories`.*set `default:`"
    ):
        f([7, "sea", "port"])
    g = Categorical(categories={"a": 1}, default=0.3)
    assert g(np.array(["a", "b"])).tolist() == [1.0, 0.3]


def test_categorical_validation():
    with pytest.raises(ValidationError, match=r"scores must lie in \[0, 1\]; got \{'a': 2\.0\}"):
        Categorical(categories={"a": 2})
    with pytest.raises(ValidationError, match=r"categories \['1'\] are given twice"):
        Categorical(categories={1: 0.5, "1": 0.2})
    with pytest.raises(ValidationError, match=r"`default` must be a score in \[0, 1\]"):
        Categorical(categories={"a": 1}, default=-1)


# --- cutoff --------------------------------------------------------------------------------


def test_cutoff_within_60_penalised_from_45_closer_is_better():
    f = VF.validate_python(
        {
            "type": "cutoff",
            "exclude_above": 60,
            "penalty_above": 45,
            "penalty_max_score": 0.3,
            "curve": {"type": "linear", "best": 0, "worst": 90},
        }
    )
    x = [0, 30, 45, 46, 60, 60.5, np.nan]
    assert f.cutoff_mask(x).tolist() == [False] * 5 + [True, False]
    assert f.penalty_mask(x).tolist() == [False, False, False, True, True, False, False]
    got = f(x)
    # beyond the cutoff: excluded by the mask, but still the would-be (capped) score
    np.testing.assert_allclose(got[:6], [1, 2 / 3, 0.5, 0.3, 0.3, 0.3])
    assert np.isnan(got[6])
    assert f.reason() == "value above 60"
    assert f.formula() == (
        "excluded if above 60; min(curve(x), 0.3) if x > 45; "
        "curve(x) otherwise, curve(x) = clip((x - 90) / (0 - 90), 0, 1)"
    )


def test_cutoff_two_sided():
    f = Cutoff(exclude_below=2, exclude_above=20, curve=Ideal(target=10, zero_beyond=10))
    assert f.cutoff_mask([1, 2, 20, 21]).tolist() == [True, False, False, True]
    assert f.reason() == "value below 2 or above 20"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, r"give `exclude_above`/`exclude_below`"),
        (
            {"exclude_above": 60, "penalty_above": 70, "penalty_max_score": 0.5},
            r"`penalty_above` \(70\.0\) must be smaller than `exclude_above` \(60\.0\)",
        ),
        ({"exclude_above": 60, "penalty_above": 45}, r"needs `penalty_max_score`"),
        (
            {"exclude_above": 60, "penalty_max_score": 0.5},
            r"`penalty_max_score` \(0\.5\) is set but no penalty zone",
        ),
        (
            {"penalty_above": 45, "penalty_max_score": 1.5},
            r"`penalty_max_score` must lie in \[0, 1\]; got 1\.5",
        ),
        ({"exclude_above": 10, "exclude_below": 20}, r"`exclude_below` \(20\.0\) must be smaller"),
        (
            {"exclude_below": 10, "penalty_below": 5, "penalty_max_score": 0.2},
            r"`penalty_below` \(5\.0\) must be larger",
        ),
    ],
)
def test_cutoff_validation(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        Cutoff(curve=Linear(best=0, worst=60), **kwargs)


def test_cutoff_refuses_nested_cutoff_or_categorical_curve():
    with pytest.raises(ValidationError):
        VF.validate_python(
            {
                "type": "cutoff",
                "exclude_above": 1,
                "curve": {"type": "categorical", "categories": {"a": 1}},
            }
        )


# --- every function --------------------------------------------------------------------------

ALL = [
    Linear(best=0, worst=60),
    FuzzySmall(midpoint=10),
    FuzzyLarge(midpoint=10, spread=2),
    FuzzyNear(midpoint=5),
    FuzzyGaussian(midpoint=5),
    MSSmall(mean=10, std=3),
    MSLarge(mean=10, std=3, mean_multiplier=0.5),
    Logistic(midpoint=3, steepness=2, direction="decreasing"),
    Sigmoidal(rise=[0, 10], fall=[20, 40]),
    JShaped(fall=[0, 30]),
    Ideal(target=10, zero_beyond=5, full_within=1),
    Piecewise(points=[[0, 0], [10, 1], [20, 0.5]]),
    Cutoff(
        exclude_above=60, penalty_above=45, penalty_max_score=0.3, curve=Linear(best=0, worst=90)
    ),
]


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.type)
def test_round_trip_formula_and_plot_range(f):
    assert VF.validate_python(f.model_dump()) == f
    text = f.formula()
    assert isinstance(text, str)
    assert "{" not in text
    lo, hi = f.plot_range()
    assert lo < hi
    with pytest.raises(ValidationError):
        VF.validate_python({**f.model_dump(), "unknown_key": 1})
    with pytest.raises(ValidationError):
        f.type = "x"  # frozen


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=30))
def test_scores_stay_in_unit_interval_and_nan_propagates(xs):
    x = np.array(xs)
    for f in ALL:
        out = f(x)
        ok = out[~np.isnan(out)]
        assert ((ok >= 0) & (ok <= 1)).all(), f.type
        assert np.isnan(out[np.isnan(x)]).all(), f.type
        np.testing.assert_array_equal(out, f(x))  # deterministic


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-1e6, 1e6),
    st.floats(1e-3, 1e4),
    st.lists(st.floats(-1e7, 1e7), min_size=2, max_size=20),
)
def test_linear_is_monotone(best, width, xs):
    f = Linear(best=best, worst=best + width)  # smaller is better
    x = np.sort(np.array(xs))
    assert (np.diff(f(x)) <= 1e-12).all()


MONOTONE = [
    (Linear(best=0, worst=60), -1),
    (Linear(best=60, worst=0), 1),
    (FuzzySmall(midpoint=10, spread=3), -1),
    (FuzzyLarge(midpoint=10, spread=3), 1),
    (MSSmall(mean=10, std=3), -1),
    (MSLarge(mean=10, std=3), 1),
    (Logistic(midpoint=3, steepness=2), 1),
    (Logistic(midpoint=3, steepness=2, direction="decreasing"), -1),
    (Sigmoidal(rise=[0, 10]), 1),
    (Sigmoidal(fall=[0, 10]), -1),
    (JShaped(rise=[0, 10]), 1),
    (JShaped(fall=[0, 10]), -1),
    (Piecewise(points=[[0, 1], [10, 0.4], [20, 0]]), -1),
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=30))
def test_one_sided_functions_are_monotone(xs):
    x = np.sort(np.array(xs))
    for f, sign in MONOTONE:
        steps = np.diff(f(x)) * sign
        assert (steps >= -1e-12).all(), f


def test_plot_range_of_nonnegative_quantities_starts_at_zero():
    assert Linear(best=0, worst=60).plot_range()[0] == 0.0
    assert Linear(best=-5, worst=5).plot_range()[0] < -5
    with pytest.raises(TypeError, match="plot `categories` as bars"):
        Categorical(categories={"a": 1}).plot_range()


def test_formulas_are_plain_text():
    for f in ALL:
        assert f.formula().isascii(), f.formula()
    assert Sigmoidal(rise=[0, 10]).formula() == (
        "0 if x <= 0; cos((1 - (x - 0) / (10 - 0)) * pi/2)^2 if 0 < x < 10; 1 if 10 <= x"
    )


def test_categorical_numeric_codes_vectorised():
    f = Categorical(categories={1: 0.2, 2: 1.0})
    out = f(np.array([[1.0, np.nan], [2.0, 1.0]]))
    np.testing.assert_array_equal(out, [[0.2, np.nan], [1.0, 0.2]])
    with pytest.raises(ParameterError, match=r"categories \['0', '3'\] are not in"):
        f(np.array([0.0, 3.0, np.nan, 1.0]))
    codes = np.random.default_rng(0).integers(1, 3, 50_000).astype(float)
    np.testing.assert_array_equal(f(codes), np.where(codes == 1, 0.2, 1.0))
