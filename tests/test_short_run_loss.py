"""Tests for ebmlib.losses.short_run_ml_loss and ebmlib.train_image_ebm: the training step on a tiny batch.

The loss is checked against a hand-written maximum-likelihood surrogate with the same negatives, its
parameter gradient against E_data[grad E] - E_model[grad E] computed by hand, and one step of the
training loop for finiteness, moved parameters, sampler shapes and buffer updates.
"""

import pytest
import torch

from ebmlib import DivergenceError, PersistentChains, langevin, train_image_ebm
from ebmlib.losses import ShortRunStep, short_run_ml_loss
from ebmlib.models import ConvEnergy

D = torch.float64


def _noise(m, g):
    return torch.rand(m, 1, 8, 8, generator=g, dtype=D)


def _tiny():
    g = torch.Generator().manual_seed(0)
    return ConvEnergy((4, 8), dtype=D, generator=0), torch.rand(5, 1, 8, 8, generator=g, dtype=D)


def test_loss_is_the_ml_surrogate_with_the_buffers_negatives():
    model, y = _tiny()
    init = _noise(7, torch.Generator().manual_seed(1))
    buf = PersistentChains(init, _noise, restart_prob=0.0, generator=2)
    out = short_run_ml_loss(model, y, buf, steps=3, step_size=0.5, noise_scale=0.01, clamp=(0.0, 1.0),
                            energy_penalty=0.2, return_details=True)
    assert isinstance(out, ShortRunStep)
    # the same negatives by calling langevin directly with the buffer's generator state
    g2 = torch.Generator().manual_seed(2)
    torch.rand(7, generator=g2, dtype=D)  # the restart draw
    _noise(7, g2)  # the fresh states (drawn even when no chain restarts)
    neg = langevin(model, init, steps=3, step_size=0.5, noise_scale=0.01, clamp=(0.0, 1.0), generator=g2)
    assert torch.allclose(out.negatives, neg, atol=1e-12)
    assert torch.equal(buf.chains, out.negatives)  # the buffer moved
    ep, en = model(y), model(neg)
    want = ep.mean() - en.mean() + 0.2 * ((ep**2).mean() + (en**2).mean())
    assert torch.allclose(out.loss, want, atol=1e-12)
    assert out.e_data.shape == (5,) and out.e_model.shape == (7,) and not out.e_data.requires_grad
    # gradient of the surrogate without penalty = mean grad E(data) - mean grad E(negatives)
    buf2 = PersistentChains(init, _noise, restart_prob=0.0, generator=2)
    loss = short_run_ml_loss(model, y, buf2, steps=3, step_size=0.5, noise_scale=0.01, clamp=(0.0, 1.0))
    params = list(model.parameters())
    got = torch.autograd.grad(loss, params)
    gp = torch.autograd.grad(model(y).mean(), params)
    gn = torch.autograd.grad(model(neg).mean(), params)
    for a, b, c in zip(got, gp, gn):
        assert torch.allclose(a, b - c, atol=1e-12)


def test_train_image_ebm_checks_finiteness_once_per_epoch(monkeypatch):
    """No isfinite (a host sync) per optimiser step: the checks of train_image_ebm happen at epoch ends."""
    model, y = _tiny()
    count = [0]
    real = torch.isfinite
    monkeypatch.setattr(torch, "isfinite", lambda t: (count.__setitem__(0, count[0] + 1), real(t))[1])
    counts = []
    for epochs in (1, 3):
        count[0] = 0
        train_image_ebm(model, y, epochs=epochs, batch_size=1, buffer_size=9, steps=40, step_size=0.5, generator=0)
        counts.append(count[0])
    per_epoch = (counts[1] - counts[0]) / 2
    assert y.shape[0] >= 5 and per_epoch <= 2  # >= 5 optimiser steps (and 200 Langevin steps) per epoch


def test_one_training_step_on_a_tiny_batch():
    model, y = _tiny()
    before = [p.detach().clone() for p in model.parameters()]
    run = train_image_ebm(model, y, epochs=1, batch_size=5, buffer_size=9, steps=4, step_size=0.5,
                          noise_scale=0.01, energy_penalty=0.1, generator=0)
    assert run.e_data.shape == (1,) and run.e_model.shape == (1,)
    assert len(run.loss) == 1 and torch.isfinite(torch.tensor(run.loss)).all()
    assert torch.isfinite(run.e_data).all() and torch.isfinite(run.e_model).all()
    assert any(not torch.equal(p, q) for p, q in zip(model.parameters(), before))  # the parameters moved
    chains = run.buffer.chains
    assert chains.shape == (9, 1, 8, 8) and chains.min() >= 0 and chains.max() <= 1
    # the buffer started as uniform noise from the generator; exactly the 5 used chains moved
    g = torch.Generator().manual_seed(0)
    pool0 = torch.rand(9, 1, 8, 8, generator=g, dtype=D)
    moved = (chains != pool0).reshape(9, -1).any(1)
    assert int(moved.sum()) == 5
    assert all(p.grad is not None for p in model.parameters())  # train's last step, nothing else touched


def test_seeds_and_several_epochs():
    runs = []
    for gen in (3, torch.Generator().manual_seed(3), 4):
        model, y = _tiny()
        runs.append(train_image_ebm(model, y, epochs=3, batch_size=2, buffer_size=6, steps=2, step_size=0.5,
                                    generator=gen))
    a, b, c = runs
    assert torch.equal(a.e_data, b.e_data) and torch.equal(a.buffer.chains, b.buffer.chains)
    assert not torch.equal(a.e_model, c.e_model)
    assert a.e_data.shape == (9,)  # 3 epochs of ceil(5 / 2) = 3 steps
    state = torch.get_rng_state()
    model, y = _tiny()
    train_image_ebm(model, y, epochs=1, batch_size=5, buffer_size=5, steps=1, step_size=0.5, generator=0)
    assert torch.equal(state, torch.get_rng_state())


def test_runaway_energies_raise_divergence_error():
    model, y = _tiny()
    with torch.no_grad():
        model.net[-1].bias.fill_(1e6)  # energies far beyond max_energy
    with pytest.raises(DivergenceError, match="ran away") as info:
        train_image_ebm(model, y, epochs=2, batch_size=5, buffer_size=5, steps=1, step_size=0.1, lr=1e-6,
                        energy_penalty=0.0, max_energy=1e3, generator=0)
    run = info.value.run  # the record up to the failure: one epoch of one step
    assert run.e_data.shape == (1,) and float(run.e_data[0]) > 1e3 and len(run.loss) == 1
    assert run.buffer.chains.shape == (5, 1, 8, 8)


def test_unclamped_chains_start_on_the_noise_range():
    model, y = _tiny()
    run = train_image_ebm(model, y, epochs=1, batch_size=5, buffer_size=6, steps=1, step_size=1e-3,
                          noise_scale=0.0, clamp=None, noise_range=(2.0, 3.0), generator=0)
    chains = run.buffer.chains
    assert chains.min() > 1.9 and chains.max() < 3.1  # started on [2, 3], moved by at most a tiny step


@pytest.mark.parametrize("kwargs, match", [
    ({"buffer_size": 3, "batch_size": 4}, "buffer_size"), ({"clamp": (1.0, 0.0)}, "clamp"), ({"noise_range": (0.0,)}, "noise_range"),
    ({"restart_prob": 1.5}, "restart_prob"), ({"max_energy": 0.0}, "max_energy"), ({"steps": 0}, "steps"),
    ({"energy_penalty": -1.0}, "energy_penalty"), ({"epochs": 0}, "epochs"), ({"lr": -1.0}, "lr"),
    ({"step_size": 0.0}, "step_size"), ({"images": torch.zeros(5, 64, dtype=D)}, "images"), ({"images": [[0.0]]}, "images"),
    ({"energy": lambda y: y.sum()}, "energy"),
])
def test_training_bad_inputs(kwargs, match):
    model, y = _tiny()
    args = {"energy": model, "images": y, "epochs": 1, "batch_size": 2, "buffer_size": 4, "steps": 1,
            "step_size": 0.1, "generator": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        train_image_ebm(**args)


@pytest.mark.parametrize("kwargs, match", [
    ({"buffer": torch.zeros(3, 1, 8, 8)}, "buffer"), ({"y": torch.zeros(3, 1, 4, 4, dtype=D)}, "buffer"),
    ({"steps": 1.5}, "steps"), ({"energy_penalty": float("nan")}, "energy_penalty"), ({"energy": 3}, "energy"),
    ({"y": torch.full((3, 1, 8, 8), float("nan"), dtype=D)}, "y"),
])
def test_loss_bad_inputs(kwargs, match):
    model, y = _tiny()
    args = {"energy": model, "y": y, "buffer": PersistentChains(_noise(3, None), _noise), "steps": 1,
            "step_size": 0.1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        short_run_ml_loss(**args)
