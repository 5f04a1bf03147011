"""The built book works in a real browser, offline.

For every HTML page of _build/html, opened in headless Chromium from a loopback server:
- no console error, no uncaught exception, no failed request or HTTP error, and no request that
  leaves 127.0.0.1 (such requests are blocked and reported);
- every image has loaded (naturalWidth > 0);
- MathJax has typeset every equation (each `.math` element holds an mjx-container, no TeX error);
- each sphinx-exercise solution dropdown is closed, and opens when its title is clicked;
- each ipywidgets view is rendered from the state saved in the notebook (a `.jupyter-widgets` element
  whose readout shows the saved value), or, when no state was saved, is followed by a static figure;
- on a chapter (notebook) page, the Colab launch link is the one _config.yml implies;
- accessibility: axe-core (vendored offline by tasks.py) finds no violation of the WCAG 2.1 A and AA
  rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa); each solution dropdown opens from the keyboard
  (Tab to its toggle, Enter); every widget control can take the keyboard focus; every figure has alt
  text that says what it shows (not empty, not a path or file name, at least ALT_MIN_WORDS words);
and a full-page screenshot of each chapter is saved in _build/screenshots/. The axe result of every page
is printed (run with -s to see it, or read _build/accessibility.json).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from book_browser import HTML, ROOT, SCREENSHOTS

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CHAPTERS = {p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
PAGES = sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
               if not p.relative_to(HTML).parts[0].startswith("_")) if HTML.exists() else []
TIMEOUT_MS = 15_000
AXE = ROOT / ".vendor" / "test" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_REPORT = ROOT / "_build" / "accessibility.json"
# Figures' alt text is written per figure in the notebooks (cell metadata mystnb.image.alt); every
# chapter has it, so a figure whose alt text is missing, a path, a file name or a stub fails the test.
ALT_TEXT_REQUIRED = True
ALT_MIN_WORDS = 5


def expected_colab_url(stem: str) -> str:
    repo = CONFIG["repository"]
    org_repo = urlsplit(repo["url"]).path.strip("/")
    book = repo.get("path_to_book", "").strip("/")
    path = "/".join(part for part in (book, "book", f"{stem}.ipynb") if part)
    return f"{CONFIG['launch_buttons']['colab_url']}/github/{org_repo}/blob/{repo['branch']}/{path}"


class Problems(list):
    def add(self, what: str) -> None:
        self.append(what)


def watch(page, base_url: str, problems: Problems) -> None:
    """Record console errors, page errors, failed requests; block every request off the loopback."""
    host = urlsplit(base_url).netloc

    def route(r):
        if urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:
            problems.add(f"external request blocked: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.add(f"console error: {m.text} ({m.location})"))
    page.on("pageerror", lambda e: problems.add(f"uncaught exception: {e}"))
    page.on("requestfailed", lambda r: urlsplit(r.url).netloc == host
            and problems.add(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.add(f"HTTP {r.status}: {r.url}"))


def check_mathjax(page, problems: Problems) -> int:
    n_math = page.locator(".math").count()
    if n_math == 0:
        return 0
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=TIMEOUT_MS)
    except Exception:
        problems.add(f"MathJax did not start ({n_math} equations left untypeset)")
        return n_math
    page.evaluate("() => MathJax.startup.promise")
    untypeset = page.evaluate(
        "() => [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container'))"
        ".map(e => e.textContent.trim().slice(0, 60))")
    errors = page.evaluate("() => [...document.querySelectorAll('mjx-merror')].map(e => e.textContent)")
    if untypeset:
        problems.add(f"{len(untypeset)} of {n_math} equations not typeset by MathJax, e.g. {untypeset[:3]}")
    if errors:
        problems.add(f"MathJax errors: {errors[:3]}")
    return n_math


WIDGETS_JS = """
() => {
  const stateTag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const state = stateTag ? JSON.parse(stateTag.textContent).state : {};
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const result = views.map(tag => {
    const id = JSON.parse(tag.textContent).model_id;
    const area = tag.previousElementSibling;
    const rendered = area && area.classList.contains('widget-subarea')
      ? area.querySelector('.jupyter-widgets') : null;
    const box = rendered ? rendered.getBoundingClientRect() : null;
    const cell = tag.closest('.cell');
    const next = cell ? cell.nextElementSibling : null;
    const fallback = next ? [...next.querySelectorAll('img')].some(i => i.complete && i.naturalWidth > 0) : false;
    return {
      id, rendered: !!rendered && box.width > 0 && box.height > 0,
      text: rendered ? area.innerText : '',
      readouts: rendered ? [...area.querySelectorAll('.widget-readout')].map(r => r.textContent || r.value) : [],
      images: rendered ? area.querySelectorAll('img').length : 0,
      fallback,
    };
  });
  return {state, views: result};
}
"""


def reachable(state: dict, root: str) -> list[dict]:
    """The saved models a view shows: its own and every model it refers to (children, outputs...)."""
    seen, todo = [], [root]
    while todo:
        mid = todo.pop()
        if mid in seen or mid not in state:
            continue
        seen.append(mid)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[mid]["state"]))
    return [state[m] for m in seen]


def check_widgets(page, problems: Problems) -> int:
    n_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if n_views == 0:
        return 0
    has_state = page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() > 0
    if has_state:
        try:  # the manager renders each view into a div.widget-subarea just before its script tag
            page.wait_for_function(
                "n => document.querySelectorAll('.widget-subarea .jupyter-widgets').length >= n",
                arg=n_views, timeout=TIMEOUT_MS)
        except Exception:  # reported per widget below
            pass
    found = page.evaluate(WIDGETS_JS)
    state = found["state"]
    for view in found["views"]:
        models = reachable(state, view["id"])
        name = f"widget {models[0]['model_name'] if models else view['id'][:8]}"
        if not models:
            if not view["fallback"]:
                problems.add(f"{name}: no saved state and no static figure after it")
            continue
        if not view["rendered"]:
            problems.add(f"{name}: saved state present but not rendered")
            continue
        # Every labelled control shows its label, every slider readout its saved value, and every
        # figure captured in an Output widget is drawn.
        for m in models:
            desc = m["state"].get("description") or ""
            if desc and not m["state"].get("description_allow_html") and desc not in view["text"]:
                problems.add(f"{name}: the label {desc!r} of a {m['model_name']} is not shown")
        readouts = []
        for text in view["readouts"]:
            try:
                readouts.append(float(re.sub(r"[^0-9eE+.-]", "", text)))
            except ValueError:
                pass
        sliders = [m for m in models if m["state"].get("_view_name") in ("FloatSliderView", "IntSliderView")
                   and m["state"].get("readout", True)]
        for m in sliders:
            value = m["state"]["value"]
            tol = 1e-6 + 0.5 * abs(m["state"].get("step") or 0) + 1e-3 * abs(value)
            if not any(abs(r - value) <= tol for r in readouts):
                problems.add(f"{name}: no slider readout shows the saved value {value} (readouts {view['readouts']})")
        saved_images = sum(1 for m in models if m["model_name"] == "OutputModel"
                           for out in m["state"].get("outputs", []) if "image/png" in out.get("data", {}))
        if view["images"] < saved_images:
            problems.add(f"{name}: {saved_images} saved figure(s) in its Output widgets, {view['images']} drawn")
    return n_views


def check_images(page, problems: Problems) -> int:
    page.evaluate("""async () => {
      const imgs = [...document.images];
      imgs.forEach(i => { i.loading = 'eager'; });
      await Promise.all(imgs.map(i => i.decode().catch(() => null)));
    }""")
    broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                           ".map(i => i.getAttribute('src'))")
    if broken:
        problems.add(f"images that did not load: {broken}")
    return page.evaluate("() => document.images.length")


def check_solution_dropdowns(page, problems: Problems) -> int:
    solutions = page.locator("div.solution.dropdown")
    n = solutions.count()
    for i in range(n):
        sol = solutions.nth(i)
        label = sol.get_attribute("id")
        body = sol.locator(":scope > :not(.admonition-title)").first
        try:
            page.wait_for_function("e => e.classList.contains('toggle')", arg=sol.element_handle(),
                                   timeout=TIMEOUT_MS)
        except Exception:
            problems.add(f"solution {label}: not turned into a dropdown (sphinx-togglebutton did not run)")
            continue
        if body.is_visible():
            problems.add(f"solution {label}: visible before it was opened")
            continue
        sol.locator(".admonition-title").first.click()
        try:
            body.wait_for(state="visible", timeout=5_000)
        except Exception:
            problems.add(f"solution {label}: did not open when its title was clicked")
    return n


AXE_RUN_JS = """
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
    targets: v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary
      ? ' [' + n.failureSummary.split('\\n').slice(1, 2).join('').trim().slice(0, 160) + ']' : ''))}));
}
"""


def check_axe(page, page_path: str, problems: Problems) -> dict:
    """axe-core's WCAG 2.1 A/AA violations on the page: {rule id: number of elements}."""
    if not AXE.exists():
        problems.add(f"axe-core is missing ({AXE}); run `python3 tasks.py assets`")
        return {}
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN_JS, AXE_TAGS)
    for v in violations:
        problems.add(f"axe {v['id']} ({v['impact']}, {v['n']} element(s)): {v['help']}; e.g. {v['targets']}")
    counts = {v["id"]: v["n"] for v in violations}
    report = json.loads(AXE_REPORT.read_text()) if AXE_REPORT.exists() else {}
    report[page_path] = counts
    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps(report, indent=1, sort_keys=True))
    return counts


_FILE_NAME = re.compile(r"(^|[\\/])[\w.-]+\.(png|jpe?g|svg|gif|webp)$", re.I)


def alt_text_problem(alt: str | None) -> str | None:
    """Why an image's alt text does not describe it (None when it does)."""
    text = (alt or "").strip()
    if not text:
        return "no alt text"
    if (" " not in text and ("/" in text or "\\" in text)) or _FILE_NAME.search(text):
        return f"alt text is a path or file name ({text[:60]!r})"
    words = re.findall(r"[A-Za-z0-9]+", text)
    if len(words) < ALT_MIN_WORDS:
        return f"alt text is a stub ({text!r}: {len(words)} words, at least {ALT_MIN_WORDS} needed)"
    return None


def check_alt_text(page, problems: Problems) -> list[str]:
    """The images of the page's content whose alt text does not describe them."""
    # figures: images in notebook outputs and figure directives (not the theme's icons and togglers)
    alts = page.evaluate("() => [...new Set(document.querySelectorAll('.cell_output img, figure img'))]"
                         ".filter(i => i.getAttribute('role') !== 'presentation')"
                         ".map(i => [i.getAttribute('src'), i.getAttribute('alt')])")
    bad = [f"{src}: {why}" for src, alt in alts if (why := alt_text_problem(alt))]
    if bad and ALT_TEXT_REQUIRED:
        problems.add(f"{len(bad)} of {len(alts)} figures without a describing alt text, e.g. {bad[:3]}")
    return bad


def check_keyboard(page, problems: Problems) -> int:
    """Each solution dropdown opens with Tab + Enter; every widget control takes the keyboard focus."""
    toggles = page.locator("div.solution.dropdown")
    n = toggles.count()
    for i in range(n):
        sol = toggles.nth(i)
        label = sol.get_attribute("id")
        body = sol.locator(":scope > :not(.admonition-title)").first
        # the element before the toggle in tab order, then Tab: the toggle must be the next stop
        focused = page.evaluate("""(sol) => {
          const button = sol.querySelector('button.toggle-button') || sol.querySelector('.admonition-title');
          if (!button) return 'no toggle';
          const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
            .filter(e => e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null);
          const k = all.indexOf(button);
          if (k < 0) return 'the toggle is not in the tab order';
          if (k > 0) all[k - 1].focus(); else { document.activeElement && document.activeElement.blur(); }
          return 'ok';
        }""", sol.element_handle())
        if focused != "ok":
            problems.add(f"solution {label}: {focused}")
            continue
        if body.is_visible():  # opened by the mouse test before: close it first
            sol.locator("button.toggle-button, .admonition-title").first.click()
            body.wait_for(state="hidden", timeout=5_000)
        page.keyboard.press("Tab")
        on_toggle = page.evaluate("(sol) => sol.contains(document.activeElement)", sol.element_handle())
        if not on_toggle:
            problems.add(f"solution {label}: Tab does not reach its toggle")
            continue
        page.keyboard.press("Enter")
        try:
            body.wait_for(state="visible", timeout=5_000)
        except Exception:
            problems.add(f"solution {label}: did not open with Enter")
    # Widget controls: native inputs/selects/buttons and slider handles must be focusable
    unfocusable = page.evaluate("""() => {
      const els = [...document.querySelectorAll('.widget-subarea input, .widget-subarea select, '
        + '.widget-subarea button, .widget-subarea textarea, .widget-subarea .noUi-handle, '
        + '.widget-subarea .ui-slider-handle')].filter(e => e.offsetParent !== null);
      return els.filter(e => { e.focus(); return document.activeElement !== e || e.tabIndex < 0; })
        .map(e => e.className || e.tagName);
    }""")
    if unfocusable:
        problems.add(f"widget controls that cannot take the keyboard focus: {unfocusable[:5]}")
    return n


def check_colab_link(page, stem: str, problems: Problems) -> None:
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href*=\"colab.research.google.com\"]')]"
                          ".map(a => a.href)")
    expected = expected_colab_url(stem)
    if hrefs != [expected]:
        problems.add(f"Colab link(s) {hrefs}, expected exactly [{expected!r}]")


@pytest.mark.skipif(not PAGES, reason=f"no built book in {HTML} (run `python3 tasks.py book` first)")
@pytest.mark.parametrize("page_path", PAGES or ["-"])
def test_page_works_offline_in_chromium(page_path, book_url, browser):
    problems = Problems()
    page = browser.new_page()
    try:
        watch(page, book_url, problems)
        page.goto(f"{book_url}/{page_path}", wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        n_math = check_mathjax(page, problems)
        n_widgets = check_widgets(page, problems)
        n_images = check_images(page, problems)
        n_solutions = check_solution_dropdowns(page, problems)
        check_keyboard(page, problems)
        bad_alt = check_alt_text(page, problems)
        # axe last, with every dropdown open (their content is then checked too)
        axe = check_axe(page, page_path, problems)
        stem = Path(page_path).stem
        if stem in CHAPTERS:
            check_colab_link(page, stem, problems)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
            page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        print(f"{page_path}: {n_math} equations, {n_widgets} widgets, {n_images} images, "
              f"{n_solutions} solution dropdowns; axe WCAG 2.1 A/AA violations: "
              f"{sum(axe.values())} {axe or ''}; figures without a describing alt text: {len(bad_alt)}")
    finally:
        page.close()
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


@pytest.mark.skipif(not PAGES, reason=f"no built book in {HTML}")
def test_every_chapter_was_built():
    missing = sorted(c for c in CHAPTERS if f"book/{c}.html" not in PAGES)
    toc = (ROOT / "_toc.yml").read_text()
    missing = [c for c in missing if f"book/{c}" in toc]
    assert not missing, f"chapters listed in _toc.yml without a page in {HTML}: {missing}"
