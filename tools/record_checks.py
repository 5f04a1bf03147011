"""Record the practice checkers' expected values: ``ebmlib/exercises/data/chNN.json``.

    python tools/record_checks.py              # write the files for every chapter
    python tools/record_checks.py --check      # compare a fresh recording with the shipped files
    python tools/record_checks.py --chapters 5 6

For every coding exercise of the book, the instructor's checker (``instructor/exercises/chNN.py``) is
run on the chapter's reference solution wrapped in a recorder, with the practice cases (seed 0);
the calls it makes (arguments and results) become the package data that the students' checkers
(``ebmlib.exercises.chNN``) replay. The reference code itself stays in this repository. Run it after
changing a reference solution or an instructor checker; ``tests/test_practice_checkers.py`` fails
while the shipped data differ from a fresh recording.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "ebmlib" / "exercises" / "data"


def _candidates(number: int) -> list:
    """The right and wrong answers of ``tests/test_exercises_chNN.py`` (its top-level functions)."""
    import importlib
    import inspect

    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    module = importlib.import_module(f"test_exercises_ch{number:02d}")
    out = [fn for name, fn in vars(module).items()
           if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("test_")]
    # and the answers written inline, check_x(lambda ...), where they use only the module's names
    import ast

    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Lambda):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func.startswith("check_"):
                try:
                    out.append(eval(compile(ast.Expression(node.args[0]), module.__file__, "eval"), vars(module)))  # noqa: S307
                except Exception:  # noqa: BLE001 - a lambda that needs a local name
                    pass
    return out


def add_mistakes(rec: dict, instructor_check, candidates) -> dict:
    """``rec`` with the typical mistakes: each wrong answer of the checker's tests that the instructor's
    checker diagnoses (a hint, not "wrong value ...") while the replay alone would only say "wrong result"."""
    import torch

    from ebmlib.exercises import _recorded
    from ebmlib.exercises._common import _guarded

    mistakes, nonfinite = [], {}
    for fn in candidates:
        hint = str(instructor_check(fn))
        if not hint.startswith("incorrect: ") or hint.startswith("incorrect: wrong"):
            continue
        try:
            generic = _recorded.check(_guarded(fn), rec)
        except Exception:  # noqa: BLE001 - the candidate raises: not a value mistake
            continue
        if generic.startswith(f"incorrect: {_recorded.NONFINITE} (case "):
            case = int(generic.split("(case ")[1].split()[0])
            nonfinite.setdefault(case, hint[len("incorrect: "):])
            continue
        if not generic.startswith("incorrect: wrong result"):
            continue
        results = []
        for args, kwargs, ts, ns, _ in rec["calls"]:
            state = torch.get_rng_state()
            try:
                results.append(_recorded.to_data(_recorded.call(fn, args, kwargs, ts, ns)))
            except Exception:  # noqa: BLE001
                results.append(None)
            finally:
                torch.set_rng_state(state)
        if hint[len("incorrect: "):] not in [h for h, _ in mistakes]:
            mistakes.append((hint[len("incorrect: "):], results))
    return {**rec, **({"mistakes": mistakes} if mistakes else {}),
            **({"nonfinite_hints": nonfinite} if nonfinite else {})}


def record_chapter(chapter, known) -> dict[str, str]:
    """``{checker name: encoded recording}`` for the coding exercises of ``chapter`` (a Chapter)."""
    from ebmlib.assign.build import instructor_checker
    from ebmlib.assign.build import record_exercise
    from ebmlib.exercises import _recorded

    out: dict[str, str] = {}
    for ex in chapter.exercises:
        if ex.kind != "code":
            continue
        for (module, name), rec in zip(ex.checkers, record_exercise(ex, known, chapter.setup, seed=0,
                                                                     book_dir=ROOT / "book")):
            if module != f"ebmlib.exercises.ch{chapter.number:02d}":
                raise ValueError(f"{ex.label}: checker {module}.{name} of another chapter")
            if name in out:
                raise ValueError(f"{ex.label}: checker {name} is called by two exercises")
            out[name] = _recorded.encode(add_mistakes(rec, instructor_checker(module, name, ROOT / "book"),
                                                      _candidates(chapter.number)))
    return out


def _skeleton(data):
    """Encoded data with every array replaced by its dtype and shape (to compare the rest exactly)."""
    import numpy as np

    if isinstance(data, np.ndarray):
        return ("array", str(data.dtype), data.shape)
    if isinstance(data, (tuple, list)):
        return tuple(_skeleton(v) for v in data)
    if isinstance(data, dict):
        return {k: _skeleton(v) for k, v in data.items()}
    return data


def same_recording(a: dict, b: dict) -> bool:
    """Two recordings with the same options and calls (arguments exactly, results to 1e-9)."""
    import numpy as np

    from ebmlib.exercises._recorded import _arrays

    opts = lambda r: {k: v for k, v in r.items() if k not in ("calls", "mistakes")}  # noqa: E731
    if opts(a) != opts(b) or len(a["calls"]) != len(b["calls"]):
        return False
    ma, mb = a.get("mistakes", []), b.get("mistakes", [])
    if [h for h, _ in ma] != [h for h, _ in mb] or _skeleton(ma) != _skeleton(mb):
        return False
    if not all(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True) for x, y in zip(_arrays(ma), _arrays(mb))):
        return False
    for ca, cb in zip(a["calls"], b["calls"]):
        if _skeleton(ca) != _skeleton(cb):
            return False
        args_a, args_b = _arrays(ca[:2]), _arrays(cb[:2])
        if not all(np.array_equal(x, y, equal_nan=True) for x, y in zip(args_a, args_b)):
            return False
        res_a, res_b = _arrays(ca[4]), _arrays(cb[4])
        if not all(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True) for x, y in zip(res_a, res_b)):
            return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files; write nothing")
    parser.add_argument("--chapters", nargs="+", type=int, help="only these chapters")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ebmlib.assign import load_catalogue
    from ebmlib.exercises import _recorded

    chapters = load_catalogue(ROOT / "book")
    known = {ex.label: ex for ch in chapters for ex in ch.exercises}
    bad = 0
    for ch in chapters:
        if args.chapters and ch.number not in args.chapters:
            continue
        fresh = record_chapter(ch, known)
        path = DATA / f"ch{ch.number:02d}.json"
        if args.check:
            shipped = json.loads(path.read_text()) if path.exists() else {}
            for name in sorted(set(fresh) | set(shipped)):
                ok = (name in fresh and name in shipped
                      and same_recording(_recorded.decode(fresh[name]), _recorded.decode(shipped[name])))
                if not ok:
                    bad += 1
                    print(f"{path.name}: {name} differs from a fresh recording")
            print(f"chapter {ch.number}: {len(fresh)} checkers compared")
        else:
            DATA.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(fresh, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}: {', '.join(sorted(fresh))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
