"""Wall time of ``ebmlib.train_image_ebm`` against a bare PyTorch loop doing the same work (a benchmark, not a test).

Same energy (``ConvEnergy`` with the same initial weights), same images, same replay buffer (uniform
noise, B chains drawn at random each step, each restarted with probability ``restart_prob``), the same
Langevin steps (clipped gradient, noise, clamp to [0, 1]), the same loss (mean E(data) - mean E(neg) +
alpha (mean E(data)^2 + mean E(neg)^2)) and Adam with betas (0, 0.999). The bare loop draws its random
numbers in the same order, so both end with the same parameters (checked: the largest difference after one
epoch is printed). The two are timed alternately (A/B/A/B...) so that the load of a shared machine falls on both;
the median of the repeats is printed with the load average.

    .venv/bin/python benchmarks/bench_train_image_ebm.py [--threads 1] [--repeats 5] [--epochs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

import ebmlib
from ebmlib.models import ConvEnergy

SETTINGS = dict(batch_size=64, lr=1e-3, buffer_size=1000, restart_prob=0.05, steps=20, step_size=1.0,
                noise_scale=0.01, grad_clip=0.03, clamp=(0.0, 1.0), energy_penalty=0.1)


def run_ebmlib(images: torch.Tensor, epochs: int) -> ConvEnergy:
    energy = ConvEnergy(generator=0)
    ebmlib.train_image_ebm(energy, images, epochs=epochs, generator=0, progress=False, **SETTINGS)
    return energy


def run_bare(images: torch.Tensor, epochs: int) -> ConvEnergy:
    """The same work written out in PyTorch: buffer, restarts, Langevin, loss, Adam."""
    s = SETTINGS
    energy = ConvEnergy(generator=0)
    params = [p for p in energy.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=s["lr"], betas=(0.0, 0.999))
    gen = torch.Generator().manual_seed(0)
    shape, dtype = images.shape[1:], images.dtype
    pool = torch.rand((s["buffer_size"], *shape), generator=gen, dtype=dtype)
    b, eps, lo, hi = s["batch_size"], s["step_size"], *s["clamp"]
    e_data, e_model = [], []
    for _ in range(epochs):
        perm = torch.randperm(images.shape[0], generator=gen)
        total = 0.0
        for idx in perm.split(b):
            batch = images[idx]
            opt.zero_grad(set_to_none=True)
            pick = torch.randperm(s["buffer_size"], generator=gen)[: batch.shape[0]]
            chains = pool[pick]
            m = chains.shape[0]
            restart = torch.rand(m, generator=gen, dtype=dtype) < s["restart_prob"]
            fresh = torch.rand((m, *shape), generator=gen, dtype=dtype)
            y = torch.where(restart.view(-1, 1, 1, 1), fresh, chains)
            for _ in range(s["steps"]):
                with torch.enable_grad():
                    y_var = y.detach().requires_grad_(True)
                    (g,) = torch.autograd.grad(energy(y_var).sum(), y_var)
                y = torch.add(y, g.clamp(-s["grad_clip"], s["grad_clip"]), alpha=-eps)
                y.add_(torch.randn(y.shape, generator=gen, dtype=dtype), alpha=s["noise_scale"]).clamp_(lo, hi)
            e = energy(torch.cat([batch, y]))
            e_pos, e_neg = e[: batch.shape[0]], e[batch.shape[0]:]
            loss = e_pos.mean() - e_neg.mean() + s["energy_penalty"] * ((e_pos ** 2).mean() + (e_neg ** 2).mean())
            loss.backward()
            opt.step()
            pool = pool.index_copy(0, pick, y)
            e_data.append(e_pos.detach().mean())
            e_model.append(e_neg.detach().mean())
            total = total + loss.detach()
        if not float(total) == float(total):  # one check per epoch, like ebmlib
            raise ValueError("diverged")
    return energy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--images", type=int, default=256)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    images = torch.rand(args.images, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    a, b = run_ebmlib(images, 1), run_bare(images, 1)  # warm-up (and the equality check)
    diff = max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))
    times = {"ebmlib.train_image_ebm": [], "bare PyTorch loop": []}
    for _ in range(args.repeats):
        for name, fn in (("ebmlib.train_image_ebm", run_ebmlib), ("bare PyTorch loop", run_bare)):
            t0 = time.perf_counter()
            fn(images, args.epochs)
            times[name].append(time.perf_counter() - t0)
    load = os.getloadavg()
    steps = args.epochs * -(-args.images // SETTINGS["batch_size"])
    print(f"{steps} optimiser steps x {SETTINGS['steps']} Langevin steps, {args.threads} thread(s), "
          f"{args.repeats} repeats A/B interleaved; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"largest parameter difference after one epoch: {diff:.2e}")
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, v in times.items():
        print(f"{name:>24}: median {med[name]:.3f} s  (min {min(v):.3f}, max {max(v):.3f})")
    print(f"ebmlib / bare = {med['ebmlib.train_image_ebm'] / med['bare PyTorch loop']:.3f}")


if __name__ == "__main__":
    main()
