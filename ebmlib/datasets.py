"""Toy data sets of the latent-variable practica: points on an ellipse, and the "horn" of ellipses.

For x in [0, 1], the ellipse of radii

    rho(x) = [alpha * x + beta * (1 - x),  beta * x + alpha * (1 - x)] * exp(2 x)

is sampled as y = [rho_1(x) cos(theta) + eps_1, rho_2(x) sin(theta) + eps_2], theta ~ U(0, 2 pi),
eps ~ N(0, noise^2). With the defaults alpha = 1.5, beta = 2: rho(0) = (2, 1.5) and
rho(1) = (1.5 e^2, 2 e^2) ~ (11.08, 14.78). Here ``beta`` is the practicum's shape parameter, not
an inverse temperature. See chapters 2 and 4.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch

from .utils import _check_positive, _check_tensor

__all__ = ["ellipse_radii", "ellipse", "horn", "markov_sequences", "masked_token_posterior"]


def _check_nonneg_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n (the number of samples) must be a positive integer, got {n!r}")
    return _check_positive(n, "n (the number of samples)", integer=True)


def _check_generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ValueError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


def _resolve_dtype(dtype) -> torch.dtype:
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating-point torch.dtype, got {dtype!r}")
    return dtype


def ellipse_radii(x: float | torch.Tensor, alpha: float = 1.5, beta: float = 2.0) -> torch.Tensor:
    """Radii of the practicum's ellipse at position x (closed form).

    rho(x) = [alpha * x + beta * (1 - x),  beta * x + alpha * (1 - x)] * exp(2 x).

    Args:
        x: a number or a tensor of any shape (...,), usually in [0, 1].
        alpha, beta: the two shape parameters, > 0 (rho(0) = (beta, alpha)).

    Returns:
        rho, shape (..., 2) (shape (2,) for a number x), float64 for a number x.

    See chapter 2.
    """
    alpha = _check_positive(alpha, "alpha")
    beta = _check_positive(beta, "beta")
    if isinstance(x, torch.Tensor):
        _check_tensor(x, "x")  # floating, finite, not empty
    else:
        if isinstance(x, bool) or not isinstance(x, (Real, np.floating, np.integer)) or not math.isfinite(float(x)):
            raise ValueError(f"x must be a finite number or a tensor, got {x!r}")
        x = torch.tensor(float(x), dtype=torch.float64)
    scale = torch.exp(2 * x)
    return torch.stack([(alpha * x + beta * (1 - x)) * scale,
                        (beta * x + alpha * (1 - x)) * scale], dim=-1)  # (..., 2)


def _sample_on_ellipses(x: torch.Tensor, alpha: float, beta: float, noise: float,
                        generator: torch.Generator | None) -> torch.Tensor:
    """y_i on the ellipse of radii rho(x_i) at a uniform random angle, plus Gaussian noise. (n, 2)."""
    n = x.shape[0]
    theta = 2 * math.pi * torch.rand(n, generator=generator, dtype=x.dtype)  # (n,)
    eps = noise * torch.randn(n, 2, generator=generator, dtype=x.dtype)  # (n, 2)
    rho = ellipse_radii(x, alpha, beta)  # (n, 2)
    return torch.stack([rho[:, 0] * torch.cos(theta), rho[:, 1] * torch.sin(theta)], dim=-1) + eps


def ellipse(n: int, *, x: float = 0.0, alpha: float = 1.5, beta: float = 2.0, noise: float = 0.05,
            generator: torch.Generator | None = None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Sample n noisy points on the ellipse of radii rho(x) (the practicum's 2-D data).

    y = [rho_1(x) cos(theta) + eps_1, rho_2(x) sin(theta) + eps_2],
    theta ~ U(0, 2 pi), eps ~ N(0, noise^2 I); rho(0) = (beta, alpha) = (2, 1.5) by default.

    Args:
        n: number of samples, >= 1.
        x: the (fixed) position in [0, 1] that sets the radii.
        alpha, beta: shape parameters of rho, > 0 (``beta`` is not a temperature here).
        noise: standard deviation of the Gaussian noise, >= 0.
        generator: a ``torch.Generator`` for reproducible draws (global RNG if None).
        dtype: floating dtype of the result (default: torch's default dtype).

    Returns:
        y, shape (n, 2).

    See chapter 2.
    """
    n = _check_n(n)
    if isinstance(x, bool) or not isinstance(x, (Real, np.floating, np.integer)) or not math.isfinite(float(x)):
        raise ValueError(f"x must be a finite number, got {x!r}")
    noise = _check_nonneg_real(noise, "noise")
    _check_positive(alpha, "alpha")
    _check_positive(beta, "beta")
    _check_generator(generator)
    dtype = _resolve_dtype(dtype)
    xs = torch.full((n,), float(x), dtype=dtype)  # (n,)
    return _sample_on_ellipses(xs, alpha, beta, noise, generator)


def horn(n: int, *, alpha: float = 1.5, beta: float = 2.0, noise: float = 0.05, spacing: str = "random",
         generator: torch.Generator | None = None,
         dtype: torch.dtype | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample the "horn": pairs (x, y) with y on the ellipse of radii rho(x) that grows with x.

    x ~ U(0, 1) (or evenly spaced), y = [rho_1(x) cos(theta) + eps_1, rho_2(x) sin(theta) + eps_2],
    theta ~ U(0, 2 pi), eps ~ N(0, noise^2 I); rho(0) = (2, 1.5), rho(1) ~ (11.08, 14.78).

    Args:
        n: number of samples, >= 1.
        alpha, beta: shape parameters of rho, > 0.
        noise: standard deviation of the Gaussian noise, >= 0.
        spacing: ``"random"`` (x ~ U(0, 1)) or ``"even"`` (x = linspace(0, 1, n), the practicum's
            51 points for n = 51).
        generator: a ``torch.Generator`` for reproducible draws (global RNG if None).
        dtype: floating dtype of the result (default: torch's default dtype).

    Returns:
        ``(x, y)``: x of shape (n,), y of shape (n, 2).

    See chapter 4.
    """
    n = _check_n(n)
    noise = _check_nonneg_real(noise, "noise")
    _check_positive(alpha, "alpha")
    _check_positive(beta, "beta")
    _check_generator(generator)
    dtype = _resolve_dtype(dtype)
    if spacing == "random":
        x = torch.rand(n, generator=generator, dtype=dtype)  # (n,)
    elif spacing == "even":
        x = torch.linspace(0.0, 1.0, n, dtype=dtype) if n > 1 else torch.zeros(1, dtype=dtype)
    else:
        raise ValueError(f"spacing must be 'random' or 'even', got {spacing!r}")
    return x, _sample_on_ellipses(x, alpha, beta, noise, generator)


# --- chapter 4: token sequences for masked prediction ---

def _check_markov(transition, initial) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a (V, V) row-stochastic transition matrix and a (V,) initial distribution (uniform if None)."""
    _check_tensor(transition, "transition", ndim=2)
    v = transition.shape[0]
    if transition.shape != (v, v):
        raise ValueError(f"transition must be a square (V, V) matrix, got shape {tuple(transition.shape)}")
    t64 = transition.to(torch.float64)
    if bool((t64 < 0).any()) or not torch.allclose(t64.sum(1), torch.ones(v, dtype=torch.float64), atol=1e-6):
        raise ValueError("transition must have non-negative rows that sum to 1 (row a: P(next | current = a))")
    if initial is None:
        p0 = torch.full((v,), 1.0 / v, dtype=torch.float64)
    else:
        _check_tensor(initial, "initial", ndim=1)
        p0 = initial.to(torch.float64)
        if p0.shape != (v,) or bool((p0 < 0).any()) or abs(float(p0.sum()) - 1.0) > 1e-6:
            raise ValueError(f"initial must be a probability vector of shape ({v},), got {tuple(initial.shape)} "
                             f"summing to {float(initial.sum()):.4g}")
    return t64, p0


def markov_sequences(n: int, transition: torch.Tensor, *, length: int, initial: torch.Tensor | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Sample n token sequences from a Markov chain (a toy "language" with a known rule).

    s_0 ~ initial,  s_t ~ transition[s_{t-1}]:  P(s) = initial[s_0] prod_t transition[s_{t-1}, s_t].

    Args:
        n: number of sequences, >= 1.
        transition: (V, V) row-stochastic matrix, transition[a, b] = P(s_t = b | s_{t-1} = a).
        length: tokens per sequence, >= 1.
        initial: (V,) distribution of the first token (uniform if None).
        generator: a ``torch.Generator`` for reproducible draws (global RNG if None).

    Returns:
        Token ids, int64 of shape (n, length).

    See chapter 4.
    """
    n = _check_n(n)
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    _check_generator(generator)
    t64, p0 = _check_markov(transition, initial)
    seq = torch.empty(n, int(length), dtype=torch.int64)
    seq[:, 0] = torch.multinomial(p0, n, replacement=True, generator=generator)  # (n,)
    for t in range(1, int(length)):
        seq[:, t] = torch.multinomial(t64[seq[:, t - 1]], 1, generator=generator)[:, 0]  # one draw per row
    return seq


def masked_token_posterior(tokens: torch.Tensor, position: torch.Tensor, transition: torch.Tensor, *,
                           initial: torch.Tensor | None = None) -> torch.Tensor:
    """The exact distribution of a masked token given all the others, for a Markov chain (Bayes' rule).

    P(s_t = v | rest) is proportional to P(s_{t-1} -> v) P(v -> s_{t+1}) (initial[v] instead of the
    first factor at t = 0; no second factor at the last position). Only the two neighbours matter.

    Args:
        tokens: int64 token ids, (B, T); the value at the masked position is ignored.
        position: int64 masked position of each sequence, (B,), in [0, T).
        transition: (V, V) row-stochastic matrix of the chain.
        initial: (V,) distribution of the first token (uniform if None).

    Returns:
        Probabilities, float64 of shape (B, V) (rows sum to 1).

    See chapter 4.
    """
    t64, p0 = _check_markov(transition, initial)
    if not isinstance(tokens, torch.Tensor) or not isinstance(position, torch.Tensor):
        raise TypeError("tokens and position must be torch.Tensors")
    if tokens.dtype != torch.int64 or tokens.dim() != 2 or tokens.numel() == 0:
        raise ValueError(f"tokens must be a non-empty int64 tensor of shape (B, T), got {tokens.dtype} {tuple(tokens.shape)}")
    b, length = tokens.shape
    if position.dtype != torch.int64 or tuple(position.shape) != (b,):
        raise ValueError(f"position must be an int64 tensor of shape ({b},), got {position.dtype} {tuple(position.shape)}")
    v = t64.shape[0]
    if bool((tokens < 0).any()) or bool((tokens >= v).any()):
        raise ValueError(f"tokens must lie in [0, {v}) (the vocabulary of the transition matrix)")
    if bool((position < 0).any()) or bool((position >= length).any()):
        raise ValueError(f"position must lie in [0, {length}), got values from {int(position.min())} to {int(position.max())}")
    rows = torch.arange(b)
    left = tokens[rows, (position - 1).clamp(min=0)]  # (B,)
    right = tokens[rows, (position + 1).clamp(max=length - 1)]  # (B,)
    prior = torch.where((position == 0)[:, None], p0.expand(b, v), t64[left])  # (B, V): P(v | left)
    like = torch.where((position == length - 1)[:, None], torch.ones(b, v, dtype=torch.float64),
                       t64[:, right].T)  # (B, V): P(right | v)
    joint = prior * like  # (B, V)
    total = joint.sum(1, keepdim=True)
    if bool((total <= 0).any()):
        raise ValueError("some sequences have probability 0 under the chain: no token fits their neighbours")
    return joint / total
