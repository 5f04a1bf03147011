"""Masked-token examples: sentences with one hidden position and the visible neighbours of the mask.

See chapter 4.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._checks import check_positive
from ..utils import as_generator
from .tokens import markov_sequences

__all__ = ['masked_token_data']


def masked_token_data(n: int, transition: torch.Tensor, *, length: int, generator=None):
    """Markov sentences with one masked position each, and the two tokens next to the mask.

    seq ~ Markov(transition) of the given length; pos ~ uniform over the positions;
    context = (token left of pos, token right of pos), with the id V (one past the vocabulary) as an
    edge marker where the mask sits at an end; target = seq[pos].

    Args:
        n: number of sentences, >= 1.
        transition: (V, V) row-stochastic transition matrix (as for ``markov_sequences``).
        length: tokens per sentence, >= 1.
        generator: torch.Generator, int seed or None (the sentences are drawn first, then the positions).

    Returns:
        ``(seq, pos, context, target)``: (n, length), (n,), (n, 2) and (n,) integer tensors.

    See chapter 4.
    """
    n = check_positive(n, "n", integer=True)
    length = check_positive(length, "length", integer=True)
    gen = as_generator(generator)
    seq = markov_sequences(n, transition, length=length, generator=gen)  # (n, length)
    pos = torch.randint(0, length, (n,), generator=gen)  # (n,)
    edge = transition.shape[0]
    padded = F.pad(seq, (1, 1), value=edge)  # (n, length + 2): edge markers at both ends
    rows = torch.arange(n)
    context = torch.stack([padded[rows, pos], padded[rows, pos + 2]], dim=1)  # (n, 2): left, right
    return seq, pos, context, seq[rows, pos]
