"""Tests for ebmlib.losses: hand-computed values, analytic gradients, closed forms, bad inputs."""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from ebmlib.grids import grid_log_likelihood, ml_gradient, square_grid
from ebmlib.losses import energy_loss, hinge_loss, log_loss, nll_loss

D = torch.float64


def t(x, grad=False):
    return torch.tensor(x, dtype=D, requires_grad=grad)


# ---------------------------------------------------------------- hand-computed values

def test_energy_loss_value_and_gradient():
    f = t([1.0, 2.0, 3.0, 6.0], grad=True)
    loss = energy_loss(f)
    assert loss.item() == pytest.approx(3.0)  # (1 + 2 + 3 + 6) / 4
    loss.backward()
    assert torch.allclose(f.grad, torch.full((4,), 0.25, dtype=D))  # d mean / d f_i = 1/B


def test_hinge_value_and_gradient_on_active_set():
    f_pos, f_neg = t([0.0, 1.0, 2.0], grad=True), t([0.5, 4.0, 1.0], grad=True)
    loss = hinge_loss(f_pos, f_neg, margin=1.0)
    # gaps f_neg - f_pos = [0.5, 3, -1]; 1 - gap = [0.5, -2, 2]; relu -> [0.5, 0, 2]; mean = 2.5/3
    assert loss.item() == pytest.approx(2.5 / 3)
    loss.backward()
    # active set = samples 0 and 2: dL/df_pos = +1/B there, dL/df_neg = -1/B there, 0 elsewhere
    assert torch.allclose(f_pos.grad, t([1 / 3, 0.0, 1 / 3]))
    assert torch.allclose(f_neg.grad, t([-1 / 3, 0.0, -1 / 3]))


def test_hinge_several_negatives_averages_per_sample():
    f_pos = t([0.0, 1.0], grad=True)
    f_neg = t([[0.5, 2.0], [1.0, 3.0]], grad=True)
    loss = hinge_loss(f_pos, f_neg, margin=1.0)
    # gaps [[0.5, 2], [0, 2]]; 1 - gap = [[0.5, -1], [1, -1]]; relu -> [[0.5, 0], [1, 0]]; mean of 4 = 0.375
    assert loss.item() == pytest.approx(0.375)
    loss.backward()
    # each active pair contributes 1/(B*M) = 1/4
    assert torch.allclose(f_neg.grad, t([[-0.25, 0.0], [-0.25, 0.0]]))
    assert torch.allclose(f_pos.grad, t([0.25, 0.25]))


def test_hinge_margin_zero_and_m1_column_equals_vector():
    f_pos, f_neg = t([0.0, 2.0]), t([1.0, 1.0])
    # margin 0: relu(-(gap)) = relu([-1, 1]) = [0, 1]; mean 0.5
    assert hinge_loss(f_pos, f_neg, 0).item() == pytest.approx(0.5)
    assert hinge_loss(f_pos, f_neg[:, None], 0.7).item() == pytest.approx(hinge_loss(f_pos, f_neg, 0.7).item())


def test_log_loss_value_and_gradient():
    f_pos, f_neg = t([0.0, 1.0], grad=True), t([0.0, 3.0], grad=True)
    loss = log_loss(f_pos, f_neg)
    # softplus(0) = log 2 = 0.6931471805599453; softplus(-2) = log(1 + e^-2) = 0.12692801104297263
    assert loss.item() == pytest.approx((0.6931471805599453 + 0.12692801104297263) / 2, rel=1e-12)
    loss.backward()
    # dL/df_pos = sigmoid(f_pos - f_neg) / B: sigmoid(0) = 0.5, sigmoid(-2) = 0.11920292202211755
    assert torch.allclose(f_pos.grad, t([0.25, 0.11920292202211755 / 2]))
    assert torch.allclose(f_neg.grad, -f_pos.grad)


def test_log_loss_several_negatives_softmax_form():
    f_pos = t([0.0], grad=True)
    f_neg = t([[0.0, math.log(2.0)]], grad=True)
    loss = log_loss(f_pos, f_neg)
    # log(1 + e^0 + e^-log2) = log(1 + 1 + 0.5) = log 2.5
    assert loss.item() == pytest.approx(math.log(2.5), rel=1e-12)
    loss.backward()
    # d/df_neg_m = -exp(f_pos - f_neg_m) / 2.5 = [-1/2.5, -0.5/2.5]; d/df_pos = 1.5/2.5
    assert torch.allclose(f_neg.grad, t([[-0.4, -0.2]]))
    assert torch.allclose(f_pos.grad, t([0.6]))


def test_log_loss_large_gap_is_finite():
    # log(1 + e^1000 + e^999) = 1000 + log(1 + e^-1 + e^-1000) = 1000 + 0.31326168751822286
    loss = log_loss(t([1000.0]), t([[0.0, 1.0]]))
    assert loss.item() == pytest.approx(1000.31326168751822286, rel=1e-14)
    assert log_loss(t([-1000.0]), t([0.0])).item() == pytest.approx(0.0, abs=1e-300)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (3,), elements=st.floats(-30, 30)),
       arrays(np.float64, (3, 4), elements=st.floats(-30, 30)),
       st.floats(0, 5))
def test_losses_match_numpy_references(f_pos, f_neg, margin):
    want_log = np.mean(logsumexp(np.concatenate([np.zeros((3, 1)), f_pos[:, None] - f_neg], 1), axis=1))
    assert log_loss(t(f_pos), t(f_neg)).item() == pytest.approx(want_log, rel=1e-10, abs=1e-12)
    want_hinge = np.mean(np.maximum(0, margin - (f_neg - f_pos[:, None])))
    assert hinge_loss(t(f_pos), t(f_neg), margin).item() == pytest.approx(want_hinge, rel=1e-10, abs=1e-12)
    # softplus >= relu: with one negative, the log loss bounds the margin-0 hinge from above
    assert log_loss(t(f_pos), t(f_neg[:, 0])).item() >= hinge_loss(t(f_pos), t(f_neg[:, 0]), 0.0).item()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3,), elements=st.floats(-30, 30)),
       arrays(np.float64, (3, 4), elements=st.floats(-30, 30)),
       st.floats(0, 5))
def test_reduction_none_gives_the_per_sample_values(f_pos, f_neg, margin):
    # per-sample references in NumPy, one row at a time; their mean is the default reduction
    want = {
        "energy": f_pos,
        "hinge": np.array([np.mean(np.maximum(0, margin - (f_neg[i] - f_pos[i]))) for i in range(3)]),
        "log": np.array([logsumexp(np.concatenate([[0.0], f_pos[i] - f_neg[i]])) for i in range(3)]),
        "nll": np.array([f_pos[i] + logsumexp(-f_neg[i]) + math.log(0.5) for i in range(3)]),
    }
    calls = {
        "energy": lambda **kw: energy_loss(t(f_pos), **kw),
        "hinge": lambda **kw: hinge_loss(t(f_pos), t(f_neg), margin, **kw),
        "log": lambda **kw: log_loss(t(f_pos), t(f_neg), **kw),
        "nll": lambda **kw: nll_loss(t(f_pos), t(f_neg), cell_area=0.5, **kw),  # one grid of 4 per sample
    }
    for name, call in calls.items():
        per_sample = call(reduction="none")
        assert per_sample.shape == (3,), name
        np.testing.assert_allclose(per_sample.numpy(), want[name], rtol=1e-10, atol=1e-12, err_msg=name)
        assert call().item() == pytest.approx(per_sample.mean().item(), rel=1e-12, abs=1e-12)
        assert call(reduction="mean").item() == call().item()


def test_reduction_none_keeps_the_gradient_per_sample():
    f_pos, f_neg = t([0.0, 2.0], grad=True), t([[0.5], [2.5]])  # both samples inside the margin
    hinge_loss(f_pos, f_neg, 1.0, reduction="none")[1].backward()
    assert f_pos.grad.tolist() == [0.0, 1.0]  # sample 1 alone: d/dF_pos = +1, nothing flows to sample 0
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
        log_loss(f_pos, f_neg, reduction="max")


# ---------------------------------------------------------------- NLL on a grid

def test_nll_loss_flat_grid_by_hand():
    f_pos, f_grid = t([1.0, 2.0]), torch.zeros(4, dtype=D)
    # Z = 4 cells * e^0 * 0.5 = 2; mean(beta f_pos) + log 2
    assert nll_loss(f_pos, f_grid, cell_area=0.5).item() == pytest.approx(1.5 + math.log(2.0))
    assert nll_loss(f_pos, f_grid, beta=2.0, cell_area=0.5).item() == pytest.approx(3.0 + math.log(2.0))


def test_nll_loss_gaussian_closed_form():
    # E(y) = |y|^2 / 2 in 2-D: Z = 2 pi, so -log p(y) = |y|^2/2 + log(2 pi)
    g = torch.linspace(-8, 8, 321, dtype=D)
    grid = torch.cartesian_prod(g, g)  # (G, 2)
    area = float(g[1] - g[0]) ** 2
    y = t([[0.0, 0.0], [1.0, -2.0]])
    energy = lambda v: 0.5 * (v ** 2).sum(-1)
    got = nll_loss(energy(y), energy(grid), cell_area=area).item()
    assert got == pytest.approx(np.mean([0.0, 2.5]) + math.log(2 * math.pi), rel=1e-10)
    assert grid_log_likelihood(energy, y, grid, area).item() == pytest.approx(-got, rel=1e-12)


def test_nll_loss_conditional_grid_rows():
    f_pos, f_grid = t([0.0, 0.0]), t([[0.0, 0.0], [math.log(2.0), math.log(2.0)]])
    # row 0: Z = 2, row 1: Z = 2 * 1/2 = 1; mean(log 2, log 1)
    assert nll_loss(f_pos, f_grid).item() == pytest.approx(math.log(2.0) / 2)


# ---------------------------------------------------------------- maximum-likelihood gradient

def _features(y):  # phi(y) for the exponential-family energy E = theta . phi(y)
    return torch.stack([y[:, 0] ** 2, y[:, 1] ** 2, y[:, 0] * y[:, 1], y[:, 0], y[:, 1]], dim=-1)


def _grid(n=61, lim=4.0):
    g = torch.linspace(-lim, lim, n, dtype=D)
    return torch.cartesian_prod(g, g), float(g[1] - g[0]) ** 2


def test_ml_gradient_equals_data_minus_model_expectation_and_finite_differences():
    torch.manual_seed(0)
    theta = t([0.7, 1.1, 0.3, -0.2, 0.4], grad=True)
    energy = lambda y: _features(y) @ theta
    y_data = torch.randn(40, 2, dtype=D)
    grid, area = _grid()
    beta = 1.5
    # 1) autograd of the exact grid NLL
    (g_auto,) = torch.autograd.grad(-grid_log_likelihood(energy, y_data, grid, area, beta=beta), [theta])
    # 2) the two-term formula, written out by hand in NumPy: beta (E_data[phi] - E_model[phi])
    phi_d, phi_g = _features(y_data).numpy(), _features(grid).numpy()
    logits = -beta * phi_g @ theta.detach().numpy()
    p = np.exp(logits - logsumexp(logits))
    g_hand = beta * (phi_d.mean(0) - p @ phi_g)
    # 3) ebmlib's explicit version
    (g_ml,) = ml_gradient(energy, [theta], y_data, grid, beta=beta)
    # 4) central finite differences of the grid log-likelihood
    h, g_fd = 1e-6, np.zeros(5)
    with torch.no_grad():
        for k in range(5):
            e = torch.zeros(5, dtype=D)
            e[k] = h
            up = grid_log_likelihood(lambda y: _features(y) @ (theta + e), y_data, grid, area, beta=beta)
            dn = grid_log_likelihood(lambda y: _features(y) @ (theta - e), y_data, grid, area, beta=beta)
            g_fd[k] = -(up - dn).item() / (2 * h)
    np.testing.assert_allclose(g_auto.numpy(), g_hand, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(g_ml.numpy(), g_hand, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(g_fd, g_hand, rtol=1e-6, atol=1e-8)
    assert theta.grad is None  # ml_gradient leaves .grad alone


def test_ml_gradient_on_mlp_matches_autograd_and_finite_differences():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    energy = lambda y: net(y).squeeze(-1) + 0.1 * (y ** 2).sum(-1)
    y_data = torch.randn(30, 2, dtype=D)
    grid, area = _grid(41)
    params = list(net.parameters())
    g_ml = ml_gradient(energy, params, y_data, grid)
    g_auto = torch.autograd.grad(-grid_log_likelihood(energy, y_data, grid, area), params)
    for a, b in zip(g_ml, g_auto):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-12)
    w = params[0]
    h = 1e-6
    with torch.no_grad():
        for idx in [(0, 0), (3, 1), (7, 0)]:
            w[idx] += h
            up = grid_log_likelihood(energy, y_data, grid, area).item()
            w[idx] -= 2 * h
            dn = grid_log_likelihood(energy, y_data, grid, area).item()
            w[idx] += h
            assert -(up - dn) / (2 * h) == pytest.approx(g_ml[0][idx].item(), rel=1e-5, abs=1e-8)


def test_ml_gradient_zero_at_the_maximum_likelihood_gaussian():
    # for E = |y - mu|^2 / 2 the ML estimate of mu is the data mean; the gradient there is ~0
    # (up to the grid's truncation), and pointing away from it elsewhere
    y_data = t([[0.5, -0.25], [1.5, 0.25], [1.0, 0.0]])
    grid, _ = _grid(161, 8.0)
    mu = t([1.0, 0.0], grad=True)
    energy = lambda y: 0.5 * ((y - mu) ** 2).sum(-1)
    (g,) = ml_gradient(energy, [mu], y_data, grid)
    assert torch.allclose(g, torch.zeros(2, dtype=D), atol=1e-9)
    mu2 = t([0.0, 0.0], grad=True)
    (g2,) = ml_gradient(lambda y: 0.5 * ((y - mu2) ** 2).sum(-1), [mu2], y_data, grid)
    # gradient of the NLL = mu - mean(y) = [-1, 0]
    assert torch.allclose(g2, t([-1.0, 0.0]), atol=1e-9)


# ---------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("call", [
    lambda: hinge_loss(t([0.0, 1.0]), t([0.0, 1.0, 2.0]), 1.0),      # batch mismatch
    lambda: hinge_loss(t([0.0]), t([[[0.0]]]), 1.0),                 # f_neg 3-D
    lambda: hinge_loss(t([0.0]), t([1.0]), -0.1),                    # margin < 0
    lambda: hinge_loss(t([0.0]), t([1.0]), float("nan")),
    lambda: hinge_loss(t([0.0]), t([1.0]), float("inf")),
    lambda: hinge_loss(t([0.0]), t([1.0]), "1"),
    lambda: log_loss(t([[0.0]]), t([1.0])),                          # f_pos 2-D
    lambda: log_loss(t([float("nan")]), t([1.0])),
    lambda: log_loss(t([0.0]), t([float("inf")])),
    lambda: energy_loss(torch.zeros(0, dtype=D)),                    # empty batch
    lambda: energy_loss(torch.tensor([1, 2])),                       # integer energies
    lambda: nll_loss(t([0.0]), t([0.0]), beta=0.0),
    lambda: nll_loss(t([0.0]), t([0.0]), cell_area=-1.0),
    lambda: nll_loss(t([0.0, 1.0]), t([[0.0, 1.0]] * 3)),            # (B, G) with wrong B
    lambda: grid_log_likelihood(lambda y: y, t([[0.0, 1.0]]), t([[0.0, 0.0]]), 1.0),  # energy not (N,)
    lambda: ml_gradient(lambda y: y.sum(-1), [t([1.0])], t([[0.0, 1.0]]), t([[0.0, 0.0]])),  # no grad
])
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_non_tensor_raises_type_error():
    with pytest.raises(TypeError):
        energy_loss([1.0, 2.0])


# ---------------------------------------------------------------- identities for all inputs (hypothesis)

_energies = st.floats(-1e3, 1e3)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4,), elements=_energies), arrays(np.float64, (4, 3), elements=_energies),
       st.floats(0, 100))
def test_hinge_is_nonnegative_and_averages_its_columns(f_pos, f_neg, margin):
    loss = hinge_loss(t(f_pos), t(f_neg), margin).item()
    assert loss >= 0.0
    per_column = [hinge_loss(t(f_pos), t(f_neg[:, m]), margin).item() for m in range(3)]
    assert loss == pytest.approx(np.mean(per_column), rel=1e-12, abs=1e-12)
    assert hinge_loss(t(f_pos), t(f_neg[:, :1]), margin).item() == per_column[0]  # (B, 1) == (B,)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4,), elements=_energies), arrays(np.float64, (4, 3), elements=st.floats(0, 1e3)),
       st.floats(0, 100))
def test_hinge_is_zero_once_every_gap_exceeds_the_margin(f_pos, extra, margin):
    f_neg = f_pos[:, None] + margin + extra  # every gap F(y_neg) - F(y) >= margin ...
    assume(bool((f_neg - f_pos[:, None] >= margin).all()))  # ... also after rounding
    assert hinge_loss(t(f_pos), t(f_neg), margin).item() == 0.0
    # and it is exactly the shortfall when every gap is below the margin
    short = f_pos[:, None] + margin - 1.0 - extra  # gaps = margin - 1 - extra < margin
    assert hinge_loss(t(f_pos), t(short), margin).item() == pytest.approx(1.0 + extra.mean(), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (5,), elements=_energies), arrays(np.float64, (5, 3), elements=_energies))
def test_log_loss_one_negative_is_softplus_and_more_negatives_cost_more(f_pos, f_neg):
    one = log_loss(t(f_pos), t(f_neg[:, 0])).item()
    softplus = torch.nn.functional.softplus(t(f_pos - f_neg[:, 0])).mean().item()
    assert one == pytest.approx(softplus, rel=1e-9, abs=1e-14)  # logsumexp has no log1p: 1e-16 absolute
    assert one >= 0.0
    assert log_loss(t(f_pos), t(f_neg)).item() >= one - 1e-12  # a competitor more never lowers the loss
    assert log_loss(t(f_pos), t(f_neg)).item() >= hinge_loss(t(f_pos), t(f_neg), 0.0).item() - 1e-12


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6,), elements=st.floats(-50, 50)), st.floats(1e-3, 1e3), st.floats(1e-3, 10),
       st.floats(-1e3, 1e3), st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_nll_is_minus_log_gibbs_density_and_shift_invariant(f_grid, beta, area, c, idx):
    from ebmlib import gibbs_on_grid
    fg, f_pos = t(f_grid), t(f_grid[idx])
    got = nll_loss(f_pos, fg, beta=beta, cell_area=area).item()
    _, log_z = gibbs_on_grid(fg, beta, area)  # p_g = exp(-beta F_g - log Z), p * area sums to 1
    assert got == pytest.approx((beta * f_pos + log_z).mean().item(), rel=1e-9, abs=1e-9)
    assert nll_loss(f_pos + c, fg + c, beta=beta, cell_area=area).item() == pytest.approx(got, rel=1e-7, abs=1e-6)


# ============================================================================================
# Tests for ebmlib.grids.square_grid: layout, cell area, and grid likelihoods against closed forms.
# ============================================================================================

D = torch.float64


def test_layout_and_cell_area():
    grid, cell = square_grid(1.0, 3, dtype=D)
    assert grid.shape == (9, 2) and grid.dtype == D
    assert cell == pytest.approx(1.0)
    g = grid.reshape(3, 3, 2)  # rows follow y_2, columns y_1
    assert torch.equal(g[0, :, 0], torch.tensor([-1.0, 0.0, 1.0], dtype=D))
    assert torch.equal(g[:, 0, 1], torch.tensor([-1.0, 0.0, 1.0], dtype=D))
    assert torch.all(g[1, :, 1] == 0.0) and torch.all(g[:, 2, 0] == 1.0)


def test_gaussian_log_likelihood_matches_scipy():
    # E(y) = (y - m)^T P (y - m) / 2: the grid-normalised log-likelihood is the Gaussian log-density
    m = torch.tensor([0.3, -0.2], dtype=D)
    P = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=D)

    def energy(y):
        d = y - m
        return 0.5 * ((d @ P) * d).sum(1)

    grid, cell = square_grid(6.0, 241, dtype=D)
    y = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-0.5, 0.7]], dtype=D)
    want = multivariate_normal(m.numpy(), torch.linalg.inv(P).numpy()).logpdf(y.numpy()).mean()
    assert grid_log_likelihood(energy, y, grid, cell).item() == pytest.approx(want, abs=1e-6)


def test_ml_gradient_of_a_gaussian_mean_is_moment_matching():
    # E = |y - m|^2 / 2 on a wide grid: dNLL/dm = E_model[y] - E_data[y] = m - mean(y_data)
    m = torch.tensor([0.4, -0.3], dtype=D, requires_grad=True)
    y = torch.tensor([[1.0, 0.0], [0.0, 2.0], [-0.5, 0.5]], dtype=D)
    grid, _ = square_grid(7.0, 201, dtype=D)
    (g,) = ml_gradient(lambda v: 0.5 * ((v - m) ** 2).sum(1), [m], y, grid)
    assert torch.allclose(g, m.detach() - y.mean(0), atol=1e-8)


@pytest.mark.parametrize("lim, n", [(0.0, 5), (-1.0, 5), (math.inf, 5), (1.0, 1), (1.0, 2.0), (1.0, True)])
def test_bad_settings(lim, n):
    with pytest.raises(ValueError):
        square_grid(lim, n)


def test_default_dtype():
    grid, _ = square_grid(2.0, 4)
    assert grid.dtype == torch.get_default_dtype()
