"""Tests for the chapter 5 exercise checkers: correct, incorrect, not attempted, raising."""

import torch
import torch.nn.functional as F

from instructor.exercises.ch05 import check_hinge_loss, check_log_loss


# ---------------------------------------------------------------- hinge loss

def hinge_correct(f_pos, f_neg, margin):
    return torch.clamp(margin - (f_neg - f_pos), min=0).mean()


def hinge_summed(f_pos, f_neg, margin):
    return torch.clamp(margin - (f_neg - f_pos), min=0).sum()


def hinge_swapped(f_pos, f_neg, margin):
    return torch.clamp(margin - (f_pos - f_neg), min=0).mean()


def hinge_no_clamp(f_pos, f_neg, margin):
    return (margin - (f_neg - f_pos)).mean()


def hinge_vector(f_pos, f_neg, margin):
    return torch.clamp(margin - (f_neg - f_pos), min=0)


def hinge_stub(f_pos, f_neg, margin):
    raise NotImplementedError


def hinge_raises(f_pos, f_neg, margin):
    return torch.cat([f_pos, f_neg[:, None]])  # shape error -> RuntimeError


def test_hinge_checker():
    assert check_hinge_loss(hinge_correct) == "correct"
    assert check_hinge_loss(hinge_summed) == "incorrect: the loss looks summed over the batch; take the mean"
    assert check_hinge_loss(hinge_swapped) == "incorrect: the roles of f_pos and f_neg look swapped"
    assert check_hinge_loss(hinge_no_clamp).startswith("incorrect: wrong value")
    assert check_hinge_loss(hinge_vector).startswith("incorrect: the loss should be a scalar")
    assert check_hinge_loss(hinge_stub) == "not attempted"
    assert check_hinge_loss(None) == "not attempted"
    assert check_hinge_loss(hinge_raises).startswith("incorrect: your function raised RuntimeError")
    assert check_hinge_loss(lambda *a: "0.5").startswith("incorrect: wrong value")  # float("0.5") parses
    assert check_hinge_loss(lambda *a: None).startswith("incorrect: the loss should be a number")


# ---------------------------------------------------------------- log loss with M negatives

def log_correct(f_pos, f_neg):
    gaps = f_pos[:, None] - f_neg
    return torch.logsumexp(torch.cat([torch.zeros_like(gaps[:, :1]), gaps], dim=1), dim=1).mean()


def log_naive(f_pos, f_neg):  # right formula, overflows for large gaps
    return torch.log(1 + torch.exp(f_pos[:, None] - f_neg).sum(1)).mean()


def log_averaged(f_pos, f_neg):  # softplus of each negative, averaged: a different loss
    return F.softplus(f_pos[:, None] - f_neg).mean()


def log_sign_flipped(f_pos, f_neg):
    gaps = f_neg - f_pos[:, None]
    return torch.logsumexp(torch.cat([torch.zeros_like(gaps[:, :1]), gaps], dim=1), dim=1).mean()


def log_stub(f_pos, f_neg):
    raise NotImplementedError("write your log loss here")


def test_log_loss_checker():
    assert check_log_loss(log_correct) == "correct"
    assert check_log_loss(log_naive) == "incorrect: the loss overflows when F_pos - F_neg is large; use logsumexp"
    assert check_log_loss(log_averaged).startswith("incorrect: the negatives should compete")
    assert check_log_loss(log_sign_flipped).startswith("incorrect: wrong value")
    assert check_log_loss(log_stub) == "not attempted"
    assert check_log_loss(lambda f_pos, f_neg: f_pos.foo()).startswith("incorrect: your function raised AttributeError")


def test_verdicts_never_reveal_the_expected_value():
    # the messages name the case (batch size, margin), never a loss value
    for v in (check_hinge_loss(hinge_no_clamp), check_log_loss(log_sign_flipped)):
        assert "expected" not in v and not any(ch == "." for ch in v.split("margin")[0])


# ---------------------------------------------------------------- maximum-likelihood gradient

from instructor.exercises.ch05 import check_ml_gradient  # noqa: E402
from ebmlib.grids import ml_gradient as library_ml_gradient  # noqa: E402


def ml_correct(energy, params, y_data, grid):
    with torch.enable_grad():
        data_term = torch.autograd.grad(energy(y_data).mean(), params)
        e_grid = energy(grid)
        p = torch.softmax(-e_grid.detach(), dim=0)
        model_term = torch.autograd.grad((p * e_grid).sum(), params)
    return [d - m for d, m in zip(data_term, model_term)]


def ml_flipped(energy, params, y_data, grid):
    return [-g for g in ml_correct(energy, params, y_data, grid)]


def ml_data_only(energy, params, y_data, grid):
    return list(torch.autograd.grad(energy(y_data).mean(), params))


def ml_unnormalised(energy, params, y_data, grid):
    with torch.enable_grad():
        data_term = torch.autograd.grad(energy(y_data).mean(), params)
        e_grid = energy(grid)
        model_term = torch.autograd.grad((torch.exp(-e_grid.detach()) * e_grid).sum(), params)
    return [d - m for d, m in zip(data_term, model_term)]


def ml_stub(energy, params, y_data, grid):
    raise NotImplementedError


def test_ml_gradient_checker():
    assert check_ml_gradient(ml_correct) == "correct"
    assert check_ml_gradient(library_ml_gradient) == "correct"  # the library agrees with the reference
    assert check_ml_gradient(ml_flipped).startswith("incorrect: the sign looks flipped")
    assert check_ml_gradient(ml_data_only).startswith("incorrect: only the data term")
    assert check_ml_gradient(ml_unnormalised).startswith("incorrect: wrong gradient")
    assert check_ml_gradient(lambda e, p, y, g: ml_correct(e, p, y, g)[:1]).startswith(
        "incorrect: return one gradient per parameter")
    assert check_ml_gradient(lambda e, p, y, g: [q.detach().sum() for q in p]).startswith(
        "incorrect: each gradient must be a tensor shaped like")
    assert check_ml_gradient(lambda e, p, y, g: 3).startswith("incorrect: return a list")
    assert check_ml_gradient(ml_stub) == "not attempted"
    assert check_ml_gradient(None) == "not attempted"
    assert check_ml_gradient(lambda e, p, y, g: 1 / 0).startswith("incorrect: your function raised ZeroDivisionError")
