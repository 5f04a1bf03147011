"""tests/conftest.py is the one place that sets matplotlib's backend and closes figures after each test."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

TESTS = Path(__file__).parent


def _test_files():
    return [p for p in TESTS.rglob("*.py") if p.name != "conftest.py" and p != Path(__file__)]


def test_the_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_no_test_file_sets_the_backend_again():
    offenders = [p.name for p in _test_files() if re.search(r"^\s*matplotlib\.use\(", p.read_text(), re.M)]
    assert not offenders, f"conftest.py sets the backend; remove matplotlib.use from {offenders}"


def test_no_test_file_redefines_close_figures():
    offenders = [p.name for p in _test_files() if re.search(r"^\s*def close_figures\(", p.read_text(), re.M)]
    assert not offenders, f"conftest.py's autouse close_figures covers every test; remove it from {offenders}"
