"""Tests for the chapter-4 checkers: correct, incorrect, not attempted and raising solutions."""

import math

import torch
import torch.nn.functional as F

from ebmlib import conditional_free_energy
from instructor.exercises import ch04


# ------------------------------------------------------------------ zero-temperature free energy

def f_inf_correct(y, radii, z):
    g = torch.stack([radii[:, None, 0] * torch.cos(z), radii[:, None, 1] * torch.sin(z)], dim=-1)  # (B, N_z, 2)
    return ((y[:, None, :] - g) ** 2).sum(-1).min(dim=1).values


def _table(y, radii, z):
    g = torch.stack([radii[:, None, 0] * torch.cos(z), radii[:, None, 1] * torch.sin(z)], dim=-1)
    return ((y[:, None, :] - g) ** 2).sum(-1)


def test_f_inf_correct():
    assert ch04.check_conditional_free_energy_inf(f_inf_correct) == "correct"
    # ebmlib's conditional free energy with a decoder that returns the given radii is correct too
    def via_ebmlib(y, radii, z):
        dec = lambda x, zz: torch.stack([radii[:, None, 0] * torch.cos(zz), radii[:, None, 1] * torch.sin(zz)], -1)
        return conditional_free_energy(torch.zeros(y.shape[0], dtype=y.dtype), y, dec, beta=math.inf, z_grid=z)
    assert ch04.check_conditional_free_energy_inf(via_ebmlib).ok


def test_f_inf_incorrect():
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: _table(y, r, z).mean(1))
    assert v.startswith("incorrect:") and "average" in v
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: _table(y, r, z).max(1).values)
    assert v.startswith("incorrect:") and "largest" in v
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: _table(y, r, z))
    assert v.startswith("incorrect:") and "shape" in v
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: f_inf_correct(y, r.flip(1), z))
    assert v.startswith("incorrect:") and "cos" in v
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: f_inf_correct(y, r, z).sqrt())
    assert v.startswith("incorrect:") and "squared" in v


def test_f_inf_not_attempted_and_raising():
    def stub(y, r, z):
        raise NotImplementedError

    assert ch04.check_conditional_free_energy_inf(stub) == "not attempted"
    assert ch04.check_conditional_free_energy_inf(None) == "not attempted"
    v = ch04.check_conditional_free_energy_inf(lambda y, r, z: 1 / 0)
    assert v.startswith("incorrect: your function raised ZeroDivisionError")


# ------------------------------------------------------------------ masked-token cross-entropy

def ce_correct(logits, tokens, mask):
    return F.cross_entropy(logits[mask], tokens[mask])


def test_ce_correct():
    assert ch04.check_masked_token_loss(ce_correct) == "correct"

    def manual(logits, tokens, mask):
        logp = logits.log_softmax(-1).gather(-1, tokens[..., None])[..., 0]  # (B, T)
        return -(logp * mask).sum() / mask.sum()

    assert ch04.check_masked_token_loss(manual).ok


def test_ce_incorrect():
    v = ch04.check_masked_token_loss(lambda lg, t, m: F.cross_entropy(lg.reshape(-1, lg.shape[-1]), t.reshape(-1)))
    assert v.startswith("incorrect:") and "all positions" in v
    v = ch04.check_masked_token_loss(lambda lg, t, m: F.cross_entropy(lg[m], t[m], reduction="sum"))
    assert v.startswith("incorrect:") and "sum" in v
    v = ch04.check_masked_token_loss(lambda lg, t, m: -ce_correct(lg, t, m))
    assert v.startswith("incorrect:") and "sign" in v
    naive = lambda lg, t, m: -torch.log(lg.exp() / lg.exp().sum(-1, keepdim=True))[m].gather(1, t[m][:, None]).mean()
    v = ch04.check_masked_token_loss(naive)
    assert v.startswith("incorrect:") and "stabl" in v
    v = ch04.check_masked_token_loss(lambda lg, t, m: F.cross_entropy(lg[m], t[m], reduction="none"))
    assert v.startswith("incorrect:") and "scalar" in v


def test_ce_not_attempted_and_raising():
    def stub(lg, t, m):
        raise NotImplementedError

    assert ch04.check_masked_token_loss(stub) == "not attempted"
    assert ch04.check_masked_token_loss(None) == "not attempted"
    v = ch04.check_masked_token_loss(lambda lg, t, m: lg[100])
    assert v.startswith("incorrect: your function raised IndexError")
