"""Wall time of ebmlib's ``langevin`` and ``hmc`` against TorchEBM, ebmkit and a bare PyTorch loop
(a benchmark, not a test).

Same energy, same starting batch, same number of steps and the same update rule for every variant:

- Langevin (unadjusted): y <- y - eps grad E(y) + sqrt(2 eps) xi, ``--langevin-steps`` steps.
- HMC: momentum p ~ N(0, I), ``--leapfrog`` leapfrog steps of size eps, a Metropolis test on
  H = E + |p|^2 / 2, ``--hmc-steps`` trajectories.

Two energies: an MLP 2 -> 128 -> 128 -> 1 (SiLU) on 1,024 points, and a small conv energy on 128
8 x 8 one-channel images (conv 1->16, conv 16->32 stride 2, linear 512 -> 1, SiLU), both float32.
The bare loop is the update rule written out with ``torch.autograd.grad`` and nothing else (no
validation, no divergence check, no progress bar); for HMC it reuses the gradient at the current
point, as ebmlib does.

Peers are optional and never dependencies of ebmlib; a missing one is skipped with a message:
TorchEBM 0.8.9 (``import torchebm``: ``LangevinDynamics``, ``HamiltonianMonteCarlo``) and ebmkit
0.16.0 (``import ebm``: ``samplers.LangevinDynamics``, ``samplers.HMC``). Notes printed with the
results say where a variant needs the images flattened to (B, 64) (the energy reshapes them back):
TorchEBM's HMC sums the kinetic energy over the last dimension only, and ``langevin`` on a branch
without the any-trailing-shape extension takes (B, D) only.

Run (from the repository root, with the peers unpacked in /opt/peers_pkgs):
    PYTHONPATH=$PWD:/opt/peers_pkgs .venv/bin/python benchmarks/bench_samplers.py --threads 1
Prints the median wall time of each variant over ``--repeats`` runs, and its ratio to ebmlib and to
the bare loop.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Callable

import torch
from torch import nn

import ebmlib

try:
    import torchebm
    from torchebm.core import BaseModel
    from torchebm.samplers import HamiltonianMonteCarlo, LangevinDynamics
except ImportError as exc:  # pragma: no cover - a benchmark script
    torchebm = None
    TORCHEBM_MISSING = str(exc)
try:
    import ebm as ebmkit
except ImportError as exc:  # pragma: no cover
    ebmkit = None
    EBMKIT_MISSING = str(exc)


def mlp_energy() -> nn.Module:
    net = nn.Sequential(nn.Linear(2, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 1))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, y):
            return self.net(y)[:, 0] + 0.5 * (y**2).sum(1)  # (B,)

    return MLP()


def conv_energy() -> nn.Module:
    class Conv(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.SiLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                                     nn.SiLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, 1))

        def forward(self, y):
            y = y.view(-1, 1, 8, 8)  # accepts (B, 1, 8, 8) or flattened (B, 64)
            return self.net(y)[:, 0] + 0.5 * (y**2).flatten(1).sum(1)  # (B,)

    return Conv()


# --- the bare loops: the update rules and nothing else -----------------------------------------

def bare_langevin(energy, y0, steps, eps, gen):
    y = y0.clone()
    noise = math.sqrt(2 * eps)
    for _ in range(steps):
        y_var = y.requires_grad_(True)
        (g,) = torch.autograd.grad(energy(y_var).sum(), y_var)
        y = y.detach() - eps * g + noise * torch.randn(y.shape, generator=gen)
    return y


def bare_hmc(energy, y0, steps, eps, n_leapfrog, gen):
    def e_grad(y):
        y = y.detach().requires_grad_(True)
        e = energy(y)
        (g,) = torch.autograd.grad(e.sum(), y)
        return e.detach(), g

    y = y0.clone()
    e, g = e_grad(y)
    view = (-1,) + (1,) * (y.dim() - 1)
    for _ in range(steps):
        p = torch.randn(y.shape, generator=gen)
        h0 = e + 0.5 * (p * p).flatten(1).sum(1)
        y_new, g_new = y, g
        p = p - 0.5 * eps * g_new
        for i in range(n_leapfrog):
            y_new = y_new + eps * p
            e_new, g_new = e_grad(y_new)
            p = p - (eps if i < n_leapfrog - 1 else 0.5 * eps) * g_new
        h1 = e_new + 0.5 * (p * p).flatten(1).sum(1)
        accept = torch.rand(y.shape[0], generator=gen).log() < h0 - h1
        y = torch.where(accept.view(view), y_new, y)
        g = torch.where(accept.view(view), g_new, g)
        e = torch.where(accept, e_new, e)
    return y


def timed_together(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each function; the repeats are interleaved (a, b, c, a, b, c, ...) so that a
    change in the load of a shared machine hits every variant alike."""
    for fn in fns.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title: str, results: dict[str, float], notes: list[str]) -> None:
    base, bare = results.get("ebmlib"), results.get("bare PyTorch loop")
    print(f"\n{title}")
    for name, t in results.items():
        r1 = f"{t / base:5.2f}x ebmlib" if base else ""
        r2 = f"{t / bare:5.2f}x bare" if bare else ""
        print(f"  {name:<36s} {t * 1e3:9.1f} ms   {r1}   {r2}")
    for n in notes:
        print(f"  note: {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--langevin-steps", type=int, default=100)
    parser.add_argument("--hmc-steps", type=int, default=20)
    parser.add_argument("--leapfrog", type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); ebmlib {ebmlib.__version__}; "
          f"TorchEBM {getattr(torchebm, '__version__', 'absent')}; "
          f"ebmkit {'present' if ebmkit is not None else 'absent'}")
    if torchebm is None:
        print(f"TorchEBM skipped: {TORCHEBM_MISSING}")
    if ebmkit is None:
        print(f"ebmkit skipped: {EBMKIT_MISSING}")

    torch.manual_seed(0)
    cases = [("MLP 2-128-128-1, 1,024 points", mlp_energy(), torch.randn(1024, 2), 0.01),
             ("conv energy, 128 images 8x8", conv_energy(), torch.randn(128, 1, 8, 8), 0.01)]
    for title, energy, y0, eps in cases:
        for p in energy.parameters():
            p.requires_grad_(False)  # sampling only: no parameter gradients in any variant
        images = y0.dim() > 2
        flat = y0.flatten(1)
        steps, hsteps, L = args.langevin_steps, args.hmc_steps, args.leapfrog

        # --- Langevin ---
        notes = []
        try:
            ebmlib.langevin(energy, y0, steps=1, step_size=eps)
            y_lang = y0
        except ValueError:
            y_lang = flat
            notes.append("ebmlib.langevin here takes (B, D) only: images flattened to (B, 64)")
        fns = {"ebmlib": lambda: ebmlib.langevin(energy, y_lang, steps=steps, step_size=eps,
                                                 generator=torch.Generator().manual_seed(1)),
               "bare PyTorch loop": lambda: bare_langevin(energy, y0, steps, eps, torch.Generator().manual_seed(1))}
        if torchebm is not None:
            class TEBM(BaseModel):
                def __init__(self, net):
                    super().__init__()
                    self.net = net

                def forward(self, x):
                    return self.net(x)

            sampler = LangevinDynamics(TEBM(energy), step_size=eps, noise_scale=1.0)  # noise sqrt(2 eps)
            fns["TorchEBM LangevinDynamics"] = lambda: sampler.sample(
                x=y0, n_steps=steps, generator=torch.Generator().manual_seed(1))
        if ebmkit is not None:
            ek = ebmkit.samplers.LangevinDynamics(step_size=eps, steps=steps)
            fns["ebmkit LangevinDynamics"] = lambda: ek.sample(energy, y0)
        results = timed_together(fns, args.repeats)
        report(f"Langevin, {title}, {steps} steps", results, notes)

        # --- HMC ---
        notes = []
        fns = {"ebmlib": lambda: ebmlib.hmc(energy, y0, steps=hsteps, step_size=eps, n_leapfrog=L,
                                            generator=torch.Generator().manual_seed(2)),
               "bare PyTorch loop": lambda: bare_hmc(energy, y0, hsteps, eps, L, torch.Generator().manual_seed(2))}
        if torchebm is not None:
            hs = HamiltonianMonteCarlo(TEBM(energy), step_size=eps, n_leapfrog_steps=L)
            x_t = flat if images else y0
            if images:
                notes.append("TorchEBM HMC sums the kinetic energy over the last dim only: images flattened")
            fns["TorchEBM HamiltonianMonteCarlo"] = lambda: hs.sample(
                x=x_t, n_steps=hsteps, generator=torch.Generator().manual_seed(2))
        if ebmkit is not None:
            eh = ebmkit.samplers.HMC(step_size=eps, leapfrog_steps=L, steps=hsteps)
            fns["ebmkit HMC"] = lambda: eh.sample(energy, y0)
        results = timed_together(fns, args.repeats)
        report(f"HMC, {title}, {hsteps} trajectories x {L} leapfrog steps", results, notes)


if __name__ == "__main__":
    main()
