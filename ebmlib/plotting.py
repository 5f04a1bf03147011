"""Figures for the book, organised by the chapter that introduces them.

Every function draws on a Matplotlib ``Axes`` (a new one when ``ax=None``) and returns it (or the
``Figure`` for multi-panel figures); nothing here calls ``plt.show()`` - the notebook does.
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import math

import torch

from .inference import gradient_inference
from .latent import Decoder, infer_latent, latent_energy_table, latent_grid
from .utils import _check_nonneg_int, _check_positive, _check_tensor

__all__ = [
    # chapter 1: energy landscapes and gradient inference
    "energy_grid",
    "plot_landscape",
    "plot_energy_curve",
    "draw_gradient_inference",
    "plot_step_size_grid",
    # chapter 2: latent-variable EBMs
    "plot_latent_energy_curves",
    "plot_free_energy_map",
    "draw_latent_inference",
    # chapter 3: free energy
    "plot_free_energy_sections",
    "plot_density_grid",
    # chapter 5: loss functionals and training
    "plot_loss_vs_gap",
    "plot_ellipse_fits",
    # chapter 4: self-supervised learning
    "plot_horn_slices",
    "plot_radii_curves",
    "plot_token_probabilities",
]

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


# ============================================================================================
# Chapter 1: energy landscapes and gradient inference
# ============================================================================================

def energy_grid(
    energy: Energy,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int | tuple[int, int] = 101,
    *,
    dtype: torch.dtype = torch.float64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-D energy on a regular grid (for contour plots and grid-based checks).

    E_grid[i, j] = E((Y1[i, j], Y2[i, j])),  Y1, Y2 = meshgrid(linspace(xlim), linspace(ylim))

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        xlim: range of the first coordinate y_1.
        ylim: range of the second coordinate y_2.
        n: points per axis, or a pair (n_x, n_y).
        dtype: floating dtype of the grid points handed to ``energy``.

    Returns:
        ``(Y1, Y2, E)``, NumPy arrays of shape (n_y, n_x) ("xy" indexing, ready for ``contour``).

    See chapter 1.
    """
    x0, x1 = _check_lim(xlim, "xlim")
    y0, y1 = _check_lim(ylim, "ylim")
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool):
        nx, ny = n, n
    elif isinstance(n, (tuple, list)) and len(n) == 2:
        nx, ny = n
    else:
        raise ValueError(f"n must be a positive integer or a pair (n_x, n_y), got {n!r}")
    nx = _check_positive(nx, "n", integer=True)
    ny = _check_positive(ny, "n", integer=True)
    gx = torch.linspace(x0, x1, nx, dtype=dtype)
    gy = torch.linspace(y0, y1, ny, dtype=dtype)
    Y1, Y2 = torch.meshgrid(gx, gy, indexing="xy")  # (n_y, n_x) each
    points = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n_y * n_x, 2)
    with torch.no_grad():
        e = energy(points)
    if not isinstance(e, torch.Tensor) or tuple(e.shape) != (points.shape[0],):
        got = tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__
        raise ValueError(f"energy must return shape ({points.shape[0]},) for a ({points.shape[0]}, 2) grid, got {got}")
    if not bool(torch.isfinite(e).all()):
        raise ValueError(f"energy returned NaN or infinite values on the grid xlim={xlim}, ylim={ylim}")
    return Y1.numpy(), Y2.numpy(), e.reshape(ny, nx).detach().cpu().numpy()  # (n_y, n_x)


def _as_paths(trajectories) -> list[np.ndarray]:
    """Turn (T+1, B, 2), (T+1, 2) or a list of those into a list of (T+1, 2) arrays."""
    if trajectories is None:
        return []
    items = trajectories if isinstance(trajectories, (list, tuple)) else [trajectories]
    paths = []
    for item in items:
        arr = _to_numpy(item)
        if arr.ndim == 2 and arr.shape[1] == 2:
            paths.append(arr)
        elif arr.ndim == 3 and arr.shape[2] == 2:
            paths.extend(arr[:, b, :] for b in range(arr.shape[1]))  # (T+1, 2) per batch element
        else:
            raise ValueError(f"trajectories must have shape (T+1, B, 2) or (T+1, 2), got {arr.shape}")
    return paths


def plot_landscape(
    energy: Energy | None,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    ax: plt.Axes | None = None,
    n: int = 101,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    trajectories=None,
    levels: int | Sequence[float] = 20,
    vmax: float | None = None,
    cmap: str = "viridis",
    colorbar: bool = False,
    path_color: str = "white",
    labels: tuple[str, str] = ("$y_1$", "$y_2$"),
    title: str | None = None,
) -> plt.Axes:
    """Filled contours of a 2-D energy with optional gradient-inference paths drawn on top.

    Each path is a line from its start (round marker) to its end (star).

    Args:
        energy: callable mapping y (B, 2) to energies (B,); may be None when ``grid`` is given.
        xlim, ylim: plotting ranges of y_1 and y_2.
        ax: axes to draw on (a new figure when None).
        n: grid points per axis.
        grid: a precomputed ``energy_grid(...)`` result (skips evaluating ``energy``).
        trajectories: a tensor/array (T+1, B, 2) or (T+1, 2), or a list of them.
        levels: number of contour levels or their values.
        vmax: clip the colour scale at this energy (useful when the energy grows fast).
        cmap: colour map.
        colorbar: add a colour bar labelled "energy".
        path_color: colour of the paths and their markers.
        labels: axis labels.
        title: axes title.

    Returns:
        The Axes.

    See chapter 1.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    if grid is None:
        if energy is None:
            raise ValueError("plot_landscape needs an energy or a precomputed grid, got neither")
        grid = energy_grid(energy, xlim, ylim, n)
    Y1, Y2, E = grid
    if isinstance(levels, (int, np.integer)):
        top = float(E.max()) if vmax is None else float(vmax)
        levels = np.linspace(float(E.min()), top, int(levels))
    cs = ax.contourf(Y1, Y2, np.minimum(E, levels[-1]), levels=levels, cmap=cmap)
    ax.contour(Y1, Y2, E, levels=levels, colors="k", linewidths=0.3, alpha=0.4)
    if colorbar:  # round ticks, not one per contour level
        ax.figure.colorbar(cs, ax=ax, label="energy", ticks=matplotlib.ticker.MaxNLocator(6))
    for i, path in enumerate(_as_paths(trajectories)):
        ax.plot(path[:, 0], path[:, 1], "-", color=path_color, lw=1.2, alpha=0.9)
        ax.plot(path[0, 0], path[0, 1], "o", color=path_color, mec="k", ms=6, label="start" if i == 0 else None)
        ax.plot(path[-1, 0], path[-1, 1], "*", color="tab:red", mec="k", ms=11, label="end" if i == 0 else None)
    ax.set_xlim(*_check_lim(xlim, "xlim"))
    ax.set_ylim(*_check_lim(ylim, "ylim"))
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title is not None:
        ax.set_title(title)
    return ax


def plot_energy_curve(
    energy: Energy,
    lim: tuple[float, float],
    *,
    ax: plt.Axes | None = None,
    n: int = 401,
    points=None,
    label: str | None = None,
    xlabel: str = "$y$",
    ylabel: str = "energy",
    color: str | None = None,
) -> plt.Axes:
    """Plot a 1-D energy y -> E(y) as a curve, optionally marking some points on it.

    Args:
        energy: callable mapping y (B, 1) to energies (B,).
        lim: range of y.
        ax: axes to draw on (a new figure when None).
        n: number of evaluation points.
        points: y values to mark, shape (N,) or (N, 1).
        label: legend label of the curve.
        xlabel, ylabel: axis labels.
        color: line colour.

    Returns:
        The Axes.

    See chapter 1.
    """
    lo, hi = _check_lim(lim, "lim")
    n = _check_positive(n, "n", integer=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ys = torch.linspace(lo, hi, n, dtype=torch.float64)[:, None]  # (n, 1)
    with torch.no_grad():
        e = energy(ys)
    if not isinstance(e, torch.Tensor) or tuple(e.shape) != (n,):
        got = tuple(e.shape) if isinstance(e, torch.Tensor) else type(e).__name__
        raise ValueError(f"energy must return shape ({n},) for y of shape ({n}, 1), got {got}")
    (line,) = ax.plot(ys[:, 0].numpy(), e.numpy(), label=label, color=color)
    if points is not None:
        p = torch.as_tensor(_to_numpy(points), dtype=torch.float64).reshape(-1, 1)  # (N, 1)
        with torch.no_grad():
            pe = energy(p)
        ax.plot(p[:, 0].numpy(), _to_numpy(pe), "o", color=line.get_color(), mec="k")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def draw_gradient_inference(
    ax: plt.Axes,
    energy: Energy,
    start: Sequence[float],
    lr: float,
    *,
    steps: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    vmax: float | None = None,
    levels: int | Sequence[float] = 20,
) -> torch.Tensor | None:
    """Run gradient inference from one 2-D start and draw its path on the landscape.

    The panel title gives the step size and the final energy, or says that the descent diverged.

    Args:
        ax: axes to draw on.
        energy: callable mapping y (B, 2) to energies (B,).
        start: the starting point (y_1, y_2).
        lr: step size (> 0).
        steps: number of gradient steps.
        xlim, ylim: plotting ranges.
        grid: a precomputed ``energy_grid`` (reused across panels).
        vmax, levels: as in :func:`plot_landscape`.

    Returns:
        The trajectory, shape (steps + 1, 1, 2), or None when the descent diverged.

    See chapter 1.
    """
    steps = _check_nonneg_int(steps, "steps")
    lr = _check_positive(lr, "lr")
    y0 = torch.tensor([list(map(float, start))], dtype=torch.float64)  # (1, 2)
    try:
        y_end, traj = gradient_inference(energy, y0, steps=steps, lr=lr, return_trajectory=True)
    except ValueError as err:
        if "non-finite" not in str(err):
            raise
        plot_landscape(energy, xlim, ylim, ax=ax, grid=grid, vmax=vmax, levels=levels,
                       trajectories=y0[None], title=f"lr = {lr:.3g}: diverged")
        return None
    with torch.no_grad():
        e_end = float(energy(y_end)[0])
    plot_landscape(energy, xlim, ylim, ax=ax, grid=grid, vmax=vmax, levels=levels, trajectories=traj,
                   title=f"lr = {lr:.3g}, {steps} steps: E = {e_end:.3f}")
    return traj


def plot_step_size_grid(
    energy: Energy,
    starts: Sequence[Sequence[float]],
    lrs: Sequence[float],
    *,
    steps: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 101,
    vmax: float | None = None,
    levels: int | Sequence[float] = 20,
    panel_size: float = 3.0,
) -> plt.Figure:
    """Small multiples of gradient inference: one row per start, one column per step size.

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        starts: S starting points (y_1, y_2).
        lrs: L step sizes.
        steps: gradient steps per panel.
        xlim, ylim: plotting ranges.
        n: grid points per axis for the contours.
        vmax, levels: as in :func:`plot_landscape`.
        panel_size: size of one panel in inches.

    Returns:
        The Figure, with S x L axes.

    See chapter 1.
    """
    starts, lrs = list(starts), list(lrs)
    if not starts or not lrs:
        raise ValueError(f"starts and lrs must each hold at least one value, got {len(starts)} start(s) "
                         f"and {len(lrs)} step size(s)")
    lrs = [_check_positive(lr, "lrs") for lr in lrs]
    grid = energy_grid(energy, xlim, ylim, n)
    fig, axes = plt.subplots(len(starts), len(lrs), figsize=(panel_size * len(lrs), panel_size * len(starts)),
                             squeeze=False, sharex=True, sharey=True, layout="constrained")
    for i, start in enumerate(starts):
        for j, lr in enumerate(lrs):
            ax = axes[i, j]
            draw_gradient_inference(ax, energy, start, lr, steps=steps, xlim=xlim, ylim=ylim, grid=grid,
                                    vmax=vmax, levels=levels)
            ax.title.set_fontsize(9)
            if i < len(starts) - 1:
                ax.set_xlabel("")
            if j > 0:
                ax.set_ylabel("")
    return fig


# ============================================================================================
# Chapters 2 and 3: latent-variable EBMs and free energy
# ============================================================================================

def _beta_label(b: float) -> str:
    return r"$\beta=\infty$" if math.isinf(b) else rf"$\beta={b:g}$"


# ============================================================================================
# Chapter 2: latent-variable EBMs
# ============================================================================================

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
    T, z = _to_numpy(table), _to_numpy(z_grid)
    if z_check is None:
        zc = z[T.argmin(1)]
    else:
        zc = _to_numpy(z_check)
        if zc.shape != (b,):
            raise ValueError(f"z_check must have shape ({b},), got {zc.shape}")
    fig, axes = _small_multiples(b, min(ncols, b), panel_size, sharey=sharey, xlabel="z", ylabel="E(y, z)")
    for i, ax in enumerate(axes):
        ax.plot(z, T[i], lw=1.2)
        e_at = np.interp(np.mod(zc[i], 2 * np.pi), z, T[i], period=2 * np.pi)
        ax.plot([np.mod(zc[i], 2 * np.pi)], [e_at], "o", ms=3, color="C3")
        ax.set_title(titles[i] if titles is not None else str(i), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
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
    a1, a2, Fn = _to_numpy(y1), _to_numpy(y2), _to_numpy(F)
    if Fn.shape != (a2.size, a1.size):
        raise ValueError(f"F must have shape (len(y2), len(y1)) = {(a2.size, a1.size)}, got {Fn.shape}")
    _check_finite(Fn, "F")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.5))
    mesh = ax.pcolormesh(a1, a2, Fn, shading="nearest", cmap=cmap)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label)
    if grad is not None:
        g = _to_numpy(grad)
        if g.shape != Fn.shape + (2,):
            raise ValueError(f"grad must have shape {Fn.shape + (2,)}, got {g.shape}")
        Y1, Y2 = np.meshgrid(a1, a2)
        ax.quiver(Y1, Y2, arrow_sign * g[..., 0], arrow_sign * g[..., 1], color="white", alpha=0.8,
                  angles="xy", pivot="mid")
    if curve is not None:
        c = _to_numpy(curve)
        c = np.concatenate([c, c[:1]])
        ax.plot(c[:, 0], c[:, 1], color="C1", lw=1.5, label="g(z)")
    if data is not None:
        d = _to_numpy(data)
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
        d = _to_numpy(data)
        ax_y.scatter(d[:, 0], d[:, 1], s=8, color="0.6", zorder=1)
    dn = _to_numpy(dense)
    ax_y.plot(dn[:, 0], dn[:, 1], color="C0", lw=1.5, label="g(z)")
    ax_y.plot(*_to_numpy(yt[0]), "o", color="C3", label="y")
    ax_y.plot(*_to_numpy(g_check), "s", color="C1", label=r"$g(\overset{\vee}{z})$")  # mathtext misplaces \check
    ax_y.plot([yt[0, 0].item(), g_check[0].item()], [yt[0, 1].item(), g_check[1].item()], "--", color="C1")
    ax_y.set_aspect("equal")
    ax_y.set_xlabel("$y_1$")
    ax_y.set_ylabel("$y_2$")
    ax_y.legend(loc="upper right", fontsize=7)
    zn, tn = _to_numpy(z), _to_numpy(table)
    ax_z.plot(zn, tn, ".-", ms=3)
    ax_z.axvline(z_check.item(), color="C1", ls="--")
    ax_z.set_xlabel("z")
    ax_z.set_ylabel("E(y, z)")
    ax_z.set_xticks([0, np.pi, 2 * np.pi], ["0", r"$\pi$", r"$2\pi$"])
    if ylim is not None:
        ax_z.set_ylim(*ylim)
    ax_z.set_title(rf"$\overset{{\vee}}{{z}}$ = {z_check.item():.3f}, $F_\infty$ = {f_inf.item():.4g}", fontsize=9)
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
    c, Fn = _to_numpy(coord), _to_numpy(F)
    if Fn.ndim != 2 or Fn.shape != (len(betas), c.size):
        raise ValueError(f"F must have shape (len(betas), len(coord)) = {(len(betas), c.size)}, got {Fn.shape}")
    _check_finite(Fn, "F")
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
    a1, a2, P = _to_numpy(y1), _to_numpy(y2), _to_numpy(densities)
    if P.ndim != 3 or P.shape != (len(betas), a2.size, a1.size):
        raise ValueError(f"densities must have shape (len(betas), len(y2), len(y1)) = "
                         f"{(len(betas), a2.size, a1.size)}, got {P.shape}")
    _check_finite(P, "densities")
    k = len(betas)
    fig, axes = _small_multiples(k, k if ncols is None else ncols, panel_size, xlabel="$y_1$", ylabel="$y_2$")
    for i, ax in enumerate(axes):
        ax.pcolormesh(a1, a2, P[i], shading="nearest", cmap=cmap)
        if data is not None:
            d = _to_numpy(data)
            ax.scatter(d[:, 0], d[:, 1], s=3, color="C0", alpha=0.7)
        ax.set_title(_beta_label(betas[i]), fontsize=9)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


# --- chapter 5: loss functionals and training ---

def plot_loss_vs_gap(gap, values: dict, *, slopes: dict | None = None, margin: float | None = None,
                     axes=None):
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
    g = _to_numpy(gap)
    if g.ndim != 1 or not values:
        raise ValueError(f"gap must have shape (n,) and values must not be empty, got {g.shape} and {len(values)} losses")
    panels = [values] if slopes is None else [values, slopes]
    for d in panels:
        for name, v in d.items():
            if _to_numpy(v).shape != g.shape:
                raise ValueError(f"curve {name!r} must have shape {g.shape} like gap, got {_to_numpy(v).shape}")
    if axes is None:
        fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.5), squeeze=False,
                                 layout="constrained")
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != len(panels):
            raise ValueError(f"need {len(panels)} axes, got {len(axes)}")
        fig = axes[0].figure
    ylabels = ["loss $l$", r"push $-\partial l / \partial(\mathrm{gap})$"]
    for ax, d, ylabel in zip(axes, panels, ylabels):
        for k, (name, v) in enumerate(d.items()):
            ax.plot(g, _to_numpy(v), color=f"C{k}", lw=1.8, label=name)
        if margin is not None:
            ax.axvline(margin, color="0.4", ls=":", lw=1)
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.set_xlabel(r"energy gap $F(\hat y) - F(y)$")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    return fig


def plot_ellipse_fits(data, fits: dict, *, ax=None, n: int = 200):
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
    d = _to_numpy(data)
    if d.ndim != 2 or d.shape[1] != 2:
        raise ValueError(f"data must have shape (B, 2), got {d.shape}")
    n = _check_positive(n, "n", integer=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 3.8))
    ax.scatter(d[:, 0], d[:, 1], s=6, color="0.55", label="data", zorder=1)
    z = np.linspace(0.0, 2 * np.pi, n)
    styles = ["-", "--", "-.", ":"]
    for k, (label, w) in enumerate(fits.items()):
        w = _to_numpy(w.w if isinstance(w, torch.nn.Module) and hasattr(w, "w") else w).astype(float).reshape(-1)
        if w.shape != (2,):
            raise ValueError(f"fit {label!r} must give two half-axes (w1, w2), got shape {w.shape}")
        ax.plot(w[0] * np.cos(z), w[1] * np.sin(z), styles[k % 4], color=f"C{k}", lw=1.8, label=label)
    ax.set_aspect("equal")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.legend(fontsize=8, loc="upper right")
    return ax


# --- chapter 4: self-supervised learning (the horn, masked tokens) ---

def plot_horn_slices(x_data: torch.Tensor, y_data: torch.Tensor, x_slices: Sequence[float], learned: torch.Tensor,
                     true: torch.Tensor, *, centre: torch.Tensor | None = None,
                     panel_size: tuple[float, float] = (2.2, 2.4), n: int = 200):
    """Small multiples of the horn's y-plane at a few x: the data there, the true and the learned ellipse.

    Panel s shows the points y_i with x_i closest to x_slices[s], the ellipse of half-axes
    ``true[s]`` (dashed), the ellipse of half-axes ``learned[s]`` (solid), and optionally one
    predicted point ``centre[s]`` (e.g. a least-squares prediction).

    Args:
        x_data: inputs of the data, (N,).
        y_data: outputs of the data, (N, 2).
        x_slices: the S values of x to show.
        learned: learned half-axes at those x, (S, 2) (signs are ignored).
        true: true half-axes rho(x) at those x, (S, 2).
        centre: optional point predictions at those x, (S, 2).
        panel_size: (width, height) of one panel in inches.
        n: points per drawn ellipse.

    Returns:
        The ``Figure`` (one row of S panels, each with its own scale).

    See chapter 4.
    """
    xd, yd = _to_numpy(x_data), _to_numpy(y_data)
    if xd.ndim != 1 or yd.shape != (xd.shape[0], 2):
        raise ValueError(f"x_data must be (N,) and y_data (N, 2), got {xd.shape} and {yd.shape}")
    xs = np.asarray(list(x_slices), dtype=float)
    s = xs.size
    if s < 1:
        raise ValueError("x_slices must hold at least one value")
    lw, tw = np.abs(_to_numpy(learned)), _to_numpy(true)
    if lw.shape != (s, 2) or tw.shape != (s, 2):
        raise ValueError(f"learned and true must have shape ({s}, 2), got {lw.shape} and {tw.shape}")
    c = None if centre is None else _to_numpy(centre)
    if c is not None and c.shape != (s, 2):
        raise ValueError(f"centre must have shape ({s}, 2), got {c.shape}")
    n = _check_positive(n, "n", integer=True)
    fig, axes = plt.subplots(1, s, figsize=(panel_size[0] * s, panel_size[1]), squeeze=False)
    t = np.linspace(0.0, 2 * np.pi, n)
    grid_x = np.unique(xd)
    for k, ax in enumerate(axes[0]):
        nearest = grid_x[np.abs(grid_x - xs[k]).argmin()]
        pts = yd[xd == nearest]
        ax.scatter(pts[:, 0], pts[:, 1], s=8, color="0.45", label="data", zorder=2)
        ax.plot(tw[k, 0] * np.cos(t), tw[k, 1] * np.sin(t), "--", color="k", lw=1.0, label=r"$\rho(x)$")
        ax.plot(lw[k, 0] * np.cos(t), lw[k, 1] * np.sin(t), color="C0", lw=1.6, label="learned $f(x)$")
        if c is not None:
            ax.plot([c[k, 0]], [c[k, 1]], "X", color="C3", ms=8, label="least squares", zorder=3)
        ax.set_title(f"x = {nearest:.2f}", fontsize=9)
        ax.set_aspect("equal")
        ax.set_xlabel("$y_1$")
    axes[0, 0].set_ylabel("$y_2$")
    handles, labels = axes[0, -1].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=len(labels), frameon=False)
    return fig


def plot_radii_curves(x: torch.Tensor, learned: torch.Tensor, true: torch.Tensor, *, ax=None):
    """The learned half-axes ``|f1(x)|``, ``|f2(x)|`` (solid) against the true radii rho(x) (dashed).

    Args:
        x: the inputs, (N,).
        learned: learned half-axes f(x), (N, 2) (signs are ignored).
        true: true radii rho(x), (N, 2).
        ax: axes to draw on (new figure if None).

    Returns:
        The ``Axes``.

    See chapter 4.
    """
    a, lw, tw = _to_numpy(x), np.abs(_to_numpy(learned)), _to_numpy(true)
    if a.ndim != 1 or lw.shape != (a.size, 2) or tw.shape != (a.size, 2):
        raise ValueError(f"x must be (N,), learned and true (N, 2); got {a.shape}, {lw.shape}, {tw.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5))
    for j in range(2):
        ax.plot(a, tw[:, j], "--", color=f"C{j}", lw=1.2, label=rf"$\rho_{j + 1}(x)$")
        ax.plot(a, lw[:, j], "o", color=f"C{j}", ms=3, label=rf"$|f_{j + 1}(x)|$")
    ax.set_xlabel("x")
    ax.set_ylabel("half-axis")
    ax.legend(fontsize=8)
    return ax


def plot_token_probabilities(p_model: torch.Tensor, p_true: torch.Tensor, context_labels: Sequence[str],
                             token_names: Sequence[str], *, ax=None):
    """Grouped bars: a model's softmax over the masked token next to the true conditional, per context.

    Args:
        p_model: the model's probabilities, (C, V) for C contexts and V tokens.
        p_true: the true conditional probabilities, (C, V).
        context_labels: C strings naming the contexts (e.g. "A _ D").
        token_names: V strings naming the tokens.
        ax: axes to draw on (new figure if None).

    Returns:
        The ``Axes``.

    See chapter 4.
    """
    pm, pt = _to_numpy(p_model), _to_numpy(p_true)
    if pm.ndim != 2 or pm.shape != pt.shape:
        raise ValueError(f"p_model and p_true must have the same shape (C, V), got {pm.shape} and {pt.shape}")
    c, v = pm.shape
    if len(context_labels) != c or len(token_names) != v:
        raise ValueError(f"need {c} context labels and {v} token names, got {len(context_labels)} and {len(token_names)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    width = 0.8 / v
    centres = np.arange(c)
    for j in range(v):
        pos = centres - 0.4 + (j + 0.5) * width
        ax.bar(pos, pm[:, j], width * 0.9, color=plt.get_cmap("viridis")(j / max(v - 1, 1)), label=token_names[j])
        ax.plot(pos, pt[:, j], "_", color="k", ms=10, mew=2, label="true" if j == 0 else None)
    ax.set_xticks(centres, list(context_labels))
    ax.set_ylabel("P(masked token | context)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, ncol=v + 1, loc="upper center", bbox_to_anchor=(0.5, 1.18), frameon=False)
    return ax
