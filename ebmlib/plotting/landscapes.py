"""Energy landscapes and gradient inference on them.

See chapter 1.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_nonneg_int, check_positive
from ..inference import gradient_inference
from ._common import Energy, _check_lim, _to_numpy

__all__ = ['energy_grid', 'plot_landscape', 'plot_energy_curve', 'draw_gradient_inference', 'plot_step_size_grid']


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
    nx = check_positive(nx, "n", integer=True)
    ny = check_positive(ny, "n", integer=True)
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
    n = check_positive(n, "n", integer=True)
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
    steps = check_nonneg_int(steps, "steps")
    lr = check_positive(lr, "lr")
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
    lrs = [check_positive(lr, "lrs") for lr in lrs]
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
