"""Bad input across the whole public ebmlib API: a loud ValueError/TypeError, never a silent NaN.

One table, ``ROWS``, holds for every public function or class the kinds of bad input that apply to
it (wrong number of dimensions, mismatched batches, integer/bool/complex dtypes, a list or an
ndarray where a tensor is expected, NaN and inf, an empty batch, beta <= 0 or NaN, a step size
<= 0, NaN or inf, steps < 0 or not an integer, unknown names). Each row asserts the exception
type and, with ``match=``, that the message names the argument followed by what was expected, so a
bare "invalid input" fails. ``test_table_covers_the_public_api`` recomputes the public API from
every ``__all__`` and fails when a callable has no row. Further down: the exercise checkers must
*not* raise on garbage, extreme-but-valid inputs give finite numbers, and genuine divergence is a
ValueError.
"""

from __future__ import annotations

import importlib
import math
import re
from typing import Callable, NamedTuple

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ebmlib  # noqa: E402
from ebmlib import datasets, energies, inference, latent, losses, plotting  # noqa: E402
from ebmlib import samplers, training, utils, widgets  # noqa: E402
from ebmlib.exercises import Verdict  # noqa: E402

fe = importlib.import_module("ebmlib.free_energy")  # the module (ebmlib.free_energy is the function)

F64 = torch.float64
MODULES = ["energies", "inference", "latent", "free_energy", "datasets", "losses", "training", "samplers",
           "plotting", "widgets", "utils", "errors", "models"]
EXERCISE_MODULES = ["exercises.ch01", "exercises.ch02", "exercises.ch03", "exercises.ch04", "exercises.ch05"]


class Row(NamedTuple):
    target: str  # "module.name" of the public callable under test
    kind: str  # which bad input
    call: Callable[[], object]
    match: str  # regex the message must contain
    exc: tuple = (ValueError, TypeError)


ROWS: list[Row] = []


def expects(name: str) -> str:
    """Regex: the argument ``name`` (as a word), later followed by what was expected of it."""
    return rf"(?<![\w\[]){re.escape(name)}(?![\w\]]).*\b(must|contains|needs|need|does not)\b"


def row(target: str, kind: str, call: Callable[[], object], match: str, exc=(ValueError, TypeError)) -> None:
    ROWS.append(Row(target, kind, call, match, exc))


def tensor_rows(target: str, name: str, call: Callable[[object], object], good: torch.Tensor, *,
                wrong_ndim: torch.Tensor | None = None, skip: tuple[str, ...] = ()) -> None:
    """The standard bad variants of one floating tensor argument ``name`` (``good`` is a valid value)."""
    m = expects(name)
    variants = {
        "wrong ndim": wrong_ndim if wrong_ndim is not None else good[..., None],
        "int dtype": good.to(torch.int64),
        "bool dtype": good > 0,
        "complex dtype": good.to(torch.complex128),
        "list": good.tolist(),
        "ndarray": good.numpy(),
        "nan": _poison(good, math.nan),
        "inf": _poison(good, math.inf),
        "empty batch": good[:0],
    }
    for kind, bad in variants.items():
        if kind not in skip:
            row(target, f"{name}: {kind}", lambda bad=bad: call(bad), m)


def _poison(t: torch.Tensor, value: float) -> torch.Tensor:
    t = t.clone()
    t.reshape(-1)[0] = value
    return t


def number_rows(target: str, name: str, call: Callable[[object], object], bads: dict) -> None:
    for kind, bad in bads.items():
        row(target, f"{name}: {kind}", lambda bad=bad: call(bad), expects(name))


POSITIVE = {"zero": 0.0, "negative": -1.0, "nan": math.nan, "inf": math.inf, "string": "1"}
BETA = {"zero": 0.0, "negative": -1.0, "nan": math.nan, "string": "hot"}  # beta = inf is allowed
STEPS = {"negative": -1, "float": 1.5, "bool": True, "nan": math.nan}
REAL = {"nan": math.nan, "inf": math.inf, "string": "0.5"}


# --- fixtures shared by the rows ----------------------------------------------------------------

def _y(b: int = 3, d: int = 2) -> torch.Tensor:
    return torch.linspace(-1.0, 1.0, b * d, dtype=F64).reshape(b, d)


A2 = torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=F64)
QUAD = lambda y: energies.quadratic(y, A2)  # noqa: E731
DW = lambda y: energies.tilted_double_well(y)  # noqa: E731
WRONG_SHAPE = lambda y: y.sum()  # noqa: E731 - an "energy" returning a scalar instead of (B,)
NAN_ENERGY = lambda y: y[:, 0] * math.nan  # noqa: E731
DEC = latent.EllipseDecoder(dtype=F64)
HORN = latent.HornDecoder(4, generator=torch.Generator().manual_seed(0), dtype=F64)
ZG = latent.latent_grid(12, dtype=F64)
TRANS = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=F64)
TOKENS = torch.tensor([[0, 1, 1], [1, 0, 0]])


# --- energies -------------------------------------------------------------------------------------

for _f in ("parabola", "parabola_grad"):
    fn = getattr(energies, _f)
    t = f"energies.{_f}"
    tensor_rows(t, "y", lambda v, fn=fn: fn(1.0, v), _y(3, 1), wrong_ndim=torch.zeros(3, dtype=F64))
    row(t, "y: wrong width", lambda fn=fn: fn(1.0, _y(3, 2)), expects("y"))
    tensor_rows(t, "x", lambda v, fn=fn: fn(v, _y(3, 1)), torch.ones(3, dtype=F64),
                wrong_ndim=torch.ones(3, 1, 1, dtype=F64), skip=("empty batch",))
    row(t, "x: batch mismatch", lambda fn=fn: fn(torch.ones(4, dtype=F64), _y(3, 1)), expects("x"))
    row(t, "x: nan number", lambda fn=fn: fn(math.nan, _y(3, 1)), expects("x"))

for _f in ("tilted_double_well", "tilted_double_well_grad"):
    fn = getattr(energies, _f)
    t = f"energies.{_f}"
    tensor_rows(t, "y", fn, _y())
    row(t, "y: wrong width", lambda fn=fn: fn(_y(3, 3)), expects("y"))
    number_rows(t, "a", lambda v, fn=fn: fn(_y(), a=v), REAL)
    number_rows(t, "b", lambda v, fn=fn: fn(_y(), b=v), REAL)

t = "energies.tilted_double_well_critical_points"
number_rows(t, "a", lambda v: energies.tilted_double_well_critical_points(a=v), {**REAL, "too large": 2.0})
number_rows(t, "b", lambda v: energies.tilted_double_well_critical_points(b=v), {**REAL, "zero": 0.0})

for _f in ("quadratic", "quadratic_grad"):
    fn = getattr(energies, _f)
    t = f"energies.{_f}"
    tensor_rows(t, "y", lambda v, fn=fn: fn(v, A2), _y())
    tensor_rows(t, "A", lambda v, fn=fn: fn(_y(), v), A2, wrong_ndim=torch.ones(2, dtype=F64))
    row(t, "A: shape mismatch", lambda fn=fn: fn(_y(), torch.eye(3, dtype=F64)), expects("A"))
    row(t, "b: shape mismatch", lambda fn=fn: fn(_y(), A2, torch.ones(3, dtype=F64)), expects("b"))
    row(t, "b: nan", lambda fn=fn: fn(_y(), A2, torch.tensor([1.0, math.nan], dtype=F64)), expects("b"))

t = "energies.MLPEnergy"
number_rows(t, "dim", lambda v: energies.MLPEnergy(v), {"zero": 0, "float": 2.5, "bool": True})
number_rows(t, "hidden", lambda v: energies.MLPEnergy(2, v), {"empty": (), "zero width": (4, 0)})
number_rows(t, "confinement", lambda v: energies.MLPEnergy(2, confinement=v), {"negative": -1.0, **REAL})
_mlp = energies.MLPEnergy(2, (4,), dtype=F64)
tensor_rows(t, "y", _mlp, _y())
row(t, "y: wrong width", lambda: _mlp(_y(3, 3)), expects("y"))

# --- inference ------------------------------------------------------------------------------------

t = "inference.gradient_inference"
row(t, "energy: not callable", lambda: inference.gradient_inference(3.0, _y()), expects("energy"))
tensor_rows(t, "y0", lambda v: inference.gradient_inference(QUAD, v, steps=2), _y())
number_rows(t, "steps", lambda v: inference.gradient_inference(QUAD, _y(), steps=v), STEPS)
number_rows(t, "lr", lambda v: inference.gradient_inference(QUAD, _y(), lr=v), POSITIVE)
row(t, "energy: returns a scalar", lambda: inference.gradient_inference(WRONG_SHAPE, _y(), steps=1),
    expects("energy"))
row(t, "energy: returns NaN", lambda: inference.gradient_inference(NAN_ENERGY, _y(), steps=1),
    r"energy became non-finite")

t = "inference.multi_start_inference"
tensor_rows(t, "starts", lambda v: inference.multi_start_inference(QUAD, v, steps=2), _y()[None].expand(2, 3, 2))
number_rows(t, "steps", lambda v: inference.multi_start_inference(QUAD, _y()[None], steps=v), STEPS)
number_rows(t, "lr", lambda v: inference.multi_start_inference(QUAD, _y()[None], lr=v), POSITIVE)
row(t, "energy: not callable", lambda: inference.multi_start_inference(None, _y()[None]), expects("energy"))

U = torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 1.0, 0.0], [0.5, 0.5, 0.5]], dtype=F64)  # (T=4, K=3)
P = torch.ones(3, 3, dtype=F64) - torch.eye(3, dtype=F64)
for _f in ("min_sum_chain", "chain_energy"):
    fn = getattr(inference, _f)
    t = f"inference.{_f}"
    call = (lambda u, p, fn=fn: fn(u, p)) if _f == "min_sum_chain" else (
        lambda u, p, fn=fn: fn(torch.zeros(u.shape[0] if isinstance(u, torch.Tensor) and u.dim() else 4,
                                            dtype=torch.long), u, p))
    tensor_rows(t, "unary", lambda v, call=call: call(v, P), U, skip=("empty batch",))
    row(t, "unary: empty", lambda call=call: call(U[:, :0], P[:0, :0]), expects("unary"))
    tensor_rows(t, "pairwise", lambda v, call=call: call(U, v), P, wrong_ndim=torch.ones(3, dtype=F64),
                skip=("empty batch",))
    row(t, "pairwise: shape mismatch", lambda call=call: call(U, torch.ones(2, 2, dtype=F64)), expects("pairwise"))
    row(t, "pairwise: wrong T", lambda call=call: call(U, torch.ones(2, 3, 3, dtype=F64)), expects("pairwise"))
t = "inference.chain_energy"
row(t, "states: float", lambda: inference.chain_energy(torch.zeros(4, dtype=F64), U, P), expects("states"))
row(t, "states: list", lambda: inference.chain_energy([0, 0, 0, 0], U, P), expects("states"))
row(t, "states: wrong length", lambda: inference.chain_energy(torch.zeros(5, dtype=torch.long), U, P),
    expects("states"))
row(t, "states: out of range", lambda: inference.chain_energy(torch.full((4,), 3), U, P), expects("states"))

# --- latent ---------------------------------------------------------------------------------------

t = "latent.EllipseDecoder"
number_rows(t, "w", lambda v: latent.EllipseDecoder(v), {"three": (1.0, 2.0, 3.0), "nan": (math.nan, 1.0),
                                                          "scalar": 1.0})
tensor_rows(t, "z", DEC, ZG, wrong_ndim=None, skip=("wrong ndim",))

t = "latent.latent_grid"
number_rows(t, "n", latent.latent_grid, {"zero": 0, "float": 4.5, "bool": True, "string": "48"})

t = "latent.latent_energy"
tensor_rows(t, "y", lambda v: latent.latent_energy(v, torch.zeros(3, dtype=F64), DEC), _y(),
            skip=("empty batch",))
row(t, "y: empty batch", lambda: latent.latent_energy(_y()[:0], torch.zeros(0, dtype=F64), DEC), expects("y"))
tensor_rows(t, "z", lambda v: latent.latent_energy(_y(), v, DEC), torch.zeros(3, dtype=F64))
row(t, "z: batch mismatch", lambda: latent.latent_energy(_y(), torch.zeros(4, dtype=F64), DEC), expects("z"))
row(t, "decoder: not callable", lambda: latent.latent_energy(_y(), torch.zeros(3, dtype=F64), "g"),
    expects("decoder"))
row(t, "decoder: wrong output", lambda: latent.latent_energy(_y(3, 3), torch.zeros(3, dtype=F64), DEC),
    expects("decoder"))

t = "latent.latent_energy_table"
tensor_rows(t, "y", lambda v: latent.latent_energy_table(v, DEC, ZG), _y())
tensor_rows(t, "z_grid", lambda v: latent.latent_energy_table(_y(), DEC, v), ZG,
            wrong_ndim=ZG[:, None].expand(12, 2))
row(t, "decoder: not callable", lambda: latent.latent_energy_table(_y(), None, ZG), expects("decoder"))

t = "latent.infer_latent"
tensor_rows(t, "y", lambda v: latent.infer_latent(v, DEC), _y())
row(t, "method: unknown", lambda: latent.infer_latent(_y(), DEC, method="adam"), expects("method"))
for _m in ("gd", "lbfgs"):
    number_rows(t, "steps", lambda v, _m=_m: latent.infer_latent(_y(), DEC, method=_m, steps=v), STEPS)
    number_rows(t, "lr", lambda v, _m=_m: latent.infer_latent(_y(), DEC, method=_m, lr=v), POSITIVE)
    number_rows(t, "z0", lambda v, _m=_m: latent.infer_latent(_y(), DEC, method=_m, z0=v),
                {**REAL, "wrong shape": torch.zeros(2, dtype=F64), "int tensor": torch.zeros(3, dtype=torch.long),
                 "nan tensor": torch.full((3,), math.nan, dtype=F64)})
row(t, "return_trajectory: with grid", lambda: latent.infer_latent(_y(), DEC, return_trajectory=True),
    r"return_trajectory needs")
row(t, "z_grid: nan", lambda: latent.infer_latent(_y(), DEC, z_grid=_poison(ZG, math.nan)), expects("z_grid"))

t = "latent.HornDecoder"
number_rows(t, "hidden", lambda v: latent.HornDecoder(v), {"zero": 0, "float": 2.5, "bool": True})
number_rows(t, "generator", lambda v: latent.HornDecoder(4, generator=v), {"int": 0, "string": "rng"})
tensor_rows(t, "x", lambda v: HORN(v, ZG), torch.linspace(0, 1, 3, dtype=F64))
tensor_rows(t, "z", lambda v: HORN(torch.linspace(0, 1, 3, dtype=F64), v), ZG, wrong_ndim=ZG[:, None])

X3 = torch.linspace(0, 1, 3, dtype=F64)
for _f in ("conditional_latent_energy_table", "conditional_free_energy"):
    fn = getattr(latent, _f)
    t = f"latent.{_f}"
    tensor_rows(t, "x", lambda v, fn=fn: fn(v, _y(), HORN), X3, skip=("empty batch",))
    tensor_rows(t, "y", lambda v, fn=fn: fn(X3, v, HORN), _y(), skip=("empty batch",))
    row(t, "x, y: empty batch", lambda fn=fn: fn(X3[:0], _y()[:0], HORN), expects("x"))
    row(t, "x, y: batch mismatch", lambda fn=fn: fn(X3[:2], _y(), HORN), expects("x"))
    row(t, "z_grid: 3-D", lambda fn=fn: fn(X3, _y(), HORN, z_grid=torch.zeros(2, 2, 2, dtype=F64)),
        expects("z_grid"))
    row(t, "decoder: not callable", lambda fn=fn: fn(X3, _y(), 1.0), expects("decoder"))
    row(t, "decoder: wrong output", lambda fn=fn: fn(X3, _y(3, 3), HORN), expects("decoder"))
number_rows("latent.conditional_free_energy", "beta",
            lambda v: latent.conditional_free_energy(X3, _y(), HORN, beta=v), BETA)

t = "latent.latent_free_energy"
tensor_rows(t, "y", lambda v: latent.latent_free_energy(v, DEC, beta=1.0), _y())
number_rows(t, "beta", lambda v: latent.latent_free_energy(_y(), DEC, beta=v),
            {**BETA, "tensor with 0": torch.tensor([1.0, 0.0], dtype=F64)[:, None],
             "int tensor": torch.tensor([1, 2])[:, None]})

t = "latent.free_energy_on_grid"
G5 = torch.linspace(-2, 2, 5, dtype=F64)
tensor_rows(t, "y1", lambda v: latent.free_energy_on_grid(DEC, v, G5), G5, wrong_ndim=G5[:, None])
tensor_rows(t, "y2", lambda v: latent.free_energy_on_grid(DEC, G5, v), G5, wrong_ndim=G5[:, None])
number_rows(t, "beta", lambda v: latent.free_energy_on_grid(DEC, G5, G5, beta=v), BETA)
row(t, "decoder: not callable", lambda: latent.free_energy_on_grid(None, G5, G5), expects("decoder"))

t = "latent.local_minima"
tensor_rows(t, "table", latent.local_minima, _y(3, 5))
row(t, "table: fewer than 3 columns", lambda: latent.local_minima(_y(3, 2)), expects("table"))

# --- free_energy ----------------------------------------------------------------------------------

t = "free_energy.free_energy"
tensor_rows(t, "energies", lambda v: fe.free_energy(v, 1.0), _y(3, 4), wrong_ndim=torch.tensor(1.0, dtype=F64))
number_rows(t, "beta", lambda v: fe.free_energy(_y(3, 4), v),
            {**BETA, "tensor with 0": torch.tensor([1.0, 0.0, 2.0], dtype=F64),
             "tensor nan": torch.tensor([1.0, math.nan, 2.0], dtype=F64),
             "int tensor": torch.ones(3, dtype=torch.long), "empty tensor": torch.ones(0, dtype=F64),
             "tensor shape mismatch": torch.ones(4, dtype=F64)})
number_rows(t, "dim", lambda v: fe.free_energy(_y(3, 4), 1.0, dim=v), {"out of range": 2, "float": 1.0,
                                                                        "string": "z"})

t = "free_energy.gibbs_on_grid"
tensor_rows(t, "F", lambda v: fe.gibbs_on_grid(v, 1.0, 0.1), _y(3, 4), wrong_ndim=None, skip=("wrong ndim",))
number_rows(t, "beta", lambda v: fe.gibbs_on_grid(_y(3, 4), v, 0.1), {**BETA, "inf": math.inf})
number_rows(t, "cell_area", lambda v: fe.gibbs_on_grid(_y(3, 4), 1.0, v), POSITIVE)

# --- datasets -------------------------------------------------------------------------------------

t = "datasets.ellipse_radii"
number_rows(t, "x", datasets.ellipse_radii,
            {**REAL, "int tensor": torch.zeros(3, dtype=torch.long), "nan tensor": torch.tensor([math.nan]),
             "inf tensor": torch.tensor([math.inf]), "complex tensor": torch.zeros(2, dtype=torch.complex64),
             "list": [0.0, 1.0], "empty tensor": torch.zeros(0)})
number_rows(t, "alpha", lambda v: datasets.ellipse_radii(0.5, alpha=v), POSITIVE)
number_rows(t, "beta", lambda v: datasets.ellipse_radii(0.5, beta=v), POSITIVE)

for _f in ("ellipse", "horn"):
    fn = getattr(datasets, _f)
    t = f"datasets.{_f}"
    number_rows(t, "n", fn, {"zero": 0, "negative": -1, "float": 2.5, "bool": True, "string": "5"})
    number_rows(t, "noise", lambda v, fn=fn: fn(5, noise=v), {"negative": -0.1, **REAL})
    number_rows(t, "alpha", lambda v, fn=fn: fn(5, alpha=v), POSITIVE)
    number_rows(t, "beta", lambda v, fn=fn: fn(5, beta=v), POSITIVE)
    number_rows(t, "generator", lambda v, fn=fn: fn(5, generator=v), {"int": 0})
    number_rows(t, "dtype", lambda v, fn=fn: fn(5, dtype=v), {"int64": torch.int64, "string": "float32"})
number_rows("datasets.ellipse", "x", lambda v: datasets.ellipse(5, x=v), REAL)
number_rows("datasets.horn", "spacing", lambda v: datasets.horn(5, spacing=v), {"unknown": "grid", "none": None})

t = "datasets.markov_sequences"
number_rows(t, "n", lambda v: datasets.markov_sequences(v, TRANS, length=3), {"zero": 0, "float": 1.5})
number_rows(t, "length", lambda v: datasets.markov_sequences(2, TRANS, length=v), {"zero": 0, "float": 1.5})
tensor_rows(t, "transition", lambda v: datasets.markov_sequences(2, v, length=3), TRANS,
            wrong_ndim=TRANS[0])
number_rows(t, "transition", lambda v: datasets.markov_sequences(2, v, length=3),
            {"not stochastic": TRANS * 2, "not square": TRANS[:, :1].expand(2, 3).contiguous()})
number_rows(t, "initial", lambda v: datasets.markov_sequences(2, TRANS, length=3, initial=v),
            {"wrong size": torch.ones(3, dtype=F64) / 3, "not a distribution": torch.ones(2, dtype=F64),
             "nan": torch.tensor([math.nan, 0.5], dtype=F64)})
number_rows(t, "generator", lambda v: datasets.markov_sequences(2, TRANS, length=3, generator=v), {"int": 1})

t = "datasets.masked_token_posterior"
POS = torch.tensor([1, 0])
number_rows(t, "tokens", lambda v: datasets.masked_token_posterior(v, POS, TRANS),
            {"float": TOKENS.to(F64), "list": TOKENS.tolist(), "1-D": TOKENS[0], "out of range": TOKENS + 5,
             "empty batch": TOKENS[:0]})
number_rows(t, "position", lambda v: datasets.masked_token_posterior(TOKENS, v, TRANS),
            {"float": POS.to(F64), "batch mismatch": POS[:1], "out of range": POS + 3})
number_rows(t, "transition", lambda v: datasets.masked_token_posterior(TOKENS, POS, v),
            {"nan": _poison(TRANS, math.nan), "not stochastic": TRANS * 2, "list": TRANS.tolist()})

# --- losses ---------------------------------------------------------------------------------------

FP = torch.tensor([0.0, 1.0, 2.0], dtype=F64)
FN = torch.tensor([[1.0, 2.0], [0.5, 1.5], [3.0, 2.0]], dtype=F64)
t = "losses.energy_loss"
tensor_rows(t, "f_pos", losses.energy_loss, FP)
for _f in ("hinge_loss", "log_loss"):
    fn = getattr(losses, _f)
    t = f"losses.{_f}"
    extra = (1.0,) if _f == "hinge_loss" else ()
    tensor_rows(t, "f_pos", lambda v, fn=fn, extra=extra: fn(v, FN, *extra), FP, skip=("empty batch",))
    tensor_rows(t, "f_neg", lambda v, fn=fn, extra=extra: fn(FP, v, *extra), FN, skip=("empty batch",),
                wrong_ndim=FN[..., None])
    row(t, "f_pos, f_neg: empty batch", lambda fn=fn, extra=extra: fn(FP[:0], FN[:0], *extra), expects("f_pos"))
    row(t, "f_neg: batch mismatch", lambda fn=fn, extra=extra: fn(FP, FN[:2], *extra), expects("f_neg"))
number_rows("losses.hinge_loss", "margin", lambda v: losses.hinge_loss(FP, FN, v),
            {"negative": -1.0, **REAL, "tensor": torch.tensor(1.0)})

t = "losses.nll_loss"
tensor_rows(t, "f_pos", lambda v: losses.nll_loss(v, FN), FP, skip=("empty batch",))
tensor_rows(t, "f_grid", lambda v: losses.nll_loss(FP, v), FN, wrong_ndim=FN[..., None])
row(t, "f_grid: batch mismatch", lambda: losses.nll_loss(FP, FN[:2]), expects("f_grid"))
number_rows(t, "beta", lambda v: losses.nll_loss(FP, FN, beta=v), {**BETA, "inf": math.inf})
number_rows(t, "cell_area", lambda v: losses.nll_loss(FP, FN, cell_area=v), POSITIVE)

GRID, CELL = losses.square_grid(2.0, 5, dtype=F64)
t = "losses.grid_log_likelihood"
tensor_rows(t, "y_data", lambda v: losses.grid_log_likelihood(QUAD, v, GRID, CELL), _y())
tensor_rows(t, "grid", lambda v: losses.grid_log_likelihood(QUAD, _y(), v, CELL), GRID)
number_rows(t, "cell_area", lambda v: losses.grid_log_likelihood(QUAD, _y(), GRID, v), POSITIVE)
number_rows(t, "beta", lambda v: losses.grid_log_likelihood(QUAD, _y(), GRID, CELL, beta=v), BETA)
row(t, "energy: wrong output", lambda: losses.grid_log_likelihood(WRONG_SHAPE, _y(), GRID, CELL), expects("energy"))
row(t, "energy: NaN output", lambda: losses.grid_log_likelihood(NAN_ENERGY, _y(), GRID, CELL), r"energy returned NaN")

t = "losses.ml_gradient"
_theta = torch.tensor([1.0], dtype=F64, requires_grad=True)
_E = lambda y: _theta * (y**2).sum(1)  # noqa: E731
tensor_rows(t, "y_data", lambda v: losses.ml_gradient(_E, [_theta], v, GRID), _y())
tensor_rows(t, "grid", lambda v: losses.ml_gradient(_E, [_theta], _y(), v), GRID)
number_rows(t, "beta", lambda v: losses.ml_gradient(_E, [_theta], _y(), GRID, beta=v), BETA)
number_rows(t, "params", lambda v: losses.ml_gradient(_E, v, _y(), GRID),
            {"empty": [], "no grad": [torch.ones(1)], "not tensors": [1.0]})

t = "losses.square_grid"
number_rows(t, "lim", lambda v: losses.square_grid(v, 5), POSITIVE)
number_rows(t, "n", lambda v: losses.square_grid(1.0, v), {"one": 1, "float": 4.5, "bool": True})

# --- training -------------------------------------------------------------------------------------

t = "training.train"
_w = torch.zeros(2, dtype=F64, requires_grad=True)
_loss = lambda batch: ((batch - _w) ** 2).sum(1).mean()  # noqa: E731
_train = lambda **kw: training.train(kw.pop("loss_fn", _loss), kw.pop("params", _w),  # noqa: E731
                                     **{"data": _y(), "epochs": 1, "lr": 0.1, "progress": False, **kw})
number_rows(t, "epochs", lambda v: _train(epochs=v), {"zero": 0, "negative": -1, "float": 1.5, "nan": math.nan})
number_rows(t, "lr", lambda v: _train(lr=v), POSITIVE)
number_rows(t, "optimizer", lambda v: _train(optimizer=v), {"unknown": "rmsprop", "none": None})
number_rows(t, "batch_size", lambda v: _train(batch_size=v), {"zero": 0, "float": 1.5})
number_rows(t, "clip_grad_norm", lambda v: _train(clip_grad_norm=v), POSITIVE)
number_rows(t, "data", lambda v: _train(data=v),
            {"empty batch": _y()[:0], "nan": _poison(_y(), math.nan), "mismatched tuple": (_y(), _y()[:2]),
             "empty tuple": (), "list of numbers": [1.0, 2.0]})
row(t, "params: not a leaf", lambda: _train(params=[_w * 2]), r"parameter 0 must")
row(t, "params: empty", lambda: _train(params=[]), r"no parameters")
row(t, "loss_fn: returns a vector", lambda: _train(loss_fn=lambda b: (b - _w).sum(1)), expects("loss_fn"))

# --- samplers -------------------------------------------------------------------------------------

t = "samplers.langevin"
_gen = lambda: torch.Generator().manual_seed(0)  # noqa: E731
tensor_rows(t, "y0", lambda v: samplers.langevin(QUAD, v, steps=2, step_size=0.1, generator=_gen()), _y())
number_rows(t, "steps", lambda v: samplers.langevin(QUAD, _y(), steps=v, step_size=0.1), STEPS)
number_rows(t, "step_size", lambda v: samplers.langevin(QUAD, _y(), steps=2, step_size=v), POSITIVE)
number_rows(t, "noise_scale", lambda v: samplers.langevin(QUAD, _y(), steps=2, step_size=0.1, noise_scale=v),
            {"negative": -1.0, **REAL})
row(t, "energy: wrong output", lambda: samplers.langevin(WRONG_SHAPE, _y(), steps=2, step_size=0.1),
    expects("energy"))
row(t, "energy: NaN output", lambda: samplers.langevin(NAN_ENERGY, _y(), steps=2, step_size=0.1),
    r"energy returned NaN")
row(t, "energy: not callable", lambda: samplers.langevin(None, _y(), steps=2, step_size=0.1), expects("energy"))

t = "samplers.PersistentChains"
_fresh = lambda m, g: torch.zeros(m, 2, dtype=F64)  # noqa: E731
tensor_rows(t, "init", lambda v: samplers.PersistentChains(v, _fresh), _y())
row(t, "fresh: not callable", lambda: samplers.PersistentChains(_y(), None), expects("fresh"))
number_rows(t, "restart_prob", lambda v: samplers.PersistentChains(_y(), _fresh, restart_prob=v),
            {"negative": -0.1, "above one": 1.5, "nan": math.nan, "string": "0.5", "bool": True})
row(t, "fresh: wrong shape", lambda: samplers.PersistentChains(_y(), lambda m, g: torch.zeros(m, 3, dtype=F64))(
    QUAD, steps=1, step_size=0.1), expects("fresh"))
number_rows(t, "step_size", lambda v: samplers.PersistentChains(_y(), _fresh)(QUAD, steps=1, step_size=v), POSITIVE)

# --- models (chapter 6: the RBM; MLPEnergy is also checked above as energies.MLPEnergy) ------------

from ebmlib import models  # noqa: E402

t = "models.MLPEnergy"
number_rows(t, "dim", lambda v: models.MLPEnergy(v), {"zero": 0, "float": 2.5, "bool": True})
t = "models.RBM"
number_rows(t, "n_visible", lambda v: models.RBM(v, 3), {"zero": 0, "float": 2.5, "bool": True, "string": "3"})
number_rows(t, "n_hidden", lambda v: models.RBM(3, v), {"zero": 0, "negative": -2, "float": 2.5})
_rbm = models.RBM(2, 3).double()
tensor_rows(t, "v", lambda v: _rbm.free_energy(v), _y(), wrong_ndim=torch.zeros(2, dtype=F64))
tensor_rows(t, "v", lambda v: _rbm.gibbs(v, k=1, generator=0), _y(), wrong_ndim=torch.zeros(2, dtype=F64))
tensor_rows(t, "h", lambda v: _rbm.sample_v(v, generator=0), _y(3, 3), wrong_ndim=torch.zeros(3, dtype=F64))
row(t, "v: wrong width", lambda: _rbm.sample_h(_y(3, 3)), expects("v"))
number_rows(t, "k", lambda v: _rbm.gibbs(_y(), k=v), STEPS)
row(t, "log_partition: too large", lambda: models.RBM(21, 21).log_partition(), r"smaller layer.*must|needs")

# --- plotting (arrays are accepted here, so no list/ndarray rows) ---------------------------------

LIM = (-2.0, 2.0)
BAD_LIMS = {"reversed": (1.0, -1.0), "nan": (math.nan, 1.0), "one number": 1.0, "three numbers": (0, 1, 2)}
t = "plotting.energy_grid"
number_rows(t, "xlim", lambda v: plotting.energy_grid(DW, v, LIM, 5), BAD_LIMS)
number_rows(t, "ylim", lambda v: plotting.energy_grid(DW, LIM, v, 5), BAD_LIMS)
number_rows(t, "n", lambda v: plotting.energy_grid(DW, LIM, LIM, v), {"zero": 0, "float": 2.5})
row(t, "energy: wrong output", lambda: plotting.energy_grid(WRONG_SHAPE, LIM, LIM, 5), expects("energy"))
row(t, "energy: NaN output", lambda: plotting.energy_grid(NAN_ENERGY, LIM, LIM, 5), r"energy returned NaN")

t = "plotting.plot_landscape"
number_rows(t, "xlim", lambda v: plotting.plot_landscape(DW, v, LIM, n=5), BAD_LIMS)
row(t, "energy and grid: both None", lambda: plotting.plot_landscape(None, LIM, LIM), r"needs an energy")
row(t, "trajectories: wrong shape", lambda: plotting.plot_landscape(DW, LIM, LIM, n=5,
                                                                   trajectories=torch.zeros(3, 3)),
    expects("trajectories"))

t = "plotting.plot_energy_curve"
_E1 = lambda y: (y[:, 0] ** 2 - 1) ** 2  # noqa: E731
number_rows(t, "lim", lambda v: plotting.plot_energy_curve(_E1, v), BAD_LIMS)
number_rows(t, "n", lambda v: plotting.plot_energy_curve(_E1, LIM, n=v), {"zero": 0, "float": 2.5})
row(t, "energy: wrong output", lambda: plotting.plot_energy_curve(WRONG_SHAPE, LIM), expects("energy"))


def _ax():
    return plt.subplots()[1]


t = "plotting.draw_gradient_inference"
number_rows(t, "lr", lambda v: plotting.draw_gradient_inference(_ax(), DW, (1.0, 1.0), v, steps=3, xlim=LIM,
                                                                ylim=LIM), POSITIVE)
number_rows(t, "steps", lambda v: plotting.draw_gradient_inference(_ax(), DW, (1.0, 1.0), 0.1, steps=v, xlim=LIM,
                                                                   ylim=LIM), STEPS)

t = "plotting.plot_step_size_grid"
number_rows(t, "lrs", lambda v: plotting.plot_step_size_grid(DW, [(1.0, 1.0)], v, steps=2, xlim=LIM, ylim=LIM, n=5),
            {"empty": [], "zero": [0.0], "nan": [math.nan]})
number_rows(t, "steps", lambda v: plotting.plot_step_size_grid(DW, [(1.0, 1.0)], [0.1], steps=v, xlim=LIM, ylim=LIM,
                                                               n=5), STEPS)
row(t, "starts: empty", lambda: plotting.plot_step_size_grid(DW, [], [0.1], steps=2, xlim=LIM, ylim=LIM, n=5),
    expects("starts"))

t = "plotting.plot_latent_energy_curves"
_tab = latent.latent_energy_table(_y(), DEC, ZG).detach()
tensor_rows(t, "table", lambda v: plotting.plot_latent_energy_curves(v, ZG), _tab, skip=("list", "ndarray"))
row(t, "z_grid: mismatch", lambda: plotting.plot_latent_energy_curves(_tab, ZG[:5]), expects("z_grid"))
row(t, "z_check: mismatch", lambda: plotting.plot_latent_energy_curves(_tab, ZG, z_check=ZG[:2]), expects("z_check"))
number_rows(t, "ncols", lambda v: plotting.plot_latent_energy_curves(_tab, ZG, ncols=v), {"zero": 0, "float": 1.5})

t = "plotting.plot_free_energy_map"
_F = torch.zeros(5, 4, dtype=F64)
G4 = torch.linspace(-1, 1, 4, dtype=F64)
row(t, "F: wrong shape", lambda: plotting.plot_free_energy_map(G4, G5, _F.T), expects("F"))
row(t, "F: nan", lambda: plotting.plot_free_energy_map(G4, G5, _poison(_F, math.nan)), expects("F"))
row(t, "grad: wrong shape", lambda: plotting.plot_free_energy_map(G4, G5, _F, torch.zeros(5, 4)), expects("grad"))

t = "plotting.draw_latent_inference"
_axes = lambda: plt.subplots(1, 2)[1]  # noqa: E731
number_rows(t, "y", lambda v: plotting.draw_latent_inference(_axes(), v, DEC),
            {"three numbers": (1.0, 2.0, 3.0), "nan": (math.nan, 1.0), "string": "ab"})
row(t, "decoder: not callable", lambda: plotting.draw_latent_inference(_axes(), (1.0, 0.5), None), expects("decoder"))

t = "plotting.plot_free_energy_sections"
row(t, "F: wrong shape", lambda: plotting.plot_free_energy_sections(G5, torch.zeros(2, 4), [1.0, 2.0]), expects("F"))
row(t, "F: nan", lambda: plotting.plot_free_energy_sections(G5, torch.full((2, 5), math.nan), [1.0, 2.0]),
    expects("F"))

t = "plotting.plot_density_grid"
row(t, "densities: wrong shape", lambda: plotting.plot_density_grid(G4, G5, torch.zeros(2, 4, 5), [1.0, 2.0]),
    expects("densities"))
row(t, "densities: nan", lambda: plotting.plot_density_grid(G4, G5, torch.full((2, 5, 4), math.nan), [1.0, 2.0]),
    expects("densities"))

t = "plotting.plot_loss_vs_gap"
row(t, "gap: 2-D", lambda: plotting.plot_loss_vs_gap(torch.zeros(3, 2), {"hinge": torch.zeros(3, 2)}), expects("gap"))
row(t, "values: empty", lambda: plotting.plot_loss_vs_gap(G5, {}), expects("values"))
row(t, "values: mismatch", lambda: plotting.plot_loss_vs_gap(G5, {"hinge": G4}), r"curve 'hinge' must")
row(t, "axes: wrong count", lambda: plotting.plot_loss_vs_gap(G5, {"h": G5}, slopes={"h": G5}, axes=_ax()),
    r"need 2 axes")

t = "plotting.plot_ellipse_fits"
row(t, "data: wrong shape", lambda: plotting.plot_ellipse_fits(torch.zeros(3, 3), {"fit": (1.0, 2.0)}),
    expects("data"))
row(t, "fits: wrong shape", lambda: plotting.plot_ellipse_fits(_y(), {"fit": (1.0, 2.0, 3.0)}), r"fit 'fit' must")
number_rows(t, "n", lambda v: plotting.plot_ellipse_fits(_y(), {"fit": (1.0, 2.0)}, n=v), {"zero": 0})

t = "plotting.plot_horn_slices"
_xs, _ys = datasets.horn(6, spacing="even", generator=torch.Generator().manual_seed(0), dtype=F64)
_w2 = torch.ones(2, 2, dtype=F64)
row(t, "x_data: wrong shape", lambda: plotting.plot_horn_slices(_xs[:, None], _ys, [0.0, 1.0], _w2, _w2),
    expects("x_data"))
row(t, "x_slices: empty", lambda: plotting.plot_horn_slices(_xs, _ys, [], _w2[:0], _w2[:0]), expects("x_slices"))
row(t, "learned: wrong shape", lambda: plotting.plot_horn_slices(_xs, _ys, [0.0, 1.0], _w2[:1], _w2),
    expects("learned"))
row(t, "centre: wrong shape", lambda: plotting.plot_horn_slices(_xs, _ys, [0.0, 1.0], _w2, _w2, centre=_w2[0]),
    expects("centre"))

t = "plotting.plot_radii_curves"
row(t, "x: wrong shape", lambda: plotting.plot_radii_curves(_xs[:, None], _ys, _ys), expects("x"))
row(t, "learned: mismatch", lambda: plotting.plot_radii_curves(_xs, _ys[:2], _ys), expects("x"))

t = "plotting.plot_token_probabilities"
_p = torch.full((2, 3), 1 / 3, dtype=F64)
row(t, "p_model: mismatch", lambda: plotting.plot_token_probabilities(_p[:1], _p, ["a", "b"], ["x", "y", "z"]),
    expects("p_model"))
row(t, "context_labels: count", lambda: plotting.plot_token_probabilities(_p, _p, ["a"], ["x", "y", "z"]),
    r"need 2 context labels")

# --- widgets --------------------------------------------------------------------------------------

for _f in ("GradientInferenceWidget", "gradient_inference_widget"):
    fn = getattr(widgets, _f)
    t = f"widgets.{_f}"
    number_rows(t, "lr", lambda v, fn=fn: fn(DW, LIM, LIM, lr=v, n=5, steps=2), {**POSITIVE, "outside range": 0.9})
    number_rows(t, "steps", lambda v, fn=fn: fn(DW, LIM, LIM, steps=v, n=5), STEPS)
    number_rows(t, "lr_range", lambda v, fn=fn: fn(DW, LIM, LIM, lr_range=v, n=5, steps=2),
                {"reversed": (0.5, 0.001), "zero": (0.0, 0.5)})
    number_rows(t, "xlim", lambda v, fn=fn: fn(DW, v, LIM, n=5, steps=2), BAD_LIMS)
for _f in ("LatentInferenceWidget", "latent_inference_widget"):
    fn = getattr(widgets, _f)
    t = f"widgets.{_f}"
    number_rows(t, "y1_range", lambda v, fn=fn: fn(DEC, y1_range=v), BAD_LIMS)
    row(t, "y0: outside range", lambda fn=fn: fn(DEC, y0=(9.0, 0.0)), expects("y0"))
    row(t, "y0: nan", lambda fn=fn: fn(DEC, y0=(math.nan, 0.0)), expects("y0"))
    row(t, "z_grid: nan", lambda fn=fn: fn(DEC, z_grid=_poison(ZG, math.nan)), expects("z_grid"))
for _f in ("FreeEnergyBetaWidget", "free_energy_beta_widget"):
    fn = getattr(widgets, _f)
    t = f"widgets.{_f}"
    tensor_rows(t, "y1", lambda v, fn=fn: fn(DEC, v, G5), G4, wrong_ndim=G4[:, None])
    number_rows(t, "beta", lambda v, fn=fn: fn(DEC, G4, G5, beta=v), {**BETA, "outside range": 1e3})
    number_rows(t, "beta_range", lambda v, fn=fn: fn(DEC, G4, G5, beta_range=v), {**BAD_LIMS, "zero": (0.0, 1.0)})

# --- utils ----------------------------------------------------------------------------------------

number_rows("utils.set_seed", "seed", utils.set_seed, {"negative": -1, "float": 1.5, "bool": True, "string": "0"})
number_rows("utils.get_device", "prefer", utils.get_device, {"unknown": "gpu", "int": 0})
number_rows("utils.make_generator", "seed", utils.make_generator, {"negative": -1, "float": 1.5, "bool": True})
number_rows("utils.as_generator", "generator", utils.as_generator, {"negative": -1, "float": 1.5, "bool": True})


# --- chapter 7: contrastive methods (losses and data) ----------------------------------------------

for _f in ("score_matching_loss", "sliced_score_matching_loss", "denoising_score_matching_loss"):
    _kw = {"sigma": 0.1} if _f.startswith("denoising") else {}
    fn = getattr(losses, _f)
    t = f"losses.{_f}"
    tensor_rows(t, "y", lambda v, fn=fn, _kw=_kw: fn(QUAD, v, **_kw), _y())
    row(t, "energy: not callable", lambda fn=fn, _kw=_kw: fn(None, _y(), **_kw), expects("energy"))
    row(t, "energy: wrong output", lambda fn=fn, _kw=_kw: fn(WRONG_SHAPE, _y(), **_kw), expects("energy"))
    if _f != "score_matching_loss":
        number_rows(t, "generator", lambda v, fn=fn, _kw=_kw: fn(QUAD, _y(), generator=v, **_kw), {"negative": -1, "float": 1.5})
number_rows("losses.sliced_score_matching_loss", "n_projections",
            lambda v: losses.sliced_score_matching_loss(QUAD, _y(), n_projections=v), {"zero": 0, "float": 1.5, "bool": True})
number_rows("losses.denoising_score_matching_loss", "sigma",
            lambda v: losses.denoising_score_matching_loss(QUAD, _y(), sigma=v), POSITIVE)

t = "losses.nce_loss"
_NLP = lambda y: -0.5 * (y**2).sum(1) - math.log(2 * math.pi)  # noqa: E731 - N(0, I) in 2-D
tensor_rows(t, "y_data", lambda v: losses.nce_loss(QUAD, 0.0, v, _y(), _NLP), _y())
tensor_rows(t, "y_noise", lambda v: losses.nce_loss(QUAD, 0.0, _y(), v, _NLP), _y())
row(t, "y_noise: wrong width", lambda: losses.nce_loss(QUAD, 0.0, _y(), _y(3, 3), _NLP), expects("y_noise"))
number_rows(t, "log_z", lambda v: losses.nce_loss(QUAD, v, _y(), _y(), _NLP),
            {**REAL, "vector": torch.zeros(2, dtype=F64), "int tensor": torch.tensor(1)})
row(t, "energy: not callable", lambda: losses.nce_loss(None, 0.0, _y(), _y(), _NLP), expects("energy"))
row(t, "energy: wrong output", lambda: losses.nce_loss(WRONG_SHAPE, 0.0, _y(), _y(), _NLP), expects("energy"))
row(t, "noise_log_prob: not callable", lambda: losses.nce_loss(QUAD, 0.0, _y(), _y(), None), expects("noise_log_prob"))
row(t, "noise_log_prob: wrong output", lambda: losses.nce_loss(QUAD, 0.0, _y(), _y(), lambda y: y),
    expects("noise_log_prob"))

t = "losses.contrastive_divergence_loss"
_cd = lambda **kw: losses.contrastive_divergence_loss(**{"energy": QUAD, "y": _y(), "k": 2, "step_size": 0.1, **kw})  # noqa: E731
tensor_rows(t, "y", lambda v: _cd(y=v), _y())
number_rows(t, "k", lambda v: _cd(k=v), {"zero": 0, "float": 1.5, "bool": True})
number_rows(t, "step_size", lambda v: _cd(step_size=v), POSITIVE)
number_rows(t, "energy_penalty", lambda v: _cd(energy_penalty=v), {"negative": -1.0, **REAL})
row(t, "energy: not callable", lambda: _cd(energy=None), expects("energy"))
row(t, "energy: wrong output", lambda: _cd(energy=WRONG_SHAPE), expects("energy"))

t = "losses.persistent_contrastive_divergence_loss"
_pcd_chains = lambda: samplers.PersistentChains(_y(), lambda m, g: torch.zeros(m, 2, dtype=F64))  # noqa: E731
_pcd = lambda **kw: losses.persistent_contrastive_divergence_loss(  # noqa: E731
    **{"energy": QUAD, "y": _y(), "chains": _pcd_chains(), "steps": 2, "step_size": 0.1, **kw})
tensor_rows(t, "y", lambda v: _pcd(y=v), _y())
number_rows(t, "chains", lambda v: _pcd(chains=v), {"tensor": _y(), "none": None})
row(t, "chains: wrong width", lambda: _pcd(y=_y(3, 3)), expects("chains"))
number_rows(t, "steps", lambda v: _pcd(steps=v), {"zero": 0, "float": 1.5, "bool": True})
number_rows(t, "step_size", lambda v: _pcd(step_size=v), POSITIVE)
number_rows(t, "energy_penalty", lambda v: _pcd(energy_penalty=v), {"negative": -1.0, **REAL})
row(t, "energy: not callable", lambda: _pcd(energy=None), expects("energy"))

t = "datasets.toy_2d"
number_rows(t, "name", lambda v: datasets.toy_2d(v, 5), {"unknown": "moons", "none": None})
number_rows(t, "n", lambda v: datasets.toy_2d("rings", v), {"zero": 0, "negative": -1, "float": 2.5, "bool": True})
number_rows(t, "generator", lambda v: datasets.toy_2d("rings", 5, generator=v), {"negative": -1, "string": "rng"})
number_rows(t, "dtype", lambda v: datasets.toy_2d("rings", 5, dtype=v), {"int64": torch.int64, "string": "float32"})

t = "datasets.toy_2d_log_prob"
number_rows(t, "name", lambda v: datasets.toy_2d_log_prob(v, _y()), {"unknown": "moons", "none": None})
row(t, "toy_2d_log_prob: no closed form", lambda: datasets.toy_2d_log_prob("spiral", _y()), r"toy_2d_log_prob knows")
tensor_rows(t, "y", lambda v: datasets.toy_2d_log_prob("rings", v), _y())
row(t, "y: wrong width", lambda: datasets.toy_2d_log_prob("rings", _y(3, 3)), expects("y"))

t = "datasets.binary_digits"
number_rows(t, "test_fraction", lambda v: datasets.binary_digits(test_fraction=v),
            {"zero": 0.0, "one": 1.0, "nan": math.nan, "string": "0.2"})
number_rows(t, "threshold", lambda v: datasets.binary_digits(threshold=v), {"negative": -1.0, "too high": 16.0, **REAL})
number_rows(t, "generator", lambda v: datasets.binary_digits(generator=v), {"negative": -1, "float": 1.5})
number_rows(t, "dtype", lambda v: datasets.binary_digits(dtype=v), {"int64": torch.int64})


# --- chapter 10: EBMs today ------------------------------------------------------------------------

from ebmlib import metrics, models  # noqa: E402

MODULES.append("metrics")
EXERCISE_MODULES.append("exercises.ch10")
SIG3 = torch.tensor([1.0, 0.5, 0.25], dtype=F64)
GAUSS_SCORE = lambda y, s: -y / (1 + s[:, None] ** 2)  # noqa: E731
BAD_SCORE = lambda y, s: y[:, :1]  # noqa: E731 - (B, 1) instead of (B, D)

t = "losses.geometric_sigmas"
number_rows(t, "sigma_max", lambda v: losses.geometric_sigmas(v, 0.1, 3), POSITIVE)
number_rows(t, "sigma_min", lambda v: losses.geometric_sigmas(1.0, v, 3), POSITIVE)
row(t, "sigma_max: not above sigma_min", lambda: losses.geometric_sigmas(0.1, 1.0, 3), expects("sigma_max"))
number_rows(t, "n", lambda v: losses.geometric_sigmas(1.0, 0.1, v), {"one": 1, "float": 2.5, "bool": True, "string": "3"})

t = "losses.noise_conditional_dsm_loss"
tensor_rows(t, "y", lambda v: losses.noise_conditional_dsm_loss(GAUSS_SCORE, v, SIG3), _y())
tensor_rows(t, "sigmas", lambda v: losses.noise_conditional_dsm_loss(GAUSS_SCORE, _y(), v), SIG3)
row(t, "sigmas: negative", lambda: losses.noise_conditional_dsm_loss(GAUSS_SCORE, _y(), -SIG3), expects("sigmas"))
row(t, "score: not callable", lambda: losses.noise_conditional_dsm_loss(None, _y(), SIG3), expects("score"))
row(t, "score: wrong output", lambda: losses.noise_conditional_dsm_loss(BAD_SCORE, _y(), SIG3), expects("score"))
number_rows(t, "generator", lambda v: losses.noise_conditional_dsm_loss(GAUSS_SCORE, _y(), SIG3, generator=v),
            {"negative": -1, "float": 1.5})

t = "losses.energy_score"
_S3 = torch.linspace(-1, 1, 12, dtype=F64).reshape(3, 2, 2)
tensor_rows(t, "samples", lambda v: losses.energy_score(v, _y()), _S3, wrong_ndim=_y())
row(t, "samples: one sample", lambda: losses.energy_score(_S3[:, :1], _y()), expects("samples"))
tensor_rows(t, "y", lambda v: losses.energy_score(_S3, v), _y())
row(t, "y: batch mismatch", lambda: losses.energy_score(_S3, _y(4, 2)), expects("y"))
row(t, "reduction: unknown", lambda: losses.energy_score(_S3, _y(), reduction="sum"), expects("reduction"))

t = "samplers.annealed_langevin"
_al = lambda **kw: samplers.annealed_langevin(**{"score": GAUSS_SCORE, "y0": _y(), "sigmas": SIG3, "steps": 2,  # noqa: E731
                                                 "step_size": 0.01, **kw})
tensor_rows(t, "y0", lambda v: _al(y0=v), _y())
tensor_rows(t, "sigmas", lambda v: _al(sigmas=v), SIG3)
row(t, "sigmas: increasing", lambda: _al(sigmas=SIG3.flip(0)), expects("sigmas"))
row(t, "sigmas: zero", lambda: _al(sigmas=SIG3 * 0), expects("sigmas"))
number_rows(t, "steps", lambda v: _al(steps=v), STEPS)
number_rows(t, "step_size", lambda v: _al(step_size=v), POSITIVE)
row(t, "score: not callable", lambda: _al(score=3.0), expects("score"))
row(t, "score: wrong output", lambda: _al(score=BAD_SCORE), expects("score"))
number_rows(t, "generator", lambda v: _al(generator=v), {"negative": -1, "float": 1.5})

t = "metrics.energy_distance"
tensor_rows(t, "x", lambda v: metrics.energy_distance(v, _y()), _y())
tensor_rows(t, "y", lambda v: metrics.energy_distance(_y(), v), _y())
row(t, "y: wrong width", lambda: metrics.energy_distance(_y(), _y(3, 3)), expects("y"))

t = "metrics.mode_fractions"
tensor_rows(t, "samples", lambda v: metrics.mode_fractions(v, _y(), 0.5), _y())
tensor_rows(t, "centres", lambda v: metrics.mode_fractions(_y(), v, 0.5), _y())
row(t, "centres: wrong width", lambda: metrics.mode_fractions(_y(), _y(3, 3), 0.5), expects("centres"))
number_rows(t, "radius", lambda v: metrics.mode_fractions(_y(), _y(), v), POSITIVE)

t = "metrics.interval_coverage"
_V3 = torch.tensor([0.0, 1.0, 2.0], dtype=F64)
tensor_rows(t, "lower", lambda v: metrics.interval_coverage(v, _V3 + 1, _V3), _V3)
tensor_rows(t, "upper", lambda v: metrics.interval_coverage(_V3, v, _V3), _V3 + 1)
tensor_rows(t, "y", lambda v: metrics.interval_coverage(_V3, _V3 + 1, v), _V3)
row(t, "upper: below lower", lambda: metrics.interval_coverage(_V3, _V3 - 1, _V3), expects("upper"))
row(t, "upper: shape mismatch", lambda: metrics.interval_coverage(_V3, _V3[:2], _V3[:2]), expects("upper"))

for _cls, _args in (("NoiseConditionalScore", ()), ("ConditionalMLPEnergy", ()), ("GridEncoder", ())):
    t = f"models.{_cls}"
    cls = getattr(models, _cls)
    number_rows(t, "hidden", lambda v, cls=cls: cls(hidden=v), {"empty": (), "zero width": (4, 0), "number": 3})
    number_rows(t, "generator", lambda v, cls=cls: cls(generator=v), {"negative": -1, "string": "rng"})
number_rows("models.NoiseConditionalScore", "dim", lambda v: models.NoiseConditionalScore(v), {"zero": 0, "float": 2.5})
number_rows("models.ConditionalMLPEnergy", "x_dim", lambda v: models.ConditionalMLPEnergy(v), {"zero": 0, "bool": True})
number_rows("models.GridEncoder", "n_z", lambda v: models.GridEncoder(2, v), {"zero": 0, "float": 2.5})
number_rows("models.NoiseConditionalScore", "sigma", lambda v: models.NoiseConditionalScore(2, (4,), generator=0)(_y().float(), v),
            {"zero": 0.0, "nan": math.nan})

_CE = lambda x, y: (y - x[:, 0]) ** 2  # noqa: E731
_G = torch.linspace(-2, 2, 9, dtype=F64)
t = "models.grid_conditional_log_prob"
tensor_rows(t, "x", lambda v: models.grid_conditional_log_prob(_CE, v, _G), _y(3, 1), wrong_ndim=_y(3, 1)[None])
tensor_rows(t, "y_grid", lambda v: models.grid_conditional_log_prob(_CE, _y(3, 1), v), _G)
row(t, "y_grid: unequal spacing", lambda: models.grid_conditional_log_prob(_CE, _y(3, 1), _G**3), expects("y_grid"))
row(t, "y_grid: one point", lambda: models.grid_conditional_log_prob(_CE, _y(3, 1), _G[:1]), expects("y_grid"))
row(t, "energy: not callable", lambda: models.grid_conditional_log_prob(None, _y(3, 1), _G), expects("energy"))
row(t, "energy: wrong output", lambda: models.grid_conditional_log_prob(lambda x, y: y[:2], _y(3, 1), _G), expects("energy"))

t = "models.grid_conditional_nll"
_V = torch.tensor([0.1, 0.2, 0.3], dtype=F64)
tensor_rows(t, "x", lambda v: models.grid_conditional_nll(_CE, v, _V, _G), _y(3, 1), wrong_ndim=_y(3, 1)[None])
tensor_rows(t, "y", lambda v: models.grid_conditional_nll(_CE, _y(3, 1), v, _G), _V)
row(t, "y: batch mismatch", lambda: models.grid_conditional_nll(_CE, _y(3, 1), _V[:2], _G), expects("y"))
tensor_rows(t, "y_grid", lambda v: models.grid_conditional_nll(_CE, _y(3, 1), _V, v), _G)
row(t, "reduction: unknown", lambda: models.grid_conditional_nll(_CE, _y(3, 1), _V, _G, reduction="sum"),
    expects("reduction"))
row(t, "energy: not callable", lambda: models.grid_conditional_nll("E", _y(3, 1), _V, _G), expects("energy"))

t = "models.central_interval"
_LP = torch.log_softmax(-_G[None] ** 2, dim=1).expand(3, 9).contiguous()
tensor_rows(t, "log_prob", lambda v: models.central_interval(v, _G), _LP, skip=("inf",))
row(t, "log_prob: wrong width", lambda: models.central_interval(_LP[:, :5], _G), expects("log_prob"))
tensor_rows(t, "y_grid", lambda v: models.central_interval(_LP, v), _G)
number_rows(t, "level", lambda v: models.central_interval(_LP, _G, v), {"zero": 0.0, "one": 1.0, "nan": math.nan,
                                                                      "string": "0.9", "bool": True})

t = "models.variational_free_energy"
_T = torch.rand(3, 4, generator=torch.Generator().manual_seed(0), dtype=F64)
_LQ = torch.full((3, 4), -math.log(4), dtype=F64)
tensor_rows(t, "energy_table", lambda v: models.variational_free_energy(v, _LQ), _T)
tensor_rows(t, "log_q", lambda v: models.variational_free_energy(_T, v), _LQ, skip=("inf",))
row(t, "log_q: not normalised", lambda: models.variational_free_energy(_T, _LQ + 1), expects("log_q"))
row(t, "log_q: shape mismatch", lambda: models.variational_free_energy(_T, _LQ[:, :3]), expects("log_q"))
number_rows(t, "beta", lambda v: models.variational_free_energy(_T, _LQ, beta=v), BETA)

t = "models.vae_loss"
_ENC = models.GridEncoder(2, 12, (4,), dtype=F64, generator=0)
tensor_rows(t, "y", lambda v: models.vae_loss(v, DEC, _ENC, z_grid=ZG), _y())
row(t, "encoder: not callable", lambda: models.vae_loss(_y(), DEC, None, z_grid=ZG), expects("encoder"))
row(t, "encoder: wrong output", lambda: models.vae_loss(_y(), DEC, lambda y: y, z_grid=ZG), expects("encoder"))
row(t, "decoder: not callable", lambda: models.vae_loss(_y(), None, _ENC, z_grid=ZG), expects("decoder"))
number_rows(t, "beta", lambda v: models.vae_loss(_y(), DEC, _ENC, z_grid=ZG, beta=v), BETA)

t = "models.ProductOfExperts"
number_rows(t, "dim", lambda v: models.ProductOfExperts(v), {"zero": 0, "float": 2.5})
number_rows(t, "n_experts", lambda v: models.ProductOfExperts(2, v), {"zero": 0, "bool": True})
number_rows(t, "scale", lambda v: models.ProductOfExperts(2, 3, scale=v), POSITIVE)
number_rows(t, "generator", lambda v: models.ProductOfExperts(generator=v), {"negative": -1, "string": "rng"})

t = "models.CausalTransformer"
number_rows(t, "d_model", lambda v: models.CausalTransformer(d_model=v), {"zero": 0, "float": 8.5})
number_rows(t, "n_heads", lambda v: models.CausalTransformer(d_model=8, n_heads=v), {"not a divisor": 3, "zero": 0})
number_rows(t, "head", lambda v: models.CausalTransformer(head=v), {"unknown": "energy", "none": None})
number_rows(t, "max_len", lambda v: models.CausalTransformer(max_len=v), {"zero": 0, "bool": True})
number_rows(t, "generator", lambda v: models.CausalTransformer(generator=v), {"negative": -1, "string": "rng"})
_CT = models.CausalTransformer(head="samples", generator=0)
number_rows(t, "n_samples", lambda v: _CT(torch.zeros(1, 3, 2), n_samples=v), {"none": None, "zero": 0, "float": 2.5})

t = "datasets.forking_paths"
number_rows(t, "n", lambda v: datasets.forking_paths(v), {"zero": 0, "float": 2.5})
number_rows(t, "length", lambda v: datasets.forking_paths(5, length=v), {"two": 2, "float": 7.5, "bool": True})
number_rows(t, "fork_at", lambda v: datasets.forking_paths(5, fork_at=v), {"zero": 0, "too late": 7, "float": 2.5})
number_rows(t, "angle", lambda v: datasets.forking_paths(5, angle=v), {"zero": 0.0, "too wide": 120.0})
number_rows(t, "noise", lambda v: datasets.forking_paths(5, noise=v), {"negative": -0.1, "nan": math.nan})
number_rows(t, "generator", lambda v: datasets.forking_paths(5, generator=v), {"negative": -1, "string": "rng"})
t = "datasets.fork_branches"
number_rows(t, "step", lambda v: datasets.fork_branches(step=v), POSITIVE)
number_rows(t, "fork_at", lambda v: datasets.fork_branches(fork_at=v), {"zero": 0, "too late": 7})

t = "datasets.forked_regression"
number_rows(t, "n", lambda v: datasets.forked_regression(v), {"zero": 0, "float": 2.5, "bool": True})
number_rows(t, "generator", lambda v: datasets.forked_regression(5, generator=v), {"negative": -1, "string": "rng"})
number_rows(t, "dtype", lambda v: datasets.forked_regression(5, dtype=v), {"int64": torch.int64})
t = "datasets.forked_regression_log_prob"
tensor_rows(t, "x", lambda v: datasets.forked_regression_log_prob(v, _V), _V)
tensor_rows(t, "y", lambda v: datasets.forked_regression_log_prob(_V, v), _V)
row(t, "y: shape mismatch", lambda: datasets.forked_regression_log_prob(_V, _V[:2]), expects("y"))

_SC = lambda y, s: -y  # noqa: E731
t = "plotting.plot_score_fields"
number_rows(t, "sigmas", lambda v: plotting.plot_score_fields(_SC, v), {"empty": [], "zero": [0.0], "nan": [math.nan]})
number_rows(t, "lim", lambda v: plotting.plot_score_fields(_SC, [1.0], lim=v), {"reversed": (1, -1), "nan": (0, math.nan)})
row(t, "axes: wrong count", lambda: plotting.plot_score_fields(_SC, [1.0, 0.5], axes=[plt.gca()]), expects("axes"))
row(t, "score: returns NaN", lambda: plotting.plot_score_fields(lambda y, s: y * math.nan, [1.0]), expects("score"))
t = "plotting.plot_sample_sets"
number_rows(t, "sets", lambda v: plotting.plot_sample_sets(v), {"empty": {}})
row(t, "sets: wrong width", lambda: plotting.plot_sample_sets({"a": _y(3, 3)}), r"sets\['a'\] must")
row(t, "sets: nan", lambda: plotting.plot_sample_sets({"a": _poison(_y(), math.nan)}), r"sets\['a'\] contains")
number_rows(t, "lim", lambda v: plotting.plot_sample_sets({"a": _y()}, lim=v), {"reversed": (1, -1)})
t = "plotting.plot_fork_predictions"
_P = torch.zeros(2, 5, 2)
number_rows(t, "paths", lambda v: plotting.plot_fork_predictions(v, 2, _y(), _y()), {"2-D": _y()})
number_rows(t, "fork_at", lambda v: plotting.plot_fork_predictions(_P, v, _y(), _y()), {"last": 4, "float": 1.5})
number_rows(t, "mean_pred", lambda v: plotting.plot_fork_predictions(_P, 2, v, _y()), {"wrong width": _y(3, 3),
                                                                                         "nan": _poison(_y(), math.nan)})
number_rows(t, "samples", lambda v: plotting.plot_fork_predictions(_P, 2, _y(), v), {"1-D": _V})
t = "plotting.plot_conditional_density"
row(t, "log_prob: shape mismatch", lambda: plotting.plot_conditional_density(torch.zeros(3, 4), _V, _V),
    expects("log_prob"))
t = "plotting.plot_experts"
number_rows(t, "filters", lambda v: plotting.plot_experts(QUAD, v), {"3-D": torch.zeros(2, 3), "1-D": _V})
number_rows(t, "lim", lambda v: plotting.plot_experts(QUAD, _y(), lim=v), {"reversed": (1, -1)})
row(t, "energy: returns NaN", lambda: plotting.plot_experts(NAN_ENERGY, _y()), expects("energy"))
t = "plotting.plot_free_energy_bound"
number_rows(t, "f_exact", lambda v: plotting.plot_free_energy_bound(_V, v, {"q": _V}),
            {"wrong length": _V[:2], "nan": _poison(_V, math.nan)})
number_rows(t, "bounds", lambda v: plotting.plot_free_energy_bound(_V, _V, v), {"empty": {}})
row(t, "bounds: wrong length", lambda: plotting.plot_free_energy_bound(_V, _V, {"q": _V[:2]}), r"bounds\['q'\] must")

# ==================================================================================================
# The tests
# ==================================================================================================

def _close_figures():
    yield
    plt.close("all")


close_figures = pytest.fixture(autouse=True)(_close_figures)


@pytest.mark.parametrize("r", ROWS, ids=[f"{r.target}[{r.kind}]" for r in ROWS])
def test_bad_input_raises_a_clear_error(r: Row):
    with pytest.raises(r.exc, match=r.match):
        r.call()


# Public names that take no data and so need no bad-input row:
NO_DATA = {
    "inference.MultiStartResult",  # a NamedTuple of results; it is built only by multi_start_inference
    "latent.INFERENCE_METHODS",  # a tuple of names, not callable
    "errors.DivergenceError",  # an exception type, raised by ebmlib, not called with user input
}


def _public_callables() -> set[str]:
    names = set()
    for mod_name in MODULES:
        mod = importlib.import_module(f"ebmlib.{mod_name}")
        for n in mod.__all__:
            if callable(getattr(mod, n)):
                names.add(f"{mod_name}.{n}")
    return names


def test_table_covers_the_public_api():
    # ebmlib.__all__ only re-exports names of the modules (or the modules themselves): check that too.
    module_of = {}
    for mod_name in MODULES:
        mod = importlib.import_module(f"ebmlib.{mod_name}")
        for n in mod.__all__:
            module_of[n] = mod_name
    for n in ebmlib.__all__:
        obj = getattr(ebmlib, n)
        assert n in MODULES or n == "__version__" or n in module_of, f"ebmlib.{n} is not in any module's __all__"
        if n in module_of:
            assert obj is getattr(importlib.import_module(f"ebmlib.{module_of[n]}"), n)
    covered = {r.target for r in ROWS}
    missing = sorted(_public_callables() - covered - NO_DATA)
    assert not missing, f"public callables without a bad-input row: {missing}"
    assert not covered - _public_callables(), "rows for names that are not public"


# --- exercise checkers: garbage in, a Verdict out (they never raise by design) ---------------------

def _checkers():
    out = []
    for mod_name in EXERCISE_MODULES:
        mod = importlib.import_module(f"ebmlib.{mod_name}")
        out += [(f"{mod_name}.{n}", getattr(mod, n)) for n in mod.__all__]
    return out


def _raises_value_error(*args, **kwargs):
    raise ValueError("boom")


GARBAGE = {
    "a number instead of a function": 3.0,
    "returns a string": lambda *a, **k: "garbage",
    "returns NaN": lambda *a, **k: torch.tensor(math.nan),
    "returns None": lambda *a, **k: None,
    "raises ValueError": _raises_value_error,
}


@pytest.mark.parametrize("name, check", _checkers(), ids=[n for n, _ in _checkers()])
@pytest.mark.parametrize("garbage", list(GARBAGE), ids=list(GARBAGE))
def test_checkers_return_a_verdict_for_garbage(name, check, garbage):
    verdict = check(GARBAGE[garbage])
    assert isinstance(verdict, Verdict)
    assert verdict.startswith("incorrect: "), verdict


def test_checkers_are_all_exercised():
    assert len(_checkers()) >= 14  # ch01: 4, ch02: 3, ch03: 2, ch04: 2, ch05: 3


# --- no silent NaN: extreme but valid inputs give finite numbers --------------------------------

BETAS = [1e-8, 1e-4, 1.0, 1e4, 1e8]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("beta", BETAS)
def test_free_energies_finite_at_extremes(beta, dtype):
    E = torch.tensor([[0.0, 1e4, 5e3, 1.0], [-1e4, 1e4, 0.0, 3.0]], dtype=dtype)
    F = fe.free_energy(E, beta)
    assert torch.isfinite(F).all()
    assert (F >= E.min(1).values - 1e-3 * E.abs().max()).all() and (F <= E.mean(1) + 1e-3 * E.abs().max()).all()
    p, log_z = fe.gibbs_on_grid(E, beta, 0.01)
    assert torch.isfinite(p).all() and torch.isfinite(log_z)
    assert float(p.sum() * 0.01) == pytest.approx(1.0, rel=1e-4)
    y = torch.tensor([[100.0, 0.0], [0.0, 0.0]], dtype=dtype)  # E up to ~1e4 on the ellipse
    dec = latent.EllipseDecoder(dtype=dtype)
    assert torch.isfinite(latent.latent_free_energy(y, dec, beta=beta)).all()
    assert torch.isfinite(latent.conditional_free_energy(torch.tensor([0.0, 1.0], dtype=dtype), y,
                                                         latent.HornDecoder(4, dtype=dtype), beta=beta)).all()
    assert torch.isfinite(losses.nll_loss(E[:, 0], E[0], beta=beta, cell_area=0.01))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_losses_finite_at_extreme_gaps(dtype):
    f_pos = torch.tensor([1e4, -1e4, 0.0], dtype=dtype)
    f_neg = torch.tensor([[-1e4, 1e4], [1e4, -1e4], [0.0, 0.0]], dtype=dtype)
    for value in (losses.log_loss(f_pos, f_neg), losses.hinge_loss(f_pos, f_neg, 1e4), losses.energy_loss(f_pos)):
        assert torch.isfinite(value)
    theta = torch.tensor([1.0], dtype=dtype, requires_grad=True)
    grid, cell = losses.square_grid(100.0, 11, dtype=dtype)  # E up to 2e4 at the corners
    for beta in BETAS:
        for g in losses.ml_gradient(lambda y: theta * (y**2).sum(1), [theta], grid[:3], grid, beta=beta):
            assert torch.isfinite(g).all()
        assert torch.isfinite(losses.grid_log_likelihood(lambda y: theta * (y**2).sum(1), grid[:3], grid, cell,
                                                         beta=beta))


def test_long_runs_on_a_bounded_energy_stay_finite():
    y0 = torch.tensor([[1.5, 1.5], [-2.0, 0.5], [0.0, -1.0]], dtype=F64)
    y = inference.gradient_inference(DW, y0, steps=5000, lr=0.01)
    assert torch.isfinite(y).all()
    y = samplers.langevin(DW, y0, steps=5000, step_size=0.01, generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(y).all()
    z, f = latent.infer_latent(_y(), DEC, method="gd", steps=2000, lr=0.1)
    assert torch.isfinite(z).all() and torch.isfinite(f).all()
    z, f = latent.infer_latent(_y(), DEC, method="lbfgs", steps=200)
    assert torch.isfinite(z).all() and torch.isfinite(f).all()


def test_divergence_is_a_value_error_not_nan():
    A = torch.diag(torch.tensor([1.0, 100.0], dtype=F64))  # stable only for lr < 2 / 100
    with pytest.raises(ValueError, match=r"lr=1\.0 is probably too large"):
        inference.gradient_inference(lambda y: energies.quadratic(y, A), _y(), steps=1000, lr=1.0)
    with pytest.raises(ValueError, match=r"smaller step_size"):
        samplers.langevin(lambda y: energies.quadratic(y, A), _y(), steps=1000, step_size=1.0,
                          generator=torch.Generator().manual_seed(0))
    w = torch.ones(2, dtype=F64, requires_grad=True)
    with pytest.raises(ValueError, match=r"smaller learning rate than lr="):
        training.train(lambda: 50.0 * (w**2).sum(), w, epochs=200, lr=1.0, optimizer="sgd", progress=False)
