"""How well a sampler mixes: autocorrelation, integrated autocorrelation time, effective sample size, split R-hat.

Every estimator here takes B chains at once, as a (T, B) array of one scalar statistic, and pools
them the way Stan and ArviZ do: the autocovariance is taken about the grand mean of all chains
(centring each chain on its own mean biases the autocorrelations, hence tau, low by about tau / T
per lag), and tau is truncated by Geyer's initial monotone sequence.

See chapter 6.
"""

from __future__ import annotations

import torch

from .._checks import check_nonneg_int, check_tensor

__all__ = ["autocorrelation", "integrated_autocorrelation_time", "effective_sample_size", "split_rhat", "mode_hops"]


def _check_chains(x, name: str = "x") -> torch.Tensor:
    check_tensor(x, name, ndim=2)
    if x.shape[0] < 4:
        raise ValueError(f"{name} must have at least 4 steps (shape (T, B)), got shape {tuple(x.shape)}")
    return x


def _acf(x: torch.Tensor) -> torch.Tensor:
    t = x.shape[0]
    xc = x - x.mean()  # (T, B), every chain centred on the grand mean (its own mean would bias rho low)
    n = 1 << (2 * t - 1).bit_length()  # zero-padded FFT length: no wrap-around
    f = torch.fft.rfft(xc, n=n, dim=0)
    acov = torch.fft.irfft(f * f.conj(), n=n, dim=0)[:t] / t  # (T, B), biased autocovariance
    acov = acov.mean(dim=1)  # averaged over chains
    if float(acov[0]) <= 0:
        raise ValueError("x must vary along the steps (a constant chain has no autocorrelation)")
    return acov / acov[0]


def autocorrelation(x: torch.Tensor, max_lag: int | None = None) -> torch.Tensor:
    """The normalised autocorrelation rho_k of a scalar statistic, pooled over chains.

    rho_k = gamma_k / gamma_0,  gamma_k = (1/(T B)) sum_b sum_t (x_tb - xbar)(x_{t+k,b} - xbar), with
    xbar the grand mean of all T B values, by FFT in O(T log T) per chain. Chains that sit at
    different levels (not yet mixed) therefore show a large, slowly decaying rho_k, as they should.

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
    """tau = 1 + 2 sum_{k >= 1} rho_k, truncated by Geyer's initial monotone sequence.

    The sum runs over pairs Gamma_m = rho_{2m} + rho_{2m+1} while they stay positive (beyond that
    point the estimated rho_k are mostly noise), each pair capped by the one before it (the true
    Gamma_m of a reversible chain decrease); tau = -1 + 2 sum_m Gamma_m (Geyer 1992). rho_k is
    pooled over the chains about their grand mean (:func:`autocorrelation`). An independent chain
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
    gamma = torch.cummin(gamma[:stop], dim=0).values  # initial monotone sequence
    return float(-1.0 + 2.0 * gamma.sum())


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


def split_rhat(x: torch.Tensor) -> float:
    """The split potential scale reduction factor R-hat of B chains (Gelman et al.; Vehtari et al. 2021).

    Each chain is cut into its first and second half (the middle step dropped when T is odd), giving
    2B chains of n = T // 2 steps. With W the mean of their within-chain variances and
    B_n = n * (variance of their means), var+ = (n - 1) / n * W + B_n / n and R-hat = sqrt(var+ / W).
    Chains that have forgotten their starts and mix give R-hat close to 1; chains stuck at different
    levels, or drifting (the split catches a trend inside one chain), give R-hat > 1. A common rule
    asks for R-hat < 1.01 before trusting the averages.

    Args:
        x: (T, B) values of one statistic along T steps of B chains (B = 1 is allowed: the two halves
            of one chain are compared).

    Returns:
        R-hat as a float (>= 1 up to estimation noise).

    See chapter 6.
    """
    x = _check_chains(x)
    n = x.shape[0] // 2
    halves = torch.cat([x[:n], x[x.shape[0] - n:]], dim=1)  # (n, 2B)
    within = halves.var(dim=0, unbiased=True)  # (2B,)
    w = within.mean()
    if float(w) <= 0:
        raise ValueError("x must vary along the steps (a constant chain has no autocorrelation)")
    b_n = n * halves.mean(dim=0).var(unbiased=True)
    var_plus = (n - 1) / n * w + b_n / n
    return float(torch.sqrt(var_plus / w))


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
