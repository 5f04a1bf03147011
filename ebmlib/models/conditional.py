"""Regression with uncertainty: a conditional energy E(x, y) over a scalar y, normalised on a grid.

For a scalar answer y the partition function of p(y | x) = exp(-E(x, y)) / Z(x) is a 1-D integral,
so a fine y-grid per x gives it to quadrature accuracy: the negative log-likelihood is exact, and
prediction intervals come from the grid's cumulative distribution. Nothing here assumes the
conditional is Gaussian or unimodal.

See chapter 10.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn

from .._checks import check_callable, check_int, check_tensor, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ["ConditionalMLPEnergy", "grid_conditional_log_prob", "central_interval"]

ConditionalEnergy = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class ConditionalMLPEnergy(nn.Module):
    """A perceptron energy E(x, y) of an input x and a scalar answer y.

    Args:
        x_dim: dimension of x.
        hidden: widths of the hidden layers (SiLU).
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial weights.

    Shapes: ``forward(x, y)`` maps x (B, x_dim) and y (B,) to energies (B,).

    See chapter 10.
    """

    def __init__(self, x_dim: int = 1, hidden: tuple[int, ...] = (64, 64), *, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        self.x_dim = check_int(x_dim, "x_dim")
        self.net = perceptron((self.x_dim + 1, *check_widths(hidden), 1), dtype=dtype,
                              generator=as_generator(generator))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Energies (B,) of the pairs (x_b, y_b)."""
        return self.net(torch.cat([x, y[:, None]], dim=1))[:, 0]  # (B, x_dim + 1) -> (B,)


def _check_grid(y_grid: torch.Tensor) -> float:
    check_tensor(y_grid, "y_grid", ndim=1)
    if y_grid.shape[0] < 2:
        raise ValueError(f"y_grid must hold at least 2 points, got {y_grid.shape[0]}")
    h = y_grid[1:] - y_grid[:-1]
    if not bool((h > 0).all()) or float(h.max() - h.min()) > 1e-3 * float(h.mean()):
        raise ValueError("y_grid must be increasing and equally spaced")
    return float(h.mean())


def _check_x(x: torch.Tensor) -> torch.Tensor:
    check_tensor(x, "x", ndim=(1, 2))
    return x[:, None] if x.dim() == 1 else x


def _grid_energies(energy: ConditionalEnergy, x: torch.Tensor, y_grid: torch.Tensor) -> torch.Tensor:
    b, g = x.shape[0], y_grid.shape[0]
    e = energy(x.repeat_interleave(g, dim=0), y_grid.to(x.dtype).repeat(b))  # (B * G,)
    if not isinstance(e, torch.Tensor) or tuple(e.shape) != (b * g,):
        got = tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__
        raise ValueError(f"energy must return one energy per pair, shape ({b * g},), got {got}")
    return e.reshape(b, g)  # (B, G)


def grid_conditional_log_prob(energy: ConditionalEnergy, x: torch.Tensor, y_grid: torch.Tensor) -> torch.Tensor:
    """The log-density log p(y_g | x_b) on an equally spaced y-grid, normalised per x.

    log p(y_g | x) = -E(x, y_g) - log Z(x),   log Z(x) = log sum_g h exp(-E(x, y_g)),
    with h the grid spacing (the rectangle rule); exp of each row integrates to 1 on the grid.

    Args:
        energy: ``energy(x, y)`` maps x (N, Dx) and y (N,) to energies (N,).
        x: (B, Dx) or (B,) inputs.
        y_grid: (G,) increasing, equally spaced answers, covering the support of p(y | x).

    Returns:
        (B, G) log-densities; differentiable in the parameters of ``energy``.

    Cost: B x G energy evaluations.

    See chapter 10.
    """
    check_callable(energy, "energy", "(x (N, Dx), y (N,)) -> energies (N,)")
    x = _check_x(x)
    h = _check_grid(y_grid)
    e = _grid_energies(energy, x, y_grid)
    return -e - (torch.logsumexp(-e, dim=1, keepdim=True) + math.log(h))


def central_interval(log_prob: torch.Tensor, y_grid: torch.Tensor, level: float = 0.9
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """The central prediction interval of each grid density: its (1 - level)/2 and (1 + level)/2 quantiles.

    Each grid value carries the mass p_g h of the cell [y_g - h/2, y_g + h/2]; the cumulative
    distribution is linear inside a cell, and the quantiles are read off it.

    Args:
        log_prob: (B, G) log-densities on ``y_grid`` (e.g. from :func:`grid_conditional_log_prob`).
        y_grid: (G,) increasing, equally spaced answers.
        level: the interval's probability, in (0, 1).

    Returns:
        (lower, upper), each (B,).

    See chapter 10.
    """
    check_tensor(log_prob, "log_prob", ndim=2, finite=False)
    if bool(torch.isnan(log_prob).any()) or bool((log_prob == math.inf).any()):
        raise ValueError("log_prob contains NaN or +inf values")
    h = _check_grid(y_grid)
    if log_prob.shape[1] != y_grid.shape[0]:
        raise ValueError(f"log_prob must have shape (B, {y_grid.shape[0]}) to match y_grid, got {tuple(log_prob.shape)}")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a probability in (0, 1), got {level!r}")
    mass = torch.softmax(log_prob, dim=1)  # (B, G): renormalised, so rounding cannot push the CDF past 1
    cdf = torch.cumsum(mass, dim=1)  # (B, G): the CDF at the right edge of each cell
    edges_left = y_grid.to(mass.dtype) - h / 2  # (G,)

    def quantile(q: float) -> torch.Tensor:
        g = torch.searchsorted(cdf, torch.full((cdf.shape[0], 1), q, dtype=cdf.dtype)).clamp(max=cdf.shape[1] - 1)
        below = torch.gather(cdf, 1, g) - torch.gather(mass, 1, g)  # (B, 1) CDF at the left edge of cell g
        frac = ((q - below) / torch.gather(mass, 1, g).clamp_min(1e-300)).clamp(0, 1)
        return (edges_left[g[:, 0]] + h * frac[:, 0])

    return quantile((1 - level) / 2), quantile((1 + level) / 2)
