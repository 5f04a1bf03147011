"""Small Sphinx fixes so that every page of the book runs in a browser without a console error.

Loaded from _config.yml (sphinx.local_extensions). The offline files themselves (MathJax, the widget
manager, require.js) are fetched by tasks.py into .vendor/static; this extension only adjusts pages:

- On pages with Jupyter widgets, an inline script placed before require.js and the widget manager
  (1) tells require.js where the manager's files are, so the Font Awesome fonts bundled with it load
  from _static/vendor/html-manager/dist (the manager derives their address from its module name, which
  otherwise resolves to a folder next to the page, a 404), and (2) gives MathJax 3 the `MathJax.Hub.Queue`
  call of MathJax 2 that the widgets use to typeset their labels (without it each label raises
  "Cannot read properties of undefined (reading 'Queue')").
- sphinx-thebe 0.3.1 registers its inline configuration script twice under Sphinx 7.4, which makes every
  page raise "Identifier 'THEBE_JS_URL' has already been declared"; the second copy is dropped.
"""

from __future__ import annotations

import json

WIDGET_MANAGER = "_static/vendor/html-manager/dist/embed-amd.js"
WIDGETS_SETUP = """(function () {
  var dist = new URL(%s, document.baseURI).href.replace(/\\/$/, "");
  window.require = {paths: {"@jupyter-widgets/html-manager/dist": dist}};
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    if (mj && mj.typesetPromise && !mj.Hub) {
      mj.Hub = {Queue: function (command) {
        var element = Array.isArray(command) ? command[2] : undefined;
        mj.startup.promise.then(function () { return mj.typesetPromise(element ? [element] : undefined); });
      }};
    }
  });
})();"""


def _page_context(app, pagename, templatename, context, doctree):
    # context["script_files"] is the builder's per-page list (reset before each page), so it is
    # edited in place; Sphinx sorts it by priority after this event.
    scripts = context.get("script_files")
    if not scripts:
        return
    if any(script.filename == WIDGET_MANAGER for script in scripts):
        dist = context["pathto"]("_static/vendor/html-manager/dist/", 1)
        app.add_js_file(None, body=WIDGETS_SETUP % json.dumps(dist), priority=490)
    seen, kept = set(), []
    for script in scripts:
        body = None if script.filename else script.attributes.get("body")
        if body is not None:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    # After myst-nb (priority 500), which adds the widget scripts in its own html-page-context handler.
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
