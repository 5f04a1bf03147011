"""A small neural energy: a multilayer perceptron with a quadratic confinement.

See chapter 5.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_real, check_tensor

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

    Shapes: ``forward`` maps y (B, D) to energies (B,).

    See chapter 5.
    """

    def __init__(self, dim: int = 2, hidden: tuple[int, ...] = (32, 32), *, confinement: float = 0.5,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        hidden = tuple(hidden)
        if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
            raise ValueError(f"hidden must be a non-empty sequence of positive integers, got {hidden!r}")
        confinement = check_real(confinement, "confinement")
        if confinement < 0:
            raise ValueError(f"confinement must be >= 0, got {confinement!r}")
        layers: list[nn.Module] = []
        width = dim
        for h in hidden:
            layers += [nn.Linear(width, h, dtype=dtype), nn.SiLU()]
            width = h
        layers.append(nn.Linear(width, 1, dtype=dtype))
        self.net = nn.Sequential(*layers)
        self.dim = dim
        self.confinement = confinement

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies E(y) of shape (B,) for y of shape (B, D)."""
        check_tensor(y, "y", ndim=2)
        if y.shape[1] != self.dim:
            raise ValueError(f"y must have shape (B, {self.dim}), got {tuple(y.shape)}")
        return self.net(y)[:, 0] + 0.5 * self.confinement * (y**2).sum(dim=1)  # (B, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"confinement={self.confinement:g}"
