"""Tests for ebmlib.datasets.binary_digits against scikit-learn's own copy of the data."""

import math

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from ebmlib.datasets import binary_digits

D = torch.float64


def _rows(t):
    return sorted(map(tuple, t.numpy().astype(int).tolist()))


def test_split_is_a_partition_of_the_binarised_sklearn_data():
    train, test, ytr, yte = binary_digits(dtype=D, return_labels=True)
    assert train.shape == (1438, 64) and test.shape == (359, 64) and train.dtype == D
    assert set(torch.unique(torch.cat([train, test])).tolist()) == {0.0, 1.0}
    bunch = load_digits()
    ref = (bunch.data > 8).astype(int)
    both = torch.cat([train, test]).numpy().astype(int)
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, ref.tolist()))
    # labels travel with their images: each (image, label) pair occurs in sklearn's data
    pairs_ref = sorted(zip(map(tuple, ref.tolist()), bunch.target.tolist()))
    pairs = sorted(zip(map(tuple, both.tolist()), torch.cat([ytr, yte]).tolist()))
    assert pairs == pairs_ref


def test_seeds_and_fraction():
    a, b = binary_digits(generator=1), binary_digits(generator=torch.Generator().manual_seed(1))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    c = binary_digits(generator=2)
    assert not torch.equal(a[1], c[1])
    assert torch.equal(binary_digits()[1], binary_digits(generator=0)[1])  # default: seed 0
    state = torch.get_rng_state()
    binary_digits(generator=3)
    assert torch.equal(torch.get_rng_state(), state)
    tr, te = binary_digits(test_fraction=0.5)
    assert len(te) == round(0.5 * 1797) and len(tr) + len(te) == 1797


def test_threshold():
    dark = binary_digits(threshold=0.0)[0].mean().item()
    light = binary_digits(threshold=15.0)[0].mean().item()
    assert dark > binary_digits()[0].mean().item() > light > 0


@pytest.mark.parametrize("kwargs, match", [
    ({"test_fraction": 0.0}, r"test_fraction must be"),
    ({"test_fraction": 1.0}, r"test_fraction must be"),
    ({"test_fraction": 1e-5}, r"test_fraction must leave"),
    ({"test_fraction": "0.2"}, r"test_fraction must be"),
    ({"threshold": 16}, r"threshold must be"),
    ({"threshold": math.nan}, r"threshold must be"),
    ({"threshold": -1}, r"threshold must be"),
    ({"generator": -1}, r"generator must be"),
    ({"dtype": torch.int64}, r"dtype must be"),
])
def test_bad_inputs(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        binary_digits(**kwargs)
