import numpy as np
import pytest

from geosite.aggregate import WLC, aggregate, contributions
from geosite.errors import ParameterError, WeightsError


def test_wlc_hand_computed():
    s = np.array([[1.0, 0.0, 0.5], [0.2, 0.4, 0.6]])
    w = np.array([2.0, 1.0, 1.0])
    np.testing.assert_allclose(aggregate(s, w, WLC()), [0.625, 0.35])


def test_wlc_many_draws_match_one_by_one():
    rng = np.random.default_rng(0)
    s = rng.random((7, 3))
    w = rng.random((5, 3))
    out = aggregate(s, w, WLC())
    assert out.shape == (5, 7)
    for k in range(5):
        np.testing.assert_allclose(out[k], aggregate(s, w[k], WLC()))


def test_nan_row_gives_nan_even_with_zero_weight():
    s = np.array([[np.nan, 0.5], [0.1, 0.5]])
    out = aggregate(s, [0.0, 1.0], WLC())
    assert np.isnan(out[0])
    assert out[1] == 0.5
    c = contributions(s, [0.0, 1.0], WLC())
    assert np.isnan(c[0]).all()


def test_wlc_contributions_sum_to_total():
    s = np.array([[0.3, 0.9], [0.7, 0.1]])
    w = np.array([0.25, 0.75])
    c = contributions(s, w, WLC())
    np.testing.assert_allclose(c, s * w)
    np.testing.assert_allclose(c.sum(axis=1), aggregate(s, w, WLC()))


def test_input_errors():
    with pytest.raises(ParameterError, match="2-D"):
        aggregate([0.1, 0.2], [1, 1], WLC())
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        aggregate([[1.5, 0.2]], [1, 1], WLC())
    with pytest.raises(WeightsError, match="shape"):
        aggregate([[0.5, 0.2]], [1, 1, 1], WLC())
    with pytest.raises(WeightsError, match="non-negative"):
        aggregate([[0.5, 0.2]], [1, -1], WLC())
    with pytest.raises(WeightsError, match="sum to zero"):
        aggregate([[0.5, 0.2]], [0, 0], WLC())
