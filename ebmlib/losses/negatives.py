"""Contrastive answers for the margin losses: the most offending wrong answers on a grid.

A wrong answer is a point y farther than ``min_distance`` from every observed answer; the most
offending ones are the wrong answers of lowest energy, the ones a margin loss must push up first.

See chapter 5.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_positive, check_tensor

__all__ = ['most_offending_on_grid']


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
    check_tensor(grid, "grid", ndim=2)
    check_tensor(data, "data", ndim=2)
    if data.shape[1] != grid.shape[1]:
        raise ValueError(f"data must have shape (N, {grid.shape[1]}) like grid's points, got {tuple(data.shape)}")
    k = check_positive(k, "k", integer=True)
    min_distance = check_positive(min_distance, "min_distance")
    wrong = grid[torch.cdist(grid, data).min(dim=1).values > min_distance]  # (G_wrong, D)
    if k > wrong.shape[0]:
        raise ValueError(f"k = {k} but only {wrong.shape[0]} grid points lie farther than "
                         f"min_distance = {min_distance} from the data")
    with torch.no_grad():
        e = energy(wrong)  # (G_wrong,)
    return wrong[torch.topk(e, k, largest=False).indices]  # (k, D), lowest energy first
