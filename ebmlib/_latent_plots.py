"""Figures for chapters 2 and 3 (latent-variable EBMs, free energy); to be merged into plotting.py.

Every function draws on Matplotlib axes (new ones when ``ax=None``) and returns the ``Axes`` (or
the ``Figure`` for small multiples); nothing here calls ``plt.show()`` - the notebook does.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .latent import Decoder, infer_latent, latent_energy_table, latent_grid
from .utils import _check_tensor

__all__ = [
    # chapter 2: latent-variable EBMs
    "plot_latent_energy_curves",
    "plot_free_energy_map",
    "draw_latent_inference",
    # chapter 3: free energy
    "plot_free_energy_sections",
    "plot_density_grid",
]


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _beta_label(b: float) -> str:
    return r"$\beta=\infty$" if math.isinf(b) else rf"$\beta={b:g}$"


# ============================================================================================
# Chapter 2: latent-variable EBMs
# ============================================================================================

def plot_latent_energy_curves(table: torch.Tensor, z_grid: torch.Tensor, *, z_check: torch.Tensor | None = None,
                              ncols: int = 6, sharey: bool = True, panel_size: tuple[float, float] = (1.6, 1.2),
                              titles: Sequence[str] | None = None):
    """Small multiples of the energy curves E_i(z) = E(y_i, z) over the latent grid, one per sample.

    Args:
        table: energies, (B, N_z) (e.g. ``latent_energy_table(y, decoder, z_grid)``).
        z_grid: the latents, (N_z,).
        z_check: optional minimisers to mark, (B,) (defaults to the grid argmin of each row).
        ncols: panels per row.
        sharey: share the energy axis across panels.
        panel_size: (width, height) of one panel in inches.
        titles: optional panel titles, B strings (default "i").

    Returns:
        The ``Figure``.

    See chapter 2.
    """
    _check_tensor(table, "table", ndim=2)
    _check_tensor(z_grid, "z_grid", ndim=1)
    b, nz = table.shape
    if z_grid.shape[0] != nz:
        raise ValueError(f"z_grid must have {nz} values (the columns of table), got {z_grid.shape[0]}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    T, z = _np(table), _np(z_grid)
    if z_check is None:
        zc = z[T.argmin(1)]
    else:
        zc = _np(z_check)
        if zc.shape != (b,):
            raise ValueError(f"z_check must have shape ({b},), got {zc.shape}")
    ncols = min(ncols, b)
    nrows = math.ceil(b / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharex=True, sharey=sharey, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= b:
            ax.axis("off")
            continue
        ax.plot(z, T[i], lw=1.2)
        e_at = np.interp(np.mod(zc[i], 2 * np.pi), z, T[i], period=2 * np.pi)
        ax.plot([np.mod(zc[i], 2 * np.pi)], [e_at], "o", ms=3, color="C3")
        ax.set_title(titles[i] if titles is not None else str(i), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
    for ax in axes[-1]:
        ax.set_xlabel("z", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("E(y, z)", fontsize=8)
    fig.tight_layout()
    return fig


def plot_free_energy_map(y1: torch.Tensor, y2: torch.Tensor, F: torch.Tensor, grad: torch.Tensor | None = None, *,
                         data: torch.Tensor | None = None, curve: torch.Tensor | None = None, ax=None,
                         cmap: str = "viridis", arrow_sign: float = -1.0, colorbar: bool = True,
                         label: str = r"$F_\infty(y)$"):
    """Heat map of a free energy on a grid of y, with gradient arrows, data points and the manifold.

    Arrows show ``arrow_sign * grad`` (default -grad F, the direction that lowers the free energy,
    pointing to the manifold of low energy; use +1 for the gradient itself).

    Args:
        y1, y2: grid values, (n1,) and (n2,).
        F: free energy on the grid, (n2, n1) (as returned by ``free_energy_on_grid``).
        grad: its gradient in y, (n2, n1, 2), or None for no arrows.
        data: observed points to overlay, (B, 2).
        curve: points of the decoder's manifold g(z) to draw as a closed line, (N, 2).
        ax: axes to draw on (new figure if None).
        cmap, colorbar, label: appearance.

    Returns:
        The ``Axes``.

    See chapter 2.
    """
    a1, a2, Fn = _np(y1), _np(y2), _np(F)
    if Fn.shape != (a2.size, a1.size):
        raise ValueError(f"F must have shape (len(y2), len(y1)) = {(a2.size, a1.size)}, got {Fn.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.5))
    mesh = ax.pcolormesh(a1, a2, Fn, shading="nearest", cmap=cmap)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label)
    if grad is not None:
        g = _np(grad)
        if g.shape != Fn.shape + (2,):
            raise ValueError(f"grad must have shape {Fn.shape + (2,)}, got {g.shape}")
        Y1, Y2 = np.meshgrid(a1, a2)
        ax.quiver(Y1, Y2, arrow_sign * g[..., 0], arrow_sign * g[..., 1], color="white", alpha=0.8,
                  angles="xy", pivot="mid")
    if curve is not None:
        c = _np(curve)
        c = np.concatenate([c, c[:1]])
        ax.plot(c[:, 0], c[:, 1], color="C1", lw=1.5, label="g(z)")
    if data is not None:
        d = _np(data)
        ax.scatter(d[:, 0], d[:, 1], s=12, color="C3", edgecolor="white", linewidth=0.5, zorder=3, label="data")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_aspect("equal")
    return ax


def draw_latent_inference(axes, y: Sequence[float] | torch.Tensor, decoder: Decoder, *,
                          z_grid: torch.Tensor | None = None, data: torch.Tensor | None = None,
                          ylim: tuple[float, float] | None = None) -> tuple[float, float]:
    """Draw one observation's inference: y and g(z_check) on the manifold, and E(y, .) over z.

    Left axes: the manifold {g(z)}, the point y, the closest grid point g(z_check) and the segment
    between them (its squared length is F_inf(y)). Right axes: E(y, z) over the grid with z_check.

    Args:
        axes: a pair of Matplotlib axes (y plane, energy over z); they are cleared first.
        y: the observation, two numbers or a tensor (2,).
        decoder: g, maps (N_z,) latents to (N_z, 2) points.
        z_grid: latents (default ``latent_grid(48)``).
        data: optional points to show faintly in the y plane, (B, 2).
        ylim: optional fixed energy range of the right axes.

    Returns:
        ``(z_check, F_inf)`` as floats.

    See chapter 2.
    """
    ax_y, ax_z = axes
    z = latent_grid(48, dtype=torch.float64) if z_grid is None else z_grid.to(torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64).reshape(1, 2)  # (1, 2)
    with torch.no_grad():
        table = latent_energy_table(yt, decoder, z)[0]  # (N_z,)
        z_check, f_inf = infer_latent(yt, decoder, z_grid=z)
        dense = decoder(torch.linspace(0, 2 * math.pi, 200, dtype=torch.float64))  # (200, 2)
        g_check = decoder(z_check)[0]
    ax_y.clear()
    ax_z.clear()
    if data is not None:
        d = _np(data)
        ax_y.scatter(d[:, 0], d[:, 1], s=8, color="0.6", zorder=1)
    dn = _np(dense)
    ax_y.plot(dn[:, 0], dn[:, 1], color="C0", lw=1.5, label="g(z)")
    ax_y.plot(*_np(yt[0]), "o", color="C3", label="y")
    ax_y.plot(*_np(g_check), "s", color="C1", label=r"$g(\check z)$")
    ax_y.plot([yt[0, 0].item(), g_check[0].item()], [yt[0, 1].item(), g_check[1].item()], "--", color="C1")
    ax_y.set_aspect("equal")
    ax_y.set_xlabel("$y_1$")
    ax_y.set_ylabel("$y_2$")
    ax_y.legend(loc="upper right", fontsize=7)
    zn, tn = _np(z), _np(table)
    ax_z.plot(zn, tn, ".-", ms=3)
    ax_z.axvline(z_check.item(), color="C1", ls="--")
    ax_z.set_xlabel("z")
    ax_z.set_ylabel("E(y, z)")
    ax_z.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
    if ylim is not None:
        ax_z.set_ylim(*ylim)
    ax_z.set_title(rf"$\check z$ = {z_check.item():.3f}, $F_\infty$ = {f_inf.item():.4g}", fontsize=9)
    return z_check.item(), f_inf.item()


# ============================================================================================
# Chapter 3: free energy
# ============================================================================================

def plot_free_energy_sections(coord: torch.Tensor, F: torch.Tensor, betas: Sequence[float], *, ax=None,
                              xlabel: str = "$y_2$", title: str | None = r"cross-section at $y_1 = 0$"):
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
    c, Fn = _np(coord), _np(F)
    if Fn.ndim != 2 or Fn.shape != (len(betas), c.size):
        raise ValueError(f"F must have shape (len(betas), len(coord)) = {(len(betas), c.size)}, got {Fn.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    colors = plt.cm.plasma(np.linspace(0.8, 0.0, len(betas)))  # hot (small beta) = orange, cold = dark
    for k, b in enumerate(betas):
        ax.plot(c, Fn[k], color="black" if math.isinf(b) else colors[k], lw=1.6, label=_beta_label(b))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$F_\beta$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_density_grid(y1: torch.Tensor, y2: torch.Tensor, densities: torch.Tensor, betas: Sequence[float], *,
                      data: torch.Tensor | None = None, ncols: int | None = None,
                      panel_size: tuple[float, float] = (2.6, 2.4), cmap: str = "magma"):
    """Small multiples of Gibbs densities exp(-beta F)/Z on a grid of y, one panel per beta.

    Args:
        y1, y2: grid values, (n1,) and (n2,).
        densities: (K, n2, n1), panel k for ``betas[k]`` (e.g. from ``gibbs_on_grid``).
        betas: the K (finite) inverse temperatures.
        data: optional points to overlay, (B, 2).
        ncols: panels per row (default: all in one row).
        panel_size: (width, height) of one panel in inches.
        cmap: colour map (each panel has its own colour scale).

    Returns:
        The ``Figure``.

    See chapter 3.
    """
    a1, a2, P = _np(y1), _np(y2), _np(densities)
    if P.ndim != 3 or P.shape != (len(betas), a2.size, a1.size):
        raise ValueError(f"densities must have shape (len(betas), len(y2), len(y1)) = "
                         f"{(len(betas), a2.size, a1.size)}, got {P.shape}")
    k = len(betas)
    ncols = k if ncols is None else ncols
    nrows = math.ceil(k / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharex=True, sharey=True, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= k:
            ax.axis("off")
            continue
        ax.pcolormesh(a1, a2, P[i], shading="nearest", cmap=cmap)
        if data is not None:
            d = _np(data)
            ax.scatter(d[:, 0], d[:, 1], s=3, color="C0", alpha=0.7)
        ax.set_title(_beta_label(betas[i]), fontsize=9)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig
