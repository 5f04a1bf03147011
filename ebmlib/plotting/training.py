"""Loss functionals and trained models: losses against the energy gap, fitted ellipses.

See chapter 5.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_int
from .._figures import LAYOUT, new_axes
from .._figures import to_numpy as _to_numpy

__all__ = ['plot_loss_vs_gap', 'plot_ellipse_fits']


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
                                 layout=LAYOUT)
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
    n = check_int(n, "n")
    ax = new_axes(ax, (4.6, 3.8))
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
