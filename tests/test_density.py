"""tempered_grid_nll: the grid normaliser against a closed-form Gaussian, the choice of temperature."""

import math

import pytest
import torch

from ebmlib.losses import tempered_grid_nll
from ebmlib.models import tempered_density

F64 = torch.float64


def _gauss(n, var, seed):
    return math.sqrt(var) * torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_quadratic_energy_is_a_gaussian():
    y_val, y_test = _gauss(4000, 0.5, 0), _gauss(3000, 0.5, 1)
    temps = [0.2, 0.35, 0.5, 0.7, 1.0]
    res = tempered_grid_nll(lambda y: 0.5 * (y**2).sum(1), y_val, y_test, temps, lim=4.0, n=200)
    assert res.temperature == 0.5  # exp(-|y|^2 / (2 T)) is N(0, T I): the data variance wins
    want = float((y_test**2).sum(1).mean() / (2 * 0.5)) + math.log(2 * math.pi * 0.5)
    assert res.nll == pytest.approx(want, abs=1e-6)  # truncation at 5.7 sd and the midpoint rule
    # exact normaliser of the Gaussian truncated to the square: 2 pi T erf(lim / sqrt(2 T))^2
    want_val = torch.tensor([float((y_val**2).sum(1).mean() / (2 * t)) + math.log(2 * math.pi * t)
                             + 2 * math.log(math.erf(4.0 / math.sqrt(2 * t))) for t in temps], dtype=F64)
    assert torch.allclose(res.val_nll, want_val, atol=1e-6)


def test_shift_of_the_energy_does_not_matter():
    y_val, y_test = _gauss(500, 1.0, 2), _gauss(500, 1.0, 3)
    a = tempered_grid_nll(lambda y: (y**2).sum(1), y_val, y_test, [0.5, 2.0], n=64)
    b = tempered_grid_nll(lambda y: (y**2).sum(1) + 100.0, y_val, y_test, [0.5, 2.0], n=64)
    assert a.temperature == b.temperature and a.nll == pytest.approx(b.nll, abs=1e-10)


def test_bad_inputs():
    y = _gauss(10, 1.0, 4)
    f = lambda v: (v**2).sum(1)  # noqa: E731
    with pytest.raises(ValueError, match="temperatures must"):
        tempered_grid_nll(f, y, y, [])
    with pytest.raises(ValueError, match="temperatures must"):
        tempered_grid_nll(f, y, y, [0.0])
    with pytest.raises(ValueError, match=r"y_val must have shape \(B, 2\)"):
        tempered_grid_nll(f, torch.zeros(3, 3, dtype=F64), y, [1.0])
    with pytest.raises(ValueError, match="free_energy must return"):
        tempered_grid_nll(lambda v: v.sum(), y, y, [1.0])


def test_tempered_density_is_the_gaussian_and_normalised():
    p = tempered_density(lambda y: 0.5 * (y**2).sum(1), 0.5, lim=4.0, n=80, dtype=F64)
    h = 8.0 / 80
    assert p.shape == (80, 80)
    assert float(p.sum() * h * h) == pytest.approx(1.0, abs=1e-12)
    a = torch.linspace(-4 + h / 2, 4 - h / 2, 80, dtype=F64)
    Y1, Y2 = torch.meshgrid(a, a, indexing="xy")
    gauss = torch.exp(-(Y1**2 + Y2**2) / (2 * 0.5)) / (2 * math.pi * 0.5)
    assert torch.allclose(p, gauss, rtol=1e-3)  # the midpoint rule and the truncation
    lopsided = tempered_density(lambda y: (y[:, 0] - 2.0) ** 2 + y[:, 1] ** 2, 0.5, n=40, dtype=F64)
    assert lopsided[:, 30].sum() > lopsided[:, 10].sum()  # columns follow y_1


def test_tempered_density_bad_inputs():
    with pytest.raises(ValueError, match="temperature must"):
        tempered_density(lambda y: (y**2).sum(1), 0.0)
    with pytest.raises(ValueError, match="free_energy must"):
        tempered_density(None, 1.0)
