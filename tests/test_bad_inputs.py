"""Bad input across the whole public ebmlib API: a clear ValueError/TypeError at the entry point.

Contract tests: one table per kind of callable (energies, inference, latent variables, free energy,
models, datasets, losses, samplers, training, plotting, widgets, utilities), each row one public
callable, written as a :class:`Spec`: the callable, valid keyword arguments, and which of them are
tensors and which numbers. :func:`expand` turns a row into its bad variants - for every tensor
argument: wrong number of dimensions, int/bool/complex dtype, a list, an ndarray, NaN, inf, an
empty batch; for every number: the bad values of its kind (a step size <= 0 or NaN, steps < 0 or
not an integer, beta <= 0, ...) - plus the row's special cases. A new function costs one row.

Every bad variant must raise ``ValueError``/``TypeError`` whose message names the argument
followed by what was expected (``expects``), so a bare "invalid input" fails.
``test_every_public_callable_has_a_row`` recomputes the public API from every ``__all__``.
The sampler contract (seeds, shapes, module state, divergence) is in ``test_sampler_contract.py``.
Further down: exercise checkers never raise on garbage, extreme-but-valid inputs stay finite, and
divergence is a :class:`ebmlib.DivergenceError`.
"""

from __future__ import annotations

import importlib
import math
import re
from typing import Callable, NamedTuple

import matplotlib.pyplot as plt
import pytest
import torch

import ebmlib
from ebmlib import DivergenceError, datasets, energies, grids, inference, latent, losses, margins, metrics, models
from ebmlib import masked_tokens, plotting, samplers, schedules, training, utils, widgets
from ebmlib.exercises import Verdict

from ebmlib import soft_minimum as fe

F64 = torch.float64
MODULES = ["energies", "models", "inference", "latent", "soft_minimum", "datasets", "losses", "training",
           "samplers", "plotting", "widgets", "utils", "errors",
           "training_images", "inpainting", "metrics", "regression", "joint_embedding", "baselines", "short_run",
           "seed_runs", "grids", "margins", "schedules", "masked_tokens"]
EXERCISE_MODULES = ["exercises.ch01", "exercises.ch02", "exercises.ch03", "exercises.ch04", "exercises.ch05",
                    "exercises.ch06", "exercises.ch07", "exercises.ch08", "exercises.ch09", "exercises.ch10",
                    "exercises.ch11"]


def expects(name: str) -> str:
    """Regex: the argument ``name`` (as a word), later followed by what was expected of it."""
    return rf"(?<![\w\[]){re.escape(name)}(?![\w\]]).*\b(must|contains|needs|need|does not)\b"


def _poison(t: torch.Tensor, value: float) -> torch.Tensor:
    t = t.clone()
    t.reshape(-1)[0] = value
    return t


# --- the bad values of each kind of argument ------------------------------------------------------

POSITIVE = {"zero": 0.0, "negative": -1.0, "nan": math.nan, "inf": math.inf, "string": "1"}
BETA = {"zero": 0.0, "negative": -1.0, "nan": math.nan, "string": "hot"}  # beta = inf is allowed
STEPS = {"negative": -1, "float": 1.5, "bool": True, "nan": math.nan}
REAL = {"nan": math.nan, "inf": math.inf, "string": "0.5"}
NONNEG = {"negative": -0.1, **REAL}
COUNT = {"zero": 0, "negative": -1, "float": 2.5, "bool": True, "string": "5"}
LIMITS = {"reversed": (1.0, -1.0), "nan": (math.nan, 1.0), "one number": 1.0, "three numbers": (0, 1, 2)}
GENERATOR = {"negative seed": -1, "float": 1.5, "string": "rng"}
TENSOR_VARIANTS = ("wrong ndim", "int dtype", "bool dtype", "complex dtype", "list", "ndarray", "nan", "inf",
                   "empty batch")


class Spec(NamedTuple):
    """One public callable: ``fn(**good)`` is valid; every variant below must raise."""

    target: str  # "module.name" in the public API
    fn: Callable
    good: dict  # valid keyword arguments
    tensors: tuple = ()  # names of floating tensor arguments (all of TENSOR_VARIANTS, minus skip)
    numbers: dict = {}  # name -> its bad values (one of the dicts above, or its own)
    skip: dict = {}  # tensor name -> variants that do not apply; or a replacement wrong-ndim value
    extra: tuple = ()  # (kind, overrides, match): special cases
    call: Callable | None = None  # how to call with the kwargs (default fn(**kwargs))


def _tensor_variants(good: torch.Tensor, skip) -> dict:
    wrong = skip.get("wrong ndim value", good[..., None]) if isinstance(skip, dict) else good[..., None]
    variants = {"wrong ndim": wrong, "int dtype": good.to(torch.int64), "bool dtype": good > 0,
                "complex dtype": good.to(torch.complex128), "list": good.tolist(), "ndarray": good.numpy(),
                "nan": _poison(good, math.nan), "inf": _poison(good, math.inf), "empty batch": good[:0]}
    drop = skip.get("skip", ()) if isinstance(skip, dict) else skip
    return {k: v for k, v in variants.items() if k not in drop}


def expand(spec: Spec) -> list[tuple[str, Callable, str]]:
    """The bad variants of one row: ``(id, call, message regex)``."""
    call = spec.call or (lambda **kw: spec.fn(**kw))
    out = []
    for name in spec.tensors:
        for kind, bad in _tensor_variants(spec.good[name], spec.skip.get(name, ())).items():
            out.append((f"{name}: {kind}", lambda bad=bad, name=name: call(**{**spec.good, name: bad}), expects(name)))
    for name, bads in spec.numbers.items():
        for kind, bad in bads.items():
            out.append((f"{name}: {kind}", lambda bad=bad, name=name: call(**{**spec.good, name: bad}), expects(name)))
    for kind, overrides, match in spec.extra:
        out.append((kind, lambda o=overrides: call(**{**spec.good, **o}), match))
    return [(f"{spec.target}[{kind}]", fn, m) for kind, fn, m in out]


def ids(rows):
    return [r[0] for r in rows]


def check(row) -> None:
    _, call, match = row
    with pytest.raises((ValueError, TypeError), match=match) as info:
        call()
    assert not isinstance(info.value, DivergenceError), "bad input reported as divergence"


# --- fixtures shared by the rows ----------------------------------------------------------------

def _y(b: int = 3, d: int = 2) -> torch.Tensor:
    return torch.linspace(-1.0, 1.0, b * d, dtype=F64).reshape(b, d)


A2 = torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=F64)
QUAD = lambda y: energies.quadratic(y, A2)  # noqa: E731
DW = lambda y: energies.tilted_double_well(y)  # noqa: E731
WRONG_SHAPE = lambda y: y.sum()  # noqa: E731 - an "energy" returning a scalar instead of (B,)
NAN_ENERGY = lambda y: y[:, 0] * math.nan  # noqa: E731
DEC = models.EllipseDecoder(dtype=F64)
HORN = models.HornDecoder(4, generator=0, dtype=F64)
ZG = latent.latent_grid(12, dtype=F64)
X3 = torch.linspace(0, 1, 3, dtype=F64)
G4 = torch.linspace(-1, 1, 4, dtype=F64)
G5 = torch.linspace(-2, 2, 5, dtype=F64)
TRANS = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=F64)
TOKENS = torch.tensor([[0, 1, 1], [1, 0, 0]])
POS = torch.tensor([1, 0])
U = torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 1.0, 0.0], [0.5, 0.5, 0.5]], dtype=F64)  # (T=4, K=3)
P = torch.ones(3, 3, dtype=F64) - torch.eye(3, dtype=F64)
FP = torch.tensor([0.0, 1.0, 2.0], dtype=F64)
FN = torch.tensor([[1.0, 2.0], [0.5, 1.5], [3.0, 2.0]], dtype=F64)
GRID, CELL = grids.square_grid(2.0, 5, dtype=F64)
THETA = torch.tensor([1.0], dtype=F64, requires_grad=True)
E_THETA = lambda y: THETA * (y**2).sum(1)  # noqa: E731
LIM = (-2.0, 2.0)
NO_EMPTY = {"skip": ("empty batch",)}


# ==================================================================================================
# The tables, one per kind of callable
# ==================================================================================================

ENERGIES = [
    *[Spec(f"energies.{f}", getattr(energies, f), {"x": 1.0, "y": _y(3, 1)}, tensors=("y",),
           skip={"y": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
           extra=(("y: wrong width", {"y": _y(3, 2)}, expects("y")),
                  ("x: tensor batch mismatch", {"x": torch.ones(4, dtype=F64)}, expects("x")),
                  ("x: 3-D tensor", {"x": torch.ones(3, 1, 1, dtype=F64)}, expects("x")),
                  ("x: nan tensor", {"x": torch.tensor([1.0, math.nan, 1.0], dtype=F64)}, expects("x")),
                  ("x: int tensor", {"x": torch.ones(3, dtype=torch.long)}, expects("x")),
                  ("x: nan number", {"x": math.nan}, expects("x"))))
      for f in ("parabola", "parabola_grad")],
    *[Spec(f"energies.{f}", getattr(energies, f), {"y": _y()}, tensors=("y",), numbers={"a": REAL, "c": REAL},
           extra=(("y: wrong width", {"y": _y(3, 3)}, expects("y")),))
      for f in ("tilted_double_well", "tilted_double_well_grad")],
    Spec("energies.tilted_double_well_critical_points", energies.tilted_double_well_critical_points, {},
         numbers={"a": {**REAL, "too large": 2.0}, "c": {**REAL, "zero": 0.0}}),
    *[Spec(f"energies.{f}", getattr(energies, f), {"y": _y(), "A": A2}, tensors=("y", "A"),
           skip={"A": {"wrong ndim value": torch.ones(2, dtype=F64)}},
           extra=(("A: shape mismatch", {"A": torch.eye(3, dtype=F64)}, expects("A")),
                  ("b: shape mismatch", {"b": torch.ones(3, dtype=F64)}, expects("b")),
                  ("b: nan", {"b": torch.tensor([1.0, math.nan], dtype=F64)}, expects("b"))))
      for f in ("quadratic", "quadratic_grad")],
]

_RBM = models.RBM(2, 3, generator=0).double()
MODELS = [
    Spec("models.MLPEnergy", models.MLPEnergy, {"dim": 2, "hidden": (4,)},
         numbers={"dim": {"zero": 0, "float": 2.5, "bool": True}, "hidden": {"empty": (), "zero width": (4, 0)},
                  "confinement": NONNEG, "generator": GENERATOR}),
    Spec("models.EllipseDecoder", models.EllipseDecoder, {"w": (2.0, 1.5)},
         numbers={"w": {"three": (1.0, 2.0, 3.0), "nan": (math.nan, 1.0), "scalar": 1.0}}),
    Spec("models.HornDecoder", models.HornDecoder, {"hidden": 4},
         numbers={"hidden": {"zero": 0, "float": 2.5, "bool": True}, "generator": GENERATOR,
                  "dtype": {"int64": torch.int64, "string": "float32"}}),
    Spec("models.RBM", models.RBM, {"n_visible": 3, "n_hidden": 3},
         numbers={"n_visible": {"zero": 0, "float": 2.5, "bool": True, "string": "3"},
                  "n_hidden": {"zero": 0, "negative": -2, "float": 2.5}, "generator": GENERATOR,
                  "dtype": {"int64": torch.int64, "string": "float32"}},
         extra=(("log_partition: both layers above 20 units", {"n_visible": 21, "n_hidden": 21},
                 r"smaller layer.*must|needs"),),
         call=lambda **kw: models.RBM(kw["n_visible"], kw["n_hidden"], generator=kw.get("generator")).log_partition()
         if kw["n_visible"] == 21 else models.RBM(**kw)),
    *[Spec("models.RBM", getattr(_RBM, method), {arg: good, **kw}, tensors=(arg,),
           skip={arg: {"wrong ndim value": torch.zeros(good.shape[1], dtype=F64)}},
           extra=((f"{arg}: wrong width", {arg: _y(3, good.shape[1] + 1)}, expects(arg)),))
      for method, arg, good, kw in (("free_energy", "v", _y(3, 2), {}), ("gibbs", "v", _y(3, 2), {"steps": 1, "generator": 0}),
                                    ("sample_h", "v", _y(3, 2), {"generator": 0}),
                                    ("sample_v", "h", _y(3, 3), {"generator": 0}))],
    Spec("models.RBM", _RBM.gibbs, {"v": _y(3, 2), "steps": 1}, numbers={"steps": STEPS}),
    Spec("models.RBM", _RBM.cd_loss, {"v_data": _y(3, 2), "steps": 1, "generator": 0},
         numbers={"reduction": {"unknown": "max", "None": None}}),
]

INFERENCE = [
    Spec("inference.gradient_inference", inference.gradient_inference, {"energy": QUAD, "y0": _y(), "steps": 2},
         tensors=("y0",), numbers={"steps": STEPS, "step_size": POSITIVE},
         skip={"y0": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
         extra=(("energy: not callable", {"energy": 3.0}, expects("energy")),
                ("energy: returns a scalar", {"energy": WRONG_SHAPE}, expects("energy")),
                ("energy: returns NaN", {"energy": NAN_ENERGY}, r"energy returned NaN"),
                ("energy: not differentiable", {"energy": lambda y: torch.ones(y.shape[0], dtype=F64)},
                 r"energy\(y\) does not depend"))),
    Spec("inference.multi_start_inference", inference.multi_start_inference,
         {"energy": QUAD, "starts": _y()[None].expand(2, 3, 2), "steps": 2}, tensors=("starts",),
         numbers={"steps": STEPS, "step_size": POSITIVE},
         extra=(("energy: not callable", {"energy": None}, expects("energy")),)),
    *[Spec(f"inference.{f}", getattr(inference, f),
           {"unary": U, "pairwise": P} if f == "min_sum_chain" else
           {"states": torch.zeros(4, dtype=torch.long), "unary": U, "pairwise": P},
           tensors=("unary", "pairwise"),
           skip={"unary": NO_EMPTY, "pairwise": {"skip": ("empty batch",), "wrong ndim value": torch.ones(3, dtype=F64)}},
           extra=(("unary: empty", {"unary": U[:, :0], "pairwise": P[:0, :0]}, expects("unary")),
                  ("pairwise: shape mismatch", {"pairwise": torch.ones(2, 2, dtype=F64)}, expects("pairwise")),
                  ("pairwise: wrong T", {"pairwise": torch.ones(2, 3, 3, dtype=F64)}, expects("pairwise"))))
      for f in ("min_sum_chain", "chain_energy")],
    Spec("inference.chain_energy", inference.chain_energy,
         {"states": torch.zeros(4, dtype=torch.long), "unary": U, "pairwise": P},
         numbers={"states": {"float": torch.zeros(4, dtype=F64), "list": [0, 0, 0, 0],
                             "wrong length": torch.zeros(5, dtype=torch.long), "out of range": torch.full((4,), 3)}}),
    Spec("masked_tokens.masked_token_posterior", masked_tokens.masked_token_posterior,
         {"tokens": TOKENS, "position": POS, "transition": TRANS},
         numbers={"tokens": {"float": TOKENS.to(F64), "list": TOKENS.tolist(), "1-D": TOKENS[0],
                             "out of range": TOKENS + 5, "empty batch": TOKENS[:0]},
                  "position": {"float": POS.to(F64), "batch mismatch": POS[:1], "out of range": POS + 3},
                  "transition": {"nan": _poison(TRANS, math.nan), "not stochastic": TRANS * 2, "list": TRANS.tolist()}}),
]

LATENT = [
    Spec("latent.latent_grid", latent.latent_grid, {"n": 4}, numbers={"n": {**COUNT}}),
    Spec("latent.latent_energy", latent.latent_energy, {"y": _y(), "z": torch.zeros(3, dtype=F64), "decoder": DEC},
         tensors=("y", "z"), skip={"y": NO_EMPTY},
         extra=(("y: empty batch", {"y": _y()[:0], "z": torch.zeros(0, dtype=F64)}, expects("y")),
                ("z: batch mismatch", {"z": torch.zeros(4, dtype=F64)}, expects("z")),
                ("decoder: not callable", {"decoder": "g"}, expects("decoder")),
                ("decoder: wrong output", {"y": _y(3, 3)}, expects("decoder")))),
    Spec("latent.latent_energy_table", latent.latent_energy_table, {"y": _y(), "decoder": DEC, "z_grid": ZG},
         tensors=("y", "z_grid"), skip={"z_grid": {"wrong ndim value": ZG[:, None].expand(12, 2)}},
         extra=(("decoder: not callable", {"decoder": None}, expects("decoder")),)),
    *[Spec("latent.infer_latent", latent.infer_latent, {"y": _y(), "decoder": DEC, "method": m},
           tensors=("y",) if m == "grid" else (),
           numbers={} if m == "grid" else {
               "steps": STEPS, "step_size": POSITIVE,
               "z0": {**REAL, "wrong shape": torch.zeros(2, dtype=F64), "int tensor": torch.zeros(3, dtype=torch.long),
                      "nan tensor": torch.full((3,), math.nan, dtype=F64)}},
           extra=(("method: unknown", {"method": "adam"}, expects("method")),
                  ("return_trajectory: with grid", {"method": "grid", "return_trajectory": True},
                   r"return_trajectory needs"),
                  ("z_grid: nan", {"method": "grid", "z_grid": _poison(ZG, math.nan)}, expects("z_grid"))))
      for m in ("grid", "gd", "lbfgs")],
    *[Spec(f"latent.{f}", getattr(latent, f), {"x": X3, "y": _y(), "decoder": HORN}, tensors=("x", "y"),
           numbers={"beta": BETA} if f == "conditional_free_energy" else {},
           skip={"x": NO_EMPTY, "y": NO_EMPTY},
           extra=(("x, y: empty batch", {"x": X3[:0], "y": _y()[:0]}, expects("x")),
                  ("x, y: batch mismatch", {"x": X3[:2]}, expects("x")),
                  ("z_grid: 3-D", {"z_grid": torch.zeros(2, 2, 2, dtype=F64)}, expects("z_grid")),
                  ("decoder: not callable", {"decoder": 1.0}, expects("decoder")),
                  ("decoder: wrong output", {"y": _y(3, 3)}, expects("decoder"))))
      for f in ("conditional_latent_energy_table", "conditional_free_energy")],
    Spec("latent.latent_free_energy", latent.latent_free_energy, {"y": _y(), "decoder": DEC, "beta": 1.0},
         tensors=("y",), numbers={"beta": {**BETA, "tensor with 0": torch.tensor([1.0, 0.0], dtype=F64)[:, None],
                                           "int tensor": torch.tensor([1, 2])[:, None]}}),
    Spec("latent.free_energy_on_grid", latent.free_energy_on_grid, {"decoder": DEC, "y1": G5, "y2": G5},
         tensors=("y1", "y2"), numbers={"beta": BETA},
         skip={"y1": {"wrong ndim value": G5[:, None]}, "y2": {"wrong ndim value": G5[:, None]}},
         extra=(("decoder: not callable", {"decoder": None}, expects("decoder")),)),
    Spec("latent.local_minima", latent.local_minima, {"table": _y(3, 5)}, tensors=("table",),
         extra=(("table: fewer than 3 columns", {"table": _y(3, 2)}, expects("table")),)),
    Spec("latent.disc_latent_grid", latent.disc_latent_grid, {"radius": 1.0, "spacing": 0.5},
         numbers={"radius": {"negative": -1.0, "nan": math.nan}, "spacing": POSITIVE}),
]

FREE_ENERGY = [
    Spec("soft_minimum.free_energy", fe.free_energy, {"energies": _y(3, 4), "beta": 1.0}, tensors=("energies",),
         skip={"energies": {"wrong ndim value": torch.tensor(1.0, dtype=F64)}},
         numbers={"beta": {**BETA, "tensor with 0": torch.tensor([1.0, 0.0, 2.0], dtype=F64),
                           "tensor nan": torch.tensor([1.0, math.nan, 2.0], dtype=F64),
                           "int tensor": torch.ones(3, dtype=torch.long), "empty tensor": torch.ones(0, dtype=F64),
                           "tensor shape mismatch": torch.ones(4, dtype=F64)},
                  "dim": {"out of range": 2, "float": 1.0, "string": "z"}}),
    Spec("soft_minimum.gibbs_on_grid", fe.gibbs_on_grid, {"F": _y(3, 4), "beta": 1.0, "cell_area": 0.1},
         tensors=("F",), skip={"F": {"skip": ("wrong ndim",)}},
         numbers={"beta": {**BETA, "inf": math.inf}, "cell_area": POSITIVE}),
]

DATASETS = [
    Spec("datasets.ellipse_radii", datasets.ellipse_radii, {"x": 0.5},
         numbers={"x": {**REAL, "int tensor": torch.zeros(3, dtype=torch.long), "nan tensor": torch.tensor([math.nan]),
                        "inf tensor": torch.tensor([math.inf]), "complex tensor": torch.zeros(2, dtype=torch.complex64),
                        "list": [0.0, 1.0], "empty tensor": torch.zeros(0)},
                  "r1": POSITIVE, "r2": POSITIVE}),
    *[Spec(f"datasets.{f}", getattr(datasets, f), {"n": 5},
           numbers={"n": COUNT, "noise": NONNEG, "r1": POSITIVE, "r2": POSITIVE, "generator": GENERATOR,
                    "dtype": {"int64": torch.int64, "string": "float32"},
                    **({"x": REAL} if f == "ellipse" else {"spacing": {"unknown": "grid", "none": None}})})
      for f in ("ellipse", "horn")],
    Spec("datasets.markov_sequences", datasets.markov_sequences, {"n": 2, "transition": TRANS, "length": 3},
         tensors=("transition",), skip={"transition": {"wrong ndim value": TRANS[0]}},
         numbers={"n": {"zero": 0, "float": 1.5}, "length": {"zero": 0, "float": 1.5}, "generator": GENERATOR,
                  "initial": {"wrong size": torch.ones(3, dtype=F64) / 3, "not a distribution": torch.ones(2, dtype=F64),
                              "nan": torch.tensor([math.nan, 0.5], dtype=F64)}},
         extra=(("transition: not stochastic", {"transition": TRANS * 2}, expects("transition")),
                ("transition: not square", {"transition": TRANS[:, :1].expand(2, 3).contiguous()},
                 expects("transition")))),
    Spec("datasets.masked_token_data", datasets.masked_token_data,
         {"n": 5, "transition": torch.tensor([[0.5, 0.5], [0.5, 0.5]], dtype=F64), "length": 4},
         numbers={"n": {"zero": 0, "float": 1.5}, "length": {"zero": 0, "float": 1.5}}),
]

REDUCTION = {"unknown": "max", "None": None}
LOSSES = [
    Spec("losses.energy_loss", losses.energy_loss, {"f_pos": FP}, tensors=("f_pos",), numbers={"reduction": REDUCTION}),
    *[Spec(f"losses.{f}", getattr(losses, f), {"f_pos": FP, "f_neg": FN, **({"margin": 1.0} if f == "hinge_loss" else {})},
           tensors=("f_pos", "f_neg"), skip={"f_pos": NO_EMPTY, "f_neg": {"skip": ("empty batch",)}},
           numbers={"reduction": REDUCTION, **({"margin": {**NONNEG, "tensor": torch.tensor(1.0)}} if f == "hinge_loss" else {})},
           extra=(("f_pos, f_neg: empty batch", {"f_pos": FP[:0], "f_neg": FN[:0]}, expects("f_pos")),
                  ("f_neg: batch mismatch", {"f_neg": FN[:2]}, expects("f_neg"))))
      for f in ("hinge_loss", "log_loss")],
    Spec("losses.nll_loss", losses.nll_loss, {"f_pos": FP, "f_grid": FN}, tensors=("f_pos", "f_grid"),
         skip={"f_pos": NO_EMPTY}, numbers={"beta": {**BETA, "inf": math.inf}, "cell_area": POSITIVE,
                                          "reduction": REDUCTION},
         extra=(("f_grid: batch mismatch", {"f_grid": FN[:2]}, expects("f_grid")),)),
    Spec("grids.grid_log_likelihood", grids.grid_log_likelihood,
         {"energy": QUAD, "y_data": _y(), "grid": GRID, "cell_area": CELL}, tensors=("y_data", "grid"),
         numbers={"cell_area": POSITIVE, "beta": BETA},
         extra=(("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")),
                ("energy: NaN output", {"energy": NAN_ENERGY}, r"energy returned NaN"))),
    Spec("grids.ml_gradient", grids.ml_gradient, {"energy": E_THETA, "params": [THETA], "y_data": _y(), "grid": GRID},
         tensors=("y_data", "grid"), numbers={"beta": BETA, "params": {"empty": [], "no grad": [torch.ones(1)],
                                                                       "not tensors": [1.0]}}),
    Spec("grids.square_grid", grids.square_grid, {"lim": 1.0, "n": 5},
         numbers={"lim": POSITIVE, "n": {"one": 1, "float": 4.5, "bool": True}}),
    # chapter 5 (review): the most offending wrong answers on a grid
    Spec("margins.most_offending_on_grid", margins.most_offending_on_grid,
         {"energy": lambda y: y.sum(1), "grid": GRID, "data": _y(), "min_distance": 0.1}, tensors=("grid", "data"),
         numbers={"k": {"zero": 0, "float": 1.5}, "min_distance": POSITIVE},
         extra=(("data: wrong width", {"data": _y(3, 3)}, expects("data")),
                ("k: more than the wrong answers", {"k": 10_000}, r"only \d+ grid points"))),
    Spec("margins.margin_training_loss", margins.margin_training_loss,
         {"energy": lambda y: y.sum(1), "loss": "hinge", "grid": GRID, "data": _y(), "min_distance": 0.1},
         tensors=("grid", "data"), numbers={"k": {"zero": 0, "float": 1.5}, "min_distance": POSITIVE, "margin": NONNEG,
                                            "loss": {"unknown": "nll"}},
         extra=(("k: more than the wrong answers", {"k": 10_000}, r"only \d+ grid points"),)),
    Spec("margins.grid_margin", margins.grid_margin,
         {"energy": lambda y: y.sum(1), "grid": GRID, "data": _y(), "min_distance": 0.1}, tensors=("grid", "data"),
         numbers={"min_distance": POSITIVE}, extra=(("min_distance: no wrong point", {"min_distance": 100.0}, r"no grid point"),)),
]

_fresh = lambda m, g: torch.zeros(m, 2, dtype=F64)  # noqa: E731
SAMPLERS = [
    Spec("samplers.langevin", samplers.langevin, {"energy": QUAD, "y0": _y(), "steps": 2, "step_size": 0.1},
         tensors=("y0",), skip={"y0": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
         numbers={"steps": STEPS, "step_size": POSITIVE, "noise_scale": NONNEG, "grad_clip": POSITIVE,
                  "clamp": LIMITS, "generator": GENERATOR},
         extra=(("energy: not callable", {"energy": None}, expects("energy")),
                ("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")),
                ("energy: NaN output", {"energy": NAN_ENERGY}, r"energy returned NaN"))),
    Spec("samplers.PersistentChains", samplers.PersistentChains, {"init": _y(), "fresh": _fresh}, tensors=("init",),
         skip={"init": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
         numbers={"restart_prob": {"negative": -0.1, "above one": 1.5, "nan": math.nan, "string": "0.5", "bool": True},
                  "generator": GENERATOR},
         extra=(("fresh: not callable", {"fresh": None}, expects("fresh")),)),
    Spec("samplers.PersistentChains", samplers.PersistentChains, {"init": _y(), "fresh": _fresh},
         call=lambda init, fresh, **kw: samplers.PersistentChains(init, fresh)(QUAD, **{"steps": 1, "step_size": 0.1, **kw}),
         numbers={"step_size": POSITIVE, "steps": STEPS, "grad_clip": POSITIVE, "clamp": LIMITS},
         extra=(("fresh: wrong shape", {"fresh": lambda m, g: torch.zeros(m, 3, dtype=F64)}, expects("fresh")),)),
    # chapter 6: the Metropolis samplers (they return (samples, acceptance_rate))
    *[Spec(f"samplers.{f}", getattr(samplers, f), {"energy": QUAD, "y0": _y(), "steps": 2, **kw},
           tensors=("y0",), skip={"y0": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
           numbers={"steps": STEPS, "generator": GENERATOR, **{k: POSITIVE for k in kw}},
           extra=(("energy: not callable", {"energy": None}, expects("energy")),
                  ("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")),
                  ("energy: NaN output", {"energy": NAN_ENERGY}, r"energy returned NaN")))
      for f, kw in (("mala", {"step_size": 0.1}), ("hmc", {"step_size": 0.1, "n_leapfrog": 2}),
                    ("metropolis_hastings", {"step_size": 0.5}))],
    Spec("samplers.hmc", samplers.hmc, {"energy": QUAD, "y0": _y(), "steps": 2, "step_size": 0.1, "n_leapfrog": 2},
         numbers={"n_leapfrog": {"float": 2.5, "bool": True, "zero": 0}}),
    # chapter 6: diagnostics of chains x of shape (T, B)
    *[Spec(f"samplers.{f}", getattr(samplers, f), {"x": _y(6, 2)}, tensors=("x",),
           skip={"x": {"wrong ndim value": torch.zeros(6, dtype=F64)}},
           extra=(("x: too few steps", {"x": _y(3, 2)}, expects("x")),
                  ("x: constant", {"x": torch.ones(6, 2, dtype=F64)}, expects("x"))))
      for f in ("autocorrelation", "integrated_autocorrelation_time", "effective_sample_size")],
    Spec("samplers.autocorrelation", samplers.autocorrelation, {"x": _y(6, 2)}, numbers={"max_lag": STEPS}),
    Spec("samplers.mode_hops", samplers.mode_hops, {"x": _y(6, 2)}, tensors=("x",),
         skip={"x": {"wrong ndim value": torch.zeros(6, dtype=F64)}},
         numbers={"threshold": {"negative": -0.1, **REAL, "bool": True}}),
    Spec("samplers.split_rhat", samplers.split_rhat, {"x": _y(8, 2)}, tensors=("x",),
         skip={"x": {"wrong ndim value": torch.zeros(8, dtype=F64)}},
         extra=(("x: too few steps", {"x": _y(3, 2)}, expects("x")),)),
    Spec("samplers.annealed_importance_sampling", samplers.annealed_importance_sampling,
         {"energy": QUAD, "dim": 2, "n_chains": 4, "n_levels": 3},
         numbers={"dim": COUNT, "n_chains": COUNT, "n_levels": COUNT, "mala_steps": COUNT,
                  "base_std": POSITIVE, "step_size": POSITIVE},
         extra=(("energy: not callable", {"energy": 3.0}, expects("energy")),)),
]

_w = torch.zeros(2, dtype=F64, requires_grad=True)
TRAINING = [
    Spec("training.train", training.train,
         {"loss_fn": lambda batch: ((batch - _w) ** 2).sum(1).mean(), "params_or_module": _w, "data": _y(),
          "epochs": 1, "lr": 0.1, "progress": False},
         numbers={"epochs": {"zero": 0, "negative": -1, "float": 1.5, "nan": math.nan}, "lr": POSITIVE,
                  "optimizer": {"unknown": "rmsprop", "none": None}, "batch_size": {"zero": 0, "float": 1.5},
                  "clip_grad_norm": POSITIVE, "generator": GENERATOR,
                  "data": {"empty batch": _y()[:0], "nan": _poison(_y(), math.nan), "mismatched tuple": (_y(), _y()[:2]),
                           "empty tuple": (), "list of numbers": [1.0, 2.0]}},
         extra=(("params: not a leaf", {"params_or_module": [_w * 2]}, r"parameter 0 must"),
                ("params: empty", {"params_or_module": []}, r"no parameters"),
                ("loss_fn: returns a vector", {"loss_fn": lambda b: (b - _w).sum(1)}, expects("loss_fn")))),
]

_tab = latent.latent_energy_table(_y(), DEC, ZG).detach()
_F = torch.zeros(5, 4, dtype=F64)
_xs, _ys = datasets.horn(6, spacing="even", generator=0, dtype=F64)
_w2 = torch.ones(2, 2, dtype=F64)
_p = torch.full((2, 3), 1 / 3, dtype=F64)
_E1 = lambda y: (y[:, 0] ** 2 - 1) ** 2  # noqa: E731
_Y0S = torch.zeros(4, 2, dtype=F64)
PLOTTING = [  # arrays are accepted here, so tensors get no list/ndarray variants
    Spec("plotting.energy_grid", plotting.energy_grid, {"energy": DW, "xlim": LIM, "ylim": LIM, "n": 5},
         numbers={"xlim": LIMITS, "ylim": LIMITS, "n": {"zero": 0, "float": 2.5}},
         extra=(("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")),
                ("energy: NaN output", {"energy": NAN_ENERGY}, r"energy returned NaN"))),
    Spec("plotting.plot_landscape", plotting.plot_landscape, {"energy": DW, "xlim": LIM, "ylim": LIM, "n": 5},
         numbers={"xlim": LIMITS},
         extra=(("energy and grid: both None", {"energy": None}, r"needs an energy"),
                ("trajectories: wrong shape", {"trajectories": torch.zeros(3, 3)}, expects("trajectories")))),
    Spec("plotting.plot_energy_1d", plotting.plot_energy_1d, {"energy": _E1, "lim": LIM},
         numbers={"lim": LIMITS, "n": {"zero": 0, "float": 2.5}},
         extra=(("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")),)),
    Spec("plotting.draw_gradient_inference", plotting.draw_gradient_inference,
         {"energy": DW, "start": (1.0, 1.0), "step_size": 0.1, "steps": 3, "xlim": LIM, "ylim": LIM},
         numbers={"step_size": POSITIVE, "steps": STEPS}),
    Spec("plotting.plot_step_size_grid", plotting.plot_step_size_grid,
         {"energy": DW, "starts": [(1.0, 1.0)], "step_sizes": [0.1], "steps": 2, "xlim": LIM, "ylim": LIM, "n": 5},
         numbers={"step_sizes": {"empty": [], "zero": [0.0], "nan": [math.nan]}, "steps": STEPS},
         extra=(("starts: empty", {"starts": []}, expects("starts")),
                ("axes: too few", {"axes": [plt.subplots()[1]], "starts": [(1.0, 1.0)] * 2}, expects("axes")))),
    Spec("plotting.plot_latent_energy_curves", plotting.plot_latent_energy_curves, {"table": _tab, "z_grid": ZG},
         tensors=("table",), skip={"table": {"skip": ("list", "ndarray")}},
         numbers={"ncols": {"zero": 0, "float": 1.5}},
         extra=(("z_grid: mismatch", {"z_grid": ZG[:5]}, expects("z_grid")),
                ("z_check: mismatch", {"z_check": ZG[:2]}, expects("z_check")))),
    Spec("plotting.plot_free_energy_map", plotting.plot_free_energy_map, {"y1": G4, "y2": G5, "F": _F},
         extra=(("F: wrong shape", {"F": _F.T}, expects("F")), ("F: nan", {"F": _poison(_F, math.nan)}, expects("F")),
                ("grad: wrong shape", {"grad": torch.zeros(5, 4)}, expects("grad")))),
    Spec("plotting.draw_latent_inference", plotting.draw_latent_inference, {"y": (1.0, 0.5), "decoder": DEC},
         numbers={"y": {"three numbers": (1.0, 2.0, 3.0), "nan": (math.nan, 1.0), "string": "ab"}},
         extra=(("decoder: not callable", {"decoder": None}, expects("decoder")),
                ("axes: one", {"axes": [plt.subplots()[1]]}, expects("axes")))),
    Spec("plotting.plot_free_energy_sections", plotting.plot_free_energy_sections,
         {"coord": G5, "F": torch.zeros(2, 5), "betas": [1.0, 2.0]},
         extra=(("F: wrong shape", {"F": torch.zeros(2, 4)}, expects("F")),
                ("F: nan", {"F": torch.full((2, 5), math.nan)}, expects("F")))),
    Spec("plotting.plot_density_grid", plotting.plot_density_grid,
         {"y1": G4, "y2": G5, "densities": torch.zeros(2, 5, 4), "betas": [1.0, 2.0]},
         extra=(("densities: wrong shape", {"densities": torch.zeros(2, 4, 5)}, expects("densities")),
                ("densities: nan", {"densities": torch.full((2, 5, 4), math.nan)}, expects("densities")))),
    Spec("plotting.plot_loss_vs_gap", plotting.plot_loss_vs_gap, {"gap": G5, "values": {"h": G5}},
         extra=(("gap: 2-D", {"gap": torch.zeros(3, 2), "values": {"hinge": torch.zeros(3, 2)}}, expects("gap")),
                ("values: empty", {"values": {}}, expects("values")),
                ("values: mismatch", {"values": {"hinge": G4}}, r"curve 'hinge' must"),
                ("axes: wrong count", {"slopes": {"h": G5}, "axes": plt.subplots()[1]}, r"need 2 axes"))),
    Spec("plotting.plot_ellipse_fits", plotting.plot_ellipse_fits, {"data": _y(), "fits": {"fit": (1.0, 2.0)}},
         numbers={"n": {"zero": 0}},
         extra=(("data: wrong shape", {"data": torch.zeros(3, 3)}, expects("data")),
                ("fits: wrong shape", {"fits": {"fit": (1.0, 2.0, 3.0)}}, r"fit 'fit' must"))),
    Spec("plotting.plot_horn_slices", plotting.plot_horn_slices,
         {"x_data": _xs, "y_data": _ys, "x_slices": [0.0, 1.0], "learned": _w2, "true": _w2},
         extra=(("x_data: wrong shape", {"x_data": _xs[:, None]}, expects("x_data")),
                ("x_slices: empty", {"x_slices": [], "learned": _w2[:0], "true": _w2[:0]}, expects("x_slices")),
                ("learned: wrong shape", {"learned": _w2[:1]}, expects("learned")),
                ("centre: wrong shape", {"centre": _w2[0]}, expects("centre")))),
    Spec("plotting.plot_radii_curves", plotting.plot_radii_curves, {"x": _xs, "learned": _ys, "true": _ys},
         extra=(("x: wrong shape", {"x": _xs[:, None]}, expects("x")),
                ("learned: mismatch", {"learned": _ys[:2]}, expects("x")))),
    Spec("plotting.plot_token_probabilities", plotting.plot_token_probabilities,
         {"p_model": _p, "p_true": _p, "context_labels": ["a", "b"], "token_names": ["x", "y", "z"]},
         extra=(("p_model: mismatch", {"p_model": _p[:1]}, expects("p_model")),
                ("context_labels: count", {"context_labels": ["a"]}, r"need 2 context labels"))),
    # chapter 6: sampling
    Spec("plotting.plot_samples", plotting.plot_samples, {"samples": _y()},
         numbers={"xlim": LIMITS},
         extra=(("samples: wrong shape", {"samples": torch.zeros(5, 3)}, expects("samples")),
                ("samples: nan", {"samples": _poison(_y(), math.nan)}, expects("samples")))),
    Spec("plotting.draw_sampler_run", plotting.draw_sampler_run,
         {"trajectory": torch.zeros(3, 4, 2, dtype=F64), "name": "MH", "step_size": 0.5, "rate": 0.5},
         numbers={"step_size": POSITIVE, "name": {"unknown": "NUTS"}, "xlim": LIMITS},
         extra=(("trajectory: wrong shape", {"trajectory": torch.zeros(3, 4, 3)}, expects("trajectory")),)),
    Spec("plotting.plot_sampler_grid", plotting.plot_sampler_grid,
         {"energy": QUAD, "step_sizes": {"MH": [0.5], "MALA": [0.1]}, "y0": _Y0S, "steps": 2},
         numbers={"xlim": LIMITS, "steps": STEPS,
                  "step_sizes": {"ragged": {"MH": [0.5], "MALA": [0.1, 0.2]}, "empty": {},
                                 "zero": {"MH": [0.0]}}},
         extra=(("axes: too few", {"axes": [plt.subplots()[1]]}, expects("axes")),)),
    Spec("plotting.plot_acceptance_curves", plotting.plot_acceptance_curves,
         {"step_sizes": {"MH": [0.1, 1.0]}, "rates": {"MH": [0.5, 0.2]}},
         numbers={"rates": {"nan": {"MH": [0.5, math.nan]}}}),
    Spec("plotting.plot_hop_rates", plotting.plot_hop_rates, {"betas": [1.0, 2.0], "rates": {"MALA": [1.0, 0.5]}},
         numbers={"rates": {"nan": {"MALA": [1.0, math.nan]}}}),
    Spec("plotting.plot_traces", plotting.plot_traces, {"traces": {"MALA": [0.0, 1.0]}},
         numbers={"traces": {"nan": {"MALA": [0.0, math.nan]}}}),
    Spec("plotting.plot_autocorrelations", plotting.plot_autocorrelations, {"acfs": {"MALA": [1.0, 0.5]}},
         numbers={"acfs": {"inf": {"MALA": [1.0, math.inf]}}}),
    Spec("plotting.plot_ula_bias", plotting.plot_ula_bias,
         {"step_sizes": [0.1, 0.2], "measured": [1.0, 1.1], "discrete": [1.0, 1.1], "truth": 1.0},
         numbers={"measured": {"nan": [1.0, math.nan]}}),
    Spec("plotting.plot_state_probabilities", plotting.plot_state_probabilities, {"p_exact": [0.5, 0.5], "freq": [0.4, 0.6]},
         numbers={"p_exact": {"mismatch": [1.0]}, "freq": {"nan": [1.0, math.nan]}}),
    # chapters 2 and 5 (review)
    Spec("plotting.plot_energy_panels", plotting.plot_energy_panels, {"energies": {"a": lambda y: y.sum(1)}, "lim": 1.0, "n": 5},
         numbers={"energies": {"empty": {}}, "shift": {"other labels": {"b": 0.0}}, "data": {"wrong shape": torch.zeros(3)}},
         extra=(("vmin >= vmax", {"vmin": 1.0, "vmax": 1.0}, r"vmin < vmax"),)),
    Spec("plotting.plot_warm_training", plotting.plot_warm_training,
         {"data": _y(), "decoders": {"fit": DEC}, "betas": [1.0], "coord": G5},
         numbers={"decoders": {"empty": {}}, "coord": {"2-D": torch.zeros(2, 2)}},
         extra=(("data: wrong width", {"data": _y(3, 3)}, expects("data")),)),
    Spec("plotting.plot_fit_vs_beta", plotting.plot_fit_vs_beta, {"betas": [1.0, 2.0], "fits": torch.ones(2, 2)},
         numbers={"fits": {"wrong shape": torch.zeros(3, 2)}, "betas": {"zero": [0.0, 1.0]}}),
    Spec("plotting.plot_ellipse_decoder", plotting.plot_ellipse_decoder, {"z_grid": torch.zeros(4, dtype=F64), "xs": [0.0]},
         numbers={"xs": {"empty": []}, "z_grid": {"2-D": torch.zeros(4, 2, dtype=F64)}}),
    Spec("plotting.plot_two_wells", plotting.plot_two_wells,
         {"y": _y(1), "decoder": DEC, "z_grid": torch.zeros(4, dtype=F64), "z_global": 0.0, "z_local": 1.0},
         numbers={"y": {"two points": _y(2)}}),
]

WIDGETS = [
    *[Spec(f"widgets.{f}", getattr(widgets, f), {"energy": DW, "xlim": LIM, "ylim": LIM, "n": 5, "steps": 2},
           numbers={"step_size": {**POSITIVE, "outside range": 0.9},
                    "steps": STEPS, "step_size_range": {"reversed": (0.5, 0.001), "zero": (0.0, 0.5)}, "xlim": LIMITS})
      for f in ("GradientInferenceWidget", "gradient_inference_widget")],
    *[Spec(f"widgets.{f}", getattr(widgets, f), {"decoder": DEC},
           numbers={"y1_range": LIMITS},
           extra=(("y0: outside range", {"y0": (9.0, 0.0)}, expects("y0")),
                  ("y0: nan", {"y0": (math.nan, 0.0)}, expects("y0")),
                  ("z_grid: nan", {"z_grid": _poison(ZG, math.nan)}, expects("z_grid"))))
      for f in ("LatentInferenceWidget", "latent_inference_widget")],
    *[Spec(f"widgets.{f}", getattr(widgets, f), {"decoder": DEC, "y1": G4, "y2": G5}, tensors=("y1",),
           skip={"y1": {"wrong ndim value": G4[:, None]}},
           numbers={"beta": {**BETA, "outside range": 1e3}, "beta_range": {**LIMITS, "zero": (0.0, 1.0)}})
      for f in ("FreeEnergyBetaWidget", "free_energy_beta_widget")],
    *[Spec(f"widgets.{f}", getattr(widgets, f), {"energy": QUAD, "y0": _Y0S, "steps": 2}, tensors=("y0",),
           skip={"y0": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
           numbers={"sampler": {"unknown": "NUTS"}, "step_size": {**POSITIVE, "outside range": 9.0},
                    "step_range": {"reversed": (1.0, 0.001), "zero": (0.0, 1.0)}, "steps": STEPS},
           extra=(("energy: not callable", {"energy": None}, expects("energy")),))
      for f in ("SamplerWidget", "sampler_widget")],
]

UTILS = [
    Spec("utils.set_seed", utils.set_seed, {"seed": 0}, numbers={"seed": {"negative": -1, "float": 1.5, "bool": True,
                                                                          "string": "0"}}),
    Spec("utils.get_device", utils.get_device, {}, numbers={"prefer": {"unknown": "gpu", "int": 0}}),
    Spec("utils.make_generator", utils.make_generator, {}, numbers={"seed": {"negative": -1, "float": 1.5, "bool": True}}),
    Spec("utils.as_generator", utils.as_generator, {"generator": 0}, numbers={"generator": GENERATOR}),
]

# --- chapter 7: contrastive methods ------------------------------------------------------------

_NLP = lambda y: -0.5 * (y**2).sum(1) - math.log(2 * math.pi)  # noqa: E731 - N(0, I) in 2-D
_pcd_chains = lambda: samplers.PersistentChains(_y(), lambda m, g: torch.zeros(m, 2, dtype=F64))  # noqa: E731
_NOT_ENERGY = (("energy: not callable", {"energy": None}, expects("energy")),
               ("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")))
LOSSES += [
    Spec("losses.score_matching_loss", losses.score_matching_loss, {"energy": QUAD, "y": _y()}, tensors=("y",),
         numbers={"reduction": REDUCTION}, extra=_NOT_ENERGY),
    Spec("losses.sliced_score_matching_loss", losses.sliced_score_matching_loss, {"energy": QUAD, "y": _y()},
         tensors=("y",), numbers={"n_projections": {"zero": 0, "float": 1.5, "bool": True},
                                  "generator": {"negative": -1, "float": 1.5}, "reduction": REDUCTION},
         extra=_NOT_ENERGY),
    Spec("losses.denoising_score_matching_loss", losses.denoising_score_matching_loss,
         {"energy": QUAD, "y": _y(), "sigma": 0.1}, tensors=("y",),
         numbers={"sigma": POSITIVE, "generator": {"negative": -1, "float": 1.5}, "reduction": REDUCTION},
         extra=_NOT_ENERGY),
    Spec("losses.nce_loss", losses.nce_loss,
         {"energy": QUAD, "log_z": 0.0, "y_data": _y(), "y_noise": _y(), "noise_log_prob": _NLP},
         tensors=("y_data", "y_noise"),
         numbers={"log_z": {**REAL, "vector": torch.zeros(2, dtype=F64), "int tensor": torch.tensor(1)},
                  "reduction": REDUCTION},
         extra=(*_NOT_ENERGY, ("y_noise: wrong width", {"y_noise": _y(3, 3)}, expects("y_noise")),
                ("noise_log_prob: not callable", {"noise_log_prob": None}, expects("noise_log_prob")),
                ("noise_log_prob: wrong output", {"noise_log_prob": lambda y: y}, expects("noise_log_prob")))),
    Spec("losses.contrastive_divergence_loss", losses.contrastive_divergence_loss,
         {"energy": QUAD, "y": _y(), "steps": 2, "step_size": 0.1}, tensors=("y",),
         numbers={"steps": {"zero": 0, "float": 1.5, "integral float": 3.0, "bool": True}, "step_size": POSITIVE,
                  "energy_penalty": {"negative": -1.0, **REAL}, "reduction": REDUCTION}, extra=_NOT_ENERGY),
    Spec("losses.persistent_contrastive_divergence_loss", losses.persistent_contrastive_divergence_loss,
         {"energy": QUAD, "y": _y(), "steps": 2, "step_size": 0.1},
         call=lambda **kw: losses.persistent_contrastive_divergence_loss(chains=kw.pop("chains", _pcd_chains()), **kw),
         tensors=("y",),
         numbers={"chains": {"tensor": _y(), "none": None},
                  "steps": {"zero": 0, "float": 1.5, "integral float": 3.0, "bool": True},
                  "step_size": POSITIVE, "energy_penalty": {"negative": -1.0, **REAL}, "reduction": REDUCTION},
         extra=(("energy: not callable", {"energy": None}, expects("energy")),
                ("chains: wrong width", {"y": _y(3, 3)}, expects("chains")))),
]
DATASETS += [
    Spec("datasets.toy_2d", datasets.toy_2d, {"name": "rings", "n": 5},
         numbers={"name": {"unknown": "moons", "none": None},
                  "n": {"zero": 0, "negative": -1, "float": 2.5, "bool": True},
                  "generator": {"negative": -1, "string": "rng"},
                  "dtype": {"int64": torch.int64, "string": "float32"}}),
    Spec("datasets.toy_2d_log_prob", datasets.toy_2d_log_prob, {"name": "rings", "y": _y()}, tensors=("y",),
         numbers={"name": {"unknown": "moons", "none": None}},
         extra=(("toy_2d_log_prob: no closed form", {"name": "spiral"}, r"toy_2d_log_prob knows"),
                ("y: wrong width", {"y": _y(3, 3)}, expects("y")))),
    Spec("datasets.binary_digits", datasets.binary_digits, {},
         numbers={"test_fraction": {"zero": 0.0, "one": 1.0, "nan": math.nan, "string": "0.2"},
                  "threshold": {"negative": -1.0, "too high": 16.0, **REAL},
                  "generator": {"negative": -1, "float": 1.5}, "dtype": {"int64": torch.int64}}),
]

PLOTTING += [
    # chapter 7: contrastive methods
    Spec("plotting.plot_curves", plotting.plot_curves, {"curves": {"a": (G5, G5)}},
         numbers={"curves": {"empty": {}}},
         extra=(("curves: mismatch", {"curves": {"a": (G5, G4)}}, r"curve 'a' must"),
                ("curves: nan", {"curves": {"a": (G5, _poison(G5, math.nan))}}, r"curve 'a' contains"))),
    Spec("plotting.plot_vector_field", plotting.plot_vector_field, {"field": lambda y: y, "lim": LIM, "n": 5},
         numbers={"lim": LIMITS, "n": {"one": 1, "float": 2.5}},
         extra=(("field: wrong output", {"field": lambda y: y[:, 0]}, expects("field")),
                ("field: nan", {"field": lambda y: y * math.nan}, expects("field")))),
    Spec("plotting.plot_digit_grid", plotting.plot_digit_grid, {"images": torch.zeros(2, 64)},
         numbers={"images": {"wrong width": torch.zeros(2, 63), "empty": torch.zeros(0, 64),
                             "nan": torch.full((2, 64), math.nan)}, "ncols": {"zero": 0, "float": 1.5}}),
    Spec("plotting.plot_energy_comparison", plotting.plot_energy_comparison, {"energies": {"d": {"m": DW}}, "lim": 2.0, "n": 5},
         numbers={"energies": {"empty": {}, "ragged": {"a": {"m": DW}, "b": {"n": DW}}},
                  "lim": {"zero": 0.0, "nan": math.nan, "string": "2"}, "n": {"one": 1, "float": 2.5},
                  "vmax": {"zero": 0.0, "inf": math.inf}, "data": {"missing": {}}},
         extra=(("energy: wrong output", {"energies": {"d": {"m": WRONG_SHAPE}}}, r"energy of 'm' on 'd' must"),)),
]

# --- chapter 8: architectural methods ----------------------------------------------------------

_spiral = datasets.toy_2d("spiral", 40, generator=0, dtype=F64)
_km = models.KMeansEBM(3).fit(_spiral, generator=0)
_pca = models.PCAEnergy(1).fit(_spiral)
_glo = models.GLO(3, 1, 2, hidden=(4,), generator=0, dtype=F64)
_Wd = torch.linspace(-1.0, 1.0, 8, dtype=F64).reshape(2, 4)  # (D = 2, K = 4)
_z4 = torch.zeros(3, 4, dtype=F64)
_sq = lambda v: (v**2).sum(1)  # noqa: E731
_NOT_FITTED = r"model must be fitted"
_COUNT = {"zero": 0, "float": 1.5}
MODELS += [
    Spec("models.KMeansEBM", models.KMeansEBM, {"k": 2},
         numbers={"k": {"zero": 0, "float": 2.5, "bool": True, "string": "3"}}),
    Spec("models.KMeansEBM", _km.energy_table, {"y": _y()},
         call=lambda fitted=True, **kw: (_km if fitted else models.KMeansEBM(2)).energy_table(**kw),
         extra=(("model: not fitted", {"fitted": False}, _NOT_FITTED),)),
    Spec("models.KMeansEBM", lambda **kw: models.KMeansEBM(2).fit(**kw), {"y": _y(), "generator": 0},
         tensors=("y",), numbers={"n_iter": _COUNT, "n_init": _COUNT},
         extra=(("y: fewer rows than k", {"y": _y(1)}, expects("y")),)),
    *[Spec("models.KMeansEBM", getattr(_km, method), {"y": _y()}, tensors=("y",),
           extra=(("y: wrong width", {"y": _y(3, 3)}, expects("y")),))
      for method in ("energy_table", "free_energy", "infer", "reconstruct")],
    Spec("models.KMeansEBM", _km.energy, {"y": _y(), "z": torch.tensor([0, 1, 0])}, tensors=("y",),
         numbers={"z": {"float": torch.zeros(3, dtype=F64), "out of range": torch.tensor([0, 3, 0]),
                        "negative": torch.tensor([0, -1, 0]), "wrong size": torch.tensor([0, 1]), "list": [0, 1, 0]}}),
    Spec("models.KMeansEBM", _km.free_energy, {"y": _y(), "beta": 1.0}, numbers={"beta": BETA}),
    Spec("models.KMeansEBM", _km.complete, {"y": _y(), "observed": torch.tensor([True, False])},
         numbers={"observed": {"none observed": torch.tensor([False, False]), "wrong size": torch.tensor([True]),
                               "float": torch.tensor([1.0, 0.0]), "list": [True, False]}}),
    Spec("models.sparse_code", models.sparse_code, {"y": _y(), "W": _Wd, "lam": 0.1, "n_iter": 5},
         tensors=("y", "W"),
         numbers={"lam": {"negative": -1.0, **REAL, "bool": True}, "n_iter": STEPS,
                  "method": {"unknown": "lars", "none": None}},
         extra=(("W: wrong height", {"W": _Wd[:1]}, expects("W")),)),
    Spec("models.sparse_coding_energy", models.sparse_coding_energy, {"y": _y(), "z": _z4, "W": _Wd, "lam": 0.1},
         tensors=("y", "z"), numbers={"lam": {"negative": -1.0, **REAL}}, skip={"y": NO_EMPTY},
         extra=(("z: batch mismatch", {"z": _z4[:2]}, expects("z")),)),
    Spec("models.soft_threshold", models.soft_threshold, {"v": _y(), "tau": 0.5}, tensors=("v",),
         skip={"v": {"skip": ("wrong ndim",)}}, numbers={"tau": {"negative": -1.0, **REAL}}),
    Spec("models.learn_dictionary", models.learn_dictionary,
         {"y": _y(), "n_atoms": 2, "lam": 0.1, "n_iter": 1, "code_iter": 5, "generator": 0}, tensors=("y",),
         numbers={"n_atoms": _COUNT, "lam": POSITIVE, "n_iter": _COUNT, "code_iter": _COUNT}),
    Spec("models.PCAEnergy", models.PCAEnergy, {"n_components": 1},
         numbers={"n_components": {"zero": 0, "float": 1.5, "bool": True}}),
    Spec("models.PCAEnergy", lambda **kw: models.PCAEnergy(kw.pop("n_components", 1)).fit(**kw), {"y": _y()},
         tensors=("y",), extra=(("n_components: too many", {"n_components": 3}, expects("n_components")),)),
    Spec("models.PCAEnergy", _pca.free_energy, {"y": _y()},
         call=lambda fitted=True, **kw: (_pca if fitted else models.PCAEnergy(1)).free_energy(**kw),
         extra=(("model: not fitted", {"fitted": False}, _NOT_FITTED),)),
    Spec("models.PCAEnergy", _pca.free_energy, {"y": _y()}, tensors=("y",)),
    Spec("models.PCAEnergy", _pca.decode, {"z": _y(3, 1)}, tensors=("z",)),
    Spec("models.PCAEnergy", _pca.infer, {"y": _y()}, tensors=("y",)),
    Spec("models.PCAEnergy", _pca.energy, {"y": _y(), "z": _y(3, 1)},
         extra=(("z: wrong width", {"z": _y()}, expects("z")),)),
    Spec("models.GLO", models.GLO, {"n_samples": 3, "latent_dim": 1, "data_dim": 2, "hidden": (4,)},
         numbers={"n_samples": _COUNT, "latent_dim": {"zero": 0, "bool": True}, "radius": POSITIVE,
                  "constraint": {"unknown": "cube"}, "hidden": {"empty": (), "zero": (0,)},
                  "generator": GENERATOR},
         extra=(("decoder: not a module", {"decoder": lambda z: z}, expects("decoder")),)),
    Spec("models.GLO", _glo.fit, {"y": _y(), "epochs": 1}, tensors=("y",),
         numbers={"epochs": _COUNT, "lr": POSITIVE}, extra=(("y: wrong count", {"y": _y(4)}, expects("y")),)),
    Spec("models.GLO", _glo.infer, {"y": _y(), "steps": 1}, tensors=("y",), numbers={"steps": STEPS}),
    Spec("models.GLO", _glo.energy, {"y": _y(), "z": _y(3, 1)}, tensors=("z",)),
    Spec("losses.tempered_grid_nll", losses.tempered_grid_nll,
         {"free_energy": _sq, "y_val": _y(), "y_test": _y(), "temperatures": [1.0], "n": 8},
         tensors=("y_val", "y_test"),
         numbers={"temperatures": {"empty": [], "zero": [0.0], "nan": [math.nan], "string": ["1"]},
                  "lim": POSITIVE, "n": {"zero": 0, "float": 2.5}, "reduction": REDUCTION},
         extra=(("free_energy: not callable", {"free_energy": None}, expects("free_energy")),
                ("free_energy: wrong output", {"free_energy": WRONG_SHAPE}, expects("free_energy")))),
    Spec("models.tempered_density", models.tempered_density, {"free_energy": _sq, "temperature": 1.0, "n": 8},
         numbers={"temperature": POSITIVE, "n": {"zero": 0, "float": 2.5}},
         extra=(("free_energy: wrong output", {"free_energy": WRONG_SHAPE}, expects("free_energy")),)),
]

PLOTTING += [
    # chapter 8: architectural methods
    Spec("plotting.plot_kmeans_inference", plotting.plot_kmeans_inference, {"data": _y(), "prototypes": _y()},
         extra=(("data: wrong shape", {"data": _y(3, 3)}, expects("data")),
                ("prototypes: nan", {"prototypes": _poison(_y(), math.nan)}, expects("prototypes")),
                ("closest: mismatch", {"closest": (_y(), _y(2))}, r"closest queries and answers must"),
                ("complete: mismatch", {"complete": (G4, _y())}, r"complete y1 and answers must"))),
    Spec("plotting.plot_volume_vs_k", plotting.plot_volume_vs_k, {"ks": G4, "volumes": {"a": G4}},
         extra=(("ks: 2-D", {"ks": torch.zeros(3, 2)}, expects("ks")),
                ("volumes: mismatch", {"volumes": {"a": G5}}, r"volume 'a' must"))),
    Spec("plotting.plot_convergence", plotting.plot_convergence, {"gaps": {"ista": G5.abs() + 0.1}},
         numbers={"gaps": {"empty": {}}},
         extra=(("gaps: 2-D", {"gaps": {"ista": torch.zeros(3, 2)}}, r"gap 'ista' must"),
                ("gaps: nan", {"gaps": {"ista": _poison(G5, math.nan)}}, r"gap 'ista' contains"))),
    Spec("plotting.plot_atoms", plotting.plot_atoms, {"W": torch.zeros(9, 3), "shape": (3, 3)},
         numbers={"ncols": {"zero": 0, "float": 1.5}},
         extra=(("W: wrong height", {"W": torch.zeros(10, 3)}, expects("W")),)),
    Spec("plotting.plot_density_panels", plotting.plot_density_panels,
         {"densities": {"a": {"m": _F}}, "data": {"a": _y()}, "lim": 1.0},
         numbers={"densities": {"empty": {}}, "data": {"missing": {}}},
         extra=(("densities: methods differ", {"densities": {"a": {"m": _F}, "b": {"n": _F}},
                                               "data": {"a": _y(), "b": _y()}}, r"densities\['b'\] must"),)),
]

# --- chapter 9: deep EBMs on images -----------------------------------------------------------------

_IMG = torch.linspace(0.0, 1.0, 3 * 64, dtype=F64).reshape(3, 1, 8, 8)
_IMG_1D = {"wrong ndim value": torch.zeros(3, dtype=F64)}
_CONV = models.ConvEnergy((2,), dtype=F64, generator=0)
_img_noise = lambda m, g: torch.rand(m, 1, 8, 8, generator=g, dtype=F64)  # noqa: E731
_MASK = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
_MASK[..., 4:, :] = True
MODELS += [
    Spec("models.ConvEnergy", models.ConvEnergy, {"channels": (2, 2)},
         numbers={"channels": {"empty": (), "zero": (0,), "float": (1.5,)}, "in_channels": COUNT,
                  "image_size": {**COUNT, "not divisible": 7}, "spectral_norm": {"int": 1, "string": "yes"},
                  "generator": GENERATOR}),
    Spec("models.GaussianEnergy", models.GaussianEnergy,
         {"mean": torch.zeros(3, dtype=F64), "precision": torch.eye(3, dtype=F64)}, tensors=("mean", "precision"),
         numbers={"weight": POSITIVE},
         extra=(("precision: wrong size", {"precision": torch.eye(2, dtype=F64)}, expects("precision")),
                ("precision: not symmetric", {"precision": torch.eye(3, dtype=F64) + torch.triu(torch.ones(3, 3, dtype=F64), 1)},
                 expects("precision")),
                ("precision: not positive definite", {"precision": -torch.eye(3, dtype=F64)}, expects("precision")))),
    Spec("models.GaussianEnergy", models.GaussianEnergy.from_data, {"y": _IMG}, tensors=("y",), skip={"y": _IMG_1D},
         numbers={"shrinkage": NONNEG, "weight": POSITIVE},
         extra=(("y: one row", {"y": _IMG[:1]}, expects("y")),
                ("shrinkage: 0 with a constant pixel", {"shrinkage": 0.0}, expects("shrinkage")))),
    Spec("models.GaussianEnergy", models.GaussianEnergy.from_data(_IMG, shrinkage=0.1).fit, {"y": _IMG}, tensors=("y",),
         skip={"y": _IMG_1D}, numbers={"shrinkage": NONNEG},
         extra=(("y: one row", {"y": _IMG[:1]}, expects("y")),
                ("shrinkage: 0 with a constant pixel", {"shrinkage": 0.0}, expects("shrinkage")))),
    Spec("models.TiltedEnergy", models.TiltedEnergy, {"net": _CONV, "base": _CONV},
         numbers={"net": {"function": QUAD, "none": None}, "base": {"function": QUAD}}),
]
LOSSES += [
    Spec("losses.short_run_ml_loss", losses.short_run_ml_loss, {"energy": _CONV, "y": _IMG, "steps": 1, "step_size": 0.1},
         call=lambda **kw: losses.short_run_ml_loss(
             buffer=kw.pop("buffer", samplers.PersistentChains(_img_noise(3, None), _img_noise)), **kw),
         tensors=("y",), skip={"y": _IMG_1D},
         numbers={"buffer": {"tensor": _IMG, "none": None}, "steps": {"zero": 0, "float": 1.5, "bool": True},
                  "reduction": REDUCTION,
                  "step_size": POSITIVE, "energy_penalty": {"negative": -1.0, **REAL}, "clamp": LIMITS},
         extra=(("energy: not callable", {"energy": None}, expects("energy")),
                ("buffer: wrong shape", {"y": _IMG[:, :, :4, :4]}, expects("buffer")))),
    Spec("metrics.auroc", ebmlib.auroc, {"scores_in": FP, "scores_out": FP + 1}, tensors=("scores_in", "scores_out"),
         skip={"scores_in": {"wrong ndim value": FN}, "scores_out": {"wrong ndim value": FN}}),
]
DATASETS += [
    Spec("datasets.digit_images", datasets.digit_images, {},
         numbers={"test_fraction": {"zero": 0.0, "one": 1.0, "nan": math.nan, "string": "0.2"},
                  "value_range": LIMITS, "generator": GENERATOR, "dtype": {"int64": torch.int64}}),
]
TRAINING += [
    Spec("training_images.train_image_ebm", ebmlib.train_image_ebm,
         {"energy": _CONV, "images": _IMG, "epochs": 1, "batch_size": 2, "buffer_size": 3, "steps": 1,
          "step_size": 0.1, "generator": 0},
         tensors=("images",), skip={"images": _IMG_1D},
         numbers={"epochs": {"zero": 0, "float": 1.5}, "batch_size": COUNT, "buffer_size": {"below batch": 1, **COUNT},
                  "lr": POSITIVE, "restart_prob": {"above one": 1.5, "nan": math.nan}, "steps": {"zero": 0, "float": 1.5},
                  "step_size": POSITIVE, "clamp": LIMITS, "noise_range": {**LIMITS, "none": None},
                  "energy_penalty": {"negative": -1.0, **REAL}, "max_energy": POSITIVE, "generator": GENERATOR},
         extra=(("energy: not a module", {"energy": QUAD}, expects("energy")),)),
]
INFERENCE += [
    Spec("inpainting.inpaint", ebmlib.inpaint, {"energy": _CONV, "y": _IMG, "mask": _MASK, "steps": 2, "step_size": 0.1},
         tensors=("y",), skip={"y": _IMG_1D},
         numbers={"mask": {"float": _IMG, "wrong shape": torch.zeros(2, 1, 8, 8, dtype=torch.bool), "list": [True]},
                  "init": {**REAL, "wrong shape": torch.zeros(3, 3, dtype=F64)}, "steps": STEPS,
                  "step_size": POSITIVE, "generator": GENERATOR},
         extra=(("energy: not callable", {"energy": None}, expects("energy")),
                ("energy: wrong output", {"energy": WRONG_SHAPE}, expects("energy")))),
]
PLOTTING += [
    Spec("plotting.image_grid", plotting.image_grid, {"images": _IMG}, tensors=("images",),
         skip={"images": {"skip": ("list", "ndarray", "int dtype", "bool dtype"), "wrong ndim value": torch.zeros(3)}},
         numbers={"ncols": COUNT, "value_range": LIMITS}),
    Spec("plotting.plot_image_rows", plotting.plot_image_rows, {"rows": {"a": _IMG}},
         numbers={"rows": {"empty": {}, "list": [_IMG], "uneven": {"a": _IMG, "b": _IMG[:2]},
                           "nan": {"a": _poison(_IMG, math.nan)}}, "value_range": LIMITS}),
    Spec("plotting.plot_training_energies", plotting.plot_training_energies, {"e_data": FP, "e_model": FP},
         numbers={"e_data": {"nan": _poison(FP, math.nan), "wrong shape": FN, "empty": FP[:0]},
                  "e_model": {"inf": _poison(FP, math.inf), "mismatch": FP[:2]}, "smooth": COUNT}),
]

# --- chapter 10: EBMs today ----------------------------------------------------------------------

SIG3 = torch.tensor([1.0, 0.5, 0.25], dtype=F64)
GAUSS_SCORE = lambda y, s: -y / (1 + s[:, None] ** 2)  # noqa: E731
BAD_SCORE = lambda y, s: y[:, :1]  # noqa: E731 - (B, 1) instead of (B, D)
_SEED = {"negative": -1, "float": 1.5}
_SEED_S = {"negative": -1, "string": "rng"}
_NOT_SCORE = (("score: not callable", {"score": None}, expects("score")),
              ("score: wrong output", {"score": BAD_SCORE}, expects("score")))
_S3 = torch.linspace(-1, 1, 12, dtype=F64).reshape(3, 2, 2)
_V = torch.tensor([0.1, 0.2, 0.3], dtype=F64)
_V3 = torch.tensor([0.0, 1.0, 2.0], dtype=F64)
_CE = lambda x, y: (y - x[:, 0]) ** 2  # noqa: E731
_G = torch.linspace(-2, 2, 9, dtype=F64)
_LP = torch.log_softmax(-_G[None] ** 2, dim=1).expand(3, 9).contiguous()
_T = torch.rand(3, 4, generator=torch.Generator().manual_seed(0), dtype=F64)
_LQ = torch.full((3, 4), -math.log(4), dtype=F64)
_ENC = models.GridEncoder(2, 12, (4,), dtype=F64, generator=0)
_CT = models.CausalTransformer(head="samples", generator=0)
_NCS = models.NoiseConditionalScore(2, (4,), generator=0)
_NCE = models.NoiseConditionalEnergy(2, (4,), generator=0, dtype=F64)
_X31 = {"wrong ndim value": _y(3, 1)[None]}

INFERENCE += [  # chapter 9, written here because it takes a noise-conditional score
    Spec("inpainting.inpaint_annealed", ebmlib.inpainting.inpaint_annealed,
         {"score": GAUSS_SCORE, "y": _y(), "mask": torch.tensor([False, True]), "sigmas": SIG3, "steps": 2,
          "step_size": 0.01},
         tensors=("y",), skip={"y": {"wrong ndim value": torch.zeros(3, dtype=F64)}},
         numbers={"mask": {"float": torch.zeros(2), "wrong shape": torch.zeros(3, dtype=torch.bool)},
                                  "sigmas": {"increasing": SIG3.flip(0), "negative": -SIG3}, "steps": STEPS,
                                  "step_size": POSITIVE, "samples": {"zero": 0, "float": 1.5}, "generator": GENERATOR},
         extra=(("score: not callable", {"score": None}, expects("score")),)),
]

LOSSES += [
    Spec("schedules.geometric_sigmas", schedules.geometric_sigmas, {"sigma_max": 1.0, "sigma_min": 0.1, "n": 3},
         numbers={"sigma_max": POSITIVE, "sigma_min": POSITIVE, "n": {"one": 1, "float": 2.5, "bool": True, "string": "3"}},
         extra=(("sigma_max: not above sigma_min", {"sigma_max": 0.1, "sigma_min": 1.0}, expects("sigma_max")),)),
    Spec("losses.noise_conditional_dsm_loss", losses.noise_conditional_dsm_loss,
         {"score": GAUSS_SCORE, "y": _y(), "sigmas": SIG3}, tensors=("y", "sigmas"),
         numbers={"generator": _SEED, "reduction": REDUCTION},
         extra=(("sigmas: negative", {"sigmas": -SIG3}, expects("sigmas")), *_NOT_SCORE)),
    Spec("losses.energy_score", losses.energy_score, {"samples": _S3, "y": _y()}, tensors=("samples", "y"),
         skip={"samples": {"wrong ndim value": _y()}},
         numbers={"reduction": REDUCTION},
         extra=(("samples: one sample", {"samples": _S3[:, :1]}, expects("samples")),
                ("y: batch mismatch", {"y": _y(4, 2)}, expects("y")))),
]

SAMPLERS += [
    Spec("samplers.run_sampler", samplers.run_sampler, {"name": "MALA", "energy": QUAD, "y0": _Y0S, "step_size": 0.1,
                                                         "steps": 2},
         numbers={"name": {"unknown": "NUTS"}, "step_size": POSITIVE, "steps": STEPS, "generator": GENERATOR}),
    Spec("samplers.annealed_langevin", samplers.annealed_langevin,
         {"score": GAUSS_SCORE, "y0": _y(), "sigmas": SIG3, "steps": 2, "step_size": 0.01}, tensors=("y0", "sigmas"),
         skip={"y0": {"wrong ndim value": torch.zeros(2, dtype=F64)}},  # (B, ...) is accepted: a (D,) has no batch
         numbers={"steps": STEPS, "step_size": POSITIVE, "generator": _SEED},
         extra=(("sigmas: increasing", {"sigmas": SIG3.flip(0)}, expects("sigmas")),
                ("sigmas: zero", {"sigmas": SIG3 * 0}, expects("sigmas")),
                ("score: not callable", {"score": 3.0}, expects("score")),
                ("score: wrong output", {"score": BAD_SCORE}, expects("score")))),
]

METRICS = [
    Spec("metrics.energy_distance", metrics.energy_distance, {"x": _y(), "y": _y()}, tensors=("x", "y"),
         extra=(("y: wrong width", {"y": _y(3, 3)}, expects("y")),)),
    Spec("metrics.mode_fractions", metrics.mode_fractions, {"samples": _y(), "centres": _y(), "radius": 0.5},
         tensors=("samples", "centres"), numbers={"radius": POSITIVE},
         extra=(("centres: wrong width", {"centres": _y(3, 3)}, expects("centres")),)),
    Spec("metrics.interval_coverage", metrics.interval_coverage, {"lower": _V3, "upper": _V3 + 1, "y": _V3},
         tensors=("lower", "upper", "y"),
         extra=(("upper: below lower", {"upper": _V3 - 1}, expects("upper")),
                ("upper: shape mismatch", {"upper": _V3[:2], "y": _V3[:2]}, expects("upper")))),
    Spec("metrics.frechet_distance", metrics.frechet_distance, {"x": _y(), "y": _y()}, tensors=("x", "y"),
         extra=(("y: wrong width", {"y": _y(3, 3)}, expects("y")), ("x: one row", {"x": _y()[:1]}, expects("x")))),
    Spec("metrics.mmd2", metrics.mmd2, {"x": _y(), "y": _y(), "bandwidth": 1.0}, tensors=("x", "y"),
         numbers={"bandwidth": POSITIVE},
         extra=(("y: wrong width", {"y": _y(3, 3)}, expects("y")), ("y: one row", {"y": _y()[:1]}, expects("y")))),
    Spec("metrics.train_feature_classifier", metrics.train_feature_classifier,
         {"images": _y(), "labels": torch.arange(_y().shape[0]) % 2, "hidden": 2, "steps": 2},
         tensors=("images",), skip={"images": ("wrong ndim", "empty batch")},
         numbers={"hidden": {"zero": 0, "float": 2.5}, "steps": {"zero": 0, "float": 2.5}, "lr": POSITIVE,
                  "generator": _SEED},
         extra=(("labels: float", {"labels": torch.zeros(_y().shape[0])}, expects("labels")),
                ("labels: wrong length", {"labels": torch.zeros(1, dtype=torch.int64)}, expects("labels")),
                ("labels: negative", {"labels": -torch.ones(_y().shape[0], dtype=torch.int64)}, expects("labels")),
                ("weight_decay: negative", {"weight_decay": -1.0}, expects("weight_decay")))),
]

# chapter 9's baselines and short-run training (ebmlib.baselines, ebmlib.short_run)
_IMG = torch.linspace(0.0, 1.0, 3 * 16, dtype=F64).reshape(3, 1, 4, 4)
_IMG_MASK = torch.zeros(1, 4, 4, dtype=torch.bool)
_IMG_MASK[0, 2:] = True
_IMG_BAD_MASKS = (("mask: float", {"mask": _IMG_MASK.double()}, expects("mask")),
                  ("mask: none hidden", {"mask": _IMG_MASK & False}, expects("mask")),
                  ("mask: wrong shape", {"mask": _IMG_MASK[..., :2]}, expects("mask")),
                  ("train: wrong image shape", {"train": _IMG[..., :2]}, expects("train")))
_IMG_SKIP = {"images": ("empty batch",), "train": ("empty batch",)}
from ebmlib import baselines, short_run  # noqa: E402

METRICS += [
    Spec("baselines.mean_imputation", baselines.mean_imputation, {"images": _IMG, "mask": _IMG_MASK, "train": _IMG},
         tensors=("images", "train"), skip=_IMG_SKIP, extra=_IMG_BAD_MASKS),
    Spec("baselines.nearest_neighbour_fill", baselines.nearest_neighbour_fill,
         {"images": _IMG, "mask": _IMG_MASK, "train": _IMG}, tensors=("images", "train"), skip=_IMG_SKIP,
         numbers={"neighbours": {"negative": -1, "float": 1.5, "bool": True, "more than train": 10**6}},
         extra=_IMG_BAD_MASKS),
    Spec("baselines.gaussian_conditional", baselines.gaussian_conditional,
         {"images": _IMG, "mask": _IMG_MASK, "train": _IMG}, tensors=("images", "train"), skip=_IMG_SKIP,
         numbers={"shrinkage": {"negative": -1.0, "nan": math.nan, "string": "1"},
                  "samples": {"negative": -1, "float": 1.5}, "generator": _SEED},
         extra=_IMG_BAD_MASKS),
    Spec("baselines.neighbour_average", baselines.neighbour_average, {"images": _IMG, "mask": _IMG_MASK},
         tensors=("images",), skip={"images": ("empty batch",)},
         extra=_IMG_BAD_MASKS[:3] + (("fill: wrong shape", {"fill": torch.zeros(3, dtype=F64)}, expects("fill")),)),
    Spec("baselines.ood_baseline_scores", baselines.ood_baseline_scores, {"train": _IMG, "images": _IMG},
         tensors=("train", "images"), skip={"train": ("empty batch", "wrong ndim"), "images": ("wrong ndim",)},
         numbers={"shrinkage": POSITIVE}),
    Spec("short_run.short_run_samples", short_run.short_run_samples,
         {"energy": QUAD, "init": lambda m, g: torch.zeros(m, 2, dtype=F64), "n": 3, "steps": 1, "step_size": 0.1,
          "noise_scale": 0.1},
         numbers={"n": {"zero": 0, "float": 1.5}, "step_size": POSITIVE, "generator": _SEED},
         extra=(("init: not callable", {"init": 3}, expects("init")),
                ("init: wrong rows", {"init": lambda m, g: torch.zeros(1, 2, dtype=F64)}, expects("init")))),
    Spec("short_run.gaussian_init", short_run.gaussian_init, {"train": _IMG}, tensors=("train",),
         skip={"train": ("empty batch", "wrong ndim")}, numbers={"jitter": POSITIVE},
         extra=(("clamp: reversed", {"clamp": (1.0, 0.0)}, expects("clamp")),
                ("train: one row", {"train": _IMG[:1]}, expects("train")))),
    Spec("short_run.train_short_run", short_run.train_short_run,
         {"energy": ebmlib.ConvEnergy((2,), image_size=4, dtype=F64, generator=0), "images": _IMG,
          "init": lambda m, g: torch.rand(m, 1, 4, 4, generator=g, dtype=F64), "epochs": 1, "batch_size": 2,
          "steps": 1},
         tensors=("images",), skip={"images": ("empty batch", "wrong ndim")},
         numbers={"epochs": {"zero": 0, "float": 1.5}, "batch_size": {"zero": 0}, "lr": POSITIVE,
                  "steps": {"zero": 0}, "max_energy": POSITIVE, "energy_penalty": {"negative": -1.0},
                  "generator": _SEED},
         extra=(("energy: not a module", {"energy": QUAD}, expects("energy")),
                ("init: not callable", {"init": 3}, expects("init")))),
]
from ebmlib import seed_runs  # noqa: E402

METRICS += [
    Spec("seed_runs.load", seed_runs.load, {"name": "ch09"},
         extra=(("name: unknown", {"name": "ch99"}, expects("name")), ("name: path", {"name": "../x"}, expects("name")),
                ("name: number", {"name": 9}, expects("name")))),
    Spec("seed_runs.available", seed_runs.available, {}),
]

# chapter 10's helpers: the eight centres (datasets), random minibatches (utils), the regression baseline
from ebmlib import regression  # noqa: E402

_LEVEL = {"negative": -0.1, "above one": 1.5, "nan": math.nan, "string": "0.9"}
_DEGREE = {"negative": -1, "float": 1.5, "bool": True}
DATASETS += [
    Spec("datasets.eight_gaussians_centres", datasets.eight_gaussians_centres, {"dtype": F64},
         numbers={"dtype": {"int": torch.int64, "string": "float"}}),
]
UTILS += [
    Spec("utils.random_batches", utils.random_batches, {"tensors": _y(), "batch_size": 2}, tensors=("tensors",),
         numbers={"batch_size": COUNT},
         skip={"tensors": ("wrong ndim", "int dtype", "bool dtype", "complex dtype")},  # any tensor may be batched
         call=lambda tensors, **kw: utils.random_batches(tensors, **kw)),
]
REGRESSION = [
    Spec("regression.PolynomialGaussianRegression", regression.PolynomialGaussianRegression,
         {"degree": 2, "variance_degree": 1}, numbers={"degree": _DEGREE, "variance_degree": _DEGREE}),
    Spec("regression.hdr_length", regression.hdr_length,
         {"log_prob": _y(3, 5), "y_grid": torch.linspace(-1, 1, 5, dtype=F64), "level": 0.9},
         tensors=("log_prob", "y_grid"), numbers={"level": _LEVEL},
         extra=(("y_grid: wrong length", {"y_grid": torch.linspace(-1, 1, 4, dtype=F64)}, expects("y_grid")),)),
]

_HIDDEN = {"empty": (), "zero width": (4, 0), "number": 3}
MODELS += [
    Spec("models.NoiseConditionalScore", models.NoiseConditionalScore, {"dim": 2, "hidden": (4,)},
         numbers={"dim": {"zero": 0, "float": 2.5}, "hidden": _HIDDEN, "generator": _SEED_S}),
    Spec("models.NoiseConditionalScore", _NCS, {"y": _y().float(), "sigma": 0.5},
         numbers={"sigma": {"zero": 0.0, "nan": math.nan}}),
    Spec("models.NoiseConditionalEnergy", models.NoiseConditionalEnergy, {"dim": 2, "hidden": (4,)},
         numbers={"dim": {"zero": 0, "float": 2.5}, "hidden": _HIDDEN, "generator": _SEED_S,
                  "data_scale": POSITIVE, "mean": {"wrong length": torch.zeros(3), "nan": torch.tensor([0.0, math.nan]),
                                                   "wrong ndim": torch.zeros(1, 2)}}),
    Spec("models.NoiseConditionalEnergy", _NCE, {"y": _y(), "sigma": 0.5},
         numbers={"sigma": {"zero": 0.0, "nan": math.nan, "negative tensor": torch.full((3,), -1.0, dtype=F64)},
                  "y": {"wrong width": _y(3, 3), "wrong ndim": _y(3, 2)[None]}}),
    Spec("models.NoiseConditionalEnergy", _NCE.energy, {"y": _y(), "sigma": 0.5},
         numbers={"sigma": {"zero": 0.0, "inf": math.inf}, "y": {"wrong width": _y(3, 3)}}),
    Spec("models.ConditionalMLPEnergy", models.ConditionalMLPEnergy, {"x_dim": 1, "hidden": (4,)},
         numbers={"x_dim": {"zero": 0, "bool": True}, "hidden": _HIDDEN, "generator": _SEED_S}),
    Spec("models.GridEncoder", models.GridEncoder, {"dim": 2, "n_z": 12, "hidden": (4,)},
         numbers={"n_z": {"zero": 0, "float": 2.5}, "hidden": _HIDDEN, "generator": _SEED_S}),
    Spec("models.grid_conditional_log_prob", models.grid_conditional_log_prob,
         {"energy": _CE, "x": _y(3, 1), "y_grid": _G}, tensors=("x", "y_grid"), skip={"x": _X31},
         extra=(("y_grid: unequal spacing", {"y_grid": _G**3}, expects("y_grid")),
                ("y_grid: one point", {"y_grid": _G[:1]}, expects("y_grid")),
                ("energy: not callable", {"energy": None}, expects("energy")),
                ("energy: wrong output", {"energy": lambda x, y: y[:2]}, expects("energy")))),
    Spec("losses.grid_conditional_nll", losses.grid_conditional_nll,
         {"energy": _CE, "x": _y(3, 1), "y": _V, "y_grid": _G}, tensors=("x", "y", "y_grid"), skip={"x": _X31},
         numbers={"reduction": REDUCTION},
         extra=(("y: batch mismatch", {"y": _V[:2]}, expects("y")),
                ("energy: not callable", {"energy": "E"}, expects("energy")))),
    Spec("models.central_interval", models.central_interval, {"log_prob": _LP, "y_grid": _G},
         tensors=("log_prob", "y_grid"), skip={"log_prob": ("inf",)},
         numbers={"level": {"zero": 0.0, "one": 1.0, "nan": math.nan, "string": "0.9", "bool": True}},
         extra=(("log_prob: wrong width", {"log_prob": _LP[:, :5]}, expects("log_prob")),)),
    Spec("models.variational_free_energy", models.variational_free_energy, {"energy_table": _T, "log_q": _LQ},
         tensors=("energy_table", "log_q"), skip={"log_q": ("inf",)}, numbers={"beta": BETA},
         extra=(("log_q: not normalised", {"log_q": _LQ + 1}, expects("log_q")),
                ("log_q: shape mismatch", {"log_q": _LQ[:, :3]}, expects("log_q")))),
    Spec("losses.vae_loss", losses.vae_loss, {"y": _y(), "decoder": DEC, "encoder": _ENC, "z_grid": ZG},
         tensors=("y",), numbers={"beta": BETA, "reduction": REDUCTION},
         extra=(("encoder: not callable", {"encoder": None}, expects("encoder")),
                ("encoder: wrong output", {"encoder": lambda y: y}, expects("encoder")),
                ("decoder: not callable", {"decoder": None}, expects("decoder")))),
    Spec("models.ProductOfExperts", models.ProductOfExperts, {"dim": 2, "n_experts": 3},
         numbers={"dim": {"zero": 0, "float": 2.5}, "n_experts": {"zero": 0, "bool": True}, "scale": POSITIVE,
                  "generator": _SEED_S}),
    Spec("models.CausalTransformer", models.CausalTransformer, {"d_model": 8, "n_heads": 2},
         numbers={"d_model": {"zero": 0, "float": 8.5}, "n_heads": {"not a divisor": 3, "zero": 0},
                  "head": {"unknown": "energy", "none": None}, "max_len": {"zero": 0, "bool": True},
                  "generator": _SEED_S}),
    Spec("models.CausalTransformer", _CT, {"paths": torch.zeros(1, 3, 2), "n_samples": 2},
         numbers={"n_samples": {"none": None, "zero": 0, "float": 2.5}}),
]

DATASETS += [
    Spec("datasets.forking_paths", datasets.forking_paths, {"n": 5},
         numbers={"n": {"zero": 0, "float": 2.5}, "length": {"two": 2, "float": 7.5, "bool": True},
                  "fork_at": {"zero": 0, "too late": 7, "float": 2.5}, "angle": {"zero": 0.0, "too wide": 120.0},
                  "noise": {"negative": -0.1, "nan": math.nan}, "generator": _SEED_S}),
    Spec("datasets.fork_branches", datasets.fork_branches, {},
         numbers={"step": POSITIVE, "fork_at": {"zero": 0, "too late": 7}}),
    Spec("datasets.forked_regression", datasets.forked_regression, {"n": 5},
         numbers={"n": {"zero": 0, "float": 2.5, "bool": True}, "generator": _SEED_S, "dtype": {"int64": torch.int64}}),
    Spec("datasets.forked_regression_log_prob", datasets.forked_regression_log_prob, {"x": _V, "y": _V},
         tensors=("x", "y"), extra=(("y: shape mismatch", {"y": _V[:2]}, expects("y")),)),
]

_SC = lambda y, s: -y  # noqa: E731
_PATHS = torch.zeros(2, 5, 2)
PLOTTING += [
    # chapter 10: EBMs today
    Spec("plotting.plot_score_fields", plotting.plot_score_fields, {"score": _SC, "sigmas": [1.0], "n": 5},
         numbers={"sigmas": {"empty": [], "zero": [0.0], "nan": [math.nan]},
                  "lim": {"reversed": (1, -1), "nan": (0, math.nan)}},
         extra=(("axes: wrong count", {"sigmas": [1.0, 0.5], "axes": [plt.subplots()[1]]}, expects("axes")),
                ("score: returns NaN", {"score": lambda y, s: y * math.nan}, expects("score")))),
    Spec("plotting.plot_sample_sets", plotting.plot_sample_sets, {"sets": {"a": _y()}},
         numbers={"sets": {"empty": {}}, "lim": {"reversed": (1, -1)}},
         extra=(("sets: wrong width", {"sets": {"a": _y(3, 3)}}, r"sets\['a'\] must"),
                ("sets: nan", {"sets": {"a": _poison(_y(), math.nan)}}, r"sets\['a'\] contains"))),
    Spec("plotting.plot_fork_predictions", plotting.plot_fork_predictions,
         {"paths": _PATHS, "fork_at": 2, "mean_pred": _y(), "samples": _y()},
         numbers={"paths": {"2-D": _y()}, "fork_at": {"last": 4, "float": 1.5},
                  "mean_pred": {"wrong width": _y(3, 3), "nan": _poison(_y(), math.nan)}, "samples": {"1-D": _V}}),
    Spec("plotting.plot_conditional_density", plotting.plot_conditional_density,
         {"log_prob": torch.zeros(3, 3), "x_grid": _V, "y_grid": _V},
         numbers={"log_prob": {"shape mismatch": torch.zeros(3, 4)}}),
    Spec("plotting.plot_experts", plotting.plot_experts, {"energy": QUAD, "filters": _y(), "n": 10},
         numbers={"filters": {"3-D": torch.zeros(2, 3), "1-D": _V}, "lim": {"reversed": (1, -1)}},
         extra=(("energy: returns NaN", {"energy": NAN_ENERGY}, expects("energy")),)),
    Spec("plotting.plot_free_energy_bound", plotting.plot_free_energy_bound, {"t": _V, "f_exact": _V, "bounds": {"q": _V}},
         numbers={"f_exact": {"wrong length": _V[:2], "nan": _poison(_V, math.nan)}, "bounds": {"empty": {}}},
         extra=(("bounds: wrong length", {"bounds": {"q": _V[:2]}}, r"bounds\['q'\] must"),)),
]


# chapter 11: joint embeddings and JEPA
from ebmlib import joint_embedding as je  # noqa: E402

_H = torch.linspace(-1.0, 1.0, 12, dtype=F64).reshape(4, 3).sin() + torch.eye(4, 3, dtype=F64)
_H2 = _H.flip(0)
_IMGS = torch.linspace(0.0, 1.0, 6 * 64, dtype=F64).reshape(6, 1, 8, 8)
_LAB = torch.tensor([0, 1, 0, 1])
_RED = {"reduction": {"unknown": "sum"}}
_PAIR = lambda a, b: (("%s: shape mismatch" % b, {b: _H[:, :2]}, expects(b)),)  # noqa: E731
_ENC = je.EmbeddingMLP(3, (4,), 3, generator=0, dtype=F64)
_TRAIN_NUM = {"steps": {"zero": 0, "float": 1.5}, "batch_size": {"zero": 0, "too large": 7}, "lr": POSITIVE,
              "generator": GENERATOR, "dim": {"zero": 0}}
JOINT_EMBEDDING = [
    Spec("joint_embedding.invariance_loss", je.invariance_loss, {"h_x": _H, "h_y": _H2}, tensors=("h_x", "h_y"),
         numbers=_RED, extra=_PAIR("h_x", "h_y")),
    Spec("joint_embedding.info_nce_loss", je.info_nce_loss, {"h_x": _H, "h_y": _H2}, tensors=("h_x", "h_y"),
         numbers={"temperature": POSITIVE, **_RED},
         extra=(*_PAIR("h_x", "h_y"), ("h_x: one row", {"h_x": _H[:1], "h_y": _H2[:1]}, expects("h_x")))),
    *[Spec(f"joint_embedding.{f}", getattr(je, f), {"h_x": _H, "h_y": _H2}, tensors=("h_x", "h_y"),
           numbers={"gamma": POSITIVE, "eps": POSITIVE}, extra=_PAIR("h_x", "h_y"))
      for f in ("vicreg_terms", "vicreg_loss")],
    Spec("joint_embedding.vicreg_loss", je.vicreg_loss, {"h_x": _H, "h_y": _H2},
         numbers={"weights": {"two": (1.0, 1.0), "negative": (1.0, -1.0, 1.0), "nan": (math.nan, 1.0, 1.0)}}),
    Spec("joint_embedding.epps_pulley", je.epps_pulley, {"x": _H}, tensors=("x",),
         numbers={"t_max": POSITIVE, "knots": {"one": 1, "float": 2.5}}),
    Spec("joint_embedding.sigreg_loss", je.sigreg_loss, {"h": _H, "generator": 0}, tensors=("h",),
         numbers={"n_directions": {"zero": 0, "float": 2.5}, "generator": GENERATOR},
         extra=(("directions: wrong rows", {"directions": torch.ones(2, 5, dtype=F64)}, expects("directions")),
                ("h: one row", {"h": _H[:1]}, expects("h")))),
    *[Spec(f"joint_embedding.{f}", getattr(je, f), {"prediction": _H, "target": _H2}, tensors=("prediction", "target"),
           numbers=_RED, extra=_PAIR("prediction", "target"))
      for f in ("negative_cosine_loss", "jepa_loss")],
    Spec("joint_embedding.effective_rank", je.effective_rank, {"h": _H}, tensors=("h",), numbers={"eps": POSITIVE}),
    Spec("joint_embedding.covariance_spectrum", je.covariance_spectrum, {"h": _H}, tensors=("h",),
         extra=(("h: one row", {"h": _H[:1]}, expects("h")),)),
    *[Spec(f"joint_embedding.{f}", getattr(je, f), {"h_x": _H, "h_y": _H2}, tensors=("h_x", "h_y"),
           numbers={"metric": {"unknown": "l1"}}, extra=_PAIR("h_x", "h_y"))
      for f in ("pairwise_energy", "retrieval_accuracy")],
    Spec("joint_embedding.linear_probe_accuracy", je.linear_probe_accuracy,
         {"train_h": _H, "train_labels": _LAB, "test_h": _H2, "test_labels": _LAB}, tensors=("train_h", "test_h"),
         numbers={"c": POSITIVE, "train_labels": {"float": _LAB.double(), "wrong length": _LAB[:3], "2-D": _LAB[:, None]},
                  "test_labels": {"bool": _LAB > 0, "wrong length": _LAB[:2], "list": [0, 1, 0, 1]}},
         extra=(("test_h: wrong width", {"test_h": _H2[:, :2]}, expects("test_h")),)),
    Spec("joint_embedding.EmbeddingMLP", je.EmbeddingMLP, {"in_dim": 3, "hidden": (4,), "out_dim": 2},
         numbers={"in_dim": {"zero": 0, "float": 2.5}, "out_dim": {"zero": 0, "bool": True}, "hidden": _HIDDEN,
                  "generator": GENERATOR, "dtype": {"int64": torch.int64}}),
    Spec("joint_embedding.ema_update", je.ema_update,
         {"target": je.EmbeddingMLP(3, (4,), 3, generator=1, dtype=F64), "online": _ENC, "momentum": 0.9},
         numbers={"momentum": {"above one": 1.5, "negative": -0.1, "nan": math.nan, "string": "0.9"}},
         extra=(("target: other shapes", {"target": je.EmbeddingMLP(3, (5,), 3)}, expects("target")),
                ("online: not a module", {"online": _H}, expects("online")))),
    Spec("joint_embedding.train_joint_embedding", je.train_joint_embedding,
         {"images": _IMGS, "method": "vicreg", "steps": 1, "batch_size": 4, "dim": 2, "hidden": (4,)},
         tensors=("images",), skip={"images": ("empty batch",)},
         numbers={**_TRAIN_NUM, "method": {"unknown": "simclr", "none": None}, "momentum": {"above one": 2.0},
                  "sigreg_weight": {"negative": -0.5}, "sigreg_directions": {"zero": 0}, "monitor_every": {"zero": 0}},
         extra=(("images: one image", {"images": _IMGS[:1], "batch_size": 1}, expects("images")),
                ("monitor: 2-D", {"monitor": _H}, expects("monitor")),
                ("augment: bad noise", {"augment": {"noise": -1.0}}, expects("noise")))),
    *[Spec(f"joint_embedding.{f}", getattr(je, f), {"images": _IMGS, "steps": 1, "batch_size": 4, "dim": 2, "hidden": (4,)},
           tensors=("images",), skip={"images": ("empty batch",)},
           numbers={**_TRAIN_NUM, "block": {"zero": 0, "too large": 8}})
      for f in ("train_jepa", "train_pixel_predictor")],
]
DATASETS += [
    Spec("datasets.augment_digits", datasets.augment_digits, {"images": _IMGS, "generator": 0}, tensors=("images",),
         numbers={"max_shift": {"negative": -1, "float": 1.5, "too large": 8}, "noise": NONNEG,
                  "mask_prob": {"above one": 1.5, "negative": -0.1, "nan": math.nan}, "generator": GENERATOR},
         extra=(("images: two channels", {"images": _IMGS.reshape(3, 2, 8, 8)}, expects("images")),)),
    Spec("datasets.block_masks", datasets.block_masks, {"n": 3},
         numbers={"n": COUNT, "size": {"zero": 0, "too large": 9, "float": 2.5}, "image_size": {"zero": 0, "float": 8.5},
                  "generator": GENERATOR}),
]

TABLES = {"energies": ENERGIES, "models": MODELS, "inference": INFERENCE, "latent": LATENT,
          "soft_minimum": FREE_ENERGY, "datasets": DATASETS, "losses": LOSSES, "samplers": SAMPLERS,
          "training": TRAINING, "plotting": PLOTTING, "widgets": WIDGETS, "utils": UTILS, "metrics": METRICS,
          "regression": REGRESSION, "joint_embedding": JOINT_EMBEDDING}
ROWS = {kind: [r for spec in table for r in expand(spec)] for kind, table in TABLES.items()}


# One parametrised test per kind of callable (a failure names the kind, the callable and the variant).

@pytest.mark.parametrize("row", ROWS["energies"], ids=ids(ROWS["energies"]))
def test_energies_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["models"], ids=ids(ROWS["models"]))
def test_models_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["inference"], ids=ids(ROWS["inference"]))
def test_inference_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["latent"], ids=ids(ROWS["latent"]))
def test_latent_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["soft_minimum"], ids=ids(ROWS["soft_minimum"]))
def test_free_energy_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["datasets"], ids=ids(ROWS["datasets"]))
def test_datasets_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["losses"], ids=ids(ROWS["losses"]))
def test_losses_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["samplers"], ids=ids(ROWS["samplers"]))
def test_samplers_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["training"], ids=ids(ROWS["training"]))
def test_training_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["plotting"], ids=ids(ROWS["plotting"]))
def test_plotting_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["widgets"], ids=ids(ROWS["widgets"]))
def test_widgets_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["utils"], ids=ids(ROWS["utils"]))
def test_utils_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["metrics"], ids=ids(ROWS["metrics"]))
def test_metrics_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["regression"], ids=ids(ROWS["regression"]))
def test_regression_reject_bad_input(row):
    check(row)


@pytest.mark.parametrize("row", ROWS["joint_embedding"], ids=ids(ROWS["joint_embedding"]))
def test_joint_embedding_rejects_bad_input(row):
    check(row)


@pytest.mark.parametrize("spec", [s for t in TABLES.values() for s in t], ids=lambda s: s.target)
def test_every_row_is_valid_with_its_good_arguments(spec):
    """The good arguments of a row work, so each bad variant fails for the one thing it changes."""
    (spec.call or (lambda **kw: spec.fn(**kw)))(**spec.good)


# Public names that take no data and so need no bad-input row:
NO_DATA = {
    "inference.MultiStartResult",  # a NamedTuple of results; it is built only by multi_start_inference
    "losses.TemperedNLL",  # a NamedTuple of results; it is built only by tempered_grid_nll
    "margins.GridMargin",  # a NamedTuple of results; it is built only by grid_margin
    "latent.INFERENCE_METHODS",  # a tuple of names, not callable
    "samplers.AISResult",  # a NamedTuple of results, built only by annealed_importance_sampling
    "errors.DivergenceError",  # an exception type, raised by ebmlib, not called with user input
    "losses.ShortRunStep",  # a NamedTuple of results, built only by short_run_ml_loss
    "training_images.ImageEBMRun",  # a NamedTuple of results, built only by train_image_ebm
    "joint_embedding.VICRegTerms",  # a NamedTuple of results, built only by vicreg_terms
    "joint_embedding.JointEmbeddingRun",  # a NamedTuple of results, built only by train_joint_embedding
    "joint_embedding.JEPARun",  # a NamedTuple of results, built only by train_jepa / train_pixel_predictor
    "short_run.ShortRunRecord",  # a NamedTuple of results, built only by train_short_run
}


def _public_callables() -> set[str]:
    names = set()
    for mod_name in MODULES:
        mod = importlib.import_module(f"ebmlib.{mod_name}")
        for n in mod.__all__:
            if callable(getattr(mod, n)):
                names.add(f"{mod_name}.{n}")
    return names


def test_every_public_callable_has_a_row():
    # ebmlib.__all__ only re-exports names of the modules (or the subpackages themselves): check that too.
    module_of = {}
    for mod_name in MODULES:
        mod = importlib.import_module(f"ebmlib.{mod_name}")
        for n in mod.__all__:
            module_of.setdefault(n, mod_name)
    subpackages = {"datasets", "losses", "metrics", "models", "plotting", "samplers", "widgets"}
    for n in ebmlib.__all__:
        obj = getattr(ebmlib, n)
        assert n in subpackages or n == "__version__" or n in module_of, f"ebmlib.{n} is not in any module's __all__"
        if n in module_of:
            assert obj is getattr(importlib.import_module(f"ebmlib.{module_of[n]}"), n)
    covered = {spec.target for table in TABLES.values() for spec in table}
    missing = sorted(_public_callables() - covered - NO_DATA)
    assert not missing, f"public callables without a bad-input row: {missing}"
    assert not covered - _public_callables(), "rows for names that are not public"
    assert all(ROWS.values())


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


@pytest.mark.parametrize("name, checker", _checkers(), ids=[n for n, _ in _checkers()])
@pytest.mark.parametrize("garbage", list(GARBAGE), ids=list(GARBAGE))
def test_checkers_return_a_verdict_for_garbage(name, checker, garbage):
    verdict = checker(GARBAGE[garbage])
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
    dec = models.EllipseDecoder(dtype=dtype)
    assert torch.isfinite(latent.latent_free_energy(y, dec, beta=beta)).all()
    assert torch.isfinite(latent.conditional_free_energy(torch.tensor([0.0, 1.0], dtype=dtype), y,
                                                         models.HornDecoder(4, generator=0, dtype=dtype),
                                                         beta=beta)).all()
    assert torch.isfinite(losses.nll_loss(E[:, 0], E[0], beta=beta, cell_area=0.01))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_losses_finite_at_extreme_gaps(dtype):
    f_pos = torch.tensor([1e4, -1e4, 0.0], dtype=dtype)
    f_neg = torch.tensor([[-1e4, 1e4], [1e4, -1e4], [0.0, 0.0]], dtype=dtype)
    for value in (losses.log_loss(f_pos, f_neg), losses.hinge_loss(f_pos, f_neg, 1e4), losses.energy_loss(f_pos)):
        assert torch.isfinite(value)
    theta = torch.tensor([1.0], dtype=dtype, requires_grad=True)
    grid, cell = grids.square_grid(100.0, 11, dtype=dtype)  # E up to 2e4 at the corners
    for beta in BETAS:
        for g in grids.ml_gradient(lambda y: theta * (y**2).sum(1), [theta], grid[:3], grid, beta=beta):
            assert torch.isfinite(g).all()
        assert torch.isfinite(grids.grid_log_likelihood(lambda y: theta * (y**2).sum(1), grid[:3], grid, cell,
                                                         beta=beta))


def test_long_runs_on_a_bounded_energy_stay_finite():
    y0 = torch.tensor([[1.5, 1.5], [-2.0, 0.5], [0.0, -1.0]], dtype=F64)
    y = inference.gradient_inference(DW, y0, steps=5000, step_size=0.01)
    assert torch.isfinite(y).all()
    y = samplers.langevin(DW, y0, steps=5000, step_size=0.01, generator=0)
    assert torch.isfinite(y).all()
    z, f = latent.infer_latent(_y(), DEC, method="gd", steps=2000, step_size=0.1)
    assert torch.isfinite(z).all() and torch.isfinite(f).all()
    z, f = latent.infer_latent(_y(), DEC, method="lbfgs", steps=200)
    assert torch.isfinite(z).all() and torch.isfinite(f).all()


def test_divergence_is_a_divergence_error_not_nan():
    A = torch.diag(torch.tensor([1.0, 100.0], dtype=F64))  # stable only for step sizes < 2 / 100
    stiff = lambda y: energies.quadratic(y, A)  # noqa: E731
    for run in (lambda: inference.gradient_inference(stiff, _y(), steps=1000, step_size=1.0),
                lambda: samplers.langevin(stiff, _y(), steps=1000, step_size=1.0, generator=0),
                lambda: latent.infer_latent(_y(), lambda z: torch.stack([z**2, z], -1), method="gd", z0=3.0,
                                            steps=100, step_size=1.0)):  # a quartic in z
        with pytest.raises(DivergenceError, match=r"smaller") as info:
            run()
        assert isinstance(info.value, ValueError) and info.value.step >= 1
    # |1 - 1.0 * 100| = 99 per step from |y_2| <= 1: past 1.8e308 (inf) after 155 steps, and the
    # validating energy refuses it at the next evaluation, before the check at step 160
    with pytest.raises(DivergenceError) as info:
        inference.gradient_inference(stiff, _y(), steps=1000, step_size=1.0)
    assert 150 <= info.value.step <= 160
    w = torch.ones(2, dtype=F64, requires_grad=True)
    with pytest.raises(ValueError, match=r"smaller learning rate than lr="):
        training.train(lambda: 50.0 * (w**2).sum(), w, epochs=200, lr=1.0, optimizer="sgd", progress=False)
