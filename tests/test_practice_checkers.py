"""The practice checkers that students have: recorded values, no reference code, same verdicts.

``ebmlib.exercises.chNN`` replays the calls recorded from the reference solutions (package data
``ebmlib/exercises/data/chNN.json``, written by ``tools/record_checks.py``); the instructor's checkers
with their reference computations and hints live in ``instructor/exercises`` (tested by
``tests/test_exercises_chNN.py``) and are not packaged.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ebmlib.assign import load_catalogue
from ebmlib.exercises import _recorded

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [f"ch{n:02d}" for n in range(1, 12)]


def _category(verdict: str) -> str:
    return "correct" if verdict == "correct" else "not attempted" if verdict == "not attempted" else "incorrect"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_checker_has_a_recording(chapter):
    practice = importlib.import_module(f"ebmlib.exercises.{chapter}")
    instructor = importlib.import_module(f"instructor.exercises.{chapter}")
    assert practice.__all__ == instructor.__all__
    data = json.loads((ROOT / "ebmlib" / "exercises" / "data" / f"{chapter}.json").read_text())
    assert sorted(data) == sorted(practice.__all__)
    for name in practice.__all__:
        rec = _recorded.decode(data[name])
        assert rec["calls"], name
        assert getattr(instructor, name).__doc__.split("\n")[0] == getattr(practice, name).__doc__.split("\n")[0]


def test_shipped_recordings_equal_a_fresh_recording():
    """The package data cannot go stale: a fresh recording from the references gives the same calls."""
    out = subprocess.run([sys.executable, "tools/record_checks.py", "--check"], cwd=ROOT, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.count("checkers compared") == 11


def _candidates(chapter: str):
    """Every function defined at the top level of tests/test_exercises_chNN.py (right and wrong answers)."""
    module = importlib.import_module(f"test_exercises_{chapter}")
    return [(name, fn) for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("test_")]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_practice_checkers_agree_with_the_instructor_checkers(chapter):
    """On every right and wrong answer of the chapter's checker tests, the same kind of verdict."""
    sys.path.insert(0, str(ROOT / "tests"))
    practice = importlib.import_module(f"ebmlib.exercises.{chapter}")
    instructor = importlib.import_module(f"instructor.exercises.{chapter}")
    candidates = _candidates(chapter)
    seen = set()
    for name in practice.__all__:
        for fname, fn in candidates:
            want = _category(getattr(instructor, name)(fn))
            got = _category(getattr(practice, name)(fn))
            assert got == want, f"{name}({fname}): practice says {got}, the instructor's checker {want}"
            message = str(getattr(practice, name)(fn))
            if got == "incorrect" and not message.startswith(("incorrect: wrong result", "incorrect: expected",
                                                              "incorrect: your function", "incorrect: return",
                                                              "incorrect: the result contains", "incorrect: detach",
                                                              "incorrect: what your")):
                assert message == str(getattr(instructor, name)(fn)), f"{name}({fname}): another hint"
            seen.add(want)
        assert _category(getattr(practice, name)(None)) == "not attempted"
    assert candidates and "incorrect" in seen


def test_checkers_say_what_is_wrong_without_the_expected_value():
    from ebmlib.exercises.ch05 import check_hinge_loss

    import torch
    assert check_hinge_loss(lambda p, n, m: torch.clamp(m - (n - p), min=0).mean()) == "correct"
    # a typical mistake recorded with the instructor's hint (tools/record_checks.py)
    assert check_hinge_loss(lambda p, n, m: torch.clamp(m - (n - p), min=0).sum()) == \
        "incorrect: the loss looks summed over the batch; take the mean"
    v = check_hinge_loss(lambda p, n, m: torch.clamp(m - (n - p), min=0).mean() + 0.1)
    assert v.startswith("incorrect: wrong result in case ") and "shape" in v
    v = check_hinge_loss(lambda p, n, m: torch.clamp(m - (n - p), min=0))
    assert v.startswith("incorrect: expected one number, got shape")


def test_callables_are_recorded_by_name_and_rebuilt():
    """An energy and its parameters: the same tensor in both after decoding (autograd needs it)."""
    import torch
    m = torch.tensor([0.4, -0.3], dtype=torch.float64, requires_grad=True)
    energy = _recorded.CaseFn("gauss_mean", m)
    args, _ = _recorded.from_data(_recorded.to_data(((energy, [m]), {})))
    energy2, (m2,) = args
    assert isinstance(energy2, _recorded.CaseFn) and m2.requires_grad
    (g,) = torch.autograd.grad(energy2(torch.zeros(3, 2, dtype=torch.float64)).sum(), [m2])
    assert torch.allclose(g, 3 * m2.detach())
    with pytest.raises(_recorded.Unrecordable):
        _recorded.to_data(lambda y: y)


def _solution_lines():
    """Distinctive lines of the book's reference solutions of coding exercises."""
    lines = set()
    for ch in load_catalogue(ROOT / "book"):
        for ex in ch.exercises:
            if ex.kind != "code":
                continue
            stub = set(l.strip() for l in ex.stub.splitlines())
            for line in ex.solution.splitlines():
                line = line.strip()
                if len(line) > 25 and line not in stub and not line.startswith(("def ", "check_", "print(", "#", '"""')):
                    lines.add(line)
    return lines


def _clean_copy(tmp_path) -> Path:
    """The repository's files (tracked and untracked, not ignored: no stale build/ folder) in ``tmp_path/src``."""
    import shutil

    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    src = tmp_path / "src"
    for name in files:
        if (ROOT / name).is_file() and not name.startswith(("book/", "tests/browser")):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    return src


@pytest.mark.slow
def test_wheel_holds_no_reference_code(tmp_path):
    """What ``pip install`` gives a student (a wheel; Colab builds one from git): no instructor/, no
    reference functions, no line of a reference solution in the exercise checkers."""
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(tmp_path), str(_clean_copy(tmp_path))], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    (wheel,) = tmp_path.glob("ebmlib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        sources = {n: zf.read(n).decode() for n in names if n.endswith(".py")}
    assert not [n for n in names if n.startswith("instructor")]
    assert {f"ebmlib/exercises/data/{c}.json" for c in CHAPTERS} <= set(names)
    assert not [n for n, s in sources.items() if "_ref_" in s], "a reference function is packaged"
    checkers = {n: s for n, s in sources.items() if n.startswith("ebmlib/exercises/")}
    assert len(checkers) >= 14
    for n, s in checkers.items():  # the practice checkers define no function of their own
        if n.endswith(tuple(f"{c}.py" for c in CHAPTERS)):
            assert not [d for d in ast.walk(ast.parse(s)) if isinstance(d, (ast.FunctionDef, ast.Lambda))], n
    leaked = [(n, line) for line in _solution_lines() for n, s in checkers.items() if line in s]
    assert not leaked, leaked[:5]


@pytest.mark.slow
def test_sdist_holds_neither_instructor_code_nor_tests(tmp_path):
    """The source distribution (what PyPI would serve) leaves out instructor/ and tests/ (MANIFEST.in)."""
    import tarfile

    out = subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(tmp_path)!r})"],
                         cwd=_clean_copy(tmp_path), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    (sdist,) = tmp_path.glob("ebmlib-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = [n.split("/", 1)[-1] for n in tf.getnames()]
    assert not [n for n in names if n.startswith(("instructor", "tests"))]
    assert "ebmlib/exercises/data/ch05.json" in names
