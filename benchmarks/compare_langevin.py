"""Time ebmlib.langevin against an earlier version of itself on the MLP of ``bench_training.py``.

The same energy (MLP 2 -> hidden -> hidden -> 1, SiLU), chains, steps and step size; both versions
draw the same noise from equal seeds, so they do the same work (the script checks that the chains
agree). Interleaved repeats, median wall time, one thread by default. Usage:

    git show 92c3d25:ebmlib/samplers/langevin.py > /tmp/old_langevin.py
    PYTHONPATH=$PWD .venv/bin/python benchmarks/compare_langevin.py /tmp/old_langevin.py [--repeats 15]

The old file's relative imports (``from .._checks import ...``) are rewritten to ``ebmlib._checks``.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import statistics
import sys
import tempfile
import time

import torch

import ebmlib


def load_old(path: str):
    src = pathlib.Path(path).read_text().replace("from .._checks import", "from ebmlib._checks import")
    tmp = pathlib.Path(tempfile.mkdtemp()) / "old_langevin.py"
    tmp.write_text(src)
    spec = importlib.util.spec_from_file_location("old_langevin", tmp)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["old_langevin"] = mod
    spec.loader.exec_module(mod)
    return mod.langevin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="path to the earlier langevin.py")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--chains", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    old = load_old(args.old)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, args.hidden), torch.nn.SiLU(),
                              torch.nn.Linear(args.hidden, args.hidden), torch.nn.SiLU(),
                              torch.nn.Linear(args.hidden, 1))
    energy = lambda y: net(y).squeeze(-1)  # noqa: E731
    y0 = torch.randn(args.chains, 2, generator=torch.Generator().manual_seed(2))
    run = {"before": lambda: old(energy, y0, steps=args.steps, step_size=0.01,
                                 generator=torch.Generator().manual_seed(5)),
           "after": lambda: ebmlib.langevin(energy, y0, steps=args.steps, step_size=0.01, generator=5)}
    a, b = run["before"](), run["after"]()
    print(f"torch {torch.__version__}, {args.threads} thread(s); MLP 2-{args.hidden}-{args.hidden}-1, "
          f"{args.chains} chains, {args.steps} steps; same chains: {torch.equal(a, b)}")
    times = {k: [] for k in run}
    for _ in range(args.repeats):  # interleaved, so drifts in machine load hit both alike
        for k, fn in run.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    for k, t in times.items():
        print(f"  langevin {k:<7s} median {statistics.median(t) * 1e3:8.1f} ms  (min {min(t) * 1e3:.1f} ms, "
              f"{args.repeats} repeats)")
    print(f"  after / before (medians): {statistics.median(times['after']) / statistics.median(times['before']):.3f}")


if __name__ == "__main__":
    main()
