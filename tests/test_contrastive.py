"""Tests for ebmlib.losses.contrastive: CD-k and persistent CD with Langevin negatives.

Shapes, the negatives are exactly the Langevin chains, gradient signs on a Gaussian whose width is
wrong, recovery of a Gaussian's precision, the energy penalty, parameters untouched by sampling,
seeds, bad inputs."""

import math

import pytest
import torch

from ebmlib import PersistentChains, langevin
from ebmlib.losses import contrastive_divergence_loss, persistent_contrastive_divergence_loss
from ebmlib.models import MLPEnergy

D = torch.float64


def data(n=256, seed=0, std=1.0):
    return std * torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=D)


def gauss(theta):  # E = theta / 2 ||y||^2: the Gibbs density is N(0, I / theta)
    return lambda y: 0.5 * theta * (y**2).sum(1)


def uniform(m, generator):
    return 3 * (2 * torch.rand(m, 2, generator=generator, dtype=D) - 1)


def test_cd_negatives_are_langevin_from_the_data():
    y = data(8)
    loss, neg = contrastive_divergence_loss(gauss(1.0), y, steps=5, step_size=0.1, generator=3, return_negatives=True)
    want = langevin(gauss(1.0), y, steps=5, step_size=0.1, generator=torch.Generator().manual_seed(3))
    assert torch.equal(neg, want)
    assert neg.shape == y.shape and not neg.requires_grad
    assert loss.shape == ()
    assert loss.item() == pytest.approx((gauss(1.0)(y).mean() - gauss(1.0)(want).mean()).item(), rel=1e-14)


@pytest.mark.parametrize("theta, sign", [(4.0, +1), (0.25, -1)])
def test_cd_gradient_sign_moves_the_width_towards_the_data(theta, sign):
    # data N(0, I): a too narrow model (theta = 4) must widen (dL/dtheta > 0), a too wide one narrow
    th = torch.tensor(theta, dtype=D, requires_grad=True)
    y = data(2000, seed=1)
    loss = contrastive_divergence_loss(gauss(th), y, steps=20, step_size=0.02, generator=2)
    (g,) = torch.autograd.grad(loss, th)
    assert sign * g.item() > 0.2


def test_cd_gradient_is_near_zero_at_the_truth():
    # model = data distribution: CD-k negatives are (nearly) new data, the gradient averages out
    th = torch.tensor(1.0, dtype=D, requires_grad=True)
    y = data(5000, seed=3)
    (g,) = torch.autograd.grad(contrastive_divergence_loss(gauss(th), y, steps=10, step_size=0.01, generator=4), th)
    assert abs(g.item()) < 0.02  # the wrong-width cases above give |g| > 0.2


def test_pcd_recovers_a_gaussian_precision():
    # data N(0, 0.5^2 I): theta should go to 4 (up to the Langevin step-size bias, small here)
    th = torch.tensor(1.0, dtype=D, requires_grad=True)
    gen = torch.Generator().manual_seed(5)
    chains = PersistentChains(uniform(500, gen), uniform, restart_prob=0.0, generator=gen)
    opt = torch.optim.Adam([th], lr=0.05)
    y = data(2000, seed=6, std=0.5)
    for _ in range(300):
        opt.zero_grad()
        persistent_contrastive_divergence_loss(gauss(th), y, chains, steps=5, step_size=0.01).backward()
        opt.step()
    assert th.item() == pytest.approx(4.0, rel=0.1)


def test_pcd_advances_the_buffer_and_returns_it():
    gen = torch.Generator().manual_seed(7)
    chains = PersistentChains(uniform(30, gen), uniform, restart_prob=0.1, generator=gen)
    before = chains.chains.clone()
    loss, neg = persistent_contrastive_divergence_loss(gauss(1.0), data(10), chains, steps=3, step_size=0.05,
                                                       return_negatives=True)
    assert neg.shape == (30, 2) and torch.equal(neg, chains.chains) and not torch.equal(neg, before)
    assert loss.item() == pytest.approx((gauss(1.0)(data(10)).mean() - gauss(1.0)(neg).mean()).item())


@pytest.mark.parametrize("persistent", [False, True])
def test_energy_penalty_adds_the_squared_energies(persistent):
    y, alpha = data(16), 0.3

    def call(pen):
        if persistent:
            gen = torch.Generator().manual_seed(8)
            chains = PersistentChains(uniform(12, gen), uniform, generator=gen)
            return persistent_contrastive_divergence_loss(gauss(2.0), y, chains, steps=2, step_size=0.05,
                                                          energy_penalty=pen, return_negatives=True)
        return contrastive_divergence_loss(gauss(2.0), y, steps=2, step_size=0.05, generator=8,
                                           energy_penalty=pen, return_negatives=True)

    (plain, neg), (penalised, neg2) = call(0.0), call(alpha)
    assert torch.equal(neg, neg2)
    extra = alpha * ((gauss(2.0)(y) ** 2).mean() + (gauss(2.0)(neg) ** 2).mean())
    assert penalised.item() == pytest.approx((plain + extra).item(), rel=1e-12)


def test_sampling_leaves_the_model_alone():
    torch.manual_seed(0)
    m = MLPEnergy(2, (8,), dtype=D)
    m.eval()
    loss = contrastive_divergence_loss(m, data(8), steps=3, step_size=0.01, generator=0)
    assert all(p.grad is None and p.requires_grad for p in m.parameters()) and not m.training
    loss.backward()
    assert all(p.grad is not None for p in m.parameters())


def test_seeds_and_global_rng():
    y = data(6)
    state = torch.get_rng_state()
    a = contrastive_divergence_loss(gauss(1.0), y, steps=3, step_size=0.1, generator=1)
    b = contrastive_divergence_loss(gauss(1.0), y, steps=3, step_size=0.1, generator=torch.Generator().manual_seed(1))
    c = contrastive_divergence_loss(gauss(1.0), y, steps=3, step_size=0.1, generator=2)
    assert torch.equal(torch.get_rng_state(), state)
    assert a.item() == b.item() != c.item()


_CH = PersistentChains(data(4), uniform)
BAD = [
    (lambda: contrastive_divergence_loss(1.0, data(4), steps=1, step_size=0.1), r"energy must be callable"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4)[:, 0], steps=1, step_size=0.1), r"y must have 2"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4) * math.nan, steps=1, step_size=0.1), r"y contains NaN"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=0, step_size=0.1), r"steps must be an integer >= 1"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=1.5, step_size=0.1), r"steps must be an integer"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=3.0, step_size=0.1), r"steps must be an integer"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=0, step_size=0.1), r"steps must be an integer >= 1"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=1, step_size=0.0), r"step_size must be > 0"),
    (lambda: contrastive_divergence_loss(gauss(1.0), data(4), steps=1, step_size=0.1, energy_penalty=-1.0),
     r"energy_penalty must be"),
    (lambda: contrastive_divergence_loss(lambda y: y.sum(), data(4), steps=1, step_size=0.1), r"energy must return"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), data(4), data(4), steps=1, step_size=0.1),
     r"chains must be an ebmlib.PersistentChains"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), torch.zeros(4, 3, dtype=D), _CH, steps=1,
                                                    step_size=0.1), r"chains must hold points of dimension 3"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), data(4), _CH, steps=0, step_size=0.1),
     r"steps must be an integer >= 1"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), data(4), _CH, steps=2.0, step_size=0.1),
     r"steps must be an integer >= 1"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), data(4), _CH, steps=1, step_size=-1.0),
     r"step_size must be > 0"),
    (lambda: persistent_contrastive_divergence_loss(gauss(1.0), data(4), _CH, steps=1, step_size=0.1,
                                                    energy_penalty=math.nan), r"energy_penalty must be"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
