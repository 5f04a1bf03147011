"""Autograder tests that carry their own expected values, recorded when the assignment is built.

For an nbgrader assignment, each coding exercise's checker (the instructor's, with its reference
computations: ``instructor/exercises`` in a clone of the course repository, never in the installed
ebmlib) is run once, at build time, on the reference solution wrapped in a recorder, with the
checker's random cases drawn from the assignment's seed (so they are not the practice cases that
students' checkers use). Every call the checker makes (the arguments, the state of torch's and
NumPy's global random generators before it, the value returned) is kept. Arguments that are
callables are :class:`ebmlib.exercises._recorded.CaseFn` (a named energy, gradient or decoder and
its numbers), so they are recorded too.

The test cell of the assignment carries the replay code (the source of
:mod:`ebmlib.exercises._recorded`, compressed) and the recording, between nbgrader's
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` markers: it imports nothing from ebmlib, so an
answer cell cannot swap its functions, and nothing of it is in the student's release. It compares the
student's results with the recorded ones (``numpy.allclose``, rtol 1e-5, atol 1e-7, or the checker's
own tolerance or comparison where the answer is not unique to that precision). An answer that runs
code of the installed ebmlib while it is graded (``def hinge(...): return ebmlib.losses.hinge_loss(...)``,
or ``hinge = ebmlib.losses.hinge_loss``) fails with a message naming the function: the replay code
watches the answer's calls with a profiler (:class:`ebmlib.exercises._recorded.LibraryWatch`); the
callables the test passes in, torch, NumPy and the standard library are free. No reference solution
calls ebmlib today; :func:`record` refuses one that does unless the checker's ``replay`` option
``allow_library`` names the function.

A recording is accepted only if every argument and result is data and the reference gives the same
results with the random generators in other states (then any correct solution gives the recorded
values); otherwise :func:`record` raises ``ValueError`` and the assignment is not built. What an
nbgrader test still cannot prevent: an answer cell runs in the same kernel before the test and could
patch torch, NumPy or Python itself (the builtins, ``sys.setprofile``, or the zlib, base64 and pickle
modules the test decodes with), and ebmlib code copied into the answer is the answer's own code; read
the answer cells before trusting a full score.
"""

from __future__ import annotations

import base64
import inspect
import zlib
from typing import Callable

__all__ = ["record", "replay", "engine_source", "test_code"]


def record(checker: Callable, reference: Callable) -> dict:
    """Run ``checker(reference)`` and record its calls: ``{"calls": [...], "rtol", "atol", "compare"}``.

    Raises ``ValueError`` when the checker does not find the reference correct, or when a call cannot
    be replayed (an argument or result that is not data, or a result that depends on the random generators).
    """
    import numpy as np
    import torch

    from ebmlib.exercises import _recorded as rec

    calls: list = []
    failure: list[str] = []

    def recorder(*args, **kwargs):
        entry = None
        try:
            a, k = rec.to_data((args, kwargs))
            entry = [a, k, torch.get_rng_state().numpy().copy(), np.random.get_state()]
        except rec.Unrecordable as err:
            failure.append(str(err))
        result = reference(*args, **kwargs)
        if entry is not None:
            try:
                calls.append((*entry, rec.to_data(result)))
            except rec.Unrecordable as err:
                failure.append(f"the result is a {err}")
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
        raise ValueError(f"the checker's calls cannot be recorded: {failure or 'no call'}")
    options = dict(getattr(checker, "replay", {}))
    try:
        for k, (args, kwargs, ts, ns, result) in enumerate(calls):
            torch.manual_seed(1_000_003 + k)
            other_np = np.random.RandomState(2_000_003 + k).get_state()
            for state in ((torch.get_rng_state().numpy(), other_np), (ts, ns)):
                got = rec.call(reference, args, kwargs, *state)
                if not rec.same(got, result):
                    raise ValueError(f"call {k + 1} of the checker gives a result that depends on the random "
                                     "generators' state: it cannot be replayed")
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
    # the generators' states are not needed to replay calls whose results do not depend on them
    recording = {"calls": [(args, kwargs, None, None, result) for args, kwargs, _, _, result in calls], **options}
    # the graded test refuses an answer that calls the installed ebmlib: the reference must pass it
    try:
        verdict = rec.check(reference, recording, forbid_library=True)
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
    if verdict != "correct":
        raise ValueError(f"the reference solution fails its own graded test: {verdict} (an ebmlib function that "
                         "the exercise lets students call goes in the checker's replay option allow_library)")
    return recording


def engine_source() -> str:
    """The source of :mod:`ebmlib.exercises._recorded`, compressed and base64-encoded for a test cell."""
    from ebmlib.exercises import _recorded

    return base64.b64encode(zlib.compress(inspect.getsource(_recorded).encode(), 9)).decode()


def test_code(function_name: str, recording: dict) -> str:
    """The hidden part of a test cell: it defines the replay code itself and replays ``recording``."""
    from ebmlib.exercises import _recorded

    return ("import base64 as _b64, zlib as _zlib\n"
            "_replay = {\"__name__\": \"_ebm_replay\"}\n"
            f"exec(_zlib.decompress(_b64.b64decode(\"{engine_source()}\")).decode(), _replay)\n"
            f"_replay[\"replay\"]({function_name}, \"{_recorded.encode(recording)}\")")


def replay(function: Callable, encoded: str) -> None:
    """Call ``function`` as the checker did at build time; ``AssertionError`` at the first wrong result."""
    from ebmlib.exercises import _recorded

    _recorded.replay(function, encoded)
