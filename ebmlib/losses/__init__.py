"""Loss functionals: how training turns energies into a number to minimise.

One shape for every loss: ``loss(energy, y, *, ..., reduction="mean")``. ``reduction`` is
``"mean"`` (the default: a scalar, the batch mean), ``"sum"`` or ``"none"`` (one value per data
point, (B,), whose mean is the default and whose sum is ``"sum"``; one shared check,
``ebmlib._checks.check_reduction``). Where the negatives are not paired with the data (a replay
buffer, NCE's noise sample) the per-point value carries the negatives' mean term, so that the mean
of the ``"none"`` values is still the loss. Step counts are ``steps``. Two deliberate deviations:
the margin losses (``energy_loss``, ``hinge_loss``, ``log_loss``, ``nll_loss``) take free energies
the caller computed (``f_pos``, ``f_neg``), because the caller chooses the negatives;
``energy_score`` takes forecast samples (it needs no energy at all).

See chapter 5 (margin losses, likelihood), chapter 7 (contrastive methods) and chapter 10 (diffusion,
the energy score).
"""

from .likelihood import grid_log_likelihood, ml_gradient, square_grid
from .margin import energy_loss, hinge_loss, log_loss, nll_loss
from .contrastive import contrastive_divergence_loss, persistent_contrastive_divergence_loss
from .diffusion import geometric_sigmas, noise_conditional_dsm_loss
from .nce import nce_loss
from .short_run import ShortRunStep, short_run_ml_loss
from .score import denoising_score_matching_loss, score_matching_loss, sliced_score_matching_loss
from .negatives import GridMargin, grid_margin, margin_training_loss, most_offending_on_grid
from .scoring import energy_score

__all__ = ["energy_loss", "hinge_loss", "log_loss", "nll_loss", "grid_log_likelihood", "ml_gradient", "square_grid",
           "most_offending_on_grid", "margin_training_loss", "grid_margin", "GridMargin",
           # chapter 7: contrastive methods
           "contrastive_divergence_loss", "persistent_contrastive_divergence_loss", "nce_loss",
           "score_matching_loss", "sliced_score_matching_loss", "denoising_score_matching_loss",
           # chapter 9: deep EBMs on images
           "short_run_ml_loss", "ShortRunStep",
           # chapter 10: EBMs today (diffusion as score matching at many noise levels; the energy score)
           "geometric_sigmas", "noise_conditional_dsm_loss", "energy_score"]

