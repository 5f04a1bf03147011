"""What every sampler shares: the entry checks of the sampler contract, the first energy, the
divergence check, and the bookkeeping of the Metropolis samplers.

Private to :mod:`ebmlib.samplers`: the public samplers validate through here once, at entry, and
then run clean loops.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import (
    check_callable,
    check_energy_output,
    check_nonneg_int,
    check_tensor,
)
from ..errors import DivergenceError
from ..utils import as_generator

__all__ = ["CHECK_EVERY", "check_sampler_args", "diverged", "first_energy", "per_chain", "sum_rest", "acceptance"]

Energy = Callable[[torch.Tensor], torch.Tensor]

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


def first_energy(energy: Energy, y: torch.Tensor, *, grad: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """E(y0) (B,) and, with ``grad``, its gradient in y (B, ...): checked once, at entry."""
    with torch.enable_grad():
        y_var = y.detach().requires_grad_(grad)
        e = energy(y_var)
        check_energy_output(e, y.shape[0])
        g = torch.autograd.grad(e.sum(), y_var)[0] if grad else None
    return e.detach(), g


def per_chain(mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A (B,) mask viewed as (B, 1, ..., 1) so that it selects whole chains of ``y`` (B, ...)."""
    return mask.view(-1, *([1] * (y.dim() - 1)))


def sum_rest(t: torch.Tensor) -> torch.Tensor:
    """Sum over every dimension but the first: (B, ...) -> (B,)."""
    return t.reshape(t.shape[0], -1).sum(dim=1)


def acceptance(accepted: torch.Tensor, batch: int, steps: int) -> float:
    """The fraction of accepted proposals over all chains and steps (NaN when steps = 0)."""
    return float(accepted.item()) / (batch * steps) if steps else float("nan")
