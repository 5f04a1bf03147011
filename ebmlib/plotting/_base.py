"""Figure helpers shared by :mod:`ebmlib.plotting` and :mod:`ebmlib.widgets` (private).

This module imports no other plotting module (and no inference): every plotting module and widget
imports its helpers from here, by their own names, so the package has no import circle.

The plotting convention of ebmlib: a single-panel function takes ``ax=None`` (keyword) and returns
the ``Axes`` it drew on; a multi-panel function takes ``axes=None`` and returns the ``Figure``.
Every figure ebmlib creates uses Matplotlib's constrained layout; nothing calls ``plt.show()``.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch


__all__: list[str] = []

Energy = Callable[[torch.Tensor], torch.Tensor]
LAYOUT = "constrained"


def to_numpy(t) -> np.ndarray:
    """A tensor (detached, on the CPU) or anything array-like as a NumPy array."""
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def check_finite_array(a: np.ndarray, name: str) -> np.ndarray:
    """Refuse to draw NaN/inf (a blank patch in a figure would hide the bug that made it)."""
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def beta_label(b: float) -> str:
    """The legend label of an inverse temperature, with infinity written as such."""
    return r"$\beta=\infty$" if math.isinf(b) else rf"$\beta={b:g}$"


def new_axes(ax: plt.Axes | None, figsize: tuple[float, float]) -> plt.Axes:
    """``ax`` itself, or the axes of a new figure (constrained layout) when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout=LAYOUT)
    return ax


def given_axes(axes, k: int) -> tuple[plt.Figure, list[plt.Axes]]:
    """The first ``k`` of the caller's ``axes`` (any nesting, reading order) and their figure."""
    flat = list(np.asarray(axes, dtype=object).reshape(-1))
    if len(flat) < k:
        raise ValueError(f"axes must hold at least {k} Axes (one per panel), got {len(flat)}")
    return flat[0].figure, flat[:k]


def panels(k: int, ncols: int, panel_size: tuple[float, float], *, axes=None, sharex: bool = True,
           sharey: bool = True, xlabel: str = "", ylabel: str = "") -> tuple[plt.Figure, list[plt.Axes]]:
    """The ``k`` axes of a multi-panel figure, in reading order, and their figure.

    With ``axes=None`` a new grid of ``k`` panels, ``ncols`` per row (constrained layout, spare
    panels switched off, outer axes labelled); otherwise the given axes (at least ``k`` of them).
    """
    if axes is not None:
        return given_axes(axes, k)
    nrows = math.ceil(k / ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharex=sharex, sharey=sharey, squeeze=False, layout=LAYOUT)
    for ax in grid.flat[k:]:
        ax.axis("off")
    for ax in grid[-1]:
        ax.set_xlabel(xlabel, fontsize=8)
    for ax in grid[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    return fig, list(grid.flat[:k])


def dataset_methods(table: Mapping, name: str) -> list:
    """The methods of a ``{dataset: {method: value}}`` table whose datasets all have the same methods in one order.

    The figures with one row per dataset and one column per method validate their table with this.
    """
    if not table:
        raise ValueError(f"{name} must hold at least one dataset {{dataset: {{method: value}}}}, got none")
    methods = list(next(iter(table.values())))
    if not methods:
        raise ValueError(f"{name} must hold at least one method per dataset")
    for dataset, row in table.items():
        if list(row) != methods:
            raise ValueError(f"{name}[{dataset!r}] must have the methods {methods} in that order, got {list(row)}")
    return methods
