"""ebmlib.utils: seeding, device choice, generators and the shared input checks."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

import ebmlib
from ebmlib._checks import check_energy_output, check_nonneg_int, check_positive, check_real, check_tensor
from ebmlib.utils import as_generator, get_device, make_generator, set_seed


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_set_seed_makes_python_numpy_and_torch_repeatable():
    set_seed(123)
    first = draw()
    set_seed(123)
    assert draw() == first
    set_seed(124)
    assert draw() != first


def test_set_seed_matches_the_libraries_own_seeding():
    set_seed(7)
    ours = draw()
    random.seed(7)
    np.random.seed(7)
    torch.manual_seed(7)
    assert draw() == ours


def test_set_seed_accepts_large_seeds():
    set_seed(2**40)  # NumPy only takes 32-bit seeds; ebmlib folds larger ones
    assert 0 <= random.random() < 1


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True, float("nan")])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        set_seed(bad)


def test_get_device_is_cuda_exactly_when_available():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected
    assert get_device("cpu") == torch.device("cpu")


def test_get_device_rejects_unknown_and_unavailable():
    with pytest.raises(ValueError, match="prefer"):
        get_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            get_device("cuda")


def test_make_generator_is_seeded_and_independent_of_global_state():
    a = torch.rand(3, generator=make_generator(5))
    torch.manual_seed(999)
    b = torch.rand(3, generator=make_generator(5))
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        make_generator(-3)


def test_top_level_exports():
    for name in ebmlib.__all__:
        assert hasattr(ebmlib, name), name


def test_import_has_no_side_effects_on_global_rng():
    import importlib

    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    importlib.reload(ebmlib)
    assert torch.equal(torch.rand(2), expected)


class TestChecks:
    def test_check_tensor(self):
        t = torch.zeros(2, 3)
        assert check_tensor(t, "y", ndim=2) is t
        with pytest.raises(TypeError, match="y must be a torch.Tensor"):
            check_tensor([1.0], "y")
        with pytest.raises(ValueError, match=r"2 dimensions, got shape \(3,\)"):
            check_tensor(torch.zeros(3), "y", ndim=2)
        with pytest.raises(ValueError, match="floating-point"):
            check_tensor(torch.zeros(2, dtype=torch.long), "y")
        with pytest.raises(ValueError, match="empty"):
            check_tensor(torch.zeros(0, 2), "y")
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_tensor(torch.tensor([1.0, math.nan]), "y")
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_tensor(torch.tensor([math.inf]), "y")

    def test_check_positive(self):
        assert check_positive(2, "lr") == 2.0
        assert check_positive(math.inf, "beta", allow_inf=True) == math.inf
        assert check_positive(3, "n", integer=True) == 3
        for bad in (0, -1.0, math.nan, "1", None, True):
            with pytest.raises(ValueError, match="lr"):
                check_positive(bad, "lr")
        with pytest.raises(ValueError, match="finite"):
            check_positive(math.inf, "lr")
        with pytest.raises(ValueError, match="integer"):
            check_positive(2.5, "n", integer=True)

    def test_check_real(self):
        assert check_real(-2, "a") == -2.0
        assert check_real(np.float32(0.5), "a") == 0.5
        for bad in (math.nan, math.inf, "1", None, True, torch.tensor(1.0)):
            with pytest.raises(ValueError, match="a must be a finite real number"):
                check_real(bad, "a")

    def test_check_nonneg_int(self):
        assert check_nonneg_int(0, "steps") == 0
        for bad in (-1, 1.0, True, None):
            with pytest.raises(ValueError, match="steps"):
                check_nonneg_int(bad, "steps")

    def test_check_energy_output(self):
        e = torch.zeros(4)
        assert check_energy_output(e, 4) is e
        with pytest.raises(ValueError, match=r"shape \(4,\)"):
            check_energy_output(torch.zeros(4, 1), 4)
        with pytest.raises(ValueError, match="NaN or infinite"):
            check_energy_output(torch.tensor([0.0, math.nan, 0.0, 0.0]), 4)
        with pytest.raises(ValueError, match="torch.Tensor"):
            check_energy_output(np.zeros(4), 4)


def test_as_generator_passes_generators_and_none_and_seeds_ints():
    g = torch.Generator().manual_seed(3)
    assert as_generator(g) is g
    assert as_generator(None) is None
    a, b = as_generator(7), as_generator(7)
    assert torch.equal(torch.rand(5, generator=a), torch.rand(5, generator=b))
    state = torch.get_rng_state()
    torch.rand(3, generator=as_generator(11))
    assert torch.equal(state, torch.get_rng_state())  # a seed never touches the global RNG
