"""Tests for the chapter 8 exercise checkers: correct, typical mistakes, not attempted, raising."""

import re

import torch

from instructor.exercises.ch08 import check_ista, check_lloyd_step, check_pca_energy


# ---------------------------------------------------------------- one k-means sweep

def lloyd_correct(y, w):
    z = torch.cdist(y, w).argmin(1)
    out = w.clone()
    for j in range(len(w)):
        if (z == j).any():
            out[j] = y[z == j].mean(0)
    return out


def lloyd_nan_for_empty(y, w):
    z = torch.cdist(y, w).argmin(1)
    return torch.stack([y[z == j].mean(0) for j in range(len(w))])  # mean of nothing is NaN


def lloyd_zero_for_empty(y, w):
    z = torch.cdist(y, w).argmin(1)
    return torch.stack([y[z == j].mean(0) if (z == j).any() else torch.zeros_like(w[j]) for j in range(len(w))])


def lloyd_still(y, w):
    return w.clone()


def lloyd_farthest(y, w):
    z = torch.cdist(y, w).argmax(1)
    return torch.stack([y[z == j].mean(0) if (z == j).any() else w[j] for j in range(len(w))])


def lloyd_stub(y, w):
    raise NotImplementedError


def test_lloyd_checker():
    assert check_lloyd_step(lloyd_correct) == "correct"
    assert check_lloyd_step(lloyd_nan_for_empty).startswith("incorrect: the new prototypes contains NaN")
    assert check_lloyd_step(lloyd_zero_for_empty) == (
        "incorrect: a prototype that wins no point should stay where it is (its mean is undefined)")
    assert check_lloyd_step(lloyd_still).startswith("incorrect: the prototypes did not move")
    assert check_lloyd_step(lloyd_farthest).startswith("incorrect: wrong prototypes")
    assert check_lloyd_step(lloyd_stub) == "not attempted"
    assert check_lloyd_step(None) == "not attempted"
    assert check_lloyd_step(lambda y, w: w[:1]).startswith("incorrect: the new prototypes should have shape")


# ---------------------------------------------------------------- ISTA

def ista_correct(y, W, lam, n_iter):
    L = torch.linalg.matrix_norm(W, ord=2) ** 2
    z = torch.zeros(y.shape[0], W.shape[1], dtype=W.dtype)
    for _ in range(n_iter):
        v = z - (z @ W.T - y) @ W / L
        z = torch.sign(v) * torch.clamp(v.abs() - lam / L, min=0)
    return z


def ista_no_threshold(y, W, lam, n_iter):  # gradient descent on the smooth part only
    L = torch.linalg.matrix_norm(W, ord=2) ** 2
    z = torch.zeros(y.shape[0], W.shape[1], dtype=W.dtype)
    for _ in range(n_iter):
        z = z - (z @ W.T - y) @ W / L
    return z


def ista_wrong_threshold(y, W, lam, n_iter):  # threshold lam instead of lam / L
    L = torch.linalg.matrix_norm(W, ord=2) ** 2
    z = torch.zeros(y.shape[0], W.shape[1], dtype=W.dtype)
    for _ in range(n_iter):
        v = z - (z @ W.T - y) @ W / L
        z = torch.sign(v) * torch.clamp(v.abs() - lam, min=0)
    return z


def ista_few(y, W, lam, n_iter):
    return ista_correct(y, W, lam, 3)


def test_ista_checker():
    assert check_ista(ista_correct) == "correct"
    assert check_ista(ista_no_threshold) == ("incorrect: no coefficient is exactly zero: the soft threshold "
                                             "should set |v| <= lam / L to 0")
    assert check_ista(ista_wrong_threshold).startswith("incorrect: the objective is above the optimum")
    assert check_ista(ista_few).startswith("incorrect: the objective is above the optimum")
    assert check_ista(lambda *a: (_ for _ in ()).throw(NotImplementedError)) == "not attempted"
    assert check_ista(lambda y, W, lam, n: torch.zeros(2, 2)).startswith("incorrect: z should have shape")


# ---------------------------------------------------------------- PCA energy

def pca_correct(y, mu, U):
    c = y - mu
    return ((c - c @ U.T @ U) ** 2).sum(1)


def test_pca_checker():
    assert check_pca_energy(pca_correct) == "correct"
    assert check_pca_energy(lambda y, mu, U: (((y - mu) @ U.T) ** 2).sum(1)).startswith(
        "incorrect: this is the energy kept in the subspace")
    assert check_pca_energy(lambda y, mu, U: ((y - y @ U.T @ U) ** 2).sum(1)).startswith(
        "incorrect: centre y on the mean")
    assert check_pca_energy(lambda y, mu, U: pca_correct(y, mu, U).sqrt()).startswith(
        "incorrect: the energy is the squared distance")
    assert check_pca_energy(lambda y, mu, U: pca_correct(y, mu, U) * 2).startswith("incorrect: wrong energies")
    assert check_pca_energy(lambda y, mu, U: pca_correct(y, mu, U)[:, None]).startswith(
        "incorrect: the energies should have shape")


def test_checkers_never_reveal_the_answer():
    for check, bad in ((check_lloyd_step, lloyd_still), (check_ista, ista_few),
                       (check_pca_energy, lambda y, mu, U: pca_correct(y, mu, U) * 2)):
        verdict = check(bad)
        assert verdict.startswith("incorrect: ")
        assert not re.search(r"\d\.\d{3}", verdict)  # no computed value is printed
        assert "tensor(" not in verdict and "[" not in verdict
