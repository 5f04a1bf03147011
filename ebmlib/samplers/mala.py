"""The Metropolis-adjusted Langevin algorithm: a Langevin step as the proposal, then a Metropolis test.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import check_positive, energy_and_grad
from ._common import (
    CHECK_EVERY,
    acceptance,
    check_sampler_args,
    diverged,
    first_energy,
    per_chain,
    sum_rest,
)

__all__ = ["mala"]


def mala(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    step_size: float,
    generator: torch.Generator | int | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> tuple[torch.Tensor, float]:
    """The Metropolis-adjusted Langevin algorithm (MALA): Langevin proposals, corrected to be exact.

    Propose y' = y - eps grad E(y) + sqrt(2 eps) xi, xi ~ N(0, I), and accept it with probability
    min(1, exp(-E(y') + E(y)) q(y | y') / q(y' | y)), where
    q(y' | y) is proportional to exp(-||y' - y + eps grad E(y)||^2 / (4 eps)). The test removes the
    step-size bias of unadjusted Langevin dynamics: the chain leaves exp(-E) exactly invariant.

    Args:
        energy: maps y (B, ...) to energies (B,); only its gradient in y is used.
        y0: (B, ...) starting states, one chain per row; not modified.
        steps: number of proposals per chain, >= 0.
        step_size: eps > 0.
        generator: a ``torch.Generator``, an int seed or None (global RNG).
        return_trajectory: return every state, (steps + 1, B, ...), y0 first.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        The pair ``(samples, acceptance_rate)``, the (B, ...) final states (or the trajectory), detached,
        and the fraction of accepted proposals over all chains and steps (NaN when steps = 0).

    Cost: one energy and gradient evaluation per step (as unadjusted Langevin).

    See chapter 6 and the sampler contract in :mod:`ebmlib.samplers`.
    """
    steps, gen = check_sampler_args(energy, y0, steps, generator)
    eps = check_positive(step_size, "step_size")
    noise = math.sqrt(2.0 * eps)

    y = y0.detach().clone()
    e, g = first_energy(energy, y, grad=True)  # (B,), (B, ...)
    accepted = torch.zeros((), dtype=torch.long, device=y.device)
    traj = [y] if return_trajectory else None
    for step in tqdm(range(steps), desc="mala", disable=not progress):
        xi = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)
        y_new = y - eps * g + noise * xi
        e_new, g_new = energy_and_grad(energy, y_new)
        with torch.no_grad():
            # log q(y | y') - log q(y' | y); the forward residual y' - y + eps g is sqrt(2 eps) xi
            back = y - y_new + eps * g_new
            log_q = (sum_rest(xi * xi) * (2.0 * eps) - sum_rest(back * back)) / (4.0 * eps)
            log_alpha = e - e_new + log_q  # (B,); NaN or -inf (a diverged proposal) is rejected
            u = torch.rand(y.shape[0], generator=gen, dtype=y.dtype, device=y.device)
            accept = torch.log(u) < log_alpha  # (B,)
            accepted += accept.sum()
            mask = per_chain(accept, y)
            y = torch.where(mask, y_new, y)
            g = torch.where(mask, g_new, g)
            e = torch.where(accept, e_new, e)
        if traj is not None:
            traj.append(y)
        if (step + 1) % CHECK_EVERY == 0:
            diverged(y, step + 1, f"MALA: try a smaller step_size than {eps}")
    diverged(y, steps, f"MALA: try a smaller step_size than {eps}")
    out = torch.stack(traj) if traj is not None else y
    return out, acceptance(accepted, y.shape[0], steps)
