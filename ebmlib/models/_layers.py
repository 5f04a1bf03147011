"""Layers shared by chapter 10's small networks, initialised from a ``generator``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__: list[str] = []


def linear(n_in: int, n_out: int, generator: torch.Generator | None, dtype=None) -> nn.Linear:
    """nn.Linear with weights and bias U(-1/sqrt(n_in), 1/sqrt(n_in)) drawn from ``generator``.

    Built with ``skip_init``, so the global RNG is not touched when a generator is given.
    """
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out, dtype=dtype)
    bound = 1.0 / math.sqrt(n_in)
    with torch.no_grad():
        for p in (layer.weight, layer.bias):
            p.copy_(torch.rand(p.shape, generator=generator, dtype=p.dtype) * 2 * bound - bound)
    return layer


def perceptron(sizes: tuple[int, ...], generator: torch.Generator | None, dtype=None) -> nn.Sequential:
    """Linear layers of the given widths with SiLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(linear(a, b, generator, dtype))
        if i < len(sizes) - 2:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)


def check_hidden(hidden) -> tuple[int, ...]:
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden must be a non-empty sequence of positive integers, got {hidden!r}") from None
    if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be a non-empty sequence of positive integers, got {hidden!r}")
    return hidden


def check_dim(dim, name: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"{name} must be a positive integer, got {dim!r}")
    return dim
