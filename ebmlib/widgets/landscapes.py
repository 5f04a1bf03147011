"""Widgets on energy landscapes: gradient inference (chapter 1), latent inference and beta (chapters 2, 3).

Each widget is a ``VBox`` subclass with its sliders as attributes and an ``update()`` method that
recomputes and redraws; every slider change calls ``update()``. Each has a static small-multiples
counterpart in :mod:`ebmlib.plotting` so that the HTML book carries the same message without a
running kernel.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from .._checks import check_in_range, check_limits, check_nonneg_int, check_positive, check_tensor
from ..soft_minimum import free_energy
from ..latent import Decoder, infer_latent, latent_energy_table, latent_grid
from ..plotting import draw_latent_inference, energy_grid, plot_free_energy_map
from ..plotting._base import LAYOUT
from ..plotting.landscapes import _descend, _draw_descent
from ._common import FigureWidget

__all__ = [
    # chapter 1
    "GradientInferenceWidget",
    "gradient_inference_widget",
    # chapters 2 and 3
    "LatentInferenceWidget",
    "latent_inference_widget",
    "FreeEnergyBetaWidget",
    "free_energy_beta_widget",
]

Energy = Callable[[torch.Tensor], torch.Tensor]


def _show_figure(output: widgets.Output, fig) -> None:
    """Replace what ``output`` shows by a PNG of ``fig``, kernel-side.

    Setting ``output.outputs`` directly (rather than ``with output: display(fig)``) needs no
    front end to route the display message into the widget, so the figure lands inside the widget
    the same way in a live notebook, under nbclient (whose saved widget state then holds it) and
    under nbval (which would otherwise see it as a stray cell output).
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": repr(fig)}
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)


# ============================================================================================
# Chapter 1: gradient inference on a 2-D landscape
# ============================================================================================

class GradientInferenceWidget(FigureWidget):
    """Sliders for the start point and step size of gradient inference, and the path they give.

    Attributes:
        y1, y2: ``FloatSlider`` for the starting point.
        step_size: ``FloatLogSlider`` for the step size.
        output: the ``Output`` widget holding the figure.
        trajectory: the last trajectory, shape (steps + 1, 1, 2), or None if it diverged.

    See chapter 1.
    """

    def __init__(self, energy: Energy, xlim, ylim, *, start=(1.5, 1.5), step_size: float = 0.05,
                 step_size_range: tuple[float, float] = (1e-3, 0.5), steps: int = 40, n: int = 81,
                 vmax: float | None = None, levels=20, figsize=(5.0, 4.0)):
        self.energy = energy
        self.xlim, self.ylim = check_limits(xlim, "xlim"), check_limits(ylim, "ylim")
        self.steps = check_nonneg_int(steps, "steps")
        eps, lo, hi = check_in_range(step_size, step_size_range, "step_size", "step_size_range")
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
        self.step_size = widgets.FloatLogSlider(value=eps, base=10, min=torch.log10(torch.tensor(lo)).item(),
                                         max=torch.log10(torch.tensor(hi)).item(), step=0.05,
                                         description="step size", readout_format=".3f",
                                         continuous_update=False)
        self.fig, self.ax = plt.subplots(figsize=figsize, layout=LAYOUT)
        self._mount([widgets.HBox([self.y1, self.y2]), self.step_size], (self.y1, self.y2, self.step_size))

    def update(self) -> torch.Tensor | None:
        """Rerun gradient inference from the sliders' start with their step size and redraw.

        Returns:
            The new trajectory (steps + 1, 1, 2), or None when the descent diverged.
        """
        self.ax.clear()
        eps = self.step_size.value
        y0, self.trajectory, e_end = _descend(self.energy, (self.y1.value, self.y2.value), eps, self.steps)
        _draw_descent(self.ax, self.energy, y0, self.trajectory, e_end, step_size=eps, steps=self.steps,
                      xlim=self.xlim, ylim=self.ylim, grid=self.grid, vmax=self.vmax, levels=self.levels)
        self.n_updates += 1
        _show_figure(self.output, self.fig)
        return self.trajectory


def gradient_inference_widget(energy: Energy, xlim, ylim, **kwargs) -> GradientInferenceWidget:
    """Build the chapter-1 widget: choose a start and a step size, watch gradient inference move.

    y_{t+1} = y_t - eps * dE/dy (y_t), drawn over the contours of E.

    Args:
        energy: callable mapping y (B, 2) to energies (B,).
        xlim, ylim: ranges of the landscape and of the start sliders.
        **kwargs: ``start``, ``step_size``, ``step_size_range``, ``steps``, ``n``, ``vmax``, ``levels``,
            ``figsize`` (see :class:`GradientInferenceWidget`).

    Returns:
        The widget (display it as a cell's last expression).

    See chapter 1.
    """
    return GradientInferenceWidget(energy, xlim, ylim, **kwargs)


# ============================================================================================
# Chapters 2 and 3: latent inference and the temperature of the free energy
# ============================================================================================

class LatentInferenceWidget(FigureWidget):
    """Two sliders move an observation y; the energy E(y, .) over z and its minimiser z_check follow.

    Attributes:
        y1, y2: ``FloatSlider`` for the observation.
        output: the ``Output`` widget holding the figure.
        z_check, f_inf: the last inference result (floats).

    See chapter 2.
    """

    def __init__(self, decoder: Decoder, *, y0=(1.0, 0.5), y1_range=(-3.0, 3.0), y2_range=(-2.5, 2.5),
                 z_grid: torch.Tensor | None = None, data: torch.Tensor | None = None,
                 energy_range: tuple[float, float] | None = None, figsize=(9.0, 3.6)):
        self.decoder = decoder
        self.z_grid = latent_grid(48, dtype=torch.float64) if z_grid is None else z_grid
        self.data = data
        self.energy_range = energy_range
        r1, r2 = check_limits(y1_range, "y1_range"), check_limits(y2_range, "y2_range")
        if not (r1[0] <= y0[0] <= r1[1] and r2[0] <= y0[1] <= r2[1]):
            raise ValueError(f"y0={tuple(y0)!r} must lie inside y1_range={r1} and y2_range={r2}")
        self.z_check: float | None = None
        self.f_inf: float | None = None
        self.n_updates = 0
        self.y1 = widgets.FloatSlider(value=float(y0[0]), min=r1[0], max=r1[1], step=(r1[1] - r1[0]) / 120,
                                      description="y1", continuous_update=False)
        self.y2 = widgets.FloatSlider(value=float(y0[1]), min=r2[0], max=r2[1], step=(r2[1] - r2[0]) / 100,
                                      description="y2", continuous_update=False)
        self.fig, self.axes = plt.subplots(1, 2, figsize=figsize, layout=LAYOUT)
        self._mount([widgets.HBox([self.y1, self.y2])], (self.y1, self.y2))

    def update(self) -> tuple[float, float]:
        """Recompute E(y, .) on the grid and z_check for the sliders' y, and redraw.

        Returns:
            ``(z_check, F_inf)``.
        """
        y = (self.y1.value, self.y2.value)
        draw_latent_inference(y, self.decoder, axes=self.axes, z_grid=self.z_grid, data=self.data,
                              ylim=self.energy_range)
        z, f = infer_latent(torch.tensor([y], dtype=torch.float64), self.decoder, z_grid=self.z_grid.to(torch.float64))
        self.z_check, self.f_inf = z.item(), f.item()
        self.n_updates += 1
        _show_figure(self.output, self.fig)
        return self.z_check, self.f_inf


def latent_inference_widget(decoder: Decoder, **kwargs) -> LatentInferenceWidget:
    """Build the chapter-2 widget: move y with two sliders, watch E(y, z) over z and z_check update.

    z_check = argmin_k E(y, z_k),  E(y, z) = ||y - g(z)||^2.

    Args:
        decoder: g, maps (N_z,) latents to (N_z, 2) points (e.g. ``EllipseDecoder()``).
        **kwargs: ``y0``, ``y1_range``, ``y2_range``, ``z_grid``, ``data``, ``energy_range``,
            ``figsize`` (see :class:`LatentInferenceWidget`).

    Returns:
        The widget (display it as a cell's last expression).

    See chapter 2.
    """
    return LatentInferenceWidget(decoder, **kwargs)


class FreeEnergyBetaWidget(FigureWidget):
    """A log-scale beta slider over the free-energy landscape F_beta(y) of a latent-variable model.

    The energy table over (y grid, z grid) is computed once; each slider move only re-takes the
    soft minimum, so it redraws quickly.

    Attributes:
        beta: ``FloatLogSlider`` for the inverse temperature.
        output: the ``Output`` widget holding the figure.
        F: the last free energy on the grid, (n2, n1).

    See chapter 3.
    """

    def __init__(self, decoder: Decoder, y1: torch.Tensor, y2: torch.Tensor, *, beta: float = 1.0,
                 beta_range=(0.1, 100.0), z_grid: torch.Tensor | None = None, data: torch.Tensor | None = None,
                 figsize=(5.0, 4.2)):
        check_tensor(y1, "y1", ndim=1)
        check_tensor(y2, "y2", ndim=1)
        lo, hi = check_limits(beta_range, "beta_range")
        check_positive(lo, "beta_range low")
        beta = check_positive(beta, "beta")
        if not lo <= beta <= hi:
            raise ValueError(f"beta={beta} must lie inside beta_range={tuple(beta_range)!r}")
        self.y1, self.y2, self.data = y1, y2, data
        z = latent_grid(48, dtype=y1.dtype) if z_grid is None else z_grid
        Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")  # (n2, n1)
        y = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=-1)  # (n2*n1, 2)
        with torch.no_grad():
            self.table = latent_energy_table(y, decoder, z)  # (n2*n1, N_z), computed once
            self.curve = decoder(torch.linspace(0, 2 * math.pi, 200, dtype=y1.dtype))
        self.F: torch.Tensor | None = None
        self.n_updates = 0
        self.beta = widgets.FloatLogSlider(value=beta, base=10, min=math.log10(lo), max=math.log10(hi), step=0.05,
                                           description="beta", readout_format=".3g", continuous_update=False)
        self.fig, self.ax = plt.subplots(figsize=figsize, layout=LAYOUT)
        self._colorbar = None
        self._mount([self.beta], (self.beta,))

    def update(self) -> torch.Tensor:
        """Recompute F_beta on the grid for the slider's beta and redraw; returns F (n2, n1)."""
        b = float(self.beta.value)
        self.F = free_energy(self.table, b).reshape(len(self.y2), len(self.y1))  # (n2, n1)
        self.fig.clf()
        self.ax = self.fig.add_subplot()
        plot_free_energy_map(self.y1, self.y2, self.F, data=self.data, curve=self.curve, ax=self.ax,
                             label=r"$F_\beta(y)$")
        self.ax.set_title(rf"$\beta$ = {b:.3g}")
        self.n_updates += 1
        _show_figure(self.output, self.fig)
        return self.F


def free_energy_beta_widget(decoder: Decoder, y1: torch.Tensor, y2: torch.Tensor, **kwargs) -> FreeEnergyBetaWidget:
    """Build the chapter-3 widget: a beta slider over the free energy F_beta(y) on a grid of y.

    F_beta(y) = -(1/beta) log( (1/N_z) sum_k exp(-beta ||y - g(z_k)||^2) ).

    Args:
        decoder: g, maps (N_z,) latents to (N_z, 2) points.
        y1, y2: grid values, (n1,) and (n2,).
        **kwargs: ``beta``, ``beta_range``, ``z_grid``, ``data``, ``figsize``
            (see :class:`FreeEnergyBetaWidget`).

    Returns:
        The widget (display it as a cell's last expression).

    See chapter 3.
    """
    return FreeEnergyBetaWidget(decoder, y1, y2, **kwargs)
