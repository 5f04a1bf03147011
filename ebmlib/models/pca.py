"""PCA as a linear architectural energy: the squared distance to an affine subspace.

With a latent z in R^K and a linear decoder, E(y, z) = ‖y - mu - U^T z‖^2 (U: K orthonormal rows);
the minimum over z is the reconstruction error off the principal subspace,
F(y) = ‖(I - U^T U)(y - mu)‖^2. Only the K-dimensional subspace has zero energy, so its volume of
low energy is bounded by choosing K < D: nothing needs to be pushed up.

See chapter 8.
"""

from __future__ import annotations

import torch

from .._checks import check_fitted_input, check_positive, check_tensor

__all__ = ["PCAEnergy"]


class PCAEnergy:
    """PCA as an energy: F(y) = min_z ‖y - mu - U^T z‖^2 = ‖(I - U^T U)(y - mu)‖^2.

    Fitting takes mu as the data mean and U as the top K right singular vectors of the centred data
    (the principal axes): this minimises the energy loss sum_i F(y_i) over all affine subspaces of
    dimension K (Eckart-Young).

    Args:
        n_components: K, the dimension of the subspace, >= 1.

    Attributes:
        mean: (D,) mu (this and the next two are set by ``fit``).
        components: (K, D) orthonormal rows U, in order of decreasing variance; the sign of each
            row is fixed so that its entry of largest magnitude is positive.
        explained_variance: (K,) the variances along the components (divisor N - 1).
        history_: [mean training free energy] (one entry: the fit is in closed form).

    Follows the model contract of :mod:`ebmlib.models` (inference is :meth:`infer`).

    See chapter 8.
    """

    def __init__(self, n_components: int) -> None:
        self.n_components = check_positive(n_components, "n_components", integer=True)
        self.mean: torch.Tensor | None = None
        self.components: torch.Tensor | None = None
        self.explained_variance: torch.Tensor | None = None
        self.history_: list[float] = []

    def fit(self, y: torch.Tensor) -> "PCAEnergy":
        """Fit mu and U to (N, D) data by a singular value decomposition; returns self. Costs O(N D^2)."""
        check_tensor(y, "y", ndim=2)
        n, d = y.shape
        if self.n_components > min(n, d):
            raise ValueError(f"n_components must be <= min(N, D) = {min(n, d)}, got {self.n_components}")
        if n < 2:
            raise ValueError(f"y must have at least 2 rows, got {n}")
        y = y.detach()
        self.mean = y.mean(0)
        _, s, vh = torch.linalg.svd(y - self.mean, full_matrices=False)  # vh (min(N, D), D)
        u = vh[: self.n_components]
        sign = torch.sign(u.gather(1, u.abs().argmax(1, keepdim=True)))  # (K, 1)
        self.components = u * sign
        self.explained_variance = s[: self.n_components] ** 2 / (n - 1)
        self.history_ = [float((s[self.n_components:] ** 2).sum()) / n]  # the residual energy per point
        return self

    def _checked(self, y: torch.Tensor) -> torch.Tensor:
        return check_fitted_input(y, self.components)

    def infer(self, y: torch.Tensor) -> torch.Tensor:
        """The inferred latent z = U (y - mu), shape (B, K): the argmin of E(y, z) over z."""
        return (self._checked(y) - self.mean) @ self.components.T

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The point mu + U^T z of the subspace, shape (B, D), for z of shape (B, K)."""
        if self.components is None:
            raise ValueError("the model must be fitted first (call .fit(y))")
        check_tensor(z, "z", ndim=2)
        if z.shape[1] != self.n_components:
            raise ValueError(f"z must have shape (B, {self.n_components}), got {tuple(z.shape)}")
        return self.mean + z.to(self.components.dtype) @ self.components

    def reconstruct(self, y: torch.Tensor) -> torch.Tensor:
        """The closest point of the subspace, mu + U^T U (y - mu), shape (B, D)."""
        return self.decode(self.infer(y))

    def energy(self, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """E(y, z) = ‖y - mu - U^T z‖^2, shape (B,), for y (B, D) and z (B, K)."""
        y = self._checked(y)
        return ((y - self.decode(z)) ** 2).sum(1)

    def free_energy(self, y: torch.Tensor) -> torch.Tensor:
        """F(y) = min_z E(y, z) = ‖(I - U^T U)(y - mu)‖^2, shape (B,): the reconstruction error."""
        y = self._checked(y)
        c = y - self.mean  # (B, D)
        return ((c - (c @ self.components.T) @ self.components) ** 2).sum(1)

    def __repr__(self) -> str:
        return f"PCAEnergy(n_components={self.n_components}{'' if self.components is None else ', fitted'})"
