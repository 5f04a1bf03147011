"""The grid-normalised conditional density (models.conditional) against SciPy's Gaussians and a
mixture's CDF solved by brentq; coverage of the true intervals on the forked regression data."""

import math

import numpy as np
import pytest
import torch
from scipy import optimize, stats

from ebmlib import datasets, losses, metrics, models

F64 = torch.float64
GRID = torch.linspace(-8.0, 8.0, 3201, dtype=F64)  # h = 0.005


def gauss_energy(x, y):  # E(x, y) = (y - m(x))^2 / (2 s(x)^2) + log s(x): p(y | x) = N(m, s^2) once normalised
    m, s = torch.sin(x[:, 0]), 0.5 + 0.25 * x[:, 0].abs()
    return 0.5 * ((y - m) / s) ** 2 + 7.0 * x[:, 0]  # the + 7x shift is absorbed by Z(x)


X = torch.tensor([[-1.0], [0.0], [0.7], [2.0]], dtype=F64)


def _m_s(x):
    return np.sin(x), 0.5 + 0.25 * np.abs(x)


def test_log_prob_is_scipys_gaussian_and_integrates_to_one():
    lp = models.grid_conditional_log_prob(gauss_energy, X, GRID)
    m, s = _m_s(X[:, 0].numpy())
    want = stats.norm.logpdf(GRID.numpy()[None, :], m[:, None], s[:, None])
    assert np.allclose(lp.numpy(), want, atol=1e-8)
    assert torch.allclose(torch.exp(lp).sum(1) * 0.005, torch.ones(4, dtype=F64))
    assert torch.allclose(models.grid_conditional_log_prob(gauss_energy, X[:, 0], GRID), lp)  # (B,) x


def test_nll_is_minus_scipys_logpdf_off_the_grid():
    y = torch.tensor([0.123, -0.777, 1.001, 3.3333], dtype=F64)
    m, s = _m_s(X[:, 0].numpy())
    got = losses.grid_conditional_nll(gauss_energy, X, y, GRID, reduction="none")
    assert np.allclose(got.numpy(), -stats.norm.logpdf(y.numpy(), m, s), atol=1e-8)
    assert losses.grid_conditional_nll(gauss_energy, X, y, GRID).item() == pytest.approx(got.mean().item())


def test_central_interval_is_scipys_quantiles():
    lo, hi = models.central_interval(models.grid_conditional_log_prob(gauss_energy, X, GRID), GRID, 0.9)
    m, s = _m_s(X[:, 0].numpy())
    assert np.allclose(lo.numpy(), stats.norm.ppf(0.05, m, s), atol=1e-4)
    assert np.allclose(hi.numpy(), stats.norm.ppf(0.95, m, s), atol=1e-4)


def test_central_interval_of_a_bimodal_density_by_brentq():
    def energy(x, y):  # 0.3 N(-2, 0.5^2) + 0.7 N(1.5, 0.3^2), the same for every x
        a = torch.log(torch.tensor(0.3, dtype=F64)) + stats.norm.logpdf(0, 0, 0.5) - 0.5 * ((y + 2) / 0.5) ** 2
        b = torch.log(torch.tensor(0.7, dtype=F64)) + stats.norm.logpdf(0, 0, 0.3) - 0.5 * ((y - 1.5) / 0.3) ** 2
        return -torch.logaddexp(a, b) + 0 * x[:, 0]

    cdf = lambda v: 0.3 * stats.norm.cdf(v, -2, 0.5) + 0.7 * stats.norm.cdf(v, 1.5, 0.3)  # noqa: E731
    lp = models.grid_conditional_log_prob(energy, X[:1], GRID)
    for level in (0.5, 0.9):
        lo, hi = models.central_interval(lp, GRID, level)
        assert lo.item() == pytest.approx(optimize.brentq(lambda v: cdf(v) - (1 - level) / 2, -8, 8), abs=1e-4)
        assert hi.item() == pytest.approx(optimize.brentq(lambda v: cdf(v) - (1 + level) / 2, -8, 8), abs=1e-4)


def test_true_intervals_cover_ninety_percent_of_forked_regression_data():
    x, y = datasets.forked_regression(20000, generator=0, dtype=F64)
    true_energy = lambda xx, yy: -datasets.forked_regression_log_prob(xx[:, 0], yy)  # noqa: E731
    grid = torch.linspace(-4.0, 4.0, 801, dtype=F64)
    lo, hi = models.central_interval(models.grid_conditional_log_prob(true_energy, x, grid), grid, 0.9)
    cov = metrics.interval_coverage(lo, hi, y).item()
    assert cov == pytest.approx(0.9, abs=5 * math.sqrt(0.09 / 20000))


def test_conditional_mlp_energy_shapes_and_seed():
    state = torch.get_rng_state()
    a = models.ConditionalMLPEnergy(2, (8, 8), generator=3)
    b = models.ConditionalMLPEnergy(2, (8, 8), generator=3)
    assert torch.equal(torch.get_rng_state(), state)
    x, y = torch.randn(5, 2), torch.randn(5)
    assert a(x, y).shape == (5,) and torch.equal(a(x, y), b(x, y))
    lp = models.grid_conditional_log_prob(a, x, torch.linspace(-3, 3, 61))
    assert lp.shape == (5, 61)
    assert torch.allclose(torch.exp(lp).sum(1) * 0.1, torch.ones(5), atol=1e-5)
