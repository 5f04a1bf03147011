"""Small, hand-made energy functions: low energy = compatible, batch-first, one energy per row.

Every energy takes ``y`` of shape (B, D) (and, when conditional, ``x`` with B rows) and returns a
tensor of shape (B,). Each comes with its analytic gradient in ``y`` (tested against autograd)
and, where it exists, a closed form for its minima. See chapter 1.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_real, check_tensor, renamed

__all__ = ['parabola', 'parabola_grad', 'tilted_double_well', 'tilted_double_well_grad', 'tilted_double_well_critical_points', 'quadratic', 'quadratic_grad']


def _parabola_inputs(x, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Check (x, y) for the parabola energy and return x as a column (B, 1) and y (B, 1)."""
    check_tensor(y, "y", ndim=2)
    if y.shape[1] != 1:
        raise ValueError(f"y must have shape (B, 1), got {tuple(y.shape)}")
    batch = y.shape[0]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return torch.full((batch, 1), check_real(x, "x"), dtype=y.dtype, device=y.device), y
    check_tensor(x, "x", ndim=(1, 2))
    if x.dim() == 2 and x.shape[1] != 1:
        raise ValueError(f"x must have shape (B,) or (B, 1), got {tuple(x.shape)}")
    if x.shape[0] != batch:
        raise ValueError(f"x and y must have the same batch size, got x {tuple(x.shape)} and y {tuple(y.shape)}")
    return x.reshape(batch, 1), y  # (B, 1)


def parabola(x: torch.Tensor | float, y: torch.Tensor) -> torch.Tensor:
    """Energy of the "y squared equals x" relation, zero on both branches y = +sqrt(x) and -sqrt(x).

    F(x, y) = (y_1^2 - x)^2

    Args:
        x: observed input, shape (B,) or (B, 1), or a Python number shared by the whole batch.
        y: candidate outputs, shape (B, 1).

    Returns:
        Energies, shape (B,).

    See chapter 1.
    """
    x, y = _parabola_inputs(x, y)
    return ((y[:, 0] ** 2 - x[:, 0]) ** 2)  # (B,)


def parabola_grad(x: torch.Tensor | float, y: torch.Tensor) -> torch.Tensor:
    """Gradient of :func:`parabola` with respect to y.

    dF/dy_1 = 4 y_1 (y_1^2 - x)

    Args:
        x: shape (B,) or (B, 1), or a Python number.
        y: shape (B, 1).

    Returns:
        Gradient, shape (B, 1).

    See chapter 1.
    """
    x, y = _parabola_inputs(x, y)
    return 4.0 * y * (y**2 - x)  # (B, 1)


def _check_y2(y: torch.Tensor) -> torch.Tensor:
    check_tensor(y, "y", ndim=2)
    if y.shape[1] != 2:
        raise ValueError(f"y must have shape (B, 2), got {tuple(y.shape)}")
    return y


def tilted_double_well(y: torch.Tensor, *, a: float = 0.5, c: float = 1.0) -> torch.Tensor:
    """A tilted double well in y_1 plus a parabola in y_2: two minima of different depth.

    E(y) = (y_1^2 - 1)^2 + a y_1 + c y_2^2

    For 0 < a < 8 / (3 sqrt 3) the left minimum (y_1 < 0) is the deeper one, the right one is a
    local minimum, and a saddle sits between them on the line y_2 = 0.

    Args:
        y: points, shape (B, 2).
        a: tilt (a = 0 gives two equally deep wells).
        c: curvature scale along y_2 (> 0 for minima).

    Returns:
        Energies, shape (B,).

    See chapter 1.
    """
    _check_y2(y)
    a, c = check_real(a, "a"), check_real(c, "c")
    y1, y2 = y[:, 0], y[:, 1]
    return (y1**2 - 1.0) ** 2 + a * y1 + c * y2**2  # (B,)


def tilted_double_well_grad(y: torch.Tensor, *, a: float = 0.5, c: float = 1.0) -> torch.Tensor:
    """Gradient of :func:`tilted_double_well` with respect to y.

    dE/dy = (4 y_1 (y_1^2 - 1) + a, 2 c y_2)

    Args:
        y: points, shape (B, 2).
        a, c: as in :func:`tilted_double_well`.

    Returns:
        Gradient, shape (B, 2).

    See chapter 1.
    """
    _check_y2(y)
    a, c = check_real(a, "a"), check_real(c, "c")
    y1, y2 = y[:, 0], y[:, 1]
    return torch.stack([4.0 * y1 * (y1**2 - 1.0) + a, 2.0 * c * y2], dim=1)  # (B, 2)


def tilted_double_well_critical_points(*, a: float = 0.5, c: float | None = None,
                                       b: float | None = None,  # old name of c, kept for chapter 1's notebook
                                       ) -> dict[str, torch.Tensor]:
    """Closed-form critical points of :func:`tilted_double_well` (float64).

    On y_2 = 0, dE/dy_1 = 0 is the depressed cubic y^3 - y + a/4 = 0, whose three real roots
    (for abs(a) < 8 / (3 sqrt 3)) are y_k = (2/sqrt 3) cos(phi/3 - 2 pi k/3) with
    cos(phi) = -(3 sqrt 3 / 8) a.

    Args:
        a: tilt, abs(a) < 8 / (3 sqrt 3) so that there are two minima.
        c: curvature along y_2, > 0 (default 1). ``b`` is its old name, still accepted.

    Returns:
        ``{"global_min": (2,), "local_min": (2,), "saddle": (2,)}``; for a = 0 the two minima tie
        and ``global_min`` is the left one.

    See chapter 1.
    """
    name = "c" if b is None else "b"
    a, c = check_real(a, "a"), check_real(renamed(c, b, "c", "b", default=1.0), name)
    a_max = 8.0 / (3.0 * math.sqrt(3.0))
    if abs(a) >= a_max:
        raise ValueError(f"|a| must be < 8/(3 sqrt 3) = {a_max:.4f} for two minima, got a = {a}")
    if c <= 0:
        raise ValueError(f"{name} must be > 0 for the critical points to be minima in y_2, got {name} = {c}")
    phi = math.acos(-(3.0 * math.sqrt(3.0) / 8.0) * a)
    roots = sorted(2.0 / math.sqrt(3.0) * math.cos(phi / 3.0 - 2.0 * math.pi * k / 3.0) for k in range(3))
    left, middle, right = roots
    energy = lambda t: (t * t - 1.0) ** 2 + a * t  # noqa: E731 - energy on the line y_2 = 0
    glob, loc = (left, right) if energy(left) <= energy(right) else (right, left)
    point = lambda t: torch.tensor([t, 0.0], dtype=torch.float64)  # noqa: E731
    return {"global_min": point(glob), "local_min": point(loc), "saddle": point(middle)}


def _quadratic_inputs(y: torch.Tensor, A: torch.Tensor, b: torch.Tensor | None):
    check_tensor(y, "y", ndim=2)
    check_tensor(A, "A", ndim=2)
    d = y.shape[1]
    if tuple(A.shape) != (d, d):
        raise ValueError(f"A must have shape ({d}, {d}) to match y {tuple(y.shape)}, got {tuple(A.shape)}")
    if b is None:
        b = torch.zeros(d, dtype=y.dtype, device=y.device)
    check_tensor(b, "b", ndim=1)
    if b.shape[0] != d:
        raise ValueError(f"b must have shape ({d},), got {tuple(b.shape)}")
    return A.to(y.dtype), b.to(y.dtype)


def quadratic(y: torch.Tensor, A: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """A quadratic bowl; for symmetric positive-definite A its minimum is at A^{-1} b.

    E(y) = 1/2 y^T A y - b^T y

    Args:
        y: points, shape (B, D).
        A: symmetric matrix, shape (D, D).
        b: linear term, shape (D,) (default zero).

    Returns:
        Energies, shape (B,).

    See chapter 1.
    """
    A, b = _quadratic_inputs(y, A, b)
    return 0.5 * ((y @ A) * y).sum(dim=1) - y @ b  # (B,)


def quadratic_grad(y: torch.Tensor, A: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """Gradient of :func:`quadratic` with respect to y (A symmetric).

    dE/dy = A y - b

    Args:
        y: points, shape (B, D).
        A: symmetric matrix, shape (D, D).
        b: shape (D,) (default zero).

    Returns:
        Gradient, shape (B, D).

    See chapter 1.
    """
    A, b = _quadratic_inputs(y, A, b)
    return y @ A.T - b  # (B, D)
