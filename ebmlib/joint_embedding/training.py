"""Small encoders and the training loops of the joint-embedding methods of chapter 11.

One loop, :func:`train_joint_embedding`, trains an encoder on two augmented views of each digit with
any of the methods ("invariance", "infonce", "vicreg", "sigreg", "byol", "simsiam");
:func:`train_jepa` predicts the embedding of a hidden block from the visible part, and
:func:`train_pixel_predictor` predicts the block's pixels instead. See chapter 11.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import torch
from torch import nn
from tqdm.auto import tqdm

from .._checks import check_float_dtype, check_int, check_positive, check_probability, check_tensor, check_widths
from ..datasets.augment import augment_digits, block_masks
from ..models._init import perceptron
from ..utils import as_generator
from .metrics import effective_rank
from .losses import info_nce_loss, invariance_loss, jepa_loss, negative_cosine_loss, sigreg_loss, vicreg_loss

__all__ = ["EmbeddingMLP", "ema_update", "METHODS", "JointEmbeddingRun", "train_joint_embedding", "JEPARun",
           "train_jepa", "train_pixel_predictor"]

METHODS = ("invariance", "infonce", "vicreg", "sigreg", "byol", "simsiam")


class EmbeddingMLP(nn.Module):
    """A perceptron encoder h = f(x): flattens its input and maps it to a D-dimensional embedding.

    Args:
        in_dim: number of input values per item (64 for an 8 x 8 digit).
        hidden: widths of the hidden layers (SiLU between layers, none after the last).
        out_dim: the embedding dimension D.
        dtype: parameter dtype (default: torch's default dtype).
        generator: ``torch.Generator``, int seed or None for the initial weights.

    Shapes: ``forward`` maps (B, ...) with in_dim values per row to (B, out_dim).

    See chapter 11.
    """

    def __init__(self, in_dim: int = 64, hidden: tuple[int, ...] = (128,), out_dim: int = 32, *,
                 dtype: torch.dtype | None = None, generator: torch.Generator | int | None = None):
        super().__init__()
        sizes = (check_int(in_dim, "in_dim"), *check_widths(hidden), check_int(out_dim, "out_dim"))
        self.net = perceptron(sizes, dtype=check_float_dtype(dtype), generator=as_generator(generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """theta_target <- m theta_target + (1 - m) theta_online for every parameter, in place (buffers copied).

    Args:
        target: the slowly moving copy (BYOL's and I-JEPA's target encoder).
        online: the module being trained, with the same parameter shapes.
        momentum: m in [0, 1] (1 freezes the target, 0 copies the online module).

    See chapter 11.
    """
    if not isinstance(target, nn.Module) or not isinstance(online, nn.Module):
        raise ValueError("target and online must be torch.nn.Module instances, "
                         f"got {type(target).__name__} and {type(online).__name__}")
    m = check_probability(momentum, "momentum")
    p_t, p_o = list(target.parameters()), list(online.parameters())
    if len(p_t) != len(p_o) or any(a.shape != b.shape for a, b in zip(p_t, p_o)):
        raise ValueError("target must have the parameter shapes of online (an EMA copy of it)")
    for a, b in zip(p_t, p_o):
        a.mul_(m).add_(b, alpha=1 - m)
    for a, b in zip(target.buffers(), online.buffers()):
        a.copy_(b)


class JointEmbeddingRun(NamedTuple):
    """What :func:`train_joint_embedding` returns: the encoder, the predictor and target (or None), the
    losses, and the trace: (step, mean per-dimension standard deviation, effective rank) of the
    embeddings of ``monitor`` (empty without one)."""

    encoder: nn.Module
    predictor: nn.Module | None
    target: nn.Module | None
    losses: list
    trace: list


def _check_images(images) -> None:
    check_tensor(images, "images", ndim=4)
    if images.shape[0] < 2:
        raise ValueError(f"images must hold at least 2 images, got {images.shape[0]}")


def _check_run(images, steps, batch_size, dim, hidden, lr, momentum):
    """The checks every training loop of this module makes, at entry; returns the checked values."""
    _check_images(images)
    steps, batch_size = check_int(steps, "steps"), check_int(batch_size, "batch_size")
    dim, hidden = check_int(dim, "dim"), check_widths(hidden)
    if batch_size > images.shape[0]:
        raise ValueError(f"batch_size must be at most the number of images {images.shape[0]}, got {batch_size}")
    return steps, batch_size, dim, hidden, check_positive(lr, "lr"), check_probability(momentum, "momentum")


def _step(opt: torch.optim.Optimizer, loss: torch.Tensor, target: nn.Module | None, online: nn.Module,
          momentum: float, losses: list) -> None:
    """The tail of every training step of this module: backward, the optimiser's step, the EMA update of
    ``target`` (if any) from ``online``, and the detached loss appended to ``losses``, left on its device
    (no host sync per step; :func:`_floats` converts the list once, at the end)."""
    opt.zero_grad()
    loss.backward()
    opt.step()
    if target is not None:
        ema_update(target, online, momentum)
    losses.append(loss.detach())


def _floats(losses: list) -> list:
    """The per-step loss tensors as Python floats, with one host sync for the whole run."""
    return torch.stack(losses).tolist() if losses else []


def train_joint_embedding(images: torch.Tensor, method: str, *, dim: int = 32, hidden: tuple[int, ...] = (128,),
                          steps: int = 400, batch_size: int = 256, lr: float = 1e-3, temperature: float = 0.2,
                          vicreg_weights: tuple[float, float, float] = (25.0, 25.0, 1.0), sigreg_weight: float = 0.05, sigreg_directions: int = 64,
                          momentum: float = 0.99, augment: dict | None = None,
                          monitor: torch.Tensor | None = None, monitor_every: int = 25,
                          generator: torch.Generator | int | None = 0, progress: bool = False) -> JointEmbeddingRun:
    """Train an encoder with Adam on pairs of augmented views (two calls of :func:`~ebmlib.datasets.augment.augment_digits`).

    Per step, with h_1 = f(v_1), h_2 = f(v_2) of a mini-batch:
    "invariance": invariance_loss(h_1, h_2) alone (collapses); "infonce": NT-Xent at ``temperature``;
    "vicreg": vicreg_loss with ``vicreg_weights``; "sigreg": LeJEPA's (1 - lambda) invariance +
    lambda (SIGReg(h_1) + SIGReg(h_2))/2; "byol": a predictor q and an EMA target f', loss
    -cos(q(h_1), f'(v_2)) - cos(q(h_2), f'(v_1)), then f' <- EMA(f); "simsiam": the same with f
    itself, stop-gradient, as the target.

    Args:
        images: (N, 1, 8, 8) digits. method: one of ``METHODS``.
        dim, hidden: the encoder's embedding dimension and hidden widths (the predictor has the same).
        steps, batch_size, lr: Adam steps, mini-batch size (<= N) and learning rate.
        temperature, vicreg_weights, sigreg_weight, momentum: the methods' settings;
            sigreg_directions: the number of random directions of each SIGReg call.
        augment: keyword arguments for :func:`~ebmlib.datasets.augment.augment_digits` (default: its defaults).
        monitor: optional (M, 1, 8, 8) images whose embeddings are measured every ``monitor_every``
            steps (and at step 0) for the trace.
        generator: ``torch.Generator`` or int seed (default 0) for the weights, batches and views.
        progress: show a ``tqdm.auto`` bar.

    Returns:
        :class:`JointEmbeddingRun`. Cost: ``steps`` x (two encoder passes on a batch).

    See chapter 11.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    steps, batch_size, dim, hidden, lr, m = _check_run(images, steps, batch_size, dim, hidden, lr, momentum)
    lam = check_probability(sigreg_weight, "sigreg_weight")
    n_dir = check_int(sigreg_directions, "sigreg_directions")
    aug = dict(augment or {})
    gen = as_generator(generator) or torch.Generator().manual_seed(int(torch.randint(0, 2**31, ())))
    enc = EmbeddingMLP(images[0].numel(), hidden, dim, dtype=images.dtype, generator=gen)
    params = list(enc.parameters())
    pred = target = None
    if method in ("byol", "simsiam"):
        pred = EmbeddingMLP(dim, hidden, dim, dtype=images.dtype, generator=gen)
        params += list(pred.parameters())
        if method == "byol":
            target = copy.deepcopy(enc).requires_grad_(False)
    opt = torch.optim.Adam(params, lr=lr)
    losses, trace = [], []
    every = check_int(monitor_every, "monitor_every")
    if monitor is not None:
        check_tensor(monitor, "monitor", ndim=4)

    def measure(step):
        with torch.no_grad():
            h = enc(monitor)
        trace.append((step, h.std(dim=0).mean().item(), effective_rank(h)))

    for step in tqdm(range(steps), desc=method, disable=not progress):
        if monitor is not None and step % every == 0:
            measure(step)
        batch = images[torch.randperm(images.shape[0], generator=gen)[:batch_size]]
        v1, v2 = augment_digits(batch, generator=gen, **aug), augment_digits(batch, generator=gen, **aug)
        h1, h2 = enc(v1), enc(v2)
        if method == "invariance":
            loss = invariance_loss(h1, h2)
        elif method == "infonce":
            loss = info_nce_loss(h1, h2, temperature=temperature, symmetric=True)
        elif method == "vicreg":
            loss = vicreg_loss(h1, h2, weights=vicreg_weights)
        elif method == "sigreg":
            reg = (sigreg_loss(h1, n_directions=n_dir, generator=gen) + sigreg_loss(h2, n_directions=n_dir, generator=gen)) / 2
            loss = (1 - lam) * invariance_loss(h1, h2) + lam * reg
        else:
            t1, t2 = (target(v1), target(v2)) if target is not None else (h1, h2)
            loss = negative_cosine_loss(pred(h1), t2) + negative_cosine_loss(pred(h2), t1)
        _step(opt, loss, target, enc, m, losses)
    if monitor is not None:
        measure(steps)
    return JointEmbeddingRun(enc, pred, target, _floats(losses), trace)


class JEPARun(NamedTuple):
    """What :func:`train_jepa` and :func:`train_pixel_predictor` return."""

    encoder: nn.Module  # the context encoder
    predictor: nn.Module  # (h_context, mask) -> the target's embedding, or the block's pixels
    target: nn.Module | None  # the EMA target encoder (None for the pixel predictor)
    losses: list


def _masked_training(images, pixel: bool, dim, hidden, steps, batch_size, lr, block, momentum, generator, progress):
    steps, batch_size, dim, hidden, lr, m = _check_run(images, steps, batch_size, dim, hidden, lr, momentum)
    side = images.shape[-1]
    block = check_int(block, "block")
    if block >= side:
        raise ValueError(f"block must be smaller than the image side {side}, got {block}")
    gen = as_generator(generator) or torch.Generator().manual_seed(int(torch.randint(0, 2**31, ())))
    n_pix = images[0].numel()
    enc = EmbeddingMLP(n_pix, hidden, dim, dtype=images.dtype, generator=gen)
    pred = EmbeddingMLP(dim + n_pix, hidden, n_pix if pixel else dim, dtype=images.dtype, generator=gen)
    target = None if pixel else copy.deepcopy(enc).requires_grad_(False)
    opt = torch.optim.Adam([*enc.parameters(), *pred.parameters()], lr=lr)
    losses = []
    for _ in tqdm(range(steps), desc="pixels" if pixel else "jepa", disable=not progress):
        batch = images[torch.randperm(images.shape[0], generator=gen)[:batch_size]]
        mask = block_masks(batch.shape[0], size=block, image_size=side, generator=gen).to(batch.dtype)  # (B, 1, S, S)
        out = pred(torch.cat([enc(batch * (1 - mask)), mask.flatten(1)], dim=1))
        if pixel:  # squared error on the hidden pixels only
            loss = ((out - batch.flatten(1)).pow(2) * mask.flatten(1)).sum() / mask.sum()
        else:
            loss = jepa_loss(out, target(batch * mask))
        _step(opt, loss, target, enc, m, losses)
    return JEPARun(enc, pred, target, _floats(losses))


def train_jepa(images: torch.Tensor, *, dim: int = 32, hidden: tuple[int, ...] = (128,), steps: int = 400,
               batch_size: int = 256, lr: float = 1e-3, block: int = 4, momentum: float = 0.99,
               generator: torch.Generator | int | None = 0, progress: bool = False) -> JEPARun:
    """A joint-embedding predictive architecture on digits: predict the embedding of a hidden block.

    Per image a random block x block mask M is drawn; the context encoder sees the rest,
    h_x = f((1 - M) x); the EMA target encoder sees only the block, h_y = f'(M x); the predictor
    guesses h_y from (h_x, M); the loss is :func:`~ebmlib.joint_embedding.losses.jepa_loss` (stop-gradient on h_y), then f' <- EMA(f).

    Args:
        images: (N, 1, S, S) digits. dim, hidden: embedding dimension and hidden widths.
        steps, batch_size, lr: Adam steps, mini-batch size and learning rate.
        block: side of the hidden block (< S). momentum: EMA momentum of the target encoder.
        generator: ``torch.Generator`` or int seed (default 0). progress: show a ``tqdm.auto`` bar.

    Returns:
        :class:`JEPARun` (context encoder, predictor, target encoder, losses).

    See chapter 11.
    """
    return _masked_training(images, False, dim, hidden, steps, batch_size, lr, block, momentum, generator, progress)


def train_pixel_predictor(images: torch.Tensor, *, dim: int = 32, hidden: tuple[int, ...] = (128,), steps: int = 400,
                          batch_size: int = 256, lr: float = 1e-3, block: int = 4,
                          generator: torch.Generator | int | None = 0, progress: bool = False) -> JEPARun:
    """The same masked prediction in pixel space: an encoder h_x = f((1 - M) x) and a decoder that
    predicts all pixels from (h_x, M), trained by squared error on the hidden pixels only.

    Arguments as in :func:`train_jepa` (no target encoder). Returns a :class:`JEPARun` whose
    ``predictor`` outputs (B, S*S) pixels and whose ``target`` is None.

    See chapter 11.
    """
    return _masked_training(images, True, dim, hidden, steps, batch_size, lr, block, 0.0, generator, progress)
