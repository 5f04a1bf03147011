"""Tests for ebmlib.samplers.diagnostics against the closed forms of an AR(1) process."""

import math

import numpy as np
import pytest
import torch

from ebmlib import autocorrelation, effective_sample_size, integrated_autocorrelation_time, mode_hops


def ar1(phi, t, b, seed):
    """x_{t+1} = phi x_t + sqrt(1 - phi^2) xi, started in stationarity: rho_k = phi^k, tau = (1+phi)/(1-phi)."""
    rng = np.random.default_rng(seed)
    x = np.empty((t, b))
    x[0] = rng.normal(size=b)
    s = math.sqrt(1 - phi**2)
    for i in range(1, t):
        x[i] = phi * x[i - 1] + s * rng.normal(size=b)
    return torch.tensor(x)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_ar1_autocorrelation_and_tau(phi):
    x = ar1(phi, 4000, 100, seed=int(phi * 10))
    rho = autocorrelation(x, max_lag=10)
    assert rho.shape == (11,) and rho[0].item() == pytest.approx(1.0)
    np.testing.assert_allclose(rho.numpy(), phi ** np.arange(11), atol=0.02)
    tau = integrated_autocorrelation_time(x)
    assert tau == pytest.approx((1 + phi) / (1 - phi), rel=0.08)
    assert effective_sample_size(x) == pytest.approx(4000 * 100 / tau)


def test_matches_a_direct_sum():
    # the FFT autocovariance equals the O(T^2) definition
    x = ar1(0.7, 64, 3, seed=1)
    xc = (x - x.mean(0)).numpy()
    direct = np.array([(xc[: 64 - k] * xc[k:]).sum(0).mean() / 64 for k in range(64)])
    np.testing.assert_allclose(autocorrelation(x).numpy(), direct / direct[0], atol=1e-12)


def test_negative_correlation_gives_tau_below_one():
    x = ar1(-0.5, 4000, 50, seed=2)
    assert integrated_autocorrelation_time(x) == pytest.approx(1 / 3, rel=0.1)


@pytest.mark.parametrize("bad, match", [
    (torch.zeros(10), "x must have 2 dimensions"),
    (torch.zeros(3, 2), "x must have at least 4 steps"),
    (torch.ones(10, 2), "x must vary"),
    (torch.full((10, 2), math.nan), "x contains NaN"),
])
def test_bad_inputs(bad, match):
    for f in (autocorrelation, integrated_autocorrelation_time, effective_sample_size):
        with pytest.raises(ValueError, match=match):
            f(bad)


def test_mode_hops_by_hand():
    x = torch.tensor([[1.0, -1.0, 0.1, 0.6], [0.2, -0.3, -0.2, -0.3], [-0.9, 0.4, -0.8, 0.4], [0.3, 0.7, 0.9, -0.2],
                      [0.6, 0.0, 1.0, 0.7]])
    # chain 0: +1 -> (0.2 stays) -> -1 -> (0.3 stays) -> +1 : 2 hops
    # chain 1: -1 -> ... -> 0.7 (+1): 1 hop;  chain 2: starts +1 (0.1 > 0) -> -0.8 -> 0.9: 2 hops
    # chain 3: wanders inside the barrier band: no hop with hysteresis, 4 sign changes without
    assert mode_hops(x, threshold=0.5).tolist() == [2, 1, 2, 0]
    assert mode_hops(x, threshold=0.0).tolist() == [2, 1, 2, 4]


def test_mode_hops_bad_threshold():
    for bad in (-0.1, math.nan, math.inf, "0.5", True):
        with pytest.raises(ValueError, match="threshold must be"):
            mode_hops(torch.zeros(5, 2), threshold=bad)
