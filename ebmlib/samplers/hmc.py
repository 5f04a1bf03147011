"""Hamiltonian Monte Carlo: leapfrog trajectories with a momentum, then a Metropolis test.

See chapter 6.
"""

from __future__ import annotations

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

__all__ = ["hmc"]


def hmc(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    step_size: float,
    n_leapfrog: int,
    generator: torch.Generator | int | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> tuple[torch.Tensor, float]:
    """Hamiltonian Monte Carlo (HMC): follow the energy landscape with momentum, then test.

    Each step draws a momentum p ~ N(0, I), runs ``n_leapfrog`` leapfrog steps of the Hamiltonian
    H(y, p) = E(y) + ||p||^2 / 2 (half step p -= eps/2 grad E, full step y += eps p, half step),
    and accepts the end point with probability min(1, exp(H(y, p) - H(y', p'))). Leapfrog is
    volume-preserving and reversible, so the chain leaves exp(-E) exactly invariant, and a long
    trajectory travels far at a high acceptance rate.

    Args:
        energy: maps y (B, ...) to energies (B,); only its gradient in y is used.
        y0: (B, ...) starting states, one chain per row; not modified.
        steps: number of trajectories (Metropolis tests) per chain, >= 0.
        step_size: leapfrog step eps > 0.
        n_leapfrog: leapfrog steps per trajectory L >= 1.
        generator: a ``torch.Generator``, an int seed or None (global RNG).
        return_trajectory: return the state after every test, (steps + 1, B, ...), y0 first.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        The pair ``(samples, acceptance_rate)``, the (B, ...) final states (or the trajectory), detached,
        and the fraction of accepted trajectories over all chains and steps (NaN when steps = 0).

    Cost: ``n_leapfrog`` energy and gradient evaluations per step.

    See chapter 6 and the sampler contract in :mod:`ebmlib.samplers`.
    """
    steps, gen = check_sampler_args(energy, y0, steps, generator)
    eps = check_positive(step_size, "step_size")
    n_leapfrog = check_positive(n_leapfrog, "n_leapfrog", integer=True)

    y = y0.detach().clone()
    e, g = first_energy(energy, y, grad=True)  # (B,), (B, ...)
    accepted = torch.zeros((), dtype=torch.long, device=y.device)
    traj = [y] if return_trajectory else None
    for step in tqdm(range(steps), desc="hmc", disable=not progress):
        p = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)
        h_start = e + 0.5 * sum_rest(p * p)  # (B,)
        y_new, g_new = y, g
        p = p - (0.5 * eps) * g_new
        for i in range(n_leapfrog):
            y_new = y_new + eps * p
            e_new, g_new = energy_and_grad(energy, y_new)
            p = p - (eps if i < n_leapfrog - 1 else 0.5 * eps) * g_new
        with torch.no_grad():
            log_alpha = h_start - (e_new + 0.5 * sum_rest(p * p))  # NaN or -inf is rejected
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
            diverged(y, step + 1, f"HMC: try a smaller step_size than {eps}")
    diverged(y, steps, f"HMC: try a smaller step_size than {eps}")
    out = torch.stack(traj) if traj is not None else y
    return out, acceptance(accepted, y.shape[0], steps)
