"""ebmlib.metrics: AUROC against scikit-learn's roc_auc_score and by hand; energy distance against SciPy,
mode fractions and interval coverage by brute force."""

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.metrics import roc_auc_score

from ebmlib import metrics
from ebmlib.metrics import auroc

F64 = torch.float64


def _sk(a, b):
    return roc_auc_score(np.r_[np.zeros(len(a)), np.ones(len(b))], np.r_[a.numpy(), b.numpy()])


@pytest.mark.parametrize("seed", range(5))
def test_matches_sklearn_on_random_scores(seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(37, generator=g, dtype=torch.float64)
    b = torch.randn(53, generator=g, dtype=torch.float64) + 0.5 * seed
    assert auroc(a, b) == pytest.approx(_sk(a, b), abs=1e-12)


def test_matches_sklearn_with_many_ties_and_float32():
    g = torch.Generator().manual_seed(7)
    a = torch.randint(0, 4, (50,), generator=g).float()
    b = torch.randint(1, 5, (30,), generator=g).float()
    assert auroc(a, b) == pytest.approx(_sk(a, b), abs=1e-12)


def test_hand_cases():
    assert auroc(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0])) == 1.0  # perfectly separated
    assert auroc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 0.0  # reversed
    assert auroc(torch.tensor([1.0, 1.0]), torch.tensor([1.0])) == 0.5  # all tied
    # P(out > in) + P(=)/2 by enumeration: pairs (in, out) = (0,1) > ; (2,1) < ; (0,2) > ; (2,2) =
    assert auroc(torch.tensor([0.0, 2.0]), torch.tensor([1.0, 2.0])) == pytest.approx((1 + 0 + 1 + 0.5) / 4)


@pytest.mark.parametrize("a, b, match", [
    (torch.zeros(2, 1), torch.zeros(3), "scores_in"), (torch.zeros(2), torch.zeros(0), "scores_out"),
    ([0.0, 1.0], torch.zeros(3), "scores_in"), (torch.tensor([0.0, float("nan")]), torch.zeros(3), "scores_in"),
    (torch.zeros(2), torch.tensor([1, 2]), "scores_out"),
])
def test_bad_inputs(a, b, match):
    with pytest.raises((ValueError, TypeError), match=match):
        auroc(a, b)


def test_energy_distance_is_scipys_squared_in_one_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(loc=0.4, scale=1.3, size=70)
    got = metrics.energy_distance(torch.tensor(x[:, None]), torch.tensor(y[:, None])).item()
    assert got == pytest.approx(stats.energy_distance(x, y) ** 2, rel=1e-10)


def test_energy_distance_by_brute_force_in_two_dimensions():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(9, 2)), rng.normal(size=(7, 2))
    d = lambda a, b: np.mean([np.linalg.norm(p - q) for p in a for q in b])  # noqa: E731
    want = 2 * d(x, y) - d(x, x) - d(y, y)
    assert metrics.energy_distance(torch.tensor(x), torch.tensor(y)).item() == pytest.approx(want, rel=1e-12)
    assert metrics.energy_distance(torch.tensor(x), torch.tensor(x)).item() == pytest.approx(0.0, abs=1e-12)


def test_mode_fractions_by_brute_force():
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    pts = rng.uniform(-1, 4, size=(500, 2))
    want = [np.mean([np.linalg.norm(p - c) < 0.8 for p in pts]) for c in centres]
    got = metrics.mode_fractions(torch.tensor(pts), torch.tensor(centres), 0.8)
    assert np.allclose(got.numpy(), want)


def test_interval_coverage_counts_the_ends():
    lo, hi = torch.tensor([0.0, 0.0, 0.0, 1.0]), torch.tensor([1.0, 1.0, 1.0, 2.0])
    y = torch.tensor([0.0, 1.0, 1.5, 0.5])
    assert metrics.interval_coverage(lo, hi, y).item() == pytest.approx(0.5)


# --- Frechet distance, MMD and the feature classifier (chapter 9) -------------------------------------------------

def _gaussian_sample(mean, cov, n, seed):
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.multivariate_normal(mean, cov, size=n))


@pytest.mark.parametrize("seed", range(3))
def test_frechet_distance_matches_scipy_sqrtm(seed):
    from scipy import linalg
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.normal(size=(40, 4)) @ rng.normal(size=(4, 4)))
    y = torch.from_numpy(rng.normal(size=(50, 4)) @ rng.normal(size=(4, 4)) + 0.3)
    mx, my = x.numpy().mean(0), y.numpy().mean(0)
    sx, sy = np.cov(x.numpy().T), np.cov(y.numpy().T)
    ref = ((mx - my) ** 2).sum() + np.trace(sx + sy - 2 * linalg.sqrtm(sx @ sy).real)
    assert metrics.frechet_distance(x, y) == pytest.approx(ref, rel=1e-8, abs=1e-10)


def test_frechet_distance_closed_form_for_large_samples():
    # N(0, diag(1, 4)) vs N((1, 0), diag(4, 1)): ||dm||^2 + sum (sqrt a - sqrt b)^2 = 1 + 1 + 1 = 3
    x = _gaussian_sample([0.0, 0.0], np.diag([1.0, 4.0]), 200_000, 0)
    y = _gaussian_sample([1.0, 0.0], np.diag([4.0, 1.0]), 200_000, 1)
    assert metrics.frechet_distance(x, y) == pytest.approx(3.0, abs=0.05)


def test_frechet_distance_zero_for_identical_and_symmetric():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(30, 3, generator=g, dtype=F64)
    y = torch.randn(30, 3, generator=g, dtype=F64) * 2
    assert metrics.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_distance(x, y) == pytest.approx(metrics.frechet_distance(y, x), rel=1e-8)
    assert metrics.frechet_distance(x.float(), y.float()) == pytest.approx(metrics.frechet_distance(x, y), rel=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_mmd2_matches_brute_force(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(12, 3, generator=g, dtype=F64)
    y = torch.randn(9, 3, generator=g, dtype=F64) + 0.5
    h = 0.7

    def k(a, b):
        return float(np.exp(-np.sum((a - b) ** 2) / (2 * h * h)))

    xs, ys = x.numpy(), y.numpy()
    kxx = sum(k(xs[i], xs[j]) for i in range(12) for j in range(12) if i != j) / (12 * 11)
    kyy = sum(k(ys[i], ys[j]) for i in range(9) for j in range(9) if i != j) / (9 * 8)
    kxy = sum(k(a, b) for a in xs for b in ys) / (12 * 9)
    assert metrics.mmd2(x, y, bandwidth=h) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-10)


def test_mmd2_near_zero_for_same_distribution_and_positive_otherwise():
    g = torch.Generator().manual_seed(3)
    a, b = torch.randn(400, 2, generator=g, dtype=F64), torch.randn(400, 2, generator=g, dtype=F64)
    assert abs(metrics.mmd2(a, b, bandwidth=1.0)) < 0.01
    assert metrics.mmd2(a, b + 1.0, bandwidth=1.0) > 0.1


def test_feature_classifier_learns_and_is_deterministic():
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(50, 4, generator=g) - 2, torch.randn(50, 4, generator=g) + 2])
    labels = torch.arange(100) // 50
    a = metrics.train_feature_classifier(x, labels, hidden=8, steps=100, generator=1)
    b = metrics.train_feature_classifier(x, labels, hidden=8, steps=100, generator=1)
    assert (a(x).argmax(1) == labels).double().mean() > 0.95
    assert a.features(x).shape == (100, 8) and a.features(x).dtype == F64
    assert torch.equal(a.features(x), b.features(x))
    assert not any(p.requires_grad for p in a.parameters())
