"""Noise-conditional networks: a score, or an energy, for every noise level of a ladder.

See chapters 9 and 10.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_int, check_positive, check_tensor, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ["NoiseConditionalScore", "NoiseConditionalEnergy"]


class NoiseConditionalScore(nn.Module):
    """A score network s(y, sigma) conditioned on the noise level.

    s(y, sigma) = f_theta(y, log sigma) / sigma, with f_theta a perceptron (SiLU). Dividing by sigma
    gives the right scale at every level for free: the score of data blurred by N(0, sigma^2 I)
    has a norm of order 1 / sigma (Song and Ermon, 2019).

    Args:
        dim: dimension D of y.
        hidden: widths of the hidden layers.
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial weights.

    Shapes: ``forward(y, sigma)`` maps y (B, D) and sigma (B,) (or a float) to scores (B, D).

    See chapter 10.
    """

    def __init__(self, dim: int = 2, hidden: tuple[int, ...] = (64, 64), *, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        dim = check_int(dim, "dim")
        hidden = check_widths(hidden)
        self.net = perceptron((dim + 1, *hidden, dim), dtype=dtype, generator=as_generator(generator))
        self.dim = dim

    def forward(self, y: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Scores (B, D) at y (B, D) for noise levels sigma (B,) or one float."""
        if not isinstance(sigma, torch.Tensor):
            sigma = torch.full((y.shape[0],), float(check_positive(sigma, "sigma")), dtype=y.dtype, device=y.device)
        elif sigma.dim() == 0:
            sigma = sigma.expand(y.shape[0])
        h = torch.cat([y, torch.log(sigma)[:, None]], dim=1)  # (B, D + 1)
        return self.net(h) / sigma[:, None]


class NoiseConditionalEnergy(nn.Module):
    """An energy E(y, sigma) for every noise level of a ladder; its score is -grad_y E.

    The energy of the data blurred by N(0, sigma^2 I), written so that a network at initialisation
    already has the right scale at every level (the preconditioning of Karras et al., 2022, carried
    over to an energy):

        E(y, sigma) = (1 - c_skip) ||y - m||^2 / (2 sigma^2) + c_out / (sigma^2 c_in) h(c_in (y - m), log(sigma) / 4),

    with c_skip = sigma_d^2 / (sigma^2 + sigma_d^2), c_out = sigma sigma_d / sqrt(sigma^2 + sigma_d^2),
    c_in = 1 / sqrt(sigma^2 + sigma_d^2), m the data mean, sigma_d the data scale (``data_scale``) and h a
    perceptron (SiLU) with a scalar output. With h = 0 the energy is exactly that of N(m, sigma_d^2 I)
    blurred by sigma, whose score is -(y - m) / (sigma_d^2 + sigma^2); the network only adds the difference.
    A constant added to E changes no score, so the loss never trains the output bias of h. The score is

        s(y, sigma) = -grad_y E = (D(y, sigma) - y) / sigma^2,   D = m + c_skip (y - m) - c_out grad_u h,

    so D is the denoiser that denoising score matching trains (Vincent, 2011), here constrained to be
    the gradient of a scalar (an energy-parametrised model in the sense of Salimans and Ho, 2021).

    ``forward(y, sigma)`` returns the score, so the model plugs into
    :func:`ebmlib.losses.noise_conditional_dsm_loss` and :func:`ebmlib.samplers.annealed_langevin` like
    :class:`NoiseConditionalScore`; ``energy(y, sigma)`` returns E. In training mode the score keeps the
    graph (a double backward); in eval mode it does not.

    Args:
        dim: dimension D of y (flatten images first).
        hidden: widths of the hidden layers of h.
        mean: (D,) data mean m (default: zeros).
        data_scale: sigma_d > 0, the data's standard deviation per coordinate around m (default 0.5; a
            rough value is enough).
        dtype: dtype of the parameters (default: torch's default dtype).
        generator: torch.Generator, int seed or None (global RNG) for the initial weights.

    Shapes: y (B, D), sigma (B,) or a float; ``energy`` (B,), ``forward`` (B, D).

    See chapter 9.
    """

    def __init__(self, dim: int, hidden: tuple[int, ...] = (256, 256), *, mean: torch.Tensor | None = None,
                 data_scale: float = 0.5, dtype: torch.dtype | None = None,
                 generator: torch.Generator | int | None = None) -> None:
        super().__init__()
        dim = check_int(dim, "dim")
        hidden = check_widths(hidden)
        self.data_scale = float(check_positive(data_scale, "data_scale"))
        if mean is None:
            mean = torch.zeros(dim, dtype=dtype)
        else:
            check_tensor(mean, "mean", ndim=1)
            if mean.shape[0] != dim:
                raise ValueError(f"mean must have shape ({dim},), got {tuple(mean.shape)}")
        self.register_buffer("mean", mean.detach().clone().to(dtype or torch.get_default_dtype()))
        self.h = perceptron((dim + 1, *hidden, 1), dtype=dtype, generator=as_generator(generator))
        self.dim = dim

    def _sigma(self, y: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        if y.dim() != 2 or y.shape[1] != self.dim:
            raise ValueError(f"y must have shape (B, {self.dim}), got {tuple(y.shape)}")
        if not isinstance(sigma, torch.Tensor):
            return torch.full((y.shape[0],), float(check_positive(sigma, "sigma")), dtype=y.dtype, device=y.device)
        if sigma.dim() == 0:
            sigma = sigma.expand(y.shape[0])
        if not torch.isfinite(sigma).all() or (sigma <= 0).any():
            raise ValueError("sigma must be positive and finite")
        return sigma

    def energy(self, y: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Energies (B,) at y (B, D) for noise levels sigma (B,) or one float."""
        sigma = self._sigma(y, sigma)
        s2, sg2 = self.data_scale ** 2, sigma[:, None] ** 2  # (B, 1)
        c_in = torch.rsqrt(sg2 + s2)
        c_skip = s2 / (sg2 + s2)
        c_out = torch.sqrt(sg2) * self.data_scale * c_in
        r = y - self.mean
        h = self.h(torch.cat([c_in * r, torch.log(sigma)[:, None] / 4], dim=1))  # (B, 1)
        return ((1 - c_skip) * (r ** 2).sum(1, keepdim=True) / (2 * sg2) + c_out / (sg2 * c_in) * h).squeeze(1)

    def forward(self, y: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        """Scores -grad_y E (B, D) at y (B, D) for noise levels sigma (B,) or one float."""
        with torch.enable_grad():
            yy = y if y.requires_grad else y.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.energy(yy, sigma).sum(), yy, create_graph=self.training)
        return -grad
