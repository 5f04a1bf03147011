"""A Gaussian energy fitted in closed form (the base that chapter 9's network tilts, see :mod:`ebmlib.models.tilted`).

A network trained by short-run maximum likelihood learns strokes but little of how far-apart pixels
depend on each other; the Gaussian fitted to the same images (its mean and covariance) has exactly
those pairwise dependencies and nothing else. Adding the two energies,

    E(y) = E_0(y) + g_theta(y),    p(y) proportional to p_0(y) exp(-g_theta(y)),

lets the network learn only what the base density p_0 misses (an exponential tilt of the base).

See chapter 9.
"""

from __future__ import annotations

import math
from numbers import Real

import torch
from torch import nn

from .._checks import check_tensor

__all__ = ["GaussianEnergy"]


def _check_number(value, name: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) \
            or (value <= 0 if positive else value < 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
    return float(value)


class GaussianEnergy(nn.Module):
    """The energy of a Gaussian density, E(y) = weight * 1/2 (y - mu)^T P (y - mu), y flattened.

    Build it with :meth:`fit`, which takes mu as the data mean and P = (S + shrinkage I)^-1 with S
    the sample covariance (divisor N - 1): the maximum-likelihood Gaussian, its covariance made
    invertible (the border pixels of a digit are always 0, so S alone is singular). With
    ``weight`` = 1, exp(-E) is that Gaussian's density up to its normalising constant; a weight
    w < 1 gives the Gaussian of covariance (S + shrinkage I) / w, the same shape made broader.

    Gradient descent y <- y - eps grad E(y) on this energy contracts along each eigenvector of P
    (eigenvalue lambda) by the factor 1 - eps * weight * lambda, so it converges exactly when
    eps * weight * lambda_max(P) < 2, where lambda_max(P) <= 1 / shrinkage; on the unknown pixels
    of an image (known ones held fixed) it converges to the Gaussian's conditional mean.

    Args:
        mean: (D,) mu.
        precision: (D, D) symmetric positive-definite P.
        weight: w > 0, the factor in front of the quadratic form.

    Attributes:
        mean, precision: buffers (they move with ``.to(device)`` and are not trained).
        weight: float.

    Shapes: ``forward`` maps (B, ...) with prod(...) = D to (B,); like the other modules it does not
    check its input. Cost: O(B D^2).

    See chapter 9.
    """

    def __init__(self, mean: torch.Tensor, precision: torch.Tensor, *, weight: float = 1.0) -> None:
        super().__init__()
        check_tensor(mean, "mean", ndim=1)
        check_tensor(precision, "precision", ndim=2)
        d = mean.shape[0]
        if precision.shape != (d, d):
            raise ValueError(f"precision must have shape ({d}, {d}) like mean, got {tuple(precision.shape)}")
        if not torch.allclose(precision, precision.T, rtol=1e-6, atol=1e-8 * float(precision.abs().max())):
            raise ValueError("precision must be symmetric")
        if torch.linalg.eigvalsh(precision).min() <= 0:
            raise ValueError("precision must be positive definite")
        self.weight = _check_number(weight, "weight", positive=True)
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("precision", precision.detach().to(mean.dtype).clone())

    @classmethod
    def fit(cls, y: torch.Tensor, *, shrinkage: float = 0.01, weight: float = 1.0) -> "GaussianEnergy":
        """The Gaussian energy of (N, ...) data: mu = their mean, P = (S + shrinkage I)^-1. Costs O(N D^2 + D^3).

        Raises:
            ValueError: fewer than two rows, a non-finite entry, a negative shrinkage, or a
                covariance that is singular with ``shrinkage`` = 0.
        """
        check_tensor(y, "y", min_ndim=2)
        if y.shape[0] < 2:
            raise ValueError(f"y must have at least 2 rows to estimate a covariance, got {y.shape[0]}")
        shrinkage = _check_number(shrinkage, "shrinkage", positive=False)
        flat = y.detach().flatten(1)  # (N, D)
        mean = flat.mean(0)
        centred = flat - mean
        cov = centred.T @ centred / (flat.shape[0] - 1) + shrinkage * torch.eye(flat.shape[1], dtype=flat.dtype,
                                                                                 device=flat.device)
        chol, info = torch.linalg.cholesky_ex(cov)
        if int(info) != 0:
            raise ValueError("the covariance of y is singular (a pixel that never changes has variance 0), so "
                             "shrinkage must be > 0")
        precision = torch.cholesky_inverse(chol)
        return cls(mean, (precision + precision.T) / 2, weight=weight)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies of shape (B,) for y of shape (B, ...) (flattened to (B, D))."""
        d = y.flatten(1) - self.mean  # (B, D)
        return 0.5 * self.weight * ((d @ self.precision) * d).sum(1)

    def extra_repr(self) -> str:
        return f"dim={self.mean.shape[0]}, weight={self.weight:g}"
