"""Persistent chains: a buffer of model samples kept across training steps, with restarts.

See chapters 5 and 7.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_callable, check_nonneg_int, check_probability, check_tensor, energy_and_grad
from ..utils import as_generator
from ._driver import CHECK_EVERY, diverged, run_chain
from .langevin_dynamics import langevin_settings, langevin_step

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
        self._unchecked = 0  # Langevin steps since the chains were last checked for NaN/inf
        self._checked_energy = None  # the energy whose output was last validated (once per energy)

    def __call__(self, energy: Callable[[torch.Tensor], torch.Tensor], *, steps: int, step_size: float,
                 noise_scale: float | None = None, grad_clip: float | None = None,
                 clamp: tuple[float, float] | None = None, return_trajectory: bool = False,
                 progress: bool = False) -> torch.Tensor:
        """Restart some chains, run ``steps`` Langevin steps of ``energy``; return the (M, ...) states.

        The sampler contract of :mod:`ebmlib.samplers` with the buffer as ``y0`` and the generator
        given at construction: ``steps``, ``step_size``, ``noise_scale``, ``grad_clip`` and ``clamp`` as
        in :func:`~ebmlib.samplers.langevin`; ``return_trajectory`` returns the (steps + 1, M, ...)
        states, the restarted buffer first. The settings are checked (in Python, no host
        synchronisation); a new energy's output is validated at its first call only, and the chains are
        checked for NaN/inf once every ``CHECK_EVERY`` Langevin steps counted across calls, so a
        training loop calling this every step pays one check per ``CHECK_EVERY`` steps.

        Raises:
            ebmlib.errors.DivergenceError: the chains reached NaN/inf.
        """
        check_callable(energy, "energy")
        steps = check_nonneg_int(steps, "steps")
        kw = langevin_settings(step_size, noise_scale, grad_clip, clamp)
        m = self.chains.shape[0]
        restart = torch.rand(m, generator=self.generator, dtype=self.chains.dtype,
                             device=self.chains.device) < self.restart_prob  # (M,)
        new = self.fresh(m, self.generator)  # a full batch every call: the noise stream the book's results rely on
        if not isinstance(new, torch.Tensor) or new.shape != self.chains.shape:
            raise ValueError(f"fresh must return a tensor of shape {tuple(self.chains.shape)}, "
                             f"got {getattr(new, 'shape', type(new).__name__)}")
        mask = restart.reshape((m,) + (1,) * (self.chains.dim() - 1))  # (M, 1, ...)
        start = torch.where(mask, new.to(self.chains.dtype), self.chains)  # (M, ...)

        first = []
        if energy is not self._checked_energy and steps:  # a new energy's output is validated once, here
            first.append(energy_and_grad(energy, start, check=True)[1])
            self._checked_energy = energy

        def step(y: torch.Tensor) -> torch.Tensor:
            return langevin_step(energy, y, generator=self.generator, grad=first.pop() if first else None, **kw)

        hint = f"try a smaller step_size than {kw['step_size']}"
        out = run_chain(step, start, steps, return_trajectory=return_trajectory, progress=progress,
                        desc="persistent chains", hint=hint, check_every=None)
        self.chains = out[-1] if return_trajectory else out
        self._unchecked += steps
        if self._unchecked >= CHECK_EVERY:  # one host synchronisation per CHECK_EVERY steps, across calls
            diverged(self.chains, self._unchecked, hint)
            self._unchecked = 0
        return out
