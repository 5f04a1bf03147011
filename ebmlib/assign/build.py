"""Build one assignment notebook from exercises chosen across chapters.

Three versions of the same assignment, all generated from the chapter notebooks:

- the student's (default): title, the setup cell, then for each exercise its context (imports and the
  chapter's ``exercise-context`` cells it needs), its statement, its stub and its checker call;
  no solution text;
- the instructor's (``solutions=True``): the reference solutions in place of the stubs;
- an nbgrader source notebook (``nbgrader=True``): read-only context cells, one autograded-answer
  cell per coding exercise with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` around the reference
  code, one autograded test cell per checker call (it prints the practice checker's verdict and, hidden
  from the release, replays calls recorded now with the instructor's checker on cases drawn from the
  assignment's seed: :mod:`ebmlib.assign.replay`), and a manually graded answer cell per
  pen-and-paper exercise. Building it needs a clone of the course repository (``instructor/``).
"""

from __future__ import annotations

import ast
import difflib
import re
import secrets
from pathlib import Path
from typing import Callable

from .catalogue import Chapter, Exercise, bound_names, default_book_dir, load_catalogue
from .replay import test_code

__all__ = ["find_exercises", "build_assignment", "nbgrader_solution", "to_plain_markdown", "points",
           "assignment_seed"]

#: how the source notebook records the graded cases' seed (in a hidden test block: not in the release)
SEED_NOTE = "# graded cases drawn with --seed "
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")


def to_plain_markdown(text: str, chapter_titles: dict[str, str] | None = None) -> str:
    """MyST roles made readable outside the book: ``{eq}`x``` -> (equation `x` of chapter N), ``{cite}`k``` -> [k]."""
    titles = chapter_titles or {}

    def role(m: re.Match) -> str:
        name, body = m.group("role"), m.group("text")
        if name == "eq":
            where = titles.get(body)
            return f"(equation [{body}]" + (f" of {where}, shown below)" if where else " of the book)")
        if name.startswith("cite"):
            return f"[{body}]"
        if name in ("ref", "numref", "doc"):
            inner = re.match(r"(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body)
            if inner:
                return inner.group("text")
            return titles.get(body, body)
        return body

    return _ROLE.sub(role, text)


def with_equations(text: str, source: str, equations: dict[str, str]) -> str:
    """``text`` followed by each equation that ``source`` cites with ``{eq}``, written out in full."""
    cited = list(dict.fromkeys(m.group("text") for m in _ROLE.finditer(source) if m.group("role") == "eq"))
    shown = [f"**[{label}]**\n\n$$\n{equations[label].strip()}\n$$" for label in cited if label in equations]
    return text if not shown else text.rstrip("\n") + "\n\n" + "\n\n".join(shown)


def _checked_function(call: str) -> str:
    """The name of the student's function in a checker call ``check_x(my_function)``."""
    node = ast.parse(call, mode="eval").body
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name)):
        raise ValueError(f"a checker call must pass the function by name first: {call!r}")
    return node.args[0].id


def instructor_checker(module: str, name: str, book_dir: str | Path | None = None) -> Callable:
    """The instructor's checker ``name`` for the practice checker module ``module`` (``ebmlib.exercises.chNN``).

    It lives in ``instructor/exercises/chNN.py`` of a clone of the course repository (the folder above
    ``book_dir``), not in the installed ebmlib; ``RuntimeError`` if there is none.
    """
    import importlib
    import sys

    chapter = module.rsplit(".", 1)[-1]
    root = (Path(book_dir) if book_dir is not None else default_book_dir()).resolve().parent
    if (root / "instructor" / "exercises").is_dir() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        mod = importlib.import_module(f"instructor.exercises.{chapter}")
    except ImportError as err:
        raise RuntimeError("graded tests are recorded with the instructor's checkers (instructor/exercises/ in a "
                           "clone of the course repository): build nbgrader assignments from a clone, with "
                           "--book pointing at its book/ folder") from err
    return getattr(mod, name)


def record_exercise(ex: Exercise, known: dict[str, Exercise], setup: str, *, seed: int = 0,
                    book_dir: str | Path | None = None) -> list[dict]:
    """For each checker call of ``ex``, the calls the instructor's checker makes to the reference solution.

    Runs the chapter's setup, the exercise's imports, the reference solutions of the exercises it
    builds on and its own, then each instructor checker (:func:`instructor_checker`), its random cases
    drawn with ``seed`` (0: the practice cases), on the reference wrapped in a recorder
    (:func:`ebmlib.assign.replay.record`). The chapter's context cells run only if the reference
    solutions need them (they can be slow: chapter 10's train models). ``ValueError`` if an exercise
    cannot be recorded.
    """
    from .catalogue import _parse
    from .replay import record

    order, seen = [], set()

    def add(label: str) -> None:
        if label in seen:
            return
        seen.add(label)
        for req in known[label].requires:
            add(req)
        order.append(known[label])

    add(ex.label)
    checkers = [instructor_checker(module, name, book_dir) for module, name in ex.checkers]
    from instructor.exercises import _seed  # importable now (instructor_checker put the clone on the path)

    def run(with_context: bool) -> list[dict]:
        ns: dict = {"__name__": "__assignment__", "get_ipython": lambda: None}
        code = [setup] + [c for e in order for c in (*e.imports, *(e.context if with_context else ()),
                                                     _strip_checker_calls(e.solution))]
        for snippet in code:
            exec(compile(_parse(snippet), "<assignment>", "exec"), ns)  # noqa: S102 - the book's own code
        with _seed.offset(seed):
            return [record(check, ns[_checked_function(call)]) for check, call in zip(checkers, ex.checker_calls)]

    if any(e.context for e in order):
        try:  # without the context cells first: most reference solutions do not need them
            return run(False)
        except Exception:  # noqa: BLE001 - a name the context defines: run it
            pass
    return run(True)


def assignment_seed(notebook: dict) -> int | None:
    """The seed of an nbgrader source notebook's graded cases (from its first hidden test block), or None."""
    for cell in notebook.get("cells", ()):
        source = "".join(cell.get("source", ""))
        m = re.search("^" + re.escape(SEED_NOTE) + r"(\d+)$", source, flags=re.M)
        if m:
            return int(m.group(1))
    return None


def _all_exercises(chapters: list[Chapter]) -> dict[str, Exercise]:
    return {ex.label: ex for ch in chapters for ex in ch.exercises}


def find_exercises(labels: list[str], chapters: list[Chapter]) -> list[Exercise]:
    """The exercises named by ``labels``, each preceded by the exercises it requires (once each).

    An unknown label raises ``KeyError`` whose message lists the closest labels.
    """
    known = _all_exercises(chapters)
    for label in labels:
        if label not in known:
            # every label starts with ex-chNN-, which inflates similarity: ask for a close match, or
            # for the query's name inside a label
            name = label.split("-", 2)[-1] if label.startswith("ex-ch") else label
            close = difflib.get_close_matches(label, known, n=5, cutoff=0.75)
            close += [k for k in known if name and name in k.split("-", 2)[-1] and k not in close][:5 - len(close)]
            hint = ("; close matches: " + ", ".join(close)) if close else "; see python -m ebmlib.assign --list"
            raise KeyError(f"unknown exercise label {label!r}{hint}")
    chosen: list[Exercise] = []

    def add(label: str) -> None:
        ex = known[label]
        if ex in chosen:
            return
        for required in ex.requires:
            add(required)
        chosen.append(ex)

    for label in labels:
        add(label)
    return chosen


def points(ex: Exercise) -> float:
    """nbgrader points of an exercise: one per checker call (coding), one per pen-and-paper exercise."""
    return float(len(ex.checker_calls)) if ex.kind == "code" else 1.0


def _strip_checker_calls(code: str) -> str:
    """``code`` without its top-level statements that call a checker (``check_x(f)``, ``print(check_x(f))``)."""
    tree = ast.parse(code)
    lines = code.split("\n")
    drop = set()
    for node in tree.body:
        if isinstance(node, ast.Expr) and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith("check_")
                for n in ast.walk(node)):
            drop.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return re.sub(r"\n{3,}", "\n\n\n", "\n".join(kept)).strip("\n")


def nbgrader_solution(solution: str, stub: str) -> str:
    """The reference code with nbgrader's solution markers.

    In each function the stub also defines, the body (after a docstring) goes between
    ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so nbgrader's release keeps the signature; any
    other top-level statement (a helper) is marked whole. The checker calls are dropped (they become
    the test cells).
    """
    code = _strip_checker_calls(solution)
    stub_names = bound_names(stub)
    lines = code.split("\n")
    tree = ast.parse(code)
    begin: dict[int, str] = {}  # line index -> indentation of a BEGIN marker inserted before it
    end: dict[int, str] = {}  # line index -> indentation of an END marker inserted after it
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in stub_names:
            body = node.body
            if (len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                body = body[1:]  # keep the docstring
            indent = " " * body[0].col_offset
            begin[body[0].lineno - 1] = indent
            end[node.end_lineno - 1] = indent
        else:
            start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
            begin[start] = ""
            end[node.end_lineno - 1] = ""
    out = []
    for i, line in enumerate(lines):
        if i in begin:
            out.append(begin[i] + "### BEGIN SOLUTION")
        out.append(line)
        if i in end:
            out.append(end[i] + "### END SOLUTION")
    # merge an END directly followed by a BEGIN at the same indentation (consecutive helpers)
    text = "\n".join(out)
    return re.sub(r"\n([ \t]*)### END SOLUTION\n(\n*)\1### BEGIN SOLUTION\n", r"\n\2", text)


class _Notebook:
    """Accumulates cells; with ``nbgrader`` each cell gets nbgrader's metadata."""

    def __init__(self, nbgrader: bool):
        self.cells: list[dict] = []
        self.nbgrader = nbgrader

    def add(self, cell_type: str, source: str, *, grade_id: str | None = None, solution: bool = False,
            grade: bool = False, pts: float | None = None, tags: list[str] | None = None,
            exercise: str | None = None) -> None:
        cell = {"cell_type": cell_type, "id": f"cell-{len(self.cells)}", "metadata": {}, "source": source}
        if exercise:  # the cell whose checker verdicts grade this exercise (python -m ebmlib.assign --grade)
            cell["metadata"]["exercise"] = exercise
        if cell_type == "code":
            cell.update(execution_count=None, outputs=[])
        if tags:
            cell["metadata"]["tags"] = tags
        if self.nbgrader:
            meta = {"grade": grade, "grade_id": grade_id or f"cell-{len(self.cells)}", "locked": not solution,
                    "schema_version": 3, "solution": solution, "task": False}
            if grade:
                meta["points"] = pts
            cell["metadata"]["nbgrader"] = meta
        self.cells.append(cell)


def build_assignment(labels: list[str], *, solutions: bool = False, nbgrader: bool = False,
                     title: str | None = None, book_dir: str | Path | None = None,
                     chapters: list[Chapter] | None = None, seed: int | None = None) -> dict:
    """The assignment notebook (nbformat 4 JSON) with the exercises ``labels``, in that order.

    Exercises that a chosen one builds on (``requires``) are added before it. ``solutions`` puts the
    reference solutions in place of the stubs; ``nbgrader`` writes nbgrader's source notebook (which
    holds the solutions, between markers) whose graded tests replay calls recorded now, with random
    cases drawn from ``seed`` (default: a random number, not derived from anything the students see;
    never 0, the practice checkers' cases). The seed is written only inside the first hidden test block
    of the source (nbgrader removes it from the release): with the public repository, it would let a
    student regenerate the graded values. Raises ``KeyError`` for an unknown label.
    """
    if solutions and nbgrader:
        raise ValueError("choose either solutions=True or nbgrader=True (the nbgrader source holds the solutions)")
    chapters = chapters if chapters is not None else load_catalogue(book_dir)
    exercises = find_exercises(list(labels), chapters)
    by_number = {ch.number: ch for ch in chapters}
    titles = {k: v for ch in chapters for k, v in ch.ref_titles.items()}
    equations = {k: v for ch in chapters for k, v in ch.equations.items()}
    exercises_by_label = _all_exercises(chapters)
    if seed is None:  # random: a seed derived from the title and labels, which students see, could be recomputed
        seed = 1 + secrets.randbelow(2_000_000_000)
    elif seed == 0:
        raise ValueError("seed 0 draws the practice checkers' cases, which students have: choose another")
    nb = _Notebook(nbgrader)

    minutes = [ex.minutes for ex in exercises]
    total = f", about {sum(minutes)} minutes" if all(m is not None for m in minutes) else ""
    listing = "\n".join(f"{i}. {ex.title} (`{ex.label}`, chapter {ex.chapter}, {ex.kind}"
                        + (f", {ex.minutes} min" if ex.minutes is not None else "") + ")"
                        for i, ex in enumerate(exercises, 1))
    # the nbgrader source's title is what students receive after `nbgrader generate_assignment`: no
    # instructor text in it (the source's nature is in the notebook's metadata, ebmlib_assignment)
    edition = " (instructor version, with solutions)" if solutions else ""
    head = (f"# {title or 'Assignment'}{edition}\n\nExercises from *Energy-Based Models: a course companion*"
            f"{total}:\n\n{listing}\n\nRun the setup cell first, then each exercise from top to bottom. A "
            "coding exercise ends with a call to its checker, which answers `correct`, `incorrect: ...` "
            "(what differs) or `not attempted`.")
    nb.add("markdown", head, grade_id="title")
    nb.add("code", by_number[exercises[0].chapter].setup, grade_id="setup")

    seen_context: set[str] = set()
    seed_written = False
    for i, ex in enumerate(exercises, 1):
        meta = f"`{ex.label}`, chapter {ex.chapter}" + (f", about {ex.minutes} min" if ex.minutes else "")
        statement = with_equations(to_plain_markdown(ex.statement, titles), ex.statement, equations)
        nb.add("markdown", f"## Exercise {i}: {ex.title}\n\n*{meta}*\n\n{statement}", grade_id=f"{ex.label}-statement")
        if ex.kind == "math":
            if nbgrader:
                nb.add("markdown", to_plain_markdown(ex.solution_text, titles), grade_id=f"{ex.label}-answer",
                       solution=True, grade=True, pts=points(ex))
            elif solutions:
                nb.add("markdown", "**Solution.**\n\n" + to_plain_markdown(ex.solution_text, titles),
                       grade_id=f"{ex.label}-solution")
            else:
                nb.add("markdown", "**Your answer.**\n\n", grade_id=f"{ex.label}-answer")
            continue
        imports = [s for s in ex.imports if s not in seen_context]
        context = [c for c in ex.context if c not in seen_context]
        seen_context.update(imports + context)
        if imports:
            nb.add("code", f"# What exercise {i} needs from chapter {ex.chapter}\n" + "\n".join(imports),
                   grade_id=f"{ex.label}-imports", tags=["exercise-context"])
        for k, code in enumerate(context):
            nb.add("code", code, grade_id=f"{ex.label}-context-{k}", tags=["exercise-context"])
        if nbgrader:
            nb.add("code", nbgrader_solution(ex.solution, ex.stub), grade_id=f"{ex.label}-solution", solution=True)
            share = points(ex) / len(ex.checker_calls)
            recorded = record_exercise(ex, exercises_by_label, by_number[ex.chapter].setup, seed=seed,
                                       book_dir=book_dir)
            for k, call in enumerate(ex.checker_calls):
                module, name = ex.checkers[k]
                seed_note = "" if seed_written else f"{SEED_NOTE}{seed}\n"
                seed_written = True
                # graded by the values recorded now (other cases than the practice checker's), with the
                # replay code in the cell, all hidden from the student's release
                test = (f"# Autograded: {share:g} point(s). The checker's verdict is for your practice;\n"
                        f"# the grade comes from tests that the release does not show, and an\n"
                        f"# answer that calls ebmlib's own functions gets no point: write it yourself.\n"
                        f"from {module} import {name}\n\nprint({call})\n"
                        f"### BEGIN HIDDEN TESTS\n{seed_note}{test_code(_checked_function(call), recorded[k])}\n"
                        f"### END HIDDEN TESTS")
                nb.add("code", test, grade_id=f"{ex.label}-test-{k}", grade=True, pts=share, exercise=ex.label)
            continue
        if solutions:
            if ex.solution_text:
                nb.add("markdown", "**Solution.**\n\n" + to_plain_markdown(ex.solution_text, titles),
                       grade_id=f"{ex.label}-solution-text")
            nb.add("code", ex.checker_import + "\n\n\n" + ex.solution, grade_id=f"{ex.label}-solution",
                   exercise=ex.label)
        else:
            nb.add("code", ex.checker_import + "\n\n\n" + ex.stub, grade_id=f"{ex.label}-stub", exercise=ex.label)

    return {
        "cells": nb.cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            # no seed here: nbgrader copies the notebook's metadata into the student's release
            "ebmlib_assignment": {"exercises": [ex.label for ex in exercises], "solutions": solutions,
                                  "nbgrader": nbgrader},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
