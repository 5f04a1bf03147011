"""Figures for sampling from an energy: samples over contours, acceptance curves, mode hopping,
autocorrelations, the ULA bias, the RBM's state probabilities, and the sampler / step-size grid.

See chapter 6.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_limits, check_nonneg_int, check_positive
from ..errors import DivergenceError
from ..samplers import run_sampler
from ._base import Energy, check_finite_array, new_axes, panels, to_numpy
from .landscapes import energy_grid

__all__ = [
    "plot_samples", "draw_sampler_run", "plot_sampler_grid",
    "plot_acceptance_curves", "plot_hop_rates", "plot_traces", "plot_autocorrelations",
    "plot_ula_bias", "plot_state_probabilities",
]

COLORS = {"MH": "tab:blue", "ULA": "tab:orange", "MALA": "tab:green", "HMC": "tab:red", "Gibbs": "tab:purple"}


def _ax(ax):
    return new_axes(ax, (4.5, 3.6))


def _ellipse(mean, cov, k: float = 2.0, n: int = 100) -> np.ndarray:
    """Points of the k-sigma ellipse of a 2-D Gaussian, (n, 2)."""
    vals, vecs = np.linalg.eigh(np.asarray(cov, dtype=float))
    t = np.linspace(0, 2 * math.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1) * (k * np.sqrt(vals))
    return np.asarray(mean, dtype=float) + circle @ vecs.T


def plot_samples(samples, *, energy: Energy | None = None, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                 mean=None, cov=None, ax: plt.Axes | None = None, color: str = "tab:blue",
                 max_points: int = 1500, title: str | None = None, grid=None) -> plt.Axes:
    """Scatter 2-D samples over the contours of the energy, with the true 2-sigma ellipse if given.

    Args:
        samples: (N, 2) points.
        energy: drawn as contours when given (or pass a precomputed ``grid`` from ``energy_grid``).
        mean, cov: a Gaussian's mean (2,) and covariance (2, 2): its 2-sigma ellipse, dashed.
        max_points: at most this many points are drawn (the first ones).

    Returns:
        The axes drawn on.
    """
    ax = _ax(ax)
    xlim, ylim = check_limits(xlim, "xlim"), check_limits(ylim, "ylim")
    y = check_finite_array(to_numpy(samples), "samples")
    if y.ndim != 2 or y.shape[1] != 2:
        raise ValueError(f"samples must have shape (N, 2), got {y.shape}")
    if grid is None and energy is not None:
        grid = energy_grid(energy, xlim, ylim, 81)
    if grid is not None:
        Y1, Y2, E = grid
        ax.contour(Y1, Y2, E - E.min(), levels=[0.5, 2.0, 4.5, 8.0], colors="0.75", linewidths=0.6)
    ax.scatter(y[:max_points, 0], y[:max_points, 1], s=1.5, color=color, linewidths=0)
    if mean is not None and cov is not None:
        e = _ellipse(mean, cov)
        ax.plot(e[:, 0], e[:, 1], "k--", lw=1.0)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def _run_or_diverged(energy: Energy, name: str, step_size: float, *, y0: torch.Tensor, steps: int, generator,
                     n_leapfrog: int) -> tuple[torch.Tensor | None, float | None]:
    """:func:`ebmlib.samplers.run_sampler` with the trajectory; ``(None, None)`` when the chains diverged."""
    try:
        return run_sampler(name, energy, y0, step_size=step_size, steps=steps, generator=generator,
                           return_trajectory=True, n_leapfrog=n_leapfrog)
    except DivergenceError:
        return None, None


def draw_sampler_run(trajectory: torch.Tensor | None, *, name: str, step_size: float, rate: float | None = None,
                     ax: plt.Axes | None = None, energy: Energy | None = None, grid=None, xlim=(-3.0, 3.0),
                     ylim=(-3.0, 3.0), mean=None, cov=None) -> plt.Axes:
    """Draw one sampler run: the final states of every chain and the path of the first chain.

    The run itself is :func:`ebmlib.samplers.run_sampler` (``return_trajectory=True``); this function only
    draws it. The energy's contours are drawn from ``grid`` when given, else from ``energy`` when given.
    The title gives the sampler, the step size and the acceptance rate ``rate`` (when not None), or says
    that the chains diverged when ``trajectory`` is None.

    Args:
        trajectory: (T + 1, B, 2) chains with the starting points first, or None for a diverged run.
        name: the sampler's display name (its colour and the title).
        step_size: the step size of the run (for the title).
        rate: its acceptance rate, or None (ULA, or not measured).
        ax: axes to draw on (a new figure when None).
        energy, grid: contours (``grid`` from ``energy_grid`` is reused as is).
        xlim, ylim: plotting ranges.
        mean, cov: the target's mean and covariance, for its dashed 2-sigma ellipse.

    Returns:
        The Axes drawn on.

    See chapter 6.
    """
    step_size = check_positive(step_size, "step_size")
    xlim, ylim = check_limits(xlim, "xlim"), check_limits(ylim, "ylim")
    if name not in COLORS:
        raise ValueError(f"name must be one of {tuple(COLORS)}, got {name!r}")
    ax = _ax(ax)
    if trajectory is None:
        ax.clear()
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_title(f"{name}, step {step_size:.3g}: diverged", fontsize=9)
        return ax
    traj = to_numpy(trajectory)
    if traj.ndim != 3 or traj.shape[2] != 2:
        raise ValueError(f"trajectory must have shape (T+1, B, 2), got {traj.shape}")
    plot_samples(traj[-1], xlim=xlim, ylim=ylim, mean=mean, cov=cov, ax=ax, color=COLORS[name], grid=grid,
                 energy=None if grid is not None else energy)
    path = traj[:, 0]
    ax.plot(path[:, 0], path[:, 1], "-", color="k", lw=0.5)
    ax.plot(path[0, 0], path[0, 1], "ko", ms=3)
    rate_txt = "" if rate is None else f", accept {rate:.2f}"
    ax.set_title(f"{name}, step {step_size:.3g}{rate_txt}", fontsize=9)
    return ax


def plot_sampler_grid(energy: Energy, step_sizes: Mapping[str, Sequence[float]], *, y0: torch.Tensor,
                      steps: int = 100, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), mean=None, cov=None,
                      generator=0, panel_size=(2.6, 2.6), contours: bool = True, n_leapfrog: int = 5,
                      axes=None) -> plt.Figure:
    """Small multiples: one row per sampler, one panel per step size (the widget's static fallback).

    Each panel runs :func:`ebmlib.samplers.run_sampler` from ``y0`` with the seed ``generator`` and draws
    it with :func:`draw_sampler_run`.

    Args:
        step_sizes: sampler name -> its step sizes (all rows must have the same number).
        contours: draw the energy's contours in every panel.
        n_leapfrog: leapfrog steps per HMC trajectory.
        axes: one Axes per panel, in reading order (a new figure when None).

    Returns:
        The Figure.

    See chapter 6.
    """
    steps = check_nonneg_int(steps, "steps")
    names = list(step_sizes)
    if not names:
        raise ValueError("step_sizes must name at least one sampler, got none")
    ncols = len(step_sizes[names[0]])
    if any(len(step_sizes[n]) != ncols for n in names):
        raise ValueError("step_sizes must give every sampler the same number of step sizes")
    fig, flat = panels(len(names) * ncols, ncols, panel_size, axes=axes, xlabel="$y_1$", ylabel="$y_2$")
    grid = energy_grid(energy, xlim, ylim, 61) if contours else None
    for r, name in enumerate(names):
        for c, s in enumerate(step_sizes[name]):
            ax = flat[r * ncols + c]
            s = check_positive(s, "step_sizes")
            traj, rate = _run_or_diverged(energy, name, s, y0=y0, steps=steps, generator=generator,
                                          n_leapfrog=n_leapfrog)
            draw_sampler_run(traj, name=name, step_size=s, rate=rate, ax=ax, grid=grid, xlim=xlim, ylim=ylim,
                             mean=mean, cov=cov)
            ax.set_xlabel("")
            ax.set_ylabel("")
    return fig  # constrained layout (panels), like every multi-panel figure here


def plot_acceptance_curves(step_sizes: Mapping[str, Sequence[float]], rates: Mapping[str, Sequence[float]], *,
                           optima: Mapping[str, float] | None = None, best: Mapping[str, float] | None = None,
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Acceptance rate against step size (log axis) per sampler; textbook optima as dashed lines.

    Args:
        step_sizes, rates: sampler name -> values of the same length.
        optima: sampler name -> the asymptotic optimal acceptance rate (a dashed line).
        best: sampler name -> a measured best step size (a marker on the curve).

    Returns:
        The axes drawn on.
    """
    ax = _ax(ax)
    for name in step_sizes:
        s, r = np.asarray(step_sizes[name], float), check_finite_array(np.asarray(rates[name], float), "rates")
        color = COLORS.get(name)
        ax.plot(s, r, "o-", ms=3, color=color, label=name)
        if optima and name in optima:
            ax.axhline(optima[name], color=color, ls="--", lw=0.9)
            ax.text(s.max(), optima[name] + 0.01, f"{optima[name]:.3g}", color=color, ha="right", va="bottom",
                    fontsize=8)
        if best and name in best:
            ax.plot([best[name]], [np.interp(np.log(best[name]), np.log(s), r)], "*", ms=11, color=color, mec="k")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("step size (proposal scale for MH)")
    ax.set_ylabel("acceptance rate")
    ax.legend(fontsize=8)
    return ax


def plot_hop_rates(betas: Sequence[float], rates: Mapping[str, Sequence[float]], *, ax: plt.Axes | None = None,
                   barrier: float | None = None) -> plt.Axes:
    """Mode hops per 1,000 gradient evaluations against beta (log scale), per sampler.

    With ``barrier`` the Arrhenius slope exp(-beta * barrier) is drawn through the first point.
    """
    ax = _ax(ax)
    b = np.asarray(betas, float)
    for name, r in rates.items():
        r = check_finite_array(np.asarray(r, float), "rates")
        ax.plot(b, r, "o-", color=COLORS.get(name), label=name)
    if barrier is not None:
        first = np.asarray(next(iter(rates.values())), float)[0]
        ax.plot(b, first * np.exp(-(b - b[0]) * barrier), "k:", lw=1, label=r"$\propto e^{-\beta \Delta E}$")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\beta$ (inverse temperature)")
    ax.set_ylabel("hops per 1,000 gradients")
    ax.legend(fontsize=8)
    return ax


def plot_traces(traces: Mapping[str, Sequence[float]], *, ax: plt.Axes | None = None, x=None) -> plt.Axes:
    """Trace plots of one coordinate of a chain, per sampler (x: the gradient count of each point)."""
    ax = _ax(ax)
    for name, tr in traces.items():
        tr = check_finite_array(np.asarray(to_numpy(tr), float), "traces")
        xs = np.arange(len(tr)) if x is None else np.asarray(x[name] if isinstance(x, Mapping) else x, float)
        ax.plot(xs, tr, lw=0.7, color=COLORS.get(name.split()[0]), label=name)
    ax.set_xlabel("gradient evaluations")
    ax.set_ylabel("$y$")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_autocorrelations(acfs: Mapping[str, Sequence[float]], *, ax: plt.Axes | None = None,
                          cost: Mapping[str, float] | None = None) -> plt.Axes:
    """Autocorrelation against lag per sampler; with ``cost`` (gradients per step) the x axis is gradients."""
    ax = _ax(ax)
    for name, rho in acfs.items():
        rho = check_finite_array(np.asarray(to_numpy(rho), float), "acfs")
        k = np.arange(len(rho)) * (cost[name] if cost else 1)
        ax.plot(k, rho, lw=1.2, color=COLORS.get(name), label=name)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("lag (gradient evaluations)" if cost else "lag (steps)")
    ax.set_ylabel("autocorrelation")
    ax.legend(fontsize=8)
    return ax


def plot_ula_bias(step_sizes: Sequence[float], measured: Sequence[float], discrete: Sequence[float], truth: float, *,
                  ax: plt.Axes | None = None, label: str = r"$\mathrm{Var}(y_1)$",
                  measured_at: Sequence[float] | None = None) -> plt.Axes:
    """A stationary variance of ULA against the step size: measured, the exact discrete-time value, the target.

    ``discrete`` is given at ``step_sizes``; ``measured`` at ``measured_at`` (default: ``step_sizes``),
    so the exact curve can be drawn on a finer grid than the simulations.
    """
    ax = _ax(ax)
    s = np.asarray(step_sizes, float)
    ax.plot(s, check_finite_array(np.asarray(discrete, float), "discrete"), "-", color="tab:orange",
            label="exact discrete-time (AR(1))")
    m_at = s if measured_at is None else np.asarray(measured_at, float)
    ax.plot(m_at, check_finite_array(np.asarray(measured, float), "measured"), "o", color="k", ms=4, label="ULA samples")
    ax.axhline(truth, color="0.3", ls="--", lw=1, label=r"target ($\epsilon \to 0$)")
    ax.set_xlabel(r"step size $\epsilon$")
    ax.set_ylabel(label)
    ax.legend(fontsize=8)
    return ax


def plot_state_probabilities(p_exact, freq, *, ax: plt.Axes | None = None, top: int | None = None) -> plt.Axes:
    """Bars of the exact probabilities of the binary states and the sampled frequencies (RBM check).

    Args:
        p_exact, freq: (S,) probabilities per state (same order).
        top: show only the ``top`` most probable states.
    """
    ax = _ax(ax)
    p, f = check_finite_array(np.asarray(to_numpy(p_exact), float), "p_exact"), check_finite_array(
        np.asarray(to_numpy(freq), float), "freq")
    if p.shape != f.shape:
        raise ValueError(f"p_exact and freq must have the same shape, got {p.shape} and {f.shape}")
    order = np.argsort(-p)[: top or len(p)]
    x = np.arange(len(order))
    ax.bar(x - 0.2, p[order], width=0.4, color="0.6", label="exact (enumeration)")
    ax.bar(x + 0.2, f[order], width=0.4, color=COLORS["Gibbs"], label="Gibbs chains")
    ax.set_xticks(x[:: max(1, len(x) // 10)])
    ax.set_xlabel("visible state, ranked by exact probability")
    ax.set_ylabel("probability")
    ax.legend(fontsize=8)
    return ax
