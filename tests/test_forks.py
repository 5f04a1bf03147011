"""The forking paths and the forked regression data (datasets.forks, datasets.regression)."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from ebmlib import datasets

F64 = torch.float64


def test_forking_paths_follow_their_branch_with_the_stated_noise():
    paths, branch = datasets.forking_paths(4000, length=7, fork_at=3, noise=0.05, generator=0, dtype=F64)
    assert paths.shape == (4000, 7, 2) and set(branch.tolist()) == {-1.0, 1.0}
    assert abs(branch.mean().item()) < 5 / math.sqrt(4000)
    mean = datasets.fork_branches(length=7, fork_at=3, dtype=F64)
    resid = paths - torch.where(branch[:, None, None] > 0, mean[0], mean[1])
    assert resid.std().item() == pytest.approx(0.05, rel=0.02)
    assert stats.kstest(resid.flatten().numpy() / 0.05, "norm").pvalue > 1e-3


def test_fork_branches_geometry():
    b = datasets.fork_branches(length=5, fork_at=2, step=0.5, angle=90.0, dtype=F64)
    assert torch.allclose(b[0], torch.tensor([[0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1]], dtype=F64), atol=1e-12)
    assert torch.allclose(b[1][:, 1], -b[0][:, 1])


def test_forked_regression_log_prob_is_a_density():
    for x0 in (-1.5, 0.2, 1.8):
        f = lambda v: math.exp(datasets.forked_regression_log_prob(torch.tensor([x0], dtype=F64),  # noqa: E731
                                                                    torch.tensor([v], dtype=F64)).item())
        assert integrate.quad(f, -10, 10, points=[-abs(x0), abs(x0)])[0] == pytest.approx(1.0, abs=1e-8)


def test_forked_regression_samples_match_the_density():
    x, y = datasets.forked_regression(20000, generator=1, dtype=F64)
    assert x.min() >= -2 and x.max() <= 2
    left = x < 0
    z = (y[left] - x[left]) / (0.1 + 0.1 * x[left].abs())
    assert stats.kstest(z.numpy(), "norm").pvalue > 1e-3
    right = x > 0.5
    assert ((y[right] > 0).double().mean().item()) == pytest.approx(0.5, abs=5 * 0.5 / math.sqrt(int(right.sum())))
    z = ((y[right].abs() - x[right]) / (0.1 + 0.1 * x[right])).numpy()
    assert stats.kstest(z, "norm").pvalue > 1e-3
