"""Annealed importance sampling against log Z in closed form (a Gaussian) and by brute force (a grid)."""

import math

import pytest
import torch

import ebmlib
from ebmlib.samplers.ais import annealed_importance_sampling

F64 = torch.float64


def _se_log_z(log_w):
    # delta method: sd of log(mean w) = sd(w) / (sqrt(N) mean(w))
    w = torch.exp(log_w - log_w.max())
    return float(w.std() / (math.sqrt(len(w)) * w.mean()))


def test_gaussian_log_z_in_closed_form():
    mu = torch.tensor([0.5, -1.0, 0.2], dtype=F64)
    lam = torch.tensor([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 4.0]], dtype=F64)
    energy = ebmlib.GaussianEnergy(mu, lam)
    exact = 1.5 * math.log(2 * math.pi) - 0.5 * float(torch.logdet(lam))
    res = annealed_importance_sampling(energy, 3, n_chains=2000, n_levels=100, base_std=2.0, step_size=0.1,
                                       generator=0)
    assert res.log_weights.shape == (2000,) and res.samples.shape == (2000, 3)
    assert abs(res.log_z - exact) < max(4 * _se_log_z(res.log_weights), 0.02)
    assert abs(res.log_z - exact) < 0.05
    assert 1 <= res.ess <= 2000
    # the final states follow the target: mean within 0.1
    assert torch.allclose(res.samples.mean(0), mu, atol=0.1)


def test_tilted_double_well_against_a_grid():
    def tilted(y):
        return ebmlib.tilted_double_well(y, a=0.5)
    side = torch.linspace(-4.0, 4.0, 801, dtype=F64)
    grid = torch.stack(torch.meshgrid(side, side, indexing="xy"), -1).reshape(-1, 2)
    exact = float(torch.logsumexp(-tilted(grid), 0)) + 2 * math.log(float(side[1] - side[0]))
    res = annealed_importance_sampling(tilted, 2, n_chains=2000, n_levels=200, base_std=1.5, step_size=0.05,
                                       generator=1)
    assert abs(res.log_z - exact) < max(4 * _se_log_z(res.log_weights), 0.02)


def test_one_level_is_plain_importance_sampling_and_seeds_reproduce():
    # with a single level the weight is exp(-(E - E_0)) at a base draw: importance sampling
    energy = ebmlib.GaussianEnergy(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64))
    a = annealed_importance_sampling(energy, 2, n_chains=50, n_levels=1, base_std=1.0, generator=3)
    b = annealed_importance_sampling(energy, 2, n_chains=50, n_levels=1, base_std=1.0, generator=3)
    assert torch.equal(a.log_weights, b.log_weights)
    # base = target: every weight is exactly 1, log Z = log(2 pi)
    assert torch.allclose(a.log_weights, torch.zeros(50, dtype=F64), atol=1e-12)
    assert a.log_z == pytest.approx(math.log(2 * math.pi), abs=1e-12) and a.ess == pytest.approx(50)


@pytest.mark.parametrize("kwargs, match", [
    (dict(dim=0), "dim must be an integer >= 1"),
    (dict(n_chains=0), "n_chains must be an integer >= 1"),
    (dict(n_levels=2.5), "n_levels must be an integer >= 1"),
    (dict(base_std=-1.0), "base_std must be > 0"),
    (dict(step_size=0.0), "step_size must be > 0"),
    (dict(mala_steps=0), "mala_steps must be an integer >= 1"),
    (dict(energy=None), "energy"),
    (dict(energy=lambda y: y), "energy"),
])
def test_bad_inputs(kwargs, match):
    args = dict(energy=lambda y: (y**2).sum(1), dim=2, n_chains=4, n_levels=2)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        annealed_importance_sampling(args.pop("energy"), args.pop("dim"), **args)
