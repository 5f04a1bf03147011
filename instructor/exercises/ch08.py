"""Checkers for the coding exercises of chapter 8 (architectural methods).

Each checker runs the student's function on small float64 cases and compares it with a NumPy
reference written here, independent of ``ebmlib.models``.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._common import CORRECT, Verdict, as_array as _as_array, checker, incorrect

__all__ = ["check_lloyd_step", "check_ista", "check_pca_energy"]


# ---------------------------------------------------------------- one sweep of k-means

def _ref_lloyd(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    d2 = ((y[:, None, :] - w[None, :, :]) ** 2).sum(-1)  # (N, k)
    z = d2.argmin(1)
    out = w.copy()
    for j in range(len(w)):
        if (z == j).any():
            out[j] = y[z == j].mean(0)
    return out


def _lloyd_cases():
    rng = _seed.rng(8)
    cases = []
    for n, k, d in ((12, 3, 2), (30, 5, 3), (7, 2, 1)):
        y = rng.normal(size=(n, d))
        cases.append((y, y[rng.choice(n, k, replace=False)] + 0.1 * rng.normal(size=(k, d))))
    y = rng.normal(size=(10, 2))  # one prototype far away wins no point: it must stay where it is
    cases.append((y, np.vstack([y[:2], [[50.0, 50.0]]])))
    return cases


@checker
def check_lloyd_step(lloyd_step) -> Verdict:
    """Check ``lloyd_step(y, prototypes) -> new prototypes``: one sweep of coordinate descent.

    ``y``: float64 tensor (N, D); ``prototypes``: float64 tensor (k, D). Expected: each point takes
    its nearest prototype (z step), then each prototype moves to the mean of its points (W step);
    a prototype that wins no point stays where it is.
    """
    for y, w in _lloyd_cases():
        want = _ref_lloyd(y, w)
        got = _as_array(lloyd_step(torch.tensor(y), torch.tensor(w)), w.shape, "the new prototypes")
        if isinstance(got, Verdict):
            return got
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        if np.allclose(got, w, atol=1e-12):
            return incorrect("the prototypes did not move; set each to the mean of the points it wins")
        if w[-1, 0] == 50.0 and not np.allclose(got[-1], w[-1]):
            return incorrect("a prototype that wins no point should stay where it is (its mean is undefined)")
        return incorrect(f"wrong prototypes for {len(y)} points and k = {len(w)}")
    return CORRECT


# ---------------------------------------------------------------- ISTA

def _ref_lasso(y: np.ndarray, W: np.ndarray, lam: float, sweeps: int = 1000) -> np.ndarray:
    """Coordinate descent for the Lasso objective, one row at a time (the reference)."""
    K = W.shape[1]
    col2 = (W**2).sum(0)
    out = np.zeros((len(y), K))
    for b, row in enumerate(y):
        z = np.zeros(K)
        r = row.copy()
        for _ in range(sweeps):
            for k in range(K):
                rho = W[:, k] @ r + col2[k] * z[k]
                new = np.sign(rho) * max(abs(rho) - lam, 0.0) / col2[k]
                r += W[:, k] * (z[k] - new)
                z[k] = new
        out[b] = z
    return out


def _objective(y, z, W, lam):
    return 0.5 * ((y - z @ W.T) ** 2).sum(1) + lam * np.abs(z).sum(1)


def _ista_cases():
    return _ista_cases_at(_seed.OFFSET)


@functools.lru_cache(maxsize=4)
def _ista_cases_at(offset):
    """(y, W, lam, reference codes) cases; the reference is computed once."""
    rng = _seed.rng(9)
    cases = []
    for d, k, b, lam in ((6, 10, 3, 0.2), (8, 5, 2, 0.05)):
        W = rng.normal(size=(d, k)) / np.sqrt(d)
        y = rng.normal(size=(b, d))
        cases.append((y, W, lam, _ref_lasso(y, W, lam)))
    return tuple(cases)


@checker
def check_ista(ista) -> Verdict:
    """Check ``ista(y, W, lam, n_iter) -> z``: sparse codes by ISTA, for y (B, D), W (D, K) float64 tensors.

    The checker calls it with ``n_iter=3000`` and compares the objective of each row (half the squared
    norm of y - W z, plus lam times the L1 norm of z) with the optimum found by a coordinate-descent
    Lasso solver (relative 1e-6).
    """
    for y, W, lam, z_ref in _ista_cases():
        got = _as_array(ista(torch.tensor(y), torch.tensor(W), lam, 3000), z_ref.shape, "z")
        if isinstance(got, Verdict):
            return got
        f_ref, f_got = _objective(y, z_ref, W, lam), _objective(y, got, W, lam)
        if np.all(f_got <= f_ref * (1 + 1e-6) + 1e-12):
            continue
        if np.count_nonzero(got) == got.size and np.count_nonzero(z_ref) < z_ref.size:
            return incorrect("no coefficient is exactly zero: the soft threshold should set |v| <= lam / L to 0")
        ls = np.linalg.lstsq(W, y.T, rcond=None)[0].T
        if np.allclose(got, ls, atol=1e-4):
            return incorrect("this looks like least squares: the L1 term (the soft threshold) is missing")
        return incorrect(f"the objective is above the optimum for lam = {lam} (check the step 1/L and the threshold lam/L)")
    return CORRECT


# ---------------------------------------------------------------- PCA energy

def _pca_cases():
    rng = _seed.rng(10)
    cases = []
    for n, d, k in ((9, 3, 1), (15, 5, 2), (6, 4, 4)):
        q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        cases.append((rng.normal(size=(n, d)) * 2, rng.normal(size=d), q[:, :k].T.copy()))
    return cases


@checker
def check_pca_energy(pca_energy) -> Verdict:
    """Check ``pca_energy(y, mean, components) -> (B,)``: the squared norm of (I - U^T U)(y - mu).

    ``y``: float64 (B, D); ``mean``: (D,); ``components``: (K, D) with orthonormal rows U.
    """
    for y, mu, U in _pca_cases():
        c = y - mu
        want = ((c - c @ U.T @ U) ** 2).sum(1)
        got = _as_array(pca_energy(torch.tensor(y), torch.tensor(mu), torch.tensor(U)), want.shape, "the energies")
        if isinstance(got, Verdict):
            return got
        if np.allclose(got, want, rtol=1e-8, atol=1e-10):
            continue
        if np.allclose(got, ((c @ U.T) ** 2).sum(1), rtol=1e-8, atol=1e-10):
            return incorrect("this is the energy kept in the subspace; the energy is what is left off it")
        if np.allclose(got, ((y - y @ U.T @ U) ** 2).sum(1), rtol=1e-8, atol=1e-10):
            return incorrect("centre y on the mean before projecting")
        if np.allclose(got, np.sqrt(want), rtol=1e-8, atol=1e-10):
            return incorrect("the energy is the squared distance, not the distance")
        return incorrect(f"wrong energies for D = {y.shape[1]}, K = {U.shape[0]}")
    return CORRECT


# replayed answers are compared as this checker does: by the Lasso objective, not the codes
check_ista.replay = {"compare": "lasso_objective"}
