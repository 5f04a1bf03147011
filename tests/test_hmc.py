"""Tests for ebmlib.samplers.hmc: exact moments, HMC with one leapfrog step is MALA, energy
conservation of leapfrog, a double well against quadrature, and a cross-check with ebmkit's HMC."""

import math

import pytest
import torch
from _targets import COV, MU, D, assert_double_well_moments, assert_gaussian_moments, double_well, gauss_energy
from test_metropolis import exact_double_well_samples

from ebmlib import hmc, mala


def test_gaussian_moments():
    y0 = torch.randn(10_000, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    y, rate = hmc(gauss_energy, y0, steps=40, step_size=0.3, n_leapfrog=5, generator=1)
    assert 0.6 < rate < 1.0
    assert_gaussian_moments(y.numpy(), MU.numpy(), COV.numpy())


def test_one_leapfrog_step_is_mala_with_half_the_squared_step():
    # L = 1: y' = y - (eps^2 / 2) grad E + eps p and the same acceptance ratio as MALA with
    # step eps^2 / 2; both draw the Gaussian first and the uniform second, so the chains coincide.
    y0 = torch.randn(500, 2, generator=torch.Generator().manual_seed(2), dtype=D)
    eps = 0.6
    a, ra = hmc(gauss_energy, y0, steps=40, step_size=eps, n_leapfrog=1, generator=3)
    b, rb = mala(gauss_energy, y0, steps=40, step_size=eps**2 / 2, generator=3)
    torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert ra == rb


def test_leapfrog_error_is_second_order():
    # with a fixed trajectory length eps * L, the energy error and so 1 - acceptance shrink like eps^2
    y0 = torch.randn(4000, 2, generator=torch.Generator().manual_seed(4), dtype=D) @ torch.linalg.cholesky(COV).T + MU
    rej = []
    for eps, n in ((0.2, 5), (0.1, 10)):
        _, r = hmc(gauss_energy, y0, steps=5, step_size=eps, n_leapfrog=n, generator=5)
        rej.append(1 - r)
    assert 2.5 < rej[0] / rej[1] < 6.0  # about 4


def test_double_well_against_quadrature_and_detailed_balance():
    y, _ = hmc(double_well, torch.zeros(10_000, 1, dtype=D), steps=80, step_size=0.2, n_leapfrog=8, generator=6)
    assert_double_well_moments(y.numpy())
    y0 = exact_double_well_samples(100_000, seed=7)
    traj, _ = hmc(double_well, y0, steps=1, step_size=0.3, n_leapfrog=4, generator=8, return_trajectory=True)
    a, b = traj[0, :, 0].numpy(), traj[1, :, 0].numpy()
    stat = a**3 * b - a * b**3
    assert abs(stat.mean()) < 5 * stat.std() / math.sqrt(len(stat))
    assert_double_well_moments(traj[1].numpy())


def test_unstable_leapfrog_is_rejected_not_propagated():
    # eps above 2 / sqrt(lambda_max) makes leapfrog blow up; every such trajectory is rejected
    y0 = torch.randn(100, 2, generator=torch.Generator().manual_seed(9), dtype=D)
    y, rate = hmc(gauss_energy, y0, steps=5, step_size=3.0, n_leapfrog=200, generator=10)
    assert rate == 0.0 and torch.equal(y, y0)


def test_matches_ebmkit_hmc_draw_for_draw():
    ebm = pytest.importorskip("ebm", reason="ebmkit (import ebm) is an optional peer; put /opt/peers_pkgs on the path")
    y0 = torch.randn(64, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    torch.manual_seed(12)
    ours, _ = hmc(gauss_energy, y0, steps=20, step_size=0.25, n_leapfrog=6)
    torch.manual_seed(12)
    theirs = ebm.samplers.HMC(step_size=0.25, leapfrog_steps=6, steps=20).sample(gauss_energy, y0)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)


def test_bad_n_leapfrog():
    for bad in (0, -1, 2.5, math.nan, True):
        with pytest.raises(ValueError, match="n_leapfrog"):
            hmc(gauss_energy, torch.zeros(2, 2, dtype=D), steps=1, step_size=0.1, n_leapfrog=bad)


