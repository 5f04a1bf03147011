"""Tests for ebmlib.samplers.metropolis_hastings: exact acceptance on a Gaussian, moments, a double
well against quadrature, detailed balance, one step by hand, divergence."""

import math

import numpy as np
import pytest
import torch
from _targets import COV, MU, D, assert_double_well_moments, assert_gaussian_moments, double_well, gauss_energy

from ebmlib import DivergenceError, metropolis_hastings


def exact_double_well_samples(n, seed):
    """iid draws from exp(-E) / Z of the double well by inverse sampling on a fine grid (jittered cells)."""
    g = torch.Generator().manual_seed(seed)
    h = 1e-4
    y = torch.arange(-3.5, 3.5, h, dtype=D)
    logp = -double_well(y[:, None])
    idx = torch.multinomial(torch.softmax(logp, 0), n, replacement=True, generator=g)
    return (y[idx] + h * (torch.rand(n, generator=g, dtype=D) - 0.5))[:, None]  # (n, 1)


@pytest.mark.parametrize("s", [0.5, 1.0, 2.4, 5.0])
def test_acceptance_on_a_standard_gaussian_has_a_closed_form(s):
    # For N(0, 1) and a N(y, s^2) proposal, started in stationarity, the acceptance rate is
    # E[min(1, exp((y^2 - y'^2) / 2))] = (2 / pi) arctan(2 / s).
    n = 200_000
    y0 = torch.randn(n, 1, generator=torch.Generator().manual_seed(1), dtype=D)
    _, rate = metropolis_hastings(lambda y: 0.5 * y[:, 0] ** 2, y0, steps=1, step_size=s, generator=2)
    want = 2 / math.pi * math.atan(2 / s)
    assert isinstance(rate, float)
    assert abs(rate - want) < 5 * math.sqrt(want * (1 - want) / n)


def test_gaussian_moments_from_independent_chains():
    y0 = torch.randn(10_000, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    y, rate = metropolis_hastings(gauss_energy, y0, steps=200, step_size=1.0, generator=3)
    assert 0.3 < rate < 0.7
    assert_gaussian_moments(y.numpy(), MU.numpy(), COV.numpy())


def test_double_well_against_quadrature():
    y0 = torch.zeros(10_000, 1, dtype=D)
    y, _ = metropolis_hastings(double_well, y0, steps=250, step_size=1.5, generator=4)
    assert_double_well_moments(y.numpy())


def test_detailed_balance_on_the_double_well():
    # Start from exact samples: one reversible step leaves the joint law of (y, y') symmetric, so the
    # antisymmetric statistic y^3 y' - y y'^3 has mean 0, and the marginal of y' is still the target.
    y0 = exact_double_well_samples(100_000, seed=5)
    traj, _ = metropolis_hastings(double_well, y0, steps=1, step_size=1.0, generator=6, return_trajectory=True)
    a, b = traj[0, :, 0].numpy(), traj[1, :, 0].numpy()
    stat = a**3 * b - a * b**3
    assert abs(stat.mean()) < 5 * stat.std() / math.sqrt(len(stat))
    assert_double_well_moments(traj[1].numpy())


def test_one_step_by_hand():
    y0 = torch.tensor([[0.3, -0.2], [2.0, 1.0], [-1.0, 0.5]], dtype=D)
    s = 0.7
    y1, rate = metropolis_hastings(gauss_energy, y0, steps=1, step_size=s, generator=8)
    g = torch.Generator().manual_seed(8)
    prop = y0 + s * torch.randn((3, 2), generator=g, dtype=D)
    u = torch.rand(3, generator=g, dtype=D)
    accept = u < torch.exp(gauss_energy(y0) - gauss_energy(prop))
    assert torch.equal(y1, torch.where(accept[:, None], prop, y0))
    assert rate == pytest.approx(accept.double().mean().item())


def test_image_shaped_chains_and_float32():
    # any trailing shape: (B, C, H, W) chains of a standard Gaussian energy
    y0 = torch.zeros(4000, 1, 2, 2)
    y, rate = metropolis_hastings(lambda y: 0.5 * (y**2).flatten(1).sum(1), y0, steps=150, step_size=0.8,
                                  generator=9)
    assert y.shape == (4000, 1, 2, 2) and y.dtype == torch.float32 and 0 < rate < 1
    assert abs(y.var().item() - 1.0) < 0.05


def test_flat_energy_with_a_huge_proposal_diverges_loudly():
    y0 = torch.full((2, 1), 1e308, dtype=D)
    with pytest.raises(DivergenceError, match="reached NaN/inf.*Metropolis-Hastings") as info:
        metropolis_hastings(lambda y: torch.zeros(y.shape[0], dtype=y.dtype), y0, steps=60, step_size=1e308,
                            generator=0)
    assert info.value.step is not None


def test_zero_steps_gives_nan_rate_and_a_copy():
    y0 = torch.ones(3, 2, dtype=D)
    y, rate = metropolis_hastings(gauss_energy, y0, steps=0, step_size=1.0)
    assert torch.equal(y, y0) and y is not y0 and math.isnan(rate)
    traj, _ = metropolis_hastings(gauss_energy, y0, steps=0, step_size=1.0, return_trajectory=True)
    assert traj.shape == (1, 3, 2)


@pytest.mark.parametrize("kwargs, match", [
    ({"step_size": 0.0}, "step_size must be > 0"),
    ({"step_size": math.nan}, "step_size must be > 0"),
    ({"step_size": 1.0, "steps": -1}, "steps must be a non-negative integer"),
    ({"step_size": 1.0, "generator": "seed"}, "generator must be"),
])
def test_bad_settings(kwargs, match):
    kw = {"steps": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        metropolis_hastings(gauss_energy, torch.zeros(2, 2, dtype=D), **kw)


def test_np_integer_steps_are_accepted():
    y, _ = metropolis_hastings(gauss_energy, torch.zeros(2, 2, dtype=D), steps=np.int64(3), step_size=0.5)
    assert y.shape == (2, 2)
