"""Token sequences for masked prediction: a Markov chain over a toy vocabulary.

See chapter 4.
"""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_tensor
from ._common import _check_generator, _check_n

__all__ = ['markov_sequences', 'masked_token_posterior']


def _check_markov(transition, initial) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a (V, V) row-stochastic transition matrix and a (V,) initial distribution (uniform if None)."""
    check_tensor(transition, "transition", ndim=2)
    v = transition.shape[0]
    if transition.shape != (v, v):
        raise ValueError(f"transition must be a square (V, V) matrix, got shape {tuple(transition.shape)}")
    t64 = transition.to(torch.float64)
    if bool((t64 < 0).any()) or not torch.allclose(t64.sum(1), torch.ones(v, dtype=torch.float64), atol=1e-6):
        raise ValueError("transition must have non-negative rows that sum to 1 (row a: P(next | current = a))")
    if initial is None:
        p0 = torch.full((v,), 1.0 / v, dtype=torch.float64)
    else:
        check_tensor(initial, "initial", ndim=1)
        p0 = initial.to(torch.float64)
        if p0.shape != (v,) or bool((p0 < 0).any()) or abs(float(p0.sum()) - 1.0) > 1e-6:
            raise ValueError(f"initial must be a probability vector of shape ({v},), got {tuple(initial.shape)} "
                             f"summing to {float(initial.sum()):.4g}")
    return t64, p0


def markov_sequences(n: int, transition: torch.Tensor, *, length: int, initial: torch.Tensor | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Sample n token sequences from a Markov chain (a toy "language" with a known rule).

    s_0 ~ initial,  s_t ~ transition[s_{t-1}]:  P(s) = initial[s_0] prod_t transition[s_{t-1}, s_t].

    Args:
        n: number of sequences, >= 1.
        transition: (V, V) row-stochastic matrix, transition[a, b] = P(s_t = b | s_{t-1} = a).
        length: tokens per sequence, >= 1.
        initial: (V,) distribution of the first token (uniform if None).
        generator: a ``torch.Generator`` for reproducible draws (global RNG if None).

    Returns:
        Token ids, int64 of shape (n, length).

    See chapter 4.
    """
    n = _check_n(n)
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    _check_generator(generator)
    t64, p0 = _check_markov(transition, initial)
    seq = torch.empty(n, int(length), dtype=torch.int64)
    seq[:, 0] = torch.multinomial(p0, n, replacement=True, generator=generator)  # (n,)
    for t in range(1, int(length)):
        seq[:, t] = torch.multinomial(t64[seq[:, t - 1]], 1, generator=generator)[:, 0]  # one draw per row
    return seq


def masked_token_posterior(tokens: torch.Tensor, position: torch.Tensor, transition: torch.Tensor, *,
                           initial: torch.Tensor | None = None) -> torch.Tensor:
    """The exact distribution of a masked token given all the others, for a Markov chain (Bayes' rule).

    P(s_t = v | rest) is proportional to P(s_{t-1} -> v) P(v -> s_{t+1}) (initial[v] instead of the
    first factor at t = 0; no second factor at the last position). Only the two neighbours matter.

    Args:
        tokens: int64 token ids, (B, T); the value at the masked position is ignored.
        position: int64 masked position of each sequence, (B,), in [0, T).
        transition: (V, V) row-stochastic matrix of the chain.
        initial: (V,) distribution of the first token (uniform if None).

    Returns:
        Probabilities, float64 of shape (B, V) (rows sum to 1).

    See chapter 4.
    """
    t64, p0 = _check_markov(transition, initial)
    if not isinstance(tokens, torch.Tensor) or not isinstance(position, torch.Tensor):
        raise TypeError("tokens and position must be torch.Tensors")
    if tokens.dtype != torch.int64 or tokens.dim() != 2 or tokens.numel() == 0:
        raise ValueError(f"tokens must be a non-empty int64 tensor of shape (B, T), got {tokens.dtype} {tuple(tokens.shape)}")
    b, length = tokens.shape
    if position.dtype != torch.int64 or tuple(position.shape) != (b,):
        raise ValueError(f"position must be an int64 tensor of shape ({b},), got {position.dtype} {tuple(position.shape)}")
    v = t64.shape[0]
    if bool((tokens < 0).any()) or bool((tokens >= v).any()):
        raise ValueError(f"tokens must lie in [0, {v}) (the vocabulary of the transition matrix)")
    if bool((position < 0).any()) or bool((position >= length).any()):
        raise ValueError(f"position must lie in [0, {length}), got values from {int(position.min())} to {int(position.max())}")
    rows = torch.arange(b)
    left = tokens[rows, (position - 1).clamp(min=0)]  # (B,)
    right = tokens[rows, (position + 1).clamp(max=length - 1)]  # (B,)
    prior = torch.where((position == 0)[:, None], p0.expand(b, v), t64[left])  # (B, V): P(v | left)
    like = torch.where((position == length - 1)[:, None], torch.ones(b, v, dtype=torch.float64),
                       t64[:, right].T)  # (B, V): P(right | v)
    joint = prior * like  # (B, V)
    total = joint.sum(1, keepdim=True)
    if bool((total <= 0).any()):
        raise ValueError("some sequences have probability 0 under the chain: no token fits their neighbours")
    return joint / total
