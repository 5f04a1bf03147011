"""Tests for ebmlib.inference: gradient descent vs closed forms, min-sum vs brute-force enumeration."""

import itertools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ebmlib.energies import parabola, quadratic, tilted_double_well, tilted_double_well_critical_points
from ebmlib.inference import chain_energy, gradient_inference, min_sum_chain, multi_start_inference
from ebmlib.masked_tokens import masked_token_posterior


def spd(d, seed):
    g = torch.Generator().manual_seed(seed)
    M = torch.randn(d, d, generator=g, dtype=torch.float64)
    return M @ M.T + 0.5 * torch.eye(d, dtype=torch.float64), torch.randn(d, generator=g, dtype=torch.float64)


# ---------------------------------------------------------------- gradient inference

def test_converges_to_quadratic_minimizer():
    A, b = spd(3, 0)
    lr = 1.0 / float(torch.linalg.eigvalsh(A).max())
    y0 = torch.randn(4, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 5
    y = gradient_inference(lambda v: quadratic(v, A, b), y0, steps=2000, step_size=lr)
    torch.testing.assert_close(y, torch.linalg.solve(A, b).expand(4, 3), atol=1e-8, rtol=0)


@pytest.mark.parametrize("steps", [0, 1, 5, 30])
def test_matches_closed_form_iterates_on_a_quadratic(steps):
    # y_T = y* + (I - lr A)^T (y0 - y*) exactly
    A, b = spd(2, 2)
    lr = 0.3 / float(torch.linalg.eigvalsh(A).max())
    y0 = torch.randn(6, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    y, traj = gradient_inference(lambda v: quadratic(v, A, b), y0, steps=steps, step_size=lr, return_trajectory=True)
    y_star = torch.linalg.solve(A, b)
    ref = y_star + (y0 - y_star) @ torch.linalg.matrix_power(torch.eye(2, dtype=torch.float64) - lr * A, steps).T
    torch.testing.assert_close(y, ref)
    assert traj.shape == (steps + 1, 6, 2)
    torch.testing.assert_close(traj[0], y0)
    torch.testing.assert_close(traj[-1], y)


def test_parabola_finds_both_branches():
    x = torch.tensor([0.25, 1.0, 2.25], dtype=torch.float64)
    for sign in (1.0, -1.0):
        y0 = torch.full((3, 1), 1.7 * sign, dtype=torch.float64)
        y = gradient_inference(lambda v: parabola(x, v), y0, steps=500, step_size=0.02)
        torch.testing.assert_close(y[:, 0], sign * torch.sqrt(x), atol=1e-6, rtol=0)


def test_double_well_ends_at_closed_form_minima():
    pts = tilted_double_well_critical_points(a=0.5, c=1.0)
    y0 = torch.tensor([[-1.5, 1.0], [1.5, -1.0], [0.5, 0.5]], dtype=torch.float64)
    y = gradient_inference(tilted_double_well, y0, steps=1000, step_size=0.05)
    torch.testing.assert_close(y[0], pts["global_min"], atol=1e-7, rtol=0)
    torch.testing.assert_close(y[1], pts["local_min"], atol=1e-7, rtol=0)
    torch.testing.assert_close(y[2], pts["local_min"], atol=1e-7, rtol=0)  # right of the saddle


def test_multi_start_keeps_the_lowest_end():
    pts = tilted_double_well_critical_points(a=0.5, c=1.0)
    starts = torch.tensor([[[1.5, 0.3], [1.2, -0.5]], [[-1.5, 0.3], [0.8, 0.1]]], dtype=torch.float64)  # (2, 2, 2)
    res = multi_start_inference(tilted_double_well, starts, steps=800, step_size=0.05)
    assert res.ends.shape == (2, 2, 2) and res.end_energies.shape == (2, 2)
    assert res.best.shape == (2, 2) and res.best_energy.shape == (2,)
    torch.testing.assert_close(res.best[0], pts["global_min"], atol=1e-7, rtol=0)  # second start wins
    torch.testing.assert_close(res.best[1], pts["local_min"], atol=1e-7, rtol=0)  # both starts end right
    assert res.best_index.tolist()[0] == 1
    torch.testing.assert_close(res.best_energy, tilted_double_well(res.best))


def test_conditional_energy_with_multi_start():
    x = torch.tensor([1.0, 4.0], dtype=torch.float64)
    starts = torch.tensor([[[0.5], [0.5]], [[-0.5], [-3.0]]], dtype=torch.float64)  # (S=2, B=2, 1)
    res = multi_start_inference(lambda v: parabola(x, v), starts, steps=400, step_size=0.01)
    torch.testing.assert_close(res.ends[:, :, 0], torch.tensor([[1.0, 2.0], [-1.0, -2.0]], dtype=torch.float64),
                               atol=1e-6, rtol=0)


def test_does_not_touch_model_parameters():
    model = torch.nn.Linear(2, 1)
    model.weight.requires_grad_(True)
    frozen = torch.nn.Linear(2, 1).requires_grad_(False)
    energy = lambda y: (model(y)[:, 0] ** 2) + frozen(y)[:, 0] ** 2 + (y**2).sum(1)  # noqa: E731
    y0 = torch.randn(3, 2, generator=torch.Generator().manual_seed(0))
    y0_copy = y0.clone()
    gradient_inference(energy, y0, steps=3, step_size=0.1)
    assert model.weight.grad is None and model.bias.grad is None
    assert model.weight.requires_grad and not frozen.weight.requires_grad
    assert torch.equal(y0, y0_copy) and not y0.requires_grad


def test_works_inside_no_grad():
    with torch.no_grad():
        y = gradient_inference(lambda v: (v**2).sum(1), torch.ones(2, 2), steps=10, step_size=0.25)
    torch.testing.assert_close(y, torch.full((2, 2), 0.5**10))


def test_same_input_same_output():
    y0 = torch.randn(5, 2, generator=torch.Generator().manual_seed(7))
    a = gradient_inference(tilted_double_well, y0, steps=50, step_size=0.05)
    b = gradient_inference(tilted_double_well, y0, steps=50, step_size=0.05)
    assert torch.equal(a, b)


def test_progress_bar_does_not_change_result():
    y0 = torch.randn(3, 2, generator=torch.Generator().manual_seed(1))
    assert torch.equal(gradient_inference(tilted_double_well, y0, steps=5, step_size=0.05, progress=True),
                       gradient_inference(tilted_double_well, y0, steps=5, step_size=0.05))


@pytest.mark.parametrize("kwargs, match", [
    (dict(step_size=0.0), "step_size"), (dict(step_size=-0.1), "step_size"), (dict(step_size=float("nan")), "step_size"),
    (dict(steps=-1), "steps"), (dict(steps=2.5), "steps"),
])
def test_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradient_inference(tilted_double_well, torch.zeros(2, 2), **kwargs)


def test_bad_y0():
    with pytest.raises(ValueError, match="dimensions"):
        gradient_inference(tilted_double_well, torch.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        gradient_inference(tilted_double_well, torch.tensor([[0.0, float("nan")]]))
    with pytest.raises(ValueError, match="empty"):
        gradient_inference(tilted_double_well, torch.zeros(0, 2))
    with pytest.raises(TypeError):
        gradient_inference(tilted_double_well, [[0.0, 0.0]])


def test_energy_with_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        gradient_inference(lambda v: (v**2).sum(), torch.ones(3, 2), steps=1)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        gradient_inference(lambda v: v**2, torch.ones(3, 2), steps=1)


def test_diverging_step_size_says_so():
    y0 = torch.tensor([[3.0, 3.0]], dtype=torch.float64)
    with pytest.raises(ValueError, match="step size"):
        gradient_inference(tilted_double_well, y0, steps=100, step_size=1.0)


def test_stable_step_bound_on_a_quadratic():
    # gradient descent on curvature c is stable iff lr < 2 / c
    A = torch.diag(torch.tensor([4.0, 1.0], dtype=torch.float64))
    y0 = torch.ones(1, 2, dtype=torch.float64)
    good = gradient_inference(lambda v: quadratic(v, A), y0, steps=600, step_size=0.49)
    bad = gradient_inference(lambda v: quadratic(v, A), y0, steps=600, step_size=0.51)
    assert good.abs().max() < 1e-6
    assert bad[0, 0].abs() > 1.0


# ---------------------------------------------------------------- min-sum on a chain

def brute_force(unary, pairwise):
    T, K = unary.shape
    P = pairwise if pairwise.dim() == 3 else pairwise.expand(T - 1, K, K)
    best, best_s = math.inf, None
    for s in itertools.product(range(K), repeat=T):
        e = sum(unary[t, s[t]].item() for t in range(T)) + sum(P[t, s[t], s[t + 1]].item() for t in range(T - 1))
        if e < best:
            best, best_s = e, s
    return best, best_s


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.booleans(), st.integers(0, 10_000))
def test_min_sum_matches_brute_force(T, K, shared, seed):
    g = torch.Generator().manual_seed(seed)
    unary = torch.randn(T, K, generator=g, dtype=torch.float64)
    pairwise = torch.randn(K, K, generator=g, dtype=torch.float64) if shared else \
        torch.randn(T - 1, K, K, generator=g, dtype=torch.float64)
    states, e = min_sum_chain(unary, pairwise)
    best, _ = brute_force(unary, pairwise)
    assert states.dtype == torch.long and states.shape == (T,)
    assert e.item() == pytest.approx(best, abs=1e-10)
    assert chain_energy(states, unary, pairwise).item() == pytest.approx(best, abs=1e-10)


def test_min_sum_integer_tables_unique_minimum():
    # a chain that prefers alternating 0,1 with a strong pull to state 2 at t=3
    unary = torch.zeros(5, 3, dtype=torch.float64)
    unary[3, 2] = -10.0
    pairwise = torch.ones(3, 3, dtype=torch.float64)
    pairwise[0, 1] = pairwise[1, 0] = 0.0
    states, e = min_sum_chain(unary, pairwise)
    best, best_s = brute_force(unary, pairwise)
    assert e.item() == best
    assert tuple(states.tolist()) == best_s


def test_chain_energy_batched_and_checks():
    g = torch.Generator().manual_seed(0)
    unary, pairwise = torch.randn(4, 3, generator=g), torch.randn(3, 3, generator=g)
    all_states = torch.tensor(list(itertools.product(range(3), repeat=4)))  # (81, 4)
    energies = chain_energy(all_states, unary, pairwise)
    assert energies.shape == (81,)
    torch.testing.assert_close(energies[5], chain_energy(all_states[5], unary, pairwise))
    _, e = min_sum_chain(unary, pairwise)
    torch.testing.assert_close(energies.min(), e)
    with pytest.raises(ValueError, match="integer"):
        chain_energy(all_states.float(), unary, pairwise)
    with pytest.raises(ValueError, match="lie in"):
        chain_energy(torch.tensor([0, 1, 2, 3]), unary, pairwise)
    with pytest.raises(ValueError, match="shape"):
        chain_energy(torch.tensor([0, 1, 2]), unary, pairwise)


def test_min_sum_bad_tables():
    with pytest.raises(ValueError, match="pairwise must have shape"):
        min_sum_chain(torch.zeros(4, 3), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="pairwise must have shape"):
        min_sum_chain(torch.zeros(4, 3), torch.zeros(4, 3, 3))
    with pytest.raises(ValueError, match="NaN"):
        min_sum_chain(torch.tensor([[0.0, float("inf")]]), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="dimensions"):
        min_sum_chain(torch.zeros(4), torch.zeros(3, 3))


# ============================================================================================
# The exact posterior of a masked token in a Markov chain (chapter 4), against enumeration
# ============================================================================================

P_CHAIN = torch.tensor([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.2, 0.8], [0.7, 0.0, 0.0, 0.3], [0.4, 0.6, 0.0, 0.0]])


def _random_chain(v, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(v, v, generator=g, dtype=torch.float64) + 0.05
    p0 = torch.rand(v, generator=g, dtype=torch.float64) + 0.05
    return t / t.sum(1, keepdim=True), p0 / p0.sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_posterior_matches_enumeration(seed):
    v, length = 3, 4
    t, p0 = _random_chain(v, seed)
    seqs = list(itertools.product(range(v), repeat=length))

    def joint(seq):
        p = p0[seq[0]].item()
        for a, b in zip(seq[:-1], seq[1:]):
            p *= t[a, b].item()
        return p

    tokens, positions, refs = [], [], []
    for seq in seqs:
        for pos in range(length):
            ps = [joint(seq[:pos] + (u,) + seq[pos + 1:]) for u in range(v)]
            tokens.append(seq)
            positions.append(pos)
            refs.append([p / sum(ps) for p in ps])
    out = masked_token_posterior(torch.tensor(tokens), torch.tensor(positions), t, initial=p0)
    torch.testing.assert_close(out, torch.tensor(refs, dtype=torch.float64))


def test_posterior_of_the_chapter_chain():
    # left A (0), right C (2): A -> B -> C has 0.5 * 0.2, A -> C -> C has 0: only B
    out = masked_token_posterior(torch.tensor([[0, 3, 2]]), torch.tensor([1]), P_CHAIN)
    torch.testing.assert_close(out, torch.tensor([[0.0, 1.0, 0.0, 0.0]], dtype=torch.float64))
    # left C (2), right A (0): C -> A -> A has 0, C -> D -> A has 0.3 * 0.4: only D
    out = masked_token_posterior(torch.tensor([[2, 0, 0]]), torch.tensor([1]), P_CHAIN)
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64))
    # first position, right B: uniform initial times P(v -> B): A 0.5, D 0.6
    out = masked_token_posterior(torch.tensor([[0, 1]]), torch.tensor([0]), P_CHAIN)
    torch.testing.assert_close(out, torch.tensor([[0.5 / 1.1, 0.0, 0.0, 0.6 / 1.1]], dtype=torch.float64))
    # last position, left B: the transition row
    out = masked_token_posterior(torch.tensor([[1, 0]]), torch.tensor([1]), P_CHAIN)
    torch.testing.assert_close(out, P_CHAIN[1:2].double())


def test_masked_token_posterior_bad_inputs():
    with pytest.raises(TypeError):
        masked_token_posterior([[0, 1]], torch.tensor([0]), P_CHAIN)
    with pytest.raises(ValueError, match="int64"):
        masked_token_posterior(torch.tensor([[0.0, 1.0]]), torch.tensor([0]), P_CHAIN)
    with pytest.raises(ValueError, match="position"):
        masked_token_posterior(torch.tensor([[0, 1]]), torch.tensor([2]), P_CHAIN)
    with pytest.raises(ValueError, match="vocabulary"):
        masked_token_posterior(torch.tensor([[0, 4]]), torch.tensor([0]), P_CHAIN)
    with pytest.raises(ValueError, match="probability 0"):
        masked_token_posterior(torch.tensor([[0, 0, 1]]), torch.tensor([1]), P_CHAIN)  # A ? B: nothing fits
    assert math.isclose(float(masked_token_posterior(torch.tensor([[1, 2, 3]]), torch.tensor([1]), P_CHAIN).sum()), 1.0)
