"""The variational autoencoder as a latent-variable EBM with amortised inference.

Chapter 3 wrote the free energy of a latent-variable EBM as a minimum over distributions q of z,

    F_beta(y) = min_q  sum_z q(z) E(y, z) + (1/beta) KL(q || prior),

reached at the Gibbs posterior q(z) proportional to prior(z) exp(-beta E(y, z)). Any other q gives
an upper bound, the variational free energy F_q(y) >= F_beta(y). A VAE does not search for the best
q for each y: an encoder network outputs q(z | y) for every y at once (amortised inference), and
training minimises F_q at beta = 1 over the encoder and the decoder together. With
E(y, z) = ||y - g(z)||^2 this is the negative ELBO of a Gaussian decoder N(g(z), I/2), up to the
constant log pi per dimension pair.

Here the latent lives on chapter 2's grid of angles, so the expectation over q is a finite sum:
the loss is exact, with no sampling and no reparametrisation.

See chapter 10.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_int, check_positive, check_tensor, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ["variational_free_energy", "GridEncoder"]


def variational_free_energy(energy_table: torch.Tensor, log_q: torch.Tensor, *, beta: float = 1.0) -> torch.Tensor:
    """The variational free energy of a distribution q over a latent grid with a uniform prior.

    F_q = sum_k q_k E_k + (1/beta) sum_k q_k log(N_z q_k)   (the second sum is KL(q || uniform)),
    which is >= F_beta = -(1/beta) log((1/N_z) sum_k exp(-beta E_k)) (chapter 3), with equality
    exactly when q_k is proportional to exp(-beta E_k); F_q - F_beta = KL(q || posterior) / beta.

    Args:
        energy_table: (B, N_z) energies E(y_b, z_k) (e.g. :func:`ebmlib.latent.latent_energy_table`).
        log_q: (B, N_z) log-probabilities of q over the grid, each row summing to 1 in probability
            (-inf allowed where q is zero).
        beta: inverse temperature > 0.

    Returns:
        (B,) variational free energies; differentiable in both tables.

    See chapter 10 (and chapter 3 for F_beta).
    """
    check_tensor(energy_table, "energy_table", ndim=2)
    check_tensor(log_q, "log_q", ndim=2, finite=False)
    if bool(torch.isnan(log_q).any()) or bool((log_q == math.inf).any()):
        raise ValueError("log_q contains NaN or +inf values")
    if log_q.shape != energy_table.shape:
        raise ValueError(f"log_q must have the shape of energy_table {tuple(energy_table.shape)}, got {tuple(log_q.shape)}")
    total = torch.logsumexp(log_q.detach(), dim=1)
    if not bool((total.abs() < 1e-4).all()):
        raise ValueError("log_q must be normalised: each row's probabilities must sum to 1 (use log_softmax)")
    beta = check_positive(beta, "beta")
    q = torch.exp(log_q)
    safe = torch.where(q > 0, log_q, torch.zeros_like(log_q))  # 0 log 0 = 0
    kl = (q * (safe + math.log(log_q.shape[1]))).sum(dim=1)
    return (q * energy_table).sum(dim=1) + kl / beta


class GridEncoder(nn.Module):
    """An encoder q(z | y) over a grid of N_z latent values: a perceptron followed by a log-softmax.

    Args:
        dim: dimension of y.
        n_z: size of the latent grid.
        hidden: widths of the hidden layers (SiLU).
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial weights.

    Shapes: ``forward(y)`` maps y (B, dim) to log q (B, n_z), each row normalised.

    See chapter 10.
    """

    def __init__(self, dim: int = 2, n_z: int = 48, hidden: tuple[int, ...] = (32, 32), *,
                 dtype: torch.dtype | None = None, generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        self.dim = check_int(dim, "dim")
        self.n_z = check_int(n_z, "n_z")
        self.net = perceptron((self.dim, *check_widths(hidden), self.n_z), dtype=dtype,
                              generator=as_generator(generator))

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """log q(z_k | y), shape (B, n_z)."""
        return torch.log_softmax(self.net(y), dim=1)
