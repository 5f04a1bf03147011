"""Tests for the chapter 5 exercise checkers: correct, incorrect, not attempted, raising."""

import torch
import torch.nn.functional as F

from ebmlib.exercises.ch05 import check_hinge_loss, check_log_loss


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
