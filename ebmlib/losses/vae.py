"""The VAE loss on a latent grid: the batch mean of the variational free energy.

The model (the encoder :class:`ebmlib.models.GridEncoder` and the variational free energy
:func:`ebmlib.models.variational_free_energy`) lives in :mod:`ebmlib.models.vae`; this is the loss
that trains it.

See chapter 10.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_reduction, reduce_loss
from ..latent import latent_energy_table, latent_grid
from ..models.vae import variational_free_energy

__all__ = ["vae_loss"]


def vae_loss(y: torch.Tensor, decoder: Callable[[torch.Tensor], torch.Tensor], encoder: Callable[[torch.Tensor], torch.Tensor],
             *, z_grid: torch.Tensor | None = None, beta: float = 1.0, reduction: str = "mean") -> torch.Tensor:
    """The VAE loss on a latent grid: the batch mean of the variational free energy F_q(y).

    L = (1/B) sum_b [ sum_k q(z_k | y_b) ||y_b - g(z_k)||^2 + (1/beta) KL(q(. | y_b) || uniform) ],
    with q from the encoder; at beta = 1 it is the negative ELBO (see the module docstring).

    Args:
        y: (B, D) data.
        decoder: g, maps (N_z,) latents to (N_z, D) points (e.g. :class:`ebmlib.models.EllipseDecoder`).
        encoder: maps y (B, D) to normalised log q (B, N_z) (e.g. :class:`ebmlib.models.GridEncoder`).
        z_grid: (N_z,) latents (default: ``latent_grid(encoder.n_z)`` or ``latent_grid(48)``).
        beta: inverse temperature > 0.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (the (B,) values F_q(y_b)).

    Returns:
        Scalar tensor (or (B,) with ``reduction="none"``), differentiable in the encoder and the decoder.

    See chapter 10.
    """
    if not callable(encoder):
        raise ValueError(f"encoder must be callable (y (B, D) -> log q (B, N_z)), got {type(encoder).__name__}")
    reduction = check_reduction(reduction)
    if z_grid is None:
        z_grid = latent_grid(getattr(encoder, "n_z", 48), dtype=y.dtype if isinstance(y, torch.Tensor) else None)
    table = latent_energy_table(y, decoder, z_grid)  # (B, N_z); checks y, decoder and z_grid
    log_q = encoder(y)
    if not isinstance(log_q, torch.Tensor) or log_q.shape != table.shape:
        got = tuple(log_q.shape) if isinstance(log_q, torch.Tensor) else type(log_q).__name__
        raise ValueError(f"encoder must return log q of shape {tuple(table.shape)}, got {got}")
    return reduce_loss(variational_free_energy(table, log_q, beta=beta), reduction)
