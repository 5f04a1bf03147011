"""Tests for the chapter-3 checkers: correct, incorrect, not attempted and raising solutions."""

import math

import torch

from ebmlib import free_energy, gibbs_on_grid
from instructor.exercises import ch03


# ------------------------------------------------------------------ soft minimum

def soft_min_correct(E, beta):
    return -(torch.logsumexp(-beta * E, dim=-1) - math.log(E.shape[-1])) / beta


def test_soft_min_correct():
    assert ch03.check_soft_minimum(soft_min_correct) == "correct"
    assert ch03.check_soft_minimum(lambda E, beta: free_energy(E, beta)).ok


def test_soft_min_naive_formula_fails_when_cold():
    naive = lambda E, beta: -torch.log(torch.exp(-beta * E).mean(-1)) / beta
    v = ch03.check_soft_minimum(naive)
    assert v.startswith("incorrect:") and "logsumexp" in v


def test_soft_min_incorrect():
    v = ch03.check_soft_minimum(lambda E, beta: -torch.logsumexp(-beta * E, dim=-1) / beta)
    assert v.startswith("incorrect:") and "log(N)" in v
    v = ch03.check_soft_minimum(lambda E, beta: -soft_min_correct(E, beta))
    assert v.startswith("incorrect:") and "sign" in v
    v = ch03.check_soft_minimum(lambda E, beta: E.min(-1).values)
    assert v.startswith("incorrect:")
    v = ch03.check_soft_minimum(lambda E, beta: soft_min_correct(E, beta)[None])
    assert v.startswith("incorrect:") and "shape" in v
    v = ch03.check_soft_minimum(lambda E, beta: E.mean(-1))  # right only in the hot limit
    assert v.startswith("incorrect:")


def test_soft_min_not_attempted_and_raising():
    def stub(E, beta):
        raise NotImplementedError

    assert ch03.check_soft_minimum(stub) == "not attempted"
    assert ch03.check_soft_minimum(None) == "not attempted"
    v = ch03.check_soft_minimum(lambda E, beta: E.foo)
    assert v.startswith("incorrect: your function raised AttributeError")


# ------------------------------------------------------------------ Gibbs density on a grid

def gibbs_correct(F, beta, cell_area):
    logits = -beta * F
    return torch.exp(logits - torch.logsumexp(logits.reshape(-1), 0)) / cell_area


def test_gibbs_correct():
    assert ch03.check_gibbs_on_grid(gibbs_correct) == "correct"
    assert ch03.check_gibbs_on_grid(lambda F, b, a: gibbs_on_grid(F, b, a)[0]).ok


def test_gibbs_incorrect():
    v = ch03.check_gibbs_on_grid(lambda F, b, a: gibbs_correct(F, b, a) * a)
    assert v.startswith("incorrect:") and "cell area" in v
    naive = lambda F, b, a: torch.exp(-b * F) / (torch.exp(-b * F).sum() * a)
    v = ch03.check_gibbs_on_grid(naive)
    assert v.startswith("incorrect:") and "not finite" in v
    v = ch03.check_gibbs_on_grid(lambda F, b, a: gibbs_correct(F, 1.0, a))
    assert v.startswith("incorrect:") and "proportional" in v
    v = ch03.check_gibbs_on_grid(lambda F, b, a: gibbs_correct(F, b, a) * 2)
    assert v.startswith("incorrect:") and "sum to 1" in v
    v = ch03.check_gibbs_on_grid(lambda F, b, a: gibbs_correct(F, b, a).reshape(-1))
    assert v.startswith("incorrect:") and "shape" in v


def test_gibbs_not_attempted_and_raising():
    def stub(F, beta, cell_area):
        raise NotImplementedError

    assert ch03.check_gibbs_on_grid(stub) == "not attempted"
    v = ch03.check_gibbs_on_grid(lambda F, b, a: int("x"))
    assert v.startswith("incorrect: your function raised ValueError")
