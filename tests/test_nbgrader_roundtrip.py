"""An nbgrader round trip with the real nbgrader (0.9.x): generate_assignment, then autograde.

The source notebook comes from ``python -m ebmlib.assign ... --nbgrader``. In a temporary course
directory: the release holds no solution; a submission with the reference solutions gets full marks;
the unchanged release gets zero; a submission with one wrong answer loses exactly that exercise's
points, and so does one that answers it by calling the installed ebmlib; the release does not hold
the graded cases' seed; a pen-and-paper exercise is left for manual grading. About 60 s (four notebooks executed by
nbgrader's autograder, each in a fresh kernel).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is pinned in requirements.txt; install it to run this test")
from nbgrader.api import Gradebook  # noqa: E402

from ebmlib.assign import find_exercises, load_catalogue  # noqa: E402
from ebmlib.assign.build import points  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# gradient-inference and mh-step take a callable (an energy) and mh-step its noise: recorded too
LABELS = ["ex-ch01-gradient-inference", "ex-ch03-soft-minimum", "ex-ch05-hinge", "ex-ch05-hot-limit",
          "ex-ch06-mh-step"]
WRONG = "ex-ch05-hinge"  # the exercise answered wrongly in the third submission
# the fourth submission answers it with a call into the installed library: graded zero for it
LIBRARY_ANSWER = ("import ebmlib\n\n\ndef my_hinge_loss(f_pos, f_neg, margin):\n"
                  "    return ebmlib.losses.hinge_loss(f_pos, f_neg, margin)")

pytestmark = pytest.mark.slow


def _nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           # nbgrader runs the `alembic` command of its environment
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    force = ["--force"] if args[0] in ("generate_assignment", "autograde") else []
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, *force], cwd=course, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # the configuration is one nbgrader 0.9 knows (autograde's other warnings, e.g. that it restored
    # the hidden tests of a released test cell, are expected)
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "WARNING" in line and ("Config option" in line or "not recognized" in line)]
    assert not warnings, f"nbgrader {' '.join(args)} warned about its configuration: {warnings}"


def _unmark(source: str) -> str:
    """A solution cell's source as a student who wrote the reference solution hands it in."""
    return re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION\n", "", source + "\n", flags=re.M).rstrip("\n")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    students = ["full", "empty", "one_wrong", "library"]
    # the instructor guide's configuration: nbgrader 0.9 knows no db_assignments / db_students (the
    # assignment enters the gradebook with generate_assignment, students with `nbgrader db student add`)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'ebm'\n")
    for student in students:
        _nbgrader(course, "db", "student", "add", student)
    source = course / "source" / "hw1" / "hw1.ipynb"
    subprocess.run([sys.executable, "-m", "ebmlib.assign", *LABELS, "--nbgrader", "-o", str(source)],
                   check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _nbgrader(course, "generate_assignment", "hw1")

    src = json.loads(source.read_text())
    release_path = course / "release" / "hw1" / "hw1.ipynb"
    release = json.loads(release_path.read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in src["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}  # code, and the math answer

    def submission(student: str, wrong: str | None = None, empty: bool = False, library: bool = False) -> None:
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers and not empty:
                code = _unmark(answers[grade_id])
                if wrong and grade_id.startswith(wrong):
                    code = code.replace(".mean()", ".sum()")  # a typical mistake: the batch sum
                    assert code != _unmark(answers[grade_id])
                if library and grade_id.startswith(WRONG) and cell["cell_type"] == "code":
                    code = LIBRARY_ANSWER
                cell["source"] = code
        target = course / "submitted" / student / "hw1" / "hw1.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb))

    submission("full")
    submission("empty", empty=True)
    submission("one_wrong", wrong=WRONG)
    submission("library", library=True)
    _nbgrader(course, "autograde", "hw1")
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            sub = gb.find_submission("hw1", student)
            grades = {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for nb in sub.notebooks
                      for g in nb.grades}
            scores[student] = grades
    return {"root": course, "source": src, "release": release, "release_text": release_path.read_text(),
            "scores": scores}


def _exercise(grade_id: str) -> str:
    return re.sub(r"-(test-\d+|answer)$", "", grade_id)


def test_release_has_no_solutions(course):
    chapters = load_catalogue(ROOT / "book")
    text = "\n".join("".join(c["source"]) for c in course["release"]["cells"])
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    # no instructor text, and the graded tests' recorded values stay out of the release
    assert "nbgrader source" not in text and "solutions between markers" not in text
    assert "HIDDEN TESTS" not in text and "replay(" not in text
    source = "\n".join("".join(c["source"]) for c in course["source"]["cells"])
    # every coding exercise is graded by values recorded at build time, with the replay code in the
    # hidden cell: no test asks the installed checker or imports ebmlib.assign
    coding = [ex for ex in find_exercises(LABELS, chapters) if ex.kind == "code"]
    assert source.count("### BEGIN HIDDEN TESTS") == sum(len(ex.checker_calls) for ex in coding) == 5
    assert "assert verdict" not in source and "ebmlib.assign" not in source
    assert "_b64" not in text and "zlib" not in text
    for ex in find_exercises(LABELS, chapters):
        body = ex.solution if ex.kind == "code" else ex.solution_text
        for line in body.splitlines():
            line = line.strip()
            if len(line) > 15 and not line.startswith(("def ", "check_", "print(")) and line not in ex.stub:
                assert line not in text, f"{ex.label}: the release shows {line!r}"


def test_release_does_not_hold_the_graded_cases_seed(course):
    """With the public repository, the seed would regenerate the graded values: it stays in the source."""
    from ebmlib.assign.build import assignment_seed

    seed = assignment_seed(course["source"])
    assert seed is not None and seed != 0
    assert "seed" not in course["source"]["metadata"].get("ebmlib_assignment", {})
    assert "seed" not in course["release"]["metadata"].get("ebmlib_assignment", {})
    assert str(seed) not in course["release_text"]


def test_an_answer_that_calls_the_library_gets_zero_for_that_exercise(course):
    full, lib = course["scores"]["full"], course["scores"]["library"]
    lost = {_exercise(k) for k in full if not full[k][2] and lib[k][0] != full[k][0]}
    assert lost == {WRONG}
    assert all(lib[k][0] == 0 for k in lib if _exercise(k) == WRONG and not lib[k][2])


def test_reference_solutions_get_full_marks(course):
    grades = course["scores"]["full"]
    auto = {k: v for k, v in grades.items() if not v[2]}
    assert len(auto) == len(grades) - 1 and all(score == max_score for score, max_score, _ in auto.values()), grades
    chapters = load_catalogue(ROOT / "book")
    coding = [ex for ex in find_exercises(LABELS, chapters) if ex.kind == "code"]
    assert sum(v[1] for v in auto.values()) == sum(points(ex) for ex in coding)


def test_math_exercise_is_left_for_manual_grading(course):
    manual = {k: v for k, v in course["scores"]["full"].items() if v[2]}
    assert [_exercise(k) for k in manual] == ["ex-ch05-hot-limit"]


def test_unchanged_release_gets_zero(course):
    grades = course["scores"]["empty"]
    assert all(score == 0 for score, _, manual in grades.values() if not manual), grades


def test_one_wrong_answer_loses_exactly_its_points(course):
    full, wrong = course["scores"]["full"], course["scores"]["one_wrong"]
    lost = {_exercise(k) for k in full if not full[k][2] and wrong[k][0] != full[k][0]}
    assert lost == {WRONG}
    total = lambda g: sum(v[0] for v in g.values() if not v[2])  # noqa: E731
    chapters = load_catalogue(ROOT / "book")
    (ex,) = [e for e in find_exercises([WRONG], chapters)]
    assert total(full) - total(wrong) == points(ex)


