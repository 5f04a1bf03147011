"""Checkers for the coding exercises of chapter 10 (EBMs today).

Each checker calls the student's function on small cases and compares it with a NumPy or SciPy
float64 reference written here (independent of ``ebmlib.losses`` and ``ebmlib.models``).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from . import _seed
from ebmlib.exercises._common import CORRECT, Verdict, as_array as _as_array, checker, incorrect

__all__ = ["check_energy_score", "check_central_interval", "check_variational_free_energy"]



def _ref_energy_score(samples: np.ndarray, y: np.ndarray, *, diagonal: bool = False, half: float = 0.5) -> float:
    m = samples.shape[1]
    to_y = np.linalg.norm(samples - y[:, None, :], axis=-1).mean(axis=1)
    pair = np.linalg.norm(samples[:, :, None, :] - samples[:, None, :, :], axis=-1).sum(axis=(1, 2))
    pair = pair / (m * m) if diagonal else pair / (m * (m - 1))
    return float(np.mean(to_y - half * pair))


@checker
def check_energy_score(energy_score) -> Verdict:
    """Check ``energy_score(samples, y)``: samples (B, M, D), y (B, D) -> the batch mean of
    (1/M) sum_m ||x_m - y|| - 1/(2 M (M - 1)) sum_{m != m'} ||x_m - x_m'||, a scalar."""
    rng = _seed.rng(10)
    for b, m, d in ((1, 2, 1), (3, 4, 2), (5, 7, 3)):
        samples, y = rng.normal(size=(b, m, d)), rng.normal(size=(b, d))
        got = energy_score(torch.tensor(samples), torch.tensor(y))
        got = _as_array(got, (), "the score")
        if isinstance(got, Verdict):
            return got
        got = float(got)
        if np.isclose(got, _ref_energy_score(samples, y), rtol=1e-6, atol=1e-9):
            continue
        if np.isclose(got, _ref_energy_score(samples, y, diagonal=True), rtol=1e-6, atol=1e-9):
            return incorrect("the pair term includes m = m' (divide by M (M - 1) over m != m', not by M^2)")
        if np.isclose(got, _ref_energy_score(samples, y, half=1.0), rtol=1e-6, atol=1e-9):
            return incorrect("the pair term should be halved")
        if np.isclose(got, _ref_energy_score(samples, y, half=0.0), rtol=1e-6, atol=1e-9):
            return incorrect("the pair term (the spread of the samples) is missing")
        return incorrect(f"wrong value for B = {b}, M = {m}, D = {d}")
    return CORRECT


@checker
def check_central_interval(central_interval) -> Verdict:
    """Check ``central_interval(log_prob, y_grid, level)`` -> (lower, upper), each (B,): the
    (1 - level)/2 and (1 + level)/2 quantiles of each row's grid density (within two grid cells)."""
    grid = np.linspace(-6.0, 6.0, 1201)  # h = 0.01
    h = grid[1] - grid[0]
    mus, sds = np.array([0.0, 1.0, -0.5]), np.array([1.0, 0.5, 1.2])
    if _seed.OFFSET:  # an assignment's graded cases: other Gaussians than the practice ones
        r = _seed.rng(40)
        mus, sds = mus + r.uniform(-0.5, 0.5, 3), sds * r.uniform(0.8, 1.25, 3)
    mix = np.log(0.3 * stats.norm.pdf(grid, -2, 0.4) + 0.7 * stats.norm.pdf(grid, 2, 0.6))
    log_p = np.vstack([stats.norm.logpdf(grid[None, :], mus[:, None], sds[:, None]), mix[None, :]])  # (4, G)

    def mix_ppf(q):
        cdf = lambda v: 0.3 * stats.norm.cdf(v, -2, 0.4) + 0.7 * stats.norm.cdf(v, 2, 0.6)  # noqa: E731
        from scipy.optimize import brentq
        return brentq(lambda v: cdf(v) - q, -6, 6)

    for level in (0.9, 0.5):
        lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
        want_lo = np.append(stats.norm.ppf(lo_q, mus, sds), mix_ppf(lo_q))
        want_hi = np.append(stats.norm.ppf(hi_q, mus, sds), mix_ppf(hi_q))
        out = central_interval(torch.tensor(log_p), torch.tensor(grid), level)
        try:
            lo, hi = out
        except (TypeError, ValueError):
            return incorrect("return a pair (lower, upper)")
        lo, hi = _as_array(lo, (4,), "lower"), _as_array(hi, (4,), "upper")
        for v in (lo, hi):
            if isinstance(v, Verdict):
                return v
        if np.allclose(lo, want_hi, atol=2 * h) and np.allclose(hi, want_lo, atol=2 * h):
            return incorrect("lower and upper look swapped")
        if not (np.allclose(lo, want_lo, atol=2 * h) and np.allclose(hi, want_hi, atol=2 * h)):
            wide = stats.norm.ppf((1 - level / 2) / 2 + 0.0, mus, sds)
            if np.allclose(lo[:3], wide, atol=2 * h):
                return incorrect(f"the interval for level {level} looks too narrow: put (1 - level)/2 in each tail")
            return incorrect(f"wrong interval for level {level}")
    return CORRECT


@checker
def check_variational_free_energy(variational_free_energy) -> Verdict:
    """Check ``variational_free_energy(energy_table, log_q)`` at beta = 1: (B, N_z) tables ->
    (B,) values sum_k q_k E_k + sum_k q_k log(N_z q_k) (the KL to the uniform prior on the grid)."""
    rng = _seed.rng(11)
    for b, n in ((1, 3), (4, 8), (2, 48)):
        table = rng.uniform(0, 5, size=(b, n))
        logits = rng.normal(size=(b, n)) * 2
        log_q = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        q = np.exp(log_q)
        want = (q * table).sum(1) + (q * (log_q + np.log(n))).sum(1)
        got = _as_array(variational_free_energy(torch.tensor(table), torch.tensor(log_q)), (b,), "the result")
        if isinstance(got, Verdict):
            return got
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(got, (q * table).sum(1), rtol=1e-6, atol=1e-9):
            return incorrect("the KL term is missing: only the expected energy is there")
        if np.allclose(got, (q * table).sum(1) + (q * log_q).sum(1), rtol=1e-6, atol=1e-9):
            return incorrect("the prior is missing from the KL: it is uniform, 1/N_z on each grid point")
        if np.allclose(got, (q * table).sum(1) - (q * (log_q + np.log(n))).sum(1), rtol=1e-6, atol=1e-9):
            return incorrect("the KL term has the wrong sign: it is added to the expected energy")
        return incorrect(f"wrong value for a batch of {b} with N_z = {n}")
    return CORRECT


# replayed answers are compared as this checker does: within two grid cells (h = 0.01)
check_central_interval.replay = {"rtol": 0.0, "atol": 0.02}
