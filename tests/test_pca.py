"""PCAEnergy: against scikit-learn's PCA (subspace, explained variance), the energy as reconstruction error."""

import pytest
import torch

from ebmlib import PCAEnergy
from ebmlib.datasets import toy_2d

decomposition = pytest.importorskip("sklearn.decomposition", reason="scikit-learn's PCA is the reference")

F64 = torch.float64


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    return torch.tensor(load_digits().data[:500], dtype=F64)


@pytest.mark.parametrize("k", [1, 5, 20])
def test_subspace_and_variance_match_sklearn(digits, k):
    ours = PCAEnergy(k).fit(digits)
    ref = decomposition.PCA(k, svd_solver="full").fit(digits.numpy())
    U, V = ours.components, torch.tensor(ref.components_)
    # the same subspace: the projectors agree (signs of individual axes are a convention)
    assert torch.allclose(U.T @ U, V.T @ V, atol=1e-8)
    assert torch.allclose(ours.explained_variance, torch.tensor(ref.explained_variance_), rtol=1e-10)
    assert torch.allclose(ours.mean, torch.tensor(ref.mean_), atol=1e-12)
    # each axis up to its sign
    assert torch.allclose((U * V).sum(1).abs(), torch.ones(k, dtype=F64), atol=1e-8)
    assert torch.allclose(U @ U.T, torch.eye(k, dtype=F64), atol=1e-10)


def test_free_energy_is_sklearn_reconstruction_error(digits):
    ref = decomposition.PCA(8).fit(digits.numpy())
    recon = torch.tensor(ref.inverse_transform(ref.transform(digits.numpy())))
    ours = PCAEnergy(8).fit(digits)
    assert torch.allclose(ours.free_energy(digits), ((digits - recon) ** 2).sum(1), rtol=1e-8, atol=1e-8)
    assert torch.allclose(ours.reconstruct(digits), recon, atol=1e-8)


def test_free_energy_is_the_minimum_over_z(digits):
    m = PCAEnergy(4).fit(digits)
    y = digits[:20]
    z = m.infer(y)
    assert z.shape == (20, 4)
    f = m.free_energy(y)
    assert torch.allclose(m.energy(y, z), f, rtol=1e-10)
    g = torch.Generator().manual_seed(0)
    for _ in range(5):  # any other latent has higher energy, by exactly ||dz||^2 (orthonormal U)
        dz = torch.randn(20, 4, generator=g, dtype=F64)
        assert torch.allclose(m.energy(y, z + dz), f + (dz**2).sum(1), rtol=1e-9)


def test_training_loss_is_the_discarded_variance(digits):
    # Eckart-Young: the mean energy over the data is the sum of the discarded eigenvalues (N - 1)/N
    full = PCAEnergy(64).fit(digits)
    m = PCAEnergy(10).fit(digits)
    n = digits.shape[0]
    want = full.explained_variance[10:].sum() * (n - 1) / n
    assert float(m.free_energy(digits).mean()) == pytest.approx(float(want), rel=1e-9)
    assert float(full.free_energy(digits).max()) < 1e-9  # K = D: zero energy everywhere


def test_2d_line_energy():
    y = toy_2d("two_moons", 400, generator=0, dtype=F64)
    m = PCAEnergy(1).fit(y)
    far = m.mean + 3.0 * m.components[0]  # a point far along the principal line: zero energy
    assert float(m.free_energy(far[None])) == pytest.approx(0.0, abs=1e-20)
    assert m.decode(torch.zeros(1, 1, dtype=F64)).squeeze(0).tolist() == m.mean.tolist()


def test_float32(digits):
    m = PCAEnergy(3).fit(digits.float())
    assert m.components.dtype == torch.float32 and m.free_energy(digits).dtype == torch.float32


def test_bad_inputs(digits):
    with pytest.raises(ValueError, match="n_components must"):
        PCAEnergy(0)
    with pytest.raises(ValueError, match=r"n_components must be <= min"):
        PCAEnergy(65).fit(digits)
    with pytest.raises(ValueError, match="fitted first"):
        PCAEnergy(2).free_energy(digits)
    m = PCAEnergy(2).fit(digits)
    with pytest.raises(ValueError, match=r"y must have shape \(B, 64\)"):
        m.free_energy(digits[:, :5])
    with pytest.raises(ValueError, match=r"z must have shape \(B, 2\)"):
        m.decode(torch.zeros(3, 3, dtype=F64))
