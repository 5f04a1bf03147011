"""What every sampler shares: the entry checks of the sampler contract and the divergence check.

Private to :mod:`ebmlib.samplers`; each sampler module imports from here.
"""

from __future__ import annotations

import torch

from .._checks import check_callable, check_nonneg_int, check_tensor
from ..errors import DivergenceError
from ..utils import as_generator

__all__ = ["CHECK_EVERY", "check_sampler_args", "diverged"]

CHECK_EVERY = 32
"""Samplers look for NaN/inf in their chains every this many steps and after the last one (one host
synchronisation per check, not one per step)."""


def check_sampler_args(energy, y0, steps, generator) -> tuple[int, torch.Generator | None]:
    """The checks every sampler starts with (the contract of :mod:`ebmlib.samplers`)."""
    check_callable(energy, "energy")
    check_tensor(y0, "y0", min_ndim=2)
    steps = check_nonneg_int(steps, "steps")
    return steps, as_generator(generator, y0.device)


def diverged(y: torch.Tensor, step: int, hint: str, cause: BaseException | None = None) -> None:
    """Raise :class:`DivergenceError` if the chains ``y`` hold NaN or inf (one host synchronisation).

    ``cause``: an error the energy raised on the chains (e.g. a validating energy refusing NaN),
    chained to the divergence; nothing is raised when ``cause`` is itself a ``DivergenceError``
    or the chains are finite (the caller then re-raises ``cause``).
    """
    if isinstance(cause, DivergenceError):
        return
    if not bool(torch.isfinite(y).all()):
        raise DivergenceError(f"the chains reached NaN/inf by step {step}: {hint}", step=step) from cause
