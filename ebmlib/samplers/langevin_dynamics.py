"""Unadjusted Langevin dynamics: noisy gradient descent on the energy.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from .._checks import check_limits, check_nonneg_real, check_positive, energy_and_grad
from ._common import check_sampler_args
from ._driver import run_chain

__all__ = ["langevin", "langevin_step", "langevin_settings"]

Energy = Callable[[torch.Tensor], torch.Tensor]


def langevin_step(energy: Energy, y: torch.Tensor, *, step_size: float, noise_scale: float,
                  generator: torch.Generator | None = None, grad_clip: float | None = None,
                  clamp: tuple[float, float] | None = None, grad: torch.Tensor | None = None) -> torch.Tensor:
    """One Langevin update, unchecked (the kernel): y - eps clip(grad E(y)) + s xi, clamped; a new tensor.

    ``grad``: grad E(y) when the caller already has it (the first step of a chain); otherwise computed.
    The public :func:`langevin` validates and runs this kernel with :func:`~ebmlib.samplers.run_chain`.
    """
    if grad is None:
        _, grad = energy_and_grad(energy, y)
    if grad_clip is not None:
        grad = grad.clamp(-grad_clip, grad_clip)
    y = torch.add(y, grad, alpha=-step_size)  # y - eps * grad, a new tensor (y untouched)
    if noise_scale > 0:
        y.add_(torch.randn(y.shape, generator=generator, dtype=y.dtype, device=y.device), alpha=noise_scale)
    if clamp is not None:
        y.clamp_(*clamp)
    return y


def langevin_settings(step_size, noise_scale, grad_clip, clamp) -> dict:
    """Validate Langevin's settings (pure Python, no host synchronisation); the kernel's keyword arguments."""
    eps = check_positive(step_size, "step_size")
    noise = math.sqrt(2.0 * eps) if noise_scale is None else check_nonneg_real(noise_scale, "noise_scale")
    if grad_clip is not None:
        grad_clip = check_positive(grad_clip, "grad_clip")
    if clamp is not None:
        clamp = check_limits(clamp, "clamp")
    return {"step_size": eps, "noise_scale": noise, "grad_clip": grad_clip, "clamp": clamp}


def langevin(
    energy: Energy,
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
    kw = langevin_settings(step_size, noise_scale, grad_clip, clamp)
    y = y0.detach().clone()
    _, grad = energy_and_grad(energy, y, check=True)  # the energy's output is validated once, here
    first = [grad]  # the kernel's first step reuses this gradient

    def step(y: torch.Tensor) -> torch.Tensor:
        return langevin_step(energy, y, generator=generator, grad=first.pop() if first else None, **kw)

    return run_chain(step, y, steps, return_trajectory=return_trajectory, progress=progress, desc="langevin",
                     hint=f"try a smaller step_size than {kw['step_size']}")
