"""Tests for ebmlib.plotting.sampling: each figure draws what it was given and returns its axes."""



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from _targets import COV, MU, gauss_energy  # noqa: E402

from ebmlib import plotting  # noqa: E402
from ebmlib.samplers import run_sampler  # noqa: E402


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


Y0 = torch.zeros(50, 2, dtype=torch.float64)


def test_plot_samples_scatter_and_ellipse():
    ax = plotting.plot_samples(torch.randn(300, 2), energy=gauss_energy, mean=MU.numpy(), cov=COV.numpy(),
                               max_points=200, title="t")
    offsets = ax.collections[-1].get_offsets()
    assert len(offsets) == 200
    ellipse = ax.lines[-1].get_xydata()
    # the 2-sigma ellipse: (x - mu)^T C^-1 (x - mu) = 4 on every point
    d = ellipse - MU.numpy()
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", d, np.linalg.inv(COV.numpy()), d), 4.0, rtol=1e-8)


def test_draw_sampler_run_draws_the_run_it_is_given():
    traj, rate = run_sampler("MALA", gauss_energy, Y0, step_size=0.3, steps=10, generator=0, return_trajectory=True)
    fig, ax = plt.subplots()
    out = plotting.draw_sampler_run(traj, name="MALA", step_size=0.3, rate=rate, ax=ax, energy=gauss_energy)
    assert out is ax and f"accept {rate:.2f}" in ax.get_title()
    assert len(ax.lines[-2].get_xydata()) == 11  # the path of the first chain, y0 included
    np.testing.assert_array_equal(ax.collections[-1].get_offsets(), traj[-1].numpy())  # the final states


def test_draw_sampler_run_says_diverged_for_no_trajectory():
    ax = plotting.draw_sampler_run(None, name="HMC", step_size=5.0)
    assert ax.get_title() == "HMC, step 5: diverged" and not ax.lines


def test_plot_sampler_grid_runs_each_sampler_with_the_seed():
    fig = plotting.plot_sampler_grid(gauss_energy, {"MH": [0.3, 1.0], "HMC": [0.1, 0.5]}, y0=Y0, steps=5)
    titles = [a.get_title() for a in fig.axes]
    assert len(titles) == 4 and titles[0].startswith("MH, step 0.3") and titles[3].startswith("HMC, step 0.5")
    _, rate = run_sampler("HMC", gauss_energy, Y0, step_size=0.5, steps=5, generator=0)
    assert titles[3].endswith(f"accept {rate:.2f}")


def test_plot_sampler_grid_reports_a_diverged_panel():
    fig = plotting.plot_sampler_grid(lambda y: 0.5 * 1e6 * (y**2).sum(1), {"ULA": [1.0]}, y0=Y0 + 1.0, steps=200,
                                     contours=False)
    assert fig.axes[0].get_title().endswith("diverged")


def test_line_plots_return_their_axes():
    ax = plotting.plot_acceptance_curves({"MH": [0.1, 1.0], "MALA": [0.1, 1.0]}, {"MH": [0.9, 0.2], "MALA": [1, 0.5]},
                                         optima={"MH": 0.234, "MALA": 0.574}, best={"MH": 0.5})
    assert len(ax.get_lines()) == 2 + 2 + 1 and ax.get_xscale() == "log"
    ax = plotting.plot_hop_rates([1, 2, 3], {"MALA": [10, 4, 1], "HMC": [12, 6, 3]}, barrier=1.0)
    assert len(ax.get_lines()) == 3 and ax.get_yscale() == "log"
    ax = plotting.plot_traces({"MALA": np.zeros(10)}, x=np.arange(10) * 2)
    assert ax.get_lines()[0].get_xdata()[-1] == 18
    ax = plotting.plot_autocorrelations({"HMC": [1.0, 0.5, 0.2]}, cost={"HMC": 5})
    assert list(ax.get_lines()[0].get_xdata()) == [0, 5, 10]
    ax = plotting.plot_ula_bias([0.1, 0.2], [1.1, 1.3], [1.1, 1.25], 1.0)
    assert len(ax.get_lines()) == 3
    ax = plotting.plot_state_probabilities([0.1, 0.6, 0.3], [0.12, 0.58, 0.3], top=2)
    assert len(ax.patches) == 4 and ax.patches[0].get_height() == 0.6
