"""Exact computations on a 2-D grid: the grid itself, the log-likelihood and its gradient.

In two dimensions the partition function is a Riemann sum over a fine grid, so maximum likelihood
can be computed exactly: :func:`square_grid` builds the grid, :func:`grid_log_likelihood` is the
exact mean log-likelihood (minus :func:`ebmlib.losses.nll_loss` of the energies), and
:func:`ml_gradient` writes its gradient as its two terms, push down on the data and up on the model.
None of these is a loss of the ``loss(energy, y)`` shape: they measure and explain training.

See chapter 5.
"""

from __future__ import annotations

from typing import Callable

import torch

from ._checks import check_int, check_positive, check_tensor, energy_on
from .losses.margin import nll_loss

__all__ = ['square_grid', 'grid_log_likelihood', 'ml_gradient']


def square_grid(lim: float, n: int, *, dtype: torch.dtype | None = None,
                device: torch.device | str | None = None) -> tuple[torch.Tensor, float]:
    """A regular n x n grid of 2-D points on the square [-lim, lim]^2, and the area of one cell.

    y_(i, j) = (a_j, a_i),  a_k = -lim + 2 lim k / (n - 1),  cell_area = (2 lim / (n - 1))^2.
    Rows are ordered as ``grid.reshape(n, n, 2)[i, j]``: i follows y_2 and j follows y_1, so a
    field ``f(grid).reshape(n, n)`` is ready for ``plt.pcolormesh(a, a, ...)``.

    Args:
        lim: half-width of the square, > 0.
        n: points per axis, >= 2.
        dtype, device: of the grid (default: torch's default dtype, CPU).

    Returns:
        ``(grid, cell_area)``: grid of shape (n * n, 2) and the cell area, a float.

    See chapter 5.
    """
    lim = check_positive(lim, "lim")
    n = check_int(n, "n", minimum=2)
    a = torch.linspace(-lim, lim, n, dtype=dtype or torch.get_default_dtype(), device=device)  # (n,)
    Y2, Y1 = torch.meshgrid(a, a, indexing="ij")  # (n, n) each, rows follow y_2
    grid = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n * n, 2)
    return grid, (2 * lim / (n - 1)) ** 2


def _energies(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor, name: str):
    check_tensor(y, name, ndim=2)
    return energy_on(energy, y, where=f"on {name} of shape {tuple(y.shape)}")


def grid_log_likelihood(energy: Callable[[torch.Tensor], torch.Tensor], y_data: torch.Tensor,
                        grid: torch.Tensor, cell_area: float, *, beta: float = 1.0) -> torch.Tensor:
    """Exact mean log-likelihood of data under exp(-beta E) normalised by a Riemann sum on a grid.

    log p(y) = -beta E(y) - log Z,  Z = sum_g exp(-beta E(y_g)) * cell_area;  returns
    (1/N) sum_i log p(y_i) = -nll_loss(E(y_data), E(grid)). Differentiable in the parameters of
    ``energy``; its gradient is minus :func:`ml_gradient`.

    Args:
        energy: maps (N, D) points to (N,) energies.
        y_data: (N, D) observed points.
        grid: (G, D) grid points covering where the density has mass.
        cell_area: volume of one grid cell, > 0.
        beta: inverse temperature, > 0.

    Returns:
        Scalar tensor (nats per sample; a density, so it depends on the units of y).

    See chapter 5.
    """
    f_pos = _energies(energy, y_data, "y_data")
    f_grid = _energies(energy, grid, "grid")
    return -nll_loss(f_pos, f_grid, beta=beta, cell_area=cell_area)


def ml_gradient(energy: Callable[[torch.Tensor], torch.Tensor], params: list[torch.Tensor],
                y_data: torch.Tensor, grid: torch.Tensor, *, beta: float = 1.0) -> list[torch.Tensor]:
    """Maximum-likelihood gradient, written as its two terms: push down on data, up on the model.

    d/dtheta [-(1/N) sum_i log p(y_i)] = beta ( (1/N) sum_i dE(y_i)/dtheta - sum_g p_g dE(y_g)/dtheta ),
    with p_g = softmax(-beta E(grid))_g, the model's probability of grid cell g. (The cell area
    cancels from p_g, so it is not an argument.) Each term is computed on its own: the first from
    the data energies, the second as an expectation with the weights p_g held fixed.

    Args:
        energy: maps (N, D) points to (N,) energies; differentiable in ``params``.
        params: the tensors (requires_grad=True) to differentiate with respect to.
        y_data: (N, D) observed points.
        grid: (G, D) grid points.
        beta: inverse temperature, > 0.

    Returns:
        A list with one gradient tensor per parameter, shaped like the parameter. The ``.grad``
        fields of the parameters are not touched.

    See chapter 5.
    """
    beta = check_positive(beta, "beta")
    params = list(params)
    if not params or not all(isinstance(p, torch.Tensor) and p.requires_grad for p in params):
        raise ValueError("params must be a non-empty list of tensors with requires_grad=True")
    with torch.enable_grad():
        data_term = _energies(energy, y_data, "y_data").mean()  # E_data[E]
        e_grid = _energies(energy, grid, "grid")  # (G,)
        p_grid = torch.softmax(-beta * e_grid.detach(), dim=0)  # (G,), fixed weights
        model_term = (p_grid * e_grid).sum()  # E_model[E], gradient = E_model[dE]
        g_data = torch.autograd.grad(data_term, params, allow_unused=True)
        g_model = torch.autograd.grad(model_term, params, allow_unused=True)
    out = []
    for p, gd, gm in zip(params, g_data, g_model):
        gd = torch.zeros_like(p) if gd is None else gd
        gm = torch.zeros_like(p) if gm is None else gm
        out.append(beta * (gd - gm))
    return out
