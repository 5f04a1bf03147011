"""Five 2-D benchmark densities for comparing training methods, with exact log-densities where they exist.

All five live inside the square [-4, 4]^2 (mass outside it is below 1e-6), so a grid over that
square normalises any model trained on them:

- ``"8gaussians"``: an equal mixture of 8 Gaussians N(c_k, 0.3^2 I), c_k = 2.5 (cos(k pi/4), sin(k pi/4)).
- ``"two_moons"``: two interleaved half circles of radius 2 with N(0, 0.2^2 I) noise.
- ``"spiral"``: two arms r = theta / pi, theta = 3 pi sqrt(u), u ~ U(0, 1), with N(0, 0.15^2 I) noise.
- ``"checkerboard"``: uniform on the 8 dark squares (side 1.5) of a 4 x 4 board over [-3, 3]^2.
- ``"rings"``: an equal mixture of circles of radius 1, 2, 3 with N(0, 0.1^2 I) noise.

See chapter 7.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_float_dtype, check_tensor
from ..utils import as_generator
from ._common import _check_n, _resolve_dtype

__all__ = ["TOY_2D_NAMES", "toy_2d", "toy_2d_log_prob", "eight_gaussians_centres"]

TOY_2D_NAMES = ("8gaussians", "two_moons", "spiral", "checkerboard", "rings")
_WITH_LOG_PROB = ("8gaussians", "checkerboard", "rings")

_GAUSS_RADIUS, _GAUSS_STD = 2.5, 0.3
_MOON_RADIUS, _MOON_STD = 2.0, 0.2
_SPIRAL_STD = 0.15
_BOARD_HALF, _BOARD_SQUARES = 3.0, 4  # the board covers [-3, 3]^2 with 4 x 4 squares
_RING_RADII, _RING_STD = (1.0, 2.0, 3.0), 0.1


def _check_name(name, what: str = "name") -> str:
    if name not in TOY_2D_NAMES:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, TOY_2D_NAMES))}, got {name!r}")
    return name


def _gauss_centres(dtype, device=None) -> torch.Tensor:
    k = torch.arange(8, dtype=dtype, device=device)
    return _GAUSS_RADIUS * torch.stack([torch.cos(k * math.pi / 4), torch.sin(k * math.pi / 4)], dim=1)  # (8, 2)


def eight_gaussians_centres(dtype: torch.dtype | None = None) -> torch.Tensor:
    """The eight centres c_k = 2.5 (cos(k pi/4), sin(k pi/4)), k = 0..7, of ``toy_2d("8gaussians")``, shape (8, 2)."""
    return _gauss_centres(torch.get_default_dtype() if dtype is None else check_float_dtype(dtype))


def toy_2d(name: str, n: int, *, generator: torch.Generator | int | None = None,
           dtype: torch.dtype | None = None) -> torch.Tensor:
    """Draw n points of one of the 2-D benchmark densities.

    Args:
        name: one of ``"8gaussians"``, ``"two_moons"``, ``"spiral"``, ``"checkerboard"``, ``"rings"``
            (see the module docstring for each density).
        n: number of points, >= 1.
        generator: torch.Generator, int seed or None (global RNG).
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (n, 2) points.

    See chapter 7.
    """
    name = _check_name(name)
    n = _check_n(n)
    dtype = _resolve_dtype(dtype)
    gen = as_generator(generator)

    def rand(*shape):
        return torch.rand(*shape, generator=gen, dtype=dtype)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=dtype)

    if name == "8gaussians":
        k = torch.randint(0, 8, (n,), generator=gen)
        return _gauss_centres(dtype)[k] + _GAUSS_STD * randn(n, 2)
    if name == "two_moons":
        t = math.pi * rand(n)
        lower = torch.randint(0, 2, (n,), generator=gen).to(dtype)  # 0: upper moon, 1: lower moon
        sign = 1 - 2 * lower
        x = _MOON_RADIUS * (sign * torch.cos(t) + lower) - 0.5 * _MOON_RADIUS  # centred on 0
        y = _MOON_RADIUS * (sign * torch.sin(t) + 0.5 * lower) - 0.25 * _MOON_RADIUS
        return torch.stack([x, y], dim=1) + _MOON_STD * randn(n, 2)
    if name == "spiral":
        theta = 3 * math.pi * torch.sqrt(rand(n))
        arm = 1 - 2 * torch.randint(0, 2, (n,), generator=gen).to(dtype)  # +1 or -1: the two arms
        r = arm * theta / math.pi
        return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1) + _SPIRAL_STD * randn(n, 2)
    if name == "checkerboard":
        side = 2 * _BOARD_HALF / _BOARD_SQUARES
        square = torch.randint(0, _BOARD_SQUARES**2 // 2, (n,), generator=gen)  # one of the 8 dark squares
        row = square // (_BOARD_SQUARES // 2)
        col = 2 * (square % (_BOARD_SQUARES // 2)) + row % 2  # dark squares: row + col even
        corner = torch.stack([col, row], dim=1).to(dtype) * side - _BOARD_HALF  # (n, 2)
        return corner + side * rand(n, 2)
    # rings
    radius = torch.tensor(_RING_RADII, dtype=dtype)[torch.randint(0, len(_RING_RADII), (n,), generator=gen)]
    theta = 2 * math.pi * rand(n)
    return radius[:, None] * torch.stack([torch.cos(theta), torch.sin(theta)], dim=1) + _RING_STD * randn(n, 2)


def toy_2d_log_prob(name: str, y: torch.Tensor) -> torch.Tensor:
    """The exact normalised log-density of a 2-D benchmark, for the densities that have a closed form.

    - ``"8gaussians"``: log (1/8) sum_k N(y; c_k, s^2 I).
    - ``"checkerboard"``: -log(area of the dark squares) = -log 18 on them, -inf elsewhere.
    - ``"rings"``: log (1/3) sum_k (2 pi s^2)^-1 exp(-(rho^2 + r_k^2) / (2 s^2)) I_0(rho r_k / s^2),
      rho = norm(y) (a circle of radius r_k blurred by N(0, s^2 I); I_0 is the modified Bessel function).

    Args:
        name: ``"8gaussians"``, ``"checkerboard"`` or ``"rings"`` (the others have no closed form:
            ``ValueError``).
        y: (B, 2) points.

    Returns:
        (B,) log-densities, in y's dtype.

    See chapter 7.
    """
    _check_name(name)
    if name not in _WITH_LOG_PROB:
        raise ValueError(f"toy_2d_log_prob knows the density of {', '.join(map(repr, _WITH_LOG_PROB))} only; "
                         f"{name!r} has no closed form (estimate it from samples instead)")
    check_tensor(y, "y", ndim=2)
    if y.shape[1] != 2:
        raise ValueError(f"y must have shape (B, 2), got {tuple(y.shape)}")
    s2 = {"8gaussians": _GAUSS_STD, "rings": _RING_STD}.get(name, 1.0) ** 2
    if name == "8gaussians":
        d2 = ((y[:, None, :] - _gauss_centres(y.dtype, y.device)) ** 2).sum(-1)  # (B, 8)
        return torch.logsumexp(-d2 / (2 * s2), dim=1) - math.log(8 * 2 * math.pi * s2)
    if name == "checkerboard":
        side = 2 * _BOARD_HALF / _BOARD_SQUARES
        idx = torch.floor((y + _BOARD_HALF) / side)  # (B, 2) column and row of the square
        inside = ((y.abs() < _BOARD_HALF).all(dim=1)) & ((idx.sum(dim=1) % 2) == 0)
        area = _BOARD_SQUARES**2 // 2 * side**2
        return torch.where(inside, torch.full_like(y[:, 0], -math.log(area)), torch.full_like(y[:, 0], -math.inf))
    # rings: exp(-(|y| - r)^2 / 2s^2) * i0e(|y| r / s^2) is the stable form of the Bessel term
    rho = torch.linalg.vector_norm(y, dim=1)[:, None]  # (B, 1)
    r = torch.tensor(_RING_RADII, dtype=y.dtype, device=y.device)  # (K,)
    log_terms = -(rho - r) ** 2 / (2 * s2) + torch.log(torch.special.i0e(rho * r / s2))  # (B, K)
    return torch.logsumexp(log_terms, dim=1) - math.log(len(_RING_RADII) * 2 * math.pi * s2)
