"""ebmlib: the small, tested PyTorch library behind the energy-based models course companion.

Importing ebmlib has no side effects: it neither seeds nor prints. Call ``ebmlib.set_seed``.
"""

from .utils import get_device, make_generator, set_seed

from . import losses  # loss functionals (chapter 5)
from .training import train  # the training loop every chapter uses
from .samplers import langevin  # Langevin dynamics (chapter 6)

__version__ = "0.1.0"

__all__ = ["set_seed", "get_device", "make_generator", "__version__"]

# chapters 5-6: loss functionals, the shared training loop, Langevin sampling
__all__ += ["losses", "train", "langevin"]
