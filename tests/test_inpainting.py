"""Tests for ebmlib.inpaint: known pixels untouched, energy lowered, closed form on a quadratic, seeds."""

import pytest
import torch

from ebmlib import inpaint
from ebmlib.inpainting import inpaint_annealed
from ebmlib.schedules import geometric_sigmas
from ebmlib.models import ConvEnergy

D = torch.float64


def _quadratic_energy(mu, prec):
    """E(y) = 1/2 (y - mu)^T P (y - mu) on flattened images: a Gaussian with known conditional means."""
    def energy(y):
        d = (y - mu).reshape(y.shape[0], -1)  # (B, D)
        return 0.5 * ((d @ prec) * d).sum(1)
    return energy


def test_descent_reaches_the_gaussian_conditional_mean():
    # For a Gaussian energy, argmin over the unknown block is the conditional mean
    # mu_U - P_UU^{-1} P_UK (y_K - mu_K): solved here by a linear solve, independent of the descent.
    g = torch.Generator().manual_seed(0)
    n = 16
    a = torch.randn(n, n, generator=g, dtype=D)
    prec = a @ a.T / n + torch.eye(n, dtype=D)
    mu = torch.randn(1, 1, 4, 4, generator=g, dtype=D)
    y = torch.randn(3, 1, 4, 4, generator=g, dtype=D)
    mask = torch.zeros(1, 1, 4, 4, dtype=torch.bool)
    mask[..., 2:, :] = True  # the bottom half is unknown
    filled = inpaint(_quadratic_energy(mu, prec), y, mask, steps=3000, step_size=0.2)
    u = mask.reshape(-1)
    k = ~u
    yk = y.reshape(3, -1)[:, k] - mu.reshape(-1)[k]
    want = mu.reshape(-1)[u] - torch.linalg.solve(prec[u][:, u], prec[u][:, k] @ yk.T).T  # (3, 8)
    assert torch.allclose(filled.reshape(3, -1)[:, u], want, atol=1e-8)
    assert torch.equal(filled.reshape(3, -1)[:, k], y.reshape(3, -1)[:, k])


def test_known_pixels_unchanged_and_energy_lowered_on_a_conv_energy():
    model = ConvEnergy((4, 8), dtype=D, generator=0)
    g = torch.Generator().manual_seed(1)
    y = torch.rand(6, 1, 8, 8, generator=g, dtype=D)
    mask = torch.rand(6, 1, 8, 8, generator=g) < 0.5
    start = torch.where(mask, torch.full_like(y, 0.5), y)
    out, traj = inpaint(model, y, mask, steps=50, step_size=0.5, init=0.5, clamp=(0.0, 1.0),
                        return_trajectory=True)
    assert out.shape == y.shape and traj.shape == (51, 6, 1, 8, 8)
    assert torch.equal(out[~mask], y[~mask])  # bit for bit
    assert torch.equal(traj[0], start) and torch.equal(traj[-1], out)
    with torch.no_grad():
        assert bool((model(out) < model(start)).all())
    assert out.min() >= 0 and out.max() <= 1


def test_init_tensor_noise_and_seeds():
    model = ConvEnergy((4,), dtype=D, generator=0)
    y = torch.rand(2, 1, 8, 8, dtype=D)
    mask = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
    mask[..., :, 4:] = True
    mean = torch.full((1, 1, 8, 8), 0.3, dtype=D)
    a = inpaint(model, y, mask, steps=5, step_size=0.1, init=mean, noise_scale=0.05, generator=3)
    b = inpaint(model, y, mask, steps=5, step_size=0.1, init=mean, noise_scale=0.05,
                generator=torch.Generator().manual_seed(3))
    c = inpaint(model, y, mask, steps=5, step_size=0.1, init=mean, noise_scale=0.05, generator=4)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(inpaint(model, y, mask, steps=0, step_size=0.1, init=mean)[..., 4:], mean[..., 4:].expand(2, 1, 8, 4))
    state = torch.get_rng_state()
    inpaint(model, y, mask, steps=2, step_size=0.1, noise_scale=0.1, generator=0)
    assert torch.equal(state, torch.get_rng_state())
    # model parameters are left alone: no .grad, same requires_grad
    assert all(p.grad is None and p.requires_grad for p in model.parameters())


@pytest.mark.parametrize("kwargs, match", [
    ({"mask": torch.zeros(2, 1, 8, 8)}, "mask"),  # not bool
    ({"mask": torch.zeros(3, 1, 8, 8, dtype=torch.bool)}, "mask"),  # does not broadcast
    ({"init": torch.zeros(3, 3)}, "init"), ({"init": float("nan")}, "init"), ({"init": "0"}, "init"),
    ({"y": torch.zeros(4)}, "y"), ({"energy": None}, "energy"), ({"step_size": 0.0}, "step_size"),
    ({"steps": -1}, "steps"),
])
def test_bad_inputs(kwargs, match):
    args = {"energy": ConvEnergy((4,), generator=0), "y": torch.rand(2, 1, 8, 8),
            "mask": torch.ones(1, 1, 8, 8, dtype=torch.bool), "steps": 2, "step_size": 0.1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        inpaint(**args)


# --- inpaint_annealed: sampled completions with a noise-conditional score ---------------------------------

_S = torch.tensor([[1.0, 0.8], [0.8, 1.0]], dtype=torch.float64)


def _blurred_gaussian_score(y, sigma):  # the exact score of N(0, S) blurred by N(0, sigma^2 I)
    precision = torch.linalg.inv(_S[None] + sigma[:, None, None] ** 2 * torch.eye(2, dtype=torch.float64))
    return -(precision @ y[:, :, None])[:, :, 0]


def test_inpaint_annealed_samples_the_gaussian_conditional():
    # y_1 = 1 known: the conditional of y_2 is N(0.8, 1 - 0.8^2) in closed form
    y = torch.tensor([[1.0, 0.0]], dtype=torch.float64).expand(20000, 2)
    out = inpaint_annealed(_blurred_gaussian_score, y, torch.tensor([False, True]),
                           sigmas=geometric_sigmas(2.0, 0.01, 20, dtype=torch.float64), steps=50, step_size=1e-4,
                           generator=0)
    assert out.shape == (1, 20000, 2)
    assert torch.equal(out[0, :, 0], y[:, 0])  # the known pixel comes back exactly
    assert float(out[0, :, 1].mean()) == pytest.approx(0.8, abs=0.02)
    assert float(out[0, :, 1].var()) == pytest.approx(0.36, rel=0.05)


def test_inpaint_annealed_shapes_seeds_and_known_pixels():
    y = torch.rand(3, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    mask = torch.tensor([False, True])
    kw = dict(sigmas=geometric_sigmas(1.0, 0.1, 3, dtype=torch.float64), steps=2, step_size=1e-2, samples=4)
    state = torch.get_rng_state()
    a = inpaint_annealed(_blurred_gaussian_score, y, mask, generator=5, **kw)
    b = inpaint_annealed(_blurred_gaussian_score, y, mask, generator=5, **kw)
    assert torch.equal(torch.get_rng_state(), state)
    assert a.shape == (4, 3, 2) and torch.equal(a, b)
    assert not torch.equal(a, inpaint_annealed(_blurred_gaussian_score, y, mask, generator=6, **kw))
    assert torch.equal(a[:, :, 0], y[:, 0].expand(4, 3))
    assert not torch.equal(a[0], a[1])  # the k completions differ
