"""Tests for ebmlib.training.train: known optima, history, determinism, errors, untouched state."""

import numpy as np
import pytest
import torch

from ebmlib.training import train

D = torch.float64


def _lstsq_problem(n=60, d=3, noise=0.3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=D)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=D) + noise * torch.randn(n, generator=g, dtype=D)
    return x, y


def test_full_batch_least_squares_matches_numpy_lstsq():
    x, y = _lstsq_problem()
    w = torch.zeros(3, dtype=D, requires_grad=True)
    hist = train(lambda xb, yb: ((xb @ w - yb) ** 2).mean(), w, data=(x, y), epochs=400, lr=0.2,
                 optimizer="sgd", progress=False)
    w_np = np.linalg.lstsq(x.numpy(), y.numpy(), rcond=None)[0]
    np.testing.assert_allclose(w.detach().numpy(), w_np, atol=1e-8)
    assert len(hist) == 400
    assert all(b <= a + 1e-15 for a, b in zip(hist, hist[1:]))  # GD on a convex quadratic, small lr


def test_minibatch_sgd_on_a_consistent_system_reaches_the_solution():
    # noise-free targets: every mini-batch shares the minimiser, so SGD converges to it exactly
    x, y = _lstsq_problem(noise=0.0)
    w = torch.zeros(3, dtype=D, requires_grad=True)
    train(lambda xb, yb: ((xb @ w - yb) ** 2).mean(), w, data=(x, y), epochs=300, lr=0.1,
          optimizer="sgd", batch_size=16, generator=torch.Generator().manual_seed(0), progress=False)
    np.testing.assert_allclose(w.detach().numpy(), [1.0, -2.0, 0.5], atol=1e-8)


def test_no_data_quadratic_bowl_minimiser_with_adam():
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=D)
    c = torch.tensor([1.5, -0.5], dtype=D)
    theta = torch.zeros(2, dtype=D, requires_grad=True)
    hist = train(lambda: 0.5 * (theta - c) @ a @ (theta - c), theta, epochs=2000, lr=0.05,
                 progress=False)
    np.testing.assert_allclose(theta.detach().numpy(), c.numpy(), atol=1e-6)
    assert len(hist) == 2000 and hist[-1] < 1e-10


def test_single_tensor_data_calls_loss_fn_with_the_batch():
    x = torch.arange(10, dtype=D)[:, None]
    seen = []
    w = torch.zeros(1, dtype=D, requires_grad=True)

    def loss_fn(batch):
        seen.append(batch.shape)
        return ((batch - w) ** 2).mean()

    hist = train(loss_fn, w, data=x, epochs=2, lr=0.1, batch_size=4, progress=False,
                 generator=torch.Generator().manual_seed(0))
    assert seen == [(4, 1), (4, 1), (2, 1)] * 2 and len(hist) == 2


def test_same_generator_same_result_and_different_seed_differs():
    x, y = _lstsq_problem()

    def run(seed):
        w = torch.zeros(3, dtype=D, requires_grad=True)
        h = train(lambda xb, yb: ((xb @ w - yb) ** 2).mean(), w, data=(x, y), epochs=5, lr=0.05,
                  batch_size=8, generator=torch.Generator().manual_seed(seed), progress=False)
        return h, w.detach().clone()

    (h1, w1), (h2, w2), (h3, _) = run(7), run(7), run(8)
    assert h1 == h2 and torch.equal(w1, w2)
    assert h1 != h3


def test_non_finite_loss_raises_naming_the_epoch():
    theta = torch.ones(2, dtype=D, requires_grad=True)
    with pytest.raises(ValueError, match=r"epoch \d+.*smaller learning rate"):
        # gradient descent on |theta|^4 with a huge step diverges to inf within a few epochs
        train(lambda: (theta ** 2).sum() ** 2, theta, epochs=50, lr=10.0, optimizer="sgd", progress=False)
    w = torch.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="epoch 1 "):
        train(lambda: w.sum() * float("nan"), w, epochs=3, lr=0.1, progress=False)


def test_non_finite_loss_is_a_divergence_error_with_epoch_and_history():
    from ebmlib import DivergenceError
    w = torch.ones(1, dtype=D, requires_grad=True)
    calls = []
    loss = lambda: w.sum() * (float("nan") if len(calls) >= 2 else 1.0)  # noqa: E731 - finite for two epochs
    with pytest.raises(DivergenceError) as info:
        train(loss, w, epochs=5, lr=0.1, progress=False, callback=lambda e, l: calls.append((e, l)))
    assert info.value.step == 3 and len(info.value.run) == 2 and np.isfinite(info.value.run).all()
    assert len(calls) == 3 and np.isnan(calls[-1][1])  # the callback saw the failing epoch first


def test_no_finiteness_check_per_optimiser_step(monkeypatch):
    """Losses and samplers called inside train() do no isfinite (a host sync) per step: one per epoch at most."""
    from ebmlib import MLPEnergy, PersistentChains, losses
    energy = MLPEnergy(2, hidden=(8,), generator=0)
    data = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    chains = PersistentChains(torch.rand(16, 2), lambda m, g: torch.rand(m, 2, generator=g), generator=0)
    count = [0]
    real = torch.isfinite
    monkeypatch.setattr(torch, "isfinite", lambda t: (count.__setitem__(0, count[0] + 1), real(t))[1])
    steps = 8  # mini-batches per epoch
    train(lambda y: losses.contrastive_divergence_loss(energy, y, steps=5, step_size=0.01, generator=0)
          + losses.persistent_contrastive_divergence_loss(energy, y, chains, steps=5, step_size=0.01),
          energy, data=data, epochs=2, lr=1e-3, batch_size=64 // steps, progress=False)
    assert count[0] <= 1  # train checks its data once, at entry; 16 optimiser steps add nothing


def test_module_requires_grad_and_train_state_untouched():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout(0.0), torch.nn.Linear(4, 1))
    net[0].weight.requires_grad_(False)
    net.eval()
    frozen = net[0].weight.detach().clone()
    trained = net[2].weight.detach().clone()
    x = torch.randn(16, 2)
    train(lambda b: (net(b) ** 2).mean(), net, data=x, epochs=3, lr=0.01, progress=False)
    assert not net[0].weight.requires_grad and torch.equal(net[0].weight, frozen)
    assert net[2].weight.requires_grad and not torch.equal(net[2].weight, trained)
    assert not net.training and not net[1].training


def test_callback_gets_epoch_and_loss_and_can_stop():
    w = torch.zeros(1, requires_grad=True)
    calls = []
    hist = train(lambda: ((w - 1) ** 2).sum(), w, epochs=10, lr=0.1, progress=False,
                 callback=lambda e, l: calls.append((e, l)) or e == 3)
    assert [e for e, _ in calls] == [1, 2, 3] and [l for _, l in calls] == hist


def test_gradient_clipping_limits_the_step():
    w = torch.zeros(3, dtype=D, requires_grad=True)
    # gradient of 100 * sum(w) is (100, 100, 100), norm 173; clipped to 0.5, SGD with lr 1 moves 0.5
    train(lambda: 100 * w.sum(), w, epochs=1, lr=1.0, optimizer="sgd", clip_grad_norm=0.5, progress=False)
    assert torch.linalg.norm(w).item() == pytest.approx(0.5)


def test_optimizer_kwargs_are_passed():
    w = torch.zeros(1, dtype=D, requires_grad=True)
    # SGD with momentum 0.9 on loss = w: steps -0.1, then -(0.1 + 0.9*0.1) = -0.19; total -0.29
    train(lambda: w.sum(), w, epochs=2, lr=0.1, optimizer="sgd", optimizer_kwargs={"momentum": 0.9},
          progress=False)
    assert w.item() == pytest.approx(-0.29)


def test_progress_bar_runs(capsys):
    w = torch.zeros(1, requires_grad=True)
    train(lambda: ((w - 1) ** 2).sum(), w, epochs=3, lr=0.1, progress=True, desc="unit test")
    assert "unit test" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": 0.0}, "lr"), ({"lr": -1.0}, "lr"), ({"lr": float("nan")}, "lr"),
    ({"epochs": 0}, "epochs"), ({"epochs": 1.5}, "epochs"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"batch_size": 0}, "batch_size"),
    ({"clip_grad_norm": -1.0}, "clip_grad_norm"),
])
def test_bad_settings_raise(kwargs, match):
    w = torch.zeros(1, requires_grad=True)
    settings = {"epochs": 2, "lr": 0.1, "progress": False} | kwargs
    with pytest.raises(ValueError, match=match):
        train(lambda: (w ** 2).sum(), w, **settings)


def test_bad_data_and_params_raise():
    w = torch.zeros(1, requires_grad=True)
    loss = lambda *b: (w ** 2).sum()
    with pytest.raises(ValueError, match="empty"):
        train(loss, w, data=torch.zeros(0, 2), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="empty"):
        train(loss, w, data=(), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="first"):
        train(loss, w, data=(torch.zeros(3, 2), torch.zeros(4)), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="NaN"):
        train(loss, w, data=torch.tensor([[float("nan")]]), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="requires_grad"):
        train(loss, torch.zeros(1), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="no parameter"):
        train(loss, torch.nn.Linear(1, 1).requires_grad_(False), epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="scalar tensor"):
        train(lambda: 1.0, w, epochs=1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="scalar tensor"):
        train(lambda: w.detach().sum(), w, epochs=1, lr=0.1, progress=False)
