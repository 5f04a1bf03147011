"""Tests for the chapter-4 plots: they draw what they are given and reject mismatched shapes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib.plotting import plot_horn_slices, plot_radii_curves, plot_token_probabilities  # noqa: E402


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
