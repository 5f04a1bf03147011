"""Figures of images and of the training of an image energy: grids of samples, rows of inpaintings, curves.

See chapter 9.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._checks import check_int, check_limits
from ._base import LAYOUT, check_finite_array, new_axes, to_numpy

__all__ = ["image_grid", "plot_image_rows", "plot_training_energies"]


def _images(images, name: str = "images") -> np.ndarray:
    """(N, 1, H, W), (N, H, W) or (N, H*W) square images as an (N, H, W) array."""
    raw = to_numpy(images)
    if np.iscomplexobj(raw):
        raise ValueError(f"{name} must hold real pixel values, got a complex array")
    a = check_finite_array(np.asarray(raw, dtype=float), name)
    if a.ndim == 4 and a.shape[1] == 1:
        a = a[:, 0]
    elif a.ndim == 2 and a.shape[0] > 0 and math.isqrt(a.shape[1]) ** 2 == a.shape[1]:
        side = math.isqrt(a.shape[1])
        a = a.reshape(-1, side, side)
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N, 1, H, W), (N, H, W) or (N, H*W) with N >= 1, got {a.shape}")
    return a


def _montage(a: np.ndarray, ncols: int, pad: int, fill: float) -> np.ndarray:
    n, h, w = a.shape
    nrows = math.ceil(n / ncols)
    out = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), fill)
    for k in range(n):
        r, c = divmod(k, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = a[k]
    return out


def image_grid(images, *, ncols: int = 10, value_range: tuple[float, float] = (0.0, 1.0), cmap: str = "gray_r",
               title: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw N small images as one montage, ``ncols`` per row, separated by a thin blank line.

    Args:
        images: (N, 1, H, W), (N, H, W) or (N, H*W) square images (tensor or array).
        ncols: images per row.
        value_range: the (low, high) pixel values mapped to the ends of the colour map.
        cmap: a Matplotlib colour map ("gray_r": ink is dark, as on paper).
        title: optional title.
        ax: axes to draw on (a new figure when None).

    Returns:
        The ``Axes``.

    See chapter 9.
    """
    a = _images(images)
    ncols = check_int(ncols, "ncols")
    low, high = check_limits(value_range, "value_range")
    ncols = min(ncols, a.shape[0])
    nrows = math.ceil(a.shape[0] / ncols)
    ax = new_axes(ax, (0.45 * ncols + 0.3, 0.45 * nrows + 0.5))
    ax.imshow(_montage(a, ncols, 1, low), cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_image_rows(rows: dict, *, value_range: tuple[float, float] = (0.0, 1.0), cmap: str = "gray_r",
                    axes=None) -> plt.Figure:
    """One labelled row of images per entry of ``rows`` (e.g. original, masked, filled by each method).

    Args:
        rows: label -> images (N, ...) as for :func:`image_grid`; every entry has the same N.
        value_range, cmap: as for :func:`image_grid`.
        axes: one Axes per row (a new figure when None).

    Returns:
        The ``Figure``.

    See chapter 9.
    """
    if not isinstance(rows, dict) or not rows:
        raise ValueError(f"rows must be a non-empty dict label -> images, got {type(rows).__name__}")
    arrays = {k: _images(v, f"rows[{k!r}]") for k, v in rows.items()}
    n = {a.shape[0] for a in arrays.values()}
    if len(n) != 1:
        raise ValueError(f"rows must all hold the same number of images, got {sorted(n)}")
    n = n.pop()
    if axes is None:
        fig, axes = plt.subplots(len(arrays), 1, figsize=(0.45 * n + 1.4, 0.5 * len(arrays) + 0.3),
                                 squeeze=False, layout=LAYOUT)
        axes = list(axes[:, 0])
    else:
        axes = list(np.atleast_1d(np.asarray(axes, dtype=object)).reshape(-1))
        if len(axes) != len(arrays):
            raise ValueError(f"axes must hold one Axes per row ({len(arrays)}), got {len(axes)}")
        fig = axes[0].figure
    for ax, (label, a) in zip(axes, arrays.items()):
        image_grid(a, ncols=n, value_range=value_range, cmap=cmap, ax=ax)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    return fig


def plot_training_energies(e_data, e_model, *, smooth: int = 1, title: str | None = None,
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Mean energies of data and of the sampler's negatives at each training step, and their gap.

    Maximum-likelihood training pushes E(data) down and E(negatives) up; at equilibrium the
    sampler's negatives look like data and the gap E(negatives) - E(data) hovers around zero.
    A gap that grows without end, or energies that run away together, signal trouble.

    Args:
        e_data: (T,) mean energy of the data batch per step.
        e_model: (T,) mean energy of the negatives per step.
        smooth: moving-average window (1: raw curves).
        title: optional title.
        ax: axes to draw on (a new figure when None).

    Returns:
        The ``Axes``.

    See chapter 9.
    """
    d = check_finite_array(np.asarray(to_numpy(e_data), dtype=float), "e_data")
    m = check_finite_array(np.asarray(to_numpy(e_model), dtype=float), "e_model")
    if d.ndim != 1 or d.shape != m.shape or d.size == 0:
        raise ValueError(f"e_data and e_model must have the same shape (T,), T >= 1, got {d.shape} and {m.shape}")
    smooth = check_int(smooth, "smooth")
    if smooth > 1:
        kernel = np.ones(min(smooth, d.size)) / min(smooth, d.size)
        d, m = np.convolve(d, kernel, mode="valid"), np.convolve(m, kernel, mode="valid")
    ax = new_axes(ax, (5.0, 3.2))
    steps = np.arange(d.size) + 1
    ax.plot(steps, d, color="C0", lw=1.5, label="E(data)")
    ax.plot(steps, m, color="C3", lw=1.5, label="E(samples)")
    ax.plot(steps, m - d, color="0.3", lw=1.0, ls="--", label="gap E(samples) - E(data)")
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel("training step", fontsize=8)
    ax.set_ylabel("mean energy", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    return ax
