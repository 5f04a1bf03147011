"""Loss functionals: how training turns energies into a number to minimise.

Every loss returns the scalar mean over the batch (or, with ``reduction="none"``, one
value per sample).

See chapter 5 (margin losses, likelihood) and chapter 7 (contrastive methods).
"""

from .likelihood import grid_log_likelihood, ml_gradient, square_grid
from .margin import energy_loss, hinge_loss, log_loss, nll_loss

__all__ = ["energy_loss", "hinge_loss", "log_loss", "nll_loss", "grid_log_likelihood", "ml_gradient", "square_grid"]

# appended by the chapter 1-5 review (issue 8): the most offending wrong answers for the margin losses
from .negatives import most_offending_on_grid  # noqa: E402

__all__ += ["most_offending_on_grid"]
