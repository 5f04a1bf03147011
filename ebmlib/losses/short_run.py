"""Maximum likelihood with short-run Langevin negatives from a replay buffer, for any trailing shape.

The recipe that made EBMs work on images (Du and Mordatch, 2019; Nijkamp et al., 2019): the model
term of the maximum-likelihood gradient is estimated by a few tens of Langevin steps from a replay
buffer of earlier samples (a few restarted from noise), with the pixels clamped to their range, the
input gradient optionally clipped, and a small penalty on the squared energies.

Chapter 7's :func:`~ebmlib.losses.persistent_contrastive_divergence_loss` is the same idea for
points (B, D); this loss takes any (B, ...) batch (images (B, C, H, W)) and passes ``grad_clip``
and ``clamp`` to the sampler.

See chapter 9.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch

from .._checks import check_callable, check_energy_output, check_int, check_nonneg_real, check_reduction, check_tensor
from .contrastive import push_down_push_up
from ..samplers import PersistentChains

__all__ = ["short_run_ml_loss", "ShortRunStep"]

Energy = Callable[[torch.Tensor], torch.Tensor]


class ShortRunStep(NamedTuple):
    """What one step of :func:`short_run_ml_loss` computed (``return_details=True``)."""

    loss: torch.Tensor  # scalar (or (B,) with reduction="none"), differentiable in the parameters
    e_data: torch.Tensor  # (B,) energies of the data, detached
    e_model: torch.Tensor  # (M,) energies of the negatives, detached
    negatives: torch.Tensor  # (M, ...) the buffer's new states



def check_short_run_args(energy, y, buffer, steps, energy_penalty) -> tuple[int, float]:
    """The entry checks of :func:`short_run_ml_loss` (also used once by the training loop)."""
    check_callable(energy, "energy")
    check_tensor(y, "y", min_ndim=2)
    if not isinstance(buffer, PersistentChains):
        raise ValueError(f"buffer must be an ebmlib.PersistentChains, got {type(buffer).__name__}")
    if buffer.chains.shape[1:] != y.shape[1:]:
        raise ValueError(f"buffer must hold states of shape (M, {', '.join(map(str, y.shape[1:]))}) like y, "
                         f"got {tuple(buffer.chains.shape)}")
    return check_int(steps, "steps"), check_nonneg_real(energy_penalty, "energy_penalty")


def short_run_step(energy: Energy, y: torch.Tensor, buffer: PersistentChains, *, steps: int, step_size: float,
                   noise_scale: float | None, grad_clip: float | None, clamp: tuple[float, float] | None,
                   energy_penalty: float, reduction: str = "mean") -> ShortRunStep:
    """One step, unchecked (the training loop's inner call; see :func:`short_run_ml_loss`)."""
    negatives = buffer(energy, steps=steps, step_size=step_size, noise_scale=noise_scale, grad_clip=grad_clip,
                       clamp=clamp)  # (M, ...), detached: no gradient flows through the chains
    e = energy(torch.cat([y, negatives]))  # one forward pass for both: (B + M,)
    e_pos, e_neg = e[: y.shape[0]], e[y.shape[0]:]
    loss = push_down_push_up(e_pos, e_neg, energy_penalty, reduction, paired=False)
    return ShortRunStep(loss, e_pos.detach(), e_neg.detach(), negatives)


def short_run_ml_loss(energy: Energy, y: torch.Tensor, buffer: PersistentChains, *, steps: int, step_size: float,
                      noise_scale: float | None = None, grad_clip: float | None = None,
                      clamp: tuple[float, float] | None = None, energy_penalty: float = 0.0,
                      return_details: bool = False, reduction: str = "mean"):
    """Maximum likelihood with short-run Langevin negatives drawn from a replay buffer.

    The buffer (restarting a fraction of its chains from noise, see
    :class:`~ebmlib.samplers.PersistentChains`) is advanced by ``steps`` Langevin steps under the current
    energy, y_hat_j = its M states, and

        L = (1/B) sum_i E(y_i) - (1/M) sum_j E(y_hat_j) + alpha [mean E(y)^2 + mean E(y_hat)^2],

    whose parameter gradient estimates the negative log-likelihood gradient
    E_data[grad E] - E_model[grad E] (no gradient flows through the chains) plus the penalty that
    keeps the energies near zero.

    Args:
        energy: maps (B, ...) states to (B,) energies (e.g. a :class:`ebmlib.models.ConvEnergy`).
        y: (B, ...) data.
        buffer: the replay buffer, M chains of the same trailing shape as y; advanced in place.
        steps: Langevin steps per call, >= 1.
        step_size, noise_scale, grad_clip, clamp: passed to :func:`~ebmlib.samplers.langevin`.
        energy_penalty: alpha >= 0.
        return_details: return a :class:`ShortRunStep` (loss, energies of data and negatives,
            negatives) instead of the loss.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``. The M negatives come from a shared buffer, not
            one per data point, so ``"none"`` gives the (B,) terms
            E(y_i) - mean_j E(y_hat_j) + alpha [E(y_i)^2 + mean_j E(y_hat_j)^2], each data point with
            the buffer's mean term; their mean is the loss.

    Returns:
        Scalar tensor, or a :class:`ShortRunStep`.

    Cost: ``steps`` forward and backward passes of the energy on M states (the sampler), then one
    forward pass on B + M states.

    See chapter 9.
    """
    steps, penalty = check_short_run_args(energy, y, buffer, steps, energy_penalty)
    reduction = check_reduction(reduction)
    out = short_run_step(energy, y, buffer, steps=steps, step_size=step_size, noise_scale=noise_scale,
                         grad_clip=grad_clip, clamp=clamp, energy_penalty=penalty, reduction=reduction)
    check_energy_output(torch.cat([out.e_data, out.e_model]), y.shape[0] + out.negatives.shape[0])
    return out if return_details else out.loss
