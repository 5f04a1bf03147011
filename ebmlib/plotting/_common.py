"""Helpers shared by the plotting modules.
"""

from __future__ import annotations

import math
from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = []


Energy = Callable[[torch.Tensor], torch.Tensor]


def _check_lim(lim, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be finite with low < high, got {lim!r}")
    return lo, hi


def _to_numpy(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _check_finite(a: np.ndarray, name: str) -> np.ndarray:
    """Refuse to draw NaN/inf (a blank patch in a figure would hide the bug that made it)."""
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _beta_label(b: float) -> str:
    return r"$\beta=\infty$" if math.isinf(b) else rf"$\beta={b:g}$"


def _small_multiples(k: int, ncols: int, panel_size: tuple[float, float], *, sharey: bool = True,
                     xlabel: str = "", ylabel: str = ""):
    """A grid of ``k`` panels, ``ncols`` per row, spare panels switched off, outer axes labelled.

    Returns the figure and the ``k`` axes to draw on, in reading order.
    """
    nrows = math.ceil(k / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharex=True, sharey=sharey, squeeze=False)
    for ax in axes.flat[k:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel(xlabel, fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    return fig, list(axes.flat[:k])
