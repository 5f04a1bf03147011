"""Chapter 9: a noise-conditional energy on the digits, over training seeds (issue 20).

One energy E(y, sigma) per noise level (:class:`ebmlib.models.NoiseConditionalEnergy`, a SiLU perceptron
64+1 -> 256 -> 256 -> 256 -> 1 inside Karras et al.'s preconditioning), trained by denoising score matching
on a ladder of 200 geometric levels from 2 to 0.02 (Song and Ermon, 2019; Vincent, 2011) with
``ebmlib.train`` (Adam, lr 1e-3, batches of 128, 500 epochs = 6000 steps) and an exponential moving
average of the weights, then sampled by annealed Langevin dynamics on 20 levels (10 steps each,
step 1e-4 at the smallest level, uniform-noise starts, a final Tweedie step).

Per training seed: the FD (chapter 9's classifier features, to the 359 test digits) of 10 draws of 359
samples, the median distance of a sample to its nearest training digit (copies would give 0; test
digits give about 1.03), and the same numbers for 10 draws of 359 exact samples of the full-covariance
Gaussian with the same draw seeds, and for 10 draws of a 10-component Gaussian mixture fitted with this seed
(clamped to [0, 1] and not); and inpainting of the 359 test digits (bottom half, checkerboard): 8
completions each by annealed Langevin on the hidden pixels (the visible ones replaced at every level by their
value plus that level's noise), against 8 clamped Gaussian conditional samples: squared error, best of 8, and
the classifier's label of the first completion, and the squared error of the mean of the 8 as one guess; and the AUROC of the energy at the smallest level
(sigma = 0.02) for chapter 9's outsiders (uniform noise, flipped digits, shuffled pixels).

Usage:
  python benchmarks/ch09_ladder.py [seeds=0,1,2] [epochs=500] [draws=10] [store=1]
      [hidden=256,256,256] [batch=128] [lr=1e-3] [ema=0.99] [smin=0.02] [smax=2.0] [tlev=200]
The chapter's run is the default (``store=1``). Explored on seed 0, 6 draws (FD mean; exact Gaussian 0.26 on the
same draws): 512x3 and 500 epochs 0.15 (75 s); 256x3 and 1000 epochs 0.15 (49 s); 384x3, 500 epochs 0.18;
256x3, batch 64 0.18; 128x3, 1000 epochs 0.19; the default 0.19 (26 s); with 20 training levels 0.19; with
sigma_max 1 0.21. More optimiser steps help most; the chapter's budget sets the default.
About 40 s of CPU per seed on one thread. ``store=1`` writes ``ebmlib/seed_runs/ch09_ladder.json``,
which chapter 9 reads.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

import torch
from sklearn.mixture import GaussianMixture

import ebmlib
from ebmlib import baselines
from ebmlib.datasets import digit_images
from ebmlib.inpainting import inpaint_annealed
from ebmlib.joint_embedding import ema_update
from ebmlib.losses import noise_conditional_dsm_loss
from ebmlib.metrics import auroc, frechet_distance, train_feature_classifier
from ebmlib.models import NoiseConditionalEnergy
from ebmlib.samplers import annealed_langevin
from ebmlib.schedules import geometric_sigmas
from ebmlib.short_run import gaussian_init

OUT = Path(__file__).resolve().parents[1] / "ebmlib" / "seed_runs" / "ch09_ladder.json"
RECIPE = dict(hidden=(256, 256, 256), data_scale=0.4, sigma_max=2.0, sigma_min=0.02, train_levels=200, lr=1e-3,
              batch_size=128, ema=0.99, levels=20, steps_per_level=10, step_size=1e-4)


def train_ladder(x_train: torch.Tensor, seed: int, epochs: int, recipe: dict = RECIPE, progress: bool = False):
    """The EMA copy of a NoiseConditionalEnergy trained on (N, 1, 8, 8) digits; float32."""
    flat = x_train.flatten(1).float()
    model = NoiseConditionalEnergy(64, recipe["hidden"], mean=flat.mean(0), data_scale=recipe["data_scale"],
                                   generator=seed)
    avg = copy.deepcopy(model)
    sig = geometric_sigmas(recipe["sigma_max"], recipe["sigma_min"], recipe["train_levels"])
    g = torch.Generator().manual_seed(seed)
    history = ebmlib.train(lambda y: noise_conditional_dsm_loss(model, y, sig, generator=g), model, data=flat,
                           epochs=epochs, lr=recipe["lr"], batch_size=recipe["batch_size"], generator=g,
                           callback=lambda epoch, loss: ema_update(avg, model, recipe["ema"]), progress=progress)
    avg.eval()
    return avg, history


def sample_ladder(model, n: int, generator: torch.Generator, recipe: dict = RECIPE) -> torch.Tensor:
    sig = geometric_sigmas(recipe["sigma_max"], recipe["sigma_min"], recipe["levels"])
    y0 = torch.rand(n, 64, generator=generator)
    return annealed_langevin(model, y0, sigmas=sig, steps=recipe["steps_per_level"], step_size=recipe["step_size"],
                             generator=generator).reshape(n, 1, 8, 8)


def main() -> None:
    cfg = dict(seeds="0,1,2", epochs=500, draws=10, store=0, hidden="256,256,256", batch=128, lr=1e-3, ema=0.99, smin=0.02, smax=2.0, tlev=200)
    for kv in sys.argv[1:]:
        k, v = kv.split("=")
        cfg[k] = type(cfg[k])(v)
    torch.set_num_threads(1)
    x_train, x_test, label_train, label_test = digit_images(return_labels=True, dtype=torch.float64)
    clf = train_feature_classifier(x_train, label_train)
    ref = clf.features(x_test)
    fd = lambda s: round(frechet_distance(clf.features(s.double()), ref), 4)  # noqa: E731
    nn = lambda s: round(torch.cdist(s.double().flatten(1), x_train.flatten(1)).min(1).values.median().item(), 3)  # noqa: E731
    gauss = gaussian_init(x_train, clamp=None)
    runs = []
    for seed in [int(s) for s in cfg["seeds"].split(",")]:
        t0 = time.process_time()
        recipe = dict(RECIPE, hidden=tuple(int(h) for h in cfg["hidden"].split(",")), batch_size=cfg["batch"], lr=cfg["lr"], ema=cfg["ema"], sigma_min=cfg["smin"], sigma_max=cfg["smax"], train_levels=cfg["tlev"])
        model, history = train_ladder(x_train, seed, cfg["epochs"], recipe)
        t1 = time.process_time()
        res = {"seed": seed, "train_cpu_s": round(t1 - t0, 1), "final_loss": round(history[-1], 3),
               "fd": [], "fd_clamped": [], "nn": [], "fd_gauss": [], "nn_gauss": [], "fd_mixture": [],
               "fd_mixture_clamped": [], "hidden": cfg["hidden"]}
        mixture = GaussianMixture(10, covariance_type="full", random_state=seed, reg_covar=1e-3).fit(
            x_train.flatten(1).numpy())  # as chapter 9's calibration row (which uses random_state=0)
        for d in range(cfg["draws"]):
            mixture.random_state = 1000 * (seed + 1) + d  # sample() draws from a fresh RNG of this seed
            m_draw = torch.from_numpy(mixture.sample(359)[0]).reshape(359, 1, 8, 8)
            res["fd_mixture"].append(fd(m_draw))
            res["fd_mixture_clamped"].append(fd(m_draw.clamp(0, 1)))
            s = sample_ladder(model, 359, torch.Generator().manual_seed(1000 * (seed + 1) + d), recipe)
            res["fd"].append(fd(s))
            res["fd_clamped"].append(fd(s.clamp(0, 1)))
            res["nn"].append(nn(s))
            q = gauss(359, torch.Generator().manual_seed(1000 * (seed + 1) + d))
            res["fd_gauss"].append(fd(q))
            res["nn_gauss"].append(nn(q))
        res["evaluation_cpu_s_per_draw"] = round((time.process_time() - t1) / cfg["draws"], 2)  # all four sets
        rows, cols = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
        for name, mask in {"bottom half": rows >= 4, "checkerboard": (rows + cols) % 2 == 0}.items():
            m = mask.reshape(-1)
            fills = inpaint_annealed(model, x_test.flatten(1).float(), m, sigmas=geometric_sigmas(
                recipe["sigma_max"], recipe["sigma_min"], recipe["levels"]), steps=recipe["steps_per_level"],
                step_size=recipe["step_size"], samples=8,
                generator=torch.Generator().manual_seed(500 + seed)).double().reshape(8, *x_test.shape)
            gs = baselines.gaussian_conditional(x_test, mask.reshape(1, 1, 8, 8), x_train, samples=8,
                                                generator=torch.Generator().manual_seed(600 + seed)).clamp(0, 1)
            out = {}
            for label, x in (("noise-level energy", fills), ("Gaussian sample", gs)):
                err = ((x - x_test).flatten(-3)[..., m] ** 2).mean(-1)  # (8, 359)
                single = ((x.mean(0) - x_test).flatten(-3)[..., m] ** 2).mean(-1)  # the mean of the 8 as one guess
                out[label] = {"mse": round(float(err.mean()), 4), "best_of_8": round(float(err.min(0).values.mean()), 4),
                              "mse_of_mean": round(float(single.mean()), 4),
                              "accuracy": round(float((clf(x[0]).argmax(1) == label_test).double().mean()), 4)}
            res.setdefault("inpainting", {})[name] = out
        # out-of-distribution: the energy at the smallest level as the score, the outsiders of chapter 9
        g = torch.Generator().manual_seed(2)
        shuffle = torch.argsort(torch.rand(len(x_test), 64, generator=g), dim=1)
        outsiders = {"uniform noise": torch.rand(x_test.shape, generator=g, dtype=torch.float64),
                     "flipped digits": x_test.flip(-1),
                     "shuffled pixels": torch.gather(x_test.flatten(1), 1, shuffle).reshape(x_test.shape)}
        with torch.no_grad():
            score = lambda x: model.energy(x.flatten(1).float(), RECIPE["sigma_min"]).double()  # noqa: E731
            res["auroc"] = {name: round(auroc(score(x_test), score(x)), 4) for name, x in outsiders.items()}
        print(json.dumps(res), flush=True)
        runs.append(res)
    if cfg["store"]:
        OUT.write_text(json.dumps({"script": "benchmarks/ch09_ladder.py", "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in RECIPE.items()},
                                   "epochs": cfg["epochs"], "draws": cfg["draws"], "runs": runs}, indent=1) + "\n")
        print(f"stored {len(runs)} runs in {OUT}")


if __name__ == "__main__":
    main()
