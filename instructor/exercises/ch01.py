"""Checkers for the coding exercises of chapter 1 (energy functions and inference).

Each checker runs your function on several cases and compares with an independent reference:
autograd for gradients, the closed form of gradient descent on a quadratic, brute-force
enumeration for chains. It returns ``correct``, ``incorrect: ...`` or ``not attempted``.
"""

from __future__ import annotations

import itertools
from typing import Callable

import torch

from . import _seed
from ebmlib.exercises._recorded import CaseFn
from ebmlib.exercises._common import CORRECT, Verdict, checker, incorrect

__all__ = ["check_parabola_grad", "check_gradient_step", "check_gradient_inference", "check_min_sum_chain"]


def _gen(seed: int) -> torch.Generator:
    return _seed.gen(seed)


def _is_tensor_of_shape(out, shape) -> bool:
    return isinstance(out, torch.Tensor) and tuple(out.shape) == tuple(shape)


@checker
def check_parabola_grad(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Verdict:
    """Check ``fn(x, y)`` = dF/dy of F(x, y) = (y_1^2 - x)^2, for x (B,) and y (B, 1), against autograd."""
    for seed, batch in [(0, 1), (1, 5), (2, 17)]:
        g = _gen(seed)
        x = torch.rand(batch, generator=g, dtype=torch.float64) * 4
        y = torch.randn(batch, 1, generator=g, dtype=torch.float64) * 2
        y_req = y.clone().requires_grad_(True)
        (ref,) = torch.autograd.grad(((y_req[:, 0] ** 2 - x) ** 2).sum(), y_req)
        out = fn(x.clone(), y.clone())
        if not _is_tensor_of_shape(out, (batch, 1)):
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            return incorrect(f"for y of shape ({batch}, 1) expected a tensor of shape ({batch}, 1), got {got}")
        if not torch.allclose(out.detach().to(torch.float64), ref, rtol=1e-6, atol=1e-8):
            return incorrect("the gradient differs from autograd's (check the chain rule: the outer square "
                             "and the derivative of y^2)")
    return CORRECT


def _test_energies():
    """Energies (B, D) -> (B,) used by the gradient checkers, with a few fixed starting points."""
    g = _gen(3)
    M = torch.randn(3, 3, generator=g, dtype=torch.float64)
    A = M @ M.T + torch.eye(3, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    cases = [
        (CaseFn("quad_bias", A, b), torch.randn(4, 3, generator=g, dtype=torch.float64)),
        (CaseFn("double_well"),
         torch.randn(6, 2, generator=g, dtype=torch.float64)),
        (CaseFn("cos_quartic"), torch.randn(2, 5, generator=g, dtype=torch.float64)),
    ]
    return cases


def _autograd_step(energy, y, step_size):
    y_req = y.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(energy(y_req).sum(), y_req)
    return y - step_size * grad


@checker
def check_gradient_step(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(energy, y, step_size)`` = y - step_size * dE/dy (one gradient step, y of shape (B, D))."""
    for energy, y in _test_energies():
        for step_size in (0.01, 0.1):
            y_in = y.clone()
            out = fn(energy, y_in, step_size)
            if not _is_tensor_of_shape(out, y.shape):
                got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
                return incorrect(f"expected a tensor of the same shape as y {tuple(y.shape)}, got {got}")
            if not torch.equal(y_in, y):
                return incorrect("your function changed y in place; return a new tensor instead")
            if not torch.allclose(out.detach(), _autograd_step(energy, y, step_size), rtol=1e-6, atol=1e-9):
                return incorrect("the step differs from y - step_size * dE/dy; check the sign and the scaling")
    return CORRECT


@checker
def check_gradient_inference(fn: Callable[..., torch.Tensor]) -> Verdict:
    """Check ``fn(energy, y0, steps, step_size)`` = y after ``steps`` gradient steps from y0 (shape (B, D)).

    The reference is the closed form of gradient descent on a quadratic,
    y_T = y* + (I - step_size A)^T (y0 - y*), plus a step-by-step autograd run on a non-quadratic energy.
    """
    g = _gen(4)
    M = torch.randn(2, 2, generator=g, dtype=torch.float64)
    A = M @ M.T + 0.5 * torch.eye(2, dtype=torch.float64)
    b = torch.randn(2, generator=g, dtype=torch.float64)
    y_star = torch.linalg.solve(A, b)
    energy = CaseFn("quad_bias", A, b)
    step_size = 0.5 / float(torch.linalg.eigvalsh(A).max())
    y0 = torch.randn(5, 2, generator=g, dtype=torch.float64) * 3
    for steps in (0, 1, 7, 60):
        y_in = y0.clone()
        out = fn(energy, y_in, steps, step_size)
        if not _is_tensor_of_shape(out, y0.shape):
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            return incorrect(f"expected a tensor of the same shape as y0 {tuple(y0.shape)}, got {got}")
        if not torch.equal(y_in, y0):
            return incorrect("your function changed y0 in place; work on a copy")
        contraction = torch.linalg.matrix_power(torch.eye(2, dtype=torch.float64) - step_size * A, steps)
        ref = y_star + (y0 - y_star) @ contraction.T  # (B, 2)
        if not torch.allclose(out.detach(), ref, rtol=1e-6, atol=1e-8):
            return incorrect(f"after {steps} steps on a quadratic bowl your result is not where gradient "
                             "descent lands (check the number of steps, the sign and step_size)")
    for energy, y in _test_energies()[1:]:
        ref = y.clone()
        for _ in range(5):
            ref = _autograd_step(energy, ref, 0.05)
        out = fn(energy, y.clone(), 5, 0.05)
        if not _is_tensor_of_shape(out, y.shape) or not torch.allclose(out.detach(), ref, rtol=1e-6, atol=1e-9):
            return incorrect("on a non-quadratic energy your 5 steps differ from plain gradient descent")
    return CORRECT


def _brute_force_chain(unary: torch.Tensor, pairwise: torch.Tensor) -> float:
    n_steps, k = unary.shape
    best = float("inf")
    for states in itertools.product(range(k), repeat=n_steps):
        e = sum(float(unary[t, s]) for t, s in enumerate(states))
        e += sum(float(pairwise[t, states[t], states[t + 1]]) for t in range(n_steps - 1))
        best = min(best, e)
    return best


@checker
def check_min_sum_chain(fn: Callable[..., tuple]) -> Verdict:
    """Check ``fn(unary (T, K), pairwise (T-1, K, K)) -> (states (T,), min_energy)`` against brute force."""
    for seed, (n_steps, k) in enumerate([(1, 3), (2, 2), (4, 3), (6, 4), (5, 5)]):
        g = _gen(100 + seed)
        unary = torch.randn(n_steps, k, generator=g, dtype=torch.float64)
        pairwise = torch.randn(max(n_steps - 1, 0), k, k, generator=g, dtype=torch.float64)
        out = fn(unary.clone(), pairwise.clone())
        if not isinstance(out, tuple) or len(out) != 2:
            return incorrect("expected a pair (states, min_energy)")
        states, min_energy = out
        states = torch.as_tensor(states).reshape(-1)
        if states.numel() != n_steps or states.is_floating_point():
            return incorrect(f"states must be {n_steps} integers for a chain of length {n_steps}")
        if bool((states < 0).any()) or bool((states >= k).any()):
            return incorrect(f"states must lie in 0..{k - 1}")
        ref = _brute_force_chain(unary, pairwise)
        if not abs(float(min_energy) - ref) <= 1e-8:  # written so that a NaN fails too
            return incorrect(f"min_energy is not the minimum over all {k}^{n_steps} sequences (T={n_steps}, K={k})")
        s = states.long().tolist()
        e_states = sum(float(unary[t, v]) for t, v in enumerate(s))
        e_states += sum(float(pairwise[t, s[t], s[t + 1]]) for t in range(n_steps - 1))
        if abs(e_states - ref) > 1e-8:
            return incorrect("min_energy is right but the returned states do not reach it (check the backtracking)")
    return CORRECT


# replayed answers are checked as these checkers do: the input tensor must not change in place
check_gradient_step.replay = {"unchanged_inputs": True}
check_gradient_inference.replay = {"unchanged_inputs": True}
