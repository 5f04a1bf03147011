"""Data the book generates itself (nothing is downloaded): the ellipse and the horn, token sequences.

Every generator takes ``generator=`` (a ``torch.Generator``, an int seed or None).
"""

from .ellipse import ellipse, ellipse_radii, horn
from .tokens import markov_sequences, masked_token_posterior

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_posterior"]

# appended by the chapter 1-5 review (issue 8): chapter 4's masked-token examples
from .masked import masked_token_data  # noqa: E402

__all__ += ["masked_token_data"]
