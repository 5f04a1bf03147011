#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.10+, pip and git needed.

    python3 tasks.py book   # set up .venv and build the HTML book into _build/html
    python3 tasks.py test   # set up .venv and run every check (what CI runs, via .ci/run)

Both create the virtual environment `.venv` from requirements.txt the first time (and again whenever
requirements.txt or pyproject.toml changes), so each works on a fresh clone.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
HTML = ROOT / "_build" / "html"


def say(msg: str) -> None:
    print(f"\n==> {msg}", flush=True)


def run(cmd: list[str | Path], **env_extra: str) -> None:
    """Run a command from the repository root; stop with its exit status if it fails."""
    env = {**os.environ, **env_extra}
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def requirements_digest() -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def setup_venv() -> None:
    """Create .venv and install the pinned requirements (skipped when nothing changed)."""
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed, this is {sys.version.split()[0]}")
    digest = requirements_digest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        say("Virtual environment .venv is up to date")
        return
    if not PY.exists():
        say("Creating the virtual environment .venv")
        run([sys.executable, "-m", "venv", VENV])
    say("Installing the pinned requirements into .venv (torch==2.13.0 CPU, jupyter-book, ebmlib -e .)")
    quiet = ["--quiet", "--progress-bar", "off"] if os.environ.get("CI") else ["--quiet"]
    run([PY, "-m", "pip", "install", *quiet, "--upgrade", "pip"])
    run([PY, "-m", "pip", "install", *quiet, "-r", "requirements.txt"])
    STAMP.write_text(digest)


def build_book(strict: bool) -> None:
    """Build the HTML book into _build/html; strict = warnings are errors, nitpicky, full rebuild."""
    cmd = [BIN / "jupyter-book", "build", ROOT, "--builder", "html"]
    if strict:
        cmd += ["--all", "-W", "-n", "--keep-going"]
    say("Building the book" + (" (warnings are errors)" if strict else ""))
    run(cmd)


def cmd_book(_args: argparse.Namespace) -> None:
    setup_venv()
    build_book(strict=False)
    index = HTML / "index.html"
    say(f"The book is built. Open it in a browser:\n    {index.as_uri()}\n"
        f"or serve it:  {PY} -m http.server --directory {HTML.relative_to(ROOT)} 8000  "
        "and visit http://localhost:8000")


def cmd_test(args: argparse.Namespace) -> None:
    setup_venv()
    start = time.perf_counter()
    pytest = [PY, "-m", "pytest", "-p", "no:cacheprovider"]

    say("1/3 Unit tests of ebmlib and of the book's configuration")
    run([*pytest, "tests", "-q"])

    say("2/3 Re-running every chapter notebook and comparing with its stored outputs (nbval)")
    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        sys.exit("no chapter notebooks found in book/")
    run([*pytest, "--nbval", "--nbval-sanitize-with", "book/sanitize.cfg",
         "--nbval-cell-timeout", "300", *notebooks])

    say("3/3 Building the book with warnings as errors")
    if HTML.exists():
        shutil.rmtree(HTML)
    build_book(strict=True)

    say(f"All checks passed in {time.perf_counter() - start:.0f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("book", help="set up .venv and build the HTML book into _build/html").set_defaults(func=cmd_book)
    sub.add_parser("test", help="set up .venv and run every check (unit tests, nbval, strict build)").set_defaults(func=cmd_test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
