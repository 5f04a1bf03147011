"""The validation layer: every input check of ebmlib, in one private module.

Public entry points validate their arguments here, once, and then trust them: inner loops and
``forward`` methods do not check (a check on a GPU tensor is a host synchronisation). Every check
raises ``ValueError`` (``TypeError`` for a non-tensor) whose message names the argument, what was
expected and what came.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Callable

import numpy as np
import torch


def check_tensor(t, name: str, *, ndim: int | tuple[int, ...] | None = None,
                  finite: bool = True, floating: bool = True) -> torch.Tensor:
    """Check that ``t`` is a tensor with the expected number of dims and finite floating values."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.dim() not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {tuple(t.shape)}")
    if floating and not t.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    if t.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}")
    if finite and t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return t


def check_positive(value, name: str, *, allow_inf: bool = False, integer: bool = False):
    """Check that ``value`` is a real number > 0 (and finite unless ``allow_inf``)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    value_f = float(value)
    if math.isnan(value_f) or value_f <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if math.isinf(value_f) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value!r}")
    if integer and value_f != int(value_f):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value) if integer else value_f


def check_real(value, name: str) -> float:
    """Check that ``value`` is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def check_nonneg_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_energy_output(e, batch: int, name: str = "energy") -> torch.Tensor:
    """Check that an energy function returned a finite tensor of shape (B,)."""
    if not isinstance(e, torch.Tensor):
        raise ValueError(f"{name} must return a torch.Tensor of shape ({batch},), got {type(e).__name__}")
    if tuple(e.shape) != (batch,):
        raise ValueError(f"{name} must return shape ({batch},) (one energy per sample), got {tuple(e.shape)}")
    if not bool(torch.isfinite(e).all()):
        raise ValueError(f"{name} returned NaN or infinite values")
    return e


def check_callable(f, name: str, what: str = "y of shape (B, ...) -> energies (B,)") -> Callable:
    """Check that ``f`` is callable."""
    if not callable(f):
        raise ValueError(f"{name} must be callable ({what}), got {type(f).__name__}")
    return f


def energy_and_grad(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor,
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Energies (B,) and their input-gradient (B, ...) at ``y``, detached; no parameter gets a ``.grad``.

    Uses ``torch.autograd.grad`` with respect to ``y`` only, so a module's parameters are left
    untouched (no ``.grad`` is written) whether or not they require gradients. Validates nothing:
    call :func:`check_energy_output` once at the entry point.
    """
    with torch.enable_grad():
        y_var = y.detach().requires_grad_(True)
        e = energy(y_var)
        (grad,) = torch.autograd.grad(e.sum(), y_var)
    return e.detach(), grad
