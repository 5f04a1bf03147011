"""A small convolutional energy for 8 x 8 images, with optional spectral normalisation.

See chapter 9.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_int, check_widths
from ..utils import as_generator
from ._init import linear

__all__ = ["ConvEnergy"]


def _conv(c_in: int, c_out: int, stride: int, *, dtype, generator) -> nn.Conv2d:
    """A 3 x 3 ``nn.Conv2d`` (padding 1) with PyTorch's default initialisation, drawn from ``generator``."""
    if generator is None:
        return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, dtype=dtype)
    layer = nn.utils.skip_init(nn.Conv2d, c_in, c_out, 3, stride=stride, padding=1, dtype=dtype)
    bound = 1.0 / math.sqrt(c_in * 9)  # kaiming_uniform_(a=sqrt(5)) for the weight, and the bias's bound
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


def _spectral_norm(layer: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """Wrap ``layer`` in spectral normalisation; its power-iteration vectors drawn from ``generator``."""
    if generator is None:
        return nn.utils.parametrizations.spectral_norm(layer)
    with torch.random.fork_rng(devices=[]):  # the parametrisation draws u, v from the global RNG: undo that
        layer = nn.utils.parametrizations.spectral_norm(layer)
    sn = layer.parametrizations.weight[0]
    with torch.no_grad():
        for name in ("_u", "_v"):
            buf = getattr(sn, name)
            buf.copy_(nn.functional.normalize(torch.randn(buf.shape, generator=generator, dtype=buf.dtype), dim=0))
        sn._power_method(sn._reshape_weight_to_matrix(layer.parametrizations.weight.original), 15)
    return layer


class ConvEnergy(nn.Module):
    """A small convolutional energy: images (B, C, H, W) -> energies (B,).

    E_theta(y) = w^T phi(y) + b, with phi a stack of 3 x 3 convolutions and SiLU activations (smooth,
    so Langevin dynamics can follow its gradient in y): the first keeps the resolution, each further
    one halves it (stride 2); a linear layer reads the flattened features. With the default widths
    (16, 32, 64) on 8 x 8 images: 8 x 8 x 16 -> 4 x 4 x 32 -> 2 x 2 x 64 -> 1, about 24,000
    parameters. ``spectral_norm=True`` divides every weight by its largest singular value (estimated
    by one power iteration per forward pass in training mode), which bounds the Lipschitz constant
    of E in y and keeps the energies from running away (Miyato et al., 2018; Du and Mordatch, 2019).

    Args:
        channels: widths of the convolutions (at least one).
        in_channels: C of the images.
        image_size: H = W of the images (divisible by 2 ** (len(channels) - 1)).
        spectral_norm: spectrally normalise every layer.
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: ``torch.Generator``, int seed or None for the initial weights (PyTorch's default
            initialisation; None draws them from the global RNG).

    Shapes: ``forward`` maps (B, C, H, W) to (B,); it does not check its input (validate once where
    the data enter, e.g. in a sampler). Cost: one forward pass is about 0.5 MFLOP per 8 x 8 image.

    See chapter 9.
    """

    def __init__(self, channels: tuple[int, ...] = (16, 32, 64), *, in_channels: int = 1, image_size: int = 8,
                 spectral_norm: bool = False, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        channels = check_widths(channels, "channels")
        in_channels = check_int(in_channels, "in_channels")
        image_size = check_int(image_size, "image_size")
        shrink = 2 ** (len(channels) - 1)
        if image_size % shrink:
            raise ValueError(f"image_size must be divisible by 2 ** (len(channels) - 1) = {shrink}, got {image_size}")
        if not isinstance(spectral_norm, bool):
            raise ValueError(f"spectral_norm must be True or False, got {spectral_norm!r}")
        generator = as_generator(generator)
        wrap = (lambda m: _spectral_norm(m, generator)) if spectral_norm else (lambda m: m)
        layers: list[nn.Module] = []
        width = in_channels
        for i, c in enumerate(channels):
            layers += [wrap(_conv(width, c, 1 if i == 0 else 2, dtype=dtype, generator=generator)), nn.SiLU()]
            width = c
        side = image_size // shrink
        layers += [nn.Flatten(), wrap(linear(width * side * side, 1, dtype=dtype, generator=generator))]
        self.net = nn.Sequential(*layers)
        self.image_shape = (in_channels, image_size, image_size)
        self.spectral_norm = spectral_norm

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies E(y) of shape (B,) for images y of shape (B, C, H, W)."""
        return self.net(y)[:, 0]  # (B, 1) -> (B,)

    def extra_repr(self) -> str:
        return f"image_shape={self.image_shape}, spectral_norm={self.spectral_norm}"
