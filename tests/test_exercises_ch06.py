"""Tests for the chapter-6 checkers: right answers pass, typical mistakes get a hint, stubs and garbage
are handled, and no checker raises."""

import math

import pytest
import torch
from torch.nn import functional as F

from instructor.exercises.ch06 import check_leapfrog, check_mh_step, check_rbm_free_energy, check_ula_covariance


# --- reference solutions (as in the notebook) and typical mistakes -------------------------------

def mh_step(energy, y, s, xi, u):
    prop = y + s * xi
    accept = torch.log(u) < energy(y) - energy(prop)
    return torch.where(accept[:, None], prop, y)


def mh_always(energy, y, s, xi, u):
    return y + s * xi


def mh_flipped(energy, y, s, xi, u):
    prop = y + s * xi
    return torch.where((torch.log(u) < energy(prop) - energy(y))[:, None], prop, y)


def ula_cov(P, eps):
    eye = torch.eye(len(P), dtype=P.dtype)
    return torch.linalg.inv(P @ (eye - eps * P / 2))


def ula_target(P, eps):
    return torch.linalg.inv(P)


def leapfrog(grad, y, p, eps, n):
    p = p - 0.5 * eps * grad(y)
    for i in range(n):
        y = y + eps * p
        p = p - (eps if i < n - 1 else 0.5 * eps) * grad(y)
    return y, p


def euler(grad, y, p, eps, n):
    for _ in range(n):
        p = p - eps * grad(y)
        y = y + eps * p
    return y, p


def free_energy(v, W, b, c):
    return -(v @ b) - F.softplus(v @ W + c).sum(1)


def free_energy_naive(v, W, b, c):
    return -(v @ b) - torch.log(1 + torch.exp(v @ W + c)).sum(1)


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check, good", [(check_mh_step, mh_step), (check_ula_covariance, ula_cov),
                                         (check_leapfrog, leapfrog), (check_rbm_free_energy, free_energy)])
def test_reference_solutions_pass_and_stubs_are_not_attempted(check, good):
    assert check(good) == "correct"
    assert check(stub) == "not attempted"
    assert check(None) == "not attempted"


@pytest.mark.parametrize("check, bad, hint", [
    (check_mh_step, mh_always, "every proposal was accepted"),
    (check_mh_step, mh_flipped, "wrong sign"),
    (check_mh_step, lambda e, y, s, xi, u: y + 0.5 * s * xi, "either the old point"),
    (check_ula_covariance, ula_target, "target's covariance"),
    (check_ula_covariance, lambda P, eps: 2 * ula_cov(P, eps), "wrong covariance"),
    (check_leapfrog, euler, "half steps"),
    (check_leapfrog, lambda g, y, p, eps, n: (y, p), "wrong"),
    (check_leapfrog, lambda g, y, p, eps, n: y, "return the pair"),
    (check_rbm_free_energy, free_energy_naive, "overflows"),
    (check_rbm_free_energy, lambda v, W, b, c: -free_energy(v, W, b, c), "sign looks flipped"),
    (check_rbm_free_energy, lambda v, W, b, c: free_energy(v, W, b, c)[:-1], "shape"),
])
def test_mistakes_get_a_hint(check, bad, hint):
    verdict = check(bad)
    assert verdict.startswith("incorrect: ") and hint in verdict, verdict


@pytest.mark.parametrize("check", [check_mh_step, check_ula_covariance, check_leapfrog, check_rbm_free_energy])
@pytest.mark.parametrize("garbage", [3.0, lambda *a: "x", lambda *a: torch.tensor(math.nan), lambda *a: None])
def test_garbage_never_raises(check, garbage):
    verdict = check(garbage)
    assert verdict.startswith("incorrect: ")


def test_no_answer_is_revealed():
    # a wrong answer is told which case failed, never the expected numbers
    verdict = check_ula_covariance(lambda P, eps: torch.zeros_like(P))
    assert verdict == "incorrect: wrong covariance for D = 2, eps = 0.1"
