"""The inline style and script of the stepper page (autograd.stepper), kept out of its logic.

The script only shows what Python computed: it reads the steps from the JSON embedded next to
it and sets classes and texts on the SVG elements named there. It does no arithmetic on grads.
"""

from __future__ import annotations

# scoped to the stepper's own container, so a notebook page around it is left alone
CSS = """
.chainrule-stepper{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
  max-width:100%;outline:none}
.chainrule-stepper .cr-controls{display:flex;flex-wrap:wrap;gap:.4em;align-items:center;
  margin:.3em 0}
.chainrule-stepper button,.chainrule-stepper select{font:inherit;font-size:1em;padding:.3em .8em;
  min-height:2.2em}
.chainrule-stepper [data-role=counter]{font-variant-numeric:tabular-nums;min-width:4.5em;
  text-align:center}
.chainrule-stepper [data-role=caption]{min-height:3em;margin:.3em 0;line-height:1.4}
.chainrule-stepper .cr-graph{overflow-x:auto}
.chainrule-stepper svg{display:block;width:100%;height:auto}
.chainrule-stepper g.node.done polygon,.chainrule-stepper g.node.done ellipse{fill:#fef08a}
.chainrule-stepper g.node.current polygon,.chainrule-stepper g.node.current-op ellipse{
  fill:#fb923c;stroke-width:2.5}
.chainrule-stepper g.node.pending text:last-of-type{fill:#6b7280}
.chainrule-stepper g.edge.sending path,.chainrule-stepper g.edge.sending polygon{
  stroke:#b91c1c;stroke-width:2.2}
.chainrule-stepper g.edge.sending text{font-weight:bold}
"""

# Prev / Next / Play, the arrow keys, and render(k): step k of N shown, from the data alone
SCRIPT = r"""
(function () {
  "use strict";
  function init(root) {
    root.setAttribute("data-ready", "1");
    var data = JSON.parse(root.querySelector("script[data-role=steps]").textContent);
    var svg = root.querySelector("svg");
    var counter = root.querySelector("[data-role=counter]");
    var caption = root.querySelector("[data-role=caption]");
    var play = root.querySelector("[data-action=play]");
    var speed = root.querySelector("[data-role=speed]");
    var steps = data.steps, n = steps.length, k = 0, timer = null;
    function el(id) { return id === null ? null : svg.querySelector('g[id="' + id + '"]'); }
    function lastText(g) { var t = g.querySelectorAll("text"); return t[t.length - 1]; }
    var boxes = steps.map(function (s) { return el(s.box); });
    var ops = steps.map(function (s) { return el(s.op); });
    var edges = steps.map(function (s) {
      return s.sends.map(function (e) { return lastText(el(e[0])); });
    });
    var sendGroups = steps.map(function (s) {
      return s.sends.map(function (e) { return el(e[0]); });
    });
    function mark(g, name, on) { if (g) { g.classList.toggle(name, on); } }
    function render() {
      for (var j = 0; j < n; j++) {
        var shown = j < k || j === 0;  /* the root's seed is known before the first step */
        lastText(boxes[j]).textContent = shown ? steps[j].grad : data.pending;
        mark(boxes[j], "pending", !shown);
        mark(boxes[j], "current", j === k - 1);
        mark(ops[j], "current-op", j === k - 1);
        mark(boxes[j], "done", j < k - 1);
        mark(ops[j], "done", j < k - 1);
        for (var e = 0; e < edges[j].length; e++) {
          edges[j][e].textContent = j < k ? steps[j].sends[e][1] : "";
          mark(sendGroups[j][e], "sending", j === k - 1);
        }
      }
      counter.textContent = k + " / " + n;
      caption.textContent = k === 0 ? data.start : steps[k - 1].caption;
    }
    function go(to) { k = Math.max(0, Math.min(n, to)); render(); }
    function stop() {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      play.textContent = "Play";
    }
    function tick() {
      if (k >= n) { stop(); return; }
      go(k + 1);
      if (k >= n) { stop(); return; }
      timer = setTimeout(tick, Number(speed.value));
    }
    function toggle() {
      if (timer !== null) { stop(); return; }
      if (k >= n) { go(0); }
      play.textContent = "Pause";
      timer = setTimeout(tick, 0);
    }
    root.querySelector("[data-action=prev]").addEventListener("click", function () {
      stop(); go(k - 1);
    });
    root.querySelector("[data-action=next]").addEventListener("click", function () {
      stop(); go(k + 1);
    });
    play.addEventListener("click", toggle);
    function key(event) {
      if (event.key === "ArrowRight") { stop(); go(k + 1); event.preventDefault(); }
      else if (event.key === "ArrowLeft") { stop(); go(k - 1); event.preventDefault(); }
    }
    root.addEventListener("keydown", key);
    if (root.hasAttribute("data-page")) {  /* a page of its own: the keys work anywhere */
      document.addEventListener("keydown", function (event) {
        if (!root.contains(event.target)) { key(event); }
      });
    }
    render();
  }
  var all = document.querySelectorAll("div.chainrule-stepper:not([data-ready])");
  for (var i = 0; i < all.length; i++) { init(all[i]); }
})();
"""
