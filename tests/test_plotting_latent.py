"""Tests for the chapter-2/3 figures: what is drawn is the data passed in (lines, arrows, meshes)."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib import EllipseDecoder, datasets, free_energy_on_grid, gibbs_on_grid, latent_energy_table  # noqa: E402
from ebmlib import latent_free_energy, latent_grid  # noqa: E402
from ebmlib.plotting import (draw_latent_inference, plot_density_grid, plot_free_energy_map,  # noqa: E402
                                  plot_free_energy_sections, plot_latent_energy_curves)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def setup():
    y = datasets.ellipse(24, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    dec = EllipseDecoder(dtype=torch.float64)
    z = latent_grid(48, dtype=torch.float64)
    return y, dec, z


def test_energy_curves_small_multiples(setup):
    y, dec, z = setup
    T = latent_energy_table(y, dec, z)
    fig = plot_latent_energy_curves(T, z, ncols=6)
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(fig.axes) == 24 and len(axes) == 24
    for i in (0, 13, 23):
        line = axes[i].lines[0]
        np.testing.assert_allclose(line.get_ydata(), T[i].detach().numpy())
        marker = axes[i].lines[1]  # the minimum of the curve
        assert marker.get_ydata()[0] == pytest.approx(T[i].min().item())
    fig = plot_latent_energy_curves(T[:5], z, ncols=3)  # 2 x 3 with one empty panel
    assert sum(ax.axison for ax in fig.axes) == 5
    with pytest.raises(ValueError, match="z_grid"):
        plot_latent_energy_curves(T, z[:10])
    with pytest.raises(ValueError, match="z_check"):
        plot_latent_energy_curves(T, z, z_check=torch.zeros(3))


def test_free_energy_map_arrows_are_minus_gradient(setup):
    y, dec, _ = setup
    y1 = torch.linspace(-3, 3, 17, dtype=torch.float64)
    y2 = torch.linspace(-2.5, 2.5, 25, dtype=torch.float64)
    F, grad = free_energy_on_grid(dec, y1, y2)
    ax = plot_free_energy_map(y1, y2, F, grad, data=y, curve=dec(latent_grid(100, dtype=torch.float64)))
    mesh = ax.collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(25, 17), F.numpy())
    quiver = [c for c in ax.collections if isinstance(c, matplotlib.quiver.Quiver)][0]
    np.testing.assert_allclose(quiver.U.reshape(25, 17), -grad[..., 0].numpy())
    np.testing.assert_allclose(quiver.V.reshape(25, 17), -grad[..., 1].numpy())
    with pytest.raises(ValueError, match="F must have shape"):
        plot_free_energy_map(y1, y2, F.T)
    with pytest.raises(ValueError, match="grad"):
        plot_free_energy_map(y1, y2, F, grad[..., :1])


def test_draw_latent_inference_returns_the_grid_minimum(setup):
    y, dec, z = setup
    fig, axes = plt.subplots(1, 2)
    zc, f = draw_latent_inference(axes, (1.0, 0.5), dec, data=y)
    T = latent_energy_table(torch.tensor([[1.0, 0.5]], dtype=torch.float64), dec, z)[0]
    assert f == pytest.approx(T.min().item()) and zc == pytest.approx(z[T.argmin()].item())
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), T.detach().numpy())


def test_sections_one_curve_per_beta(setup):
    _, dec, _ = setup
    c = torch.linspace(-2, 2, 41, dtype=torch.float64)
    yl = torch.stack([torch.zeros_like(c), c], -1)
    betas = [0.1, 0.3, 1.0, 3.2, 10.0, math.inf]
    F = latent_free_energy(yl, dec, beta=torch.tensor(betas, dtype=torch.float64)[:, None])
    ax = plot_free_energy_sections(c, F, betas)
    assert len(ax.lines) == 6
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), F[-1].detach().numpy())
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == r"$\beta=\infty$"
    with pytest.raises(ValueError, match="len"):
        plot_free_energy_sections(c, F[:3], betas)


def test_density_grid_panels(setup):
    y, dec, _ = setup
    y1 = torch.linspace(-3, 3, 31, dtype=torch.float64)
    y2 = torch.linspace(-2.5, 2.5, 26, dtype=torch.float64)
    area = float((y1[1] - y1[0]) * (y2[1] - y2[0]))
    betas = [0.3, 1.0, 10.0, 100.0]
    P = torch.stack([gibbs_on_grid(free_energy_on_grid(dec, y1, y2, beta=b)[0], b, area)[0] for b in betas])
    fig = plot_density_grid(y1, y2, P, betas, data=y, ncols=2)
    assert len(fig.axes) == 4
    np.testing.assert_allclose(np.asarray(fig.axes[2].collections[0].get_array()).reshape(26, 31), P[2].numpy())
    with pytest.raises(ValueError, match="densities"):
        plot_density_grid(y1, y2, P[0], betas)
