"""Seeding, device choice and the input checks shared by every ebmlib module."""

from __future__ import annotations

import math
import random
from numbers import Real

import numpy as np
import torch

__all__ = ["set_seed", "get_device", "make_generator"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and, if present, CUDA) with one integer.

    Args:
        seed: a non-negative integer.

    See chapter 1 (every notebook's setup cell calls it).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device to compute on: the GPU when one is present, else the CPU.

    Args:
        prefer: ``None`` (automatic), ``"cpu"`` or ``"cuda"``. Asking for ``"cuda"`` on a machine
            without a GPU raises ``ValueError``.
    """
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if prefer not in ("cpu", "cuda"):
        raise ValueError(f"prefer must be None, 'cpu' or 'cuda', got {prefer!r}")
    if prefer == "cuda" and not torch.cuda.is_available():
        raise ValueError("prefer='cuda' was asked for, but torch sees no CUDA device")
    return torch.device(prefer)


def make_generator(seed: int | None = None, device: torch.device | str = "cpu") -> torch.Generator:
    """Return a ``torch.Generator`` on ``device``, seeded with ``seed`` when one is given."""
    gen = torch.Generator(device=device)
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        gen.manual_seed(int(seed))
    return gen


# --------------------------------------------------------------------------------------------
# Input checks (private helpers used across ebmlib; each raises ValueError with a clear message)
# --------------------------------------------------------------------------------------------

def _check_tensor(t, name: str, *, ndim: int | tuple[int, ...] | None = None,
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


def _check_positive(value, name: str, *, allow_inf: bool = False, integer: bool = False):
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


def _check_real(value, name: str) -> float:
    """Check that ``value`` is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def _check_nonneg_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _check_energy_output(e, batch: int, name: str = "energy") -> torch.Tensor:
    """Check that an energy function returned a finite tensor of shape (B,)."""
    if not isinstance(e, torch.Tensor):
        raise ValueError(f"{name} must return a torch.Tensor of shape ({batch},), got {type(e).__name__}")
    if tuple(e.shape) != (batch,):
        raise ValueError(f"{name} must return shape ({batch},) (one energy per sample), got {tuple(e.shape)}")
    if not bool(torch.isfinite(e).all()):
        raise ValueError(f"{name} returned NaN or infinite values")
    return e
