"""GLO, generative latent optimisation: a decoder trained jointly with one free latent per sample.

E(y, z) = ‖y - g(z)‖^2 with z in the ball ‖z‖ <= r (or on the sphere ‖z‖ = r). There is no
encoder: each training sample i owns a latent z_i, optimised together with the decoder g, and
projected back onto the constraint set after every step. The constraint and the latent's dimension
limit the information the code can carry, so only a low-dimensional set g({‖z‖ <= r}) can have
low energy: an architectural method.

See chapter 8.
"""

from __future__ import annotations

import torch
from torch import nn
from tqdm.auto import tqdm

from .._checks import check_nonneg_int, check_positive, check_tensor, check_widths
from ..utils import as_generator
from ._init import perceptron

__all__ = ["GLO", "GLO_CONSTRAINTS"]

GLO_CONSTRAINTS = ("ball", "sphere")


class GLO(nn.Module):
    """Generative latent optimisation: E(y, z) = ‖y - g(z)‖^2, one constrained latent per sample.

    Args:
        n_samples: N, the number of training samples (one latent each).
        latent_dim: d, the dimension of z.
        data_dim: D, the dimension of y.
        hidden: hidden widths of the default decoder, a SiLU perceptron d -> ... -> D.
        decoder: a module mapping (B, d) to (B, D) to use instead of the default one.
        radius: r, the bound on ‖z‖.
        constraint: ``"ball"`` (‖z‖ <= r) or ``"sphere"`` (‖z‖ = r, as in Bojanowski et al.).
        generator: torch.Generator, int seed or None (global RNG) for the initial latents and decoder.
        dtype: floating dtype of the parameters (default: torch's default dtype).

    Attributes:
        latents: (N, d) parameter, the per-sample codes (kept on the constraint set).
        decoder: the decoder g.
        history_: the loss after each epoch of the last :meth:`fit` (empty before).

    Follows the model contract of :mod:`ebmlib.models`; as for every latent model, ``forward`` is
    not the energy: ``glo(z)`` is the decoder g(z), and the energy is :meth:`energy` (y, z).

    See chapter 8.
    """

    def __init__(self, n_samples: int, latent_dim: int, data_dim: int, *, hidden: tuple[int, ...] = (64, 64),
                 decoder: torch.nn.Module | None = None, radius: float = 1.0, constraint: str = "ball",
                 generator: torch.Generator | int | None = None, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        n_samples = check_positive(n_samples, "n_samples", integer=True)
        self.latent_dim = check_positive(latent_dim, "latent_dim", integer=True)
        self.data_dim = check_positive(data_dim, "data_dim", integer=True)
        self.radius = check_positive(radius, "radius")
        if constraint not in GLO_CONSTRAINTS:
            raise ValueError(f"constraint must be one of {GLO_CONSTRAINTS}, got {constraint!r}")
        self.constraint = constraint
        hidden = check_widths(hidden, "hidden")
        dtype = dtype if dtype is not None else torch.get_default_dtype()
        gen = as_generator(generator)
        if decoder is None:
            decoder = perceptron((self.latent_dim, *hidden, self.data_dim), dtype=dtype, generator=gen)
        elif not isinstance(decoder, nn.Module):
            raise ValueError(f"decoder must be a torch.nn.Module mapping (B, d) to (B, D), got {type(decoder).__name__}")
        self.decoder = decoder
        z0 = torch.randn(n_samples, self.latent_dim, generator=gen, dtype=dtype) * (0.5 * self.radius)
        self.latents = nn.Parameter(self._project(z0))
        self.history_: list[float] = []

    def _project(self, z: torch.Tensor) -> torch.Tensor:
        """The nearest point of the constraint set: z scaled to norm r (sphere) or to at most r (ball)."""
        norm = torch.linalg.vector_norm(z, dim=1, keepdim=True)  # (B, 1)
        if self.constraint == "sphere":
            return self.radius * z / norm.clamp_min(1e-12)
        return z * (self.radius / norm.clamp_min(self.radius))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder g(z): (B, d) -> (B, D)."""
        return self.decoder(z)

    def _check_y(self, y: torch.Tensor) -> torch.Tensor:
        check_tensor(y, "y", ndim=2)
        if y.shape[1] != self.data_dim:
            raise ValueError(f"y must have shape (B, {self.data_dim}), got {tuple(y.shape)}")
        return y.to(self.latents.dtype)

    def energy(self, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """E(y, z) = ‖y - g(z)‖^2, shape (B,), for y (B, D) and z (B, d)."""
        y = self._check_y(y)
        check_tensor(z, "z", ndim=2)
        if tuple(z.shape) != (y.shape[0], self.latent_dim):
            raise ValueError(f"z must have shape ({y.shape[0]}, {self.latent_dim}), got {tuple(z.shape)}")
        return ((y - self.decoder(z.to(y.dtype))) ** 2).sum(1)

    def fit(self, y: torch.Tensor, *, epochs: int = 500, lr: float = 1e-2, latent_lr: float | None = None,
            batch_size: int | None = None, generator: torch.Generator | int | None = None,
            progress: bool = False) -> "GLO":
        """Train the decoder and the N latents jointly on the energy loss (1/N) sum_i ‖y_i - g(z_i)‖^2.

        Adam on both, then each updated latent is projected back onto the constraint set.

        Args:
            y: (N, D) training samples, in the order of the latents.
            epochs: passes over the data, >= 1.
            lr: Adam's learning rate for the decoder.
            latent_lr: Adam's learning rate for the latents (default: ``lr``).
            batch_size: samples per step (default: all N, one step per epoch).
            generator: torch.Generator, int seed or None for the minibatch order.
            progress: show a progress bar.

        Returns:
            self; ``self.history_`` holds the loss after each epoch (the mean energy over the data
            at the end of the epoch).
        """
        y = self._check_y(y)
        n = self.latents.shape[0]
        if y.shape[0] != n:
            raise ValueError(f"y must have N = {n} rows (one per latent), got {y.shape[0]}")
        epochs = check_positive(epochs, "epochs", integer=True)
        lr = check_positive(lr, "lr")
        latent_lr = lr if latent_lr is None else check_positive(latent_lr, "latent_lr")
        batch_size = n if batch_size is None else check_positive(batch_size, "batch_size", integer=True)
        gen = as_generator(generator)
        y = y.detach()
        opt = torch.optim.Adam([{"params": self.decoder.parameters(), "lr": lr},
                                {"params": [self.latents], "lr": latent_lr}])
        history = []
        for _ in tqdm(range(epochs), disable=not progress, desc="GLO"):
            order = torch.arange(n) if batch_size >= n else torch.randperm(n, generator=gen)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                opt.zero_grad()
                loss = ((y[idx] - self.decoder(self.latents[idx])) ** 2).sum(1).mean()
                loss.backward()
                opt.step()
                with torch.no_grad():  # Adam's momentum moves latents outside the batch too: project all
                    self.latents.copy_(self._project(self.latents))
            with torch.no_grad():
                history.append(float(((y - self.decoder(self.latents)) ** 2).sum(1).mean()))
        self.history_ = history
        return self

    def infer(self, y: torch.Tensor, *, steps: int = 50, lr: float = 0.05, n_grid: int = 256) -> torch.Tensor:
        """The latent of lowest energy for each y: z = argmin_{z in the constraint set} ‖y - g(z)‖^2.

        Starts from the best of a set of candidates (the N training latents and, when d = 1, a grid
        of ``n_grid`` points of [-r, r]), then runs ``steps`` of projected Adam on z.

        Args:
            y: (B, D) points.
            steps: projected-gradient refinement steps, >= 0.
            lr: Adam's step for the refinement.
            n_grid: extra grid candidates when d = 1, >= 1.

        Returns:
            z of shape (B, d), detached. Costs O(B (N + n_grid)) decoder-free distance evaluations
            plus ``steps`` decoder passes.
        """
        y = self._check_y(y).detach()
        steps = check_nonneg_int(steps, "steps")
        lr = check_positive(lr, "lr")
        n_grid = check_positive(n_grid, "n_grid", integer=True)
        with torch.no_grad():
            cands = self.latents.detach()
            if self.latent_dim == 1:
                r = self.radius
                grid = (torch.linspace(-r, r, n_grid, dtype=cands.dtype) if self.constraint == "ball"
                        else torch.tensor([-r, r], dtype=cands.dtype))
                cands = torch.cat([cands, grid[:, None]])  # (C, 1)
            decoded = self.decoder(cands)  # (C, D)
            best = torch.cat([torch.cdist(chunk, decoded).argmin(1) for chunk in y.split(4096)])  # (B,)
            z = cands[best].clone()
        if steps == 0:
            return z
        z_start = z.clone()
        z.requires_grad_(True)
        opt = torch.optim.Adam([z], lr=lr)
        with torch.enable_grad():
            for _ in range(steps):  # autograd.grad in z only: the decoder's .grad stays untouched
                (z.grad,) = torch.autograd.grad(((y - self.decoder(z)) ** 2).sum(), z)
                opt.step()
                with torch.no_grad():
                    z.copy_(self._project(z))
        with torch.no_grad():  # keep the start where the refinement did not improve on it
            worse = ((y - self.decoder(z)) ** 2).sum(1) > ((y - self.decoder(z_start)) ** 2).sum(1)
            return torch.where(worse[:, None], z_start, z.detach())

    def free_energy(self, y: torch.Tensor, *, steps: int = 50, lr: float = 0.05, n_grid: int = 256) -> torch.Tensor:
        """F(y) = min_z ‖y - g(z)‖^2 over the constraint set (by :meth:`infer`), shape (B,), detached."""
        z = self.infer(y, steps=steps, lr=lr, n_grid=n_grid)
        with torch.no_grad():
            return ((self._check_y(y) - self.decoder(z)) ** 2).sum(1)

    def extra_repr(self) -> str:
        return f"n_samples={self.latents.shape[0]}, latent_dim={self.latent_dim}, {self.constraint} of radius {self.radius:g}"
