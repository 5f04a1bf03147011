"""Persistent chains: a buffer of model samples kept across training steps, with restarts.

See chapters 5 and 7.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_callable, check_probability, check_tensor
from ..utils import as_generator
from .langevin import langevin

__all__ = ["PersistentChains"]


class PersistentChains:
    """Persistent Langevin chains with random restarts: a buffer of model samples kept across steps.

    Each call restarts every chain with probability ``restart_prob`` from ``fresh(M, generator)``,
    moves all chains ``steps`` Langevin steps under the current energy, keeps them for the next call
    and returns them. Training uses them for the model term of the maximum-likelihood gradient
    (persistent contrastive divergence: the buffer is the replay buffer); restarts keep regions the
    chains have left from being forgotten (Du and Mordatch, 2019).

    Args:
        init: (M, ...) initial states, one chain per row (points (M, D) or images (M, C, H, W)).
        fresh: ``fresh(M, generator) -> (M, ...)`` new starting points for restarted chains.
        restart_prob: probability in [0, 1] that a chain restarts at a call.
        generator: ``torch.Generator``, int seed or None (global RNG) for the restarts and the
            Langevin noise; an int seed makes one generator that the calls share.

    Attributes:
        chains: the current (M, ...) states (detached).

    See chapter 5.
    """

    def __init__(self, init: torch.Tensor, fresh: Callable[[int, torch.Generator | None], torch.Tensor], *,
                 restart_prob: float = 0.05, generator: torch.Generator | int | None = None) -> None:
        check_tensor(init, "init", min_ndim=2)
        check_callable(fresh, "fresh", "(M, generator) -> (M, ...) starting states")
        self.restart_prob = check_probability(restart_prob, "restart_prob")
        self.generator = as_generator(generator, init.device)
        self.chains = init.detach().clone()
        self.fresh = fresh

    def __call__(self, energy: Callable[[torch.Tensor], torch.Tensor], *, steps: int, step_size: float,
                 noise_scale: float | None = None, grad_clip: float | None = None,
                 clamp: tuple[float, float] | None = None, progress: bool = False) -> torch.Tensor:
        """Restart some chains, run ``steps`` Langevin steps of ``energy``; return the (M, ...) states.

        ``steps``, ``step_size``, ``noise_scale``, ``grad_clip``, ``clamp`` and ``progress`` are
        passed to :func:`~ebmlib.samplers.langevin`.
        """
        m = self.chains.shape[0]
        restart = torch.rand(m, generator=self.generator, dtype=self.chains.dtype,
                             device=self.chains.device) < self.restart_prob  # (M,)
        new = self.fresh(m, self.generator)
        if not isinstance(new, torch.Tensor) or new.shape != self.chains.shape:
            raise ValueError(f"fresh must return a tensor of shape {tuple(self.chains.shape)}, "
                             f"got {getattr(new, 'shape', type(new).__name__)}")
        mask = restart.reshape((m,) + (1,) * (self.chains.dim() - 1))  # (M, 1, ...)
        start = torch.where(mask, new.to(self.chains.dtype), self.chains)  # (M, ...)
        self.chains = langevin(energy, start, steps=steps, step_size=step_size, noise_scale=noise_scale,
                               grad_clip=grad_clip, clamp=clamp, generator=self.generator, progress=progress)
        return self.chains
