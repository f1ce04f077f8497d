import math

import pytest

from geosite.errors import WeightsError
from geosite.weights import DirectWeights, resolve_weights


def test_direct_normalises_in_criteria_order():
    r = resolve_weights(DirectWeights(), ["b", "a"], {"a": 1, "b": 3})
    assert list(r.weights) == ["b", "a"]
    assert r.weights == {"b": 0.75, "a": 0.25}
    assert r.method == "direct"


@pytest.mark.parametrize(
    ("direct", "match"),
    [
        ({"a": -1, "b": 1}, r"'a': -1"),
        ({"a": math.nan, "b": 1}, r"'a': nan"),
        ({"a": 0, "b": 0}, "all zero"),
        ({"a": 1, "b": None}, r"missing on \['b'\]"),
        ({"a": 1, "b": 1, "c": 2}, r"\['c'\].*not criteria"),
    ],
)
def test_direct_errors(direct, match):
    with pytest.raises(WeightsError, match=match):
        resolve_weights(DirectWeights(), ["a", "b"], direct)
