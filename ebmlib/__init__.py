"""ebmlib: the small, tested PyTorch library behind the energy-based models course companion.

One idea per module, named after the lecture's words; the public API is re-exported here.
Importing ebmlib has no side effects: it neither seeds nor prints. Call ``ebmlib.set_seed``.
"""

from . import datasets, losses, plotting, widgets
from .energies import (
                       MLPEnergy,
                       parabola,
                       parabola_grad,
                       quadratic,
                       quadratic_grad,
                       tilted_double_well,
                       tilted_double_well_critical_points,
                       tilted_double_well_grad,
)
from .free_energy import free_energy, gibbs_on_grid
from .inference import (
                       MultiStartResult,
                       chain_energy,
                       gradient_inference,
                       min_sum_chain,
                       multi_start_inference,
)
from .latent import (
                       INFERENCE_METHODS,
                       EllipseDecoder,
                       HornDecoder,
                       conditional_free_energy,
                       conditional_latent_energy_table,
                       free_energy_on_grid,
                       infer_latent,
                       latent_energy,
                       latent_energy_table,
                       latent_free_energy,
                       latent_grid,
                       local_minima,
)
from .samplers import PersistentChains, langevin
from .models import RBM
from .training import train
from . import metrics, models, samplers
from .models import (
                       CausalTransformer,
                       ConditionalMLPEnergy,
                       GridEncoder,
                       NoiseConditionalScore,
                       ProductOfExperts,
                       variational_free_energy,
)
from .samplers import annealed_langevin
from .errors import DivergenceError
from .utils import as_generator, get_device, make_generator, set_seed

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # utilities
    "set_seed", "get_device", "make_generator", "as_generator", "DivergenceError",
    # chapter 1: energies and inference
    "parabola", "parabola_grad", "quadratic", "quadratic_grad", "tilted_double_well",
    "tilted_double_well_grad", "tilted_double_well_critical_points",
    "gradient_inference", "multi_start_inference", "MultiStartResult", "min_sum_chain", "chain_energy",
    # chapters 2 and 3: latent-variable EBMs and free energy
    "EllipseDecoder", "latent_grid", "latent_energy", "latent_energy_table", "latent_free_energy",
    "infer_latent", "INFERENCE_METHODS", "free_energy_on_grid", "local_minima",
    "free_energy", "gibbs_on_grid",
    # chapter 4: self-supervised learning (the horn's conditional latent-variable EBM)
    "HornDecoder", "conditional_latent_energy_table", "conditional_free_energy",
    # chapter 5: training (the shared loop, a small neural energy) and Langevin sampling
    "train", "MLPEnergy", "langevin", "PersistentChains",
    # chapter 6: sampling from an energy (the RBM is also chapter 7's binary model)
    "RBM",
    # chapter 10: EBMs today (diffusion, an energy head on a sequence model, regression with
    # uncertainty, overcomplete ICA, the VAE); the functions live in their modules:
    # ebmlib.losses.noise_conditional_dsm_loss, ebmlib.losses.energy_score, ebmlib.metrics, ...
    "NoiseConditionalScore", "annealed_langevin", "CausalTransformer", "ConditionalMLPEnergy", "ProductOfExperts",
    "GridEncoder", "variational_free_energy",
    "metrics", "models", "samplers",
    # submodules used by name: ebmlib.datasets.ellipse(...), ebmlib.losses.hinge_loss(...), ...
    "datasets", "losses", "plotting", "widgets",
]
