"""A Gaussian energy fitted in closed form (the base that chapter 9's network tilts, see :mod:`ebmlib.models.tilted`).

A network trained by short-run maximum likelihood learns strokes but little of how far-apart pixels
depend on each other; the Gaussian fitted to the same images (its mean and covariance) has exactly
those pairwise dependencies and nothing else. Adding the two energies,

    E(y) = E_0(y) + g_theta(y),    p(y) proportional to p_0(y) exp(-g_theta(y)),

lets the network learn only what the base density p_0 misses (an exponential tilt of the base).

See chapter 9.
"""

from __future__ import annotations


import torch
from torch import nn

from .._checks import check_nonneg_real, check_positive, check_tensor

__all__ = ["GaussianEnergy"]


class _FitOrFromData:
    """``model.fit(y)`` refits in place and returns the model (the model contract); ``GaussianEnergy.fit(y)``
    on the class is :meth:`GaussianEnergy.from_data`, the constructor (the earlier spelling, kept for callers
    written against it)."""

    def __get__(self, obj, cls):
        return cls.from_data if obj is None else obj._fit


def _fit_gaussian(y: torch.Tensor, shrinkage) -> tuple[torch.Tensor, torch.Tensor]:
    """mu = the data mean and the symmetrised P = (S + shrinkage I)^-1 of (N, ...) data."""
    check_tensor(y, "y", min_ndim=2)
    if y.shape[0] < 2:
        raise ValueError(f"y must have at least 2 rows to estimate a covariance, got {y.shape[0]}")
    shrinkage = check_nonneg_real(shrinkage, "shrinkage")
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
    return mean, (precision + precision.T) / 2


class GaussianEnergy(nn.Module):
    """The energy of a Gaussian density, E(y) = weight * 1/2 (y - mu)^T P (y - mu), y flattened.

    Build it from data with :meth:`from_data` (or refit one with :meth:`fit`), which takes mu as the data mean and P = (S + shrinkage I)^-1 with S
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
        history_: [mean energy of the data] after :meth:`from_data` or :meth:`fit`.

    Follows the model contract of :mod:`ebmlib.models` (no latent: ``forward`` is the energy).

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
        self.weight = check_positive(weight, "weight")
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("precision", precision.detach().to(mean.dtype).clone())
        self.history_: list[float] = []

    @classmethod
    def from_data(cls, y: torch.Tensor, *, shrinkage: float = 0.01, weight: float = 1.0) -> "GaussianEnergy":
        """A new Gaussian energy fitted to (N, ...) data: mu = their mean, P = (S + shrinkage I)^-1.

        ``weight`` is as in the constructor; ``history_`` holds [the mean energy of the data]. Called on
        the class, ``GaussianEnergy.fit(y, ...)`` is this constructor (the earlier spelling); called on a
        model, ``model.fit(y, shrinkage=...)`` refits it in place and returns it. Costs O(N D^2 + D^3).
        """
        mean, precision = _fit_gaussian(y, shrinkage)
        model = cls(mean, precision, weight=weight)
        model.history_ = [float(model(y.detach()).mean())]
        return model

    def _fit(self, y: torch.Tensor, *, shrinkage: float = 0.01) -> "GaussianEnergy":
        """Refit mu = the mean of (N, ...) data and P = (S + shrinkage I)^-1 in place; returns self.

        ``history_`` becomes [the mean energy of the data] (one entry: the fit is in closed form).
        Costs O(N D^2 + D^3).

        Raises:
            ValueError: fewer than two rows, a non-finite entry, a negative shrinkage, or a
                covariance that is singular with ``shrinkage`` = 0.
        """
        mean, precision = _fit_gaussian(y, shrinkage)
        self.mean, self.precision = mean, precision  # buffers: registered names are replaced in place
        self.history_ = [float(self(y.detach()).mean())]
        return self

    fit = _FitOrFromData()

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies of shape (B,) for y of shape (B, ...) (flattened to (B, D))."""
        d = y.flatten(1) - self.mean  # (B, D)
        return 0.5 * self.weight * ((d @ self.precision) * d).sum(1)

    def extra_repr(self) -> str:
        return f"dim={self.mean.shape[0]}, weight={self.weight:g}"
