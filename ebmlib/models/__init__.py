"""Models with parameters: neural energies and, as the chapters add them, the RBM, k-means, sparse coding, PCA, GLO."""

from .conditional import ConditionalMLPEnergy, central_interval, grid_conditional_log_prob, grid_conditional_nll
from .decoders import EllipseDecoder, HornDecoder
from .diffusion import NoiseConditionalScore
from .mlp import MLPEnergy
from .poe import ProductOfExperts
from .rbm import RBM
from .sequence import CausalTransformer
from .vae import GridEncoder, vae_loss, variational_free_energy

__all__ = [
    "MLPEnergy", "EllipseDecoder", "HornDecoder", "RBM",
    # chapter 10: EBMs today
    "NoiseConditionalScore", "ConditionalMLPEnergy", "grid_conditional_log_prob", "grid_conditional_nll",
    "central_interval", "CausalTransformer", "ProductOfExperts", "GridEncoder", "vae_loss", "variational_free_energy",
]
