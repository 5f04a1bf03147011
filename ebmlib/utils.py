"""Seeding, device choice and the randomness convention (``generator=``) of every ebmlib function."""

from __future__ import annotations

import random

import numpy as np
import torch

from ._checks import check_nonneg_int

__all__ = ["set_seed", "get_device", "make_generator", "as_generator"]


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and, if present, CUDA) with one integer.

    Args:
        seed: a non-negative integer.

    See chapter 1 (every notebook's setup cell calls it).
    """
    seed = check_nonneg_int(seed, "seed")
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
        gen.manual_seed(check_nonneg_int(seed, "seed"))
    return gen


def as_generator(generator: torch.Generator | int | None, device: torch.device | str | None = None
                 ) -> torch.Generator | None:
    """The one randomness convention of ebmlib: turn a ``generator=`` argument into a generator.

    Args:
        generator: a ``torch.Generator`` (returned as it is), an int seed (a new generator on
            ``device`` seeded with it), or None (None: draw from torch's global RNG).
        device: where a new generator lives (the device of the tensors it will draw).

    Returns:
        A ``torch.Generator`` or None. With a generator or a seed, nothing touches the global RNG.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, bool) or not isinstance(generator, (int, np.integer)) or generator < 0:
        raise ValueError(f"generator must be a torch.Generator, a non-negative int seed or None, got {generator!r}")
    return make_generator(int(generator), device if device is not None else "cpu")
