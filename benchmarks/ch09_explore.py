"""Scratch exploration for chapter 9 (issue 20): an exponential tilt of the fitted Gaussian (Xie et al. 2016).

E(y) = 1/2 (y - m)^T S^-1 (y - m) + f_theta(y), trained by (approximate) maximum likelihood with Langevin
chains at temperature 1 run in whitened coordinates z = L^-1 (y - m), with an exponential integrator that
leaves N(m, S) exactly invariant when f = 0:
    z <- a z - (1 - a) L^T grad f(m + L z) + sqrt(1 - a^2) xi,  a = exp(-eps).

Usage:
  python benchmarks/ch09_explore.py NAME key=value ...   (trains, prints one JSON line per seed)
  python benchmarks/ch09_explore.py --draws              (the FD's spread over draws of 359: exact Gaussian, real digits)
  python benchmarks/ch09_explore.py --collect FILE ...   (stores printed JSON lines and the --draws result in
                                                          ebmlib/seed_runs/ch09_tilt.json, read by chapter 9)
The chapter's runs (NAME then settings; each prints three JSON lines, about 20 to 40 s of CPU per seed):
  conv_tilt lr=1e-2 epochs=12 alpha=0.01 persistent=1 eps=0.2 seeds=0,1,2
  mlp_tilt net=mlp beta1=0.9 lr=3e-3 epochs=30 alpha=0.01 persistent=1 eps=0.05 steps=30 draws=5 seeds=0,1,2
  mlp_tilt_small_step net=mlp beta1=0.9 lr=3e-3 epochs=30 alpha=0.01 persistent=1 eps=0.02 steps=50 draws=5
      eval_steps=0,50,400 seeds=0,1,2
  mlp_tilt_short_run net=mlp beta1=0.9 lr=3e-3 epochs=30 alpha=0.01 persistent=0 eps=0.05 steps=30 draws=5
      eval_steps=0,30,400 seeds=0,1,2
  mlp_tilt_short_run_fast (the same with lr=1e-2)
then ``--draws`` and ``--collect`` with the printed lines.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import torch

import ebmlib
from ebmlib.datasets import digit_images
from ebmlib.metrics import frechet_distance, train_feature_classifier

F64 = torch.float64


def setup():
    torch.set_num_threads(1)
    x_train, x_test, label_train, label_test = digit_images(return_labels=True, dtype=F64)
    clf = train_feature_classifier(x_train, label_train)
    ref = clf.features(x_test)
    fd = lambda s: round(frechet_distance(clf.features(s), ref), 4)  # noqa: E731
    return x_train, x_test, label_train, label_test, clf, fd


class Tilt:
    def __init__(self, x_train, f, jitter=1e-6):
        flat = x_train.flatten(1)
        self.m = flat.mean(0)
        self.L = torch.linalg.cholesky(torch.cov(flat.T) + jitter * torch.eye(64, dtype=F64))
        self.f = f

    def to_y(self, z):
        return (self.m + z @ self.L.T).reshape(-1, 1, 8, 8)

    def sample_z(self, n, g):
        return torch.randn(n, 64, generator=g, dtype=F64)

    def run(self, z, steps, eps, g, trajectory_at=()):
        a = math.exp(-eps)
        noise = math.sqrt(1 - a * a)
        snaps = {}
        if 0 in trajectory_at:
            snaps[0] = z.clone()
        for k in range(1, steps + 1):
            z = z.detach().requires_grad_(True)
            e = self.f(self.to_y(z)).sum()
            (gz,) = torch.autograd.grad(e, z)
            z = (a * z - (1 - a) * gz + noise * torch.randn(z.shape, generator=g, dtype=F64)).detach()
            if k in trajectory_at:
                snaps[k] = z.clone()
        return z, snaps


def train(tilt, x_train, *, seed, epochs, batch, lr, steps, eps, alpha, persistent, buffer_size=1000,
          restart=0.05, wd=0.0, beta1=0.0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(tilt.f.parameters(), lr=lr, betas=(beta1, 0.999), weight_decay=wd)
    buf = tilt.sample_z(buffer_size, g) if persistent else None
    n = len(x_train)
    for ep in range(epochs):
        order = torch.randperm(n, generator=g)
        for first in range(0, n, batch):
            data = x_train[order[first:first + batch]]
            b = len(data)
            if persistent:
                idx = torch.randint(buffer_size, (b,), generator=g)
                z0 = buf[idx]
                fresh = torch.rand(b, generator=g) < restart
                z0[fresh] = tilt.sample_z(int(fresh.sum()), g)
            else:
                z0 = tilt.sample_z(b, g)
            z, _ = tilt.run(z0, steps, eps, g)
            if persistent:
                buf[idx] = z
            ed, en = tilt.f(data), tilt.f(tilt.to_y(z))
            loss = ed.mean() - en.mean() + alpha * ((ed ** 2).mean() + (en ** 2).mean())
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"  epoch {ep} E_d {float(ed.mean().detach()):.3f} E_s {float(en.mean().detach()):.3f}", file=sys.stderr, flush=True)
    return buf


OUT = Path(__file__).resolve().parents[1] / "ebmlib" / "seed_runs" / "ch09_tilt.json"
DRAWS = Path("/tmp/ch09_draws.json")


def draws(n_draws: int = 40) -> dict:
    """FD to the test digits of independent draws of 359: exact Gaussian samples, and 359 training digits."""
    from ebmlib.short_run import gaussian_init
    x_train, _, _, _, _, fd = setup()
    q = gaussian_init(x_train, clamp=None)
    g = torch.Generator().manual_seed(7)
    res = {"n_draws": n_draws,
           "Gaussian, not clamped": [fd(q(359, g)) for _ in range(n_draws)],
           "training digits": [fd(x_train[torch.randperm(len(x_train), generator=g)[:359]]) for _ in range(n_draws)]}
    DRAWS.write_text(json.dumps(res))
    return res


def collect(files: list[str]) -> None:
    runs = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.startswith("{")]
    data = {"script": "benchmarks/ch09_explore.py", "draws": json.loads(DRAWS.read_text()), "runs": runs}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"stored {len(runs)} runs in {OUT}")


def main():
    if sys.argv[1] == "--draws":
        print(json.dumps(draws()))
        return
    if sys.argv[1] == "--collect":
        collect(sys.argv[2:])
        return
    name = sys.argv[1]
    cfg = dict(epochs=8, batch=64, lr=1e-4, steps=20, eps=0.05, alpha=0.0, persistent=0, seeds="0",
               channels="16,32,64", eval_steps="0,20,100,400", wd=0.0, sn=0, scale=1.0, draws=10, net="conv", hidden=256, beta1=0.0)
    for kv in sys.argv[2:]:
        k, v = kv.split("=")
        cfg[k] = type(cfg[k])(v) if not isinstance(cfg[k], str) else v
    x_train, x_test, _, _, clf, fd = setup()
    for seed in [int(s) for s in cfg["seeds"].split(",")]:
        t0 = time.process_time()
        if cfg["net"] == "mlp":
            torch.manual_seed(seed)
            h = cfg["hidden"]
            f = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, h), torch.nn.SiLU(), torch.nn.Linear(h, h),
                                    torch.nn.SiLU(), torch.nn.Linear(h, 1), torch.nn.Flatten(0)).double()
        else:
          f = ebmlib.ConvEnergy(tuple(int(c) for c in cfg["channels"].split(",")), dtype=F64, generator=seed,
                                spectral_norm=bool(cfg["sn"]))
        if cfg["scale"] != 1.0:
            inner, sc = f, cfg["scale"]
            f = torch.nn.Module()
            f.inner = inner
            f.forward = lambda y: sc * inner(y)
        tilt = Tilt(x_train, f)
        evals = [int(s) for s in cfg["eval_steps"].split(",")]
        g = torch.Generator().manual_seed(100 + seed)
        # f = 0 check is the k = 0 row when untrained; record untrained too
        buf = train(tilt, x_train, seed=seed, epochs=cfg["epochs"], batch=cfg["batch"], lr=cfg["lr"],
                    steps=cfg["steps"], eps=cfg["eps"], alpha=cfg["alpha"], persistent=bool(cfg["persistent"]),
                    wd=cfg["wd"], beta1=cfg["beta1"])
        t1 = time.process_time()
        f.eval()
        _, snaps = tilt.run(tilt.sample_z(359, g), max(evals), cfg["eps"], g, trajectory_at=set(evals))
        res = {"name": name, "seed": seed, "train_cpu_s": round(t1 - t0, 1),
               "fd": {k: fd(tilt.to_y(snaps[k])) for k in evals},
               "fd_clamped": {k: fd(tilt.to_y(snaps[k]).clamp(0, 1)) for k in evals}}
        # paired draws: the same starts and noise with the trained tilt and with f = 0 (exact Gaussian)
        zero = Tilt(x_train, lambda y: 0.0 * y.flatten(1).sum(1))
        k = cfg["steps"]
        pair_t, pair_0 = [], []
        for d in range(cfg["draws"]):
            gd = torch.Generator().manual_seed(1000 * (seed + 1) + d)
            z0 = tilt.sample_z(359, gd)
            state = gd.get_state()
            pair_t.append(fd(tilt.to_y(tilt.run(z0, k, cfg["eps"], gd)[0])))
            gd.set_state(state)
            pair_0.append(fd(zero.to_y(zero.run(z0, k, cfg["eps"], gd)[0])))
        res["draws_tilt"], res["draws_f0"] = pair_t, pair_0
        res["draws_mean"] = [round(sum(pair_t) / len(pair_t), 4), round(sum(pair_0) / len(pair_0), 4)]
        if buf is not None:
            res["fd_buffer"] = fd(tilt.to_y(buf[torch.randperm(len(buf), generator=g)[:359]]))
        with torch.no_grad():
            res["f_data"] = round(float(f(x_test).mean()), 3)
            res["f_noise"] = round(float(f(torch.rand(359, 1, 8, 8, generator=g, dtype=F64)).mean()), 3)
        res["cfg"] = cfg
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
