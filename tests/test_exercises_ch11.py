"""The chapter 11 checkers accept right answers, reject wrong ones with a reason, and never raise."""

from __future__ import annotations

import math

import torch

from ebmlib import joint_embedding as je
from instructor.exercises.ch11 import check_effective_rank, check_info_nce, check_vicreg_covariance


def _info_nce(h_x, h_y, temperature):
    return je.info_nce_loss(h_x, h_y, temperature=temperature)


def test_info_nce_checker():
    assert check_info_nce(_info_nce) == "correct"
    assert check_info_nce(lambda hx, hy, t: torch.nn.functional.cross_entropy(
        (torch.nn.functional.normalize(hx, dim=1) @ torch.nn.functional.normalize(hy, dim=1).T) / t,
        torch.arange(hx.shape[0]))) == "correct"
    assert "normalise" in check_info_nce(lambda hx, hy, t: torch.nn.functional.cross_entropy(
        hx @ hy.T / t, torch.arange(hx.shape[0])))
    assert "temperature" in check_info_nce(lambda hx, hy, t: _info_nce(hx, hy, 1.0))
    assert check_info_nce(lambda hx, hy, t: _info_nce(hx, hy, t) + 0.1).startswith("incorrect")
    assert check_info_nce(lambda hx, hy, t: _info_nce(hx, hy, t).reshape(1)).startswith("incorrect")
    assert check_info_nce(None) == "not attempted"


def _cov(h):
    hc = h - h.mean(0)
    c = hc.T @ hc / (h.shape[0] - 1)
    return (c.pow(2).sum() - c.diagonal().pow(2).sum()) / h.shape[1]


def test_vicreg_covariance_checker():
    assert check_vicreg_covariance(_cov) == "correct"
    assert check_vicreg_covariance(lambda h: je.vicreg_terms(h, h).covariance / 2) == "correct"

    def with_torch_cov(h):  # the natural solution: no reshape, which a D = 1 case would break
        c = torch.cov(h.T)
        return ((c**2).sum() - (c.diag() ** 2).sum()) / h.shape[1]

    assert check_vicreg_covariance(with_torch_cov) == "correct"
    assert "diagonal" in check_vicreg_covariance(lambda h: (torch.cov(h.T).reshape(h.shape[1], -1).pow(2).sum()) / h.shape[1])
    assert "B - 1" in check_vicreg_covariance(lambda h: _cov(h) * ((h.shape[0] - 1) / h.shape[0]) ** 2)
    assert check_vicreg_covariance(lambda h: _cov(h) * 2 + 1).startswith("incorrect")


def test_effective_rank_checker():
    assert check_effective_rank(je.effective_rank) == "correct"
    assert check_effective_rank(lambda h: torch.tensor(je.effective_rank(h))) == "correct"

    def squares(h):
        s = torch.linalg.svdvals(h) ** 2
        p = s / s.sum()
        p = p[p > 1e-12]
        return math.exp(-(p * p.log()).sum().item())

    assert "squares" in check_effective_rank(squares)
    assert "centre" in check_effective_rank(lambda h: je.effective_rank(h, center=True))
    assert check_effective_rank(lambda h: 1.0).startswith("incorrect")
    assert check_effective_rank(lambda h: (_ for _ in ()).throw(NotImplementedError)) == "not attempted"
