"""Checkers for the coding exercises of chapter 7 (contrastive methods).

Each checker calls the student's function on small cases and compares the result with a float64
reference written here with NumPy and closed forms (independent of ``ebmlib.losses``).
"""

from __future__ import annotations

import numpy as np
import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, as_float, checker, incorrect

__all__ = ["check_nce_loss", "check_score_matching_loss", "check_sm_precision"]



def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)  # log(1 + e^x), stable for large |x|


# ---------------------------------------------------------------- NCE

_NOISE_STD = 1.5


def _noise_log_prob_np(y: np.ndarray) -> np.ndarray:
    return -0.5 * (y**2).sum(1) / _NOISE_STD**2 - np.log(2 * np.pi * _NOISE_STD**2)


def _noise_log_prob(y: torch.Tensor) -> torch.Tensor:
    return -0.5 * (y**2).sum(1) / _NOISE_STD**2 - float(np.log(2 * np.pi * _NOISE_STD**2))


def _ref_nce(e_data, e_noise, log_z, lq_data, lq_noise) -> float:
    nu = len(e_noise) / len(e_data)
    g_data = -e_data - log_z - lq_data - np.log(nu)
    g_noise = -e_noise - log_z - lq_noise - np.log(nu)
    return float(_softplus(-g_data).mean() + nu * _softplus(g_noise).mean())


def _nce_cases():
    rng = _seed.rng(0)
    shift = np.array([0.4, -0.2])
    cases = []
    for n, m, log_z, scale in ((6, 6, 0.3, 1.0), (5, 15, -0.7, 1.0), (4, 8, 1.1, 1.0), (3, 3, 0.0, 400.0)):
        y_data = rng.normal(size=(n, 2))
        y_noise = _NOISE_STD * rng.normal(size=(m, 2))

        def energy_np(y, scale=scale):
            return scale * (0.5 * ((y - shift) ** 2).sum(1) + 0.3 * np.sin(y[:, 0]))

        energy = CaseFn("shifted_sine", shift, scale)

        cases.append((energy, energy_np, log_z, y_data, y_noise))
    return cases


@checker
def check_nce_loss(nce_loss) -> Verdict:
    """Check ``nce_loss(energy, log_z, y_data, y_noise, noise_log_prob)``.

    Expected: with nu = M / N and G(y) = -E(y) - log_z - log(nu p_noise(y)), the scalar
    mean_data softplus(-G) + nu mean_noise softplus(G), stable when G is in the hundreds (either sign).
    """
    for k, (energy, energy_np, log_z, y_data, y_noise) in enumerate(_nce_cases()):
        got = as_float(nce_loss(energy, torch.tensor(log_z, dtype=torch.float64), torch.tensor(y_data),
                                 torch.tensor(y_noise), CaseFn("gauss_log_prob", _NOISE_STD)))
        if isinstance(got, Verdict):
            if k == 3:
                return incorrect("the loss overflows when the energies are large; write log(1 + e^x) as a "
                                 "softplus (or logaddexp)")
            return got
        e_d, e_n = energy_np(y_data), energy_np(y_noise)
        lq_d, lq_n = _noise_log_prob_np(y_data), _noise_log_prob_np(y_noise)
        want = _ref_nce(e_d, e_n, log_z, lq_d, lq_n)
        if np.isclose(got, want, rtol=1e-8, atol=1e-10):
            continue
        nu = len(y_noise) / len(y_data)
        if nu != 1:
            g_d, g_n = -e_d - log_z - lq_d, -e_n - log_z - lq_n  # log nu forgotten
            if np.isclose(got, float(_softplus(-g_d).mean() + nu * _softplus(g_n).mean()), rtol=1e-8) or \
                    np.isclose(got, float(_softplus(-g_d).mean() + _softplus(g_n).mean()), rtol=1e-8):
                return incorrect("with more noise than data (nu > 1) the log-odds must include -log(nu)")
            g_d, g_n = g_d - np.log(nu), g_n - np.log(nu)
            if np.isclose(got, float(_softplus(-g_d).mean() + _softplus(g_n).mean()), rtol=1e-8):
                return incorrect("the noise term must be weighted by nu = len(y_noise) / len(y_data)")
        if np.isclose(got, _ref_nce(-e_d, -e_n, log_z, lq_d, lq_n), rtol=1e-8) or \
                np.isclose(got, _ref_nce(e_d, e_n, -log_z, lq_d, lq_n), rtol=1e-8):
            return incorrect("a sign looks flipped: the model's log-density is -E(y) - log_z")
        return incorrect(f"wrong value in case {k + 1} (of 4)")
    return CORRECT


# ---------------------------------------------------------------- score matching

_LAM = np.array([[2.0, 0.6], [0.6, 1.0]])  # a precision matrix Lambda


def _sm_cases():
    rng = _seed.rng(1)
    y = rng.normal(size=(7, 2))
    lam = torch.tensor(_LAM)
    quad = (CaseFn("quad", _LAM),
            float(np.mean(0.5 * ((y @ _LAM) ** 2).sum(1) - np.trace(_LAM))),  # 1/2 ||Lambda y||^2 - tr Lambda
            float(np.mean(0.5 * ((y @ _LAM) ** 2).sum(1) + np.trace(_LAM))))
    y3 = rng.normal(size=(5, 3)) * 0.8
    r2 = (y3**2).sum(1)
    quartic = (CaseFn("quartic_radial"),  # grad = r^2 y, Laplacian = (D + 2) r^2
               float(np.mean(0.5 * r2**3 - 5 * r2)), float(np.mean(0.5 * r2**3 + 5 * r2)))
    return [(quad, y), (quartic, y3)]


@checker
def check_score_matching_loss(score_matching_loss) -> Verdict:
    """Check ``score_matching_loss(energy, y)``: the batch mean of 1/2 ||grad E||^2 - tr grad^2 E.

    The cases are a Gaussian energy 1/2 y^T Lambda y (Lambda a precision matrix) in 2-D and the quartic 1/4 ||y||^4 in 3-D, whose
    gradients and Laplacians are known in closed form.
    """
    for k, ((energy, want, flipped), y) in enumerate(_sm_cases()):
        got = as_float(score_matching_loss(energy, torch.tensor(y)))
        if isinstance(got, Verdict):
            return got
        if np.isclose(got, want, rtol=1e-8, atol=1e-10):
            continue
        if np.isclose(got, flipped, rtol=1e-8, atol=1e-10):
            return incorrect("the trace term has the wrong sign: the loss subtracts the Laplacian of E")
        if np.isclose(got, want * len(y), rtol=1e-8):
            return incorrect("the loss looks summed over the batch; take the mean")
        return incorrect(f"wrong value for the {'Gaussian' if k == 0 else 'quartic'} energy")
    return CORRECT


# ---------------------------------------------------------------- precision matrix by score matching

def _precision_cases():
    rng = _seed.rng(2)
    A = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-0.3, 0.2, 0.5]])
    return [rng.normal(size=(40, 2)) @ np.array([[1.2, 0.0], [0.5, 0.7]]) + np.array([0.3, -0.1]),
            rng.normal(size=(25, 3)) @ A.T]


@checker
def check_sm_precision(sm_precision) -> Verdict:
    """Check ``sm_precision(y) -> Lambda``: the precision matrix Lambda that minimises the score-matching
    loss of E = 1/2 y^T Lambda y.

    ``y`` is an (N, D) float64 tensor; the answer is a (D, D) tensor. The reference solves the
    stationarity condition of 1/2 tr(Lambda S Lambda) - tr Lambda, with S the data's second moment about the origin.
    """
    for y in _precision_cases():
        n, d = y.shape
        got = sm_precision(torch.tensor(y))
        if not isinstance(got, torch.Tensor):
            return incorrect(f"return a (D, D) tensor, got {type(got).__name__}")
        if tuple(got.shape) != (d, d):
            return incorrect(f"return a ({d}, {d}) tensor for data of dimension {d}, got shape {tuple(got.shape)}")
        got = got.detach().double().numpy()
        if not np.all(np.isfinite(got)):
            return incorrect("the matrix contains NaN or infinite values")
        S = y.T @ y / n
        want = np.linalg.inv(S)
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(got, np.linalg.inv(np.cov(y.T)), rtol=1e-6) or \
                np.allclose(got, np.linalg.inv(np.cov(y.T, bias=True)), rtol=1e-6):
            return incorrect("this model has no mean parameter: use the second moment about the origin, "
                             "not the covariance about the sample mean")
        if np.allclose(got, S, rtol=1e-6):
            return incorrect("that is the second-moment matrix itself; the loss is minimised by its inverse")
        if np.allclose(got, np.linalg.inv(y.T @ y / (n - 1)), rtol=1e-6):
            return incorrect("divide the second moment by N, not N - 1")
        return incorrect(f"wrong matrix for data of dimension {d}")
    return CORRECT
