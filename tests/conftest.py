"""Shared test set-up: a non-interactive matplotlib backend and closed figures after every test.

The backend is chosen before anything imports pyplot; figures are closed only where pyplot was loaded,
so tests that draw nothing do not import it.
"""

from __future__ import annotations

import sys

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opened (no-op when pyplot was never imported)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
