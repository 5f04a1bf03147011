"""Tests for ebmlib.models: MLPEnergy (models/mlp.py), the decoders (models/decoders.py), seeds.

The decoders' energies and inference are tested in test_latent.py.
"""

import math

import pytest
import torch

from ebmlib.models import EllipseDecoder, HornDecoder, MLPEnergy

# ============================================================================================
# MLPEnergy: the formula against a hand-built network, closed forms, checks, seeds.
# ============================================================================================

D = torch.float64


def test_shape_and_formula_against_hand_computation():
    torch.manual_seed(0)
    model = MLPEnergy(2, (5, 4), confinement=0.3, dtype=D)
    y = torch.randn(7, 2, dtype=D)
    l1, l2, l3 = (m for m in model.net if isinstance(m, torch.nn.Linear))
    silu = lambda v: v / (1 + torch.exp(-v))  # noqa: E731 - SiLU written out
    h = silu(y @ l1.weight.T + l1.bias)
    h = silu(h @ l2.weight.T + l2.bias)
    want = (h @ l3.weight.T + l3.bias)[:, 0] + 0.15 * (y**2).sum(1)
    got = model(y)
    assert got.shape == (7,) and got.dtype == D
    assert torch.allclose(got, want, atol=1e-12)


def test_zero_output_layer_leaves_the_quadratic_confinement():
    model = MLPEnergy(3, (8,), confinement=2.0, dtype=D)
    with torch.no_grad():
        model.net[-1].weight.zero_()
        model.net[-1].bias.fill_(1.5)
    y = torch.randn(5, 3, dtype=D)
    assert torch.allclose(model(y), 1.5 + (y**2).sum(1))  # E = b + (c/2)|y|^2 with c = 2
    # the Gibbs density of E = (c/2)|y|^2 is N(0, I/c): check its normaliser by a Riemann sum in 1-D
    m1 = MLPEnergy(1, (4,), confinement=2.0, dtype=D)
    with torch.no_grad():
        m1.net[-1].weight.zero_()
        m1.net[-1].bias.zero_()
    ys = torch.linspace(-8, 8, 4001, dtype=D)[:, None]
    z = torch.exp(-m1(ys)).sum() * (ys[1, 0] - ys[0, 0])
    assert z.item() == pytest.approx(math.sqrt(2 * math.pi / 2.0), rel=1e-9)


def test_gradient_in_y_matches_finite_differences():
    torch.manual_seed(1)
    model = MLPEnergy(2, (16, 16), dtype=D)
    y = torch.randn(4, 2, dtype=D, requires_grad=True)
    (g,) = torch.autograd.grad(model(y).sum(), y)
    eps = 1e-6
    for k in range(2):
        e = torch.zeros(2, dtype=D)
        e[k] = eps
        with torch.no_grad():
            fd = (model(y + e) - model(y - e)) / (2 * eps)
        assert torch.allclose(g[:, k], fd, atol=1e-7)


def test_default_dtype_and_parameter_count():
    model = MLPEnergy()
    assert model(torch.zeros(3, 2)).dtype == torch.get_default_dtype()
    assert sum(p.numel() for p in model.parameters()) == (2 * 32 + 32) + (32 * 32 + 32) + (32 + 1)
    assert "confinement=0.5" in repr(model)


@pytest.mark.parametrize("kwargs", [dict(dim=0), dict(dim=2.0), dict(hidden=()), dict(hidden=(4, 0)),
                                    dict(confinement=-1.0), dict(confinement=math.nan), dict(confinement=True),
                                    dict(generator="rng")])
def test_bad_settings(kwargs):
    with pytest.raises(ValueError):
        MLPEnergy(**kwargs)


def test_same_seed_same_model():
    torch.manual_seed(3)
    a = MLPEnergy()
    torch.manual_seed(3)
    b = MLPEnergy()
    y = torch.randn(6, 2)
    assert torch.equal(a(y), b(y))


def test_forward_trusts_its_input():
    """forward does not validate (validation happens once, where data enter): a NaN passes through."""
    model = MLPEnergy(2, (4,), dtype=D)
    assert torch.isnan(model(torch.tensor([[math.nan, 0.0]], dtype=D))).all()
    assert torch.isnan(EllipseDecoder(dtype=D)(torch.tensor([math.nan], dtype=D))).all()


@pytest.mark.parametrize("make", [lambda g: MLPEnergy(2, (8, 8), generator=g),
                                  lambda g: HornDecoder(6, generator=g)], ids=["MLPEnergy", "HornDecoder"])
def test_generator_convention(make):
    """An int seed equals a seeded Generator, other seeds differ, and the global RNG is not touched."""
    state = torch.get_rng_state()
    a, b, c = make(5), make(torch.Generator().manual_seed(5)), make(6)
    assert torch.equal(torch.get_rng_state(), state)
    pa, pb, pc = ([p.detach() for p in m.parameters()] for m in (a, b, c))
    assert all(torch.equal(u, v) for u, v in zip(pa, pb))
    assert not all(torch.equal(u, v) for u, v in zip(pa, pc))


def test_seeded_mlp_has_pytorchs_default_initialisation():
    """With a generator the weights follow nn.Linear's default law U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    model = MLPEnergy(2, (400,), generator=0, dtype=D)
    w = model.net[2].weight.detach()  # (1, 400): fan_in 400, bound 0.05
    b1 = model.net[0].weight.detach()  # (400, 2): fan_in 2
    assert float(w.abs().max()) <= 0.05 and float(b1.abs().max()) <= 1 / math.sqrt(2)
    # the variance of U(-a, a) is a^2 / 3 (800 draws: a 25 % tolerance is > 5 standard errors)
    assert float(b1.var()) == pytest.approx(0.5 / 3, rel=0.25)


def test_horn_decoder_first_layer_is_set_not_drawn():
    dec = HornDecoder(4, generator=0, dtype=D)
    assert torch.equal(dec.f[0].weight, torch.ones(4, 1, dtype=D))
    assert torch.equal(dec.f[0].bias, -torch.arange(4, dtype=D) / 4)
