"""Scores of a trained energy: the area under the ROC curve of out-of-distribution detection.

See chapter 9.
"""

from __future__ import annotations

import torch

from ._checks import check_tensor

__all__ = ["auroc"]


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
