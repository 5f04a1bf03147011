"""Trivial and closed-form baselines that a deep energy must beat on images (chapter 9).

Inpainting: mean imputation, the nearest training image, the Gaussian conditional mean and its
conditional samples, the average of the visible 4-neighbours. Out-of-distribution scores: the
distance to the mean image, the energies of a diagonal and of a full-covariance Gaussian.

Images are (B, C, H, W) tensors; a mask is a boolean tensor of shape (C, H, W) or (1, C, H, W),
True where a pixel is hidden, the same for every image of the batch.

See chapter 9.
"""

from __future__ import annotations

import torch

from ._checks import check_positive, check_tensor
from .utils import as_generator

__all__ = ["mean_imputation", "nearest_neighbour_fill", "gaussian_conditional", "neighbour_average",
           "ood_baseline_scores"]


def _check_images_mask(images: torch.Tensor, mask: torch.Tensor, name: str = "images") -> torch.Tensor:
    check_tensor(images, name, ndim=4)
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise ValueError(f"mask must be a boolean tensor (True = hidden), got {getattr(mask, 'dtype', type(mask).__name__)}")
    flat = mask.reshape(-1) if mask.numel() == images[0].numel() else None
    if flat is None or mask.shape not in (images.shape[1:], (1, *images.shape[1:])):
        raise ValueError(f"mask must have shape {tuple(images.shape[1:])} or (1, ...) of it, got {tuple(mask.shape)}")
    if not bool(flat.any()) or bool(flat.all()):
        raise ValueError("mask must hide some pixels and leave some visible")
    return flat.to(images.device)


def _check_train(train: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    check_tensor(train, "train", ndim=4)
    if train.shape[1:] != images.shape[1:]:
        raise ValueError(f"train must have images of shape {tuple(images.shape[1:])}, got {tuple(train.shape[1:])}")
    if train.shape[0] < 2:
        raise ValueError(f"train must have at least 2 images, got {train.shape[0]}")
    return train.flatten(1).to(images.dtype)


def mean_imputation(images: torch.Tensor, mask: torch.Tensor, train: torch.Tensor) -> torch.Tensor:
    """Hidden pixels replaced by the mean training image's. Returns (B, C, H, W).

    See chapter 9.
    """
    hidden = _check_images_mask(images, mask)
    mean = _check_train(train, images).mean(0)  # (D,)
    out = images.flatten(1).clone()
    out[:, hidden] = mean[hidden]
    return out.reshape(images.shape)


def nearest_neighbour_fill(images: torch.Tensor, mask: torch.Tensor, train: torch.Tensor, *,
                           neighbours: int = 0) -> torch.Tensor:
    """Hidden pixels copied from the training image closest (Euclidean) on the visible pixels. (B, C, H, W).

    With ``neighbours`` = k >= 1, the k closest training images each lend their hidden pixels: (k, B, C, H, W),
    the closest first (ties go to the earlier training image, so the first equals the k = 0 result). Their
    mean over the first axis is a single guess: the k-nearest-neighbour regression of the hidden pixels.

    See chapter 9.
    """
    hidden = _check_images_mask(images, mask)
    flat_train = _check_train(train, images)
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or not 0 <= neighbours <= len(flat_train):
        raise ValueError(f"neighbours must be an integer from 0 to the number of training images "
                         f"{len(flat_train)}, got {neighbours!r}")
    flat = images.flatten(1)
    distances = torch.cdist(flat[:, ~hidden], flat_train[:, ~hidden])  # (B, N)
    if neighbours == 0:
        nearest = distances.argmin(1)  # (B,)
        out = flat.clone()
        out[:, hidden] = flat_train[nearest][:, hidden]
        return out.reshape(images.shape)
    order = torch.sort(distances, dim=1, stable=True).indices[:, :neighbours].T  # (k, B), ties: the first, as argmin
    out = flat.expand(neighbours, *flat.shape).clone()  # (k, B, D)
    out[:, :, hidden] = flat_train[order][:, :, hidden]
    return out.reshape(neighbours, *images.shape)


def gaussian_conditional(images: torch.Tensor, mask: torch.Tensor, train: torch.Tensor, *, shrinkage: float = 0.01,
                         samples: int = 0, generator: torch.Generator | int | None = None) -> torch.Tensor:
    """The Gaussian fitted to ``train`` conditioned on the visible pixels: its mean, or samples of it.

    With m, S the training mean and covariance (divisor N - 1) plus ``shrinkage`` * I, U the hidden
    and K the visible pixels, y_U | y_K ~ N(m_U + S_UK S_KK^-1 (y_K - m_K), S_UU - S_UK S_KK^-1 S_KU).
    Computed in float64.

    Args:
        images: (B, C, H, W); their visible pixels are kept.
        mask: (C, H, W) or (1, C, H, W) boolean, True = hidden.
        train: (N, C, H, W) images the Gaussian is fitted to.
        shrinkage: >= 0 added to the covariance's diagonal (> 0 if a pixel never varies).
        samples: 0 for the conditional mean; k >= 1 for k conditional samples per image (not clamped).
        generator: ``torch.Generator``, int seed or None for the samples.

    Returns:
        (B, C, H, W) completions, or (k, B, C, H, W) samples. Cost O(N D^2 + D^3 + k B D^2).

    See chapter 9.
    """
    hidden = _check_images_mask(images, mask)
    flat_train = _check_train(train, images).to(torch.float64)
    if isinstance(shrinkage, bool) or not isinstance(shrinkage, (int, float)) or not shrinkage >= 0:
        raise ValueError(f"shrinkage must be a number >= 0, got {shrinkage!r}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise ValueError(f"samples must be an integer >= 0, got {samples!r}")
    gen = as_generator(generator)
    d = flat_train.shape[1]
    mean = flat_train.mean(0)
    cov = torch.cov(flat_train.T) + shrinkage * torch.eye(d, dtype=torch.float64, device=flat_train.device)
    u, k = hidden, ~hidden
    s_kk, s_uk, s_uu = cov[k][:, k], cov[u][:, k], cov[u][:, u]
    chol, info = torch.linalg.cholesky_ex(s_kk)
    if int(info) != 0:
        raise ValueError("the covariance of the visible pixels is singular: use shrinkage > 0")
    flat = images.flatten(1).to(torch.float64)
    gain = torch.cholesky_solve(s_uk.T, chol).T  # (U, K) = S_UK S_KK^-1
    cond_mean = mean[u] + (flat[:, k] - mean[k]) @ gain.T  # (B, U)
    if samples == 0:
        out = flat.clone()
        out[:, u] = cond_mean
        return out.to(images.dtype).reshape(images.shape)
    cond_cov = s_uu - gain @ s_uk.T
    cond_cov = (cond_cov + cond_cov.T) / 2 + 1e-10 * torch.eye(int(u.sum()), dtype=torch.float64)
    root = torch.linalg.cholesky(cond_cov)
    z = torch.randn((samples, flat.shape[0], int(u.sum())), generator=gen, dtype=torch.float64)
    out = flat.expand(samples, -1, -1).clone()
    out[:, :, u] = cond_mean + z @ root.T
    return out.to(images.dtype).reshape(samples, *images.shape)


def neighbour_average(images: torch.Tensor, mask: torch.Tensor, fill: torch.Tensor | None = None) -> torch.Tensor:
    """Each hidden pixel set to the mean of its visible 4-neighbours (up, down, left, right).

    A hidden pixel with no visible neighbour gets ``fill``'s value there (a (C, H, W) or
    (1, C, H, W) image, e.g. the mean training image; default 0). Untrained; meant for scattered
    masks such as a checkerboard, where every hidden pixel has visible neighbours.

    Returns:
        (B, C, H, W).

    See chapter 9.
    """
    hidden = _check_images_mask(images, mask).reshape(1, *images.shape[1:])
    if fill is None:
        fill = torch.zeros(images.shape[1:], dtype=images.dtype, device=images.device)
    check_tensor(fill, "fill")
    if fill.numel() != images[0].numel():
        raise ValueError(f"fill must have shape {tuple(images.shape[1:])}, got {tuple(fill.shape)}")
    fill = fill.reshape(1, *images.shape[1:]).to(images.dtype)
    visible = (~hidden).to(images.dtype)  # (1, C, H, W)
    kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=images.dtype,
                          device=images.device)
    c = images.shape[1]
    weight = kernel.expand(c, 1, 3, 3)
    total = torch.nn.functional.conv2d(images * visible, weight, padding=1, groups=c)  # zero padding outside
    count = torch.nn.functional.conv2d(visible, weight, padding=1, groups=c)
    average = torch.where(count > 0, total / count.clamp(min=1), fill)
    return torch.where(hidden, average, images)


def ood_baseline_scores(train: torch.Tensor, images: torch.Tensor, *, shrinkage: float = 0.01) -> dict:
    """Three untrained out-of-distribution scores of ``images`` (higher = less like ``train``).

    "distance to mean": ||y - m||^2; "diagonal Gaussian": sum_d (y_d - m_d)^2 / (2 (v_d + shrinkage));
    "full Gaussian": (y - m)^T (S + shrinkage I)^-1 (y - m) / 2; m, v, S the training mean,
    variances and covariance (divisor N - 1). Each is an energy up to a constant.

    Returns:
        dict name -> (B,) float64 scores.

    See chapter 9.
    """
    check_tensor(images, "images", min_ndim=2)
    check_tensor(train, "train", min_ndim=2)
    if train.shape[1:] != images.shape[1:] or train.shape[0] < 2:
        raise ValueError(f"train must have at least 2 rows of shape {tuple(images.shape[1:])}, got {tuple(train.shape)}")
    shrinkage = check_positive(shrinkage, "shrinkage")
    t = train.flatten(1).to(torch.float64)
    y = images.flatten(1).to(torch.float64)
    mean = t.mean(0)
    cov = torch.cov(t.T) + shrinkage * torch.eye(t.shape[1], dtype=torch.float64, device=t.device)
    d = y - mean
    return {"distance to mean": (d ** 2).sum(1),
            "diagonal Gaussian": (d ** 2 / (2 * torch.diagonal(cov))).sum(1),
            "full Gaussian": 0.5 * (d * torch.linalg.solve(cov, d.T).T).sum(1)}
