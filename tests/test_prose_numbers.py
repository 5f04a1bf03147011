"""Every number a chapter's prose quotes as a result appears in a stored output of that chapter.

A "prose number" is a decimal or integer in a markdown cell (inline math included) with three or
more significant digits, outside code spans, roles such as {eq}`...` and directive options. It
passes when some number printed by the notebook (stream or text output) rounds to it at the number
of decimals the prose uses, or when the chapter's allowlist below names it: constants of the
lecture, derived values worked out in the text, and counts that are settings rather than results.
Prose and outputs therefore cannot drift apart silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

# Numbers that the prose may quote without a printed output: lecture constants, values derived in the
# text from them, and settings. Keep each list short, and say why.
ALLOWLIST = {
    "01": {
        "4096",  # 4^6 sequences, a count derived in the text
        "0.111",  # 1/(4x) at x = 2.25, the step bound derived in the parabola exercise's solution
    },
    "02": {
        "0.875",  # (w1^2 - w2^2) / w1, derived in the text
        "4096", "6144",  # grid sizes (settings)
        "397.4", "398",  # 2 pi sqrt(10) * 20 and the next integer, derived in the grid-bound solution
    },
    "03": {
        "3.125", "0.875",  # (w1^2 + w2^2)/2 and (w1^2 - w2^2)/2 for w = (2, 1.5), derived in the text
        "1681",  # 41 x 41 grid points (setting)
        "4096", "1024",  # latent grid sizes (settings)
        "745", "104",  # -log of the smallest float64 and float32 (properties of the number formats)
        "241", "201", "256",  # grid sizes (settings)
        "3.61",  # (1.5 + 0.4)^2, derived in the text
    },
    "04": {
        "0.9996",  # 1 - (2 pi / 64)^2 / 24, derived in the text
        "11.08", "14.78",  # rho(1) = (1.5 e^2, 2 e^2), derived in the text
        "256",  # the levels of an 8-bit pixel
    },
    "05": set(),
    "06": {
        "0.234", "0.574", "0.651",  # the textbook optimal acceptance rates (Roberts et al.), constants
        "401",  # grid size (setting)
    },
    "07": {
        "161",  # evaluation grid size (setting)
    },
    "08": {
        "784",  # 28 x 28, the dimension of an MNIST image (a setting of the exercise)
    },
    "09": {
        "1,797",  # the number of images in scikit-learn's digits
        "128",  # 64 data + 64 sample images in one parameter step (a setting of the recipe)
        "1,438", "359",  # the digits' train/test split sizes (1,797 images, a fifth held out)
    },
    "10": {
        "12.5",  # 100 % / 8 modes, derived in the text
        "2003", "2019",  # years
    },
    "11": {
        "1,438",  # the digits' training split (printed without the comma); 359 test digits are printed
        "8,192",  # the code dimension for which the VICReg paper chose its weights (a setting of the paper)
    },
}

_MATH_OR_TEXT_NUMBER = re.compile(r"(?<![\w.\\-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")


def _prose(cell_source: str) -> str:
    """The reading text of a markdown cell: no code spans, roles, labels or directive options."""
    # Fence lines go first: their backticks would otherwise pair with a code span's across the
    # {exercise} / {solution} fences and hide every number inside those blocks.
    text = re.sub(r"^\s*(?:```|~~~|:::).*$", " ", cell_source, flags=re.M)  # fence lines
    text = re.sub(r"\{(?:eq|ref|cite|cite:t|cite:p|numref|doc)\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)  # code spans
    text = re.sub(r"^\s*:[\w-]+:.*$", " ", text, flags=re.M)  # directive options (:label:, :class:)
    text = re.sub(r"\$\$\s*\(eq-[\w-]+\)", "$$", text)  # equation labels
    text = re.sub(r"\(ch-[\w-]+\)=", " ", text)  # page labels
    return text


def _significant_digits(number: str) -> int:
    digits = number.replace(",", "").replace(".", "").lstrip("0")
    if "." not in number:
        digits = digits.rstrip("0")  # 200 and 1000 have one significant digit
    return len(digits)


def prose_numbers(nb: dict) -> list[str]:
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for m in _MATH_OR_TEXT_NUMBER.finditer(_prose("".join(cell["source"]))):
            if _significant_digits(m.group(1)) >= 3:
                found.append(m.group(1))
    return found


def output_numbers(nb: dict) -> list[str]:
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append("".join(out["text"]))
            elif "data" in out and "text/plain" in out["data"]:
                texts.append("".join(out["data"]["text/plain"]))
    return re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", "\n".join(texts).replace(",", ""))


def matches(prose: str, printed: list[str]) -> bool:
    """True when some printed number rounds to the prose number at the prose's number of decimals."""
    value = prose.replace(",", "")
    decimals = len(value.split(".")[1]) if "." in value else 0
    target = round(float(value), decimals)
    return any(round(float(p), decimals) == target for p in printed)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prose_numbers_are_printed_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    allow = ALLOWLIST[path.name[:2]]
    printed = output_numbers(nb)
    missing = sorted({n for n in prose_numbers(nb) if n not in allow and not matches(n, printed)})
    assert not missing, f"{path.name}: prose numbers that no output prints (print them or allowlist them): {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_allowlist_has_no_stale_entries(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    stale = ALLOWLIST[path.name[:2]] - set(prose_numbers(nb))
    assert not stale, f"{path.name}: allowlisted numbers the prose no longer quotes: {sorted(stale)}"


def test_the_checker_finds_and_rejects():
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["The fit reached $|w| = 1.791$ after {eq}`eq-a-123` steps; "
                                             "`code 9.876` and 0.05 do not count, 2.25 does."]},
        {"cell_type": "code", "source": [], "outputs": [{"output_type": "stream", "text": ["w = 1.7914, E = 2.253"]}]},
    ]}
    assert prose_numbers(nb) == ["1.791", "2.25"]
    printed = output_numbers(nb)
    assert matches("1.791", printed) and matches("2.25", printed)
    assert not matches("1.79", ["1.7", "1.8"]) and not matches("2.26", printed)
    assert _significant_digits("0.0025") == 2 and _significant_digits("1000") == 1 and _significant_digits("4096") == 4


def test_numbers_inside_exercises_and_solutions_are_checked():
    """A stale number planted in a solution block must be found (the fences once hid them)."""
    cell = {"cell_type": "markdown", "source": [
        "Run `train(model)` first.\n", "\n",
        "````{exercise} A title\n", ":label: ex-planted\n", "Show that `x` gives 0.714.\n", "````\n", "\n",
        "````{solution} ex-planted\n", ":class: dropdown\n", "The score is 0.395 with `M = 8`.\n", "````\n"]}
    nb = {"cells": [cell, {"cell_type": "code", "source": [], "outputs": [
        {"output_type": "stream", "text": ["0.710 0.396"]}]}]}
    assert prose_numbers(nb) == ["0.714", "0.395"]
    printed = output_numbers(nb)
    assert not matches("0.714", printed) and not matches("0.395", printed)
