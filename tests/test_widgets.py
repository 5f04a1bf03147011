"""Tests for ebmlib.widgets: the widget builds, has its sliders, and a slider change recomputes."""

import base64

import ipywidgets as widgets
import pytest
import torch

from ebmlib import EllipseDecoder, free_energy_on_grid, infer_latent
from ebmlib.energies import tilted_double_well
from ebmlib.inference import gradient_inference
from ebmlib.widgets import (
    FreeEnergyBetaWidget,
    GradientInferenceWidget,
    LatentInferenceWidget,
    free_energy_beta_widget,
    gradient_inference_widget,
    latent_inference_widget,
)


def make(**kw):
    return gradient_inference_widget(tilted_double_well, (-2, 2), (-2, 2), n=21, steps=15, **kw)


def test_widget_builds_with_sliders():
    w = make(start=(1.0, 0.5), step_size=0.05)
    assert isinstance(w, GradientInferenceWidget) and isinstance(w, widgets.VBox)
    assert isinstance(w.y1, widgets.FloatSlider) and isinstance(w.y2, widgets.FloatSlider)
    assert isinstance(w.step_size, widgets.FloatLogSlider)
    assert (w.y1.value, w.y2.value) == (1.0, 0.5)
    assert w.step_size.value == pytest.approx(0.05)
    assert w.n_updates == 1 and w.trajectory.shape == (16, 1, 2)
    assert "diverged" not in w.ax.get_title()


def test_slider_change_recomputes():
    w = make(start=(1.0, 0.5), step_size=0.05)
    w.y1.value = -1.2
    assert w.n_updates == 2
    torch.testing.assert_close(w.trajectory[0, 0], torch.tensor([-1.2, 0.5], dtype=torch.float64))
    w.step_size.value = 0.1
    assert w.n_updates == 3
    ref = gradient_inference(tilted_double_well, torch.tensor([[-1.2, 0.5]], dtype=torch.float64), steps=15,
                             step_size=w.step_size.value)
    torch.testing.assert_close(w.trajectory[-1], ref)


def test_diverging_step_is_reported_not_raised():
    w = gradient_inference_widget(tilted_double_well, (-3, 3), (-3, 3), n=21, steps=30, step_size=0.05,
                                  step_size_range=(1e-3, 2.0), start=(2.5, 2.5))
    w.step_size.value = 2.0
    assert w.trajectory is None and "diverged" in w.ax.get_title()


def test_bad_settings():
    with pytest.raises(ValueError, match="step_size_range"):
        make(step_size=1.0, step_size_range=(0.01, 0.5))
    with pytest.raises(ValueError, match="step_size_range"):
        make(step_size_range=(0.5, 0.01))
    with pytest.raises(ValueError, match="step_size"):
        make(step_size=-1.0)


# ============================================================================================
# Tests for the chapter-2/3 widgets: they build, have their sliders, and a slider change recomputes.
# ============================================================================================

def test_latent_inference_widget_follows_the_sliders():
    dec = EllipseDecoder(dtype=torch.float64)
    w = latent_inference_widget(dec, y0=(1.0, 0.5))
    assert isinstance(w, LatentInferenceWidget) and isinstance(w, widgets.VBox)
    assert isinstance(w.y1, widgets.FloatSlider) and isinstance(w.y2, widgets.FloatSlider)
    assert w.n_updates == 1
    w.y1.value = -1.5
    assert w.n_updates == 2
    z_ref, f_ref = infer_latent(torch.tensor([[-1.5, 0.5]], dtype=torch.float64), dec)
    assert w.z_check == pytest.approx(z_ref.item()) and w.f_inf == pytest.approx(f_ref.item())
    w.y2.value = -2.0
    z_ref, _ = infer_latent(torch.tensor([[w.y1.value, w.y2.value]], dtype=torch.float64), dec)
    assert w.n_updates == 3 and w.z_check == pytest.approx(z_ref.item())
    with pytest.raises(ValueError, match="y0"):
        latent_inference_widget(dec, y0=(5.0, 0.0))


def test_free_energy_beta_widget_recomputes():
    dec = EllipseDecoder(dtype=torch.float64)
    y1 = torch.linspace(-3, 3, 13, dtype=torch.float64)
    y2 = torch.linspace(-2.5, 2.5, 11, dtype=torch.float64)
    w = free_energy_beta_widget(dec, y1, y2, beta=1.0)
    assert isinstance(w, FreeEnergyBetaWidget) and isinstance(w.beta, widgets.FloatLogSlider)
    torch.testing.assert_close(w.F, free_energy_on_grid(dec, y1, y2, beta=1.0)[0])
    w.beta.value = 10.0
    assert w.n_updates == 2
    torch.testing.assert_close(w.F, free_energy_on_grid(dec, y1, y2, beta=w.beta.value)[0])
    with pytest.raises(ValueError, match="beta"):
        free_energy_beta_widget(dec, y1, y2, beta=1000.0)
    with pytest.raises(ValueError, match="beta_range"):
        free_energy_beta_widget(dec, y1, y2, beta_range=(0.0, 1.0))


# ============================================================================================
# The widgets put their figure inside their Output widget kernel-side, so an executed notebook
# ============================================================================================

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _only_png(w) -> bytes:
    """The single output of the widget's Output: a display_data holding a PNG."""
    assert len(w.output.outputs) == 1
    out = w.output.outputs[0]
    assert out["output_type"] == "display_data"
    png = base64.b64decode(out["data"]["image/png"])
    assert png.startswith(PNG_MAGIC)
    assert out["data"]["text/plain"].startswith("<Figure")
    return png


def _widgets():
    dec = EllipseDecoder(dtype=torch.float64)
    y1 = torch.linspace(-3, 3, 9, dtype=torch.float64)
    y2 = torch.linspace(-2, 2, 7, dtype=torch.float64)
    return [
        (latent_inference_widget(dec, y0=(1.0, 0.5)), "y1", -1.5),
        (free_energy_beta_widget(dec, y1, y2, beta=1.0), "beta", 10.0),
        (gradient_inference_widget(tilted_double_well, (-2.0, 2.0), (-2.0, 2.0), start=(1.0, 1.0)), "y1", -1.0),
    ]


def test_figure_lives_in_the_output_widget_and_is_replaced_on_change(capsys):
    for w, slider, value in _widgets():
        first = _only_png(w)
        getattr(w, slider).value = value
        second = _only_png(w)  # replaced, not appended
        assert second != first
    # nothing leaked to the cell (outside IPython, display() would print "<Figure ...>")
    assert capsys.readouterr().out == ""
