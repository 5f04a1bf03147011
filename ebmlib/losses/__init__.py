"""Loss functionals: how training turns energies into a number to minimise.

One shape for every loss: ``loss(energy, y, *, ..., reduction="mean")``. ``reduction`` is
``"mean"`` (the default: a scalar, the batch mean), ``"sum"`` or ``"none"`` (one value per data
point, (B,), whose mean is the default and whose sum is ``"sum"``; one shared check,
``ebmlib._checks.check_reduction``). Where the negatives are not paired with the data (a replay
buffer, NCE's noise sample) the per-point value carries the negatives' mean term, so that the mean
of the ``"none"`` values is still the loss. Step counts are ``steps``. Two deliberate deviations:
the margin losses (``energy_loss``, ``hinge_loss``, ``log_loss``, ``nll_loss``) take free energies
the caller computed (``f_pos``, ``f_neg``), because the caller chooses the negatives;
``energy_score`` takes forecast samples (it needs no energy at all). ``nce_loss(energy, log_z,
y_data, y_noise, noise_log_prob)`` keeps its learnt ``log_z`` second, as chapter 7 and its
exercise call it. ``tempered_grid_nll`` evaluates rather than trains: it returns a ``TemperedNLL``
whose ``nll`` (a float by default) its ``reduction`` reduces; the temperature is always chosen by
the mean validation NLL. ``tests/test_loss_reduction.py`` checks that every public loss here takes
``reduction``.

Modules: ``margin`` (energy, hinge, log and NLL losses on free energies), ``contrastive`` (CD, PCD),
``nce``, ``score_matching`` (exact, sliced, denoising), ``short_run`` (images), ``diffusion``
(noise-conditional DSM), ``scoring_rules`` (the energy score, a proper scoring rule),
``grid_nll`` (NLLs normalised on a grid), ``vae``. What is not a loss lives elsewhere: grids and
the exact likelihood on them in :mod:`ebmlib.grids`, the most offending answers and margins in
:mod:`ebmlib.margins`, noise ladders in :mod:`ebmlib.schedules`.

See chapter 5 (margin losses), chapter 7 (contrastive methods), chapter 8 (a tempered density),
chapter 9 (short-run ML) and chapter 10 (diffusion, the energy score, the VAE).
"""

from .margin import energy_loss, hinge_loss, log_loss, nll_loss
from .contrastive import contrastive_divergence_loss, persistent_contrastive_divergence_loss
from .nce import nce_loss
from .score_matching import denoising_score_matching_loss, score_matching_loss, sliced_score_matching_loss
from .short_run import ShortRunStep, short_run_ml_loss
from .diffusion import noise_conditional_dsm_loss
from .scoring_rules import energy_score
from .grid_nll import TemperedNLL, grid_conditional_nll, tempered_grid_nll
from .vae import vae_loss

__all__ = [
    # chapter 5: margin losses and the likelihood on a grid (the grid, the margins: ebmlib.grids, ebmlib.margins)
    "energy_loss", "hinge_loss", "log_loss", "nll_loss",
    # chapter 7: contrastive methods
    "contrastive_divergence_loss", "persistent_contrastive_divergence_loss", "nce_loss",
    "score_matching_loss", "sliced_score_matching_loss", "denoising_score_matching_loss",
    # chapter 8: a tempered density's held-out NLL
    "tempered_grid_nll", "TemperedNLL",
    # chapter 9: deep EBMs on images
    "short_run_ml_loss", "ShortRunStep",
    # chapter 10: EBMs today (diffusion as score matching at many noise levels (the noise ladder:
    # ebmlib.schedules), the energy score, regression's grid NLL, the VAE)
    "noise_conditional_dsm_loss", "energy_score", "grid_conditional_nll", "vae_loss",
]
