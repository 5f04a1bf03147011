"""The helper plot2 added at the end of ebmlib/_checks.py (check_index); the rest of _checks has its own tests."""

import numpy as np
import pytest

from ebmlib._checks import check_index


@pytest.mark.parametrize("value", [0, 3, np.int64(2)])
def test_check_index_accepts_an_index_inside(value):
    assert check_index(value, 4, "i") == int(value) and type(check_index(value, 4, "i")) is int


@pytest.mark.parametrize("value", [-1, 4, 2.0, True, "1", None])
def test_check_index_refuses_anything_else(value):
    with pytest.raises(ValueError, match=r"i must be an integer index in \[0, 4\), got"):
        check_index(value, 4, "i")
