"""Tests of chapter 5's training plots in ebmlib.plotting.training (energy panels, fit vs beta, ellipse fits, two
wells), each against the values it was given."""
import math

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ebmlib  # noqa: E402
from ebmlib import grids, losses, margins  # noqa: E402
from ebmlib.plotting import plot_energy_panels, plot_fit_vs_beta  # noqa: E402





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
