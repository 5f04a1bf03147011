"""Fixtures for the real-browser test of the built book (see book_browser.py and the test modules)."""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading

import pytest

from book_browser import CHROMIUM_FLAGS, HTML, find_chromium


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def book_url():
    """Base URL of the built book, served from a loopback server for the whole session."""
    if not (HTML / "index.html").exists():
        pytest.skip(f"no built book in {HTML} (run `python3 tasks.py book` first)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium with a fresh profile directory, closed at the end of the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        pytest.skip(f"the Playwright Python package is not installed ({err}); see requirements.txt")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (install Debian's `chromium` package, or set $CHROMIUM "
                    "to a Chromium/Chrome binary); the book was not tested in a browser")
    with tempfile.TemporaryDirectory(prefix="book-chromium-") as profile, sync_playwright() as pw:
        # launch_persistent_context is the way to give Chromium a --user-data-dir of our own.
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900}, service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()
