"""How well a sampler mixes: autocorrelation, integrated autocorrelation time, effective sample size.

See chapter 6.
"""

from __future__ import annotations

import torch

from .._checks import check_nonneg_int, check_tensor

__all__ = ["autocorrelation", "integrated_autocorrelation_time", "effective_sample_size", "mode_hops"]


def _check_chains(x, name: str = "x") -> torch.Tensor:
    check_tensor(x, name, ndim=2)
    if x.shape[0] < 4:
        raise ValueError(f"{name} must have at least 4 steps (shape (T, B)), got shape {tuple(x.shape)}")
    return x


def _acf(x: torch.Tensor) -> torch.Tensor:
    t = x.shape[0]
    xc = x - x.mean(dim=0, keepdim=True)  # (T, B), each chain centred on its own mean
    n = 1 << (2 * t - 1).bit_length()  # zero-padded FFT length: no wrap-around
    f = torch.fft.rfft(xc, n=n, dim=0)
    acov = torch.fft.irfft(f * f.conj(), n=n, dim=0)[:t] / t  # (T, B), biased autocovariance
    acov = acov.mean(dim=1)  # averaged over chains
    if float(acov[0]) <= 0:
        raise ValueError("x must vary along the steps (a constant chain has no autocorrelation)")
    return acov / acov[0]


def autocorrelation(x: torch.Tensor, max_lag: int | None = None) -> torch.Tensor:
    """The normalised autocorrelation rho_k of a scalar statistic, averaged over chains.

    rho_k = gamma_k / gamma_0,  gamma_k = (1/T) sum_t (x_t - xbar)(x_{t+k} - xbar), by FFT in
    O(T log T) per chain.

    Args:
        x: (T, B) values of one statistic along T steps of B chains.
        max_lag: return lags 0 .. max_lag (default: all T - 1).

    Returns:
        (max_lag + 1,) autocorrelations, rho_0 = 1.

    See chapter 6.
    """
    x = _check_chains(x)
    rho = _acf(x)
    if max_lag is not None:
        max_lag = check_nonneg_int(max_lag, "max_lag")
        rho = rho[: max_lag + 1]
    return rho


def integrated_autocorrelation_time(x: torch.Tensor) -> float:
    """tau = 1 + 2 sum_{k >= 1} rho_k, truncated by Geyer's initial positive sequence.

    The sum runs over pairs Gamma_m = rho_{2m} + rho_{2m+1} while they stay positive (beyond that
    point the estimated rho_k are mostly noise); tau = -1 + 2 sum_m Gamma_m. An independent chain
    has tau = 1; an AR(1) chain with coefficient phi has tau = (1 + phi) / (1 - phi).

    Args:
        x: (T, B) values of one statistic along T steps of B chains.

    Returns:
        tau as a float (>= 1 up to estimation noise).

    See chapter 6.
    """
    rho = _acf(_check_chains(x))
    m = rho.shape[0] // 2
    gamma = rho[: 2 * m].reshape(m, 2).sum(dim=1)  # (m,) pair sums
    positive = gamma > 0
    stop = int(positive.long().argmin()) if not bool(positive.all()) else m
    return float(-1.0 + 2.0 * gamma[:stop].sum())


def effective_sample_size(x: torch.Tensor) -> float:
    """The effective number of independent samples in B chains of T correlated steps: T B / tau.

    Args:
        x: (T, B) values of one statistic along T steps of B chains.

    Returns:
        ESS as a float.

    See chapter 6.
    """
    tau = integrated_autocorrelation_time(x)  # validates x
    return x.shape[0] * x.shape[1] / tau


def mode_hops(x: torch.Tensor, *, threshold: float = 0.5) -> torch.Tensor:
    """Count the hops of each chain between two modes at -1 and +1 along a coordinate, with hysteresis.

    A chain is in the right mode once x > threshold and in the left one once x < -threshold; it stays
    where it was while abs(x) <= threshold, so noise at the barrier is not counted as hops. The first
    mode is the sign of x at step 0.

    Args:
        x: (T, B) one coordinate along T steps of B chains.
        threshold: the hysteresis half-width, >= 0.

    Returns:
        (B,) number of mode changes per chain (int64).

    See chapter 6.
    """
    check_tensor(x, "x", ndim=2)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold < float("inf"):
        raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    state = torch.where(x[0] < 0, -1, 1)  # (B,)
    hops = torch.zeros(x.shape[1], dtype=torch.long, device=x.device)
    for row in x[1:]:
        new = torch.where(row > threshold, 1, torch.where(row < -threshold, -1, state))
        hops += new != state
        state = new
    return hops
