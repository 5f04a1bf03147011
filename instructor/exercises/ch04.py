"""Checkers for the coding exercises of chapter 4 (self-supervised learning).

Each checker runs your function on several cases and compares with a reference written as plain
Python loops (no ebmlib). It returns ``correct``, ``incorrect: ...`` or ``not attempted``.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from . import _seed
from ebmlib.exercises._common import CORRECT, Verdict, checker, incorrect

__all__ = ["check_conditional_free_energy_inf", "check_masked_token_loss"]


def _gen(seed: int) -> torch.Generator:
    return _seed.gen(seed)


def _shape_of(out) -> str:
    return str(tuple(out.shape)) if isinstance(out, torch.Tensor) else type(out).__name__


def _loop_f_inf(y: torch.Tensor, radii: torch.Tensor, z: torch.Tensor) -> list[float]:
    """min_k (y1 - r1 cos z_k)^2 + (y2 - r2 sin z_k)^2 for each sample, by loops."""
    out = []
    for (y1, y2), (r1, r2) in zip(y.tolist(), radii.tolist()):
        out.append(min((y1 - r1 * math.cos(zk)) ** 2 + (y2 - r2 * math.sin(zk)) ** 2 for zk in z.tolist()))
    return out


@checker
def check_conditional_free_energy_inf(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(y, radii, z_grid)`` -> F_inf (B,), the minimum over the grid of the horn's energy.

    E(x, y, z) = [y1 - f1(x) cos z]^2 + [y2 - f2(x) sin z]^2 with ``radii[i] = f(x_i)``.
    """
    for seed, b, nz in [(0, 1, 48), (1, 6, 48), (2, 9, 17), (3, 4, 100)]:
        g = _gen(seed)
        y = 6 * torch.randn(b, 2, generator=g, dtype=torch.float64)
        radii = 1 + 8 * torch.rand(b, 2, generator=g, dtype=torch.float64)
        z = torch.arange(nz, dtype=torch.float64) * (2 * math.pi / nz)
        out = fn(y.clone(), radii.clone(), z.clone())
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (b,):
            hint = " (one number per sample: reduce over the latents)" if isinstance(out, torch.Tensor) \
                and tuple(out.shape) == (b, nz) else ""
            return incorrect(f"for {b} samples expected a tensor of shape ({b},), got {_shape_of(out)}{hint}")
        ref = torch.tensor(_loop_f_inf(y, radii, z), dtype=torch.float64)
        got = out.detach().to(torch.float64)
        if torch.allclose(got, ref, rtol=1e-6, atol=1e-8):
            continue
        table = torch.tensor([[(y1 - r1 * math.cos(zk)) ** 2 + (y2 - r2 * math.sin(zk)) ** 2 for zk in z.tolist()]
                              for (y1, y2), (r1, r2) in zip(y.tolist(), radii.tolist())], dtype=torch.float64)
        if torch.allclose(got, table.mean(1), rtol=1e-6, atol=1e-8):
            return incorrect("this is the average energy over z (beta -> 0); zero temperature takes the minimum")
        if torch.allclose(got, table.max(1).values, rtol=1e-6, atol=1e-8):
            return incorrect("this is the largest energy over z; F_inf is the smallest")
        if torch.allclose(got, ref.sqrt(), rtol=1e-6, atol=1e-8):
            return incorrect("these are distances; the energy is the squared distance")
        return incorrect("some values differ from min_k E(x, y, z_k) (check that f1 multiplies cos z and f2 "
                         "multiplies sin z, and that each sample uses its own radii)")
    return CORRECT


def _loop_masked_ce(logits: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean over masked positions of -log softmax(logits)[true token], by loops."""
    total, count = 0.0, 0
    for lb, tb, mb in zip(logits.tolist(), tokens.tolist(), mask.tolist()):
        for lt, tt, mt in zip(lb, tb, mb):
            if mt:
                m = max(lt)
                log_z = m + math.log(sum(math.exp(v - m) for v in lt))
                total += log_z - lt[tt]
                count += 1
    return total / count


@checker
def check_masked_token_loss(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(logits (B, T, V), tokens (B, T), mask (B, T) bool)`` -> mean cross-entropy on masked positions."""
    for seed, b, t, v in [(0, 1, 5, 4), (1, 8, 6, 4), (2, 5, 10, 7), (3, 16, 3, 2)]:
        g = _gen(seed)
        logits = 3 * torch.randn(b, t, v, generator=g, dtype=torch.float64)
        if seed == 2:
            logits = logits + 1000.0  # large logits: a naive exp overflows
        tokens = torch.randint(0, v, (b, t), generator=g)
        mask = torch.rand(b, t, generator=g) < 0.3
        mask[:, 0] = True  # at least one masked position per sequence
        out = fn(logits.clone(), tokens.clone(), mask.clone())
        if not isinstance(out, torch.Tensor) or out.numel() != 1:
            return incorrect(f"expected a scalar tensor (the mean loss), got {_shape_of(out)}")
        got = float(out.detach().to(torch.float64))
        ref = _loop_masked_ce(logits, tokens, mask)
        if math.isclose(got, ref, rel_tol=1e-6, abs_tol=1e-9):
            continue
        if not math.isfinite(got):
            return incorrect(f"got {got}: compute log-probabilities stably (log-sum-exp, or log_softmax)")
        everywhere = _loop_masked_ce(logits, tokens, torch.ones_like(mask))
        if math.isclose(got, everywhere, rel_tol=1e-6, abs_tol=1e-9):
            return incorrect("the loss is averaged over all positions; only the masked ones count")
        if math.isclose(got, ref * int(mask.sum()), rel_tol=1e-6, abs_tol=1e-9):
            return incorrect("this is the sum over masked positions; take the mean")
        if math.isclose(got, -ref, rel_tol=1e-6, abs_tol=1e-9):
            return incorrect("the sign is flipped: the loss is minus the log-probability of the true token")
        return incorrect("the value differs from the mean of -log softmax(logits)[true token] over masked positions")
    return CORRECT
