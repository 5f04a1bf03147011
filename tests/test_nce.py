"""Tests for ebmlib.losses.nce_loss: 2 log 2 at model = noise, a NumPy reference, recovery of log Z
(closed form and grid) and of a Gaussian's parameters, bad inputs, a cross-check against ebmkit."""

import math

import numpy as np
import pytest
import torch
from scipy.special import expit, log_expit

from ebmlib.datasets import toy_2d, toy_2d_log_prob
from ebmlib.grids import square_grid
from ebmlib.losses import nce_loss

D = torch.float64
NOISE_STD = 2.0


def noise_log_prob(y):  # N(0, NOISE_STD^2 I) in 2-D
    return -0.5 * (y**2).sum(1) / NOISE_STD**2 - math.log(2 * math.pi * NOISE_STD**2)


def noise(n, seed):
    return NOISE_STD * torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_two_log_two_when_the_model_is_the_noise():
    y_data, y_noise = noise(50, 0) + 1.0, noise(50, 1)
    loss = nce_loss(lambda y: -noise_log_prob(y), 0.0, y_data, y_noise, noise_log_prob)
    assert loss.item() == pytest.approx(2 * math.log(2), rel=1e-14)


def test_value_against_numpy_reference():
    y_data, y_noise = noise(7, 2) * 0.5, noise(21, 3)  # nu = 3
    E = lambda y: 0.5 * ((y - 0.3) ** 2).sum(1) + torch.sin(y[:, 0])  # noqa: E731
    log_z = 1.7
    got = nce_loss(E, torch.tensor(log_z, dtype=D), y_data, y_noise, noise_log_prob).item()
    nu = 3.0

    def g(y):  # log p_model - log(nu p_noise), in NumPy
        y = y.numpy()
        e = 0.5 * ((y - 0.3) ** 2).sum(1) + np.sin(y[:, 0])
        lq = -0.5 * (y**2).sum(1) / NOISE_STD**2 - np.log(2 * np.pi * NOISE_STD**2)
        return -e - log_z - lq - np.log(nu)

    want = -log_expit(g(y_data)).mean() - nu * log_expit(-g(y_noise)).mean()
    assert got == pytest.approx(want, rel=1e-12)


def test_gradient_in_log_z_is_the_classification_residual():
    # dL/dlog_z = mean_data sigmoid(-G) - nu mean_noise sigmoid(G)
    y_data, y_noise = noise(9, 4) * 0.7, noise(9, 5)
    E = lambda y: 0.5 * (y**2).sum(1)  # noqa: E731
    log_z = torch.tensor(0.4, dtype=D, requires_grad=True)
    (g,) = torch.autograd.grad(nce_loss(E, log_z, y_data, y_noise, noise_log_prob), log_z)
    G = lambda y: (-E(y) - 0.4 - noise_log_prob(y)).numpy()  # noqa: E731
    want = expit(-G(y_data)).mean() - expit(G(y_noise)).mean()
    assert g.item() == pytest.approx(want, rel=1e-12)


def train_nce(params, energy, log_z, y_data, *, nu=2, steps=600, lr=0.05, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(params + [log_z], lr=lr)
    for _ in range(steps):
        y_noise = NOISE_STD * torch.randn(nu * len(y_data), 2, generator=gen, dtype=D)
        opt.zero_grad()
        nce_loss(energy, log_z, y_data, y_noise, noise_log_prob).backward()
        opt.step()


def test_nce_recovers_a_gaussian_and_its_log_partition():
    S = torch.tensor([[1.0, 0.5], [0.5, 0.8]], dtype=D)
    m = torch.tensor([0.5, -0.3], dtype=D)
    y = torch.randn(4000, 2, generator=torch.Generator().manual_seed(6), dtype=D) @ torch.linalg.cholesky(S).T + m
    L = torch.eye(2, dtype=D).requires_grad_(True)
    mu = torch.zeros(2, dtype=D, requires_grad=True)
    log_z = torch.zeros((), dtype=D, requires_grad=True)
    energy = lambda v: 0.5 * (((v - mu) @ (L @ L.T)) * (v - mu)).sum(1)  # noqa: E731
    train_nce([L, mu], energy, log_z, y)
    Pm = (L @ L.T).detach()
    assert torch.allclose(mu.detach(), y.mean(0), atol=0.05)
    assert torch.allclose(Pm, torch.linalg.inv(torch.cov(y.T)), atol=0.1)
    log_z_closed = math.log(2 * math.pi) - 0.5 * torch.logdet(Pm).item()  # log of the Gaussian integral
    assert log_z.item() == pytest.approx(log_z_closed, abs=0.03)


def test_nce_learns_log_z_of_a_fixed_energy_against_the_grid():
    # E = -log p_8gaussians + 3: exp(-E) integrates to e^-3, so log Z = -3 (checked on a grid too)
    energy = lambda v: -toy_2d_log_prob("8gaussians", v) + 3.0  # noqa: E731
    grid, cell = square_grid(4.5, 301, dtype=D)
    grid_log_z = (torch.logsumexp(-energy(grid), 0) + math.log(cell)).item()
    assert grid_log_z == pytest.approx(-3.0, abs=1e-3)
    y = toy_2d("8gaussians", 3000, generator=7, dtype=D)
    log_z = torch.zeros((), dtype=D, requires_grad=True)
    train_nce([], energy, log_z, y, steps=300, lr=0.05)
    assert log_z.item() == pytest.approx(grid_log_z, abs=0.1)


def test_scalar_dtype_and_log_z_forms():
    for dtype in (torch.float32, torch.float64):
        yd, yn = noise(5, 8).to(dtype), noise(10, 9).to(dtype)
        E = lambda y: (y**2).sum(1)  # noqa: E731
        a = nce_loss(E, 0.5, yd, yn, noise_log_prob)
        b = nce_loss(E, torch.tensor([0.5], dtype=dtype), yd, yn, noise_log_prob)
        assert a.shape == () and a.dtype == dtype and a.item() == b.item()


BAD = [
    (lambda: nce_loss(None, 0.0, noise(3, 0), noise(3, 1), noise_log_prob), r"energy must be callable"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), 0.0, noise(3, 0), noise(3, 1), 2.0), r"noise_log_prob must be"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), 0.0, noise(3, 0)[:, 0], noise(3, 1), noise_log_prob),
     r"y_data must have 2"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), 0.0, noise(3, 0), noise(3, 1)[:, :1], noise_log_prob),
     r"y_noise must have shape"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), math.nan, noise(3, 0), noise(3, 1), noise_log_prob), r"log_z must"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), torch.zeros(2), noise(3, 0), noise(3, 1), noise_log_prob),
     r"log_z must"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), 0.0, noise(3, 0), noise(3, 1), lambda y: y), r"noise_log_prob must return"),
    (lambda: nce_loss(lambda y: y, 0.0, noise(3, 0), noise(3, 1), noise_log_prob), r"energy on y_data must return"),
    (lambda: nce_loss(lambda y: (y**2).sum(1), 0.0, noise(3, 0), noise(3, 1),
                      lambda y: toy_2d_log_prob("checkerboard", y)), r"noise_log_prob returned NaN or infinite"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_matches_ebmkit():
    nce_mod = pytest.importorskip("ebm.losses.nce",
                                  reason="ebmkit (import name ebm) is an optional peer used only as a reference")
    dist = torch.distributions.Independent(torch.distributions.Normal(torch.zeros(2, dtype=D),
                                                                      NOISE_STD * torch.ones(2, dtype=D)), 1)
    energy = lambda v: 0.5 * ((v - 0.2) ** 2).sum(1) * 1.3  # noqa: E731
    y = noise(40, 10) * 0.5
    theirs_fn = nce_mod.NoiseContrastiveEstimation(dist, noise_ratio=3).double()
    with torch.no_grad():
        theirs_fn.log_z.fill_(0.7)
    torch.manual_seed(123)
    theirs = theirs_fn(energy, y).loss
    torch.manual_seed(123)
    y_noise = dist.sample((120,))  # the same draw ebmkit made
    ours = nce_loss(energy, 0.7, y, y_noise, dist.log_prob)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)
