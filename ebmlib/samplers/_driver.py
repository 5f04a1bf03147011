"""The one chain driver: run any step kernel ``y -> y`` for a number of steps.

BlackJAX's shape: a sampler is a small step function (a kernel, unchecked) plus validation at its
public entry; :func:`run_chain` owns the loop, the trajectory, the progress bar and the divergence
check (every ``CHECK_EVERY`` steps and after the last: one host synchronisation per check, never
one per step). Langevin dynamics, MALA, HMC, Metropolis-Hastings, persistent chains, gradient
inference (noise 0) and latent inference by descent all run through it.
"""

from __future__ import annotations

from typing import Callable

import torch
from tqdm.auto import tqdm

from .._checks import finite_checks_on
from ..errors import DivergenceError

__all__ = ["CHECK_EVERY", "run_chain", "diverged"]

CHECK_EVERY = 32
"""Chains are checked for NaN/inf every this many steps and after the last one."""


def diverged(y: torch.Tensor, step: int, hint: str, cause: BaseException | None = None) -> None:
    """Raise :class:`DivergenceError` if the chains ``y`` hold NaN or inf (one host synchronisation).

    ``cause``: an error the energy raised on the chains (e.g. a validating energy refusing NaN),
    chained to the divergence; nothing is raised when ``cause`` is itself a ``DivergenceError``
    or the chains are finite (the caller then re-raises ``cause``). Inside
    :func:`ebmlib._checks.finite_checks_deferred` (a training loop) nothing is checked here.
    """
    if isinstance(cause, DivergenceError) or not finite_checks_on():
        return
    if not bool(torch.isfinite(y).all()):
        raise DivergenceError(f"the chains reached NaN/inf by step {step}: {hint}", step=step) from cause


def run_chain(step: Callable[[torch.Tensor], torch.Tensor], y0: torch.Tensor, steps: int, *,
              return_trajectory: bool = False, progress: bool = False, desc: str = "chain", hint: str = "",
              check_every: int | None = CHECK_EVERY, check_last: bool = True) -> torch.Tensor:
    """y_{t+1} = step(y_t) for t = 0, ..., steps - 1; the final state or the whole trajectory.

    Unchecked: the caller has validated ``steps`` (an int >= 0), ``y0`` and the kernel's settings.

    Args:
        step: the kernel, ``y (B, ...) -> y (B, ...)``; it returns a new tensor (never ``y0`` modified).
        y0: (B, ...) starting states (already detached and copied by the caller).
        steps: number of kernel applications.
        return_trajectory: return every state, (steps + 1, B, ...), y0 first.
        progress: show a ``tqdm.auto`` progress bar labelled ``desc``.
        hint: the advice a :class:`DivergenceError` carries (e.g. "try a smaller step_size than 0.1").
        check_every: look for NaN/inf every this many steps (None: never; the caller checks).
        check_last: also check after the last step.

    Raises:
        ebmlib.errors.DivergenceError: the chains reached NaN/inf (``.step`` is the step of the check
            that saw it); an energy that refuses non-finite input (``ValueError``) on diverged chains
            is reported as the divergence it is.
    """
    y = y0
    traj = [y] if return_trajectory else None
    t = 0
    try:
        for t in tqdm(range(steps), desc=desc, disable=not progress):
            y = step(y)
            if traj is not None:
                traj.append(y)
            if check_every is not None and ((t + 1) % check_every == 0 or (check_last and t + 1 == steps)):
                diverged(y, t + 1, hint)
    except ValueError as err:  # an energy that validates its input refused the diverged chains
        diverged(y, t, hint, cause=err)
        raise
    return torch.stack(traj) if traj is not None else y  # (steps + 1, B, ...) or (B, ...)
