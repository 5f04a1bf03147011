"""The tiny causal transformer (models.sequence): causality, shapes, seeds, and the two heads."""

import pytest
import torch

from ebmlib import losses, models

PATHS = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("head", ["mean", "samples"])
def test_position_t_sees_only_the_past(head):
    m = models.CausalTransformer(head=head, max_len=8, generator=0).eval()
    later = PATHS.clone()
    later[:, 4:] += 5.0  # change the future of position 3
    kw = {"n_samples": 4, "generator": 1} if head == "samples" else {}
    a, b = m(PATHS, **kw), m(later, **kw)
    assert torch.allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not torch.allclose(a[:, 4:], b[:, 4:], atol=1e-3)


def test_shapes_seeds_and_global_rng():
    state = torch.get_rng_state()
    a = models.CausalTransformer(head="samples", generator=2)
    b = models.CausalTransformer(head="samples", generator=2)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    out = a(PATHS, n_samples=5, generator=7)
    assert out.shape == (3, 6, 5, 2)
    assert torch.equal(out, a(PATHS, n_samples=5, generator=7))
    assert torch.equal(torch.get_rng_state(), state)
    assert models.CausalTransformer(generator=2)(PATHS).shape == (3, 6, 2)


def test_sample_head_fits_a_bimodal_next_point_with_the_energy_score():
    # next point = current + (1, +-1) with probability 1/2: the energy score must split the samples
    g = torch.Generator().manual_seed(0)
    paths = torch.zeros(256, 2, 2)
    paths[:, 1, 0] = 1.0
    paths[:, 1, 1] = 2.0 * torch.randint(0, 2, (256,), generator=g) - 1
    m = models.CausalTransformer(d_model=16, max_len=2, head="samples", generator=0)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for step in range(300):
        opt.zero_grad()
        pred = m(paths[:, :1], n_samples=8, generator=step)[:, 0]  # (B, 8, 2)
        loss = losses.energy_score(pred, paths[:, 1])
        loss.backward()
        opt.step()
    s = m(paths[:1, :1], n_samples=400, generator=999)[0, 0]  # (400, 2)
    up = ((s - torch.tensor([1.0, 1.0])).norm(dim=1) < 0.3).float().mean()
    down = ((s - torch.tensor([1.0, -1.0])).norm(dim=1) < 0.3).float().mean()
    assert up > 0.3 and down > 0.3, (up, down)
