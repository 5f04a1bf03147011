"""Tests for the chapter 10 exercise checkers: correct, typical mistakes, not attempted, raising."""

import math

import torch

from ebmlib import losses, models
from instructor.exercises.ch10 import check_central_interval, check_energy_score, check_variational_free_energy


def stub(*args):
    raise NotImplementedError


def es_diagonal(samples, y):
    m = samples.shape[1]
    to_y = (samples - y[:, None]).norm(dim=-1).mean(1)
    pair = (samples[:, :, None] - samples[:, None]).norm(dim=-1).sum((1, 2)) / (m * m)
    return (to_y - 0.5 * pair).mean()


def es_no_pair(samples, y):
    return (samples - y[:, None]).norm(dim=-1).mean()


def test_energy_score_checker():
    assert check_energy_score(losses.energy_score) == "correct"
    assert check_energy_score(es_diagonal).startswith("incorrect: the pair term includes m = m'")
    assert check_energy_score(es_no_pair).startswith("incorrect: the pair term (the spread")
    assert check_energy_score(lambda s, y: losses.energy_score(s, y, reduction="none")).startswith(
        "incorrect: the score should have shape ()")
    assert check_energy_score(lambda s, y: 2 * losses.energy_score(s, y)).startswith("incorrect: wrong value")
    assert check_energy_score(stub) == "not attempted"
    assert check_energy_score(None) == "not attempted"


def test_central_interval_checker():
    assert check_central_interval(models.central_interval) == "correct"
    swapped = lambda lp, g, level: models.central_interval(lp, g, level)[::-1]  # noqa: E731
    assert check_central_interval(swapped) == "incorrect: lower and upper look swapped"
    narrow = lambda lp, g, level: models.central_interval(lp, g, level / 2)  # noqa: E731
    assert check_central_interval(narrow).startswith("incorrect: the interval for level 0.9 looks too narrow")
    argmax = lambda lp, g, level: (g[lp.argmax(1)] - 1, g[lp.argmax(1)] + 1)  # noqa: E731
    assert check_central_interval(argmax).startswith("incorrect: wrong interval")
    assert check_central_interval(lambda lp, g, level: 3).startswith("incorrect: return a pair")
    assert check_central_interval(stub) == "not attempted"


def test_variational_free_energy_checker():
    assert check_variational_free_energy(models.variational_free_energy) == "correct"
    only_energy = lambda t, lq: (torch.exp(lq) * t).sum(1)  # noqa: E731
    no_prior = lambda t, lq: (torch.exp(lq) * (t + lq)).sum(1)  # noqa: E731
    wrong_sign = lambda t, lq: (torch.exp(lq) * (t - lq - math.log(t.shape[1]))).sum(1)  # noqa: E731
    assert check_variational_free_energy(only_energy).startswith("incorrect: the KL term is missing")
    assert check_variational_free_energy(no_prior).startswith("incorrect: the prior is missing")
    assert check_variational_free_energy(wrong_sign).startswith("incorrect: the KL term has the wrong sign")
    assert check_variational_free_energy(lambda t, lq: t.min(1).values).startswith("incorrect: wrong value")
    assert check_variational_free_energy(stub) == "not attempted"
    assert check_variational_free_energy(lambda t, lq: t.sum()).startswith("incorrect: the result should have shape")
