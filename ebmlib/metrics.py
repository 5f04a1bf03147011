"""Measures of a trained model: AUROC of out-of-distribution detection, the Frechet distance in a small
classifier's features and the kernel two-sample statistic MMD (chapter 9); energy distance, mode
coverage and interval coverage (chapter 10).
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_positive, check_tensor
from .utils import as_generator

__all__ = ["auroc", "energy_distance", "mode_fractions", "interval_coverage", "frechet_distance", "mmd2",
           "train_feature_classifier"]


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


def _check_pair(x: torch.Tensor, y: torch.Tensor, min_rows: int) -> None:
    check_tensor(x, "x", ndim=2)
    check_tensor(y, "y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"y must have the same width as x ({x.shape[1]}), got shape {tuple(y.shape)}")
    for t, name in ((x, "x"), (y, "y")):
        if t.shape[0] < min_rows:
            raise ValueError(f"{name} must have at least {min_rows} rows, got {t.shape[0]}")


def frechet_distance(x: torch.Tensor, y: torch.Tensor) -> float:
    """The Frechet (2-Wasserstein) distance squared between the Gaussians fitted to two samples.

    FD = ||m_x - m_y||^2 + tr(S_x + S_y - 2 (S_x^{1/2} S_y S_x^{1/2})^{1/2}), with m, S the mean and
    covariance (divisor N - 1) of each sample: the squared 2-Wasserstein distance between
    N(m_x, S_x) and N(m_y, S_y). Computed on the features of a classifier it is the FID of Heusel et
    al. (2017); here the features are those of :func:`train_feature_classifier`. Computed in
    float64 with symmetric eigendecompositions (the matrix square roots are of positive
    semi-definite matrices; negative round-off eigenvalues are set to 0).

    Args:
        x: (N, D) features of one sample (a model's), N >= 2.
        y: (M, D) features of the other (held-out data), M >= 2.

    Returns:
        float >= 0. Cost O((N + M) D^2 + D^3).

    See chapter 9.
    """
    _check_pair(x, y, 2)
    x, y = x.detach().to(torch.float64).cpu(), y.detach().to(torch.float64).cpu()
    mx, my = x.mean(0), y.mean(0)
    sx, sy = torch.cov(x.T).reshape(x.shape[1], -1), torch.cov(y.T).reshape(y.shape[1], -1)

    def sqrt_psd(a: torch.Tensor) -> torch.Tensor:
        vals, vecs = torch.linalg.eigh((a + a.T) / 2)
        return (vecs * vals.clamp(min=0).sqrt()) @ vecs.T

    root = sqrt_psd(sx)
    cross = torch.linalg.eigvalsh(root @ sy @ root).clamp(min=0).sqrt().sum()  # tr((Sx^1/2 Sy Sx^1/2)^1/2)
    fd = ((mx - my) ** 2).sum() + torch.trace(sx) + torch.trace(sy) - 2 * cross
    return max(float(fd), 0.0)


def mmd2(x: torch.Tensor, y: torch.Tensor, *, bandwidth: float) -> float:
    """The unbiased estimate of the squared maximum mean discrepancy with a Gaussian kernel.

    k(a, b) = exp(-||a - b||^2 / (2 h^2)) with h = ``bandwidth``;
    MMD^2 = mean_{i != j} k(x_i, x_j) + mean_{i != j} k(y_i, y_j) - 2 mean_{i, j} k(x_i, y_j)
    (Gretton et al., 2012). Its population value is 0 only when the two distributions agree; the
    unbiased estimate can be slightly negative when they do.

    Args:
        x: (N, D) one sample, N >= 2.
        y: (M, D) the other, M >= 2.
        bandwidth: h > 0, in the units of the rows.

    Returns:
        float. Cost O((N + M)^2 D).

    See chapter 9.
    """
    _check_pair(x, y, 2)
    h = check_positive(bandwidth, "bandwidth")
    x, y = x.detach().to(torch.float64), y.detach().to(torch.float64)

    def kernel(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.exp(-torch.cdist(a, b) ** 2 / (2 * h * h))

    n, m = x.shape[0], y.shape[0]
    kxx = (kernel(x, x).sum() - n) / (n * (n - 1))  # the diagonal is exp(0) = 1
    kyy = (kernel(y, y).sum() - m) / (m * (m - 1))
    return float(kxx + kyy - 2 * kernel(x, y).mean())


class FeatureClassifier(nn.Module):
    """A one-hidden-layer classifier whose hidden layer gives the features of :func:`frechet_distance`.

    logits = W_2 tanh(W_1 x + b_1) + b_2 on flattened inputs; ``features(x)`` returns
    tanh(W_1 x + b_1), shape (B, hidden). Build it with :func:`train_feature_classifier`.

    See chapter 9.
    """

    def __init__(self, dim: int, hidden: int, classes: int, *, dtype: torch.dtype, generator: torch.Generator) -> None:
        super().__init__()
        self.hidden = nn.Linear(dim, hidden, dtype=dtype)
        self.out = nn.Linear(hidden, classes, dtype=dtype)
        with torch.no_grad():
            for layer in (self.hidden, self.out):
                bound = 1.0 / layer.in_features ** 0.5
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, ...) inputs -> (B, hidden) features (float64 if the classifier is)."""
        return torch.tanh(self.hidden(x.flatten(1).to(self.hidden.weight.dtype)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, ...) inputs -> (B, classes) logits."""
        return self.out(self.features(x))


def train_feature_classifier(images: torch.Tensor, labels: torch.Tensor, *, hidden: int = 32, steps: int = 500,
                             lr: float = 0.01, weight_decay: float = 1e-3,
                             generator: torch.Generator | int | None = 0) -> "torch.nn.Module":
    """Train a ``FeatureClassifier`` on labelled images, full batch, in float64 (deterministic).

    Adam on the cross-entropy plus ``weight_decay`` times the squared weights, ``steps`` full-batch
    steps from a seeded initialisation: the same inputs give the same network on any CPU.

    Args:
        images: (N, ...) training inputs (flattened inside), N >= 2.
        labels: (N,) integer class labels in 0..K-1.
        hidden: width of the feature layer, >= 1.
        steps: optimiser steps, >= 1.
        lr: Adam's learning rate, > 0.
        weight_decay: >= 0.
        generator: ``torch.Generator``, int seed or None for the initial weights.

    Returns:
        The trained ``FeatureClassifier`` in eval mode, its parameters frozen (cost of ``steps`` passes over N inputs).

    See chapter 9.
    """
    check_tensor(images, "images", min_ndim=2)
    if not isinstance(labels, torch.Tensor) or labels.dtype not in (torch.int64, torch.int32) or labels.ndim != 1 \
            or labels.shape[0] != images.shape[0]:
        raise ValueError(f"labels must be a 1-D integer tensor of length {images.shape[0]}, got "
                         f"{getattr(labels, 'dtype', type(labels).__name__)} {tuple(getattr(labels, 'shape', ()))}")
    if images.shape[0] < 2:
        raise ValueError(f"images must have at least 2 rows, got {images.shape[0]}")
    if int(labels.min()) < 0:
        raise ValueError("labels must be >= 0")
    hidden = check_positive(hidden, "hidden", integer=True)
    steps = check_positive(steps, "steps", integer=True)
    lr = check_positive(lr, "lr")
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)) or not weight_decay >= 0:
        raise ValueError(f"weight_decay must be a number >= 0, got {weight_decay!r}")
    gen = as_generator(generator)
    if gen is None:
        gen = torch.Generator().manual_seed(int(torch.randint(0, 2 ** 31, (1,))))
    x = images.detach().flatten(1).to(torch.float64).cpu()
    y = labels.detach().cpu().long()
    net = FeatureClassifier(x.shape[1], hidden, int(y.max()) + 1, dtype=torch.float64, generator=gen)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss = loss + weight_decay * sum((layer.weight ** 2).sum() for layer in (net.hidden, net.out))
        loss.backward()
        opt.step()
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net
