"""Tests for ebmlib.plotting.images: what is drawn is the data, the ax=/axes= convention, bad inputs."""



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ebmlib.plotting import image_grid, plot_training_energies, plot_image_rows  # noqa: E402




def test_image_grid_draws_the_images_in_reading_order():
    imgs = torch.arange(6 * 4, dtype=torch.float32).reshape(6, 1, 2, 2) / 24
    ax = image_grid(imgs, ncols=4, value_range=(0, 1))
    a = ax.get_images()[0].get_array()
    assert a.shape == (2 * 3 + 1, 4 * 3 + 1)  # 2 rows, 4 columns of 2 x 2 with 1-pixel gaps
    assert np.allclose(a[1:3, 1:3], imgs[0, 0].numpy())
    assert np.allclose(a[1:3, 4:6], imgs[1, 0].numpy())
    assert np.allclose(a[4:6, 1:3], imgs[4, 0].numpy())  # second row starts with image 4
    assert np.allclose(a[4:6, 7:9], 0.0)  # the empty slots are blank (the low end)
    _, given = plt.subplots()
    assert image_grid(imgs.reshape(6, 4), ax=given) is given  # flat (N, H*W) square images too


def test_image_rows_and_energy_curves():
    rows = {"a": torch.rand(3, 1, 8, 8), "b": np.random.default_rng(0).random((3, 8, 8))}
    fig = plot_image_rows(rows)
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "b"
    _, axes = plt.subplots(2, 1)
    assert plot_image_rows(rows, axes=axes) is axes[0].figure
    d, m = torch.linspace(0, 1, 10), torch.linspace(1, 3, 10)
    ax = plot_training_energies(d, m, smooth=3)
    lines = ax.get_lines()
    assert np.allclose(lines[0].get_ydata(), np.convolve(d.numpy(), np.ones(3) / 3, "valid"))
    assert np.allclose(lines[2].get_ydata(), lines[1].get_ydata() - lines[0].get_ydata())  # the gap


@pytest.mark.parametrize("call, match", [
    (lambda: image_grid(torch.zeros(0, 1, 8, 8)), "images"), (lambda: image_grid(torch.zeros(2, 3, 8, 8)), "images"),
    (lambda: image_grid(torch.full((2, 1, 8, 8), np.nan)), "images"), (lambda: image_grid(torch.zeros(2, 64), ncols=0), "ncols"),
    (lambda: image_grid(torch.zeros(2, 64), value_range=(1, 0)), "value_range"),
    (lambda: plot_image_rows({}), "rows"), (lambda: plot_image_rows({"a": torch.zeros(2, 64), "b": torch.zeros(3, 64)}), "rows"),
    (lambda: plot_image_rows({"a": torch.zeros(2, 64)}, axes=[None, None]), "axes"),
    (lambda: plot_training_energies(torch.zeros(3), torch.zeros(4)), "e_data"),
    (lambda: plot_training_energies(torch.zeros(3), torch.zeros(3), smooth=0), "smooth"),
])
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
