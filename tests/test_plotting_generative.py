"""Chapter 10's figures (plotting.generative): the ax=/axes= convention, what is drawn, and the data it shows."""



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib import models, plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def score(y, sigma):
    return -y / (1 + sigma[:, None] ** 2)


def test_score_fields_one_panel_per_sigma_with_unit_arrows():
    fig = plotting.plot_score_fields(score, [2.0, 0.5, 0.1], n=4)  # no arrow at the origin, where s = 0
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    q = axes[0].collections[-1]
    u = np.asarray(q.U).ravel()
    v = np.asarray(q.V).ravel()
    assert np.allclose(np.hypot(u, v), 1.0)  # directions only
    # the score -y points to the origin: at the grid corner (-4, -4) it points up and right
    assert u[0] > 0 and v[0] > 0
    fig2, axes2 = plt.subplots(1, 2)
    assert plotting.plot_score_fields(score, [1.0, 0.5], axes=axes2) is fig2


def test_sample_sets_and_fork_draw_the_points():
    pts = torch.randn(10, 2)
    fig = plotting.plot_sample_sets({"a": pts, "b": pts + 1}, data=pts)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["a", "b"]
    _, ax = plt.subplots()
    paths = torch.zeros(3, 5, 2)
    out = plotting.plot_fork_predictions(paths, 2, pts[:2], pts, ax=ax)
    assert out is ax and len(ax.lines) == 3 + 1  # three paths and the fork marker
    offsets = [c.get_offsets() for c in ax.collections]
    assert any(np.allclose(o, pts.numpy()) for o in offsets)


def test_conditional_density_columns_are_scaled_and_intervals_drawn():
    x = torch.linspace(-1, 1, 4)
    y = torch.linspace(-2, 2, 9)
    lp = models.grid_conditional_log_prob(lambda xx, yy: (yy - xx[:, 0]) ** 2 * (1 + 3 * xx[:, 0] ** 2), x, y)
    ax = plotting.plot_conditional_density(lp, x, y, intervals={"i": (x - 1, x + 1)})
    img = ax.collections[0].get_array().reshape(9, 4)
    assert np.allclose(img.max(axis=0), 1.0)
    assert len(ax.lines) == 2


def test_experts_and_bound():
    m = models.ProductOfExperts(2, 3, generator=0)
    ax = plotting.plot_experts(m, m.filters, n=20)
    assert len(ax.texts) == 3  # one arrow per filter
    t = torch.linspace(0, 1, 5)
    ax = plotting.plot_free_energy_bound(t, t, {"a": t + 1, "b": t + 2})
    assert len(ax.lines) == 3
