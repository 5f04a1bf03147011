"""Latent-variable energies E(y, z) = ||y - g(z)||^2 and inference over the latent z.

A decoder g maps a latent z to a point g(z); sweeping z over its set traces a manifold of
predictions (for the ellipse, g(z) = [w1 cos z, w2 sin z]). Inference finds
z_check = argmin_z E(y, z) and the zero-temperature free energy F_inf(y) = min_z E(y, z), by
exhaustive search over a grid of z, gradient descent or L-BFGS. See chapter 2.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from tqdm.auto import tqdm

from ._checks import (check_callable, check_int, check_nonneg_int, check_nonneg_real, check_positive, check_real,
                      check_tensor, energy_and_grad)
from .errors import DivergenceError
from .inference import descent_step
from .samplers._driver import run_chain
from .soft_minimum import free_energy
from .models.decoders import EllipseDecoder, HornDecoder  # noqa: F401 - kept importable from here (ebmlib.latent.*)

__all__ = ["latent_grid", "disc_latent_grid", "latent_energy", "latent_energy_table", "infer_latent",
           "conditional_latent_energy_table", "conditional_free_energy",
           "latent_free_energy", "free_energy_on_grid", "local_minima", "INFERENCE_METHODS"]

INFERENCE_METHODS = ("grid", "gd", "lbfgs")

Decoder = Callable[[torch.Tensor], torch.Tensor]


def latent_grid(n: int = 48, *, dtype: torch.dtype | None = None,
                device: torch.device | str | None = None) -> torch.Tensor:
    """Evenly spaced latent angles over one turn, the practicum's exhaustive-search grid.

    z_k = 2 pi k / n, k = 0, ..., n - 1 (n = 48: 0, pi/24, ..., 47 pi/24).

    Args:
        n: number of grid points, >= 1.
        dtype, device: of the result (default: torch's default dtype, CPU).

    Returns:
        z_grid, shape (n,).

    See chapter 2.
    """
    n = check_int(n, "n")
    return torch.arange(n, dtype=dtype or torch.get_default_dtype(), device=device) * (2 * math.pi / n)


def disc_latent_grid(radius: float, spacing: float, *, dtype: torch.dtype | None = None) -> torch.Tensor:
    """The points of the square grid spacing * Z^2 that lie in the disc ||z|| <= radius.

    The latent whose capacity chapter 4 sweeps: with E(y, z) = ||y - f(x) - z||^2 and ||z|| <= r,
    F_inf = (max(0, ||y - f(x)|| - r))^2, so the radius sets how much of the plane can have low energy.
    Every point of the disc is within spacing / sqrt(2) of a grid point, so the grid's free energy
    exceeds the exact one by at most about spacing^2 / 2 inside the disc. radius = 0 gives z = 0 only.

    Args:
        radius: r >= 0, the bound on ||z||.
        spacing: h > 0, the grid step.
        dtype: floating dtype (default: torch's default dtype).

    Returns:
        (N, 2) tensor of latents, the origin included; N grows like pi r^2 / h^2.

    See chapter 4.
    """
    radius = check_nonneg_real(radius, "radius")
    spacing = check_positive(spacing, "spacing")
    k = int(math.floor(radius / spacing))
    axis = torch.arange(-k, k + 1, dtype=dtype or torch.get_default_dtype()) * spacing  # (2k + 1,)
    grid = torch.cartesian_prod(axis, axis).reshape(-1, 2)  # ((2k + 1)^2, 2)
    return grid[(grid**2).sum(dim=1) <= radius**2 * (1 + 1e-12)]  # (N, 2), inside the disc


def _check_y(y) -> torch.Tensor:
    return check_tensor(y, "y", ndim=2)


def _decode(decoder: Decoder, z: torch.Tensor, d: int) -> torch.Tensor:
    """Run the decoder on latents z of shape (M,) and check that it returns (M, d)."""
    check_callable(decoder, "decoder", "z of shape (M,) -> (M, D)")
    g = decoder(z)
    if not isinstance(g, torch.Tensor) or tuple(g.shape) != (z.shape[0], d):
        got = tuple(g.shape) if isinstance(g, torch.Tensor) else type(g).__name__
        raise ValueError(f"decoder must map z of shape ({z.shape[0]},) to ({z.shape[0]}, {d}) "
                         f"(the dimension of y), got {got}")
    return g


def latent_energy(y: torch.Tensor, z: torch.Tensor, decoder: Decoder) -> torch.Tensor:
    """Energy of each sample with its own latent: E(y_i, z_i) = ||y_i - g(z_i)||^2.

    Args:
        y: observations, (B, D).
        z: one latent per sample, (B,).
        decoder: g, maps (M,) latents to (M, D) points.

    Returns:
        E, shape (B,).

    See chapter 2.
    """
    _check_y(y)
    check_tensor(z, "z", ndim=1)
    if z.shape[0] != y.shape[0]:
        raise ValueError(f"z must have one latent per sample, shape ({y.shape[0]},), got {tuple(z.shape)}")
    return ((y - _decode(decoder, z, y.shape[1])) ** 2).sum(-1)


def latent_energy_table(y: torch.Tensor, decoder: Decoder, z_grid: torch.Tensor | None = None) -> torch.Tensor:
    """Energy of every sample at every latent of a grid: E[i, k] = ||y_i - g(z_k)||^2.

    Args:
        y: observations, (B, D).
        decoder: g, maps (N_z,) latents to (N_z, D) points.
        z_grid: latents to try, (N_z,) (default: ``latent_grid(48)``).

    Returns:
        The energy table, (B, N_z); differentiable in y and in the decoder's parameters.

    See chapter 2.
    """
    _check_y(y)
    z_grid = latent_grid(48, dtype=y.dtype, device=y.device) if z_grid is None else z_grid
    check_tensor(z_grid, "z_grid", ndim=1)
    g = _decode(decoder, z_grid, y.shape[1])  # (N_z, D)
    return ((y[:, None, :] - g[None, :, :]) ** 2).sum(-1)  # (B, N_z)


def latent_free_energy(y: torch.Tensor, decoder: Decoder, *, beta: float | torch.Tensor = math.inf,
                       z_grid: torch.Tensor | None = None) -> torch.Tensor:
    """Free energy of each sample, the latent marginalised on a grid: a soft minimum over z.

    F_beta(y) = -(1/beta) log( (1/N_z) sum_k exp(-beta ||y - g(z_k)||^2) );  F_inf(y) = min_k E(y, z_k).

    Args:
        y: observations, (B, D).
        decoder: g, maps (N_z,) latents to (N_z, D) points.
        beta: inverse temperature > 0, ``math.inf`` (default, the minimum) or a tensor of betas as
            in :func:`~ebmlib.soft_minimum.free_energy` (e.g. shape (K, 1) gives a (K, B) result).
        z_grid: latents to marginalise over, (N_z,) (default: ``latent_grid(48)``).

    Returns:
        F_beta, shape (B,) (or stacked over betas); differentiable in y and the decoder.

    See chapters 2 and 3.
    """
    return free_energy(latent_energy_table(y, decoder, z_grid), beta, dim=-1)


def _check_method(method) -> str:
    if method not in INFERENCE_METHODS:
        raise ValueError(f"method must be one of {', '.join(repr(m) for m in INFERENCE_METHODS)}, got {method!r}")
    return method


def infer_latent(y: torch.Tensor, decoder: Decoder, *, method: str = "grid", z_grid: torch.Tensor | None = None,
                 z0: float | torch.Tensor | None = None, steps: int = 100, step_size: float | None = None,
                 return_trajectory: bool = False, progress: bool = False):
    """Find the best latent of each sample, z_check = argmin_z E(y, z), and F_inf = E(y, z_check).

    ``"grid"``: exhaustive search over ``z_grid``; ``"gd"``: gradient descent
    z <- z - eps * dE/dz from ``z0``; ``"lbfgs"``: ``torch.optim.LBFGS`` (strong Wolfe line search)
    from ``z0``, one iteration per step. The descents find a local minimum near the start; for
    the periodic ellipse decoder their z is not wrapped (``torch.remainder(z, 2 * math.pi)`` does).
    The decoder's parameters and their ``requires_grad`` flags are left untouched; F_inf is
    recomputed at the detached z_check, so it is differentiable in y and the decoder (at a
    minimum, dF_inf/dy = dE/dy at z_check).

    Args:
        y: observations, (B, D).
        decoder: g, maps (M,) latents to (M, D) points.
        method: ``"grid"``, ``"gd"`` or ``"lbfgs"``.
        z_grid: latents for ``"grid"``, (N_z,) (default ``latent_grid(48)``).
        z0: start of ``"gd"``/``"lbfgs"``: a number or a tensor (B,) (default 0).
        steps: iterations of ``"gd"``/``"lbfgs"``, >= 0.
        step_size: eps > 0 (default 0.1 for ``"gd"``, 1.0 for ``"lbfgs"``, its initial step).
        return_trajectory: also return the iterates, (steps + 1, B) (``"gd"``/``"lbfgs"`` only).
        progress: show a tqdm progress bar over the steps.

    Returns:
        ``(z_check (B,), F_inf (B,))``, plus ``trajectory (steps + 1, B)`` if ``return_trajectory``
        (the convention of every function that is not a sampler: its usual result, then the trajectory).

    Raises:
        ValueError: bad settings or shapes.
        ebmlib.errors.DivergenceError: the descent reached NaN/inf (a step size too large).

    See chapter 2.
    """
    _check_y(y)
    _check_method(method)
    steps = check_nonneg_int(steps, "steps")
    if method == "grid":
        if return_trajectory:
            raise ValueError("return_trajectory needs method 'gd' or 'lbfgs' (a grid search has no iterates)")
        z_grid = latent_grid(48, dtype=y.dtype, device=y.device) if z_grid is None else z_grid
        table = latent_energy_table(y, decoder, z_grid)  # (B, N_z)
        f_inf, idx = table.min(dim=-1)
        return z_grid[idx].detach(), f_inf
    eps = check_positive((0.1 if method == "gd" else 1.0) if step_size is None else step_size, "step_size")
    b = y.shape[0]
    if z0 is None:
        z = torch.zeros(b, dtype=y.dtype, device=y.device)
    elif isinstance(z0, torch.Tensor):
        check_tensor(z0, "z0", ndim=(0, 1))
        if z0.dim() == 1 and z0.shape[0] not in (1, b):
            raise ValueError(f"z0 must be a number or a tensor of shape ({b},), got shape {tuple(z0.shape)}")
        z = z0.detach().to(dtype=y.dtype, device=y.device).expand(b).clone()  # (B,)
    else:
        z = torch.full((b,), float(check_real(z0, "z0")), dtype=y.dtype, device=y.device)
    y_d = y.detach()
    latent_energy(y_d, z, decoder)  # validates the start and the decoder once; the loop trusts them

    def energy(zz: torch.Tensor) -> torch.Tensor:
        return ((y_d - decoder(zz)) ** 2).sum(-1)  # (B,): E(y_i, z_i), unchecked

    if method == "gd":
        hint = f"gd diverged (z reached NaN/inf); try a smaller step_size than {eps}"
        traj = run_chain(lambda zz: descent_step(energy, zz, step_size=eps), z, steps, return_trajectory=True,
                         progress=progress, desc="gradient descent on z", hint=hint, check_every=None)
        z = traj[-1]
    else:
        traj = [z.clone()]
        z_param = z.clone().requires_grad_(True)
        opt = torch.optim.LBFGS([z_param], lr=eps, max_iter=1, max_eval=25, line_search_fn="strong_wolfe",
                                tolerance_grad=1e-12, tolerance_change=1e-15)

        def closure() -> torch.Tensor:
            e, g = energy_and_grad(energy, z_param)
            z_param.grad = g
            return e.sum()

        for _ in tqdm(range(steps), disable=not progress, desc="L-BFGS on z"):
            opt.step(closure)
            traj.append(z_param.detach().clone())
        z = z_param.detach()
    z_check = z.detach()
    if not bool(torch.isfinite(z_check).all()):  # one check, at the end
        raise DivergenceError(f"{method} diverged (z reached NaN/inf); try a smaller step_size than {eps}",
                              step=steps)
    f_inf = latent_energy(y, z_check, decoder)
    if return_trajectory:
        return z_check, f_inf, traj if method == "gd" else torch.stack(traj)  # (steps + 1, B)
    return z_check, f_inf


def free_energy_on_grid(decoder: Decoder, y1: torch.Tensor, y2: torch.Tensor, *,
                        beta: float = math.inf,
                        z_grid: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Free energy F_beta(y) and its gradient in y on a rectangular grid of 2-D points y.

    F[i, j] = F_beta((y1[j], y2[i])),  grad[i, j] = dF_beta/dy at that point (autograd), so rows
    follow y2 and columns y1, as ``plt.pcolormesh(y1, y2, F)`` and ``plt.quiver`` expect.

    Args:
        decoder: g, maps (N_z,) latents to (N_z, 2) points.
        y1: grid values of the first coordinate, (n1,).
        y2: grid values of the second coordinate, (n2,).
        beta: inverse temperature > 0 or ``math.inf`` (default: F_inf, the minimum over z).
        z_grid: latents, (N_z,) (default: ``latent_grid(48)``).

    Returns:
        ``(F (n2, n1), grad (n2, n1, 2))``, both detached.

    See chapter 2 (F_inf heat map) and chapter 3 (F_beta).
    """
    check_tensor(y1, "y1", ndim=1)
    check_tensor(y2, "y2", ndim=1)
    Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")  # (n2, n1) each
    y = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], dim=-1)  # (n2*n1, 2)
    F, grad = energy_and_grad(lambda v: latent_free_energy(v, decoder, beta=beta, z_grid=z_grid), y)
    # F (n2*n1,), grad (n2*n1, 2)
    n2, n1 = Y1.shape
    return F.reshape(n2, n1), grad.reshape(n2, n1, 2)


def local_minima(table: torch.Tensor, *, periodic: bool = True) -> torch.Tensor:
    """Mark the strict local minima of each row of an energy table over a latent grid.

    E[i, k] is a local minimum when E[i, k] < E[i, k - 1] and E[i, k] < E[i, k + 1] (indices
    modulo N_z when ``periodic``, for an angle; otherwise the two ends compare with one neighbour).

    Args:
        table: energies, (B, N_z) with N_z >= 3.
        periodic: whether the latent grid wraps around (True for angles).

    Returns:
        A boolean mask, (B, N_z); ``mask.sum(-1)`` counts the wells of each sample.

    See chapter 2.
    """
    check_tensor(table, "table", ndim=2)
    if table.shape[1] < 3:
        raise ValueError(f"table needs at least 3 latent values per row, got shape {tuple(table.shape)}")
    left = torch.roll(table, 1, dims=1)  # E[i, k-1]
    right = torch.roll(table, -1, dims=1)  # E[i, k+1]
    if not periodic:
        inf = torch.full_like(table[:, :1], math.inf)
        left = torch.cat([inf, table[:, :-1]], dim=1)
        right = torch.cat([table[:, 1:], inf], dim=1)
    return (table < left) & (table < right)


# --- chapter 4: a conditional latent-variable EBM (the horn) ---

ConditionalDecoder = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def conditional_latent_energy_table(x: torch.Tensor, y: torch.Tensor, decoder: ConditionalDecoder,
                                    z_grid: torch.Tensor | None = None) -> torch.Tensor:
    """Energy of every pair (x_i, y_i) at every latent of a grid: E[i, k] = ||y_i - g(x_i, z_k)||^2.

    For the horn, E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2. The latents may be
    numbers (z_grid of shape (N_z,)) or vectors (z_grid of shape (N_z, K)); the decoder decides.

    Args:
        x: observed inputs, (B,).
        y: observed outputs, (B, D).
        decoder: g, maps x (B,) and z_grid (N_z, ...) to predictions (B, N_z, D).
        z_grid: latents to try, (N_z,) or (N_z, K) (default: ``latent_grid(48)``).

    Returns:
        The energy table, (B, N_z); differentiable in y and in the decoder's parameters.

    See chapter 4.
    """
    check_tensor(x, "x", ndim=1)
    _check_y(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of samples, got x {tuple(x.shape)} and y {tuple(y.shape)}")
    z_grid = latent_grid(48, dtype=y.dtype, device=y.device) if z_grid is None else z_grid
    check_tensor(z_grid, "z_grid", ndim=(1, 2))
    check_callable(decoder, "decoder", "x (B,), z (N_z, ...) -> (B, N_z, D)")
    g = decoder(x, z_grid)
    want = (y.shape[0], z_grid.shape[0], y.shape[1])
    if not isinstance(g, torch.Tensor) or tuple(g.shape) != want:
        got = tuple(g.shape) if isinstance(g, torch.Tensor) else type(g).__name__
        raise ValueError(f"decoder must map x {tuple(x.shape)} and z_grid {tuple(z_grid.shape)} to {want} "
                         f"(samples, latents, dimension of y), got {got}")
    return ((y[:, None, :] - g) ** 2).sum(-1)  # (B, N_z)


def conditional_free_energy(x: torch.Tensor, y: torch.Tensor, decoder: ConditionalDecoder, *,
                            beta: float | torch.Tensor = math.inf,
                            z_grid: torch.Tensor | None = None) -> torch.Tensor:
    """Free energy of each pair (x_i, y_i), the latent marginalised on a grid: a soft minimum over z.

    F_beta(x, y) = -(1/beta) log( (1/N_z) sum_k exp(-beta ||y - g(x, z_k)||^2) );
    F_inf(x, y) = min_k ||y - g(x, z_k)||^2.

    Args:
        x: observed inputs, (B,).
        y: observed outputs, (B, D).
        decoder: g, maps x (B,) and z_grid (N_z, ...) to predictions (B, N_z, D).
        beta: inverse temperature > 0 or ``math.inf`` (default: the minimum), as in :func:`~ebmlib.soft_minimum.free_energy`.
        z_grid: latents, (N_z,) or (N_z, K) (default: ``latent_grid(48)``).

    Returns:
        F_beta, shape (B,); differentiable in y and the decoder's parameters.

    See chapter 4.
    """
    return free_energy(conditional_latent_energy_table(x, y, decoder, z_grid), beta, dim=-1)
