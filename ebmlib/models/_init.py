"""Randomly initialised layers that follow the ``generator=`` convention.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__: list[str] = []


def linear(n_in: int, n_out: int, *, dtype: torch.dtype | None = None,
           generator: torch.Generator | None = None) -> nn.Linear:
    """An ``nn.Linear`` with PyTorch's default initialisation, U(-1/sqrt(n_in), 1/sqrt(n_in)).

    Without a generator it is exactly ``nn.Linear(n_in, n_out)`` (drawn from the global RNG); with
    one, the layer is allocated uninitialised and its weight, then bias, drawn from the generator
    only, so the global RNG is not touched.
    """
    if generator is None:
        return nn.Linear(n_in, n_out, dtype=dtype)
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out, dtype=dtype)
    bound = 1.0 / math.sqrt(n_in)  # what kaiming_uniform_(a=sqrt(5)) gives for the weight, and the bias
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


def perceptron(sizes: tuple[int, ...], *, dtype: torch.dtype | None = None,
               generator: torch.Generator | None = None) -> nn.Sequential:
    """Linear layers of the widths ``sizes`` (input first, output last) with SiLU between them (none after the last).

    The layers are drawn in order by :func:`linear`, so a generator fixes all of them.
    """
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(linear(a, b, dtype=dtype, generator=generator))
        if i < len(sizes) - 2:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)
