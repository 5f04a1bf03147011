"""Tests for ebmlib.widgets.sampling: the widget builds, and each control change reruns the sampler."""

import ipywidgets as widgets
import pytest
import torch
from _targets import COV, MU, gauss_energy

from ebmlib.samplers import run_sampler
from ebmlib.widgets import SamplerWidget, sampler_widget

Y0 = torch.zeros(40, 2, dtype=torch.float64)


def test_widget_builds_and_follows_its_controls():
    w = sampler_widget(gauss_energy, Y0, steps=20, mean=MU.numpy(), cov=COV.numpy())
    assert isinstance(w, SamplerWidget) and isinstance(w, widgets.VBox)
    assert isinstance(w.sampler, widgets.Dropdown) and isinstance(w.step_size, widgets.FloatLogSlider)
    assert w.n_updates == 1 and w.sampler.value == "MALA"
    assert w.rate == run_sampler("MALA", gauss_energy, Y0, step_size=w.step_size.value, steps=20, generator=0)[1]
    w.sampler.value = "MH"
    assert w.n_updates == 2
    w.step_size.value = 1.0
    assert w.n_updates == 3
    assert w.rate == pytest.approx(run_sampler("MH", gauss_energy, Y0, step_size=1.0, steps=20, generator=0)[1])
    w.sampler.value = "ULA"
    assert w.rate is None and w.ax.get_title().startswith("ULA")
    # the figure is inside the widget's Output, as a PNG (what the HTML book shows from the saved state)
    assert w.output.outputs[0]["data"]["image/png"]
