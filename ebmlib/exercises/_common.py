"""What every exercise checker shares: a verdict that prints cleanly and a guard that never raises.

A checker takes the student's function, runs it on cases whose answers come from an independent
reference (brute force, a closed form), and returns a :class:`Verdict`: ``correct``,
``incorrect: <what went wrong>`` or ``not attempted``. It never raises and never reveals the
expected answer.
"""

from __future__ import annotations

import functools
from typing import Callable

__all__ = ["Verdict", "checker", "CORRECT", "NOT_ATTEMPTED", "incorrect"]


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


def checker(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Wrap a checker so that it never raises.

    ``NotImplementedError`` from the student's code (the stubs raise it) means "not attempted";
    any other exception becomes ``incorrect: your function raised <Type>: <message>``.
    """

    @functools.wraps(fn)
    def wrapped(*args, **kwargs) -> Verdict:
        if not args or args[0] is None:
            return NOT_ATTEMPTED
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            return NOT_ATTEMPTED
        except Exception as exc:  # noqa: BLE001 - a checker must never raise
            msg = str(exc).splitlines()[0][:200] if str(exc) else ""
            return incorrect(f"your function raised {type(exc).__name__}: {msg}")

    return wrapped
