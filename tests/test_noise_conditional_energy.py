"""ebmlib.models.NoiseConditionalEnergy (chapter 9): an energy per noise level, its score -grad E.

Answers no one here wrote: the score of a Gaussian blurred by N(0, sigma^2 I) in closed form,
central finite differences of the energy, and denoising score matching's minimiser on Gaussian data.
"""

from __future__ import annotations

import pytest
import torch

from ebmlib import losses, models, samplers, schedules

F64 = torch.float64


def _zero_network(e: models.NoiseConditionalEnergy) -> models.NoiseConditionalEnergy:
    with torch.no_grad():
        for p in e.h.parameters():
            p.zero_()
    return e


@pytest.mark.parametrize("sigma", [0.02, 0.3, 2.0])
def test_without_the_network_it_is_the_blurred_gaussian(sigma):
    # h = 0: E is the energy of N(m, s^2 I) blurred by N(0, sigma^2 I) = N(m, (s^2 + sigma^2) I)
    m = torch.tensor([0.3, -1.0, 2.0], dtype=F64)
    s = 0.4
    e = _zero_network(models.NoiseConditionalEnergy(3, (8, 8), mean=m, data_scale=s, dtype=F64, generator=0)).eval()
    y = torch.randn(6, 3, generator=torch.Generator().manual_seed(1), dtype=F64)
    want_score = -(y - m) / (s**2 + sigma**2)
    assert torch.allclose(e(y, sigma), want_score, rtol=1e-12, atol=1e-12)
    want_energy = ((y - m) ** 2).sum(1) / (2 * (s**2 + sigma**2))
    assert torch.allclose(e.energy(y, sigma), want_energy, rtol=1e-12)


def test_score_is_minus_the_gradient_by_finite_differences():
    e = models.NoiseConditionalEnergy(4, (16, 16), mean=torch.rand(4, dtype=F64), data_scale=0.5, dtype=F64,
                                      generator=3).eval()
    y = torch.randn(5, 4, generator=torch.Generator().manual_seed(2), dtype=F64)
    sigma = torch.tensor([0.05, 0.1, 0.5, 1.0, 2.0], dtype=F64)
    h = 1e-6
    fd = torch.stack([(e.energy(y + h * d, sigma) - e.energy(y - h * d, sigma)) / (2 * h)
                      for d in torch.eye(4, dtype=F64)], dim=1)
    assert torch.allclose(e(y, sigma), -fd, rtol=1e-6, atol=1e-6)


def test_float_and_tensor_sigma_agree_and_shapes():
    e = models.NoiseConditionalEnergy(3, (8,), generator=0).eval()
    y = torch.randn(5, 3)
    assert e(y, 0.5).shape == (5, 3) and e.energy(y, 0.5).shape == (5,)
    assert torch.equal(e(y, 0.5), e(y, torch.full((5,), 0.5)))
    assert torch.equal(e(y, torch.tensor(0.5)), e(y, 0.5))
    assert e(y, 0.5).grad_fn is None  # eval mode: no graph kept


def test_training_mode_keeps_the_graph_for_the_loss():
    e = models.NoiseConditionalEnergy(3, (8,), generator=0, dtype=F64)
    y = torch.randn(7, 3, generator=torch.Generator().manual_seed(0), dtype=F64)
    loss = losses.noise_conditional_dsm_loss(e, y, schedules.geometric_sigmas(1.0, 0.1, 3, dtype=F64), generator=1)
    loss.backward()
    *inner, last_bias = list(e.h.parameters())
    assert all(p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0 for p in inner)
    assert last_bias.grad is None  # a constant added to E changes no score: the output bias is not trained
    assert not y.requires_grad


def test_seeded_init_reproduces_and_leaves_the_global_rng():
    state = torch.get_rng_state()
    a = models.NoiseConditionalEnergy(3, (8, 8), generator=4)
    b = models.NoiseConditionalEnergy(3, (8, 8), generator=4)
    c = models.NoiseConditionalEnergy(3, (8, 8), generator=5)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_the_mean_is_a_buffer_not_a_parameter():
    m = torch.arange(3.0)
    e = models.NoiseConditionalEnergy(3, (4,), mean=m, generator=0)
    m += 1  # the model keeps its own copy
    assert torch.equal(e.mean, torch.arange(3.0))
    assert "mean" in dict(e.named_buffers()) and "mean" not in dict(e.named_parameters())


def test_denoising_score_matching_trains_it_towards_the_closed_form():
    # data N(mu, S^2 I) with S != data_scale (0.5, the default): the network must learn the difference
    # between the blurred score -(y - mu) / (S^2 + sigma^2) and its base -(y - m) / (0.5^2 + sigma^2)
    mu, S = torch.tensor([1.0, -0.5]), 0.7
    y = mu + S * torch.randn(4096, 2, generator=torch.Generator().manual_seed(0))
    sigmas = schedules.geometric_sigmas(1.5, 0.3, 3)
    e = models.NoiseConditionalEnergy(2, (32, 32), mean=y.mean(0), generator=0)
    opt = torch.optim.Adam(e.parameters(), lr=1e-2)
    for step in range(400):
        batch = y[torch.randint(0, 4096, (256,), generator=torch.Generator().manual_seed(step))]
        loss = losses.noise_conditional_dsm_loss(e, batch, sigmas, generator=step)
        opt.zero_grad()
        loss.backward()
        opt.step()
    e.eval()
    yt = mu + 1.2 * torch.randn(500, 2, generator=torch.Generator().manual_seed(9))
    for sg in sigmas.tolist():
        true = -(yt - mu) / (S**2 + sg**2)
        rel = (e(yt, sg) - true).norm(dim=1).mean() / true.norm(dim=1).mean()
        assert rel < 0.2, (sg, rel)  # the bound of the same test for NoiseConditionalScore (test_diffusion.py)
