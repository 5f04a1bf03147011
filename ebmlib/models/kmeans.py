"""K-means as a latent-variable energy-based model: E(y, z) = ‖y - W z‖^2 with z one-hot.

The latent z picks one of k prototypes w_j (the columns of W), so the energy table over the k
values of z is the squared distance to each prototype, and the free energy at zero temperature is
the distance to the nearest one. Only the k prototypes have zero energy: the model limits the
volume of low energy by construction, with nothing pushed up (an architectural method).

See chapter 8.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_fitted_input, check_positive, check_tensor
from ..soft_minimum import free_energy as _soft_minimum
from ..utils import as_generator

__all__ = ["KMeansEBM"]

_CHUNK = 16384  # rows per block in free_energy / infer: a (B, k) table of a fine grid need not fit at once


def _sq_dist(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Squared distances (B, k) between the rows of y (B, D) and the rows of w (k, D)."""
    d2 = torch.zeros(y.shape[0], w.shape[0], dtype=y.dtype, device=y.device)  # (B, k)
    for d in range(y.shape[1]):  # one coordinate at a time: exact, and far faster than a (B, k, D) sum
        d2 += (y[:, d, None] - w[None, :, d]) ** 2
    return d2


def _kmeans_pp(y: torch.Tensor, k: int, gen: torch.Generator | None) -> torch.Tensor:
    """Greedy k-means++ seeding (Arthur and Vassilvitskii; greedy as in scikit-learn).

    The first prototype is a uniformly drawn point; each next one is the best, for the potential
    sum_i D(y_i)^2, of 2 + floor(log k) candidates drawn with probability proportional to D(y)^2,
    where D(y) is the distance to the nearest prototype chosen so far.
    """
    n = y.shape[0]
    trials = 2 + int(math.log(k))
    idx = [int(torch.randint(n, (1,), generator=gen))]
    d2 = _sq_dist(y, y[idx])[:, 0]  # (n,)
    for _ in range(1, k):
        probs = d2 if float(d2.sum()) > 0 else torch.ones_like(d2)  # all points covered: any point
        cand = torch.multinomial(probs, trials, replacement=True, generator=gen)  # (trials,)
        new_d2 = torch.minimum(d2[:, None], _sq_dist(y, y[cand]))  # (n, trials)
        best = int(new_d2.sum(0).argmin())
        idx.append(int(cand[best]))
        d2 = new_d2[:, best]
    return y[idx].clone()  # (k, D)


def _lloyd(y: torch.Tensor, w: torch.Tensor, n_iter: int) -> tuple[torch.Tensor, int]:
    """Coordinate descent: z given W (nearest prototype), then W given z (cluster means)."""
    labels = None
    it = 0
    for it in range(1, n_iter + 1):
        new = _sq_dist(y, w).argmin(1)  # (n,) step 1: minimise E over the one-hot z
        if labels is not None and torch.equal(new, labels):
            break
        labels = new
        counts = torch.bincount(labels, minlength=w.shape[0]).to(y.dtype)  # (k,)
        sums = torch.zeros_like(w).index_add_(0, labels, y)  # (k, D)
        keep = counts == 0  # an empty cluster keeps its prototype
        w = torch.where(keep[:, None], w, sums / counts.clamp_min(1)[:, None])  # step 2: minimise over W
    return w, it


class KMeansEBM:
    """K-means as an energy: E(y, z) = ‖y - W z‖^2 with z one of the k one-hot vectors.

    The energy is E(y, j) = ‖y - w_j‖^2 for the latent index j (:meth:`energy`), the whole table
    over the k latents is :meth:`energy_table` (B, k); inference is z = argmin_j E(y, j) (the
    nearest prototype); the zero-temperature free energy F(y) = min_j ‖y - w_j‖^2 is zero only at
    the k prototypes and grows quadratically away from each of them. Follows the model contract of
    :mod:`ebmlib.models`.

    Args:
        k: the number of prototypes, >= 1.

    Attributes (after ``fit``):
        prototypes: (k, D) the prototypes w_j (the rows here are the columns of W).
        inertia: sum over the training points of F(y_i), the training energy loss.
        n_iter: the number of coordinate-descent sweeps run.
        ``history_``: [inertia / N], the mean training free energy of the kept fit (one entry).

    See chapter 8.
    """

    def __init__(self, k: int) -> None:
        self.k = check_positive(k, "k", integer=True)
        self.prototypes: torch.Tensor | None = None
        self.inertia: float | None = None
        self.n_iter: int | None = None
        self.history_: list[float] = []

    def fit(self, y: torch.Tensor, *, n_iter: int = 100, n_init: int = 1,
            generator: torch.Generator | int | None = None) -> "KMeansEBM":
        """Fit the prototypes: greedy k-means++ seeding, then coordinate descent (Lloyd's algorithm).

        Each sweep minimises the energy loss sum_i ‖y_i - W z_i‖^2 over all z_i with W fixed, then
        over W with the z_i fixed (each prototype moves to the mean of its points); it stops when
        no assignment changes or after ``n_iter`` sweeps. An empty cluster keeps its prototype.

        Args:
            y: (N, D) training points, N >= k.
            n_iter: the most coordinate-descent sweeps, >= 1.
            n_init: seedings to run; the fit of lowest inertia is kept.
            generator: torch.Generator, int seed or None (global RNG) for the seeding.

        Returns:
            self. Costs O(n_iter N k D) per seeding.
        """
        check_tensor(y, "y", ndim=2)
        if y.shape[0] < self.k:
            raise ValueError(f"y must have at least k={self.k} rows, got {y.shape[0]}")
        n_iter = check_positive(n_iter, "n_iter", integer=True)
        n_init = check_positive(n_init, "n_init", integer=True)
        gen = as_generator(generator, y.device)
        y = y.detach()
        best = None
        for _ in range(n_init):
            w, it = _lloyd(y, _kmeans_pp(y, self.k, gen), n_iter)
            inertia = float(_sq_dist(y, w).min(1).values.sum())
            if best is None or inertia < best[1]:
                best = (w, inertia, it)
        self.prototypes, self.inertia, self.n_iter = best
        self.history_ = [self.inertia / y.shape[0]]
        return self

    def _checked(self, y: torch.Tensor) -> torch.Tensor:
        return check_fitted_input(y, self.prototypes)

    def energy_table(self, y: torch.Tensor) -> torch.Tensor:
        """The energy table E(y, z_j) = ‖y - w_j‖^2, shape (B, k), for y of shape (B, D)."""
        return _sq_dist(self._checked(y), self.prototypes)

    def energy(self, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """E(y, z) = ‖y - w_z‖^2, shape (B,), for y (B, D) and prototype indices z (B,) int64."""
        y = self._checked(y)
        if not isinstance(z, torch.Tensor) or z.dtype != torch.int64 or tuple(z.shape) != (y.shape[0],) \
                or bool((z < 0).any()) or bool((z >= self.k).any()):
            raise ValueError(f"z must be an int64 tensor of shape ({y.shape[0]},) with values in [0, {self.k}), "
                             f"got {z!r}")
        return ((y - self.prototypes[z]) ** 2).sum(1)

    def free_energy(self, y: torch.Tensor, *, beta: float = math.inf) -> torch.Tensor:
        """F_beta(y) = -(1/beta) log((1/k) sum_j exp(-beta ‖y - w_j‖^2)), shape (B,).

        The default beta = inf is the minimum over the one-hot latent, min_j ‖y - w_j‖^2 (computed
        in blocks, so a fine grid need not fit at once); a finite beta > 0 is the soft minimum of
        :func:`~ebmlib.soft_minimum.free_energy` over the k prototypes.
        """
        y = self._checked(y)
        if beta == math.inf:
            return torch.cat([_sq_dist(c, self.prototypes).min(1).values for c in y.split(_CHUNK)])
        return torch.cat([_soft_minimum(_sq_dist(c, self.prototypes), beta) for c in y.split(_CHUNK)])

    def infer(self, y: torch.Tensor) -> torch.Tensor:
        """The inferred latent: the index of the nearest prototype, shape (B,) int64."""
        y = self._checked(y)
        return torch.cat([_sq_dist(c, self.prototypes).argmin(1) for c in y.split(_CHUNK)])

    def reconstruct(self, y: torch.Tensor) -> torch.Tensor:
        """The closest point of the model's low-energy set: the nearest prototype, shape (B, D)."""
        return self.prototypes[self.infer(y)]

    def complete(self, y: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
        """Predict the unobserved coordinates from the observed ones ("given y1, predict y2").

        The energy restricted to the observed coordinates picks the prototype
        j = argmin_j sum_{d observed} (y_d - w_jd)^2; the prediction is y with its unobserved
        coordinates replaced by those of w_j.

        Args:
            y: (B, D) points; the values at unobserved coordinates are ignored.
            observed: (D,) boolean mask of the coordinates that are given (at least one).

        Returns:
            (B, D) completed points.
        """
        y = self._checked(y)
        if not isinstance(observed, torch.Tensor) or observed.dtype != torch.bool \
                or tuple(observed.shape) != (y.shape[1],) or not bool(observed.any()):
            raise ValueError(f"observed must be a boolean tensor of shape ({y.shape[1]},) with at least one "
                             f"True, got {observed!r}")
        j = _sq_dist(y[:, observed], self.prototypes[:, observed]).argmin(1)  # (B,)
        return torch.where(observed[None, :], y, self.prototypes[j])

    def __repr__(self) -> str:
        return f"KMeansEBM(k={self.k}{'' if self.prototypes is None else ', fitted'})"
