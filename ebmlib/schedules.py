"""Schedules: ladders of noise levels for diffusion and annealed sampling.

A schedule is a plain tensor of levels, not a loss and not a sampler: the noise-conditional loss
(:func:`ebmlib.losses.noise_conditional_dsm_loss`) draws its levels from it and annealed Langevin
dynamics (:func:`ebmlib.samplers.annealed_langevin`) walks down it.

See chapter 10.
"""

from __future__ import annotations

import math

import torch

from ._checks import check_int, check_positive

__all__ = ["geometric_sigmas"]


def geometric_sigmas(sigma_max: float, sigma_min: float, n: int, *,
                     dtype: torch.dtype | None = None) -> torch.Tensor:
    """A geometric ladder of noise levels, from the largest to the smallest.

    sigma_i = sigma_max (sigma_min / sigma_max)^((i - 1) / (n - 1)), i = 1 .. n, so that
    consecutive levels have the same ratio.

    Args:
        sigma_max: the first (largest) level, > sigma_min.
        sigma_min: the last (smallest) level, > 0.
        n: number of levels, >= 2.
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (n,) decreasing noise levels.

    See chapter 10.
    """
    sigma_max = check_positive(sigma_max, "sigma_max")
    sigma_min = check_positive(sigma_min, "sigma_min")
    n = check_int(n, "n", minimum=2)
    if not sigma_max > sigma_min:
        raise ValueError(f"sigma_max must be > sigma_min, got {sigma_max!r} <= {sigma_min!r}")
    return torch.exp(torch.linspace(math.log(sigma_max), math.log(sigma_min), n, dtype=dtype))
