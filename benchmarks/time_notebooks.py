"""Time each chapter notebook, run top to bottom in a fresh kernel, against the book's time budget.

    .venv/bin/python benchmarks/time_notebooks.py                     # every book/NN_*.ipynb
    .venv/bin/python benchmarks/time_notebooks.py book/01_*.ipynb     # some of them
    .venv/bin/python benchmarks/time_notebooks.py --markdown timings.md --repeat 2

A benchmark, not a test: it prints each notebook's wall-clock time (the best of --repeat runs) beside
the budget (90 s per chapter, 600 s for the whole book) and exits non-zero only when a notebook fails
to run. The notebooks are executed in memory with nbclient (as nbval does, in the notebook's folder);
the files on disk are not modified. Times include the kernel start-up and every `import`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_EACH_S = 90.0
BUDGET_TOTAL_S = 600.0


def _children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the kernels), or nan off Unix."""
    try:
        import resource
    except ImportError:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_notebook(path: Path, *, timeout: int) -> tuple[float, float]:
    """Wall-clock and kernel CPU seconds to run the notebook at `path` top to bottom in a new kernel.

    The wall-clock time runs from kernel start to shutdown. The CPU time (user + system, all threads)
    is less sensitive to other work on the machine: on a loaded machine, compare it with the budget too.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    cpu0, start = _children_cpu(), time.perf_counter()
    client.execute()
    return time.perf_counter() - start, _children_cpu() - cpu0


def machine() -> str:
    try:
        import torch
        threads = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        threads = "no torch"
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, {threads}, "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every book/NN_*.ipynb")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the best is reported")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--markdown", type=Path, help="also write the table, as markdown, to this file")
    args = parser.parse_args()

    notebooks = args.notebooks or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        print("no notebooks to time", file=sys.stderr)
        return 2
    print(f"Machine: {machine()}", flush=True)

    rows, failed = [], []
    for path in notebooks:
        path = path.resolve()
        try:
            best, cpu = min(time_notebook(path, timeout=args.timeout) for _ in range(args.repeat))
        except Exception as err:  # report and go on with the others
            print(f"{path.name}: FAILED ({type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''})",
                  flush=True)
            failed.append(path.name)
            continue
        verdict = "ok" if best <= BUDGET_EACH_S else "OVER BUDGET"
        rows.append((path.name, best, cpu, verdict))
        print(f"{path.name:36s} {best:7.1f} s wall  {cpu:7.1f} s CPU   (budget {BUDGET_EACH_S:.0f} s)  {verdict}",
              flush=True)

    total = sum(t for _, t, _, _ in rows)
    total_cpu = sum(c for _, _, c, _ in rows)
    total_verdict = "ok" if total <= BUDGET_TOTAL_S else "OVER BUDGET"
    print(f"{'total':36s} {total:7.1f} s wall  {total_cpu:7.1f} s CPU   (budget {BUDGET_TOTAL_S:.0f} s)  {total_verdict}")
    print(f"load average after the runs: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    if args.markdown:
        lines = [f"Measured on {machine()}; best of {args.repeat} run(s), fresh kernel each; "
                 f"load average {os.getloadavg()[1]:.1f} over the last 5 minutes.", "",
                 "| notebook | wall-clock (s) | kernel CPU (s) | budget (s) | |", "|---|---:|---:|---:|---|"]
        lines += [f"| `{name}` | {t:.1f} | {c:.1f} | {BUDGET_EACH_S:.0f} | {v} |" for name, t, c, v in rows]
        lines += [f"| **total** | **{total:.1f}** | {total_cpu:.1f} | {BUDGET_TOTAL_S:.0f} | {total_verdict} |"]
        lines += [f"| `{name}` | failed | | {BUDGET_EACH_S:.0f} | |" for name in failed]
        args.markdown.write_text("\n".join(lines) + "\n")
        print(f"markdown table written to {args.markdown}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
