"""Targets with known answers shared by the sampler tests (not a test module).

A correlated 2-D Gaussian energy, its exact moments, and a tilted 1-D double well whose moments
come from numerical integration (SciPy), not from any ebmlib code.
"""

import math

import numpy as np
import torch

D = torch.float64
MU = torch.tensor([1.0, -0.5], dtype=D)
P = torch.tensor([[2.0, 0.9], [0.9, 1.0]], dtype=D)  # precision matrix (correlation -0.64)
COV = torch.linalg.inv(P)  # the exact covariance


def gauss_energy(y):
    """E(y) = (y - mu)^T P (y - mu) / 2, for y of shape (B, 2)."""
    d = y - MU.to(y.dtype)
    return 0.5 * ((d @ P.to(y.dtype)) * d).sum(-1)


def double_well(y):
    """E(y) = (y^2 - 1)^2 + 0.4 y for y of shape (B, 1): two wells, the left one deeper."""
    return ((y[:, 0] ** 2 - 1.0) ** 2 + 0.4 * y[:, 0])


def double_well_moments():
    """E[y], E[y^2] and P(y < 0) under exp(-E) / Z, by scipy.integrate.quad."""
    from scipy.integrate import quad

    def e(y):
        return (y * y - 1.0) ** 2 + 0.4 * y

    z = quad(lambda y: math.exp(-e(y)), -np.inf, np.inf)[0]
    m1 = quad(lambda y: y * math.exp(-e(y)), -np.inf, np.inf)[0] / z
    m2 = quad(lambda y: y * y * math.exp(-e(y)), -np.inf, np.inf)[0] / z
    left = quad(lambda y: math.exp(-e(y)), -np.inf, 0.0)[0] / z
    return m1, m2, left


def assert_gaussian_moments(samples, mean, cov, n_se=5.0):
    """Check the sample mean and covariance of iid (n, 2) samples against (mean, cov) to n_se standard errors."""
    x = np.asarray(samples, dtype=np.float64)
    mean, cov = np.asarray(mean), np.asarray(cov)
    n = x.shape[0]
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(x.mean(0) - mean) < n_se * se_mean), (x.mean(0), mean)
    # se of a covariance entry of a Gaussian: sqrt((C_ij^2 + C_ii C_jj) / n)
    se_cov = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / n)
    assert np.all(np.abs(np.cov(x.T) - cov) < n_se * se_cov), (np.cov(x.T), cov)
    return se_cov


def assert_double_well_moments(samples, n_se=5.0):
    """Check iid (n, 1) samples of the double well against its quadrature moments."""
    y = np.asarray(samples, dtype=np.float64)[:, 0]
    m1, m2, left = double_well_moments()
    n = len(y)
    var1, var2 = m2 - m1**2, np.var(y**2)
    assert abs(y.mean() - m1) < n_se * math.sqrt(var1 / n), (y.mean(), m1)
    assert abs((y**2).mean() - m2) < n_se * math.sqrt(var2 / n), ((y**2).mean(), m2)
    assert abs((y < 0).mean() - left) < n_se * math.sqrt(left * (1 - left) / n), ((y < 0).mean(), left)


def ula_covariance(eps):
    """The exact stationary covariance of unadjusted Langevin on the Gaussian target: (P (I - eps P / 2))^-1."""
    p = P.numpy()
    return np.linalg.inv(p @ (np.eye(2) - eps * p / 2))
