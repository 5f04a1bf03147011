"""Random-walk Metropolis-Hastings: a Gaussian proposal and an energy test, no gradient.

See chapter 6.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_positive
from ._common import Accepted, check_sampler_args, first_energy, metropolis_test
from ._driver import run_chain

__all__ = ["metropolis_hastings", "metropolis_kernel"]


def metropolis_kernel(energy: Callable[[torch.Tensor], torch.Tensor], y0: torch.Tensor, *, step_size: float,
                      generator: torch.Generator | None = None):
    """The random-walk Metropolis step kernel, unchecked: ``(step, accepted)``, ``step(y) -> y``."""
    state = {"e": first_energy(energy, y0, grad=False)[0]}  # (B,)
    accepted = Accepted(y0)

    def step(y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            y_new = y + step_size * torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device)
            e, e_new = state["e"], energy(y_new)
            y, state["e"], _, n = metropolis_test(e - e_new, generator, y, y_new, e, e_new)  # NaN is rejected
            accepted.count += n
        return y

    return step, accepted


def metropolis_hastings(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    step_size: float,
    generator: torch.Generator | int | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> tuple[torch.Tensor, float]:
    """Random-walk Metropolis-Hastings: propose y' = y + eps xi, accept with min(1, exp(E(y) - E(y'))).

    The Gaussian proposal is symmetric, so the Hastings ratio is 1 and the test needs only the energy
    difference; the chain leaves exp(-E) exactly invariant. No gradient is used: the energy is only
    evaluated (under ``torch.no_grad``).

    Args:
        energy: maps y (B, ...) to energies (B,).
        y0: (B, ...) starting states, one chain per row; not modified.
        steps: number of proposals per chain, >= 0.
        step_size: the proposal's standard deviation eps > 0 per coordinate (the step size of the
            sampler contract).
        generator: a ``torch.Generator``, an int seed or None (global RNG).
        return_trajectory: return every state, (steps + 1, B, ...), y0 first.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        The pair ``(samples, acceptance_rate)``, the (B, ...) final states (or the trajectory), detached,
        and the fraction of accepted proposals over all chains and steps (NaN when steps = 0).

    Cost: one energy evaluation (no gradient) per step.

    See chapter 6 and the sampler contract in :mod:`ebmlib.samplers`.
    """
    steps, gen = check_sampler_args(energy, y0, steps, generator)
    s = check_positive(step_size, "step_size")
    y = y0.detach().clone()
    step, accepted = metropolis_kernel(energy, y, step_size=s, generator=gen)
    out = run_chain(step, y, steps, return_trajectory=return_trajectory, progress=progress,
                    desc="metropolis_hastings", hint=f"Metropolis-Hastings: check the energy; step_size is {s}")
    return out, accepted.rate(y.shape[0], steps)
