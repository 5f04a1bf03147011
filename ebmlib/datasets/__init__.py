"""Data the book generates itself (nothing is downloaded): the ellipse and the horn, token sequences,
five 2-D benchmark densities; and scikit-learn's 8 x 8 digits, which ship with scikit-learn.

Every generator takes ``generator=`` (a ``torch.Generator``, an int seed or None).
"""

from .ellipse import ellipse, ellipse_radii, horn
from .tokens import markov_sequences, masked_token_posterior
from .digits import binary_digits
from .toy2d import TOY_2D_NAMES, toy_2d, toy_2d_log_prob

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_posterior",
           # chapter 7
           "TOY_2D_NAMES", "toy_2d", "toy_2d_log_prob", "binary_digits"]

# chapter 10: a forking path and a forked regression
from .forks import fork_branches, forking_paths  # noqa: E402
from .regression import forked_regression, forked_regression_log_prob  # noqa: E402

__all__ += ["forking_paths", "fork_branches", "forked_regression", "forked_regression_log_prob"]
