"""Score matching: fit the gradient of the energy to the data, with no partition function and no sampler.

The score of the model p(y) = exp(-E(y)) / Z is -grad E(y); Z does not appear in it. Score matching
minimises the expected squared distance between the model's score and the data's, which integration
by parts turns into an expression of the model alone (Hyvaerinen, 2005):

    J(E) = E_data[ 1/2 ||grad E(y)||^2 - tr grad^2 E(y) ]   (+ a constant of the data).

Sliced score matching replaces the trace by random projections; denoising score matching fits the
score of the data blurred by Gaussian noise instead, which needs no second derivative at all.

See chapter 7.
"""

from __future__ import annotations

from typing import Callable

import torch

from .._checks import check_callable, check_energy_output, check_positive, check_reduction, check_tensor, reduce_loss
from ..utils import as_generator

__all__ = ["score_matching_loss", "sliced_score_matching_loss", "denoising_score_matching_loss"]

Energy = Callable[[torch.Tensor], torch.Tensor]


def _check(energy: Energy, y: torch.Tensor) -> None:
    check_callable(energy, "energy", "y of shape (B, D) -> energies (B,)")
    check_tensor(y, "y", ndim=2)


def _energy_grad(energy: Energy, y: torch.Tensor, *, check: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """(y as a leaf that requires grad, grad_y E (B, D)) with the graph kept for higher derivatives."""
    y = y.detach().requires_grad_(True)
    e = energy(y)
    if check:
        check_energy_output(e, y.shape[0])
    (g,) = torch.autograd.grad(e.sum(), y, create_graph=True)  # (B, D); rows are independent
    return y, g


def score_matching_loss(energy: Energy, y: torch.Tensor, *, reduction: str = "mean") -> torch.Tensor:
    """Exact score matching loss: the batch mean of 1/2 ||grad E(y)||^2 - tr grad^2 E(y).

    J = (1/B) sum_i [ 1/2 ||grad E(y_i)||^2 - sum_d d^2 E / dy_d^2 (y_i) ],
    which equals E_data[1/2 ||grad log p_model - grad log p_data||^2] up to a constant of the data
    (Hyvaerinen, 2005). The trace of the Hessian is exact, by autograd; the graph is kept
    (``create_graph``), so the loss trains the parameters of ``energy``.

    Args:
        energy: maps (B, D) points to (B,) energies; twice differentiable in y.
        y: (B, D) data points.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (the (B,) per-point terms inside the mean).

    Returns:
        Scalar tensor, or (B,) with ``reduction="none"``.

    Cost: one forward pass and D + 1 backward passes (one per coordinate for the trace), so it
    suits small D; the sliced and denoising versions cost the same for any D.

    See chapter 7.
    """
    _check(energy, y)
    reduction = check_reduction(reduction)
    y, g = _energy_grad(energy, y)
    trace = torch.zeros_like(g[:, 0])  # (B,)
    for d in range(y.shape[1]):
        (h_d,) = torch.autograd.grad(g[:, d].sum(), y, create_graph=True)  # row d of each Hessian
        trace = trace + h_d[:, d]
    return reduce_loss(0.5 * (g**2).sum(dim=1) - trace, reduction)


def sliced_score_matching_loss(energy: Energy, y: torch.Tensor, *, n_projections: int = 1,
                               generator: torch.Generator | int | None = None, reduction: str = "mean") -> torch.Tensor:
    """Sliced score matching: the score-matching loss along random Gaussian directions.

    J = mean over y_i and v_ij ~ N(0, I) of [ 1/2 (v^T grad E(y_i))^2 - v^T grad^2 E(y_i) v ].
    Since E[v v^T] = I, its expectation over v is exactly :func:`score_matching_loss`
    (Song et al., 2019); each projection costs one Hessian-vector product instead of a full trace.

    Args:
        energy: maps (B, D) points to (B,) energies; twice differentiable in y.
        y: (B, D) data points.
        n_projections: directions per point, >= 1.
        generator: torch.Generator, int seed or None (global RNG) for the directions.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``: with ``"none"`` the (B,) per-point terms,
            each averaged over its ``n_projections`` directions.

    Returns:
        Scalar tensor, or the (B,) per-point terms.

    See chapter 7.
    """
    _check(energy, y)
    n_projections = check_positive(n_projections, "n_projections", integer=True)
    reduction = check_reduction(reduction)
    gen = as_generator(generator, y.device)
    y, g = _energy_grad(energy, y)
    total = torch.zeros_like(g[:, 0])  # (B,)
    for _ in range(n_projections):
        v = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)  # (B, D)
        gv = (g * v).sum(dim=1)  # (B,) v^T grad E
        (hv,) = torch.autograd.grad(gv.sum(), y, create_graph=True)  # (B, D) Hessian times v
        total = total + 0.5 * gv**2 - (hv * v).sum(dim=1)
    return reduce_loss(total / n_projections, reduction)


def denoising_score_matching_loss(energy: Energy, y: torch.Tensor, *, sigma: float,
                                  generator: torch.Generator | int | None = None,
                                  reduction: str = "mean") -> torch.Tensor:
    """Denoising score matching: fit -grad E to the score of the noise that corrupted the data.

    With y_tilde = y + sigma xi, xi ~ N(0, I),
    J = (1/B) sum_i 1/2 || grad E(y_tilde_i) - (y_tilde_i - y_i) / sigma^2 ||^2,
    whose minimiser over all energies has -grad E = the score of the data blurred by N(0, sigma^2 I)
    (Vincent, 2011). A denoising autoencoder r(y_tilde) = y_tilde - sigma^2 grad E(y_tilde)
    has a loss 2 sigma^4 times this one: this is its principled form.

    Args:
        energy: maps (B, D) points to (B,) energies; differentiable in y.
        y: (B, D) clean data points.
        sigma: noise standard deviation, > 0.
        generator: torch.Generator, int seed or None (global RNG) for the noise.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (``"none"``: one term
            1/2 ||grad E(y_tilde_i) - (y_tilde_i - y_i) / sigma^2||^2 per point, shape (B,)).

    Returns:
        Scalar tensor (or (B,)).

    See chapter 7.
    """
    _check(energy, y)
    sigma = check_positive(sigma, "sigma")
    reduction = check_reduction(reduction)
    gen = as_generator(generator, y.device)
    xi = torch.randn(y.shape, generator=gen, dtype=y.dtype, device=y.device)  # (B, D)
    y_tilde = y.detach() + sigma * xi
    _, g = _energy_grad(energy, y_tilde)
    target = (y_tilde - y.detach()) / sigma**2  # = xi / sigma
    return reduce_loss(0.5 * ((g - target) ** 2).sum(dim=1), reduction)
