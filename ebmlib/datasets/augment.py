"""Random views of 8 x 8 digit images: small shifts, pixel noise, masked pixels and masked blocks.

Two independent calls on the same images give the two views of a joint-embedding architecture.
See chapter 11.
"""

from __future__ import annotations

import torch

from .._checks import check_nonneg_int, check_nonneg_real, check_probability, check_tensor, check_int
from ..utils import as_generator

__all__ = ["augment_digits", "block_masks"]


def _check_images(images) -> torch.Tensor:
    check_tensor(images, "images", ndim=4)
    if images.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 1, H, W), got {tuple(images.shape)}")
    return images


def augment_digits(images: torch.Tensor, *, max_shift: int = 1, noise: float = 0.1, mask_prob: float = 0.1,
                   generator: torch.Generator | int | None = None) -> torch.Tensor:
    """A random view of each image: shifted, noised and with some pixels hidden.

    Each image is shifted by (dy, dx), each drawn uniformly from {-max_shift, ..., max_shift}, with
    zeros coming in at the border; then Gaussian noise of standard deviation ``noise`` is added to
    every pixel; then each pixel is set to 0 with probability ``mask_prob``.

    Args:
        images: (N, 1, H, W) floating images (the digits of :func:`ebmlib.datasets.digit_images`).
        max_shift: the largest shift in pixels, an integer >= 0 smaller than H and W.
        noise: standard deviation of the pixel noise, >= 0.
        mask_prob: probability that a pixel is hidden (set to 0), in [0, 1].
        generator: ``torch.Generator``, int seed or None (global RNG).

    Returns:
        The views, shape ``(N, 1, H, W)``; the input is not modified (cost of order N H W (2 max_shift + 1)^2).

    See chapter 11.
    """
    _check_images(images)
    max_shift = check_nonneg_int(max_shift, "max_shift")
    if max_shift >= min(images.shape[2:]):
        raise ValueError(f"max_shift must be smaller than the image side {min(images.shape[2:])}, got {max_shift}")
    noise = check_nonneg_real(noise, "noise")
    mask_prob = check_probability(mask_prob, "mask_prob")
    gen = as_generator(generator, images.device)
    n, _, h, w = images.shape
    out = torch.zeros_like(images)
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=gen, device=images.device)  # (N, 2)
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            rows = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)  # the images shifted by (dy, dx)
            if not bool(rows.any()):
                continue
            src = images[rows]
            dst = torch.zeros_like(src)
            dst[:, :, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
                src[:, :, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
            out[rows] = dst
    if noise > 0:
        out = out + noise * torch.randn(out.shape, generator=gen, device=out.device, dtype=out.dtype)
    if mask_prob > 0:
        keep = torch.rand(out.shape, generator=gen, device=out.device) >= mask_prob
        out = out * keep
    return out


def block_masks(n: int, *, size: int = 4, image_size: int = 8,
                generator: torch.Generator | int | None = None) -> torch.Tensor:
    """Random square blocks to hide: a boolean mask per image, True on a size x size block.

    The block's top-left corner is drawn uniformly among the (image_size - size + 1)^2 positions
    that keep it inside the image.

    Args:
        n: number of masks, >= 1.
        size: side of the block, 1 <= size <= image_size.
        image_size: side of the (square) image.
        generator: ``torch.Generator``, int seed or None (global RNG).

    Returns:
        (n, 1, image_size, image_size) boolean masks, each with size^2 True entries.

    See chapter 11.
    """
    n = check_int(n, "n")
    image_size = check_int(image_size, "image_size")
    size = check_int(size, "size")
    if size > image_size:
        raise ValueError(f"size must be at most image_size={image_size}, got {size}")
    gen = as_generator(generator)
    corners = torch.randint(0, image_size - size + 1, (n, 2), generator=gen)  # (n, 2): top, left
    idx = torch.arange(image_size)
    rows = (idx[None, :] >= corners[:, :1]) & (idx[None, :] < corners[:, :1] + size)  # (n, S)
    cols = (idx[None, :] >= corners[:, 1:]) & (idx[None, :] < corners[:, 1:] + size)  # (n, S)
    return (rows[:, :, None] & cols[:, None, :])[:, None]  # (n, 1, S, S)
