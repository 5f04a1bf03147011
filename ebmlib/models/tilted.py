"""An exponential tilt: a network energy added to a base energy.

    E(y) = E_0(y) + g_theta(y),    p(y) proportional to p_0(y) exp(-g_theta(y)),

so the network learns only what the base density p_0 misses (in chapter 9 the base is the
Gaussian of :class:`ebmlib.models.GaussianEnergy`; any energy module works).

See chapter 9.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TiltedEnergy"]


class TiltedEnergy(nn.Module):
    """A network energy on top of a base energy: E(y) = base(y) + net(y).

    The density exp(-E) is the base density exp(-base) tilted by exp(-net): the network only has to
    learn what the base misses. Training the sum (e.g. with
    :func:`~ebmlib.training_images.train_image_ebm`) updates the network; a base without parameters,
    such as a :class:`~ebmlib.models.GaussianEnergy`, stays as it is.

    Args:
        net: an ``nn.Module`` mapping (B, ...) to (B,) energies (e.g. a :class:`~ebmlib.models.ConvEnergy`).
        base: an ``nn.Module`` mapping the same inputs to (B,) energies.

    See chapter 9.
    """

    def __init__(self, net: torch.nn.Module, base: torch.nn.Module) -> None:
        super().__init__()
        for module, name in ((net, "net"), (base, "base")):
            if not isinstance(module, nn.Module):
                raise ValueError(f"{name} must be a torch.nn.Module mapping (B, ...) to (B,) energies, "
                                 f"got {type(module).__name__}")
        self.net = net
        self.base = base

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Energies base(y) + net(y), shape (B,)."""
        return self.base(y) + self.net(y)
