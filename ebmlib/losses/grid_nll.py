"""Negative log-likelihoods normalised on a grid: a conditional density over a scalar answer, and a
2-D density at a temperature chosen on held-out data.

The models are in :mod:`ebmlib.models.conditional` (the conditional energy, its grid density and
prediction intervals) and :mod:`ebmlib.models.density` (the tempered density of chapter 8); the
negative log-likelihoods that train or evaluate them are here.

See chapters 8 and 10.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import torch

from .._checks import check_callable, check_positive, check_reduction, check_tensor, energy_on, reduce_loss
from ..models.conditional import ConditionalEnergy, _check_grid, _check_x, _grid_energies
from ..models.density import _cell_centres

__all__ = ["grid_conditional_nll", "tempered_grid_nll", "TemperedNLL"]


def grid_conditional_nll(energy: ConditionalEnergy, x: torch.Tensor, y: torch.Tensor, y_grid: torch.Tensor, *,
                         reduction: str = "mean") -> torch.Tensor:
    """The negative log-likelihood -log p(y | x) = E(x, y) + log Z(x), with Z(x) on the y-grid.

    Args:
        energy: ``energy(x, y)`` maps x (N, Dx) and y (N,) to energies (N,).
        x: (B, Dx) or (B,) inputs.
        y: (B,) observed answers (anywhere; inside the grid's range for a meaningful value).
        y_grid: (G,) increasing, equally spaced answers.
        reduction: ``"mean"`` (scalar), ``"sum"`` (scalar) or ``"none"`` ((B,)).

    Returns:
        The mean NLL in nats, or one value per pair; differentiable in the parameters of ``energy``.

    See chapter 10.
    """
    check_callable(energy, "energy", "(x (N, Dx), y (N,)) -> energies (N,)")
    x = _check_x(x)
    check_tensor(y, "y", ndim=1)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x, got {tuple(y.shape)}")
    h = _check_grid(y_grid)
    reduction = check_reduction(reduction)
    log_z = torch.logsumexp(-_grid_energies(energy, x, y_grid), dim=1) + math.log(h)  # (B,)
    nll = energy(x, y.to(x.dtype)) + log_z
    return reduce_loss(nll, reduction)


class TemperedNLL(NamedTuple):
    """Result of :func:`tempered_grid_nll`."""

    temperature: float  # the T of lowest validation NLL
    nll: float | torch.Tensor  # test NLL (nats) at that T: the mean (a float) by default, see ``reduction``
    val_nll: torch.Tensor  # (n_T,) mean validation NLL for each candidate T


def tempered_grid_nll(free_energy: Callable[[torch.Tensor], torch.Tensor], y_val: torch.Tensor,
                      y_test: torch.Tensor, temperatures: Sequence[float], *, lim: float = 4.0,
                      n: int = 200, reduction: str = "mean") -> TemperedNLL:
    """Held-out NLL of p_T(y) = exp(-F(y)/T) / Z_T, normalised on a grid, with T chosen on y_val.

    Z_T = h^2 sum_g exp(-F(y_g)/T) over the n x n cell centres y_g of the square [-lim, lim]^2 (cell
    side h = 2 lim / n), by a log-sum-exp. The density is defined on that square only.

    Args:
        free_energy: maps (B, 2) points to energies (B,).
        y_val: (B_val, 2) validation points (choose T).
        y_test: (B_test, 2) test points (report the NLL).
        temperatures: candidate temperatures, each > 0.
        lim: half side of the square.
        n: grid cells per side.
        reduction: of the test NLL only. ``"mean"`` (a float, the default), ``"sum"`` (a float) or
            ``"none"`` (a (B_test,) tensor, -log p_T(y) per test point). T is always chosen by the
            mean validation NLL, and ``val_nll`` always holds means.

    Returns:
        ``TemperedNLL(temperature, nll, val_nll)``; NLLs are in nats, ``nll`` reduced by ``reduction``.

    See chapter 8.
    """
    check_callable(free_energy, "free_energy")
    for name, y in (("y_val", y_val), ("y_test", y_test)):
        check_tensor(y, name, ndim=2)
        if y.shape[1] != 2:
            raise ValueError(f"{name} must have shape (B, 2), got {tuple(y.shape)}")
    temps = [check_positive(t, "temperatures") for t in temperatures]
    if not temps:
        raise ValueError("temperatures must not be empty")
    lim = check_positive(lim, "lim")
    n = check_positive(n, "n", integer=True)
    reduction = check_reduction(reduction)
    grid, h = _cell_centres(lim, n, y_val.dtype)
    f_grid = energy_on(free_energy, grid, "free_energy").detach()
    f_val = energy_on(free_energy, y_val, "free_energy").detach()
    f_test = energy_on(free_energy, y_test, "free_energy").detach()
    t = torch.tensor(temps, dtype=f_grid.dtype)  # (n_T,)
    log_z = torch.logsumexp(-f_grid[None, :] / t[:, None], dim=1) + 2 * math.log(h)  # (n_T,)
    val_nll = (f_val[None, :] / t[:, None]).mean(1) + log_z  # (n_T,)
    best = int(val_nll.argmin())
    if reduction == "mean":  # the original expression, bit for bit
        nll = float((f_test / t[best]).mean() + log_z[best])
    else:
        per_point = f_test / t[best] + log_z[best]  # (B_test,)
        nll = float(per_point.sum()) if reduction == "sum" else per_point
    return TemperedNLL(temps[best], nll, val_nll)
