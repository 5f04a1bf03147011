"""What the Metropolis samplers share: entry validation, the divergence check, per-chain selection.

Private: the public samplers validate through here once, at entry, and then run clean loops.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_callable, check_energy_output, check_nonneg_int, check_tensor
from ..errors import DivergenceError

CHECK_EVERY = 25  # steps between divergence checks (each one is a host synchronisation on a GPU)

Energy = Callable[[torch.Tensor], torch.Tensor]


def check_chains(energy: Energy, y0: torch.Tensor, steps) -> int:
    """Validate the arguments every sampler shares; return ``steps`` as an int."""
    check_callable(energy, "energy")
    check_tensor(y0, "y0")
    if y0.dim() < 2:
        raise ValueError(f"y0 must have shape (B, ...) with at least 2 dimensions (one chain per row), "
                         f"got shape {tuple(y0.shape)}")
    return check_nonneg_int(steps, "steps")


def first_energy(energy: Energy, y: torch.Tensor, *, grad: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """E(y0) (B,) and, with ``grad``, its gradient in y (B, ...): checked once, at entry."""
    with torch.enable_grad():
        y_var = y.detach().requires_grad_(grad)
        e = energy(y_var)
        check_energy_output(e, y.shape[0])
        g = torch.autograd.grad(e.sum(), y_var)[0] if grad else None
    return e.detach(), g


def raise_if_diverged(y: torch.Tensor, step: int, name: str, hint: str) -> None:
    """Raise :class:`DivergenceError` if any chain holds NaN or inf (one host synchronisation)."""
    if not bool(torch.isfinite(y).all()):
        raise DivergenceError(f"{name} chains reached NaN/inf by step {step}; {hint}", step=step)


def per_chain(mask: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A (B,) mask viewed as (B, 1, ..., 1) so that it selects whole chains of ``y`` (B, ...)."""
    return mask.view(-1, *([1] * (y.dim() - 1)))


def sum_rest(t: torch.Tensor) -> torch.Tensor:
    """Sum over every dimension but the first: (B, ...) -> (B,)."""
    return t.reshape(t.shape[0], -1).sum(dim=1)


def acceptance(accepted: torch.Tensor, batch: int, steps: int) -> float:
    """The fraction of accepted proposals over all chains and steps (NaN when steps = 0)."""
    return float(accepted.item()) / (batch * steps) if steps else float("nan")
