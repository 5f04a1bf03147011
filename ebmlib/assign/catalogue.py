"""The exercise catalogue: every ``{exercise}`` of the chapter notebooks, parsed into records.

A chapter notebook ``book/NN_name.ipynb`` writes each exercise as a sphinx-exercise directive with a
label ``ex-chNN-name``. A pen-and-paper (math) exercise is followed by a ``{solution} <label>``
directive; a coding exercise by a stub code cell and then its solution between the gates
``{solution-start} <label>`` and ``{solution-end}``. What the notebooks declare beyond that, in cell
metadata (``tools/annotate_exercises.py`` adds it; authors adjust it):

- on the markdown cell that states an exercise, ``metadata["exercises"][<label>]`` =
  ``{"title": ..., "minutes": ...}`` (several exercises can share a cell);
- on a code cell whose objects (data, a model, a helper) a coding exercise needs, the tag
  ``exercise-context``: the assignment builder copies it in front of any exercise of that chapter
  that comes after it in the notebook.

The rest of a coding exercise's context is derived from the code, not declared: its free names
(``ast``) that the chapter binds by an ``import`` become those import statements; names defined by an
earlier exercise's stub make that exercise a prerequisite (``requires``). ``tests/test_assign.py``
checks that this context is complete for every coding exercise of every chapter.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Exercise", "Chapter", "load_chapter", "parse_chapter", "load_catalogue", "default_book_dir", "free_names",
           "bound_names", "CONTEXT_TAG"]

CONTEXT_TAG = "exercise-context"
LABEL = re.compile(r"^ex-ch(\d{2})-[a-z0-9][a-z0-9-]*$")

# The opening of a MyST directive: a fence of 3+ backticks or colons, {name}, then the argument.
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>exercise|solution|solution-start|solution-end)\}"
                        r"[ \t]*(?P<arg>[^\n]*)\n", re.M)
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>[^\n]*)\n?", re.M)
_CHECKER_IMPORT = re.compile(r"^from ebmlib\.exercises(\.\w+)? import [^\n(]*(\([^)]*\))?[^\n]*\n?", re.M)


def default_book_dir() -> Path:
    """``book/`` of the source tree this package sits in, else ``./book``."""
    here = Path(__file__).resolve().parents[2] / "book"
    return here if here.is_dir() else Path.cwd() / "book"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# ---- names a code snippet uses and binds (enough for notebook cells; not a full scope analysis)

def _parse(code: str) -> ast.Module:
    if re.search(r"^\s*[%!]", code, re.M):  # IPython magics: turn them into get_ipython() calls
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(code)
    return ast.parse(code)


def bound_names(code: str) -> set[str]:
    """Every name ``code`` binds anywhere: assignments, defs, classes, imports, arguments, loops."""
    out = set()
    for node in ast.walk(_parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
    return out


def free_names(code: str) -> set[str]:
    """Names ``code`` reads but does not bind itself and that are not builtins."""
    loads = {n.id for n in ast.walk(_parse(code)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loads - bound_names(code) - set(dir(builtins)) - {"get_ipython"}


def _import_statements(code: str) -> dict[str, str]:
    """Map each name a top-level import of ``code`` binds to that import, written for that name alone."""
    out = {}
    for node in _parse(code).body:
        if isinstance(node, ast.Import):
            for a in node.names:
                out[(a.asname or a.name).split(".")[0]] = (
                    f"import {a.name}" + (f" as {a.asname}" if a.asname else ""))
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for a in node.names:
                out[a.asname or a.name] = (f"from {node.module} import {a.name}"
                                           + (f" as {a.asname}" if a.asname else ""))
    return out


def _checker_calls(code: str) -> list[str]:
    """The source of every ``check_...(...)`` call in ``code``, in order."""
    calls = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_"):
            calls.append((node.lineno, node.col_offset, ast.get_source_segment(code, node)))
    return [c for _, _, c in sorted(calls)]


# ---- the records

@dataclass
class Exercise:
    """One exercise of the book, as the notebooks write it.

    ``statement`` and ``solution_text`` are MyST markdown (the directive bodies); ``stub`` and
    ``solution`` are code (coding exercises only): the stub cells without their ``ebmlib.exercises``
    import, and the solution's code cells, each with the checker calls. ``checker_calls`` are those
    calls (``check_log_loss(my_log_loss)``), ``checkers`` the ``ebmlib.exercises`` modules and names
    they use. ``context`` is the code that must run before the stub on its own: the chapter's import
    statements it needs, then the chapter's cells tagged ``exercise-context`` above it.
    """

    label: str
    chapter: int
    notebook: str
    title: str
    kind: str  # "math" or "code"
    minutes: int | None
    statement: str
    solution_text: str = ""
    stub: str = ""
    solution: str = ""
    checker_calls: list[str] = field(default_factory=list)
    checkers: list[tuple[str, str]] = field(default_factory=list)  # (module, name)
    imports: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # free names nothing above provides (a defect)
    dropdown: bool = True  # every solution directive of the exercise has :class: dropdown

    @property
    def checker_import(self) -> str:
        """``from ebmlib.exercises.chNN import check_a, check_b`` for this exercise's checkers."""
        lines = []
        for module in dict.fromkeys(m for m, _ in self.checkers):
            names = ", ".join(dict.fromkeys(n for m, n in self.checkers if m == module))
            lines.append(f"from {module} import {names}")
        return "\n".join(lines)


@dataclass
class Chapter:
    """A chapter notebook: its setup cell (the Colab install and the seed) and its exercises."""

    number: int
    notebook: str
    title: str
    setup: str
    exercises: list[Exercise]
    ref_titles: dict[str, str] = field(default_factory=dict)  # "/book/02_latent_variables" or a label -> "chapter 2 (Latent ...)", "eq-gibbs" -> "chapter 3"
    equations: dict[str, str] = field(default_factory=dict)  # "eq-gibbs" -> its LaTeX (what $$ ... $$ holds)


def _humanise(label: str) -> str:
    words = label.split("-", 2)[-1].replace("-", " ")
    return words[:1].upper() + words[1:]


def _events(cells: list[dict]):
    """The notebook as a stream: ("directive", name, arg, options, body, cell), ("text", str, cell), ("code", src, cell)."""
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "code":
            yield ("code", text, cell)
            continue
        if cell["cell_type"] != "markdown":
            continue
        pos = 0
        for m in _DIRECTIVE.finditer(text):
            if m.start() < pos:
                continue  # an opening fence inside a directive we already consumed
            if text[pos:m.start()].strip():
                yield ("text", text[pos:m.start()].strip("\n"), cell)
            fence = m.group("fence")
            close = re.compile(rf"^{re.escape(fence)}[ \t]*$\n?", re.M).search(text, m.end())
            if close is None:
                raise ValueError(f"a {{{m.group('name')}}} directive is not closed: {text[m.start():][:80]!r}")
            body = text[m.end():close.start()]
            options = {}
            while (opt := _OPTION.match(body)) is not None:
                options[opt.group("key")] = opt.group("value").strip()
                body = body[opt.end():]
            yield ("directive", m.group("name"), m.group("arg").strip(), options, body.strip("\n"), cell)
            pos = close.end()
        if text[pos:].strip():
            yield ("text", text[pos:].strip("\n"), cell)


def load_chapter(path: str | Path) -> Chapter:
    """Parse one chapter notebook ``NN_name.ipynb`` into its exercises (see the module docstring)."""
    path = Path(path)
    return parse_chapter(json.loads(path.read_text(encoding="utf-8")), path.name)


def parse_chapter(nb: dict, name: str) -> Chapter:
    """Parse a chapter notebook given as nbformat 4 JSON; ``name`` is its file name ``NN_name.ipynb``."""
    path = Path(name)
    number = int(path.name[:2])
    cells = nb["cells"]
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    setup = _source(code_cells[0]) if code_cells else ""

    exercises: list[Exercise] = []
    by_label: dict[str, Exercise] = {}
    current: Exercise | None = None
    state = "prose"  # prose | statement (after {exercise}) | solution (inside the gates)
    stub_cells: dict[str, list[str]] = {}
    solution_cells: dict[str, list[str]] = {}
    context_before: dict[str, list[str]] = {}  # label -> sources of tagged cells above it
    tagged: list[str] = []
    chapter_code: list[str] = []  # code cells that are not part of an exercise (imports come from here)

    for event in _events(cells):
        kind = event[0]
        if kind == "directive":
            _, name, arg, options, body, cell = event
            if name == "exercise":
                label = options.get("label", "")
                if not label:
                    raise ValueError(f"{path.name}: an exercise has no :label:")
                if label in by_label:
                    raise ValueError(f"{path.name}: the label {label} is used twice")
                meta = (cell.get("metadata", {}).get("exercises") or {}).get(label, {})
                current = Exercise(label=label, chapter=number, notebook=path.name,
                                   title=arg or meta.get("title") or _humanise(label), kind="math",
                                   minutes=meta.get("minutes"), statement=body)
                exercises.append(current)
                by_label[label] = current
                context_before[label] = list(tagged)
                state = "statement"
            elif name == "solution":
                target = by_label.get(arg)
                if target is None:
                    raise ValueError(f"{path.name}: a {{solution}} names {arg!r}, which is no exercise above it")
                target.solution_text = (target.solution_text + "\n\n" + body).strip()
                target.dropdown &= "dropdown" in options.get("class", "").split()
                state = "prose"
            elif name == "solution-start":
                current = by_label.get(arg)
                if current is None:
                    raise ValueError(f"{path.name}: a {{solution-start}} names {arg!r}, which is no exercise above it")
                current.kind = "code"
                current.dropdown &= "dropdown" in options.get("class", "").split()
                state = "solution"
            elif name == "solution-end":
                if state != "solution":
                    raise ValueError(f"{path.name}: a {{solution-end}} without a {{solution-start}}")
                state = "prose"
        elif kind == "text":
            if state == "solution":
                current.solution_text = (current.solution_text + "\n\n" + event[1]).strip()
        else:  # code
            _, src, cell = event
            if state == "statement":
                stub_cells.setdefault(current.label, []).append(src)
            elif state == "solution":
                solution_cells.setdefault(current.label, []).append(src)
            else:
                chapter_code.append(src)
                if CONTEXT_TAG in cell.get("metadata", {}).get("tags", []):
                    tagged.append(src)
    if state == "solution":
        raise ValueError(f"{path.name}: a {{solution-start}} has no matching {{solution-end}}")

    imports: dict[str, str] = {}
    for src in chapter_code:
        for name, stmt in _import_statements(src).items():
            imports.setdefault(name, stmt)
    checker_modules = {name: stmt.split()[1] for name, stmt in imports.items()
                       if stmt.startswith("from ebmlib.exercises")}
    stub_defines: dict[str, str] = {}  # function name -> label of the exercise whose stub defines it
    for ex in exercises:
        stubs = stub_cells.get(ex.label, [])
        if ex.kind != "code":
            ex.stub = "\n\n\n".join(stubs)  # a defect: code after a math exercise (the format test fails)
            continue
        for src in stubs:  # the stub's checker import is regenerated per exercise
            for name, stmt in _import_statements(src).items():
                if stmt.startswith("from ebmlib.exercises"):
                    checker_modules.setdefault(name, stmt.split()[1])
        ex.stub = "\n\n\n".join(_CHECKER_IMPORT.sub("", s).strip("\n") for s in stubs)
        ex.solution = "\n\n\n".join(s.strip("\n") for s in solution_cells.get(ex.label, []))
        ex.checker_calls = _checker_calls(ex.stub)
        names = [c.split("(", 1)[0] for c in ex.checker_calls]
        ex.checkers = [(checker_modules.get(n, f"ebmlib.exercises.ch{number:02d}"), n) for n in names]
        ex.context = context_before.get(ex.label, [])
        needed = set()
        for code in (ex.stub, ex.solution, *ex.context):
            if code:
                needed |= free_names(code)
        needed -= bound_names(setup) | set(names)
        for code in ex.context:
            needed -= bound_names(code)
        for name in sorted(needed):
            if name in imports and not imports[name].startswith("from ebmlib.exercises"):
                ex.imports.append(imports[name])
            elif name in stub_defines and stub_defines[name] != ex.label:
                ex.requires.append(stub_defines[name])
            else:
                ex.unresolved.append(name)
        ex.requires = list(dict.fromkeys(ex.requires))
        for src in stubs:
            for name in bound_names(_CHECKER_IMPORT.sub("", src)):
                stub_defines.setdefault(name, ex.label)
    title, refs, equations = path.stem, {}, {}
    for cell in cells:  # the equations this chapter labels ($$ ... $$ (eq-name))
        if cell["cell_type"] == "markdown":
            for latex, eq in re.findall(r"\$\$((?:(?!\$\$).)+?)\$\$[ \t]*\((eq-[\w-]+)\)", _source(cell), re.S):
                refs[eq] = f"chapter {number}"
                equations[eq] = latex
    for cell in cells:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^(?:\((?P<ref>[\w-]+)\)=\s*\n)?#[ \t]+(?P<title>[^\n]+)", _source(cell), re.M)
            if m:
                title = m.group("title").strip()
                refs[f"/book/{path.stem}"] = f"chapter {number} ({title})"  # {doc}`/book/NN_name`
                if m.group("ref"):
                    refs[m.group("ref")] = f"chapter {number} ({title})"
                break
    return Chapter(number=number, notebook=path.name, title=title, setup=setup, exercises=exercises,
                   ref_titles=refs, equations=equations)


def load_catalogue(book_dir: str | Path | None = None) -> list[Chapter]:
    """Every chapter notebook ``NN_*.ipynb`` of ``book_dir`` (default: the book of this source tree)."""
    book = Path(book_dir) if book_dir is not None else default_book_dir()
    paths = sorted(book.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no chapter notebooks NN_*.ipynb in {book}")
    return [load_chapter(p) for p in paths]
