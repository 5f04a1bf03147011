"""Tests for ebmlib.datasets.digit_images against scikit-learn's own copy of the data."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from ebmlib.datasets import binary_digits, digit_images

D = torch.float64


def test_split_is_a_partition_of_the_sklearn_images_rescaled():
    train, test, ytr, yte = digit_images(dtype=D, return_labels=True)
    assert train.shape == (1438, 1, 8, 8) and test.shape == (359, 1, 8, 8) and train.dtype == D
    bunch = load_digits()
    both = torch.cat([train, test]).reshape(-1, 64).numpy() * 16
    assert np.allclose(both, np.round(both))  # grey levels k/16 exactly
    got = sorted(zip(map(tuple, np.round(both).astype(int).tolist()), torch.cat([ytr, yte]).tolist()))
    want = sorted(zip(map(tuple, bunch.data.astype(int).tolist()), bunch.target.tolist()))
    assert got == want
    # row-major 8 x 8: sklearn's images array is the same picture
    idx = int(np.flatnonzero((bunch.data.astype(int) == np.round(both[0]).astype(int)).all(1))[0])
    assert np.allclose(train[0, 0].numpy() * 16, bunch.images[idx])


def test_value_range_and_the_same_split_as_binary_digits():
    a, b = digit_images(value_range=(-1.0, 1.0), dtype=D)
    assert a.min() == -1.0 and a.max() == 1.0
    c, _ = digit_images(dtype=D)
    assert torch.allclose((a + 1) / 2, c)
    bin_train, _ = binary_digits(dtype=D)  # same generator -> same images in the same order
    assert torch.equal((c.reshape(-1, 64) * 16 > 8).to(D), bin_train)


def test_seeds():
    a, b = digit_images(generator=1), digit_images(generator=torch.Generator().manual_seed(1))
    assert torch.equal(a[1], b[1])
    assert not torch.equal(a[1], digit_images(generator=2)[1])
    state = torch.get_rng_state()
    digit_images(generator=3)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("kwargs, match", [
    ({"test_fraction": 0.0}, "test_fraction"), ({"test_fraction": "0.2"}, "test_fraction"),
    ({"test_fraction": 1e-6}, "test_fraction"), ({"value_range": (1.0, 0.0)}, "value_range"),
    ({"value_range": 1.0}, "value_range"), ({"dtype": torch.int64}, "dtype"), ({"generator": -1}, "generator"),
])
def test_bad_inputs(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        digit_images(**kwargs)
