"""ebmlib.assign: one exercise format across the book, robust checkers, assignments that run.

- The format test runs over every chapter notebook ``book/NN_*.ipynb`` (chapters added later included).
- Every coding exercise of the book is run on its own, in a fresh namespace, from the context the
  catalogue declares: its reference solution gets "correct" from every checker, its stub "not
  attempted" (in-process, so the whole book takes seconds).
- Every checker the book calls answers "incorrect: ..." without raising or revealing the answer when
  the student's function raises, loops, returns None, the wrong shape or NaN.
- An assignment from three chapters is built and executed with nbclient, with and without solutions.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib
import io
import json
import math
import pickle
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from ebmlib.assign import build_assignment, find_exercises, load_catalogue, strip_solutions
from ebmlib.assign.__main__ import main as cli
from ebmlib.assign.build import nbgrader_solution
from ebmlib.assign.catalogue import CONTEXT_TAG, parse_chapter
from ebmlib.exercises import _common

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
CHAPTERS = load_catalogue(ROOT / "book")
EXERCISES = [ex for ch in CHAPTERS for ex in ch.exercises]
CODING = [ex for ex in EXERCISES if ex.kind == "code"]
SETUP = {ch.number: ch.setup for ch in CHAPTERS}
VERDICT = re.compile(r"^(correct|not attempted|incorrect: .*)$")
# Three chapters, a math exercise, two checkers in one exercise, and one that builds on another.
HOMEWORK = ["ex-ch01-gradient-inference", "ex-ch02-map", "ex-ch03-soft-minimum", "ex-ch05-log-loss",
            "ex-ch05-hot-limit"]


# ---- running notebook code in-process (the way a kernel does: the last expression is displayed)

def run_cells(cells: list[str], namespace: dict) -> list[str]:
    """Execute ``cells`` in ``namespace``; return what they print and display, one line per item."""
    from IPython.core.inputtransformer2 import TransformerManager

    shown = []
    for code in cells:
        tree = ast.parse(TransformerManager().transform_cell(code))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the book's own code
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307
                if value is not None:
                    print(repr(value))
        shown += out.getvalue().splitlines()
    return shown


@pytest.fixture
def fresh_torch():
    """Restore the global torch state the chapters' context may change (default dtype, seed)."""
    dtype = torch.get_default_dtype()
    yield
    torch.set_default_dtype(dtype)


def exercise_namespace(ex, code: str) -> tuple[dict, list[str]]:
    """Run the setup cell, the exercise's context and ``code`` (its stub or solution) in a fresh namespace."""
    ns: dict = {"__name__": "__main__"}
    cells = [SETUP[ex.chapter], "\n".join(ex.imports), *ex.context, ex.checker_import, code]
    return ns, run_cells(cells, ns)


def with_requirements(ex):
    """``ex`` preceded by the exercises it builds on (their solutions define what it uses)."""
    return find_exercises([ex.label], CHAPTERS)


# ---- one format across the book

def test_every_chapter_is_found_and_parsed():
    assert [ch.notebook for ch in CHAPTERS] == [p.name for p in NOTEBOOKS]
    assert len(EXERCISES) == len({ex.label for ex in EXERCISES}), "labels are unique across the book"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.notebook)
def test_chapter_has_enough_exercises(chapter):
    code = [ex for ex in chapter.exercises if ex.kind == "code"]
    need = 2 if chapter.number <= 5 else 3
    assert len(chapter.exercises) >= 5, f"{chapter.notebook}: {len(chapter.exercises)} exercises, issue 13 asks for 5"
    assert len(code) >= need, f"{chapter.notebook}: {len(code)} coding exercises, issue 13 asks for {need}"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.label)
def test_exercise_format(ex):
    assert re.fullmatch(rf"ex-ch{ex.chapter:02d}-[a-z0-9][a-z0-9-]*", ex.label), \
        f"{ex.label}: a label is ex-chNN-name with NN the notebook's number"
    assert len(ex.statement.split()) >= 10, f"{ex.label}: the statement is missing or a stub"
    assert ex.dropdown, f"{ex.label}: every solution is a dropdown (:class: dropdown)"
    if ex.kind == "math":
        assert ex.solution_text.strip(), f"{ex.label}: no {{solution}} {ex.label} directive follows it"
        assert not ex.stub, f"{ex.label}: code cells after a math exercise (a coding one needs {{solution-start}})"
        return
    assert ex.stub.strip(), f"{ex.label}: a coding exercise needs a stub cell before {{solution-start}}"
    assert "NotImplementedError" in ex.stub, f"{ex.label}: the stub raises NotImplementedError"
    assert ex.solution.strip(), f"{ex.label}: no code cell between {{solution-start}} and {{solution-end}}"
    assert ex.checker_calls, f"{ex.label}: the stub calls no checker"
    stub_checkers = [c.split("(")[0] for c in ex.checker_calls]
    solution_checkers = [c.split("(")[0] for c in _checker_calls(ex.solution)]
    assert sorted(stub_checkers) == sorted(solution_checkers), f"{ex.label}: stub and solution call other checkers"
    for module, name in ex.checkers:
        assert module == f"ebmlib.exercises.ch{ex.chapter:02d}", f"{ex.label}: {name} is not from its chapter"
        fn = getattr(importlib.import_module(module), name, None)
        assert fn is not None, f"{ex.label}: {module} has no {name}"
        assert getattr(fn, "__wrapped__", None) is not None, f"{name} is not wrapped with @checker"
    assert not ex.unresolved, (f"{ex.label}: the code uses {ex.unresolved}, which no import, no earlier exercise "
                               f"and no cell tagged {CONTEXT_TAG!r} above it provides "
                               "(tools/annotate_exercises.py tags the defining cell)")


def _checker_calls(code):
    from ebmlib.assign.catalogue import _checker_calls as calls

    return calls(code)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.label)
def test_title_and_minutes_come_from_the_notebook(ex):
    assert ex.minutes is not None and isinstance(ex.minutes, int) and 1 <= ex.minutes <= 180, (
        f"{ex.notebook}: {ex.label} has no metadata['exercises'][label]['minutes'] on its statement cell: "
        "run PYTHONPATH=$PWD .venv/bin/python tools/annotate_exercises.py and set the estimate")
    assert ex.title.lower() != ex.label.split("-", 2)[-1].replace("-", " "), \
        f"{ex.label}: the title is only the label (set metadata['exercises'][label]['title'])"


# ---- every coding exercise runs on its own

@pytest.mark.parametrize("ex", CODING, ids=lambda ex: ex.label)
def test_solution_alone_is_correct_and_stub_is_not_attempted(ex, fresh_torch):
    chain = with_requirements(ex)
    ns: dict = {"__name__": "__main__"}
    shown = run_cells([SETUP[ex.chapter]], ns)
    for dep in chain[:-1]:  # what it builds on, solved
        shown += run_cells(["\n".join(dep.imports), *dep.context, dep.checker_import, dep.solution], ns)
    before = len(shown)
    shown += run_cells(["\n".join(ex.imports), *ex.context, ex.checker_import, ex.solution], ns)
    verdicts = [s for s in shown[before:] if VERDICT.match(s)]
    assert verdicts == ["correct"] * len(ex.checker_calls), f"{ex.label}: {shown[before:]}"

    torch.set_default_dtype(torch.float32)
    _, shown = exercise_namespace(ex, ex.stub)
    assert [s for s in shown if VERDICT.match(s)] == ["not attempted"] * len(ex.checker_calls), shown


# ---- checkers are robust to what students write

def _mutate(value, how):
    if isinstance(value, torch.Tensor):
        if how == "nan":
            return torch.full_like(value, math.nan) if value.is_floating_point() else value
        flat = value.detach().reshape(-1)
        return torch.cat([flat, flat[:1]])  # one element too many, flattened
    if isinstance(value, (tuple, list)):
        return type(value)(_mutate(v, how) for v in value)
    if isinstance(value, float):
        return math.nan if how == "nan" else [value, value]
    return value


def _student(reference, how):
    def raises(*args, **kwargs):
        raise RuntimeError("student bug")

    def loops(*args, **kwargs):
        while True:
            pass

    def returns_none(*args, **kwargs):
        return None

    def mutated(*args, **kwargs):
        return _mutate(reference(*args, **kwargs), how)

    return {"raises": raises, "loops": loops, "none": returns_none}.get(how, mutated)


CHECKS = [(ex, call) for ex in CODING for call in ex.checker_calls]


@pytest.mark.parametrize("how", ["raises", "loops", "none", "shape", "nan"])
@pytest.mark.parametrize("ex,call", CHECKS, ids=[c for _, c in CHECKS])
def test_checker_never_raises_nor_reveals(ex, call, how, monkeypatch, fresh_torch):
    ns: dict = {"__name__": "__main__"}
    run_cells([SETUP[ex.chapter]], ns)
    for dep in with_requirements(ex):
        run_cells(["\n".join(dep.imports), *dep.context, dep.checker_import, dep.solution], ns)
    name, arg = re.fullmatch(r"(\w+)\((\w+)\)", call).groups()
    check, reference = ns[name], ns[arg]
    assert check(reference) == "correct"
    monkeypatch.setattr(_common, "TIMEOUT_S", 0.5)
    verdict = check(_student(reference, how))
    assert isinstance(verdict, str) and verdict.startswith("incorrect: "), f"{call} with a student that {how}: {verdict}"
    assert not re.search(r"\d\.\d{3,}", verdict), f"{call}: the verdict shows a precise number: {verdict}"
    if how == "loops":
        assert "did not finish" in verdict
    if how == "raises":
        assert verdict == "incorrect: your function raised RuntimeError: student bug"


def test_checker_timeout_restores_the_alarm():
    import signal

    from ebmlib.exercises.ch05 import check_hinge_loss

    before = signal.getsignal(signal.SIGALRM)
    check_hinge_loss(lambda *a: (_ for _ in ()).throw(NotImplementedError))
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_student_code_that_swallows_exceptions_is_still_stopped(monkeypatch):
    from ebmlib.exercises.ch05 import check_hinge_loss

    def sneaky(f_pos, f_neg, margin):
        while True:
            try:
                while True:
                    pass
            except Exception:  # noqa: BLE001 - what a student might write
                pass

    monkeypatch.setattr(_common, "TIMEOUT_S", 0.3)
    assert "did not finish" in check_hinge_loss(sneaky)


# ---- the assignment builder

def test_unknown_label_lists_close_matches(capsys):
    with pytest.raises(KeyError, match="ex-ch05-hinge"):
        find_exercises(["ex-ch05-hinj"], CHAPTERS)
    assert cli(["ex-ch05-hinj", "-o", "/nonexistent/hw.ipynb"]) == 2
    err = capsys.readouterr().err
    assert "unknown exercise label 'ex-ch05-hinj'" in err and "ex-ch05-hinge" in err


def test_required_exercises_come_first():
    labels = [ex.label for ex in find_exercises(["ex-ch02-map", "ex-ch01-min-sum"], CHAPTERS)]
    assert labels == ["ex-ch02-search", "ex-ch02-map", "ex-ch01-min-sum"]
    assert [ex.label for ex in find_exercises(["ex-ch02-search", "ex-ch02-map"], CHAPTERS)] == \
        ["ex-ch02-search", "ex-ch02-map"]


def test_list_prints_every_exercise(capsys):
    assert cli(["--list"]) == 0
    out = capsys.readouterr().out
    for ex in EXERCISES:
        assert re.search(rf"^{re.escape(ex.label)}\s+{ex.chapter}\s+{ex.kind}\s", out, re.M), ex.label


def _solution_lines(ex) -> list[str]:
    """Lines of the reference solution that the stub does not have (the giveaway)."""
    stub = set(ex.stub.splitlines())
    return [line.strip() for line in ex.solution.splitlines()
            if len(line.strip()) > 12 and line not in stub and not line.strip().startswith(("def ", "check_", "print("))]


def _verdicts(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("text") or o.get("data", {}).get("text/plain", "")
            out += [line for line in text.splitlines() if VERDICT.match(line)]
    return out


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient

    out = {}
    for version in ("student", "solutions"):
        nb = nbformat.from_dict(build_assignment(HOMEWORK, solutions=version == "solutions", chapters=CHAPTERS,
                                                 title="Homework 1"))
        nbformat.validate(nb)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path_factory.mktemp(version))}}).execute()
        out[version] = nb
    return out


def test_assignment_with_solutions_is_correct_everywhere(executed):
    chosen = find_exercises(HOMEWORK, CHAPTERS)
    assert {ex.chapter for ex in chosen} >= {1, 2, 3, 5}
    n_checks = sum(len(ex.checker_calls) for ex in chosen)
    assert _verdicts(executed["solutions"]) == ["correct"] * n_checks


def test_student_assignment_is_not_attempted_and_has_no_solution(executed):
    nb = executed["student"]
    chosen = find_exercises(HOMEWORK, CHAPTERS)
    assert _verdicts(nb) == ["not attempted"] * sum(len(ex.checker_calls) for ex in chosen)
    text = "\n".join(c.source for c in nb.cells)
    assert "{solution" not in text and "Solution" not in text
    for ex in chosen:
        assert f"`{ex.label}`" in text
        for line in _solution_lines(ex):
            assert line not in text, f"{ex.label}: the student version shows the solution line {line!r}"
        for paragraph in ex.solution_text.split("\n\n"):
            if len(paragraph) > 40:
                assert paragraph.strip()[:40] not in text, f"{ex.label}: solution text in the student version"
    assert text.count("google.colab") == 1, "one setup cell, with the Colab install"
    assert "ebmlib.set_seed(0)" in nb.cells[1].source
    assert "{eq}" not in text and "{ref}" not in text, "MyST roles are rewritten for Jupyter"


def test_cli_writes_the_three_versions(tmp_path, capsys):
    for flag in ([], ["--solutions"], ["--nbgrader"]):
        out = tmp_path / f"hw{len(flag)}{flag[0] if flag else ''}.ipynb"
        assert cli(["ex-ch02-map", "ex-ch04-masked-loss", *flag, "-o", str(out)]) == 0
        nb = nbformat.read(out, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.ebmlib_assignment.exercises == ["ex-ch02-search", "ex-ch02-map", "ex-ch04-masked-loss"]
    assert "added, because a chosen exercise builds on it: ex-ch02-search" in capsys.readouterr().err


def test_nbgrader_source_marks_solutions_tests_and_locked_cells():
    from ebmlib.assign.build import SEED_NOTE, assignment_seed

    nb = build_assignment(HOMEWORK, nbgrader=True, chapters=CHAPTERS, seed=97531)
    # the seed regenerates the graded values with the public repository: only in a hidden test block
    # (nbgrader removes those from the release), never in the metadata nbgrader copies
    assert "seed" not in nb["metadata"]["ebmlib_assignment"] and assignment_seed(nb) == 97531
    for cell in nb["cells"]:
        if "97531" in cell["source"]:
            hidden = cell["source"].split("### BEGIN HIDDEN TESTS\n", 1)[1].split("### END HIDDEN TESTS")[0]
            assert hidden.startswith(SEED_NOTE + "97531\n")
    assert sum("97531" in c["source"] for c in nb["cells"]) == 1
    other = build_assignment(HOMEWORK, nbgrader=True, chapters=CHAPTERS)  # default: random, not from the title
    assert assignment_seed(other) not in (None, 0, 97531)
    nbformat.validate(nbformat.from_dict(nb))
    meta = [c["metadata"]["nbgrader"] for c in nb["cells"]]
    assert len({m["grade_id"] for m in meta}) == len(meta), "grade ids are unique"
    chosen = find_exercises(HOMEWORK, CHAPTERS)
    tests = [c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade"] and c["cell_type"] == "code"]
    assert len(tests) == sum(len(ex.checker_calls) for ex in chosen)
    # each test replays the calls recorded at build time, with the replay code in the cell (nothing
    # imported from ebmlib.assign), all hidden from the release; no test trusts a checker's verdict
    assert all("### BEGIN HIDDEN TESTS" in c["source"] and '_replay["replay"](' in c["source"]
               and "ebmlib.assign" not in c["source"] and "assert verdict" not in c["source"]
               and c["metadata"]["nbgrader"]["locked"] for c in tests)
    answers = [c for c in nb["cells"] if c["metadata"]["nbgrader"]["solution"] and c["cell_type"] == "code"]
    assert len(answers) == sum(ex.kind == "code" for ex in chosen)
    assert all("### BEGIN SOLUTION" in c["source"] and "### END SOLUTION" in c["source"] for c in answers)
    others = [m for c, m in zip(nb["cells"], meta) if not m["solution"]]
    assert all(m["locked"] for m in others), "context, statements and tests are read-only"
    manual = [c for c in nb["cells"] if c["cell_type"] == "markdown" and c["metadata"]["nbgrader"]["grade"]]
    assert len(manual) == sum(ex.kind == "math" for ex in chosen)


def test_nbgrader_solution_keeps_signatures_and_docstrings():
    solution = ('def f(x):\n    """Doc."""\n    y = x + 1\n    return y\n\n\ndef helper(z):\n    return z\n\n\n'
                'CONST = 3\n\n\ncheck_f(f)\nprint(check_g(f))')
    out = nbgrader_solution(solution, "def f(x):\n    raise NotImplementedError\n\n\ncheck_f(f)")
    assert out == ('def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n'
                   '    ### END SOLUTION\n\n\n### BEGIN SOLUTION\ndef helper(z):\n    return z\n\n\nCONST = 3\n'
                   '### END SOLUTION')
    released = re.sub(r"( *)### BEGIN SOLUTION\n.*?### END SOLUTION", r"\1raise NotImplementedError()", out, flags=re.S)
    compile(released, "<release>", "exec")


# ---- context declared in the notebooks: a synthetic chapter

def _md(text, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def _code(text, **meta):
    return {"cell_type": "code", "metadata": meta, "source": text, "outputs": [], "execution_count": None}


def _synthetic_chapter():
    return {"cells": [
        _code("import sys\nif 'google.colab' in sys.modules:\n    %pip install ebmlib\nimport ebmlib"),
        _md("(ch-toy)=\n# A toy chapter"),
        _code("import torch\nimport numpy as np\n\nscale = 3.0\nplot_me = 1"),
        _code("data = torch.arange(4.0) * scale"),
        _md("## Exercises\n\n```{exercise}\n:label: ex-ch09-sum\n\nSum {eq}`eq-x` the data of {ref}`ch-toy` "
            "with `my_sum(data)` and check it, please.\n```"),
        _code("from ebmlib.exercises.ch09 import check_sum\n\n\ndef my_sum(d):\n    raise NotImplementedError\n\n\n"
              "check_sum(my_sum, data)"),
        _md("```{solution-start} ex-ch09-sum\n:class: dropdown\n```\nUse `.sum()`."),
        _code("def my_sum(d):\n    return np.float64(d.sum())\n\n\ncheck_sum(my_sum, data)"),
        _md("```{solution-end}\n```"),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _annotate_module():
    spec = importlib.util.spec_from_file_location("annotate_exercises", ROOT / "tools" / "annotate_exercises.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_context_comes_from_imports_and_tagged_cells():
    nb = _synthetic_chapter()
    (ex,) = parse_chapter(nb, "09_toy.ipynb").exercises
    assert ex.kind == "code" and ex.imports == ["import numpy as np"] and ex.unresolved == ["data"]
    assert ex.checkers == [("ebmlib.exercises.ch09", "check_sum")] and ex.solution_text == "Use `.sum()`."

    notes = _annotate_module().annotate(nb, "09_toy.ipynb")
    assert any("'data'" in n for n in notes) and any("'scale'" in n for n in notes)
    tagged = [c["source"] for c in nb["cells"] if CONTEXT_TAG in c["metadata"].get("tags", [])]
    assert tagged == ["import torch\nimport numpy as np\n\nscale = 3.0\nplot_me = 1", "data = torch.arange(4.0) * scale"]
    (ex,) = parse_chapter(nb, "09_toy.ipynb").exercises
    assert not ex.unresolved and ex.context == tagged and ex.minutes == 20 and ex.title == "Sum"
    again = copy.deepcopy(nb)
    assert _annotate_module().annotate(again, "09_toy.ipynb") == [] and again == nb, "idempotent"


def test_annotation_keeps_what_authors_set_and_changes_only_metadata(tmp_path):
    for path in NOTEBOOKS:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    subprocess.run([sys.executable, str(ROOT / "tools" / "annotate_exercises.py"), "--book", str(tmp_path)],
                   check=True, capture_output=True)
    for path in NOTEBOOKS:
        before, after = json.loads(path.read_text()), json.loads((tmp_path / path.name).read_text())
        assert [(c["source"], c.get("outputs")) for c in before["cells"]] == \
            [(c["source"], c.get("outputs")) for c in after["cells"]]
    chapters = load_catalogue(tmp_path)
    assert all(ex.minutes and not ex.unresolved for ch in chapters for ex in ch.exercises)
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "annotate_exercises.py"), "--book",
                            str(tmp_path), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


# ---- the student edition of whole chapters comes from the same package

def test_student_edition_cli(tmp_path):
    assert cli(["--student-edition", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.ipynb"))
    assert written == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        nb = json.loads((tmp_path / path.name).read_text())
        assert nb == strip_solutions(json.loads(path.read_text()))


# ---- grading with the checkers

def test_grade_reports_each_exercise(tmp_path, capsys):
    labels = ["ex-ch01-parabola-grad", "ex-ch04-masked-loss", "ex-ch05-hinge", "ex-ch05-hot-limit"]
    nb = build_assignment(labels, solutions=True, chapters=CHAPTERS)
    for cell in nb["cells"]:  # one wrong answer, one left as the stub
        if cell["metadata"].get("exercise") == "ex-ch05-hinge":
            cell["source"] = cell["source"].replace(".mean()", ".sum()")
        if cell["metadata"].get("exercise") == "ex-ch04-masked-loss":
            (ex,) = [e for e in EXERCISES if e.label == "ex-ch04-masked-loss"]
            cell["source"] = ex.checker_import + "\n\n\n" + ex.stub
    path = tmp_path / "alice.ipynb"
    path.write_text(json.dumps(nb))
    assert cli(["--grade", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}: ex-ch01-parabola-grad: correct",
                   f"{path}: ex-ch04-masked-loss: not attempted",
                   f"{path}: ex-ch05-hinge: incorrect: the loss looks summed over the batch; take the mean",
                   f"{path}: ex-ch05-hot-limit: grade by hand",
                   f"{path}: 1 of 3 coding exercises correct"]


def test_replay_grades_by_recorded_values_not_by_the_installed_checker():
    from ebmlib.assign.build import record_exercise
    from ebmlib.assign.replay import replay
    from ebmlib.exercises import _recorded

    known = {ex.label: ex for ch in CHAPTERS for ex in ch.exercises}
    ex = known["ex-ch05-hinge"]
    (rec,) = record_exercise(ex, known, next(c for c in CHAPTERS if c.number == 5).setup, seed=7)
    assert len(rec["calls"]) >= 3
    encoded = _recorded.encode(rec)

    def right(f_pos, f_neg, margin):
        return (margin - (f_neg - f_pos)).clamp(min=0).mean()

    def summed(f_pos, f_neg, margin):
        return (margin - (f_neg - f_pos)).clamp(min=0).sum()

    def stub(f_pos, f_neg, margin):
        raise NotImplementedError

    replay(right, encoded)
    for wrong in (summed, stub, None):
        with pytest.raises(AssertionError):
            replay(wrong, encoded)


def test_graded_replay_refuses_an_answer_that_calls_the_library():
    """The graded test (the replay code a test cell carries) gives zero to an answer that runs the installed
    ebmlib's code, however it reaches it; the practice checker does not (chapters compare with the library)."""
    import functools

    import ebmlib
    from ebmlib.assign.build import record_exercise
    from ebmlib.assign.replay import test_code
    from ebmlib.exercises import _recorded

    known = {ex.label: ex for ch in CHAPTERS for ex in ch.exercises}
    (rec,) = record_exercise(known["ex-ch05-hinge"], known, SETUP[5], seed=7)
    encoded = _recorded.encode(rec)

    def right(f_pos, f_neg, margin):
        return (margin - (f_neg - f_pos)).clamp(min=0).mean()

    def wrapped(f_pos, f_neg, margin):
        return ebmlib.losses.hinge_loss(f_pos, f_neg, margin)

    def tried_and_caught(f_pos, f_neg, margin):
        try:
            ebmlib.losses.hinge_loss(f_pos, f_neg, "not a margin")
        except Exception:  # noqa: BLE001
            pass
        return right(f_pos, f_neg, margin)

    def profiler_off(f_pos, f_neg, margin):
        hook = sys.getprofile()
        sys.setprofile(None)
        try:
            return ebmlib.losses.hinge_loss(f_pos, f_neg, margin)
        finally:
            sys.setprofile(hook)

    assert _recorded.check(wrapped, rec) == "correct"  # practice: the library is the reference
    for answer in (wrapped, ebmlib.losses.hinge_loss, functools.partial(ebmlib.losses.hinge_loss), tried_and_caught):
        with pytest.raises(AssertionError, match=r"calls ebmlib\.losses\.[\w.]*hinge_loss; write it yourself"):
            _recorded.replay(answer, encoded)
    with pytest.raises(AssertionError, match="calls sys.setprofile"):
        _recorded.replay(profiler_off, encoded)
    _recorded.replay(right, encoded)
    assert sys.getprofile() is None
    # the same through the code a hidden test cell runs (the replay engine executed from its own source)
    cell = test_code("answer", rec)
    with pytest.raises(AssertionError, match=r"calls ebmlib\.losses\.[\w.]*hinge_loss"):
        exec(cell, {"answer": wrapped})  # noqa: S102 - the test cell's code
    exec(cell, {"answer": right})  # noqa: S102


def test_graded_replay_lets_an_answer_call_the_callables_the_test_passes():
    """An energy the test hands to the answer (a case function) may be called, and what it calls is free;
    an ebmlib energy the answer builds itself is not."""
    from ebmlib.exercises import _recorded

    rec = {"calls": [((_recorded.to_data(torch.ones(3, 2, dtype=torch.float64)), ("__fn__", "double_well", (None,))),
                      {}, None, None, None)]}
    rec["calls"][0] = (*rec["calls"][0][:4], _recorded.to_data(
        _recorded.CaseFn("double_well", None)(torch.ones(3, 2, dtype=torch.float64)).detach()))
    encoded = _recorded.encode(rec)
    _recorded.replay(lambda y, energy: energy(y).detach(), encoded)

    def own_energy(y, energy):
        import ebmlib

        own = ebmlib.GaussianEnergy(torch.zeros(2, dtype=y.dtype), torch.eye(2, dtype=y.dtype))
        return own(y).detach() * 0 + energy(y).detach()

    with pytest.raises(AssertionError, match="calls ebmlib"):
        _recorded.replay(own_energy, encoded)


@pytest.mark.slow
def test_every_coding_exercise_is_recorded_with_other_cases_than_the_practice_ones(fresh_torch):
    """Every graded exercise of every chapter (callables and noise included) is replayed with its own
    values: the recording exists, and at least one of its calls differs from the practice recording
    that students have (a lookup of the shipped values cannot pass the graded test)."""
    import json

    from ebmlib.assign.build import record_exercise
    from ebmlib.exercises import _recorded

    known = {ex.label: ex for ch in CHAPTERS for ex in ch.exercises}
    coding = [ex for ex in known.values() if ex.kind == "code"]
    assert len(coding) >= 32
    for ex in coding:
        setup = next(c for c in CHAPTERS if c.number == ex.chapter).setup
        shipped = json.loads((ROOT / "ebmlib" / "exercises" / "data" / f"ch{ex.chapter:02d}.json").read_text())
        for (module, name), rec in zip(ex.checkers, record_exercise(ex, known, setup, seed=424242)):
            practice = _recorded.decode(shipped[name])
            graded = {pickle.dumps(c[:2]) for c in rec["calls"]}
            seen = {pickle.dumps(c[:2]) for c in practice["calls"]}
            assert graded - seen, f"{ex.label}: the graded cases are the practice ones"
            with pytest.raises(AssertionError, match="not attempted"):
                _recorded.replay(lambda *a, **k: (_ for _ in ()).throw(NotImplementedError()), _recorded.encode(rec))


def test_cited_equations_are_written_out():
    nb = build_assignment(["ex-ch06-leapfrog"], chapters=CHAPTERS)
    statement = next(c["source"] for c in nb["cells"] if c["source"].startswith("## Exercise"))
    assert "{eq}" not in statement
    if "eq-leapfrog" in known_equations():
        assert "[eq-leapfrog]" in statement and "$$" in statement and "of chapter 6, shown below" in statement


def known_equations():
    return {k for ch in CHAPTERS for k in ch.equations}


def test_list_imports_neither_torch_nor_numpy_from_the_assign_modules():
    """``python -m ebmlib.assign --list`` needs no torch: ebmlib.assign's own modules import none (the
    package's ``__init__`` is skipped here; whether it imports torch is the package's business)."""
    code = ("import sys, types, io, contextlib\n"
            "pkg = types.ModuleType('ebmlib'); pkg.__path__ = [sys.argv[1]]; sys.modules['ebmlib'] = pkg\n"
            "from ebmlib.assign.__main__ import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['--list']) == 0\n"
            "print(sorted(m for m in ('torch', 'numpy', 'scipy', 'matplotlib') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "ebmlib")], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_nbgrader_needs_a_clone_and_refuses_the_practice_seed(tmp_path, capsys):
    import shutil

    book = tmp_path / "book"  # the chapters without the repository around them (no instructor/)
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("_build", "*.png"))
    code = subprocess.run([sys.executable, "-m", "ebmlib.assign", "--book", str(book), "ex-ch05-hinge", "--nbgrader",
                           "-o", str(tmp_path / "hw.ipynb")], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert code.returncode == 2 and "clone of the course repository" in code.stderr
    assert cli(["ex-ch05-hinge", "--nbgrader", "--seed", "0", "-o", str(tmp_path / "hw0.ipynb")]) == 2
    assert "practice" in capsys.readouterr().err
