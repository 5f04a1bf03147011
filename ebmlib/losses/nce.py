"""Noise-contrastive estimation: learn an energy and its log partition function by classification.

See chapter 7.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

from .._checks import check_callable, check_energy_output, check_real, check_reduction, check_tensor, reduce_loss

__all__ = ["nce_loss"]


def _check_log_z(log_z, like: torch.Tensor) -> torch.Tensor:
    if isinstance(log_z, torch.Tensor):
        if log_z.numel() != 1 or not log_z.is_floating_point():
            raise ValueError(f"log_z must be a floating scalar tensor or a number, got shape "
                             f"{tuple(log_z.shape)} and dtype {log_z.dtype}")
        if not bool(torch.isfinite(log_z).all()):
            raise ValueError("log_z contains NaN or infinite values")
        return log_z.reshape(())
    return torch.tensor(check_real(log_z, "log_z"), dtype=like.dtype, device=like.device)


def nce_loss(energy: Callable[[torch.Tensor], torch.Tensor], log_z: torch.Tensor | float,
             y_data: torch.Tensor, y_noise: torch.Tensor,
             noise_log_prob: Callable[[torch.Tensor], torch.Tensor], *, reduction: str = "mean") -> torch.Tensor:
    """Noise-contrastive estimation loss: logistic regression of data against noise samples.

    The model's log-density is log p_model(y) = -E(y) - log_z, with log_z a free parameter.
    With nu = len(y_noise) / len(y_data) and the log-odds that y is data,
    G(y) = log p_model(y) - log(nu p_noise(y)), the loss is

        L = mean_data softplus(-G(y)) + nu * mean_noise softplus(G(y)),

    the cross-entropy of the classifier sigmoid(G) (Gutmann and Hyvaerinen, 2010). Its minimiser
    is the data density, and at the minimum the model is normalised: log_z learns log Z. When the
    model equals the noise and nu = 1, G = 0 and L = 2 log 2.

    Args:
        energy: maps (B, D) points to (B,) energies.
        log_z: the model's log partition function, a scalar tensor (trainable) or a number.
        y_data: (N, D) data points.
        y_noise: (M, D) samples of the noise distribution.
        noise_log_prob: ``noise_log_prob(y) -> (B,)``, the normalised log-density of the noise.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``. The noise samples are not paired with data
            points, so ``"none"`` gives the (N,) terms softplus(-G(y_i)) + nu * mean_noise softplus(G),
            each data point with the noise's mean term; their mean is the loss, their sum
            (``"sum"``) the cross-entropy summed over all N + M samples.

    Returns:
        Scalar tensor, or (N,) with ``reduction="none"``.

    See chapter 7.
    """
    check_callable(energy, "energy", "y of shape (B, D) -> energies (B,)")
    check_callable(noise_log_prob, "noise_log_prob", "y of shape (B, D) -> log-densities (B,)")
    check_tensor(y_data, "y_data", ndim=2)
    check_tensor(y_noise, "y_noise", ndim=2)
    if y_noise.shape[1] != y_data.shape[1]:
        raise ValueError(f"y_noise must have shape (M, {y_data.shape[1]}) like y_data, got {tuple(y_noise.shape)}")
    log_z = _check_log_z(log_z, y_data)
    reduction = check_reduction(reduction)
    n, m = y_data.shape[0], y_noise.shape[0]
    log_nu = math.log(m / n)

    def log_odds(y: torch.Tensor, name: str) -> torch.Tensor:
        e = check_energy_output(energy(y), y.shape[0], f"energy on {name}")
        lq = noise_log_prob(y)
        if not isinstance(lq, torch.Tensor) or tuple(lq.shape) != (y.shape[0],):
            got = tuple(lq.shape) if isinstance(lq, torch.Tensor) else type(lq).__name__
            raise ValueError(f"noise_log_prob must return shape ({y.shape[0]},) on {name}, got {got}")
        if not bool(torch.isfinite(lq).all()):
            raise ValueError(f"noise_log_prob returned NaN or infinite values on {name} "
                             "(the noise must have mass wherever the data are)")
        return -e - log_z - lq - log_nu  # (B,)

    g_data, g_noise = log_odds(y_data, "y_data"), log_odds(y_noise, "y_noise")
    if reduction == "mean":  # the original expression, kept bit for bit
        return F.softplus(-g_data).mean() + (m / n) * F.softplus(g_noise).mean()
    return reduce_loss(F.softplus(-g_data) + (m / n) * F.softplus(g_noise).mean(), reduction)
