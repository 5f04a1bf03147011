"""ebmlib.short_run: the Gaussian start against NumPy's moments, the samples against langevin, one training
step against a step written out by hand, seeds, and the divergence stop."""

import copy

import numpy as np
import pytest
import torch

import ebmlib
from ebmlib.short_run import gaussian_init, short_run_samples, train_short_run

F64 = torch.float64
SAMPLER = dict(step_size=0.5, noise_scale=0.01, grad_clip=0.03, clamp=(0.0, 1.0))


def _images(n=24, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 4, 4, generator=g, dtype=F64)


def test_gaussian_init_has_the_training_moments():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(16, 16)) / 4
    train = torch.from_numpy(rng.normal(size=(500, 16)) @ a).reshape(500, 1, 4, 4)
    init = gaussian_init(train, clamp=None)
    y = init(40000, torch.Generator().manual_seed(1)).reshape(40000, -1).numpy()
    t = train.reshape(500, -1).numpy()
    assert np.allclose(y.mean(0), t.mean(0), atol=0.02)
    assert np.allclose(np.cov(y.T), np.cov(t.T), atol=0.03 * np.abs(np.cov(t.T)).max())
    clamped = gaussian_init(train)(100, torch.Generator().manual_seed(1))
    assert clamped.shape == (100, 1, 4, 4) and clamped.min() >= 0 and clamped.max() <= 1


def test_short_run_samples_are_langevin_from_init():
    energy = ebmlib.ConvEnergy((2,), image_size=4, dtype=F64, generator=0)
    init = lambda m, g: torch.rand(m, 1, 4, 4, generator=g, dtype=F64)  # noqa: E731
    got = short_run_samples(energy, init, 5, steps=3, generator=7, **SAMPLER)
    g = torch.Generator().manual_seed(7)
    want = ebmlib.langevin(energy, init(5, g), steps=3, generator=g, **SAMPLER)
    assert torch.equal(got, want)
    traj = short_run_samples(energy, init, 5, steps=3, generator=7, return_trajectory=True, **SAMPLER)
    assert traj.shape == (4, 5, 1, 4, 4) and torch.equal(traj[-1], got)


def test_one_training_step_matches_a_step_by_hand():
    x = _images(8)
    energy = ebmlib.ConvEnergy((2,), image_size=4, dtype=F64, generator=0)
    by_hand = copy.deepcopy(energy)
    init = lambda m, g: torch.rand(m, 1, 4, 4, generator=g, dtype=F64)  # noqa: E731
    rec = train_short_run(energy, x, init, epochs=1, batch_size=8, lr=0.01, steps=2, energy_penalty=0.1, generator=3,
                          **SAMPLER)
    g = torch.Generator().manual_seed(3)
    batch = x[torch.randperm(8, generator=g)]
    neg = ebmlib.langevin(by_hand, init(8, g), steps=2, generator=g, **SAMPLER)
    opt = torch.optim.Adam(by_hand.parameters(), lr=0.01, betas=(0.0, 0.999))
    ed, en = by_hand(batch), by_hand(neg)
    loss = ed.mean() - en.mean() + 0.1 * ((ed ** 2).mean() + (en ** 2).mean())
    loss.backward()
    opt.step()
    assert rec.e_data.shape == (1,) and float(rec.e_data[0]) == pytest.approx(float(ed.mean().detach()), abs=1e-12)
    for p, q in zip(energy.parameters(), by_hand.parameters()):
        assert torch.allclose(p, q, atol=1e-12)


def test_seeded_and_diverges_cleanly():
    x = _images()
    init = lambda m, g: torch.rand(m, 1, 4, 4, generator=g, dtype=F64)  # noqa: E731
    runs = [train_short_run(ebmlib.ConvEnergy((2,), image_size=4, dtype=F64, generator=0), x, init, epochs=2,
                            batch_size=8, steps=2, generator=5, **SAMPLER) for _ in range(2)]
    assert torch.equal(runs[0].e_data, runs[1].e_data) and runs[0].e_model.shape == (6,)
    with pytest.raises(ebmlib.DivergenceError) as info:
        train_short_run(ebmlib.ConvEnergy((2,), image_size=4, dtype=F64, generator=0), x, init, epochs=2,
                        batch_size=8, steps=2, max_energy=1e-9, generator=5, **SAMPLER)
    assert info.value.run.e_data.shape == (1,)
