"""Tests for ebmlib.models.rbm: energies, free energy and log Z against brute-force enumeration,
the conditionals, the Gibbs chain's stationary law, CD-k, shapes, seeds and bad inputs."""

import itertools
import math

import numpy as np
import pytest
import torch

from ebmlib import RBM

D = torch.float64


def states(n):
    """All 2**n binary vectors, by itertools (independent of the module's own enumeration)."""
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=D)


def random_rbm(nv, nh, seed=0, scale=1.0):
    rbm = RBM(nv, nh, generator=seed).double()
    g = torch.Generator().manual_seed(seed + 100)
    with torch.no_grad():
        rbm.W.copy_(scale * torch.randn(nv, nh, generator=g, dtype=D))
        rbm.b.copy_(0.5 * torch.randn(nv, generator=g, dtype=D))
        rbm.c.copy_(0.5 * torch.randn(nh, generator=g, dtype=D))
    return rbm


def brute_energy(rbm, v, h):
    W, b, c = (p.detach().numpy() for p in (rbm.W, rbm.b, rbm.c))
    return -(v @ b) - (h @ c) - v @ W @ h


def test_energy_matches_the_formula_elementwise():
    rbm = random_rbm(4, 3)
    v, h = states(4), states(3)
    for i in range(len(v)):
        for j in range(len(h)):
            e = rbm.energy(v[i:i + 1], h[j:j + 1])
            assert e.shape == (1,)
            assert e.item() == pytest.approx(brute_energy(rbm, v[i].numpy(), h[j].numpy()), abs=1e-12)


def test_free_energy_is_minus_log_sum_over_h():
    rbm = random_rbm(5, 4, seed=1)
    v, h = states(5), states(4)
    with torch.no_grad():
        f = rbm.free_energy(v)
        # -log sum_h exp(-E(v, h)), the sum over all 16 hidden states done explicitly
        e = torch.stack([rbm.energy(v, hj.expand(len(v), 4)) for hj in h], dim=1)  # (32, 16)
        ref = -torch.logsumexp(-e, dim=1)
    assert f.shape == (32,)
    torch.testing.assert_close(f, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("nv, nh", [(3, 6), (6, 3), (5, 5), (1, 1)])
def test_log_partition_against_the_full_double_sum(nv, nh):
    rbm = random_rbm(nv, nh, seed=nv * 10 + nh)
    v, h = states(nv), states(nh)
    with torch.no_grad():
        e = np.array([[brute_energy(rbm, vi, hj) for hj in h.numpy()] for vi in v.numpy()])
    top = (-e).max()
    ref = top + math.log(np.exp(-e - top).sum())
    got = rbm.log_partition()
    assert got.dtype == D and got.dim() == 0
    assert got.item() == pytest.approx(ref, abs=1e-10)


def test_log_partition_is_chunked_and_matches_for_a_large_layer():
    # 15 hidden units, 2 visible: enumerates the 4 visible states; the hidden-side sum (2**15, in
    # chunks of 2**14) must agree when the layers are swapped by transposing the weights.
    rbm = random_rbm(2, 15, seed=3, scale=0.3)
    swapped = RBM(15, 2).double()
    with torch.no_grad():
        swapped.W.copy_(rbm.W.T)
        swapped.b.copy_(rbm.c)
        swapped.c.copy_(rbm.b)
    assert rbm.log_partition().item() == pytest.approx(swapped.log_partition().item(), abs=1e-10)


def test_log_partition_refuses_two_large_layers():
    with pytest.raises(ValueError, match="at most 20"):
        RBM(21, 22).log_partition()


def test_conditionals_match_the_joint_by_enumeration():
    rbm = random_rbm(3, 2, seed=4)
    v, h = states(3), states(2)
    with torch.no_grad():
        e = torch.stack([rbm.energy(v, hj.expand(len(v), 2)) for hj in h], dim=1)  # (8, 4)
        p_joint = torch.softmax(-e.reshape(-1), 0).reshape(8, 4)
        p_h_given_v = p_joint / p_joint.sum(1, keepdim=True)  # (8, 4)
        p_h1 = p_h_given_v @ h  # (8, 2): P(h_j = 1 | v)
        p_v_given_h = p_joint / p_joint.sum(0, keepdim=True)  # (8, 4)
        p_v1 = (p_v_given_h.T @ v)  # (4, 3): P(v_i = 1 | h)
    torch.testing.assert_close(rbm.p_h(v), p_h1, rtol=0, atol=1e-12)
    torch.testing.assert_close(rbm.p_v(h), p_v1, rtol=0, atol=1e-12)


def test_sampled_conditionals_have_the_right_frequencies():
    rbm = random_rbm(3, 4, seed=5)
    v = torch.tensor([[1.0, 0.0, 1.0]], dtype=D).expand(20000, 3)
    h = rbm.sample_h(v, generator=0)
    assert h.shape == (20000, 4) and set(h.unique().tolist()) <= {0.0, 1.0}
    p = rbm.p_h(v[:1])[0]
    se = torch.sqrt(p * (1 - p) / 20000)
    assert torch.all((h.mean(0) - p).abs() < 5 * se)
    hh = torch.tensor([[0.0, 1.0, 1.0, 0.0]], dtype=D).expand(20000, 4)
    vv = rbm.sample_v(hh, generator=1)
    q = rbm.p_v(hh[:1])[0]
    assert torch.all((vv.mean(0) - q).abs() < 5 * torch.sqrt(q * (1 - q) / 20000))


def test_gibbs_chain_is_stationary_for_the_enumerated_distribution():
    # Start 40000 chains from exact samples of p(v) (by enumeration); after 3 sweeps the histogram
    # over the 2**4 visible states must still be p(v): a chi-square goodness-of-fit test.
    rbm = random_rbm(4, 3, seed=6)
    v = states(4)
    with torch.no_grad():
        p = torch.softmax(-rbm.free_energy(v), 0)  # (16,)
    n = 40000
    g = torch.Generator().manual_seed(7)
    idx = torch.multinomial(p, n, replacement=True, generator=g)
    out = rbm.gibbs(v[idx], steps=3, generator=g)
    codes = (out * torch.tensor([8.0, 4.0, 2.0, 1.0], dtype=D)).sum(1).long()
    counts = torch.bincount(codes, minlength=16).double()
    chi2 = (((counts - n * p) ** 2) / (n * p)).sum().item()
    # 15 degrees of freedom: P(chi2 > 37.7) = 0.001
    assert chi2 < 37.7


def test_gibbs_chain_forgets_its_start_and_reaches_p_v():
    rbm = random_rbm(4, 3, seed=8, scale=0.8)
    v = states(4)
    with torch.no_grad():
        p = torch.softmax(-rbm.free_energy(v), 0)
    n = 40000
    out = rbm.gibbs(torch.zeros(n, 4, dtype=D), steps=30, generator=9)  # every chain starts at v = 0
    codes = (out * torch.tensor([8.0, 4.0, 2.0, 1.0], dtype=D)).sum(1).long()
    freq = torch.bincount(codes, minlength=16).double() / n
    assert (freq - p).abs().max() < 5 * math.sqrt(0.25 / n)


def test_gibbs_shapes_seeds_inputs_untouched_and_module_state():
    rbm = random_rbm(6, 3)
    v0 = torch.zeros(5, 6, dtype=D)
    before = v0.clone()
    grads = [p.grad for p in rbm.parameters()]
    a = rbm.gibbs(v0, steps=4, generator=11)
    b = rbm.gibbs(v0, steps=4, generator=torch.Generator().manual_seed(11))
    assert a.shape == (5, 6) and torch.equal(a, b) and torch.equal(v0, before)
    assert all(g is None for g in grads) and all(p.grad is None for p in rbm.parameters())
    zero = rbm.gibbs(v0, steps=0)
    assert torch.equal(zero, v0) and zero is not v0
    # with a generator, the global RNG is untouched
    state = torch.random.get_rng_state()
    rbm.gibbs(v0, steps=2, generator=1)
    rbm.sample_h(v0, generator=1)
    assert torch.equal(state, torch.random.get_rng_state())


def test_float32_default_and_seeded_init():
    a, b = RBM(5, 4, generator=3), RBM(5, 4, generator=3)
    assert a.W.dtype == torch.float32 and a.W.shape == (5, 4) and a.b.shape == (5,) and a.c.shape == (4,)
    assert torch.equal(a.W, b.W) and not torch.equal(a.W, RBM(5, 4, generator=4).W)
    assert torch.all(a.b == 0) and torch.all(a.c == 0)
    v = torch.ones(2, 5)
    assert a.free_energy(v).dtype == torch.float32 and a.gibbs(v, steps=1, generator=0).dtype == torch.float32


def test_cd_loss_gradient_is_data_minus_negatives():
    rbm = random_rbm(5, 3, seed=12)
    v = states(5)[::3]  # (11, 5)
    loss, v_neg = rbm.cd_loss(v, steps=2, generator=0)
    assert loss.dim() == 0 and v_neg.shape == v.shape
    loss.backward()
    # dF/dW = -v sigmoid(c + vW)^T: the CD gradient is -<v p_h^T>_data + <v p_h^T>_neg
    ph_d, ph_n = rbm.p_h(v).detach(), rbm.p_h(v_neg).detach()
    want_W = -(v.T @ ph_d) / len(v) + (v_neg.T @ ph_n) / len(v_neg)
    torch.testing.assert_close(rbm.W.grad, want_W, rtol=0, atol=1e-12)
    torch.testing.assert_close(rbm.b.grad, -v.mean(0) + v_neg.mean(0), rtol=0, atol=1e-12)
    # same seed, same negatives; v_start continues a persistent chain
    _, again = rbm.cd_loss(v, steps=2, generator=0)
    assert torch.equal(v_neg, again)
    _, pers = rbm.cd_loss(v, steps=1, generator=0, v_start=torch.zeros(4, 5, dtype=D))
    assert pers.shape == (4, 5)


def test_cd_training_raises_the_exact_log_likelihood():
    # CD-1 on a data set of two patterns: the exact mean log-likelihood (log Z by enumeration) rises.
    data = torch.tensor([[1.0, 1.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0, 0.0, 1.0]], dtype=D).repeat(16, 1)
    rbm = RBM(6, 4, generator=0).double()
    opt = torch.optim.SGD(rbm.parameters(), lr=0.1)

    def loglik():
        with torch.no_grad():
            return (-rbm.free_energy(data) - rbm.log_partition()).mean().item()

    start = loglik()
    g = torch.Generator().manual_seed(0)
    for _ in range(300):
        opt.zero_grad()
        loss, _ = rbm.cd_loss(data, steps=1, generator=g)
        loss.backward()
        opt.step()
    end = loglik()
    assert start == pytest.approx(-6 * math.log(2) + 0.0, abs=0.05)  # near-uniform start
    assert end > -2.0  # two equally likely patterns: the optimum is log(1/2) = -0.69


@pytest.mark.parametrize("call, match", [
    (lambda r: r.free_energy(torch.zeros(2, 5, dtype=D)), r"v must have shape \(B, 4\)"),
    (lambda r: r.free_energy(torch.zeros(4, dtype=D)), r"v must have 2 dimensions"),
    (lambda r: r.free_energy(torch.zeros(2, 4)), r"v must have the parameters' dtype"),
    (lambda r: r.free_energy(torch.full((2, 4), math.nan, dtype=D)), r"v contains NaN"),
    (lambda r: r.energy(torch.zeros(2, 4, dtype=D), torch.zeros(3, 3, dtype=D)), r"same batch size"),
    (lambda r: r.energy(torch.zeros(2, 4, dtype=D), torch.zeros(2, 2, dtype=D)), r"h must have shape"),
    (lambda r: r.sample_v(torch.zeros(2, 4, dtype=D)), r"h must have shape \(B, 3\)"),
    (lambda r: r.gibbs(torch.zeros(2, 4, dtype=D), steps=-1), r"steps must be a non-negative integer"),
    (lambda r: r.gibbs(torch.zeros(2, 4, dtype=D), steps=1.5), r"steps must be a non-negative integer"),
    (lambda r: r.gibbs(torch.zeros(2, 4, dtype=D), steps=1, generator=-3), r"generator must be"),
    (lambda r: r.cd_loss(torch.zeros(2, 4, dtype=D), steps=0), r"steps must be an integer >= 1"),
    (lambda r: r.cd_loss(torch.zeros(2, 4, dtype=D), steps=2.0), r"steps must be an integer >= 1"),
    (lambda r: r.cd_loss(torch.zeros(2, 4, dtype=D), v_start=torch.zeros(2, 3, dtype=D)), r"v_start must"),
    (lambda r: r.gibbs([[0.0] * 4], steps=1), r"v must be a torch.Tensor"),
])
def test_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(RBM(4, 3).double())


@pytest.mark.parametrize("nv, nh", [(0, 3), (3, 0), (2.5, 3), (True, 3)])
def test_bad_sizes(nv, nh):
    with pytest.raises(ValueError, match="n_visible|n_hidden"):
        RBM(nv, nh)
