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
