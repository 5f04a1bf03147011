"""Annealed Langevin dynamics: Langevin sampling down a ladder of noise levels.

See chapter 10.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from .._checks import check_callable, check_nonneg_int, check_positive, check_sigmas, check_tensor, score_on
from ..utils import as_generator
from ._driver import run_chain

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

    It follows the sampler contract of :mod:`ebmlib.samplers` with one stated difference: it takes a
    noise-conditional score, not an energy (for an energy network pass ``lambda y, s: -grad_y E(y, s)``),
    and ``steps`` counts the updates per level.

    Args:
        score: ``score(y, sigma)`` with y (B, ...) and sigma (B,) returns (B, ...).
        y0: (B, ...) starting states (points (B, D) or images), not modified.
        sigmas: (L,) decreasing positive noise levels.
        steps: Langevin updates per level, >= 0.
        step_size: eps > 0, the step at the smallest level.
        denoise: finish with the Tweedie step.
        generator: torch.Generator, int seed or None (global RNG) for the noise.
        return_trajectory: return every state, (L x steps + 1, B, ...), y0 first and the result (after
            the Tweedie step with ``denoise``) last.
        progress: show a ``tqdm.auto`` progress bar over the L x steps updates.

    Returns:
        (B, ...) final states (detached), or the (L x steps + 1, B, ...) trajectory.

    Raises:
        ValueError: on bad settings; its subclass ``ebmlib.DivergenceError`` if the chains leave the
            finite numbers (checked every 32 updates and after the last).

    Cost: L x steps score evaluations.

    See chapter 10.
    """
    check_callable(score, "score", "(y (B, ...), sigma (B,)) -> scores (B, ...)")
    check_tensor(y0, "y0", min_ndim=2)
    check_sigmas(sigmas, decreasing=True)
    steps = check_nonneg_int(steps, "steps")
    eps = check_positive(step_size, "step_size")
    gen = as_generator(generator, y0.device)
    sig = [float(s) for s in sigmas]
    y = y0.detach().clone()
    b, dtype, device = y.shape[0], y.dtype, y.device
    levels = [torch.full((b,), sigma, dtype=dtype, device=device) for sigma in sig]  # (B,) per level
    t = [0]  # updates so far: the level is t // steps

    def step(y: torch.Tensor) -> torch.Tensor:
        i = t[0] // steps
        t[0] += 1
        a = eps * sig[i] ** 2 / sig[-1] ** 2
        xi = torch.randn(y.shape, generator=gen, dtype=dtype, device=device)
        return y + 0.5 * a * score(y, levels[i]) + math.sqrt(a) * xi

    with torch.no_grad():
        score_on(score, y, levels[-1])  # checked once
        out = run_chain(step, y, len(sig) * steps, return_trajectory=return_trajectory, progress=progress,
                        desc="annealed Langevin", hint=f"annealed Langevin diverged; try a smaller step_size than {eps:g}")
        if denoise:
            last = out[-1] if return_trajectory else out
            y = last + sig[-1] ** 2 * score(last, levels[-1])
            if return_trajectory:
                out[-1] = y
            else:
                out = y
    return out
