"""Samplers: draw points whose density is proportional to exp(-E(y)).

The sampler contract (every sampler here follows it; ``tests/test_sampler_contract.py`` checks it
with one parametrised test that each sampler joins by adding a case)::

    sampler(energy, y0, *, steps, step_size, ..., generator=None, return_trajectory=False,
            progress=False)

- ``energy`` maps ``y`` of shape (B, ...) to energies of shape (B,) (low = likely); only its
  gradient in ``y`` is used. The parameters of an ``nn.Module`` energy keep their ``requires_grad``,
  their ``.grad`` and the module its train/eval state exactly as they were.
- ``y0`` has shape (B, ...): one chain per row, any trailing shape (points (B, D) or images
  (B, C, H, W)); it is not modified. Work happens in ``y0``'s dtype and on its device.
- ``steps`` >= 0 updates; ``generator`` is a ``torch.Generator``, an int seed or None (the global
  RNG); with a generator or seed nothing touches the global RNG, and the same seed gives the same
  chains.
- Returns the final states (B, ...), detached, or with ``return_trajectory=True`` the
  ``(steps + 1, B, ...)`` trajectory with ``y0`` first. Metropolis samplers return
  ``(samples, acceptance_rate)``, the rate a Python float: accepted proposals over all chains and
  steps.
- Arguments are validated once, at entry. Divergence (NaN or inf in the chains) raises
  :class:`~ebmlib.errors.DivergenceError`, checked every few steps and at the end, not after every step
  (a check is a host synchronisation on a GPU).

See chapter 6.
"""

from .annealed import annealed_langevin
from .diagnostics import (
           autocorrelation,
           effective_sample_size,
           integrated_autocorrelation_time,
           mode_hops,
           split_rhat,
)
from .ais import AISResult, annealed_importance_sampling
from .by_name import SAMPLER_NAMES, run_sampler
from .hamiltonian import hmc
from .langevin_dynamics import langevin
from .metropolis_adjusted import mala
from .metropolis import metropolis_hastings
from .persistent import PersistentChains

__all__ = ["langevin", "PersistentChains", "mala", "hmc", "metropolis_hastings",
           "autocorrelation", "integrated_autocorrelation_time", "effective_sample_size", "mode_hops",
           "split_rhat", "annealed_importance_sampling", "AISResult",
           # chapter 10: annealed Langevin dynamics (takes a noise-conditional score, not an energy)
           "annealed_langevin",
           # chapter 6: the four samplers by display name ("MH", "ULA", "MALA", "HMC")
           "SAMPLER_NAMES", "run_sampler"]
