"""Tests for ebmlib.datasets: closed-form radii, exact ellipses without noise, noise statistics, seeds."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ebmlib import datasets
from ebmlib.datasets import (
    ellipse,
    ellipse_radii,
    horn,
    markov_sequences,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ radii

def test_radii_closed_form_values():
    torch.testing.assert_close(ellipse_radii(0.0), torch.tensor([2.0, 1.5], dtype=torch.float64))
    e2 = math.exp(2)
    torch.testing.assert_close(ellipse_radii(1.0), torch.tensor([1.5 * e2, 2.0 * e2], dtype=torch.float64))
    r1 = ellipse_radii(1.0)
    assert round(r1[0].item(), 2) == 11.08 and round(r1[1].item(), 2) == 14.78
    # x = 1/2: both radii are (r1 + r2)/2 * e
    torch.testing.assert_close(ellipse_radii(0.5), torch.full((2,), 1.75 * math.e, dtype=torch.float64))


def test_radii_tensor_shapes_and_params():
    x = torch.linspace(0, 1, 6).reshape(2, 3)
    r = ellipse_radii(x, r1=3.0, r2=1.0)
    assert r.shape == (2, 3, 2)
    xn = x.numpy()
    np.testing.assert_allclose(r[..., 0].numpy(), (xn + 3 * (1 - xn)) * np.exp(2 * xn), rtol=1e-6)
    np.testing.assert_allclose(r[..., 1].numpy(), (3 * xn + (1 - xn)) * np.exp(2 * xn), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(x=math.nan), dict(x="0"), dict(x=torch.tensor([0, 1])),
                                    dict(x=torch.tensor([math.inf])), dict(x=0.0, r2=0.0),
                                    dict(x=0.0, r1=-1.0)])
def test_radii_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        ellipse_radii(**kwargs)


# ------------------------------------------------------------------ ellipse

def test_ellipse_shape_dtype_seed():
    y = ellipse(24, generator=gen(1))
    assert y.shape == (24, 2) and y.dtype == torch.get_default_dtype()
    assert torch.equal(y, ellipse(24, generator=gen(1)))
    assert not torch.equal(y, ellipse(24, generator=gen(2)))
    assert ellipse(3, dtype=torch.float64, generator=gen(1)).dtype == torch.float64


@pytest.mark.parametrize("x", [0.0, 0.3, 1.0])
def test_ellipse_without_noise_lies_on_the_ellipse(x):
    y = ellipse(500, x=x, noise=0.0, generator=gen(3), dtype=torch.float64)
    r1, r2 = ellipse_radii(x).tolist()
    np.testing.assert_allclose(((y[:, 0] / r1) ** 2 + (y[:, 1] / r2) ** 2).numpy(), 1.0, rtol=1e-12)
    # angles uniform on (-pi, pi]: Kolmogorov-Smirnov (fixed seed, so this is deterministic)
    th = torch.atan2(y[:, 1] / r2, y[:, 0] / r1).numpy()
    assert stats.kstest(th, stats.uniform(loc=-math.pi, scale=2 * math.pi).cdf).pvalue > 1e-3


def test_ellipse_noise_std():
    # On a circle of radius 1 (r1 = r2 = 1, x = 0) the radial residual is the noise along the
    # radius: mean ~ noise^2 / 2 (curvature), std = noise. n = 40000: the std's standard error is
    # 0.35 %, the tolerance 5 % is > 14 standard errors; the tangential component is checked too.
    n, s = 40000, 0.05
    y = ellipse(n, r1=1.0, r2=1.0, noise=s, generator=gen(4), dtype=torch.float64)
    r = y.norm(dim=1)
    assert r.std().item() == pytest.approx(s, rel=0.05)
    assert abs(r.mean().item() - 1.0 - s ** 2 / 2) < 0.005
    y0 = ellipse(n, r1=1.0, r2=1.0, noise=0.0, generator=gen(4), dtype=torch.float64)
    resid = y - y0 * (r / y0.norm(dim=1))[:, None]  # purely tangential part of the noise, (n, 2)
    tangential = resid.norm(dim=1)
    # |N(0, s^2)| has mean s * sqrt(2/pi)
    assert tangential.mean().item() == pytest.approx(s * math.sqrt(2 / math.pi), rel=0.05)


def test_ellipse_mean_radius_recovers_x():
    # with noise the points still hug the ellipse of radii rho(x)
    y = ellipse(2000, x=0.5, generator=gen(5), dtype=torch.float64)
    r1, r2 = ellipse_radii(0.5).tolist()
    q = torch.sqrt((y[:, 0] / r1) ** 2 + (y[:, 1] / r2) ** 2)
    assert abs(q.mean().item() - 1.0) < 0.01


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=-3), dict(n=2.5), dict(n=True), dict(n="10"),
                                    dict(n=5, noise=-0.1), dict(n=5, noise=math.nan),
                                    dict(n=5, r2=0.0), dict(n=5, r1=math.nan),
                                    dict(n=5, x=math.inf), dict(n=5, generator="rng"),
                                    dict(n=5, dtype=torch.int64)])
def test_ellipse_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        ellipse(**kwargs)


# ------------------------------------------------------------------ horn

def test_horn_random_shapes_and_seed():
    x, y = horn(100, generator=gen(6))
    assert x.shape == (100,) and y.shape == (100, 2)
    assert bool(((x >= 0) & (x <= 1)).all())
    x2, y2 = horn(100, generator=gen(6))
    assert torch.equal(x, x2) and torch.equal(y, y2)


def test_horn_even_spacing_is_the_practicum_grid():
    x, y = horn(51, spacing="even", generator=gen(7))
    torch.testing.assert_close(x, torch.arange(51, dtype=x.dtype) / 50)
    assert y.shape == (51, 2)
    x1, _ = horn(1, spacing="even")
    assert x1.tolist() == [0.0]


def test_horn_points_lie_on_their_ellipses():
    x, y = horn(300, noise=0.0, generator=gen(8), dtype=torch.float64)
    rho = ellipse_radii(x)  # (300, 2)
    np.testing.assert_allclose(((y / rho) ** 2).sum(1).numpy(), 1.0, rtol=1e-12)


def test_horn_uniform_x():
    x, _ = horn(5000, generator=gen(9), dtype=torch.float64)
    assert stats.kstest(x.numpy(), "uniform").pvalue > 1e-3


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=5, spacing="grid"), dict(n=5, noise=-1.0),
                                    dict(n=5, r2=-1.0)])
def test_horn_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        horn(**kwargs)


def test_module_is_exported():
    import ebmlib

    assert ebmlib.datasets is datasets


# ============================================================================================
# Tests for the chapter-4 token data: Markov-chain sequences (the posterior: test_inference.py).
# ============================================================================================

P = torch.tensor([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.2, 0.8], [0.7, 0.0, 0.0, 0.3], [0.4, 0.6, 0.0, 0.0]])


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _random_chain(v, seed):
    g = _gen(seed)
    t = torch.rand(v, v, generator=g, dtype=torch.float64) + 0.05
    p0 = torch.rand(v, generator=g, dtype=torch.float64) + 0.05
    return t / t.sum(1, keepdim=True), p0 / p0.sum()


def test_shape_dtype_and_seed():
    s = markov_sequences(50, P, length=7, generator=_gen(0))
    assert s.shape == (50, 7) and s.dtype == torch.int64
    assert torch.equal(s, markov_sequences(50, P, length=7, generator=_gen(0)))
    assert not torch.equal(s, markov_sequences(50, P, length=7, generator=_gen(1)))
    assert markov_sequences(3, P, length=1, generator=_gen(0)).shape == (3, 1)


def test_frequencies_match_the_chain():
    n = 20000
    s = markov_sequences(n, P, length=3, generator=_gen(2))
    counts = torch.zeros(4, 4)
    for a, b in zip(s[:, :-1].reshape(-1).tolist(), s[:, 1:].reshape(-1).tolist()):
        counts[a, b] += 1
    freq = counts / counts.sum(1, keepdim=True)
    assert float(counts[P == 0].sum()) == 0  # forbidden transitions never occur
    # each row has > 8000 transitions: 5 standard errors is < 0.03
    assert float((freq - P).abs().max()) < 0.03
    first = torch.bincount(s[:, 0], minlength=4) / n
    assert float((first - 0.25).abs().max()) < 0.02  # uniform initial distribution by default


def test_initial_distribution_is_used():
    s = markov_sequences(2000, P, length=2, initial=torch.tensor([0.0, 1.0, 0.0, 0.0]), generator=_gen(3))
    assert bool((s[:, 0] == 1).all())


def test_bad_inputs():
    with pytest.raises(ValueError, match="square"):
        markov_sequences(5, P[:3], length=3)
    with pytest.raises(ValueError, match="sum to 1"):
        markov_sequences(5, P * 2, length=3)
    with pytest.raises(ValueError, match="length"):
        markov_sequences(5, P, length=0)
    with pytest.raises(ValueError, match="initial"):
        markov_sequences(5, P, length=3, initial=torch.tensor([0.5, 0.5, 0.5, 0.5]))
    with pytest.raises(ValueError, match="number of sequences"):
        markov_sequences(0, P, length=3)
