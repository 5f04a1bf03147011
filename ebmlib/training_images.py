"""Training a deep energy on images: :func:`~ebmlib.training.train` with short-run Langevin negatives.

The loop is :func:`~ebmlib.training.train`; this module only builds the replay buffer and the loss
(:func:`ebmlib.losses.short_run_ml_loss`), records the energies of data and negatives at every
step (on the device: no host synchronisation per step) and, once per epoch, turns runaway energies or a
non-finite loss into a :class:`~ebmlib.errors.DivergenceError` carrying the record.

See chapter 9.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._checks import check_limits, check_positive, check_probability, check_tensor
from .errors import DivergenceError
from .losses.short_run import check_short_run_args, short_run_step
from .samplers import PersistentChains
from .training import train
from .utils import as_generator

__all__ = ["train_image_ebm", "ImageEBMRun"]


class ImageEBMRun(NamedTuple):
    """The record of :func:`train_image_ebm`."""

    e_data: torch.Tensor  # (T,) mean energy of the data batch at each of the T optimiser steps
    e_model: torch.Tensor  # (T,) mean energy of the negatives (the buffer after its Langevin steps)
    loss: list  # the loss of each epoch (ebmlib.train's history)
    buffer: PersistentChains  # the replay buffer at the end (its .chains are samples of the model)


def train_image_ebm(energy: torch.nn.Module, images: torch.Tensor, *, epochs: int, batch_size: int = 64,
                    lr: float = 1e-3, buffer_size: int = 1000, restart_prob: float = 0.05, steps: int = 20,
                    step_size: float = 1.0, noise_scale: float | None = 0.01, grad_clip: float | None = None,
                    clamp: tuple[float, float] | None = (0.0, 1.0), noise_range: tuple[float, float] = (0.0, 1.0),
                    energy_penalty: float = 0.1,
                    clip_grad_norm: float | None = None, betas: tuple[float, float] = (0.0, 0.999),
                    max_energy: float = 1e4, generator: torch.Generator | int | None = None,
                    progress: bool = False) -> ImageEBMRun:
    """Train an image energy by maximum likelihood with short-run Langevin negatives from a replay buffer.

    Every optimiser step (Adam) takes a batch of B images, advances a buffer of ``buffer_size``
    chains (each restarted from uniform noise on ``noise_range`` with probability ``restart_prob``) by
    ``steps`` Langevin steps y <- clamp(y - step_size * clip(grad E(y)) + noise_scale * xi), uses
    the first B chains as negatives and minimises
    mean E(data) - mean E(negatives) + energy_penalty * (mean E(data)^2 + mean E(negatives)^2)
    (:func:`ebmlib.losses.short_run_ml_loss`). Only a random share of the buffer moves per step in
    Du and Mordatch's recipe; here the B chains used are drawn at random from the buffer each step.

    Args:
        energy: an ``nn.Module`` mapping (B, C, H, W) images to (B,) energies.
        images: (N, C, H, W) training images with values in ``clamp``.
        epochs: passes over the images, >= 1.
        batch_size: images (and negatives) per step.
        lr: Adam's learning rate.
        buffer_size: chains in the replay buffer, >= batch_size.
        restart_prob: probability that a chain restarts from noise when it is used.
        steps, step_size, noise_scale, grad_clip: the Langevin sampler's settings
            (:func:`~ebmlib.samplers.langevin`); note that ``noise_scale`` is set apart from the step, as in
            the recipe (a colder sampler than sqrt(2 step_size)).
        clamp: (low, high) pixel range; the chains are clamped to it after every step (None: not clamped).
        noise_range: (low, high) of the uniform noise that starts and restarts chains.
        energy_penalty: alpha >= 0 of the squared-energy penalty.
        clip_grad_norm: if given, clip the parameter gradient's norm (``ebmlib.train``).
        betas: Adam's betas ((0, 0.999) in the recipe: no momentum).
        max_energy: if the absolute mean energy of data or negatives exceeds this at the end of an epoch,
            stop with :class:`~ebmlib.errors.DivergenceError` (the energies ran away).
        generator: ``torch.Generator``, int seed or None for the buffer, the restarts, the noise
            and the batches.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        :class:`ImageEBMRun` (per-step energies, per-epoch losses, the buffer).

    Raises:
        ebmlib.errors.DivergenceError: energies above ``max_energy``, or a non-finite loss or chain;
            the error carries the record up to that point as its attribute ``run`` (an
            :class:`ImageEBMRun`), so the curves of a failed run can be drawn.

    Cost: per step ``steps`` forward + backward passes on B images for the sampler and one forward
    + backward on 2B images for the parameters.

    See chapter 9.
    """
    if not isinstance(energy, torch.nn.Module):
        raise ValueError(f"energy must be a torch.nn.Module with trainable parameters, got {type(energy).__name__}")
    check_tensor(images, "images", min_ndim=3)
    batch_size = check_positive(batch_size, "batch_size", integer=True)
    buffer_size = check_positive(buffer_size, "buffer_size", integer=True)
    if buffer_size < batch_size:
        raise ValueError(f"buffer_size must be >= batch_size = {batch_size}, got {buffer_size}")
    if clamp is not None:
        clamp = check_limits(clamp, "clamp")
    low, high = check_limits(noise_range, "noise_range")
    restart_prob = check_probability(restart_prob, "restart_prob")
    max_energy = check_positive(max_energy, "max_energy")
    generator = as_generator(generator, images.device)
    shape, dtype, device = images.shape[1:], images.dtype, images.device

    def noise(m: int, gen: torch.Generator | None) -> torch.Tensor:  # (m, C, H, W) uniform on [low, high]
        return low + (high - low) * torch.rand((m, *shape), generator=gen, dtype=dtype, device=device)

    pool = noise(buffer_size, generator)  # (buffer_size, C, H, W)
    chains = PersistentChains(pool[:batch_size], noise, restart_prob=restart_prob, generator=generator)
    steps, penalty = check_short_run_args(energy, images[:batch_size], chains, steps, energy_penalty)
    e_data: list[torch.Tensor] = []
    e_model: list[torch.Tensor] = []

    def loss_fn(batch: torch.Tensor) -> torch.Tensor:
        nonlocal pool
        idx = torch.randperm(buffer_size, generator=generator, device=device)[: batch.shape[0]]
        chains.chains = pool[idx]  # these chains move this step; restarts happen inside the buffer's call
        out = short_run_step(energy, batch, chains, steps=steps, step_size=step_size, noise_scale=noise_scale,
                             grad_clip=grad_clip, clamp=clamp, energy_penalty=penalty)
        pool = pool.index_copy(0, idx, out.negatives)  # write the moved chains back (a new tensor)
        e_data.append(out.e_data.mean())
        e_model.append(out.e_model.mean())
        return out.loss

    def record() -> ImageEBMRun:
        chains.chains = pool
        empty = torch.zeros(0, dtype=dtype, device=device)
        return ImageEBMRun(torch.stack(e_data) if e_data else empty, torch.stack(e_model) if e_model else empty,
                           losses, chains)

    def runaway(epoch: int, loss: float) -> bool:
        """After each epoch (one host synchronisation): stop with the record if the energies ran away."""
        losses.append(loss)  # the record includes the failing epoch
        worst = float(torch.stack(e_data[-1:] + e_model[-1:]).abs().max())
        if not (math.isfinite(loss) and math.isfinite(worst) and bool(torch.isfinite(pool).all())):
            raise DivergenceError(f"training diverged: the loss became {loss} at epoch {epoch}; try a smaller lr "
                                  f"than {lr} or step_size than {step_size}", step=epoch, run=record())
        if worst > max_energy:
            raise DivergenceError(f"the energies ran away: |E| = {worst:.3g} > max_energy = {max_energy:g} at epoch "
                                  f"{epoch}; add an energy penalty, clip gradients or use spectral norm", step=epoch,
                                  run=record())
        return False

    losses: list[float] = []  # the epoch losses, as ebmlib.train returns them (kept here for a failed run)
    train(loss_fn, energy, data=images, epochs=epochs, lr=lr, batch_size=batch_size, generator=generator,
          clip_grad_norm=clip_grad_norm, optimizer_kwargs={"betas": tuple(betas)}, progress=progress,
          desc="image EBM", callback=runaway)
    return record()
