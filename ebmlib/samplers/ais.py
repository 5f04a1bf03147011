"""Annealed importance sampling (Neal, 2001): an unbiased estimate of Z = int exp(-E(y)) dy.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import torch

from .._checks import check_callable, check_float_dtype, check_int, check_positive, energy_on
from ..utils import as_generator
from .metropolis_adjusted import mala

__all__ = ["AISResult", "annealed_importance_sampling"]


class AISResult(NamedTuple):
    """What :func:`annealed_importance_sampling` returns.

    - ``log_z``: the estimate log(mean_i w_i) + log Z_0, a float (mean_i w_i Z_0 is an unbiased
      estimate of Z, so log Z is estimated with a low bias of about var(w) / (2 N mean(w)^2)).
    - ``log_weights``: (N,) the log importance weights log w_i.
    - ``samples``: (N, D) the final states, approximately distributed as exp(-E) / Z.
    - ``ess``: the effective number of weights, (sum w)^2 / sum w^2, between 1 and N.
    """

    log_z: float
    log_weights: torch.Tensor
    samples: torch.Tensor
    ess: float


def annealed_importance_sampling(energy: Callable[[torch.Tensor], torch.Tensor], dim: int, *, n_chains: int,
                                 n_levels: int, base_std: float = 1.0, step_size: float = 0.05,
                                 mala_steps: int = 1, dtype: torch.dtype = torch.float64,
                                 generator: torch.Generator | int | None = None) -> AISResult:
    """Estimate log Z of exp(-E) on R^D by annealing from a Gaussian base.

    The base is E_0(y) = ||y||^2 / (2 s^2), s = ``base_std``, with log Z_0 = D/2 log(2 pi s^2) and
    exact samples. The path E_b = (1 - b) E_0 + b E runs through ``n_levels`` + 1 equally spaced
    b_0 = 0 < b_1 < ... < b_K = 1. Each chain starts from the base; at level k its log weight gains
    -(b_k - b_{k-1}) (E(y) - E_0(y)), evaluated at its current state, and the state then takes
    ``mala_steps`` MALA steps that leave exp(-E_{b_k}) invariant. Then Z = Z_0 E[w] exactly, for any
    number of levels; more levels make the weights less variable.

    Args:
        energy: maps (B, D) to (B,).
        dim: D >= 1.
        n_chains: N >= 1 independent annealing runs.
        n_levels: K >= 1 intermediate distributions.
        base_std: s > 0, the width of the Gaussian base (it should cover the target's mass).
        step_size: MALA's step size eps > 0.
        mala_steps: MALA steps per level, >= 1.
        dtype: float dtype of the chains.
        generator: a ``torch.Generator``, an int seed or None.

    Returns:
        :class:`AISResult` (log_z, log_weights, samples, ess).

    Cost: N * K * mala_steps energy-and-gradient evaluations.

    See chapter 6.
    """
    energy = check_callable(energy, "energy")
    dim = check_int(dim, "dim")
    n_chains = check_int(n_chains, "n_chains")
    n_levels = check_int(n_levels, "n_levels")
    base_std = check_positive(base_std, "base_std")
    step_size = check_positive(step_size, "step_size")
    mala_steps = check_int(mala_steps, "mala_steps")
    dtype = check_float_dtype(dtype)
    gen = as_generator(generator)

    def base(y):
        return 0.5 * (y**2).sum(1) / base_std**2

    y = base_std * torch.randn(n_chains, dim, generator=gen, dtype=dtype)
    energy_on(energy, y)  # validates the energy's output once
    log_w = torch.zeros(n_chains, dtype=dtype)
    b_grid = torch.linspace(0.0, 1.0, n_levels + 1, dtype=torch.float64).tolist()
    for b_prev, b in zip(b_grid[:-1], b_grid[1:]):
        with torch.no_grad():
            log_w -= (b - b_prev) * (energy(y) - base(y))

        def level(z, b=b):
            return (1.0 - b) * base(z) + b * energy(z)

        y, _ = mala(level, y, steps=mala_steps, step_size=step_size, generator=gen)
    log_z0 = 0.5 * dim * math.log(2 * math.pi * base_std**2)
    log_mean_w = float(torch.logsumexp(log_w, 0)) - math.log(n_chains)
    w = torch.softmax(log_w, 0)
    return AISResult(log_mean_w + log_z0, log_w, y, float(1.0 / (w**2).sum()))
