"""Measures of a trained model: AUROC of out-of-distribution detection (chapter 9); energy distance,
mode coverage and interval coverage (chapter 10).
"""

from __future__ import annotations

import torch

from ._checks import check_positive, check_tensor

__all__ = ["auroc", "energy_distance", "mode_fractions", "interval_coverage"]


def auroc(scores_in: torch.Tensor, scores_out: torch.Tensor) -> float:
    """Area under the ROC curve for telling ``scores_out`` (positives) from ``scores_in`` by their score.

    AUROC = P(s_out > s_in) + 1/2 P(s_out = s_in) for s_in, s_out drawn from the two sets: the
    Mann-Whitney statistic U / (n_in n_out), computed from the ranks of the pooled scores (ties get
    their average rank), U = sum of the ranks of the out-scores - n_out (n_out + 1) / 2. With the
    energy as the score, 1 means every out-of-distribution input has a higher energy than every
    in-distribution one, 0.5 means chance. Equals scikit-learn's ``roc_auc_score`` with labels 0
    for ``scores_in`` and 1 for ``scores_out``.

    Args:
        scores_in: (n_in,) scores of in-distribution inputs (e.g. energies of test digits).
        scores_out: (n_out,) scores of out-of-distribution inputs.

    Returns:
        float: the AUROC, in [0, 1]; computing it costs one sort of n_in + n_out numbers.

    See chapter 9.
    """
    check_tensor(scores_in, "scores_in", ndim=1)
    check_tensor(scores_out, "scores_out", ndim=1)
    s = torch.cat([scores_in.detach(), scores_out.detach()]).to(torch.float64).cpu()  # (n,)
    n_in, n_out = scores_in.shape[0], scores_out.shape[0]
    _, inverse, counts = torch.unique(s, sorted=True, return_inverse=True, return_counts=True)
    last = counts.cumsum(0).to(torch.float64)  # the highest rank of each distinct value
    average_rank = last - (counts - 1) / 2.0  # ties share the mean of their ranks
    rank_sum_out = float(average_rank[inverse[n_in:]].sum())
    return (rank_sum_out - n_out * (n_out + 1) / 2.0) / (n_in * n_out)


def energy_distance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The squared energy distance between two samples (a V-statistic).

    D^2 = 2 mean_ij ||x_i - y_j|| - mean_ij ||x_i - x_j|| - mean_ij ||y_i - y_j||  (Szekely and
    Rizzo), which is >= 0 and zero in the population only when the two distributions agree. It is
    twice the expected energy score of the sample x at outcomes y, minus the spread of y: the
    held-out metric that goes with :func:`ebmlib.losses.energy_score`. (In 1-D, SciPy's
    ``scipy.stats.energy_distance`` is its square root.)

    Args:
        x: (N, D) samples of one distribution (a model's).
        y: (M, D) samples of the other (held-out data).

    Returns:
        Scalar tensor.

    Cost: O((N + M)^2 D) memory and time; keep N, M to a few thousand.

    See chapter 10.
    """
    check_tensor(x, "x", ndim=2)
    check_tensor(y, "y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"y must have the same width as x ({x.shape[1]}), got shape {tuple(y.shape)}")
    xy = torch.cdist(x, y).mean()
    xx = torch.cdist(x, x).mean()
    yy = torch.cdist(y, y).mean()
    return 2 * xy - xx - yy


def mode_fractions(samples: torch.Tensor, centres: torch.Tensor, radius: float) -> torch.Tensor:
    """The fraction of samples within ``radius`` of each mode centre.

    Args:
        samples: (N, D) points.
        centres: (K, D) mode centres, further than 2 radius apart (so each point counts once).
        radius: > 0.

    Returns:
        (K,) fractions; 1 - their sum is the fraction of samples near no mode.

    See chapter 10.
    """
    check_tensor(samples, "samples", ndim=2)
    check_tensor(centres, "centres", ndim=2)
    radius = check_positive(radius, "radius")
    if centres.shape[1] != samples.shape[1]:
        raise ValueError(f"centres must have the same width as samples ({samples.shape[1]}), "
                         f"got shape {tuple(centres.shape)}")
    near = torch.cdist(samples, centres.to(samples.dtype)) < radius  # (N, K)
    return near.to(samples.dtype).mean(dim=0)


def interval_coverage(lower: torch.Tensor, upper: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The empirical coverage of prediction intervals: the fraction of y with lower <= y <= upper.

    Args:
        lower: (B,) lower ends.
        upper: (B,) upper ends, >= lower.
        y: (B,) outcomes.

    Returns:
        Scalar tensor in [0, 1].

    See chapter 10.
    """
    for t, name in ((lower, "lower"), (upper, "upper"), (y, "y")):
        check_tensor(t, name, ndim=1)
    if not (lower.shape == upper.shape == y.shape):
        raise ValueError(f"upper and y must have the shape of lower {tuple(lower.shape)}, "
                         f"got {tuple(upper.shape)} and {tuple(y.shape)}")
    if not bool((upper >= lower).all()):
        raise ValueError("upper must be >= lower everywhere")
    return ((y >= lower) & (y <= upper)).to(y.dtype).mean()
