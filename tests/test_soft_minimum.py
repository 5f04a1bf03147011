"""Tests for ebmlib.soft_minimum (the function ebmlib.free_energy and gibbs_on_grid) against float64 SciPy references, a Bessel closed form and properties."""

import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import i0e
from scipy.special import logsumexp as sp_logsumexp

from ebmlib import free_energy, gibbs_on_grid


def reference(E: np.ndarray, beta: float, axis: int = -1) -> np.ndarray:
    """Float64 SciPy free energy, written from the definition (loses digits when beta is tiny)."""
    E = np.asarray(E, dtype=np.float64)
    n = E.shape[axis]
    return -(sp_logsumexp(-beta * E, axis=axis) - np.log(n)) / beta


def reference_mp(E: np.ndarray, beta: float) -> np.ndarray:
    """50-digit mpmath free energy over the last axis, from the definition (exact enough at any beta)."""
    with mpmath.workdps(50):
        b = mpmath.mpf(beta)
        rows = np.asarray(E, dtype=np.float64).reshape(-1, np.shape(E)[-1])
        out = [-mpmath.log(mpmath.fsum(mpmath.exp(-b * mpmath.mpf(float(e))) for e in row) / len(row)) / b
               for row in rows]
        return np.array([float(v) for v in out]).reshape(np.shape(E)[:-1])


# ------------------------------------------------------------------ reference values

@pytest.mark.parametrize("beta", [1e-6, 1e-3, 0.1, 1.0, 3.2, 10.0, 1e3])
@pytest.mark.parametrize("dtype,rtol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_matches_scipy_logsumexp(beta, dtype, rtol):
    gen = torch.Generator().manual_seed(1)
    E = torch.randn(7, 13, generator=gen, dtype=torch.float64) * 3 + 2
    got = free_energy(E.to(dtype), beta).double().numpy()
    ref = reference_mp(E.to(dtype).double().numpy(), beta)
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol)
    if beta >= 0.1:  # SciPy's logsumexp is accurate here (not for tiny beta: log N - log N)
        np.testing.assert_allclose(got, reference(E.to(dtype).double().numpy(), beta), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_dim_argument(dim):
    E = torch.randn(3, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    got = free_energy(E, 0.5, dim=dim)
    np.testing.assert_allclose(got.numpy(), reference(E.numpy(), 0.5, axis=dim), rtol=1e-12)
    assert got.shape == tuple(s for i, s in enumerate(E.shape) if i != dim % 3)


def bessel_free_energy(beta: float) -> float:
    """F_beta at y = (0, 0), g(z) = (2 cos z, 1.5 sin z): E = 3.125 + 0.875 cos 2z, averaged over z."""
    a = 0.875 * beta
    log_i0 = math.log(i0e(a)) + a  # log I0(a), stable for large a
    return 3.125 - log_i0 / beta


@pytest.mark.parametrize("beta", [0.01, 0.1, 0.3, 1.0, 3.2, 10.0, 100.0, 1e4])
def test_ellipse_centre_bessel_closed_form(beta):
    n = 4096  # uniform grid on [0, 2 pi): the mean is exact for trigonometric polynomials, ~exact here
    z = torch.arange(n, dtype=torch.float64) * (2 * math.pi / n)
    E = (2 * torch.cos(z)) ** 2 + (1.5 * torch.sin(z)) ** 2  # ||0 - g(z)||^2, (N_z,)
    assert free_energy(E, beta).item() == pytest.approx(bessel_free_energy(beta), abs=1e-6)


def test_ellipse_centre_cold_limit():
    z = torch.arange(4096, dtype=torch.float64) * (2 * math.pi / 4096)
    E = (2 * torch.cos(z)) ** 2 + (1.5 * torch.sin(z)) ** 2
    assert free_energy(E, math.inf).item() == pytest.approx(2.25, abs=1e-12)
    assert bessel_free_energy(1e6) == pytest.approx(2.25, abs=1e-5)
    assert free_energy(E, 1e6).item() == pytest.approx(2.25, abs=1e-5)
    # hot limit: the mean of E over z
    assert free_energy(E, 1e-9).item() == pytest.approx(3.125, abs=1e-6)


# ------------------------------------------------------------------ properties (hypothesis)

tables = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 9)),
                elements=st.floats(-50, 50, allow_nan=False, width=64))
betas = st.floats(1e-3, 1e3)


@settings(max_examples=60, deadline=None)
@given(tables, betas)
def test_between_min_and_mean(E, beta):
    E = torch.from_numpy(E)
    F = free_energy(E, beta)
    assert bool((F >= E.amin(-1) - 1e-9).all())
    assert bool((F <= E.mean(-1) + 1e-9).all())


@settings(max_examples=60, deadline=None)
@given(tables, betas, betas)
def test_non_increasing_in_beta(E, b1, b2):
    E = torch.from_numpy(E)
    lo, hi = min(b1, b2), max(b1, b2)
    assert bool((free_energy(E, hi) <= free_energy(E, lo) + 1e-9).all())


@settings(max_examples=60, deadline=None)
@given(tables, st.floats(-1e3, 1e3), betas)
def test_shift_equivariance(E, c, beta):
    E = torch.from_numpy(E)
    np.testing.assert_allclose(free_energy(E + c, beta).numpy(), (free_energy(E, beta) + c).numpy(),
                               atol=1e-9, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(tables)
def test_limits(E):
    E = torch.from_numpy(E)
    assert torch.equal(free_energy(E, math.inf), E.amin(-1))
    np.testing.assert_allclose(free_energy(E, 1e-10).numpy(), E.mean(-1).numpy(), atol=1e-6)
    np.testing.assert_allclose(free_energy(E, 1e9).numpy(), E.amin(-1).numpy(), atol=1e-7)


# ------------------------------------------------------------------ gradients

@pytest.mark.parametrize("beta", [0.01, 0.5, 2.0, 50.0])
def test_gradient_is_softmax(beta):
    E = torch.randn(5, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(3)).requires_grad_()
    free_energy(E, beta).sum().backward()
    w = np.exp(-beta * E.detach().numpy())
    w /= w.sum(-1, keepdims=True)  # closed form: Boltzmann weights over the latent axis
    np.testing.assert_allclose(E.grad.numpy(), w, rtol=1e-10, atol=1e-12)


def test_gradient_at_infinite_beta_is_argmin_indicator():
    E = torch.tensor([[3.0, 1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    free_energy(E, math.inf).sum().backward()
    assert E.grad.tolist() == [[0.0, 1.0, 0.0]]


@pytest.mark.parametrize("beta", [0.001, 0.7, 20.0])
def test_gradcheck(beta):
    E = torch.randn(3, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(4)).requires_grad_()
    assert torch.autograd.gradcheck(lambda e: free_energy(e, beta), (E,))
    assert torch.autograd.gradgradcheck(lambda e: free_energy(e, beta), (E,))


def test_tensor_beta_gradcheck():
    E = torch.randn(3, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(5)).requires_grad_()
    b = torch.tensor([0.3, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda e, bb: free_energy(e, bb), (E, b))


# ------------------------------------------------------------------ stability

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("beta", [1e-8, 1e4, 1e8])
def test_stable_extremes(dtype, beta):
    gen = torch.Generator().manual_seed(6)
    E = (torch.rand(6, 50, generator=gen, dtype=torch.float64) * 2e4 - 1e4)  # energies in [-1e4, 1e4]
    E[0, :] = 1e4  # all equal
    E = E.to(dtype)
    F = free_energy(E.clone().requires_grad_(), beta)
    assert bool(torch.isfinite(F).all())
    ref = reference_mp(E.double().numpy(), beta)
    eps = torch.finfo(dtype).eps  # error allowed: a few ulps of the largest |E| = 1e4
    np.testing.assert_allclose(F.detach().double().numpy(), ref, rtol=0, atol=10 * eps * 1e4)
    E_req = E.clone().requires_grad_()
    free_energy(E_req, beta).sum().backward()
    assert bool(torch.isfinite(E_req.grad).all())
    np.testing.assert_allclose(E_req.grad.sum(-1).double().numpy(), 1.0, atol=1e-5)


def test_large_beta_tiny_gaps_float32():
    # -beta * E = -1e12: without the shift by the minimum the differences would be lost
    E = torch.tensor([[1e4, 1e4 + 1e-3, 1e4 + 1.0]], dtype=torch.float32)
    F = free_energy(E, 1e8)
    assert F.item() == pytest.approx(1e4 + math.log(3) / 1e8, rel=1e-7)


# ------------------------------------------------------------------ tensor beta

def test_tensor_beta_matches_scalars():
    E = torch.randn(4, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    bs = [0.1, 0.3, 1.0, 3.2, 10.0, math.inf]
    stacked = free_energy(E, torch.tensor(bs, dtype=torch.float64).reshape(-1, 1))  # (6, 4)
    assert stacked.shape == (6, 4)
    for k, b in enumerate(bs):
        torch.testing.assert_close(stacked[k], free_energy(E, b), rtol=0, atol=1e-13)
    per_row = free_energy(E, torch.tensor([0.5, 1.0, 2.0, math.inf], dtype=torch.float64))
    torch.testing.assert_close(per_row[2], free_energy(E[2], 2.0))
    assert per_row[3] == E[3].min()


# ------------------------------------------------------------------ bad inputs

@pytest.mark.parametrize("beta", [0.0, -1.0, math.nan, -math.inf, "1", None, True])
def test_bad_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        free_energy(torch.zeros(2, 3), beta)


@pytest.mark.parametrize("beta", [torch.tensor([1.0, 0.0]), torch.tensor([math.nan, 1.0]),
                                  torch.tensor([1, 2]), torch.ones(3), torch.ones(0)])
def test_bad_tensor_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        free_energy(torch.zeros(2, 3), beta)


@pytest.mark.parametrize("E,match", [
    (torch.tensor([[0.0, math.nan]]), "NaN"),
    (torch.tensor([[0.0, math.inf]]), "NaN or infinite"),
    (torch.zeros(2, 0), "empty"),
    (torch.zeros(0, 3), "empty"),
    (torch.tensor(1.0), "dimension"),
    (torch.zeros(2, 3, dtype=torch.int64), "floating"),
])
def test_bad_energies(E, match):
    with pytest.raises(ValueError, match=match):
        free_energy(E, 1.0)


def test_non_tensor_energies():
    with pytest.raises(TypeError, match="torch.Tensor"):
        free_energy([[1.0, 2.0]], 1.0)


@pytest.mark.parametrize("dim", [2, -3, 1.0, "z", None])
def test_bad_dim(dim):
    with pytest.raises(ValueError, match="dim"):
        free_energy(torch.zeros(2, 3), 1.0, dim=dim)


# ------------------------------------------------------------------ gibbs_on_grid

def test_gibbs_normalises_and_matches_brute_force():
    y1 = torch.linspace(-6, 6, 121, dtype=torch.float64)
    y2 = torch.linspace(-3, 3, 61, dtype=torch.float64)
    Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")
    F = 0.5 * (Y1 ** 2 + 4 * Y2 ** 2)  # Gaussian with covariances 1, 1/4 (truncated to the box)
    area = 0.1 * 0.1
    for beta in [0.5, 1.0, 30.0, 1e4]:
        p, log_z = gibbs_on_grid(F, beta, area)
        assert p.shape == F.shape
        assert (p.sum() * area).item() == pytest.approx(1.0, abs=1e-12)
        ref = math.log(area) + sp_logsumexp(-beta * F.numpy())
        assert log_z.item() == pytest.approx(ref, rel=1e-12)
    # wide box, beta = 1: Z is close to the Gaussian integral 2 pi * sqrt(1 * 1/4) = pi
    p, log_z = gibbs_on_grid(F, 1.0, area)
    assert log_z.item() == pytest.approx(math.log(math.pi), abs=1e-3)


def test_marginalisation_identity():
    """Joint Gibbs over (y, z) on a grid, summed over z, equals the Gibbs density of F_beta."""
    y1 = torch.linspace(-3, 3, 31, dtype=torch.float64)
    y2 = torch.linspace(-2.5, 2.5, 27, dtype=torch.float64)
    Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")  # (27, 31)
    nz = 48
    z = torch.arange(nz, dtype=torch.float64) * (2 * math.pi / nz)
    E = (Y1[..., None] - 2 * torch.cos(z)) ** 2 + (Y2[..., None] - 1.5 * torch.sin(z)) ** 2  # (27, 31, 48)
    dA = float((y1[1] - y1[0]) * (y2[1] - y2[0]))
    dz = 2 * math.pi / nz
    for beta in [0.1, 1.0, 10.0]:
        p_joint, log_z_joint = gibbs_on_grid(E, beta, dA * dz)
        p_marg = p_joint.sum(-1) * dz  # (27, 31)
        p_F, log_z_F = gibbs_on_grid(free_energy(E, beta), beta, dA)
        torch.testing.assert_close(p_marg, p_F, rtol=1e-10, atol=1e-14)
        # the partition functions differ by the volume of the latent set, |Z| = 2 pi
        assert (log_z_joint - log_z_F).item() == pytest.approx(math.log(2 * math.pi), abs=1e-10)


@pytest.mark.parametrize("beta,area", [(math.inf, 1.0), (0.0, 1.0), (1.0, 0.0), (1.0, -1.0),
                                       (math.nan, 1.0)])
def test_gibbs_bad_inputs(beta, area):
    with pytest.raises(ValueError):
        gibbs_on_grid(torch.zeros(3, 3), beta, area)


def test_gibbs_rejects_non_finite_F():
    with pytest.raises(ValueError, match="NaN"):
        gibbs_on_grid(torch.tensor([0.0, math.inf]), 1.0, 1.0)
