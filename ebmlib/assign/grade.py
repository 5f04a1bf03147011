"""Grade handed-in assignments with the checkers: run each notebook, read the checkers' verdicts.

``python -m ebmlib.assign --grade hw1_alice.ipynb hw1_bob.ipynb`` executes every notebook from top to
bottom in a fresh kernel (nbclient; a cell that raises does not stop the run) and reports, for every
coding exercise, the verdicts its checker cell printed. The cells are found by the metadata
``{"exercise": <label>}`` that the assignment builder puts on each stub cell; pen-and-paper exercises
are listed for grading by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["grade_notebook"]

_VERDICT = re.compile(r"^(correct|not attempted|incorrect: .*)$")


def _outputs_text(cell) -> tuple[list[str], str | None]:
    lines, error = [], None
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            error = f"incorrect: the cell raised {out.get('ename')}: {out.get('evalue', '')[:150]}"
        text = out.get("text") or out.get("data", {}).get("text/plain", "")
        lines += [line for line in text.splitlines() if _VERDICT.match(line)]
    return lines, error


def grade_notebook(path: str | Path, timeout: int = 600) -> dict[str, str]:
    """Execute the assignment ``path`` and return ``{label: verdict}`` for each of its exercises.

    A coding exercise is ``correct`` when every checker call of it said so; otherwise the first other
    verdict (``not attempted``, ``incorrect: ...``, or the error its cell raised). A pen-and-paper
    exercise gets ``grade by hand``.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
    labels = nb.metadata.get("ebmlib_assignment", {}).get("exercises", [])
    result = {label: "grade by hand" for label in labels}
    verdicts: dict[str, list[str]] = {}
    for cell in nb.cells:
        label = cell.get("metadata", {}).get("exercise")
        if cell.cell_type != "code" or not label:
            continue
        lines, error = _outputs_text(cell)
        verdicts.setdefault(label, []).extend([error] if error else lines or ["not attempted: no verdict printed"])
    for label, found in verdicts.items():
        result[label] = next((v for v in found if v != "correct"), "correct")
    return result
