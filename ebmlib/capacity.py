"""Latent capacity: a two-dimensional latent confined to a disc, the knob that makes an energy collapse.

With E(y, z) = ||y - f(x) - z||^2 and z confined to the disc ||z|| <= r, the zero-temperature free
energy is (max(0, ||y - f(x)|| - r))^2: the radius r sets how much of the plane can have low energy.

See chapter 4.
"""

from __future__ import annotations

import math

import torch

from ._checks import check_positive

__all__ = ['disc_latent_grid']


def disc_latent_grid(radius: float, spacing: float, *, dtype: torch.dtype | None = None) -> torch.Tensor:
    """The points of the square grid spacing * Z^2 that lie in the disc ||z|| <= radius.

    Every point of the disc is within spacing / sqrt(2) of a grid point, so the grid's free energy
    exceeds the exact one by at most about spacing^2 / 2 inside the disc. radius = 0 gives z = 0 only.

    Args:
        radius: r >= 0, the bound on ||z||.
        spacing: h > 0, the grid step.
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (N, 2) tensor of latents, the origin included; N grows like pi r^2 / h^2.

    See chapter 4.
    """
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not math.isfinite(radius) or radius < 0:
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}")
    spacing = check_positive(spacing, "spacing")
    k = int(math.floor(radius / spacing))
    axis = torch.arange(-k, k + 1, dtype=dtype or torch.get_default_dtype()) * spacing  # (2k + 1,)
    grid = torch.cartesian_prod(axis, axis).reshape(-1, 2)  # ((2k + 1)^2, 2)
    return grid[(grid**2).sum(dim=1) <= radius**2 * (1 + 1e-12)]  # (N, 2), inside the disc
