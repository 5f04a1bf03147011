"""Checkers for the coding exercises of chapter 5 (loss functionals).

Each checker calls the student's function on several small cases and compares the result with a
NumPy float64 reference written here (independent of ``ebmlib.losses``).
"""

from __future__ import annotations

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, as_float, checker, incorrect

__all__ = ["check_hinge_loss", "check_log_loss", "check_ml_gradient"]


def _ref_hinge(f_pos: np.ndarray, f_neg: np.ndarray, margin: float) -> float:
    return float(np.mean(np.maximum(0.0, margin - (f_neg - f_pos))))


def _ref_log_loss(f_pos: np.ndarray, f_neg: np.ndarray) -> float:
    # log(1 + sum_m exp(f_pos - f_neg_m)), per sample, by a shifted log-sum-exp
    gaps = np.concatenate([np.zeros((len(f_pos), 1)), f_pos[:, None] - f_neg], axis=1)
    top = gaps.max(axis=1, keepdims=True)
    return float(np.mean(top[:, 0] + np.log(np.exp(gaps - top).sum(axis=1))))



def _cases(seed: int, negatives: int | None):
    """Small random cases (float64) plus hand-picked ones; negatives=None gives f_neg of shape (B,)."""
    rng = _seed.rng(seed)
    cases = []
    for b in (1, 4, 7):
        shape = (b,) if negatives is None else (b, negatives)
        cases.append((rng.normal(size=b) * 2, rng.normal(size=shape) * 2))
    return cases


@checker
def check_hinge_loss(hinge_loss) -> Verdict:
    """Check ``hinge_loss(f_pos, f_neg, margin)``: mean over the batch of max(0, m - (F_neg - F_pos)).

    ``f_pos`` and ``f_neg`` are float64 tensors of shape (B,); ``margin`` is a float.
    """
    cases = [(f_pos, f_neg, m) for f_pos, f_neg in _cases(0, None) for m in (0.0, 1.0, 2.5)]
    # a negative far above the positive: the hinge is inactive and the loss is exactly 0
    cases.append((np.array([0.0, 1.0]), np.array([5.0, 7.0]), 1.0))
    for f_pos, f_neg, m in cases:
        got = as_float(hinge_loss(torch.tensor(f_pos), torch.tensor(f_neg), m))
        if isinstance(got, Verdict):
            return got
        want = _ref_hinge(f_pos, f_neg, m)
        if not np.isclose(got, want, rtol=1e-6, atol=1e-9):
            if np.isclose(got, want * len(f_pos), rtol=1e-6, atol=1e-9) and len(f_pos) > 1:
                return incorrect("the loss looks summed over the batch; take the mean")
            if np.isclose(got, _ref_hinge(f_neg, f_pos, m), rtol=1e-6, atol=1e-9):
                return incorrect("the roles of f_pos and f_neg look swapped")
            return incorrect(f"wrong value for a batch of {len(f_pos)} with margin {m}")
    return CORRECT


@checker
def check_log_loss(log_loss) -> Verdict:
    """Check ``log_loss(f_pos, f_neg)`` with M negatives per sample.

    ``f_pos``: float64 tensor (B,), ``f_neg``: float64 tensor (B, M); the expected value is the
    batch mean of log(1 + sum_m exp(F_pos - F_neg_m)), and it must not overflow for large gaps.
    """
    cases = [c for m in (1, 3) for c in _cases(1, m)]
    cases.append((np.array([800.0]), np.array([[0.0, 1.0]])))  # large gap: naive exp overflows
    for f_pos, f_neg in cases:
        got = as_float(log_loss(torch.tensor(f_pos), torch.tensor(f_neg)))
        if isinstance(got, Verdict):
            if f_pos[0] == 800.0:
                return incorrect("the loss overflows when F_pos - F_neg is large; use logsumexp")
            return got
        want = _ref_log_loss(f_pos, f_neg)
        if not np.isclose(got, want, rtol=1e-6, atol=1e-9):
            mean_over_negs = float(np.mean(np.log1p(np.exp(np.clip(f_pos[:, None] - f_neg, None, 700)))))
            if f_neg.shape[1] > 1 and np.isclose(got, mean_over_negs, rtol=1e-6, atol=1e-9):
                return incorrect("the negatives should compete in one log(1 + sum exp(...)), "
                                 "not be averaged one by one")
            return incorrect(f"wrong value for a batch of {f_neg.shape[0]} with {f_neg.shape[1]} negatives")
    return CORRECT


def _ml_cases():
    """(energy, params, y_data, grid) cases in float64: a Gaussian mean and a small tanh network."""
    a = torch.linspace(-5.0, 5.0, 61, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(a, a, indexing="xy"), dim=-1).reshape(-1, 2)  # (61 * 61, 2)
    rng = _seed.gen(5)
    y_data = torch.randn(9, 2, generator=rng, dtype=torch.float64) * 0.8 + 0.3  # (9, 2)

    m = torch.tensor([0.4, -0.3], dtype=torch.float64, requires_grad=True)
    gauss = (CaseFn("gauss_mean", m), [m])

    W = (0.7 * torch.randn(2, 6, generator=rng, dtype=torch.float64)).requires_grad_(True)
    v = (0.7 * torch.randn(6, generator=rng, dtype=torch.float64)).requires_grad_(True)
    net = (CaseFn("tanh_net", W, v), [W, v])
    return [(f, ps, y_data, grid) for f, ps in (gauss, net)]


def _ref_ml_gradient(energy, params, y_data, grid) -> list[torch.Tensor]:
    """Autograd of the exact mean NLL, mean E(y_i) + log sum_g exp(-E(y_g)) (cell area dropped)."""
    with torch.enable_grad():
        nll = energy(y_data).mean() + torch.logsumexp(-energy(grid), dim=0)
        return [g.detach() for g in torch.autograd.grad(nll, params)]


@checker
def check_ml_gradient(ml_gradient) -> Verdict:
    """Check ``ml_gradient(energy, params, y_data, grid)``, the two-term maximum-likelihood gradient.

    Expected: one tensor per parameter, grad E averaged over the data minus grad E averaged over the
    grid with the model's probabilities p_g = softmax(-E(grid)) (beta = 1). The reference is autograd
    of the exact negative log-likelihood, computed here independently of ``ebmlib.losses``.
    """
    for k, (energy, params, y_data, grid) in enumerate(_ml_cases()):
        want = _ref_ml_gradient(energy, params, y_data, grid)
        got = ml_gradient(energy, params, y_data, grid)
        if isinstance(got, torch.Tensor):
            got = [got]
        try:
            got = list(got)
        except TypeError:
            return incorrect(f"return a list with one gradient per parameter, got {type(got).__name__}")
        if len(got) != len(params):
            return incorrect(f"return one gradient per parameter ({len(params)}), got {len(got)}")
        for g, w, p in zip(got, want, params):
            if not isinstance(g, torch.Tensor) or tuple(g.shape) != tuple(p.shape):
                shape = tuple(g.shape) if isinstance(g, torch.Tensor) else type(g).__name__
                return incorrect(f"each gradient must be a tensor shaped like its parameter "
                                 f"{tuple(p.shape)}, got {shape}")
            if not bool(torch.isfinite(g).all()):
                return incorrect("a gradient contains NaN or infinite values")
        got = [g.detach().double() for g in got]
        if all(torch.allclose(g, w, rtol=1e-5, atol=1e-8) for g, w in zip(got, want)):
            continue
        if all(torch.allclose(g, -w, rtol=1e-5, atol=1e-8) for g, w in zip(got, want)):
            return incorrect("the sign looks flipped: the gradient of the NLL pushes the data energy "
                             "down, so its data term is +dE/dtheta")
        with torch.enable_grad():
            data_only = torch.autograd.grad(energy(y_data).mean(), params)
        if all(torch.allclose(g, d, rtol=1e-5, atol=1e-8) for g, d in zip(got, data_only)):
            return incorrect("only the data term is there; subtract the model's expectation of dE/dtheta")
        return incorrect(f"wrong gradient in case {k + 1} (of 2)")
    return CORRECT
