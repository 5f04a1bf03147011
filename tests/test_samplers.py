"""Tests for ebmlib.samplers.langevin: exact stationary moments on a Gaussian, determinism, errors."""

import math

import numpy as np
import pytest
import torch

from ebmlib.samplers import PersistentChains, langevin

D = torch.float64
MU = torch.tensor([1.0, -0.5], dtype=D)
P = torch.tensor([[2.0, 0.6], [0.6, 1.0]], dtype=D)  # precision matrix


def gauss_energy(y):
    d = y - MU
    return 0.5 * ((d @ P) * d).sum(-1)


def test_stationary_mean_and_covariance_match_the_closed_form():
    # For E = (y - mu)^T P (y - mu) / 2 the Langevin update is linear:
    # y' - mu = (I - eps P)(y - mu) + sqrt(2 eps) xi, whose stationary law is Gaussian with mean mu
    # and covariance C solving C = A C A + 2 eps I, A = I - eps P, i.e. C = (P (I - eps P / 2))^-1
    # (exact for every eps, no small-step approximation).
    eps = 0.1
    c_exact = np.linalg.inv(P.numpy() @ (np.eye(2) - eps * P.numpy() / 2))
    gen = torch.Generator().manual_seed(0)
    y0 = torch.zeros(4000, 2, dtype=D)
    traj = langevin(gauss_energy, y0, steps=300, step_size=eps, generator=gen, return_trajectory=True)
    # burn-in 100 steps (contraction |1 - eps*lambda_min|^100 < 1e-3), then every 20th state
    samples = traj[100::20].reshape(-1, 2).numpy()  # (10 * 4000, 2), nearly independent
    n = samples.shape[0]
    mean, cov = samples.mean(0), np.cov(samples.T)
    # 6 standard errors (se of a mean: sqrt(var / n); of a covariance entry: about sqrt(2/n) * var);
    # the generator is seeded, so this also cannot flake between runs
    se_mean = np.sqrt(np.diag(c_exact) / n)
    assert np.all(np.abs(mean - MU.numpy()) < 6 * se_mean)
    se_cov = np.sqrt(2.0 / n) * np.sqrt(np.outer(np.diag(c_exact), np.diag(c_exact)))
    assert np.all(np.abs(cov - c_exact) < 6 * se_cov)
    # the discrete-time bias (c_exact vs the target P^-1) is larger than this tolerance, so the test
    # really checks the update rule, step size included
    assert np.abs(c_exact - np.linalg.inv(P.numpy())).max() > 6 * se_cov.max()


def test_zero_noise_is_gradient_descent_to_the_minimum():
    y = langevin(gauss_energy, torch.zeros(3, 2, dtype=D), steps=500, step_size=0.1, noise_scale=0.0)
    assert torch.allclose(y, MU.expand(3, 2), atol=1e-10)


def test_one_step_by_hand():
    # E = |y|^2 / 2, grad = y: y1 = y0 - eps y0 + sqrt(2 eps) xi, xi from the same generator
    y0 = torch.tensor([[1.0, 2.0]], dtype=D)
    y1 = langevin(lambda y: 0.5 * (y ** 2).sum(-1), y0, steps=1, step_size=0.02,
                  generator=torch.Generator().manual_seed(3))
    xi = torch.randn((1, 2), generator=torch.Generator().manual_seed(3), dtype=D)
    assert torch.allclose(y1, 0.98 * y0 + 0.2 * xi)


def test_trajectory_shape_determinism_and_inputs_untouched():
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    net.eval()
    energy = lambda y: net(y).squeeze(-1) + 0.5 * (y ** 2).sum(-1)
    y0 = torch.randn(5, 2)
    y0_copy = y0.clone()
    a = langevin(energy, y0, steps=7, step_size=0.01, generator=torch.Generator().manual_seed(1),
                 return_trajectory=True)
    b = langevin(energy, y0, steps=7, step_size=0.01, generator=torch.Generator().manual_seed(1),
                 return_trajectory=True)
    assert a.shape == (8, 5, 2) and torch.equal(a, b) and torch.equal(a[0], y0)
    assert not a.requires_grad
    assert torch.equal(y0, y0_copy)
    assert all(p.grad is None and p.requires_grad for p in net.parameters()) and not net.training
    c = langevin(energy, y0, steps=7, step_size=0.01, generator=torch.Generator().manual_seed(2))
    assert not torch.equal(c, a[-1])


def test_works_under_no_grad_and_with_zero_steps():
    with torch.no_grad():
        y = langevin(gauss_energy, torch.zeros(2, 2, dtype=D), steps=3, step_size=0.1)
    assert y.shape == (2, 2)
    y0 = torch.ones(2, 2, dtype=D)
    assert torch.equal(langevin(gauss_energy, y0, steps=0, step_size=0.1), y0)


def test_gradient_clipping_is_per_element():
    # E = 100 y_1 - 0.5 y_2: gradient (100, -0.5); clipped to [-1, 1] it is (1, -0.5)
    energy = lambda y: 100.0 * y[:, 0] - 0.5 * y[:, 1]  # noqa: E731
    y = langevin(energy, torch.zeros(2, 2, dtype=D), steps=3, step_size=0.1, noise_scale=0.0, grad_clip=1.0)
    assert torch.allclose(y, torch.tensor([[-0.3, 0.15]] * 2, dtype=D), atol=1e-15)


def test_clamp_keeps_the_states_in_range_and_equals_clamping_each_step():
    energy = lambda y: -5.0 * y.flatten(1).sum(1)  # noqa: E731 - pushes every element up
    y0 = torch.zeros(4, 1, 3, 3, dtype=D)  # images
    traj = langevin(energy, y0, steps=20, step_size=0.1, noise_scale=0.1, clamp=(-1.0, 1.0), generator=5,
                    return_trajectory=True)
    assert traj.min() >= -1.0 and traj.max() <= 1.0 and torch.all(traj[-1] > 0.5)
    # the same chain by hand: one step at a time, clamped after each
    g, y = torch.Generator().manual_seed(5), y0
    for _ in range(20):
        y = langevin(energy, y, steps=1, step_size=0.1, noise_scale=0.1, generator=g).clamp(-1.0, 1.0)
    assert torch.allclose(traj[-1], y, atol=1e-15)


def test_images_are_sampled_like_flattened_points():
    """(B, C, H, W) chains are the (B, C*H*W) chains reshaped: the update is element-wise."""
    y0 = torch.randn(3, 2, 2, 2, generator=torch.Generator().manual_seed(0), dtype=D)
    a = langevin(lambda y: 0.5 * (y ** 2).flatten(1).sum(1), y0, steps=10, step_size=0.05, generator=4)
    b = langevin(lambda y: 0.5 * (y ** 2).sum(1), y0.reshape(3, 8), steps=10, step_size=0.05, generator=4)
    assert torch.equal(a.reshape(3, 8), b)


# ============================================================================================
# PersistentChains: restarts, then Langevin from where the chains are
# ============================================================================================

def _uniform(m, g):
    return 4 * torch.rand(m, 2, generator=g, dtype=torch.float64) - 2


def _gaussian_energy(y):
    return 0.5 * (y ** 2).sum(1)


def test_persistent_chains_without_restarts_continue_one_langevin_run():
    """Two calls of 5 steps = one langevin run of 10 steps from the same state and generator."""
    init = torch.zeros(6, 2, dtype=torch.float64)
    chains = PersistentChains(init, _uniform, restart_prob=0.0, generator=torch.Generator().manual_seed(3))
    chains(_gaussian_energy, steps=5, step_size=0.1)
    out = chains(_gaussian_energy, steps=5, step_size=0.1)
    # the reference draws the same numbers in the same order: (restart mask, fresh) before each run
    g = torch.Generator().manual_seed(3)
    y = init
    for _ in range(2):
        torch.rand(6, generator=g, dtype=torch.float64)
        _uniform(6, g)
        y = langevin(_gaussian_energy, y, steps=5, step_size=0.1, generator=g)
    assert torch.equal(out, y) and torch.equal(chains.chains, y)
    assert not torch.equal(out, init)


def test_persistent_chains_restart_every_chain_with_probability_one():
    g = torch.Generator().manual_seed(0)
    chains = PersistentChains(torch.full((5, 2), 100.0, dtype=torch.float64), _uniform, restart_prob=1.0,
                              generator=g)
    out = chains(_gaussian_energy, steps=0, step_size=0.1)  # zero steps: just the restarts
    assert torch.all(out.abs() <= 2)  # every chain came from fresh(), none kept its 100


def test_persistent_chains_restart_the_expected_fraction():
    m, p = 20000, 0.05
    init = torch.full((m, 2), 100.0, dtype=torch.float64)
    chains = PersistentChains(init, _uniform, restart_prob=p, generator=torch.Generator().manual_seed(1))
    out = chains(_gaussian_energy, steps=0, step_size=0.1)
    frac = float((out[:, 0] != 100.0).double().mean())
    assert abs(frac - p) < 6 * math.sqrt(p * (1 - p) / m)  # binomial: 6 standard errors


def test_persistent_chains_sample_a_gaussian():
    """Many calls with restarts from the stationary law keep the chains at N(0, I) (moments)."""
    g = torch.Generator().manual_seed(2)
    fresh = lambda m, gen: torch.randn(m, 2, generator=gen, dtype=torch.float64)  # noqa: E731
    chains = PersistentChains(fresh(4000, g), fresh, restart_prob=0.05, generator=g)
    for _ in range(20):
        out = chains(_gaussian_energy, steps=5, step_size=0.01)
    assert abs(float(out.mean())) < 0.05
    assert abs(float(out.var()) - 1.0) < 0.08  # step-size bias is about eps/4 = 0.0025


def test_persistent_chains_bad_inputs():
    y = torch.zeros(3, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="restart_prob must"):
        PersistentChains(y, _uniform, restart_prob=1.5)
    with pytest.raises(ValueError, match="fresh must be callable"):
        PersistentChains(y, None)
    with pytest.raises(ValueError, match="init must have at least 2 dimensions"):
        PersistentChains(torch.zeros(3, dtype=torch.float64), _uniform)
    chains = PersistentChains(y, lambda m, g: torch.zeros(m, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"fresh must return a tensor of shape \(3, 2\)"):
        chains(_gaussian_energy, steps=1, step_size=0.1)


def test_persistent_chains_take_images_an_int_seed_and_pass_grad_clip_and_clamp():
    fresh = lambda m, g: torch.rand(m, 1, 4, 4, generator=g, dtype=D)  # noqa: E731
    energy = lambda y: -100.0 * y.flatten(1).sum(1)  # noqa: E731 - gradient -100 on every pixel
    a = PersistentChains(fresh(5, torch.Generator().manual_seed(0)), fresh, restart_prob=0.5, generator=3)
    b = PersistentChains(fresh(5, torch.Generator().manual_seed(0)), fresh, restart_prob=0.5,
                         generator=torch.Generator().manual_seed(3))
    out_a = a(energy, steps=2, step_size=0.01, noise_scale=0.0, grad_clip=1.0, clamp=(0.0, 0.5))
    out_b = b(energy, steps=2, step_size=0.01, noise_scale=0.0, grad_clip=1.0, clamp=(0.0, 0.5))
    assert out_a.shape == (5, 1, 4, 4) and torch.equal(out_a, out_b)  # an int seed = a seeded generator
    assert out_a.max() <= 0.5  # clamp passed through
    # grad_clip passed through: without clamping, each step moves every pixel up by exactly eps * 1
    c = PersistentChains(torch.zeros(2, 1, 4, 4, dtype=D), fresh, restart_prob=0.0, generator=0)
    assert torch.allclose(c(energy, steps=3, step_size=0.01, noise_scale=0.0, grad_clip=1.0),
                          torch.full((2, 1, 4, 4), 0.03, dtype=D), atol=1e-15)
