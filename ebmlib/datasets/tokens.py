"""Token sequences for masked prediction: a Markov chain over a toy vocabulary.

The exact posterior of a masked token, :func:`ebmlib.masked_tokens.masked_token_posterior`, is inference
and lives there.

See chapter 4.
"""

from __future__ import annotations

import torch

from .._checks import check_int, check_markov_chain
from ..utils import as_generator

__all__ = ["markov_sequences"]


def markov_sequences(n: int, transition: torch.Tensor, *, length: int, initial: torch.Tensor | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Sample n token sequences from a Markov chain (a toy "language" with a known rule).

    s_0 ~ initial,  s_t ~ transition[s_{t-1}]:  P(s) = initial[s_0] prod_t transition[s_{t-1}, s_t].

    Args:
        n: number of sequences, >= 1.
        transition: (V, V) row-stochastic matrix, transition[a, b] = P(s_t = b | s_{t-1} = a).
        length: tokens per sequence, >= 1.
        initial: (V,) distribution of the first token (uniform if None).
        generator: ``torch.Generator``, int seed or None (global RNG).

    Returns:
        Token ids, int64 of shape (n, length).

    See chapter 4.
    """
    n = check_int(n, "n (the number of sequences)")
    length = check_int(length, "length")
    generator = as_generator(generator)
    t64, p0 = check_markov_chain(transition, initial)
    seq = torch.empty(n, length, dtype=torch.int64)
    seq[:, 0] = torch.multinomial(p0, n, replacement=True, generator=generator)  # (n,)
    for t in range(1, length):
        seq[:, t] = torch.multinomial(t64[seq[:, t - 1]], 1, generator=generator)[:, 0]  # one draw per row
    return seq
