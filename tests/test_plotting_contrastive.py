"""Tests for ebmlib.plotting.contrastive (Agg backend): what is drawn, the normalisation, bad inputs."""

import math



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib.plotting import plot_curves, plot_digit_grid, plot_energy_comparison, plot_vector_field  # noqa: E402

D = torch.float64




def test_plot_curves_draws_each_curve_and_reference():
    x = torch.arange(5, dtype=D)
    ax = plot_curves({"a": (x, x**2), "b": (x.numpy(), np.sqrt(x.numpy()))}, reference={"ref": 3.0},
                     xlabel="epoch", ylabel="LL", logy=False)
    lines = ax.get_lines()
    assert len(lines) == 3 and np.allclose(lines[0].get_ydata(), (x**2).numpy())
    assert np.allclose(lines[2].get_ydata(), [3.0, 3.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "ref"]
    _, ax2 = plt.subplots()
    assert plot_curves({"a": (x + 1, x + 1)}, ax=ax2, logx=True, logy=True) is ax2 and ax2.get_xscale() == "log"


def test_plot_vector_field_arrows_are_the_field():
    ax = plot_vector_field(lambda y: -y, (-1.0, 1.0), n=5)
    q = ax.collections[0]
    assert q.N == 25 and np.allclose(q.U, -q.X) and np.allclose(q.V, -q.Y)


def test_plot_digit_grid_mosaic():
    imgs = torch.zeros(3, 64, dtype=D)
    imgs[1] = 1.0
    ax = plot_digit_grid(imgs, ncols=2)
    mosaic = ax.get_images()[0].get_array()
    assert mosaic.shape == (19, 19)
    assert mosaic[1:9, 10:18].min() == 1.0 and mosaic[1:9, 1:9].max() == 0.0 and mosaic[0, 0] == 0.5
    assert plot_digit_grid(imgs.reshape(3, 8, 8).numpy()).get_images()[0].get_array().shape == (10, 28)


def test_plot_energy_comparison_is_normalised_on_its_grid():
    # a Gaussian energy: E + log Z = -log N(y; 0, I) = ||y||^2 / 2 + log(2 pi), whatever the offset
    energies = {"d1": {"m1": lambda y: 0.5 * (y**2).sum(1) + 5.0, "m2": lambda y: (y**2).sum(1)},
                "d2": {"m1": lambda y: 0.5 * (y**2).sum(1), "m2": lambda y: 0.0 * y[:, 0]}}
    fig = plot_energy_comparison(energies, 4.0, data={"d1": torch.zeros(3, 2), "d2": torch.ones(3, 2)}, n=41,
                                 vmax=6.0)
    axes = fig.axes[:-1]  # the last one is the colour bar
    assert len(axes) == 6 and axes[1].get_title() == "m1" and axes[0].get_title() == "data"
    assert axes[0].get_ylabel() == "d1" and axes[3].get_ylabel() == "d2"
    cs = axes[1].collections[0]
    assert np.allclose(cs.levels, np.linspace(0, 6.0, 13))
    fig2 = plot_energy_comparison({"d": {"m": lambda y: 0.5 * (y**2).sum(1) + 5.0}}, 4.0, n=41, vmax=6.0)
    fig3 = plot_energy_comparison({"d": {"m": lambda y: 0.5 * (y**2).sum(1)}}, 4.0, n=41, vmax=6.0)
    z2, z3 = (f.axes[0].collections[0] for f in (fig2, fig3))
    # the offset 5 cancels after normalising: the same filled regions are drawn
    assert all(np.allclose(a.vertices, b.vertices) for a, b in zip(z2.get_paths(), z3.get_paths()))


@pytest.mark.parametrize("call, match", [
    (lambda: plot_curves({}), r"curves must hold"),
    (lambda: plot_curves({"a": ([1, 2], [1])}), r"curve 'a' must be a pair"),
    (lambda: plot_curves({"a": ([1.0, 2.0], [1.0, math.nan])}), r"curve 'a' contains NaN"),
    (lambda: plot_vector_field(lambda y: y[:, 0], (-1, 1)), r"field must return shape"),
    (lambda: plot_vector_field(lambda y: y, (1, -1)), r"lim must be finite with low < high"),
    (lambda: plot_vector_field(lambda y: y, (-1, 1), n=1), r"n must be an integer"),
    (lambda: plot_digit_grid(torch.zeros(3, 63)), r"images must have shape"),
    (lambda: plot_digit_grid(torch.zeros(3, 64), ncols=0), r"ncols must be"),
    (lambda: plot_energy_comparison({}, 4.0), r"energies must hold"),
    (lambda: plot_energy_comparison({"a": {"m": abs}, "b": {"n": abs}}, 4.0), r"energies\['b'\] must have the methods"),
    (lambda: plot_energy_comparison({"a": {"m": lambda y: y[:, 0]}}, -1.0), r"lim must be"),
    (lambda: plot_energy_comparison({"a": {"m": lambda y: y}}, 4.0, n=5), r"energy of 'm' on 'a' must return"),
    (lambda: plot_energy_comparison({"a": {"m": lambda y: y[:, 0]}}, 4.0, data={}), r"data must have an entry"),
    (lambda: plot_energy_comparison({"a": {"m": lambda y: y[:, 0]}}, 4.0, vmax=0.0), r"vmax must be"),
])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
