"""Loss functionals: how training turns energies into a number to minimise.

The energy scores one (x, y) pair at inference time; a loss functional scores a whole model on a
batch at training time, L = mean over samples of l(F(y_pos), F(y_neg)). Every loss here takes
free energies that the caller has already computed: ``f_pos`` of shape (B,) for the observed
("positive") answers and, for the contrastive losses, ``f_neg`` of shape (B,) or (B, M) for M
contrastive ("negative") answers per sample.

See chapter 5.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Callable

import torch
import torch.nn.functional as F

from .utils import _check_positive, _check_tensor

__all__ = [
    "energy_loss",
    "hinge_loss",
    "log_loss",
    "nll_loss",
    "grid_log_likelihood",
    "ml_gradient",
    "square_grid",
]


def _check_pos_neg(f_pos: torch.Tensor, f_neg: torch.Tensor) -> torch.Tensor:
    """Check f_pos (B,) and f_neg (B,) or (B, M); return f_neg as (B, M)."""
    _check_tensor(f_pos, "f_pos", ndim=1)
    _check_tensor(f_neg, "f_neg", ndim=(1, 2))
    if f_neg.shape[0] != f_pos.shape[0]:
        raise ValueError(
            f"f_neg must have shape ({f_pos.shape[0]},) or ({f_pos.shape[0]}, M) to match f_pos "
            f"of shape {tuple(f_pos.shape)}, got {tuple(f_neg.shape)}"
        )
    return f_neg if f_neg.dim() == 2 else f_neg[:, None]  # (B, M)


def energy_loss(f_pos: torch.Tensor) -> torch.Tensor:
    """Energy loss: push down the energy of the observed answers, and nothing else.

    L = (1/B) sum_i F(y_i). With no term pushing up elsewhere, a flexible model can make the
    energy flat and low everywhere (collapse); it is safe only for architectures that limit the
    volume of low energy.

    Args:
        f_pos: (B,) free energies of the observed answers.

    Returns:
        Scalar tensor.

    See chapter 5.
    """
    _check_tensor(f_pos, "f_pos", ndim=1)
    return f_pos.mean()


def hinge_loss(f_pos: torch.Tensor, f_neg: torch.Tensor, margin: float) -> torch.Tensor:
    """Hinge loss: the contrastive energy must exceed the observed energy by at least ``margin``.

    L = (1/B) sum_i (1/M) sum_m max(0, m - (F(y_neg_im) - F(y_i))).
    With several negatives per sample the hinge is averaged over the negatives of each sample,
    then over the batch (so M = 1 and f_neg of shape (B,) give the same number).

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_neg: (B,) or (B, M) free energies of the contrastive answers.
        margin: m >= 0, a finite number.

    Returns:
        Scalar tensor.

    See chapter 5.
    """
    f_neg = _check_pos_neg(f_pos, f_neg)  # (B, M)
    if isinstance(margin, bool) or not isinstance(margin, Real) or not math.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    return F.relu(margin - (f_neg - f_pos[:, None])).mean()


def log_loss(f_pos: torch.Tensor, f_neg: torch.Tensor) -> torch.Tensor:
    """Log loss: a soft hinge with an infinite margin, the negatives competing in a softmax.

    L = (1/B) sum_i log(1 + sum_m exp(F(y_i) - F(y_neg_im))).
    For one negative this is softplus(F(y) - F(y_neg)). For M negatives it is the cross-entropy of
    picking the observed answer among {y_i, y_neg_i1, ..., y_neg_iM} with probabilities
    proportional to exp(-F): -log[exp(-F(y_i)) / (exp(-F(y_i)) + sum_m exp(-F(y_neg_im)))]. It is
    computed with logsumexp, so large energy gaps do not overflow.

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_neg: (B,) or (B, M) free energies of the contrastive answers.

    Returns:
        Scalar tensor.

    See chapter 5.
    """
    f_neg = _check_pos_neg(f_pos, f_neg)  # (B, M)
    gaps = f_pos[:, None] - f_neg  # (B, M)
    zero = gaps.new_zeros(gaps.shape[0], 1)  # the "1 +" term: exp(0)
    return torch.logsumexp(torch.cat([zero, gaps], dim=1), dim=1).mean()  # (B, M+1) -> (B,) -> ()


def nll_loss(f_pos: torch.Tensor, f_grid: torch.Tensor, *, beta: float = 1.0,
             cell_area: float = 1.0) -> torch.Tensor:
    """Negative log-likelihood of the observed answers under the Gibbs density normalised on a grid.

    With p(y) = exp(-beta F(y)) / Z and Z = sum_g exp(-beta F(y_g)) * cell_area (a Riemann sum of
    the partition function over the grid points y_g), this returns the mean of -log p(y_i):
    L = (1/B) sum_i [beta F(y_i) + log Z].
    It is a density, so the value depends on the units of y through cell_area. (The lecture's form
    F(y) + (1/beta) log Z is this divided by beta.)

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_grid: (G,) free energies on the grid points (one grid shared by the batch), or (B, G)
            for a conditional model (one grid of y per sample, e.g. F(x_i, y_g)).
        beta: inverse temperature, > 0.
        cell_area: volume of one grid cell (dy1 * dy2 in 2-D), > 0.

    Returns:
        Scalar tensor.

    See chapter 5.
    """
    _check_tensor(f_pos, "f_pos", ndim=1)
    _check_tensor(f_grid, "f_grid", ndim=(1, 2))
    beta = _check_positive(beta, "beta")
    cell_area = _check_positive(cell_area, "cell_area")
    if f_grid.dim() == 2 and f_grid.shape[0] != f_pos.shape[0]:
        raise ValueError(f"f_grid of shape (B, G) must have B = {f_pos.shape[0]} rows like f_pos, "
                         f"got shape {tuple(f_grid.shape)}")
    log_z = torch.logsumexp(-beta * f_grid, dim=-1) + math.log(cell_area)  # () or (B,)
    return (beta * f_pos + log_z).mean()


# --------------------------------------------------------------------------------------------
# Maximum likelihood on a grid (the partition function computed exactly in 2-D)
# --------------------------------------------------------------------------------------------

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
    lim = _check_positive(lim, "lim")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    a = torch.linspace(-lim, lim, n, dtype=dtype or torch.get_default_dtype(), device=device)  # (n,)
    Y2, Y1 = torch.meshgrid(a, a, indexing="ij")  # (n, n) each, rows follow y_2
    grid = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n * n, 2)
    return grid, (2 * lim / (n - 1)) ** 2


def _energies(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor, name: str):
    _check_tensor(y, name, ndim=2)
    e = energy(y)
    if not isinstance(e, torch.Tensor) or tuple(e.shape) != (y.shape[0],):
        got = tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__
        raise ValueError(f"energy must return shape ({y.shape[0]},) for {name} of shape "
                         f"{tuple(y.shape)}, got {got}")
    if not bool(torch.isfinite(e).all()):
        raise ValueError(f"energy returned NaN or infinite values on {name}")
    return e


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
    beta = _check_positive(beta, "beta")
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
