"""The energy score (losses.scoring_rules): its definition by brute force, the Gaussian CRPS closed form
(Gneiting and Raftery, 2007), and propriety: in expectation the true distribution scores lowest."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ebmlib import losses

F64 = torch.float64


def brute_force(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    b, m, _ = samples.shape
    out = np.zeros(b)
    for i in range(b):
        first = sum(np.linalg.norm(samples[i, j] - y[i]) for j in range(m)) / m
        pair = sum(np.linalg.norm(samples[i, j] - samples[i, k]) for j in range(m) for k in range(m) if j != k)
        out[i] = first - pair / (2 * m * (m - 1))
    return out


@pytest.mark.parametrize("m, d", [(2, 1), (3, 2), (5, 3)])
def test_matches_the_definition_by_brute_force(m, d):
    rng = np.random.default_rng(m + d)
    samples, y = rng.normal(size=(4, m, d)), rng.normal(size=(4, d))
    got = losses.energy_score(torch.tensor(samples), torch.tensor(y), reduction="none")
    assert np.allclose(got.numpy(), brute_force(samples, y), rtol=1e-12)
    assert losses.energy_score(torch.tensor(samples), torch.tensor(y)).item() == pytest.approx(got.mean().item())


def test_one_dimension_is_the_gaussian_crps():
    # CRPS(N(mu, s^2), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)], z = (y - mu) / s
    mu, s = 0.3, 1.7
    y = torch.tensor([[-2.0], [0.0], [0.3], [4.0]], dtype=F64)
    samples = mu + s * torch.randn(4, 3000, 1, generator=torch.Generator().manual_seed(0), dtype=F64)
    got = losses.energy_score(samples, y, reduction="none").numpy()
    z = (y[:, 0].numpy() - mu) / s
    want = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert np.allclose(got, want, atol=0.03)


def test_point_forecast_scores_its_distance():
    x = torch.tensor([[1.0, 2.0]], dtype=F64)
    samples = x[:, None, :].expand(1, 4, 2)  # all samples equal: the pair term vanishes
    y = torch.tensor([[4.0, 6.0]], dtype=F64)
    assert losses.energy_score(samples, y).item() == pytest.approx(5.0)


def test_the_true_distribution_scores_lowest_in_expectation():
    g = torch.Generator().manual_seed(1)
    n, m = 4000, 16
    y = torch.randn(n, 2, generator=g, dtype=F64)  # outcomes from N(0, I)
    xi = torch.randn(n, m, 2, generator=g, dtype=F64)  # common random numbers for every candidate
    candidates = {
        "truth": xi,
        "shifted": xi + torch.tensor([0.5, 0.0], dtype=F64),
        "too narrow": 0.5 * xi,
        "too wide": 2.0 * xi,
        "the mean, as a point": torch.zeros_like(xi),
        "bimodal": xi * 0.3 + torch.where(xi[..., :1] > 0, 1.0, -1.0),
    }
    scores = {k: losses.energy_score(v, y, reduction="none") for k, v in candidates.items()}
    for k, s in scores.items():
        if k != "truth":
            diff = s - scores["truth"]
            assert diff.mean() > 5 * diff.std() / math.sqrt(n), k


def test_gradient_is_finite_when_samples_coincide():
    samples = torch.zeros(2, 3, 2, dtype=F64, requires_grad=True)
    losses.energy_score(samples, torch.ones(2, 2, dtype=F64)).backward()
    assert torch.isfinite(samples.grad).all()
