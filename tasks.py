#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.10+, pip and git needed.

    python3 tasks.py book   # set up .venv and build the HTML book into _build/html
    python3 tasks.py test   # set up .venv and run every check (what CI runs, via .ci/run)
    python3 tasks.py assets # only fetch the offline MathJax / widget files (and axe-core) into .vendor (book does it too)

Both create the virtual environment `.venv` from requirements.txt the first time (and again whenever
requirements.txt or pyproject.toml changes), so each works on a fresh clone.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
HTML = ROOT / "_build" / "html"

# The book works offline: MathJax and the Jupyter widget manager (with require.js, which it needs) are
# served from the book's own _static folder, never from a CDN. They come from pinned npm tarballs on
# registry.npmjs.org, fetched with Python alone (no node/npm needed), checked against the registry's
# sha512 integrity, and unpacked into the gitignored folder .vendor/static, which _config.yml lists in
# html_static_path (so Sphinx copies it to _build/html/_static/vendor/...). Downloads are cached in
# .vendor/downloads; a later run re-uses them (and re-unpacks nothing when the stamp matches).
VENDOR = ROOT / ".vendor"
VENDOR_STATIC = VENDOR / "static" / "vendor"
VENDOR_TEST = VENDOR / "test"


class Asset(NamedTuple):
    name: str
    version: str
    integrity: str  # "sha512-<base64>", as the npm registry publishes it in dist.integrity
    dest: str  # folder under .vendor/static/vendor
    keep: Callable[[PurePosixPath], bool]  # which files of the tarball (paths under package/) to keep
    # True: unpacked under .vendor/static/vendor (copied into the book); False: under .vendor/test,
    # for the browser test only (never published with the book).
    static: bool = True

    @property
    def folder(self) -> Path:
        return (VENDOR_STATIC if self.static else VENDOR_TEST) / self.dest

    @property
    def url(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"


def _keep_mathjax(path: PurePosixPath) -> bool:
    # The combined component Sphinx loads, and the folders it loads extensions and fonts from.
    parts = path.parts
    if parts[0] == "LICENSE":
        return True
    if parts[0] != "es5":
        return False
    return path.name == "tex-mml-chtml.js" if len(parts) == 2 else True


def _keep_widgets(path: PurePosixPath) -> bool:
    # embed-amd.js bundles the html-manager with @jupyter-widgets/base, controls and output; the
    # font files next to it are the Font Awesome icons its CSS refers to.
    if path.parts[0] != "dist" or len(path.parts) != 2:
        return path.name == "LICENSE"
    return path.name == "embed-amd.js" or path.suffix in {".woff2", ".woff", ".ttf", ".eot", ".svg", ".txt"}


ASSETS = (
    Asset("mathjax", "3.2.2",
          "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
          "mathjax", _keep_mathjax),
    # html-manager 1.0.15 is the build of ipywidgets 8.1 (base 6, controls 5, output 6: the versions
    # jupyterlab_widgets 3.0.17 from requirements.txt was built with).
    Asset("@jupyter-widgets/html-manager", "1.0.15",
          "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
          "html-manager", _keep_widgets),
    Asset("requirejs", "2.3.8",
          "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
          "requirejs", lambda p: p.as_posix() in {"require.js", "LICENSE"}),
    # axe-core runs the WCAG 2.1 A/AA rules on every page in the browser test (tests/browser); it is
    # injected by the test, not published with the book.
    Asset("axe-core", "4.14.1",
          "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
          "axe-core", lambda p: p.as_posix() in {"axe.min.js", "LICENSE"}, static=False),
)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _download(asset: Asset) -> bytes:
    """The asset's tarball, from the cache or the registry; exits if its integrity does not match."""
    cache = VENDOR / "downloads" / f"{asset.dest}-{asset.version}.tgz"
    if cache.exists() and _integrity(cache.read_bytes()) == asset.integrity:
        return cache.read_bytes()
    print(f"    downloading {asset.url}", flush=True)
    for attempt in range(3):
        try:
            with urllib.request.urlopen(asset.url, timeout=60) as response:
                data = response.read()
            break
        except OSError as err:
            if attempt == 2:
                sys.exit(f"could not download {asset.url}: {err}")
            time.sleep(2 + 3 * attempt)
    got = _integrity(data)
    if got != asset.integrity:
        sys.exit(f"{asset.url}: integrity mismatch, expected {asset.integrity}, got {got}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(data)
    return data


def _unpack(asset: Asset, data: bytes, dest: Path) -> int:
    import io

    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            if not member.isfile() or path.parts[0] != "package" or ".." in path.parts:
                continue
            inner = PurePosixPath(*path.parts[1:])
            if not asset.keep(inner):
                continue
            target = dest.joinpath(*inner.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
            count += 1
    return count


def vendor_assets() -> None:
    """Fetch (once) and unpack the pinned MathJax, widget manager and require.js into .vendor/static."""
    say("Offline assets for the book (MathJax, Jupyter widgets, require.js) and its test (axe-core) in .vendor/")
    for asset in ASSETS:
        dest = asset.folder
        stamp = VENDOR / "stamps" / asset.dest
        label = f"{asset.name} {asset.version}"
        if dest.is_dir() and stamp.exists() and stamp.read_text() == asset.integrity:
            print(f"    {label}: up to date", flush=True)
            continue
        data = _download(asset)
        if dest.exists():
            shutil.rmtree(dest)
        count = _unpack(asset, data, dest)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(asset.integrity)
        print(f"    {label}: {count} files unpacked into {dest.relative_to(ROOT)}", flush=True)


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
    vendor_assets()
    cmd = [BIN / "jupyter-book", "build", ROOT, "--builder", "html"]
    if strict:
        cmd += ["--all", "-W", "-n", "--keep-going"]
    say("Building the book" + (" (warnings are errors)" if strict else ""))
    run(cmd)


def cmd_book(_args: argparse.Namespace) -> None:
    setup_venv()
    build_book(strict=False)
    say("Student edition: the chapter notebooks without solutions, for instructors to hand out")
    run([PY, "-m", "ebmlib.assign", "--student-edition", "_build/student"])
    index = HTML / "index.html"
    say(f"The book is built. Open it in a browser:\n    {index.as_uri()}\n"
        f"or serve it:  {PY} -m http.server --directory {HTML.relative_to(ROOT)} 8000  "
        "and visit http://localhost:8000\n"
        "The student edition (notebooks without solutions) is in _build/student/.")


# nbval re-runs the notebooks on one thread, although they are stored from a run on every core (torch
# uses as many threads as cores unless OMP_NUM_THREADS says otherwise): an output that depends on the
# thread count (a reduction order showing in a printed digit) fails here instead of on another machine.
NBVAL_THREADS = "1"
TEST_WORKERS = int(os.environ.get("EBMLIB_TEST_WORKERS", "2"))  # pytest-xdist processes for steps 1 and 2 (1: none)


def cmd_test(args: argparse.Namespace) -> None:
    setup_venv()
    start = time.perf_counter()
    steps: list[tuple[str, float]] = []
    pytest = [PY, "-m", "pytest", "-p", "no:cacheprovider"]

    def step(title: str, action: Callable[[], None]) -> None:
        say(title)
        t0 = time.perf_counter()
        action()
        steps.append((title, time.perf_counter() - t0))

    # Two processes (pytest-xdist): the CI machine has two cores; every test is independent of the others.
    parallel = ["-n", str(TEST_WORKERS)] if TEST_WORKERS > 1 else []
    step(f"1/4 Unit tests of ebmlib and of the book's configuration ({TEST_WORKERS} processes)",
         lambda: run([*pytest, "tests", "-q", "--ignore=tests/browser", *parallel]))

    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        sys.exit("no chapter notebooks found in book/")
    # One notebook per process at a time (--dist loadfile keeps a notebook's cells in order on one
    # worker and kernel); each kernel still runs at OMP_NUM_THREADS=1, so outputs do not depend on it.
    step(f"2/4 Re-running every chapter notebook and comparing with its stored outputs "
         f"(nbval, {TEST_WORKERS} processes, OMP_NUM_THREADS={NBVAL_THREADS})",
         lambda: run([*pytest, "--nbval", "--nbval-sanitize-with", "book/sanitize.cfg",
                      "--nbval-cell-timeout", "300", *(parallel and [*parallel, "--dist", "loadfile"]), *notebooks],
                     OMP_NUM_THREADS=NBVAL_THREADS, MKL_NUM_THREADS=NBVAL_THREADS))

    def strict_build() -> None:
        if HTML.exists():
            shutil.rmtree(HTML)
        build_book(strict=True)

    step("3/4 Building the book with warnings as errors", strict_build)

    # Skipped, with the reason printed (-rs), where there is no Chromium; .ci/run installs it in CI.
    chromium = shutil.which(os.environ.get("CHROMIUM") or "chromium") or shutil.which("chromium-browser")
    title = "4/4 Opening every page of the built book in headless Chromium (offline, tests/browser)"
    if chromium is None:
        title += ("\n    SKIPPED: no Chromium on this machine (install Debian's `chromium` package or set "
                  "$CHROMIUM); the book was NOT tested in a browser")
    step(title, lambda: run([*pytest, "tests/browser", "-q", "-rs"]))

    say("Time per step:\n" + "\n".join(f"    {t:6.0f} s  {title.splitlines()[0]}" for title, t in steps)
        + f"\nAll checks passed in {time.perf_counter() - start:.0f} s"
        + (" (the browser test was SKIPPED: no Chromium)." if chromium is None else "."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("book", help="set up .venv and build the HTML book into _build/html").set_defaults(func=cmd_book)
    sub.add_parser("assets", help="fetch the pinned offline MathJax, widget manager, require.js (and axe-core for the test) into .vendor"
                   ).set_defaults(func=lambda _args: vendor_assets())
    sub.add_parser("test", help="set up .venv and run every check (unit tests, nbval, strict build, browser test)").set_defaults(func=cmd_test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
