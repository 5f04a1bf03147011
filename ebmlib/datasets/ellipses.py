"""The ellipse and the horn: the practicum data of chapters 2-5.

y = [rho_1(x) cos theta + eps, rho_2(x) sin theta + eps], rho(x) = [r2 x + r1 (1 - x),
r1 x + r2 (1 - x)] exp(2x), theta ~ U(0, 2 pi), eps ~ N(0, noise^2), so that rho(0) = (r1, r2).
(The practicum calls r2 and r1 "alpha" and "beta"; here beta is always an inverse temperature.)

See chapters 2 and 4.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_positive, check_real, check_tensor
from ._common import _check_generator, _check_n, _check_nonneg_real, _resolve_dtype

__all__ = ['ellipse_radii', 'ellipse', 'horn']


def ellipse_radii(x: float | torch.Tensor, *, r1: float = 2.0, r2: float = 1.5) -> torch.Tensor:
    """Radii of the practicum's ellipse at position x (closed form).

    rho(x) = [r2 * x + r1 * (1 - x),  r1 * x + r2 * (1 - x)] * exp(2 x),  rho(0) = (r1, r2).

    Args:
        x: a number or a tensor of any shape (...,), usually in [0, 1].
        r1, r2: the half-axes at x = 0, > 0 (the practicum's beta and alpha).

    Returns:
        rho, shape (..., 2) (shape (2,) for a number x), float64 for a number x.

    See chapter 2.
    """
    r1 = check_positive(r1, "r1")
    r2 = check_positive(r2, "r2")
    if isinstance(x, torch.Tensor):
        check_tensor(x, "x")  # floating, finite, not empty
    else:
        x = torch.tensor(check_real(x, "x"), dtype=torch.float64)
    return _radii(x, r1, r2)


def _radii(x: torch.Tensor, r1: float, r2: float) -> torch.Tensor:
    """rho(x), (..., 2), trusting its inputs."""
    scale = torch.exp(2 * x)
    return torch.stack([(r2 * x + r1 * (1 - x)) * scale,
                        (r1 * x + r2 * (1 - x)) * scale], dim=-1)  # (..., 2)


def _sample_on_ellipses(x: torch.Tensor, r1: float, r2: float, noise: float,
                        generator: torch.Generator | None) -> torch.Tensor:
    """y_i on the ellipse of radii rho(x_i) at a uniform random angle, plus Gaussian noise. (n, 2)."""
    n = x.shape[0]
    theta = 2 * math.pi * torch.rand(n, generator=generator, dtype=x.dtype)  # (n,)
    eps = noise * torch.randn(n, 2, generator=generator, dtype=x.dtype)  # (n, 2)
    rho = _radii(x, r1, r2)  # (n, 2)
    return torch.stack([rho[:, 0] * torch.cos(theta), rho[:, 1] * torch.sin(theta)], dim=-1) + eps


def ellipse(n: int, *, x: float = 0.0, r1: float = 2.0, r2: float = 1.5, noise: float = 0.05,
            generator: torch.Generator | int | None = None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Sample n noisy points on the ellipse of radii rho(x) (the practicum's 2-D data).

    y = [rho_1(x) cos(theta) + eps_1, rho_2(x) sin(theta) + eps_2],
    theta ~ U(0, 2 pi), eps ~ N(0, noise^2 I); rho(0) = (r1, r2) = (2, 1.5) by default.

    Args:
        n: number of samples, >= 1.
        x: the (fixed) position in [0, 1] that sets the radii.
        r1, r2: the half-axes at x = 0, > 0 (see :func:`ellipse_radii`).
        noise: standard deviation of the Gaussian noise, >= 0.
        generator: ``torch.Generator``, int seed or None (global RNG).
        dtype: floating dtype of the result (default: torch's default dtype).

    Returns:
        y, shape (n, 2).

    See chapter 2.
    """
    n = _check_n(n)
    x = check_real(x, "x")
    noise = _check_nonneg_real(noise, "noise")
    r1, r2 = check_positive(r1, "r1"), check_positive(r2, "r2")
    generator = _check_generator(generator)
    dtype = _resolve_dtype(dtype)
    xs = torch.full((n,), x, dtype=dtype)  # (n,)
    return _sample_on_ellipses(xs, r1, r2, noise, generator)


def horn(n: int, *, r1: float = 2.0, r2: float = 1.5, noise: float = 0.05, spacing: str = "random",
         generator: torch.Generator | int | None = None,
         dtype: torch.dtype | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample the "horn": pairs (x, y) with y on the ellipse of radii rho(x) that grows with x.

    x ~ U(0, 1) (or evenly spaced), y = [rho_1(x) cos(theta) + eps_1, rho_2(x) sin(theta) + eps_2],
    theta ~ U(0, 2 pi), eps ~ N(0, noise^2 I); rho(0) = (2, 1.5), rho(1) ~ (11.08, 14.78).

    Args:
        n: number of samples, >= 1.
        r1, r2: the half-axes at x = 0, > 0 (see :func:`ellipse_radii`).
        noise: standard deviation of the Gaussian noise, >= 0.
        spacing: ``"random"`` (x ~ U(0, 1)) or ``"even"`` (x = linspace(0, 1, n), the practicum's
            51 points for n = 51).
        generator: ``torch.Generator``, int seed or None (global RNG).
        dtype: floating dtype of the result (default: torch's default dtype).

    Returns:
        ``(x, y)``: x of shape (n,), y of shape (n, 2).

    See chapter 4.
    """
    n = _check_n(n)
    noise = _check_nonneg_real(noise, "noise")
    r1, r2 = check_positive(r1, "r1"), check_positive(r2, "r2")
    generator = _check_generator(generator)
    dtype = _resolve_dtype(dtype)
    if spacing == "random":
        x = torch.rand(n, generator=generator, dtype=dtype)  # (n,)
    elif spacing == "even":
        x = torch.linspace(0.0, 1.0, n, dtype=dtype) if n > 1 else torch.zeros(1, dtype=dtype)
    else:
        raise ValueError(f"spacing must be 'random' or 'even', got {spacing!r}")
    return x, _sample_on_ellipses(x, r1, r2, noise, generator)
