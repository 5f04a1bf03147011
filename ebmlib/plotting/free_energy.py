"""Free energy at several temperatures: cross-sections and normalised densities.

See chapter 3.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from ._base import beta_label, check_finite_array, new_axes, panels, to_numpy

__all__ = ['plot_free_energy_sections', 'plot_density_grid']


def plot_free_energy_sections(coord: torch.Tensor, F: torch.Tensor, betas: Sequence[float], *, ax=None,
                              xlabel: str = "$y_2$", title: str | None = r"cross-section at $y_1 = 0$") -> plt.Axes:
    """Cross-sections of the free energy F_beta along a line of y, one curve per beta.

    Args:
        coord: positions along the line, (n,).
        F: free energies, (K, n), row k for ``betas[k]`` (``math.inf`` allowed).
        betas: the K inverse temperatures.
        ax: axes to draw on (new figure if None).
        xlabel, title: labels.

    Returns:
        The ``Axes``.

    See chapter 3.
    """
    c, Fn = to_numpy(coord), to_numpy(F)
    if Fn.ndim != 2 or Fn.shape != (len(betas), c.size):
        raise ValueError(f"F must have shape (len(betas), len(coord)) = {(len(betas), c.size)}, got {Fn.shape}")
    check_finite_array(Fn, "F")
    ax = new_axes(ax, (5.5, 3.8))
    colors = plt.cm.plasma(np.linspace(0.8, 0.0, len(betas)))  # hot (small beta) = orange, cold = dark
    for k, b in enumerate(betas):
        ax.plot(c, Fn[k], color="black" if math.isinf(b) else colors[k], lw=1.6, label=beta_label(b))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$F_\beta$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_density_grid(y1: torch.Tensor, y2: torch.Tensor, densities: torch.Tensor, betas: Sequence[float], *,
                      data: torch.Tensor | None = None, ncols: int | None = None,
                      panel_size: tuple[float, float] = (2.6, 2.4), cmap: str = "magma", axes=None) -> plt.Figure:
    """Small multiples of Gibbs densities exp(-beta F)/Z on a grid of y, one panel per beta.

    Args:
        y1, y2: grid values, (n1,) and (n2,).
        densities: (K, n2, n1), panel k for ``betas[k]`` (e.g. from ``gibbs_on_grid``).
        betas: the K (finite) inverse temperatures.
        data: optional points to overlay, (B, 2).
        ncols: panels per row (default: all in one row).
        panel_size: (width, height) of one panel in inches.
        cmap: colour map (each panel has its own colour scale).
        axes: K axes to draw on (a new figure when None).

    Returns:
        The ``Figure``.

    See chapter 3.
    """
    a1, a2, P = to_numpy(y1), to_numpy(y2), to_numpy(densities)
    if P.ndim != 3 or P.shape != (len(betas), a2.size, a1.size):
        raise ValueError(f"densities must have shape (len(betas), len(y2), len(y1)) = "
                         f"{(len(betas), a2.size, a1.size)}, got {P.shape}")
    check_finite_array(P, "densities")
    k = len(betas)
    fig, axes = panels(k, k if ncols is None else ncols, panel_size, axes=axes, xlabel="$y_1$", ylabel="$y_2$")
    for i, ax in enumerate(axes):
        ax.pcolormesh(a1, a2, P[i], shading="nearest", cmap=cmap)
        if data is not None:
            d = to_numpy(data)
            ax.scatter(d[:, 0], d[:, 1], s=3, color="C0", alpha=0.7)
        ax.set_title(beta_label(betas[i]), fontsize=9)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
    return fig
