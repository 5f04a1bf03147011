"""The student edition (python -m ebmlib.assign --student-edition) removes every solution and keeps every exercise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ebmlib.assign import student as student_edition

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": 1}


def texts(nb):
    return ["".join(c["source"]) for c in nb["cells"]]


def test_strips_math_and_gated_solutions_and_keeps_exercises():
    nb = {"cells": [
        md("```{exercise}\n:label: ex-a\nDerive it.\n```"),
        md("````{solution} ex-a\n:class: dropdown\nThe answer is 42.\n```python\nx = 1\n```\n````"),
        md("```{exercise}\n:label: ex-b\nCode it.\n```"),
        code("def f():\n    raise NotImplementedError\ncheck(f)"),
        md("```{solution-start} ex-b\n:class: dropdown\n```"),
        code("def f():\n    return 42\ncheck(f)"),
        md("```{solution-end}\n```"),
        md("Intro text\n\n```{solution} ex-a\nsecret\n```\n"),
        md("## Summary"),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = student_edition.strip_solutions(nb)
    joined = "\n".join(texts(out))
    assert "42" not in joined and "secret" not in joined and "return 42" not in joined
    assert "solution" not in joined
    assert texts(out) == [
        "```{exercise}\n:label: ex-a\nDerive it.\n```",
        "```{exercise}\n:label: ex-b\nCode it.\n```",
        "def f():\n    raise NotImplementedError\ncheck(f)",
        "Intro text",
        "## Summary",
    ]


def test_text_sharing_a_cell_with_the_gates_is_kept():
    nb = {"cells": [
        md("Before the solution.\n\n```{solution-start} ex-a\n:class: dropdown\n```"),
        code("answer = 42"),
        md("```{solution-end}\n```\n\n```{exercise}\n:label: ex-b\nNext one.\n```"),
        md("```{solution-start} ex-b\n```"),
        md("Hidden explanation."),
        md("```{solution-end}\n```"),
    ]}
    out = student_edition.strip_solutions(nb)
    assert texts(out) == ["Before the solution.", "```{exercise}\n:label: ex-b\nNext one.\n```"]


def test_unclosed_gate_is_an_error():
    nb = {"cells": [md("```{solution-start} ex\n```"), code("x = 1")]}
    with pytest.raises(ValueError, match="no matching"):
        student_edition.strip_solutions(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_real_notebooks_lose_every_solution_and_keep_every_exercise(path, tmp_path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = student_edition.strip_solutions(nb)
    before, after = "\n".join(texts(nb)), "\n".join(texts(out))
    exercises = re.findall(r"\{exercise\}", before)
    assert len(exercises) >= 4, f"{path.name}: fewer than four exercises"
    assert len(re.findall(r"\{exercise\}", after)) == len(exercises)
    assert "{solution" not in after
    assert "{solution" in before, f"{path.name}: the instructor edition has no solutions"
    assert len(out["cells"]) < len(nb["cells"])
