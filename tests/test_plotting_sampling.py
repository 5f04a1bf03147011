"""Tests for ebmlib.plotting.sampling: each figure draws what it was given and returns its axes."""



import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from _targets import COV, MU, gauss_energy  # noqa: E402

from ebmlib import hmc, mala, metropolis_hastings, plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


Y0 = torch.zeros(50, 2, dtype=torch.float64)


@pytest.mark.parametrize("name, call", [
    ("MH", lambda: metropolis_hastings(gauss_energy, Y0, steps=5, proposal_scale=0.7, generator=3)),
    ("MALA", lambda: mala(gauss_energy, Y0, steps=5, step_size=0.7, generator=3)),
    ("HMC", lambda: hmc(gauss_energy, Y0, steps=5, step_size=0.7, n_leapfrog=5, generator=3)),
])
def test_run_sampler_is_the_named_sampler(name, call):
    y, rate = plotting.run_sampler(name, gauss_energy, Y0, step_size=0.7, steps=5, generator=3)
    y2, rate2 = call()
    assert torch.equal(y, y2) and rate == rate2


def test_run_sampler_ula_has_no_rate():
    y, rate = plotting.run_sampler("ULA", gauss_energy, Y0, step_size=0.1, steps=3, generator=0)
    assert y.shape == (50, 2) and rate is None


def test_plot_samples_scatter_and_ellipse():
    ax = plotting.plot_samples(torch.randn(300, 2), energy=gauss_energy, mean=MU.numpy(), cov=COV.numpy(),
                               max_points=200, title="t")
    offsets = ax.collections[-1].get_offsets()
    assert len(offsets) == 200
    ellipse = ax.lines[-1].get_xydata()
    # the 2-sigma ellipse: (x - mu)^T C^-1 (x - mu) = 4 on every point
    d = ellipse - MU.numpy()
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", d, np.linalg.inv(COV.numpy()), d), 4.0, rtol=1e-8)


def test_draw_sampler_run_and_grid():
    fig, ax = plt.subplots()
    rate = plotting.draw_sampler_run(ax, gauss_energy, "MALA", 0.3, y0=Y0, steps=10, generator=0)
    assert 0 < rate <= 1 and f"accept {rate:.2f}" in ax.get_title()
    assert len(ax.lines[-2].get_xydata()) == 11  # the path of the first chain, y0 included
    fig = plotting.plot_sampler_grid(gauss_energy, {"MH": [0.3, 1.0], "HMC": [0.1, 0.5]}, y0=Y0, steps=5)
    titles = [a.get_title() for a in fig.axes]
    assert len(titles) == 4 and titles[0].startswith("MH, step 0.3") and titles[3].startswith("HMC, step 0.5")


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
