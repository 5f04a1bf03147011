"""Argument checks of the data generators: thin names over :mod:`ebmlib._checks`.

Kept so that every dataset module spells its checks the same way; the logic lives in ``_checks``.
"""

from __future__ import annotations

from numbers import Real

import torch

from .._checks import check_float_dtype, check_int, check_nonneg_real
from ..utils import as_generator

__all__: list[str] = []


def _check_n(n) -> int:
    """The number of samples: an integer >= 1."""
    return check_int(n, "n (the number of samples)")


def _check_nonneg_real(value, name: str) -> float:
    return check_nonneg_real(value, name)


def _check_generator(generator, device=None) -> torch.Generator | None:
    """The ``generator=`` convention: a Generator, an int seed or None (see ``ebmlib.utils.as_generator``)."""
    return as_generator(generator, device)


def _resolve_dtype(dtype) -> torch.dtype:
    return check_float_dtype(dtype)


def check_test_fraction(test_fraction) -> float:
    """A fraction of the data held out for testing, strictly between 0 and 1."""
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, Real) or not 0 < float(test_fraction) < 1:
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}")
    return float(test_fraction)


def split_digits(images: torch.Tensor, labels: torch.Tensor, test_fraction: float, generator, return_labels: bool):
    """scikit-learn's digits cut into a training and a test set by a random permutation (the same
    split for every loader given the same generator): (train, test) or (train, test, train labels,
    test labels)."""
    perm = torch.randperm(images.shape[0], generator=generator)
    n_test = int(round(test_fraction * images.shape[0]))
    if n_test < 1 or n_test >= images.shape[0]:
        raise ValueError(f"test_fraction must leave at least one image on each side, got {test_fraction!r}")
    train_idx, test_idx = perm[:-n_test], perm[-n_test:]
    if return_labels:
        return images[train_idx], images[test_idx], labels[train_idx], labels[test_idx]
    return images[train_idx], images[test_idx]
