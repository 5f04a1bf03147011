"""Decoders of the practicum's latent-variable EBMs: g(z) on an ellipse, and the horn's g(x, z).

``forward`` trusts its inputs (no checks per call); the functions of :mod:`ebmlib.latent` that
take a decoder validate what they pass to it.

See chapters 2 and 4.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .._checks import check_float_dtype, check_int
from ..utils import as_generator
from ._init import linear

__all__ = ["EllipseDecoder", "HornDecoder"]


class EllipseDecoder(nn.Module):
    """The practicum's decoder: a latent angle z to a point on an axis-aligned ellipse.

    g(z) = [w1 cos z, w2 sin z], with learnable half-axes w = (w1, w2).

    Args:
        w: initial half-axes (w1, w2); (2, 1.5) is the true ellipse of the data at x = 0.
        dtype: dtype of the parameter (default: torch's default dtype).

    ``forward`` trusts its input; the functions that take a decoder check the latents they pass.

    See chapter 2.
    """

    def __init__(self, w: Sequence[float] = (2.0, 1.5), *, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        w_t = torch.as_tensor(w, dtype=dtype if dtype is not None else torch.get_default_dtype())
        if w_t.shape != (2,) or not bool(torch.isfinite(w_t).all()):
            raise ValueError(f"w must be two finite numbers (w1, w2), got {w!r}")
        self.w = nn.Parameter(w_t.clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map latents z of shape (...,) to points g(z) of shape (..., 2) (unchecked: see the class)."""
        return torch.stack([self.w[0] * torch.cos(z), self.w[1] * torch.sin(z)], dim=-1)

    def extra_repr(self) -> str:
        return "w=(" + ", ".join(f"{v:.4g}" for v in self.w.detach().tolist()) + ")"


class HornDecoder(nn.Module):
    """The horn practicum's decoder: an ellipse whose half-axes a small network predicts from x.

    g(x, z) = [f1(x) cos z, f2(x) sin z],  f: 1 -> hidden -> hidden -> 2 with ReLU.

    The first layer starts with unit slopes and its kinks spread evenly over [0, 1)
    (h_j = relu(x - j / hidden)), so that every unit is alive on the data's x range and the
    piecewise-linear f can bend where it must; the other layers use PyTorch's default
    initialisation, drawn from ``generator`` when one is given.

    Args:
        hidden: width of the two hidden layers, >= 1 (8 in the practicum).
        generator: ``torch.Generator``, int seed or None (global RNG) for the random initial weights;
            with a generator the global RNG is not touched.
        dtype: dtype of the parameters (default: torch's default dtype).

    See chapter 4.
    """

    def __init__(self, hidden: int = 8, *, generator: torch.Generator | int | None = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        hidden = check_int(hidden, "hidden")
        generator = as_generator(generator)
        dtype = check_float_dtype(dtype)
        first = nn.utils.skip_init(nn.Linear, 1, hidden, dtype=dtype)  # set below, not drawn
        self.f = nn.Sequential(first, nn.ReLU(), linear(hidden, hidden, dtype=dtype, generator=generator), nn.ReLU(),
                               linear(hidden, 2, dtype=dtype, generator=generator))
        with torch.no_grad():
            self.f[0].weight.fill_(1.0)
            self.f[0].bias.copy_(-torch.arange(hidden, dtype=dtype) / hidden)

    def radii(self, x: torch.Tensor) -> torch.Tensor:
        """The predicted half-axes f(x): x of shape (B,) -> (B, 2)."""
        return self.f(x[:, None])  # (B, 1) -> (B, 2)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Points g(x_i, z_k) for x of shape (B,) and latents z of shape (N_z,): (B, N_z, 2)."""
        r = self.radii(x)  # (B, 2)
        return torch.stack([r[:, None, 0] * torch.cos(z), r[:, None, 1] * torch.sin(z)], dim=-1)  # (B, N_z, 2)
