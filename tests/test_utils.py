"""ebmlib.utils: seeding, device choice, generators and the shared input checks."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

import ebmlib
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


def test_as_generator_passes_generators_and_none_and_seeds_ints():
    g = torch.Generator().manual_seed(3)
    assert as_generator(g) is g
    assert as_generator(None) is None
    a, b = as_generator(7), as_generator(7)
    assert torch.equal(torch.rand(5, generator=a), torch.rand(5, generator=b))
    state = torch.get_rng_state()
    torch.rand(3, generator=as_generator(11))
    assert torch.equal(state, torch.get_rng_state())  # a seed never touches the global RNG


# --- the randomness convention across the library: one row per stochastic callable --------------

D = torch.float64
_T = torch.tensor([[0.9, 0.1], [0.2, 0.8]], dtype=D)
STOCHASTIC = {  # name -> call(generator) returning tensors; each takes generator= via as_generator
    "datasets.ellipse": lambda g: ebmlib.datasets.ellipse(20, generator=g),
    "datasets.horn": lambda g: torch.cat([t.reshape(-1) for t in ebmlib.datasets.horn(20, generator=g)]),
    "datasets.markov_sequences": lambda g: ebmlib.datasets.markov_sequences(20, _T, length=4, generator=g),
    "models.MLPEnergy": lambda g: torch.cat([p.detach().reshape(-1) for p in ebmlib.MLPEnergy(2, (4,), generator=g).parameters()]),
    "models.HornDecoder": lambda g: torch.cat([p.detach().reshape(-1) for p in ebmlib.HornDecoder(4, generator=g).parameters()]),
    "samplers.langevin": lambda g: ebmlib.langevin(lambda y: 0.5 * (y**2).sum(1), torch.zeros(5, 2), steps=3,
                                                   step_size=0.1, generator=g),
    "samplers.PersistentChains": lambda g: ebmlib.PersistentChains(
        torch.zeros(5, 2), lambda m, gen: torch.rand(m, 2, generator=gen), restart_prob=0.5, generator=g)(
        lambda y: 0.5 * (y**2).sum(1), steps=2, step_size=0.1),
    "training.train": lambda g: _train_once(g),
}


def _train_once(g):
    w = torch.zeros(2, requires_grad=True)
    data = torch.arange(10.0)[:, None].expand(10, 2)
    seen = []
    ebmlib.train(lambda b: (seen.append(b[:, 0].clone()) or ((b - w) ** 2).mean()), w, data=data, epochs=1,
                 lr=0.1, batch_size=3, generator=g, progress=False)
    return torch.cat(seen)  # the shuffled order


@pytest.mark.parametrize("name", list(STOCHASTIC))
def test_generator_convention(name):
    """An int seed = a seeded Generator; another seed differs; with either the global RNG is untouched."""
    call = STOCHASTIC[name]
    state = torch.get_rng_state()
    a, b, c = call(3), call(torch.Generator().manual_seed(3)), call(4)
    assert torch.equal(torch.get_rng_state(), state), f"{name} touched the global RNG"
    assert torch.equal(a, b) and not torch.equal(a, c)
    torch.manual_seed(0)
    d = call(None)  # None: the global RNG, reproducible through torch.manual_seed
    torch.manual_seed(0)
    assert torch.equal(d, call(None))


# random minibatches of one or more tensors (the same rows of each)
def test_random_batches_same_rows_and_seeded():
    from ebmlib.utils import random_batches

    a = torch.arange(10.0)[:, None]
    b = torch.arange(10.0) * 2
    draw = random_batches(a, b, batch_size=4, generator=0)
    xa, xb = draw()
    assert xa.shape == (4, 1) and xb.shape == (4,) and torch.equal(xa[:, 0] * 2, xb)
    ref = torch.arange(10.0)[torch.randint(0, 10, (4,), generator=torch.Generator().manual_seed(0))]
    assert torch.equal(xa[:, 0], ref)  # the same draws as torch.randint with that seed
    one = random_batches(a, batch_size=3, generator=1)()
    assert isinstance(one, torch.Tensor) and one.shape == (3, 1)


@pytest.mark.parametrize("kwargs, match", [({"batch_size": 0}, "batch_size"), ({"batch_size": 2.0}, "batch_size")])
def test_random_batches_bad_inputs(kwargs, match):
    from ebmlib.utils import random_batches

    with pytest.raises(ValueError, match=match):
        random_batches(torch.zeros(3), **kwargs)
    with pytest.raises(ValueError, match="first dimension"):
        random_batches(torch.zeros(3), torch.zeros(4), batch_size=2)
    with pytest.raises(ValueError, match="tensors"):
        random_batches(batch_size=2)
