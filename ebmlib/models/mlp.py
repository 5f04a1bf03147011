"""A small neural energy: a multilayer perceptron with a quadratic confinement.

See chapter 5.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_int, check_nonneg_real, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ['MLPEnergy']


class MLPEnergy(nn.Module):
    """A small multilayer-perceptron energy with an optional quadratic confinement.

    E(y) = f_theta(y) + (c / 2) ||y||^2, with f_theta a perceptron with SiLU activations
    (smooth, so Langevin dynamics can use its gradient) and one scalar output. The confinement
    c >= 0 keeps exp(-E) integrable and the energy high far from the data, where neither a grid
    nor a sampler looks.

    Args:
        dim: dimension D of y.
        hidden: widths of the hidden layers (at least one).
        confinement: c >= 0 (0 means none).
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: ``torch.Generator``, int seed or None for the initial weights (PyTorch's default
            initialisation; None draws it from the global RNG).

    Shapes: ``forward`` maps y (B, D) to energies (B,); it does not check its input (validate
    once where the data enter, e.g. in a sampler).

    See chapter 5.
    """

    def __init__(self, dim: int = 2, hidden: tuple[int, ...] = (32, 32), *, confinement: float = 0.5,
                 dtype: torch.dtype | None = None, generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        dim = check_int(dim, "dim")
        hidden = check_widths(hidden, "hidden")
        confinement = check_nonneg_real(confinement, "confinement")
        generator = as_generator(generator)
        self.net = perceptron((dim, *hidden, 1), dtype=dtype, generator=generator)
        self.dim = dim
        self.confinement = confinement

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies E(y) of shape (B,) for y of shape (B, D)."""
        return self.net(y)[:, 0] + 0.5 * self.confinement * (y**2).sum(dim=1)  # (B, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"confinement={self.confinement:g}"
