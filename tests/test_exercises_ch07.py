"""Tests for the chapter 7 exercise checkers: correct, typical mistakes, not attempted, garbage."""

import math

import pytest
import torch
import torch.nn.functional as F

from ebmlib.exercises import Verdict
from instructor.exercises.ch07 import check_nce_loss, check_score_matching_loss, check_sm_precision
from ebmlib.losses import nce_loss, score_matching_loss


# ---------------------------------------------------------------- NCE

def nce_correct(energy, log_z, y_data, y_noise, noise_log_prob):
    nu = len(y_noise) / len(y_data)
    g = lambda y: -energy(y) - log_z - noise_log_prob(y) - math.log(nu)  # noqa: E731
    return F.softplus(-g(y_data)).mean() + nu * F.softplus(g(y_noise)).mean()


def nce_no_log_nu(energy, log_z, y_data, y_noise, noise_log_prob):
    nu = len(y_noise) / len(y_data)
    g = lambda y: -energy(y) - log_z - noise_log_prob(y)  # noqa: E731
    return F.softplus(-g(y_data)).mean() + nu * F.softplus(g(y_noise)).mean()


def nce_no_weight(energy, log_z, y_data, y_noise, noise_log_prob):
    nu = len(y_noise) / len(y_data)
    g = lambda y: -energy(y) - log_z - noise_log_prob(y) - math.log(nu)  # noqa: E731
    return F.softplus(-g(y_data)).mean() + F.softplus(g(y_noise)).mean()


def nce_sign(energy, log_z, y_data, y_noise, noise_log_prob):
    return nce_correct(lambda y: -energy(y), log_z, y_data, y_noise, noise_log_prob)


def nce_naive(energy, log_z, y_data, y_noise, noise_log_prob):  # log(1 + exp) overflows
    nu = len(y_noise) / len(y_data)
    g = lambda y: -energy(y) - log_z - noise_log_prob(y) - math.log(nu)  # noqa: E731
    return torch.log(1 + torch.exp(-g(y_data))).mean() + nu * torch.log(1 + torch.exp(g(y_noise))).mean()


def test_nce_checker():
    assert check_nce_loss(nce_correct) == "correct"
    assert check_nce_loss(nce_loss) == "correct"  # the library's own version
    assert check_nce_loss(nce_no_log_nu) == "incorrect: with more noise than data (nu > 1) the log-odds must include -log(nu)"
    assert check_nce_loss(nce_no_weight) == "incorrect: the noise term must be weighted by nu = len(y_noise) / len(y_data)"
    assert check_nce_loss(nce_sign) == "incorrect: a sign looks flipped: the model's log-density is -E(y) - log_z"
    assert check_nce_loss(nce_naive).startswith("incorrect: the loss overflows")
    assert check_nce_loss(lambda *a: torch.zeros(3)).startswith("incorrect: the loss should be a scalar")


# ---------------------------------------------------------------- score matching

def sm_correct(energy, y):
    y = y.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y, create_graph=True)
    tr = sum(torch.autograd.grad(g[:, d].sum(), y, create_graph=True)[0][:, d] for d in range(y.shape[1]))
    return (0.5 * (g**2).sum(1) - tr).mean()


def sm_plus(energy, y):
    y = y.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y, create_graph=True)
    tr = sum(torch.autograd.grad(g[:, d].sum(), y, create_graph=True)[0][:, d] for d in range(y.shape[1]))
    return (0.5 * (g**2).sum(1) + tr).mean()


def sm_summed(energy, y):
    return sm_correct(energy, y) * len(y)


def test_score_matching_checker():
    assert check_score_matching_loss(sm_correct) == "correct"
    assert check_score_matching_loss(score_matching_loss) == "correct"
    assert check_score_matching_loss(sm_plus) == \
        "incorrect: the trace term has the wrong sign: the loss subtracts the Laplacian of E"
    assert check_score_matching_loss(sm_summed) == "incorrect: the loss looks summed over the batch; take the mean"
    assert check_score_matching_loss(lambda e, y: 2 * sm_correct(e, y)).startswith("incorrect: wrong value")


# ---------------------------------------------------------------- precision by score matching

def test_sm_precision_checker():
    assert check_sm_precision(lambda y: torch.linalg.inv(y.T @ y / len(y))) == "correct"
    assert check_sm_precision(lambda y: torch.linalg.inv(torch.cov(y.T))).startswith(
        "incorrect: this model has no mean parameter")
    assert check_sm_precision(lambda y: y.T @ y / len(y)).startswith("incorrect: that is the second-moment")
    assert check_sm_precision(lambda y: torch.linalg.inv(y.T @ y / (len(y) - 1))) == \
        "incorrect: divide the second moment by N, not N - 1"
    assert check_sm_precision(lambda y: torch.linalg.inv(y.T @ y / len(y))[:2, :2]).startswith(
        "incorrect: return a (3, 3) tensor")
    assert check_sm_precision(lambda y: torch.eye(y.shape[1])).startswith("incorrect: wrong matrix")
    assert check_sm_precision(lambda y: [[1.0]]).startswith("incorrect: return a (D, D) tensor")


# ---------------------------------------------------------------- never raise, never reveal

def _stub(*args):
    raise NotImplementedError


def _raises(*args):
    raise ValueError("boom")


GARBAGE = [3.0, lambda *a: "garbage", lambda *a: torch.tensor(math.nan), lambda *a: None, _raises]


@pytest.mark.parametrize("check", [check_nce_loss, check_score_matching_loss, check_sm_precision])
def test_checkers_never_raise(check):
    assert check(None) == "not attempted"
    assert check(_stub) == "not attempted"
    for g in GARBAGE:
        verdict = check(g)
        assert isinstance(verdict, Verdict) and verdict.startswith("incorrect: "), verdict


def test_verdicts_do_not_reveal_the_answer():
    # the reference values never appear in a verdict: only hints in words
    for check, wrong in ((check_nce_loss, lambda *a: torch.tensor(0.5, dtype=torch.float64)),
                         (check_score_matching_loss, lambda *a: torch.tensor(0.5, dtype=torch.float64)),
                         (check_sm_precision, lambda y: torch.eye(y.shape[1], dtype=torch.float64))):
        verdict = check(wrong)
        assert not any(ch.isdigit() for ch in verdict.replace("case 1 (of 4)", "").replace("dimension 2", "")), verdict
