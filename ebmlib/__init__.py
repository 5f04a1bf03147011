"""ebmlib: the small, tested PyTorch library behind the energy-based models course companion.

Importing ebmlib has no side effects: it neither seeds nor prints. Call ``ebmlib.set_seed``.
"""

from .utils import get_device, make_generator, set_seed
from .energies import (parabola, parabola_grad, quadratic, quadratic_grad, tilted_double_well,
                       tilted_double_well_critical_points, tilted_double_well_grad)
from .inference import (MultiStartResult, chain_energy, gradient_inference, min_sum_chain,
                        multi_start_inference)
from . import plotting, widgets  # figures and ipywidgets, organised by chapter
from .free_energy import free_energy, gibbs_on_grid
from . import datasets  # ellipse and horn data (chapters 2 and 4)
from .latent import (INFERENCE_METHODS, EllipseDecoder, free_energy_on_grid, infer_latent, latent_energy,
                     latent_energy_table, latent_free_energy, latent_grid, local_minima)

from .latent import HornDecoder, conditional_free_energy, conditional_latent_energy_table  # chapter 4

from . import losses  # loss functionals (chapter 5)
from .training import train  # the training loop every chapter uses
from .samplers import langevin  # Langevin dynamics (chapter 6)

__version__ = "0.1.0"

__all__ = ["set_seed", "get_device", "make_generator", "free_energy", "gibbs_on_grid", "datasets", "__version__"]

# chapter 1: energies and inference
__all__ += ["parabola", "parabola_grad", "quadratic", "quadratic_grad", "tilted_double_well",
            "tilted_double_well_grad", "tilted_double_well_critical_points", "gradient_inference",
            "multi_start_inference", "MultiStartResult", "min_sum_chain", "chain_energy",
            "plotting", "widgets"]

# chapters 5-6: loss functionals, the shared training loop, Langevin sampling
__all__ += ["losses", "train", "langevin"]

# chapter 5: a small neural energy for maximum-likelihood training
from .energies import MLPEnergy  # noqa: E402

__all__ += ["MLPEnergy"]

# chapters 2 and 3: latent-variable EBMs and free energy
__all__ += ["EllipseDecoder", "latent_grid", "latent_energy", "latent_energy_table", "latent_free_energy",
            "infer_latent", "INFERENCE_METHODS", "free_energy_on_grid", "local_minima"]

# chapter 4: self-supervised learning (the horn's conditional latent-variable EBM)
__all__ += ["HornDecoder", "conditional_latent_energy_table", "conditional_free_energy"]
