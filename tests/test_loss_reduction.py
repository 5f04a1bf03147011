"""Every loss takes ``reduction="mean" | "sum" | "none"``: one test per clause, parametrised over the losses.

Each loss's per-example values are recomputed here, independently, from the formula in its docstring
(closed-form gradients and Hessians of a known energy, the same random draws made with the same
seed); the "none" values must match them, their mean must be the default loss (bit for bit: the
default path is the loss's original expression) and their sum the ``"sum"`` value.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from ebmlib import losses, models, samplers
from ebmlib.latent import latent_grid

F64 = torch.float64
B, D = 5, 2
A = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=F64)


def _y(b: int = B, d: int = D, shift: float = 0.0) -> torch.Tensor:
    return (torch.linspace(-1.3, 1.1, b * d, dtype=F64).reshape(b, d) + shift).sin() * 1.5


def energy(y: torch.Tensor) -> torch.Tensor:
    """E(y) = 1/2 y^T A y + sum_d sin(y_d): grad = A y + cos y, Hessian = A - diag(sin y)."""
    return 0.5 * ((y @ A) * y).sum(1) + torch.sin(y).sum(1)


def grad(y: torch.Tensor) -> torch.Tensor:
    return y @ A + torch.cos(y)


def hessian(y: torch.Tensor) -> torch.Tensor:  # (B, D, D)
    return A[None] - torch.diag_embed(torch.sin(y))


def _randn(seed: int, shape) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


# --- independent per-example references ---------------------------------------------------------------

def ref_score_matching() -> torch.Tensor:
    y = _y()
    return 0.5 * (grad(y) ** 2).sum(1) - torch.diagonal(hessian(y), dim1=1, dim2=2).sum(1)


def ref_sliced(n_projections: int = 3, seed: int = 4) -> torch.Tensor:
    y, gen = _y(), torch.Generator().manual_seed(seed)
    total = torch.zeros(B, dtype=F64)
    for _ in range(n_projections):
        v = torch.randn(y.shape, generator=gen, dtype=F64)
        total += 0.5 * (v * grad(y)).sum(1) ** 2 - torch.einsum("bi,bij,bj->b", v, hessian(y), v)
    return total / n_projections


def ref_dsm(sigma: float = 0.3, seed: int = 2) -> torch.Tensor:
    y = _y()
    xi = _randn(seed, y.shape)
    return 0.5 * ((grad(y + sigma * xi) - xi / sigma) ** 2).sum(1)


SIGMAS = torch.tensor([1.0, 0.5, 0.1], dtype=F64)


def gauss_score(y: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    return -y / (1 + sigma[:, None] ** 2)  # the score of N(0, I) blurred by N(0, sigma^2 I)


def ref_ncdsm(seed: int = 3) -> torch.Tensor:
    y, gen = _y(), torch.Generator().manual_seed(seed)
    sigma = SIGMAS[torch.randint(0, 3, (B,), generator=gen)]
    xi = torch.randn(y.shape, generator=gen, dtype=F64)
    return 0.5 * ((sigma[:, None] * gauss_score(y + sigma[:, None] * xi, sigma) + xi) ** 2).sum(1)


def noise_log_prob(y: torch.Tensor) -> torch.Tensor:
    return -0.5 * (y**2).sum(1) - math.log(2 * math.pi)


NOISE = _y(7, shift=0.4)  # M = 7 noise samples for B = 5 data points: nu = 7/5


def ref_nce(log_z: float = 0.3) -> torch.Tensor:
    nu = NOISE.shape[0] / B
    log_odds = lambda y: -energy(y) - log_z - noise_log_prob(y) - math.log(nu)  # noqa: E731
    return F.softplus(-log_odds(_y())) + nu * F.softplus(log_odds(NOISE)).mean()


def _chains() -> samplers.PersistentChains:
    return samplers.PersistentChains(_y(6, shift=0.2), lambda m, g: torch.zeros(m, D, dtype=F64), generator=0)


_PCD_CHAINS = _chains()


def pcd_call(**kw):
    return losses.persistent_contrastive_divergence_loss(energy, _y(), copy.deepcopy(_PCD_CHAINS), steps=3,
                                                         step_size=0.05, energy_penalty=0.1, **kw)


def ref_pcd() -> torch.Tensor:
    negatives = copy.deepcopy(_PCD_CHAINS)(energy, steps=3, step_size=0.05)
    e_pos, e_neg = energy(_y()), energy(negatives)
    return e_pos - e_neg.mean() + 0.1 * (e_pos**2 + (e_neg**2).mean())


def cd_call(**kw):
    return losses.contrastive_divergence_loss(energy, _y(), steps=3, step_size=0.05, energy_penalty=0.1,
                                              generator=1, **kw)


def ref_cd() -> torch.Tensor:
    negatives = samplers.langevin(energy, _y(), steps=3, step_size=0.05, generator=1)  # one chain per data point
    e_pos, e_neg = energy(_y()), energy(negatives)
    return e_pos - e_neg + 0.1 * (e_pos**2 + e_neg**2)


def image_energy(y: torch.Tensor) -> torch.Tensor:
    return 0.5 * (y**2).flatten(1).sum(1) + y.flatten(1)[:, 0]


_IMGS = torch.linspace(0.0, 1.0, B * 16, dtype=F64).reshape(B, 1, 4, 4)
_IMG_CHAINS = samplers.PersistentChains(torch.linspace(-1, 1, 3 * 16, dtype=F64).reshape(3, 1, 4, 4),
                                        lambda m, g: torch.zeros(m, 1, 4, 4, dtype=F64), generator=0)


def short_run_call(**kw):
    return losses.short_run_ml_loss(image_energy, _IMGS, copy.deepcopy(_IMG_CHAINS), steps=2, step_size=0.05,
                                    energy_penalty=0.2, **kw)


def ref_short_run() -> torch.Tensor:
    negatives = copy.deepcopy(_IMG_CHAINS)(image_energy, steps=2, step_size=0.05)
    e_pos, e_neg = image_energy(_IMGS), image_energy(negatives)
    return e_pos - e_neg.mean() + 0.2 * (e_pos**2 + (e_neg**2).mean())


_DEC = models.EllipseDecoder(dtype=F64)
_ENC = models.GridEncoder(2, 12, (8,), dtype=F64, generator=0)
_ZG = latent_grid(12, dtype=F64)


def ref_vae(beta: float = 2.0) -> torch.Tensor:
    y = _y()
    e = ((y[:, None, :] - _DEC(_ZG)[None]) ** 2).sum(-1)  # (B, N_z)
    log_q = _ENC(y)
    q = log_q.exp()
    return (q * e).sum(1) + (q * (log_q + math.log(12))).sum(1) / beta


_RBM = models.RBM(4, 3, generator=0, dtype=F64)
_V = (torch.arange(B * 4).reshape(B, 4) % 3 == 0).to(F64)
_V_START = (torch.arange(6 * 4).reshape(6, 4) % 2 == 0).to(F64)


def ref_rbm(v_start=None) -> torch.Tensor:
    start = _V if v_start is None else v_start
    # the same sweeps as cd_loss: one call of gibbs with the same seed draws the same numbers
    v_neg = _RBM.gibbs(start, steps=2, generator=5)
    f_neg = _RBM.free_energy(v_neg)
    return _RBM.free_energy(_V) - (f_neg if v_start is None else f_neg.mean())


def rbm_call(v_start=None, **kw):
    return _RBM.cd_loss(_V, steps=2, generator=5, v_start=v_start, **kw)[0]


FP = _y(B, 1)[:, 0]
FN = _y(B, 3, shift=0.7)
GRID_Y = torch.linspace(-4, 4, 81, dtype=F64)
CASES = {
    "score_matching_loss": (lambda **kw: losses.score_matching_loss(energy, _y(), **kw), ref_score_matching),
    "sliced_score_matching_loss": (lambda **kw: losses.sliced_score_matching_loss(
        energy, _y(), n_projections=3, generator=4, **kw), ref_sliced),
    "denoising_score_matching_loss": (lambda **kw: losses.denoising_score_matching_loss(
        energy, _y(), sigma=0.3, generator=2, **kw), ref_dsm),
    "noise_conditional_dsm_loss": (lambda **kw: losses.noise_conditional_dsm_loss(
        gauss_score, _y(), SIGMAS, generator=3, **kw), ref_ncdsm),
    "nce_loss": (lambda **kw: losses.nce_loss(energy, 0.3, _y(), NOISE, noise_log_prob, **kw), ref_nce),
    "contrastive_divergence_loss": (cd_call, ref_cd),
    "persistent_contrastive_divergence_loss": (pcd_call, ref_pcd),
    "short_run_ml_loss": (short_run_call, ref_short_run),
    "vae_loss": (lambda **kw: losses.vae_loss(_y(), _DEC, _ENC, z_grid=_ZG, beta=2.0, **kw), ref_vae),
    "RBM.cd_loss": (rbm_call, ref_rbm),
    "RBM.cd_loss(v_start)": (lambda **kw: rbm_call(_V_START, **kw), lambda: ref_rbm(_V_START)),
    "energy_loss": (lambda **kw: losses.energy_loss(FP, **kw), lambda: FP),
    "hinge_loss": (lambda **kw: losses.hinge_loss(FP, FN, 1.0, **kw),
                   lambda: torch.clamp(1.0 - (FN - FP[:, None]), min=0).mean(1)),
    "log_loss": (lambda **kw: losses.log_loss(FP, FN, **kw),
                 lambda: torch.log(1 + torch.exp(FP[:, None] - FN).sum(1))),
    "nll_loss": (lambda **kw: losses.nll_loss(FP, 0.5 * GRID_Y**2, cell_area=0.1, **kw),
                 lambda: FP + torch.log(torch.exp(-0.5 * GRID_Y**2).sum() * 0.1)),
    "energy_score": (lambda **kw: losses.energy_score(FN[:, :, None], FP[:, None], **kw),
                     lambda: (FN - FP[:, None]).abs().mean(1)
                     - (FN[:, :, None] - FN[:, None, :]).abs().sum((1, 2)) / (2 * 3 * 2)),
    "grid_conditional_nll": (lambda **kw: losses.grid_conditional_nll(
        lambda x, y: 0.5 * (y - x[:, 0]) ** 2, FN[:, :1], FP, GRID_Y, **kw),
        lambda: 0.5 * (FP - FN[:, 0]) ** 2 + torch.logsumexp(
            -0.5 * (GRID_Y[None] - FN[:, :1]) ** 2, 1) + math.log(0.1)),
}


def _tempered(**kw) -> torch.Tensor:  # the test NLL as a tensor ("mean" and "sum" return floats)
    return torch.as_tensor(losses.tempered_grid_nll(energy, _y(7, shift=0.3), _y(), [0.5, 1.0, 2.0], lim=3.0,
                                                    n=20, **kw).nll, dtype=F64)


def ref_tempered() -> torch.Tensor:
    """-log p_T(y) = E(y)/T + log(h^2 sum_g exp(-E(y_g)/T)) over the 20 x 20 cell centres, T of best mean val NLL."""
    h = 6.0 / 20
    c = -3.0 + h * (torch.arange(20, dtype=F64) + 0.5)
    grid = torch.stack(torch.meshgrid(c, c, indexing="ij"), -1).reshape(-1, 2)
    log_z = {t: math.log(h * h * sum(math.exp(-e / t) for e in energy(grid).tolist())) for t in (0.5, 1.0, 2.0)}
    best = min(log_z, key=lambda t: float((energy(_y(7, shift=0.3)) / t).mean()) + log_z[t])
    return energy(_y()) / best + log_z[best]


CASES["tempered_grid_nll"] = (_tempered, ref_tempered)
IDS = list(CASES)


@pytest.mark.parametrize("name", IDS)
def test_none_has_one_value_per_example(name):
    call, _ = CASES[name]
    assert call(reduction="none").shape == (B,)


@pytest.mark.parametrize("name", IDS)
def test_none_matches_the_per_example_formula(name):
    call, ref = CASES[name]
    torch.testing.assert_close(call(reduction="none"), ref(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", IDS)
def test_mean_is_the_default_bit_for_bit(name):
    call, _ = CASES[name]
    assert call(reduction="mean").item() == call().item()


@pytest.mark.parametrize("name", IDS)
def test_default_is_the_mean_of_the_per_example_values(name):
    call, ref = CASES[name]
    assert call().shape == ()
    torch.testing.assert_close(call(), ref().mean(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", IDS)
def test_sum_is_the_sum_of_the_per_example_values(name):
    call, ref = CASES[name]
    torch.testing.assert_close(call(reduction="sum"), ref().sum(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", IDS)
@pytest.mark.parametrize("bad", ["max", "Mean", None, 1])
def test_an_unknown_reduction_is_refused(name, bad):
    call, _ = CASES[name]
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
        call(reduction=bad)


def test_pcd_none_shares_the_buffer_term():
    # the buffer's M = 6 chains are not paired with the B = 5 data points: each term carries their mean
    per = pcd_call(reduction="none")
    e_pos = energy(_y())
    torch.testing.assert_close(per - (e_pos + 0.1 * e_pos**2), (per - (e_pos + 0.1 * e_pos**2))[0].expand(B))


def test_none_keeps_the_gradient_per_example():
    net = models.MLPEnergy(2, (4,), generator=0, dtype=F64)
    losses.denoising_score_matching_loss(net, _y(), sigma=0.3, generator=0, reduction="none")[0].backward()
    grads = [p.grad for p in net.parameters() if p.grad is not None]  # the last bias does not move grad E
    assert grads and any(bool(g.abs().sum() > 0) for g in grads)


# Public callables of ebmlib.losses that take no ``reduction``, each with its reason.
NO_REDUCTION = {
    "ShortRunStep": "a NamedTuple of short_run_ml_loss's results, not a loss",
    "TemperedNLL": "a NamedTuple of tempered_grid_nll's results, not a loss",
}


def _public_losses():
    return {name: getattr(losses, name) for name in losses.__all__ if callable(getattr(losses, name))}


def test_every_public_loss_takes_reduction_or_is_a_listed_exception():
    import inspect
    public = _public_losses()
    assert all(n in public for n in NO_REDUCTION)  # the exceptions list names only real, public callables
    for name, fn in public.items():
        if name in NO_REDUCTION:
            assert "reduction" not in inspect.signature(fn).parameters, f"{name} takes reduction: drop its exception"
        else:
            assert "reduction" in inspect.signature(fn).parameters, f"{name} takes no reduction and is not listed"
            assert inspect.signature(fn).parameters["reduction"].default == "mean", name


# ebmlib.joint_embedding.losses: its ``*_loss`` functions that take no ``reduction``, each with its reason.
JE_NO_REDUCTION = {
    "vicreg_loss": "VICReg's variance and covariance terms are statistics of the whole batch: no per-row value",
    "sigreg_loss": "SIGReg tests the batch's embedding distribution along random directions: no per-row value",
}


def test_joint_embedding_losses_take_reduction_or_are_listed():
    import inspect
    from ebmlib.joint_embedding import losses as je_losses
    names = [n for n in je_losses.__all__ if n.endswith("_loss")]
    assert set(JE_NO_REDUCTION) <= set(names)
    for name in names:
        takes = "reduction" in inspect.signature(getattr(je_losses, name)).parameters
        assert takes != (name in JE_NO_REDUCTION), name


def test_every_public_loss_has_a_reduction_case_here():
    names = [n for n in _public_losses() if n not in NO_REDUCTION]
    assert any(n.endswith(("_loss", "_nll")) for n in names)  # the introspection finds the losses
    missing = [n for n in names if n not in CASES]
    assert not missing, f"losses without a case in CASES: {missing}"
