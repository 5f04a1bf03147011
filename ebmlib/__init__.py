"""ebmlib: the small, tested PyTorch library behind the energy-based models course companion.

One idea per module, named after the lecture's words; the public API is re-exported here, grouped
by the chapter that introduces it. Importing ebmlib has no side effects: it neither seeds nor
prints. Call ``ebmlib.set_seed``.

Conventions shared by the whole library:

- energies are batch-first: ``energy(y) -> (B,)`` for ``y`` of shape (B, ...); low = good;
- arguments are validated once, at the public entry point (``ebmlib._checks``); ``forward``
  methods and inner loops do not check; a sampler or a descent that leaves the finite numbers
  raises :class:`~ebmlib.errors.DivergenceError`;
- randomness: ``generator=`` (a ``torch.Generator``, an int seed or None) on every stochastic
  function and randomly initialised module; with a generator the global RNG is not touched;
- steps of inference and sampling are ``step_size`` (``lr`` is an optimiser's learning rate);
- ``return_trajectory=True``: a sampler returns the (steps + 1, B, ...) trajectory (its result is
  the last state), every other function returns its usual result followed by the trajectory;
- temperatures: free energies default to beta = inf (F_inf), densities to beta = 1;
- plotting: ``ax=None`` (one panel, returns the Axes) or ``axes=None`` (several, returns the Figure).

``ebmlib.plotting`` and ``ebmlib.widgets`` are imported on first use (``import ebmlib`` loads
neither matplotlib.pyplot nor ipywidgets).
"""

import importlib as _importlib

from . import datasets, losses, metrics, models, samplers
from .errors import DivergenceError
from .utils import as_generator, get_device, make_generator, set_seed

# chapter 1: energies and inference
from .energies import (parabola, parabola_grad, quadratic, quadratic_grad, tilted_double_well,
                       tilted_double_well_critical_points, tilted_double_well_grad)
from .inference import MultiStartResult, chain_energy, gradient_inference, min_sum_chain, multi_start_inference

# chapter 2: latent-variable EBMs
from .models import EllipseDecoder
from .latent import (INFERENCE_METHODS, free_energy_on_grid, infer_latent, latent_energy, latent_energy_table,
                     latent_free_energy, latent_grid, local_minima)

# chapter 3: free energy
from .soft_minimum import free_energy, gibbs_on_grid

# chapter 4: self-supervised learning (the horn's conditional latent-variable EBM; masked tokens; collapse)
from .models import HornDecoder
from .latent import conditional_free_energy, conditional_latent_energy_table, disc_latent_grid
from .masked_tokens import masked_token_posterior

# chapter 5: training (the shared loop, a small neural energy)
from .models import MLPEnergy
from .training import train

# chapter 6: sampling
from .models import RBM
from .samplers import (AISResult, PersistentChains, annealed_importance_sampling, autocorrelation,
                       effective_sample_size, hmc, integrated_autocorrelation_time, langevin, mala,
                       metropolis_hastings, mode_hops, split_rhat)

# chapter 8: architectural methods (k-means, sparse coding, PCA, GLO; a tempered grid density)
from .models import GLO, KMeansEBM, PCAEnergy, learn_dictionary, sparse_code, sparse_coding_energy
from .losses import tempered_grid_nll

# chapter 9: deep EBMs on images
from .models import ConvEnergy, GaussianEnergy, TiltedEnergy
from .training_images import ImageEBMRun, train_image_ebm
from .inpainting import inpaint
from .metrics import auroc

# chapter 10: EBMs today
from .models import (CausalTransformer, ConditionalMLPEnergy, GridEncoder, NoiseConditionalScore, ProductOfExperts,
                     variational_free_energy)
from .samplers import annealed_langevin

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # utilities
    "set_seed", "get_device", "make_generator", "as_generator", "DivergenceError",
    # chapter 1: energies and inference
    "parabola", "parabola_grad", "quadratic", "quadratic_grad", "tilted_double_well",
    "tilted_double_well_grad", "tilted_double_well_critical_points",
    "gradient_inference", "multi_start_inference", "MultiStartResult", "min_sum_chain", "chain_energy",
    # chapter 2: latent-variable EBMs
    "EllipseDecoder", "latent_grid", "latent_energy", "latent_energy_table", "latent_free_energy",
    "infer_latent", "INFERENCE_METHODS", "free_energy_on_grid", "local_minima",
    # chapter 3: free energy
    "free_energy", "gibbs_on_grid",
    # chapter 4: self-supervised learning
    "HornDecoder", "conditional_latent_energy_table", "conditional_free_energy", "masked_token_posterior",
    "disc_latent_grid",
    # chapter 5: training
    "train", "MLPEnergy",
    # chapter 6: sampling
    "langevin", "PersistentChains", "metropolis_hastings", "mala", "hmc", "RBM",
    "autocorrelation", "integrated_autocorrelation_time", "effective_sample_size", "mode_hops", "split_rhat",
    "annealed_importance_sampling", "AISResult",
    # chapter 8: architectural methods
    "KMeansEBM", "sparse_code", "sparse_coding_energy", "learn_dictionary", "PCAEnergy", "GLO", "tempered_grid_nll",
    # chapter 9: deep EBMs on images
    "ConvEnergy", "GaussianEnergy", "TiltedEnergy", "train_image_ebm", "ImageEBMRun", "inpaint", "auroc",
    # chapter 10: EBMs today (diffusion, an energy head on a sequence model, regression with
    # uncertainty, overcomplete ICA, the VAE); the functions live in their modules:
    # ebmlib.losses.noise_conditional_dsm_loss, ebmlib.losses.energy_score, ebmlib.metrics, ...
    "NoiseConditionalScore", "annealed_langevin", "CausalTransformer", "ConditionalMLPEnergy", "ProductOfExperts",
    "GridEncoder", "variational_free_energy",
    # subpackages used by name: ebmlib.datasets.ellipse(...), ebmlib.losses.hinge_loss(...), ...
    "datasets", "losses", "metrics", "models", "plotting", "samplers", "widgets",
]

# chapter 11: joint-embedding architectures and JEPA (self-contained block: the module is used by
# name, ebmlib.joint_embedding.info_nce_loss(...), and its main names are re-exported here)
from . import joint_embedding  # noqa: E402
from .joint_embedding import (effective_rank, ema_update, info_nce_loss, train_jepa,  # noqa: E402
                              train_joint_embedding, vicreg_loss)

__all__ += ["effective_rank", "ema_update", "info_nce_loss", "vicreg_loss",
            "train_joint_embedding", "train_jepa"]


_LAZY_SUBMODULES = ("plotting", "widgets")  # matplotlib.pyplot and ipywidgets load only when these are used


def __getattr__(name: str):
    """Import ``ebmlib.plotting`` and ``ebmlib.widgets`` on first use (PEP 562)."""
    if name in _LAZY_SUBMODULES:
        module = _importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
