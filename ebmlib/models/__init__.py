"""Models with parameters: neural energies and, as the chapters add them, the RBM, k-means, sparse coding, PCA, GLO."""

from .decoders import EllipseDecoder, HornDecoder
from .mlp import MLPEnergy
from .rbm import RBM
# chapter 8: architectural methods
from .kmeans import KMeansEBM
from .sparse_coding import SPARSE_CODE_METHODS, learn_dictionary, soft_threshold, sparse_code, sparse_coding_energy
from .pca import PCAEnergy
from .glo import GLO, GLO_CONSTRAINTS
from .density import TemperedNLL, tempered_density, tempered_grid_nll
# chapter 9
from .conv import ConvEnergy

__all__ = ["MLPEnergy", "EllipseDecoder", "HornDecoder", "RBM",
           # chapter 8
           "KMeansEBM", "sparse_code", "sparse_coding_energy", "soft_threshold", "learn_dictionary",
           "SPARSE_CODE_METHODS", "PCAEnergy", "GLO", "GLO_CONSTRAINTS", "tempered_grid_nll", "TemperedNLL",
           "tempered_density",
           # chapter 9
           "ConvEnergy"]
