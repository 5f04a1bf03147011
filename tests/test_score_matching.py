"""Tests for ebmlib.losses.score_matching: closed forms on Gaussian and quartic energies, the sliced and
denoising versions against their expectations, recovery of a precision matrix, seeds, bad inputs,
and a cross-check against ebmkit's exact score matching."""

import math

import pytest
import torch

from ebmlib.losses import denoising_score_matching_loss, score_matching_loss, sliced_score_matching_loss
from ebmlib.models import MLPEnergy

D = torch.float64
P = torch.tensor([[2.0, 0.6], [0.6, 1.0]], dtype=D)  # a precision matrix (positive definite)


def quad(P):
    return lambda y: 0.5 * ((y @ P) * y).sum(1)  # E = 1/2 y^T P y


def data(n=64, seed=0, dim=2):
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=D)


def quad_sm_closed_form(P, y):
    # 1/2 ||P y||^2 - tr P, per sample, averaged
    return (0.5 * ((y @ P) ** 2).sum(1) - torch.trace(P)).mean()


# ---------------------------------------------------------------- exact score matching

def test_score_matching_on_a_gaussian_energy_is_the_closed_form():
    y = data()
    assert score_matching_loss(quad(P), y).item() == pytest.approx(quad_sm_closed_form(P, y).item(), rel=1e-12)


def test_score_matching_on_a_quartic_energy_is_the_closed_form():
    # E = 1/4 ||y||^4: grad E = ||y||^2 y, Laplacian = (D + 2) ||y||^2
    y = data(dim=3)
    r2 = (y**2).sum(1)
    want = (0.5 * r2**3 - (3 + 2) * r2).mean()
    got = score_matching_loss(lambda v: 0.25 * ((v**2).sum(1)) ** 2, y)
    assert got.item() == pytest.approx(want.item(), rel=1e-12)


def test_score_matching_expectation_on_gaussian_data():
    # for y ~ N(0, S): E[1/2 y^T P^2 y] - tr P = 1/2 tr(P^2 S) - tr P
    S = torch.linalg.inv(P)
    y = data(200_000, seed=1) @ torch.linalg.cholesky(S).T
    want = 0.5 * torch.trace(P @ P @ S) - torch.trace(P)  # = 1/2 tr P - tr P = -1/2 tr P
    assert score_matching_loss(quad(P), y).item() == pytest.approx(want.item(), abs=0.02)


def test_score_matching_gradient_vanishes_at_the_inverse_second_moment():
    # J(P) = 1/2 tr(P S P) - tr P with S = mean y y^T is minimised at P = S^-1
    y = data(50, seed=2) + torch.tensor([0.3, -0.2], dtype=D)
    S = y.T @ y / len(y)
    A = torch.linalg.inv(S).clone().requires_grad_(True)
    (g,) = torch.autograd.grad(score_matching_loss(quad(0.5 * (A + A.T)), y), A)
    assert g.abs().max().item() < 1e-12
    A2 = (torch.linalg.inv(S) + 0.1 * torch.eye(2, dtype=D)).requires_grad_(True)
    (g2,) = torch.autograd.grad(score_matching_loss(quad(0.5 * (A2 + A2.T)), y), A2)
    assert g2.abs().max().item() > 1e-3


def test_score_matching_trains_a_precision_matrix():
    y = data(400, seed=3) @ torch.linalg.cholesky(torch.linalg.inv(P)).T
    S = y.T @ y / len(y)
    L = torch.eye(2, dtype=D).requires_grad_(True)  # P = L L^T stays positive definite
    opt = torch.optim.Adam([L], lr=0.05)
    for _ in range(600):
        opt.zero_grad()
        score_matching_loss(quad(L @ L.T), y).backward()
        opt.step()
    assert torch.allclose(L @ L.T, torch.linalg.inv(S), atol=1e-4)


def test_score_matching_keeps_dtype_and_returns_a_scalar():
    for dtype in (torch.float32, torch.float64):
        y = data().to(dtype)
        m = MLPEnergy(2, (8,), dtype=dtype)
        out = score_matching_loss(m, y)
        assert out.shape == () and out.dtype == dtype and out.requires_grad


# ---------------------------------------------------------------- sliced score matching

def test_sliced_score_matching_one_draw_is_the_formula():
    y = data(5)
    g = torch.Generator().manual_seed(7)
    got = sliced_score_matching_loss(quad(P), y, n_projections=3, generator=g)
    g = torch.Generator().manual_seed(7)
    vs = [torch.randn(y.shape, generator=g, dtype=D) for _ in range(3)]
    want = torch.stack([0.5 * ((v * (y @ P)).sum(1)) ** 2 - ((v @ P) * v).sum(1) for v in vs]).mean()
    assert got.item() == pytest.approx(want.item(), rel=1e-12)


@pytest.mark.parametrize("energy", ["quadratic", "quartic"])
def test_sliced_score_matching_expectation_is_exact_score_matching(energy):
    E = quad(P) if energy == "quadratic" else (lambda v: 0.25 * ((v**2).sum(1)) ** 2)
    y = data(16, seed=4) * 0.7
    exact = score_matching_loss(E, y).item()
    estimates = torch.tensor([sliced_score_matching_loss(E, y, n_projections=400, generator=s).item()
                              for s in range(12)], dtype=D)
    se = estimates.std().item() / math.sqrt(len(estimates))
    assert abs(estimates.mean().item() - exact) < 4 * se + 1e-12
    assert se < 0.05 * abs(exact)  # the test has power


def test_sliced_score_matching_gradient_in_parameters_is_unbiased():
    y = data(32, seed=5)
    A = P.clone().requires_grad_(True)
    (g_exact,) = torch.autograd.grad(score_matching_loss(quad(A), y), A)
    (g_sliced,) = torch.autograd.grad(sliced_score_matching_loss(quad(A), y, n_projections=4000, generator=0), A)
    assert torch.allclose(g_sliced, g_exact, atol=0.05 * g_exact.abs().max().item())


# ---------------------------------------------------------------- denoising score matching

def test_denoising_score_matching_one_draw_is_the_formula():
    # E = 1/2 y^T P y: grad E(y + s xi) - xi / s = P y + (s P - I / s) xi
    y, s = data(6), 0.3
    got = denoising_score_matching_loss(quad(P), y, sigma=s, generator=11)
    xi = torch.randn(y.shape, generator=torch.Generator().manual_seed(11), dtype=D)
    want = 0.5 * ((y @ P + xi @ (s * P - torch.eye(2, dtype=D) / s)) ** 2).sum(1).mean()
    assert got.item() == pytest.approx(want.item(), rel=1e-12)


def test_denoising_score_matching_expectation_closed_form():
    # E over xi: 1/2 mean ||P y||^2 + 1/2 tr((s P - I / s)^2)
    y, s = data(8, seed=6), 0.5
    M = s * P - torch.eye(2, dtype=D) / s
    want = 0.5 * ((y @ P) ** 2).sum(1).mean() + 0.5 * torch.trace(M @ M)
    est = torch.tensor([denoising_score_matching_loss(quad(P), y.repeat(2000, 1), sigma=s, generator=k).item()
                        for k in range(8)], dtype=D)
    se = est.std().item() / math.sqrt(len(est))
    assert abs(est.mean().item() - want.item()) < 4 * se


def test_denoising_score_matching_minimiser_is_the_blurred_precision():
    # for data N(0, S) the expected loss is 1/2 tr(P (S + s^2 I) P) - tr P + const: minimiser (S + s^2 I)^-1
    S, s = torch.linalg.inv(P), 0.5
    y = data(20_000, seed=8) @ torch.linalg.cholesky(S).T
    L = torch.eye(2, dtype=D).requires_grad_(True)
    opt = torch.optim.Adam([L], lr=0.02)
    gen = torch.Generator().manual_seed(9)
    for _ in range(400):
        opt.zero_grad()
        denoising_score_matching_loss(quad(L @ L.T), y, sigma=s, generator=gen).backward()
        opt.step()
    target = torch.linalg.inv(S + s**2 * torch.eye(2, dtype=D))
    assert torch.allclose(L @ L.T, target, atol=0.03)


# ---------------------------------------------------------------- seeds, shapes, bad inputs

@pytest.mark.parametrize("loss", ["sliced", "denoising"])
def test_seeds_and_global_rng(loss):
    f = (lambda y, g: sliced_score_matching_loss(quad(P), y, generator=g)) if loss == "sliced" else \
        (lambda y, g: denoising_score_matching_loss(quad(P), y, sigma=0.2, generator=g))
    y = data(4)
    state = torch.get_rng_state()
    a, b, c = f(y, 3), f(y, torch.Generator().manual_seed(3)), f(y, 4)
    assert torch.equal(torch.get_rng_state(), state)  # a generator or a seed leaves the global RNG alone
    assert a.item() == b.item() and a.item() != c.item()
    torch.manual_seed(0)
    d = f(y, None)
    torch.manual_seed(0)
    assert f(y, None).item() == d.item()


def test_losses_train_an_mlp():
    m = MLPEnergy(2, (8,), dtype=D)
    y = data(16)
    for loss in (score_matching_loss(m, y), sliced_score_matching_loss(m, y, generator=0),
                 denoising_score_matching_loss(m, y, sigma=0.1, generator=0)):
        # the output bias does not change grad_y E, so it gets no gradient (None)
        grads = [g for g in torch.autograd.grad(loss, list(m.parameters()), allow_unused=True) if g is not None]
        assert len(grads) == len(list(m.parameters())) - 1
        assert all(torch.isfinite(g).all() for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)
    assert all(p.grad is None for p in m.parameters())


@pytest.mark.parametrize("call, match", [
    (lambda: score_matching_loss(3.0, data()), r"energy must be callable"),
    (lambda: score_matching_loss(quad(P), data()[:, 0]), r"y must have 2 dimensions"),
    (lambda: score_matching_loss(quad(P), data().int()), r"y must be a floating"),
    (lambda: score_matching_loss(quad(P), data().tolist()), r"y must be a torch.Tensor"),
    (lambda: score_matching_loss(quad(P), data() * math.nan), r"y contains NaN"),
    (lambda: score_matching_loss(lambda y: y.sum(), data()), r"energy must return shape"),
    (lambda: sliced_score_matching_loss(quad(P), data(), n_projections=0), r"n_projections must be"),
    (lambda: sliced_score_matching_loss(quad(P), data(), n_projections=1.5), r"n_projections must be"),
    (lambda: sliced_score_matching_loss(quad(P), data(), generator=-1), r"generator must be"),
    (lambda: denoising_score_matching_loss(quad(P), data(), sigma=0.0), r"sigma must be > 0"),
    (lambda: denoising_score_matching_loss(quad(P), data(), sigma=math.inf), r"sigma must be finite"),
])
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ---------------------------------------------------------------- peer cross-check

def test_exact_score_matching_matches_ebmkit():
    sm = pytest.importorskip("ebm.losses.score_matching",
                             reason="ebmkit (import name ebm) is an optional peer used only as a reference")
    torch.manual_seed(0)
    m = MLPEnergy(2, (16, 16), dtype=D)
    y = data(32, seed=12)
    theirs = sm.ExactScoreMatching()(m, y).loss
    ours = score_matching_loss(m, y)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)
    params = list(m.parameters())[:-1]  # the output bias does not enter the score
    g_ours = torch.autograd.grad(ours, params)
    g_theirs = torch.autograd.grad(sm.ExactScoreMatching()(m, y).loss, params)
    for a, b in zip(g_ours, g_theirs):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-12)
