"""KMeansEBM: against scikit-learn's KMeans, the energy table, inference, free energy, completion, seeds."""

import pytest
import torch

from ebmlib import KMeansEBM
from ebmlib.datasets import toy_2d

sklearn_cluster = pytest.importorskip("sklearn.cluster", reason="scikit-learn is the reference k-means")

F64 = torch.float64


@pytest.fixture(scope="module")
def spiral():
    return toy_2d("spiral", 800, generator=0, dtype=F64)


@pytest.mark.parametrize("k", [3, 8, 20])
@pytest.mark.parametrize("seed", [0, 1])
def test_inertia_matches_sklearn(spiral, k, seed):
    ours = KMeansEBM(k).fit(spiral, n_init=10, generator=seed)
    ref = sklearn_cluster.KMeans(k, n_init=10, random_state=seed).fit(spiral.numpy())
    assert ours.inertia == pytest.approx(ref.inertia_, rel=0.02)
    # the inertia is the training energy loss: the sum of the free energies
    assert float(ours.free_energy(spiral).sum()) == pytest.approx(ours.inertia, rel=1e-12)


def test_well_separated_blobs_give_sklearn_centres():
    g = torch.Generator().manual_seed(3)
    centres = torch.tensor([[-5.0, 0.0], [5.0, 0.0], [0.0, 6.0], [0.0, -6.0]], dtype=F64)
    y = centres.repeat_interleave(50, 0) + 0.3 * torch.randn(200, 2, generator=g, dtype=F64)
    ours = KMeansEBM(4).fit(y, generator=0).prototypes
    ref = torch.tensor(sklearn_cluster.KMeans(4, n_init=10, random_state=0).fit(y.numpy()).cluster_centers_)
    d = torch.cdist(ours, ref)  # match prototypes to sklearn's centres
    assert torch.allclose(d.min(1).values, torch.zeros(4, dtype=F64), atol=1e-10)


def test_fixed_point_of_coordinate_descent(spiral):
    m = KMeansEBM(10).fit(spiral, generator=0)
    z = m.infer(spiral)
    for j in range(10):  # each prototype is the mean of the points it wins
        assert torch.allclose(m.prototypes[j], spiral[z == j].mean(0), atol=1e-12)


def test_energy_infer_free_energy_consistency(spiral):
    m = KMeansEBM(6).fit(spiral, generator=1)
    y = spiral[:50]
    table = m.energy_table(y)
    assert table.shape == (50, 6) and table.dtype == F64
    brute = torch.stack([((y - w) ** 2).sum(1) for w in m.prototypes], dim=1)  # (50, 6)
    assert torch.allclose(table, brute, rtol=1e-12, atol=1e-12)
    z = m.infer(y)
    assert z.shape == (50,) and z.dtype == torch.int64
    assert torch.equal(m.free_energy(y), table[torch.arange(50), z])
    assert torch.equal(m.reconstruct(y), m.prototypes[z])
    assert torch.all(m.free_energy(m.prototypes) == 0)  # zero energy exactly at the prototypes


def test_complete_uses_the_observed_coordinate_only(spiral):
    m = KMeansEBM(12).fit(spiral, generator=0)
    y1 = torch.tensor([[0.3, 99.0], [-1.0, -99.0]], dtype=F64)  # y2 is ignored
    out = m.complete(y1, torch.tensor([True, False]))
    j = ((y1[:, :1] - m.prototypes[None, :, 0]) ** 2).argmin(1)
    assert torch.equal(out[:, 0], y1[:, 0])
    assert torch.equal(out[:, 1], m.prototypes[j, 1])


def test_k_equal_n_and_duplicates():
    y = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]], dtype=F64)
    m = KMeansEBM(3).fit(y, generator=0)  # only two distinct points: one duplicate prototype
    assert m.inertia == 0.0


def test_seeds_and_global_rng(spiral):
    a = KMeansEBM(7).fit(spiral, generator=5).prototypes
    torch.manual_seed(0)
    state = torch.get_rng_state()
    b = KMeansEBM(7).fit(spiral, generator=torch.Generator().manual_seed(5)).prototypes
    assert torch.equal(torch.get_rng_state(), state)  # a generator leaves the global RNG alone
    assert torch.equal(a, b)


def test_float32_follows_input(spiral):
    m = KMeansEBM(4).fit(spiral.float(), generator=0)
    assert m.prototypes.dtype == torch.float32 and m.free_energy(spiral).dtype == torch.float32


def test_bad_inputs(spiral):
    with pytest.raises(ValueError, match="k must"):
        KMeansEBM(0)
    with pytest.raises(ValueError, match="fitted first"):
        KMeansEBM(2).energy_table(spiral)
    with pytest.raises(ValueError, match="at least k"):
        KMeansEBM(5).fit(spiral[:3])
    m = KMeansEBM(2).fit(spiral, generator=0)
    with pytest.raises(ValueError, match=r"y must have shape \(B, 2\)"):
        m.energy_table(torch.zeros(3, 3, dtype=F64))
    with pytest.raises(ValueError, match="observed must"):
        m.complete(spiral[:2], torch.tensor([False, False]))
