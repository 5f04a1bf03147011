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
from ..utils import as_generator
from ._driver import CHECK_EVERY, diverged

__all__ = ["CHECK_EVERY", "check_sampler_args", "diverged", "first_energy", "per_chain", "sum_rest", "acceptance",
           "metropolis_test", "Accepted"]

Energy = Callable[[torch.Tensor], torch.Tensor]


def check_sampler_args(energy, y0, steps, generator) -> tuple[int, torch.Generator | None]:
    """The checks every sampler starts with (the contract of :mod:`ebmlib.samplers`)."""
    check_callable(energy, "energy")
    check_tensor(y0, "y0", min_ndim=2)
    steps = check_nonneg_int(steps, "steps")
    return steps, as_generator(generator, y0.device)


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


def metropolis_test(log_alpha: torch.Tensor, generator: torch.Generator | None, y: torch.Tensor, y_new: torch.Tensor,
                    e: torch.Tensor, e_new: torch.Tensor, g: torch.Tensor | None = None,
                    g_new: torch.Tensor | None = None):
    """Accept each chain's proposal with probability min(1, exp(log_alpha)); NaN and -inf are rejected.

    Returns ``(y, e, g, n_accepted)``: the kept states (B, ...), energies (B,), gradients (or None)
    and the number of accepted chains as a 0-d tensor (no host synchronisation).
    """
    u = torch.rand(y.shape[0], generator=generator, dtype=y.dtype, device=y.device)
    accept = torch.log(u) < log_alpha  # (B,)
    mask = per_chain(accept, y)
    g = None if g is None else torch.where(mask, g_new, g)
    return torch.where(mask, y_new, y), torch.where(accept, e_new, e), g, accept.sum()


class Accepted:
    """The running count of accepted proposals of a Metropolis sampler, kept on the device (no sync per step)."""

    def __init__(self, y: torch.Tensor) -> None:
        self.count = torch.zeros((), dtype=torch.long, device=y.device)

    def rate(self, batch: int, steps: int) -> float:
        """Accepted proposals over all chains and steps (one host synchronisation; NaN when steps = 0)."""
        return acceptance(self.count, batch, steps)
