"""Architectural methods: k-means inference, low-energy volume, ISTA/FISTA convergence, dictionary atoms,
and density maps of several energies side by side.

See chapter 8.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._checks import check_int
from ._base import check_finite_array, dataset_methods, new_axes, panels, to_numpy

__all__ = ["plot_kmeans_inference", "plot_volume_vs_k", "plot_convergence", "plot_atoms", "plot_density_panels"]


def _points(a, name: str) -> np.ndarray:
    a = check_finite_array(np.asarray(to_numpy(a), dtype=float), name)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2), got {a.shape}")
    return a


def _loglog(ax: plt.Axes, xlabel: str, ylabel: str) -> plt.Axes:
    """Log scales on both axes, the labels and a small legend (the two curve figures of chapter 8)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    return ax


def plot_kmeans_inference(data, prototypes, *, closest=None, complete=None, ax: plt.Axes | None = None,
                          title: str | None = None) -> plt.Axes:
    """Data, prototypes and two inference questions of a k-means energy, in the plane.

    Args:
        data: (N, 2) training points (grey dots).
        prototypes: (k, 2) prototypes (red crosses).
        closest: optional pair (queries (M, 2), answers (M, 2)): "the closest point on the data
            manifold", drawn as a segment from each query (open circle) to its answer.
        complete: optional pair (y1 (M,), answers (M, 2)): "given y1, predict y2", drawn as a
            dashed vertical line at each y1 and a star at the predicted point.
        ax: axes to draw on (a new figure when None).
        title: axes title.

    Returns:
        The Axes.

    See chapter 8.
    """
    data, protos = _points(data, "data"), _points(prototypes, "prototypes")
    ax = new_axes(ax, (4.6, 4.4))
    ax.scatter(data[:, 0], data[:, 1], s=3, color="0.6", label="data")
    ax.scatter(protos[:, 0], protos[:, 1], s=40, marker="x", color="C3", lw=1.8, label="prototypes", zorder=3)
    if closest is not None:
        q, a = _points(closest[0], "closest queries"), _points(closest[1], "closest answers")
        if q.shape != a.shape:
            raise ValueError(f"closest queries and answers must have the same shape, got {q.shape} and {a.shape}")
        for (x0, y0), (x1, y1) in zip(q, a):
            ax.plot([x0, x1], [y0, y1], color="C0", lw=1.2)
        ax.scatter(q[:, 0], q[:, 1], s=30, facecolor="white", edgecolor="C0", zorder=4, label="query $y$")
    if complete is not None:
        y1 = check_finite_array(np.asarray(to_numpy(complete[0]), dtype=float).reshape(-1), "complete y1")
        a = _points(complete[1], "complete answers")
        if len(y1) != len(a):
            raise ValueError(f"complete y1 and answers must have the same length, got {len(y1)} and {len(a)}")
        for v in y1:
            ax.axvline(v, color="C2", ls="--", lw=1)
        ax.scatter(a[:, 0], a[:, 1], s=90, marker="*", color="C2", zorder=4, label=r"predicted $(y_1, y_2)$")
    ax.set_aspect("equal")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.legend(fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_volume_vs_k(ks, volumes: dict, *, ax: plt.Axes | None = None) -> plt.Axes:
    """The area of the low-energy set {y : F(y) < eps} against the number of prototypes k, log-log.

    Args:
        ks: (m,) values of k.
        volumes: label -> (m,) areas (one curve each, e.g. one per threshold eps or the bound k pi eps).
        ax: axes to draw on (a new figure when None).

    Returns:
        The Axes.

    See chapter 8.
    """
    k = check_finite_array(np.asarray(to_numpy(ks), dtype=float), "ks")
    if k.ndim != 1 or not volumes:
        raise ValueError(f"ks must have shape (m,) and volumes must not be empty, got {k.shape} and {len(volumes)}")
    ax = new_axes(ax, (4.6, 3.4))
    for i, (label, v) in enumerate(volumes.items()):
        v = check_finite_array(np.asarray(to_numpy(v), dtype=float), f"volume {label!r}")
        if v.shape != k.shape:
            raise ValueError(f"volume {label!r} must have shape {k.shape} like ks, got {v.shape}")
        dashed = "bound" in label
        ax.plot(k, v, "o-" if not dashed else "--", color=f"C{i}", ms=4, lw=1.4, label=label)
    return _loglog(ax, "number of prototypes $k$", r"area of $\{y: F(y) < \epsilon\}$")


def plot_convergence(gaps: dict, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Objective gaps E(z_t) - E_min (E_min: the optimum) against the iteration t, log-log, with 1/t and 1/t^2 guides.

    Args:
        gaps: method name -> (T + 1,) gaps for t = 0..T (t = 0 is not drawn on the log axis).
        ax: axes to draw on (a new figure when None).

    Returns:
        The Axes.

    See chapter 8.
    """
    if not gaps:
        raise ValueError("gaps must not be empty")
    ax = new_axes(ax, (4.8, 3.6))
    top = None
    for i, (name, g) in enumerate(gaps.items()):
        g = check_finite_array(np.asarray(to_numpy(g), dtype=float), f"gap {name!r}")
        if g.ndim != 1 or len(g) < 3:
            raise ValueError(f"gap {name!r} must have shape (T + 1,) with T >= 2, got {g.shape}")
        t = np.arange(1, len(g))
        keep = g[1:] > 0
        ax.plot(t[keep], g[1:][keep], color=f"C{i}", lw=1.6, label=name)
        top = g[1] if top is None else max(top, g[1])
    t = np.arange(1, len(g))
    ax.plot(t, top / t, color="0.5", ls="--", lw=1, label=r"$\propto 1/t$")
    ax.plot(t, top / t**2, color="0.5", ls=":", lw=1, label=r"$\propto 1/t^2$")
    return _loglog(ax, "iteration $t$", r"$E(y, z_t) - E^\star$")


def plot_atoms(W, shape: tuple[int, int], *, ncols: int = 8, ax: plt.Axes | None = None,
               title: str | None = None) -> plt.Axes:
    """The columns of a dictionary W (D, K) as K small images of ``shape``, tiled on one axes.

    Each atom is scaled to its own largest magnitude (grey = 0, dark = positive, light = negative).

    Args:
        W: (D, K) dictionary, D = shape[0] * shape[1].
        shape: (height, width) of one atom.
        ncols: atoms per row.
        ax: axes to draw on (a new figure when None).
        title: axes title.

    Returns:
        The Axes.

    See chapter 8.
    """
    w = check_finite_array(np.asarray(to_numpy(W), dtype=float), "W")
    h, wd = (int(s) for s in shape)
    if w.ndim != 2 or w.shape[0] != h * wd:
        raise ValueError(f"W must have shape ({h * wd}, K) for atoms of shape {shape}, got {w.shape}")
    ncols = check_int(ncols, "ncols")
    k = w.shape[1]
    rows = math.ceil(k / ncols)
    tiles = np.full((rows * (h + 1) + 1, ncols * (wd + 1) + 1), np.nan)
    for j in range(k):
        a = w[:, j].reshape(h, wd)
        a = a / max(np.abs(a).max(), 1e-12)
        r, c = divmod(j, ncols)
        tiles[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + c * (wd + 1): 1 + c * (wd + 1) + wd] = a
    ax = new_axes(ax, (0.55 * ncols, 0.55 * rows + 0.3))
    cmap = plt.get_cmap("gray_r").with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(tiles), cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_density_panels(densities: dict, data: dict, lim: float, *, titles: dict | None = None,
                        panel_size: tuple[float, float] = (1.9, 1.9), axes=None) -> plt.Figure:
    """Small multiples of 2-D densities: one row per dataset, one column per method.

    Args:
        densities: dataset -> {method -> (n, n) density on the cell centres of [-lim, lim]^2,
            rows indexed by y_2 (as ``meshgrid(..., indexing="xy")`` gives)}; every dataset has the
            same methods.
        data: dataset -> (N, 2) points drawn on top (a few hundred suffice).
        lim: half side of the square.
        titles: optional (dataset, method) -> panel title (e.g. with the NLL).
        panel_size: size of one panel in inches.
        axes: one Axes per panel, in reading order (a new figure when None).

    Returns:
        The Figure.

    See chapter 8.
    """
    methods = dataset_methods(densities, "densities")
    for name in densities:
        if name not in data:
            raise ValueError(f"data must have points for dataset {name!r}")
    fig, axes = panels(len(densities) * len(methods), len(methods), panel_size, axes=axes)
    i = 0
    for name, row in densities.items():
        pts = _points(data[name], f"data[{name!r}]")
        for method, p in row.items():
            p = check_finite_array(np.asarray(to_numpy(p), dtype=float), f"density {name}/{method}")
            ax = axes[i]
            ax.imshow(p, origin="lower", extent=(-lim, lim, -lim, lim), cmap="magma", interpolation="nearest")
            ax.scatter(pts[:, 0], pts[:, 1], s=0.4, color="C0", alpha=0.5)
            ax.set_xticks([])
            ax.set_yticks([])
            label = (titles or {}).get((name, method), f"{name}: {method}")
            ax.set_title(label, fontsize=7)
            if method == methods[0]:
                ax.set_ylabel(name, fontsize=8)
            i += 1
    return fig
