"""Hamiltonian Monte Carlo: leapfrog trajectories with a momentum, then a Metropolis test.

See chapter 6.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_int, check_positive, energy_and_grad
from ._common import Accepted, check_sampler_args, first_energy, metropolis_test, sum_rest
from ._driver import run_chain

__all__ = ["hmc", "hmc_kernel"]


def hmc_kernel(energy: Callable[[torch.Tensor], torch.Tensor], y0: torch.Tensor, *, step_size: float,
               n_leapfrog: int, generator: torch.Generator | None = None):
    """The HMC step kernel, unchecked: ``(step, accepted)``, ``step(y) -> y`` for a chain started at ``y0``."""
    eps = step_size
    state = dict(zip("eg", first_energy(energy, y0, grad=True)))  # (B,), (B, ...)
    accepted = Accepted(y0)

    def step(y: torch.Tensor) -> torch.Tensor:
        e, g = state["e"], state["g"]
        v = torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device)  # the momentum
        h_start = e + 0.5 * sum_rest(v * v)  # (B,)
        y_new, g_new = y, g
        v = v - (0.5 * eps) * g_new
        for i in range(n_leapfrog):
            y_new = y_new + eps * v
            e_new, g_new = energy_and_grad(energy, y_new)
            v = v - (eps if i < n_leapfrog - 1 else 0.5 * eps) * g_new
        with torch.no_grad():
            log_alpha = h_start - (e_new + 0.5 * sum_rest(v * v))  # NaN or -inf is rejected
            y, state["e"], state["g"], n = metropolis_test(log_alpha, generator, y, y_new, e, e_new, g, g_new)
            accepted.count += n
        return y

    return step, accepted


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

    Each step draws a momentum v ~ N(0, I), runs ``n_leapfrog`` leapfrog steps of the Hamiltonian
    H(y, v) = E(y) + ||v||^2 / 2 (half step v -= eps/2 grad E, full step y += eps v, half step),
    and accepts the end point with probability min(1, exp(H(y, v) - H(y', v'))). Leapfrog is
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
    n_leapfrog = check_int(n_leapfrog, "n_leapfrog")  # an int >= 1, like every count (3.0 is refused)
    y = y0.detach().clone()
    step, accepted = hmc_kernel(energy, y, step_size=eps, n_leapfrog=n_leapfrog, generator=gen)
    out = run_chain(step, y, steps, return_trajectory=return_trajectory, progress=progress, desc="hmc",
                    hint=f"HMC: try a smaller step_size than {eps}")
    return out, accepted.rate(y.shape[0], steps)
