"""Tests for the chapter 5 figures: what is drawn, and bad inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib import EllipseDecoder  # noqa: E402
from ebmlib.plotting import plot_ellipse_fits, plot_loss_vs_gap  # noqa: E402


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
