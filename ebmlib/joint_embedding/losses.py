"""The losses of joint-embedding architectures: what keeps F(x, y) = d(h_x, h_y) from collapsing.

- invariance alone (pull the two views together; collapses),
- contrastive: InfoNCE with in-batch negatives (Oord et al. 2018; SimCLR's NT-Xent, Chen et al. 2020),
- regularised: VICReg's variance and covariance terms (Bardes et al. 2022), LeJEPA's SIGReg
  (Balestriero and LeCun 2025),
- distillation and JEPA: a prediction of a stop-gradient target (BYOL, SimSiam, I-JEPA).

Every loss takes embeddings of shape (B, D). Losses that are a mean over the batch follow the
library's loss contract (``reduction="mean"`` a scalar, ``"none"`` one value per row); VICReg and
SIGReg are statistics of the whole batch and return a scalar only. See chapter 11.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from .._checks import check_int, check_positive, check_tensor
from ..utils import as_generator

__all__ = ["invariance_loss", "info_nce_loss", "VICRegTerms", "vicreg_terms", "vicreg_loss", "epps_pulley",
           "sigreg_loss", "negative_cosine_loss", "jepa_loss"]


def _pair(h_x, h_y, name_x: str = "h_x", name_y: str = "h_y", *, min_batch: int = 1):
    check_tensor(h_x, name_x, ndim=2)
    check_tensor(h_y, name_y, ndim=2)
    if h_y.shape != h_x.shape:
        raise ValueError(f"{name_y} must have the shape of {name_x} {tuple(h_x.shape)}, got {tuple(h_y.shape)}")
    if h_x.shape[0] < min_batch:
        raise ValueError(f"{name_x} must have at least {min_batch} rows (a batch statistic), got {h_x.shape[0]}")


def _reduce(per_row: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_row.mean()
    if reduction == "none":
        return per_row
    raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}")


def _check_reduction(reduction) -> None:
    if reduction not in ("mean", "none"):
        raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}")


def invariance_loss(h_x: torch.Tensor, h_y: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """The energy of the positive pairs, (1/D) ||h_x - h_y||^2 per row: VICReg's invariance term.

    Minimised alone it has a trivial solution, h constant, where every energy is 0 (collapse).

    Args:
        h_x, h_y: (B, D) embeddings of two views of the same B items.
        reduction: "mean" (scalar) or "none" (B,).

    See chapter 11.
    """
    _pair(h_x, h_y)
    _check_reduction(reduction)
    return _reduce((h_x - h_y).pow(2).mean(dim=1), reduction)


def info_nce_loss(h_x: torch.Tensor, h_y: torch.Tensor, *, temperature: float = 0.1, symmetric: bool = False,
                  reduction: str = "mean") -> torch.Tensor:
    """InfoNCE with in-batch negatives on cosine similarities.

    With u = h / ||h|| and s_ij = u_x,i . u_y,j / tau, row i's loss is
    -log softmax_j(s_ij)[i]: the other items of the batch are the negatives, whose energy
    -s_ij is pushed up. ``symmetric=True`` gives SimCLR's NT-Xent: each of the 2B views is an anchor
    whose positive is its partner and whose negatives are the other 2B - 2 views (same view included).

    Args:
        h_x, h_y: (B, D) embeddings, row i of each from the same item; B >= 2.
        temperature: tau > 0.
        symmetric: NT-Xent over both views (2B rows) instead of x -> y only (B rows).
        reduction: "mean" (scalar) or "none" ((B,) or (2B,) with symmetric: x's rows, then y's).

    Cost: O(B^2 D). See chapter 11.
    """
    _pair(h_x, h_y, min_batch=2)
    tau = check_positive(temperature, "temperature")
    _check_reduction(reduction)
    u_x, u_y = F.normalize(h_x, dim=1), F.normalize(h_y, dim=1)
    b = h_x.shape[0]
    labels = torch.arange(b, device=h_x.device)
    if not symmetric:
        logits = u_x @ u_y.T / tau  # (B, B)
        return _reduce(F.cross_entropy(logits, labels, reduction="none"), reduction)
    u = torch.cat([u_x, u_y])  # (2B, D)
    logits = u @ u.T / tau  # (2B, 2B)
    logits = logits.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=h_x.device), -math.inf)  # no self-pair
    targets = torch.cat([labels + b, labels])
    return _reduce(F.cross_entropy(logits, targets, reduction="none"), reduction)


class VICRegTerms(NamedTuple):
    """The three terms of VICReg (unweighted scalars)."""

    invariance: torch.Tensor
    variance: torch.Tensor
    covariance: torch.Tensor


def vicreg_terms(h_x: torch.Tensor, h_y: torch.Tensor, *, gamma: float = 1.0, eps: float = 1e-4) -> VICRegTerms:
    """VICReg's invariance, variance and covariance terms (Bardes et al. 2022, their code's scaling).

    invariance = (1/(B D)) sum_i ||h_x,i - h_y,i||^2;
    variance = (v(H_x) + v(H_y)) / 2 with v(H) = (1/D) sum_j max(0, gamma - sqrt(Var(H[:, j]) + eps));
    covariance = c(H_x) + c(H_y) with c(H) = (1/D) sum_{j != k} C(H)_jk^2, C the (B - 1)-normalised
    covariance matrix.

    Args:
        h_x, h_y: (B, D) embeddings, B >= 2.
        gamma: target standard deviation of each dimension, > 0.
        eps: added to the variance inside the square root, > 0.

    See chapter 11.
    """
    _pair(h_x, h_y, min_batch=2)
    gamma = check_positive(gamma, "gamma")
    eps = check_positive(eps, "eps")
    d = h_x.shape[1]

    def variance(h):
        return torch.relu(gamma - torch.sqrt(h.var(dim=0) + eps)).mean()

    def covariance(h):
        hc = h - h.mean(dim=0)
        cov = hc.T @ hc / (h.shape[0] - 1)  # (D, D)
        return (cov.pow(2).sum() - cov.diagonal().pow(2).sum()) / d

    return VICRegTerms((h_x - h_y).pow(2).mean(), (variance(h_x) + variance(h_y)) / 2, covariance(h_x) + covariance(h_y))


def vicreg_loss(h_x: torch.Tensor, h_y: torch.Tensor, *, weights: tuple[float, float, float] = (25.0, 25.0, 1.0),
                gamma: float = 1.0, eps: float = 1e-4) -> torch.Tensor:
    """VICReg: lambda invariance + mu variance + nu covariance (a scalar; default weights of the paper).

    Args:
        h_x, h_y: (B, D) embeddings, B >= 2.
        weights: (lambda, mu, nu), each >= 0.
        gamma, eps: as in :func:`vicreg_terms`.

    See chapter 11.
    """
    try:
        lam, mu, nu = (float(w) for w in weights)
    except (TypeError, ValueError):
        raise ValueError(f"weights must be three numbers (lambda, mu, nu), got {weights!r}") from None
    if not all(math.isfinite(w) and w >= 0 for w in (lam, mu, nu)):
        raise ValueError(f"weights must be three finite numbers >= 0, got {weights!r}")
    t = vicreg_terms(h_x, h_y, gamma=gamma, eps=eps)
    return lam * t.invariance + mu * t.variance + nu * t.covariance


def epps_pulley(x: torch.Tensor, *, t_max: float = 3.0, knots: int = 17) -> torch.Tensor:
    """The Epps-Pulley statistic of 1-D samples against N(0, 1), one per column.

    T = N int_{-t_max}^{t_max} abs(phi_N(t) - phi(t))^2 w(t) dt, with phi_N(t) = (1/N) sum_n exp(i t x_n)
    the empirical characteristic function, phi(t) = exp(-t^2/2) the standard normal's and the
    weight w = phi; the integrand is even, so the trapezoidal rule runs on [0, t_max] and doubles.
    Small when the column looks standard normal, large otherwise.

    Args:
        x: (N, M) samples, one test per column.
        t_max: end of the frequency grid, > 0.
        knots: number of grid points on [0, t_max], >= 2.

    Returns:
        The statistics, shape ``(M,)`` (cost of order N M knots).

    See chapter 11.
    """
    check_tensor(x, "x", ndim=2)
    t_max = check_positive(t_max, "t_max")
    knots = check_int(knots, "knots", minimum=2)
    n = x.shape[0]
    t = torch.linspace(0.0, t_max, knots, dtype=x.dtype, device=x.device)  # (K,)
    dt = t_max / (knots - 1)
    phi = torch.exp(-t.pow(2) / 2)
    w = torch.full_like(t, 2 * dt)
    w[0] = w[-1] = dt  # trapezoid on [0, t_max], doubled for [-t_max, t_max]
    xt = x[:, :, None] * t  # (N, M, K)
    err = (xt.cos().mean(dim=0) - phi).pow(2) + xt.sin().mean(dim=0).pow(2)  # (M, K) = |phi_N - phi|^2
    return n * (err @ (w * phi))


def sigreg_loss(h: torch.Tensor, *, n_directions: int = 256, t_max: float = 3.0, knots: int = 17,
                directions: torch.Tensor | None = None, generator: torch.Generator | int | None = None) -> torch.Tensor:
    """LeJEPA's SIGReg: the mean Epps-Pulley statistic of h projected on random unit directions.

    SIGReg(H) = (1/M) sum_m T(H a_m) with a_m uniform on the unit sphere (redrawn at each call). By
    the Cramer-Wold theorem every 1-D projection is N(0, 1) only if h is N(0, I): minimising it pushes
    the embeddings towards an isotropic Gaussian, which rules out complete and dimensional collapse.

    Args:
        h: (B, D) embeddings, B >= 2.
        n_directions: M, the number of random directions (ignored when ``directions`` is given).
        t_max, knots: the frequency grid of :func:`epps_pulley`.
        directions: optional (D, M) matrix of unit columns to use instead of random ones.
        generator: ``torch.Generator``, int seed or None (global RNG) for the directions.

    Cost: O(B D M + B M knots). See chapter 11.
    """
    check_tensor(h, "h", ndim=2)
    if h.shape[0] < 2:
        raise ValueError(f"h must have at least 2 rows (a batch statistic), got {h.shape[0]}")
    if directions is None:
        m = check_int(n_directions, "n_directions")
        gen = as_generator(generator, h.device)
        a = torch.randn(h.shape[1], m, generator=gen, device=h.device, dtype=h.dtype)
        directions = a / a.norm(dim=0)
    else:
        check_tensor(directions, "directions", ndim=2)
        if directions.shape[0] != h.shape[1]:
            raise ValueError(f"directions must have shape (D={h.shape[1]}, M), got {tuple(directions.shape)}")
    return epps_pulley(h @ directions, t_max=t_max, knots=knots).mean()


def negative_cosine_loss(prediction: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """-cos(prediction, stop_grad(target)) per row: the distillation loss of SimSiam (BYOL's is 2 + 2 x this).

    Args:
        prediction: (B, D) the predictor's output for one view.
        target: (B, D) the other view's embedding; no gradient flows into it.
        reduction: "mean" (scalar) or "none" (B,).

    See chapter 11.
    """
    _pair(prediction, target, "prediction", "target")
    _check_reduction(reduction)
    return _reduce(-F.cosine_similarity(prediction, target.detach(), dim=1), reduction)


def jepa_loss(prediction: torch.Tensor, target: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """The JEPA prediction energy (1/D) ||prediction - stop_grad(target)||^2 per row (I-JEPA's L2 loss).

    Args:
        prediction: (B, D) the predictor's guess of the target's embedding from the context.
        target: (B, D) the target encoder's embedding of the hidden part; no gradient flows into it.
        reduction: "mean" (scalar) or "none" (B,).

    See chapter 11.
    """
    _pair(prediction, target, "prediction", "target")
    _check_reduction(reduction)
    return _reduce((prediction - target.detach()).pow(2).mean(dim=1), reduction)
