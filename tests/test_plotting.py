"""Tests for ebmlib.plotting (Agg backend): grid values, artists drawn, bad inputs."""

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.lines import Line2D

from ebmlib import (
    EllipseDecoder,
    datasets,
    free_energy_on_grid,
    gibbs_on_grid,
    latent_energy_table,
    latent_free_energy,
    latent_grid,
)
from ebmlib.energies import parabola, tilted_double_well
from ebmlib.inference import gradient_inference
from ebmlib.plotting import (
    draw_gradient_inference,
    draw_latent_inference,
    energy_grid,
    plot_density_grid,
    plot_ellipse_fits,
    plot_energy_1d,
    plot_free_energy_map,
    plot_free_energy_sections,
    plot_horn_slices,
    plot_landscape,
    plot_latent_energy_curves,
    plot_loss_vs_gap,
    plot_radii_curves,
    plot_step_size_grid,
    plot_token_probabilities,
    plot_warm_training,
)




def test_energy_grid_equals_direct_evaluation():
    Y1, Y2, E = energy_grid(tilted_double_well, (-2, 2), (-1, 1.5), (7, 5))
    assert Y1.shape == Y2.shape == E.shape == (5, 7)
    np.testing.assert_allclose(Y1[0], np.linspace(-2, 2, 7), atol=1e-12)
    np.testing.assert_allclose(Y2[:, 0], np.linspace(-1, 1.5, 5), atol=1e-12)
    for i in range(5):
        for j in range(7):
            y1, y2 = Y1[i, j], Y2[i, j]
            assert E[i, j] == pytest.approx((y1**2 - 1) ** 2 + 0.5 * y1 + y2**2, rel=1e-12, abs=1e-12)


def test_energy_grid_bad_inputs():
    with pytest.raises(ValueError, match="xlim"):
        energy_grid(tilted_double_well, (1, -1), (0, 1))
    with pytest.raises(ValueError, match="n"):
        energy_grid(tilted_double_well, (-1, 1), (0, 1), 0)
    with pytest.raises(ValueError, match="shape"):
        energy_grid(lambda y: y.sum(), (-1, 1), (0, 1), 5)


def test_plot_landscape_artists():
    y0 = torch.tensor([[1.5, 1.0], [-1.5, -1.0], [0.2, 1.2]], dtype=torch.float64)
    _, traj = gradient_inference(tilted_double_well, y0, steps=20, step_size=0.05, return_trajectory=True)
    ax = plot_landscape(tilted_double_well, (-2, 2), (-1.5, 1.5), trajectories=traj, n=41, colorbar=True,
                        title="landscape")
    assert isinstance(ax, plt.Axes)
    assert len(ax.collections) >= 2  # filled contours + contour lines
    lines = [a for a in ax.get_children() if isinstance(a, Line2D)]
    assert len(lines) == 3 * 3  # a path, a start marker and an end marker per trajectory
    starts = [ln for ln in ax.lines if ln.get_marker() == "o"]
    ends = [ln for ln in ax.lines if ln.get_marker() == "*"]
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in starts], y0[:, 0].numpy())
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ends], traj[-1, :, 0].numpy())
    assert ax.get_title() == "landscape" and ax.get_xlim() == (-2, 2)
    assert len(ax.figure.axes) == 2  # the colour bar


def test_plot_landscape_accepts_list_and_grid():
    grid = energy_grid(tilted_double_well, (-2, 2), (-2, 2), 21)
    path = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 0.0]])
    _, ax = plt.subplots()
    out = plot_landscape(None, (-2, 2), (-2, 2), ax=ax, grid=grid, trajectories=[path, path], levels=[0, 1, 2, 5])
    assert out is ax and len(ax.lines) == 6
    with pytest.raises(ValueError, match="trajectories"):
        plot_landscape(None, (-2, 2), (-2, 2), grid=grid, trajectories=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="neither"):
        plot_landscape(None, (-2, 2), (-2, 2))


def test_plot_energy_curve():
    ax = plot_energy_1d(lambda y: parabola(1.0, y), (-2, 2), n=101, points=torch.tensor([-1.0, 1.0]), label="x=1")
    curve, marks = ax.lines
    np.testing.assert_allclose(curve.get_ydata(), (np.linspace(-2, 2, 101) ** 2 - 1) ** 2, atol=1e-12)
    np.testing.assert_allclose(marks.get_ydata(), [0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        plot_energy_1d(lambda y: y, (-1, 1))


def test_draw_gradient_inference_converges_and_diverges():
    _, ax = plt.subplots()
    out = draw_gradient_inference(tilted_double_well, (1.0, 1.0), step_size=0.05, steps=30, xlim=(-2, 2),
                                  ylim=(-2, 2), ax=ax)
    assert out is ax and "step 0.05, 30 steps" in ax.get_title()
    y_end = gradient_inference(tilted_double_well, torch.tensor([[1.0, 1.0]], dtype=torch.float64), steps=30,
                               step_size=0.05)
    path = ax.lines[0].get_xydata()  # the drawn path: 31 points from the start to the end
    assert path.shape == (31, 2) and np.allclose(path[-1], y_end[0].numpy())
    # a diverging step (a DivergenceError inside, caught by type) is drawn, not raised; new axes when ax=None
    ax = draw_gradient_inference(tilted_double_well, (2.0, 2.0), step_size=2.0, steps=30, xlim=(-2, 2), ylim=(-2, 2))
    assert isinstance(ax, plt.Axes) and "diverged" in ax.get_title()
    assert ax.figure.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"


def test_step_size_grid_shape():
    fig = plot_step_size_grid(tilted_double_well, [(1.0, 1.0), (-1.0, 1.2)], [0.01, 0.1, 2.0], steps=10,
                              xlim=(-2, 2), ylim=(-2, 2), n=21)
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("diverged" in t for t in titles) == 2  # the last column
    with pytest.raises(ValueError, match="at least one"):
        plot_step_size_grid(tilted_double_well, [], [0.1], steps=1, xlim=(-1, 1), ylim=(-1, 1))
    # axes=: draws into given axes and returns their figure
    fig2, axes = plt.subplots(1, 2)
    assert plot_step_size_grid(tilted_double_well, [(1.0, 1.0)], [0.01, 0.1], steps=5, xlim=(-2, 2), ylim=(-2, 2),
                               n=11, axes=axes) is fig2
    assert all(ax.get_title() for ax in axes)


# ============================================================================================
# Tests for the chapter-2/3 figures: what is drawn is the data passed in (lines, arrows, meshes).
# ============================================================================================

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
    assert draw_latent_inference((1.0, 0.5), dec, axes=axes, data=y) is fig
    T = latent_energy_table(torch.tensor([[1.0, 0.5]], dtype=torch.float64), dec, z)[0]
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), T.detach().numpy())
    zc = z[T.argmin()].item()
    assert axes[1].lines[1].get_xdata()[0] == pytest.approx(zc)  # the dashed line at z_check
    assert f"{zc:.3f}" in axes[1].get_title() and f"{T.min().item():.4g}" in axes[1].get_title()
    # no axes: a new two-panel figure
    assert len(draw_latent_inference((1.0, 0.5), dec).axes) == 2


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


# ============================================================================================
# Tests for the chapter-4 plots: they draw what they are given and reject mismatched shapes.
# ============================================================================================

def _data():
    xs = torch.linspace(0, 1, 5)
    x = xs.repeat_interleave(3)  # (15,)
    y = torch.randn(15, 2, generator=torch.Generator().manual_seed(0))
    return x, y


def test_horn_slices_draws_each_panel():
    x, y = _data()
    learned = torch.tensor([[1.0, 2.0], [-3.0, 4.0]])
    fig = plot_horn_slices(x, y, [0.0, 0.74], learned, torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
                           centre=torch.zeros(2, 2), n=50)
    axes = fig.axes
    assert len(axes) == 2
    assert axes[1].get_title() == "x = 0.75"  # nearest data x
    solid = [ln for ln in axes[1].lines if ln.get_linestyle() == "-"][0]
    assert np.isclose(np.abs(solid.get_xdata()).max(), 3.0)  # the sign of f is ignored
    assert len(axes[0].collections[0].get_offsets()) == 3  # the points at x = 0
    plt.close(fig)


def test_radii_curves_and_token_bars():
    x = torch.linspace(0, 1, 4)
    ax = plot_radii_curves(x, -torch.ones(4, 2), 2 * torch.ones(4, 2))
    assert len(ax.lines) == 4 and np.allclose(ax.lines[1].get_ydata(), 1.0)
    plt.close(ax.figure)
    pm = torch.tensor([[0.2, 0.8], [0.5, 0.5], [1.0, 0.0]])
    ax = plot_token_probabilities(pm, pm, ["a", "b", "c"], ["X", "Y"])
    heights = sorted(p.get_height() for p in ax.patches)
    assert np.allclose(heights, sorted(pm.reshape(-1).tolist()))
    plt.close(ax.figure)


def test_bad_shapes():
    x, y = _data()
    with pytest.raises(ValueError, match="learned and true"):
        plot_horn_slices(x, y, [0.0], torch.ones(2, 2), torch.ones(2, 2))
    with pytest.raises(ValueError, match="y_data"):
        plot_horn_slices(x, y[:, :1], [0.0], torch.ones(1, 2), torch.ones(1, 2))
    with pytest.raises(ValueError, match="centre"):
        plot_horn_slices(x, y, [0.0], torch.ones(1, 2), torch.ones(1, 2), centre=torch.ones(2))
    with pytest.raises(ValueError):
        plot_radii_curves(torch.ones(3), torch.ones(3, 2), torch.ones(4, 2))
    with pytest.raises(ValueError, match="labels"):
        plot_token_probabilities(torch.ones(2, 2), torch.ones(2, 2), ["a"], ["X", "Y"])
    with pytest.raises(ValueError, match="same shape"):
        plot_token_probabilities(torch.ones(2, 2), torch.ones(2, 3), ["a", "b"], ["X", "Y"])


# ============================================================================================
# Tests for the chapter 5 figures: what is drawn, and bad inputs.
# ============================================================================================

def test_loss_vs_gap_draws_one_line_per_loss_and_panel():
    gap = torch.linspace(-2, 3, 11)
    values = {"hinge": torch.relu(1 - gap), "log": torch.nn.functional.softplus(-gap)}
    slopes = {"hinge": (gap < 1).double(), "log": torch.sigmoid(-gap)}
    fig = plot_loss_vs_gap(gap, values, slopes=slopes, margin=1.0)
    left, right = fig.axes
    assert [l.get_label() for l in left.get_lines()][:2] == ["hinge", "log"]
    assert np.allclose(left.get_lines()[0].get_ydata(), np.maximum(0, 1 - gap.numpy()))
    assert np.allclose(right.get_lines()[1].get_ydata(), torch.sigmoid(-gap).numpy())
    assert any(np.allclose(l.get_xdata(), 1.0) for l in left.get_lines()[2:])  # the margin line
    plt.close(fig)
    fig = plot_loss_vs_gap(gap, values)
    assert len(fig.axes) == 1
    plt.close(fig)


def test_loss_vs_gap_bad_inputs():
    gap = torch.linspace(-2, 3, 11)
    with pytest.raises(ValueError, match="shape"):
        plot_loss_vs_gap(gap, {"a": torch.zeros(5)})
    with pytest.raises(ValueError):
        plot_loss_vs_gap(gap, {})
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes"):
        plot_loss_vs_gap(gap, {"a": gap}, slopes={"a": gap}, axes=ax)
    plt.close("all")


def test_ellipse_fits_draws_the_ellipses():
    data = torch.randn(20, 2)
    ax = plot_ellipse_fits(data, {"true": (2.0, 1.5), "decoder": EllipseDecoder((1.0, 0.5)),
                                  "tensor": torch.tensor([3.0, 1.0])})
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["true", "decoder", "tensor"]
    x, y = lines[0].get_xdata(), lines[0].get_ydata()
    assert np.allclose((x / 2.0) ** 2 + (y / 1.5) ** 2, 1.0)  # points on the ellipse w = (2, 1.5)
    assert np.isclose(lines[1].get_xdata().max(), 1.0) and np.isclose(lines[2].get_ydata().max(), 1.0, atol=1e-3)
    assert len(ax.collections[0].get_offsets()) == 20
    plt.close("all")


def test_ellipse_fits_bad_inputs():
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        plot_ellipse_fits(torch.zeros(5, 3), {"a": (1.0, 1.0)})
    with pytest.raises(ValueError, match="two half-axes"):
        plot_ellipse_fits(torch.zeros(5, 2), {"a": (1.0, 1.0, 2.0)})
    plt.close("all")


def test_warm_training_draws_the_free_energy_sections():
    betas, coord, z = [0.5, 2.0, math.inf], torch.linspace(-2.0, 2.0, 9, dtype=torch.float64), latent_grid(12)
    decoders = {"a": EllipseDecoder((1.8, 1.4), dtype=torch.float64), "b": EllipseDecoder((2.0, -1.5), dtype=torch.float64)}
    data = datasets.ellipse(20, generator=0, dtype=torch.float64)
    fig = plot_warm_training(data, decoders, betas, coord=coord, z_grid=z, start=(1.0, 0.5), marks=(-1.5, 1.5),
                             ylim=(-0.2, 4.0))
    assert len(fig.axes) == 3
    zn = z.double().numpy()
    for ax, (w1, w2) in zip(fig.axes[1:], ((1.8, 1.4), (2.0, -1.5))):
        # NumPy by hand: F_beta((0, y2)) = -(1/beta) log mean_k exp(-beta ((w1 cos z_k)^2 + (y2 - w2 sin z_k)^2))
        e = (w1 * np.cos(zn)[None]) ** 2 + (coord.numpy()[:, None] - w2 * np.sin(zn)[None]) ** 2  # (9, 12)
        curves = [line for line in ax.lines if len(line.get_xdata()) == 9]
        for line, b in zip(curves, betas):
            want = e.min(1) if math.isinf(b) else -np.log(np.exp(-b * e).mean(1)) / b
            np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-9)
        assert len(curves) == 3 and ax.get_ylim() == (-0.2, 4.0)
    # the ellipses: start, then one per decoder, w1 cos z and w2 sin z
    ellipses = [line for line in fig.axes[0].lines]
    assert len(ellipses) == 3
    assert np.max(ellipses[1].get_xdata()) == pytest.approx(1.8) and np.ptp(ellipses[2].get_ydata()) == pytest.approx(3.0, abs=1e-3)
