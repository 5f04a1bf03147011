"""Tests for ebmlib.metrics.auroc against scikit-learn's roc_auc_score and by hand."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from ebmlib.metrics import auroc


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
