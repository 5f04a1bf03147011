"""Figures for contrastive methods: learning curves, vector fields, digit mosaics and a grid of
normalised energy landscapes (datasets x training methods).

See chapter 7.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_int, check_limits, check_positive
from ._base import Energy, LAYOUT, check_finite_array, dataset_methods, panels, to_numpy

__all__ = ["plot_curves", "plot_vector_field", "plot_digit_grid", "plot_energy_comparison"]

Energy = Callable[[torch.Tensor], torch.Tensor]


def plot_curves(curves: Mapping[str, tuple], *, ax: plt.Axes | None = None, reference: Mapping[str, float] | None = None,
                xlabel: str = "", ylabel: str = "", logx: bool = False, logy: bool = False,
                title: str | None = None) -> plt.Axes:
    """Several named curves y(x) on one axes, with optional horizontal reference lines.

    Args:
        curves: ``{label: (x, y)}``, x and y 1-D of the same length (tensors or arrays).
        ax: axes to draw on (a new figure when None).
        reference: ``{label: value}`` drawn as dashed horizontal lines.
        xlabel, ylabel, title: labels.
        logx, logy: logarithmic axes.

    Returns:
        The axes.

    See chapter 7.
    """
    if not curves:
        raise ValueError("curves must hold at least one curve {label: (x, y)}")
    checked = {}
    for label, xy in curves.items():
        try:
            x, y = (np.asarray(to_numpy(v), dtype=float) for v in xy)
        except (TypeError, ValueError):
            raise ValueError(f"curve {label!r} must be a pair (x, y) of 1-D arrays") from None
        if x.ndim != 1 or x.shape != y.shape or x.size == 0:
            raise ValueError(f"curve {label!r} must be a pair (x, y) of 1-D arrays of the same length, "
                             f"got shapes {x.shape} and {y.shape}")
        checked[label] = (x, check_finite_array(y, f"curve {label!r}"))
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5), layout=LAYOUT)
    for label, (x, y) in checked.items():
        ax.plot(x, y, "-", lw=1.5, label=label)
    for i, (label, value) in enumerate((reference or {}).items()):
        ax.axhline(float(value), color=f"C{len(checked) + i}", ls="--", lw=1, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_vector_field(field: Callable[[torch.Tensor], torch.Tensor], lim: tuple[float, float], *, n: int = 17,
                      ax: plt.Axes | None = None, color: str = "k", scale: float | None = None) -> plt.Axes:
    """Arrows of a 2-D vector field v(y) on an n x n grid over the square lim x lim.

    Args:
        field: maps (B, 2) float64 points to (B, 2) vectors (e.g. r(y) - y for a denoiser r).
        lim: (low, high) for both coordinates.
        n: arrows per axis, >= 2.
        ax: axes to draw on (a new figure when None).
        color: arrow colour.
        scale: Matplotlib's quiver scale (None: automatic); arrows are drawn in data units.

    Returns:
        The axes.

    See chapter 7.
    """
    lo, hi = check_limits(lim, "lim")
    n = check_int(n, "n", minimum=2)
    a = torch.linspace(lo, hi, n, dtype=torch.float64)
    Y2, Y1 = torch.meshgrid(a, a, indexing="ij")
    pts = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n * n, 2)
    with torch.no_grad():
        v = field(pts)
    if not isinstance(v, torch.Tensor) or tuple(v.shape) != (n * n, 2):
        got = tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
        raise ValueError(f"field must return shape ({n * n}, 2) for points of shape ({n * n}, 2), got {got}")
    v = check_finite_array(to_numpy(v), "field")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5), layout=LAYOUT)
    ax.quiver(pts[:, 0].numpy(), pts[:, 1].numpy(), v[:, 0], v[:, 1], color=color, angles="xy",
              scale_units="xy", scale=scale if scale is not None else 1.0, width=0.004)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    return ax


def plot_digit_grid(images, *, ncols: int = 10, ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Tile 8 x 8 images (rows of 64 pixels, values in [0, 1]) into one mosaic, ``ncols`` per row.

    Args:
        images: (N, 64) or (N, 8, 8) array or tensor with values in [0, 1].
        ncols: images per row, >= 1.
        ax: axes to draw on (a new figure when None).
        title: axes title.

    Returns:
        The axes.

    See chapter 7.
    """
    imgs = np.asarray(to_numpy(images), dtype=float)
    if imgs.ndim == 2 and imgs.shape[1] == 64:
        imgs = imgs.reshape(-1, 8, 8)
    if imgs.ndim != 3 or imgs.shape[1:] != (8, 8) or imgs.shape[0] == 0:
        raise ValueError(f"images must have shape (N, 64) or (N, 8, 8) with N >= 1, got {np.shape(images)}")
    check_finite_array(imgs, "images")
    ncols = check_int(ncols, "ncols")
    n = imgs.shape[0]
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    mosaic = np.ones((nrows * 9 + 1, ncols * 9 + 1)) * 0.5  # 1-pixel grey separators
    for k in range(n):
        r, c = divmod(k, ncols)
        mosaic[1 + 9 * r:9 + 9 * r, 1 + 9 * c:9 + 9 * c] = imgs[k]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * ncols, 0.5 * nrows), layout=LAYOUT)
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_energy_comparison(energies: Mapping[str, Mapping[str, Energy]], lim: float, *,
                           data: Mapping[str, torch.Tensor] | None = None, n: int = 81, vmax: float = 8.0,
                           levels: int = 12, panel_size: tuple[float, float] = (1.45, 1.45),
                           axes=None) -> plt.Figure:
    """A grid of normalised energy landscapes: one row per dataset, one column per training method.

    Each panel shows -log p(y) = E(y) + log Z, with Z a Riemann sum over the plotted n x n grid,
    so that every panel shares one colour scale (clipped at ``vmax``); dark = likely. An optional
    first column shows samples of each dataset.

    Args:
        energies: ``{dataset: {method: energy}}``, each energy mapping (B, 2) float64 points to (B,).
            Every row must have the same methods, in the same order.
        lim: the panels cover [-lim, lim]^2 (> 0).
        data: ``{dataset: (N, 2) points}`` for the first column (optional).
        n: grid points per axis, >= 2.
        vmax: top of the colour scale, > 0 (in nats above 0).
        levels: number of filled contour levels.
        panel_size: (width, height) of one panel in inches.
        axes: one Axes per panel, in reading order (a new figure when None).

    Returns:
        The Figure.

    See chapter 7.
    """
    methods = dataset_methods(energies, "energies")
    lim = check_positive(lim, "lim")
    n = check_int(n, "n", minimum=2)
    vmax = check_positive(vmax, "vmax")
    a = torch.linspace(-lim, lim, n, dtype=torch.float64)
    Y2, Y1 = torch.meshgrid(a, a, indexing="ij")
    pts = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=1)  # (n * n, 2)
    cell = (2 * lim / (n - 1)) ** 2
    with_data = data is not None
    ncols = len(methods) + int(with_data)
    fig, axes = panels(len(energies) * ncols, ncols, panel_size, axes=axes)
    lv = np.linspace(0.0, vmax, levels + 1)
    cs = None
    for r, (name, row) in enumerate(energies.items()):
        row_axes = axes[r * ncols:(r + 1) * ncols]
        if with_data:
            if name not in data:
                raise ValueError(f"data must have an entry for every dataset, {name!r} is missing")
            d = to_numpy(data[name])
            row_axes[0].plot(d[:, 0], d[:, 1], ".", ms=0.8, color="k", alpha=0.5, rasterized=True)
            row_axes[0].set_ylabel(name, fontsize=9)
        for ax, (method, energy) in zip(row_axes[int(with_data):], row.items()):
            with torch.no_grad():
                e = energy(pts)
            if not isinstance(e, torch.Tensor) or tuple(e.shape) != (n * n,):
                raise ValueError(f"energy of {method!r} on {name!r} must return shape ({n * n},)")
            e = check_finite_array(to_numpy(e).astype(float), f"energy of {method!r} on {name!r}")
            log_z = float(torch.logsumexp(torch.from_numpy(-e), 0)) + math.log(cell)
            nlp = np.clip(e + log_z, 0.0, vmax).reshape(n, n)  # -log p, clipped to the colour range
            cs = ax.contourf(Y1.numpy(), Y2.numpy(), nlp, levels=lv, cmap="magma_r")
            if r == 0:
                ax.set_title(method, fontsize=9)
        if with_data and r == 0:
            row_axes[0].set_title("data", fontsize=9)
    for ax in axes:
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(cs, ax=axes, shrink=0.6, label=r"$-\log p(y)$ (nats)", ticks=np.linspace(0, vmax, 5))
    return fig
