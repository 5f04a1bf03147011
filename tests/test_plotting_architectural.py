"""ebmlib.plotting.architectural: what each figure draws, on the axes it was given."""



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_kmeans_inference_draws_points_segments_and_stars():
    data, protos = torch.randn(50, 2), torch.randn(4, 2)
    q, a = torch.zeros(3, 2), torch.ones(3, 2)
    _, ax = plt.subplots()
    out = plotting.plot_kmeans_inference(data, protos, closest=(q, a), complete=(torch.tensor([0.5]), a[:1]), ax=ax)
    assert out is ax
    assert len(ax.collections) == 4  # data, prototypes, queries, predictions
    assert len(ax.lines) == 3 + 1  # one segment per query, one vertical line per y1
    assert np.allclose(ax.collections[1].get_offsets(), protos.numpy())


def test_volume_vs_k_log_axes():
    ax = plotting.plot_volume_vs_k([1, 2, 4], {"eps 0.1": [0.1, 0.2, 0.4], "bound k pi eps": [0.3, 0.6, 1.2]})
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.lines) == 2 and ax.lines[1].get_linestyle() == "--"


def test_convergence_drops_nonpositive_gaps_and_adds_guides():
    g = np.array([5.0, 1.0, 0.5, 0.0])
    ax = plotting.plot_convergence({"ista": g, "fista": g / 2})
    assert len(ax.lines) == 4  # two methods, two guides
    assert len(ax.lines[0].get_xdata()) == 2  # the zero gap is not drawn on a log axis


def test_atoms_tile_each_atom_scaled():
    W = torch.arange(18, dtype=torch.float64).reshape(9, 2) - 4.0  # two 3 x 3 atoms
    ax = plotting.plot_atoms(W, (3, 3), ncols=2)
    img = ax.images[0].get_array()
    assert img.shape == (5, 9)  # 1 row of atoms with borders: (3 + 1) + 1, 2 * (3 + 1) + 1
    first = np.asarray(img[1:4, 1:4])
    assert np.allclose(first, (W[:, 0].reshape(3, 3) / W[:, 0].abs().max()).numpy())


def test_density_panels_one_image_per_cell():
    p = np.ones((6, 6))
    fig = plotting.plot_density_panels({"a": {"m1": p, "m2": p}, "b": {"m1": p, "m2": p}},
                                       {"a": np.zeros((5, 2)), "b": np.zeros((5, 2))}, 4.0,
                                       titles={("a", "m1"): "first"})
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == 4 and axes[0].get_title() == "first" and axes[1].get_title() == "a: m2"
    assert axes[0].get_ylabel() == "a" and axes[2].get_ylabel() == "b" and axes[1].get_ylabel() == ""
