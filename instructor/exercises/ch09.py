"""Checkers for the coding exercises of chapter 9 (deep EBMs on images).

Each checker calls the student's function on small cases and compares the result with a NumPy
float64 reference written here (pair counting, closed-form gradients), independent of ebmlib.
"""

from __future__ import annotations

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, as_array, as_float, checker, incorrect

__all__ = ["check_auroc", "check_sgld_step", "check_logit_energy"]


def _ref_auroc(s_in: np.ndarray, s_out: np.ndarray) -> float:
    """P(s_out > s_in) + 1/2 P(s_out = s_in), counting all n_in * n_out pairs."""
    diff = s_out[None, :] - s_in[:, None]  # (n_in, n_out)
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


@checker
def check_auroc(auroc) -> Verdict:
    """Check ``auroc(scores_in, scores_out) -> float``: the probability that an out-score beats an in-score.

    The scores are float64 tensors of shape (n_in,) and (n_out,); ties count one half.
    """
    rng = _seed.rng(9)
    cases = [(rng.normal(size=13), rng.normal(size=8) + shift) for shift in (0.0, 1.0, -0.5)]
    cases.append((rng.integers(0, 3, size=11).astype(float), rng.integers(1, 4, size=9).astype(float)))  # ties
    for s_in, s_out in cases:
        got = as_float(auroc(torch.tensor(s_in), torch.tensor(s_out)), "the AUROC")
        if isinstance(got, Verdict):
            return got
        want = _ref_auroc(s_in, s_out)
        if not np.isclose(got, want, atol=1e-9):
            if np.isclose(got, 1.0 - want, atol=1e-9):
                return incorrect("the roles of the two sets look swapped: out-of-distribution scores should be high")
            diff = s_out[None, :] - s_in[:, None]
            if np.isclose(got, float((diff > 0).mean()), atol=1e-9) or np.isclose(got, float((diff >= 0).mean()), atol=1e-9):
                return incorrect("ties should count one half")
            return incorrect(f"wrong value for {len(s_in)} in-scores and {len(s_out)} out-scores")
    return CORRECT


def _quad_energy(a: torch.Tensor, c: torch.Tensor):
    """E(y) = sum over pixels of a (y - c)^2 / 2 + sin(3 y): gradient a (y - c) + 3 cos(3 y)."""
    def energy(y: torch.Tensor) -> torch.Tensor:
        return (0.5 * a * (y - c) ** 2 + torch.sin(3 * y)).reshape(y.shape[0], -1).sum(1)
    return energy


@checker
def check_sgld_step(sgld_step) -> Verdict:
    """Check ``sgld_step(energy, y, step_size, noise_scale, xi) -> y_new``, one step of short-run Langevin.

    y_new = clamp(y - step_size * grad_y E(y) + noise_scale * xi, 0, 1), for images y of shape
    (B, 1, 8, 8) (float64) and the given standard-normal noise ``xi`` of the same shape; ``energy``
    maps (B, 1, 8, 8) to (B,). The result must not carry a gradient history.
    """
    g = _seed.gen(4)
    a = 1.0 + torch.rand(1, 1, 8, 8, generator=g, dtype=torch.float64)
    c = torch.rand(1, 1, 8, 8, generator=g, dtype=torch.float64)
    energy = CaseFn("image_quad_cos", a, c)
    for b, eps, s in ((3, 0.1, 0.05), (2, 0.4, 0.0), (4, 1.5, 0.3)):
        y = torch.rand(b, 1, 8, 8, generator=g, dtype=torch.float64)
        xi = torch.randn(b, 1, 8, 8, generator=g, dtype=torch.float64)
        y_copy = y.clone()
        out = sgld_step(energy, y, eps, s, xi)
        if isinstance(out, torch.Tensor) and out.requires_grad:
            return incorrect("detach the new state: it should not carry a gradient history")
        got = as_array(out, tuple(y.shape), "the new state")
        if isinstance(got, Verdict):
            return got
        if not torch.equal(y, y_copy):
            return incorrect("the input y was modified in place; return a new tensor")
        yn, xin, an, cn = y.numpy(), xi.numpy(), a.numpy(), c.numpy()
        grad = an * (yn - cn) + 3 * np.cos(3 * yn)
        want = np.clip(yn - eps * grad + s * xin, 0.0, 1.0)
        if not np.allclose(got, want, atol=1e-9):
            if np.allclose(got, yn - eps * grad + s * xin, atol=1e-9):
                return incorrect("clamp the new state to the pixel range [0, 1]")
            if np.allclose(got, np.clip(yn + eps * grad + s * xin, 0, 1), atol=1e-9):
                return incorrect("the step climbs the energy; it should go down its gradient")
            if s > 0 and np.allclose(got, np.clip(yn - eps * grad, 0, 1), atol=1e-9):
                return incorrect("the noise noise_scale * xi is missing")
            return incorrect(f"wrong new state for a batch of {b} with step_size {eps}")
    return CORRECT


@checker
def check_logit_energy(logit_energy) -> Verdict:
    """Check ``logit_energy(logits) -> (B,)``: a classifier's logits (B, C) for C classes read as an energy of the input.

    JEM's energy of x is minus the log of the summed unnormalised class probabilities,
    E(x) = -log sum_k exp(f_k(x)); it must stay finite for logits of a few thousand.
    """
    rng = _seed.rng(3)
    cases = [rng.normal(size=(5, 10)) * 3, rng.normal(size=(1, 3)), np.array([[1000.0, 999.0, -5.0], [-800.0, -801.0, -900.0]])]
    for logits in cases:
        out = logit_energy(torch.tensor(logits))
        got = as_array(out, (logits.shape[0],), "the energy")
        if isinstance(got, Verdict):
            if np.abs(logits).max() > 500:
                return incorrect("the energy overflows for large logits; use a stable log-sum-exp")
            return got
        top = logits.max(1, keepdims=True)
        want = -(top[:, 0] + np.log(np.exp(logits - top).sum(1)))
        if not np.allclose(got, want, rtol=1e-9, atol=1e-9):
            if np.allclose(got, -want, rtol=1e-9, atol=1e-9):
                return incorrect("the sign is flipped: a likely input should get a LOW energy")
            if np.allclose(got, -logits.max(1), rtol=1e-9, atol=1e-9):
                return incorrect("that is minus the largest logit; the energy sums over all classes")
            return incorrect(f"wrong energy for logits of shape {logits.shape}")
    return CORRECT


# replayed answers are checked as this checker does: detached, and the input not changed in place
check_sgld_step.replay = {"detached": True, "unchanged_inputs": True}
