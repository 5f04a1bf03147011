"""The soft minimum: the free energy of an energy over a latent variable, and Gibbs distributions on grids.

(The module is named after the operation so that the function ``ebmlib.free_energy`` does not
shadow it.)

Marginalising a latent z out of an energy E(y, z) at inverse temperature beta gives the free energy

    F_beta(y) = -(1/beta) * log( (1/N) * sum_z exp(-beta * E(y, z)) ),

a soft minimum over z: the mean of E over z as beta -> 0, the minimum as beta -> inf. Its Gibbs
distribution exp(-beta F_beta(y)) / Z is the marginal over z of the joint Gibbs distribution of
E(y, z). See chapter 3.

The temperature convention of ebmlib: every free energy (this module's :func:`free_energy`,
``latent_free_energy``, ``conditional_free_energy``, ``free_energy_on_grid``) defaults to
beta = inf, the lecture's zero-temperature F_inf (a minimum, computed exactly); every density
(``gibbs_on_grid``, ``losses.nll_loss``, ``grids.grid_log_likelihood``, ``grids.ml_gradient``)
defaults to beta = 1 or asks for a finite beta, since exp(-inf * F) is not a density.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import check_positive, check_tensor

__all__ = ["free_energy", "gibbs_on_grid"]


def _check_dim(energies: torch.Tensor, dim) -> int:
    """Return ``dim`` as a non-negative axis index of ``energies`` or raise ValueError."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise ValueError(f"dim must be an integer axis, got {dim!r}")
    nd = energies.dim()
    if nd == 0:
        raise ValueError("energies must have at least one dimension (the latent axis), got a 0-d tensor")
    if not -nd <= int(dim) < nd:
        raise ValueError(f"dim must be in [{-nd}, {nd - 1}] for energies of shape "
                         f"{tuple(energies.shape)}, got {dim}")
    return int(dim) % nd


def _check_beta(beta, energies: torch.Tensor, dim: int):
    """Validate beta (a number, or a tensor broadcastable to the output) and get it ready to use.

    Returns ``(beta, energies, dim)``: a float (possibly ``math.inf``) and the inputs unchanged, or
    a tensor beta with the reduced axis re-inserted as size 1 and the energies given as many leading
    size-1 axes as beta has extra dimensions (so that several betas give a stack of results).
    """
    if isinstance(beta, torch.Tensor):
        if not beta.is_floating_point():
            raise ValueError(f"beta must be a floating-point tensor, got dtype {beta.dtype}")
        if beta.numel() == 0:
            raise ValueError("beta must not be empty")
        if bool(torch.isnan(beta).any()) or bool((beta <= 0).any()):
            raise ValueError("beta must be > 0 everywhere (math.inf allowed), got a value <= 0 or NaN")
        out_shape = energies.shape[:dim] + energies.shape[dim + 1:]
        try:
            torch.broadcast_shapes(beta.shape, out_shape)
        except RuntimeError:
            raise ValueError(f"beta of shape {tuple(beta.shape)} does not broadcast against the output "
                             f"shape {tuple(out_shape)}") from None
        extra = max(beta.dim() - len(out_shape), 0)
        energies = energies.reshape((1,) * extra + tuple(energies.shape))  # (1.., *energies.shape)
        dim = dim + extra
        out_nd = len(out_shape) + extra
        beta = beta.reshape((1,) * (out_nd - beta.dim()) + tuple(beta.shape))  # aligned with output
        return beta.unsqueeze(dim).to(energies.dtype), energies, dim
    return check_positive(beta, "beta", allow_inf=True), energies, dim


def free_energy(energies: torch.Tensor, beta: float | torch.Tensor = math.inf, dim: int = -1) -> torch.Tensor:
    """Soft minimum of an energy table over its latent axis ``dim`` at inverse temperature beta.

    F_beta = -(1/beta) * (logsumexp(-beta * E, dim) - log N),   N = energies.shape[dim].

    Computed as min E + soft minimum of (E - min E) (with an expm1/log1p form when hot), so that it
    stays finite and accurate in float32 for beta from 1e-8 to 1e8 and energies up to 1e4. ``beta = math.inf`` gives ``torch.amin``
    exactly (the zero-temperature free energy F_inf); as beta -> 0 it tends to the mean over ``dim``.
    Differentiable in ``energies`` (and in a tensor beta): dF/dE_k = softmax(-beta * E, dim)_k.

    Args:
        energies: energy table, e.g. (B, N_z) over a latent grid; floating point, finite.
        beta: inverse temperature > 0, ``math.inf`` (the default: the minimum), or a positive tensor broadcastable to the
            output shape (``energies`` with ``dim`` removed); extra leading dimensions stack results,
            e.g. betas of shape (K, 1) against a (B, N_z) table give a (K, B) result.
        dim: the latent axis to minimise over.

    Returns:
        The free energy, ``energies`` with ``dim`` removed, e.g. (B,).

    See chapter 3.
    """
    check_tensor(energies, "energies")
    dim = _check_dim(energies, dim)
    beta, energies, dim = _check_beta(beta, energies, dim)
    e_min = torch.amin(energies, dim=dim, keepdim=True)  # (..., 1, ...)
    if not isinstance(beta, torch.Tensor):
        if math.isinf(beta):
            return e_min.squeeze(dim)
        return (e_min + _soft_part(-beta * (energies - e_min), dim) / beta).squeeze(dim)
    is_inf = torch.isinf(beta)
    beta_f = torch.where(is_inf, torch.ones_like(beta), beta)  # placeholder where beta = inf
    soft = _soft_part(-beta_f * (energies - e_min), dim) / beta_f
    soft = torch.where(is_inf, torch.zeros_like(soft), soft)
    return (e_min + soft).squeeze(dim)


def _soft_part(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """Return -log(mean(exp(logits), dim)) (keepdim) for logits <= 0 with a maximum of exactly 0.

    Shifting by the minimum energy makes every term <= 0 with one of them 0, so logsumexp neither
    overflows nor underflows. Where beta * (E - min E) is small (hot), log(mean(exp)) is a small
    difference of two numbers near log N; there ``log1p(mean(expm1(logits)))`` keeps full precision.
    """
    n = logits.shape[dim]
    via_lse = torch.logsumexp(logits, dim=dim, keepdim=True) - math.log(n)
    m = torch.expm1(logits).mean(dim=dim, keepdim=True)  # in (-1, 0]
    via_log1p = torch.log1p(m.clamp(min=-0.75))  # clamp: the unused branch stays finite
    return -torch.where(m >= -0.5, via_log1p, via_lse)


def gibbs_on_grid(F: torch.Tensor, beta: float, cell_area: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalise the Gibbs density exp(-beta F) over a grid of cells of equal size.

    p_i = exp(-beta F_i) / Z,   Z = cell_area * sum_i exp(-beta F_i),   so sum_i p_i * cell_area = 1.

    Every entry of ``F`` is one cell (any shape: a 2-D grid of y, or a (y, z) grid for the joint
    distribution, with ``cell_area`` the product of the cell sides). The marginal over a latent axis
    of the joint Gibbs density of E(y, z) equals the Gibbs density of F_beta(y) (see chapter 3):
    ``gibbs_on_grid(E, b, dA * dz)[0].sum(-1) * dz == gibbs_on_grid(free_energy(E, b), b, dA)[0]``.

    Args:
        F: energies (or free energies) on the grid, any shape, finite.
        beta: inverse temperature, finite and > 0 (at beta = inf the density is not a function).
        cell_area: the area (volume) of one grid cell, > 0.

    Returns:
        ``(p, log_Z)``: the density, same shape as ``F`` (p * cell_area sums to 1), and the log
        partition function, a 0-d tensor.

    See chapter 3.
    """
    check_tensor(F, "F")
    beta = check_positive(beta, "beta (a density needs a finite beta)")
    cell_area = check_positive(cell_area, "cell_area")
    logits = -beta * (F - F.min())  # shift for accuracy at large beta; undone in log_Z
    log_z_shifted = torch.logsumexp(logits.reshape(-1), dim=0) + math.log(cell_area)
    p = torch.exp(logits - log_z_shifted)
    log_z = log_z_shifted - beta * F.min()
    return p, log_z
