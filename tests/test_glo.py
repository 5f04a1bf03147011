"""GLO: shapes, the norm constraint, training lowers the loss, inference against a closed form, seeds."""

import math

import pytest
import torch
from torch import nn

from ebmlib import GLO
from ebmlib.datasets import toy_2d

F64 = torch.float64


@pytest.fixture(scope="module")
def spiral():
    return toy_2d("spiral", 300, generator=0, dtype=F64)


@pytest.mark.parametrize("constraint", ["ball", "sphere"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_shapes_and_constraint_after_training(spiral, constraint, d):
    m = GLO(300, d, 2, hidden=(16,), radius=1.5, constraint=constraint, generator=0, dtype=F64)
    assert m.latents.shape == (300, d) and m.latents.dtype == F64
    losses = m.fit(spiral, epochs=20, lr=1e-2, batch_size=64, generator=0).history_
    assert len(losses) == 20
    norms = torch.linalg.vector_norm(m.latents.detach(), dim=1)
    if constraint == "ball":
        assert torch.all(norms <= 1.5 + 1e-12)
    else:
        assert torch.allclose(norms, torch.full_like(norms, 1.5), atol=1e-12)
    z = m.infer(spiral[:10], steps=5)
    assert z.shape == (10, d)
    assert torch.all(torch.linalg.vector_norm(z, dim=1) <= 1.5 + 1e-12)
    assert m(z).shape == (10, 2) and m.energy(spiral[:10], z).shape == (10,)
    assert m.free_energy(spiral[:10], steps=5).shape == (10,)


def test_training_lowers_the_loss(spiral):
    m = GLO(300, 1, 2, hidden=(32, 32), generator=1, dtype=F64)
    before = float(m.energy(spiral, m.latents.detach()).mean().detach())
    losses = m.fit(spiral, epochs=300, lr=1e-2).history_
    assert losses[-1] < 0.5 * before
    assert losses[-1] == pytest.approx(float(m.energy(spiral, m.latents.detach()).mean().detach()), rel=1e-12)


def test_energy_is_squared_reconstruction_error(spiral):
    m = GLO(300, 2, 2, generator=2, dtype=F64)
    z = m.latents.detach()[:7]
    want = ((spiral[:7] - m.decoder(z)) ** 2).sum(1)
    assert torch.allclose(m.energy(spiral[:7], z), want, rtol=1e-14)


class Line(nn.Module):
    """g(z) = b + a z, a straight segment for |z| <= r."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor([[2.0, 1.0]], dtype=F64))
        self.b = nn.Parameter(torch.tensor([0.5, -0.5], dtype=F64))

    def forward(self, z):
        return self.b + z @ self.a


def test_inference_matches_the_closed_form_for_a_segment():
    m = GLO(5, 1, 2, decoder=Line(), radius=1.0, generator=0, dtype=F64)
    g = torch.Generator().manual_seed(0)
    y = 3.0 * torch.randn(200, 2, generator=g, dtype=F64)
    a, b = m.decoder.a.detach()[0], m.decoder.b.detach()
    z_exact = (((y - b) @ a) / (a @ a)).clamp(-1.0, 1.0)  # projection onto the line, clipped to the segment
    z = m.infer(y, steps=300, lr=0.01)
    assert torch.allclose(z[:, 0], z_exact, atol=1e-3)
    f = m.free_energy(y, steps=300, lr=0.01)
    f_exact = ((y - b - z_exact[:, None] * a) ** 2).sum(1)
    assert torch.all(f >= f_exact - 1e-12) and torch.allclose(f, f_exact, rtol=1e-5, atol=1e-6)
    assert m.decoder.a.grad is None  # inference leaves the decoder's gradients alone


def test_free_energy_not_above_training_codes(spiral):
    m = GLO(300, 1, 2, hidden=(16,), generator=3, dtype=F64)
    m.fit(spiral, epochs=50)
    f = m.free_energy(spiral, steps=20)
    assert torch.all(f <= m.energy(spiral, m.latents.detach()).detach() + 1e-12)


def test_seeds_and_global_rng(spiral):
    torch.manual_seed(0)
    state = torch.get_rng_state()
    a = GLO(300, 1, 2, hidden=(8,), generator=4, dtype=F64)
    la = a.fit(spiral, epochs=3, batch_size=50, generator=5).history_
    assert torch.equal(torch.get_rng_state(), state)
    b = GLO(300, 1, 2, hidden=(8,), generator=torch.Generator().manual_seed(4), dtype=F64)
    lb = b.fit(spiral, epochs=3, batch_size=50, generator=5).history_
    assert la == lb and torch.equal(a.latents, b.latents)


def test_bad_inputs(spiral):
    with pytest.raises(ValueError, match="constraint must"):
        GLO(10, 1, 2, constraint="cube")
    with pytest.raises(ValueError, match="radius must"):
        GLO(10, 1, 2, radius=0.0)
    with pytest.raises(ValueError, match="decoder must"):
        GLO(10, 1, 2, decoder=lambda z: z)
    m = GLO(10, 1, 2, dtype=F64)
    with pytest.raises(ValueError, match=r"y must have N = 10 rows"):
        m.fit(spiral)
    with pytest.raises(ValueError, match=r"y must have shape \(B, 2\)"):
        m.infer(torch.zeros(3, 3, dtype=F64))
    with pytest.raises(ValueError, match="steps must"):
        m.infer(spiral, steps=-1)
    with pytest.raises(ValueError, match=r"z must have shape"):
        m.energy(spiral[:3], torch.zeros(3, 2, dtype=F64))
    with pytest.raises(ValueError, match="y contains NaN"):
        m.infer(torch.full((2, 2), math.nan, dtype=F64))
