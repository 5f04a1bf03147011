"""Tests for ebmlib.models.GaussianEnergy (models/gaussian.py) and TiltedEnergy (models/tilted.py).

References no one here wrote: NumPy's mean and covariance, SciPy's multivariate normal log-density,
the Gaussian conditional mean by a NumPy linear solve, and the eigenvalue bound of gradient descent
on a quadratic.
"""

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

import ebmlib
from ebmlib.models import ConvEnergy, GaussianEnergy, TiltedEnergy

F64 = torch.float64


def _data(n=200, d=5, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    return torch.from_numpy(rng.normal(size=(n, d)) @ a + rng.normal(size=d))  # correlated, not centred


@pytest.mark.parametrize("shrinkage, weight", [(0.0, 1.0), (0.1, 1.0), (0.01, 1e-3)])
def test_energy_differences_match_scipy_log_density(shrinkage, weight):
    y = _data()
    model = GaussianEnergy.from_data(y, shrinkage=shrinkage, weight=weight)
    x = y.numpy()
    cov = np.cov(x, rowvar=False) + shrinkage * np.eye(x.shape[1])
    ref = multivariate_normal(mean=x.mean(0), cov=cov)
    probe = _data(7, seed=1)
    e = model(probe).numpy()
    logp = ref.logpdf(probe.numpy())
    # E = weight * (-log p + const): differences remove the constant
    np.testing.assert_allclose(e - e[0], -weight * (logp - logp[0]), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(model.mean.numpy(), x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(model.precision.numpy(), np.linalg.inv(cov), rtol=1e-8, atol=1e-10)
    assert float(model(model.mean[None])[0]) == 0.0  # the minimum, at the mean


def test_images_are_flattened_and_the_gradient_is_the_closed_form():
    y = torch.rand(50, 1, 2, 3, dtype=F64, generator=torch.Generator().manual_seed(0))
    model = GaussianEnergy.from_data(y, shrinkage=0.05, weight=0.3)
    probe = torch.rand(4, 1, 2, 3, dtype=F64, generator=torch.Generator().manual_seed(1)).requires_grad_(True)
    e = model(probe)
    assert e.shape == (4,) and e.dtype == F64
    assert torch.allclose(e, model(probe.detach().flatten(1)))
    (grad,) = torch.autograd.grad(e.sum(), probe)
    want = 0.3 * (probe.detach().flatten(1) - model.mean) @ model.precision  # weight * P (y - mu)
    assert torch.allclose(grad.flatten(1), want, atol=1e-12)


def test_descent_on_the_unknown_pixels_reaches_the_conditional_mean_and_obeys_the_step_bound():
    y = _data(300, 6)
    model = GaussianEnergy.from_data(y, shrinkage=0.0)
    x = y.numpy()
    mu, cov = x.mean(0), np.cov(x, rowvar=False)
    known, unknown = np.array([0, 1, 2]), np.array([3, 4, 5])
    probe = _data(5, 6, seed=2)
    pk = probe.numpy()[:, known]
    want = mu[unknown] + (pk - mu[known]) @ np.linalg.solve(cov[np.ix_(known, known)], cov[np.ix_(known, unknown)])
    mask = torch.zeros(1, 6, dtype=torch.bool)
    mask[:, 3:] = True
    lam = np.linalg.eigvalsh(np.linalg.inv(cov)[np.ix_(unknown, unknown)])  # the Hessian on the unknown pixels
    eps = 1.0 / lam.max()  # contraction 1 - eps * lam in [0, 1): converges
    got = ebmlib.inpaint(model, probe, mask, steps=4000, step_size=eps, init=0.0)
    np.testing.assert_allclose(got[:, 3:].numpy(), want, rtol=1e-6, atol=1e-6)
    assert torch.equal(got[:, :3], probe[:, :3])
    # past eps * lam_max = 2 the stiffest direction grows instead: the descent diverges
    with pytest.raises(ebmlib.DivergenceError):
        ebmlib.inpaint(model, probe, mask, steps=4000, step_size=2.2 / lam.max(), init=0.0)


def test_fit_refuses_a_singular_covariance_without_shrinkage():
    y = _data(40, 4)
    y[:, 2] = 0.0  # a pixel that never changes
    with pytest.raises(ValueError, match="shrinkage must be > 0"):
        GaussianEnergy.from_data(y, shrinkage=0.0)
    model = GaussianEnergy.from_data(y, shrinkage=0.01)
    assert float(torch.linalg.eigvalsh(model.precision).max()) == pytest.approx(100.0, rel=1e-9)  # 1 / shrinkage


def test_buffers_follow_dtype_and_device_and_are_not_trained():
    model = GaussianEnergy.from_data(_data(30, 3))
    assert list(model.parameters()) == []
    assert set(dict(model.named_buffers())) == {"mean", "precision"}
    half = model.to(torch.float32)
    assert half.mean.dtype == torch.float32 and half(torch.zeros(2, 3)).dtype == torch.float32
    assert "dim=3" in repr(model) and "weight=1" in repr(model)


def test_tilted_energy_is_the_sum_and_trains_only_the_network():
    g = torch.Generator().manual_seed(0)
    images = torch.rand(16, 1, 8, 8, dtype=F64, generator=g)
    base = GaussianEnergy.from_data(images, shrinkage=0.01, weight=1e-3)
    net = ConvEnergy((2, 2), dtype=F64, generator=0)
    energy = TiltedEnergy(net, base)
    probe = torch.rand(3, 1, 8, 8, dtype=F64, generator=g)
    assert torch.allclose(energy(probe), base(probe) + net(probe), atol=1e-14)
    assert all(n.startswith("net.") for n, _ in energy.named_parameters())  # the base has none
    before_net = [p.detach().clone() for p in net.parameters()]
    before_base = base.precision.clone(), base.mean.clone()
    run = ebmlib.train_image_ebm(energy, images, epochs=1, batch_size=8, buffer_size=10, steps=2, step_size=0.1,
                                 generator=0)
    assert run.e_data.shape == (2,) and bool(torch.isfinite(torch.cat([run.e_data, run.e_model])).all())
    assert any(not torch.equal(a, b) for a, b in zip(before_net, net.parameters()))
    assert torch.equal(base.precision, before_base[0]) and torch.equal(base.mean, before_base[1])
