"""Unadjusted Langevin dynamics: noisy gradient descent on the energy.

See chapter 6.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import check_energy_output, check_positive, check_tensor

__all__ = ['langevin']


def langevin(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    step_size: float,
    noise_scale: float | None = None,
    generator: torch.Generator | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> torch.Tensor:
    """Unadjusted Langevin dynamics: noisy gradient descent on the energy.

    y <- y - eps * grad_y E(y) + s * xi,  xi ~ N(0, I),  s = sqrt(2 eps) by default,
    which for small eps samples p(y) proportional to exp(-E(y)) (with a step-size bias of order
    eps). A smaller ``noise_scale`` samples a colder distribution; 0 is plain gradient descent.

    Args:
        energy: maps (B, D) points to (B,) energies; only its gradient in y is used, so the
            parameters of a module are neither updated nor given a ``.grad``.
        y0: (B, D) starting points (one chain per row); not modified.
        steps: number of updates, >= 0.
        step_size: eps > 0.
        noise_scale: the standard deviation s of the noise added per step; None means sqrt(2 eps).
        generator: torch.Generator for the noise (same state -> same chains).
        return_trajectory: also return every state, (steps + 1, B, D), y0 first.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        (B, D) final states (detached), or the (steps + 1, B, D) trajectory.

    Raises:
        ValueError: on bad settings, or if the chains reach NaN/inf (step size too large).

    See chapter 6.
    """
    if not callable(energy):
        raise ValueError(f"energy must be callable (y of shape (B, D) -> energies (B,)), got {type(energy).__name__}")
    check_tensor(y0, "y0", ndim=2)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    eps = check_positive(step_size, "step_size")
    if noise_scale is None:
        noise = math.sqrt(2.0 * eps)
    else:
        if isinstance(noise_scale, bool) or not isinstance(noise_scale, Real) \
                or not math.isfinite(noise_scale) or noise_scale < 0:
            raise ValueError(f"noise_scale must be a finite number >= 0 or None, got {noise_scale!r}")
        noise = float(noise_scale)

    y = y0.detach().clone()
    traj = [y] if return_trajectory else None
    with torch.enable_grad():
        for step in tqdm(range(steps), desc="langevin", disable=not progress):
            y_var = y.detach().requires_grad_(True)  # shares memory with y, no copy
            e = energy(y_var)
            if step == 0:
                check_energy_output(e, y.shape[0])
            (grad,) = torch.autograd.grad(e, y_var, grad_outputs=torch.ones_like(e))  # (B, D)
            with torch.no_grad():
                y = torch.add(y, grad, alpha=-eps)  # y - eps * grad, a new tensor (y0 untouched)
                if noise > 0:
                    y.add_(torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device),
                           alpha=noise)
                if not bool(torch.isfinite(y).all()):  # stop before the energy sees NaN/inf
                    raise ValueError(f"Langevin chains reached NaN/inf at step {step + 1}; "
                                     f"try a smaller step_size than {eps}")
            if traj is not None:
                traj.append(y)
    out = torch.stack(traj) if traj is not None else y  # (steps + 1, B, D) or (B, D)
    if not bool(torch.isfinite(out[-1]).all()):
        raise ValueError(f"Langevin chains reached NaN/inf after {steps} steps; "
                         f"try a smaller step_size than {eps}")
    return out
