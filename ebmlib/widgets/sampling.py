"""A widget on sampling (chapter 6): pick a sampler and a step size, watch the chains.

Its static counterpart is :func:`ebmlib.plotting.plot_sampler_grid` (small multiples over samplers
and step sizes), so that the HTML book carries the same message without a running kernel.
"""

from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from .._checks import check_in_range, check_limits, check_nonneg_int, check_tensor
from ..plotting import draw_sampler_run, energy_grid
from ..plotting._base import LAYOUT
from ..plotting.sampling import _run_or_diverged
from ..samplers import SAMPLER_NAMES
from ._common import FigureWidget
from .landscapes import _show_figure

__all__ = ["SamplerWidget", "sampler_widget"]

Energy = Callable[[torch.Tensor], torch.Tensor]


class SamplerWidget(FigureWidget):
    """A sampler dropdown and a log-scale step-size slider over a 2-D energy; the chains are redrawn.

    Each update runs the chosen sampler from the same starting points ``y0`` with the same seed
    and draws the final states of every chain, the path of the first one, and the acceptance rate.

    Attributes:
        sampler: ``Dropdown`` over ``SAMPLER_NAMES`` ("MH", "ULA", "MALA", "HMC").
        step_size: ``FloatLogSlider`` (the proposal scale for MH, eps otherwise).
        output: the ``Output`` widget holding the figure.
        rate: the last acceptance rate (None for ULA or after divergence).

    See chapter 6.
    """

    def __init__(self, energy: Energy, y0: torch.Tensor, *, sampler: str = "MALA", step_size: float = 0.1,
                 step_range: tuple[float, float] = (1e-3, 3.0), steps: int = 100, xlim=(-3.0, 3.0),
                 ylim=(-3.0, 3.0), mean=None, cov=None, generator: int = 0, figsize=(4.6, 4.4)):
        if not callable(energy):
            raise ValueError(f"energy must be callable (y of shape (B, 2) -> energies (B,)), got {type(energy).__name__}")
        check_tensor(y0, "y0", ndim=2)
        if sampler not in SAMPLER_NAMES:
            raise ValueError(f"sampler must be one of {SAMPLER_NAMES}, got {sampler!r}")
        step_size, lo, hi = check_in_range(step_size, step_range, "step_size", "step_range")
        self.energy, self.y0 = energy, y0
        self.steps = check_nonneg_int(steps, "steps")
        self.xlim, self.ylim = check_limits(xlim, "xlim"), check_limits(ylim, "ylim")
        self.mean, self.cov, self.generator = mean, cov, generator
        self.grid = energy_grid(energy, self.xlim, self.ylim, 61)  # computed once
        self.rate: float | None = None
        self.n_updates = 0
        self.sampler = widgets.Dropdown(options=list(SAMPLER_NAMES), value=sampler, description="sampler")
        self.step_size = widgets.FloatLogSlider(value=step_size, base=10, min=math.log10(lo), max=math.log10(hi),
                                                step=0.05, description="step size", readout_format=".3g",
                                                continuous_update=False)
        self.fig, self.ax = plt.subplots(figsize=figsize, dpi=80, layout=LAYOUT)  # a modest PNG in the saved widget state
        self._mount([widgets.HBox([self.sampler, self.step_size])], (self.sampler, self.step_size))

    def update(self) -> float | None:
        """Rerun the chosen sampler with the slider's step size and redraw; returns the acceptance rate."""
        self.ax.clear()
        name, eps = self.sampler.value, float(self.step_size.value)
        traj, self.rate = _run_or_diverged(self.energy, name, eps, y0=self.y0, steps=self.steps,
                                           generator=self.generator, n_leapfrog=5)
        draw_sampler_run(traj, name=name, step_size=eps, rate=self.rate, ax=self.ax, grid=self.grid,
                         xlim=self.xlim, ylim=self.ylim, mean=self.mean, cov=self.cov)
        self.n_updates += 1
        _show_figure(self.output, self.fig)
        return self.rate


def sampler_widget(energy: Energy, y0: torch.Tensor, **kwargs) -> SamplerWidget:
    """Build the chapter-6 widget: choose a sampler and a step size, watch where the chains go.

    Args:
        energy: maps y (B, 2) to energies (B,).
        y0: (B, 2) starting points of the chains (the same at every update).
        **kwargs: ``sampler``, ``step_size``, ``step_range``, ``steps``, ``xlim``, ``ylim``, ``mean``,
            ``cov`` (the target's, for its 2-sigma ellipse), ``generator`` (an int seed), ``figsize``.

    Returns:
        The widget (display it as a cell's last expression).

    See chapter 6.
    """
    return SamplerWidget(energy, y0, **kwargs)
