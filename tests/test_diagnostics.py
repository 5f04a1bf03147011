"""Tests for ebmlib.samplers.diagnostics against the closed forms of an AR(1) process, ULA's exact law and ArviZ."""

import math

import numpy as np
import pytest
import torch

import ebmlib
from ebmlib import autocorrelation, effective_sample_size, integrated_autocorrelation_time, mode_hops
from ebmlib.samplers.diagnostics import split_rhat


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
    # the FFT autocovariance equals the O(T^2) definition, about the grand mean of all chains
    x = ar1(0.7, 64, 3, seed=1)
    xc = (x - x.mean()).numpy()
    direct = np.array([(xc[: 64 - k] * xc[k:]).sum(0).mean() / 64 for k in range(64)])
    np.testing.assert_allclose(autocorrelation(x).numpy(), direct / direct[0], atol=1e-12)


def test_negative_correlation_gives_tau_below_one():
    x = ar1(-0.5, 4000, 50, seed=2)
    assert integrated_autocorrelation_time(x) == pytest.approx(1 / 3, rel=0.1)


@pytest.mark.parametrize("phi", [0.95, 0.5])
def test_tau_within_5_percent_of_the_ar1_closed_form_on_long_chains(phi):
    # tau = (1 + phi) / (1 - phi): 39 at phi = 0.95, 3 at phi = 0.5; 50 chains of 20,000 steps
    x = ar1(phi, 20000, 50, seed=int(100 * phi))
    tau = integrated_autocorrelation_time(x)
    assert tau == pytest.approx((1 + phi) / (1 - phi), rel=0.05)
    assert effective_sample_size(x) == pytest.approx(20000 * 50 / tau)


def test_no_low_bias_at_chapter_6_size():
    # chapter 6's ULA setting: 100 chains of 1,001 steps, phi = 1 - 0.1 * 0.4704 (tau = 41.5). Centring
    # each chain on its own mean gave about 15 % low on average; the grand mean removes that bias.
    phi = 1 - 0.1 * 0.4704
    taus = [integrated_autocorrelation_time(ar1(phi, 1001, 100, seed=s)) for s in range(8)]
    assert np.mean(taus) == pytest.approx((1 + phi) / (1 - phi), rel=0.05)


def test_tau_of_ula_on_a_gaussian_matches_its_exact_ar1_law():
    # ULA on E(y) = 1/2 (y - mu)^T Lambda (y - mu): along an eigenvector of Lambda (eigenvalue lam) it is
    # exactly AR(1) with phi = 1 - eps lam, stationary law N(mu, (Lambda (I - eps Lambda / 2))^-1)
    mu = torch.tensor([1.0, -0.5], dtype=torch.float64)
    lam_mat = torch.tensor([[2.0, 0.9], [0.9, 1.0]], dtype=torch.float64)
    eps = 0.1
    c_eps = torch.linalg.inv(lam_mat @ (torch.eye(2, dtype=torch.float64) - eps * lam_mat / 2))
    g = torch.Generator().manual_seed(0)
    y0 = mu + torch.randn(40, 2, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(c_eps).T
    energy = lambda y: 0.5 * (((y - mu) @ lam_mat) * (y - mu)).sum(-1)  # noqa: E731
    traj = ebmlib.langevin(energy, y0, steps=20000, step_size=eps, generator=1, return_trajectory=True)
    lams, vecs = torch.linalg.eigh(lam_mat)
    for k in range(2):
        phi = 1 - eps * float(lams[k])
        x = (traj - mu) @ vecs[:, k]  # (20001, 40)
        assert integrated_autocorrelation_time(x) == pytest.approx((1 + phi) / (1 - phi), rel=0.05)
        assert float(x.var()) == pytest.approx(float(vecs[:, k] @ c_eps @ vecs[:, k]), rel=0.05)


def test_unmixed_chains_have_a_long_tau_and_a_large_rhat():
    # two groups of chains at +1 and -1 (never mixing): pooled about the grand mean, the
    # autocorrelation stays near 1/2 at every lag, and split R-hat is about sqrt(1 + 1) = 1.41
    x = ar1(0.0, 2000, 40, seed=3)
    x[:, :20] += 1.0
    x[:, 20:] -= 1.0
    assert autocorrelation(x, max_lag=50)[1:].min() > 0.45
    assert integrated_autocorrelation_time(x) > 100
    assert split_rhat(x) == pytest.approx(math.sqrt(2.0), rel=0.02)


def test_split_rhat_near_one_for_mixed_chains_and_catches_a_trend():
    assert split_rhat(ar1(0.5, 4000, 8, seed=4)) == pytest.approx(1.0, abs=0.01)
    trend = ar1(0.5, 4000, 8, seed=5) + torch.linspace(0, 3, 4000, dtype=torch.float64)[:, None]
    assert split_rhat(trend) > 1.2  # every chain drifts: the split halves disagree


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.95])
def test_against_arviz(phi):
    # ArviZ's ESS of the mean (Geyer's initial monotone sequence, pooled like Stan) and split R-hat;
    # skipped where arviz_stats is not installed (it is not a dependency of ebmlib)
    array_stats = pytest.importorskip("arviz_stats.base").array_stats
    x = ar1(phi, 3000, 6, seed=6)
    assert effective_sample_size(x) == pytest.approx(float(array_stats.ess(x.numpy().T, method="mean")), rel=0.02)
    # R-hat with one chain a little off, so that it is not trivially 1. (The ESS of such chains is not
    # compared: a constant between-chain term in every rho_k makes the truncation point, hence tau,
    # depend on the last few noisy lags, where the two implementations' end corrections differ.)
    x[:, 0] += 0.3
    assert split_rhat(x) == pytest.approx(float(array_stats.rhat(x.numpy().T, method="split")), rel=1e-3)


def test_split_rhat_bad_inputs():
    for bad, match in ((torch.zeros(10), "x must have 2 dimensions"), (torch.zeros(3, 2), "x must have at least 4"),
                       (torch.ones(10, 2), "x must vary"), (torch.full((10, 2), math.nan), "x contains NaN")):
        with pytest.raises(ValueError, match=match):
            split_rhat(bad)


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
