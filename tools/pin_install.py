#!/usr/bin/env python3
"""Pin every chapter's Colab install line to the book's release, as _config.yml names it.

    python3 tools/pin_install.py          # rewrite the install line of every book/NN_*.ipynb
    python3 tools/pin_install.py --check  # only report notebooks whose line disagrees (exit 1 if any)

The release is defined once: ``repository.url`` and ``repository.branch`` in _config.yml. ``branch``
is the git ref the book is published from, and should be the release tag (``v0.1.0``) or a commit: the
Colab launch button opens each notebook at that ref (sphinx-book-theme builds its URL from it), and
the notebook's first code cell installs ebmlib from the same ref,

    %pip install --quiet "ebmlib @ git+https://github.com/<org>/<repo>@<ref>"

so a notebook never meets a library newer (or older) than itself. Only the quoted requirement of the
setup cell (the first code cell) is rewritten, as text, so the rest of each file is left byte for byte;
tests/test_book_config.py checks the same agreement. Run it after changing ``branch`` (and after merging
notebooks), then commit the notebooks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the requirement as it appears in the notebook's JSON text: "ebmlib @ git+URL@REF" (quotes escaped)
REQUIREMENT = re.compile(r'ebmlib @ git\+(?P<url>[^\s"\\@]+)@(?P<ref>[^\s"\\]+)')


def _config() -> dict:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    try:
        import yaml
        return yaml.safe_load(text)
    except ImportError:  # a bare python3: read the two keys of the `repository:` block by hand
        block = re.search(r"^repository:\n((?:[ \t]+.*\n)+)", text, re.M).group(1)
        keys = dict(re.findall(r"^[ \t]+(\w+):[ \t]*\"?([^\"\n#]*?)\"?[ \t]*(?:#.*)?$", block, re.M))
        return {"repository": keys}


def expected_requirement(config: dict | None = None) -> str:
    """``git+<repository.url>@<repository.branch>``, what every setup cell must install."""
    repo = (config or _config())["repository"]
    return f"git+{repo['url'].rstrip('/')}@{repo['branch']}"


def _setup_cell_source(nb: dict) -> str:
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if not code:
        return ""
    src = code[0].get("source", "")
    return "".join(src) if isinstance(src, list) else src


def pin(path: Path, wanted: str, write: bool) -> str | None:
    """Rewrite (or, without ``write``, check) one notebook; return what was wrong, None if it agreed."""
    text = path.read_text(encoding="utf-8")
    setup = _setup_cell_source(json.loads(text))
    found = ["git+" + m.group(0).split("git+", 1)[1] for m in REQUIREMENT.finditer(setup)]
    if len(found) != 1:
        return f"its setup cell has {len(found)} ebmlib install requirement(s), expected one"
    if found[0] == wanted:
        return None
    old = "ebmlib @ " + found[0]
    if text.count(old) != 1:  # the same requirement elsewhere in the file: refuse to guess
        return f"{old!r} occurs {text.count(old)} times in the file; fix it by hand"
    if write:
        path.write_text(text.replace(old, "ebmlib @ " + wanted), encoding="utf-8")
    return f"installed {found[0]}" + (f", now {wanted}" if write else f", _config.yml says {wanted}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="report disagreements, change nothing")
    ap.add_argument("--book", default=str(ROOT / "book"), help="folder of the chapter notebooks")
    args = ap.parse_args(argv)
    wanted = expected_requirement()
    notebooks = sorted(Path(args.book).glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        print(f"no chapter notebooks in {args.book}", file=sys.stderr)
        return 2
    bad = 0
    for path in notebooks:
        problem = pin(path, wanted, write=not args.check)
        if problem:
            print(f"{path.name}: {problem}")
            bad += args.check or "expected one" in problem or "by hand" in problem
    print(f"{len(notebooks)} notebooks; every setup cell installs ebmlib @ {wanted}" if not bad
          else f"{bad} notebook(s) disagree with _config.yml ({wanted})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
