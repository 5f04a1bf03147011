"""One short training loop that every chapter uses: minimise a loss by gradient steps.

The chapters differ in the loss (energy, hinge, log, NLL, contrastive divergence, score matching)
and in how negatives are made; they all write that as a ``loss_fn`` and hand it to :func:`train`,
which only does the bookkeeping: batches, optimiser steps, a progress bar and the loss history.

See chapter 5.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

import torch
from tqdm.auto import tqdm

from ._checks import check_int, check_positive, check_tensor, finite_checks_deferred
from .errors import DivergenceError
from .utils import as_generator

__all__ = ["train"]

_OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


def _parameters(params_or_module) -> list[torch.Tensor]:
    """The tensors to optimise: a module's trainable parameters, or the given tensors."""
    if isinstance(params_or_module, torch.nn.Module):
        params = [p for p in params_or_module.parameters() if p.requires_grad]
        if not params:
            raise ValueError("the module has no parameter with requires_grad=True: nothing to train")
        return params
    params = [params_or_module] if isinstance(params_or_module, torch.Tensor) else list(params_or_module)
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor) or not p.is_leaf or not p.requires_grad:
            raise ValueError(f"parameter {i} must be a leaf tensor with requires_grad=True, got "
                             f"{type(p).__name__}" + (f" (requires_grad={p.requires_grad}, "
                                                      f"leaf={p.is_leaf})" if isinstance(p, torch.Tensor) else ""))
    if not params:
        raise ValueError("got no parameters to train")
    return params


def _data_tensors(data) -> tuple[tuple[torch.Tensor, ...], int]:
    """Check ``data`` (a tensor or a tuple of tensors sharing their first dimension)."""
    tensors = (data,) if isinstance(data, torch.Tensor) else tuple(data)
    if not tensors:
        raise ValueError("data must be a tensor or a non-empty tuple of tensors, got an empty tuple")
    for i, t in enumerate(tensors):
        check_tensor(t, f"data[{i}]", floating=False)
        if t.dim() == 0 or t.shape[0] != tensors[0].shape[0]:
            raise ValueError("all data tensors must share their first (sample) dimension, got shapes "
                             + ", ".join(str(tuple(t.shape)) for t in tensors))
    return tensors, tensors[0].shape[0]


def train(
    loss_fn: Callable[..., torch.Tensor],
    params_or_module: torch.nn.Module | torch.Tensor | Iterable[torch.Tensor],
    *,
    data: torch.Tensor | Sequence[torch.Tensor] | None = None,
    epochs: int,
    lr: float,
    optimizer: str = "adam",
    batch_size: int | None = None,
    generator: torch.Generator | int | None = None,
    clip_grad_norm: float | None = None,
    optimizer_kwargs: dict | None = None,
    progress: bool = True,
    desc: str = "training",
    callback: Callable[[int, float], bool | None] | None = None,
) -> list[float]:
    """Minimise ``loss_fn`` over the parameters with Adam or SGD; return the loss of each epoch.

    Each step: theta <- optimiser_step(theta, grad_theta loss_fn(batch)). An epoch is one pass over
    ``data`` in shuffled mini-batches (one step on the whole data when ``batch_size`` is None),
    or a single step ``loss_fn()`` when ``data`` is None.

    Args:
        loss_fn: ``loss_fn(batch) -> scalar tensor`` for a tensor ``data``; ``loss_fn(*batch)``
            for a tuple of tensors (e.g. ``loss_fn(x, y)``); ``loss_fn()`` when ``data`` is None.
        params_or_module: an ``nn.Module`` (its parameters with requires_grad=True are trained)
            or a tensor / iterable of leaf tensors with requires_grad=True.
        data: (N, ...) tensor, or a tuple of tensors with the same N, or None.
        epochs: number of epochs, >= 1.
        lr: learning rate, > 0.
        optimizer: ``"adam"`` or ``"sgd"``.
        batch_size: mini-batch size; None means the full data every step.
        generator: ``torch.Generator``, int seed or None (global RNG) for the shuffling (same
            generator state -> same batches).
        clip_grad_norm: if given, rescale the gradient to at most this total norm before a step.
        optimizer_kwargs: extra arguments for the optimiser (e.g. ``{"momentum": 0.9}``).
        progress: show a ``tqdm.auto`` progress bar with the current loss.
        desc: the progress bar's label.
        callback: ``callback(epoch, loss)`` after each epoch (epoch counts from 1), before the loss
            is checked (so it sees a non-finite loss and may raise its own ``DivergenceError`` with its
            record); returning True stops training early.

    Returns:
        list[float]: the loss history, a list with the mean batch loss of each epoch (length ``epochs`` unless the
        callback stopped early). The parameters are updated in place; requires_grad and
        train()/eval() states are left as they were.

    Raises:
        ValueError: on bad settings or empty data.
        ebmlib.errors.DivergenceError: a non-finite epoch loss (a ``ValueError``; ``.step`` is the
            epoch, ``.run`` the loss history before it; the parameters are left where the failing
            step put them).

    Host synchronisation: one per epoch (the epoch loss). The loop runs inside
    ``ebmlib._checks.finite_checks_deferred``, so the losses and samplers it calls skip their
    ``isfinite`` checks; a non-finite input or chain shows in the epoch loss.

    See chapter 5.
    """
    params = _parameters(params_or_module)
    epochs = check_int(epochs, "epochs")
    lr = check_positive(lr, "lr")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(_OPTIMIZERS)}, got {optimizer!r}")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    if clip_grad_norm is not None:
        clip_grad_norm = check_positive(clip_grad_norm, "clip_grad_norm")
    if data is not None:
        tensors, n = _data_tensors(data)
        unpack = not isinstance(data, torch.Tensor)
    generator = as_generator(generator)
    opt = _OPTIMIZERS[optimizer](params, lr=lr, **(optimizer_kwargs or {}))

    history: list[float] = []
    bar = tqdm(range(1, epochs + 1), desc=desc, disable=not progress)
    with finite_checks_deferred():
        _loop(bar, loss_fn, params, data, tensors if data is not None else None, batch_size, generator, opt,
              clip_grad_norm, unpack if data is not None else False, history, progress, callback, epochs, lr)
    bar.close()
    return history


def _loop(bar, loss_fn, params, data, tensors, batch_size, generator, opt, clip_grad_norm, unpack, history,
          progress, callback, epochs, lr) -> None:
    """The epochs of :func:`train` (arguments already checked)."""
    n = tensors[0].shape[0] if tensors is not None else 0
    for epoch in bar:
        if data is None:
            batches = [()]
        elif batch_size is None or batch_size >= n:
            batches = [tensors]
        else:  # a fresh permutation each epoch, cut into mini-batches
            gen_device = generator.device if generator is not None else "cpu"
            perm = torch.randperm(n, generator=generator, device=gen_device).to(tensors[0].device)
            batches = [tuple(t[idx] for t in tensors) for idx in perm.split(batch_size)]

        total = 0.0
        for batch in batches:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(*batch) if (data is None or unpack) else loss_fn(batch[0])
            if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.requires_grad:
                raise ValueError("loss_fn must return a scalar tensor that depends on the parameters, "
                                 f"got {loss!r:.80}")
            loss.backward()
            if clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(params, clip_grad_norm)
            opt.step()
            total = total + loss.detach()  # stays on the device: no sync per step

        mean = float(total) / len(batches)  # one sync per epoch
        stop = callback is not None and callback(epoch, mean)
        if not math.isfinite(mean):
            bar.close()
            raise DivergenceError(f"the loss became {mean} at epoch {epoch} (of {epochs}); "
                                  f"try a smaller learning rate than lr={lr}", step=epoch, run=list(history))
        history.append(mean)
        if progress:
            bar.set_postfix(loss=f"{mean:.4g}", refresh=False)
        if stop:
            break
