"""ebmlib.joint_embedding and ebmlib.datasets.augment against answers written independently of them.

InfoNCE against a brute-force softmax cross-entropy written with Python loops; VICReg's terms against
hand-computed values on 3 x 2 matrices; the Epps-Pulley statistic against its closed form (a Gaussian
integral of the empirical characteristic function); the EMA update exactly; the effective rank on
matrices of known spectrum; the linear probe against scikit-learn called directly. lightly 1.6.0's
losses (NT-Xent, VICReg, negative cosine, SIGReg) serve as a peer reference when they are unpacked
at /tmp/lightly_pkg (outside .venv: ``pip download --no-deps lightly==1.6.0 -d /tmp/lightly`` and
``python3 -m zipfile -e /tmp/lightly/*.whl /tmp/lightly_pkg``); those tests skip, saying why, otherwise.
"""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from ebmlib import datasets
from ebmlib import joint_embedding as je

F64 = torch.float64
LIGHTLY = Path("/tmp/lightly_pkg")


def _rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


# ---- InfoNCE ---------------------------------------------------------------------------------------

def _brute_info_nce(hx, hy, tau):
    """-log softmax of cosine similarities, with Python loops over the rows and the candidates."""
    hx, hy = hx.numpy(), hy.numpy()
    out = []
    for i in range(len(hx)):
        sims = [float(hx[i] @ hy[j] / (np.linalg.norm(hx[i]) * np.linalg.norm(hy[j]))) / tau for j in range(len(hy))]
        out.append(-sims[i] + math.log(sum(math.exp(s) for s in sims)))
    return np.array(out)


def _brute_nt_xent(hx, hy, tau):
    u = np.concatenate([hx.numpy(), hy.numpy()])
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    b = len(hx)
    out = []
    for a in range(2 * b):
        pos = (a + b) % (2 * b)
        denom = sum(math.exp(u[a] @ u[k] / tau) for k in range(2 * b) if k != a)
        out.append(-u[a] @ u[pos] / tau + math.log(denom))
    return np.array(out)


@pytest.mark.parametrize("tau", [0.1, 0.5, 2.0])
def test_info_nce_matches_brute_force_softmax(tau):
    hx, hy = _rand(5, 3, seed=1), _rand(5, 3, seed=2)
    got = je.info_nce_loss(hx, hy, temperature=tau, reduction="none")
    assert got.shape == (5,)
    np.testing.assert_allclose(got.numpy(), _brute_info_nce(hx, hy, tau), rtol=1e-12)
    assert torch.isclose(je.info_nce_loss(hx, hy, temperature=tau), got.mean())
    sym = je.info_nce_loss(hx, hy, temperature=tau, symmetric=True, reduction="none")
    assert sym.shape == (10,)
    np.testing.assert_allclose(sym.numpy(), _brute_nt_xent(hx, hy, tau), rtol=1e-12)


def test_info_nce_is_low_for_aligned_distinct_pairs_and_log_b_for_collapse():
    h = torch.eye(4, dtype=F64) * 3
    assert je.info_nce_loss(h, h, temperature=0.05) < 1e-6
    const = torch.ones(4, 2, dtype=F64)
    assert torch.isclose(je.info_nce_loss(const, const), torch.tensor(math.log(4), dtype=F64))


# ---- VICReg ----------------------------------------------------------------------------------------

def test_vicreg_terms_by_hand():
    # H_x columns: (0, 1, 2) and (0, 0, 3); H_y = H_x + 1 in column 0 only.
    hx = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 3.0]], dtype=F64)
    hy = hx + torch.tensor([1.0, 0.0], dtype=F64)
    t = je.vicreg_terms(hx, hy, eps=1e-4)
    assert math.isclose(float(t.invariance), 3 * 1.0 / 6, rel_tol=1e-12)  # three rows differ by 1 in one of 2 dims
    # Var(col0) = 1, Var(col1) = 3 (unbiased): both std >= 1, so the hinge is 0 ... except sqrt(1 + 1e-4) > 1: 0.
    assert float(t.variance) == 0.0
    # Cov(col0, col1) = sum (x - 1)(y - 1) / 2 = ((-1)(-1) + 0 + (1)(2)) / 2 = 1.5; c = 2 * 1.5^2 / 2 per matrix.
    assert math.isclose(float(t.covariance), 2 * (2 * 1.5**2 / 2), rel_tol=1e-12)
    small = hx / 10  # std 0.1 and sqrt(0.03): the hinge is active
    v = je.vicreg_terms(small, small, eps=1e-4).variance
    want = ((1 - math.sqrt(0.01 + 1e-4)) + (1 - math.sqrt(0.03 + 1e-4))) / 2
    assert math.isclose(float(v), want, rel_tol=1e-12)
    loss = je.vicreg_loss(hx, hy, weights=(2.0, 3.0, 0.5))
    assert math.isclose(float(loss), 2 * 0.5 + 0 + 0.5 * 4.5, rel_tol=1e-12)


# ---- SIGReg / Epps-Pulley -------------------------------------------------------------------------

def _epps_pulley_closed_form(x: np.ndarray) -> float:
    """N int_R |phi_N(t) - e^{-t^2/2}|^2 e^{-t^2/2} dt, each term a Gaussian integral."""
    n = len(x)
    d = x[:, None] - x[None, :]
    a = math.sqrt(2 * math.pi) * np.exp(-d**2 / 2).sum() / n**2  # int |phi_N|^2 e^{-t^2/2}
    b = 2 * math.sqrt(math.pi) * np.exp(-x**2 / 4).sum() / n  # 2 Re int phi_N e^{-t^2}
    c = math.sqrt(2 * math.pi / 3)  # int e^{-3 t^2 / 2}
    return n * (a - b + c)


def test_epps_pulley_matches_its_closed_form():
    x = _rand(40, 3, seed=3) * torch.tensor([1.0, 2.0, 0.3], dtype=F64) + torch.tensor([0.0, 0.5, -1.0], dtype=F64)
    got = je.epps_pulley(x, t_max=12.0, knots=4001)
    want = [_epps_pulley_closed_form(x[:, k].numpy()) for k in range(3)]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-7)
    assert got[0] < got[1] and got[0] < got[2]  # the standard normal column fits best


def test_sigreg_small_for_gaussians_large_for_collapse():
    g = _rand(2000, 8, seed=4)
    gauss = je.sigreg_loss(g, generator=0)
    assert gauss < 2.0  # N x the integral: O(1) under the null, of order N under an alternative
    assert je.sigreg_loss(g * 0.01, generator=0) > 10 * gauss  # collapsed to a point
    low_rank = torch.cat([g[:, :1].repeat(1, 8) / math.sqrt(8)], dim=1)  # all mass on one direction
    assert je.sigreg_loss(low_rank, generator=0) > 10 * gauss
    assert torch.equal(je.sigreg_loss(g, generator=7), je.sigreg_loss(g, generator=7))


# ---- distillation, JEPA, EMA ---------------------------------------------------------------------

def test_negative_cosine_and_jepa_losses_stop_the_target_gradient():
    p, z = _rand(4, 3, seed=5).requires_grad_(True), _rand(4, 3, seed=6).requires_grad_(True)
    cos = je.negative_cosine_loss(p, z, reduction="none")
    want = -(p * z).sum(1) / (p.norm(dim=1) * z.norm(dim=1))
    assert torch.allclose(cos, want)
    j = je.jepa_loss(p, z, reduction="none")
    assert torch.allclose(j, ((p - z) ** 2).mean(1))
    (cos.sum() + j.sum()).backward()
    assert z.grad is None and p.grad is not None


def test_ema_update_exactly():
    online, target = je.EmbeddingMLP(4, (3,), 2, generator=0, dtype=F64), je.EmbeddingMLP(4, (3,), 2, generator=1, dtype=F64)
    before = [t.clone() for t in target.parameters()]
    je.ema_update(target, online, 0.9)
    for b, t, o in zip(before, target.parameters(), online.parameters()):
        torch.testing.assert_close(t, 0.9 * b + (1 - 0.9) * o, rtol=0, atol=1e-15)  # to the last bit but one
    je.ema_update(target, online, 0.0)
    assert all(torch.equal(t, o) for t, o in zip(target.parameters(), online.parameters()))
    with pytest.raises(ValueError, match="momentum"):
        je.ema_update(target, online, 1.5)
    with pytest.raises(ValueError, match="target"):
        je.ema_update(je.EmbeddingMLP(5, (3,), 2), online, 0.5)


# ---- measures -------------------------------------------------------------------------------------

def test_effective_rank_on_known_spectra():
    q, _ = torch.linalg.qr(_rand(6, 6, seed=7))
    r, _ = torch.linalg.qr(_rand(4, 4, seed=17))
    for s, want in (([1, 1, 1, 1], 4.0), ([5, 0, 0, 0], 1.0), ([2, 1, 0, 0], math.exp(-(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))))):
        m = q[:, :4] @ torch.diag(torch.tensor(s, dtype=F64)) @ r.T  # (6, 4) with singular values s
        assert math.isclose(je.effective_rank(m), want, rel_tol=1e-9)
    const = torch.ones(10, 3, dtype=F64)
    assert math.isclose(je.effective_rank(const), 1.0, rel_tol=1e-12)
    assert je.effective_rank(const, center=True) == 0.0


def test_covariance_spectrum_matches_numpy():
    h = _rand(50, 4, seed=8)
    np.testing.assert_allclose(je.covariance_spectrum(h).numpy(), np.sort(np.linalg.eigvalsh(np.cov(h.numpy().T)))[::-1])


def test_pairwise_energy_and_retrieval_by_brute_force():
    hx, hy = _rand(6, 3, seed=9), _rand(6, 3, seed=10)
    e = je.pairwise_energy(hx, hy)
    brute = np.array([[np.sum((a - b) ** 2) / 3 for b in hy.numpy()] for a in hx.numpy()])
    np.testing.assert_allclose(e.numpy(), brute, rtol=1e-10, atol=1e-12)
    want = np.mean([np.argmin(row) == i for i, row in enumerate(brute)])
    assert je.retrieval_accuracy(hx, hy) == want
    assert je.retrieval_accuracy(hx, hx + 1e-3) == 1.0
    assert je.retrieval_accuracy(torch.ones(4, 2, dtype=F64), torch.ones(4, 2, dtype=F64)) == 0.0  # ties are misses
    cos = je.pairwise_energy(hx, hy, metric="cosine")
    assert torch.allclose(cos, 1 - torch.nn.functional.cosine_similarity(hx[:, None], hy[None], dim=-1))


def test_linear_probe_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = _rand(120, 5, seed=11), torch.arange(120) % 3
    x = x + y[:, None].double()
    sc = StandardScaler().fit(x[:80].numpy())
    lr = LogisticRegression(max_iter=2000).fit(sc.transform(x[:80].numpy()), y[:80].numpy())
    want = float(np.mean(lr.predict(sc.transform(x[80:].numpy())) == y[80:].numpy()))
    assert je.linear_probe_accuracy(x[:80], y[:80], x[80:], y[80:]) == want


# ---- augmentations ---------------------------------------------------------------------------------

def test_augment_shifts_are_shifts_and_seeds_are_honoured():
    train, _ = datasets.digit_images(dtype=F64)
    imgs = train[:40]
    state = torch.random.get_rng_state()
    v = datasets.augment_digits(imgs, max_shift=1, noise=0.0, mask_prob=0.0, generator=3)
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG is untouched
    assert torch.equal(v, datasets.augment_digits(imgs, max_shift=1, noise=0.0, mask_prob=0.0, generator=3))
    padded = torch.nn.functional.pad(imgs, (1, 1, 1, 1))
    for i in range(40):
        crops = [padded[i, :, 1 - dy:9 - dy, 1 - dx:9 - dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        assert any(torch.equal(v[i], c) for c in crops)
    assert torch.equal(datasets.augment_digits(imgs, max_shift=0, noise=0.0, mask_prob=0.0), imgs)
    assert (datasets.augment_digits(imgs, max_shift=0, noise=0.0, mask_prob=1.0) == 0).all()
    noisy = datasets.augment_digits(imgs, max_shift=0, noise=0.5, mask_prob=0.0, generator=0) - imgs
    assert abs(noisy.std().item() - 0.5) < 0.02


def test_block_masks():
    m = datasets.block_masks(500, size=3, image_size=8, generator=0)
    assert m.shape == (500, 1, 8, 8) and m.dtype == torch.bool
    assert (m.sum(dim=(1, 2, 3)) == 9).all()
    assert m.any(dim=0).all()  # every pixel is covered by some block
    assert torch.equal(m, datasets.block_masks(500, size=3, image_size=8, generator=0))


# ---- training loops -------------------------------------------------------------------------------

def test_training_is_seeded_and_invariance_alone_shrinks_the_embeddings():
    train, _ = datasets.digit_images(dtype=F64)
    x = train[:200]
    a = je.train_joint_embedding(x, "invariance", steps=60, batch_size=64, lr=3e-3, hidden=(32,), dim=8, generator=1)
    b = je.train_joint_embedding(x, "invariance", steps=60, batch_size=64, lr=3e-3, hidden=(32,), dim=8, generator=1)
    assert a.losses == b.losses
    init = je.EmbeddingMLP(64, (32,), 8, generator=torch.Generator().manual_seed(1), dtype=F64)
    with torch.no_grad():
        assert a.encoder(x).std(0).mean() < 0.5 * init(x).std(0).mean()
    for method in ("infonce", "vicreg", "sigreg", "byol", "simsiam"):
        run = je.train_joint_embedding(x, method, steps=3, batch_size=32, hidden=(16,), dim=4, generator=0)
        assert len(run.losses) == 3 and all(math.isfinite(v) for v in run.losses)
    for fn in (je.train_jepa, je.train_pixel_predictor):
        run = fn(x, steps=3, batch_size=32, hidden=(16,), dim=4, generator=0)
        assert len(run.losses) == 3 and all(math.isfinite(v) for v in run.losses)



def _host_syncs_from_training_loop(monkeypatch, run):
    """How many .item / float / bool / tolist calls the code of ebmlib/joint_embedding/training.py itself
    makes on tensors while ``run()`` runs (the augmentation's and the entry checks' own are not counted)."""
    count = [0]
    for name in ("item", "__float__", "__bool__", "tolist"):
        original = getattr(torch.Tensor, name)

        def spy(self, *args, _original=original, **kwargs):
            if sys._getframe(1).f_code.co_filename.replace("\\", "/").endswith("ebmlib/joint_embedding/training.py"):
                count[0] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, spy)
    run()
    monkeypatch.undo()
    return count[0]


@pytest.mark.parametrize("method", [*je.METHODS, "jepa", "pixels"])
def test_training_loops_make_no_host_sync_per_step(monkeypatch, method):
    x = datasets.digit_images(dtype=F64)[0][:64]

    def syncs(steps):
        if method in je.METHODS:
            fn = lambda: je.train_joint_embedding(x, method, steps=steps, batch_size=16, hidden=(8,), dim=4)
        else:
            train = je.train_jepa if method == "jepa" else je.train_pixel_predictor
            fn = lambda: train(x, steps=steps, batch_size=16, hidden=(8,), dim=4)
        return _host_syncs_from_training_loop(monkeypatch, fn)

    assert syncs(2) == syncs(6)

# ---- lightly 1.6.0 as a peer reference ---------------------------------------------------------------

def _lightly():
    """lightly's loss modules, imported without its package __init__ (which needs torchvision)."""
    if not (LIGHTLY / "lightly" / "loss").is_dir():
        pytest.skip("lightly 1.6.0 is not unpacked at /tmp/lightly_pkg (pip download --no-deps lightly==1.6.0 "
                    "-d /tmp/lightly && python3 -m zipfile -e /tmp/lightly/*.whl /tmp/lightly_pkg)")
    if str(LIGHTLY) not in sys.path:
        sys.path.insert(0, str(LIGHTLY))
    try:
        import lightly  # noqa: F401
        for name in ("lightly.loss", "lightly.models", "lightly.models.modules"):
            if name not in sys.modules or not hasattr(sys.modules[name], "__path__"):
                pkg = types.ModuleType(name)
                pkg.__path__ = [str(LIGHTLY / name.replace(".", "/"))]
                sys.modules[name] = pkg
        sys.modules.setdefault("lightly.models.utils", types.ModuleType("lightly.models.utils"))
        from lightly.loss.lejepa_loss import SIGReg
        from lightly.loss.negative_cosine_similarity import NegativeCosineSimilarity
        from lightly.loss.ntx_ent_loss import NTXentLoss
        from lightly.loss.vicreg_loss import VICRegLoss
    except Exception as exc:  # noqa: BLE001 - any import failure means no reference, not a failure
        pytest.skip(f"lightly 1.6.0 could not be imported from /tmp/lightly_pkg: {exc!r}")
    return NTXentLoss, VICRegLoss, NegativeCosineSimilarity, SIGReg


def test_against_lightly():
    NTXentLoss, VICRegLoss, NegativeCosineSimilarity, SIGReg = _lightly()
    hx, hy = _rand(16, 5, seed=12), _rand(16, 5, seed=13)
    for tau in (0.1, 0.5):
        want = NTXentLoss(temperature=tau)(hx, hy)
        assert torch.allclose(je.info_nce_loss(hx, hy, temperature=tau, symmetric=True), want, rtol=1e-10)
    want = VICRegLoss(lambda_param=25.0, mu_param=25.0, nu_param=1.0)(hx, hy)
    assert torch.allclose(je.vicreg_loss(hx, hy, weights=(25.0, 25.0, 1.0)), want, rtol=1e-10)
    assert torch.allclose(je.negative_cosine_loss(hx, hy), NegativeCosineSimilarity()(hx, hy), rtol=1e-10)
    reg = SIGReg(knots=17, t_max=3.0, num_vectors=32).double()
    torch.manual_seed(0)
    want = reg(hx)
    torch.manual_seed(0)
    a = torch.randn(5, 32, dtype=F64)
    a = a / a.norm(dim=0)
    assert torch.allclose(je.sigreg_loss(hx, directions=a, t_max=3.0, knots=17), want, rtol=1e-6)
