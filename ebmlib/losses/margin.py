"""Loss functionals on free energies: energy, hinge, log and negative log-likelihood losses.

The energy scores one (x, y) pair at inference time; a loss functional scores a whole model on a
batch at training time, L = mean over samples of l(F(y_pos), F(y_neg)). Every loss here takes
free energies that the caller has already computed: ``f_pos`` of shape (B,) for the observed
("positive") answers and, for the contrastive losses, ``f_neg`` of shape (B,) or (B, M) for M
contrastive ("negative") answers per sample. ``reduction="mean"`` (the default) returns that mean,
``reduction="sum"`` the sum and ``reduction="none"`` the B per-sample values l_i, whose mean is the
default.

These losses take free energies, not an energy and data, because the caller decides how the
negatives are found (a grid, a sampler, the most offending answer); the losses of the other
modules, which find their own negatives or need the energy's gradient, take ``(energy, y, ...)``.

See chapter 5.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .._checks import check_nonneg_real, check_positive, check_reduction as _check_reduction, check_tensor
from .._checks import reduce_loss as _reduce

__all__ = ['energy_loss', 'hinge_loss', 'log_loss', 'nll_loss']

def _check_pos_neg(f_pos: torch.Tensor, f_neg: torch.Tensor) -> torch.Tensor:
    """Check f_pos (B,) and f_neg (B,) or (B, M); return f_neg as (B, M)."""
    check_tensor(f_pos, "f_pos", ndim=1)
    check_tensor(f_neg, "f_neg", ndim=(1, 2))
    if f_neg.shape[0] != f_pos.shape[0]:
        raise ValueError(
            f"f_neg must have shape ({f_pos.shape[0]},) or ({f_pos.shape[0]}, M) to match f_pos "
            f"of shape {tuple(f_pos.shape)}, got {tuple(f_neg.shape)}"
        )
    return f_neg if f_neg.dim() == 2 else f_neg[:, None]  # (B, M)


def energy_loss(f_pos: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """Energy loss: push down the energy of the observed answers, and nothing else.

    L = (1/B) sum_i F(y_i). With no term pushing up elsewhere, a flexible model can make the
    energy flat and low everywhere (collapse); it is safe only for architectures that limit the
    volume of low energy.

    Args:
        f_pos: (B,) free energies of the observed answers.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        Scalar tensor, or (B,) per-sample losses F(y_i) with ``reduction="none"`` (their sum with ``"sum"``).

    See chapter 5.
    """
    check_tensor(f_pos, "f_pos", ndim=1)
    return _reduce(f_pos.clone(), _check_reduction(reduction))


def hinge_loss(f_pos: torch.Tensor, f_neg: torch.Tensor, margin: float, *, reduction: str = "mean") -> torch.Tensor:
    """Hinge loss: the contrastive energy must exceed the observed energy by at least ``margin``.

    L = (1/B) sum_i (1/M) sum_m max(0, m - (F(y_neg_im) - F(y_i))).
    With several negatives per sample the hinge is averaged over the negatives of each sample,
    then over the batch (so M = 1 and f_neg of shape (B,) give the same number).

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_neg: (B,) or (B, M) free energies of the contrastive answers.
        margin: m >= 0, a finite number.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        Scalar tensor, or (B,) per-sample losses with ``reduction="none"`` (their sum with ``"sum"``).

    See chapter 5.
    """
    f_neg = _check_pos_neg(f_pos, f_neg)  # (B, M)
    margin = check_nonneg_real(margin, "margin")
    reduction = _check_reduction(reduction)
    return _reduce(F.relu(margin - (f_neg - f_pos[:, None])).mean(dim=1), reduction)  # (B, M) -> (B,)


def log_loss(f_pos: torch.Tensor, f_neg: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """Log loss: a soft hinge with an infinite margin, the negatives competing in a softmax.

    L = (1/B) sum_i log(1 + sum_m exp(F(y_i) - F(y_neg_im))).
    For one negative this is softplus(F(y) - F(y_neg)). For M negatives it is the cross-entropy of
    picking the observed answer among {y_i, y_neg_i1, ..., y_neg_iM} with probabilities
    proportional to exp(-F): -log[exp(-F(y_i)) / (exp(-F(y_i)) + sum_m exp(-F(y_neg_im)))]. It is
    computed with logsumexp, so large energy gaps do not overflow.

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_neg: (B,) or (B, M) free energies of the contrastive answers.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        Scalar tensor, or (B,) per-sample losses with ``reduction="none"`` (their sum with ``"sum"``).

    See chapter 5.
    """
    f_neg = _check_pos_neg(f_pos, f_neg)  # (B, M)
    reduction = _check_reduction(reduction)
    gaps = f_pos[:, None] - f_neg  # (B, M)
    zero = gaps.new_zeros(gaps.shape[0], 1)  # the "1 +" term: exp(0)
    return _reduce(torch.logsumexp(torch.cat([zero, gaps], dim=1), dim=1), reduction)  # (B, M+1) -> (B,)


def nll_loss(f_pos: torch.Tensor, f_grid: torch.Tensor, *, beta: float = 1.0,
             cell_area: float = 1.0, reduction: str = "mean") -> torch.Tensor:
    """Negative log-likelihood of the observed answers under the Gibbs density normalised on a grid.

    With p(y) = exp(-beta F(y)) / Z and Z = sum_g exp(-beta F(y_g)) * cell_area (a Riemann sum of
    the partition function over the grid points y_g), this returns the mean of -log p(y_i):
    L = (1/B) sum_i [beta F(y_i) + log Z].
    It is a density, so the value depends on the units of y through cell_area. (The lecture's form
    F(y) + (1/beta) log Z is this divided by beta.)

    Args:
        f_pos: (B,) free energies of the observed answers.
        f_grid: (G,) free energies on the grid points (one grid shared by the batch), or (B, G)
            for a conditional model (one grid of y per sample, e.g. F(x_i, y_g)).
        beta: inverse temperature, > 0.
        cell_area: volume of one grid cell (dy1 * dy2 in 2-D), > 0.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        Scalar tensor, or (B,) per-sample values -log p(y_i) with ``reduction="none"`` (their sum with ``"sum"``).

    See chapter 5.
    """
    check_tensor(f_pos, "f_pos", ndim=1)
    check_tensor(f_grid, "f_grid", ndim=(1, 2))
    beta = check_positive(beta, "beta")
    cell_area = check_positive(cell_area, "cell_area")
    reduction = _check_reduction(reduction)
    if f_grid.dim() == 2 and f_grid.shape[0] != f_pos.shape[0]:
        raise ValueError(f"f_grid of shape (B, G) must have B = {f_pos.shape[0]} rows like f_pos, "
                         f"got shape {tuple(f_grid.shape)}")
    log_z = torch.logsumexp(-beta * f_grid, dim=-1) + math.log(cell_area)  # () or (B,)
    return _reduce(beta * f_pos + log_z, reduction)  # (B,)
