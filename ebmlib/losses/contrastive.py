"""Contrastive divergence for a neural energy: push down on the data, push up where short chains land.

The maximum-likelihood gradient is E_data[grad_theta E] - E_model[grad_theta E]. Contrastive
divergence (Hinton, 2002) replaces the model expectation by points reached from the data after k
steps of a sampler: kick the data point (noise), let it descend the energy, push up where it lands.
Persistent contrastive divergence (Tieleman, 2008) keeps the chains between parameter updates
instead of restarting them at the data, so they can travel far from it.

Both losses here use Langevin dynamics (``ebmlib.langevin``); the buffer of persistent chains
is ``ebmlib.PersistentChains``. Contrastive divergence for the RBM (block Gibbs) lives with
the RBM.

See chapter 7.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import (check_callable, check_energy_output, check_int, check_nonneg_real, check_reduction, check_tensor,
                       reduce_loss)
from ..samplers import PersistentChains, langevin
from ..utils import as_generator

__all__ = ["contrastive_divergence_loss", "persistent_contrastive_divergence_loss"]

Energy = Callable[[torch.Tensor], torch.Tensor]



def push_down_push_up(e_pos: torch.Tensor, e_neg: torch.Tensor, penalty: float, reduction: str, *,
                      paired: bool) -> torch.Tensor:
    """mean E(data) - mean E(negatives) (+ penalty * mean of the squared energies), reduced.

    ``"none"`` gives one term per data point whose mean is the loss: with ``paired`` (one negative
    started at each data point) E(y_i) - E(y_hat_i) [+ alpha (E(y_i)^2 + E(y_hat_i)^2)]; otherwise
    (negatives from a shared buffer, M of them) E(y_i) - mean_j E(y_hat_j) [+ alpha (E(y_i)^2 +
    mean_j E(y_hat_j)^2)]. ``"sum"`` is their sum, B times the mean.
    """
    if reduction == "mean":  # the original expression, kept bit for bit
        loss = e_pos.mean() - e_neg.mean()
        if penalty > 0:
            loss = loss + penalty * ((e_pos**2).mean() + (e_neg**2).mean())
        return loss
    neg, neg_sq = (e_neg, e_neg**2) if paired else (e_neg.mean(), (e_neg**2).mean())
    per = e_pos - neg
    if penalty > 0:
        per = per + penalty * (e_pos**2 + neg_sq)
    return reduce_loss(per, reduction)


def _push(energy: Energy, y: torch.Tensor, negatives: torch.Tensor, penalty: float, reduction: str, *,
          paired: bool) -> torch.Tensor:
    e_pos = check_energy_output(energy(y), y.shape[0])
    e_neg = check_energy_output(energy(negatives), negatives.shape[0], "energy on the negatives")
    return push_down_push_up(e_pos, e_neg, penalty, reduction, paired=paired)


def contrastive_divergence_loss(energy: Energy, y: torch.Tensor, *, steps: int,
                                step_size: float, noise_scale: float | None = None, energy_penalty: float = 0.0,
                                generator: torch.Generator | int | None = None,
                                return_negatives: bool = False, reduction: str = "mean"):
    """CD-k with Langevin negatives started at the data: kick, descend, push up.

    y_hat = k Langevin steps of E from y (held fixed, no gradient through the chain), and
    L = (1/B) sum_i E(y_i) - (1/B) sum_i E(y_hat_i)  [+ alpha (mean E(y)^2 + mean E(y_hat)^2)],
    whose parameter gradient is the CD-k estimate of the negative log-likelihood gradient. The
    optional penalty alpha keeps the energies near zero (Du and Mordatch, 2019).

    Args:
        energy: maps (B, D) points to (B,) energies.
        y: (B, D) data points; the chains start there.
        steps: Langevin steps k, an int >= 1.
        step_size: Langevin step eps > 0.
        noise_scale: noise per step; None means sqrt(2 eps) (see ``ebmlib.langevin``).
        energy_penalty: alpha >= 0.
        generator: torch.Generator, int seed or None (global RNG) for the Langevin noise.
        return_negatives: also return the (B, D) negatives.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``: the (B,) terms
            E(y_i) - E(y_hat_i) [+ alpha (E(y_i)^2 + E(y_hat_i)^2)], one per data point and the
            negative started there, whose mean is the loss.

    Returns:
        Scalar tensor, or ``(loss, negatives)``.

    Cost: k + 2 energy evaluations and k gradient evaluations per call.

    See chapter 7.
    """
    check_callable(energy, "energy", "y of shape (B, D) -> energies (B,)")
    check_tensor(y, "y", ndim=2)
    k = check_int(steps, "steps")
    penalty = check_nonneg_real(energy_penalty, "energy_penalty")
    reduction = check_reduction(reduction)
    negatives = langevin(energy, y.detach(), steps=k, step_size=step_size, noise_scale=noise_scale,
                         generator=as_generator(generator, y.device))
    loss = _push(energy, y, negatives, penalty, reduction, paired=True)
    return (loss, negatives) if return_negatives else loss


def persistent_contrastive_divergence_loss(energy: Energy, y: torch.Tensor, chains: PersistentChains, *,
                                           steps: int, step_size: float, noise_scale: float | None = None,
                                           energy_penalty: float = 0.0, return_negatives: bool = False,
                                           reduction: str = "mean"):
    """Persistent CD: negatives from a replay buffer of chains that live across parameter updates.

    Each call advances the buffer ``chains`` (restarting a fraction of its chains, see
    ``ebmlib.PersistentChains``) by ``steps`` Langevin steps under the current energy, then
    L = (1/B) sum_i E(y_i) - (1/M) sum_j E(y_hat_j)  [+ alpha (mean E(y)^2 + mean E(y_hat)^2)].

    Args:
        energy: maps (B, D) points to (B,) energies.
        y: (B, D) data points.
        chains: the replay buffer, M chains of dimension D; it is advanced in place.
        steps: Langevin steps per call, >= 1.
        step_size: Langevin step eps > 0.
        noise_scale: noise per step; None means sqrt(2 eps).
        energy_penalty: alpha >= 0.
        return_negatives: also return the (M, D) negatives.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``. The M negatives are shared by the batch, not
            paired with data points, so ``"none"`` gives the (B,) terms
            E(y_i) - mean_j E(y_hat_j) [+ alpha (E(y_i)^2 + mean_j E(y_hat_j)^2)], each data point
            with the buffer's mean term; their mean is the loss.

    Returns:
        Scalar tensor, or ``(loss, negatives)``.

    See chapter 7.
    """
    check_callable(energy, "energy", "y of shape (B, D) -> energies (B,)")
    check_tensor(y, "y", ndim=2)
    if not isinstance(chains, PersistentChains):
        raise ValueError(f"chains must be an ebmlib.PersistentChains, got {type(chains).__name__}")
    if chains.chains.shape[1] != y.shape[1]:
        raise ValueError(f"chains must hold points of dimension {y.shape[1]} like y, "
                         f"got chains of shape {tuple(chains.chains.shape)}")
    steps = check_int(steps, "steps")
    penalty = check_nonneg_real(energy_penalty, "energy_penalty")
    reduction = check_reduction(reduction)
    negatives = chains(energy, steps=steps, step_size=step_size, noise_scale=noise_scale)
    loss = _push(energy, y, negatives, penalty, reduction, paired=False)
    return (loss, negatives) if return_negatives else loss
