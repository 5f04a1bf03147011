"""Inference = minimising an energy over y: gradient descent from one or many starts, and exact
min-sum dynamic programming on a chain. See chapter 1.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch
from tqdm.auto import tqdm

from ._checks import (check_callable, check_nonneg_int, check_positive, check_tensor,
                      energy_and_grad)
from .samplers._driver import run_chain

__all__ = [
    "gradient_inference",
    "multi_start_inference",
    "MultiStartResult",
    "min_sum_chain",
    "chain_energy",
]

Energy = Callable[[torch.Tensor], torch.Tensor]



def descent_step(energy: Energy, y: torch.Tensor, *, step_size: float, grad: torch.Tensor | None = None) -> torch.Tensor:
    """One gradient-descent step on y, unchecked (the kernel of :func:`gradient_inference`): y - eps grad E(y).

    Not exported: a kernel trusts its arguments; the checked entry point is :func:`gradient_inference`.
    """
    if grad is None:
        _, grad = energy_and_grad(energy, y)
    return y - step_size * grad  # (B, ...)


# --------------------------------------------------------------------------------------------
# Gradient-based inference
# --------------------------------------------------------------------------------------------

def gradient_inference(
    energy: Energy,
    y0: torch.Tensor,
    *,
    steps: int = 100,
    step_size: float = 0.1,
    return_trajectory: bool = False,
    progress: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Find low-energy outputs by gradient descent on y, one independent descent per row of y0.

    y_{t+1} = y_t - eps * dF/dy (y_t),   t = 0, ..., steps - 1

    The energy's parameters are left alone (no ``requires_grad`` flips, no ``.grad`` written):
    the gradient is taken with respect to y only. The energy's output is validated once, at y0;
    the iterates are checked for NaN/inf every few steps and after the last.

    Args:
        energy: callable mapping y (B, ...) to energies (B,).
        y0: starting points, shape (B, ...) (usually (B, D)).
        steps: number of gradient steps (>= 0).
        step_size: eps > 0 (default 0.1).
        return_trajectory: also return every iterate.
        progress: show a tqdm progress bar.

    Returns:
        The final points y_T, shape (B, ...); with ``return_trajectory=True`` the pair
        ``(y_T, trajectory)`` where trajectory has shape (steps + 1, B, ...) and starts with y0
        (the convention of every function that is not a sampler: its usual result, then the
        trajectory).

    Raises:
        ValueError: bad settings or shapes, or an energy that is not finite (B,) at y0.
        ebmlib.errors.DivergenceError: the iterates reached NaN/inf (a step size too large for the landscape).

    See chapter 1.
    """
    check_callable(energy, "energy", "y of shape (B, ...) -> energies of shape (B,)")
    check_tensor(y0, "y0", min_ndim=2)
    steps = check_nonneg_int(steps, "steps")
    eps = check_positive(step_size, "step_size")
    y = y0.detach().clone()
    _, grad = energy_and_grad(energy, y, check=True)  # validated once, at the start
    first = [grad]

    def step(y: torch.Tensor) -> torch.Tensor:
        return descent_step(energy, y, step_size=eps, grad=first.pop() if first else None)

    out = run_chain(step, y, steps, return_trajectory=return_trajectory, progress=progress,
                    desc="gradient inference", hint=f"gradient inference diverged; the step size {eps} is probably "
                                                    "too large for this energy's curvature, try a smaller one")
    if return_trajectory:
        return out[-1], out  # (B, ...), (steps + 1, B, ...)
    return out


class MultiStartResult(NamedTuple):
    """Result of :func:`multi_start_inference` (S starts, batch B, dimension D)."""

    best: torch.Tensor  # (B, D): the lowest-energy end for each batch element
    best_energy: torch.Tensor  # (B,)
    best_index: torch.Tensor  # (B,) long: which start gave the best end
    ends: torch.Tensor  # (S, B, D): every end
    end_energies: torch.Tensor  # (S, B)


def multi_start_inference(energy: Energy, starts: torch.Tensor, *, steps: int = 100, step_size: float = 0.1,
                          progress: bool = False) -> MultiStartResult:
    """Run gradient inference from S starts per batch element and keep the lowest end.

    y_best[b] = argmin_{s} F(y_T^{(s)}[b]),   y_T^{(s)} = gradient_inference(F, starts[s])

    Each start s is a full batch (B, D), so a conditional energy that depends on the batch row
    (e.g. ``lambda y: parabola(x, y)`` with x of shape (B,)) works unchanged.

    Args:
        energy: callable mapping y (B, D) to energies (B,).
        starts: starting points, shape (S, B, D).
        steps, step_size, progress: as in :func:`gradient_inference`.

    Returns:
        A :class:`MultiStartResult` (best (B, D), best_energy (B,), best_index (B,),
        ends (S, B, D), end_energies (S, B)).

    See chapter 1.
    """
    check_tensor(starts, "starts", ndim=3)
    ends, energies = [], []
    for s in tqdm(range(starts.shape[0]), disable=not progress, desc="starts"):
        y = gradient_inference(energy, starts[s], steps=steps, step_size=step_size)
        with torch.no_grad():
            e = energy(y)  # (B,)
        ends.append(y)
        energies.append(e.detach())
    ends_t = torch.stack(ends)  # (S, B, D)
    energies_t = torch.stack(energies)  # (S, B)
    best_index = energies_t.argmin(dim=0)  # (B,)
    batch = torch.arange(starts.shape[1])
    return MultiStartResult(
        best=ends_t[best_index, batch],  # (B, D)
        best_energy=energies_t[best_index, batch],  # (B,)
        best_index=best_index,
        ends=ends_t,
        end_energies=energies_t,
    )


# --------------------------------------------------------------------------------------------
# Exact inference on a chain: min-sum dynamic programming (Viterbi)
# --------------------------------------------------------------------------------------------

def _check_chain(unary: torch.Tensor, pairwise: torch.Tensor) -> torch.Tensor:
    """Check a chain's tables and return the pairwise table expanded to (T - 1, K, K)."""
    check_tensor(unary, "unary", ndim=2)
    n_steps, k = unary.shape
    if n_steps == 1 and isinstance(pairwise, torch.Tensor) and pairwise.dim() == 3 and pairwise.numel() == 0:
        return pairwise.to(unary.dtype)  # a chain of length 1 has no edges: (0, K, K) is fine
    check_tensor(pairwise, "pairwise", ndim=(2, 3))
    if pairwise.dim() == 2:
        if tuple(pairwise.shape) != (k, k):
            raise ValueError(f"pairwise must have shape ({k}, {k}) or ({n_steps - 1}, {k}, {k}) for unary "
                             f"{tuple(unary.shape)}, got {tuple(pairwise.shape)}")
        pairwise = pairwise.expand(max(n_steps - 1, 0), k, k)  # (T - 1, K, K)
    elif tuple(pairwise.shape) != (n_steps - 1, k, k):
        raise ValueError(f"pairwise must have shape ({k}, {k}) or ({n_steps - 1}, {k}, {k}) for unary "
                         f"{tuple(unary.shape)}, got {tuple(pairwise.shape)}")
    return pairwise.to(unary.dtype)


def chain_energy(states: torch.Tensor, unary: torch.Tensor, pairwise: torch.Tensor) -> torch.Tensor:
    """Energy of one or many state sequences on a chain.

    E(s) = sum_t U[t, s_t] + sum_t P_t[s_t, s_{t+1}]

    Args:
        states: integer states, shape (T,) or (N, T), values in 0..K-1.
        unary: unary energies U, shape (T, K).
        pairwise: pairwise energies P, shape (K, K) (shared) or (T - 1, K, K).

    Returns:
        Energy, shape () for states (T,) or (N,) for states (N, T).

    See chapter 1.
    """
    pairwise = _check_chain(unary, pairwise)
    n_steps, k = unary.shape
    if not isinstance(states, torch.Tensor):
        raise TypeError(f"states must be a torch.Tensor, got {type(states).__name__}")
    if states.is_floating_point() or states.dtype == torch.bool:
        raise ValueError(f"states must be an integer tensor, got dtype {states.dtype}")
    if states.dim() not in (1, 2) or states.shape[-1] != n_steps:
        raise ValueError(f"states must have shape ({n_steps},) or (N, {n_steps}), got {tuple(states.shape)}")
    if bool((states < 0).any()) or bool((states >= k).any()):
        raise ValueError(f"states must lie in 0..{k - 1}")
    s = states.long().reshape(-1, n_steps)  # (N, T)
    t_idx = torch.arange(n_steps)
    total = unary[t_idx, s].sum(dim=1)  # (N,)
    if n_steps > 1:
        total = total + pairwise[t_idx[:-1], s[:, :-1], s[:, 1:]].sum(dim=1)  # (N,)
    return total[0] if states.dim() == 1 else total


def min_sum_chain(unary: torch.Tensor, pairwise: torch.Tensor) -> tuple[torch.LongTensor, torch.Tensor]:
    """Exact minimum of a chain energy by min-sum dynamic programming (the Viterbi algorithm).

    m_0 = U[0],  m_t[j] = U[t, j] + min_i (m_{t-1}[i] + P_{t-1}[i, j]),  min_s E(s) = min_j m_{T-1}[j]

    Cost O(T K^2) instead of the K^T of enumerating every sequence.

    Args:
        unary: unary energies U, shape (T, K).
        pairwise: pairwise energies P, shape (K, K) (shared by every edge) or (T - 1, K, K).

    Returns:
        ``(states, min_energy)``: a minimising sequence, LongTensor of shape (T,), and its energy,
        a 0-d tensor.

    See chapter 1.
    """
    pairwise = _check_chain(unary, pairwise)
    n_steps, _ = unary.shape
    messages = unary[0]  # (K,): lowest energy of any prefix ending in each state
    back = []
    for t in range(1, n_steps):
        scores = messages[:, None] + pairwise[t - 1]  # (K_prev, K_next)
        messages, arg = scores.min(dim=0)  # (K,), (K,)
        messages = messages + unary[t]
        back.append(arg)
    min_energy, last = messages.min(dim=0)
    states = [int(last)]
    for arg in reversed(back):
        states.append(int(arg[states[-1]]))
    return torch.tensor(states[::-1], dtype=torch.long), min_energy
