"""Tests for the chapter-2/3 widgets: they build, have their sliders, and a slider change recomputes."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib import EllipseDecoder, free_energy_on_grid, infer_latent  # noqa: E402
from ebmlib.widgets import (FreeEnergyBetaWidget, LatentInferenceWidget,  # noqa: E402
                                    free_energy_beta_widget, latent_inference_widget)


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
