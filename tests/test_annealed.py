"""Annealed Langevin dynamics (samplers.annealed) with exact scores of Gaussians and Gaussian mixtures."""

import math

import pytest
import torch

from ebmlib import DivergenceError, losses, samplers, schedules

F64 = torch.float64


def gauss_score(mu, s):
    return lambda y, sg: -(y - mu) / (s**2 + sg[:, None] ** 2)


def mixture_score(centres, weights, s):
    """Exact score of sum_k w_k N(c_k, s^2) in 1-D blurred by N(0, sigma^2): autograd of its log-density."""
    def score(y, sg):
        with torch.enable_grad():
            y = y.detach().requires_grad_(True)
            v = s**2 + sg[:, None] ** 2  # (B, 1)
            logp = torch.logsumexp(torch.log(weights) - 0.5 * (y - centres) ** 2 / v - 0.5 * torch.log(v), dim=1)
            (g,) = torch.autograd.grad(logp.sum(), y)
        return g
    return score


def test_gaussian_moments():
    mu, s = torch.tensor([1.0, -2.0], dtype=F64), 0.6
    sig = schedules.geometric_sigmas(3.0, 0.05, 6, dtype=F64)
    y0 = 3.0 * torch.randn(8000, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    y = samplers.annealed_langevin(gauss_score(mu, s), y0, sigmas=sig, steps=300, step_size=0.01,
                                   denoise=False, generator=1)
    v = s**2 + 0.05**2  # the last level's blurred variance, ULA bias of order step/4 relative (~1 %)
    se_mean = math.sqrt(v / 8000)
    assert torch.allclose(y.mean(0), mu, atol=5 * se_mean)
    assert torch.allclose(y.var(0), torch.full((2,), v, dtype=F64), rtol=0.05)


def test_denoise_step_is_tweedie():
    mu, s = torch.tensor([0.0, 0.0], dtype=F64), 1.0
    sig = torch.tensor([0.5], dtype=F64)
    y0 = torch.randn(4, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    a = samplers.annealed_langevin(gauss_score(mu, s), y0, sigmas=sig, steps=0, step_size=0.1, denoise=True)
    assert torch.allclose(a, y0 - 0.25 * y0 / 1.25)  # y + sigma^2 score


def test_mode_weights_of_a_mixture_are_recovered():
    centres = torch.tensor([[-3.0, 3.0]], dtype=F64)
    weights = torch.tensor([[0.3, 0.7]], dtype=F64)
    score = mixture_score(centres, weights, 0.4)
    sig = schedules.geometric_sigmas(6.0, 0.1, 15, dtype=F64)
    y0 = torch.full((4000, 1), -3.0, dtype=F64)  # every chain starts in the light mode
    # step a_i = 0.2 sigma_i^2 at every level: each level relaxes in a few tens of steps
    y = samplers.annealed_langevin(score, y0, sigmas=sig, steps=100, step_size=0.2 * 0.1**2, generator=0)
    right = (y[:, 0] > 0).double().mean().item()
    assert right == pytest.approx(0.7, abs=5 * math.sqrt(0.21 / 4000))
    # one level only (the smallest): the chains stay where they started
    y1 = samplers.annealed_langevin(score, y0, sigmas=sig[-1:], steps=1500, step_size=0.2 * 0.1**2, generator=0)
    assert (y1[:, 0] > 0).double().mean().item() < 0.01


def test_trajectory_seed_and_global_rng():
    score = gauss_score(torch.zeros(2, dtype=F64), 1.0)
    sig = schedules.geometric_sigmas(2.0, 0.5, 3, dtype=F64)
    y0 = torch.zeros(5, 2, dtype=F64)
    state = torch.get_rng_state()
    t = samplers.annealed_langevin(score, y0, sigmas=sig, steps=4, step_size=0.1, generator=3, return_trajectory=True)
    assert torch.equal(torch.get_rng_state(), state)
    assert t.shape == (3 * 4 + 1, 5, 2) and torch.equal(t[0], y0)  # every update, y0 first
    y = samplers.annealed_langevin(score, y0, sigmas=sig, steps=4, step_size=0.1, generator=3)
    assert torch.equal(y, t[-1])
    assert torch.equal(y0, torch.zeros(5, 2, dtype=F64))


def test_divergence_raises():
    score = lambda y, sg: 1e3 * y  # noqa: E731 - pushes outwards, explodes
    sig = torch.tensor([1.0, 0.5], dtype=F64)
    with pytest.raises(DivergenceError, match="smaller step_size"):
        samplers.annealed_langevin(score, torch.ones(3, 2, dtype=F64), sigmas=sig, steps=200, step_size=1.0, generator=0)
