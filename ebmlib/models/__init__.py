"""Models with parameters: neural energies, the decoders, the RBM, k-means, sparse coding, PCA, GLO, and chapter 10's models.

The model contract (tested once, parametrised over the models, in ``tests/test_model_contract.py``):

- **An energy without a latent** is called: ``model(y) -> (B,)`` for y of shape (B, ...) (``forward``
  is the energy): :class:`MLPEnergy`, :class:`ConvEnergy`, :class:`GaussianEnergy`, :class:`TiltedEnergy`.
- **A latent-variable model** has ``energy(y, z) -> (B,)``, ``free_energy(y) -> (B,)`` (at
  beta = inf by default: the minimum over z, so ``free_energy(y) == energy(y, infer(y))``) and
  ``infer(y)``, the latent of lowest energy, batch first: :class:`KMeansEBM` (z an index, (B,);
  the whole (B, k) table is ``energy_table``, and ``free_energy(y, beta=)`` accepts a finite beta),
  :class:`PCAEnergy` (z (B, K)), :class:`GLO` (z (B, d)). Its ``forward``, if any, is not the
  energy (``GLO(z)`` is the decoder).
- **fit(...) returns self** and sets ``history_``, a list of floats: the training loss after each
  epoch (GLO), or one entry, the mean training free energy, for a fit in closed form or by
  coordinate descent (PCA, k-means, the Gaussian). ``history_`` is ``[]`` before the first fit.
  :meth:`GaussianEnergy.from_data` builds a fitted Gaussian in one call.
- **dtype**: a module with parameters takes ``dtype=`` (:class:`MLPEnergy`, :class:`ConvEnergy`,
  :class:`GLO`, :class:`RBM`); k-means, PCA and the Gaussian take the dtype of their data.
  Energies come out in the model's dtype.

Stated deviations. :class:`RBM`: its free energy is the exact sum over the binary hidden units at
beta = 1 (``free_energy(v)``, the RBM's Gibbs density), its inference is sampling
(``sample_h``), it has no ``forward``, and it is trained by its loss in a loop (``RBM.cd_loss``,
which needs its Gibbs sweep), not by ``fit``. :class:`ConvEnergy` and :class:`MLPEnergy` have no
``fit``: they are trained by ``ebmlib.train`` / ``ebmlib.train_image_ebm``. :class:`GLO`'s free
energy is a minimum found by descent (from the best of the training latents), not a closed form.
The noise-conditional networks of chapters 9 and 10 (:class:`NoiseConditionalEnergy` and
:class:`NoiseConditionalScore` return a score at a noise level), :class:`GridEncoder` (log q) and
:class:`CausalTransformer` (logits) are networks inside a model, not models of this contract.

The losses that train the models live in :mod:`ebmlib.losses` (``vae_loss``, ``grid_conditional_nll``,
``tempered_grid_nll``); ``RBM.cd_loss`` stays with the RBM.
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
from .diffusion import NoiseConditionalEnergy, NoiseConditionalScore
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
           "NoiseConditionalScore", "NoiseConditionalEnergy", "ConditionalMLPEnergy", "grid_conditional_log_prob",
           "central_interval", "CausalTransformer", "ProductOfExperts", "GridEncoder",
           "variational_free_energy"]
