"""ebmlib.seed_runs: the stored multi-seed results load from the installed package, bad names fail clearly."""

import json
from pathlib import Path

import pytest

from ebmlib import seed_runs


def test_ch09_loads_and_equals_the_file():
    data = seed_runs.load("ch09")
    on_disk = json.loads((Path(seed_runs.__file__).parent / "ch09.json").read_text())
    assert data == on_disk
    assert "ch09" in seed_runs.available()
    assert [r["seed"] for r in data["runs"]] == [0, 1, 2]
    for r in data["runs"]:  # the calibration rows are paired with the short runs' starts
        assert r["fd_reference"]["Gaussian"] == r["fd_vs_steps"]["0"]
        assert {"Gaussian, not clamped", "Gaussian, contrast x1.6"} <= set(r["fd_reference"])


def test_load_returns_a_fresh_dict():
    a = seed_runs.load("ch09")
    a["runs"].clear()
    assert seed_runs.load("ch09")["runs"]


@pytest.mark.parametrize("bad", ["ch99", "../pyproject", "CH09", "", 9, None, "ch09.json"])
def test_bad_names(bad):
    with pytest.raises(ValueError, match="name"):
        seed_runs.load(bad)


def test_ch09_tilt_runs_are_paired_and_complete():
    data = seed_runs.load("ch09_tilt")  # written by benchmarks/ch09_explore.py, read by chapter 9
    assert data["script"] == "benchmarks/ch09_explore.py"
    assert data["draws"]["n_draws"] == len(data["draws"]["Gaussian, not clamped"]) == len(data["draws"]["training digits"])
    for name in ("conv_tilt", "mlp_tilt", "mlp_tilt_small_step", "mlp_tilt_short_run", "mlp_tilt_short_run_fast"):
        runs = [r for r in data["runs"] if r["name"] == name]
        assert sorted(r["seed"] for r in runs) == [0, 1, 2]
        for r in runs:  # one FD with the tilt and one with f = 0 for every draw
            assert len(r["draws_tilt"]) == len(r["draws_f0"]) == r["cfg"]["draws"] >= 5
            assert "400" in r["fd"]


def test_ch09_tilt_gaussian_draws_reproduce():
    """The first two stored Gaussian draws, recomputed from scratch (classifier, Gaussian, seed 7)."""
    import torch

    from ebmlib.datasets import digit_images
    from ebmlib.metrics import frechet_distance, train_feature_classifier
    from ebmlib.short_run import gaussian_init

    torch.set_num_threads(1)
    x_train, x_test, label_train, _ = digit_images(return_labels=True, dtype=torch.float64)
    clf = train_feature_classifier(x_train, label_train)
    q = gaussian_init(x_train, clamp=None)
    g = torch.Generator().manual_seed(7)
    stored = seed_runs.load("ch09_tilt")["draws"]["Gaussian, not clamped"][:2]
    again = [round(frechet_distance(clf.features(q(359, g)), clf.features(x_test)), 4) for _ in range(2)]
    assert again == pytest.approx(stored, abs=2e-4)


def test_ch09_ladder_runs_are_paired_and_complete():
    data = seed_runs.load("ch09_ladder")  # written by benchmarks/ch09_ladder.py, read by chapter 9
    assert data["script"] == "benchmarks/ch09_ladder.py"
    assert [r["seed"] for r in data["runs"]] == [0, 1, 2]
    for r in data["runs"]:
        for key in ("fd", "fd_clamped", "fd_gauss", "fd_mixture", "fd_mixture_clamped", "nn", "nn_gauss"):
            assert len(r[key]) == data["draws"], key
        assert set(r["inpainting"]) == {"bottom half", "checkerboard"}
        for mask in r["inpainting"].values():
            assert set(mask) == {"noise-level energy", "Gaussian sample"}
            assert all(set(v) == {"mse", "best_of_8", "mse_of_mean", "accuracy"} for v in mask.values())
        assert set(r["auroc"]) == {"uniform noise", "flipped digits", "shuffled pixels"}
