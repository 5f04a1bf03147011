"""Tests for the chapter 9 exercise checkers: correct, incorrect (with the right hint), not attempted, raising."""

import torch
from sklearn.metrics import roc_auc_score

from instructor.exercises.ch09 import check_auroc, check_logit_energy, check_sgld_step

# ---------------------------------------------------------------- AUROC


def auroc_pairs(s_in, s_out):
    d = s_out[None, :] - s_in[:, None]
    return ((d > 0).double().mean() + 0.5 * (d == 0).double().mean()).item()


def auroc_sklearn(s_in, s_out):  # an independent correct answer
    return roc_auc_score([0] * len(s_in) + [1] * len(s_out), torch.cat([s_in, s_out]).numpy())


def test_auroc_checker():
    assert check_auroc(auroc_pairs) == "correct"
    assert check_auroc(auroc_sklearn) == "correct"
    assert check_auroc(lambda a, b: 1 - auroc_pairs(a, b)).startswith("incorrect: the roles of the two sets")
    assert check_auroc(lambda a, b: (b[None, :] > a[:, None]).double().mean()) == "incorrect: ties should count one half"
    assert check_auroc(lambda a, b: 0.5).startswith("incorrect: wrong value")
    assert check_auroc(lambda a, b: torch.zeros(2)).startswith("incorrect: the AUROC should be a scalar (one number)")
    assert check_auroc(lambda a, b: float("nan")) == "incorrect: the AUROC is NaN or infinite"
    assert check_auroc(None) == "not attempted"

    def stub(a, b):
        raise NotImplementedError

    assert check_auroc(stub) == "not attempted"
    assert check_auroc(lambda a, b: a @ b).startswith("incorrect: your function raised RuntimeError")


# ---------------------------------------------------------------- one SGLD step


def _grad(energy, y):
    y = y.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y)
    return g


def sgld_correct(energy, y, eps, s, xi):
    return (y - eps * _grad(energy, y) + s * xi).clamp(0, 1)


def test_sgld_checker():
    assert check_sgld_step(sgld_correct) == "correct"
    assert check_sgld_step(lambda e, y, eps, s, xi: y - eps * _grad(e, y) + s * xi) == \
        "incorrect: clamp the new state to the pixel range [0, 1]"
    assert check_sgld_step(lambda e, y, eps, s, xi: (y + eps * _grad(e, y) + s * xi).clamp(0, 1)) == \
        "incorrect: the step climbs the energy; it should go down its gradient"
    assert check_sgld_step(lambda e, y, eps, s, xi: (y - eps * _grad(e, y)).clamp(0, 1)) == \
        "incorrect: the noise noise_scale * xi is missing"

    def in_place(e, y, eps, s, xi):
        return y.sub_(eps * _grad(e, y)).add_(s * xi).clamp_(0, 1)

    assert check_sgld_step(in_place) == "incorrect: the input y was modified in place; return a new tensor"

    def attached(e, y, eps, s, xi):
        y = y.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(e(y).sum(), y, create_graph=True)
        return (y - eps * g + s * xi).clamp(0, 1)

    assert check_sgld_step(attached).startswith("incorrect: detach the new state")
    assert check_sgld_step(lambda e, y, eps, s, xi: y[:, 0]).startswith("incorrect: the new state should have shape")
    assert check_sgld_step(lambda e, y, eps, s, xi: y).startswith("incorrect: wrong new state")
    assert check_sgld_step(None) == "not attempted"


# ---------------------------------------------------------------- logits as an energy


def test_logit_energy_checker():
    assert check_logit_energy(lambda f: -torch.logsumexp(f, dim=1)) == "correct"
    assert check_logit_energy(lambda f: torch.logsumexp(f, dim=1)) == \
        "incorrect: the sign is flipped: a likely input should get a LOW energy"
    assert check_logit_energy(lambda f: -f.max(dim=1).values) == \
        "incorrect: that is minus the largest logit; the energy sums over all classes"
    assert check_logit_energy(lambda f: -torch.log(torch.exp(f).sum(1))) == \
        "incorrect: the energy overflows for large logits; use a stable log-sum-exp"
    assert check_logit_energy(lambda f: -torch.logsumexp(f, dim=0)).startswith("incorrect: the energy should have shape")
    assert check_logit_energy(lambda f: -f.sum(1)).startswith("incorrect: wrong energy")
    assert check_logit_energy(None) == "not attempted"
    assert check_logit_energy(lambda f: f.foo).startswith("incorrect: your function raised AttributeError")
