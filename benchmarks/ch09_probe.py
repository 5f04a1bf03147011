"""Scratch probe (helper ch9c, issue 20): why does a small MLP not tell digits from exact Gaussian samples?

python benchmarks/ch09_probe.py clf JSON ...          -> classifier digits vs exact Gaussian samples (input scale, activation, lr, batch)
python benchmarks/ch09_probe.py tilt JSON [seeds]     -> tilt E = E_Gauss - f: f by NCE (mode=nce) or against short Langevin
    runs of the tilt (mode=logistic/ml/plogistic); paired FD draws (same starts and noise with f and with f = 0).
Settings as JSON, e.g. {"inp":"wf1e-2","hidden":64,"steps":500,"ks":"0,5,10,20,50,100","draws":10}. Results of
2026-12-03 (3 seeds, 10 paired draws of 359): a SiLU MLP on raw pixels stays at chance (the Gaussian matches the
first two moments and the net is nearly quadratic at small pre-activations); input x5, standardising, ReLU or lr 1e-2
make it learn (accuracy 0.93-0.99), but then the tilt's samples score worse than the exact Gaussian on the FD
(+0.01 to +7 at K >= 20) and collapse onto one class; the best recipe ties (-0.000 +- 0.006). A negative result.
"""
from __future__ import annotations

import json
import math
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ch09_explore import F64, Tilt, setup  # noqa: E402

torch.set_num_threads(1)


def make_mlp(inp, act="silu", hidden=256, seed=0, cap=0.0, sn=0.0):
    torch.manual_seed(seed)
    A = {"silu": torch.nn.SiLU, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "softplus": torch.nn.Softplus}[act]
    net = torch.nn.Sequential(torch.nn.Linear(64, hidden), A(), torch.nn.Linear(hidden, hidden), A(),
                              torch.nn.Linear(hidden, 1)).double()
    if sn:  # spectral norm on every layer, output times sn: f is sn-Lipschitz in its input units
        for i in (0, 2, 4):
            net[i] = torch.nn.utils.parametrizations.spectral_norm(net[i])
        net.append(torch.nn.Identity())
        inner = net
        net = lambda u: sn * inner(u)  # noqa: E731
        net.parameters = inner.parameters

    class F(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net if isinstance(net, torch.nn.Module) else None
            self._fn = net
            if self.net is None:
                self.inner = inner

        def forward(self, y):
            out = self._fn(inp(y.flatten(1))).squeeze(1)
            return cap * torch.tanh(out / cap) if cap else out
    return F()


def inputs(x_train, kind):
    flat = x_train.flatten(1)
    m = flat.mean(0)
    if kind == "raw":
        return lambda y: y
    if kind == "centred":
        return lambda y: y - m
    if kind == "std":
        sd = flat.std(0).clamp_min(0.05)
        return lambda y: (y - m) / sd
    if kind == "white":
        L = torch.linalg.cholesky(torch.cov(flat.T) + 1e-6 * torch.eye(64, dtype=F64))
        return lambda y: torch.linalg.solve_triangular(L, (y - m).T, upper=False).T
    if kind.startswith("wf"):  # PCA whitening with an eigenvalue floor: near-null directions of S not amplified
        lam, U = torch.linalg.eigh(torch.cov(flat.T))
        W = U / lam.clamp_min(float(kind[2:])).sqrt()
        return lambda y: (y - m) @ W
    if kind.startswith("x"):  # raw times a factor
        c = float(kind[1:])
        return lambda y: c * (y - m)
    raise ValueError(kind)


def train_clf(f, x_train, q, *, steps, batch, lr, wd=0.0, seed=0, log_at=(), x_test=None, qtest=None):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(f.parameters(), lr=lr, weight_decay=wd)
    n = len(x_train)
    hist = {}
    for s in range(1, steps + 1):
        data = x_train[torch.randint(n, (batch,), generator=g)]
        noise = q(batch, g)
        logit_d, logit_n = f(data), f(noise)  # logit = log p/q estimate (high on data)
        loss = torch.nn.functional.softplus(-logit_d).mean() + torch.nn.functional.softplus(logit_n).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s in log_at:
            with torch.no_grad():
                ld, ln = f(x_test), f(qtest)
                tl = float(torch.nn.functional.softplus(-ld).mean() + torch.nn.functional.softplus(ln).mean())
                acc = float(((ld > 0).double().mean() + (ln < 0).double().mean()) / 2)
            hist[s] = dict(train_loss=round(float(loss.detach()), 3), test_loss=round(tl, 3), acc=round(acc, 3),
                           logit_d=round(float(ld.mean()), 2), logit_q=round(float(ln.mean()), 2))
    return hist


def clf_probe(variants):
    from ebmlib.short_run import gaussian_init
    x_train, x_test, _, _, clf, fd = setup()
    q = gaussian_init(x_train, clamp=None)
    qtest = q(359, torch.Generator().manual_seed(999))
    for v in variants:
        cfg = dict(inp="raw", act="silu", lr=1e-3, batch=64, steps=600, wd=0.0, hidden=256)
        cfg.update(v)
        t0 = time.process_time()
        f = make_mlp(inputs(x_train, cfg["inp"]), cfg["act"], cfg["hidden"])
        hist = train_clf(f, x_train, q, steps=cfg["steps"], batch=cfg["batch"], lr=cfg["lr"], wd=cfg["wd"],
                         log_at={50, 100, 200, 300, 600, 1000, 2000}, x_test=x_test, qtest=qtest)
        print(json.dumps({"cfg": cfg, "cpu": round(time.process_time() - t0, 1), "hist": hist}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "clf":
        vs = [json.loads(a) for a in sys.argv[2:]]
        clf_probe(vs)


def tilt_probe(cfg_over, seeds=(0, 1, 2)):
    """Classifier (NCE with the fitted Gaussian as noise) -> tilt E = E_Gauss - logit; paired FD draws."""
    from ebmlib.short_run import gaussian_init
    x_train, x_test, _, _, clf, fd = setup()
    q = gaussian_init(x_train, clamp=None)
    qtest = q(359, torch.Generator().manual_seed(999))
    cfg = dict(inp="white", act="silu", lr=1e-3, batch=128, steps=1000, ml_steps=300, K=30, wd=0.0, hidden=256, eps=0.05,
               ks="0,10,30,100,300", draws=5, sir=1, temp=1.0)
    cfg.update(cfg_over)
    ks = [int(k) for k in cfg["ks"].split(",")]
    out = []
    for seed in seeds:
        t0 = time.process_time()
        f = make_mlp(inputs(x_train, cfg["inp"]), cfg["act"], cfg["hidden"], seed=seed, cap=cfg.get("cap", 0.0), sn=cfg.get("sn", 0.0))
        if cfg.get("mode", "nce") == "nce":
            hist = train_clf(f, x_train, q, steps=cfg["steps"], batch=cfg["batch"], lr=cfg["lr"], wd=cfg["wd"],
                             seed=seed, log_at={cfg["steps"]}, x_test=x_test, qtest=qtest)
            hist = {0: hist[cfg["steps"]]}
        else:
            if cfg.get("warm", 0):
                train_clf(f, x_train, q, steps=cfg["warm"], batch=cfg["batch"], lr=cfg["lr"], seed=seed)
            hist = train_chains(f, x_train, cfg, seed, x_test, qtest)
        cpu = time.process_time() - t0
        for p in f.parameters():
            p.requires_grad_(False)
        energy = lambda y: -f(y) / cfg["temp"]  # noqa: E731
        tilt = Tilt(x_train, energy)
        zero = Tilt(x_train, lambda y: 0.0 * y.flatten(1).sum(1))
        res = {"seed": seed, "train_cpu": round(cpu, 1), "clf": list(hist.values())[0], "tilt": {}, "f0": {}}
        for d in range(cfg["draws"]):
            gd = torch.Generator().manual_seed(1000 * (seed + 1) + d)
            z0 = tilt.sample_z(359, gd)
            state = gd.get_state()
            _, sn_t = tilt.run(z0, max(ks), cfg["eps"], gd, trajectory_at=set(ks))
            gd.set_state(state)
            _, sn_0 = zero.run(z0, max(ks), cfg["eps"], gd, trajectory_at=set(ks))
            for k in ks:
                res["tilt"].setdefault(k, []).append(fd(tilt.to_y(sn_t[k])))
                res["f0"].setdefault(k, []).append(fd(zero.to_y(sn_0[k])))
            if d == 0:
                yk = tilt.to_y(sn_t[max(ks)])
                with torch.no_grad():
                    res["classes"] = torch.bincount(clf(yk.to(x_test.dtype)).argmax(1), minlength=10).tolist()
                res["out_of_range"] = round(float(((yk < -0.1) | (yk > 1.1)).double().mean()), 3)
                res["out_of_range_f0"] = round(float(((zero.to_y(sn_0[max(ks)]) < -0.1) | (zero.to_y(sn_0[max(ks)]) > 1.1)).double().mean()), 3)
                torch.save(tilt.to_y(sn_t[max(ks)])[:20], f"/tmp/ch9c/samples_{cfg.get('tag','x')}_s{seed}.pt")
        if cfg["sir"]:  # sampling-importance-resampling of q by exp(logit): 359 out of 20 * 359, with replacement
            gs = torch.Generator().manual_seed(5000 + seed)
            sir = []
            for d in range(cfg["draws"]):
                cand = q(359 * 20, gs)
                w = torch.softmax(f(cand) / cfg["temp"], 0)
                idx = torch.multinomial(w, 359, replacement=True, generator=gs)
                sir.append(fd(cand[idx]))
                if d == 0:
                    ess = float(1 / (w ** 2).sum())
                    ndistinct = len(set(idx.tolist()))
            res["sir"] = sir
            res["sir_ess"], res["sir_distinct"] = round(ess, 1), ndistinct
        res["mean"] = {k: (round(sum(res["tilt"][k]) / len(res["tilt"][k]), 4),
                           round(sum(res["f0"][k]) / len(res["f0"][k]), 4)) for k in ks}
        res["cfg"] = cfg
        print(json.dumps(res), flush=True)
        out.append(res)
    return out


def train_chains(f, x_train, cfg, seed, x_test, qtest):
    """Contrastive training against short Langevin runs of the current tilt from fresh Gaussian starts (T = 1).
    loss 'logistic': softplus(-f(data)) + softplus(f(samples)); 'ml': -f(data) + f(samples) + alpha (f^2)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(f.parameters(), lr=cfg["lr"], betas=(cfg.get("beta1", 0.9), 0.999), weight_decay=cfg["wd"])
    tilt = Tilt(x_train, lambda y: -f(y))
    n = len(x_train)
    buf = tilt.sample_z(1000, g)
    for s in range(1, cfg["ml_steps"] + 1):
        data = x_train[torch.randint(n, (cfg["batch"],), generator=g)]
        if cfg["mode"] == "plogistic":  # persistent chains (5 % restarts) plus fresh Gaussian samples as negatives
            idx = torch.randint(1000, (cfg["batch"],), generator=g)
            z0 = buf[idx]
            fresh = torch.rand(cfg["batch"], generator=g) < 0.05
            z0[fresh] = tilt.sample_z(int(fresh.sum()), g)
            z, _ = tilt.run(z0, cfg["K"], cfg["eps"], g)
            buf[idx] = z
            z = torch.cat([z, tilt.sample_z(cfg["batch"] // 2, g)])
        else:
            z, _ = tilt.run(tilt.sample_z(cfg["batch"], g), cfg["K"], cfg["eps"], g)
        ld, ln = f(data), f(tilt.to_y(z))
        if cfg["mode"] in ("logistic", "plogistic"):
            loss = torch.nn.functional.softplus(-ld).mean() + torch.nn.functional.softplus(ln).mean()
        else:
            loss = -ld.mean() + ln.mean() + cfg.get("alpha", 0.01) * ((ld ** 2).mean() + (ln ** 2).mean())
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s % 50 == 0:
            print(f"  step {s} loss {float(loss):.3f} f_d {float(ld.mean()):.2f} f_s {float(ln.mean()):.2f}", file=sys.stderr, flush=True)
    with torch.no_grad():
        ld, lq = f(x_test), f(qtest)
    return {cfg["ml_steps"]: dict(f_test=round(float(ld.mean()), 2), f_gauss=round(float(lq.mean()), 2),
                                  acc_vs_gauss=round(float(((ld > 0).double().mean() + (lq < 0).double().mean()) / 2), 3))}


if __name__ == "__main__" and sys.argv[1] == "tilt":
    tilt_probe(json.loads(sys.argv[2]), seeds=tuple(int(s) for s in sys.argv[3].split(",")) if len(sys.argv) > 3 else (0, 1, 2))
