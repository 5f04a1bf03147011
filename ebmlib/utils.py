"""Seeding, device choice, the randomness convention (``generator=``) of every ebmlib function, and
random minibatches."""

from __future__ import annotations

import random
from typing import Callable

import numpy as np
import torch

from ._checks import check_int, check_nonneg_int, check_tensor

__all__ = ["set_seed", "get_device", "make_generator", "as_generator", "random_batches"]


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


def random_batches(*tensors: torch.Tensor, batch_size: int,
                   generator: torch.Generator | int | None = None) -> Callable[[], torch.Tensor | tuple]:
    """A function that draws a random minibatch (rows with replacement) of the given tensors at each call.

    Args:
        tensors: one or more tensors with the same first dimension N.
        batch_size: rows per batch, >= 1.
        generator: torch.Generator, int seed or None (global RNG) for the row indices.

    Returns:
        A callable with no argument returning the batch (one tensor) or a tuple of batches, the same
        rows of every tensor.
    """
    if not tensors:
        raise ValueError("tensors must be at least one tensor")
    for i, t in enumerate(tensors):
        check_tensor(t, f"tensors[{i}]", min_ndim=1, floating=False)
    n = tensors[0].shape[0]
    if any(t.shape[0] != n for t in tensors):
        raise ValueError(f"tensors must have the same first dimension, got {[t.shape[0] for t in tensors]}")
    batch_size = check_int(batch_size, "batch_size")
    gen = as_generator(generator)

    def draw():
        idx = torch.randint(0, n, (batch_size,), generator=gen)
        out = tuple(t[idx] for t in tensors)
        return out[0] if len(out) == 1 else out

    return draw
