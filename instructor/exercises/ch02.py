"""Checkers for the coding exercises of chapter 2 (latent-variable EBMs).

Each checker runs your function on several cases and compares with a brute-force reference
(plain Python loops over samples and latents). It returns ``correct``, ``incorrect: ...`` or
``not attempted``.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, checker, incorrect

__all__ = ["check_latent_energy_table", "check_exhaustive_search", "check_free_energy_grid"]


def _gen(seed: int) -> torch.Generator:
    return _seed.gen(seed)


def _shape_of(out) -> str:
    return str(tuple(out.shape)) if isinstance(out, torch.Tensor) else type(out).__name__


def _loop_energy(y1: float, y2: float, w1: float, w2: float, z: float) -> float:
    """E(y, z) = (y1 - w1 cos z)^2 + (y2 - w2 sin z)^2, one point at a time."""
    return (y1 - w1 * math.cos(z)) ** 2 + (y2 - w2 * math.sin(z)) ** 2


def _loop_table(y: torch.Tensor, w: torch.Tensor, z: torch.Tensor) -> list[list[float]]:
    return [[_loop_energy(yi[0], yi[1], w[0].item(), w[1].item(), zk) for zk in z.tolist()] for yi in y.tolist()]


class _Decoder(torch.nn.Module):
    """g(z) = [w1 cos z, w2 sin z] written here, independently of ebmlib.latent."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64))

    def forward(self, z):
        return torch.stack([self.w[0] * torch.cos(z), self.w[1] * torch.sin(z)], dim=-1)


def _cases():
    """(y (B, 2), w (2,), z_grid (N_z,)) with random y, a few decoders and grids (float64)."""
    out = []
    for seed, b, w, nz in [(0, 1, (2.0, 1.5), 48), (1, 7, (2.0, 1.5), 48), (2, 5, (1.0, 3.0), 17),
                           (3, 12, (0.7, 0.4), 100)]:
        g = _gen(seed)
        y = torch.randn(b, 2, generator=g, dtype=torch.float64) * 2
        z = torch.arange(nz, dtype=torch.float64) * (2 * math.pi / nz)
        out.append((y, torch.tensor(w, dtype=torch.float64), z))
    return out


@checker
def check_latent_energy_table(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(y, w, z_grid)`` -> E of shape (B, N_z), E[i, k] = ||y_i - [w1 cos z_k, w2 sin z_k]||^2."""
    for y, w, z in _cases():
        out = fn(y.clone(), w.clone(), z.clone())
        shape = (y.shape[0], z.shape[0])
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != shape:
            return incorrect(f"for y of shape {tuple(y.shape)} and {z.shape[0]} latents expected a tensor of "
                             f"shape {shape} (samples x latents), got {_shape_of(out)}")
        ref = torch.tensor(_loop_table(y, w, z), dtype=torch.float64)
        if not torch.allclose(out.detach().to(torch.float64), ref, rtol=1e-6, atol=1e-8):
            if torch.allclose(out.detach().to(torch.float64), ref.sqrt(), rtol=1e-6, atol=1e-8):
                return incorrect("these are distances; the energy is the squared distance")
            return incorrect("some energies differ from ||y - g(z)||^2 (check cos for the first coordinate, "
                             "sin for the second, and which half-axis multiplies which)")
    return CORRECT


@checker
def check_exhaustive_search(fn: Callable[..., tuple]) -> Verdict:
    """Check ``fn(y, decoder, z_grid)`` -> (z_check (B,), F_inf (B,)) against a brute-force loop."""
    for y, w, z in _cases():
        dec = CaseFn("decoder", tuple(w.tolist()))
        out = fn(y.clone(), dec, z.clone())
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return incorrect(f"expected a pair (z_check, F_inf), got {type(out).__name__}")
        z_check, f_inf = out
        b = y.shape[0]
        for name, t in (("z_check", z_check), ("F_inf", f_inf)):
            if not isinstance(t, torch.Tensor) or tuple(t.shape) != (b,):
                return incorrect(f"{name} must be a tensor of shape ({b},) (one value per sample), got {_shape_of(t)}")
        table = _loop_table(y, w, z)
        best_k = [min(range(len(row)), key=row.__getitem__) for row in table]
        ref_f = torch.tensor([row[k] for row, k in zip(table, best_k)], dtype=torch.float64)
        ref_z = z[best_k]
        if not torch.allclose(f_inf.detach().to(torch.float64), ref_f, rtol=1e-6, atol=1e-8):
            worst = torch.tensor([max(row) for row in table], dtype=torch.float64)
            if torch.allclose(f_inf.detach().to(torch.float64), worst, rtol=1e-6, atol=1e-8):
                return incorrect("F_inf is the largest energy over z; inference takes the smallest")
            return incorrect("F_inf is not the smallest energy over the grid for every sample")
        if not torch.allclose(z_check.detach().to(torch.float64), ref_z, rtol=0, atol=1e-9):
            if torch.equal(z_check.detach().to(torch.long), torch.tensor(best_k)):
                return incorrect("z_check holds grid indices; return the latent values z_grid[index]")
            return incorrect("z_check is not the latent at which the energy is smallest")
    return CORRECT


@checker
def check_free_energy_grid(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(decoder, y1, y2, z_grid)`` -> F_inf of shape (len(y2), len(y1)), F[i, j] at (y1[j], y2[i])."""
    cases = [(5, 4, (2.0, 1.5), 48), (7, 3, (1.0, 2.5), 30), (17, 25, (2.0, 1.5), 48)]
    if _seed.OFFSET:  # an assignment's graded cases: other decoders than the practice ones
        g = _seed.gen(20)
        cases = [(n1, n2, tuple((0.5 + 2.5 * torch.rand(2, generator=g, dtype=torch.float64)).tolist()), nz)
                 for n1, n2, _, nz in cases]
    for (n1, n2, w, nz) in cases:
        y1 = torch.linspace(-3, 3, n1, dtype=torch.float64)
        y2 = torch.linspace(-2.5, 2.0, n2, dtype=torch.float64)
        z = torch.arange(nz, dtype=torch.float64) * (2 * math.pi / nz)
        dec = CaseFn("decoder", w)
        out = fn(dec, y1.clone(), y2.clone(), z.clone())
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (n2, n1):
            if isinstance(out, torch.Tensor) and tuple(out.shape) == (n1, n2):
                return incorrect(f"expected shape ({n2}, {n1}): rows follow y2 and columns y1, got ({n1}, {n2})")
            return incorrect(f"expected a tensor of shape ({n2}, {n1}) (len(y2), len(y1)), got {_shape_of(out)}")
        ref = torch.tensor([[min(_loop_energy(a, b, w[0], w[1], zk) for zk in z.tolist()) for a in y1.tolist()]
                            for b in y2.tolist()], dtype=torch.float64)
        got = out.detach().to(torch.float64)
        if not torch.allclose(got, ref, rtol=1e-6, atol=1e-8):
            if n1 != n2 and got.numel() == ref.numel() and torch.allclose(got.T.reshape(n2, n1), ref):
                return incorrect("the grid is transposed: F[i, j] belongs at (y1[j], y2[i])")
            return incorrect("some grid values differ from min_z E(y, z) over the latent grid")
    return CORRECT
