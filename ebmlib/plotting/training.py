"""Loss functionals and trained models: losses against the energy gap, fitted ellipses, trained energies.

See chapter 5.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_int, check_positive
from ._base import LAYOUT, given_axes, new_axes, to_numpy
from ..latent import latent_free_energy, latent_grid
from .free_energy import plot_free_energy_sections
from .landscapes import energy_grid

__all__ = ['plot_loss_vs_gap', 'plot_ellipse_fits', 'plot_energy_panels', 'plot_fit_vs_beta', 'plot_warm_training']


def plot_loss_vs_gap(gap, values: dict, *, slopes: dict | None = None, margin: float | None = None,
                     axes=None) -> plt.Figure:
    """Per-sample losses as functions of the energy gap F(y_hat) - F(y), and how hard each one pushes.

    The left panel draws l(gap) for each loss; the right panel (when ``slopes`` is given) draws
    -dl/d(gap), the force with which a gradient step widens the gap (0: the loss has stopped).

    Args:
        gap: the gaps F_neg - F_pos, (n,).
        values: loss name -> loss values, each (n,).
        slopes: loss name -> -dl/d(gap), each (n,) (optional; adds the right panel).
        margin: draw a dotted vertical line at this gap (the hinge margin).
        axes: one axes, or two when ``slopes`` is given (new figure when None).

    Returns:
        The ``Figure``.

    See chapter 5.
    """
    g = to_numpy(gap)
    if g.ndim != 1 or not values:
        raise ValueError(f"gap must have shape (n,) and values must not be empty, got {g.shape} and {len(values)} losses")
    series = [values] if slopes is None else [values, slopes]
    for d in series:
        for name, v in d.items():
            if to_numpy(v).shape != g.shape:
                raise ValueError(f"curve {name!r} must have shape {g.shape} like gap, got {to_numpy(v).shape}")
    if axes is None:
        fig, axes = plt.subplots(1, len(series), figsize=(4.6 * len(series), 3.5), squeeze=False,
                                 layout=LAYOUT)
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != len(series):
            raise ValueError(f"need {len(series)} axes, got {len(axes)}")
        fig = axes[0].figure
    ylabels = ["loss $l$", r"push $-\partial l / \partial(\mathrm{gap})$"]
    for ax, d, ylabel in zip(axes, series, ylabels):
        for k, (name, v) in enumerate(d.items()):
            ax.plot(g, to_numpy(v), color=f"C{k}", lw=1.8, label=name)
        if margin is not None:
            ax.axvline(margin, color="0.4", ls=":", lw=1)
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.set_xlabel(r"energy gap $F(\hat y) - F(y)$")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    return fig


def plot_ellipse_fits(data, fits: dict, *, ax=None, n: int = 200) -> plt.Axes:
    """Data points and the ellipses g(z) = [w1 cos z, w2 sin z] of several fitted decoders.

    Args:
        data: observed points, (B, 2).
        fits: label -> half-axes (w1, w2) (two numbers, a tensor (2,), or an ``EllipseDecoder``).
        ax: axes to draw on (new figure when None).
        n: points per ellipse.

    Returns:
        The ``Axes``.

    See chapter 5.
    """
    d = to_numpy(data)
    if d.ndim != 2 or d.shape[1] != 2:
        raise ValueError(f"data must have shape (B, 2), got {d.shape}")
    n = check_int(n, "n")
    ax = new_axes(ax, (4.6, 3.8))
    ax.scatter(d[:, 0], d[:, 1], s=6, color="0.55", label="data", zorder=1)
    z = np.linspace(0.0, 2 * np.pi, n)
    styles = ["-", "--", "-.", ":"]
    for k, (label, w) in enumerate(fits.items()):
        w = to_numpy(w.w if isinstance(w, torch.nn.Module) and hasattr(w, "w") else w).astype(float).reshape(-1)
        if w.shape != (2,):
            raise ValueError(f"fit {label!r} must give two half-axes (w1, w2), got shape {w.shape}")
        ax.plot(w[0] * np.cos(z), w[1] * np.sin(z), styles[k % 4], color=f"C{k}", lw=1.8, label=label)
    ax.set_aspect("equal")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_energy_panels(energies: dict, lim: float, *, data=None, n: int = 121, shift=None,
                       vmin: float = 0.0, vmax: float = 8.0, levels: int = 25,
                       panel_size: tuple[float, float] = (4.2, 3.9), label: str = "energy",
                       axes=None) -> plt.Figure:
    """Side-by-side filled contours of several 2-D energies on [-lim, lim]^2, on one colour scale.

    Panel k shows E_k(y) - s_k, with s_k = min_y E_k(y) on the grid (``shift=None``) or
    ``shift[label_k]``, clipped to [vmin, vmax], with the data as white dots.

    Args:
        energies: label -> callable mapping y (B, 2) to energies (B,); one panel each.
        lim: half-width of the square.
        data: optional (B, 2) points drawn on every panel.
        n: grid points per axis.
        shift: None (each panel's grid minimum) or a dict label -> number to subtract.
        vmin, vmax: the colour scale, vmin < vmax.
        levels: number of contour levels.
        panel_size: (width, height) of one panel in inches.
        label: colour-bar label.
        axes: one Axes per energy (a new figure when None).

    Returns:
        The ``Figure`` (its axes in the order of ``energies``).

    See chapter 5.
    """
    if not energies:
        raise ValueError("energies must name at least one energy")
    lim = check_positive(lim, "lim")
    if not vmin < vmax:
        raise ValueError(f"need vmin < vmax, got vmin={vmin!r}, vmax={vmax!r}")
    if shift is not None and set(shift) != set(energies):
        raise ValueError(f"shift must have the same labels as energies {list(energies)}, got {list(shift)}")
    d = None if data is None else to_numpy(data)
    if d is not None and (d.ndim != 2 or d.shape[1] != 2):
        raise ValueError(f"data must have shape (B, 2), got {d.shape}")
    k = len(energies)
    if axes is None:
        fig, grid = plt.subplots(1, k, figsize=(panel_size[0] * k, panel_size[1]), sharey=True,
                                 layout=LAYOUT, squeeze=False)
        axes = list(grid[0])
    else:
        fig, axes = given_axes(axes, k)
    steps = np.linspace(vmin, vmax, levels)
    for ax, (name, energy) in zip(axes, energies.items()):
        Y1, Y2, E = energy_grid(energy, (-lim, lim), (-lim, lim), n)
        E = E - (E.min() if shift is None else float(shift[name]))
        cs = ax.contourf(Y1, Y2, np.clip(E, vmin, vmax), levels=steps, cmap="viridis")
        ax.contour(Y1, Y2, E, levels=steps, colors="k", linewidths=0.3, alpha=0.4)
        if d is not None:
            ax.plot(d[:, 0], d[:, 1], ".", color="white", ms=2, alpha=0.6)
        ax.set_title(name, fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlabel("$y_1$")
    axes[0].set_ylabel("$y_2$")
    fig.colorbar(cs, ax=axes[-1], label=label)
    return fig


def plot_fit_vs_beta(betas, fits, true=None, *, ax=None, labels=("$|w_1|$", "$|w_2|$")) -> plt.Axes:
    """Fitted parameters against the inverse temperature beta of training (log axis; beta = inf at the right).

    Args:
        betas: K inverse temperatures (``math.inf`` allowed, drawn one decade past the largest finite one).
        fits: (K, P) fitted values, row k for ``betas[k]``.
        true: optional P true values, drawn as dotted horizontal lines.
        ax: axes to draw on (new figure if None).
        labels: P legend labels.

    Returns:
        The ``Axes``.

    See chapter 5.
    """
    b = np.asarray([float(v) for v in betas])
    f = to_numpy(fits).astype(float)
    if f.ndim != 2 or f.shape[0] != b.size or f.shape[1] != len(labels):
        raise ValueError(f"fits must have shape ({b.size}, {len(labels)}), got {f.shape}")
    finite = np.isfinite(b)
    if not finite.any() or np.any(b[finite] <= 0) or np.any(np.isnan(b)):
        raise ValueError(f"betas must be > 0 with at least one finite value, got {list(betas)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.6))
    x = np.where(finite, b, 10 * b[finite].max())  # beta = inf, one decade to the right
    for p, name in enumerate(labels):
        ax.plot(x[finite], f[finite, p], "o-", color=f"C{p}", label=name)
        ax.plot(x[~finite], f[~finite, p], "s", color=f"C{p}", ms=7)
        if true is not None:
            ax.axhline(float(to_numpy(true).reshape(-1)[p]), color=f"C{p}", ls=":", lw=1)
    ax.set_xscale("log")
    ticks = list(x[finite]) + list(x[~finite][:1])
    ax.set_xticks(ticks, [f"{v:g}" for v in b[finite]] + (["$\\infty$"] if (~finite).any() else []))
    ax.minorticks_off()
    ax.set_xlabel(r"$\beta$ of training")
    ax.legend(fontsize=8)
    return ax



def plot_warm_training(data, decoders: dict, betas, *, coord, z_grid: torch.Tensor | None = None,
                       start=None, marks=(), ylim: tuple[float, float] | None = None, axes=None) -> plt.Figure:
    """Fitted ellipses beside the cross-sections F_beta(0, y_2) of each fitted decoder.

    Left panel: the data and the ellipse of each decoder (and of ``start``). Then one panel per
    decoder: F_beta((0, y_2)) = -(1/beta) log((1/N_z) sum_k exp(-beta ||y - g(z_k)||^2)) along
    ``coord``, one curve per beta (F_inf = min_k at beta = inf), computed here.

    Args:
        data: observed points, (B, 2).
        decoders: label -> a fitted decoder g (``EllipseDecoder``); one ellipse and one panel each.
        betas: the K inverse temperatures of the cross-sections (``math.inf`` allowed).
        coord: positions y_2 along the line y_1 = 0, (n,).
        z_grid: latents of the free energy (default ``latent_grid(48)``).
        start: optional half-axes (w1, w2) drawn as "start".
        marks: y_2 values marked by dotted vertical lines on the cross-sections (e.g. the data).
        ylim: optional energy range of the cross-sections.
        axes: 1 + len(decoders) Axes, the ellipses' first (a new figure when None).

    Returns:
        The ``Figure``; its axes: the ellipses, then the decoders' cross-sections in order.

    See chapter 5.
    """
    if not decoders:
        raise ValueError("decoders must name at least one decoder")
    c = torch.as_tensor(coord, dtype=torch.float64)
    if c.ndim != 1:
        raise ValueError(f"coord must have shape (n,), got {tuple(c.shape)}")
    z = latent_grid(48, dtype=torch.float64) if z_grid is None else z_grid.to(torch.float64)
    line = torch.stack([torch.zeros_like(c), c], dim=1)  # (n, 2): the points (0, y_2)
    beta_col = torch.tensor([float(b) for b in betas], dtype=torch.float64)[:, None]  # (K, 1)
    if axes is None:
        fig, axes = plt.subplots(1, 1 + len(decoders), figsize=(4.4 * (1 + len(decoders)), 3.8), layout=LAYOUT)
    else:
        fig, axes = given_axes(axes, 1 + len(decoders))
    plot_ellipse_fits(data, {**({"start": start} if start is not None else {}), **decoders}, ax=axes[0])
    axes[0].set_title("fitted ellipses")
    for ax, (label, decoder) in zip(axes[1:], decoders.items()):
        with torch.no_grad():
            sections = latent_free_energy(line, decoder, beta=beta_col, z_grid=z)  # (K, n)
        plot_free_energy_sections(c, sections, list(betas), ax=ax, title=f"$F_\\beta$ at $y_1 = 0$, {label}")
        for m in marks:
            ax.axvline(float(m), color="0.5", ls=":", lw=1)
        if ylim is not None:
            ax.set_ylim(*ylim)
    return fig
