"""Masked tokens: the exact posterior of a hidden token of a Markov chain, by Bayes' rule.

Chapter 4's self-supervised task hides one token of a sequence and asks for it back. For a
sequence drawn from a Markov chain the answer has a closed form that depends only on the two
neighbours of the hidden token; a model trained to fill in masked tokens is compared with it.
(Inference by minimising an energy, Viterbi's min-sum on a chain included, is in
:mod:`ebmlib.inference`.)

See chapter 4.
"""

from __future__ import annotations

import torch

from ._checks import check_markov_chain

__all__ = ["masked_token_posterior"]


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
    t64, p0 = check_markov_chain(transition, initial)
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
