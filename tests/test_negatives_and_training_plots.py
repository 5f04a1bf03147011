"""Tests of margins.most_offending_on_grid, margin_training_loss and grid_margin (chapter 5's negatives and
margins) and of chapter 5's training plots (energy panels, fit vs beta, ellipse fits, two wells), each against
an independent answer."""

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


# --- plotting.plot_energy_panels, plot_fit_vs_beta --------------------------------------------------

def test_energy_panels_shift_and_clip():
    def bowl(y):
        return (y**2).sum(1) + 3.0

    fig = plot_energy_panels({"a": bowl, "b": bowl}, 2.0, data=torch.zeros(4, 2), n=21,
                             shift={"a": 3.0, "b": 0.0}, vmin=0.0, vmax=4.0)
    axes = fig.axes[:2]
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    levels = [np.asarray(c.levels) for c in (ax.collections[0] for ax in axes)]
    assert all(lv[0] == 0.0 and lv[-1] == 4.0 for lv in levels)
    assert len(axes[0].lines) == 1  # the data
    fig2 = plot_energy_panels({"a": bowl}, 2.0, n=11)  # shift=None: each panel's own minimum
    assert len(fig2.axes) == 2  # one panel and its colour bar


@pytest.mark.parametrize("kwargs", [{"vmin": 1.0, "vmax": 1.0}, {"shift": {"x": 0.0}}, {"data": torch.zeros(3)}])
def test_energy_panels_bad_inputs(kwargs):
    with pytest.raises(ValueError):
        plot_energy_panels({"a": lambda y: y.sum(1)}, 1.0, n=5, **kwargs)
    with pytest.raises(ValueError):
        plot_energy_panels({}, 1.0)


def test_fit_vs_beta_positions_and_values():
    betas = [1.0, 10.0, math.inf]
    fits = torch.tensor([[1.8, 1.3], [1.95, 1.45], [2.0, 1.5]])
    ax = plot_fit_vs_beta(betas, fits, true=(2.0, 1.5))
    lines = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]  # the two finite curves
    np.testing.assert_allclose(lines[0].get_xdata(), [1.0, 10.0])
    np.testing.assert_allclose(lines[0].get_ydata(), [1.8, 1.95])
    inf_marks = [ln for ln in ax.lines if list(ln.get_xdata()) == [100.0]]
    assert [m.get_ydata()[0] for m in inf_marks] == pytest.approx([2.0, 1.5])
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize("betas,fits", [([1.0, 2.0], torch.zeros(3, 2)), ([0.0, 1.0], torch.zeros(2, 2)),
                                        ([math.inf], torch.zeros(1, 2))])
def test_fit_vs_beta_bad_inputs(betas, fits):
    with pytest.raises(ValueError):
        plot_fit_vs_beta(betas, fits)


# --- plotting.plot_ellipse_decoder, plot_two_wells ---------------------------------------------------

def test_ellipse_decoder_points_and_curves():
    from ebmlib import datasets, latent_grid
    from ebmlib.plotting import plot_ellipse_decoder

    z = latent_grid(12, dtype=torch.float64)
    fig = plot_ellipse_decoder(z, [0.0, 0.5, 1.0], n=50)
    ax0, ax1 = fig.axes[:2]
    offsets = ax0.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], 2.0 * np.cos(z.numpy()), atol=1e-6)  # rho(0) = (2, 1.5)
    np.testing.assert_allclose(offsets[:, 1], 1.5 * np.sin(z.numpy()), atol=1e-6)
    assert len(ax1.lines) == 3
    rho1 = datasets.ellipse_radii(1.0)
    np.testing.assert_allclose(max(ax1.lines[2].get_xdata()), float(rho1[0]), rtol=1e-6)
    with pytest.raises(ValueError):
        plot_ellipse_decoder(z, [])


def test_two_wells_draws_the_energy_of_the_decoder():
    from ebmlib import EllipseDecoder, latent_grid
    from ebmlib.plotting import plot_two_wells

    dec = EllipseDecoder((3.0, 0.5), dtype=torch.float64)
    y = torch.tensor([[0.5, 0.3]], dtype=torch.float64)
    z = latent_grid(48, dtype=torch.float64)
    path = torch.tensor([[4.0], [4.5], [4.8]], dtype=torch.float64)
    fig = plot_two_wells(y, dec, z, z_global=1.4, z_local=4.89, paths={"gd": path}, z_pick=1.44)
    ax1 = fig.axes[1]
    dense = ax1.lines[0]
    zz = np.asarray(dense.get_xdata())
    direct = (0.5 - 3 * np.cos(zz)) ** 2 + (0.3 - 0.5 * np.sin(zz)) ** 2  # E(y, z) by hand
    np.testing.assert_allclose(dense.get_ydata(), direct, rtol=1e-12)
    assert [ln.get_label() for ln in ax1.lines[1:]] == ["48-point grid", "gd", "grid ž"]
    with pytest.raises(ValueError):
        plot_two_wells(torch.zeros(2, 2, dtype=torch.float64), dec, z, z_global=0.0, z_local=1.0)
