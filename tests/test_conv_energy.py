"""Tests for ebmlib.models.ConvEnergy (models/conv.py): a hand-built forward pass, shapes, spectral norm, seeds."""

import pytest
import torch
import torch.nn.functional as F

from ebmlib.models import ConvEnergy

D = torch.float64


def test_forward_matches_functional_convolutions():
    model = ConvEnergy((4, 6, 5), dtype=D, generator=0)
    c1, c2, c3 = (m for m in model.net if isinstance(m, torch.nn.Conv2d))
    lin = model.net[-1]
    y = torch.rand(3, 1, 8, 8, dtype=D, generator=torch.Generator().manual_seed(1))
    h = F.silu(F.conv2d(y, c1.weight, c1.bias, padding=1))  # (3, 4, 8, 8)
    h = F.silu(F.conv2d(h, c2.weight, c2.bias, stride=2, padding=1))  # (3, 6, 4, 4)
    h = F.silu(F.conv2d(h, c3.weight, c3.bias, stride=2, padding=1))  # (3, 5, 2, 2)
    want = (h.reshape(3, -1) @ lin.weight.T + lin.bias)[:, 0]
    got = model(y)
    assert got.shape == (3,) and got.dtype == D
    assert torch.allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("channels, size, in_ch", [((8,), 8, 1), ((4, 8), 8, 1), ((4, 8, 8), 16, 3)])
def test_shapes_for_other_widths_and_sizes(channels, size, in_ch):
    model = ConvEnergy(channels, in_channels=in_ch, image_size=size, generator=0)
    assert model(torch.rand(5, in_ch, size, size)).shape == (5,)
    assert model.image_shape == (in_ch, size, size)


def test_initialisation_has_pytorchs_default_bounds_and_seeds():
    a, b = ConvEnergy(generator=3), ConvEnergy(generator=torch.Generator().manual_seed(3))
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    c = ConvEnergy(generator=4)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))
    for m in a.net:
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            bound = 1.0 / (m.weight[0].numel() ** 0.5)
            assert m.weight.abs().max() <= bound and m.bias.abs().max() <= bound
            assert m.weight.abs().max() > 0.8 * bound  # uniform on the whole interval, not a narrower one
    state = torch.get_rng_state()
    ConvEnergy(generator=5)
    ConvEnergy(spectral_norm=True, generator=5)
    assert torch.equal(state, torch.get_rng_state())  # a seeded model leaves the global RNG alone


def test_spectral_norm_divides_each_weight_by_its_largest_singular_value():
    model = ConvEnergy((4, 6), spectral_norm=True, dtype=D, generator=0)
    model.eval()
    for _ in range(20):  # power iterations in training mode sharpen the estimate
        model.train()
        model(torch.rand(2, 1, 8, 8, dtype=D))
    model.eval()
    layers = [m for m in model.net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    for m in layers:
        w = m.weight.reshape(m.weight.shape[0], -1)  # the normalised weight as a matrix
        sigma = torch.linalg.matrix_norm(w.detach(), ord=2)  # LAPACK's SVD, independent of the power method
        assert float(sigma) == pytest.approx(1.0, abs=1e-6)
    # the same seed gives the same normalised model
    other = ConvEnergy((4, 6), spectral_norm=True, dtype=D, generator=0).eval()
    fresh = ConvEnergy((4, 6), spectral_norm=True, dtype=D, generator=0).eval()
    y = torch.rand(4, 1, 8, 8, dtype=D)
    assert torch.equal(other(y), fresh(y))


def test_gradient_in_the_image_matches_finite_differences():
    model = ConvEnergy((4, 4), dtype=D, generator=0)
    y = torch.rand(2, 1, 8, 8, dtype=D, generator=torch.Generator().manual_seed(2)).requires_grad_(True)
    (g,) = torch.autograd.grad(model(y).sum(), y)
    eps = 1e-6
    for idx in [(0, 0, 0, 0), (1, 0, 3, 5), (0, 0, 7, 7)]:
        e = torch.zeros_like(y)
        e[idx] = eps
        with torch.no_grad():
            fd = (model(y + e) - model(y - e))[idx[0]] / (2 * eps)
        assert float(g[idx]) == pytest.approx(float(fd), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"channels": ()}, "channels"), ({"channels": (4, 0)}, "channels"), ({"channels": (4.5,)}, "channels"),
    ({"image_size": 6, "channels": (4, 4, 4)}, "image_size"), ({"in_channels": 0}, "in_channels"),
    ({"spectral_norm": 1}, "spectral_norm"), ({"generator": -1}, "generator"),
])
def test_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ConvEnergy(**kwargs)
