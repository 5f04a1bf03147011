"""A noise-conditional score network: one perceptron for every noise level of a ladder.

See chapter 10.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_int, check_positive, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ["NoiseConditionalScore"]


class NoiseConditionalScore(nn.Module):
    """A score network s(y, sigma) conditioned on the noise level.

    s(y, sigma) = f_theta(y, log sigma) / sigma, with f_theta a perceptron (SiLU). Dividing by sigma
    gives the right scale at every level for free: the score of data blurred by N(0, sigma^2 I)
    has a norm of order 1 / sigma (Song and Ermon, 2019).

    Args:
        dim: dimension D of y.
        hidden: widths of the hidden layers.
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial weights.

    Shapes: ``forward(y, sigma)`` maps y (B, D) and sigma (B,) (or a float) to scores (B, D).

    See chapter 10.
    """

    def __init__(self, dim: int = 2, hidden: tuple[int, ...] = (64, 64), *, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        dim = check_int(dim, "dim")
        hidden = check_widths(hidden)
        self.net = perceptron((dim + 1, *hidden, dim), dtype=dtype, generator=as_generator(generator))
        self.dim = dim

    def forward(self, y: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Scores (B, D) at y (B, D) for noise levels sigma (B,) or one float."""
        if not isinstance(sigma, torch.Tensor):
            sigma = torch.full((y.shape[0],), float(check_positive(sigma, "sigma")), dtype=y.dtype, device=y.device)
        elif sigma.dim() == 0:
            sigma = sigma.expand(y.shape[0])
        h = torch.cat([y, torch.log(sigma)[:, None]], dim=1)  # (B, D + 1)
        return self.net(h) / sigma[:, None]
