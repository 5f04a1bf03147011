"""Diffusion as denoising score matching at many noise levels.

One network s(y, sigma) learns the score of the data blurred by N(0, sigma^2 I) for every sigma of
a geometric ladder sigma_1 > ... > sigma_L. Large sigmas fill the space between the modes with
signal; small sigmas resolve the modes (Song and Ermon, 2019). Annealed Langevin dynamics
(:func:`ebmlib.samplers.annealed_langevin`) then walks down the ladder.

See chapter 10.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_callable, check_reduction, check_sigmas, check_tensor, reduce_loss, score_on
from ..utils import as_generator

__all__ = ["noise_conditional_dsm_loss"]

Score = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def noise_conditional_dsm_loss(score: Score, y: torch.Tensor, sigmas: torch.Tensor, *,
                               generator: torch.Generator | int | None = None,
                               reduction: str = "mean") -> torch.Tensor:
    """Noise-conditional denoising score matching over a ladder of noise levels.

    Each point y_i gets a level sigma drawn uniformly from ``sigmas`` and a noise xi ~ N(0, I);
    with y_tilde = y_i + sigma xi,

        J = (1/B) sum_i 1/2 sigma^2 || s(y_tilde, sigma) + xi / sigma ||^2 .

    For each sigma the minimiser over all functions is the score of the data blurred by
    N(0, sigma^2 I), grad log (p_data * N(0, sigma^2 I)) (Vincent, 2011); the weight sigma^2 makes
    every level contribute on the same scale (Song and Ermon, 2019).

    Args:
        score: ``score(y_tilde, sigma)`` with y_tilde (B, D) and sigma (B,) returns (B, D).
        y: (B, D) clean data points.
        sigmas: (L,) positive noise levels (e.g. :func:`ebmlib.schedules.geometric_sigmas`).
        generator: torch.Generator, int seed or None (global RNG) for the levels and the noise.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (the (B,) per-point terms inside the mean).

    Returns:
        Scalar tensor (or (B,) with ``reduction="none"``), differentiable in the parameters of ``score``.

    See chapter 10.
    """
    check_callable(score, "score", "(y_tilde (B, D), sigma (B,)) -> scores (B, D)")
    check_tensor(y, "y", ndim=2)
    check_sigmas(sigmas)
    reduction = check_reduction(reduction)
    gen = as_generator(generator, y.device)
    sigmas = sigmas.to(dtype=y.dtype, device=y.device)
    idx = torch.randint(0, sigmas.shape[0], (y.shape[0],), generator=gen, device=y.device)
    sigma = sigmas[idx]  # (B,)
    xi = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)  # (B, D)
    s = score_on(score, y.detach() + sigma[:, None] * xi, sigma)
    return reduce_loss(0.5 * ((sigma[:, None] * s + xi) ** 2).sum(dim=1), reduction)
