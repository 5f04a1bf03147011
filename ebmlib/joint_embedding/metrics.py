"""How good is a representation: its effective rank, its covariance spectrum, retrieval by energy,
and a linear probe. See chapter 11.
"""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_positive, check_tensor

__all__ = ["effective_rank", "covariance_spectrum", "pairwise_energy", "retrieval_accuracy", "linear_probe_accuracy"]


def effective_rank(h: torch.Tensor, *, center: bool = False, eps: float = 1e-12) -> float:
    """The effective rank of a matrix (Roy and Vetterli 2007): exp of the entropy of its normalised singular values.

    With sigma_1..sigma_r the singular values and p_k = sigma_k / sum sigma, erank = exp(-sum p_k log p_k),
    between 1 (one direction) and min(B, D) (all singular values equal). Uncentred by default, as in
    RankMe (Garrido et al. 2023): embeddings collapsed to one point then have erank 1.

    Args:
        h: (B, D) embeddings (or any matrix).
        center: subtract the column means first (the rank of the covariance's square root).
        eps: terms with p_k <= eps are dropped (0 log 0 = 0).

    Returns:
        The effective rank, a float; 0.0 for the zero matrix.

    See chapter 11.
    """
    check_tensor(h, "h", ndim=2)
    eps = check_positive(eps, "eps")
    m = h.detach().double()
    if center:
        m = m - m.mean(dim=0)
    s = torch.linalg.svdvals(m)
    if float(s.sum()) == 0.0:
        return 0.0
    p = s / s.sum()
    p = p[p > eps]
    return float(torch.exp(-(p * p.log()).sum()))


def covariance_spectrum(h: torch.Tensor) -> torch.Tensor:
    """The eigenvalues of the embeddings' covariance matrix, largest first.

    Args:
        h: (B, D) embeddings, B >= 2.

    Returns:
        (D,) float64 eigenvalues of the (B - 1)-normalised covariance, descending (>= 0 up to rounding).

    See chapter 11.
    """
    check_tensor(h, "h", ndim=2)
    if h.shape[0] < 2:
        raise ValueError(f"h must have at least 2 rows, got {h.shape[0]}")
    m = h.detach().double()
    cov = torch.cov(m.T).reshape(m.shape[1], m.shape[1])
    return torch.linalg.eigvalsh(cov).flip(0)


def pairwise_energy(h_x: torch.Tensor, h_y: torch.Tensor, *, metric: str = "squared") -> torch.Tensor:
    """The energy F(x_i, y_j) = d(h_x,i, h_y,j) of every pair: an energy table.

    Args:
        h_x: (B_x, D) embeddings; h_y: (B_y, D) embeddings.
        metric: "squared" ((1/D) ||h_x - h_y||^2) or "cosine" (1 - cos(h_x, h_y)).

    Returns:
        The energies, shape ``(B_x, B_y)``, low = compatible (cost of order B_x B_y D).

    See chapter 11.
    """
    check_tensor(h_x, "h_x", ndim=2)
    check_tensor(h_y, "h_y", ndim=2)
    if h_y.shape[1] != h_x.shape[1]:
        raise ValueError(f"h_y must have D={h_x.shape[1]} columns like h_x, got {tuple(h_y.shape)}")
    if metric == "squared":
        return torch.cdist(h_x, h_y).pow(2) / h_x.shape[1]
    if metric == "cosine":
        u_x = h_x / h_x.norm(dim=1, keepdim=True).clamp_min(1e-12)
        u_y = h_y / h_y.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return 1 - u_x @ u_y.T
    raise ValueError(f"metric must be 'squared' or 'cosine', got {metric!r}")


def retrieval_accuracy(h_x: torch.Tensor, h_y: torch.Tensor, *, metric: str = "squared") -> float:
    """The fraction of rows i whose lowest energy F(x_i, y_j) over j is at j = i (ties count as misses).

    Row i of h_x and of h_y embed two views of the same item, so 1/B is chance.

    Args:
        h_x, h_y: (B, D) embeddings, B >= 2.
        metric: as in :func:`pairwise_energy`.

    See chapter 11.
    """
    e = pairwise_energy(h_x, h_y, metric=metric)
    if h_y.shape[0] != h_x.shape[0] or h_x.shape[0] < 2:
        raise ValueError(f"h_y must have the shape of h_x {tuple(h_x.shape)} with at least 2 rows, got {tuple(h_y.shape)}")
    diag = e.diagonal()[:, None]
    others = e.masked_fill(torch.eye(e.shape[0], dtype=torch.bool, device=e.device), float("inf"))
    return float((diag < others).all(dim=1).double().mean())


def linear_probe_accuracy(train_h: torch.Tensor, train_labels: torch.Tensor, test_h: torch.Tensor,
                          test_labels: torch.Tensor, *, c: float = 1.0, max_iter: int = 2000) -> float:
    """Test accuracy of a logistic regression trained on frozen features (scikit-learn, standardised inputs).

    Args:
        train_h: (N, D) features; train_labels: (N,) integer labels.
        test_h: (M, D) features; test_labels: (M,) integer labels.
        c: inverse regularisation strength of ``LogisticRegression``, > 0.
        max_iter: iterations of its L-BFGS solver.

    Returns:
        The fraction of test labels predicted correctly.

    See chapter 11.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    for name, t in (("train_h", train_h), ("test_h", test_h)):
        check_tensor(t, name, ndim=2)
    for name, t, h in (("train_labels", train_labels, train_h), ("test_labels", test_labels, test_h)):
        check_tensor(t, name, ndim=1, floating=False)
        if t.is_floating_point() or t.dtype == torch.bool or t.is_complex():
            raise ValueError(f"{name} must be an integer tensor, got dtype {t.dtype}")
        if t.shape[0] != h.shape[0]:
            raise ValueError(f"{name} must have one label per row ({h.shape[0]}), got {t.shape[0]}")
    if test_h.shape[1] != train_h.shape[1]:
        raise ValueError(f"test_h must have D={train_h.shape[1]} columns like train_h, got {tuple(test_h.shape)}")
    c = check_positive(c, "c")
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=int(max_iter)))
    probe.fit(train_h.detach().double().cpu().numpy(), train_labels.cpu().numpy())
    pred = probe.predict(test_h.detach().double().cpu().numpy())
    return float(np.mean(pred == test_labels.cpu().numpy()))
