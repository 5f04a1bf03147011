"""The book's configuration and notebooks agree with each other.

- every chapter notebook starts with its title and motivation (a markdown cell), followed by the one
  setup cell, whose Colab install URL is the repository URL and ref (`repository.branch`, the release
  tag) configured once in _config.yml, as tools/pin_install.py writes it;
- every chapter notebook is in _toc.yml and every _toc.yml entry exists;
- notebooks are stored executed, in order, with no error outputs (nbval compares these outputs).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pin_install import expected_requirement  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "no book/NN_*.ipynb notebooks found"


def test_repository_is_configured_once():
    repo = CONFIG["repository"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"]), repo["url"]
    assert repo["branch"]
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_installs_from_configured_repository(path: Path):
    cells = load(path)["cells"]
    title = cells[0]
    assert title["cell_type"] == "markdown" and re.search(r"^# \S", source(title), re.M), (
        f"{path.name}: the first cell must be the chapter's title and motivation")
    first = cells[1]
    assert first["cell_type"] == "code", f"{path.name}: the second cell must be the setup code cell"
    src = source(first)
    urls = re.findall(r'"ebmlib @ (git\+\S+)"', src)
    expected = expected_requirement(CONFIG)
    assert expected == f"git+{CONFIG['repository']['url']}@{CONFIG['repository']['branch']}"
    assert urls == [expected], (f"{path.name}: setup cell installs {urls}, _config.yml says {expected} "
                                "(run python3 tools/pin_install.py)")
    assert 'if "google.colab" in sys.modules:' in src, f"{path.name}: the install must run on Colab only"
    assert "ebmlib.set_seed(0)" in src, f"{path.name}: the setup cell must call ebmlib.set_seed(0)"
    assert first.get("outputs", []) == [], f"{path.name}: the setup cell must be silent outside Colab"
    later = [i for i, c in enumerate(cells[2:], 2) if c["cell_type"] == "code" and "%pip" in source(c)]
    assert not later, f"{path.name}: only the setup cell may install packages (cells {later})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_in_order_without_errors(path: Path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code" and source(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{path.name}: some code cells were never run"
    assert counts == sorted(counts) and len(set(counts)) == len(counts), f"{path.name}: cells run out of order"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: stored error outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_title_first(path: Path):
    # The page opens with its title: the first cell is markdown starting with "# ". Other pages link a
    # chapter by its document ({doc}`/book/NN_name`, which shows the title), so no label precedes it.
    cells = load(path)["cells"]
    md = [source(c) for c in cells if c["cell_type"] == "markdown"]
    titles = [line for text in md for line in text.splitlines() if re.match(r"# \S", line)]
    assert len(titles) == 1, f"{path.name}: expected one '# ' title, found {titles}"
    assert cells[0]["cell_type"] == "markdown" and source(cells[0]).lstrip().startswith("# "), \
        f"{path.name}: the first cell must be the '# ' title"


def test_toc_lists_every_chapter_and_nothing_missing():
    listed = toc_files(TOC)
    for entry in listed:
        candidates = [ROOT / f"{entry}{ext}" for ext in (".md", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"
    for nb in NOTEBOOKS:
        assert str(nb.relative_to(ROOT).with_suffix("")) in listed, f"{nb.name} is not in _toc.yml"


def test_book_cross_references_chapters_by_label_not_number():
    offenders = []
    for nb in NOTEBOOKS:
        for cell in load(nb)["cells"]:
            if cell["cell_type"] == "markdown" and re.search(r"\b[Cc]hapter \d+\b", source(cell)):
                offenders.append(nb.name)
    assert not offenders, f"refer to chapters by {{ref}} label, not number: {sorted(set(offenders))}"
