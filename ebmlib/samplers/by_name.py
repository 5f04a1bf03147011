"""Run one of chapter 6's four samplers by its display name, with one step-size knob.

This is a dispatcher (no drawing): the chapter's comparisons, :func:`ebmlib.plotting.plot_sampler_grid`
and :class:`ebmlib.widgets.SamplerWidget` call it so that every sampler is run the same way.

See chapter 6.
"""

from __future__ import annotations

from typing import Callable

import torch

from .hamiltonian import hmc
from .langevin_dynamics import langevin
from .metropolis_adjusted import mala
from .metropolis import metropolis_hastings

__all__ = ["SAMPLER_NAMES", "run_sampler"]

SAMPLER_NAMES = ("MH", "ULA", "MALA", "HMC")  # the names run_sampler, the widget and the sampler grid accept


def run_sampler(name: str, energy: Callable[[torch.Tensor], torch.Tensor], y0: torch.Tensor, *,
                step_size: float, steps: int, n_leapfrog: int = 5, generator=None,
                return_trajectory: bool = False) -> tuple[torch.Tensor, float | None]:
    """Run the sampler called ``name`` (one of ``SAMPLER_NAMES``) under the sampler contract.

    ``step_size`` is the proposal scale s of "MH" (:func:`~ebmlib.samplers.metropolis_hastings`), eps of
    "ULA" (:func:`~ebmlib.samplers.langevin`) and "MALA" (:func:`~ebmlib.samplers.mala`), and the leapfrog
    step of "HMC" (:func:`~ebmlib.samplers.hmc`, with ``n_leapfrog`` steps per trajectory). The other
    arguments are the contract's and are checked by the sampler itself.

    Returns:
        ``(samples, acceptance_rate)``, the samples as the sampler returns them (final states, or the
        trajectory with ``return_trajectory=True``) and the rate None for ULA (nothing is rejected).

    See chapter 6.
    """
    if name not in SAMPLER_NAMES:
        raise ValueError(f"name must be one of {SAMPLER_NAMES}, got {name!r}")
    kw = dict(step_size=step_size, steps=steps, generator=generator, return_trajectory=return_trajectory)
    if name == "HMC":
        return hmc(energy, y0, n_leapfrog=n_leapfrog, **kw)
    if name == "ULA":
        return langevin(energy, y0, **kw), None
    return {"MH": metropolis_hastings, "MALA": mala}[name](energy, y0, **kw)  # every sampler takes step_size
