"""Checkers for the coding exercises of chapter 6 (sampling from an energy).

Each checker calls the student's function on small cases and compares it with a reference written
here with NumPy / SciPy (independent of ``ebmlib.samplers`` and ``ebmlib.models``).
"""

from __future__ import annotations

import itertools

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, as_array as _as_array, checker, incorrect

__all__ = ["check_mh_step", "check_ula_covariance", "check_leapfrog", "check_rbm_free_energy"]



def _quad_energy(prec: np.ndarray):
    lam = torch.tensor(prec)
    return lambda y: 0.5 * ((y @ lam) * y).sum(-1)


@checker
def check_mh_step(mh_step) -> Verdict:
    """Check ``mh_step(energy, y, proposal_scale, xi, u) -> y_new``, one random-walk Metropolis step.

    ``y`` (B, D), ``xi`` (B, D) standard normal draws, ``u`` (B,) uniform draws, all float64: the
    proposal is y + proposal_scale * xi, accepted per row when u < exp(E(y) - E(proposal)).
    """
    rng = _seed.rng(0)
    prec = np.array([[2.0, 0.6], [0.6, 1.0]])
    energy = CaseFn("quad", prec)
    for b, s in ((6, 0.5), (9, 1.5), (5, 3.0)):
        y = rng.normal(size=(b, 2))
        xi, u = rng.normal(size=(b, 2)), rng.uniform(size=b)
        prop = y + s * xi
        e = lambda v: 0.5 * np.einsum("bi,ij,bj->b", v, prec, v)  # noqa: E731
        accept = u < np.exp(np.minimum(0.0, e(y) - e(prop)))
        want = np.where(accept[:, None], prop, y)
        got = _as_array(mh_step(energy, torch.tensor(y), s, torch.tensor(xi), torch.tensor(u)), (b, 2), "y_new")
        if isinstance(got, Verdict):
            return got
        if not np.allclose(got, want, rtol=1e-10, atol=1e-12):
            if np.allclose(got, prop):
                return incorrect("every proposal was accepted; keep the old point where the test fails")
            flipped = np.where((u < np.exp(np.minimum(0.0, e(prop) - e(y))))[:, None], prop, y)
            if np.allclose(got, flipped):
                return incorrect("the energy difference has the wrong sign: moving downhill must always be accepted")
            if not np.all(np.isclose(got, y).all(1) | np.isclose(got, prop).all(1)):
                return incorrect("each row must be either the old point or y + proposal_scale * xi")
            return incorrect(f"wrong accept/reject decisions for a batch of {b} with proposal_scale {s}")
    return CORRECT


@checker
def check_ula_covariance(ula_covariance) -> Verdict:
    """Check ``ula_covariance(Lam, eps) -> C``: the stationary covariance of unadjusted Langevin dynamics
    on the Gaussian energy E(y) = y^T Lam y / 2 (Lam the precision matrix Lambda) with step size eps
    (float64 tensors, (D, D) -> (D, D)).

    The reference solves the discrete Lyapunov equation C = A C A^T + 2 eps I, A = I - eps Lam, with SciPy.
    """
    from scipy.linalg import solve_discrete_lyapunov

    cases = [(np.array([[2.0, 0.9], [0.9, 1.0]]), 0.1), (np.array([[2.0, 0.9], [0.9, 1.0]]), 0.5),
             (np.diag([1.0, 4.0, 0.5]), 0.3)]
    if _seed.OFFSET:  # an assignment's graded cases: other matrices and steps than the practice ones
        r = _seed.rng(60)
        cases = [(prec * r.uniform(0.8, 1.25), round(float(eps * r.uniform(0.8, 1.1)), 4)) for prec, eps in cases]
    for prec, eps in cases:
        d = len(prec)
        a = np.eye(d) - eps * prec
        want = solve_discrete_lyapunov(a, 2 * eps * np.eye(d))
        got = _as_array(ula_covariance(torch.tensor(prec), eps), (d, d), "the covariance")
        if isinstance(got, Verdict):
            return got
        if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
            if np.allclose(got, np.linalg.inv(prec), rtol=1e-8):
                return incorrect("that is the target's covariance Lambda^-1; the discrete-time chain has a step-size bias")
            return incorrect(f"wrong covariance for D = {d}, eps = {eps}")
    return CORRECT


@checker
def check_leapfrog(leapfrog) -> Verdict:
    """Check ``leapfrog(grad, y, v, eps, n) -> (y, v)``: n leapfrog steps of H = E(y) + v.v / 2 (v the momentum).

    ``grad`` maps (B, D) to (B, D); a half step in v, alternating full steps, a final half step in v.
    """
    rng = _seed.rng(1)
    prec = np.array([[1.5, -0.4], [-0.4, 0.8]])
    grad_np = lambda y: y @ prec  # noqa: E731  (nonlinear case below)
    cases = [(grad_np, CaseFn("linear_grad", prec)),
             (lambda y: y**3 - y, CaseFn("cubic_grad"))]
    for k, (g_np, g_t) in enumerate(cases):
        for eps, n in ((0.1, 1), (0.2, 7)):
            y0, v0 = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
            y, v = y0.copy(), v0 - 0.5 * eps * g_np(y0)
            for i in range(n):
                y = y + eps * v
                v = v - (eps if i < n - 1 else 0.5 * eps) * g_np(y)
            out = leapfrog(g_t, torch.tensor(y0), torch.tensor(v0), eps, n)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                return incorrect("return the pair (y, v)")
            got_y = _as_array(out[0], (4, 2), "y")
            got_v = _as_array(out[1], (4, 2), "v")
            for got in (got_y, got_v):
                if isinstance(got, Verdict):
                    return got
            if not (np.allclose(got_y, y, rtol=1e-9, atol=1e-12) and np.allclose(got_v, v, rtol=1e-9, atol=1e-12)):
                ye, ve = y0.copy(), v0.copy()
                for _ in range(n):  # plain (symplectic) Euler: no half steps
                    ve = ve - eps * g_np(ye)
                    ye = ye + eps * ve
                if np.allclose(got_y, ye) and np.allclose(got_v, ve):
                    return incorrect("that is a full momentum step first; leapfrog starts and ends with half steps")
                return incorrect(f"wrong (y, v) after {n} step(s) of size {eps} in case {k + 1} (of 2)")
    return CORRECT


@checker
def check_rbm_free_energy(free_energy) -> Verdict:
    """Check ``free_energy(v, W, b, c) -> (B,)``: F(v) = -log sum_h exp(-E(v, h)) of an RBM with
    E(v, h) = -v.b - h.c - v^T W h, h in {0, 1}^H. The reference sums over all 2^H hidden states.
    """
    rng = _seed.rng(2)
    for nv, nh, scale in ((3, 2, 1.0), (4, 5, 2.0), (2, 3, 400.0)):  # the last one overflows a naive exp
        W, b, c = scale * rng.normal(size=(nv, nh)), rng.normal(size=nv), rng.normal(size=nh)
        v = np.array(list(itertools.product([0.0, 1.0], repeat=nv)))
        hs = np.array(list(itertools.product([0.0, 1.0], repeat=nh)))
        neg_e = (v @ b)[:, None] + (hs @ c)[None, :] + np.einsum("bi,ij,hj->bh", v, W, hs)  # (2^nv, 2^nh)
        top = neg_e.max(1, keepdims=True)
        want = -(top[:, 0] + np.log(np.exp(neg_e - top).sum(1)))
        got = _as_array(free_energy(*(torch.tensor(a) for a in (v, W, b, c))), (len(v),), "F(v)")
        if isinstance(got, Verdict):
            if scale > 10:
                return incorrect("F(v) overflows for large weights; use softplus (or logaddexp), not log(1 + exp)")
            return got
        if not np.allclose(got, want, rtol=1e-8, atol=1e-8):
            if np.allclose(got, -want, rtol=1e-8, atol=1e-8):
                return incorrect("the sign looks flipped: F is an energy, -log of a sum of exp(-E)")
            return incorrect(f"wrong free energy for {nv} visible and {nh} hidden units")
    return CORRECT
