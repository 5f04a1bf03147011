"""The Metropolis-adjusted Langevin algorithm: a Langevin step as the proposal, then a Metropolis test.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from .._checks import check_positive, energy_and_grad
from ._common import Accepted, check_sampler_args, first_energy, metropolis_test, sum_rest
from ._driver import run_chain

__all__ = ["mala", "mala_kernel"]


def mala_kernel(energy: Callable[[torch.Tensor], torch.Tensor], y0: torch.Tensor, *, step_size: float,
                generator: torch.Generator | None = None):
    """The MALA step kernel, unchecked: ``(step, accepted)``, ``step(y) -> y`` for a chain started at ``y0``.

    ``step`` keeps the current energies and gradients between calls; ``accepted`` counts accepted
    proposals on the device.
    """
    eps, noise = step_size, math.sqrt(2.0 * step_size)
    state = dict(zip("eg", first_energy(energy, y0, grad=True)))  # (B,), (B, ...)
    accepted = Accepted(y0)

    def step(y: torch.Tensor) -> torch.Tensor:
        e, g = state["e"], state["g"]
        xi = torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device)
        y_new = y - eps * g + noise * xi
        e_new, g_new = energy_and_grad(energy, y_new)
        with torch.no_grad():
            # log q(y | y') - log q(y' | y); the forward residual y' - y + eps g is sqrt(2 eps) xi
            back = y - y_new + eps * g_new
            log_q = (sum_rest(xi * xi) * (2.0 * eps) - sum_rest(back * back)) / (4.0 * eps)
            log_alpha = e - e_new + log_q  # (B,); NaN or -inf (a diverged proposal) is rejected
            y, state["e"], state["g"], n = metropolis_test(log_alpha, generator, y, y_new, e, e_new, g, g_new)
            accepted.count += n
        return y

    return step, accepted


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
    y = y0.detach().clone()
    step, accepted = mala_kernel(energy, y, step_size=eps, generator=gen)
    out = run_chain(step, y, steps, return_trajectory=return_trajectory, progress=progress, desc="mala",
                    hint=f"MALA: try a smaller step_size than {eps}")
    return out, accepted.rate(y.shape[0], steps)
