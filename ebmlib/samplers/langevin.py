"""Unadjusted Langevin dynamics: noisy gradient descent on the energy.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import check_limits, check_nonneg_real, check_positive, energy_and_grad
from ._common import CHECK_EVERY, check_sampler_args, diverged

__all__ = ["langevin"]


def langevin(
    energy: Callable[[torch.Tensor], torch.Tensor],
    y0: torch.Tensor,
    *,
    steps: int,
    step_size: float,
    noise_scale: float | None = None,
    grad_clip: float | None = None,
    clamp: tuple[float, float] | None = None,
    generator: torch.Generator | int | None = None,
    return_trajectory: bool = False,
    progress: bool = False,
) -> torch.Tensor:
    """Unadjusted Langevin dynamics: noisy gradient descent on the energy.

    y <- y - eps * grad_y E(y) + s * xi,  xi ~ N(0, I),  s = sqrt(2 eps) by default,
    which for small eps samples p(y) proportional to exp(-E(y)) (with a step-size bias of order
    eps). A smaller ``noise_scale`` samples a colder distribution; 0 is plain gradient descent.

    Follows the sampler contract of :mod:`ebmlib.samplers`. One step costs one forward and one
    backward pass of the energy; the chains are checked for NaN/inf every ``CHECK_EVERY`` steps
    and after the last.

    Args:
        energy: maps (B, ...) states to (B,) energies; only its gradient in y is used, so the
            parameters of a module are neither updated nor given a ``.grad``.
        y0: (B, ...) starting states (one chain per row: points (B, D) or images (B, C, H, W));
            not modified.
        steps: number of updates, >= 0.
        step_size: eps > 0.
        noise_scale: the standard deviation s of the noise added per step; None means sqrt(2 eps).
        grad_clip: if given, clip every element of the gradient to [-grad_clip, grad_clip].
        clamp: if given, a pair (low, high): clamp every element of the state after each step
            (e.g. to the pixel range of images).
        generator: ``torch.Generator``, int seed or None (global RNG) for the noise.
        return_trajectory: return every state, (steps + 1, B, ...), y0 first.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        (B, ...) final states (detached), or the (steps + 1, B, ...) trajectory.

    Raises:
        ValueError: on bad settings or an energy that does not return finite (B,) energies.
        ebmlib.errors.DivergenceError: if the chains reach NaN/inf (step size too large).

    See chapter 6.
    """
    steps, generator = check_sampler_args(energy, y0, steps, generator)
    eps = check_positive(step_size, "step_size")
    noise = math.sqrt(2.0 * eps) if noise_scale is None else check_nonneg_real(noise_scale, "noise_scale")
    if grad_clip is not None:
        grad_clip = check_positive(grad_clip, "grad_clip")
    if clamp is not None:
        clamp = check_limits(clamp, "clamp")
    hint = f"try a smaller step_size than {eps}"

    y = y0.detach().clone()
    _, grad = energy_and_grad(energy, y, check=True)  # the energy's output is validated once, here
    traj = [y] if return_trajectory else None
    step = 0
    try:
        for step in tqdm(range(steps), desc="langevin", disable=not progress):
            if step:
                _, grad = energy_and_grad(energy, y)
            if grad_clip is not None:
                grad = grad.clamp(-grad_clip, grad_clip)
            y = torch.add(y, grad, alpha=-eps)  # y - eps * grad, a new tensor (y0 untouched)
            if noise > 0:
                y.add_(torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device), alpha=noise)
            if clamp is not None:
                y.clamp_(*clamp)
            if traj is not None:
                traj.append(y)
            if (step + 1) % CHECK_EVERY == 0 or step + 1 == steps:
                diverged(y, step + 1, hint)
    except ValueError as err:  # an energy that validates its input refused the diverged chains
        diverged(y, step, hint, cause=err)
        raise
    return torch.stack(traj) if traj is not None else y  # (steps + 1, B, ...) or (B, ...)
