"""Tests for ebmlib.latent.disc_latent_grid and ebmlib.datasets.masked_token_data."""

import math

import pytest
import torch

import ebmlib
from ebmlib.datasets import markov_sequences, masked_token_data


@pytest.mark.parametrize("radius,spacing", [(0.0, 0.5), (1.0, 0.5), (2.3, 0.25), (5.0, 1.0), (0.4, 0.5)])
def test_disc_grid_is_the_lattice_inside_the_disc(radius, spacing):
    got = ebmlib.disc_latent_grid(radius, spacing, dtype=torch.float64)
    # brute force: every lattice point of a box that surely contains the disc
    expected = {(i * spacing, j * spacing) for i in range(-50, 51) for j in range(-50, 51)
                if math.hypot(i * spacing, j * spacing) <= radius + 1e-12}
    assert got.shape == (len(expected), 2) and got.dtype == torch.float64
    assert {tuple(p) for p in got.tolist()} == expected
    assert [0.0, 0.0] in got.tolist()


def test_disc_grid_free_energy_matches_the_closed_form():
    # F_inf(y) = min over the disc of ||y - z||^2 = (max(0, |y| - r))^2, up to the grid's h^2 / 2
    r, h = 2.0, 0.1
    z = ebmlib.disc_latent_grid(r, h, dtype=torch.float64)
    y = torch.tensor([[0.3, -0.2], [2.5, 0.0], [3.0, 4.0], [-1.0, 1.5]], dtype=torch.float64)
    grid_f = torch.cdist(y, z).min(dim=1).values ** 2
    exact = (y.norm(dim=1) - r).clamp_min(0) ** 2
    assert torch.all(grid_f >= exact - 1e-12)
    assert torch.all(grid_f - exact <= h**2 / 2 + 2 * h * (y.norm(dim=1) - r).clamp_min(0) + 1e-12)


@pytest.mark.parametrize("radius,spacing", [(-1.0, 0.5), (math.nan, 0.5), (1.0, 0.0), (1.0, -1.0), (True, 0.5)])
def test_disc_grid_bad_inputs(radius, spacing):
    with pytest.raises(ValueError):
        ebmlib.disc_latent_grid(radius, spacing)


TRANSITION = torch.tensor([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.2, 0.8], [0.7, 0.0, 0.0, 0.3], [0.4, 0.6, 0.0, 0.0]])


def test_masked_token_data_contexts_are_the_neighbours():
    seq, pos, context, target = masked_token_data(300, TRANSITION, length=6, generator=3)
    assert seq.shape == (300, 6) and pos.shape == (300,) and context.shape == (300, 2) and target.shape == (300,)
    edge = 4
    for s, p, c, t in zip(seq.tolist(), pos.tolist(), context.tolist(), target.tolist()):
        assert t == s[p]
        assert c[0] == (s[p - 1] if p > 0 else edge)
        assert c[1] == (s[p + 1] if p < len(s) - 1 else edge)
    assert set(pos.tolist()) == set(range(6))  # every position gets masked somewhere


def test_masked_token_data_draws_sentences_then_positions():
    # the same generator state gives the sentences of markov_sequences, then the positions
    seq, pos, _, _ = masked_token_data(50, TRANSITION, length=5, generator=torch.Generator().manual_seed(7))
    gen = torch.Generator().manual_seed(7)
    assert torch.equal(seq, markov_sequences(50, TRANSITION, length=5, generator=gen))
    assert torch.equal(pos, torch.randint(0, 5, (50,), generator=gen))


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"length": 0}, {"n": 2.5}])
def test_masked_token_data_bad_inputs(kwargs):
    args = {"n": 10, "length": 4} | kwargs
    with pytest.raises(ValueError):
        masked_token_data(args.pop("n"), TRANSITION, **args)
