"""Argument checks of the data generators: thin names over :mod:`ebmlib._checks`.

Kept so that every dataset module spells its checks the same way; the logic lives in ``_checks``.
"""

from __future__ import annotations

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
