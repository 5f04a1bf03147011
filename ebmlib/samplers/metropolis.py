"""Random-walk Metropolis-Hastings: a Gaussian proposal and an energy test, no gradient.

See chapter 6.
"""

from __future__ import annotations

from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import check_positive
from ._common import (
    CHECK_EVERY,
    acceptance,
    check_sampler_args,
    diverged,
    first_energy,
    per_chain,
)

__all__ = ["metropolis_hastings"]


def metropolis_hastings(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    proposal_scale: float,
    generator: torch.Generator | int | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> tuple[torch.Tensor, float]:
    """Random-walk Metropolis-Hastings: propose y' = y + s xi, accept with min(1, exp(E(y) - E(y'))).

    The Gaussian proposal is symmetric, so the Hastings ratio is 1 and the test needs only the energy
    difference; the chain leaves exp(-E) exactly invariant. No gradient is used: the energy is only
    evaluated (under ``torch.no_grad``).

    Args:
        energy: maps y (B, ...) to energies (B,).
        y0: (B, ...) starting states, one chain per row; not modified.
        steps: number of proposals per chain, >= 0.
        proposal_scale: the proposal's standard deviation s > 0 per coordinate.
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
    s = check_positive(proposal_scale, "proposal_scale")

    y = y0.detach().clone()
    e, _ = first_energy(energy, y, grad=False)  # (B,)
    accepted = torch.zeros((), dtype=torch.long, device=y.device)
    traj = [y] if return_trajectory else None
    with torch.no_grad():
        for step in tqdm(range(steps), desc="metropolis_hastings", disable=not progress):
            y_new = y + s * torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)
            e_new = energy(y_new)
            u = torch.rand(y.shape[0], generator=gen, dtype=y.dtype, device=y.device)
            accept = torch.log(u) < e - e_new  # (B,); NaN energies are rejected
            accepted += accept.sum()
            y = torch.where(per_chain(accept, y), y_new, y)
            e = torch.where(accept, e_new, e)
            if traj is not None:
                traj.append(y)
            if (step + 1) % CHECK_EVERY == 0:
                diverged(y, step + 1, f"Metropolis-Hastings: check the energy; proposal_scale is {s}")
    diverged(y, steps, f"Metropolis-Hastings: check the energy; proposal_scale is {s}")
    out = torch.stack(traj) if traj is not None else y
    return out, acceptance(accepted, y.shape[0], steps)
