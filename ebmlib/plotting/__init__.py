"""Figures for the book, by topic: landscapes, latent variables, free energy, self-supervised learning,
training, sampling, contrastive and architectural methods, images, energy-based generative models.

The contract (``tests/test_plotting_contract.py`` checks it for every function here): a one-panel
function takes ``ax=None`` and returns the ``Axes`` it drew on (a new figure's when None); a
several-panel function takes ``axes=None`` and returns the ``Figure`` (a new one when None). Nothing
here calls ``plt.show()`` - the notebook does - and nothing here runs a sampler by name: that is
:func:`ebmlib.samplers.run_sampler`. The shared helpers are in the private ``plotting._base``, which
imports no other plotting module.
"""

from .architectural import plot_atoms, plot_convergence, plot_density_panels, plot_kmeans_inference, plot_volume_vs_k
from .contrastive import plot_curves, plot_digit_grid, plot_energy_comparison, plot_vector_field
from .free_energy import plot_density_grid, plot_free_energy_sections
from .landscapes import (
    draw_gradient_inference,
    energy_grid,
    plot_energy_1d,
    plot_landscape,
    plot_step_size_grid,
)
from .latent import (
    draw_latent_inference,
    plot_ellipse_decoder,
    plot_free_energy_map,
    plot_latent_energy_curves,
    plot_two_wells,
)
from .sampling import (
    draw_sampler_run,
    plot_acceptance_curves,
    plot_autocorrelations,
    plot_hop_rates,
    plot_sampler_grid,
    plot_samples,
    plot_state_probabilities,
    plot_traces,
    plot_ula_bias,
)
from .ssl import plot_horn_slices, plot_radii_curves, plot_token_probabilities
from .generative import (
    plot_conditional_density,
    plot_experts,
    plot_fork_predictions,
    plot_free_energy_bound,
    plot_sample_sets,
    plot_score_fields,
)
from .training import plot_ellipse_fits, plot_energy_panels, plot_fit_vs_beta, plot_loss_vs_gap, plot_warm_training
from .images import image_grid, plot_training_energies, plot_image_rows

__all__ = [
    # landscapes and gradient inference (chapter 1)
    "energy_grid", "plot_landscape", "plot_energy_1d", "draw_gradient_inference", "plot_step_size_grid",
    # latent-variable EBMs (chapter 2)
    "plot_latent_energy_curves", "plot_free_energy_map", "draw_latent_inference", "plot_ellipse_decoder",
    "plot_two_wells",
    # free energy (chapter 3)
    "plot_free_energy_sections", "plot_density_grid",
    # self-supervised learning (chapter 4)
    "plot_horn_slices", "plot_radii_curves", "plot_token_probabilities",
    # loss functionals and training (chapter 5)
    "plot_loss_vs_gap", "plot_ellipse_fits", "plot_energy_panels", "plot_fit_vs_beta", "plot_warm_training",
    # sampling from an energy (chapter 6)
    "plot_samples", "draw_sampler_run", "plot_sampler_grid", "plot_acceptance_curves",
    "plot_hop_rates", "plot_traces", "plot_autocorrelations", "plot_ula_bias", "plot_state_probabilities",
    # contrastive methods (chapter 7)
    "plot_curves", "plot_vector_field", "plot_digit_grid", "plot_energy_comparison",
    # architectural methods (chapter 8)
    "plot_kmeans_inference", "plot_volume_vs_k", "plot_convergence", "plot_atoms", "plot_density_panels",
    # images and deep EBMs (chapter 9)
    "image_grid", "plot_image_rows", "plot_training_energies",
    # EBMs today (chapter 10)
    "plot_score_fields", "plot_sample_sets", "plot_fork_predictions", "plot_conditional_density",
    "plot_experts", "plot_free_energy_bound",
]

