"""The restricted Boltzmann machine: a binary energy with block Gibbs sampling and an exact small-layer log Z.

See chapters 6 (Gibbs sampling) and 7 (contrastive divergence on binarised digits).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._checks import check_float_dtype, check_int, check_nonneg_int, check_reduction, check_tensor, reduce_loss
from ..samplers._driver import run_chain
from ..utils import as_generator

__all__ = ["RBM"]

MAX_ENUMERATED = 20  # log_partition enumerates 2**min(n_visible, n_hidden) states


def _binary_states(n: int, start: int, stop: int, *, dtype, device) -> torch.Tensor:
    """Rows ``start .. stop - 1`` of the 2**n binary states in counting order, (stop - start, n)."""
    idx = torch.arange(start, stop, device=device)
    bits = 2 ** torch.arange(n - 1, -1, -1, device=device)  # (n,), most significant bit first
    return ((idx[:, None] & bits) > 0).to(dtype)


class RBM(nn.Module):
    """A restricted Boltzmann machine: binary visible units v, binary hidden units h, no lateral links.

    E(v, h) = -v.b - h.c - v^T W h, with v in {0, 1}^n_visible and h in {0, 1}^n_hidden. Given v the
    hidden units are independent, p(h_j = 1 | v) = sigmoid(c_j + (v W)_j), and given h so are the
    visible ones, p(v_i = 1 | h) = sigmoid(b_i + (W h)_i); so one block Gibbs sweep samples a whole
    layer at once. Marginalising h in closed form gives the free energy
    F(v) = -v.b - sum_j softplus(c_j + (v W)_j), with p(v) = exp(-F(v)) / Z.

    Args:
        n_visible: number of visible units (>= 1).
        n_hidden: number of hidden units (>= 1).
        generator: a ``torch.Generator``, an int seed or None (global RNG) for the initial weights,
            W ~ N(0, 0.01^2); the biases start at 0.
        dtype: the parameters' floating dtype (None: torch's default).

    Parameters: ``W`` (n_visible, n_hidden), ``b`` (n_visible,), ``c`` (n_hidden,).

    See chapter 6 (Gibbs sampling) and chapter 7 (training by contrastive divergence).
    """

    def __init__(self, n_visible: int, n_hidden: int, *, generator: torch.Generator | int | None = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.n_visible = check_int(n_visible, "n_visible")
        self.n_hidden = check_int(n_hidden, "n_hidden")
        dtype = check_float_dtype(dtype)
        gen = as_generator(generator)
        self.W = nn.Parameter(0.01 * torch.randn(self.n_visible, self.n_hidden, generator=gen, dtype=dtype))
        self.b = nn.Parameter(torch.zeros(self.n_visible, dtype=dtype))
        self.c = nn.Parameter(torch.zeros(self.n_hidden, dtype=dtype))

    def extra_repr(self) -> str:
        return f"n_visible={self.n_visible}, n_hidden={self.n_hidden}"

    # --- checks (public entry points only) ----------------------------------------------------

    def _check_layer(self, t, name: str, width: int) -> torch.Tensor:
        check_tensor(t, name, ndim=2)
        if t.shape[1] != width:
            raise ValueError(f"{name} must have shape (B, {width}), got {tuple(t.shape)}")
        if t.dtype != self.W.dtype:
            raise ValueError(f"{name} must have the parameters' dtype {self.W.dtype}, got {t.dtype}")
        return t

    # --- energies ------------------------------------------------------------------------------

    def energy(self, v: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The joint energy E(v, h) = -v.b - h.c - v^T W h.

        Args:
            v: (B, n_visible) visible states (binary, or probabilities in [0, 1]).
            h: (B, n_hidden) hidden states.

        Returns:
            (B,) energies.
        """
        self._check_layer(v, "v", self.n_visible)
        self._check_layer(h, "h", self.n_hidden)
        if v.shape[0] != h.shape[0]:
            raise ValueError(f"v and h must have the same batch size, got {v.shape[0]} and {h.shape[0]}")
        return -(v @ self.b) - (h @ self.c) - ((v @ self.W) * h).sum(dim=1)

    def _free_energy(self, v: torch.Tensor) -> torch.Tensor:
        return -(v @ self.b) - F.softplus(v @ self.W + self.c).sum(dim=1)  # (B,)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """The free energy F(v) = -log sum_h exp(-E(v, h)) = -v.b - sum_j softplus(c_j + (v W)_j).

        Args:
            v: (B, n_visible) visible states.

        Returns:
            (B,) free energies; p(v) = exp(-F(v)) / Z.
        """
        self._check_layer(v, "v", self.n_visible)
        return self._free_energy(v)

    @torch.no_grad()
    def log_partition(self) -> torch.Tensor:
        """log Z = log sum_{v, h} exp(-E(v, h)), exact, by enumerating the smaller layer.

        With m = min(n_visible, n_hidden) the cost is 2**m evaluations (in chunks), so this is
        refused above 20 units in the smaller layer. Summing out the other layer is closed form:
        log Z = logsumexp_v(-F(v)), or logsumexp_h(h.c + sum_i softplus(b_i + (W h)_i)).

        Returns:
            A 0-dim tensor in the parameters' dtype (detached).

        Raises:
            ValueError: when both layers have more than 20 units.
        """
        m = min(self.n_visible, self.n_hidden)
        if m > MAX_ENUMERATED:
            raise ValueError(f"log_partition enumerates 2**min(n_visible, n_hidden) states and needs the "
                             f"smaller layer to have at most {MAX_ENUMERATED} units, got {m}")
        W, b, c = self.W, self.b, self.c
        if self.n_visible > self.n_hidden:  # enumerate h, sum out v
            W, b, c = W.T, c, b
        chunk = 1 << 14
        parts = []
        for start in range(0, 2**m, chunk):
            s = _binary_states(m, start, min(start + chunk, 2**m), dtype=W.dtype, device=W.device)  # (C, m)
            parts.append(torch.logsumexp(s @ b + F.softplus(s @ W + c).sum(dim=1), dim=0))
        return torch.logsumexp(torch.stack(parts), dim=0)

    # --- conditionals and block Gibbs sampling --------------------------------------------------

    def p_h(self, v: torch.Tensor) -> torch.Tensor:
        """p(h_j = 1 | v) = sigmoid(c_j + (v W)_j), (B, n_hidden)."""
        self._check_layer(v, "v", self.n_visible)
        return torch.sigmoid(v @ self.W + self.c)

    def p_v(self, h: torch.Tensor) -> torch.Tensor:
        """p(v_i = 1 | h) = sigmoid(b_i + (W h)_i), (B, n_visible)."""
        self._check_layer(h, "h", self.n_hidden)
        return torch.sigmoid(h @ self.W.T + self.b)

    @staticmethod
    def _bernoulli(p: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
        return (torch.rand(p.shape, generator=gen, dtype=p.dtype, device=p.device) < p).to(p.dtype)

    def _sweep(self, v: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
        h = self._bernoulli(torch.sigmoid(v @ self.W + self.c), gen)  # (B, n_hidden)
        return self._bernoulli(torch.sigmoid(h @ self.W.T + self.b), gen)  # (B, n_visible)

    @torch.no_grad()
    def sample_h(self, v: torch.Tensor, *, generator: torch.Generator | int | None = None) -> torch.Tensor:
        """Draw h ~ p(h | v): every hidden unit at once, independently. (B, n_visible) -> (B, n_hidden)."""
        self._check_layer(v, "v", self.n_visible)
        return self._bernoulli(torch.sigmoid(v @ self.W + self.c), as_generator(generator, v.device))

    @torch.no_grad()
    def sample_v(self, h: torch.Tensor, *, generator: torch.Generator | int | None = None) -> torch.Tensor:
        """Draw v ~ p(v | h): every visible unit at once, independently. (B, n_hidden) -> (B, n_visible)."""
        self._check_layer(h, "h", self.n_hidden)
        return self._bernoulli(torch.sigmoid(h @ self.W.T + self.b), as_generator(generator, h.device))

    @torch.no_grad()
    def gibbs(self, v: torch.Tensor, *, steps: int, generator: torch.Generator | int | None = None,
              return_trajectory: bool = False, progress: bool = False) -> torch.Tensor:
        """``steps`` block Gibbs sweeps v -> h ~ p(h | v) -> v ~ p(v | h); the chain leaves p(v) invariant.

        Follows the sampler contract of :mod:`ebmlib.samplers` (the energy is the RBM itself; a Gibbs
        sweep has no step size).

        Args:
            v: (B, n_visible) starting states (one chain per row); not modified.
            steps: number of sweeps, >= 0.
            generator: a ``torch.Generator``, an int seed or None.
            return_trajectory: return every state, (steps + 1, B, n_visible), v first.
            progress: show a ``tqdm.auto`` progress bar.
        Returns:
            The (B, n_visible) binary states after ``steps`` sweeps (detached), or the trajectory.

        Cost: 2 x steps matrix products of the batch with W.
        """
        self._check_layer(v, "v", self.n_visible)
        steps = check_nonneg_int(steps, "steps")
        gen = as_generator(generator, v.device)
        return run_chain(lambda x: self._sweep(x, gen), v.detach().clone(), steps,
                         return_trajectory=return_trajectory, progress=progress, desc="Gibbs",
                         hint="the RBM's parameters are not finite")

    # --- training --------------------------------------------------------------------------------

    def cd_loss(self, v_data: torch.Tensor, *, steps: int = 1,
                generator: torch.Generator | int | None = None, v_start: torch.Tensor | None = None,
                reduction: str = "mean") -> tuple[torch.Tensor, torch.Tensor]:
        """The contrastive-divergence (CD-k) surrogate loss, whose gradient is the CD-k update.

        loss = mean F(v_data) - mean F(v_neg), with v_neg = k Gibbs sweeps from ``v_start`` (the
        data itself for CD-k; the previous negatives for persistent CD), held fixed. Its gradient in
        the parameters is the data average of dF/dtheta minus the negatives' average: the
        maximum-likelihood gradient with the model expectation replaced by the chain's samples.

        Args:
            v_data: (B, n_visible) training states.
            steps: Gibbs sweeps k >= 1 (default 1).
            generator: a ``torch.Generator``, an int seed or None.
            v_start: (M, n_visible) where the chains start; None means ``v_data`` (CD-k).
            reduction: ``"mean"``, ``"sum"`` or ``"none"``: the (B,) terms whose mean is the loss,
                F(v_i) - F(v_neg_i) for CD-k (each chain starts at its data point) and
                F(v_i) - mean_j F(v_neg_j) with ``v_start`` (the chains are not paired with the data).

        Returns:
            The pair ``(loss, v_neg)``, a scalar to call ``.backward()`` on and the (M, n_visible) negatives
            (pass them back as ``v_start`` for persistent CD).

        See chapter 7.
        """
        self._check_layer(v_data, "v_data", self.n_visible)
        k = check_int(steps, "steps")
        start = v_data if v_start is None else self._check_layer(v_start, "v_start", self.n_visible)
        reduction = check_reduction(reduction)
        gen = as_generator(generator, v_data.device)
        with torch.no_grad():
            v_neg = start.detach()
            for _ in range(k):
                v_neg = self._sweep(v_neg, gen)
        if reduction == "mean":  # the original expression, kept bit for bit
            return self._free_energy(v_data).mean() - self._free_energy(v_neg).mean(), v_neg
        f_neg = self._free_energy(v_neg)
        per = self._free_energy(v_data) - (f_neg if v_start is None else f_neg.mean())
        return reduce_loss(per, reduction), v_neg

