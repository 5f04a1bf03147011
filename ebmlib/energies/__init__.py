"""Hand-made energies with closed forms (toy landscapes), apart from the neural energies of ``ebmlib.models``.

See chapter 1.
"""

from ..models.mlp import MLPEnergy  # noqa: F401 - a model; kept importable as ebmlib.energies.MLPEnergy
from .toy import (
                  parabola,
                  parabola_grad,
                  quadratic,
                  quadratic_grad,
                  tilted_double_well,
                  tilted_double_well_critical_points,
                  tilted_double_well_grad,
)

__all__ = ["parabola", "parabola_grad", "tilted_double_well", "tilted_double_well_grad",
           "tilted_double_well_critical_points", "quadratic", "quadratic_grad"]
