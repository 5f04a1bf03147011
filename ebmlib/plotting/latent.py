"""Latent-variable EBMs: energy curves over z, free-energy maps, latent inference.

See chapter 2.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_callable, check_int, check_tensor
from ._base import LAYOUT, check_finite_array, given_axes, new_axes, panels, to_numpy
from ..latent import Decoder, infer_latent, latent_energy_table, latent_grid

__all__ = ['plot_latent_energy_curves', 'plot_free_energy_map', 'draw_latent_inference', 'plot_ellipse_decoder',
           'plot_two_wells']


def plot_latent_energy_curves(table: torch.Tensor, z_grid: torch.Tensor, *, z_check: torch.Tensor | None = None,
                              ncols: int = 6, sharey: bool = True, panel_size: tuple[float, float] = (1.6, 1.2),
                              titles: Sequence[str] | None = None, axes=None) -> plt.Figure:
    """Small multiples of the energy curves E_i(z) = E(y_i, z) over the latent grid, one per sample.

    Args:
        table: energies, (B, N_z) (e.g. ``latent_energy_table(y, decoder, z_grid)``).
        z_grid: the latents, (N_z,).
        z_check: optional minimisers to mark, (B,) (defaults to the grid argmin of each row).
        ncols: panels per row.
        sharey: share the energy axis across panels.
        panel_size: (width, height) of one panel in inches.
        titles: optional panel titles, B strings (default "i").
        axes: B axes to draw on (a new figure when None).

    Returns:
        The ``Figure``.

    See chapter 2.
    """
    check_tensor(table, "table", ndim=2)
    check_tensor(z_grid, "z_grid", ndim=1)
    b, nz = table.shape
    if z_grid.shape[0] != nz:
        raise ValueError(f"z_grid must have {nz} values (the columns of table), got {z_grid.shape[0]}")
    ncols = check_int(ncols, "ncols")
    T, z = to_numpy(table), to_numpy(z_grid)
    if z_check is None:
        zc = z[T.argmin(1)]
    else:
        zc = to_numpy(z_check)
        if zc.shape != (b,):
            raise ValueError(f"z_check must have shape ({b},), got {zc.shape}")
    fig, axes = panels(b, min(ncols, b), panel_size, axes=axes, sharey=sharey, xlabel="z", ylabel="E(y, z)")
    for i, ax in enumerate(axes):
        ax.plot(z, T[i], lw=1.2)
        e_at = np.interp(np.mod(zc[i], 2 * np.pi), z, T[i], period=2 * np.pi)
        ax.plot([np.mod(zc[i], 2 * np.pi)], [e_at], "o", ms=3, color="C3")
        ax.set_title(titles[i] if titles is not None else str(i), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
    return fig


def plot_free_energy_map(y1: torch.Tensor, y2: torch.Tensor, F: torch.Tensor, grad: torch.Tensor | None = None, *,
                         data: torch.Tensor | None = None, curve: torch.Tensor | None = None, ax=None,
                         cmap: str = "viridis", arrow_sign: float = -1.0, colorbar: bool = True,
                         label: str = r"$F_\infty(y)$") -> plt.Axes:
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
    a1, a2, Fn = to_numpy(y1), to_numpy(y2), to_numpy(F)
    if Fn.shape != (a2.size, a1.size):
        raise ValueError(f"F must have shape (len(y2), len(y1)) = {(a2.size, a1.size)}, got {Fn.shape}")
    check_finite_array(Fn, "F")
    ax = new_axes(ax, (5.0, 4.5))
    mesh = ax.pcolormesh(a1, a2, Fn, shading="nearest", cmap=cmap)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label)
    if grad is not None:
        g = to_numpy(grad)
        if g.shape != Fn.shape + (2,):
            raise ValueError(f"grad must have shape {Fn.shape + (2,)}, got {g.shape}")
        Y1, Y2 = np.meshgrid(a1, a2)
        ax.quiver(Y1, Y2, arrow_sign * g[..., 0], arrow_sign * g[..., 1], color="white", alpha=0.8,
                  angles="xy", pivot="mid")
    if curve is not None:
        c = to_numpy(curve)
        c = np.concatenate([c, c[:1]])
        ax.plot(c[:, 0], c[:, 1], color="C1", lw=1.5, label="g(z)")
    if data is not None:
        d = to_numpy(data)
        ax.scatter(d[:, 0], d[:, 1], s=12, color="C3", edgecolor="white", linewidth=0.5, zorder=3, label="data")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_aspect("equal")
    return ax


def draw_latent_inference(y: Sequence[float] | torch.Tensor, decoder: Decoder, *, axes=None,
                          z_grid: torch.Tensor | None = None, data: torch.Tensor | None = None,
                          ylim: tuple[float, float] | None = None) -> plt.Figure:
    """Draw one observation's inference: y and g(z_check) on the manifold, and E(y, .) over z.

    Left axes: the manifold {g(z)}, the point y, the closest grid point g(z_check) and the segment
    between them (its squared length is F_inf(y)). Right axes: E(y, z) over the grid with z_check
    (the title gives z_check and F_inf; :func:`~ebmlib.latent.infer_latent` returns them as numbers).

    Args:
        y: the observation, two numbers or a tensor (2,).
        decoder: g, maps (N_z,) latents to (N_z, 2) points.
        axes: a pair of Matplotlib axes (y plane, energy over z), cleared first; a new figure
            when None.
        z_grid: latents (default ``latent_grid(48)``).
        data: optional points to show faintly in the y plane, (B, 2).
        ylim: optional fixed energy range of the right axes.

    Returns:
        The ``Figure``.

    See chapter 2.
    """
    check_callable(decoder, "decoder", "z of shape (M,) -> (M, 2)")
    fig, (ax_y, ax_z) = panels(2, 2, (4.5, 3.6), axes=axes, sharex=False, sharey=False)
    z = latent_grid(48, dtype=torch.float64) if z_grid is None else z_grid.to(torch.float64)
    try:
        yt = torch.as_tensor(y, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        yt = None
    if yt is None or yt.numel() != 2:
        raise ValueError(f"y must be two numbers (y1, y2) or a tensor of shape (2,), got {y!r}")
    yt = yt.reshape(1, 2)  # (1, 2)
    with torch.no_grad():
        table = latent_energy_table(yt, decoder, z)[0]  # (N_z,)
        z_check, f_inf = infer_latent(yt, decoder, z_grid=z)
        dense = decoder(torch.linspace(0, 2 * math.pi, 200, dtype=torch.float64))  # (200, 2)
        g_check = decoder(z_check)[0]
    ax_y.clear()
    ax_z.clear()
    if data is not None:
        d = to_numpy(data)
        ax_y.scatter(d[:, 0], d[:, 1], s=8, color="0.6", zorder=1)
    dn = to_numpy(dense)
    ax_y.plot(dn[:, 0], dn[:, 1], color="C0", lw=1.5, label="g(z)")
    ax_y.plot(*to_numpy(yt[0]), "o", color="C3", label="y")
    ax_y.plot(*to_numpy(g_check), "s", color="C1", label="g(ž)")
    ax_y.plot([yt[0, 0].item(), g_check[0].item()], [yt[0, 1].item(), g_check[1].item()], "--", color="C1")
    ax_y.set_aspect("equal")
    ax_y.set_xlabel("$y_1$")
    ax_y.set_ylabel("$y_2$")
    ax_y.legend(loc="upper right", fontsize=7)
    zn, tn = to_numpy(z), to_numpy(table)
    ax_z.plot(zn, tn, ".-", ms=3)
    ax_z.axvline(z_check.item(), color="C1", ls="--")
    ax_z.set_xlabel("z")
    ax_z.set_ylabel("E(y, z)")
    ax_z.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
    if ylim is not None:
        ax_z.set_ylim(*ylim)
    ax_z.set_title(rf"ž = {z_check.item():.3f}, $F_\infty$ = {f_inf.item():.4g}", fontsize=9)
    return fig


def plot_ellipse_decoder(z_grid: torch.Tensor, xs: Sequence[float], *, n: int = 200, axes=None) -> plt.Figure:
    """The two roles of the ellipse decoder: z goes round one ellipse, x picks the ellipse.

    Left: g(0, z_k) = rho(0) * (cos z_k, sin z_k) for the latents of ``z_grid``, coloured by z_k.
    Right: the curve g(x, z), z in [0, 2 pi], for each x in ``xs`` (radii from ``datasets.ellipse_radii``).

    Args:
        z_grid: (N_z,) latents in [0, 2 pi).
        xs: the inputs x whose ellipses are drawn.
        n: points per curve.
        axes: two axes to draw on (a new 1 x 2 figure when None).

    Returns:
        The ``Figure``.

    See chapter 2.
    """
    from ..datasets import ellipse_radii
    from ..latent import EllipseDecoder

    check_tensor(z_grid, "z_grid", ndim=1)
    xs = [float(x) for x in xs]
    if not xs:
        raise ValueError("xs must hold at least one input x")
    if axes is None:
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.8), layout=LAYOUT)
    else:
        fig, (ax0, ax1) = given_axes(axes, 2)
    with torch.no_grad():
        g = EllipseDecoder(ellipse_radii(0.0).to(z_grid.dtype), dtype=z_grid.dtype)(z_grid)  # (N_z, 2)
    points = ax0.scatter(g[:, 0], g[:, 1], c=z_grid, cmap="twilight", vmin=0, vmax=2 * math.pi, s=22)
    bar = ax0.figure.colorbar(points, ax=ax0, label="latent $z$", ticks=[0, math.pi, 2 * math.pi])
    bar.ax.set_yticklabels(["0", r"$\pi$", r"$2\pi$"])
    ax0.set_title("$x = 0$: $g(0, z)$ as $z$ goes round")
    z = torch.linspace(0, 2 * math.pi, n, dtype=z_grid.dtype)
    for x in xs:
        with torch.no_grad():
            curve = EllipseDecoder(ellipse_radii(x).to(z.dtype), dtype=z.dtype)(z)  # (n, 2)
        ax1.plot(curve[:, 0], curve[:, 1], color=plt.cm.viridis(0.9 * (x - min(xs)) / (max(xs) - min(xs) or 1)),
                 label=f"$x = {x:g}$")
    ax1.set_title("each $x$ its own ellipse")
    ax1.legend(fontsize=7, loc="upper right")
    for ax in (ax0, ax1):
        ax.set_aspect("equal")
        ax.set_xlabel("$y_1$")
        ax.set_ylabel("$y_2$")
    return ax0.figure


def plot_two_wells(y: torch.Tensor, decoder: Decoder, z_grid: torch.Tensor, *, z_global: float, z_local: float,
                   paths: dict | None = None, z_pick: float | None = None, n: int = 200, ylim=(-0.5, 8.0),
                   axes=None) -> plt.Figure:
    """A point that sees two wells of E(y, z): the two ways to reach the curve, and descents over z.

    Left: the curve g(z), the point y and segments to g(z_global) (solid) and g(z_local) (dotted).
    Right: E(y, z) over [0, 2 pi] (line), on ``z_grid`` (dots), each descent path of ``paths`` and,
    if given, the grid's answer ``z_pick`` (square).

    Args:
        y: (1, 2) the observed point.
        decoder: maps z (N,) to points (N, 2).
        z_grid: (N_z,) grid latents.
        z_global, z_local: the minimisers of the two wells.
        paths: label -> (T + 1, 1) iterates z_t of a descent.
        z_pick: the grid's minimiser.
        n: points of the dense curve.
        ylim: energy range of the right panel.
        axes: two Axes, left and right (a new figure when None).

    Returns:
        The ``Figure``.

    See chapter 2.
    """
    check_tensor(y, "y", ndim=2)
    if tuple(y.shape) != (1, 2):
        raise ValueError(f"y must have shape (1, 2), got {tuple(y.shape)}")
    z_dense = torch.linspace(0, 2 * math.pi, n, dtype=y.dtype)
    if axes is None:
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [1.1, 1]},
                                       layout=LAYOUT)
    else:
        fig, (ax0, ax1) = given_axes(axes, 2)
    with torch.no_grad():
        curve = decoder(z_dense)  # (n, 2)
        ends = decoder(torch.tensor([z_global, z_local], dtype=y.dtype))  # (2, 2)
        e_dense = latent_energy_table(y, decoder, z_dense)[0]  # (n,)
        e_grid = latent_energy_table(y, decoder, z_grid)[0]  # (N_z,)
    ax0.plot(curve[:, 0], curve[:, 1], color="C0", label="$g(z)$")
    ax0.plot(*y[0], "o", color="C3", label="$y$")
    for end, style, name in zip(ends, ("-", ":"), ("global well", "local well")):
        ax0.plot([y[0, 0], end[0]], [y[0, 1], end[1]], style, color="C1", label=name)
    ax0.set_aspect("equal")
    ax0.set_xlabel("$y_1$")
    ax0.set_ylabel("$y_2$")
    ax0.legend(fontsize=7, loc="lower center", ncols=2)
    ax1.plot(z_dense, e_dense, color="0.3", lw=1)
    ax1.plot(z_grid, e_grid, ".", color="0.6", ms=4, label=f"{len(z_grid)}-point grid")
    for k, (name, path) in enumerate((paths or {}).items()):
        zp = to_numpy(path).reshape(-1)
        with torch.no_grad():
            ep = latent_energy_table(y, decoder, torch.as_tensor(zp, dtype=y.dtype))[0]
        ax1.plot(zp, ep, ("o-", "x--")[k % 2], color=("C1", "C4")[k % 2], ms=4, lw=0.8, label=name)
    if z_pick is not None:
        with torch.no_grad():
            e_pick = latent_energy_table(y, decoder, torch.tensor([z_pick], dtype=y.dtype))[0, 0]
        ax1.plot([z_pick], [e_pick], "s", color="C2", ms=7, mfc="none", mew=1.5, label="grid ž")
    ax1.set_xticks([0, math.pi, 2 * math.pi], ["0", r"$\pi$", r"$2\pi$"])
    ax1.set_xlabel("$z$")
    ax1.set_ylabel("$E(y, z)$")
    ax1.set_ylim(*ylim)
    ax1.legend(fontsize=7, loc="upper left")
    return fig

