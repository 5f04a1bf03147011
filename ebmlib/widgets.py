"""Interactive figures (ipywidgets), organised by the chapter that introduces them.

Each widget is a ``VBox`` subclass with its sliders as attributes and an ``update()`` method that
recomputes and redraws; every slider change calls ``update()``. Each has a static small-multiples
counterpart in :mod:`ebmlib.plotting` so that the HTML book carries the same message without a
running kernel.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import display

from .plotting import draw_gradient_inference, energy_grid
from .utils import _check_nonneg_int, _check_positive

__all__ = [
    # chapter 1
    "GradientInferenceWidget",
    "gradient_inference_widget",
]

Energy = Callable[[torch.Tensor], torch.Tensor]


# ============================================================================================
# Chapter 1: gradient inference on a 2-D landscape
# ============================================================================================

class GradientInferenceWidget(widgets.VBox):
    """Sliders for the start point and step size of gradient inference, and the path they give.

    Attributes:
        y1, y2: ``FloatSlider`` for the starting point.
        lr: ``FloatLogSlider`` for the step size.
        output: the ``Output`` widget holding the figure.
        trajectory: the last trajectory, shape (steps + 1, 1, 2), or None if it diverged.

    See chapter 1.
    """

    def __init__(self, energy: Energy, xlim, ylim, *, start=(1.5, 1.5), lr: float = 0.05,
                 lr_range: tuple[float, float] = (1e-3, 0.5), steps: int = 40, n: int = 81,
                 vmax: float | None = None, levels=20, figsize=(5.0, 4.0)):
        self.energy = energy
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.steps = _check_nonneg_int(steps, "steps")
        lo, hi = (_check_positive(v, "lr_range") for v in lr_range)
        if not lo < hi:
            raise ValueError(f"lr_range must be (low, high) with low < high, got {lr_range!r}")
        lr = _check_positive(lr, "lr")
        if not lo <= lr <= hi:
            raise ValueError(f"lr={lr} must lie inside lr_range={lr_range!r}")
        self.vmax, self.levels = vmax, levels
        self.grid = energy_grid(energy, xlim, ylim, n)  # computed once, reused at every redraw
        self.trajectory: torch.Tensor | None = None
        self.n_updates = 0

        step = (self.xlim[1] - self.xlim[0]) / 100
        self.y1 = widgets.FloatSlider(value=float(start[0]), min=self.xlim[0], max=self.xlim[1], step=step,
                                      description="start y1", continuous_update=False)
        step = (self.ylim[1] - self.ylim[0]) / 100
        self.y2 = widgets.FloatSlider(value=float(start[1]), min=self.ylim[0], max=self.ylim[1], step=step,
                                      description="start y2", continuous_update=False)
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=torch.log10(torch.tensor(lo)).item(),
                                         max=torch.log10(torch.tensor(hi)).item(), step=0.05,
                                         description="step size", readout_format=".3f",
                                         continuous_update=False)
        self.output = widgets.Output()
        self.fig, self.ax = plt.subplots(figsize=figsize)
        plt.close(self.fig)  # shown only through the Output widget, never inline a second time
        super().__init__(children=[widgets.HBox([self.y1, self.y2]), self.lr, self.output])
        for slider in (self.y1, self.y2, self.lr):
            slider.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> torch.Tensor | None:
        """Rerun gradient inference from the sliders' start with their step size and redraw.

        Returns:
            The new trajectory (steps + 1, 1, 2), or None when the descent diverged.
        """
        self.ax.clear()
        self.trajectory = draw_gradient_inference(
            self.ax, self.energy, (self.y1.value, self.y2.value), self.lr.value, steps=self.steps,
            xlim=self.xlim, ylim=self.ylim, grid=self.grid, vmax=self.vmax, levels=self.levels)
        self.n_updates += 1
        with self.output:
            self.output.clear_output(wait=True)
            display(self.fig)
        return self.trajectory


def gradient_inference_widget(energy: Energy, xlim, ylim, **kwargs) -> GradientInferenceWidget:
    """Build the chapter-1 widget: choose a start and a step size, watch gradient inference move.

    y_{t+1} = y_t - lr * dE/dy (y_t), drawn over the contours of E.

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        xlim, ylim: ranges of the landscape and of the start sliders.
        **kwargs: ``start``, ``lr``, ``lr_range``, ``steps``, ``n``, ``vmax``, ``levels``, ``figsize``
            (see :class:`GradientInferenceWidget`).

    Returns:
        The widget (display it as a cell's last expression).

    See chapter 1.
    """
    return GradientInferenceWidget(energy, xlim, ylim, **kwargs)
