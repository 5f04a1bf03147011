"""The light top-level import (PEP 562): every public name resolves lazily, and ``import ebmlib`` stays cheap."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import ebmlib


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and return what it printed."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize("name", [n for n in ebmlib.__all__ if n != "__version__"])
def test_every_name_in_all_resolves_to_its_modules_object(name):
    obj = getattr(ebmlib, name)
    if name in ebmlib._NAMES:
        assert obj is getattr(importlib.import_module(f"ebmlib.{ebmlib._NAMES[name]}"), name)
    else:
        assert obj is importlib.import_module(f"ebmlib.{name}")


def test_from_import_works_for_every_name_in_all():
    names = ", ".join(n for n in ebmlib.__all__ if n != "__version__")
    assert _fresh(f"from ebmlib import {names}; print('ok')") == "ok"


def test_dir_lists_every_public_name_and_submodule():
    listed = set(dir(ebmlib))
    assert set(ebmlib.__all__) <= listed
    assert {"grids", "margins", "schedules", "soft_minimum", "masked_tokens", "losses", "assign"} <= listed


def test_an_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        ebmlib.no_such_name  # noqa: B018


def test_the_free_energy_function_is_not_shadowed_by_a_module():
    assert callable(ebmlib.free_energy)
    module = importlib.import_module("ebmlib.soft_minimum")  # importing the module leaves the function in place
    assert callable(ebmlib.free_energy) and ebmlib.free_energy is module.free_energy


@pytest.mark.parametrize("heavy", ["torch", "matplotlib.pyplot", "ipywidgets", "numpy"])
def test_import_ebmlib_imports_nothing_heavy(heavy):
    assert _fresh(f"import sys, ebmlib; print({heavy!r} in sys.modules)") == "False"


def test_using_a_name_imports_only_what_it_needs():
    code = "import sys, ebmlib; ebmlib.langevin; print('matplotlib.pyplot' in sys.modules, 'ipywidgets' in sys.modules)"
    assert _fresh(code) == "False False"
