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
