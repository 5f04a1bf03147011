"""The student edition of the chapter notebooks: the same notebooks without solutions.

    python -m ebmlib.assign --student-edition OUT_DIR     # python3 tasks.py book writes _build/student

What is removed:
- every ```{solution} ...``` directive (math solutions) from markdown cells; a cell left empty goes;
- everything from a ```{solution-start} ...``` directive to the matching ```{solution-end}```
  directive (coding solutions: the reference code and its checker call); markdown before the start
  or after the end, in the same cells, stays.
Everything else stays, including each exercise, its stub cell and the stub's "not attempted" output,
so students see where to write and how to check. Nothing is committed: the edition is generated from
the one source of truth, the notebooks in book/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .catalogue import default_book_dir

__all__ = ["strip_solutions", "write_student_edition"]

# A MyST directive block: an opening fence of 3+ backticks or colons, {solution}, up to the same fence.
SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}[^\n]*\n.*?^(?P=fence)[ \t]*$\n?", re.M | re.S
)
START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.M)
# The {solution-end} directive block (its opening fence to its closing fence).
END_BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution-end\}[^\n]*\n(?:.*?\n)??(?P=fence)[ \t]*$\n?", re.M | re.S)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def strip_solutions(nb: dict) -> dict:
    """Return a copy of notebook ``nb`` (nbformat 4 JSON) without its solutions."""
    cells, inside = [], False
    for cell in nb["cells"]:
        text = _source(cell)
        is_md = cell["cell_type"] == "markdown"
        kept = None  # the part of a markdown cell that is not solution
        if is_md and not inside and START.search(text):
            inside = True
            kept = text[: START.search(text).start()]
            text = text[START.search(text).start():]
        if inside:
            end = END_BLOCK.search(text) if is_md else None
            if end is None:
                if kept is not None and kept.strip():
                    cells.append({**cell, "source": kept.strip("\n")})
                continue
            inside = False
            text = (kept or "") + text[end.end():]
        if is_md and "{solution}" in text:
            text = SOLUTION_BLOCK.sub("", text)
        if is_md:
            if not text.strip():
                continue
            if text != _source(cell):
                cell = {**cell, "source": text.strip("\n")}
        cells.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    out = {**nb, "cells": cells}
    return out


def write_student_edition(out_dir: str | Path, book_dir: str | Path | None = None) -> list[Path]:
    """Write every chapter notebook of ``book_dir`` without its solutions into ``out_dir``."""
    book = Path(book_dir) if book_dir is not None else default_book_dir()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(book.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        target = out / path.name
        target.write_text(json.dumps(strip_solutions(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written
