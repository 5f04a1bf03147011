"""An energy head on a sequence model: a tiny causal transformer that predicts the next 2-D point.

The backbone reads the path so far; a head turns its features into a prediction of the next point.
A ``"mean"`` head outputs one point and is trained with squared error, so at a fork it predicts
the average of the branches. A ``"samples"`` head takes the features and fresh noise and outputs
as many samples as asked; trained with the energy score (:func:`ebmlib.losses.energy_score`), a
strictly proper scoring rule that needs only samples, it learns the whole distribution of the next
point. This is the design of CALM's generative head, on a toy scale.

See chapter 10.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_int
from ..utils import as_generator
from ._init import linear, perceptron

__all__ = ["CausalTransformer"]

HEADS = ("mean", "samples")


class CausalTransformer(nn.Module):
    """A tiny causal transformer over a path of points, with a mean head or a sample head.

    Points are embedded linearly, a learned position embedding is added, ``n_layers`` pre-norm
    transformer layers with a causal mask mix them (position t sees positions <= t only), and the
    head predicts the *step* to the next point, added to the current point.

    Args:
        in_dim: dimension of each point.
        d_model: width of the features.
        n_heads: attention heads (must divide ``d_model``).
        n_layers: transformer layers.
        max_len: longest path.
        head: ``"mean"`` (one prediction per position) or ``"samples"`` (a noise-driven generator).
        noise_dim: size of the noise fed to the sample head.
        generator: torch.Generator, int seed or None (global RNG) for the initial weights; the
            global RNG state is restored after construction either way.

    Shapes: ``forward(paths)`` maps (B, T, in_dim) to (B, T, in_dim) for the mean head;
    ``forward(paths, n_samples=M, generator=...)`` to (B, T, M, in_dim) for the sample head.
    Output t is the prediction of point t + 1.

    See chapter 10.
    """

    def __init__(self, in_dim: int = 2, d_model: int = 32, n_heads: int = 2, n_layers: int = 2, max_len: int = 16, *,
                 head: str = "mean", noise_dim: int = 4, generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        self.in_dim = check_int(in_dim, "in_dim")
        d_model = check_int(d_model, "d_model")
        n_heads = check_int(n_heads, "n_heads")
        if d_model % n_heads:
            raise ValueError(f"n_heads must divide d_model ({d_model}), got {n_heads}")
        n_layers = check_int(n_layers, "n_layers")
        self.max_len = check_int(max_len, "max_len")
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {head!r}")
        self.head_kind = head
        self.noise_dim = check_int(noise_dim, "noise_dim")
        gen = as_generator(generator)
        with torch.random.fork_rng(devices=[]):  # nn's own initialisers draw from the global RNG
            layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=2 * d_model, dropout=0.0,
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        for name, p in self.blocks.named_parameters():  # re-draw every weight from the generator
            with torch.no_grad():
                if p.dim() > 1:
                    bound = 1.0 / math.sqrt(p.shape[1])
                    p.copy_(torch.rand(p.shape, generator=gen) * 2 * bound - bound)
                elif "norm" in name and name.endswith("weight"):
                    p.fill_(1.0)
                else:
                    p.zero_()
        self.embed = linear(self.in_dim, d_model, generator=gen)
        self.position = nn.Parameter(0.1 * torch.randn(self.max_len, d_model, generator=gen))
        self.norm = nn.LayerNorm(d_model)
        extra = self.noise_dim if head == "samples" else 0
        self.head = perceptron((d_model + extra, 2 * d_model, 2 * d_model, self.in_dim), generator=gen)
        self.register_buffer("mask", torch.triu(torch.full((self.max_len, self.max_len), -math.inf), diagonal=1))

    def features(self, paths: torch.Tensor) -> torch.Tensor:
        """Causal features (B, T, d_model) of paths (B, T, in_dim): feature t depends on points <= t only."""
        t = paths.shape[1]
        h = self.embed(paths) + self.position[:t]
        return self.norm(self.blocks(h, mask=self.mask[:t, :t]))

    def forward(self, paths: torch.Tensor, n_samples: int | None = None,
                generator: torch.Generator | int | None = None) -> torch.Tensor:
        """Predictions of the next point: (B, T, in_dim), or (B, T, M, in_dim) samples for the sample head."""
        h = self.features(paths)  # (B, T, d)
        if self.head_kind == "mean":
            return paths + self.head(h)
        n_samples = check_int(n_samples, "n_samples")
        b, t, d = h.shape
        noise = torch.randn(b, t, n_samples, self.noise_dim, generator=as_generator(generator, paths.device),
                            dtype=h.dtype, device=h.device)
        inp = torch.cat([h[:, :, None, :].expand(b, t, n_samples, d), noise], dim=-1)  # (B, T, M, d + noise)
        return paths[:, :, None, :] + self.head(inp)
