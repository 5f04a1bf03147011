"""Autograder tests that carry their own expected values, recorded when the assignment is built.

For an nbgrader assignment, each coding exercise's checker is run once, at build time, on the
reference solution wrapped in a recorder: every call the checker makes (the arguments, the state of
torch's and NumPy's global random generators before it, the value returned) is kept. The test cell of
the assignment then replays those calls on the student's function and compares the results with the
recorded values (``numpy.allclose``, rtol 1e-5, atol 1e-7). The recorded calls travel inside the test
cell, between nbgrader's ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` markers, so they are
not in the student's release, and the test does not ask the checkers of ``ebmlib.exercises``. It does
not stop copying: the reference code still ships in the student's ebmlib, and an answer cell runs in
the same kernel before the test, so it could call that code or replace this module's functions (read
the answer cells before trusting a full score; see the instructor guide).

An exercise can be replayed when every argument and result is data (tensors, arrays, numbers,
strings, None, and tuples, lists and dicts of these) and its result does not depend on the random
generators (the reference gives the same values when the generators are in another state): then any
correct solution gives the recorded values. Otherwise (a function that takes a callable, or samples)
:func:`record` returns None and the assignment's test asserts the checker's verdict instead.
"""

from __future__ import annotations

import base64
import pickle
import zlib
from typing import Any, Callable

import numpy as np
import torch

__all__ = ["record", "replay", "Recorded"]

RTOL, ATOL = 1e-5, 1e-7


class _Unrecordable(Exception):
    pass


def _to_data(value: Any) -> Any:
    """``value`` as plain data (tensors become ("tensor", ndarray, dtype)); raises _Unrecordable."""
    if isinstance(value, torch.Tensor):
        return ("__tensor__", value.detach().cpu().numpy().copy(), str(value.dtype), value.requires_grad)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise _Unrecordable("object array")
        return value.copy()
    if value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        return value
    if isinstance(value, (tuple, list)):
        return type(value)(_to_data(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_data(v) for k, v in value.items()}
    raise _Unrecordable(type(value).__name__)


def _from_data(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 4 and value[0] == "__tensor__":
        t = torch.from_numpy(value[1].copy()).to(getattr(torch, value[2].split(".")[-1]))
        return t.requires_grad_(value[3]) if value[3] and t.is_floating_point() else t
    if isinstance(value, (tuple, list)):
        return type(value)(_from_data(v) for v in value)
    if isinstance(value, dict):
        return {k: _from_data(v) for k, v in value.items()}
    return value


def _same(got: Any, want: Any) -> bool:
    """``got`` (what a function returned) equals the recorded ``want`` (plain data), to RTOL/ATOL."""
    if isinstance(want, tuple) and len(want) == 4 and want[0] == "__tensor__":
        want = want[1]
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    if isinstance(want, dict):
        return isinstance(got, dict) and set(got) == set(want) and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, (tuple, list)) and not isinstance(want, np.ndarray):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(_same(g, w) for g, w in zip(got, want)))
    if want is None or isinstance(want, str):
        return got == want
    try:
        g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return g.shape == w.shape and bool(np.allclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=False))


class Recorded(list):
    """The calls a checker made: a list of (args, kwargs, torch RNG state, NumPy RNG state, result).

    The states are None in what :func:`record` returns (its results do not depend on them).
    """

    def encode(self) -> str:
        return base64.b64encode(zlib.compress(pickle.dumps(list(self), protocol=4), 9)).decode()

    @classmethod
    def decode(cls, text: str) -> "Recorded":
        return cls(pickle.loads(zlib.decompress(base64.b64decode(text))))


def _call(fn: Callable, args, kwargs, torch_state=None, np_state=None):
    if torch_state is not None:
        torch.set_rng_state(torch_state)
    if np_state is not None:
        np.random.set_state(np_state)
    return fn(*_from_data(args), **_from_data(kwargs))


def record(checker: Callable, reference: Callable) -> Recorded | None:
    """Run ``checker(reference)`` and record its calls; None if the checker's calls cannot be replayed.

    Raises ``ValueError`` when the checker does not find the reference correct.
    """
    calls = Recorded()
    failure: list[str] = []

    def recorder(*args, **kwargs):
        entry = None
        try:
            entry = [_to_data(args), _to_data(kwargs), torch.get_rng_state(), np.random.get_state()]
        except _Unrecordable as err:
            failure.append(str(err))
        result = reference(*args, **kwargs)
        if entry is not None:
            try:
                calls.append((*entry, _to_data(result)))
            except _Unrecordable as err:
                failure.append(str(err))
        return result

    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    try:
        verdict = checker(recorder)
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
    if verdict != "correct":
        raise ValueError(f"the checker does not accept the reference solution: {verdict}")
    if failure or not calls:
        return None
    # The result must not depend on the random generators, or another correct solution (drawing its
    # noise in another order) would not reproduce it: replay with the generators in other states.
    try:
        for k, (args, kwargs, ts, ns, result) in enumerate(calls):
            torch.manual_seed(1_000_003 + k)
            other_np = np.random.RandomState(2_000_003 + k).get_state()
            if not _same(_call(reference, args, kwargs, torch.get_rng_state(), other_np), result):
                return None
            if not _same(_call(reference, args, kwargs, ts, ns), result):
                return None
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
    # the generators' states are not needed to replay a call whose result does not depend on them
    return Recorded((args, kwargs, None, None, result) for args, kwargs, _, _, result in calls)


def replay(function: Callable, encoded: str) -> None:
    """Call ``function`` as the checker did at build time; ``AssertionError`` at the first wrong result.

    This is what an assignment's hidden autograder test runs; the message never shows the expected value.
    """
    if function is None or not callable(function):
        raise AssertionError("no function to grade")
    calls = Recorded.decode(encoded)
    for k, (args, kwargs, ts, ns, want) in enumerate(calls, 1):
        try:
            got = _call(function, args, kwargs, ts, ns)
        except NotImplementedError:
            raise AssertionError("not attempted") from None
        except Exception as err:  # noqa: BLE001 - reported as a wrong answer
            raise AssertionError(f"case {k} of {len(calls)}: the function raised {type(err).__name__}: {err}") from None
        if not _same(got, want):
            raise AssertionError(f"case {k} of {len(calls)}: wrong result")
