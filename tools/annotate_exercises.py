#!/usr/bin/env python3
"""Add the exercise metadata that ``python -m ebmlib.assign`` reads to the chapter notebooks (idempotent).

    PYTHONPATH=$PWD .venv/bin/python tools/annotate_exercises.py [--book DIR] [--check]

For every exercise it adds, where missing, ``{"title": ..., "minutes": ...}`` under
``metadata["exercises"][<label>]`` of the markdown cell that states it: the values below for the
exercises that existed when this script was written, else the humanised label and a default
(15 minutes for a pen-and-paper exercise, 20 for a coding one), printed so that the author adjusts
them in the notebook (Jupyter: Property Inspector > Cell Metadata). Values already in a notebook are
never overwritten: after the first run the notebooks are the source of truth.

For every coding exercise whose code reads a name that no import and no earlier exercise provides,
it tags the last cell above the exercise that defines the name with ``exercise-context`` (and, in
turn, what that cell needs). ``--check`` writes nothing and exits 1 when a notebook would change.
Only the metadata changes; sources and outputs are untouched, and a notebook is rewritten only when
its metadata changed, in Jupyter's own format (nbformat: sorted keys, one-space indent, a final newline).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ebmlib.assign.catalogue import CONTEXT_TAG, _source, bound_names, parse_chapter  # noqa: E402

# The titles and time estimates of the exercises of chapters 1-5 (a one-time migration: the notebooks
# hold them after the first run, and authors edit them there).
INITIAL = {
    "ex-ch01-parabola-step": ("Step size and curvature on the parabola", 15),
    "ex-ch01-conditional-mean": ("Least squares predicts the conditional mean", 15),
    "ex-ch01-parabola-grad": ("The parabola's gradient by hand", 10),
    "ex-ch01-gradient-inference": ("Gradient inference, step by step", 20),
    "ex-ch01-min-sum": ("Min-sum dynamic programming on a chain", 30),
    "ex-ch02-centre": ("The centre of the ellipse", 10),
    "ex-ch02-ridge": ("The ridge along the long axis", 20),
    "ex-ch02-grid-bound": ("How fine must the latent grid be?", 20),
    "ex-ch02-noise": ("Why noisy samples sit at sigma squared", 15),
    "ex-ch02-table": ("The latent energy table, broadcast", 15),
    "ex-ch02-search": ("Exhaustive search over the latent", 15),
    "ex-ch02-map": ("The free-energy map", 15),
    "ex-ch03-bounds": ("The free energy lies between the minimum and the mean", 15),
    "ex-ch03-gaussian": ("A Gaussian latent in closed form", 25),
    "ex-ch03-monotone": ("The free energy never increases with beta", 25),
    "ex-ch03-curvature": ("The curvature of the free energy", 25),
    "ex-ch03-soft-minimum": ("A stable soft minimum", 20),
    "ex-ch03-gibbs-grid": ("The Gibbs density on a grid", 15),
    "ex-ch04-conditional-mean": ("Least squares and the conditional mean", 15),
    "ex-ch04-horn-centre": ("The horn's conditional mean", 20),
    "ex-ch04-free-energy": ("The horn's zero-temperature free energy", 15),
    "ex-ch04-masked-loss": ("The masked-token loss", 20),
    "ex-ch04-collapse": ("When a linear latent collapses", 20),
    "ex-ch05-hot-limit": ("Warm training in the hot limit", 20),
    "ex-ch05-moment-matching": ("Maximum likelihood matches moments", 15),
    "ex-ch05-hinge": ("The hinge loss", 10),
    "ex-ch05-log-loss": ("A stable log loss with many negatives", 20),
    "ex-ch05-ml-gradient": ("The maximum-likelihood gradient on a grid", 25),
}
DEFAULT_MINUTES = {"math": 15, "code": 20}


def _humanise(label: str) -> str:
    words = label.split("-", 2)[-1].replace("-", " ")
    return words[:1].upper() + words[1:]


def annotate(nb: dict, name: str) -> list[str]:
    """Add the missing metadata to notebook ``nb`` in place; return what was added, one line each."""
    notes = []
    chapter = parse_chapter(nb, name)
    for ex in chapter.exercises:
        cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown"
                    and f":label: {ex.label}" in _source(c))
        meta = cell.setdefault("metadata", {}).setdefault("exercises", {}).setdefault(ex.label, {})
        title, minutes = INITIAL.get(ex.label, (_humanise(ex.label), DEFAULT_MINUTES[ex.kind]))
        for key, value in (("title", title), ("minutes", minutes)):
            if key not in meta:
                meta[key] = value
                guessed = "" if ex.label in INITIAL else "  (a default: adjust it in the notebook)"
                notes.append(f"{name}: {ex.label}: {key} = {value!r}{guessed}")

    # context tags: until every coding exercise's names are provided
    for _ in range(50):
        chapter = parse_chapter(nb, name)
        exercise_code = {c for ex in chapter.exercises for c in (ex.stub, ex.solution)}
        todo = [(ex, n) for ex in chapter.exercises for n in ex.unresolved]
        if not todo:
            break
        changed = False
        for ex, missing in todo:
            statement = next(i for i, c in enumerate(nb["cells"]) if f":label: {ex.label}" in _source(c))
            for cell in reversed(nb["cells"][:statement]):
                src = _source(cell)
                if (cell["cell_type"] == "code" and src.strip() and src not in exercise_code
                        and not any(src in code for code in exercise_code) and missing in bound_names(src)):
                    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                    if CONTEXT_TAG not in tags:
                        tags.append(CONTEXT_TAG)
                        changed = True
                        notes.append(f"{name}: tagged {CONTEXT_TAG} the cell defining {missing!r} "
                                     f"(needed by {ex.label}): {src.strip().splitlines()[0][:60]!r}")
                    break
        if not changed:
            left = sorted({f"{ex.label}: {n}" for ex, n in todo})
            raise SystemExit(f"{name}: no cell above the exercise defines: {', '.join(left)}")
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", default=str(ROOT / "book"), help="folder of the chapter notebooks")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook lacks metadata")
    args = parser.parse_args()
    stale = []
    for path in sorted(Path(args.book).glob("[0-9][0-9]_*.ipynb")):
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        notes = annotate(nb, path.name)
        if not notes:
            continue
        stale.append(path)
        print("\n".join(notes))
        if not args.check:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    if args.check and stale:
        print(f"{len(stale)} notebook(s) lack exercise metadata: run tools/annotate_exercises.py")
        return 1
    print(f"{'checked' if args.check else 'annotated'}: "
          f"{len(stale)} notebook(s) {'would change' if args.check else 'changed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
