"""Checkers for the end-of-chapter exercises, one module per chapter (``ebmlib.exercises.ch01`` …).

Each checker takes your function, returns ``correct``, ``incorrect: …`` or ``not attempted``,
never raises and never prints the expected answer.
"""

from ._common import CORRECT, NOT_ATTEMPTED, Verdict, checker, incorrect

__all__ = ["Verdict", "checker", "incorrect", "CORRECT", "NOT_ATTEMPTED"]
