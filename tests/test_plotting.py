"""Tests for ebmlib.plotting (Agg backend): grid values, artists drawn, bad inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ebmlib.energies import parabola, tilted_double_well  # noqa: E402
from ebmlib.inference import gradient_inference  # noqa: E402
from ebmlib.plotting import (draw_gradient_inference, energy_grid, plot_energy_curve,  # noqa: E402
                             plot_landscape, plot_step_size_grid)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
    _, traj = gradient_inference(tilted_double_well, y0, steps=20, lr=0.05, return_trajectory=True)
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
    ax = plot_energy_curve(lambda y: parabola(1.0, y), (-2, 2), n=101, points=torch.tensor([-1.0, 1.0]), label="x=1")
    curve, marks = ax.lines
    np.testing.assert_allclose(curve.get_ydata(), (np.linspace(-2, 2, 101) ** 2 - 1) ** 2, atol=1e-12)
    np.testing.assert_allclose(marks.get_ydata(), [0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        plot_energy_curve(lambda y: y, (-1, 1))


def test_draw_gradient_inference_converges_and_diverges():
    _, ax = plt.subplots()
    traj = draw_gradient_inference(ax, tilted_double_well, (1.0, 1.0), 0.05, steps=30, xlim=(-2, 2), ylim=(-2, 2))
    assert traj.shape == (31, 1, 2)
    assert "lr = 0.05" in ax.get_title()
    _, ax = plt.subplots()
    assert draw_gradient_inference(ax, tilted_double_well, (2.0, 2.0), 2.0, steps=30, xlim=(-2, 2),
                                   ylim=(-2, 2)) is None
    assert "diverged" in ax.get_title()


def test_step_size_grid_shape():
    fig = plot_step_size_grid(tilted_double_well, [(1.0, 1.0), (-1.0, 1.2)], [0.01, 0.1, 2.0], steps=10,
                              xlim=(-2, 2), ylim=(-2, 2), n=21)
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("diverged" in t for t in titles) == 2  # the last column
    with pytest.raises(ValueError, match="at least one"):
        plot_step_size_grid(tilted_double_well, [], [0.1], steps=1, xlim=(-1, 1), ylim=(-1, 1))
