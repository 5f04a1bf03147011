"""A product of Student-t experts: the energy-based overcomplete ICA of Teh et al. (2003).

The name "energy-based model" entered machine learning with this model. Each expert j looks at the
data through one linear filter w_j and finds the response w_j . y likely when it is near zero and,
because its tails are heavy, not too unlikely when it is large (a sparse response):

    E(y) = sum_j alpha_j log(1 + (w_j . y)^2),   alpha_j > 0.

With as many filters as dimensions this is ordinary ICA with Student-t sources; with more filters
than dimensions (overcomplete) the density is still simple to write, but no longer simple to
normalise or sample. Teh et al. trained it by contrastive divergence; chapter 10 trains it by score
matching, which Hyvaerinen (2005) proposed for non-normalised densities in general (Gaussian, ICA
and overcomplete filter models among his examples) and which needs no sampler.

See chapter 10.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_int, check_positive
from ..utils import as_generator

__all__ = ["ProductOfExperts"]


class ProductOfExperts(nn.Module):
    """A product of Student-t experts, E(y) = sum_j alpha_j log(1 + (w_j . y)^2).

    The filters W (n_experts, dim) start as random unit vectors scaled by ``scale``; alpha_j =
    softplus(a_j) stays positive (start: alpha_j = 1).

    Args:
        dim: dimension of y.
        n_experts: number of experts (filters); more than ``dim`` is the overcomplete case.
        scale: the initial length of each filter, > 0.
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial filters.

    Shapes: ``forward`` maps y (B, dim) to energies (B,); ``filters`` is (n_experts, dim) and
    ``alphas`` is (n_experts,).

    See chapter 10.
    """

    def __init__(self, dim: int = 2, n_experts: int = 4, *, scale: float = 1.0, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        self.dim = check_int(dim, "dim")
        self.n_experts = check_int(n_experts, "n_experts")
        scale = check_positive(scale, "scale")
        dtype = dtype or torch.get_default_dtype()
        w = torch.randn(self.n_experts, self.dim, generator=as_generator(generator), dtype=dtype)
        self.W = nn.Parameter(scale * w / w.norm(dim=1, keepdim=True))
        self.a = nn.Parameter(torch.full((self.n_experts,), 0.5413248546129181, dtype=dtype))  # softplus^-1(1)

    @property
    def filters(self) -> torch.Tensor:
        """The filters w_j as rows, (n_experts, dim)."""
        return self.W.detach()

    @property
    def alphas(self) -> torch.Tensor:
        """The expert weights alpha_j > 0, (n_experts,)."""
        return nn.functional.softplus(self.a).detach()

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies (B,) of y (B, dim)."""
        u = y @ self.W.T  # (B, n_experts): every filter's response
        return (nn.functional.softplus(self.a) * torch.log1p(u**2)).sum(dim=1)
