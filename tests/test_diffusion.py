"""Noise-conditional denoising score matching (losses.diffusion) and its score network (models.diffusion).

The reference: for isotropic Gaussian data N(mu, s^2 I), the data blurred by N(0, sigma^2 I) is
N(mu, (s^2 + sigma^2) I), whose score is -(y - mu) / (s^2 + sigma^2); the loss's minimiser must be
that closed form at every level.
"""

import math

import pytest
import torch
from torch import nn

from ebmlib import losses, models, schedules

F64 = torch.float64
MU = torch.tensor([1.0, -0.5], dtype=F64)
S = 0.7


class AffineScore(nn.Module):
    """s(y, sigma_l) = -a_l (y - b_l): one affine map per level, able to represent the closed form exactly."""

    def __init__(self, sigmas):
        super().__init__()
        self.sigmas = sigmas
        self.a = nn.Parameter(torch.ones(len(sigmas), dtype=F64))
        self.b = nn.Parameter(torch.zeros(len(sigmas), 2, dtype=F64))

    def forward(self, y, sigma):
        idx = torch.argmin((sigma[:, None] - self.sigmas[None, :]).abs(), dim=1)
        return -self.a[idx, None] * (y - self.b[idx])


def test_geometric_sigmas_ratio_and_ends():
    s = schedules.geometric_sigmas(3.0, 0.03, 5, dtype=F64)
    assert s[0].item() == pytest.approx(3.0) and s[-1].item() == pytest.approx(0.03)
    ratios = s[1:] / s[:-1]
    assert torch.allclose(ratios, torch.full_like(ratios, 0.01 ** 0.25))


def test_minimiser_is_the_noised_gaussian_score_at_every_level():
    sigmas = schedules.geometric_sigmas(2.0, 0.1, 4, dtype=F64)
    g = torch.Generator().manual_seed(0)
    y = MU + S * torch.randn(20000, 2, generator=g, dtype=F64)
    model = AffineScore(sigmas)
    opt = torch.optim.LBFGS(model.parameters(), max_iter=200, tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():  # the same seed every time: a fixed quadratic loss, minimised exactly
        opt.zero_grad()
        loss = losses.noise_conditional_dsm_loss(model, y, sigmas, generator=1)
        loss.backward()
        return loss

    opt.step(closure)
    want_a = 1.0 / (S**2 + sigmas**2)  # the closed form: -(y - mu) / (s^2 + sigma^2)
    assert torch.allclose(model.a.detach(), want_a, rtol=0.05)
    assert torch.allclose(model.b.detach(), MU.expand(4, 2), atol=0.05)


def test_loss_value_at_the_true_score_is_the_closed_form():
    # sigma s*(y~) + xi = xi - sigma (y~ - mu) / (s^2 + sigma^2) is the residual of regressing xi on y~,
    # with variance s^2 / (s^2 + sigma^2) per coordinate: E J = 1/2 D s^2 / (s^2 + sigma^2)
    sigma = 0.5
    y = MU + S * torch.randn(200000, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    true = lambda yt, sg: -(yt - MU) / (S**2 + sg[:, None] ** 2)  # noqa: E731
    got = losses.noise_conditional_dsm_loss(true, y, torch.tensor([sigma], dtype=F64), generator=2)
    want = 0.5 * 2 * S**2 / (S**2 + sigma**2)
    assert got.item() == pytest.approx(want, rel=0.01)


def test_seed_reproduces_and_leaves_global_rng():
    net = models.NoiseConditionalScore(2, (8,), generator=0, dtype=F64)
    y = torch.randn(16, 2, generator=torch.Generator().manual_seed(3), dtype=F64)
    sig = schedules.geometric_sigmas(1.0, 0.1, 3, dtype=F64)
    state = torch.get_rng_state()
    a = losses.noise_conditional_dsm_loss(net, y, sig, generator=5)
    b = losses.noise_conditional_dsm_loss(net, y, sig, generator=5)
    assert torch.equal(torch.get_rng_state(), state)
    assert a.item() == b.item()
    assert losses.noise_conditional_dsm_loss(net, y, sig, generator=6).item() != a.item()


def test_network_shapes_scale_and_seeded_init():
    state = torch.get_rng_state()
    a = models.NoiseConditionalScore(3, (16, 16), generator=4)
    b = models.NoiseConditionalScore(3, (16, 16), generator=4)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    y = torch.randn(5, 3)
    assert a(y, torch.full((5,), 0.5)).shape == (5, 3)
    assert torch.allclose(a(y, 0.5), a(y, torch.full((5,), 0.5)))
    # s = f(y, log sigma) / sigma: the 1/sigma factor is explicit
    f = a.net(torch.cat([y, torch.full((5, 1), math.log(0.25))], dim=1))
    assert torch.allclose(a(y, 0.25), f / 0.25)


def test_loss_trains_a_network_towards_the_closed_form():
    sigmas = schedules.geometric_sigmas(1.5, 0.3, 3)
    y = MU.float() + S * torch.randn(4096, 2, generator=torch.Generator().manual_seed(0))
    net = models.NoiseConditionalScore(2, (32, 32), generator=0)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for step in range(400):
        loss = losses.noise_conditional_dsm_loss(net, y[torch.randint(0, 4096, (512,), generator=torch.Generator().manual_seed(step))],
                                                 sigmas, generator=step)
        opt.zero_grad()
        loss.backward()
        opt.step()
    yt = MU.float() + 1.2 * torch.randn(500, 2, generator=torch.Generator().manual_seed(9))
    for sg in sigmas.tolist():
        true = -(yt - MU.float()) / (S**2 + sg**2)
        rel = (net(yt, sg) - true).norm(dim=1).mean() / true.norm(dim=1).mean()
        assert rel < 0.2, (sg, rel)
