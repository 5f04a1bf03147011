"""The energy score: a strictly proper scoring rule that needs only samples of the forecast.

For a forecast distribution P and an outcome y (Gneiting and Raftery, 2007),

    ES(P, y) = E ||X - y|| - 1/2 E ||X - X'||,   X, X' ~ P independent.

Its expectation over y ~ Q is minimised, uniquely, by P = Q, so training a sample-producing model
by minimising it fits the whole distribution, not only its mean. It needs no density and no
energy gradient: only samples. CALM (continuous autoregressive language models) trains its
generative head with it.

See chapter 10.
"""

from __future__ import annotations

import torch

from .._checks import check_reduction, check_tensor, reduce_loss

__all__ = ["energy_score"]


def energy_score(samples: torch.Tensor, y: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """The sample estimate of the energy score of a forecast at an outcome.

    With M samples x_1 .. x_M of the forecast for each outcome y,

        ES = (1/M) sum_m ||x_m - y|| - 1 / (2 M (M - 1)) sum_{m != m'} ||x_m - x_m'||,

    which is unbiased for ES(P, y) (the pair term leaves out m = m').

    Args:
        samples: (B, M, D) forecast samples, M >= 2 per outcome.
        y: (B, D) outcomes.
        reduction: ``"mean"`` (the batch mean, a scalar), ``"sum"`` or ``"none"`` (one score per outcome, (B,)).

    Returns:
        A scalar, or (B,) with ``reduction="none"``; differentiable in ``samples``.

    Cost: O(B M^2 D).

    See chapter 10.
    """
    check_tensor(samples, "samples", ndim=3)
    check_tensor(y, "y", ndim=2)
    b, m, d = samples.shape
    if m < 2:
        raise ValueError(f"samples must hold M >= 2 samples per outcome (shape (B, M, D)), got shape {tuple(samples.shape)}")
    if tuple(y.shape) != (b, d):
        raise ValueError(f"y must have shape ({b}, {d}) to match samples {tuple(samples.shape)}, got {tuple(y.shape)}")
    reduction = check_reduction(reduction)
    to_y = _norm(samples - y[:, None, :]).mean(dim=1)  # (B,)
    pair = _norm(samples[:, :, None, :] - samples[:, None, :, :])  # (B, M, M), zero on the diagonal
    es = to_y - pair.sum(dim=(1, 2)) / (2 * m * (m - 1))
    return reduce_loss(es, reduction)


def _norm(v: torch.Tensor) -> torch.Tensor:
    """Euclidean norm over the last axis with a finite gradient at 0 (the diagonal of the pair term)."""
    sq = (v**2).sum(dim=-1)
    return torch.where(sq > 0, torch.sqrt(torch.where(sq > 0, sq, torch.ones_like(sq))), torch.zeros_like(sq))
