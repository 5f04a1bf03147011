"""ebmlib.baselines: the Gaussian conditional against NumPy's block formula and Monte Carlo, the
neighbour average and nearest neighbour by brute force, the OOD scores against SciPy."""

import numpy as np
import pytest
import torch
from scipy import stats

from ebmlib import baselines

F64 = torch.float64


def _data(seed=0, n=200):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(16, 16)) / 4
    x = rng.normal(size=(n, 16)) @ a + 0.5
    return torch.from_numpy(x).reshape(n, 1, 4, 4)


MASK = torch.zeros(1, 4, 4, dtype=torch.bool)
MASK[0, 2:, :] = True  # bottom half hidden


@pytest.mark.parametrize("seed", range(3))
def test_gaussian_conditional_mean_matches_numpy_block_formula(seed):
    train, test = _data(seed), _data(seed + 10, 7)
    got = baselines.gaussian_conditional(test, MASK, train, shrinkage=0.01)
    t = train.reshape(len(train), -1).numpy()
    m, s = t.mean(0), np.cov(t.T) + 0.01 * np.eye(16)
    u = MASK.reshape(-1).numpy()
    k = ~u
    y = test.reshape(7, -1).numpy()
    want = m[u] + (y[:, k] - m[k]) @ np.linalg.inv(s[np.ix_(k, k)]).T @ s[np.ix_(u, k)].T
    assert np.allclose(got.reshape(7, -1).numpy()[:, u], want, atol=1e-10)
    assert torch.equal(got.reshape(7, -1)[:, k], test.reshape(7, -1)[:, k])


def test_gaussian_conditional_mean_is_the_minimum_of_the_precision_form():
    train, test = _data(1), _data(2, 3)
    got = baselines.gaussian_conditional(test, MASK, train, shrinkage=0.01).reshape(3, -1).numpy()
    t = train.reshape(len(train), -1).numpy()
    p = np.linalg.inv(np.cov(t.T) + 0.01 * np.eye(16))
    u = MASK.reshape(-1).numpy()
    k = ~u
    y = test.reshape(3, -1).numpy()
    m = t.mean(0)
    want = m[u] - (y[:, k] - m[k]) @ (np.linalg.solve(p[np.ix_(u, u)], p[np.ix_(u, k)])).T
    assert np.allclose(got[:, u], want, atol=1e-9)


def test_gaussian_conditional_samples_have_the_conditional_moments():
    train, test = _data(3), _data(4, 2)
    mean = baselines.gaussian_conditional(test, MASK, train)
    s = baselines.gaussian_conditional(test, MASK, train, samples=20000, generator=0)
    assert s.shape == (20000, 2, 1, 4, 4)
    assert torch.allclose(s.mean(0), mean, atol=0.02)
    t = train.reshape(len(train), -1).numpy()
    cov = np.cov(t.T) + 0.01 * np.eye(16)
    u = MASK.reshape(-1).numpy()
    k = ~u
    cond = cov[np.ix_(u, u)] - cov[np.ix_(u, k)] @ np.linalg.solve(cov[np.ix_(k, k)], cov[np.ix_(k, u)])
    emp = np.cov(s[:, 0].reshape(20000, -1).numpy()[:, u].T)
    assert np.allclose(emp, cond, atol=0.03 * np.abs(cond).max())
    again = baselines.gaussian_conditional(test, MASK, train, samples=3, generator=0)
    assert torch.equal(again, baselines.gaussian_conditional(test, MASK, train, samples=3, generator=0))


def test_neighbour_average_by_brute_force():
    g = torch.Generator().manual_seed(0)
    img = torch.rand(2, 1, 5, 5, generator=g, dtype=F64)
    r, c = torch.meshgrid(torch.arange(5), torch.arange(5), indexing="ij")
    mask = ((r + c) % 2 == 0).reshape(1, 5, 5)
    mask[0, 4, 4] = True
    mask[0, 3, 4] = True
    mask[0, 4, 3] = True  # (4, 4) now has no visible neighbour
    fill = torch.full((1, 5, 5), 0.25, dtype=F64)
    got = baselines.neighbour_average(img, mask, fill)
    for b in range(2):
        for i in range(5):
            for j in range(5):
                if not mask[0, i, j]:
                    assert got[b, 0, i, j] == img[b, 0, i, j]
                    continue
                vals = [img[b, 0, a, e] for a, e in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1))
                        if 0 <= a < 5 and 0 <= e < 5 and not mask[0, a, e]]
                want = sum(vals) / len(vals) if vals else 0.25
                assert float(got[b, 0, i, j]) == pytest.approx(float(want), abs=1e-12)


def test_nearest_neighbour_and_mean_imputation_by_brute_force():
    train, test = _data(5, 30), _data(6, 4)
    nn_fill = baselines.nearest_neighbour_fill(test, MASK, train)
    mean_fill = baselines.mean_imputation(test, MASK, train)
    u = MASK.reshape(-1)
    for b in range(4):
        d = [float(((test[b].reshape(-1)[~u] - t.reshape(-1)[~u]) ** 2).sum()) for t in train]
        best = train[int(np.argmin(d))].reshape(-1)
        assert torch.equal(nn_fill[b].reshape(-1)[u], best[u])
        assert torch.allclose(mean_fill[b].reshape(-1)[u], train.reshape(30, -1).mean(0)[u])
        assert torch.equal(nn_fill[b].reshape(-1)[~u], test[b].reshape(-1)[~u])


def test_k_nearest_neighbours_by_brute_force():
    train, test = _data(5, 30), _data(6, 4)
    fills = baselines.nearest_neighbour_fill(test, MASK, train, neighbours=3)
    assert fills.shape == (3, *test.shape)
    assert torch.equal(fills[0], baselines.nearest_neighbour_fill(test, MASK, train))
    u = MASK.reshape(-1)
    for b in range(4):
        d = np.array([float(((test[b].reshape(-1)[~u] - t.reshape(-1)[~u]) ** 2).sum()) for t in train])
        for rank, i in enumerate(np.argsort(d, kind="stable")[:3]):
            assert torch.equal(fills[rank, b].reshape(-1)[u], train[int(i)].reshape(-1)[u])
            assert torch.equal(fills[rank, b].reshape(-1)[~u], test[b].reshape(-1)[~u])


def test_k_nearest_neighbours_break_ties_like_argmin():
    train = torch.zeros(4, 1, 4, 4, dtype=torch.float64)
    train[:, 0, 2:, :] = torch.arange(4.0, dtype=torch.float64)[:, None, None]  # same visible pixels, hidden differ
    fills = baselines.nearest_neighbour_fill(train[:1], MASK, train, neighbours=4)
    assert [float(f[0, 0, 3, 0]) for f in fills] == [0.0, 1.0, 2.0, 3.0]


def test_ood_scores_against_scipy():
    train, test = _data(7), _data(8, 5)
    scores = baselines.ood_baseline_scores(train, test, shrinkage=0.01)
    t = train.reshape(len(train), -1).numpy()
    y = test.reshape(5, -1).numpy()
    m, cov = t.mean(0), np.cov(t.T) + 0.01 * np.eye(16)
    full = -stats.multivariate_normal(m, cov).logpdf(y) + stats.multivariate_normal(m, cov).logpdf(m)
    diag = -stats.multivariate_normal(m, np.diag(np.diag(cov))).logpdf(y) \
        + stats.multivariate_normal(m, np.diag(np.diag(cov))).logpdf(m)
    assert np.allclose(scores["full Gaussian"].numpy(), full)
    assert np.allclose(scores["diagonal Gaussian"].numpy(), diag)
    assert np.allclose(scores["distance to mean"].numpy(), ((y - m) ** 2).sum(1))


def test_bad_masks():
    train, test = _data(0, 10), _data(1, 2)
    with pytest.raises(ValueError, match="mask"):
        baselines.mean_imputation(test, MASK.float(), train)
    with pytest.raises(ValueError, match="mask"):
        baselines.mean_imputation(test, torch.zeros(1, 4, 4, dtype=torch.bool), train)
    with pytest.raises(ValueError, match="mask"):
        baselines.mean_imputation(test, torch.zeros(1, 3, 3, dtype=torch.bool), train)
