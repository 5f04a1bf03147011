"""Energy landscapes and gradient inference on them.

See chapter 1.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_int, check_limits, check_nonneg_int, check_positive, energy_on
from ..errors import DivergenceError
from ..inference import gradient_inference
from ._base import Energy, new_axes, panels, to_numpy

__all__ = ['energy_grid', 'plot_landscape', 'plot_energy_1d', 'draw_gradient_inference', 'plot_step_size_grid']


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
    x0, x1 = check_limits(xlim, "xlim")
    y0, y1 = check_limits(ylim, "ylim")
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool):
        nx, ny = n, n
    elif isinstance(n, (tuple, list)) and len(n) == 2:
        nx, ny = n
    else:
        raise ValueError(f"n must be a positive integer or a pair (n_x, n_y), got {n!r}")
    nx, ny = check_int(nx, "n"), check_int(ny, "n")
    gx = torch.linspace(x0, x1, nx, dtype=dtype)
    gy = torch.linspace(y0, y1, ny, dtype=dtype)
    Y1, Y2 = torch.meshgrid(gx, gy, indexing="xy")  # (n_y, n_x) each
    points = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n_y * n_x, 2)
    with torch.no_grad():
        e = energy_on(energy, points, where=f"on the ({points.shape[0]}, 2) grid xlim={xlim}, ylim={ylim}")
    return Y1.numpy(), Y2.numpy(), e.reshape(ny, nx).detach().cpu().numpy()  # (n_y, n_x)


def _as_paths(trajectories) -> list[np.ndarray]:
    """Turn (T+1, B, 2), (T+1, 2) or a list of those into a list of (T+1, 2) arrays."""
    if trajectories is None:
        return []
    items = trajectories if isinstance(trajectories, (list, tuple)) else [trajectories]
    paths = []
    for item in items:
        arr = to_numpy(item)
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
    ax = new_axes(ax, (5, 4))
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
    ax.set_xlim(*check_limits(xlim, "xlim"))
    ax.set_ylim(*check_limits(ylim, "ylim"))
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title is not None:
        ax.set_title(title)
    return ax


def plot_energy_1d(
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
    lo, hi = check_limits(lim, "lim")
    n = check_int(n, "n")
    ax = new_axes(ax, (5, 3.5))
    ys = torch.linspace(lo, hi, n, dtype=torch.float64)[:, None]  # (n, 1)
    with torch.no_grad():
        e = energy_on(energy, ys, where=f"for y of shape ({n}, 1)")
    (line,) = ax.plot(ys[:, 0].numpy(), e.numpy(), label=label, color=color)
    if points is not None:
        p = torch.as_tensor(to_numpy(points), dtype=torch.float64).reshape(-1, 1)  # (N, 1)
        with torch.no_grad():
            pe = energy(p)
        ax.plot(p[:, 0].numpy(), to_numpy(pe), "o", color=line.get_color(), mec="k")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _descend(energy: Energy, start: Sequence[float], step_size: float, steps: int
             ) -> tuple[torch.Tensor, torch.Tensor | None, float | None]:
    """Gradient inference from one 2-D start (:func:`ebmlib.inference.gradient_inference`), divergence caught.

    Returns:
        ``(y0, trajectory, final_energy)``; y0 is (1, 2), the trajectory (steps + 1, 1, 2); the last two are
        None when the descent diverged (a :class:`~ebmlib.errors.DivergenceError`, caught by type).
    """
    steps = check_nonneg_int(steps, "steps")
    step_size = check_positive(step_size, "step_size")
    y0 = torch.tensor([list(map(float, start))], dtype=torch.float64)  # (1, 2)
    try:
        y_end, traj = gradient_inference(energy, y0, steps=steps, step_size=step_size, return_trajectory=True)
    except DivergenceError:
        return y0, None, None
    with torch.no_grad():
        e_end = float(energy(y_end)[0])
    return y0, traj, e_end


def _draw_descent(ax: plt.Axes, energy: Energy, y0: torch.Tensor, traj: torch.Tensor | None, e_end: float | None, *,
                  step_size: float, steps: int, xlim, ylim, grid=None, vmax: float | None = None,
                  levels=20) -> plt.Axes:
    """Draw a descent that :func:`_descend` ran: its path on the landscape, the title its step size and final
    energy, or the start alone and "diverged" when ``traj`` is None. Runs no inference."""
    if traj is None:
        return plot_landscape(energy, xlim, ylim, ax=ax, grid=grid, vmax=vmax, levels=levels,
                              trajectories=y0[None], title=f"step {step_size:.3g}: diverged")
    return plot_landscape(energy, xlim, ylim, ax=ax, grid=grid, vmax=vmax, levels=levels, trajectories=traj,
                          title=f"step {step_size:.3g}, {steps} steps: E = {e_end:.3f}")


def draw_gradient_inference(
    energy: Energy,
    start: Sequence[float],
    *,
    step_size: float,
    steps: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: plt.Axes | None = None,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    vmax: float | None = None,
    levels: int | Sequence[float] = 20,
) -> plt.Axes:
    """Run gradient inference from one 2-D start and draw its path on the landscape.

    y_{t+1} = y_t - eps * dE/dy (y_t). The panel title gives the step size and the final energy,
    or says that the descent diverged (a :class:`~ebmlib.errors.DivergenceError`, drawn, not raised).

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        start: the starting point (y_1, y_2).
        step_size: eps > 0.
        steps: number of gradient steps.
        xlim, ylim: plotting ranges.
        ax: axes to draw on (a new figure when None).
        grid: a precomputed ``energy_grid`` (reused across panels).
        vmax, levels: as in :func:`plot_landscape`.

    Returns:
        The Axes.

    See chapter 1.
    """
    ax = new_axes(ax, (5, 4))
    y0, traj, e_end = _descend(energy, start, step_size, steps)
    return _draw_descent(ax, energy, y0, traj, e_end, step_size=step_size, steps=steps, xlim=xlim, ylim=ylim,
                         grid=grid, vmax=vmax, levels=levels)


def plot_step_size_grid(
    energy: Energy,
    starts: Sequence[Sequence[float]],
    step_sizes: Sequence[float],
    *,
    steps: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 101,
    vmax: float | None = None,
    levels: int | Sequence[float] = 20,
    panel_size: float = 3.0,
    axes=None,
) -> plt.Figure:
    """Small multiples of gradient inference: one row per start, one column per step size.

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        starts: S starting points (y_1, y_2).
        step_sizes: L step sizes.
        steps: gradient steps per panel.
        xlim, ylim: plotting ranges.
        n: grid points per axis for the contours.
        vmax, levels: as in :func:`plot_landscape`.
        panel_size: size of one panel in inches.
        axes: S x L axes to draw on (a new figure when None).

    Returns:
        The Figure, with S x L axes.

    See chapter 1.
    """
    starts, step_sizes = list(starts), list(step_sizes)
    if not starts or not step_sizes:
        raise ValueError(f"starts and step_sizes must each hold at least one value, got {len(starts)} start(s) "
                         f"and {len(step_sizes)} step size(s)")
    step_sizes = [check_positive(eps, "step_sizes") for eps in step_sizes]
    grid = energy_grid(energy, xlim, ylim, n)
    rows, cols = len(starts), len(step_sizes)
    fig, flat = panels(rows * cols, cols, (panel_size, panel_size), axes=axes)
    for i, start in enumerate(starts):
        for j, eps in enumerate(step_sizes):
            ax = flat[i * cols + j]
            y0, traj, e_end = _descend(energy, start, eps, steps)
            _draw_descent(ax, energy, y0, traj, e_end, step_size=eps, steps=steps, xlim=xlim, ylim=ylim, grid=grid,
                          vmax=vmax, levels=levels)
            ax.title.set_fontsize(9)
            if i < rows - 1:
                ax.set_xlabel("")
            if j > 0:
                ax.set_ylabel("")
    return fig
