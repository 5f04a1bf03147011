"""Tests for ebmlib.energies: values, analytic gradients vs autograd, closed-form minima vs numpy.roots."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ebmlib.energies import (
    parabola,
    parabola_grad,
    quadratic,
    quadratic_grad,
    tilted_double_well,
    tilted_double_well_critical_points,
    tilted_double_well_grad,
)

floats = st.floats(-3, 3, allow_nan=False)


def autograd(energy, y):
    y = y.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y)
    return g


def test_parabola_values_and_shapes():
    x = torch.tensor([1.0, 4.0, 0.0], dtype=torch.float64)
    y = torch.tensor([[1.0], [-2.0], [3.0]], dtype=torch.float64)
    e = parabola(x, y)
    assert e.shape == (3,)
    torch.testing.assert_close(e, torch.tensor([0.0, 0.0, 81.0], dtype=torch.float64))
    torch.testing.assert_close(parabola(x[:, None], y), e)  # x as (B, 1)
    torch.testing.assert_close(parabola(2.0, y), (y[:, 0] ** 2 - 2.0) ** 2)  # x as a number


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 4), floats), min_size=1, max_size=8))
def test_parabola_grad_matches_autograd(pairs):
    x = torch.tensor([p[0] for p in pairs], dtype=torch.float64)
    y = torch.tensor([[p[1]] for p in pairs], dtype=torch.float64)
    torch.testing.assert_close(parabola_grad(x, y), autograd(lambda v: parabola(x, v), y))


def test_parabola_zero_exactly_on_both_branches():
    x = torch.linspace(0.1, 3, 7, dtype=torch.float64)
    for sign in (1.0, -1.0):
        y = sign * torch.sqrt(x)[:, None]
        assert torch.all(parabola(x, y) < 1e-24)
        assert torch.all(parabola_grad(x, y).abs() < 1e-12)


@pytest.mark.parametrize("x, y", [
    (torch.zeros(3), torch.zeros(3, 2)),  # y must be (B, 1)
    (torch.zeros(2), torch.zeros(3, 1)),  # batch mismatch
    (torch.zeros(3, 2), torch.zeros(3, 1)),  # x must be (B,) or (B, 1)
    (torch.zeros(3), torch.full((3, 1), float("nan"))),
    (float("inf"), torch.zeros(3, 1)),
    (torch.zeros(3), torch.zeros(3, 1, dtype=torch.long)),
])
def test_parabola_bad_inputs(x, y):
    with pytest.raises(ValueError):
        parabola(x, y)


def test_parabola_non_tensor_is_type_error():
    with pytest.raises(TypeError):
        parabola(torch.zeros(2), [[0.0], [1.0]])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=8), st.floats(-1.5, 1.5), st.floats(0.1, 3))
def test_double_well_grad_matches_autograd(points, a, c):
    y = torch.tensor(points, dtype=torch.float64)
    torch.testing.assert_close(tilted_double_well_grad(y, a=a, c=c),
                               autograd(lambda v: tilted_double_well(v, a=a, c=c), y))


@pytest.mark.parametrize("a, c", [(0.5, 1.0), (0.0, 2.0), (-0.9, 0.5), (1.5, 1.0)])
def test_double_well_critical_points_match_numpy_roots(a, c):
    pts = tilted_double_well_critical_points(a=a, c=c)
    roots = np.sort(np.roots([4.0, 0.0, -4.0, a]).real)  # dE/dy1 = 4 y^3 - 4 y + a
    f = lambda t: (t * t - 1) ** 2 + a * t  # noqa: E731
    expected_global = roots[0] if f(roots[0]) <= f(roots[2]) else roots[2]
    expected_local = roots[2] if f(roots[0]) <= f(roots[2]) else roots[0]
    assert pts["global_min"][0].item() == pytest.approx(expected_global, abs=1e-10)
    assert pts["local_min"][0].item() == pytest.approx(expected_local, abs=1e-10)
    assert pts["saddle"][0].item() == pytest.approx(roots[1], abs=1e-10)
    for p in pts.values():
        assert p[1].item() == 0.0
        assert torch.allclose(tilted_double_well_grad(p[None], a=a, c=c), torch.zeros(1, 2, dtype=torch.float64),
                              atol=1e-10)
    # the global minimum is no higher than the local one; the saddle is a maximum along y1
    e = {k: tilted_double_well(v[None], a=a, c=c).item() for k, v in pts.items()}
    assert e["global_min"] <= e["local_min"] < e["saddle"]
    hess_y1 = lambda t: 12 * t * t - 4  # noqa: E731
    assert hess_y1(pts["saddle"][0].item()) < 0 < hess_y1(pts["local_min"][0].item())


def test_double_well_critical_points_bad_tilt():
    with pytest.raises(ValueError, match="8/"):
        tilted_double_well_critical_points(a=8 / (3 * math.sqrt(3)) + 1e-3)
    with pytest.raises(ValueError, match="b must be > 0"):
        tilted_double_well_critical_points(b=0.0)


def test_double_well_bad_inputs():
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        tilted_double_well(torch.zeros(4, 3))
    with pytest.raises(ValueError):
        tilted_double_well(torch.zeros(4, 2), a=float("nan"))


def test_quadratic_minimizer_and_grad():
    g = torch.Generator().manual_seed(0)
    M = torch.randn(3, 3, generator=g, dtype=torch.float64)
    A = M @ M.T + torch.eye(3, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    y = torch.randn(5, 3, generator=g, dtype=torch.float64)
    torch.testing.assert_close(quadratic_grad(y, A, b), autograd(lambda v: quadratic(v, A, b), y))
    y_star = torch.linalg.solve(A, b)[None]
    torch.testing.assert_close(quadratic_grad(y_star, A, b), torch.zeros(1, 3, dtype=torch.float64))
    # closed-form minimum value -1/2 b^T A^{-1} b, and every other point is higher
    e_star = quadratic(y_star, A, b)
    torch.testing.assert_close(e_star, (-0.5 * b @ torch.linalg.solve(A, b))[None])
    assert torch.all(quadratic(y, A, b) > e_star)
    torch.testing.assert_close(quadratic(y, A), 0.5 * torch.einsum("bi,ij,bj->b", y, A, y))


def test_quadratic_bad_shapes():
    with pytest.raises(ValueError, match="A must have shape"):
        quadratic(torch.zeros(2, 3), torch.eye(2))
    with pytest.raises(ValueError, match="b must have shape"):
        quadratic(torch.zeros(2, 3), torch.eye(3), torch.zeros(2))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 3), elements=st.floats(-3, 3)), arrays(np.float64, (3,), elements=st.floats(-3, 3)),
       arrays(np.float64, (4, 3), elements=st.floats(-10, 10)))
def test_quadratic_grad_matches_autograd_and_minimum(M, b, y):
    A = torch.tensor(M @ M.T + np.eye(3))  # symmetric positive definite
    bt, yt = torch.tensor(b), torch.tensor(y)
    torch.testing.assert_close(quadratic_grad(yt, A, bt), autograd(lambda v: quadratic(v, A, bt), yt))
    y_star = torch.linalg.solve(A, bt)[None]  # (1, 3): the closed-form minimiser A^{-1} b
    assert bool((quadratic(yt, A, bt) >= quadratic(y_star, A, bt) - 1e-9).all())
