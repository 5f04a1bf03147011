"""Models with parameters: neural energies and, as the chapters add them, the RBM, k-means, sparse coding, PCA, GLO."""

from .decoders import EllipseDecoder, HornDecoder
from .mlp import MLPEnergy
from .rbm import RBM
from .conv import ConvEnergy

__all__ = ["MLPEnergy", "EllipseDecoder", "HornDecoder", "RBM",
           # chapter 9
           "ConvEnergy"]
