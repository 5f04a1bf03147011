"""The model contract of ``ebmlib.models`` (its module docstring), checked once for every model.

Each model joins by adding one row to ``MODELS``: how to build it unfitted and fitted on small data,
a batch of inputs, whether it has a latent, and the clauses that do not apply to it with the reason
(the same reasons the contract states). Each clause is one test, parametrised over the models.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import pytest
import torch

from ebmlib.models import GLO, RBM, ConvEnergy, GaussianEnergy, KMeansEBM, MLPEnergy, PCAEnergy, TiltedEnergy

F64 = torch.float64
_T = torch.linspace(0.0, 3.0, 40, dtype=F64)
POINTS = torch.stack([_T.cos() * (1 + _T / 3), _T.sin() * (1 + _T / 3)], dim=1)  # (40, 2) a short spiral
IMAGES = torch.linspace(0.0, 1.0, 6 * 64, dtype=F64).reshape(6, 1, 8, 8).sin()
BINARY = (torch.arange(6 * 4).reshape(6, 4) % 3 == 0).to(F64)


class ModelCase(NamedTuple):
    name: str
    build: Callable[[], object]  # an unfitted model
    fit: Callable[[object], object] | None  # fit it on small data, returning what fit returns
    y: torch.Tensor  # a batch of inputs
    latent: bool
    skip: frozenset = frozenset()


def _glo() -> GLO:
    return GLO(40, 1, 2, hidden=(8,), generator=0, dtype=F64)


def _tilted() -> TiltedEnergy:
    return TiltedEnergy(ConvEnergy((4,), image_size=8, generator=0, dtype=F64),
                        GaussianEnergy.from_data(IMAGES, shrinkage=0.1))


MODELS = [
    ModelCase("KMeansEBM", lambda: KMeansEBM(3), lambda m: m.fit(POINTS, generator=0), POINTS[:7], latent=True),
    ModelCase("PCAEnergy", lambda: PCAEnergy(1), lambda m: m.fit(POINTS), POINTS[:7], latent=True),
    # GLO's minimum over z is found by descent; its history is one loss per epoch, at the training latents
    ModelCase("GLO", _glo, lambda m: m.fit(POINTS, epochs=3), POINTS[:7], latent=True,
              skip=frozenset({"free energy below other latents", "history is the training free energy"})),
    ModelCase("GaussianEnergy", lambda: GaussianEnergy(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64)),
              lambda m: m.fit(POINTS, shrinkage=0.01), POINTS[:7], latent=False),
    # trained by their losses in a loop (RBM.cd_loss, ebmlib.train / train_image_ebm), not by fit
    ModelCase("MLPEnergy", lambda: MLPEnergy(2, (8,), generator=0, dtype=F64), None, POINTS[:7], latent=False),
    ModelCase("ConvEnergy", lambda: ConvEnergy((4,), image_size=8, generator=0, dtype=F64), None, IMAGES,
              latent=False),
    ModelCase("TiltedEnergy", _tilted, None, IMAGES, latent=False),
    # the RBM's free energy is the exact sum over h at beta = 1 and its inference is sampling (sample_h)
    ModelCase("RBM", lambda: RBM(4, 3, generator=0, dtype=F64), None, BINARY, latent=True,
              skip=frozenset({"infer", "free energy is the energy at the inferred latent",
                              "free energy below other latents"})),
]
IDS = [c.name for c in MODELS]


def fitted(case: ModelCase):
    model = case.build()
    if case.fit is not None:
        case.fit(model)
    return model


def only(clause: str, *, latent: bool | None = None, fits: bool | None = None):
    """The cases a clause applies to (the others are not collected: the contract does not ask it of them)."""
    return [pytest.param(c, id=c.name) for c in MODELS if clause not in c.skip
            and (latent is None or c.latent == latent) and (fits is None or (c.fit is not None) == fits)]


@pytest.mark.parametrize("case", only("energy", latent=False))
def test_an_energy_without_latent_is_called_and_returns_one_value_per_input(case):
    e = fitted(case)(case.y)
    assert e.shape == (case.y.shape[0],) and e.dtype == F64 and bool(torch.isfinite(e).all())


@pytest.mark.parametrize("case", only("infer", latent=True))
def test_infer_returns_one_latent_per_input_batch_first(case):
    z = fitted(case).infer(case.y)
    assert z.shape[0] == case.y.shape[0]


@pytest.mark.parametrize("case", only("energy", latent=True))
def test_a_latent_energy_takes_y_and_z_and_returns_one_value_per_input(case):
    model = fitted(case)
    z = model.infer(case.y) if "infer" not in case.skip else (model.sample_h(case.y, generator=0))
    e = model.energy(case.y, z)
    assert e.shape == (case.y.shape[0],) and e.dtype == F64 and bool(torch.isfinite(torch.as_tensor(e)).all())


@pytest.mark.parametrize("case", only("free energy", latent=True))
def test_free_energy_returns_one_finite_value_per_input(case):
    f = fitted(case).free_energy(case.y)
    assert f.shape == (case.y.shape[0],) and f.dtype == F64 and bool(torch.isfinite(f).all())


@pytest.mark.parametrize("case", only("free energy is the energy at the inferred latent", latent=True))
def test_free_energy_at_zero_temperature_is_the_energy_at_the_inferred_latent(case):
    model = fitted(case)
    torch.testing.assert_close(model.free_energy(case.y), model.energy(case.y, model.infer(case.y)),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", only("free energy below other latents", latent=True))
def test_free_energy_is_not_above_the_energy_at_any_other_latent(case):
    model = fitted(case)
    z = model.infer(case.y).roll(1, dims=0)  # each point paired with its neighbour's latent
    assert bool((model.free_energy(case.y) <= model.energy(case.y, z) + 1e-12).all())


@pytest.mark.parametrize("case", only("fit", fits=True))
def test_fit_returns_the_model_itself(case):
    model = case.build()
    assert case.fit(model) is model


@pytest.mark.parametrize("case", only("history", fits=True))
def test_history_is_empty_before_fit_and_a_list_of_finite_floats_after(case):
    model = case.build()
    assert model.history_ == []
    case.fit(model)
    assert model.history_ and all(isinstance(h, float) and math.isfinite(h) for h in model.history_)


@pytest.mark.parametrize("case", only("history is the training free energy", fits=True))
def test_a_closed_form_fit_records_the_mean_training_energy(case):
    model = case.build()
    case.fit(model)
    data = POINTS
    mean = (model(data) if not case.latent else model.free_energy(data)).mean().item()
    assert model.history_[-1] == pytest.approx(mean, rel=1e-6, abs=1e-10)


def test_gaussian_from_data_is_a_fitted_model_like_fit():
    a = GaussianEnergy.from_data(POINTS, shrinkage=0.01)
    b = GaussianEnergy(torch.zeros(2, dtype=F64), torch.eye(2, dtype=F64)).fit(POINTS, shrinkage=0.01)
    assert torch.equal(a.mean, b.mean) and torch.equal(a.precision, b.precision) and a.history_ == b.history_


def test_kmeans_energy_table_holds_every_latent_energy():
    model = KMeansEBM(3).fit(POINTS, generator=0)
    table = model.energy_table(POINTS[:7])  # (B, k)
    for j in range(3):
        torch.testing.assert_close(table[:, j], model.energy(POINTS[:7], torch.full((7,), j)))


def test_kmeans_finite_beta_free_energy_is_the_soft_minimum():
    model = KMeansEBM(3).fit(POINTS, generator=0)
    table = model.energy_table(POINTS[:7])
    want = -torch.logsumexp(-2.0 * table, dim=1) / 2.0 + math.log(3) / 2.0  # -(1/beta) log((1/k) sum exp(-beta E))
    torch.testing.assert_close(model.free_energy(POINTS[:7], beta=2.0), want)
    assert bool((model.free_energy(POINTS[:7], beta=1e6) - table.min(1).values).abs().max() < 1e-4)
