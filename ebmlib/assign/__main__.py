"""Command line: ``python -m ebmlib.assign`` (see ``--help``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .build import assignment_seed, build_assignment, find_exercises
from .catalogue import Chapter, load_catalogue
from .grade import grade_notebook
from .student import write_student_edition

EXAMPLES = """examples:
  python -m ebmlib.assign --list
  python -m ebmlib.assign ex-ch01-min-sum ex-ch03-soft-minimum ex-ch05-hinge -o hw1.ipynb
  python -m ebmlib.assign ex-ch01-min-sum ex-ch03-soft-minimum ex-ch05-hinge --solutions -o hw1_solutions.ipynb
  python -m ebmlib.assign ex-ch01-min-sum ex-ch03-soft-minimum ex-ch05-hinge --nbgrader -o source/hw1/hw1.ipynb
  python -m ebmlib.assign --student-edition _build/student
  python -m ebmlib.assign --grade hw1_alice.ipynb hw1_bob.ipynb
"""


def catalogue_rows(chapters: list[Chapter]) -> list[tuple[str, str, str, str, str]]:
    """(label, chapter, kind, minutes, title) for every exercise, in book order."""
    return [(ex.label, str(ex.chapter), ex.kind, "?" if ex.minutes is None else str(ex.minutes), ex.title)
            for ch in chapters for ex in ch.exercises]


def format_catalogue(chapters: list[Chapter]) -> str:
    """The catalogue as a plain-text table, with totals per chapter."""
    header = ("label", "chapter", "kind", "minutes", "title")
    rows = catalogue_rows(chapters)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4]  # noqa: E731
    out = [line(header), line(tuple("-" * w for w in widths) + ("-----",))]
    out += [line(r) for r in rows]
    out.append("")
    for ch in chapters:
        code = sum(ex.kind == "code" for ex in ch.exercises)
        mins = [ex.minutes for ex in ch.exercises]
        total = f", {sum(mins)} min" if all(m is not None for m in mins) else ""
        out.append(f"chapter {ch.number} ({ch.notebook}): {len(ch.exercises)} exercises, {code} coding{total}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ebmlib.assign", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Browse the book's exercises, build an assignment from chosen ones, or write the "
                    "student edition of every chapter. Everything is generated from book/NN_*.ipynb.")
    parser.add_argument("labels", nargs="*", metavar="LABEL", help="exercise labels, e.g. ex-ch05-hinge")
    parser.add_argument("--list", action="store_true", help="print the exercise catalogue")
    parser.add_argument("-o", "--output", help="the assignment notebook to write (e.g. hw1.ipynb)")
    parser.add_argument("--title", help="the assignment's title (default: the output file's name)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--solutions", action="store_true", help="the instructor's version, with the solutions")
    mode.add_argument("--nbgrader", action="store_true", help="an nbgrader source notebook")
    parser.add_argument("--student-edition", metavar="OUT_DIR",
                        help="write every chapter notebook without its solutions into OUT_DIR")
    parser.add_argument("--grade", nargs="+", metavar="NOTEBOOK",
                        help="run handed-in assignment notebooks and report each exercise's verdict")
    parser.add_argument("--seed", type=int, help="with --nbgrader: the seed of the graded tests' random cases "
                        "(default: a random one; 0, the practice cases, is refused). Keep it private: it is "
                        "written only in the source notebook's hidden tests, not in the release")
    parser.add_argument("--book", metavar="DIR", help="the folder of the chapter notebooks (default: book/)")
    args = parser.parse_args(argv)

    if args.student_edition:
        written = write_student_edition(args.student_edition, args.book)
        print(f"student edition: {len(written)} notebooks without solutions in {args.student_edition}")
        return 0
    if args.grade:
        for path in args.grade:
            result = grade_notebook(path)
            for label, verdict in result.items():
                print(f"{path}: {label}: {verdict}")
            coding = [v for v in result.values() if v != "grade by hand"]
            print(f"{path}: {sum(v == 'correct' for v in coding)} of {len(coding)} coding exercises correct")
        return 0
    chapters = load_catalogue(args.book)
    if args.list:
        print(format_catalogue(chapters))
        return 0
    if not args.labels:
        parser.error("name at least one exercise label (see --list), or use --list / --student-edition")
    if not args.output:
        parser.error("-o/--output is required to build an assignment")
    try:
        chosen = find_exercises(args.labels, chapters)
    except KeyError as err:
        print(f"error: {err.args[0]}", file=sys.stderr)
        return 2
    added = [ex.label for ex in chosen if ex.label not in args.labels]
    if added:
        print(f"added, because a chosen exercise builds on it: {', '.join(added)}", file=sys.stderr)
    out = Path(args.output)
    try:
        nb = build_assignment(args.labels, solutions=args.solutions, nbgrader=args.nbgrader,
                              title=args.title or out.stem, chapters=chapters, book_dir=args.book,
                              seed=args.seed)
    except (RuntimeError, ValueError) as err:  # no clone (instructor/), seed 0
        print(f"error: {err}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    version = "instructor version" if args.solutions else "nbgrader source" if args.nbgrader else "student version"
    print(f"wrote {out} ({version}): {len(chosen)} exercises from chapters "
          f"{', '.join(str(c) for c in sorted({ex.chapter for ex in chosen}))}")
    if args.nbgrader:
        print(f"graded cases drawn with --seed {assignment_seed(nb)} (kept in the source notebook's hidden tests, "
              "not in the release; keep it and the source folder private)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
