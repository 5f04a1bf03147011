"""The product of Student-t experts (models.poe): the energy by brute force, and, in the complete
case, score matching recovers the ICA unmixing filters of data mixed by a known matrix."""

import math

import numpy as np
import pytest
import torch

from ebmlib import losses, models

F64 = torch.float64


def test_energy_by_brute_force():
    m = models.ProductOfExperts(3, 5, dtype=F64, generator=0)
    y = torch.randn(4, 3, generator=torch.Generator().manual_seed(1), dtype=F64)
    W, a = m.filters.numpy(), m.alphas.numpy()
    want = [sum(a[j] * math.log(1 + float(W[j] @ y[i].numpy()) ** 2) for j in range(5)) for i in range(4)]
    assert np.allclose(m(y).detach().numpy(), want)
    assert np.allclose(a, 1.0)
    assert np.allclose(np.linalg.norm(W, axis=1), 1.0)


def test_score_matching_recovers_the_unmixing_filters():
    # s ~ Student-t with nu = 3 dof: p(s) proportional to (1 + s^2 / nu)^(-(nu + 1) / 2), so the true
    # density of y = A s is a PoE with filters w_j = (rows of A^-1) / sqrt(nu) and alpha = (nu + 1) / 2
    nu = 3.0
    g = torch.Generator().manual_seed(0)
    A = torch.tensor([[1.0, 0.6], [-0.3, 0.8]], dtype=F64)
    z = torch.randn(6000, 2, generator=g, dtype=F64)
    chi2 = (torch.randn(6000, 2, 3, generator=g, dtype=F64) ** 2).sum(-1)
    s = z / torch.sqrt(chi2 / nu)  # Student-t, drawn from our generator
    y = s @ A.T
    m = models.ProductOfExperts(2, 2, scale=0.5, dtype=F64, generator=3)
    opt = torch.optim.Adam(m.parameters(), lr=0.02)
    for _ in range(600):
        opt.zero_grad()
        loss = losses.score_matching_loss(m, y)
        loss.backward()
        opt.step()
    want = torch.linalg.inv(A) / math.sqrt(nu)  # rows are the true filters
    got = m.filters
    cos = (got / got.norm(dim=1, keepdim=True)) @ (want / want.norm(dim=1, keepdim=True)).T  # (2, 2)
    best = cos.abs().max(dim=1).values
    assert (best > 0.98).all(), cos
    assert cos.abs().argmax(dim=1).unique().numel() == 2  # one filter per source
    assert np.allclose(m.alphas.numpy(), (nu + 1) / 2, rtol=0.2)


def test_seed_and_global_rng():
    state = torch.get_rng_state()
    a, b = models.ProductOfExperts(2, 4, generator=5), models.ProductOfExperts(2, 4, generator=5)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a.filters, b.filters)
