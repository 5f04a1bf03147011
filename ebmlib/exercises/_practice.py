"""Practice checkers: a student's function against the results recorded from the reference solutions.

The reference solutions and the instructor's checkers are not part of the installed ebmlib. What ships
is, per chapter, ``data/chNN.json``: for each checker the calls it made to the reference solution
(arguments and results, see :mod:`ebmlib.exercises._recorded`), recorded by ``tools/record_checks.py``
from a clone of the course repository (a test checks that the shipped file equals a fresh recording).
A practice checker replays those calls on the student's function and compares the results.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Callable

from ._common import CORRECT, Verdict, checker

_DATA: dict[str, dict[str, str]] = {}


def recording_text(chapter: str, name: str) -> str:
    """The encoded recording of checker ``name`` of ``chapter`` (``"ch05"``), as shipped."""
    if chapter not in _DATA:
        text = resources.files("ebmlib.exercises").joinpath("data", f"{chapter}.json").read_text(encoding="utf-8")
        _DATA[chapter] = json.loads(text)
    return _DATA[chapter][name]


def practice_checker(chapter: str, name: str, doc: str) -> Callable[..., Verdict]:
    """The checker ``name`` of ``chapter``: replays the shipped recording on the student's function."""

    def check(function) -> Verdict:
        from . import _recorded

        verdict = _recorded.check(function, _recorded.decode(recording_text(chapter, name)))
        return CORRECT if verdict == "correct" else Verdict(verdict)

    check.__name__ = check.__qualname__ = name
    check.__doc__ = doc
    check.__module__ = f"ebmlib.exercises.{chapter}"
    return checker(check)
