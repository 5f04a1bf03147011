"""Sparse coding: ISTA and FISTA against scikit-learn's Lasso, their convergence rates, dictionary learning."""

import math

import numpy as np
import pytest
import torch

from ebmlib import learn_dictionary, sparse_code, sparse_coding_energy
from ebmlib.models import soft_threshold

linear_model = pytest.importorskip("sklearn.linear_model", reason="scikit-learn's Lasso is the reference solver")

F64 = torch.float64


def _problem(seed, d=20, k=40, b=4):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(d, k, generator=g, dtype=F64) / math.sqrt(d)
    y = torch.randn(b, d, generator=g, dtype=F64)
    return y, W


def _lasso_energy(y, W, lam):
    """The optimum by scikit-learn: Lasso minimises (1/(2n)) ||y - X w||^2 + alpha ||w||_1, n = D rows."""
    d = W.shape[0]
    out = []
    for row in y:
        coef = linear_model.Lasso(alpha=lam / d, fit_intercept=False, tol=1e-14, max_iter=200000).fit(
            W.numpy(), row.numpy()).coef_
        out.append(sparse_coding_energy(row[None], torch.tensor(coef[None]), W, lam))
    return torch.cat(out)


@pytest.mark.parametrize("method, n_iter", [("fista", 2000), ("ista", 40000)])
@pytest.mark.parametrize("lam", [0.05, 0.3])
@pytest.mark.parametrize("seed", [0, 1])
def test_objective_matches_lasso(method, n_iter, lam, seed):
    y, W = _problem(seed)
    z = sparse_code(y, W, lam, n_iter=n_iter, method=method)
    assert z.shape == (4, 40) and z.dtype == F64
    ours, ref = sparse_coding_energy(y, z, W, lam), _lasso_energy(y, W, lam)
    assert torch.all((ours - ref).abs() <= 1e-6 * ref)


def test_codes_are_sparse_and_satisfy_optimality():
    y, W = _problem(2)
    lam = 0.3
    z = sparse_code(y, W, lam, n_iter=5000)
    grad = (z @ W.T - y) @ W  # gradient of the smooth part, (B, K)
    on = z != 0
    # KKT: grad = -lam sign(z) where z != 0, |grad| <= lam where z == 0
    assert torch.allclose(grad[on], -lam * torch.sign(z[on]), atol=1e-7)
    assert torch.all(grad[~on].abs() <= lam + 1e-7)
    assert 0 < on.sum() < on.numel()


def test_convergence_rates_follow_beck_teboulle():
    y, W = _problem(3, d=30, k=60, b=1)
    lam = 0.05
    f_star = float(_lasso_energy(y, W, lam))
    z_star = sparse_code(y, W, lam, n_iter=20000)
    L = float(torch.linalg.matrix_norm(W, ord=2)) ** 2
    r2 = float((z_star**2).sum())  # ||z_0 - z*||^2 with z_0 = 0
    _, obj_i = sparse_code(y, W, lam, n_iter=400, method="ista", return_objective=True)
    _, obj_f = sparse_code(y, W, lam, n_iter=400, method="fista", return_objective=True)
    assert obj_i.shape == (401, 1)
    gap_i, gap_f = obj_i[:, 0] - f_star, obj_f[:, 0] - f_star
    t = torch.arange(1, 401, dtype=F64)
    # the theorems: ISTA's gap <= L r^2 / (2 t), FISTA's <= 2 L r^2 / (t + 1)^2
    assert torch.all(gap_i[1:] <= L * r2 / (2 * t) + 1e-9)
    assert torch.all(gap_f[1:] <= 2 * L * r2 / (t + 1) ** 2 + 1e-9)
    # and FISTA is ahead of ISTA from a few tens of iterations on
    assert torch.all(gap_f[50:] < gap_i[50:])
    # ISTA's objective never increases (a descent method); FISTA's may
    assert torch.all(obj_i[1:] <= obj_i[:-1] + 1e-12)


def test_zero_iterations_and_large_lambda():
    y, W = _problem(4)
    assert torch.equal(sparse_code(y, W, 0.1, n_iter=0), torch.zeros(4, 40, dtype=F64))
    lam_max = float((y @ W).abs().max())  # above it the code is exactly zero
    assert torch.equal(sparse_code(y, W, lam_max * 1.01, n_iter=50), torch.zeros(4, 40, dtype=F64))


def test_soft_threshold():
    v = torch.tensor([-3.0, -0.5, 0.0, 0.2, 2.0], dtype=F64)
    assert torch.equal(soft_threshold(v, 1.0), torch.tensor([-2.0, 0.0, 0.0, 0.0, 1.0], dtype=F64))


def test_dictionary_learning_recovers_planted_atoms():
    g = torch.Generator().manual_seed(0)
    d, k, n = 12, 8, 300
    W_true = torch.randn(d, k, generator=g, dtype=F64)
    W_true /= torch.linalg.vector_norm(W_true, dim=0)
    z = torch.zeros(n, k, dtype=F64)
    for i in range(n):  # two active atoms per signal
        j = torch.randperm(k, generator=g)[:2]
        z[i, j] = torch.randn(2, generator=g, dtype=F64).abs() + 0.5
    y = z @ W_true.T + 0.01 * torch.randn(n, d, generator=g, dtype=F64)
    W, obj = learn_dictionary(y, k, 0.05, n_iter=100, code_iter=100, generator=0, return_objective=True)
    assert W.shape == (d, k) and obj.shape == (100,)
    assert torch.all(torch.linalg.vector_norm(W, dim=0) <= 1 + 1e-12)
    cos = (W.T @ W_true).abs()  # (k, k)
    assert torch.all(cos.max(0).values > 0.95)  # every planted atom is found (up to sign)
    assert torch.all(obj[1:] <= obj[:-1] + 1e-12)  # block coordinate descent never goes up here


@pytest.mark.slow
def test_dictionary_objective_close_to_sklearn():
    decomposition = pytest.importorskip("sklearn.decomposition", reason="scikit-learn's DictionaryLearning")
    from sklearn.datasets import load_digits
    x = torch.tensor(load_digits().data[:200] / 16.0, dtype=F64)
    x = x - x.mean(1, keepdim=True)
    lam = 0.5
    W = learn_dictionary(x, 12, lam, n_iter=20, code_iter=50, generator=0)
    ours = float(sparse_coding_energy(x, sparse_code(x, W, lam, n_iter=1000), W, lam).sum())
    ref = decomposition.DictionaryLearning(12, alpha=lam, max_iter=100, random_state=0, tol=1e-10,
                                           transform_algorithm="lasso_cd").fit(x.numpy())
    V = torch.tensor(ref.components_.T)  # (D, K), rows of norm <= 1
    theirs = float(sparse_coding_energy(x, sparse_code(x, V, lam, n_iter=1000), V, lam).sum())
    assert ours <= 1.05 * theirs  # a non-convex problem: same objective level, not the same minimum


def test_seeds():
    y, _ = _problem(5, b=50)
    a = learn_dictionary(y, 6, 0.1, n_iter=3, generator=1)
    state = torch.get_rng_state()
    b = learn_dictionary(y, 6, 0.1, n_iter=3, generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a, b)


def test_float32():
    y, W = _problem(6)
    z = sparse_code(y.float(), W.float(), 0.1, n_iter=200)
    assert z.dtype == torch.float32 and torch.isfinite(z).all()


def test_bad_inputs():
    y, W = _problem(7)
    with pytest.raises(ValueError, match="W must have shape"):
        sparse_code(y, W[:5], 0.1)
    with pytest.raises(ValueError, match="lam must"):
        sparse_code(y, W, -0.1)
    with pytest.raises(ValueError, match="method must"):
        sparse_code(y, W, 0.1, method="lars")
    with pytest.raises(ValueError, match="n_iter must"):
        sparse_code(y, W, 0.1, n_iter=-1)
    with pytest.raises(ValueError, match="z must have shape"):
        sparse_coding_energy(y, torch.zeros(4, 3, dtype=F64), W, 0.1)
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        sparse_code(np.zeros((4, 20)), W, 0.1)
