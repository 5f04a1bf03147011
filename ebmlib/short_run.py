"""Short-run, non-convergent learning of an image energy from a fixed initial distribution (chapter 9).

Nijkamp et al. (2019) train an energy so that a *fixed, short* Langevin run started from a fixed
distribution q_0 ends near the data: every step starts fresh chains from q_0, runs K steps of
the current energy and pushes the energy down on the data and up on where the chains ended. The
generative model is then "draw from q_0, run K steps", not exp(-E) / Z. With q_0 uniform noise this
is their recipe; with q_0 a Gaussian fitted to the data the network only has to move Gaussian
samples towards digits.

See chapter 9.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch

from ._checks import check_callable, check_limits, check_positive, check_tensor
from .errors import DivergenceError
from .samplers import langevin
from .utils import as_generator

__all__ = ["ShortRunRecord", "train_short_run", "short_run_samples", "gaussian_init"]


class ShortRunRecord(NamedTuple):
    """The record of :func:`train_short_run`."""

    e_data: torch.Tensor  # (T,) mean energy of the data batch at each of the T optimiser steps
    e_model: torch.Tensor  # (T,) mean energy of the short-run samples at each step


def gaussian_init(train: torch.Tensor, *, jitter: float = 1e-6,
                  clamp: tuple[float, float] | None = (0.0, 1.0)) -> Callable[[int, torch.Generator | None], torch.Tensor]:
    """A sampler of the full-covariance Gaussian fitted to ``train``: ``init(m, generator) -> (m, C, H, W)``.

    Draws m + z L^T with m the training mean, L the Cholesky factor of the covariance S (divisor
    N - 1, plus ``jitter`` * I so that pixels that never vary do not make S singular) and
    z ~ N(0, I), then clamps to ``clamp``: exact samples of N(m, S), clamped. Use it as the q_0 of
    :func:`train_short_run` or as the Gaussian reference of a metric.

    See chapter 9.
    """
    check_tensor(train, "train", min_ndim=2)
    if train.shape[0] < 2:
        raise ValueError(f"train must have at least 2 rows, got {train.shape[0]}")
    jitter = check_positive(jitter, "jitter")
    if clamp is not None:
        clamp = check_limits(clamp, "clamp")
    flat = train.detach().flatten(1).to(torch.float64)
    mean = flat.mean(0)
    chol = torch.linalg.cholesky(torch.cov(flat.T) + jitter * torch.eye(flat.shape[1], dtype=torch.float64,
                                                                          device=flat.device))
    mean, chol = mean.to(train.dtype), chol.to(train.dtype)
    shape = train.shape[1:]

    def init(m: int, generator: torch.Generator | None = None) -> torch.Tensor:
        z = torch.randn((m, flat.shape[1]), generator=generator, dtype=train.dtype, device=train.device)
        y = (mean + z @ chol.T).reshape(m, *shape)
        return y if clamp is None else y.clamp(*clamp)

    return init


def short_run_samples(energy: torch.nn.Module, init: Callable[[int, torch.Generator | None], torch.Tensor], n: int, *,
                      steps: int, step_size: float, noise_scale: float | None, grad_clip: float | None = None,
                      clamp: tuple[float, float] | None = (0.0, 1.0), generator: torch.Generator | int | None = None,
                      return_trajectory: bool = False) -> torch.Tensor:
    """``n`` samples of the short-run model: ``init(n, generator)``, then ``steps`` Langevin steps of ``energy``.

    The sampler's arguments are those of :func:`~ebmlib.samplers.langevin`. Returns (n, ...) images,
    or the (steps + 1, n, ...) trajectory.

    See chapter 9.
    """
    check_callable(init, "init", "(n, generator) -> (n, ...) starting states")
    n = check_positive(n, "n", integer=True)
    gen = as_generator(generator)
    start = init(n, gen)
    if not isinstance(start, torch.Tensor) or start.shape[0] != n:
        raise ValueError(f"init must return a tensor with {n} rows, got {getattr(start, 'shape', type(start).__name__)}")
    return langevin(energy, start, steps=steps, step_size=step_size, noise_scale=noise_scale, grad_clip=grad_clip,
                    clamp=clamp, generator=gen, return_trajectory=return_trajectory)


def train_short_run(energy: torch.nn.Module, images: torch.Tensor,
                    init: Callable[[int, torch.Generator | None], torch.Tensor], *, epochs: int, batch_size: int = 64,
                    lr: float = 1e-3, steps: int = 20, step_size: float = 10.0, noise_scale: float | None = 0.005,
                    grad_clip: float | None = 0.03, clamp: tuple[float, float] | None = (0.0, 1.0),
                    energy_penalty: float = 0.1, betas: tuple[float, float] = (0.0, 0.999), max_energy: float = 1e4,
                    generator: torch.Generator | int | None = None, progress: bool = False) -> ShortRunRecord:
    """Train ``energy`` with fresh short-run negatives: every step restarts its chains from ``init``.

    Each optimiser step (Adam) takes a batch of B training images, draws B chains from
    ``init(B, generator)``, runs ``steps`` Langevin steps of the current energy (clamped to ``clamp``)
    and minimises mean E(data) - mean E(chains) + energy_penalty (mean E(data)^2 + mean E(chains)^2),
    no gradient flowing through the chains. After every step the largest absolute mean energy is
    compared with ``max_energy`` (one host synchronisation per step).

    Args:
        energy: an ``nn.Module`` mapping (B, C, H, W) to (B,).
        images: (N, C, H, W) training images.
        init: ``init(m, generator) -> (m, C, H, W)`` starting states (the q_0 of the short-run model).
        epochs: passes over the images, >= 1.
        batch_size, lr, betas: the batch size and Adam's settings.
        steps, step_size, noise_scale, grad_clip, clamp: the Langevin sampler's settings.
        energy_penalty: alpha >= 0.
        max_energy: stop with :class:`~ebmlib.errors.DivergenceError` when the absolute mean energy exceeds it.
        generator: ``torch.Generator``, int seed or None for the batches, the starts and the noise.
        progress: show a ``tqdm.auto`` progress bar.

    Returns:
        :class:`ShortRunRecord`. Cost per step: ``steps`` forward + backward passes on B images for the
        sampler, one on 2B images for the parameters.

    See chapter 9.
    """
    if not isinstance(energy, torch.nn.Module):
        raise ValueError(f"energy must be a torch.nn.Module, got {type(energy).__name__}")
    check_tensor(images, "images", min_ndim=3)
    check_callable(init, "init", "(m, generator) -> (m, ...) starting states")
    epochs = check_positive(epochs, "epochs", integer=True)
    batch_size = check_positive(batch_size, "batch_size", integer=True)
    lr = check_positive(lr, "lr")
    steps = check_positive(steps, "steps", integer=True)
    max_energy = check_positive(max_energy, "max_energy")
    if clamp is not None:
        clamp = check_limits(clamp, "clamp")
    if isinstance(energy_penalty, bool) or not isinstance(energy_penalty, (int, float)) or not energy_penalty >= 0:
        raise ValueError(f"energy_penalty must be a number >= 0, got {energy_penalty!r}")
    gen = as_generator(generator, images.device)
    opt = torch.optim.Adam([p for p in energy.parameters() if p.requires_grad], lr=lr, betas=tuple(betas))
    n = images.shape[0]
    e_data: list[torch.Tensor] = []
    e_model: list[torch.Tensor] = []
    total = epochs * ((n + batch_size - 1) // batch_size)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, desc="short-run EBM")
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen, device=images.device)
        for first in range(0, n, batch_size):
            batch = images[order[first:first + batch_size]]
            start = init(batch.shape[0], gen)
            negatives = langevin(energy, start, steps=steps, step_size=step_size, noise_scale=noise_scale,
                                 grad_clip=grad_clip, clamp=clamp, generator=gen)
            ed, en = energy(batch), energy(negatives)
            loss = ed.mean() - en.mean() + energy_penalty * ((ed ** 2).mean() + (en ** 2).mean())
            opt.zero_grad()
            loss.backward()
            opt.step()
            e_data.append(ed.mean().detach())
            e_model.append(en.mean().detach())
            worst = max(abs(float(e_data[-1])), abs(float(e_model[-1])))
            if not worst <= max_energy:
                err = DivergenceError(f"the energies ran away: |E| = {worst:.3g} > max_energy = {max_energy:g} at "
                                      f"optimiser step {len(e_data)}", step=len(e_data))
                err.run = ShortRunRecord(torch.stack(e_data), torch.stack(e_model))
                raise err
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return ShortRunRecord(torch.stack(e_data), torch.stack(e_model))
