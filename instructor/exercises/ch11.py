"""Checkers for the coding exercises of chapter 11 (joint-embedding architectures and JEPA).

Each checker calls the student's function on small cases and compares it with a NumPy float64
reference written here (independent of ``ebmlib.joint_embedding``).
"""

from __future__ import annotations

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._common import CORRECT, Verdict, as_array as _as_array, checker, incorrect

__all__ = ["check_info_nce", "check_vicreg_covariance", "check_effective_rank"]


def _cases(seed: int, shapes=((2, 1), (4, 3), (7, 5))):
    rng = _seed.rng(seed)
    return [(rng.normal(size=(b, d)), rng.normal(size=(b, d))) for b, d in shapes]


def _ref_info_nce(hx: np.ndarray, hy: np.ndarray, tau: float, *, normalise: bool = True, transpose: bool = False) -> float:
    if normalise:
        hx = hx / np.linalg.norm(hx, axis=1, keepdims=True)
        hy = hy / np.linalg.norm(hy, axis=1, keepdims=True)
    s = hx @ hy.T / tau
    if transpose:
        s = s.T
    m = s.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - np.diag(s)))


@checker
def check_info_nce(info_nce) -> Verdict:
    """Check ``info_nce(h_x, h_y, temperature)``: (B, D), (B, D), tau -> the mean over rows i of
    -log softmax_j(cos(h_x,i, h_y,j) / tau)[i], a scalar."""
    for tau in (0.1, 1.0):
        for hx, hy in _cases(11):
            got = _as_array(info_nce(torch.tensor(hx), torch.tensor(hy), tau), (), "the loss")
            if isinstance(got, Verdict):
                return got
            got = float(got)
            if np.isclose(got, _ref_info_nce(hx, hy, tau), rtol=1e-6, atol=1e-9):
                continue
            if np.isclose(got, _ref_info_nce(hx, hy, tau, normalise=False), rtol=1e-6, atol=1e-9):
                return incorrect("normalise the embeddings to unit length first (cosine similarity, not the dot product)")
            if np.isclose(got, _ref_info_nce(hx, hy, 1.0), rtol=1e-6, atol=1e-9):
                return incorrect("divide the similarities by the temperature")
            return incorrect(f"wrong value for B = {hx.shape[0]}, D = {hx.shape[1]}, temperature = {tau}")
    return CORRECT


def _ref_cov_term(h: np.ndarray, ddof: int = 1, off_diagonal: bool = True) -> float:
    c = np.cov(h.T, ddof=ddof).reshape(h.shape[1], h.shape[1])
    total = np.sum(c**2) - (np.sum(np.diag(c) ** 2) if off_diagonal else 0.0)
    return float(total / h.shape[1])


@checker
def check_vicreg_covariance(covariance_term) -> Verdict:
    """Check ``covariance_term(h)``: (B, D) -> (1/D) sum_{j != k} C_jk^2 with C the (B - 1)-normalised
    covariance matrix of the columns, a scalar. Every case has D >= 2 (with D = 1 there is no off-diagonal
    entry, and ``torch.cov`` returns a 0-d tensor that a correct solution need not handle)."""
    for h, _ in _cases(12, shapes=((3, 2), (4, 3), (7, 5))):
        got = _as_array(covariance_term(torch.tensor(h)), (), "the covariance term")
        if isinstance(got, Verdict):
            return got
        got = float(got)
        if np.isclose(got, _ref_cov_term(h), rtol=1e-6, atol=1e-9):
            continue
        if np.isclose(got, _ref_cov_term(h, off_diagonal=False), rtol=1e-6, atol=1e-9):
            return incorrect("leave out the diagonal (the variances): only the off-diagonal entries are penalised")
        if np.isclose(got, _ref_cov_term(h, ddof=0), rtol=1e-6, atol=1e-9):
            return incorrect("normalise the covariance by B - 1, not by B")
        return incorrect(f"wrong value for B = {h.shape[0]}, D = {h.shape[1]}")
    return CORRECT


def _ref_erank(m: np.ndarray) -> float:
    s = np.linalg.svd(m, compute_uv=False)
    p = s / s.sum()
    p = p[p > 1e-12]
    return float(np.exp(-np.sum(p * np.log(p))))


@checker
def check_effective_rank(effective_rank) -> Verdict:
    """Check ``effective_rank(h)``: (B, D) -> exp(-sum_k p_k log p_k), p_k = sigma_k / sum sigma over the
    singular values of h itself (not centred), a float."""
    rng = _seed.rng(13)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    r, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    cases = [q[:, :3] @ np.diag(s) @ r.T for s in ((1.0, 1.0, 1.0), (3.0, 0.0, 0.0), (2.0, 1.0, 0.5))]
    cases += [np.ones((5, 2)) + 0.0, rng.normal(size=(8, 4)) + 3.0]
    for m in cases:
        got = _as_array(effective_rank(torch.tensor(m)), (), "the effective rank")
        if isinstance(got, Verdict):
            return got
        got = float(got)
        if np.isclose(got, _ref_erank(m), rtol=1e-6, atol=1e-9):
            continue
        s = np.linalg.svd(m, compute_uv=False)
        p2 = s**2 / np.sum(s**2)
        p2 = p2[p2 > 1e-12]
        if np.isclose(got, np.exp(-np.sum(p2 * np.log(p2))), rtol=1e-6):
            return incorrect("normalise the singular values themselves, not their squares (the eigenvalues)")
        if m.shape[0] > 1 and np.isclose(got, _ref_erank(m - m.mean(axis=0)) if np.any(m - m.mean(axis=0)) else 0.0, rtol=1e-6):
            return incorrect("do not centre the matrix: this effective rank is of h itself")
        return incorrect(f"wrong value for a {m.shape[0]} x {m.shape[1]} matrix")
    return CORRECT
