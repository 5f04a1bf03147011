"""A 1-D regression problem whose noise changes with x and whose answer forks for x > 0.

See chapter 10.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_tensor
from ..utils import as_generator
from ._common import _check_n, _resolve_dtype

__all__ = ["forked_regression", "forked_regression_log_prob"]

_X_RANGE = (-2.0, 2.0)


def _noise_std(x: torch.Tensor) -> torch.Tensor:
    return 0.1 + 0.1 * x.abs()


def forked_regression(n: int, *, generator: torch.Generator | int | None = None,
                      dtype: torch.dtype | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """n pairs (x, y) with x ~ U(-2, 2) and y = b x + N(0, s(x)^2), s(x) = 0.1 + 0.1 abs(x).

    For x < 0 the slope is b = 1; for x >= 0 it is +1 or -1 with probability 1/2, so p(y | x) has
    two modes, at +x and -x, that separate as x grows (well apart for x > 0.5). The noise grows
    with abs(x) (heteroscedastic).

    Args:
        n: number of pairs, >= 1.
        generator: torch.Generator, int seed or None (global RNG).
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (x (n,), y (n,)).

    See chapter 10.
    """
    n = _check_n(n)
    dtype = _resolve_dtype(dtype)
    gen = as_generator(generator)
    lo, hi = _X_RANGE
    x = lo + (hi - lo) * torch.rand(n, generator=gen, dtype=dtype)
    sign = (2 * torch.randint(0, 2, (n,), generator=gen) - 1).to(dtype)
    b = torch.where(x < 0, torch.ones_like(x), sign)
    return x, b * x + _noise_std(x) * torch.randn(n, generator=gen, dtype=dtype)


def forked_regression_log_prob(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The exact conditional log-density log p(y | x) of :func:`forked_regression`.

    Args:
        x: (B,) inputs in [-2, 2].
        y: (B,) answers.

    Returns:
        (B,) log-densities.

    See chapter 10.
    """
    check_tensor(x, "x", ndim=1)
    check_tensor(y, "y", ndim=1)
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {tuple(x.shape)}, got {tuple(y.shape)}")
    s = _noise_std(x)

    def log_normal(m):
        return -0.5 * ((y - m) / s) ** 2 - torch.log(s) - 0.5 * math.log(2 * math.pi)

    fork = torch.logaddexp(log_normal(x), log_normal(-x)) - math.log(2)
    return torch.where(x < 0, log_normal(x), fork)
