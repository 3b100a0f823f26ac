/* archc report: the page's behaviour. Written for archc; no library, no network.
 *
 * All data comes from the JSON block `archc-data` and is only ever written with
 * `textContent` or as attribute values through the DOM API: nothing from a spec is parsed
 * as markup. Element ids and classes are built from numbers and fixed words only.
 */
"use strict";

(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
  var BOLD = "bold " + FONT;
  var SMALL = "10.5px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
  var BOX_H = 36, MARK_H = 24;
  var FAMILY_CLASS = {
    "input / output": "f-io", "convolution": "f-conv", "pooling": "f-pool", "dense": "f-dense",
    "normalisation": "f-norm", "activation, dropout, reshaping": "f-shape", "merge": "f-merge"
  };
  var LABELS = {
    name: "name", type: "type", scope: "scope", inputs: "inputs", output_shape: "output shape",
    params: "params", trainable_params: "trainable params",
    non_trainable_params: "non-trainable params", macs: "MACs",
    activation_bytes: "activation bytes", total_params: "total params",
    total_macs: "MACs", total_flops: "FLOPs", activation_bytes_total: "activations",
    variant: "variant"
  };

  /* Layer keys shown in their own rows (or implied by the layout); any other key of a
   * layer's summary JSON object gets a row of its own in the details. */
  var SHOWN = { name: 1, type: 1, scope: 1, inputs: 1, output_shape: 1, params: 1, macs: 1,
                trainable_params: 1, non_trainable_params: 1, activation_bytes: 1 };
  var DATA = JSON.parse(document.getElementById("archc-data").textContent);
  var $ = function (id) { return document.getElementById(id); };

  // -- small helpers -------------------------------------------------------------------------

  /* Control characters (a spec's `name` may hold "\e" or "\x07") are shown escaped, as
   * `\x1b`, like archc's other outputs keep them out of what they print. */
  function clean(text) {
    return String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, function (c) {
      return "\\x" + ("0" + c.charCodeAt(0).toString(16)).slice(-2);
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = clean(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function num(n) {
    if (typeof n !== "number") return String(n);
    if (!Number.isInteger(n)) return String(n);
    var s = String(Math.abs(n)), out = "";
    while (s.length > 3) { out = "," + s.slice(-3) + out; s = s.slice(0, -3); }
    return (n < 0 ? "-" : "") + s + out;
  }
  /* Like `archc summary`: MiB, or KiB (bytes) for a small network, not `0.0 MiB`. */
  function bytesText(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MiB";
    if (n >= 1024) return (n / 1024).toFixed(1) + " KiB";
    return num(n) + " bytes";
  }
  function shape(a) { return Array.isArray(a) ? a.join("x") : String(a); }
  function short(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(2) + "G";
    if (n >= 1e6) return (n / 1e6).toFixed(2) + "M";
    if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
    return num(n);
  }
  /* Any JSON value as text: how a field nobody taught this page about is still shown. */
  function value(key, v) {
    if (v === null || v === undefined) return "-";
    if (key === "receptive_field" && typeof v === "object" && !Array.isArray(v)) return fieldText(v);
    if (typeof v === "number") return num(v);
    if (typeof v === "boolean" || typeof v === "string") return String(v);
    if (Array.isArray(v)) {
      if (/shape/.test(key) && v.every(function (d) { return typeof d === "number"; })) return shape(v);
      return v.map(function (x) { return value(key, x); }).join(", ");
    }
    return JSON.stringify(v);
  }
  /* A receptive field (docs/receptive-field.md) as `archc summary` prints it, with the first
   * unit's centre and any merge note. */
  function fieldText(v) {
    if (v.defined === false) return ["not defined"].concat(v.notes || []).join("; ");
    if (!v.size) return "whole input";
    var jump = v.jump[0] === v.jump[1] ? String(v.jump[0]) : v.jump.join("x");
    var text = v.size.join("x") + " /" + jump + (v.global ? " +global" : "") +
      " (first unit centred at input pixel " + v.start.join(", ") + ")";
    return (v.notes || []).reduce(function (t, note) { return t + "; " + note; }, text);
  }
  /* An argument as the spec would write it: lists in brackets, text as is. */
  function argText(v) {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    return JSON.stringify(v);
  }
  var measureCtx = document.createElement("canvas").getContext("2d");
  var widthCache = {};
  function textWidth(text, font) {
    var key = font + "\u0000" + text;
    if (!(key in widthCache)) { measureCtx.font = font; widthCache[key] = measureCtx.measureText(text).width; }
    return widthCache[key];
  }

  // -- state -----------------------------------------------------------------------------------

  var model, tree, collapsed, drawn, selected = null, matches = [], matchAt = -1;
  var view = { x: 20, y: 20, k: 1 }, frame = null;
  var nodeFindings = {};

  function nodeLines(i) {
    var n = model.nodes[i];
    if (n.op === "input") return [clean(n.local), shape(n.layer.output_shape)];
    var first = clean(n.local + (n.label !== n.local ? "  " + n.label : ""));
    var l = n.layer;
    return [first, shape(l.output_shape) + (l.params ? "  " + short(l.params) + " params" : "") +
            (l.macs ? "  " + short(l.macs) + " MACs" : "")];
  }
  function blockLines(s) {
    var sc = model.scopes[s], b = sc.block || {};
    return [clean(sc.name + "  " + sc.kind), shape(b.output_shape || []) + "  " + short(b.params || 0) +
            " params  " + short(b.macs || 0) + " MACs"];
  }
  function measure(item, kind) {
    if (kind === "title") {
      var sc = model.scopes[ArchcLayout.itemScope(item)];
      return [textWidth(clean("\u2212 " + sc.name + "  " + sc.kind), BOLD) + 12, 0];
    }
    if (item >= model.nodes.length) {
      return [textWidth(clean(markerText(item)), BOLD) + 24, MARK_H];
    }
    var lines = item >= 0 ? nodeLines(item) : blockLines(ArchcLayout.itemScope(item));
    var w = Math.max(textWidth(lines[0], BOLD), textWidth(lines[1], SMALL));
    return [Math.ceil(w) + (item < 0 ? 34 : 18), BOX_H];
  }
  function markerText(item) {
    var o = model.outputs[item - model.nodes.length];
    return model.outputs.length > 1 ? "output " + model.nodes[o].name : "output";
  }

  // -- drawing ---------------------------------------------------------------------------------

  function draw() {
    var t0 = performance.now();
    drawn = ArchcLayout.layout(model, tree, collapsed, measure);
    var world = $("world");
    while (world.firstChild) world.removeChild(world.firstChild);
    var frames = svg("g", { "class": "frames" }), edges = svg("g", { "class": "edges" });
    var boxes = svg("g", { "class": "boxes" });
    world.appendChild(frames); world.appendChild(edges); world.appendChild(boxes);
    var items = Object.keys(drawn.boxes).map(Number).sort(function (a, b) { return order(a) - order(b); });
    for (var k = 0; k < items.length; k++) {
      var it = items[k], b = drawn.boxes[it];
      if (b.frame) frames.appendChild(drawFrame(it, b));
      else boxes.appendChild(drawBox(it, b));
    }
    for (k = 0; k < drawn.edges.length; k++) {
      var e = drawn.edges[k];
      var p = svg("path", { d: pathOf(e.pts), "class": "edge", "marker-end": "url(#arrow)" });
      p.setAttribute("data-u", String(e.u)); p.setAttribute("data-v", String(e.v));
      edges.appendChild(p);
    }
    document.body.setAttribute("data-draw-ms", String(Math.round(performance.now() - t0)));
    markSelection();
    markMatches();
  }
  function order(item) {
    // Frames first (outer before inner) so inner frames paint above their parents.
    return item >= 0 ? item : -1e6 + ArchcLayout.itemScope(item);
  }
  function pathOf(pts) {
    var d = "M" + pts[0][0].toFixed(1) + "," + pts[0][1].toFixed(1);
    for (var i = 1; i < pts.length; i++) {
      var a = pts[i - 1], b = pts[i];
      if (Math.abs(a[0] - b[0]) < 0.5) { d += "L" + b[0].toFixed(1) + "," + b[1].toFixed(1); continue; }
      var m = (b[1] - a[1]) / 2;
      d += "C" + a[0].toFixed(1) + "," + (a[1] + m).toFixed(1) + " " + b[0].toFixed(1) + "," +
           (b[1] - m).toFixed(1) + " " + b[0].toFixed(1) + "," + b[1].toFixed(1);
    }
    return d;
  }
  function drawFrame(item, b) {
    var s = ArchcLayout.itemScope(item), sc = model.scopes[s];
    var g = svg("g", { "class": "frame k-" + kindClass(sc.kind), transform: "translate(" + b.x + "," + b.y + ")" });
    g.setAttribute("data-scope", String(s));
    g.appendChild(svg("rect", { width: b.w, height: b.h, rx: 6 }));
    var t = svg("text", { x: 8, y: 16, "class": "title" });
    var tog = svg("tspan", { "class": "toggle" });
    tog.textContent = "\u2212 ";
    t.appendChild(tog);
    var nm = svg("tspan", {});
    nm.textContent = clean(sc.name + "  ");
    t.appendChild(nm);
    var kd = svg("tspan", { "class": "kind" });
    kd.textContent = clean(sc.kind);
    t.appendChild(kd);
    g.appendChild(t);
    return g;
  }
  function kindClass(kind) {
    return ["branch", "shortcut", "residual", "parallel", "repeat", "repetition",
            "squeeze_excitation"].indexOf(kind) >= 0 ? kind : "block";
  }
  function drawBox(item, b) {
    var g = svg("g", { transform: "translate(" + b.x + "," + b.y + ")" }), lines, cls;
    if (item >= model.nodes.length) {
      g.setAttribute("class", "marker");
      g.appendChild(svg("rect", { width: b.w, height: b.h, rx: b.h / 2 }));
      var mt = svg("text", { x: b.w / 2, y: 16, "class": "name", "text-anchor": "middle" });
      mt.textContent = clean(markerText(item));
      g.appendChild(mt);
      return g;
    }
    if (item >= 0) {
      var n = model.nodes[item];
      lines = nodeLines(item);
      cls = "node " + (FAMILY_CLASS[n.family] || "f-shape");
      g.setAttribute("data-node", String(item));
      if (nodeFindings[item]) cls += " flagged";
    } else {
      var s = ArchcLayout.itemScope(item);
      lines = blockLines(s);
      cls = "node collapsed";
      g.setAttribute("data-scope", String(s));
    }
    g.setAttribute("class", cls);
    g.appendChild(svg("rect", { width: b.w, height: b.h, rx: item >= 0 && model.nodes[item].op === "input" ? 16 : 4 }));
    var x0 = item < 0 ? 24 : 9;
    if (item < 0) {
      var plus = svg("text", { x: 8, y: 15, "class": "toggle" });
      plus.textContent = "+";
      g.appendChild(plus);
    }
    var t1 = svg("text", { x: x0, y: 15, "class": "name" });
    t1.textContent = clean(lines[0]);
    var t2 = svg("text", { x: x0, y: 29, "class": "figs" });
    t2.textContent = clean(lines[1]);
    g.appendChild(t1); g.appendChild(t2);
    if (item >= 0 && nodeFindings[item]) {
      var badge = svg("circle", { cx: b.w - 1, cy: 1, r: 6, "class": "badge" });
      g.appendChild(badge);
    }
    return g;
  }

  // -- pan and zoom ----------------------------------------------------------------------------

  function apply() {
    if (frame !== null) return;
    frame = requestAnimationFrame(function () {
      frame = null;
      $("world").setAttribute("transform", "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(5) + ")");
      $("diagram").classList.toggle("far", view.k < 0.45);
      $("zoom-level").textContent = Math.round(view.k * 100) + "%";
    });
  }
  function zoomAt(px, py, factor) {
    var k = Math.min(4, Math.max(0.02, view.k * factor));
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  /* The smallest zoom "fit" chooses: its text is still legible (the names are 12 px). A
   * drawing that would need less (fully expanded ResNet-152 fits its height at 3%, a grey
   * strip) is shown from its top at this scale, and the wheel scrolls to the rest. */
  var READABLE = 0.7;
  function fit(widthOnly) {
    var r = $("diagram").getBoundingClientRect();
    var fw = (r.width - 40) / drawn.w, fh = (r.height - 40) / drawn.h;
    var k = Math.min(fw, widthOnly ? 1 : fh, 1.5);
    if (widthOnly) k = Math.max(k, Math.min(1, fh));
    if (k < READABLE) k = Math.min(Math.max(fw, READABLE), 1);
    view.k = k;
    view.x = (r.width - drawn.w * view.k) / 2;
    view.y = 20;
    apply();
  }
  /* Scroll by (dx, dy) screen pixels, keeping some of the drawing in view. */
  function scrollBy(dx, dy) {
    var r = $("diagram").getBoundingClientRect(), w = drawn.w * view.k, h = drawn.h * view.k;
    view.x = Math.min(r.width - 40, Math.max(40 - w, view.x - dx));
    view.y = Math.min(r.height - 40, Math.max(40 - h, view.y - dy));
    apply();
  }
  function centreOn(item) {
    var b = drawn.boxes[item];
    if (!b) return;
    var r = $("diagram").getBoundingClientRect();
    if (view.k < 0.6) view.k = 0.9;
    view.x = r.width / 2 - (b.x + b.w / 2) * view.k;
    view.y = r.height / 2 - (b.y + b.h / 2) * view.k;
    apply();
  }
  function setupPanZoom() {
    var d = $("diagram"), drag = null;
    // The wheel scrolls, as in a long page (Shift: sideways); Ctrl or Cmd with the wheel,
    // and a touchpad's pinch (which browsers send as Ctrl+wheel), zoom around the mouse.
    d.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = d.getBoundingClientRect(), unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? r.height : 1;
      if (ev.ctrlKey || ev.metaKey) zoomAt(ev.clientX - r.left, ev.clientY - r.top, Math.exp(-ev.deltaY * unit * 0.0015));
      else if (ev.shiftKey) scrollBy((ev.deltaX || ev.deltaY) * unit, 0);
      else scrollBy(ev.deltaX * unit, ev.deltaY * unit);
    }, { passive: false });
    d.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; d.classList.add("dragging"); hideTip(); }
      view.x = drag.vx + dx; view.y = drag.vy + dy;
      if (drag.moved) apply();
    });
    window.addEventListener("pointerup", function () {
      if (drag) setTimeout(function () { d.classList.remove("dragging"); }, 0);
      d.dataset.dragged = drag && drag.moved ? "1" : "";
      drag = null;
    });
    $("zoom-in").addEventListener("click", function () { var r = d.getBoundingClientRect(); zoomAt(r.width / 2, r.height / 2, 1.25); });
    $("zoom-out").addEventListener("click", function () { var r = d.getBoundingClientRect(); zoomAt(r.width / 2, r.height / 2, 0.8); });
    $("zoom-fit").addEventListener("click", function () { fit(false); });
  }

  // -- collapse state ----------------------------------------------------------------------------

  function setDepth(depth) {
    for (var s = 0; s < model.scopes.length; s++) collapsed[s] = depth !== null && tree.depth[s] >= depth ? 1 : 0;
  }
  /* After blocks close: a selected layer (or block) now hidden inside a closed block hands
   * the selection, and the details panel, to the outermost closed block that holds it. */
  function keepSelectionShown() {
    if (!selected) return;
    var item = selected.node !== undefined ? selected.node : ArchcLayout.scopeItem(selected.scope);
    if (drawn.boxes[item]) return;
    var chain = selected.node !== undefined ? tree.chains[selected.node] : [];
    if (selected.node === undefined) {
      for (var p = model.scopes[selected.scope].parent; p >= 0; p = model.scopes[p].parent) chain.unshift(p);
    }
    for (var k = 0; k < chain.length; k++) {
      if (collapsed[chain[k]]) { select({ scope: chain[k] }, { scrollTable: false }); return; }
    }
    select(null);
  }
  /* Toggle a block and keep the point under it where it was on screen. */
  function toggle(s) {
    var item = ArchcLayout.scopeItem(s), before = drawn.boxes[item];
    if (collapsed[s]) expand(s); else collapsed[s] = 1;
    draw();
    keepSelectionShown();
    var after = drawn.boxes[item];
    if (before && after) {  // the top centre of the block stays where it was ...
      view.x += (before.x + before.w / 2 - after.x - after.w / 2) * view.k;
      view.y += (before.y - after.y) * view.k;
      // ... unless that pushes it out of view: then its left edge (with the `-`) comes in
      var width = $("diagram").getBoundingClientRect().width;
      var left = view.x + after.x * view.k, right = left + after.w * view.k;
      if (right > width - 10) view.x -= right - (width - 10);
      left = view.x + after.x * view.k;
      if (left < 10) view.x += 10 - left;
      apply();
    }
    syncTable();
    $("depth").value = "";
  }
  /* Open a block, and with it the parts that only make sense open: the branches of a
   * parallel, a residual unit and its shortcut, squeeze-excitation, a lone child. Nested
   * blocks of the spec's own kinds and repetitions stay closed: one level at a time. */
  var OPEN_WITH_PARENT = { branch: 1, parallel: 1, residual: 1, shortcut: 1, squeeze_excitation: 1 };
  function expand(s) {
    collapsed[s] = 0;
    var ch = tree.children[s], only = ch.length === 1;
    for (var k = 0; k < ch.length; k++) {
      if (ch[k] >= 0) continue;
      var c = ArchcLayout.itemScope(ch[k]);
      if (collapsed[c] && (only || OPEN_WITH_PARENT[model.scopes[c].kind])) expand(c);
    }
  }
  function reveal(i) {
    var chain = tree.chains[i], changed = false;
    for (var k = 0; k < chain.length; k++) if (collapsed[chain[k]]) { expand(chain[k]); changed = true; }
    if (changed) { draw(); syncTable(); $("depth").value = ""; }
  }

  // -- selection, hover, details ---------------------------------------------------------------

  function select(sel, opts) {
    selected = sel;
    opts = opts || {};
    if (sel && sel.node !== undefined && opts.reveal !== false) reveal(sel.node);
    markSelection();
    showDetails($("details"), sel, true);
    if (sel && opts.centre) centreOn(sel.node !== undefined ? sel.node : ArchcLayout.scopeItem(sel.scope));
    var row = sel ? rowFor(sel) : null;
    if (row && opts.scrollTable !== false) scrollRow(row);
  }
  function markSelection() {
    var old = document.querySelectorAll(".sel");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("sel");
    if (!selected) return;
    var q = selected.node !== undefined ? '[data-node="' + selected.node + '"]' : '[data-scope="' + selected.scope + '"]';
    var hits = document.querySelectorAll(q);
    for (i = 0; i < hits.length; i++) hits[i].classList.add("sel");
    if (selected.node !== undefined) {
      var edges = document.querySelectorAll('path[data-u="' + selected.node + '"], path[data-v="' + selected.node + '"]');
      for (i = 0; i < edges.length; i++) edges[i].classList.add("sel");
    }
  }
  function field(dl, label, text, key) {
    var dt = el("dt", null, label), dd = el("dd", null, text);
    if (key) dd.setAttribute("data-key", key);
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function specLine(dl, span, label) {
    if (!span) return;
    var text = model.lines[String(span[0])];
    field(dl, label, model.spec + ":" + span[0] + ":" + span[1], "span");
    if (text !== undefined) {
      var pre = el("pre", "src", text);
      pre.setAttribute("data-key", "source");
      dl.appendChild(el("dt", null, "")); var dd = el("dd"); dd.appendChild(pre); dl.appendChild(dd);
    }
  }
  /* The details of a node or block into `box`: used by the side panel and the tooltip. */
  function showDetails(box, sel, full) {
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!sel) { box.appendChild(el("p", "hint", "Hover or click a layer or block to see its details.")); return; }
    var dl = el("dl");
    if (sel.node !== undefined) {
      var n = model.nodes[sel.node], l = n.layer;
      box.appendChild(el("h3", null, n.name));
      field(dl, "type", n.op, "type");
      if (n.label !== n.op) field(dl, "layer", n.label, "label");
      var args = Object.keys(n.args);
      if (args.length) field(dl, "arguments", args.map(function (k) { return k + "=" + argText(n.args[k]); }).join("  "), "args");
      if (n.input_shapes.length) field(dl, "input shape" + (n.input_shapes.length > 1 ? "s" : ""), n.input_shapes.map(shape).join(", "), "input_shapes");
      field(dl, "output shape", shape(l.output_shape), "output_shape");
      if ("params" in l) field(dl, "params", num(l.params), "params");
      if ("macs" in l) field(dl, "MACs", num(l.macs), "macs");
      // Keys this page does not know yet (added to the summary JSON by a later pass) are
      // shown here, with the figures, not only under "all fields".
      for (var key0 in l) if (!SHOWN[key0]) field(dl, LABELS[key0] || key0.replace(/_/g, " "), value(key0, l[key0]), "layer." + key0);
      specLine(dl, n.span, "spec line");
      var sc = n.scope >= 0 ? model.scopes[n.scope] : null;
      if (sc && full) specLine(dl, sc.span, "in " + sc.path);
      box.appendChild(dl);
      var fs = nodeFindings[sel.node] || [];
      for (var f = 0; f < fs.length; f++) box.appendChild(full ? findingLine(fs[f], false) : findingLine(fs[f], true));
      if (full) {
        var all = el("details", "all-fields"), sum = el("summary", null, "all fields (archc summary --format json)");
        all.appendChild(sum);
        var dl2 = el("dl");
        for (var key in l) field(dl2, LABELS[key] || key.replace(/_/g, " "), value(key, l[key]), "layer." + key);
        all.appendChild(dl2);
                box.appendChild(all);
      }
    } else {
      var s = model.scopes[sel.scope], b = s.block || {};
      box.appendChild(el("h3", null, s.path));
      field(dl, "kind", s.kind, "kind");
      for (var k2 in b) if (k2 !== "name") field(dl, LABELS[k2] || k2.replace(/_/g, " "), value(k2, b[k2]), "block." + k2);
      specLine(dl, s.span, "spec line");
      box.appendChild(dl);
    }
  }
  function tipFor(target) {
    var g = target.closest ? target.closest("[data-node],[data-scope]") : null;
    if (!g || !$("diagram").contains(g) || g.classList.contains("frame")) return null;
    return g.hasAttribute("data-node") ? { node: Number(g.getAttribute("data-node")) } : { scope: Number(g.getAttribute("data-scope")) };
  }
  function hideTip() { $("tip").hidden = true; }
  function setupHover() {
    var d = $("diagram"), tip = $("tip");
    d.addEventListener("mousemove", function (ev) {
      var sel = tipFor(ev.target);
      if (!sel || d.classList.contains("dragging")) { hideTip(); return; }
      var key = JSON.stringify(sel);
      if (tip.dataset.key !== key) { showDetails(tip, sel, false); tip.dataset.key = key; }
      tip.hidden = false;
      var r = d.getBoundingClientRect(), tw = tip.offsetWidth, th = tip.offsetHeight;
      var x = ev.clientX - r.left + 16, y = ev.clientY - r.top + 16;
      if (x + tw > r.width) x = Math.max(0, ev.clientX - r.left - tw - 16);
      if (y + th > r.height) y = Math.max(0, r.height - th - 4);
      tip.style.left = x + "px"; tip.style.top = y + "px";
    });
    d.addEventListener("mouseleave", hideTip);
    d.addEventListener("click", function (ev) {
      if (d.dataset.dragged === "1") return;
      var t = ev.target, g = t.closest ? t.closest("[data-node],[data-scope]") : null;
      if (!g) return;
      if (g.hasAttribute("data-scope")) {
        var s = Number(g.getAttribute("data-scope"));
        if (t.closest(".toggle") || g.classList.contains("frame") && t.closest(".title")) { toggle(s); hideTip(); return; }
        select({ scope: s });
        return;
      }
      select({ node: Number(g.getAttribute("data-node")) });
    });
    d.addEventListener("dblclick", function (ev) {
      var g = ev.target.closest ? ev.target.closest("[data-scope]") : null;
      if (g) { toggle(Number(g.getAttribute("data-scope"))); hideTip(); }
    });
  }

  // -- the table -------------------------------------------------------------------------------

  var rows = { node: [], scope: [] };
  function buildTable() {
    var t0 = performance.now(), body = $("table-body");
    while (body.firstChild) body.removeChild(body.firstChild);
    rows = { node: [], scope: [] };
    function add(item, depth) {
      var tr = el("tr"), name = el("td", "name"), pad = el("span", "pad");
      pad.style.width = (depth * 12) + "px";
      name.appendChild(pad);
      var figs;
      if (item < 0) {
        var s = ArchcLayout.itemScope(item), sc = model.scopes[s], b = sc.block || {};
        var tg = el("span", "toggle", "");
        tg.setAttribute("data-toggle", String(s));
        name.appendChild(tg);
        name.appendChild(el("span", "bname", sc.name + "/"));
        tr.className = "block";
        tr.setAttribute("data-scope", String(s));
        figs = [sc.kind, shape(b.output_shape || []), num(b.params || 0), num(b.macs || 0)];
        rows.scope[s] = tr;
      } else {
        var n = model.nodes[item];
        name.appendChild(el("span", null, n.local));
        tr.setAttribute("data-node", String(item));
        figs = [n.op, shape(n.layer.output_shape), num(n.layer.params || 0), num(n.layer.macs || 0)];
        if (nodeFindings[item]) tr.className = "flagged";
        rows.node[item] = tr;
      }
      tr.appendChild(name);
      for (var k = 0; k < figs.length; k++) tr.appendChild(el("td", k >= 2 ? "r" : null, figs[k]));
      body.appendChild(tr);
      if (item < 0) {
        var ch = tree.children[ArchcLayout.itemScope(item)];
        for (var c = 0; c < ch.length; c++) add(ch[c], depth + 1);
      }
    }
    for (var i = 0; i < tree.root.length; i++) if (tree.root[i] < model.nodes.length) add(tree.root[i], 0);
    // The Type column is as wide as its longest name (`squeeze_excitation`, ...), measured
    // in the table's own font; the other columns share the rest.
    // FONT is the table's (12 px, the page's family): no computed style to wait for.
    var cellFont = FONT, typeWidth = textWidth("Type", BOLD), t;
    for (t = 0; t < model.nodes.length; t++) typeWidth = Math.max(typeWidth, textWidth(model.nodes[t].op, cellFont));
    for (t = 0; t < model.scopes.length; t++) typeWidth = Math.max(typeWidth, textWidth(model.scopes[t].kind, cellFont));
    $("table-type").closest("table").style.setProperty("--type-width", Math.ceil(typeWidth) + 14 + "px");
    body.onclick = function (ev) {
      var tr = ev.target.closest("tr");
      if (!tr) return;
      if (ev.target.hasAttribute("data-toggle")) { toggle(Number(ev.target.getAttribute("data-toggle"))); return; }
      if (tr.hasAttribute("data-node")) select({ node: Number(tr.getAttribute("data-node")) }, { centre: true, scrollTable: false });
      else select({ scope: Number(tr.getAttribute("data-scope")) }, { centre: true, scrollTable: false });
    };
    body.ondblclick = function (ev) {
      var tr = ev.target.closest("tr");
      if (tr && tr.hasAttribute("data-scope")) toggle(Number(tr.getAttribute("data-scope")));
    };
    syncTable();
    document.body.setAttribute("data-table-ms", String(Math.round(performance.now() - t0)));
  }
  function hiddenByCollapse(chain, upto) {
    for (var k = 0; k < upto; k++) if (collapsed[chain[k]]) return true;
    return false;
  }
  function syncTable() {
    var q = $("search").value.trim().toLowerCase();
    for (var i = 0; i < rows.node.length; i++) {
      var tr = rows.node[i];
      if (!tr) continue;
      var hidden = q ? model.nodes[i].name.toLowerCase().indexOf(q) < 0 : hiddenByCollapse(tree.chains[i], tree.chains[i].length);
      tr.hidden = hidden;
    }
    for (var s = 0; s < rows.scope.length; s++) {
      var row = rows.scope[s], anc = [];
      for (var p = model.scopes[s].parent; p >= 0; p = model.scopes[p].parent) anc.unshift(p);
      row.hidden = q ? model.scopes[s].path.toLowerCase().indexOf(q) < 0 : hiddenByCollapse(anc, anc.length);
      row.querySelector("[data-toggle]").textContent = collapsed[s] ? "\u25b8 " : "\u25be ";
    }
  }
  function rowFor(sel) { return sel.node !== undefined ? rows.node[sel.node] : rows.scope[sel.scope]; }
  function scrollRow(row) {
    var box = $("table-wrap"), top = row.offsetTop, h = box.clientHeight;
    if (top < box.scrollTop + 30 || top > box.scrollTop + h - 30) box.scrollTop = top - h / 2;
  }
  function setupTableHover() {
    var body = $("table-body"), last = null;
    body.addEventListener("mouseover", function (ev) {
      var tr = ev.target.closest("tr");
      if (last) last.classList.remove("hover");
      last = null;
      if (!tr) return;
      var q = tr.hasAttribute("data-node") ? '[data-node="' + tr.getAttribute("data-node") + '"]' : '[data-scope="' + tr.getAttribute("data-scope") + '"]';
      var g = $("world").querySelector(q);
      if (g) { g.classList.add("hover"); last = g; }
    });
    body.addEventListener("mouseleave", function () { if (last) last.classList.remove("hover"); last = null; });
  }

  // -- search ----------------------------------------------------------------------------------

  function markMatches() {
    var old = $("world").querySelectorAll(".match");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("match");
    for (i = 0; i < matches.length; i++) {
      var g = $("world").querySelector('[data-node="' + matches[i] + '"]');
      if (g) g.classList.add("match");
      else {
        var u = ArchcLayout.unitOf(tree, collapsed, matches[i]);
        var c = u < 0 ? $("world").querySelector('[data-scope="' + ArchcLayout.itemScope(u) + '"]') : null;
        if (c && !c.classList.contains("frame")) c.classList.add("match");
      }
    }
  }
  function setupSearch() {
    var input = $("search");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      matches = [];
      if (q) for (var i = 0; i < model.nodes.length; i++) if (model.nodes[i].name.toLowerCase().indexOf(q) >= 0) matches.push(i);
      matchAt = -1;
      $("search-count").textContent = q ? matches.length + " match" + (matches.length === 1 ? "" : "es") : "";
      markMatches();
      syncTable();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && matches.length) {
        matchAt = (matchAt + (ev.shiftKey ? matches.length - 1 : 1)) % matches.length;
        select({ node: matches[matchAt] }, { centre: true });
        markMatches();
        $("search-count").textContent = (matchAt + 1) + " of " + matches.length;
      } else if (ev.key === "Escape") {
        input.value = ""; input.dispatchEvent(new Event("input"));
      }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
    });
  }

  // -- header: totals, findings, model and depth switches ----------------------------------------

  function showTotals() {
    var sm = model.summary, box = $("totals");
    while (box.firstChild) box.removeChild(box.firstChild);
    $("title").textContent = clean(model.name + (model.variant ? " [" + model.variant + "]" : ""));
    document.title = $("title").textContent + " - archc report";
    function stat(label, text, key) {
      var d = el("div", "stat"), v = el("b", null, text);
      v.setAttribute("data-key", key);
      d.appendChild(el("span", null, label)); d.appendChild(v); box.appendChild(d);
    }
    stat("input", (sm.inputs || []).map(function (x) { return (sm.inputs.length > 1 ? x.name + " " : "") + shape(x.shape); }).join(", "), "inputs");
    var skip = { schema_version: 1, name: 1, variant: 1, inputs: 1, outputs: 1 };
    for (var key in sm) {
      if (skip[key]) continue;
      var text = value(key, sm[key]);
      var label = LABELS[key] || key.replace(/_/g, " ");
      if (key === "activation_bytes") { text = bytesText(sm[key]); label = "activations"; }
      stat(label, text, key);
    }
    stat("layers", num(model.nodes.filter(function (n) { return n.op !== "input"; }).length), "layers");
  }
  function findingLine(f, clickable) {
    var li = el(clickable ? "li" : "div", "finding sev-" + (f.severity === "error" ? "error" : "warning"));
    var head = el("div", "fhead");
    head.appendChild(el("b", null, f.code));
    head.appendChild(el("span", null, " " + (f.span ? "line " + f.span[0] + ": " : "") + f.message));
    li.appendChild(head);
    if (clickable) { li.setAttribute("title", f.message); return li; }
    for (var k = 0; k < f.notes.length; k++) li.appendChild(el("div", "fhelp", "note: " + f.notes[k]));
    if (f.help) li.appendChild(el("div", "fhelp", "help: " + f.help));
    return li;
  }
  function showFindings() {
    var list = $("findings-list");
    while (list.firstChild) list.removeChild(list.firstChild);
    $("findings-count").textContent = String(model.findings.length);
    $("findings").classList.toggle("none", model.findings.length === 0);
    model.findings.forEach(function (f, k) {
      var li = findingLine(f, true);
      li.setAttribute("data-finding", String(k));
      if (f.nodes.length) {
        li.classList.add("linked");
        li.addEventListener("click", function () {
          select({ node: f.nodes[0] }, { centre: true });
          for (var j = 0; j < f.nodes.length; j++) {
            var g = $("world").querySelector('[data-node="' + f.nodes[j] + '"]');
            if (g) g.classList.add("sel");
          }
        });
      }
      list.appendChild(li);
    });
  }
  function setupSwitches() {
    var ms = $("model");
    if (DATA.models.length > 1) {
      DATA.models.forEach(function (m, k) {
        var o = el("option", null, m.name + (m.variant ? " [" + m.variant + "]" : "") + "  (" + m.spec + ")");
        o.value = String(k);
        ms.appendChild(o);
      });
      ms.addEventListener("change", function () { load(Number(ms.value)); });
    } else {
      ms.hidden = true;
    }
    $("depth").addEventListener("change", function () {
      var v = $("depth").value;
      if (v === "") return;
      setDepth(v === "all" ? null : Number(v));
      draw(); keepSelectionShown(); syncTable(); fit(true);
    });
  }
  function fillDepths() {
    var d = $("depth"), max = 0;
    while (d.firstChild) d.removeChild(d.firstChild);
    for (var s = 0; s < tree.depth.length; s++) max = Math.max(max, tree.depth[s]);
    var o = el("option", null, "depth\u2026"); o.value = ""; d.appendChild(o);
    for (var k = 1; k <= max; k++) { o = el("option", null, "depth " + k); o.value = String(k); d.appendChild(o); }
    o = el("option", null, "all expanded"); o.value = "all"; d.appendChild(o);
    d.hidden = max === 0;
  }

  // -- loading a model ---------------------------------------------------------------------------

  function load(k) {
    model = DATA.models[k];
    tree = ArchcLayout.buildTree(model);
    collapsed = new Uint8Array(model.scopes.length);
    setDepth(DATA.depth);
    nodeFindings = {};
    model.findings.forEach(function (f) {
      f.nodes.forEach(function (i) { (nodeFindings[i] = nodeFindings[i] || []).push(f); });
    });
    selected = null; matches = []; $("search").value = ""; $("search-count").textContent = "";
    $("model").value = String(k);
    showTotals(); showFindings(); fillDepths();
    $("depth").value = DATA.depth === null ? "all" : String(DATA.depth);
    draw();
    buildTable();
    showDetails($("details"), null, true);
    fit(true);
    hideTip();
  }

  var t0 = performance.now();
  setupPanZoom(); setupHover(); setupSearch(); setupSwitches(); setupTableHover();
  load(DATA.initial || 0);
  window.addEventListener("resize", function () { apply(); });
  // For tests and benchmarks: the page is interactive from here on.
  // For tests and benchmarks: milliseconds spent in this script, and since navigation
  // started (ready: interactive; painted: the first frame after that is on screen).
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now() - t0)));
  document.body.setAttribute("data-ready-at", String(Math.round(performance.now())));
  requestAnimationFrame(function () {
    setTimeout(function () { document.body.setAttribute("data-painted-at", String(Math.round(performance.now()))); }, 0);
  });
  document.body.classList.add("ready");
  window.archcReport = {
    select: function (name) {
      for (var i = 0; i < model.nodes.length; i++) if (model.nodes[i].name === name) { select({ node: i }, { centre: true }); return i; }
      return -1;
    },
    toggle: function (path) {
      for (var s = 0; s < model.scopes.length; s++) if (model.scopes[s].path === path) { toggle(s); return s; }
      return -1;
    },
    setDepth: function (d) { setDepth(d); draw(); keepSelectionShown(); syncTable(); },
    fit: function () { fit(false); },
    state: function () {
      return { boxes: drawn.boxes, edges: drawn.edges.length, width: drawn.w, height: drawn.h,
               collapsed: Array.prototype.slice.call(collapsed), view: view };
    },
    load: load
  };
})();
