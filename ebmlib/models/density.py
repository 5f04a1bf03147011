"""Turning an energy into a density on a 2-D grid, at a temperature chosen on held-out data.

An architectural energy F (k-means, PCA, GLO) is not trained as a density, but exp(-F/T) can be
normalised on a grid for any temperature T > 0: p_T(y) = exp(-F(y)/T) / (h^2 sum_g exp(-F(y_g)/T)).
T is then a single hyper-parameter, chosen by the likelihood of a validation set, and the
negative log-likelihood of a separate test set (:func:`ebmlib.losses.tempered_grid_nll`) compares
the energy with trained densities.

See chapter 8.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from .._checks import check_callable, check_positive, energy_on

__all__ = ["tempered_density"]


def _cell_centres(lim: float, n: int, dtype) -> tuple[torch.Tensor, float]:
    h = 2 * lim / n
    a = torch.linspace(-lim + h / 2, lim - h / 2, n, dtype=dtype)
    return torch.stack(torch.meshgrid(a, a, indexing="xy"), dim=-1).reshape(-1, 2), h  # (n * n, 2)


def tempered_density(free_energy: Callable[[torch.Tensor], torch.Tensor], temperature: float, *,
                     lim: float = 4.0, n: int = 100, dtype: torch.dtype | None = None) -> torch.Tensor:
    """The density p_T(y) = exp(-F(y)/T) / Z_T on the n x n cell centres of [-lim, lim]^2.

    Args:
        free_energy: maps (B, 2) points to energies (B,).
        temperature: T > 0.
        lim: half side of the square.
        n: grid cells per side.
        dtype: dtype of the grid (default: torch's default dtype).

    Returns:
        (n, n) densities, rows indexed by y_2 and columns by y_1 (``imshow(..., origin="lower")``);
        they sum to 1 / h^2 (cell side h = 2 lim / n).

    See chapter 8.
    """
    check_callable(free_energy, "free_energy")
    t = check_positive(temperature, "temperature")
    lim = check_positive(lim, "lim")
    n = check_positive(n, "n", integer=True)
    grid, h = _cell_centres(lim, n, dtype if dtype is not None else torch.get_default_dtype())
    f = energy_on(free_energy, grid, "free_energy").detach()
    log_p = -f / t - torch.logsumexp(-f / t, dim=0) - 2 * math.log(h)
    return log_p.exp().reshape(n, n)
