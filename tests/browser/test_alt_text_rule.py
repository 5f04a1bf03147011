"""The browser test's alt-text rule itself: it rejects what is not a description (no browser needed)."""

from __future__ import annotations

import pytest

from test_book_in_browser import alt_text_problem


@pytest.mark.parametrize("alt", [
    None, "", "   ", "../_build/jupyter_execute/abc123.png", "figure.png", "_images/x.svg",
    "C:\\book\\fig.jpg", "Figure", "energy landscape plot", "Two panels: loss curves",
])
def test_rejected(alt):
    assert alt_text_problem(alt) is not None


@pytest.mark.parametrize("alt", [
    "Contours of the energy E(y) with the gradient-descent path from (1.5, 1.5) reaching the minimum.",
    "Two panels: the loss falls for 200 steps while the ratio y/x stays near 1.",
])
def test_accepted(alt):
    assert alt_text_problem(alt) is None
