"""Annealed Langevin dynamics: Langevin sampling down a ladder of noise levels.

See chapter 10.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import check_callable, check_nonneg_int, check_positive, check_sigmas, check_tensor, score_on
from ..utils import as_generator
from ._common import diverged

__all__ = ["annealed_langevin"]

Score = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def annealed_langevin(score: Score, y0: torch.Tensor, *, sigmas: torch.Tensor, steps: int, step_size: float,
                      denoise: bool = True, generator: torch.Generator | int | None = None,
                      return_trajectory: bool = False, progress: bool = False) -> torch.Tensor:
    """Annealed Langevin dynamics with a noise-conditional score (Song and Ermon, 2019).

    For each level sigma_i of ``sigmas`` (largest first), ``steps`` Langevin updates at the step
    a_i = eps sigma_i^2 / sigma_L^2 (eps = ``step_size``, sigma_L the last level):

        y <- y + (a_i / 2) s(y, sigma_i) + sqrt(a_i) xi,   xi ~ N(0, I),

    so every level moves the chains by a similar fraction of its own noise scale. At large sigma the
    blurred density is smooth and the chains cross between modes; each smaller level refines them.
    With ``denoise``, a last step y <- y + sigma_L^2 s(y, sigma_L) (Tweedie's formula) removes the
    remaining sigma_L blur.

    Unlike the samplers of chapter 6 it takes a score, not an energy: for an energy network pass
    ``lambda y, s: -grad_y E(y, s)``.

    Args:
        score: ``score(y, sigma)`` with y (B, D) and sigma (B,) returns (B, D).
        y0: (B, D) starting points, not modified.
        sigmas: (L,) decreasing positive noise levels.
        steps: Langevin updates per level, >= 0.
        step_size: eps > 0, the step at the smallest level.
        denoise: finish with the Tweedie step.
        generator: torch.Generator, int seed or None (global RNG) for the noise.
        return_trajectory: also return the states after each level, (L + 1, B, D), y0 first.
        progress: show a ``tqdm.auto`` progress bar over the levels.

    Returns:
        (B, D) final states (detached), or the (L + 1, B, D) states after each level.

    Raises:
        ValueError: on bad settings; its subclass ``ebmlib.DivergenceError`` if the chains leave the
            finite numbers (checked once per level).

    Cost: L x steps score evaluations.

    See chapter 10.
    """
    check_callable(score, "score", "(y (B, D), sigma (B,)) -> scores (B, D)")
    check_tensor(y0, "y0", ndim=2)
    check_sigmas(sigmas, decreasing=True)
    steps = check_nonneg_int(steps, "steps")
    eps = check_positive(step_size, "step_size")
    gen = as_generator(generator, y0.device)
    sig = [float(s) for s in sigmas]
    y = y0.detach().clone()
    states = [y.clone()] if return_trajectory else None
    with torch.no_grad():
        score_on(score, y, torch.full((y.shape[0],), sig[-1], dtype=y.dtype, device=y.device))  # checked once
        for i, sigma in enumerate(tqdm(sig, disable=not progress, desc="annealed Langevin")):
            a = eps * sigma**2 / sig[-1] ** 2
            level = torch.full((y.shape[0],), sigma, dtype=y.dtype, device=y.device)
            for _ in range(steps):
                xi = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)
                y = y + 0.5 * a * score(y, level) + math.sqrt(a) * xi
            diverged(y, (i + 1) * steps, f"annealed Langevin diverged at level {i} (sigma = {sigma:g}); "
                                         f"try a smaller step_size than {eps:g}")
            if states is not None:
                states.append(y.clone())
        if denoise:
            y = y + sig[-1] ** 2 * score(y, level)
            if states is not None:
                states[-1] = y.clone()
    return torch.stack(states) if states is not None else y
