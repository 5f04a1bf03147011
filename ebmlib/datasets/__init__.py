"""Data the book generates itself (nothing is downloaded): the ellipse and the horn, token sequences,
five 2-D benchmark densities; and scikit-learn's 8 x 8 digits, which ship with scikit-learn.

Every generator takes ``generator=`` (a ``torch.Generator``, an int seed or None).
"""

from .ellipse import ellipse, ellipse_radii, horn
from .digits import binary_digits
from .images import digit_images
from .masked import masked_token_data
from .tokens import markov_sequences
from .toy2d import TOY_2D_NAMES, toy_2d, toy_2d_log_prob

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_data",
           # chapter 7
           "TOY_2D_NAMES", "toy_2d", "toy_2d_log_prob", "binary_digits",
           # chapter 9
           "digit_images"]
