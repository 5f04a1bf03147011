"""Margins on a grid: the most offending wrong answers, a margin method's training objective, the margin reached.

The margin losses themselves (``energy_loss``, ``hinge_loss``, ``log_loss``) are in
:mod:`ebmlib.losses`; this module finds their negatives on a grid and measures the result.

A wrong answer is a point y farther than ``min_distance`` from every observed answer; the most
offending ones are the wrong answers of lowest energy, the ones a margin loss must push up first.
:func:`margin_training_loss` trains with them, :func:`grid_margin` measures what training achieved.

See chapter 5.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch

from ._checks import check_nonneg_real, check_positive, check_tensor
from .losses.margin import energy_loss, hinge_loss, log_loss

__all__ = ['most_offending_on_grid', 'margin_training_loss', 'GridMargin', 'grid_margin']

MARGIN_LOSSES = ("energy", "hinge", "log")


def _wrong_mask(grid: torch.Tensor, data: torch.Tensor, min_distance) -> tuple[torch.Tensor, float]:
    """Check grid (G, D), data (N, D) and min_distance; return the (G,) mask of wrong grid points."""
    check_tensor(grid, "grid", ndim=2)
    check_tensor(data, "data", ndim=2)
    if data.shape[1] != grid.shape[1]:
        raise ValueError(f"data must have shape (N, {grid.shape[1]}) like grid's points, got {tuple(data.shape)}")
    min_distance = check_positive(min_distance, "min_distance")
    return torch.cdist(grid, data).min(dim=1).values > min_distance, min_distance  # (G,)


def _check_k(k, wrong: torch.Tensor, min_distance: float) -> int:
    k = check_positive(k, "k", integer=True)
    if k > wrong.shape[0]:
        raise ValueError(f"k = {k} but only {wrong.shape[0]} grid points lie farther than "
                         f"min_distance = {min_distance} from the data")
    return k


def _lowest(energy: Callable[[torch.Tensor], torch.Tensor], wrong: torch.Tensor, k: int) -> torch.Tensor:
    with torch.no_grad():
        e = energy(wrong)  # (G_wrong,)
    return wrong[torch.topk(e, k, largest=False).indices]  # (k, D), lowest energy first


def most_offending_on_grid(energy: Callable[[torch.Tensor], torch.Tensor], grid: torch.Tensor,
                           data: torch.Tensor, *, k: int = 1, min_distance: float) -> torch.Tensor:
    """The k grid points of lowest energy among those farther than ``min_distance`` from all data.

    y_hat = the k smallest of E(y_g) over {g : min_i ||y_g - y_i|| > min_distance}, lowest first.
    The energies are evaluated without gradient; the caller evaluates E(y_hat) again to train.
    Cost: one energy evaluation on the G grid points and a (G, N) distance table per call.

    Args:
        energy: callable mapping y (B, D) to energies (B,).
        grid: (G, D) candidate answers, e.g. from ``square_grid``.
        data: (N, D) observed answers.
        k: how many negatives, 1 <= k <= the number of grid points far enough from the data.
        min_distance: > 0, how far from every observed answer a grid point must be to count as wrong.

    Returns:
        (k, D) tensor of grid points, in order of increasing energy.

    See chapter 5.
    """
    mask, min_distance = _wrong_mask(grid, data, min_distance)
    wrong = grid[mask]  # (G_wrong, D)
    return _lowest(energy, wrong, _check_k(k, wrong, min_distance))


def margin_training_loss(energy: Callable[[torch.Tensor], torch.Tensor], loss: str, grid: torch.Tensor,
                         data: torch.Tensor, *, k: int = 1, min_distance: float,
                         margin: float = 1.0) -> Callable[[torch.Tensor], torch.Tensor]:
    """The training loss of a margin method with the most offending grid answers as negatives.

    At every call, for a batch y (B, D): y_hat = the k most offending wrong answers on the grid under
    the current energy (:func:`most_offending_on_grid`, the same k for every sample), and
    ``"energy"``: L = mean_i E(y_i); ``"hinge"``: L = mean_i mean_m max(0, margin - (E(y_hat_m) - E(y_i)));
    ``"log"``: L = mean_i log(1 + sum_m exp(E(y_i) - E(y_hat_m))).
    Cost per call: the energy on the G grid points (no gradient) and on the B + k answers.

    Args:
        energy: the model, a callable mapping y (B, D) to energies (B,).
        loss: ``"energy"``, ``"hinge"`` or ``"log"``.
        grid: (G, D) candidate answers, e.g. from ``square_grid``.
        data: (N, D) all observed answers (a wrong answer is far from every one of them).
        k: negatives per step, 1 <= k <= the number of wrong grid points.
        min_distance: > 0, how far from every observed answer a grid point must be to count as wrong.
        margin: m >= 0 of the hinge loss.

    Returns:
        A callable y (B, D) -> scalar loss, to hand to :func:`ebmlib.training.train` with ``data=data``.

    See chapter 5.
    """
    if loss not in MARGIN_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(repr(m) for m in MARGIN_LOSSES)}, got {loss!r}")
    if not callable(energy):
        raise TypeError(f"energy must be callable, got {type(energy).__name__}")
    mask, min_distance = _wrong_mask(grid, data, min_distance)
    wrong = grid[mask]  # (G_wrong, D), fixed: the data do not move
    k = _check_k(k, wrong, min_distance)
    margin = check_nonneg_real(margin, "margin")

    def training_loss(y: torch.Tensor) -> torch.Tensor:
        f_pos = energy(y)  # (B,)
        if loss == "energy":
            return energy_loss(f_pos)
        f_neg = energy(_lowest(energy, wrong, k))[None, :].expand(len(y), -1)  # (B, k)
        return hinge_loss(f_pos, f_neg, margin) if loss == "hinge" else log_loss(f_pos, f_neg)

    return training_loss


class GridMargin(NamedTuple):
    """What :func:`grid_margin` measures on a grid (all three are plain floats)."""

    low_fraction: float  # share of the grid at or below the highest energy of a datum
    gap: float  # lowest energy of a wrong grid point minus the highest energy of a datum
    near_fraction: float  # share of the grid within min_distance of the data (not wrong)


def grid_margin(energy: Callable[[torch.Tensor], torch.Tensor], grid: torch.Tensor, data: torch.Tensor, *,
                min_distance: float) -> GridMargin:
    """How well an energy separates the data from the wrong answers of a grid.

    low_fraction = #{g : E(y_g) <= max_i E(y_i)} / G,   gap = min_{g wrong} E(y_g) - max_i E(y_i).
    A margin m is met on the training data when gap >= m; a collapsed energy has gap < 0 and
    low_fraction near 1.

    Args:
        energy: callable mapping y (B, D) to energies (B,).
        grid: (G, D) points, e.g. from ``square_grid``.
        data: (N, D) observed answers.
        min_distance: > 0, how far from every observed answer a grid point must be to count as wrong.

    Returns:
        A :class:`GridMargin` (low_fraction, gap, near_fraction).

    See chapter 5.
    """
    mask, _ = _wrong_mask(grid, data, min_distance)
    if not bool(mask.any()):
        raise ValueError(f"no grid point lies farther than min_distance = {min_distance} from the data")
    with torch.no_grad():
        e_grid, e_data = energy(grid), energy(data)  # (G,), (N,)
    top = e_data.max()
    return GridMargin(low_fraction=(e_grid <= top).double().mean().item(), gap=(e_grid[mask].min() - top).item(),
                      near_fraction=1.0 - mask.double().mean().item())
