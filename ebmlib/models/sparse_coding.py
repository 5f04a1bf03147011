"""Sparse coding: E(y, z) = 1/2 ‖y - W z‖^2 + lam ‖z‖_1, inferred by ISTA or FISTA.

The L1 term limits how many atoms (columns of W) a code may use, so few points can be
reconstructed at low energy: an architectural way of bounding the volume of low energy. Inference
(the code z for one y) is a Lasso problem; learning W alternates inference with a dictionary update.

See chapter 8.
"""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from .._checks import check_nonneg_int, check_nonneg_real, check_positive, check_tensor
from ..utils import as_generator

__all__ = ["sparse_code", "sparse_coding_energy", "soft_threshold", "learn_dictionary", "SPARSE_CODE_METHODS"]

SPARSE_CODE_METHODS = ("ista", "fista")


def soft_threshold(v: torch.Tensor, tau: float) -> torch.Tensor:
    """The proximal map of tau ‖·‖₁: ``sign(v) * max(abs(v) - tau, 0)``, elementwise.

    See chapter 8.
    """
    check_tensor(v, "v")
    tau = check_nonneg_real(tau, "tau")
    return torch.sign(v) * torch.clamp(v.abs() - tau, min=0.0)


def sparse_coding_energy(y: torch.Tensor, z: torch.Tensor, W: torch.Tensor, lam: float) -> torch.Tensor:
    """E(y, z) = 1/2 ‖y - W z‖^2 + lam ‖z‖_1 for each row: y (B, D), z (B, K), W (D, K) -> (B,).

    See chapter 8.
    """
    y, W = _check_yw(y, W)
    check_tensor(z, "z", ndim=2)
    if tuple(z.shape) != (y.shape[0], W.shape[1]):
        raise ValueError(f"z must have shape ({y.shape[0]}, {W.shape[1]}), got {tuple(z.shape)}")
    lam = check_nonneg_real(lam, "lam")
    return _energy(y, z.to(W.dtype), W, lam)


def _energy(y, z, W, lam):
    return 0.5 * ((y - z @ W.T) ** 2).sum(1) + lam * z.abs().sum(1)  # (B,)


def _check_yw(y, W):
    check_tensor(y, "y", ndim=2)
    check_tensor(W, "W", ndim=2)
    if y.shape[1] != W.shape[0]:
        raise ValueError(f"W must have shape (D, K) with D = y.shape[1] = {y.shape[1]}, got {tuple(W.shape)}")
    return y.to(W.dtype), W


def _code(y, W, lam, n_iter, method, return_objective, z0=None):
    """ISTA / FISTA on all rows at once (no checks: the callers validate)."""
    L = float(torch.linalg.matrix_norm(W, ord=2)) ** 2  # Lipschitz constant of the smooth part's gradient
    if L == 0.0:  # W = 0: the code is 0
        z = torch.zeros(y.shape[0], W.shape[1], dtype=W.dtype, device=W.device)
        obj = _energy(y, z, W, lam).expand(n_iter + 1, -1) if return_objective else None
        return (z, obj) if return_objective else z
    step = 1.0 / L
    WtW, Wty = W.T @ W, y @ W  # (K, K), (B, K)
    z = torch.zeros(y.shape[0], W.shape[1], dtype=W.dtype, device=W.device) if z0 is None else z0.clone()
    v, t = z, 1.0  # FISTA's extrapolated point and momentum parameter
    objs = [_energy(y, z, W, lam)] if return_objective else None
    for _ in range(n_iter):
        grad = v @ WtW - Wty  # gradient of 1/2 ‖y - W v‖^2 in v, (B, K)
        z_new = torch.sign(v - step * grad) * torch.clamp((v - step * grad).abs() - step * lam, min=0.0)
        if method == "fista":
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            v = z_new + ((t - 1.0) / t_new) * (z_new - z)
            t = t_new
        else:
            v = z_new
        z = z_new
        if return_objective:
            objs.append(_energy(y, z, W, lam))
    if return_objective:
        return z, torch.stack(objs)  # (n_iter + 1, B)
    return z


def sparse_code(y: torch.Tensor, W: torch.Tensor, lam: float, *, n_iter: int = 500, method: str = "fista",
                return_objective: bool = False):
    """Sparse codes: z = argmin_z 1/2 ‖y - W z‖^2 + lam ‖z‖_1, row by row.

    ISTA is proximal gradient descent with step 1/L, L = ‖W‖_2^2 (the largest squared singular
    value): z <- soft_threshold(z - (1/L) W^T (W z - y), lam / L). Its objective gap falls like
    O(1/t). FISTA (Beck and Teboulle) takes the same step from an extrapolated point
    v = z_t + (s_t - 1)/s_{t+1} (z_t - z_{t-1}), with s_{t+1} = (1 + sqrt(1 + 4 s_t^2)) / 2, and
    its gap falls like O(1/t^2). Both start from z = 0.

    Args:
        y: (B, D) signals.
        W: (D, K) dictionary (its columns are the atoms).
        lam: the L1 weight, >= 0.
        n_iter: iterations, >= 0.
        method: ``"fista"`` or ``"ista"``.
        return_objective: also return the energy of every iterate.

    Returns:
        z of shape (B, K) in W's dtype; with ``return_objective``, ``(z, objective)`` where
        ``objective`` is (n_iter + 1, B): E(y_b, z_t) for t = 0 (z = 0), 1, ..., n_iter.
        Costs O(n_iter B K^2).

    See chapter 8.
    """
    y, W = _check_yw(y, W)
    lam = check_nonneg_real(lam, "lam")
    n_iter = check_nonneg_int(n_iter, "n_iter")
    if method not in SPARSE_CODE_METHODS:
        raise ValueError(f"method must be one of {SPARSE_CODE_METHODS}, got {method!r}")
    return _code(y, W, lam, n_iter, method, bool(return_objective))


def learn_dictionary(y: torch.Tensor, n_atoms: int, lam: float, *, n_iter: int = 30, code_iter: int = 100,
                     generator: torch.Generator | int | None = None, progress: bool = False,
                     return_objective: bool = False):
    """Dictionary learning: alternate sparse coding (FISTA) and a block-coordinate update of W.

    Minimises sum_i 1/2 ‖y_i - W z_i‖^2 + lam ‖z_i‖_1 over the codes and over W with unit-norm
    atoms (‖w_k‖ <= 1; without the bound W would grow and the codes shrink, and the L1 term would
    stop limiting anything). Given the codes Z, each atom in turn takes its exact minimiser
    w_k = (R + w_k z_k^T) z_k / ‖z_k‖^2, where R = Y - W Z is the current residual, projected onto
    the unit ball; an atom no code uses is restarted at a random training signal. FISTA is
    warm-started from the previous codes.

    Args:
        y: (N, D) training signals.
        n_atoms: K, the number of atoms.
        lam: the L1 weight, > 0.
        n_iter: outer iterations (one coding pass and one dictionary pass each), >= 1.
        code_iter: FISTA iterations per coding pass, >= 1.
        generator: torch.Generator, int seed or None (global RNG) for the initial atoms (K training
            signals, normalised) and the restarts.
        progress: show a progress bar.
        return_objective: also return the mean energy over the data after each outer iteration.

    Returns:
        W of shape (D, K) with columns of norm <= 1, or ``(W, objective)`` with ``objective`` (n_iter,).

    See chapter 8.
    """
    check_tensor(y, "y", ndim=2)
    n_atoms = check_positive(n_atoms, "n_atoms", integer=True)
    lam = check_positive(lam, "lam")
    n_iter = check_positive(n_iter, "n_iter", integer=True)
    code_iter = check_positive(code_iter, "code_iter", integer=True)
    gen = as_generator(generator, y.device)
    y = y.detach()
    n = y.shape[0]
    W = y[torch.randint(n, (n_atoms,), generator=gen, device=y.device)].T.clone()  # (D, K)
    W = W / torch.linalg.vector_norm(W, dim=0).clamp_min(1e-12)
    z = torch.zeros(n, n_atoms, dtype=y.dtype, device=y.device)
    history = []
    for _ in tqdm(range(n_iter), disable=not progress, desc="dictionary learning"):
        z = _code(y, W, lam, code_iter, "fista", False, z0=z)  # (N, K)
        R = y - z @ W.T  # (N, D) residual
        for k in range(n_atoms):
            zk = z[:, k]  # (N,); R^T z_k below is summed by hand: BLAS gemv is erratically slow on it
            norm2 = float(zk @ zk)
            if norm2 == 0.0:  # unused atom: restart it on a random signal
                j = int(torch.randint(n, (1,), generator=gen))
                new = y[j] / torch.linalg.vector_norm(y[j]).clamp_min(1e-12)
            else:
                new = W[:, k] + (R * zk[:, None]).sum(0) / norm2  # exact minimiser over w_k (R^T z_k)
                new = new / max(1.0, float(torch.linalg.vector_norm(new)))  # project onto ‖w_k‖ <= 1
            R = R - torch.outer(zk, new - W[:, k])
            W[:, k] = new
        history.append(float(_energy(y, z, W, lam).mean()))
    if return_objective:
        return W, torch.tensor(history, dtype=torch.float64)
    return W
