"""Tests for the chapter-4 token data: Markov-chain sequences and the exact masked-token posterior.

References: brute-force enumeration of every sequence (the posterior as a ratio of joint
probabilities), and the transition matrix itself for the sampled frequencies.
"""

import itertools
import math

import pytest
import torch

from ebmlib.datasets import markov_sequences, masked_token_posterior

P = torch.tensor([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.2, 0.8], [0.7, 0.0, 0.0, 0.3], [0.4, 0.6, 0.0, 0.0]])


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _random_chain(v, seed):
    g = _gen(seed)
    t = torch.rand(v, v, generator=g, dtype=torch.float64) + 0.05
    p0 = torch.rand(v, generator=g, dtype=torch.float64) + 0.05
    return t / t.sum(1, keepdim=True), p0 / p0.sum()


def test_shape_dtype_and_seed():
    s = markov_sequences(50, P, length=7, generator=_gen(0))
    assert s.shape == (50, 7) and s.dtype == torch.int64
    assert torch.equal(s, markov_sequences(50, P, length=7, generator=_gen(0)))
    assert not torch.equal(s, markov_sequences(50, P, length=7, generator=_gen(1)))
    assert markov_sequences(3, P, length=1, generator=_gen(0)).shape == (3, 1)


def test_frequencies_match_the_chain():
    n = 20000
    s = markov_sequences(n, P, length=3, generator=_gen(2))
    counts = torch.zeros(4, 4)
    for a, b in zip(s[:, :-1].reshape(-1).tolist(), s[:, 1:].reshape(-1).tolist()):
        counts[a, b] += 1
    freq = counts / counts.sum(1, keepdim=True)
    assert float(counts[P == 0].sum()) == 0  # forbidden transitions never occur
    # each row has > 8000 transitions: 5 standard errors is < 0.03
    assert float((freq - P).abs().max()) < 0.03
    first = torch.bincount(s[:, 0], minlength=4) / n
    assert float((first - 0.25).abs().max()) < 0.02  # uniform initial distribution by default


def test_initial_distribution_is_used():
    s = markov_sequences(2000, P, length=2, initial=torch.tensor([0.0, 1.0, 0.0, 0.0]), generator=_gen(3))
    assert bool((s[:, 0] == 1).all())


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
    out = masked_token_posterior(torch.tensor([[0, 3, 2]]), torch.tensor([1]), P)
    torch.testing.assert_close(out, torch.tensor([[0.0, 1.0, 0.0, 0.0]], dtype=torch.float64))
    # left C (2), right A (0): C -> A -> A has 0, C -> D -> A has 0.3 * 0.4: only D
    out = masked_token_posterior(torch.tensor([[2, 0, 0]]), torch.tensor([1]), P)
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64))
    # first position, right B: uniform initial times P(v -> B): A 0.5, D 0.6
    out = masked_token_posterior(torch.tensor([[0, 1]]), torch.tensor([0]), P)
    torch.testing.assert_close(out, torch.tensor([[0.5 / 1.1, 0.0, 0.0, 0.6 / 1.1]], dtype=torch.float64))
    # last position, left B: the transition row
    out = masked_token_posterior(torch.tensor([[1, 0]]), torch.tensor([1]), P)
    torch.testing.assert_close(out, P[1:2].double())


def test_bad_inputs():
    with pytest.raises(ValueError, match="square"):
        markov_sequences(5, P[:3], length=3)
    with pytest.raises(ValueError, match="sum to 1"):
        markov_sequences(5, P * 2, length=3)
    with pytest.raises(ValueError, match="length"):
        markov_sequences(5, P, length=0)
    with pytest.raises(ValueError, match="initial"):
        markov_sequences(5, P, length=3, initial=torch.tensor([0.5, 0.5, 0.5, 0.5]))
    with pytest.raises(ValueError, match="number of samples"):
        markov_sequences(0, P, length=3)
    with pytest.raises(TypeError):
        masked_token_posterior([[0, 1]], torch.tensor([0]), P)
    with pytest.raises(ValueError, match="int64"):
        masked_token_posterior(torch.tensor([[0.0, 1.0]]), torch.tensor([0]), P)
    with pytest.raises(ValueError, match="position"):
        masked_token_posterior(torch.tensor([[0, 1]]), torch.tensor([2]), P)
    with pytest.raises(ValueError, match="vocabulary"):
        masked_token_posterior(torch.tensor([[0, 4]]), torch.tensor([0]), P)
    with pytest.raises(ValueError, match="probability 0"):
        masked_token_posterior(torch.tensor([[0, 0, 1]]), torch.tensor([1]), P)  # A ? B: nothing fits
    assert math.isclose(float(masked_token_posterior(torch.tensor([[1, 2, 3]]), torch.tensor([1]), P).sum()), 1.0)
