"""Tests of ebmlib.margins (chapter 5's most offending answers, margin_training_loss and grid_margin), each against
an independent answer (brute force, hand formulas)."""
import math

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ebmlib  # noqa: E402
from ebmlib import grids, losses, margins  # noqa: E402
from ebmlib.plotting import plot_energy_panels, plot_fit_vs_beta  # noqa: E402





# --- margins.most_offending_on_grid ---------------------------------------------------------------

def _brute_force_most_offending(energy, grid, data, k, min_distance):
    """Python loops: keep the grid points far from every data point, sort them by energy."""
    far = []
    for g in grid.tolist():
        if all(math.dist(g, d) > min_distance for d in data.tolist()):
            far.append((energy(torch.tensor([g], dtype=grid.dtype)).item(), g))
    far.sort(key=lambda t: t[0])
    return [g for _, g in far[:k]]


@pytest.mark.parametrize("seed,k,min_distance", [(0, 1, 0.3), (1, 5, 0.5), (2, 12, 0.2)])
def test_most_offending_matches_brute_force(seed, k, min_distance):
    gen = torch.Generator().manual_seed(seed)
    grid, _ = grids.square_grid(2.0, 15, dtype=torch.float64)  # (225, 2)
    data = torch.randn(7, 2, generator=gen, dtype=torch.float64)
    centre = torch.randn(2, generator=gen, dtype=torch.float64)

    def energy(y):  # a bowl off-centre plus a ripple, so that no two grid points tie
        return ((y - centre) ** 2).sum(1) + 0.1 * torch.sin(3 * y[:, 0] + 1.3 * y[:, 1])

    got = margins.most_offending_on_grid(energy, grid, data, k=k, min_distance=min_distance)
    assert got.shape == (k, 2) and got.dtype == torch.float64
    assert got.tolist() == _brute_force_most_offending(energy, grid, data, k, min_distance)
    assert torch.cdist(got, data).min() > min_distance  # never an observed answer


def test_most_offending_leaves_gradients_alone():
    w = torch.tensor([1.0, -0.5], dtype=torch.float64, requires_grad=True)
    grid, _ = grids.square_grid(1.0, 5, dtype=torch.float64)
    got = margins.most_offending_on_grid(lambda y: y @ w, grid, torch.zeros(1, 2, dtype=torch.float64),
                                        k=2, min_distance=0.1)
    assert not got.requires_grad and w.grad is None
    assert got[0].tolist() == [-1.0, 1.0]  # the corner of lowest y1 - 0.5 y2


@pytest.mark.parametrize("kwargs,match", [
    ({"k": 0}, "k"), ({"k": 1.5}, "k"), ({"min_distance": 0.0}, "min_distance"),
    ({"min_distance": math.nan}, "min_distance"), ({"k": 10_000}, "only"),
])
def test_most_offending_bad_inputs(kwargs, match):
    grid, _ = grids.square_grid(1.0, 5, dtype=torch.float64)
    args = {"k": 1, "min_distance": 0.1} | kwargs
    with pytest.raises(ValueError, match=match):
        margins.most_offending_on_grid(lambda y: y.sum(1), grid, torch.zeros(1, 2, dtype=torch.float64), **args)


def test_most_offending_shape_mismatch():
    grid, _ = grids.square_grid(1.0, 5, dtype=torch.float64)
    with pytest.raises(ValueError, match="data"):
        margins.most_offending_on_grid(lambda y: y.sum(1), grid, torch.zeros(3, 3, dtype=torch.float64),
                                      min_distance=0.1)
    with pytest.raises(TypeError):
        margins.most_offending_on_grid(lambda y: y.sum(1), grid.numpy(), torch.zeros(1, 2), min_distance=0.1)


# --- margins.margin_training_loss, grid_margin ---------------------------------------------------------

def _bowl(centre):
    def energy(y):  # a bowl off-centre plus a ripple, so that no two grid points tie
        return ((y - centre) ** 2).sum(1) + 0.1 * torch.sin(3 * y[:, 0] + 1.3 * y[:, 1])
    return energy


@pytest.mark.parametrize("loss", ["energy", "hinge", "log"])
def test_margin_training_loss_matches_hand_formulas(loss):
    gen = torch.Generator().manual_seed(3)
    grid, _ = grids.square_grid(2.0, 11, dtype=torch.float64)  # (121, 2)
    data = torch.randn(6, 2, generator=gen, dtype=torch.float64)
    energy = _bowl(torch.tensor([0.3, -0.2], dtype=torch.float64))
    k, delta, m = 4, 0.4, 1.5
    batch = data[:3]
    got = margins.margin_training_loss(energy, loss, grid, data, k=k, min_distance=delta, margin=m)(batch).item()
    # by hand: the k lowest wrong grid points (Python loops), then the per-sample formulas in NumPy
    negatives = _brute_force_most_offending(energy, grid, data, k, delta)
    e_pos = energy(batch).detach().numpy()  # (3,)
    e_neg = energy(torch.tensor(negatives, dtype=torch.float64)).detach().numpy()  # (k,)
    want = {"energy": e_pos.mean(),
            "hinge": np.mean([np.mean(np.maximum(0.0, m - (e_neg - e))) for e in e_pos]),
            "log": np.mean([np.log1p(np.exp(e - e_neg).sum()) for e in e_pos])}[loss]
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.slow
def test_margin_training_loss_trains_a_margin():
    # chapter 5's experiment, smaller: the hinge meets its margin on the grid, the energy loss sinks everything
    data = ebmlib.datasets.ellipse(100, x=0.0, generator=0, dtype=torch.float64)
    grid, _ = grids.square_grid(3.0, 24, dtype=torch.float64)
    result = {}
    for loss in ("energy", "hinge"):
        net = ebmlib.MLPEnergy(2, (32, 32), confinement=0.0, dtype=torch.float64, generator=0)
        ebmlib.train(margins.margin_training_loss(net, loss, grid, data, k=32, min_distance=0.4), net, data=data,
                     epochs=300, lr=1e-2, progress=False)
        result[loss] = margins.grid_margin(net, grid, data, min_distance=0.4)
    assert result["hinge"].gap >= 1.0 and result["hinge"].low_fraction < 0.2
    assert result["energy"].gap < 0.0 and result["energy"].low_fraction > 0.9


def test_grid_margin_by_brute_force():
    gen = torch.Generator().manual_seed(4)
    grid, _ = grids.square_grid(1.5, 9, dtype=torch.float64)  # (81, 2)
    data = torch.randn(5, 2, generator=gen, dtype=torch.float64)
    energy = _bowl(torch.tensor([-0.1, 0.4], dtype=torch.float64))
    got = margins.grid_margin(energy, grid, data, min_distance=0.3)
    e = {tuple(g): energy(torch.tensor([g], dtype=torch.float64)).item() for g in grid.tolist()}
    top = max(energy(torch.tensor([d], dtype=torch.float64)).item() for d in data.tolist())
    wrong = [g for g in e if all(math.dist(g, d) > 0.3 for d in data.tolist())]
    assert got.low_fraction == pytest.approx(sum(v <= top for v in e.values()) / len(e))
    assert got.gap == pytest.approx(min(e[g] for g in wrong) - top, rel=1e-12)
    assert got.near_fraction == pytest.approx(1 - len(wrong) / len(e))


def test_margin_training_loss_bad_inputs():
    grid, _ = grids.square_grid(1.0, 5, dtype=torch.float64)
    data = torch.zeros(1, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="loss must be one of"):
        margins.margin_training_loss(lambda y: y.sum(1), "nll", grid, data, min_distance=0.1)
    with pytest.raises(ValueError, match="no grid point"):
        margins.grid_margin(lambda y: y.sum(1), grid, data, min_distance=10.0)
