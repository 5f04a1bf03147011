"""Results of the book's multi-seed benchmark runs, shipped with ebmlib so that chapters run anywhere.

A chapter that reports a spread over training seeds cannot retrain every seed inside its time budget:
a script under ``benchmarks/`` (``benchmarks/ch09_seeds.py`` for chapter 9) trains them and writes
``ebmlib/seed_runs/<name>.json``; the chapter reads it with :func:`load`, also on Colab, where only
the installed library is there.
"""

from __future__ import annotations

import json
import re
from importlib import resources

__all__ = ["load", "available"]

_NAME = re.compile(r"[a-z0-9_]+")


def available() -> list[str]:
    """The names :func:`load` accepts (the stored ``<name>.json`` files), sorted."""
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".json"))


def load(name: str) -> dict:
    """The stored results ``name`` (e.g. ``"ch09"``) as the dict the benchmark script wrote.

    Raises:
        ValueError: ``name`` is not a string of lower-case letters, digits and ``_``, or no such results are stored.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"name must be a string of lower-case letters, digits and '_' such as 'ch09', got {name!r}")
    path = resources.files(__name__).joinpath(f"{name}.json")
    if not path.is_file():
        raise ValueError(f"name must be one of the stored seed runs {available()}, got {name!r}")
    return json.loads(path.read_text(encoding="utf-8"))
