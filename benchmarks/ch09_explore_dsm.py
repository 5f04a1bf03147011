"""Scratch (issue 20): a noise-conditional energy trained by denoising score matching, sampled by annealed Langevin.

A DIFFERENT training principle from maximum likelihood (chapter 10's). A one-seed probe, not used by the
book: with 3,000 Adam steps and 30 annealed Langevin steps per level from uniform noise, FD 1.16 over 3
draws (exact Gaussian 0.23 on the same draws' seeds); with 100 steps per level 5.32 (see
/work/wt/ch9b-REPORT2.md of the 2026-12-03 evening session). Usage:
python benchmarks/ch09_explore_dsm.py NAME key=value ...
"""
from __future__ import annotations

import json
import math
import sys
import time

import torch

from ebmlib.losses.diffusion import geometric_sigmas, noise_conditional_dsm_loss
from ebmlib.samplers import annealed_langevin
from ebmlib.short_run import gaussian_init

sys.path.insert(0, "benchmarks")
from ch09_explore import setup  # noqa: E402

F64 = torch.float64


class NCEnergy(torch.nn.Module):
    """E(y, sigma) = MLP([y, log sigma]) / sigma."""

    def __init__(self, hidden, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.net = torch.nn.Sequential(torch.nn.Linear(65, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, hidden),
                                       torch.nn.SiLU(), torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, 1))

    def forward(self, y, sigma):
        h = torch.cat([y.flatten(1), sigma.log()[:, None]], 1)
        return self.net(h)[:, 0] / sigma

    def score(self, y, sigma):
        with torch.enable_grad():
            yv = y.detach().requires_grad_(True) if not y.requires_grad else y
            (g,) = torch.autograd.grad(self(yv, sigma).sum(), yv, create_graph=torch.is_grad_enabled() and self.training)
        return -g


def main():
    name = sys.argv[1]
    cfg = dict(steps=3000, batch=128, lr=1e-3, hidden=256, smax=1.0, smin=0.01, L=10, per_level=30, eps=2e-5,
               seeds="0", start="uniform", draws=3)
    for kv in sys.argv[2:]:
        k, v = kv.split("=")
        cfg[k] = type(cfg[k])(v)
    x_train, x_test, _, _, clf, fd = setup()
    sig = geometric_sigmas(cfg["smax"], cfg["smin"], cfg["L"], dtype=F64)
    flat = x_train.flatten(1)
    for seed in [int(s) for s in cfg["seeds"].split(",")]:
        t0 = time.process_time()
        e = NCEnergy(cfg["hidden"], seed).double()
        opt = torch.optim.Adam(e.parameters(), lr=cfg["lr"])
        g = torch.Generator().manual_seed(seed)
        for it in range(cfg["steps"]):
            yb = flat[torch.randint(len(flat), (cfg["batch"],), generator=g)]
            loss = noise_conditional_dsm_loss(e.score, yb, sig, generator=g)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if it % 500 == 0:
                print(f"  it {it} loss {float(loss.detach()):.3f}", file=sys.stderr, flush=True)
        t1 = time.process_time()
        e.eval()
        q = gaussian_init(x_train, clamp=None)
        res = {"name": name, "seed": seed, "train_cpu_s": round(t1 - t0, 1), "fd": [], "fd_clamped": [], "fd_gauss": []}
        for d in range(cfg["draws"]):
            gd = torch.Generator().manual_seed(1000 * (seed + 1) + d)
            y0 = torch.rand(359, 64, generator=gd, dtype=F64) if cfg["start"] == "uniform" else q(359, gd).flatten(1)
            y = annealed_langevin(e.score, y0, sigmas=sig, steps=cfg["per_level"], step_size=cfg["eps"], generator=gd)
            y = y.reshape(-1, 1, 8, 8)
            res["fd"].append(fd(y))
            res["fd_clamped"].append(fd(y.clamp(0, 1)))
            res["fd_gauss"].append(fd(q(359, gd)))
        res["sample_cpu_s"] = round(time.process_time() - t1, 1)
        res["mean"] = [round(sum(v) / len(v), 4) for v in (res["fd"], res["fd_clamped"], res["fd_gauss"])]
        res["cfg"] = cfg
        torch.save(y, f"/tmp/ch9x/{name}_{seed}.pt")
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
