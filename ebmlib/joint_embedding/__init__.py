"""Joint-embedding architectures and JEPA: self-supervised learning as an energy in representation space.

F(x, y) = d(h_x, h_y) with h_x = f(x), h_y = f'(y) the embeddings of two views. The losses that keep
it from collapsing (``losses``), the measures of a representation (``metrics``), small encoders, the
EMA update and the training loops (``training``). See chapter 11.
"""

from .losses import (VICRegTerms, epps_pulley, info_nce_loss, invariance_loss, jepa_loss, negative_cosine_loss,
                     sigreg_loss, vicreg_loss, vicreg_terms)
from .metrics import covariance_spectrum, effective_rank, linear_probe_accuracy, pairwise_energy, retrieval_accuracy
from .training import (METHODS, EmbeddingMLP, JEPARun, JointEmbeddingRun, ema_update, train_jepa,
                       train_joint_embedding, train_pixel_predictor)

__all__ = [
    # losses
    "invariance_loss", "info_nce_loss", "VICRegTerms", "vicreg_terms", "vicreg_loss", "epps_pulley", "sigreg_loss",
    "negative_cosine_loss", "jepa_loss",
    # measures of a representation
    "effective_rank", "covariance_spectrum", "pairwise_energy", "retrieval_accuracy", "linear_probe_accuracy",
    # encoders and training
    "EmbeddingMLP", "ema_update", "METHODS", "JointEmbeddingRun", "train_joint_embedding", "JEPARun", "train_jepa",
    "train_pixel_predictor",
]
