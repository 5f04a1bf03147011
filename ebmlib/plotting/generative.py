"""Figures of energy-based generative models: score fields, sample sets, a fork and its predictions,
conditional densities with intervals, the filters of a product of experts, and the variational bound.

See chapter 10.
"""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_index, check_limits
from ._base import check_finite_array, new_axes, panels, to_numpy

__all__ = ["plot_score_fields", "plot_sample_sets", "plot_fork_predictions", "plot_conditional_density",
           "plot_experts", "plot_free_energy_bound"]


def _square_grid(lim, n: int) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
    a = np.linspace(lim[0], lim[1], n)
    g1, g2 = np.meshgrid(a, a, indexing="xy")
    return g1, g2, torch.tensor(np.stack([g1.ravel(), g2.ravel()], axis=1), dtype=torch.get_default_dtype())


def plot_score_fields(score: Callable, sigmas, *, data=None, lim=(-4.0, 4.0), n: int = 17, axes=None) -> plt.Figure:
    """The direction of a noise-conditional score s(y, sigma) on a grid, one panel per sigma.

    Arrows have unit length (the direction the samplers move in); their colour is the norm times
    sigma, so that the levels share one scale.

    Args:
        score: ``score(y, sigma)`` with y (N, 2) and sigma (N,) returns (N, 2).
        sigmas: the noise levels to draw, a sequence of positive numbers.
        data: optional (B, 2) points drawn in grey.
        lim: (low, high) of both axes.
        n: arrows per side.
        axes: one axes per sigma (new figure when None).

    Returns:
        The ``Figure``.

    See chapter 10.
    """
    lim = check_limits(lim, "lim")
    sigmas = [float(s) for s in to_numpy(torch.as_tensor(sigmas)).ravel()]
    if not sigmas or any(not np.isfinite(s) or s <= 0 for s in sigmas):
        raise ValueError(f"sigmas must be a non-empty sequence of positive numbers, got {sigmas!r}")
    fig, axes = panels(len(sigmas), len(sigmas), (3.2, 3.2), axes=axes, xlabel="$y_1$", ylabel="$y_2$")
    g1, g2, pts = _square_grid(lim, n)
    for ax, s in zip(axes, sigmas):
        with torch.no_grad():
            v = check_finite_array(to_numpy(score(pts, torch.full((pts.shape[0],), s, dtype=pts.dtype))), "score")
        norm = np.linalg.norm(v, axis=1)
        u = v / np.maximum(norm, 1e-12)[:, None]
        if data is not None:
            d = to_numpy(data)
            ax.scatter(d[:, 0], d[:, 1], s=2, color="0.75", zorder=0)
        ax.quiver(g1, g2, u[:, 0].reshape(g1.shape), u[:, 1].reshape(g1.shape), (norm * s).reshape(g1.shape),
                  cmap="viridis", angles="xy", scale_units="xy", scale=n / (lim[1] - lim[0]) * 1.4, width=0.006)
        ax.set(xlim=lim, ylim=lim, aspect="equal", title=rf"$\sigma = {s:.2g}$")
    return fig


def plot_sample_sets(sets: dict, *, data=None, lim=(-4.0, 4.0), axes=None) -> plt.Figure:
    """Scatter plots of several sample sets side by side, over the data in grey.

    Args:
        sets: title -> (N, 2) samples.
        data: optional (B, 2) reference points.
        lim: (low, high) of both axes.
        axes: one axes per set (new figure when None).

    Returns:
        The ``Figure``.

    See chapter 10.
    """
    lim = check_limits(lim, "lim")
    if not sets:
        raise ValueError("sets must hold at least one sample set")
    fig, axes = panels(len(sets), len(sets), (3.0, 3.0), axes=axes, xlabel="$y_1$", ylabel="$y_2$")
    for ax, (title, pts) in zip(axes, sets.items()):
        p = check_finite_array(to_numpy(pts), f"sets[{title!r}]")
        if p.ndim != 2 or p.shape[1] != 2:
            raise ValueError(f"sets[{title!r}] must have shape (N, 2), got {p.shape}")
        if data is not None:
            d = to_numpy(data)
            ax.scatter(d[:, 0], d[:, 1], s=2, color="0.8", zorder=0)
        ax.scatter(p[:, 0], p[:, 1], s=2, color="C0")
        ax.set(xlim=lim, ylim=lim, aspect="equal", title=title)
    return fig


def plot_fork_predictions(paths, fork_at: int, mean_pred, samples, *, ax=None) -> plt.Axes:
    """Paths that fork, with two predictions of the point after the fork: a mean and samples.

    Args:
        paths: (B, T, 2) paths, drawn thin and grey.
        fork_at: index of the last shared point.
        mean_pred: (P, 2) predictions of the squared-error head.
        samples: (S, 2) samples of the energy-score head.
        ax: axes to draw on (new figure when None).

    Returns:
        The ``Axes``.

    See chapter 10.
    """
    p, m, s = to_numpy(paths), to_numpy(mean_pred), to_numpy(samples)
    if p.ndim != 3 or p.shape[2] != 2:
        raise ValueError(f"paths must have shape (B, T, 2), got {p.shape}")
    fork_at = check_index(fork_at, p.shape[1] - 1, "fork_at")  # the point after the fork is inside the paths
    for arr, name in ((m, "mean_pred"), (s, "samples")):
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"{name} must have shape (N, 2), got {arr.shape}")
        check_finite_array(arr, name)
    ax = new_axes(ax, (6.0, 3.6))
    for path in p:
        ax.plot(path[:, 0], path[:, 1], color="0.8", lw=0.6, zorder=0)
    ax.scatter(s[:, 0], s[:, 1], s=6, color="C0", alpha=0.6, label="energy-score head (samples)")
    ax.scatter(m[:, 0], m[:, 1], s=30, marker="x", color="C3", label="squared-error head")
    ax.axvline(p[:, fork_at, 0].mean(), color="0.5", ls=":", lw=1)
    ax.set(xlabel="$y_1$", ylabel="$y_2$", aspect="equal")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_conditional_density(log_prob, x_grid, y_grid, *, x=None, y=None, intervals: dict | None = None,
                             ax=None) -> plt.Axes:
    """A conditional density p(y | x) as an image, with data and interval ends.

    Each column (one x) is scaled to a maximum of 1, so that a wide density is as visible as a
    narrow one.

    Args:
        log_prob: (X, G) log-densities, one row per value of ``x_grid``.
        x_grid: (X,) inputs.
        y_grid: (G,) answers.
        x, y: optional data points, (B,) each.
        intervals: optional label -> (lower (X,), upper (X,)), drawn as lines.
        ax: axes to draw on (new figure when None).

    Returns:
        The ``Axes``.

    See chapter 10.
    """
    lp, xg, yg = to_numpy(log_prob), to_numpy(x_grid), to_numpy(y_grid)
    if lp.shape != (xg.shape[0], yg.shape[0]):
        raise ValueError(f"log_prob must have shape ({xg.shape[0]}, {yg.shape[0]}) to match the grids, got {lp.shape}")
    ax = new_axes(ax, (5.2, 3.6))
    p = np.exp(lp - lp.max(axis=1, keepdims=True))  # each column scaled to a maximum of 1
    ax.pcolormesh(xg, yg, p.T, cmap="Greys", shading="nearest")
    if x is not None and y is not None:
        ax.scatter(to_numpy(x), to_numpy(y), s=2, color="C3", alpha=0.4)
    for k, (label, (lo, hi)) in enumerate((intervals or {}).items()):
        ax.plot(xg, to_numpy(lo), color=f"C{k}", lw=1.5, label=label)
        ax.plot(xg, to_numpy(hi), color=f"C{k}", lw=1.5)
    ax.set(xlabel="$x$", ylabel="$y$")
    if intervals:
        ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_experts(energy: Callable, filters, *, data=None, lim=(-4.0, 4.0), n: int = 120, ax=None) -> plt.Axes:
    """Contours of an energy, the data, and the filters w_j of a product of experts as arrows.

    Args:
        energy: maps (N, 2) points to (N,) energies.
        filters: (J, 2) filters, drawn from the origin (scaled to a common length).
        data: optional (B, 2) points.
        lim: (low, high) of both axes.
        n: grid points per side for the contours.
        ax: axes to draw on (new figure when None).

    Returns:
        The ``Axes``.

    See chapter 10.
    """
    lim = check_limits(lim, "lim")
    w = to_numpy(filters)
    if w.ndim != 2 or w.shape[1] != 2:
        raise ValueError(f"filters must have shape (J, 2), got {w.shape}")
    ax = new_axes(ax, (3.6, 3.6))
    g1, g2, pts = _square_grid(lim, n)
    with torch.no_grad():
        e = check_finite_array(to_numpy(energy(pts)), "energy").reshape(g1.shape)
    if data is not None:
        d = to_numpy(data)
        ax.scatter(d[:, 0], d[:, 1], s=2, color="0.6", zorder=0)
    ax.contour(g1, g2, e - e.min(), levels=10, cmap="viridis", linewidths=0.8)
    arm = 0.45 * (lim[1] - lim[0]) / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
    for k, v in enumerate(w * arm):
        ax.annotate("", xy=(v[0], v[1]), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color=f"C{k % 10}", lw=1.5))
    ax.set(xlim=lim, ylim=lim, aspect="equal", xlabel="$y_1$", ylabel="$y_2$")
    return ax


def plot_free_energy_bound(t, f_exact, bounds: dict, *, xlabel: str = "position along the line", ax=None) -> plt.Axes:
    """The grid free energy F_1 and variational free energies F_q >= F_1 along a path of points.

    Args:
        t: (N,) positions.
        f_exact: (N,) grid free energies.
        bounds: label -> (N,) variational free energies (e.g. of an encoder before and after training).
        xlabel: label of the horizontal axis.
        ax: axes to draw on (new figure when None).

    Returns:
        The ``Axes``.

    See chapter 10.
    """
    tt, fe = (check_finite_array(to_numpy(a), n) for a, n in ((t, "t"), (f_exact, "f_exact")))
    if tt.ndim != 1 or fe.shape != tt.shape:
        raise ValueError(f"t and f_exact must have one shape (N,), got {tt.shape} and {fe.shape}")
    if not bounds:
        raise ValueError("bounds must hold at least one curve")
    curves = {}
    for label, f in bounds.items():
        curves[label] = check_finite_array(to_numpy(f), f"bounds[{label!r}]")
        if curves[label].shape != tt.shape:
            raise ValueError(f"bounds[{label!r}] must have shape {tt.shape} like t, got {curves[label].shape}")
    ax = new_axes(ax, (5.2, 3.2))
    ax.plot(tt, fe, color="k", lw=2.2, label="grid free energy $F_1$")
    for k, (label, f) in enumerate(curves.items()):
        ax.plot(tt, f, color=f"C{k + 1}", lw=1.4, ls="--", label=label)
        ax.fill_between(tt, fe, f, color=f"C{k + 1}", alpha=0.12)
    ax.set(xlabel=xlabel, ylabel="free energy")
    ax.legend(fontsize=8)
    return ax
