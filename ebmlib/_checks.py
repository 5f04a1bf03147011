"""The validation layer: every input check of ebmlib, in one private module.

Public entry points validate their arguments here, once, and then trust them: inner loops and
``forward`` methods do not check (a check on a GPU tensor is a host synchronisation). Every check
raises ``ValueError`` (``TypeError`` for a non-tensor) whose message names the argument, what was
expected and what came.

Finiteness checks (``isfinite``: a host synchronisation each) are skipped inside
:func:`finite_checks_deferred`, which :func:`ebmlib.train` enters around its loop: a loss called at
every optimiser step then costs no synchronisation, and a non-finite input, energy or chain shows as a
non-finite epoch loss, which ``train`` turns into a :class:`~ebmlib.errors.DivergenceError` (one
synchronisation per epoch). Shape, type and dtype checks always run (they cost no synchronisation).
"""

from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from numbers import Real
from typing import Callable, Iterator

import numpy as np
import torch

_DEFERRED = contextvars.ContextVar("ebmlib_finite_checks_deferred", default=False)


@contextmanager
def finite_checks_deferred() -> Iterator[None]:
    """Inside: no ``isfinite`` check (no host synchronisation); the caller checks its result instead."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def finite_checks_on() -> bool:
    """False inside :func:`finite_checks_deferred`."""
    return not _DEFERRED.get()


def check_tensor(t, name: str, *, ndim: int | tuple[int, ...] | None = None,
                  finite: bool = True, floating: bool = True, min_ndim: int | None = None) -> torch.Tensor:
    """Check that ``t`` is a tensor with the expected number of dims and finite floating values.

    ``ndim`` names the allowed numbers of dimensions; ``min_ndim`` asks for at least that many
    (``min_ndim=2`` for a batch (B, ...) of points or images).
    """
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.dim() not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {tuple(t.shape)}")
    if min_ndim is not None and t.dim() < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions (B, ...), got shape {tuple(t.shape)}")
    if floating and not t.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    if t.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}")
    if finite and t.is_floating_point() and not _DEFERRED.get() and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return t


def check_positive(value, name: str, *, allow_inf: bool = False, integer: bool = False):
    """Check that ``value`` is a real number > 0 (and finite unless ``allow_inf``)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    value_f = float(value)
    if math.isnan(value_f) or value_f <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if math.isinf(value_f) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value!r}")
    if integer and value_f != int(value_f):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value) if integer else value_f


def check_real(value, name: str) -> float:
    """Check that ``value`` is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def check_nonneg_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_int(value, name: str, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer (not a bool, not a float) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_widths(hidden, name: str = "hidden") -> tuple[int, ...]:
    """Check the hidden-layer widths of a network: a non-empty sequence of positive integers."""
    try:
        widths = tuple(hidden)
    except TypeError:
        raise ValueError(f"{name} must be a non-empty sequence of positive integers, got {hidden!r}") from None
    if not widths or any(isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1 for h in widths):
        raise ValueError(f"{name} must be a non-empty sequence of positive integers, got {hidden!r}")
    return tuple(int(h) for h in widths)


def check_nonneg_real(value, name: str) -> float:
    """Check that ``value`` is a finite real number >= 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)) \
            or not math.isfinite(float(value)) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_probability(value, name: str) -> float:
    """Check that ``value`` is a real number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def check_limits(lim, name: str) -> tuple[float, float]:
    """Check that ``lim`` is a pair (low, high) of finite numbers with low < high."""
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {lim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be finite with low < high, got {lim!r}")
    return lo, hi


def check_in_range(value, value_range, name: str, range_name: str) -> tuple[float, float, float]:
    """Check a positive range (low, high) with low < high and a positive value inside it; return (value, low, high)."""
    lo, hi = (check_positive(v, range_name) for v in value_range)
    if not lo < hi:
        raise ValueError(f"{range_name} must be (low, high) with low < high, got {value_range!r}")
    value = check_positive(value, name)
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value} must lie inside {range_name}={value_range!r}")
    return value, lo, hi


def check_float_dtype(dtype, name: str = "dtype") -> torch.dtype:
    """Check a floating ``torch.dtype`` (None: torch's default dtype) and return it."""
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"{name} must be a floating-point torch.dtype, got {dtype!r}")
    return dtype


def check_energy_output(e, batch: int, name: str = "energy", *, where: str = "") -> torch.Tensor:
    """Check that an energy function returned a finite tensor of shape (B,).

    ``where`` says on what the energy was evaluated (e.g. ``"on the grid"``) for the message.
    """
    at = f" {where}" if where else ""
    if not isinstance(e, torch.Tensor):
        raise ValueError(f"{name} must return a torch.Tensor of shape ({batch},){at}, got {type(e).__name__}")
    if tuple(e.shape) != (batch,):
        raise ValueError(f"{name} must return shape ({batch},) (one energy per sample){at}, got {tuple(e.shape)}")
    if not _DEFERRED.get() and not bool(torch.isfinite(e).all()):
        raise ValueError(f"{name} returned NaN or infinite values{at}")
    return e


def energy_on(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor, name: str = "energy", *,
              where: str = "") -> torch.Tensor:
    """Evaluate ``energy(y)`` and check its output once (shape (B,), finite); the entry-point helper."""
    return check_energy_output(energy(y), y.shape[0], name, where=where)


def check_sigmas(sigmas, name: str = "sigmas", *, decreasing: bool = False) -> torch.Tensor:
    """Check a (L,) tensor of positive noise levels (strictly decreasing, largest first, if asked)."""
    check_tensor(sigmas, name, ndim=1)
    if not bool((sigmas > 0).all()):
        raise ValueError(f"{name} must be > 0")
    if decreasing and sigmas.shape[0] > 1 and not bool((sigmas[1:] < sigmas[:-1]).all()):
        raise ValueError(f"{name} must be decreasing (largest first)")
    return sigmas


def score_on(score: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], y: torch.Tensor, sigma: torch.Tensor,
             name: str = "score") -> torch.Tensor:
    """Evaluate a noise-conditional ``score(y, sigma)`` and check its output once: shape (B, D) like ``y``."""
    s = score(y, sigma)
    if not isinstance(s, torch.Tensor) or s.shape != y.shape:
        got = tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__
        raise ValueError(f"{name} must return shape {tuple(y.shape)} (one score per point), got {got}")
    return s


def check_callable(f, name: str, what: str = "y of shape (B, ...) -> energies (B,)") -> Callable:
    """Check that ``f`` is callable."""
    if not callable(f):
        raise ValueError(f"{name} must be callable ({what}), got {type(f).__name__}")
    return f


def energy_and_grad(energy: Callable[[torch.Tensor], torch.Tensor], y: torch.Tensor, *,
                    check: bool = False, name: str = "energy") -> tuple[torch.Tensor, torch.Tensor]:
    """Energies (B,) and their input-gradient (B, ...) at ``y``, detached; no parameter gets a ``.grad``.

    Uses ``torch.autograd.grad`` with respect to ``y`` only, so a module's parameters are left
    untouched (no ``.grad`` is written) whether or not they require gradients. With ``check=True``
    (once, at an entry point) the energy's output is validated: shape (B,), finite, and
    differentiable in ``y``; inner loops call it with ``check=False`` and validate nothing.
    """
    with torch.enable_grad():
        y_var = y.detach().requires_grad_(True)
        e = energy(y_var)
        if check:
            check_energy_output(e, y.shape[0], name)
            if not e.requires_grad:
                raise ValueError(f"{name}(y) does not depend on y through autograd (its output has no grad_fn)")
        (grad,) = torch.autograd.grad(e.sum(), y_var)
    return e.detach(), grad


def check_markov_chain(transition, initial) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a (V, V) row-stochastic transition matrix and a (V,) initial distribution (uniform if None).

    Returns both in float64.
    """
    check_tensor(transition, "transition", ndim=2)
    v = transition.shape[0]
    if transition.shape != (v, v):
        raise ValueError(f"transition must be a square (V, V) matrix, got shape {tuple(transition.shape)}")
    t64 = transition.to(torch.float64)
    if bool((t64 < 0).any()) or not torch.allclose(t64.sum(1), torch.ones(v, dtype=torch.float64), atol=1e-6):
        raise ValueError("transition must have non-negative rows that sum to 1 (row a: P(next | current = a))")
    if initial is None:
        return t64, torch.full((v,), 1.0 / v, dtype=torch.float64)
    check_tensor(initial, "initial", ndim=1)
    p0 = initial.to(torch.float64)
    if p0.shape != (v,) or bool((p0 < 0).any()) or abs(float(p0.sum()) - 1.0) > 1e-6:
        raise ValueError(f"initial must be a probability vector of shape ({v},), got {tuple(initial.shape)} "
                         f"summing to {float(initial.sum()):.4g}")
    return t64, p0


def check_fitted_input(y, fitted: torch.Tensor | None, name: str = "y") -> torch.Tensor:
    """For a fitted model's methods: ``fitted`` (a learned (K, D) array, None before ``.fit``) must
    exist and ``y`` must be (B, D); returns ``y`` in the model's dtype."""
    if fitted is None:
        raise ValueError("the model must be fitted first (call .fit(y))")
    check_tensor(y, name, ndim=2)
    if y.shape[1] != fitted.shape[1]:
        raise ValueError(f"{name} must have shape (B, {fitted.shape[1]}), got {tuple(y.shape)}")
    return y.to(fitted.dtype)


def check_index(value, size: int, name: str) -> int:
    """Check that ``value`` is an integer index in [0, ``size``) (not a bool, not a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < size:
        raise ValueError(f"{name} must be an integer index in [0, {size}), got {value!r}")
    return int(value)


REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction) -> str:
    """``reduction`` of a loss: ``"mean"`` (the default everywhere), ``"sum"`` or ``"none"``."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def reduce_loss(per_example: torch.Tensor, reduction: str) -> torch.Tensor:
    """(B,) per-example losses -> their mean, their sum, or themselves (``reduction`` already checked)."""
    if reduction == "mean":
        return per_example.mean()
    return per_example.sum() if reduction == "sum" else per_example
