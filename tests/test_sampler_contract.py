"""The sampler contract of ``ebmlib.samplers`` (its module docstring), checked once for every sampler.

Each sampler joins by adding one row to ``SAMPLERS``: its name, the callable, the keyword arguments
it needs besides ``steps`` and ``generator`` (its step size among them, under its own name), and
whether it is a Metropolis sampler (then it returns ``(samples, acceptance_rate)``). One
parametrised test, :func:`test_sampler_contract`, checks every clause of the contract on it.
The statistics of each sampler (moments, acceptance) are tested in ``test_samplers.py``.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import pytest
import torch

from ebmlib import DivergenceError
from ebmlib.samplers import hmc, langevin, mala, metropolis_hastings


class SamplerCase(NamedTuple):
    name: str
    sampler: Callable
    kwargs: dict  # required arguments besides energy, y0, steps and generator (the step size among them)
    is_metropolis: bool  # returns (samples, acceptance_rate)


SAMPLERS = [
    SamplerCase("langevin", langevin, {"step_size": 0.01}, False),
    SamplerCase("mala", mala, {"step_size": 0.05}, True),
    SamplerCase("hmc", hmc, {"step_size": 0.05, "n_leapfrog": 3}, True),
    SamplerCase("metropolis_hastings", metropolis_hastings, {"proposal_scale": 0.3}, True),
]

F32, F64 = torch.float32, torch.float64


def gauss(y: torch.Tensor) -> torch.Tensor:
    """E(y) = |y|^2 / 2 over every trailing dimension: (B, ...) -> (B,)."""
    return 0.5 * (y ** 2).flatten(1).sum(1)


class NetEnergy(torch.nn.Module):
    """A module energy for (B, 2) points, with dropout so that train/eval state matters."""

    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Dropout(0.0),
                                       torch.nn.Linear(8, 1))

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.net(y)[:, 0] + 0.5 * (y ** 2).sum(1)


def run(case: SamplerCase, energy, y0, *, steps=5, generator=0, **kwargs):
    """Call the sampler; return (states or trajectory, acceptance rate or None)."""
    out = case.sampler(energy, y0, steps=steps, generator=generator, **{**case.kwargs, **kwargs})
    if case.is_metropolis:
        samples, rate = out
        assert isinstance(rate, float) and 0.0 <= rate <= 1.0, f"{case.name}: acceptance rate {rate!r}"
        return samples, rate
    return out, None


@pytest.mark.parametrize("case", SAMPLERS, ids=[c.name for c in SAMPLERS])
def test_sampler_contract(case: SamplerCase):
    seeded = lambda s: torch.Generator().manual_seed(s)  # noqa: E731

    # shapes: points (B, D) and images (B, C, H, W); the final states or the (steps + 1, B, ...) trajectory
    for shape in [(6, 2), (3, 1, 4, 4)]:
        y0 = torch.randn(shape, generator=seeded(0))
        y0_copy = y0.clone()
        y, _ = run(case, gauss, y0)
        assert y.shape == shape and not y.requires_grad, f"{case.name}: final states of {shape}"
        traj, _ = run(case, gauss, y0, return_trajectory=True)
        assert traj.shape == (6,) + shape, f"{case.name}: trajectory of {shape}"
        assert torch.equal(traj[0], y0) and torch.equal(traj[-1], y), f"{case.name}: trajectory ends"
        assert torch.equal(y0, y0_copy), f"{case.name}: y0 was modified"
        assert torch.isfinite(traj).all()

    # seeds: an int seed and an equal Generator give the same chains; another seed does not;
    # with a generator nothing touches the global RNG
    y0 = torch.randn(6, 2, generator=seeded(1))
    state = torch.get_rng_state()
    a, _ = run(case, gauss, y0, generator=7)
    b, _ = run(case, gauss, y0, generator=seeded(7))
    c, _ = run(case, gauss, y0, generator=8)
    assert torch.equal(torch.get_rng_state(), state), f"{case.name}: touched the global RNG"
    assert torch.equal(a, b) and not torch.equal(a, c), f"{case.name}: seeds"
    torch.manual_seed(3)
    d, _ = run(case, gauss, y0, generator=None)  # None: the global RNG, reproducible through it
    torch.manual_seed(3)
    e, _ = run(case, gauss, y0, generator=None)
    assert torch.equal(d, e) and not torch.equal(torch.get_rng_state(), state)

    # a module energy: requires_grad, .grad and train/eval state exactly as found
    for train_mode in (True, False):
        net = NetEnergy().train(train_mode)
        frozen = net.net[0].weight
        frozen.requires_grad_(False)
        net.net[3].weight.grad = torch.ones_like(net.net[3].weight)  # a .grad that must survive
        grads = {n: (p.grad.clone() if p.grad is not None else None) for n, p in net.named_parameters()}
        flags = {n: p.requires_grad for n, p in net.named_parameters()}
        run(case, net, y0)
        assert net.training == train_mode and all(m.training == train_mode for m in net.modules())
        assert {n: p.requires_grad for n, p in net.named_parameters()} == flags, f"{case.name}: requires_grad"
        for n, p in net.named_parameters():
            assert (p.grad is None) == (grads[n] is None), f"{case.name}: .grad of {n}"
            assert p.grad is None or torch.equal(p.grad, grads[n]), f"{case.name}: .grad of {n} changed"

    # dtype and grad mode: float64 stays float64; works under torch.no_grad()
    y64 = y0.to(F64)
    with torch.no_grad():
        y, _ = run(case, gauss, y64)
    assert y.dtype == F64, f"{case.name}: float64 became {y.dtype}"
    y, _ = run(case, gauss, y0)
    assert y.dtype == F32

    # zero steps: a copy of y0 (a Metropolis sampler's acceptance rate is then NaN: nothing was proposed)
    out = case.sampler(gauss, y0, steps=0, **case.kwargs)
    y = out[0] if case.is_metropolis else out
    assert torch.equal(y, y0) and y is not y0, f"{case.name}: steps=0"
    assert not case.is_metropolis or math.isnan(out[1])

    # divergence: a stiff quadratic and a step far beyond stability raise DivergenceError, not NaN
    if not case.is_metropolis:
        stiff = lambda y: 1e3 * (y ** 2).flatten(1).sum(1)  # noqa: E731
        big = {k: 10.0 for k, v in case.kwargs.items() if isinstance(v, float)}
        with pytest.raises(DivergenceError) as info:
            run(case, stiff, y0.to(F64), steps=200, **big)
        assert isinstance(info.value, ValueError) and 1 <= info.value.step <= 200

    # bad inputs: a clear ValueError/TypeError at the entry point, naming the argument
    bad_calls = {
        "energy": lambda: case.sampler("not callable", y0, steps=2, **case.kwargs),
        "y0": lambda: case.sampler(gauss, y0.tolist(), steps=2, **case.kwargs),
        "y0 ": lambda: case.sampler(gauss, y0[0], steps=2, **case.kwargs),  # (D,): no batch axis
        "y0  ": lambda: case.sampler(gauss, y0.to(torch.int64), steps=2, **case.kwargs),
        "y0   ": lambda: case.sampler(gauss, torch.full((2, 2), math.nan), steps=2, **case.kwargs),
        "steps": lambda: case.sampler(gauss, y0, steps=-1, **case.kwargs),
        "steps ": lambda: case.sampler(gauss, y0, steps=1.5, **case.kwargs),
        "generator": lambda: case.sampler(gauss, y0, steps=2, generator="rng", **case.kwargs),
        "energy ": lambda: case.sampler(lambda y: y.sum(), y0, steps=2, **case.kwargs),  # () instead of (B,)
        "energy  ": lambda: case.sampler(lambda y: y[:, 0] * math.nan, y0, steps=2, **case.kwargs),
    }
    for key, value in case.kwargs.items():
        if isinstance(value, float):  # step sizes and scales: > 0 and finite
            for bad in (0.0, -1.0, math.nan, math.inf, "0.1"):
                bad_calls[f"{key} {bad!r}"] = lambda key=key, bad=bad: case.sampler(
                    gauss, y0, steps=2, **{**case.kwargs, key: bad})
    for name, call in bad_calls.items():
        with pytest.raises((ValueError, TypeError), match=rf"\b{name.split()[0]}\b") as info:
            call()
        assert not isinstance(info.value, DivergenceError), f"{case.name}: bad {name} read as divergence"
