"""Tests for ebmlib.energies: values, analytic gradients vs autograd, closed-form minima vs numpy.roots."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ebmlib.energies import (
    MLPEnergy,
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
def test_double_well_grad_matches_autograd(points, a, b):
    y = torch.tensor(points, dtype=torch.float64)
    torch.testing.assert_close(tilted_double_well_grad(y, a=a, b=b),
                               autograd(lambda v: tilted_double_well(v, a=a, b=b), y))


@pytest.mark.parametrize("a, b", [(0.5, 1.0), (0.0, 2.0), (-0.9, 0.5), (1.5, 1.0)])
def test_double_well_critical_points_match_numpy_roots(a, b):
    pts = tilted_double_well_critical_points(a=a, b=b)
    roots = np.sort(np.roots([4.0, 0.0, -4.0, a]).real)  # dE/dy1 = 4 y^3 - 4 y + a
    f = lambda t: (t * t - 1) ** 2 + a * t  # noqa: E731
    expected_global = roots[0] if f(roots[0]) <= f(roots[2]) else roots[2]
    expected_local = roots[2] if f(roots[0]) <= f(roots[2]) else roots[0]
    assert pts["global_min"][0].item() == pytest.approx(expected_global, abs=1e-10)
    assert pts["local_min"][0].item() == pytest.approx(expected_local, abs=1e-10)
    assert pts["saddle"][0].item() == pytest.approx(roots[1], abs=1e-10)
    for p in pts.values():
        assert p[1].item() == 0.0
        assert torch.allclose(tilted_double_well_grad(p[None], a=a, b=b), torch.zeros(1, 2, dtype=torch.float64),
                              atol=1e-10)
    # the global minimum is no higher than the local one; the saddle is a maximum along y1
    e = {k: tilted_double_well(v[None], a=a, b=b).item() for k, v in pts.items()}
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


# ============================================================================================
# Tests for ebmlib.energies.MLPEnergy: the formula against a hand-built network, closed forms, checks.
# ============================================================================================

D = torch.float64


def test_shape_and_formula_against_hand_computation():
    torch.manual_seed(0)
    model = MLPEnergy(2, (5, 4), confinement=0.3, dtype=D)
    y = torch.randn(7, 2, dtype=D)
    l1, l2, l3 = (m for m in model.net if isinstance(m, torch.nn.Linear))
    silu = lambda v: v / (1 + torch.exp(-v))  # noqa: E731 - SiLU written out
    h = silu(y @ l1.weight.T + l1.bias)
    h = silu(h @ l2.weight.T + l2.bias)
    want = (h @ l3.weight.T + l3.bias)[:, 0] + 0.15 * (y**2).sum(1)
    got = model(y)
    assert got.shape == (7,) and got.dtype == D
    assert torch.allclose(got, want, atol=1e-12)


def test_zero_output_layer_leaves_the_quadratic_confinement():
    model = MLPEnergy(3, (8,), confinement=2.0, dtype=D)
    with torch.no_grad():
        model.net[-1].weight.zero_()
        model.net[-1].bias.fill_(1.5)
    y = torch.randn(5, 3, dtype=D)
    assert torch.allclose(model(y), 1.5 + (y**2).sum(1))  # E = b + (c/2)|y|^2 with c = 2
    # the Gibbs density of E = (c/2)|y|^2 is N(0, I/c): check its normaliser by a Riemann sum in 1-D
    m1 = MLPEnergy(1, (4,), confinement=2.0, dtype=D)
    with torch.no_grad():
        m1.net[-1].weight.zero_()
        m1.net[-1].bias.zero_()
    ys = torch.linspace(-8, 8, 4001, dtype=D)[:, None]
    z = torch.exp(-m1(ys)).sum() * (ys[1, 0] - ys[0, 0])
    assert z.item() == pytest.approx(math.sqrt(2 * math.pi / 2.0), rel=1e-9)


def test_gradient_in_y_matches_finite_differences():
    torch.manual_seed(1)
    model = MLPEnergy(2, (16, 16), dtype=D)
    y = torch.randn(4, 2, dtype=D, requires_grad=True)
    (g,) = torch.autograd.grad(model(y).sum(), y)
    eps = 1e-6
    for k in range(2):
        e = torch.zeros(2, dtype=D)
        e[k] = eps
        with torch.no_grad():
            fd = (model(y + e) - model(y - e)) / (2 * eps)
        assert torch.allclose(g[:, k], fd, atol=1e-7)


def test_default_dtype_and_parameter_count():
    model = MLPEnergy()
    assert model(torch.zeros(3, 2)).dtype == torch.get_default_dtype()
    assert sum(p.numel() for p in model.parameters()) == (2 * 32 + 32) + (32 * 32 + 32) + (32 + 1)
    assert "confinement=0.5" in repr(model)


@pytest.mark.parametrize("kwargs", [dict(dim=0), dict(dim=2.0), dict(hidden=()), dict(hidden=(4, 0)),
                                    dict(confinement=-1.0), dict(confinement=math.nan), dict(confinement=True)])
def test_bad_settings(kwargs):
    with pytest.raises(ValueError):
        MLPEnergy(**kwargs)


def test_bad_inputs():
    model = MLPEnergy(2, (4,), dtype=D)
    with pytest.raises(ValueError, match=r"shape \(B, 2\)"):
        model(torch.zeros(3, 3, dtype=D))
    with pytest.raises(ValueError):
        model(torch.zeros(3, dtype=D))
    with pytest.raises(ValueError, match="NaN"):
        model(torch.tensor([[math.nan, 0.0]], dtype=D))
    with pytest.raises(TypeError):
        model([[0.0, 0.0]])


def test_same_seed_same_model():
    torch.manual_seed(3)
    a = MLPEnergy()
    torch.manual_seed(3)
    b = MLPEnergy()
    y = torch.randn(6, 2)
    assert torch.equal(a(y), b(y))
