"""Shared settings of the real-browser test of the built book (step 4 of `python3 tasks.py test`).

The book in _build/html is served from a loopback HTTP server started for the session, and opened in
headless Chromium (Debian's `chromium` package, driven by Playwright's Python package; Playwright's
own browser download is never used). Every request that would leave 127.0.0.1 is blocked and
reported. Without a built book, Playwright or Chromium, the tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium to use: $CHROMIUM if set, else chromium / chromium-browser on the PATH."""
    if os.environ.get("CHROMIUM"):
        found = shutil.which(os.environ["CHROMIUM"])
        return found if found and os.access(found, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


