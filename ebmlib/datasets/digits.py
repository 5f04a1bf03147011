"""scikit-learn's 8 x 8 handwritten digits (shipped with scikit-learn: no download), binarised for the RBM.

See chapter 7.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch

from ..utils import as_generator
from ._common import _resolve_dtype, check_test_fraction, split_digits

__all__ = ["binary_digits"]


def binary_digits(*, test_fraction: float = 0.2, threshold: float = 8.0,
                  generator: torch.Generator | int | None = 0, dtype: torch.dtype | None = None,
                  return_labels: bool = False):
    """The 1,797 digits of ``sklearn.datasets.load_digits`` as binary images, split into train and test.

    Each image has 64 pixels with grey levels 0..16; a pixel becomes 1 when its level is above
    ``threshold`` and 0 otherwise. Rows are shuffled by ``generator`` and the last
    round(test_fraction * 1797) rows form the test set.

    Args:
        test_fraction: share of the images held out, in (0, 1).
        threshold: grey level in [0, 16) above which a pixel is on.
        generator: torch.Generator, int seed (default 0: the same split every time) or None
            (global RNG) for the shuffle.
        dtype: floating dtype of the images (default: torch's default dtype).
        return_labels: also return the digit labels (int64).

    Returns:
        ``(train, test)``, each (N, 64) with values 0 or 1 (row-major 8 x 8 images), or
        ``(train, test, train_labels, test_labels)``.

    See chapter 7.
    """
    test_fraction = check_test_fraction(test_fraction)
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not math.isfinite(threshold) \
            or not 0 <= threshold < 16:
        raise ValueError(f"threshold must be a grey level in [0, 16), got {threshold!r}")
    dtype = _resolve_dtype(dtype)
    gen = as_generator(generator)
    from sklearn.datasets import load_digits  # imported here: only this function needs scikit-learn

    bunch = load_digits()
    images = torch.from_numpy((bunch.data > threshold).astype(np.float64)).to(dtype)  # (1797, 64)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    return split_digits(images, labels, test_fraction, gen, return_labels)
