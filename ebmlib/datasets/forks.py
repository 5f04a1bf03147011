"""Paths that fork: go straight, then turn left or right with equal probability.

See chapter 10.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_positive
from ..utils import as_generator
from ._common import _check_n, _check_nonneg_real, _resolve_dtype

__all__ = ["forking_paths", "fork_branches"]


def _check_lengths(length, fork_at) -> tuple[int, int]:
    if isinstance(length, bool) or not isinstance(length, int) or length < 3:
        raise ValueError(f"length must be an integer >= 3, got {length!r}")
    if isinstance(fork_at, bool) or not isinstance(fork_at, int) or not 0 < fork_at < length - 1:
        raise ValueError(f"fork_at must be an integer in [1, length - 2], got {fork_at!r}")
    return length, fork_at


def forking_paths(n: int, *, length: int = 8, fork_at: int = 4, step: float = 0.25, angle: float = 45.0,
                  noise: float = 0.03, generator: torch.Generator | int | None = None,
                  dtype: torch.dtype | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """n paths of ``length`` points that fork after point ``fork_at``.

    Point t is p_t + noise_t with p_t = (t * step, 0) for t <= fork_at and, after the fork,
    p_t = p_fork + (t - fork_at) * step * (cos a, s sin a), where the branch s = +1 or -1 is drawn
    with probability 1/2 per path; the noise is N(0, noise^2 I), independent per point. Given the
    path up to the fork, the next point is bimodal; one step later the branch is known.

    Args:
        n: number of paths, >= 1.
        length: points per path, >= 3.
        fork_at: the index of the last shared point, 1 <= fork_at <= length - 2.
        step: distance between consecutive noiseless points, > 0.
        angle: the turn at the fork, in degrees, in (0, 90].
        noise: standard deviation of the per-point noise, >= 0.
        generator: torch.Generator, int seed or None (global RNG).
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (paths (n, length, 2), branch (n,) of +1 / -1).

    See chapter 10.
    """
    n = _check_n(n)
    length, fork_at = _check_lengths(length, fork_at)
    step = check_positive(step, "step")
    angle = check_positive(angle, "angle")
    if angle > 90:
        raise ValueError(f"angle must be in (0, 90] degrees, got {angle!r}")
    noise = _check_nonneg_real(noise, "noise")
    dtype = _resolve_dtype(dtype)
    gen = as_generator(generator)
    branch = (2 * torch.randint(0, 2, (n,), generator=gen) - 1).to(dtype)  # (n,)
    mean = fork_branches(length=length, fork_at=fork_at, step=step, angle=angle, dtype=dtype)  # (2, length, 2)
    paths = torch.where(branch[:, None, None] > 0, mean[0], mean[1])  # (n, length, 2)
    return paths + noise * torch.randn(n, length, 2, generator=gen, dtype=dtype), branch


def fork_branches(*, length: int = 8, fork_at: int = 4, step: float = 0.25, angle: float = 45.0,
                  dtype: torch.dtype | None = None) -> torch.Tensor:
    """The two noiseless paths of :func:`forking_paths`: (2, length, 2), the +1 branch first.

    See chapter 10.
    """
    length, fork_at = _check_lengths(length, fork_at)
    step = check_positive(step, "step")
    angle = check_positive(angle, "angle")
    dtype = _resolve_dtype(dtype)
    t = torch.arange(length, dtype=dtype)
    after = (t - fork_at).clamp(min=0)  # steps past the fork
    before = torch.minimum(t, torch.tensor(float(fork_at), dtype=dtype))
    a = math.radians(angle)
    out = []
    for s in (1.0, -1.0):
        x = step * (before + after * math.cos(a))
        y = s * step * after * math.sin(a)
        out.append(torch.stack([x, y], dim=1))
    return torch.stack(out)
