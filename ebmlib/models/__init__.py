"""Models with parameters: neural energies and, as the chapters add them, the RBM, k-means, sparse coding, PCA, GLO."""

from .decoders import EllipseDecoder, HornDecoder
from .mlp import MLPEnergy
from .rbm import RBM

__all__ = ["MLPEnergy", "EllipseDecoder", "HornDecoder", "RBM"]

# chapter 8: architectural methods
from .kmeans import KMeansEBM  # noqa: E402
from .sparse_coding import (  # noqa: E402
    SPARSE_CODE_METHODS,
    learn_dictionary,
    soft_threshold,
    sparse_code,
    sparse_coding_energy,
)
from .pca import PCAEnergy  # noqa: E402
from .glo import GLO, GLO_CONSTRAINTS  # noqa: E402
from .density import TemperedNLL, tempered_density, tempered_grid_nll  # noqa: E402

__all__ += ["KMeansEBM", "sparse_code", "sparse_coding_energy", "soft_threshold", "learn_dictionary",
            "SPARSE_CODE_METHODS", "PCAEnergy", "GLO", "GLO_CONSTRAINTS", "tempered_grid_nll",
            "TemperedNLL", "tempered_density"]
