"""Data the book generates itself (nothing is downloaded): the ellipse and the horn, token sequences,
five 2-D benchmark densities, a forking path and a forked regression; and scikit-learn's 8 x 8 digits,
which ship with scikit-learn.

Every generator takes ``generator=`` (a ``torch.Generator``, an int seed or None).
"""

from .ellipses import ellipse, ellipse_radii, horn
from .forks import fork_branches, forking_paths
from .digits import binary_digits
from .images import digit_images
from .augment import augment_digits, block_masks
from .masked import masked_token_data
from .regression import forked_regression, forked_regression_log_prob
from .tokens import markov_sequences
from .toy2d import TOY_2D_NAMES, eight_gaussians_centres, toy_2d, toy_2d_log_prob

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_data",
           # chapter 7
           "TOY_2D_NAMES", "toy_2d", "toy_2d_log_prob", "binary_digits",
           # chapter 9
           "digit_images",
           # chapter 10: a forking path and a forked regression
           "forking_paths", "fork_branches", "forked_regression", "forked_regression_log_prob",
           "eight_gaussians_centres",
           # chapter 11: random views of digits
           "augment_digits", "block_masks"]
