"""Tests for ebmlib.samplers.mala: exact moments where ULA is biased, stationarity, detailed balance
on a double well against quadrature, one step by hand, and a cross-check with ebmkit's MALA."""

import math

import numpy as np
import pytest
import torch
from _targets import (COV, MU, D, P, assert_double_well_moments, assert_gaussian_moments, double_well,
                      gauss_energy, ula_covariance)
from test_metropolis import exact_double_well_samples

from ebmlib import langevin, mala


def exact_gaussian(n, seed):
    g = torch.Generator().manual_seed(seed)
    return MU + torch.randn(n, 2, generator=g, dtype=D) @ torch.linalg.cholesky(COV).T  # (n, 2)


def test_gaussian_moments_are_exact_where_ula_is_biased():
    eps = 0.3
    y0 = torch.randn(10_000, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    y, rate = mala(gauss_energy, y0, steps=150, step_size=eps, generator=1)
    assert 0.5 < rate < 0.95
    se_cov = assert_gaussian_moments(y.numpy(), MU.numpy(), COV.numpy())
    # the unadjusted chain at this step size is biased by far more than the tolerance just used
    assert np.abs(ula_covariance(eps) - COV.numpy()).max() > 5 * se_cov.max()


def test_one_step_from_the_target_keeps_it_where_ula_does_not():
    eps = 0.4
    y0 = exact_gaussian(200_000, seed=2)
    y1, _ = mala(gauss_energy, y0, steps=1, step_size=eps, generator=3)
    assert_gaussian_moments(y1.numpy(), MU.numpy(), COV.numpy())
    u1 = langevin(gauss_energy, y0, steps=1, step_size=eps, generator=torch.Generator().manual_seed(3))
    # ULA's one-step covariance is A C A + 2 eps I, A = I - eps P: visibly not C
    a = np.eye(2) - eps * P.numpy()
    want = a @ COV.numpy() @ a + 2 * eps * np.eye(2)
    assert_gaussian_moments(u1.numpy(), MU.numpy(), want)
    assert np.abs(want - COV.numpy()).max() > 0.1


def test_double_well_against_quadrature_and_detailed_balance():
    y, _ = mala(double_well, torch.zeros(10_000, 1, dtype=D), steps=250, step_size=0.2, generator=4)
    assert_double_well_moments(y.numpy())
    y0 = exact_double_well_samples(100_000, seed=5)
    traj, _ = mala(double_well, y0, steps=1, step_size=0.3, generator=6, return_trajectory=True)
    a, b = traj[0, :, 0].numpy(), traj[1, :, 0].numpy()
    stat = a**3 * b - a * b**3  # antisymmetric: mean 0 under detailed balance
    assert abs(stat.mean()) < 5 * stat.std() / math.sqrt(len(stat))
    assert_double_well_moments(traj[1].numpy())


def test_one_step_by_hand():
    y0 = torch.tensor([[0.3, -0.2], [2.0, 1.0], [-1.0, 0.5]], dtype=D)
    eps = 0.25
    y1, rate = mala(gauss_energy, y0, steps=1, step_size=eps, generator=8)
    g = torch.Generator().manual_seed(8)
    grad = lambda y: (y - MU) @ P  # noqa: E731
    prop = y0 - eps * grad(y0) + math.sqrt(2 * eps) * torch.randn((3, 2), generator=g, dtype=D)
    log_q = lambda to, frm: -((to - frm + eps * grad(frm)) ** 2).sum(1) / (4 * eps)  # noqa: E731
    log_alpha = gauss_energy(y0) - gauss_energy(prop) + log_q(y0, prop) - log_q(prop, y0)
    accept = torch.rand(3, generator=g, dtype=D).log() < log_alpha
    torch.testing.assert_close(y1, torch.where(accept[:, None], prop, y0), rtol=0, atol=1e-14)
    assert rate == pytest.approx(accept.double().mean().item())


def test_small_steps_accept_almost_everything_and_huge_ones_almost_nothing():
    y0 = exact_gaussian(4000, seed=9)
    _, small = mala(gauss_energy, y0, steps=20, step_size=1e-3, generator=10)
    _, huge = mala(gauss_energy, y0, steps=20, step_size=50.0, generator=10)
    assert small > 0.99 and huge < 0.01


def test_matches_ebmkit_mala_draw_for_draw():
    ebm = pytest.importorskip("ebm", reason="ebmkit (import ebm) is an optional peer; put /opt/peers_pkgs on the path")
    y0 = torch.randn(64, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    # both draw the proposal noise, then the uniform, from torch's global RNG, in that order
    torch.manual_seed(11)
    ours, _ = mala(gauss_energy, y0, steps=30, step_size=0.2)
    torch.manual_seed(11)
    theirs = ebm.samplers.MALA(step_size=0.2, steps=30).sample(gauss_energy, y0)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)
