"""Self-supervised learning: the horn's slices and radii, masked-token probabilities.

See chapter 4.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_int
from ._base import new_axes, panels, to_numpy

__all__ = ['plot_horn_slices', 'plot_radii_curves', 'plot_token_probabilities']


def plot_horn_slices(x_data: torch.Tensor, y_data: torch.Tensor, x_slices: Sequence[float], learned: torch.Tensor,
                     true: torch.Tensor, *, centre: torch.Tensor | None = None,
                     panel_size: tuple[float, float] = (2.2, 2.4), n: int = 200, axes=None) -> plt.Figure:
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
        axes: S axes to draw on (a new figure when None).

    Returns:
        The ``Figure`` (one row of S panels, each with its own scale).

    See chapter 4.
    """
    xd, yd = to_numpy(x_data), to_numpy(y_data)
    if xd.ndim != 1 or yd.shape != (xd.shape[0], 2):
        raise ValueError(f"x_data must be (N,) and y_data (N, 2), got {xd.shape} and {yd.shape}")
    xs = np.asarray(list(x_slices), dtype=float)
    s = xs.size
    if s < 1:
        raise ValueError("x_slices must hold at least one value")
    lw, tw = np.abs(to_numpy(learned)), to_numpy(true)
    if lw.shape != (s, 2) or tw.shape != (s, 2):
        raise ValueError(f"learned and true must have shape ({s}, 2), got {lw.shape} and {tw.shape}")
    c = None if centre is None else to_numpy(centre)
    if c is not None and c.shape != (s, 2):
        raise ValueError(f"centre must have shape ({s}, 2), got {c.shape}")
    n = check_int(n, "n")
    fig, axes = panels(s, s, panel_size, axes=axes, sharex=False, sharey=False)
    t = np.linspace(0.0, 2 * np.pi, n)
    grid_x = np.unique(xd)
    for k, ax in enumerate(axes):
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
    axes[0].set_ylabel("$y_2$")
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncol=len(labels), frameon=False)
    return fig


def plot_radii_curves(x: torch.Tensor, learned: torch.Tensor, true: torch.Tensor, *, ax=None) -> plt.Axes:
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
    a, lw, tw = to_numpy(x), np.abs(to_numpy(learned)), to_numpy(true)
    if a.ndim != 1 or lw.shape != (a.size, 2) or tw.shape != (a.size, 2):
        raise ValueError(f"x must be (N,), learned and true (N, 2); got {a.shape}, {lw.shape}, {tw.shape}")
    ax = new_axes(ax, (4.5, 3.5))
    for j in range(2):
        ax.plot(a, tw[:, j], "--", color=f"C{j}", lw=1.2, label=rf"$\rho_{j + 1}(x)$")
        ax.plot(a, lw[:, j], "o", color=f"C{j}", ms=3, label=rf"$|f_{j + 1}(x)|$")
    ax.set_xlabel("x")
    ax.set_ylabel("half-axis")
    ax.legend(fontsize=8)
    return ax


def plot_token_probabilities(p_model: torch.Tensor, p_true: torch.Tensor, context_labels: Sequence[str],
                             token_names: Sequence[str], *, ax=None) -> plt.Axes:
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
    pm, pt = to_numpy(p_model), to_numpy(p_true)
    if pm.ndim != 2 or pm.shape != pt.shape:
        raise ValueError(f"p_model and p_true must have the same shape (C, V), got {pm.shape} and {pt.shape}")
    c, v = pm.shape
    if len(context_labels) != c or len(token_names) != v:
        raise ValueError(f"need {c} context labels and {v} token names, got {len(context_labels)} and {len(token_names)}")
    ax = new_axes(ax, (9, 3.2))
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
