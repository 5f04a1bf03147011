"""Wall-time comparison of ebmlib and TorchEBM on the same work (a benchmark, not a test).

1. Training: an MLP energy on 2-D data (8 Gaussians) by contrastive divergence, negatives from
   k Langevin steps started at the data batch, Adam, same steps, batch, initial weights and loss
   (TorchEBM's CD loss: mean E(data) - mean E(neg) + 0.001 (mean E(data)^2 + mean E(neg)^2)).
   ebmlib: ``ebmlib.train`` + ``ebmlib.langevin``. TorchEBM: its ``ContrastiveDivergence`` loss and
   ``LangevinDynamics`` sampler in a hand-written loop over the same mini-batches (TorchEBM 0.8.9's
   ``ContrastiveDivergenceTrainer`` cannot be built: it passes ``use_mixed_precision`` to a loss
   that rejects it, so its own training loop is not timed).
2. Sampling: Langevin chains on the same MLP energy and on a Gaussian energy (where per-step
   overhead dominates): ``ebmlib.langevin`` vs ``LangevinDynamics.sample``.

TorchEBM is not a dependency of ebmlib. Install it outside the project venv, e.g.
    pip download --no-deps torchebm -d /tmp/tebm && unzip /tmp/tebm/*.whl -d /tmp/tebm_pkgs
(its only run-time dependency is torch), then run
    PYTHONPATH=/tmp/tebm_pkgs .venv/bin/python benchmarks/bench_training.py [--threads 1] [--repeats 5]
Prints the median wall time of each variant over the repeats.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import torch

import ebmlib

try:
    import torchebm
    from torchebm.core import BaseModel
    from torchebm.losses import ContrastiveDivergence
    from torchebm.samplers import LangevinDynamics
except ImportError as exc:  # pragma: no cover - a benchmark script
    raise SystemExit(f"TorchEBM is needed for this benchmark ({exc}); see the module docstring") from exc


def eight_gaussians(n: int, generator: torch.Generator) -> torch.Tensor:
    """(n, 2) points from 8 Gaussians (std 0.1) on a circle of radius 2."""
    k = torch.randint(0, 8, (n,), generator=generator)
    angle = k * (2 * math.pi / 8)
    centres = 2.0 * torch.stack([angle.cos(), angle.sin()], dim=1)
    return centres + 0.1 * torch.randn(n, 2, generator=generator)


def mlp(hidden: int) -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, hidden),
                               torch.nn.SiLU(), torch.nn.Linear(hidden, 1))


class TorchEBMEnergy(BaseModel):
    """The same MLP as a TorchEBM model (forward returns (B,) energies)."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=2048, help="training points")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--k", type=int, default=10, help="Langevin steps per negative")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--chains", type=int, default=1000)
    parser.add_argument("--sample-steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    eps, lr, reg = 0.01, 1e-3, 0.001

    data = eight_gaussians(args.n, torch.Generator().manual_seed(0))
    init = mlp(args.hidden)
    steps = args.epochs * math.ceil(args.n / args.batch)
    print(f"torch {torch.__version__}, torchebm {torchebm.__version__}, ebmlib {ebmlib.__version__}, "
          f"{args.threads} thread(s), median of {args.repeats}")
    print(f"CD-{args.k} training: MLP 2-{args.hidden}-{args.hidden}-1, {args.n} points, batch {args.batch}, "
          f"{args.epochs} epochs = {steps} Adam steps, Langevin eps={eps}")

    def cd_loss(net, generator):
        def loss_fn(batch):
            energy = lambda y: net(y).squeeze(-1)
            neg = ebmlib.langevin(energy, batch, steps=args.k, step_size=eps, generator=generator)
            e_pos, e_neg = energy(batch), energy(neg)
            return e_pos.mean() - e_neg.mean() + reg * ((e_pos ** 2).mean() + (e_neg ** 2).mean())
        return loss_fn

    def run_ebmlib():
        net = mlp(args.hidden)
        net.load_state_dict(init.state_dict())
        gen = torch.Generator().manual_seed(1)
        return ebmlib.train(cd_loss(net, gen), net, data=data, epochs=args.epochs, lr=lr,
                            batch_size=args.batch, generator=gen, progress=False)

    def torchebm_parts():
        net = mlp(args.hidden)
        net.load_state_dict(init.state_dict())
        model = TorchEBMEnergy(net)
        sampler = LangevinDynamics(model, step_size=eps, noise_scale=1.0)  # noise sqrt(2 eps), as ebmlib
        return model, sampler

    def run_torchebm_loop():
        model, sampler = torchebm_parts()
        loss_fn = ContrastiveDivergence(model, sampler, k_steps=args.k, energy_reg_weight=reg)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        gen = torch.Generator().manual_seed(1)
        for _ in range(args.epochs):
            for idx in torch.randperm(args.n, generator=gen).split(args.batch):
                opt.zero_grad(set_to_none=True)
                loss, _ = loss_fn(data[idx], generator=gen)
                loss.backward()
                opt.step()

    variants = {"ebmlib.train + ebmlib.langevin": run_ebmlib,
                "TorchEBM CD loss + LangevinDynamics": run_torchebm_loop}
    for fn in variants.values():  # warm-up (first optimiser step, allocator)
        fn()
    results = {name: [] for name in variants}
    for _ in range(args.repeats):  # interleaved, so drifts in machine load hit all variants alike
        for name, fn in variants.items():
            results[name].append(timed(fn))
    for name, times in results.items():
        print(f"  {name:<40s} {statistics.median(times) * 1e3:9.1f} ms")

    # ---------------------------------------------------------------- sampling only
    y0 = torch.randn(args.chains, 2, generator=torch.Generator().manual_seed(2))
    net = init
    model = TorchEBMEnergy(net)
    sampler = LangevinDynamics(model, step_size=eps, noise_scale=1.0)

    class Gauss(BaseModel):
        def forward(self, x):
            return 0.5 * (x ** 2).sum(-1)

    gauss, gauss_energy = Gauss(), (lambda y: 0.5 * (y ** 2).sum(-1))
    gauss_sampler = LangevinDynamics(gauss, step_size=eps, noise_scale=1.0)
    mlp_energy = lambda y: net(y).squeeze(-1)
    gen = torch.Generator()
    cases = {
        "MLP energy": (lambda: ebmlib.langevin(mlp_energy, y0, steps=args.sample_steps, step_size=eps,
                                               generator=gen),
                       lambda: sampler.sample(x=y0, n_steps=args.sample_steps, generator=gen)),
        "Gaussian energy": (lambda: ebmlib.langevin(gauss_energy, y0, steps=args.sample_steps,
                                                    step_size=eps, generator=gen),
                            lambda: gauss_sampler.sample(x=y0, n_steps=args.sample_steps, generator=gen)),
    }
    print(f"Langevin sampling: {args.chains} chains in 2-D, {args.sample_steps} steps")
    # same work: with equal generator seeds both samplers draw the same noise and agree to rounding
    ours = ebmlib.langevin(mlp_energy, y0, steps=20, step_size=eps, generator=torch.Generator().manual_seed(5))
    theirs = sampler.sample(x=y0, n_steps=20, generator=torch.Generator().manual_seed(5))
    print(f"  same chains (20 steps, same seed): max |ebmlib - TorchEBM| = {(ours - theirs).abs().max():.1e}")
    for case, (ours, theirs) in cases.items():
        ours(), theirs()
        t_ours, t_theirs = [], []
        for _ in range(args.repeats):
            t_ours.append(timed(ours))
            t_theirs.append(timed(theirs))
        print(f"  {case:<16s} ebmlib.langevin {statistics.median(t_ours) * 1e3:8.1f} ms   "
              f"TorchEBM LangevinDynamics {statistics.median(t_theirs) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
