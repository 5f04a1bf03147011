"""Accessibility fixes to the HTML that the theme and extensions write (WCAG 2.1 A/AA, axe-core rules).

Loaded from _config.yml (sphinx.local_extensions); _theme/a11y.css and _theme/a11y.js hold the fixes
that are CSS or need the rendered page. This extension rewrites the written pages once the build has
finished (the markup comes from templates and extensions we do not own):

- sphinxcontrib-bibtex marks each bibliography entry role="doc-biblioentry", an ARIA role that
  WAI-ARIA 1.3 deprecates (axe: aria-deprecated-role); inside the citation list's role="list" an entry
  is a list item, so it becomes role="listitem" (which also gives the list the children it requires).
- myst-nb's "Show code cell source" toggles (<summary aria-label="Toggle hidden content">) and the
  theme's search field (aria-label="Search" on a button reading "Search Ctrl+K") have an accessible
  name that differs from their visible text (axe: label-content-name-mismatch, WCAG 2.5.3): the
  aria-label is dropped, so the visible text is the name.
- the theme's colour-mode button reads "Color mode" but holds three icons titled Light, Dark and System
  Settings, which Font Awesome turns into SVG images named by those titles (again a name that differs
  from the content): the icons lose their title and are hidden from assistive technology
  (aria-hidden); the button keeps its label and tooltip "Color mode".
"""

from __future__ import annotations

import re
from pathlib import Path

FIXES = [
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r'\1 role="listitem"'),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'), r"\1"),
    (re.compile(r'<i class="theme-switch (?![^>]*aria-hidden)'), '<i aria-hidden="true" class="theme-switch '),
    (re.compile(r'(<i aria-hidden="true" class="theme-switch [^>]*?)\s+title="[^"]*"'), r"\1"),
]


def fix_page(html: str) -> str:
    for pattern, repl in FIXES:
        html = pattern.sub(repl, html)
    return html


def _build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        fixed = fix_page(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def setup(app):
    app.add_css_file("a11y.css")
    app.add_js_file("a11y.js", defer="defer")
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
