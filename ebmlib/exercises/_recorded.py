"""Checking a function against calls recorded from a reference solution (no reference code here).

A recording is a list of calls ``(args, kwargs, torch RNG state, NumPy RNG state, result)`` made by an
instructor's checker on the reference solution, encoded as plain data: tensors become NumPy arrays,
and a callable argument (an energy, a gradient, a decoder) is a :class:`CaseFn`, a named function of
this module built from numbers (its name and arguments are recorded, and it is rebuilt here). The same
tensor passed twice (a parameter and the energy that reads it) is the same tensor again on replay.

Used twice: by the practice checkers of :mod:`ebmlib.exercises` (recordings shipped as package data),
and by the hidden autograder tests of an nbgrader assignment, which carry this module's source and
their own recording (made with other inputs when the assignment is built). This module therefore
imports nothing from ebmlib and must run when its source is executed on its own.
"""

from __future__ import annotations

import base64
import importlib.util
import math
import os
import pickle
import sys
import zlib
from typing import Any, Callable

import numpy as np
import torch

RTOL, ATOL = 1e-5, 1e-7

# ----------------------------------------------------------------------------------- case functions
# The callables that checkers hand to a student's function. Each is data: a name and arguments.


def _quad(prec):  # E(y) = y^T Lambda y / 2 for y of shape (B, D)
    lam = torch.as_tensor(prec, dtype=torch.float64)
    return lambda y: 0.5 * ((y @ lam.to(y.dtype)) * y).sum(-1)


def _quad_bias(A, b):  # E(y) = y^T A y / 2 - b.y
    return lambda y: 0.5 * ((y @ A) * y).sum(1) - y @ b


def _double_well(_=None):
    return lambda y: (y[:, 0] ** 2 - 1) ** 2 + 0.5 * y[:, 0] + y[:, 1] ** 2


def _cos_quartic(_=None):
    return lambda y: torch.cos(y).sum(1) + 0.1 * (y**4).sum(1)


def _linear_grad(prec):  # the gradient y -> y Lambda
    lam = torch.as_tensor(prec, dtype=torch.float64)
    return lambda y: y @ lam.to(y.dtype)


def _cubic_grad(_=None):  # the gradient of y^4 / 4 - y^2 / 2
    return lambda y: y**3 - y


def _quartic_radial(_=None):  # E(y) = ||y||^4 / 4
    return lambda u: 0.25 * ((u**2).sum(1)) ** 2


def _gauss_mean(m):  # E(v) = ||v - m||^2 / 2, m a parameter
    return lambda v: 0.5 * ((v - m) ** 2).sum(1)


def _tanh_net(W, v):  # E(y) = tanh(y W) v + ||y||^2 / 4, W and v parameters
    return lambda y: torch.tanh(y @ W) @ v + 0.25 * (y**2).sum(1)


def _shifted_sine(shift, scale):  # scale * (||y - shift||^2 / 2 + 0.3 sin y_1)
    def energy(y):
        s = torch.as_tensor(shift, dtype=y.dtype)
        return scale * (0.5 * ((y - s) ** 2).sum(1) + 0.3 * torch.sin(y[:, 0]))
    return energy


def _gauss_log_prob(std):  # log density of N(0, std^2 I) in 2-D
    return lambda y: -0.5 * (y**2).sum(1) / std**2 - float(math.log(2 * math.pi * std**2))


def _image_quad_cos(a, c):  # sum over pixels of a (y - c)^2 / 2 + sin(3 y), images (B, 1, 8, 8)
    return lambda y: (0.5 * a * (y - c) ** 2 + torch.sin(3 * y)).flatten(1).sum(1)


class _Decoder(torch.nn.Module):
    """g(z) = [w1 cos z, w2 sin z]."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(tuple(float(x) for x in w), dtype=torch.float64))

    def forward(self, z):
        return torch.stack([self.w[0] * torch.cos(z), self.w[1] * torch.sin(z)], dim=-1)


FACTORIES: dict[str, Callable] = {
    "quad": _quad, "quad_bias": _quad_bias, "double_well": _double_well, "cos_quartic": _cos_quartic,
    "linear_grad": _linear_grad, "cubic_grad": _cubic_grad, "quartic_radial": _quartic_radial,
    "gauss_mean": _gauss_mean, "tanh_net": _tanh_net, "shifted_sine": _shifted_sine,
    "gauss_log_prob": _gauss_log_prob, "image_quad_cos": _image_quad_cos, "decoder": _Decoder,
}


class CaseFn:
    """A callable given to a student's function, known by ``name`` and ``args`` (see ``FACTORIES``).

    Calls the function ``FACTORIES[name](*args)``; a ``decoder`` is the module itself (it has
    parameters), available as ``.module``.
    """

    def __init__(self, name: str, *args):
        if name not in FACTORIES:
            raise ValueError(f"unknown case function {name!r}")
        self.name, self.args = name, args
        self.module = FACTORIES[name](*args)

    def __call__(self, *a, **k):
        return self.module(*a, **k)

    def __getattr__(self, item):  # a decoder's parameters(), .w, ...
        if item in ("name", "args", "module"):
            raise AttributeError(item)
        return getattr(self.module, item)

    def __repr__(self) -> str:
        return f"<case function {self.name}>"


# ----------------------------------------------------------------------------------- data encoding

class Unrecordable(Exception):
    """An argument or result that is not data."""


def to_data(value: Any, memo: dict | None = None) -> Any:
    """``value`` as plain data (a tensor becomes ("__tensor__", ndarray, dtype, requires_grad, index))."""
    memo = {} if memo is None else memo
    if isinstance(value, torch.Tensor):
        if id(value) in memo:
            return ("__same__", memo[id(value)])
        memo[id(value)] = len(memo)
        return ("__tensor__", value.detach().cpu().numpy().copy(), str(value.dtype), value.requires_grad,
                memo[id(value)])
    if isinstance(value, CaseFn):
        return ("__fn__", value.name, to_data(value.args, memo))
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise Unrecordable("object array")
        return value.copy()
    if value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        return value
    if isinstance(value, (tuple, list)):
        return type(value)(to_data(v, memo) for v in value)
    if isinstance(value, dict):
        return {k: to_data(v, memo) for k, v in value.items()}
    raise Unrecordable(type(value).__name__)


def from_data(value: Any, memo: dict | None = None) -> Any:
    """The objects ``value`` (from :func:`to_data`) describes; a tensor seen twice is one tensor."""
    memo = {} if memo is None else memo
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        if value[0] == "__tensor__" and len(value) == 5:
            t = torch.from_numpy(value[1].copy()).to(getattr(torch, value[2].split(".")[-1]))
            if value[3] and t.is_floating_point():
                t.requires_grad_(True)
            memo[value[4]] = t
            return t
        if value[0] == "__same__" and len(value) == 2:
            return memo[value[1]]
        if value[0] == "__fn__" and len(value) == 3:
            return CaseFn(value[1], *from_data(value[2], memo))
    if isinstance(value, (tuple, list)):
        return type(value)(from_data(v, memo) for v in value)
    if isinstance(value, dict):
        return {k: from_data(v, memo) for k, v in value.items()}
    return value


def _plain(want: Any) -> Any:
    if isinstance(want, tuple) and len(want) == 5 and want[0] == "__tensor__":
        return want[1]
    return want


def _unpack(got: Any, n: int) -> Any:
    """A tensor or array of ``n`` rows where ``n`` values were expected, as a list (``a, b = got`` works too)."""
    if isinstance(got, (torch.Tensor, np.ndarray)) and got.ndim >= 1 and len(got) == n:
        return list(got)
    return got


def same(got: Any, want: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``got`` (what a function returned) equals the recorded ``want`` (plain data), to ``rtol``/``atol``."""
    want = _plain(want)
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    if isinstance(want, dict):
        return isinstance(got, dict) and set(got) == set(want) and all(same(got[k], want[k], rtol, atol) for k in want)
    if isinstance(want, (tuple, list)) and not isinstance(want, np.ndarray):
        got = _unpack(got, len(want))
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(same(g, w, rtol, atol) for g, w in zip(got, want)))
    if want is None or isinstance(want, str):
        return got == want
    try:
        g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if w.shape == () and g.size == 1:
        g = g.reshape(())
    return g.shape == w.shape and bool(np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=False))


def _lasso_objective(args, got, want) -> bool:
    """ISTA's answer: each row's Lasso objective at most the reference's (relative 1e-6)."""
    y, W, lam = (np.asarray(_plain(a), dtype=np.float64) for a in args[:3])
    g, w = np.asarray(got, dtype=np.float64), np.asarray(_plain(want), dtype=np.float64)
    if g.shape != w.shape:
        return False
    f = lambda z: 0.5 * ((y - z @ W.T) ** 2).sum(1) + float(lam) * np.abs(z).sum(1)  # noqa: E731
    return bool(np.all(f(g) <= f(w) * (1 + 1e-6) + 1e-12))


#: comparisons other than closeness, for exercises whose answer is not unique to the tolerance
COMPARE = {"lasso_objective": _lasso_objective}


def encode(recording: dict) -> str:
    """A recording as text: zlib-compressed pickle, base64.

    ``{"calls": [...]}`` and optionally ``rtol``, ``atol`` (the closeness of a result), ``compare`` (a
    name in ``COMPARE``), ``detached`` (the result must not require grad), ``unchanged_inputs`` (the
    function must not change its input tensors in place), ``mistakes`` (``[(hint, results)]``: the
    results of a typical wrong answer on each call, and what to tell a student whose result is that),
    ``nonfinite_hints`` (``{case number: hint}`` for a result that overflows on that case),
    ``allow_library`` (``["module.qualname", ...]``: ebmlib functions a graded answer may call; none today).
    """
    return base64.b64encode(zlib.compress(pickle.dumps(dict(recording), protocol=4), 9)).decode()


def decode(text: str) -> dict:
    return pickle.loads(zlib.decompress(base64.b64decode(text)))


def call(fn: Callable, args, kwargs, torch_state=None, np_state=None):
    """``fn`` called on recorded arguments, the generators set to the recorded states (if any)."""
    if torch_state is not None:
        torch.set_rng_state(torch.from_numpy(np.asarray(torch_state)).to(torch.uint8))
    if np_state is not None:
        np.random.set_state(np_state)
    memo: dict = {}
    return fn(*from_data(args, memo), **from_data(kwargs, memo))


# ----------------------------------------------------------------------------------- checking

def _describe(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return type(value).__name__


NONFINITE = "the result contains NaN or infinite values"


def _mismatch(got: Any, want: Any) -> str | None:
    """Why ``got`` cannot be ``want`` (type, length, shape, NaN), or None when only the values differ."""
    want = _plain(want)
    if isinstance(want, (tuple, list)) and not isinstance(want, np.ndarray):
        got = _unpack(got, len(want))
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"return {len(want)} values (a tuple), got {_describe(got)}"
        for g, w in zip(got, want):
            why = _mismatch(g, w)
            if why:
                return why
        return None
    if want is None or isinstance(want, str):
        return None
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a tensor or a number, got {type(got).__name__}"
    w = np.asarray(want)
    if g.shape != w.shape:
        if w.shape == () and g.size == 1:
            return None
        return f"expected shape {w.shape}, got {g.shape}" if w.shape else f"expected one number, got shape {g.shape}"
    if not np.isfinite(g).all():
        return NONFINITE
    return None


def _arrays(data: Any) -> list:
    """The arrays (tensors' values) in encoded data, in order."""
    if isinstance(data, tuple) and len(data) == 5 and data[0] == "__tensor__":
        return [data[1]]
    if isinstance(data, np.ndarray):
        return [data]
    if isinstance(data, (tuple, list)):
        return [a for v in data for a in _arrays(v)]
    if isinstance(data, dict):
        return [a for v in data.values() for a in _arrays(v)]
    return []


def _changed_inputs(args, kwargs, before) -> bool:
    """Whether the function changed an input tensor in place."""
    if before is None:
        return False
    try:
        now = _arrays(to_data((args, kwargs)))
    except Unrecordable:
        return False
    old = _arrays(before)
    return len(now) != len(old) or not all(
        a.shape == b.shape and np.array_equal(a, b, equal_nan=True) for a, b in zip(now, old))


# ----------------------------------------------------------------------------------- the library's own code

_ENGINE = globals()  # this module's namespace (a test cell's private dict when its source is executed there)
#: the package whose functions a graded answer must not call (its own code is what an exercise asks to write)
LIBRARY = "ebmlib"
_GATES = (sys.setprofile, sys.settrace)  # a graded answer that calls these could hide the library's calls


def _library_roots(package: str = LIBRARY) -> tuple[str, ...]:
    """The folders of the installed ``package`` (found without importing it), each ending with a separator."""
    folders = set()
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        folders.add(folder)
    for name, module in list(sys.modules.items()):
        if (name == package or name.startswith(package + ".")) and getattr(module, "__file__", None):
            folders.add(os.path.dirname(module.__file__))
    roots = set()
    for folder in folders:
        for path in (folder, os.path.realpath(folder)):
            roots.add(os.path.join(path, ""))
    return tuple(sorted(roots))


class LibraryWatch:
    """Watches a graded function while it runs: does it run code of the installed ebmlib?

    A profiler (``sys.setprofile``) sees every Python call. A call into a function whose code lives in
    the installed package (``ebmlib.losses.hinge_loss``, a model's method, a function taken from ebmlib
    under another name) is noted, unless the caller chain reaches back to a callable that the test
    itself passed to the answer (a case function) before it reaches the answer, or the function is one of
    ``allowed`` (``"module.qualname"``). Importing an ebmlib module (its module code and what that
    runs) or a lazy attribute lookup (``__getattr__``) is not a call of the library's code. torch,
    NumPy and the standard library are free. Calling ``sys.setprofile`` or ``sys.settrace`` is refused
    too (it would switch the watch off).
    """

    _SKIP = ("<module>", "__getattr__", "__dir__")

    def __init__(self, allowed=()):
        self.roots = _library_roots()
        self.allowed = frozenset(allowed)
        self.found: str | None = None
        self._files: dict[str, bool] = {}

    def _in_library(self, filename: str) -> bool:
        known = self._files.get(filename)
        if known is None:
            known = bool(self.roots) and (filename.startswith(self.roots)
                                          or os.path.realpath(filename).startswith(self.roots))
            self._files[filename] = known
        return known

    def __call__(self, frame, event, arg):
        if self.found is not None or frame.f_globals is _ENGINE:  # the test's own code
            return
        if event == "c_call":
            if any(arg is gate for gate in _GATES):
                self.found = f"sys.{arg.__name__}"
            return
        if event != "call":
            return
        code = frame.f_code
        if code.co_name in self._SKIP or not self._in_library(code.co_filename):
            return
        name = f"{frame.f_globals.get('__name__', '?')}.{getattr(code, 'co_qualname', code.co_name)}"
        if name in self.allowed:
            return
        caller = frame.f_back
        while caller is not None and caller.f_globals is not _ENGINE:
            if caller.f_code.co_name == "<module>" and self._in_library(caller.f_code.co_filename):
                return  # an ebmlib module being imported (its class bodies, its constants)
            caller = caller.f_back
        if caller is None or caller.f_code is not _watched_call.__code__:
            return  # called by a case function the test passed (or outside the graded call)
        self.found = name


def _watched_call(function: Callable, args, kwargs):
    return function(*args, **kwargs)


def _call(function: Callable, args, kwargs, watch: LibraryWatch | None):
    """``function(*args, **kwargs)``, watched for calls into the library when ``watch`` is given."""
    if watch is None:
        return _watched_call(function, args, kwargs)
    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        if sys.getprofile() is not watch:
            watch.found = watch.found or "sys.setprofile (replaced before the test)"
        return _watched_call(function, args, kwargs)
    finally:
        sys.setprofile(previous)


def _library_verdict(watch: LibraryWatch | None) -> str | None:
    if watch is None or watch.found is None:
        return None
    if watch.found.startswith("sys."):
        return (f"incorrect: the graded answer calls {watch.found}, which would hide what it runs; "
                "write the function with torch (and math/NumPy) only")
    return f"incorrect: the graded answer calls {watch.found}; write it yourself (torch, math and NumPy are fine)"


def check(function: Callable, recording: dict, *, forbid_library: bool = False) -> str:
    """``"correct"`` or ``"incorrect: <why>"`` for ``function`` replayed on a recording (never the expected value).

    With ``forbid_library`` (the graded tests), an answer that runs code of the installed ebmlib (see
    :class:`LibraryWatch`; the recording's ``allow_library`` lists exceptions) is incorrect.
    """
    watch = LibraryWatch(recording.get("allow_library", ())) if forbid_library else None
    try:
        verdict = _check(function, recording, watch)
    except BaseException:
        if _library_verdict(watch):  # the library's call failed (e.g. on a patched argument)
            return _library_verdict(watch)
        raise
    return _library_verdict(watch) or verdict


def _check(function: Callable, recording: dict, watch: LibraryWatch | None) -> str:
    calls = recording["calls"]
    rtol, atol = recording.get("rtol", RTOL), recording.get("atol", ATOL)
    compare = COMPARE.get(recording.get("compare") or "")
    detached, unchanged = recording.get("detached", False), recording.get("unchanged_inputs", False)
    n = len(calls)
    for k, (args, kwargs, ts, ns, want) in enumerate(calls, 1):
        memo: dict = {}
        a, kw = from_data(args, memo), from_data(kwargs, memo)
        try:
            before = to_data((a, kw))
        except Unrecordable:
            before = None
        if ts is not None:
            torch.set_rng_state(torch.from_numpy(np.asarray(ts)).to(torch.uint8))
        if ns is not None:
            np.random.set_state(ns)
        got = _call(function, a, kw, watch)  # exceptions are the caller's to report
        if _library_verdict(watch):
            return _library_verdict(watch)
        where = f"case {k} of {n}"
        why = _mismatch(got, want)
        if why == NONFINITE and k in recording.get("nonfinite_hints", {}):
            return f"incorrect: {recording['nonfinite_hints'][k]}"
        if why:
            return f"incorrect: {why} ({where})"
        w = want
        if (detached and isinstance(w, tuple) and len(w) == 5 and w[0] == "__tensor__" and not w[3]
                and isinstance(got, torch.Tensor) and got.requires_grad):
            return f"incorrect: detach the result: it should not carry a gradient history ({where})"
        ok = compare(args, got, want) if compare else same(got, want, rtol, atol)
        if not ok:
            for hint, results in recording.get("mistakes", ()):
                if results[k - 1] is not None and _mismatch(got, results[k - 1]) is None and same(got, results[k - 1], rtol, atol):
                    return f"incorrect: {hint}"
            shapes = ", ".join(_describe(x) for x in (*args, *kwargs.values())
                               if not (isinstance(x, tuple) and x and x[0] == "__fn__"))
            return f"incorrect: wrong result in {where} (inputs: {shapes})"
        if unchanged and _changed_inputs(a, kw, before):
            return f"incorrect: your function changed its input in place; work on a copy ({where})"
    return "correct"


def replay(function: Callable, encoded: str) -> None:
    """Call ``function`` as the checker did when the recording was made; ``AssertionError`` at the first wrong result.

    This is what an assignment's hidden autograder test runs; the message never shows the expected value.
    An answer that calls the installed ebmlib (see :class:`LibraryWatch`) fails, whatever it returns.
    """
    if function is None or not callable(function):
        raise AssertionError("no function to grade")
    recording = decode(encoded)
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    try:
        verdict = check(function, recording, forbid_library=True)
    except NotImplementedError:
        raise AssertionError("not attempted") from None
    except Exception as err:  # noqa: BLE001 - reported as a wrong answer
        raise AssertionError(f"the function raised {type(err).__name__}: {err}") from None
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
    if verdict != "correct":
        raise AssertionError(verdict)
