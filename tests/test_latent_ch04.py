"""Tests for the chapter-4 part of ebmlib.latent: the horn decoder and conditional energy tables.

References: plain Python loops over samples and latents, SciPy's logsumexp, finite differences
(gradcheck), and the closed-form radii of the horn for the training check.
"""

import math

import pytest
import torch
from scipy.special import logsumexp

from ebmlib import train
from ebmlib.datasets import ellipse, ellipse_radii
from ebmlib.latent import HornDecoder, conditional_free_energy, conditional_latent_energy_table, latent_grid


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _loop_table(x, y, radii_fn, z):
    """E[i][k] = (y1 - f1(x) cos z)^2 + (y2 - f2(x) sin z)^2, one pair at a time."""
    out = []
    for xi, yi in zip(x.tolist(), y.tolist()):
        r1, r2 = radii_fn(xi)
        out.append([(yi[0] - r1 * math.cos(zk)) ** 2 + (yi[1] - r2 * math.sin(zk)) ** 2 for zk in z.tolist()])
    return torch.tensor(out, dtype=torch.float64)


def _decoder64(seed=0):
    return HornDecoder(generator=_gen(seed), dtype=torch.float64)


def test_table_matches_loop():
    dec = _decoder64()
    g = _gen(1)
    x = torch.rand(7, generator=g, dtype=torch.float64)
    y = 5 * torch.randn(7, 2, generator=g, dtype=torch.float64)
    z = latent_grid(13, dtype=torch.float64)

    def radii(xi):
        with torch.no_grad():
            return dec.radii(torch.tensor([xi], dtype=torch.float64))[0].tolist()

    table = conditional_latent_energy_table(x, y, dec, z)
    assert table.shape == (7, 13)
    torch.testing.assert_close(table, _loop_table(x, y, radii, z))


def test_free_energy_min_and_soft_min_match_references():
    dec = _decoder64(2)
    g = _gen(3)
    x = torch.rand(5, generator=g, dtype=torch.float64)
    y = 3 * torch.randn(5, 2, generator=g, dtype=torch.float64)
    z = latent_grid(20, dtype=torch.float64)
    table = conditional_latent_energy_table(x, y, dec, z).detach().numpy()
    f_inf = conditional_free_energy(x, y, dec, beta=math.inf, z_grid=z)
    torch.testing.assert_close(f_inf.detach(), torch.tensor(table.min(1)))
    beta = 0.7
    f_b = conditional_free_energy(x, y, dec, beta=beta, z_grid=z).detach()
    ref = -(logsumexp(-beta * table, axis=1) - math.log(20)) / beta
    torch.testing.assert_close(f_b, torch.tensor(ref))


def test_default_grid_is_48_angles():
    dec = _decoder64()
    x, y = torch.rand(3, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)
    torch.testing.assert_close(conditional_latent_energy_table(x, y, dec),
                               conditional_latent_energy_table(x, y, dec, latent_grid(48, dtype=torch.float64)))


def test_gradients_match_finite_differences():
    dec = _decoder64(4)
    g = _gen(5)
    x = torch.rand(4, generator=g, dtype=torch.float64)
    y = torch.randn(4, 2, generator=g, dtype=torch.float64, requires_grad=True)
    z = latent_grid(9, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda yy: conditional_latent_energy_table(x, yy, dec, z), (y,))
    w = dec.f[4].weight.detach().clone().requires_grad_(True)

    def table_of_w(ww):
        def decoder(xx, zz):
            h = dec.f[:4](xx[:, None])  # (B, hidden)
            r = h @ ww.T + dec.f[4].bias  # (B, 2)
            return torch.stack([r[:, None, 0] * torch.cos(zz), r[:, None, 1] * torch.sin(zz)], dim=-1)
        return conditional_latent_energy_table(x, y.detach(), decoder, z)

    torch.testing.assert_close(table_of_w(w), conditional_latent_energy_table(x, y.detach(), dec, z))
    assert torch.autograd.gradcheck(table_of_w, (w,))


def test_vector_latent_grid_collapses():
    """A 2-D latent shift g(x, z) = f(x) + z: every y is within half a cell of some g, so F_inf <= h^2 / 2."""
    h = 0.5
    axis = torch.arange(-10.0, 10.0 + h / 2, h, dtype=torch.float64)
    Z1, Z2 = torch.meshgrid(axis, axis, indexing="ij")
    z = torch.stack([Z1.reshape(-1), Z2.reshape(-1)], dim=1)  # (N_z, 2)
    shift = lambda xx, zz: torch.stack([xx, -xx], dim=1)[:, None, :] + zz[None, :, :]  # (B, N_z, 2)
    g = _gen(6)
    x = torch.rand(200, generator=g, dtype=torch.float64)
    y = 16 * torch.rand(200, 2, generator=g, dtype=torch.float64) - 8
    f_inf = conditional_free_energy(x, y, shift, z_grid=z)
    assert f_inf.shape == (200,)
    assert float(f_inf.max()) <= h ** 2 / 2 + 1e-12
    # brute force on a few points
    for i in range(3):
        d = ((y[i] - torch.stack([x[i], -x[i]]) - z) ** 2).sum(1)
        assert math.isclose(float(f_inf[i]), float(d.min()), rel_tol=1e-12, abs_tol=1e-12)


def test_decoder_init_and_seed():
    d1, d2 = HornDecoder(generator=_gen(0)), HornDecoder(generator=_gen(0))
    for p, q in zip(d1.parameters(), d2.parameters()):
        assert torch.equal(p, q)
    d3 = HornDecoder(generator=_gen(1))
    assert not torch.equal(d1.f[2].weight, d3.f[2].weight)
    # first layer: unit slopes, kinks at 0, 1/8, ..., 7/8
    assert torch.equal(d1.f[0].weight, torch.ones(8, 1))
    torch.testing.assert_close(-d1.f[0].bias, torch.arange(8) / 8)
    assert d1.radii(torch.rand(5)).shape == (5, 2)
    assert d1(torch.rand(5), latent_grid(7)).shape == (5, 7, 2)
    assert HornDecoder(hidden=3, dtype=torch.float64).f[0].weight.dtype == torch.float64


def test_bad_inputs():
    dec = HornDecoder(generator=_gen(0))
    x, y = torch.rand(4), torch.randn(4, 2)
    with pytest.raises(ValueError, match="same number of samples"):
        conditional_latent_energy_table(x[:3], y, dec)
    with pytest.raises(ValueError, match="dimensions"):
        conditional_latent_energy_table(x, y[:, 0], dec)
    with pytest.raises(ValueError, match="must map"):
        conditional_latent_energy_table(x, y, lambda xx, zz: torch.zeros(4, 2))
    with pytest.raises(ValueError, match="callable"):
        conditional_latent_energy_table(x, y, 3)
    with pytest.raises(ValueError, match="NaN"):
        conditional_latent_energy_table(x, y * math.nan, dec)
    with pytest.raises(TypeError):
        conditional_latent_energy_table(x.tolist(), y, dec)
    with pytest.raises(ValueError, match="beta"):
        conditional_free_energy(x, y, dec, beta=-1.0)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="hidden"):
            HornDecoder(hidden=bad)
    with pytest.raises(ValueError, match="generator"):
        HornDecoder(generator=0)


@pytest.fixture
def one_thread():
    """Tiny models train much faster on one thread (no synchronisation between threads)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.mark.slow
def test_zero_temperature_training_learns_the_horn(one_thread):
    """The chapter's check: energy loss on F_inf recovers |f(x)| ~ rho(x) within 5 % on 51 x values."""
    g = _gen(0)
    xs = torch.linspace(0, 1, 51)
    y = torch.cat([ellipse(10, x=float(xi), generator=g) for xi in xs])  # (510, 2)
    x = xs.repeat_interleave(10)  # (510,)
    dec = HornDecoder(generator=g)
    z = latent_grid(64)
    loss = lambda xb, yb: conditional_free_energy(xb, yb, dec, z_grid=z).mean()
    train(loss, dec, data=(x, y), epochs=1000, lr=0.02, progress=False)
    train(loss, dec, data=(x, y), epochs=1000, lr=0.002, progress=False)
    with torch.no_grad():
        rel = ((dec.radii(xs).abs() - ellipse_radii(xs)).abs() / ellipse_radii(xs)).max()
    assert float(rel) < 0.05
