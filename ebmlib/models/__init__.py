"""Models with parameters: neural energies, the decoders, the RBM, k-means, sparse coding, PCA, GLO, and chapter 10's models.

The losses that train them live in :mod:`ebmlib.losses` (``vae_loss``, ``grid_conditional_nll``,
``tempered_grid_nll``, ``RBM.cd_loss`` excepted: it needs the RBM's Gibbs sweep).
"""

from .decoders import EllipseDecoder, HornDecoder
from .mlp import MLPEnergy
from .rbm import RBM
# chapter 8: architectural methods
from .kmeans import KMeansEBM
from .sparse_coding import SPARSE_CODE_METHODS, learn_dictionary, soft_threshold, sparse_code, sparse_coding_energy
from .pca import PCAEnergy
from .glo import GLO, GLO_CONSTRAINTS
from .density import tempered_density
# chapter 9
from .conv import ConvEnergy
from .gaussian import GaussianEnergy
from .tilted import TiltedEnergy

# chapter 10
from .conditional import ConditionalMLPEnergy, central_interval, grid_conditional_log_prob
from .diffusion import NoiseConditionalScore
from .poe import ProductOfExperts
from .sequence import CausalTransformer
from .vae import GridEncoder, variational_free_energy

__all__ = ["MLPEnergy", "EllipseDecoder", "HornDecoder", "RBM",
           # chapter 8
           "KMeansEBM", "sparse_code", "sparse_coding_energy", "soft_threshold", "learn_dictionary",
           "SPARSE_CODE_METHODS", "PCAEnergy", "GLO", "GLO_CONSTRAINTS", "tempered_density",
           # chapter 9
           "ConvEnergy", "GaussianEnergy", "TiltedEnergy",
           # chapter 10: EBMs today
           "NoiseConditionalScore", "ConditionalMLPEnergy", "grid_conditional_log_prob",
           "central_interval", "CausalTransformer", "ProductOfExperts", "GridEncoder",
           "variational_free_energy"]
