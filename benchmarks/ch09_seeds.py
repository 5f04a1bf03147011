"""Chapter 9 over training seeds: the short-run energy's samples, completions and OOD scores, and their baselines.

Run: ``python benchmarks/ch09_seeds.py [seed ...]`` (default seeds 0 1 2). Each seed trains the
Gaussian-initialised short-run energy of chapter 9 (the chapter's recipe, its seed changed) and the
replay-buffer energy, and stores its results in ``ebmlib/seed_runs/ch09.json`` (replacing that seed's
entry), which the chapter loads with ``ebmlib.seed_runs.load("ch09")``. About 30 s of CPU per seed on a
quiet machine. ``--calibrate`` only recomputes, for the stored seeds, the calibration rows that need no
training (``calibration``): the exact Gaussian without the clamp and contrast stretches of the clamped
Gaussian samples, all from the same starts as the short runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

import ebmlib
from ebmlib import baselines
from ebmlib.datasets import digit_images
from ebmlib.metrics import auroc, frechet_distance, train_feature_classifier
from ebmlib.short_run import gaussian_init, short_run_samples, train_short_run

OUT = Path(__file__).resolve().parents[1] / "ebmlib" / "seed_runs" / "ch09.json"
F64 = torch.float64
SAMPLER = dict(step_size=10.0, noise_scale=0.005, grad_clip=0.03, clamp=(0.0, 1.0))
K = 20  # Langevin steps per short run, in training and in generation
STRETCH = (1.3, 1.6, 2.0)  # contrast factors of the calibration rows (not tuned)


def stretch(images: torch.Tensor, factor: float) -> torch.Tensor:
    """A per-pixel contrast curve: grey levels pushed away from 0.5 by ``factor``, clamped to [0, 1]."""
    return ((images - 0.5) * factor + 0.5).clamp(0.0, 1.0)


def calibration(seed: int, x_train: torch.Tensor, fd) -> dict:
    """FD rows that need no training, from the very starts of seed ``seed``'s short runs (same generator)."""
    n = 359
    exact = gaussian_init(x_train, clamp=None)(n, torch.Generator().manual_seed(100 + seed))
    clamped = gaussian_init(x_train)(n, torch.Generator().manual_seed(100 + seed))
    rows = {"Gaussian, not clamped": fd(exact)}
    rows.update({f"Gaussian, contrast x{f}": fd(stretch(clamped, f)) for f in STRETCH})
    return rows
DRIFT = (0, 5, 10, 20, 40, 100, 200, 400)
BUFFER_RECIPE = dict(batch_size=64, lr=1e-3, buffer_size=1000, restart_prob=0.05, steps=20, energy_penalty=0.1,
                     **SAMPLER)


def masks():
    rows, cols = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
    return {"bottom half": (rows >= 4).reshape(1, 8, 8), "checkerboard": ((rows + cols) % 2 == 0).reshape(1, 8, 8)}


def outsiders(x_test, seed):
    g = torch.Generator().manual_seed(1000 + seed)
    shuffle = torch.argsort(torch.rand(len(x_test), 64, generator=g), dim=1)
    return {"uniform noise": torch.rand(x_test.shape, generator=g, dtype=F64),
            "flipped digits": x_test.flip(-1),
            "shuffled pixels": torch.gather(x_test.flatten(1), 1, shuffle).reshape(x_test.shape)}


def one_seed(seed: int, buffer: bool = True) -> dict:
    torch.set_num_threads(1)
    x_train, x_test, label_train, label_test = digit_images(return_labels=True, dtype=F64)
    clf = train_feature_classifier(x_train, label_train)
    ref = clf.features(x_test)
    n = len(x_test)
    fd = lambda s: round(frechet_distance(clf.features(s), ref), 4)  # noqa: E731
    q0 = gaussian_init(x_train)
    energy = ebmlib.ConvEnergy((16, 32, 64), dtype=F64, generator=seed)
    train_short_run(energy, x_train, q0, epochs=8, steps=K, generator=seed, **SAMPLER)
    traj = short_run_samples(energy, q0, n, steps=max(DRIFT), generator=100 + seed, return_trajectory=True, **SAMPLER)
    res = {"seed": seed, "fd_vs_steps": {str(k): fd(traj[k]) for k in DRIFT}}
    res["classes_at_K"] = int((torch.bincount(clf(traj[K]).argmax(1), minlength=10) > 0).sum())
    g = torch.Generator().manual_seed(200 + seed)
    gmm = GaussianMixture(10, covariance_type="full", random_state=seed, reg_covar=1e-3).fit(x_train.flatten(1).numpy())
    gmm_samples = torch.from_numpy(gmm.sample(n)[0]).clamp(0, 1).reshape(n, 1, 8, 8)
    copies = x_train[torch.randperm(len(x_train), generator=g)[:n]]
    res["fd_reference"] = {"uniform noise": fd(torch.rand(n, 1, 8, 8, generator=g, dtype=F64)),
                           "Gaussian": fd(traj[0]), "Gaussian mixture (10)": fd(gmm_samples),
                           "training images": fd(copies)}
    res["fd_reference"].update(calibration(seed, x_train, fd))
    # inpainting
    res["inpainting"] = {}
    k = 8
    for name, mask in masks().items():
        hidden = mask.expand(1, 8, 8).reshape(1, 1, 8, 8).expand_as(x_test)
        err = lambda f: ((f - x_test)[hidden.expand_as(f)] ** 2).reshape(*f.shape[:-3], -1).mean(-1)  # noqa: E731
        cond_mean = baselines.gaussian_conditional(x_test, mask, x_train)
        gs = baselines.gaussian_conditional(x_test, mask, x_train, samples=k, generator=300 + seed).clamp(0, 1)
        refined = torch.stack([ebmlib.inpaint(energy, x_test, mask.reshape(1, 1, 8, 8), steps=K, init=s,
                                              generator=400 + seed + i, **SAMPLER) for i, s in enumerate(gs)])
        acc = lambda f: float((clf(f).argmax(1) == label_test).double().mean())  # noqa: E731
        res["inpainting"][name] = {
            "mse": {"Gaussian conditional mean": float(err(cond_mean).mean()),
                    "Gaussian sample": float(err(gs).mean()), "short-run energy": float(err(refined).mean())},
            "best_of_8": {"Gaussian sample": float(err(gs).min(0).values.mean()),
                          "short-run energy": float(err(refined).min(0).values.mean())},
            "accuracy": {"Gaussian conditional mean": acc(cond_mean), "Gaussian sample": acc(gs[0]),
                         "short-run energy": acc(refined[0])}}
    # out-of-distribution
    with torch.no_grad():
        res["auroc"] = {}
        e_in = energy(x_test)
        base_in = baselines.ood_baseline_scores(x_train, x_test)
        for name, x in outsiders(x_test, seed).items():
            base_out = baselines.ood_baseline_scores(x_train, x)
            row = {b: auroc(base_in[b], base_out[b]) for b in base_in}
            row["short-run energy"] = auroc(e_in, energy(x))
            res["auroc"][name] = row
        res["energy_short_run"] = {"digits": float(e_in.mean()),
                                   "noise": float(energy(torch.rand(n, 1, 8, 8, generator=g, dtype=F64)).mean())}
    if buffer:
        e_buf = ebmlib.ConvEnergy((16, 32, 64), dtype=F64, generator=seed)
        run = ebmlib.train_image_ebm(e_buf, x_train, epochs=8, generator=seed, **BUFFER_RECIPE)
        gn = torch.Generator().manual_seed(500 + seed)
        start = torch.rand(n, 1, 8, 8, generator=gn, dtype=F64)
        chains = ebmlib.langevin(e_buf, start, steps=60, generator=gn, **SAMPLER)
        buf = run.buffer.chains[torch.randperm(len(run.buffer.chains), generator=gn)[:n]]
        with torch.no_grad():
            res["replay_buffer"] = {"fd_60_steps_from_noise": fd(chains), "fd_buffer": fd(buf),
                                    "auroc": {name: auroc(e_buf(x_test), e_buf(x))
                                              for name, x in outsiders(x_test, seed).items()}}
    return res


def _stored() -> dict:
    return json.loads(OUT.read_text()) if OUT.exists() else {"script": "benchmarks/ch09_seeds.py", "runs": []}


def _store(data: dict) -> None:
    data["runs"].sort(key=lambda r: r["seed"])
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"stored {len(data['runs'])} seeds in {OUT}")


def recalibrate() -> None:
    """Add the calibration rows to every stored seed without retraining."""
    torch.set_num_threads(1)
    x_train, x_test, label_train, _ = digit_images(return_labels=True, dtype=F64)
    clf = train_feature_classifier(x_train, label_train)
    ref = clf.features(x_test)
    fd = lambda s: round(frechet_distance(clf.features(s), ref), 4)  # noqa: E731
    data = _stored()
    for r in data["runs"]:
        assert fd(gaussian_init(x_train)(359, torch.Generator().manual_seed(100 + r["seed"]))) == r["fd_vs_steps"]["0"]
        r["fd_reference"].update(calibration(r["seed"], x_train, fd))
        print(r["seed"], r["fd_reference"])
    _store(data)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--calibrate"]:
        recalibrate()
    else:
        for s in [int(a) for a in args] or [0, 1, 2]:
            r = one_seed(s)
            print(json.dumps(r))
            data = _stored()
            data["runs"] = [old for old in data["runs"] if old["seed"] != s] + [r]
            _store(data)
