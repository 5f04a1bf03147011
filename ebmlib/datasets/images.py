"""scikit-learn's 8 x 8 digits as grey-level images (shipped with scikit-learn: no download).

See chapter 9.
"""

from __future__ import annotations


import numpy as np
import torch

from .._checks import check_limits
from ..utils import as_generator
from ._common import _resolve_dtype, check_test_fraction, split_digits

__all__ = ["digit_images"]


def digit_images(*, test_fraction: float = 0.2, value_range: tuple[float, float] = (0.0, 1.0),
                 generator: torch.Generator | int | None = 0, dtype: torch.dtype | None = None,
                 return_labels: bool = False):
    """The 1,797 digits of ``sklearn.datasets.load_digits`` as (N, 1, 8, 8) images, split into train and test.

    A grey level g in 0..16 becomes low + (high - low) g / 16. Rows are shuffled by ``generator``
    and the last round(test_fraction * 1797) rows form the test set: with the same generator the
    split is the one of :func:`ebmlib.datasets.binary_digits` (same images, same order).

    Args:
        test_fraction: share of the images held out, in (0, 1).
        value_range: (low, high), low < high: the pixel values of grey levels 0 and 16.
        generator: torch.Generator, int seed (default 0: the same split every time) or None
            (global RNG) for the shuffle.
        dtype: floating dtype of the images (default: torch's default dtype).
        return_labels: also return the digit labels (int64).

    Returns:
        ``(train, test)``, each (N, 1, 8, 8), or ``(train, test, train_labels, test_labels)``.

    See chapter 9.
    """
    test_fraction = check_test_fraction(test_fraction)
    low, high = check_limits(value_range, "value_range")
    dtype = _resolve_dtype(dtype)
    gen = as_generator(generator)
    from sklearn.datasets import load_digits  # imported here: only the digit loaders need scikit-learn

    bunch = load_digits()
    grey = torch.from_numpy(bunch.data.astype(np.float64) / 16.0)  # (1797, 64) in [0, 1]
    images = (low + (high - low) * grey).to(dtype).reshape(-1, 1, 8, 8)  # (1797, 1, 8, 8)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    return split_digits(images, labels, test_fraction, gen, return_labels)
