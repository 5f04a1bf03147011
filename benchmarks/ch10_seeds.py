"""Chapter 10's sampler comparison over training seeds (the notebook loads the committed result).

For each training seed (network initialisation, minibatches and the noise of the losses) it trains
the noise-conditional score network and the single-level EBM exactly as the chapter does, samples
them from the chapter's two starts with the chapter's samplers and sampler seeds, and records the
energy distance to the held-out points, the per-mode fractions and the share of chains that left
the start mode. A third sampler is the clean ablation: plain Langevin (no ladder, no Tweedie step)
on the noise-conditional network's smallest-level field, with the single-level sampler's settings.

Run:  python benchmarks/ch10_seeds.py            (about 1 minute per seed on one core)
Writes ebmlib/seed_runs/ch10.json (shipped with ebmlib; chapter 10 reads it with ebmlib.seed_runs.load).
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import torch
from tqdm.auto import tqdm

import ebmlib
from ebmlib import datasets, losses, metrics, models, samplers, schedules
from ebmlib.datasets import eight_gaussians_centres
from ebmlib.utils import random_batches

OUT = pathlib.Path(__file__).resolve().parents[1] / "ebmlib" / "seed_runs" / "ch10.json"
SEEDS = (0, 1, 2)


def starts(centres):
    return {"uniform start": 8 * torch.rand(1000, 2, generator=torch.Generator().manual_seed(4)) - 4,
            "start in one mode": centres[0] + 0.3 * torch.randn(1000, 2, generator=torch.Generator().manual_seed(4))}


def run(seed: int) -> dict:
    train_2d = datasets.toy_2d("8gaussians", 2000, generator=1)
    test_2d = datasets.toy_2d("8gaussians", 1000, generator=2)
    sigmas = schedules.geometric_sigmas(3.0, 0.1, 8)
    centres = eight_gaussians_centres()
    torch.manual_seed(1000 + seed)
    ncsn = models.NoiseConditionalScore(2, (128, 128), generator=seed)
    ebm = ebmlib.MLPEnergy(2, (64, 64))
    g = torch.Generator().manual_seed(3 + 100 * seed)
    batch = random_batches(train_2d, batch_size=256, generator=g)
    ebmlib.train(lambda: losses.noise_conditional_dsm_loss(ncsn, batch(), sigmas, generator=g),
                 ncsn, epochs=5000, lr=5e-3, progress=False)
    ebmlib.train(lambda: losses.denoising_score_matching_loss(ebm, batch(), sigma=0.1, generator=g),
                 ebm, epochs=1500, lr=3e-3, progress=False)
    eps = 0.1 * sigmas[-1].item() ** 2
    out = {}
    for start, y0 in starts(centres).items():
        s = {"annealed": samplers.annealed_langevin(ncsn, y0, sigmas=sigmas, steps=50, step_size=eps, generator=5),
             "single level": ebmlib.langevin(ebm, y0, steps=1000, step_size=1e-3,
                                             generator=torch.Generator().manual_seed(5)),
             "smallest level of the ladder": samplers.annealed_langevin(
                 ncsn, y0, sigmas=sigmas[-1:], steps=1000, step_size=1e-3, denoise=False, generator=5)}
        for name, x in s.items():
            fr = metrics.mode_fractions(x, centres, 0.9)
            out[f"{name}, {start}"] = {"energy_distance": metrics.energy_distance(x, test_2d).item(),
                                       "min_fraction": fr.min().item(), "max_fraction": fr.max().item(),
                                       "near_no_mode": 1 - fr.sum().item(),
                                       "left_start_mode": 1 - fr[0].item() - (1 - fr.sum().item())}
    return out


def main() -> None:
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    results = {str(seed): run(seed) for seed in tqdm(SEEDS, desc="training seeds")}
    OUT.write_text(json.dumps({"seeds": list(SEEDS), "results": results}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    sys.exit(main())
