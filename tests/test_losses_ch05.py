"""Tests for ebmlib.losses.square_grid: layout, cell area, and grid likelihoods against closed forms."""

import math

import pytest
import torch
from scipy.stats import multivariate_normal

from ebmlib.losses import grid_log_likelihood, ml_gradient, square_grid

D = torch.float64


def test_layout_and_cell_area():
    grid, cell = square_grid(1.0, 3, dtype=D)
    assert grid.shape == (9, 2) and grid.dtype == D
    assert cell == pytest.approx(1.0)
    g = grid.reshape(3, 3, 2)  # rows follow y_2, columns y_1
    assert torch.equal(g[0, :, 0], torch.tensor([-1.0, 0.0, 1.0], dtype=D))
    assert torch.equal(g[:, 0, 1], torch.tensor([-1.0, 0.0, 1.0], dtype=D))
    assert torch.all(g[1, :, 1] == 0.0) and torch.all(g[:, 2, 0] == 1.0)


def test_gaussian_log_likelihood_matches_scipy():
    # E(y) = (y - m)^T P (y - m) / 2: the grid-normalised log-likelihood is the Gaussian log-density
    m = torch.tensor([0.3, -0.2], dtype=D)
    P = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=D)

    def energy(y):
        d = y - m
        return 0.5 * ((d @ P) * d).sum(1)

    grid, cell = square_grid(6.0, 241, dtype=D)
    y = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-0.5, 0.7]], dtype=D)
    want = multivariate_normal(m.numpy(), torch.linalg.inv(P).numpy()).logpdf(y.numpy()).mean()
    assert grid_log_likelihood(energy, y, grid, cell).item() == pytest.approx(want, abs=1e-6)


def test_ml_gradient_of_a_gaussian_mean_is_moment_matching():
    # E = |y - m|^2 / 2 on a wide grid: dNLL/dm = E_model[y] - E_data[y] = m - mean(y_data)
    m = torch.tensor([0.4, -0.3], dtype=D, requires_grad=True)
    y = torch.tensor([[1.0, 0.0], [0.0, 2.0], [-0.5, 0.5]], dtype=D)
    grid, _ = square_grid(7.0, 201, dtype=D)
    (g,) = ml_gradient(lambda v: 0.5 * ((v - m) ** 2).sum(1), [m], y, grid)
    assert torch.allclose(g, m.detach() - y.mean(0), atol=1e-8)


@pytest.mark.parametrize("lim, n", [(0.0, 5), (-1.0, 5), (math.inf, 5), (1.0, 1), (1.0, 2.0), (1.0, True)])
def test_bad_settings(lim, n):
    with pytest.raises(ValueError):
        square_grid(lim, n)


def test_default_dtype():
    grid, _ = square_grid(2.0, 4)
    assert grid.dtype == torch.get_default_dtype()
