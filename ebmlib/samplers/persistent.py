"""Persistent chains: a buffer of model samples kept across training steps, with restarts.

See chapters 5 and 7.
"""

from __future__ import annotations

from numbers import Real
from typing import Callable

import torch

from .._checks import check_tensor
from .langevin import langevin

__all__ = ['PersistentChains']


class PersistentChains:
    """Persistent Langevin chains with random restarts: a buffer of model samples kept across steps.

    Each call restarts every chain with probability ``restart_prob`` from ``fresh(M, generator)``,
    moves all chains ``steps`` Langevin steps under the current energy, keeps them for the next call
    and returns them. Training uses them for the model term of the maximum-likelihood gradient;
    restarts keep regions the chains have left from being forgotten (Du and Mordatch, 2019).

    Args:
        init: (M, D) initial states, one chain per row.
        fresh: ``fresh(M, generator) -> (M, D)`` new starting points for restarted chains.
        restart_prob: probability in [0, 1] that a chain restarts at a call.
        generator: torch.Generator for the restarts and the Langevin noise.

    Attributes:
        chains: the current (M, D) states (detached).

    See chapter 5.
    """

    def __init__(self, init: torch.Tensor, fresh: Callable[[int, torch.Generator | None], torch.Tensor], *,
                 restart_prob: float = 0.05, generator: torch.Generator | None = None) -> None:
        check_tensor(init, "init", ndim=2)
        if not callable(fresh):
            raise ValueError(f"fresh must be callable (M, generator) -> (M, D), got {type(fresh).__name__}")
        if isinstance(restart_prob, bool) or not isinstance(restart_prob, Real) or not 0 <= restart_prob <= 1:
            raise ValueError(f"restart_prob must be a number in [0, 1], got {restart_prob!r}")
        self.chains = init.detach().clone()
        self.fresh, self.restart_prob, self.generator = fresh, float(restart_prob), generator

    def __call__(self, energy: Callable[[torch.Tensor], torch.Tensor], *, steps: int, step_size: float,
                 noise_scale: float | None = None) -> torch.Tensor:
        """Restart some chains, run ``steps`` Langevin steps of ``energy``; return the (M, D) states."""
        m = self.chains.shape[0]
        restart = torch.rand(m, generator=self.generator, dtype=self.chains.dtype,
                             device=self.chains.device) < self.restart_prob  # (M,)
        new = self.fresh(m, self.generator)
        if not isinstance(new, torch.Tensor) or new.shape != self.chains.shape:
            raise ValueError(f"fresh must return a tensor of shape {tuple(self.chains.shape)}, "
                             f"got {getattr(new, 'shape', type(new).__name__)}")
        start = torch.where(restart[:, None], new, self.chains)  # (M, D)
        self.chains = langevin(energy, start, steps=steps, step_size=step_size, noise_scale=noise_scale,
                               generator=self.generator)
        return self.chains
