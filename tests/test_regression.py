"""ebmlib.regression (the polynomial Gaussian regression baseline and the highest-density-region
length), against answers written independently: NumPy least squares, SciPy's normal density and
quantiles, a known log-variance polynomial, and closed-form interval lengths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ebmlib.regression import PolynomialGaussianRegression, hdr_length

F64 = torch.float64


def test_constant_noise_regression_is_least_squares():
    gen = torch.Generator().manual_seed(0)
    x = 4 * torch.rand(500, generator=gen, dtype=F64) - 2
    y = torch.sin(x) + 0.3 * torch.randn(500, generator=gen, dtype=F64)
    m = PolynomialGaussianRegression(5, variance_degree=0).fit(x, y)
    coef = np.polynomial.polynomial.polyfit(x.numpy(), y.numpy(), 5)  # NumPy's least squares
    assert np.allclose(m.coef.numpy(), coef, atol=1e-8)
    resid = y.numpy() - np.polynomial.polynomial.polyval(x.numpy(), coef)
    assert math.isclose(m.sd(x[:1]).item(), float(np.sqrt((resid**2).mean())), rel_tol=1e-9)  # the ML variance
    lp = m.log_prob(x, y).numpy()
    ref = stats.norm.logpdf(y.numpy(), np.polynomial.polynomial.polyval(x.numpy(), coef), np.sqrt((resid**2).mean()))
    assert np.allclose(lp, ref, atol=1e-10)
    lo, hi = m.interval(x, 0.9)
    assert np.allclose((hi - lo).numpy() / 2, stats.norm.ppf(0.95) * np.sqrt((resid**2).mean()), rtol=1e-9)


def test_input_dependent_noise_recovers_the_true_sd():
    gen = torch.Generator().manual_seed(1)
    x = 4 * torch.rand(20000, generator=gen, dtype=F64) - 2
    sd_true = torch.exp(0.5 * (-3 + 0.8 * x + 0.5 * x**2))  # log-variance a degree-2 polynomial
    y = 2 * x + sd_true * torch.randn(20000, generator=gen, dtype=F64)
    m = PolynomialGaussianRegression(1, variance_degree=2).fit(x, y)
    xs = torch.linspace(-1.8, 1.8, 19, dtype=F64)
    assert torch.allclose(m.sd(xs), torch.exp(0.5 * (-3 + 0.8 * xs + 0.5 * xs**2)), rtol=0.05)
    assert torch.allclose(m.log_var_coef, torch.tensor([-3, 0.8, 0.5], dtype=F64), atol=0.05)
    # the fit maximises the likelihood: the gradient of the NLL in the log-variance coefficients is zero
    b = m.log_var_coef.clone().requires_grad_(True)
    P = torch.stack([x**k for k in range(3)], 1)
    r2 = (y - m.mean(x)) ** 2
    (0.5 * (P @ b + r2 * torch.exp(-(P @ b)))).sum().backward()
    assert b.grad.abs().max() < 1e-6
    lo, hi = m.interval(x, 0.9)
    assert abs(((y >= lo) & (y <= hi)).double().mean().item() - 0.9) < 0.01


def test_regression_bad_inputs():
    with pytest.raises(ValueError, match="degree"):
        PolynomialGaussianRegression(-1)
    with pytest.raises(ValueError, match="fitted"):
        PolynomialGaussianRegression(2).mean(torch.zeros(3, dtype=F64))
    m = PolynomialGaussianRegression(1)
    with pytest.raises(ValueError, match="y must have the shape"):
        m.fit(torch.zeros(3, dtype=F64), torch.zeros(4, dtype=F64))
    with pytest.raises(ValueError, match="x"):
        m.fit(torch.zeros(3, 1, dtype=F64), torch.zeros(3, dtype=F64))
    m.fit(torch.arange(5.0, dtype=F64), torch.arange(5.0, dtype=F64) + torch.tensor([0, 0.1, -0.1, 0.2, 0], dtype=F64))
    with pytest.raises(ValueError, match="level"):
        m.interval(torch.zeros(2, dtype=F64), 1.0)


def test_hdr_length_unimodal_and_bimodal():
    g = torch.linspace(-8, 8, 16001, dtype=F64)  # h = 0.001
    gauss = torch.distributions.Normal(0.0, 1.0).log_prob(g)
    assert abs(hdr_length(gauss[None], g, 0.9).item() - 2 * stats.norm.ppf(0.95)) < 0.005
    two = torch.logsumexp(torch.stack([torch.distributions.Normal(-4.0, 0.5).log_prob(g),
                                       torch.distributions.Normal(4.0, 0.5).log_prob(g)]), 0)
    # two well-separated equal bumps: the HDR is two intervals of length 2 * 0.5 * z_0.95 each
    assert abs(hdr_length(two[None], g, 0.9).item() - 2 * 2 * 0.5 * stats.norm.ppf(0.95)) < 0.005
    assert hdr_length(torch.stack([gauss, two]), g, 0.9).shape == (2,)
    with pytest.raises(ValueError, match="y_grid"):
        hdr_length(gauss[None], g[:-1], 0.9)
    with pytest.raises(ValueError, match="level"):
        hdr_length(gauss[None], g, 1.5)


@pytest.mark.parametrize("sd", [0.25, 0.2, 0.5, 1.0])
def test_hdr_length_on_a_coarse_grid_is_not_rounded_up(sd):
    """On chapter 10's grid (h = 0.1) the length stays within 0.015 of the exact 2 z_0.95 sd
    (0.822 for sd 0.25) wherever the mean sits between grid points, and never exceeds the central
    interval's exact length by more than that."""
    g = torch.linspace(-3.5, 3.5, 71, dtype=F64)
    exact = 2 * stats.norm.ppf(0.95) * sd
    for mu in np.linspace(0.0, 0.1, 11):
        lp = torch.distributions.Normal(float(mu), sd).log_prob(g)
        got = hdr_length(lp[None], g, 0.9).item()
        assert abs(got - exact) < 0.015, (sd, mu, got, exact)
    # every level, not just 0.9: the old whole-cell count was up to h = 0.1 too long
    lp = torch.distributions.Normal(0.03, sd).log_prob(g)[None]
    for lev in np.linspace(0.5, 0.95, 10):
        exact = 2 * stats.norm.ppf((1 + lev) / 2) * sd
        assert abs(hdr_length(lp, g, float(lev)).item() - exact) < 0.015, (sd, lev)
