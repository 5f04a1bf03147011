"""Tests for ebmlib.datasets.toy2d: shapes, seeds, support, the exact log-densities (they integrate to 1
on a fine grid, match histograms of samples, and the rings' Bessel form matches a numerical integral
over the angle), bad inputs."""

import math

import numpy as np
import pytest
import torch

from ebmlib.datasets import TOY_2D_NAMES, toy_2d, toy_2d_log_prob
from ebmlib.grids import square_grid

D = torch.float64
KNOWN = ["8gaussians", "checkerboard", "rings"]


@pytest.mark.parametrize("name", TOY_2D_NAMES)
def test_shape_dtype_support_and_seeds(name):
    y = toy_2d(name, 5000, generator=0, dtype=D)
    assert y.shape == (5000, 2) and y.dtype == D and torch.isfinite(y).all()
    assert y.abs().max() < 4.0  # every density lives inside [-4, 4]^2
    assert toy_2d(name, 3, generator=0).dtype == torch.get_default_dtype()
    state = torch.get_rng_state()
    assert torch.equal(toy_2d(name, 100, generator=1, dtype=D), toy_2d(name, 100, generator=torch.Generator().manual_seed(1), dtype=D))
    assert not torch.equal(toy_2d(name, 100, generator=1, dtype=D), toy_2d(name, 100, generator=2, dtype=D))
    assert torch.equal(torch.get_rng_state(), state)


def test_geometry_of_each_density():
    n = 20_000
    y = toy_2d("8gaussians", n, generator=0, dtype=D)
    k = torch.arange(8, dtype=D)
    centres = 2.5 * torch.stack([torch.cos(k * math.pi / 4), torch.sin(k * math.pi / 4)], 1)
    d = torch.cdist(y, centres).min(1).values
    assert (d**2).mean().item() == pytest.approx(2 * 0.3**2, rel=0.05)  # E||N(0, s^2 I)||^2 = 2 s^2
    r = toy_2d("rings", n, generator=0, dtype=D).norm(dim=1)
    nearest = torch.tensor([1.0, 2.0, 3.0], dtype=D)[(r[:, None] - torch.tensor([1.0, 2.0, 3.0], dtype=D)).abs().argmin(1)]
    assert torch.bincount((nearest - 1).long()).tolist() == pytest.approx([n / 3] * 3, rel=0.05)
    assert (r - nearest).std().item() == pytest.approx(0.1, rel=0.1)
    board = toy_2d("checkerboard", n, generator=0, dtype=D)
    idx = torch.floor((board + 3) / 1.5)
    assert ((idx.sum(1) % 2) == 0).all() and (board.abs() <= 3).all()
    moons = toy_2d("two_moons", n, generator=0, dtype=D)
    upper = torch.stack([moons[:, 0] + 1, moons[:, 1] + 0.5], 1).norm(dim=1)  # distance to the upper centre
    lower = torch.stack([moons[:, 0] - 1, moons[:, 1] - 0.5], 1).norm(dim=1)
    off = torch.minimum((upper - 2).abs(), (lower - 2).abs())
    assert off.median().item() < 0.2  # each point lies near one of the two arcs of radius 2
    spiral = toy_2d("spiral", n, generator=0, dtype=D)
    r, theta = spiral.norm(dim=1), torch.atan2(spiral[:, 1], spiral[:, 0])
    # on an arm, r = theta / pi up to a multiple of 2 (a full turn) and the arm's sign: check the residue
    resid = torch.remainder(r - theta / math.pi, 1.0)  # 0 (or 1) on the arms
    far = r > 1.0  # near the centre the noise scrambles the angle
    assert (torch.minimum(resid, 1 - resid)[far] < 0.4).float().mean() > 0.95  # the arms are 1 apart


@pytest.mark.parametrize("name", KNOWN)
def test_log_prob_integrates_to_one(name):
    grid, cell = square_grid(4.5, 901, dtype=D)
    total = (torch.exp(toy_2d_log_prob(name, grid)).sum() * cell).item()
    assert total == pytest.approx(1.0, abs=5e-3 if name == "checkerboard" else 1e-6)


@pytest.mark.parametrize("name", KNOWN)
def test_log_prob_matches_a_histogram_of_samples(name):
    n, edges = 400_000, np.linspace(-4, 4, 17)  # 16 x 16 bins of side 0.5
    y = toy_2d(name, n, generator=3, dtype=D).numpy()
    counts, _, _ = np.histogram2d(y[:, 0], y[:, 1], bins=[edges, edges])
    # bin probabilities by integrating the density on a fine grid inside each bin (midpoint rule)
    m = 25
    mid = (np.arange(16 * m) + 0.5) / m * 0.5 - 4
    Y1, Y2 = np.meshgrid(mid, mid, indexing="ij")
    dens = torch.exp(toy_2d_log_prob(name, torch.tensor(np.stack([Y1.ravel(), Y2.ravel()], 1)))).numpy()
    p = dens.reshape(16, m, 16, m).sum(axis=(1, 3)) * (0.5 / m) ** 2
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) < 5 * se + 2e-3 * p + 1e-5)


def test_rings_bessel_form_matches_an_integral_over_the_angle():
    y = torch.tensor([[0.0, 0.0], [1.05, 0.0], [0.3, 1.9], [2.0, 2.0], [-2.9, 0.4]], dtype=D)
    theta = torch.linspace(0, 2 * math.pi, 4001, dtype=D)[:-1]
    circle = torch.stack([torch.cos(theta), torch.sin(theta)], 1)  # (T, 2)
    dens = 0
    for r in (1.0, 2.0, 3.0):
        d2 = ((y[:, None, :] - r * circle) ** 2).sum(-1)  # (B, T)
        dens = dens + torch.exp(-d2 / (2 * 0.01)).mean(1) / (2 * math.pi * 0.01) / 3
    assert torch.allclose(toy_2d_log_prob("rings", y).exp(), dens, rtol=1e-10, atol=1e-300)


def test_checkerboard_log_prob_values():
    y = torch.tensor([[-2.9, -2.9], [-1.4, -2.9], [0.1, 0.1], [3.5, 0.0]], dtype=D)
    lp = toy_2d_log_prob("checkerboard", y)
    assert lp[0].item() == pytest.approx(-math.log(18.0)) and lp[2].item() == pytest.approx(-math.log(18.0))
    assert lp[1].item() == -math.inf and lp[3].item() == -math.inf


BAD = [
    (lambda: toy_2d("moons", 5), r"name must be one of '8gaussians', 'two_moons', 'spiral', 'checkerboard', 'rings'"),
    (lambda: toy_2d("rings", 0), r"n \(the number of samples\) must be"),
    (lambda: toy_2d("rings", 2.5), r"n \(the number of samples\) must be"),
    (lambda: toy_2d("rings", 5, generator=-1), r"generator must be"),
    (lambda: toy_2d("rings", 5, dtype=torch.int64), r"dtype must be"),
    (lambda: toy_2d_log_prob("two_moons", torch.zeros(3, 2)), r"'two_moons' has no closed form"),
    (lambda: toy_2d_log_prob("spiral", torch.zeros(3, 2)), r"'spiral' has no closed form"),
    (lambda: toy_2d_log_prob("blobs", torch.zeros(3, 2)), r"name must be one of"),
    (lambda: toy_2d_log_prob("rings", torch.zeros(3, 3)), r"y must have shape \(B, 2\)"),
    (lambda: toy_2d_log_prob("rings", torch.zeros(3)), r"y must have 2 dimensions"),
    (lambda: toy_2d_log_prob("rings", torch.full((3, 2), math.nan)), r"y contains NaN"),
    (lambda: toy_2d_log_prob("rings", [[0.0, 0.0]]), r"y must be a torch.Tensor"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# the eight centres of "8gaussians", as a function
def test_centres_match_the_data_generator():
    from ebmlib.datasets import eight_gaussians_centres

    c = eight_gaussians_centres(D)
    assert c.shape == (8, 2) and c.dtype == D
    assert torch.allclose(c.norm(dim=1), torch.full((8,), 2.5, dtype=D))
    y = toy_2d("8gaussians", 4000, generator=0, dtype=D)
    nearest = torch.cdist(y, c).min(1).values
    assert (nearest < 1.5).all()  # every point near a centre (sd 0.3)
    k = torch.cdist(y, c).argmin(1)
    for j in range(8):  # each centre is the mean of its points
        assert torch.allclose(y[k == j].mean(0), c[j], atol=0.05)
