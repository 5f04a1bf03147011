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

A light import (PEP 562): ``import ebmlib`` loads no submodule, not even torch; a name is imported
from its module on first use (``ebmlib.langevin``, ``from ebmlib import train``), a subpackage
on first access (``ebmlib.losses``, ``ebmlib.plotting``). ``_NAMES`` below is the name -> module
table; ``__all__`` lists the public names by the chapter that introduces them, and ``dir(ebmlib)``
and tab completion see them all. So ``python -m ebmlib.assign`` can run without loading torch, and
matplotlib.pyplot and ipywidgets load only when a plotting or widget name is used.
"""

import importlib as _importlib
import pkgutil as _pkgutil

__version__ = "0.1.0"

# name -> the module that defines it, grouped by the chapter that introduces it
_NAMES = {
    # utilities
    "set_seed": "utils", "get_device": "utils", "make_generator": "utils", "as_generator": "utils",
    "DivergenceError": "errors",
    # chapter 1: energies and inference
    **dict.fromkeys(("parabola", "parabola_grad", "quadratic", "quadratic_grad", "tilted_double_well",
                     "tilted_double_well_grad", "tilted_double_well_critical_points"), "energies"),
    **dict.fromkeys(("gradient_inference", "multi_start_inference", "MultiStartResult", "min_sum_chain",
                     "chain_energy"), "inference"),
    # chapter 2: latent-variable EBMs
    "EllipseDecoder": "models",
    **dict.fromkeys(("latent_grid", "latent_energy", "latent_energy_table", "latent_free_energy", "infer_latent",
                     "INFERENCE_METHODS", "free_energy_on_grid", "local_minima"), "latent"),
    # chapter 3: free energy (the soft minimum over a latent)
    "free_energy": "soft_minimum", "gibbs_on_grid": "soft_minimum",
    # chapter 4: self-supervised learning (the horn's conditional latent-variable EBM; masked tokens)
    "HornDecoder": "models",
    **dict.fromkeys(("conditional_latent_energy_table", "conditional_free_energy", "disc_latent_grid"), "latent"),
    "masked_token_posterior": "masked_tokens",
    # chapter 5: training (the shared loop, a small neural energy)
    "train": "training", "MLPEnergy": "models",
    # chapter 6: sampling (MCMC, its diagnostics, the RBM, annealed importance sampling)
    **dict.fromkeys(("langevin", "metropolis_hastings", "mala", "hmc", "autocorrelation",
                     "integrated_autocorrelation_time", "effective_sample_size", "mode_hops", "split_rhat",
                     "annealed_importance_sampling", "AISResult"), "samplers"),
    "RBM": "models",
    # chapter 7: contrastive methods (persistent chains; the losses are used by name:
    # ebmlib.losses.contrastive_divergence_loss, nce_loss, score_matching_loss, ...)
    "PersistentChains": "samplers",
    # chapter 8: architectural methods (k-means, sparse coding, PCA, GLO; a tempered grid density)
    **dict.fromkeys(("KMeansEBM", "sparse_code", "sparse_coding_energy", "learn_dictionary", "PCAEnergy", "GLO"),
                    "models"),
    "tempered_grid_nll": "losses",
    # chapter 9: deep EBMs on images
    "ConvEnergy": "models", "GaussianEnergy": "models", "TiltedEnergy": "models",
    "train_image_ebm": "training_images", "ImageEBMRun": "training_images", "inpaint": "inpainting", "inpaint_annealed": "inpainting",
    "auroc": "metrics", "NoiseConditionalEnergy": "models",
    # chapter 10: EBMs today (diffusion, an energy head on a sequence model, regression with
    # uncertainty, overcomplete ICA, the VAE); the functions live in their modules:
    # ebmlib.losses.noise_conditional_dsm_loss, ebmlib.losses.energy_score, ebmlib.metrics, ...
    **dict.fromkeys(("NoiseConditionalScore", "CausalTransformer", "ConditionalMLPEnergy", "ProductOfExperts",
                     "GridEncoder", "variational_free_energy"), "models"),
    "annealed_langevin": "samplers",
    # chapter 11: joint-embedding architectures and JEPA (the module is used by name,
    # ebmlib.joint_embedding.info_nce_loss(...), and its main names are re-exported here)
    **dict.fromkeys(("effective_rank", "ema_update", "info_nce_loss", "vicreg_loss", "train_joint_embedding",
                     "train_jepa"), "joint_embedding"),
}

# every submodule and subpackage (ebmlib.losses, ebmlib.grids, ...), imported on first access
_SUBMODULES = tuple(sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_")))

__all__ = [
    "__version__", *_NAMES,
    # subpackages used by name: ebmlib.datasets.ellipse(...), ebmlib.losses.hinge_loss(...), ...
    "datasets", "losses", "metrics", "models", "plotting", "samplers", "widgets",
]


def __getattr__(name: str):
    """Import a public name from its module, or a submodule, on first use (PEP 562)."""
    if name in _NAMES:
        value = getattr(_importlib.import_module(f".{_NAMES[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
