"""The sampler contract of ``ebmlib.samplers`` (its module docstring), checked once for every sampler.

Each sampler joins by adding one row to ``SAMPLERS``: its name, a call with the contract's signature
``call(energy, y0, *, steps, generator, **kwargs)``, the keyword arguments it needs besides ``steps``
and ``generator`` (``step_size`` among them), whether it is a Metropolis sampler (then it returns
``(samples, acceptance_rate)``), and the clauses that do not apply to it, with the reason. Each clause
of the contract is one test, parametrised over the samplers. The statistics of each sampler
(moments, acceptance) are tested in ``test_samplers.py``.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import pytest
import torch

from ebmlib import RBM, DivergenceError
from ebmlib._checks import energy_and_grad
from ebmlib.samplers import PersistentChains, annealed_langevin, hmc, langevin, mala, metropolis_hastings


class SamplerCase(NamedTuple):
    name: str
    call: Callable  # call(energy, y0, *, steps, generator=None, **kwargs), the contract's signature
    kwargs: dict  # required arguments besides energy, y0, steps and generator (step_size among them)
    is_metropolis: bool = False  # returns (samples, acceptance_rate)
    skip: frozenset = frozenset()  # clauses that do not apply (the reason is at the row)
    names: dict = {}  # the argument names its messages use, where they differ ({"y0": "init"})


def _score_of(energy):
    """The score -grad E(y) of an energy, as annealed_langevin wants it (a non-callable passes through)."""
    return (lambda y, sigma: -energy_and_grad(energy, y)[1]) if callable(energy) else energy


def _annealed(energy, y0, *, steps, generator=None, **kw):
    return annealed_langevin(_score_of(energy), y0, sigmas=torch.tensor([0.5]), steps=steps, generator=generator,
                             denoise=False, **kw)


def _persistent(energy, y0, *, steps, generator=None, **kw):
    buffer = PersistentChains(y0, lambda m, g: torch.rand(m, *y0.shape[1:], generator=g), restart_prob=0.0,
                              generator=generator)
    return buffer(energy, steps=steps, **kw)


def _gibbs(energy, y0, *, steps, generator=None, **kw):
    ok = isinstance(y0, torch.Tensor) and y0.dim() == 2 and y0.is_floating_point()
    rbm = RBM(y0.shape[1], 3, generator=0, dtype=y0.dtype) if ok else RBM(2, 3)
    return rbm.gibbs(y0, steps=steps, generator=generator, **kw)


ENERGY_CLAUSES = frozenset({"module", "divergence", "bad_energy"})
SAMPLERS = [
    SamplerCase("langevin", langevin, {"step_size": 0.01}),
    SamplerCase("mala", mala, {"step_size": 0.05}, True),
    SamplerCase("hmc", hmc, {"step_size": 0.05, "n_leapfrog": 3}, True),
    SamplerCase("metropolis_hastings", metropolis_hastings, {"step_size": 0.3}, True),
    # takes a score (made here from the energy), so the energy's own output is not its to check
    SamplerCase("annealed_langevin", _annealed, {"step_size": 0.01}, skip=frozenset({"bad_energy"})),
    # the buffer is y0 (checked as `init` when the buffer is made)
    SamplerCase("PersistentChains", _persistent, {"step_size": 0.01}, names={"y0": "init"}),
    # the energy is the RBM itself: (B, n_visible) states only, no step size, nothing can diverge
    SamplerCase("RBM.gibbs", _gibbs, {}, skip=ENERGY_CLAUSES | {"images"}, names={"y0": "v"}),
]
IDS = [c.name for c in SAMPLERS]
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
    out = case.call(energy, y0, steps=steps, generator=generator, **{**case.kwargs, **kwargs})
    if case.is_metropolis:
        samples, rate = out
        assert isinstance(rate, float) and 0.0 <= rate <= 1.0, f"{case.name}: acceptance rate {rate!r}"
        return samples, rate
    return out, None


def seeded(s: int) -> torch.Generator:
    return torch.Generator().manual_seed(s)


def applies(case: SamplerCase, clause: str) -> None:
    if clause in case.skip:
        pytest.skip(f"{case.name}: the clause '{clause}' does not apply (see its row in SAMPLERS)")


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("shape", [(6, 2), (3, 1, 4, 4)], ids=["points", "images"])
def test_final_states_and_trajectory(case: SamplerCase, shape):
    """Final states (B, ...) detached; the (steps + 1, B, ...) trajectory starts at y0 and ends at them."""
    applies(case, "images" if len(shape) > 2 else "points")
    y0 = torch.randn(shape, generator=seeded(0))
    y, _ = run(case, gauss, y0)
    assert y.shape == shape and not y.requires_grad
    traj, _ = run(case, gauss, y0, return_trajectory=True)
    assert traj.shape == (6,) + shape
    assert torch.equal(traj[0], y0) and torch.equal(traj[-1], y)
    assert torch.isfinite(traj).all()


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
def test_y0_not_modified(case: SamplerCase):
    y0 = torch.randn(6, 2, generator=seeded(0))
    y0_copy = y0.clone()
    run(case, gauss, y0)
    run(case, gauss, y0, return_trajectory=True)
    assert torch.equal(y0, y0_copy)


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
def test_seed_and_generator_agree_without_global_rng(case: SamplerCase):
    """An int seed and an equal Generator give the same chains, another seed does not; the global RNG is untouched."""
    y0 = torch.randn(6, 2, generator=seeded(1))
    state = torch.get_rng_state()
    a, _ = run(case, gauss, y0, generator=7)
    b, _ = run(case, gauss, y0, generator=seeded(7))
    c, _ = run(case, gauss, y0, generator=8)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
def test_no_generator_uses_global_rng(case: SamplerCase):
    y0 = torch.randn(6, 2, generator=seeded(1))
    state = torch.get_rng_state()
    torch.manual_seed(3)
    d, _ = run(case, gauss, y0, generator=None)
    torch.manual_seed(3)
    e, _ = run(case, gauss, y0, generator=None)
    assert torch.equal(d, e) and not torch.equal(torch.get_rng_state(), state)
    torch.set_rng_state(state)


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("train_mode", [True, False], ids=["train", "eval"])
def test_module_energy_left_as_found(case: SamplerCase, train_mode: bool):
    """A module energy keeps requires_grad, .grad and its train/eval state exactly."""
    applies(case, "module")
    y0 = torch.randn(6, 2, generator=seeded(1))
    net = NetEnergy().train(train_mode)
    net.net[0].weight.requires_grad_(False)
    net.net[3].weight.grad = torch.ones_like(net.net[3].weight)  # a .grad that must survive
    grads = {n: (p.grad.clone() if p.grad is not None else None) for n, p in net.named_parameters()}
    flags = {n: p.requires_grad for n, p in net.named_parameters()}
    run(case, net, y0)
    assert net.training == train_mode and all(m.training == train_mode for m in net.modules())
    assert {n: p.requires_grad for n, p in net.named_parameters()} == flags
    for n, p in net.named_parameters():
        assert (p.grad is None) == (grads[n] is None), f".grad of {n}"
        assert p.grad is None or torch.equal(p.grad, grads[n]), f".grad of {n} changed"


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_dtype_kept_under_no_grad(case: SamplerCase, dtype):
    y0 = torch.randn(6, 2, generator=seeded(1)).to(dtype)
    with torch.no_grad():
        y, _ = run(case, gauss, y0)
    assert y.dtype == dtype
    y, _ = run(case, gauss, y0)
    assert y.dtype == dtype


@pytest.mark.parametrize("case", SAMPLERS, ids=IDS)
def test_zero_steps_copy_y0(case: SamplerCase):
    """steps=0: a copy of y0 (a Metropolis sampler's acceptance rate is then NaN: nothing was proposed)."""
    y0 = torch.randn(6, 2, generator=seeded(1))
    out = case.call(gauss, y0, steps=0, **case.kwargs)
    y = out[0] if case.is_metropolis else out
    assert torch.equal(y, y0) and y is not y0
    assert not case.is_metropolis or math.isnan(out[1])


@pytest.mark.parametrize("case", [c for c in SAMPLERS if not c.is_metropolis], ids=[c.name for c in SAMPLERS
                                                                                     if not c.is_metropolis])
def test_divergence_raises_divergence_error(case: SamplerCase):
    """A stiff quadratic and a step far beyond stability raise DivergenceError (a ValueError) with its step."""
    applies(case, "divergence")
    stiff = lambda y: 1e3 * (y ** 2).flatten(1).sum(1)  # noqa: E731
    big = {k: 10.0 for k, v in case.kwargs.items() if isinstance(v, float)}
    with pytest.raises(DivergenceError) as info:
        run(case, stiff, torch.randn(6, 2, generator=seeded(1), dtype=F64), steps=200, **big)
    assert isinstance(info.value, ValueError) and 1 <= info.value.step <= 200


def _bad_calls(case: SamplerCase):
    """(argument named in the message, clause, call) for every bad input of the contract."""
    y0 = torch.randn(6, 2, generator=seeded(1))
    call = lambda energy=gauss, y=y0, steps=2, **kw: case.call(energy, y, steps=steps, **{**case.kwargs, **kw})  # noqa: E731
    rows = [
        ("energy", "bad_energy", lambda: call(energy="not callable")),
        ("energy", "bad_energy", lambda: call(energy=lambda y: y.sum())),  # () instead of (B,)
        ("energy", "bad_energy", lambda: call(energy=lambda y: y[:, 0] * math.nan)),
        ("y0", "y0", lambda: call(y=y0.tolist())),
        ("y0", "y0", lambda: call(y=y0[0])),  # (D,): no batch axis
        ("y0", "y0", lambda: call(y=y0.to(torch.int64))),
        ("y0", "y0", lambda: call(y=torch.full((6, 2), math.nan))),
        ("steps", "steps", lambda: call(steps=-1)),
        ("steps", "steps", lambda: call(steps=1.5)),
        ("steps", "steps", lambda: call(steps=3.0)),
        ("generator", "generator", lambda: call(generator="rng")),
    ]
    for key, value in case.kwargs.items():
        if isinstance(value, float):  # step sizes: > 0 and finite
            rows += [(key, key, lambda key=key, bad=bad: call(**{key: bad})) for bad in (0.0, -1.0, math.nan, math.inf, "0.1")]
        elif isinstance(value, int):  # counts: an int >= 1, like steps (3.0 is refused)
            rows += [(key, key, lambda key=key, bad=bad: call(**{key: bad})) for bad in (0, -1, 3.0, 1.5, "3")]
    return rows


BAD = [(c, i) for c in SAMPLERS for i in range(len(_bad_calls(c)))]


@pytest.mark.parametrize("case,row", BAD, ids=[f"{c.name}-{_bad_calls(c)[i][0]}-{i}" for c, i in BAD])
def test_bad_input_refused_at_entry(case: SamplerCase, row: int):
    """A clear ValueError/TypeError at the entry point naming the argument, never read as divergence."""
    name, clause, call = _bad_calls(case)[row]
    applies(case, "bad_energy" if clause == "bad_energy" else clause)
    name = case.names.get(name, name)
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b") as info:
        call()
    assert not isinstance(info.value, DivergenceError)
