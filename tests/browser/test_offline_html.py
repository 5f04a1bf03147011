"""The built HTML loads MathJax and the widget manager from the book's own _static folder, no CDN."""

from __future__ import annotations

import re

import pytest

from book_browser import HTML

PAGES = sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_")) \
    if HTML.exists() else []
CDN = re.compile(r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|cdn\.mathjax\.org")
# sphinx-thebe writes the address of thebe on every page; it is only fetched when a reader starts a
# live kernel, which this book does not offer (no thebe launch button), and the browser test blocks it.
INERT = re.compile(r'const THEBE_JS_URL = "https://unpkg\.com/[^"]*"')

pytestmark = pytest.mark.skipif(not PAGES, reason=f"no built book in {HTML} (run `python3 tasks.py book`)")


def test_vendored_files_are_in_the_build():
    for rel in ("vendor/mathjax/es5/tex-mml-chtml.js", "vendor/mathjax/es5/output/chtml/fonts/woff-v2",
                "vendor/html-manager/dist/embed-amd.js", "vendor/requirejs/require.js"):
        assert (HTML / "_static" / rel).exists(), f"_static/{rel} missing from the build"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_page_references_no_cdn(path):
    text = INERT.sub("", path.read_text(encoding="utf-8"))
    hits = sorted(set(m.group(0) for m in CDN.finditer(text)))
    assert not hits, f"{path.relative_to(HTML)} refers to {hits}"
    if 'class="math' in text:
        assert re.search(r'<script[^>]*src="[./]*_static/vendor/mathjax/es5/tex-mml-chtml\.js', text)
    if "application/vnd.jupyter.widget-view+json" in text:
        assert re.search(r'<script[^>]*src="[./]*_static/vendor/requirejs/require\.js', text)
        assert re.search(r'<script[^>]*src="[./]*_static/vendor/html-manager/dist/embed-amd\.js', text)
