"""Tests for the chapter-2 checkers: correct, incorrect, not attempted and raising solutions."""


import torch

from ebmlib import EllipseDecoder, infer_latent, latent_energy_table
from instructor.exercises import ch02


# ------------------------------------------------------------------ latent energy table

def table_correct(y, w, z):
    g = torch.stack([w[0] * torch.cos(z), w[1] * torch.sin(z)], dim=-1)  # (N_z, 2)
    return ((y[:, None, :] - g[None]) ** 2).sum(-1)


def test_table_correct():
    assert ch02.check_latent_energy_table(table_correct) == "correct"
    # ebmlib's own function, wrapped, is correct too
    wrapped = lambda y, w, z: latent_energy_table(y, EllipseDecoder(tuple(w.tolist()), dtype=torch.float64), z)
    assert ch02.check_latent_energy_table(wrapped).ok


def test_table_incorrect():
    v = ch02.check_latent_energy_table(lambda y, w, z: table_correct(y, w, z).sqrt())
    assert v.startswith("incorrect:") and "squared" in v
    v = ch02.check_latent_energy_table(lambda y, w, z: table_correct(y, w.flip(0), z))
    assert v.startswith("incorrect:")
    v = ch02.check_latent_energy_table(lambda y, w, z: table_correct(y, w, z).T)
    assert v.startswith("incorrect:") and "shape" in v
    v = ch02.check_latent_energy_table(lambda y, w, z: table_correct(y, w, z).tolist())
    assert v.startswith("incorrect:")


def test_table_not_attempted_and_raising():
    def stub(y, w, z):
        raise NotImplementedError

    assert ch02.check_latent_energy_table(stub) == "not attempted"
    assert ch02.check_latent_energy_table(None) == "not attempted"
    v = ch02.check_latent_energy_table(lambda y, w, z: 1 / 0)
    assert v.startswith("incorrect: your function raised ZeroDivisionError")


# ------------------------------------------------------------------ exhaustive search

def search_correct(y, decoder, z_grid):
    g = decoder(z_grid)  # (N_z, 2)
    table = ((y[:, None, :] - g[None]) ** 2).sum(-1)  # (B, N_z)
    f, idx = table.min(dim=1)
    return z_grid[idx], f


def test_search_correct():
    assert ch02.check_exhaustive_search(search_correct) == "correct"
    assert ch02.check_exhaustive_search(lambda y, d, z: infer_latent(y, d, method="grid", z_grid=z)).ok


def test_search_incorrect():
    def argmax_search(y, decoder, z_grid):
        table = ((y[:, None, :] - decoder(z_grid)[None]) ** 2).sum(-1)
        f, idx = table.max(dim=1)
        return z_grid[idx], f

    v = ch02.check_exhaustive_search(argmax_search)
    assert v.startswith("incorrect:") and "largest" in v

    def indices(y, decoder, z_grid):
        table = ((y[:, None, :] - decoder(z_grid)[None]) ** 2).sum(-1)
        f, idx = table.min(dim=1)
        return idx, f

    v = ch02.check_exhaustive_search(indices)
    assert v.startswith("incorrect:") and "indices" in v
    v = ch02.check_exhaustive_search(lambda y, d, z: search_correct(y, d, z)[0])
    assert v.startswith("incorrect:")
    v = ch02.check_exhaustive_search(lambda y, d, z: (search_correct(y, d, z)[0] + 0.1, search_correct(y, d, z)[1]))
    assert v.startswith("incorrect:") and "z_check" in v


def test_search_not_attempted_and_raising():
    def stub(y, decoder, z_grid):
        raise NotImplementedError("fill me in")

    assert ch02.check_exhaustive_search(stub) == "not attempted"
    v = ch02.check_exhaustive_search(lambda y, d, z: y[100])
    assert v.startswith("incorrect: your function raised IndexError")


# ------------------------------------------------------------------ F_inf on a grid of y

def grid_correct(decoder, y1, y2, z_grid):
    Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")  # (n2, n1)
    y = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], -1)  # (n2*n1, 2)
    table = ((y[:, None, :] - decoder(z_grid)[None]) ** 2).sum(-1)
    return table.min(dim=1).values.reshape(len(y2), len(y1))


def test_grid_correct():
    assert ch02.check_free_energy_grid(grid_correct) == "correct"


def test_grid_incorrect():
    v = ch02.check_free_energy_grid(lambda d, y1, y2, z: grid_correct(d, y2, y1, z))
    assert v.startswith("incorrect:") and "rows follow y2" in v

    def mean_not_min(decoder, y1, y2, z_grid):
        Y2, Y1 = torch.meshgrid(y2, y1, indexing="ij")
        y = torch.stack([Y1.reshape(-1), Y2.reshape(-1)], -1)
        table = ((y[:, None, :] - decoder(z_grid)[None]) ** 2).sum(-1)
        return table.mean(dim=1).reshape(len(y2), len(y1))

    v = ch02.check_free_energy_grid(mean_not_min)
    assert v.startswith("incorrect:") and "min_z" in v


def test_grid_not_attempted_and_raising():
    def stub(decoder, y1, y2, z_grid):
        raise NotImplementedError

    assert ch02.check_free_energy_grid(stub) == "not attempted"
    v = ch02.check_free_energy_grid(lambda d, y1, y2, z: torch.zeros(2) @ torch.zeros(3))
    assert v.startswith("incorrect: your function raised RuntimeError")


def test_verdicts_never_reveal_numbers():
    # wrong answers must not leak the expected values
    for v in [ch02.check_exhaustive_search(lambda y, d, z: (search_correct(y, d, z)[0], search_correct(y, d, z)[1] + 1)),
              ch02.check_free_energy_grid(lambda d, y1, y2, z: grid_correct(d, y1, y2, z) * 1.01)]:
        assert v.startswith("incorrect:")
        assert not any(ch.isdigit() for ch in v.replace("F_inf", ""))
