import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from geosite.transforms import Linear, ValueFunction


def test_linear_increasing_and_decreasing():
    up = Linear(best=10, worst=0)
    assert up([0, 5, 10, 20, -1]).tolist() == [0.0, 0.5, 1.0, 1.0, 0.0]
    down = Linear(best=0, worst=60)
    np.testing.assert_allclose(down([0, 30, 45, 60, 90]), [1, 0.5, 0.25, 0, 0])


def test_linear_nan_in_nan_out_and_scalar():
    f = Linear(best=1, worst=0)
    out = f([np.nan, 0.5])
    assert np.isnan(out[0])
    assert out[1] == 0.5
    assert f(0.25).shape == ()


def test_linear_rejects_equal_thresholds():
    with pytest.raises(ValidationError, match=r"best and worst are both 3\.0"):
        Linear(best=3, worst=3)


def test_value_function_discriminated_from_yaml_dict():
    f = TypeAdapter(ValueFunction).validate_python({"type": "linear", "best": 0, "worst": 60})
    assert isinstance(f, Linear)
    with pytest.raises(ValidationError):
        TypeAdapter(ValueFunction).validate_python({"type": "linear", "best": 0, "worst": 6, "x": 1})
