"""Tests for ebmlib.widgets: the widget builds, has its sliders, and a slider change recomputes."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib.energies import tilted_double_well  # noqa: E402
from ebmlib.inference import gradient_inference  # noqa: E402
from ebmlib.widgets import GradientInferenceWidget, gradient_inference_widget  # noqa: E402


def make(**kw):
    return gradient_inference_widget(tilted_double_well, (-2, 2), (-2, 2), n=21, steps=15, **kw)


def test_widget_builds_with_sliders():
    w = make(start=(1.0, 0.5), lr=0.05)
    assert isinstance(w, GradientInferenceWidget) and isinstance(w, widgets.VBox)
    assert isinstance(w.y1, widgets.FloatSlider) and isinstance(w.y2, widgets.FloatSlider)
    assert isinstance(w.lr, widgets.FloatLogSlider)
    assert (w.y1.value, w.y2.value) == (1.0, 0.5)
    assert w.lr.value == pytest.approx(0.05)
    assert w.n_updates == 1 and w.trajectory.shape == (16, 1, 2)
    assert "diverged" not in w.ax.get_title()


def test_slider_change_recomputes():
    w = make(start=(1.0, 0.5), lr=0.05)
    w.y1.value = -1.2
    assert w.n_updates == 2
    torch.testing.assert_close(w.trajectory[0, 0], torch.tensor([-1.2, 0.5], dtype=torch.float64))
    w.lr.value = 0.1
    assert w.n_updates == 3
    ref = gradient_inference(tilted_double_well, torch.tensor([[-1.2, 0.5]], dtype=torch.float64), steps=15,
                             lr=w.lr.value)
    torch.testing.assert_close(w.trajectory[-1], ref)


def test_diverging_step_is_reported_not_raised():
    w = gradient_inference_widget(tilted_double_well, (-3, 3), (-3, 3), n=21, steps=30, lr=0.05, lr_range=(1e-3, 2.0),
                                  start=(2.5, 2.5))
    w.lr.value = 2.0
    assert w.trajectory is None and "diverged" in w.ax.get_title()


def test_bad_settings():
    with pytest.raises(ValueError, match="lr_range"):
        make(lr=1.0, lr_range=(0.01, 0.5))
    with pytest.raises(ValueError, match="lr_range"):
        make(lr_range=(0.5, 0.01))
    with pytest.raises(ValueError, match="lr"):
        make(lr=-1.0)
