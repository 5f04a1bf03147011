"""ebmlib: the small, tested PyTorch library behind the energy-based models course companion.

Importing ebmlib has no side effects: it neither seeds nor prints. Call ``ebmlib.set_seed``.
"""

from .utils import get_device, make_generator, set_seed

__version__ = "0.1.0"

__all__ = ["set_seed", "get_device", "make_generator", "__version__"]
