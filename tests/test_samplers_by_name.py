"""Tests for ebmlib.samplers.run_sampler: each display name runs exactly its sampler."""

import pytest
import torch
from _targets import gauss_energy

from ebmlib import hmc, langevin, mala, metropolis_hastings
from ebmlib.samplers import SAMPLER_NAMES, run_sampler

Y0 = torch.zeros(50, 2, dtype=torch.float64)


def test_names():
    assert SAMPLER_NAMES == ("MH", "ULA", "MALA", "HMC")


@pytest.mark.parametrize("name, call", [
    ("MH", lambda: metropolis_hastings(gauss_energy, Y0, steps=5, step_size=0.7, generator=3)),
    ("MALA", lambda: mala(gauss_energy, Y0, steps=5, step_size=0.7, generator=3)),
    ("HMC", lambda: hmc(gauss_energy, Y0, steps=5, step_size=0.7, n_leapfrog=5, generator=3)),
])
def test_run_sampler_is_the_named_sampler(name, call):
    y, rate = run_sampler(name, gauss_energy, Y0, step_size=0.7, steps=5, generator=3)
    y2, rate2 = call()
    assert torch.equal(y, y2) and rate == rate2


def test_run_sampler_ula_is_langevin_and_has_no_rate():
    y, rate = run_sampler("ULA", gauss_energy, Y0, step_size=0.1, steps=3, generator=0)
    assert torch.equal(y, langevin(gauss_energy, Y0, steps=3, step_size=0.1, generator=0)) and rate is None


def test_run_sampler_passes_n_leapfrog_and_the_trajectory():
    traj, rate = run_sampler("HMC", gauss_energy, Y0, step_size=0.2, steps=4, n_leapfrog=3, generator=1,
                             return_trajectory=True)
    traj2, rate2 = hmc(gauss_energy, Y0, steps=4, step_size=0.2, n_leapfrog=3, generator=1, return_trajectory=True)
    assert traj.shape == (5, 50, 2) and torch.equal(traj, traj2) and rate == rate2


def test_run_sampler_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        run_sampler("NUTS", gauss_energy, Y0, step_size=0.1, steps=1)
