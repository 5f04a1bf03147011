"""Data the book generates itself (nothing is downloaded): the ellipse and the horn, token sequences.

Every generator takes ``generator=`` (a ``torch.Generator``, an int seed or None).
"""

from .ellipse import ellipse, ellipse_radii, horn
from .masked import masked_token_data
from .tokens import markov_sequences

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_data"]
