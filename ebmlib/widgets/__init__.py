"""Interactive figures (ipywidgets), by topic.

Each widget is a ``VBox`` subclass with its sliders as attributes and an ``update()`` method that
recomputes and redraws; every slider change calls ``update()``. Each has a static small-multiples
counterpart in :mod:`ebmlib.plotting` so that the HTML book carries the same message without a
running kernel.
"""

from .landscapes import (FreeEnergyBetaWidget, GradientInferenceWidget, LatentInferenceWidget,
                         free_energy_beta_widget, gradient_inference_widget, latent_inference_widget)
from .sampling import SamplerWidget, sampler_widget

__all__ = [
    # gradient inference on a landscape (chapter 1)
    "GradientInferenceWidget", "gradient_inference_widget",
    # latent inference and the temperature of the free energy (chapters 2 and 3)
    "LatentInferenceWidget", "latent_inference_widget", "FreeEnergyBetaWidget", "free_energy_beta_widget",
    # sampling: sampler and step size (chapter 6)
    "SamplerWidget", "sampler_widget",
]
