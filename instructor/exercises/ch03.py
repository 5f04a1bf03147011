"""Checkers for the coding exercises of chapter 3 (free energy and the probabilistic view).

Each checker runs your function on several cases and compares with an independent float64
reference (SciPy's logsumexp, or plain sums for a normalisation). It returns ``correct``,
``incorrect: ...`` or ``not attempted``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from scipy.special import logsumexp

from . import _seed
from ebmlib.exercises._common import CORRECT, Verdict, checker, incorrect

__all__ = ["check_soft_minimum", "check_gibbs_on_grid"]


def _shape_of(out) -> str:
    return str(tuple(out.shape)) if isinstance(out, torch.Tensor) else type(out).__name__


def _ref_soft_min(E: np.ndarray, beta: float) -> np.ndarray:
    """-(1/beta) (logsumexp(-beta E) - log N) over the last axis, float64, shifted by the minimum."""
    m = E.min(axis=-1)
    return m - (logsumexp(-beta * (E - m[:, None]), axis=-1) - math.log(E.shape[-1])) / beta


@checker
def check_soft_minimum(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> Verdict:
    """Check ``fn(energies, beta)`` -> F_beta (B,) for an energy table (B, N), beta from 0.01 to 1e6."""
    g = _seed.gen(0)
    tables = [torch.randn(4, 48, generator=g, dtype=torch.float64) * 2 + 3,
              torch.rand(3, 7, generator=g, dtype=torch.float64) * 50,
              torch.randn(1, 2, generator=g, dtype=torch.float64)]
    for E in tables:
        for beta in (0.01, 0.3, 1.0, 10.0):
            verdict = _compare_soft_min(fn, E, beta)
            if verdict is not None:
                return verdict
    for E in tables:  # cold: naive exp(-beta E) underflows here
        for beta in (1e3, 1e6):
            verdict = _compare_soft_min(fn, E, beta, cold=True)
            if verdict is not None:
                return verdict
    return CORRECT


def _compare_soft_min(fn, E: torch.Tensor, beta: float, cold: bool = False):
    out = fn(E.clone(), beta)
    b, n = E.shape
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (b,):
        return incorrect(f"for energies of shape ({b}, {n}) expected a tensor of shape ({b},) "
                         f"(one free energy per row), got {_shape_of(out)}")
    got = out.detach().to(torch.float64).numpy()
    if not np.isfinite(got).all():
        return incorrect(f"the result is not finite at beta = {beta:g}: exp(-beta E) under- or overflows; "
                         "use torch.logsumexp (or subtract the minimum energy first)")
    ref = _ref_soft_min(E.numpy(), beta)
    if np.allclose(got, ref, rtol=1e-6, atol=1e-8):
        return None
    if np.allclose(got, ref - math.log(n) / beta, rtol=1e-6, atol=1e-8):
        return incorrect("off by log(N)/beta: the free energy averages over the N latents (the 1/N term)")
    if np.allclose(got, -ref, rtol=1e-6, atol=1e-8):
        return incorrect("the sign is flipped: F_beta is a soft minimum of the energies, not of -E")
    if cold:
        return incorrect(f"wrong at a large beta ({beta:g}), where F_beta must approach the minimum over "
                         "each row; look for lost precision")
    return incorrect(f"F_beta differs from -(1/beta) log((1/N) sum exp(-beta E)) at beta = {beta:g}")


@checker
def check_gibbs_on_grid(fn: Callable[[torch.Tensor, float, float], torch.Tensor]) -> Verdict:
    """Check ``fn(F, beta, cell_area)`` -> the density exp(-beta F)/Z on the grid (same shape as F)."""
    y1 = torch.linspace(-3, 3, 31, dtype=torch.float64)
    y2 = torch.linspace(-2, 2, 21, dtype=torch.float64)
    Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")
    area = float((y1[1] - y1[0]) * (y2[1] - y2[0]))
    fields = [(Y1 ** 2 + 2 * Y2 ** 2) / 2, (Y1 ** 2 / 4 + Y2 ** 2 - 1) ** 2 + 5.0]
    if _seed.OFFSET:  # an assignment's graded cases: other fields than the practice ones
        g = _seed.gen(30)
        fields = [F * (0.7 + 0.7 * float(torch.rand(1, generator=g))) + float(torch.randn(1, generator=g))
                  for F in fields]
    for F in fields:
        for beta in (0.1, 1.0, 10.0, 1e3):
            out = fn(F.clone(), beta, area)
            if not isinstance(out, torch.Tensor) or tuple(out.shape) != tuple(F.shape):
                return incorrect(f"expected a tensor of the same shape as F {tuple(F.shape)}, got {_shape_of(out)}")
            got = out.detach().to(torch.float64).numpy()
            if not np.isfinite(got).all():
                return incorrect(f"the density is not finite at beta = {beta:g}: normalise with logsumexp "
                                 "(or subtract the minimum of F first)")
            logits = -beta * F.numpy()
            ref = np.exp(logits - logsumexp(logits)) / area
            if np.allclose(got, ref, rtol=1e-6, atol=1e-10 * ref.max()):
                continue
            if np.allclose(got, ref * area, rtol=1e-6, atol=1e-10 * ref.max()):
                return incorrect("these are cell probabilities (they sum to 1); a density times the cell area "
                                 "sums to 1 - divide by the cell area")
            if abs(got.sum() * area - 1) > 1e-6:
                return incorrect(f"the density times the cell area does not sum to 1 at beta = {beta:g}")
            return incorrect(f"the density is not proportional to exp(-beta F) at beta = {beta:g}")
    return CORRECT
