"""Models with parameters: neural energies and, as the chapters add them, the RBM, k-means, sparse coding, PCA, GLO."""

from .mlp import MLPEnergy
from .rbm import RBM

__all__ = ["MLPEnergy", "RBM"]

# chapter 10: EBMs today
from .diffusion import NoiseConditionalScore  # noqa: E402
from .conditional import ConditionalMLPEnergy, central_interval, grid_conditional_log_prob, grid_conditional_nll  # noqa: E402
from .sequence import CausalTransformer  # noqa: E402
from .poe import ProductOfExperts  # noqa: E402
from .vae import GridEncoder, vae_loss, variational_free_energy  # noqa: E402

__all__ += ["NoiseConditionalScore", "ConditionalMLPEnergy", "grid_conditional_log_prob", "grid_conditional_nll",
            "central_interval", "CausalTransformer", "ProductOfExperts", "GridEncoder", "vae_loss",
            "variational_free_energy"]
