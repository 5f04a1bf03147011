"""The sampler contract of :mod:`ebmlib.samplers` for the Metropolis samplers of chapter 6.

One table, ``CASES``, one row per sampler: ``name -> run(energy, y0, **contract_kwargs)`` returning
``(samples, acceptance_rate)``. Each test below checks one clause of the contract for every row.
(These rows are meant to join the table of ``tests/test_sampler_contract.py`` when the branches
merge; a row there only needs the sampler's own settings, as here.)
"""

import math

import pytest
import torch
from torch import nn

from ebmlib import hmc, mala, metropolis_hastings

CASES = {
    "mala": lambda energy, y0, **kw: mala(energy, y0, step_size=0.05, **kw),
    "hmc": lambda energy, y0, **kw: hmc(energy, y0, step_size=0.05, n_leapfrog=3, **kw),
    "metropolis_hastings": lambda energy, y0, **kw: metropolis_hastings(energy, y0, proposal_scale=0.3, **kw),
}
NAMES = list(CASES)


def bowl(y):
    """A standard Gaussian energy for any trailing shape: (B, ...) -> (B,)."""
    return 0.5 * (y**2).flatten(1).sum(1)


class TinyNet(nn.Module):
    """An nn.Module energy with a frozen and a trainable parameter and a dropout (train/eval differ)."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 4, dtype=torch.float64)
        self.lin.bias.requires_grad_(False)
        self.drop = nn.Dropout(0.0)

    def forward(self, y):
        return self.drop(torch.tanh(self.lin(y))).sum(1) + 0.5 * (y**2).sum(1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(5, 2), (3, 1), (4, 1, 3, 3)])
def test_shapes_any_trailing_shape_and_trajectory(name, shape):
    y0 = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    y, rate = CASES[name](bowl, y0, steps=4, generator=0)
    assert y.shape == shape and isinstance(rate, float) and 0.0 <= rate <= 1.0
    traj, _ = CASES[name](bowl, y0, steps=4, generator=0, return_trajectory=True)
    assert traj.shape == (5, *shape)
    assert torch.equal(traj[0], y0) and torch.equal(traj[-1], y)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_detached_and_input_untouched(name, dtype):
    y0 = torch.randn(6, 2, generator=torch.Generator().manual_seed(1), dtype=dtype).requires_grad_(True)
    before = y0.detach().clone()
    y, _ = CASES[name](bowl, y0, steps=3, generator=1)
    assert y.dtype == dtype and not y.requires_grad and y.grad_fn is None
    assert torch.equal(y0.detach(), before) and y0.grad is None


@pytest.mark.parametrize("name", NAMES)
def test_seeds(name):
    y0 = torch.randn(8, 2, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    a, ra = CASES[name](bowl, y0, steps=10, generator=5)
    b, rb = CASES[name](bowl, y0, steps=10, generator=torch.Generator().manual_seed(5))
    c, _ = CASES[name](bowl, y0, steps=10, generator=6)
    assert torch.equal(a, b) and ra == rb and not torch.equal(a, c)
    state = torch.random.get_rng_state()
    CASES[name](bowl, y0, steps=10, generator=7)
    assert torch.equal(state, torch.random.get_rng_state())  # a seed never touches the global RNG
    torch.manual_seed(3)
    d, _ = CASES[name](bowl, y0, steps=10)
    torch.manual_seed(3)
    e, _ = CASES[name](bowl, y0, steps=10)
    assert torch.equal(d, e)  # generator=None uses (and so is fixed by) the global RNG


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("training", [True, False])
def test_module_state_untouched(name, training):
    net = TinyNet().train(training)
    flags = [p.requires_grad for p in net.parameters()]
    CASES[name](net, torch.zeros(4, 2, dtype=torch.float64), steps=3, generator=0)
    assert [p.requires_grad for p in net.parameters()] == flags
    assert all(p.grad is None for p in net.parameters())
    assert net.training == training and net.drop.training == training


@pytest.mark.parametrize("name", NAMES)
def test_runs_under_no_grad(name):
    with torch.no_grad():
        y, _ = CASES[name](bowl, torch.zeros(4, 2), steps=3, generator=0)
    assert y.shape == (4, 2) and bool(torch.isfinite(y).all())


@pytest.mark.parametrize("name", NAMES)
def test_zero_steps(name):
    y0 = torch.ones(3, 2)
    y, rate = CASES[name](bowl, y0, steps=0)
    assert torch.equal(y, y0) and y is not y0 and math.isnan(rate)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("energy, match", [
    (lambda y: y.sum(), r"energy must return shape \(3,\)"),
    (lambda y: y[:, 0] * math.nan, r"energy returned NaN"),
    (lambda y: y.detach().numpy().sum(1), r"energy must return a torch.Tensor"),
    (None, r"energy must be callable"),
])
def test_bad_energy_is_caught_at_entry(name, energy, match):
    with pytest.raises(ValueError, match=match):
        CASES[name](energy, torch.zeros(3, 2), steps=2)


@pytest.mark.parametrize("name", NAMES)
def test_bad_y0(name):
    with pytest.raises(ValueError, match=r"y0 must have shape \(B, \.\.\.\) with at least 2 dimensions"):
        CASES[name](bowl, torch.zeros(3), steps=2)
    with pytest.raises(TypeError, match="y0 must be a torch.Tensor"):
        CASES[name](bowl, [[0.0, 0.0]], steps=2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_stays_on_device(name):
    y0 = torch.randn(16, 2, device="cuda")
    y, rate = CASES[name](bowl, y0, steps=5, generator=0)
    assert y.device.type == "cuda" and isinstance(rate, float)
