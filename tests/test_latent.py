"""Tests for ebmlib.latent against brute force, closed forms and finite differences."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

from ebmlib import datasets, train
from ebmlib.datasets import ellipse, ellipse_radii
from ebmlib.latent import (
    INFERENCE_METHODS,
    EllipseDecoder,
    HornDecoder,
    conditional_free_energy,
    conditional_latent_energy_table,
    free_energy_on_grid,
    infer_latent,
    latent_energy,
    latent_energy_table,
    latent_free_energy,
    latent_grid,
    local_minima,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture
def dec64():
    return EllipseDecoder((2.0, 1.5), dtype=torch.float64)


@pytest.fixture
def y24():
    return datasets.ellipse(24, generator=gen(0), dtype=torch.float64)


# ------------------------------------------------------------------ decoder, grid, table

def test_latent_grid_is_the_practicum_grid():
    z = latent_grid(dtype=torch.float64)
    assert z.shape == (48,)
    np.testing.assert_allclose(z.numpy(), np.arange(48) * np.pi / 24, rtol=0, atol=1e-15)
    assert latent_grid(4).tolist() == pytest.approx([0, math.pi / 2, math.pi, 3 * math.pi / 2])


@pytest.mark.parametrize("n", [0, -1, 2.0, True, "48"])
def test_latent_grid_bad_n(n):
    with pytest.raises(ValueError, match="n"):
        latent_grid(n)


def test_decoder_values_and_parameters(dec64):
    z = torch.tensor([0.0, math.pi / 2, math.pi], dtype=torch.float64)
    torch.testing.assert_close(dec64(z), torch.tensor([[2.0, 0.0], [0.0, 1.5], [-2.0, 0.0]],
                                                      dtype=torch.float64), atol=1e-15, rtol=0)
    assert [p.shape for p in dec64.parameters()] == [(2,)]
    assert dec64(torch.zeros(3, 4, dtype=torch.float64)).shape == (3, 4, 2)
    assert "w=(2, 1.5)" in repr(dec64)
    with pytest.raises(ValueError, match="w"):
        EllipseDecoder((1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="w"):
        EllipseDecoder((1.0, math.nan))


def test_energy_table_matches_loops(dec64, y24):
    z = latent_grid(48, dtype=torch.float64)
    T = latent_energy_table(y24, dec64, z)
    assert T.shape == (24, 48)
    w1, w2 = 2.0, 1.5
    for i in [0, 5, 23]:
        for k in [0, 7, 47]:
            zz = z[k].item()
            ref = (y24[i, 0].item() - w1 * math.cos(zz)) ** 2 + (y24[i, 1].item() - w2 * math.sin(zz)) ** 2
            assert T[i, k].item() == pytest.approx(ref, rel=1e-13)
    torch.testing.assert_close(latent_energy_table(y24, dec64), T)  # default grid is latent_grid(48)
    torch.testing.assert_close(latent_energy(y24, z[:24], dec64), T[torch.arange(24), torch.arange(24)])


def test_table_is_differentiable_in_decoder_and_leaves_flags(y24):
    dec = EllipseDecoder()
    dec.w.requires_grad_(False)
    latent_energy_table(y24.float(), dec)
    infer_latent(y24.float(), dec, method="gd", steps=3)
    assert dec.w.requires_grad is False and dec.training
    dec2 = EllipseDecoder()
    infer_latent(y24.float(), dec2, method="lbfgs", steps=3)
    assert dec2.w.grad is None  # inference never accumulates parameter gradients
    z, F = infer_latent(y24.float(), dec2)
    F.sum().backward()
    assert dec2.w.grad is not None and bool(torch.isfinite(dec2.w.grad).all())


# ------------------------------------------------------------------ inference

def test_grid_search_equals_brute_force(dec64, y24):
    z = latent_grid(48, dtype=torch.float64)
    z_check, F = infer_latent(y24, dec64, method="grid", z_grid=z)
    for i in range(24):
        energies = [((y24[i] - dec64(zk[None])[0]) ** 2).sum().item() for zk in z]
        k = int(np.argmin(energies))
        assert z_check[i].item() == z[k].item()
        assert F[i].item() == pytest.approx(energies[k], rel=1e-13)


def true_min(y, w=(2.0, 1.5)):
    """Squared distance from y to the ellipse by SciPy, bracketing the minimum found on a fine grid."""
    zs = np.linspace(0, 2 * np.pi, 4001)
    e = lambda t: (y[0] - w[0] * np.cos(t)) ** 2 + (y[1] - w[1] * np.sin(t)) ** 2
    t0 = zs[np.argmin(e(zs))]
    res = minimize_scalar(e, bounds=(t0 - 0.01, t0 + 0.01), method="bounded", options={"xatol": 1e-12})
    return res.x, res.fun


@pytest.mark.parametrize("method", ["gd", "lbfgs"])
def test_descent_reaches_the_minimum_on_one_well_samples(method, dec64, y24):
    T = latent_energy_table(y24, dec64)
    assert bool((local_minima(T).sum(-1) == 1).all())  # the true decoder: one well per sample
    z_check, F = infer_latent(y24, dec64, method=method, z0=1.0, steps=300 if method == "gd" else 50)
    z_grid_check, F_grid = infer_latent(y24, dec64)
    assert bool((F <= F_grid + 1e-12).all())  # at least as good as the 48-point grid
    for i in range(24):
        t_ref, f_ref = true_min(y24[i].numpy())
        assert F[i].item() == pytest.approx(f_ref, abs=1e-9)
        dz = (z_check[i].item() - t_ref + math.pi) % (2 * math.pi) - math.pi
        assert abs(dz) < 1e-4


def test_gd_stops_in_a_local_minimum_that_grid_search_avoids():
    # a flat ellipse w = (3, 0.5) and a point inside it: E(z) has two wells (counted by brute force)
    dec = EllipseDecoder((3.0, 0.5), dtype=torch.float64)
    y = torch.tensor([[0.5, 0.3]], dtype=torch.float64)
    T = latent_energy_table(y, dec, latent_grid(2000, dtype=torch.float64))
    assert local_minima(T).sum().item() == 2  # two wells
    z_grid, F_grid = infer_latent(y, dec, z_grid=latent_grid(2000, dtype=torch.float64))
    # start next to the worse well: descent stays there, its energy is higher than the grid minimum
    mins = latent_grid(2000, dtype=torch.float64)[local_minima(T)[0]]
    worse = max(mins.tolist(), key=lambda zz: latent_energy(y, torch.tensor([zz], dtype=torch.float64), dec).item())
    z_gd, F_gd = infer_latent(y, dec, method="gd", z0=worse + 0.05, steps=500, step_size=0.02)
    assert F_gd.item() > F_grid.item() + 0.1
    assert abs(z_gd.item() - worse) < 0.01


def test_gd_trajectory_matches_manual_steps(dec64):
    y = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    z, F, traj = infer_latent(y, dec64, method="gd", z0=0.3, steps=5, step_size=0.05, return_trajectory=True)
    assert traj.shape == (6, 1)
    zz = 0.3
    for t in range(5):
        # dE/dz = 2 (y1 - 2 cos z) 2 sin z - 2 (y2 - 1.5 sin z) 1.5 cos z  (by hand)
        grad = 4 * (1.0 - 2 * math.cos(zz)) * math.sin(zz) - 3 * (1.0 - 1.5 * math.sin(zz)) * math.cos(zz)
        zz -= 0.05 * grad
        assert traj[t + 1, 0].item() == pytest.approx(zz, rel=1e-12)
    assert z.item() == traj[-1, 0].item()
    _, _, traj_l = infer_latent(y, dec64, method="lbfgs", z0=0.3, steps=4, return_trajectory=True)
    assert traj_l.shape == (5, 1) and traj_l[0, 0].item() == 0.3


def test_z0_tensor_and_zero_steps(dec64, y24):
    z0 = torch.linspace(0, 6, 24, dtype=torch.float64)
    z, F = infer_latent(y24, dec64, method="gd", z0=z0, steps=0)
    torch.testing.assert_close(z, z0)
    torch.testing.assert_close(F, latent_energy(y24, z0, dec64))


@pytest.mark.parametrize("kwargs,match", [
    (dict(method="adam"), "'grid', 'gd', 'lbfgs'"),
    (dict(method="gd", step_size=0.0), "step_size"),
    (dict(method="gd", lr=-1.0), "lr"),
    (dict(method="gd", steps=-1), "steps"),
    (dict(method="gd", z0=math.nan), "z0"),
    (dict(method="gd", z0=torch.zeros(3, dtype=torch.float64)), "z0"),
    (dict(method="grid", return_trajectory=True), "trajectory"),
    (dict(z_grid=torch.zeros(0, dtype=torch.float64)), "empty"),
    (dict(z_grid=torch.zeros(2, 2, dtype=torch.float64)), "z_grid"),
])
def test_infer_bad_inputs(kwargs, match, dec64, y24):
    with pytest.raises(ValueError, match=match):
        infer_latent(y24, dec64, **kwargs)


def test_unknown_method_is_value_error(dec64, y24):
    with pytest.raises(ValueError) as err:
        infer_latent(y24, dec64, method="newton")
    for m in INFERENCE_METHODS:
        assert repr(m) in str(err.value)


@pytest.mark.parametrize("y", [torch.zeros(5), torch.zeros(0, 2), torch.tensor([[math.nan, 0.0]]),
                               torch.zeros(3, 2, dtype=torch.int64)])
def test_bad_y(y, dec64):
    with pytest.raises(ValueError):
        latent_energy_table(y, dec64)


def test_decoder_output_checked():
    y = torch.zeros(3, 2)
    with pytest.raises(ValueError, match="decoder"):
        latent_energy_table(y, lambda z: torch.zeros(len(z), 3))
    with pytest.raises(ValueError, match="decoder"):
        latent_energy_table(y, "not a function")
    with pytest.raises(ValueError, match="gd"):
        infer_latent(y, lambda z: torch.stack([z ** 2, z], -1), method="gd", z0=1.0, step_size=10.0, steps=50)


# ------------------------------------------------------------------ the practicum's checks

def test_mean_f_inf_is_the_noise_level():
    # distance^2 to the ellipse of a point with N(0, s^2 I) noise ~ the normal component^2: mean s^2
    y = datasets.ellipse(4000, generator=gen(11), dtype=torch.float64)
    dec = EllipseDecoder(dtype=torch.float64)
    _, F_dense = infer_latent(y, dec, z_grid=latent_grid(4096, dtype=torch.float64))
    assert F_dense.mean().item() == pytest.approx(0.05 ** 2, rel=0.1)  # std error ~2.2 %
    _, F48 = infer_latent(y, dec)
    # the 48-point grid misses the closest point by up to half a cell: several times larger
    assert F48.mean().item() > 2 * F_dense.mean().item()
    # the grid error alone, without noise: half-spacing pi/48 along an arc of speed ~1.5-2
    y0 = datasets.ellipse(4000, noise=0.0, generator=gen(11), dtype=torch.float64)
    _, F48_0 = infer_latent(y0, dec)
    assert 0 < F48_0.mean().item() < (2 * math.pi / 48 / 2 * 2) ** 2


def test_f_inf_grid_and_gradient_vs_finite_differences(dec64):
    y1 = torch.linspace(-3, 3, 17, dtype=torch.float64)
    y2 = torch.linspace(-2.5, 2.5, 25, dtype=torch.float64)
    F, grad = free_energy_on_grid(dec64, y1, y2)
    assert F.shape == (25, 17) and grad.shape == (25, 17, 2)
    # value at (y1[j], y2[i]) by direct evaluation
    i, j = 3, 11
    direct = latent_free_energy(torch.stack([y1[j], y2[i]])[None], dec64)
    assert F[i, j].item() == pytest.approx(direct.item(), rel=1e-13)
    # central finite differences
    h = 1e-6
    for i, j in [(0, 0), (3, 11), (12, 8), (20, 5)]:
        y = torch.stack([y1[j], y2[i]])[None]
        for d in range(2):
            e = torch.zeros(1, 2, dtype=torch.float64)
            e[0, d] = h
            fd = (latent_free_energy(y + e, dec64) - latent_free_energy(y - e, dec64)).item() / (2 * h)
            assert grad[i, j, d].item() == pytest.approx(fd, abs=1e-6)


@pytest.mark.parametrize("beta", [0.3, 3.2])
def test_f_beta_grid_gradient_vs_finite_differences(beta, dec64):
    y1 = torch.linspace(-3, 3, 5, dtype=torch.float64)
    y2 = torch.linspace(-2, 2, 4, dtype=torch.float64)
    F, grad = free_energy_on_grid(dec64, y1, y2, beta=beta)
    h = 1e-6
    for i in range(4):
        for j in range(5):
            y = torch.stack([y1[j], y2[i]])[None]
            for d in range(2):
                e = torch.zeros(1, 2, dtype=torch.float64)
                e[0, d] = h
                fd = (latent_free_energy(y + e, dec64, beta=beta)
                      - latent_free_energy(y - e, dec64, beta=beta)).item() / (2 * h)
                assert grad[i, j, d].item() == pytest.approx(fd, abs=1e-6)


def test_cross_section_several_betas(dec64):
    # along y1 = 0 for the book's betas; at the centre F_beta follows the Bessel closed form
    from scipy.special import i0e

    y = torch.stack([torch.zeros(41, dtype=torch.float64), torch.linspace(-2, 2, 41, dtype=torch.float64)], -1)
    betas = torch.tensor([0.1, 0.3, 1.0, 3.2, 10.0, math.inf], dtype=torch.float64)
    z = latent_grid(4096, dtype=torch.float64)
    F = latent_free_energy(y, dec64, beta=betas[:, None], z_grid=z)  # (6, 41)
    assert F.shape == (6, 41)
    for k, b in enumerate(betas.tolist()):
        ref = 2.25 if math.isinf(b) else 3.125 - (math.log(i0e(0.875 * b)) + 0.875 * b) / b
        assert F[k, 20].item() == pytest.approx(ref, abs=1e-6)
    assert bool((F[1:] <= F[:-1] + 1e-12).all())  # colder is lower everywhere
    # the cold free energy peaks at the centre; the hottest one is lowest there (maxima at the ends)
    assert F[-1].argmax().item() == 20
    assert F[0].argmax().item() in (0, 40)


def test_local_minima_brute_force():
    T = torch.tensor([[3.0, 1.0, 2.0, 0.5, 4.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    assert local_minima(T).tolist() == [[False, True, False, True, False], [True, False, False, False, False]]
    assert local_minima(T, periodic=False).tolist()[1] == [True, False, False, False, False]
    T2 = torch.tensor([[1.0, 2.0, 3.0, 4.0, 0.0]])
    assert local_minima(T2).tolist() == [[False, False, False, False, True]]
    with pytest.raises(ValueError, match="3"):
        local_minima(torch.zeros(2, 2))


# ------------------------------------------------------------------ identities for all inputs (hypothesis)



@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (4, 2), elements=st.floats(-5, 5)), st.floats(0.2, 3), st.floats(0.2, 3),
       st.floats(1e-3, 1e3), st.integers(3, 24))
def test_table_free_energy_and_grid_search_agree(y, w1, w2, beta, n):
    dec = EllipseDecoder((w1, w2), dtype=torch.float64)
    yt, z = torch.tensor(y), latent_grid(n, dtype=torch.float64)
    table = latent_energy_table(yt, dec, z)  # (4, n)
    for k in (0, n - 1):  # a column of the table is the per-sample energy at that latent
        torch.testing.assert_close(table[:, k], latent_energy(yt, z[k].expand(4), dec))
    z_check, f_inf = infer_latent(yt, dec, z_grid=z)
    torch.testing.assert_close(f_inf, table.min(-1).values)
    torch.testing.assert_close(latent_energy(yt, z_check, dec), f_inf)
    torch.testing.assert_close(latent_free_energy(yt, dec, z_grid=z), f_inf)  # beta = inf is the minimum
    f_beta = latent_free_energy(yt, dec, beta=beta, z_grid=z)
    assert bool((f_beta >= f_inf - 1e-9).all()) and bool((f_beta <= table.mean(-1) + 1e-9).all())


# ============================================================================================
# Tests for the chapter-4 part of ebmlib.latent: the horn decoder and conditional energy tables.
# ============================================================================================

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
        HornDecoder(generator="rng")


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
