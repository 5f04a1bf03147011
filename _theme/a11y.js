/* Accessibility fixes that need the page to be rendered (checked by axe-core in tests/browser).
 *
 * 1. Widget sliders: the Jupyter widget manager draws each slider's handle as a div with role="slider"
 *    but does not link it to the slider's visible label (its `description`); each handle is given
 *    aria-labelledby pointing at that label, so a screen reader says "step size, slider, 0.05".
 * 2. Figures a widget draws into its Output area come without alt text; each gets one that says it is
 *    the widget's figure and lists the settings it was drawn for (the chapter's static figure after
 *    the widget carries the figure's own description).
 * 3. Code blocks and outputs that scroll sideways must be reachable by keyboard: the theme gives them
 *    tabindex 0 when the page loads, but a block inside a closed solution dropdown only overflows once
 *    the dropdown is opened; the check is run again whenever a dropdown or hidden cell opens.
 */
(function () {
  "use strict";
  var counter = 0;

  function labelSliders(root) {
    root.querySelectorAll(".widget-slider").forEach(function (slider) {
      var label = slider.querySelector(".widget-label");
      if (!label || !label.textContent.trim()) return;
      if (!label.id) label.id = "widget-label-" + (++counter);
      slider.querySelectorAll('[role="slider"]').forEach(function (handle) {
        if (!handle.getAttribute("aria-labelledby") && !handle.getAttribute("aria-label")) {
          handle.setAttribute("aria-labelledby", label.id);
        }
      });
    });
  }

  function describeWidgetFigures(root) {
    root.querySelectorAll(".widget-subarea").forEach(function (area) {
      var imgs = area.querySelectorAll(".widget-output img:not([alt])");
      if (!imgs.length) return;
      var settings = [];
      area.querySelectorAll(".widget-inline-hbox").forEach(function (row) {
        var label = row.querySelector(".widget-label");
        var value = row.querySelector(".widget-readout, select, input");
        if (label && value) {
          var v = value.tagName === "SELECT" || value.tagName === "INPUT" ? value.value : value.textContent;
          settings.push(label.textContent.trim() + " = " + String(v).trim());
        }
      });
      var text = "Figure drawn by the interactive widget above" +
        (settings.length ? " for its settings " + settings.join(", ") : "") +
        "; move the controls (in a live notebook) to redraw it.";
      imgs.forEach(function (img) { img.setAttribute("alt", text); });
    });
  }

  function scrollableTabStops() {
    document.querySelectorAll("pre, .cell_output > .output, .cell_output > .widget-subarea").forEach(function (el) {
      if (el.offsetParent === null) return;
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) el.tabIndex = 0;
    });
  }

  var pending = null;
  function fixAll() {
    pending = null;
    labelSliders(document);
    describeWidgetFigures(document);
    scrollableTabStops();
  }
  function schedule() { if (!pending) pending = setTimeout(fixAll, 50); }

  function start() {
    fixAll();
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class", "open"]});
    window.addEventListener("load", schedule);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
