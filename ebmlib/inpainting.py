"""Inpainting as inference: fill the unknown pixels of an image by descending the energy over them, or by
annealed Langevin dynamics with a noise-conditional score.

See chapter 9.
"""

from __future__ import annotations

from typing import Callable

import torch

from ._checks import check_callable, check_int, check_tensor
from .samplers import annealed_langevin, langevin
from .utils import as_generator

__all__ = ["inpaint", "inpaint_annealed"]


def inpaint(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor, mask: torch.Tensor, *, steps: int,
            step_size: float, init: torch.Tensor | float = 0.0, noise_scale: float = 0.0,
            grad_clip: float | None = None, clamp: tuple[float, float] | None = None,
            generator: torch.Generator | int | None = None, return_trajectory: bool = False,
            progress: bool = False) -> torch.Tensor:
    """Fill the pixels where ``mask`` is True by (noisy) gradient descent of the energy over them only.

    With the known pixels y_K held fixed, inference of the unknown ones is
    y_U = argmin_{y_U} E(y_K, y_U), found by y_U <- y_U - eps grad_{y_U} E (+ noise, clamp) from
    ``init``: the self-supervised idea of chapter 4 (predict a hidden part from the visible one)
    with a learned energy. It runs :func:`~ebmlib.samplers.langevin` on the energy of the completed image,
    E'(z) = E(where(mask, z, y)), whose gradient is zero on the known pixels; they are returned
    exactly as given.

    Args:
        energy: maps (B, ...) images to (B,) energies.
        y: (B, ...) images; the values under the mask are ignored.
        mask: bool tensor of y's shape (or broadcastable to it): True = unknown, to fill.
        steps: descent steps, >= 0.
        step_size: eps > 0.
        init: the starting value of the unknown pixels, a number or a tensor broadcastable to y
            (e.g. the mean image: the descent then starts from mean-imputation).
        noise_scale: Langevin noise per step (0: plain gradient descent).
        grad_clip, clamp, generator, progress: as in :func:`~ebmlib.samplers.langevin`.
        return_trajectory: also return every completed image, (steps + 1, B, ...), the start first.

    Returns:
        torch.Tensor: the completed images, shape (B, ...), detached and equal to ``y`` where
        ``mask`` is False; with ``return_trajectory=True`` the pair (completed images, trajectory).

    See chapter 9.
    """
    check_callable(energy, "energy")
    check_tensor(y, "y", min_ndim=2)
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool tensor (True = unknown pixel), got "
                         f"{mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__}")
    try:
        mask = torch.broadcast_to(mask, y.shape).to(y.device)
    except RuntimeError:
        raise ValueError(f"mask must have y's shape {tuple(y.shape)} or broadcast to it, got {tuple(mask.shape)}") from None
    if isinstance(init, torch.Tensor):
        check_tensor(init, "init", min_ndim=0)
        try:
            init = torch.broadcast_to(init.to(y.dtype), y.shape)
        except RuntimeError:
            raise ValueError(f"init must broadcast to y's shape {tuple(y.shape)}, got {tuple(init.shape)}") from None
    else:
        from ._checks import check_real
        init = torch.full_like(y, check_real(init, "init"))
    known = y.detach()
    z0 = torch.where(mask, init, known)  # (B, ...): the known pixels, and init under the mask

    def completed(z: torch.Tensor) -> torch.Tensor:
        return energy(torch.where(mask, z, known))  # no gradient reaches the known pixels

    z = langevin(completed, z0, steps=steps, step_size=step_size, noise_scale=noise_scale, grad_clip=grad_clip,
                 clamp=clamp, generator=generator, return_trajectory=return_trajectory, progress=progress)
    if return_trajectory:
        traj = torch.where(mask, z, known)  # (steps + 1, B, ...): the mask broadcasts over the steps
        return traj[-1], traj
    return torch.where(mask, z, known)


def inpaint_annealed(score: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], y: torch.Tensor, mask: torch.Tensor, *,
                     sigmas: torch.Tensor, steps: int, step_size: float, samples: int = 1,
                     generator: torch.Generator | int | None = None, progress: bool = False) -> torch.Tensor:
    """Sampled completions: annealed Langevin dynamics on the unknown pixels, the known ones noised to each level.

    The unknown pixels start from U(0, 1) and follow :func:`~ebmlib.samplers.annealed_langevin` down the
    ladder ``sigmas``; at every score evaluation the known pixels are replaced by their values plus fresh
    noise of the current level, y_K + sigma xi, so that the score always sees an image blurred as in
    training, and only the unknown pixels move (the inpainting of Song and Ermon, 2019). The result is
    approximately a sample of the model's conditional of the unknown pixels; the known pixels come back
    exactly as given.

    Args:
        score: ``score(y, sigma)`` with y of ``y``'s shape and sigma (B,) returns scores of y's shape (for
            example :class:`ebmlib.models.NoiseConditionalEnergy`).
        y: (B, ...) images, in the shape ``score`` takes; the values under the mask are ignored.
        mask: bool tensor broadcastable to one image, ``y.shape[1:]``: True = unknown, to fill.
        sigmas, steps, step_size: the ladder, Langevin steps per level and the step at the smallest level,
            as in :func:`~ebmlib.samplers.annealed_langevin` (which ends with its denoising step).
        samples: k >= 1 completions per image.
        generator: torch.Generator, int seed or None (global RNG) for the starts and all the noise.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        (k, B, ...) completions, detached.

    See chapter 9.
    """
    check_callable(score, "score", "(y (B, ...), sigma (B,)) -> scores (B, ...)")
    check_tensor(y, "y", min_ndim=2)
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool tensor (True = unknown pixel), got "
                         f"{mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__}")
    try:
        mask = torch.broadcast_to(mask, y.shape[1:]).to(y.device)
    except RuntimeError:
        raise ValueError(f"mask must have one image's shape {tuple(y.shape[1:])} or broadcast to it, "
                         f"got {tuple(mask.shape)}") from None
    k = check_int(samples, "samples")
    gen = as_generator(generator, y.device)
    known = y.detach().repeat(k, *([1] * (y.dim() - 1)))  # (k B, ...), the k copies one after the other
    levels_shape = (-1,) + (1,) * (y.dim() - 1)

    def masked_score(z: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        noisy_known = known + sigma.reshape(levels_shape) * torch.randn(known.shape, generator=gen, dtype=known.dtype,
                                                                        device=known.device)
        return score(torch.where(mask, z, noisy_known), sigma) * mask

    z0 = torch.rand(known.shape, generator=gen, dtype=known.dtype, device=known.device)
    out = annealed_langevin(masked_score, z0, sigmas=sigmas, steps=steps, step_size=step_size, generator=gen,
                            progress=progress)
    return torch.where(mask, out, known).reshape(k, *y.shape)
