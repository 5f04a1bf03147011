"""The random cases of the instructor's checkers, shifted by an assignment's seed.

Every checker draws its cases from ``rng(n)`` / ``gen(n)``. With the offset 0 (the default) they are
the cases of the practice checkers that students have; an nbgrader assignment is recorded with
another offset (``with offset(seed): ...``), so its graded cases are not the practice ones.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

OFFSET = 0


def rng(n: int) -> np.random.Generator:
    return np.random.default_rng(n if OFFSET == 0 else [n, OFFSET])


def gen(n: int) -> torch.Generator:
    return torch.Generator().manual_seed(n if OFFSET == 0 else (n * 1_000_003 + OFFSET) % (2**63))


@contextlib.contextmanager
def offset(seed: int):
    """Draw the checkers' cases with ``seed`` (0: the practice cases) inside the block."""
    global OFFSET
    old, OFFSET = OFFSET, int(seed)
    try:
        yield
    finally:
        OFFSET = old
