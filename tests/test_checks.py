"""Tests for ebmlib._checks, the one validation layer: every check says what was expected and what came."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ebmlib._checks import (check_energy_output, check_in_range, check_index, check_int, check_limits, check_nonneg_int,
                            check_nonneg_real, check_positive, check_probability, check_real, check_tensor,
                            energy_and_grad)


class TestChecks:
    def test_check_tensor(self):
        t = torch.zeros(2, 3)
        assert check_tensor(t, "y", ndim=2) is t
        with pytest.raises(TypeError, match="y must be a torch.Tensor"):
            check_tensor([1.0], "y")
        with pytest.raises(ValueError, match=r"2 dimensions, got shape \(3,\)"):
            check_tensor(torch.zeros(3), "y", ndim=2)
        with pytest.raises(ValueError, match="floating-point"):
            check_tensor(torch.zeros(2, dtype=torch.long), "y")
        with pytest.raises(ValueError, match="empty"):
            check_tensor(torch.zeros(0, 2), "y")
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_tensor(torch.tensor([1.0, math.nan]), "y")
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_tensor(torch.tensor([math.inf]), "y")

    def test_check_positive(self):
        assert check_positive(2, "lr") == 2.0
        assert check_positive(math.inf, "beta", allow_inf=True) == math.inf
        assert check_positive(3, "n", integer=True) == 3
        for bad in (0, -1.0, math.nan, "1", None, True):
            with pytest.raises(ValueError, match="lr"):
                check_positive(bad, "lr")
        with pytest.raises(ValueError, match="finite"):
            check_positive(math.inf, "lr")
        with pytest.raises(ValueError, match="integer"):
            check_positive(2.5, "n", integer=True)

    def test_check_real(self):
        assert check_real(-2, "a") == -2.0
        assert check_real(np.float32(0.5), "a") == 0.5
        for bad in (math.nan, math.inf, "1", None, True, torch.tensor(1.0)):
            with pytest.raises(ValueError, match="a must be a finite real number"):
                check_real(bad, "a")

    def test_check_nonneg_int(self):
        assert check_nonneg_int(0, "steps") == 0
        for bad in (-1, 1.0, True, None):
            with pytest.raises(ValueError, match="steps"):
                check_nonneg_int(bad, "steps")

    def test_check_energy_output(self):
        e = torch.zeros(4)
        assert check_energy_output(e, 4) is e
        with pytest.raises(ValueError, match=r"shape \(4,\)"):
            check_energy_output(torch.zeros(4, 1), 4)
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_energy_output(torch.tensor([0.0, math.nan, 0.0, 0.0]), 4)
        with pytest.raises(ValueError, match="torch.Tensor"):
            check_energy_output(np.zeros(4), 4)

    def test_check_int_nonneg_real_probability_limits(self):
        assert check_int(3, "n") == 3 and check_int(2, "n", minimum=2) == 2
        for bad in (0, 2.0, True, "3"):
            with pytest.raises(ValueError, match="n must be an integer >= 1"):
                check_int(bad, "n")
        assert check_nonneg_real(0, "noise") == 0.0
        for bad in (-0.1, math.nan, math.inf, "0", True):
            with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
                check_nonneg_real(bad, "noise")
        assert check_probability(1, "p") == 1.0
        for bad in (-0.1, 1.1, math.nan, True):
            with pytest.raises(ValueError, match="p must be a number in"):
                check_probability(bad, "p")
        assert check_limits((0, 1), "lim") == (0.0, 1.0)
        for bad in ((1, 0), (0, math.inf), 1.0, (0, 1, 2)):
            with pytest.raises(ValueError, match="lim must"):
                check_limits(bad, "lim")

    def test_check_in_range(self):
        assert check_in_range(0.1, (0.01, 0.5), "step_size", "step_range") == (0.1, 0.01, 0.5)
        for value, value_range, match in ((0.9, (0.01, 0.5), "must lie inside step_range"),
                                          (0.1, (0.5, 0.01), "low < high"), (0.1, (0.0, 0.5), "step_range"),
                                          (-0.1, (0.01, 0.5), "step_size")):
            with pytest.raises(ValueError, match=match):
                check_in_range(value, value_range, "step_size", "step_range")

    def test_energy_and_grad_touches_no_parameter(self):
        net = torch.nn.Linear(2, 1)
        y = torch.randn(4, 2)
        e, g = energy_and_grad(lambda v: net(v)[:, 0] + (v**2).sum(1), y, check=True)
        torch.testing.assert_close(g, net.weight.detach().expand(4, 2) + 2 * y)  # the closed form
        assert all(p.grad is None for p in net.parameters()) and not e.requires_grad
        with pytest.raises(ValueError, match="does not depend on y"):
            energy_and_grad(lambda v: torch.zeros(4), y, check=True)


# check_index: an integer index in [0, size)
@pytest.mark.parametrize("value", [0, 3, np.int64(2)])
def test_check_index_accepts_an_index_inside(value):
    assert check_index(value, 4, "i") == int(value) and type(check_index(value, 4, "i")) is int


@pytest.mark.parametrize("value", [-1, 4, 2.0, True, "1", None])
def test_check_index_refuses_anything_else(value):
    with pytest.raises(ValueError, match=r"i must be an integer index in \[0, 4\), got"):
        check_index(value, 4, "i")
