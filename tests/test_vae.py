"""The VAE's loss as a variational free energy (models.vae), against chapter 3's grid free energy."""

import math

import numpy as np
import pytest
import torch
from scipy.special import rel_entr

import ebmlib
from ebmlib import losses, models

F64 = torch.float64
DEC = ebmlib.EllipseDecoder(dtype=F64)
ZG = ebmlib.latent_grid(48, dtype=F64)


def _y():
    return torch.tensor([[2.0, 0.0], [0.0, 0.0], [1.0, 1.5], [-3.0, 0.5], [0.3, -1.2]], dtype=F64)


@pytest.mark.parametrize("beta", [1.0, 0.5, 3.0])
def test_exact_posterior_gives_the_grid_free_energy(beta):
    table = ebmlib.latent_energy_table(_y(), DEC, ZG).detach()
    exact = torch.log_softmax(-beta * table, dim=1)
    got = models.variational_free_energy(table, exact, beta=beta)
    assert torch.allclose(got, ebmlib.free_energy(table, beta), atol=1e-12)
    assert torch.allclose(got, ebmlib.latent_free_energy(_y(), DEC, beta=beta, z_grid=ZG), atol=1e-12)


def test_any_other_q_is_an_upper_bound_by_its_kl_to_the_posterior():
    table = ebmlib.latent_energy_table(_y(), DEC, ZG).detach()
    log_q = torch.log_softmax(torch.randn(table.shape, generator=torch.Generator().manual_seed(1), dtype=F64), dim=1)
    f_q = models.variational_free_energy(table, log_q)
    f_1 = ebmlib.free_energy(table, 1.0)
    post = torch.softmax(-table, dim=1).numpy()
    kl = rel_entr(torch.exp(log_q).numpy(), post).sum(1)
    assert (f_q > f_1).all()
    assert np.allclose((f_q - f_1).numpy(), kl, atol=1e-10)


def test_one_hot_q_is_energy_plus_log_grid_size():
    table = ebmlib.latent_energy_table(_y(), DEC, ZG).detach()
    log_q = torch.full_like(table, -math.inf)
    log_q[:, 7] = 0.0
    got = models.variational_free_energy(table, log_q, beta=2.0)
    assert torch.allclose(got, table[:, 7] + math.log(48) / 2.0)


def test_vae_loss_is_the_mean_variational_free_energy_and_trains():
    enc = models.GridEncoder(2, 48, (16,), dtype=F64, generator=0)
    y = _y()
    loss = losses.vae_loss(y, DEC, enc, z_grid=ZG)
    want = models.variational_free_energy(ebmlib.latent_energy_table(y, DEC, ZG), enc(y)).mean()
    assert loss.item() == pytest.approx(want.item())
    assert torch.allclose(torch.exp(enc(y)).sum(1), torch.ones(5, dtype=F64))
    opt = torch.optim.Adam(enc.parameters(), lr=0.02)
    for _ in range(300):
        opt.zero_grad()
        loss = losses.vae_loss(y, DEC, enc, z_grid=ZG)
        loss.backward()
        opt.step()
    gap = loss.item() - ebmlib.free_energy(ebmlib.latent_energy_table(y, DEC, ZG), 1.0).mean().item()
    assert 0 <= gap < 0.05  # amortised inference closes most of the gap on these five points


def test_encoder_seed():
    state = torch.get_rng_state()
    a, b = models.GridEncoder(generator=2), models.GridEncoder(generator=2)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
