"""Sphinx directives that write the instructor guide's tables from the chapter notebooks.

Loaded from _config.yml (sphinx.local_extensions). Nothing in these tables is typed by hand:

- ``{exercise-catalogue}``: every exercise of ``book/NN_*.ipynb`` as ``python -m ebmlib.assign --list``
  prints it (label, chapter, title, kind, minutes), each label linked to the exercise in the book;
  then one row per chapter with its counts against issue 13's target.
- ``{chapter-timings}``: how long each chapter took in its stored run, from the execution timestamps
  that ``jupyter execute`` stores in every code cell (first cell started to last cell finished).

Both note the notebooks as dependencies, so the page is rebuilt when a notebook changes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from ebmlib.assign import load_catalogue


class _MarkdownTable(SphinxDirective):
    has_content = False

    def notebooks(self) -> list[Path]:
        paths = sorted((Path(self.env.srcdir) / "book").glob("[0-9][0-9]_*.ipynb"))
        for path in paths:
            self.env.note_dependency(str(path))
        return paths

    def render(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=["generated-table"])
        self.state.nested_parse(StringList(lines, source="(generated from book/NN_*.ipynb)"), self.content_offset,
                                container)
        return [container]


class ExerciseCatalogue(_MarkdownTable):
    """The catalogue of every exercise, then the counts per chapter."""

    def run(self) -> list[nodes.Node]:
        self.notebooks()
        chapters = load_catalogue(Path(self.env.srcdir) / "book")
        lines = ["| label | chapter | title | kind | minutes |", "|---|---:|---|---|---:|"]
        for ch in chapters:
            for ex in ch.exercises:
                minutes = "?" if ex.minutes is None else str(ex.minutes)
                title = ex.title.replace("|", "\\|")
                lines.append(f"| {{ref}}`{ex.label} <{ex.label}>` | {ch.number} | {title} | {ex.kind} | {minutes} |")
        lines += ["", "| chapter | exercises | coding (with a checker) | pen and paper | minutes in all |",
                  "|---|---:|---:|---:|---:|"]
        for ch in chapters:
            code = sum(ex.kind == "code" for ex in ch.exercises)
            mins = [ex.minutes for ex in ch.exercises]
            total = str(sum(mins)) if all(m is not None for m in mins) else "?"
            lines.append(f"| {ch.number}. {ch.title} | {len(ch.exercises)} | {code} | {len(ch.exercises) - code} | {total} |")
        return self.render(lines)


def _stored_run_seconds(path: Path) -> float | None:
    """Seconds from the first cell's start to the last cell's reply in the notebook's stored run."""
    starts, ends = [], []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            starts.append(datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00")))
            ends.append(datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00")))
    if not starts:
        return None
    return (max(ends) - min(starts)).total_seconds()


class ChapterTimings(_MarkdownTable):
    """How long each chapter took to run, top to bottom, in the run whose outputs it stores."""

    def run(self) -> list[nodes.Node]:
        lines = ["| notebook | stored run (s) | budget (s) |", "|---|---:|---:|"]
        total = 0.0
        for path in self.notebooks():
            seconds = _stored_run_seconds(path)
            total += seconds or 0.0
            shown = "not recorded" if seconds is None else f"{seconds:.0f}"
            lines.append(f"| `{path.name}` | {shown} | 90 |")
        lines.append(f"| **all chapters** | **{total:.0f}** | 600 |")
        return self.render(lines)


def setup(app):
    app.add_directive("exercise-catalogue", ExerciseCatalogue)
    app.add_directive("chapter-timings", ChapterTimings)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
