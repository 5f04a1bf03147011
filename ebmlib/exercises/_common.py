"""What every exercise checker shares: a verdict that prints cleanly and a guard that never raises.

A checker takes the student's function, runs it on cases whose answers come from an independent
reference (brute force, a closed form), and returns a :class:`Verdict`: ``correct``,
``incorrect: <what went wrong>`` or ``not attempted``. It never raises and never reveals the
expected answer: not when the student's code raises, loops forever (it is stopped after
``TIMEOUT_S`` seconds), returns the wrong type or shape, or returns NaN.
"""

from __future__ import annotations

import functools
import signal
import threading
from typing import Callable

import numpy as np
import torch

__all__ = ["Verdict", "checker", "CORRECT", "NOT_ATTEMPTED", "incorrect", "TIMEOUT_S", "as_array", "as_float"]

#: How long one checker may run the student's code, in seconds, before it answers "incorrect".
#: Every reference solution of the book passes in well under a second.
TIMEOUT_S = 20.0


class Verdict(str):
    """A checker's answer; a ``str`` whose notebook display is the bare message."""

    def __repr__(self) -> str:  # shown as the last expression of a notebook cell
        return str(self)

    @property
    def ok(self) -> bool:
        """True when the verdict is ``correct``."""
        return self == "correct"


CORRECT = Verdict("correct")
NOT_ATTEMPTED = Verdict("not attempted")


def incorrect(reason: str) -> Verdict:
    """Return an ``incorrect: <reason>`` verdict (say what is wrong, never the expected answer)."""
    return Verdict(f"incorrect: {reason}")


class _StudentError(Exception):
    """An exception raised inside the student's function (not by the checker's own code)."""

    def __init__(self, exc: Exception):
        super().__init__(str(exc))
        self.exc = exc


class _Timeout(BaseException):
    """Raised by the alarm in the student's code; a ``BaseException`` so ``except Exception`` cannot eat it."""


def _guarded(fn: Callable) -> Callable:
    """``fn`` with its own exceptions marked as the student's (``NotImplementedError`` passes through)."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised, marked as the student's
            raise _StudentError(exc) from exc

    return call


def _first_line(exc: BaseException) -> str:
    msg = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def _run_with_timeout(run: Callable[[], Verdict], seconds: float) -> Verdict:
    """``run()``, stopped with ``_Timeout`` after ``seconds`` where a POSIX interval timer is available.

    The timer works in the main thread (where a notebook's code runs); elsewhere, and on Windows,
    the checker runs without a time limit.
    """
    if (seconds is None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        return run()

    def alarm(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def checker(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Wrap a checker so that it never raises and never runs for ever.

    The first argument is the student's function. ``NotImplementedError`` from it (the stubs raise
    it) means "not attempted"; any other exception it raises becomes ``incorrect: your function
    raised <Type>: <message>``; an exception in the checker's own handling of what the function
    returned (a wrong type the checker could not compare) becomes ``incorrect: ... could not be
    checked``; a run longer than ``TIMEOUT_S`` seconds becomes ``incorrect: ... did not finish``.
    """

    @functools.wraps(fn)
    def wrapped(*args, **kwargs) -> Verdict:
        if not args or args[0] is None:
            return NOT_ATTEMPTED
        student = _guarded(args[0]) if callable(args[0]) else args[0]
        try:
            return _run_with_timeout(lambda: fn(student, *args[1:], **kwargs), TIMEOUT_S)
        except NotImplementedError:
            return NOT_ATTEMPTED
        except _Timeout:
            return incorrect(f"your function did not finish within {TIMEOUT_S:g} s (an endless loop?)")
        except _StudentError as err:
            return incorrect(f"your function raised {_first_line(err.exc)}")
        except RecursionError:
            return incorrect("your function recursed too deeply")
        except Exception as exc:  # noqa: BLE001 - a checker must never raise
            return incorrect(f"what your function returned could not be checked ({_first_line(exc)}); "
                             "check its type and shape against the exercise")

    return wrapped


def as_array(value, shape: tuple[int, ...], what: str) -> np.ndarray | Verdict:
    """The student's output as a float64 array of ``shape``, or an ``incorrect`` verdict saying why not."""
    if isinstance(value, torch.Tensor):
        value = value.detach().double().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return incorrect(f"{what} should be a tensor or a number, got {type(value).__name__}")
    if arr.shape != shape:
        return incorrect(f"{what} should have shape {shape}, got {arr.shape}")
    if not np.isfinite(arr).all():
        return incorrect(f"{what} contains NaN or infinite values")
    return arr


def as_float(value, what: str = "the loss") -> "float | Verdict":
    """The student's output as a float, or an ``incorrect`` verdict saying why it is not one."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return incorrect(f"{what} should be a scalar (one number), got shape {tuple(value.shape)}")
        value = value.detach().double().item()
    try:
        value = float(value)
    except (TypeError, ValueError):
        return incorrect(f"{what} should be a number or a scalar tensor, got {type(value).__name__}")
    if not np.isfinite(value):
        return incorrect(f"{what} is NaN or infinite")
    return value
