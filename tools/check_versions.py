#!/usr/bin/env python3
"""Run every chapter top to bottom in the environments whose versions the book claims.

    python3 tools/check_versions.py                    # both environments, every chapter
    python3 tools/check_versions.py --env colab --chapters 01 08

Two virtual environments, made once in .venv-versions/ (gitignored; pip's cache makes a rebuild quick):

- ``lower``: every dependency of ``pyproject.toml`` (core and the ``assign`` extra) at exactly its lower
  bound (``numpy>=1.26`` -> ``numpy==1.26``...). torch is the exception: only torch 2.13.0 is installed
  here (a CPU build; other versions pull gigabytes of CUDA wheels), so torch's lower bound is NOT
  tested by this script.
- ``colab``: Google Colab's preinstalled versions (COLAB below: Python 3.11, numpy 2.0.2, scipy 1.15,
  matplotlib 3.10, scikit-learn 1.6.1, ipywidgets 7.7.1, IPython 7.34; torch 2.13.0 for the reason
  above). These are installed first, then ebmlib (``pip install .``, as the notebooks' first cell does
  in Colab); the check fails if installing ebmlib changed any of them.

Each chapter notebook ``book/NN_*.ipynb`` is then executed from a fresh kernel of that environment
(nbclient, a copy in a temporary folder; nothing is compared with the stored outputs, since printed
digits may legitimately differ between versions). A chapter fails on an error or a failed assertion,
and when one of its figures is missing: a figure shown as the text ``<Figure size ...>`` instead of an
image, or fewer images than the notebook stores. Prints a table (result and time per chapter and
environment) and writes it to _build/versions.md (and .json).

Time: creating both environments takes a few minutes the first time; running all chapters costs about
twice the test command's nbval step (every chapter, once per environment; ``--jobs 2`` runs the two
environments side by side on a machine with cores to spare).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVS_DIR = ROOT / ".venv-versions"
OUT = ROOT / "_build"

# The only torch available here as a small CPU build; see the module docstring.
TORCH = "torch==2.13.0"
# Google Colab's preinstalled versions of the packages ebmlib and its notebooks use (Python 3.11).
COLAB = ["numpy==2.0.2", "scipy==1.15.3", "matplotlib==3.10.0", "scikit-learn==1.6.1", "ipywidgets==7.7.1",
         "ipython==7.34.0", "ipykernel==6.17.1", "tqdm==4.67.1", "nbformat==5.10.4", "nbclient==0.10.2",
         "jupyter-client==6.1.12", "notebook==6.5.7", "jupyter-server==1.24.0", TORCH]
# What runs the notebooks in the lower-bound environment (not part of what is being tested). ipywidgets
# 7 needs widgetsnbextension 3, which needs the classic notebook: without `notebook<7` pip backtracks
# through every notebook 7 release for many minutes.
RUNNER = ["ipykernel", "nbclient", "nbformat", "notebook<7"]


def lower_bounds() -> list[str]:
    """pyproject.toml's core and `assign` dependencies, each pinned at its lower bound (torch: TORCH)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        sys.exit("Python 3.11+ is needed to read pyproject.toml (tomllib)")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"].get("assign", [])
    pins = []
    for dep in deps:
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)", dep)
        if not m:
            sys.exit(f"pyproject.toml: {dep!r} has no lower bound `>=`")
        name, version = m.groups()
        pins.append(TORCH if name == "torch" else f"{name}=={version}")
    return pins


def sh(cmd: list, log, **kw) -> subprocess.CompletedProcess:
    log.write("$ " + " ".join(map(str, cmd)) + "\n")
    log.flush()
    return subprocess.run([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, text=True, **kw)


def freeze(py: Path) -> dict[str, str]:
    out = subprocess.run([str(py), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                         check=True).stdout
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(out)}


def make_env(name: str, log) -> tuple[Path, list[str]]:
    """Create (or reuse) the environment; return its python and the problems found while installing."""
    env = ENVS_DIR / name
    py = env / "bin" / "python"
    pins = COLAB if name == "colab" else lower_bounds() + RUNNER
    stamp = env / ".pins"
    wanted = json.dumps(pins) + (ROOT / "pyproject.toml").read_text()
    problems: list[str] = []
    if py.exists() and stamp.exists() and stamp.read_text() == wanted:
        sh([py, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", "."], log, cwd=ROOT)
        return py, problems
    if env.exists():
        import shutil
        shutil.rmtree(env)
    sh([sys.executable, "-m", "venv", env], log, check=True)
    pip = [py, "-m", "pip", "install", "--quiet"]
    if name == "colab":
        # Colab's packages first, then ebmlib as the notebooks' first cell installs it there.
        if sh([*pip, *pins], log).returncode:
            return py, [f"could not install Colab's versions (see {log.name})"]
        before = freeze(py)
        if sh([*pip, "."], log, cwd=ROOT).returncode:
            return py, [f"`pip install .` failed on top of Colab's versions (see {log.name})"]
        after = freeze(py)
        changed = [f"{k} {v} -> {after.get(k)}" for k, v in before.items() if after.get(k) != v]
        if changed:
            problems.append("installing ebmlib changed Colab's packages: " + ", ".join(changed))
    else:
        if sh([*pip, ".", *pins], log, cwd=ROOT).returncode:
            return py, [f"pyproject.toml's lower bounds cannot be installed together (see {log.name})"]
    stamp.write_text(wanted)
    return py, problems


RUN_ONE = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, cwd = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
stored = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "image/png" in o.get("data", {}))
t0 = time.perf_counter()
error = None
try:
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": cwd}}).execute()
except CellExecutionError as err:
    error = str(err).strip().splitlines()[-1][:200]
    failed = [c for c in nb.cells if c.cell_type == "code"
              and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    if failed:  # say which line failed: the source line the traceback points at, else the cell's first
        src = failed[0].source.splitlines()
        error += f" (in the cell starting {src[0][:80]!r})" if src else ""
except Exception as err:
    error = f"{type(err).__name__}: {str(err)[:300]}"
seconds = time.perf_counter() - t0
images, figure_text = 0, 0
for c in nb.cells:
    for o in c.get("outputs", []) if c.cell_type == "code" else []:
        data = o.get("data", {})
        images += "image/png" in data
        if "image/png" not in data and str(data.get("text/plain", "")).startswith("<Figure size"):
            figure_text += 1
print(json.dumps({"error": error, "seconds": seconds, "images": images, "stored_images": stored,
                  "figure_text": figure_text}))
"""


def run_chapter(py: Path, notebook: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="versions-") as tmp:
        script = Path(tmp) / "run_one.py"
        script.write_text(RUN_ONE)
        # run from a copy of book/ so that nothing in the repository is written
        proc = subprocess.run([str(py), str(script), str(notebook), str(notebook.parent)], capture_output=True,
                              text=True, cwd=tmp, env={**os.environ, "PYTHONPATH": ""})
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "why": f"the runner failed: {(proc.stderr or proc.stdout)[-300:]}", "seconds": 0.0}
    why = []
    if res["error"]:
        why.append(res["error"])
    if res["figure_text"]:
        why.append(f"{res['figure_text']} figure(s) shown as '<Figure size ...>' text")
    if res["images"] < res["stored_images"]:
        why.append(f"{res['images']} images, the notebook stores {res['stored_images']}")
    return {"ok": not why, "why": "; ".join(why), "seconds": res["seconds"], "images": res["images"]}


def check_env(name: str, notebooks: list[Path]) -> dict:
    OUT.mkdir(exist_ok=True)
    log_path = OUT / f"versions-{name}.log"
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        py, problems = make_env(name, log)
        setup = time.perf_counter() - t0
    versions = freeze(py) if py.exists() else {}
    result = {"setup_seconds": setup, "problems": problems, "chapters": {},
              "versions": {k: versions.get(k) for k in ("python", "torch", "numpy", "scipy", "matplotlib",
                                                        "scikit-learn", "ipywidgets", "ipython", "tqdm")}}
    result["versions"]["python"] = subprocess.run([str(py), "-c", "import sys; print(sys.version.split()[0])"],
                                                  capture_output=True, text=True).stdout.strip() if py.exists() else None
    if problems and not py.exists():
        return result
    for nb in notebooks:
        print(f"[{name}] {nb.name} ...", flush=True)
        result["chapters"][nb.stem] = r = run_chapter(py, nb)
        print(f"[{name}] {nb.name}: {'pass' if r['ok'] else 'FAIL: ' + r['why']} ({r['seconds']:.0f} s)", flush=True)
    return result


def table(results: dict[str, dict], notebooks: list[Path]) -> str:
    names = list(results)
    lines = ["| chapter | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for nb in notebooks:
        cells = []
        for n in names:
            r = results[n]["chapters"].get(nb.stem)
            cells.append("not run" if r is None else
                         f"pass ({r['seconds']:.0f} s)" if r["ok"] else f"**FAIL** ({r['seconds']:.0f} s): {r['why']}")
        lines.append(f"| {nb.stem} | " + " | ".join(cells) + " |")
    lines.append("")
    for n in names:
        v = results[n]["versions"]
        lines.append(f"- `{n}`: " + ", ".join(f"{k} {val}" for k, val in v.items() if val)
                     + f"; environment set up in {results[n]['setup_seconds']:.0f} s")
        for p in results[n]["problems"]:
            lines.append(f"  - **problem**: {p}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--env", default="lower,colab", help="comma-separated: lower, colab (default both)")
    ap.add_argument("--chapters", nargs="*", help="chapter numbers (01 08 ...) or notebook stems; default all")
    ap.add_argument("--jobs", type=int, default=1, help="environments run side by side (default 1)")
    args = ap.parse_args()
    notebooks = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        notebooks = [nb for nb in notebooks if any(nb.stem.startswith(c) for c in args.chapters)]
    envs = [e.strip() for e in args.env.split(",") if e.strip()]
    for e in envs:
        if e not in ("lower", "colab"):
            ap.error(f"unknown environment {e!r}")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = dict(zip(envs, pool.map(lambda e: check_env(e, notebooks), envs)))
    text = table(results, notebooks)
    OUT.mkdir(exist_ok=True)
    (OUT / "versions.md").write_text(text + "\n")
    (OUT / "versions.json").write_text(json.dumps(results, indent=1))
    print("\n" + text + f"\n\n(all in {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f})")
    ok = all(not r["problems"] and all(c["ok"] for c in r["chapters"].values()) for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
