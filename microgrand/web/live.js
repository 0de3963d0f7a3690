/* The live view: every input editable, every value and gradient recomputed in the page.
 *
 * MG.kinds.live(view, model, MG) is called by the runtime with the view's element (the
 * diagram's SVG with hooks, empty panels) and the page model built in Python
 * (microgrand.pages.live.live_model). MG.graphView(...) is the part the quiz shares: it
 * recomputes the graph with engine.js (MicrograndEngine: the rules' JavaScript forms) and
 * writes the numbers, colours, edge derivatives and errors into the diagram.
 *
 * DOM contract (stable; tests and scripts rely on it):
 *   input[data-leaf=NAME]                       a leaf's number box; set .value and fire
 *                                               "input" or "change": the page recomputes
 *   input[type=range][data-scrub=NAME]          the same leaf's slider
 *   [data-node=NAME][data-field="data"|"grad"]  every number on the diagram; data-number is
 *                                               the full-precision float (Python repr), or
 *                                               empty when undefined
 *   [data-edge=ID][data-field="local"]          the local derivative on an input edge
 *   g[data-id][data-error]                      the node whose operation was refused (Python's
 *                                               message); g[data-undefined] downstream of it
 *   .mg-live[data-error]                        the first message ("" when all is defined)
 *   select[data-nudge-leaf], input[data-nudge-h], [data-nudge="before"|"after"|"change"|
 *   "predicted"] (data-number)                  the nudge panel
 *   .mg-live[data-colour="off"]                 color=None: boxes keep the theme's fill
 *   event "mg-change" on .mg-live               after each recomputation; detail.values
 *   input[data-leaf][aria-invalid] + .mg-ctl-msg  a box holding something that is not a
 *                                               finite number: "type a number", the leaf
 *                                               keeps its last good value
 *   g[data-id][role=button][aria-label]         each box: focusable (one tab stop, arrow keys),
 *                                               Enter/Space/click show its chain rule, said in
 *                                               .mg-status (live_nav.js); zoom: MG.zoom
 *                                               (runtime.js), buttons [data-action=zoom-in|
 *                                               zoom-out|fit] and [data-zoom], .mg-zoom-level
 * Plain ES5 (plus what engine.js needs) so that it runs in every notebook front end.
 */
/* A number typed by a person: decimal or exponent notation ("−" and "," accepted), finite;
   null for anything else ("abc", "1e309", "nan", "Infinity", "0x10", nothing). */
MG.parseNumber = function (text) {
  var t = String(text).trim().replace(/\u2212/g, "-").replace(/,/g, ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) { return null; }
  var x = Number(t);
  return isFinite(x) ? x : null;
};

MG.graphView = function (view, model, MG, frame) {
  var E = typeof MicrograndEngine !== "undefined" ? MicrograndEngine :
    (typeof module === "object" && module && module.exports);
  var rules = E.compileRules(model.rules);
  var P = model.precision;
  var nodes = model.engine.nodes, n = nodes.length, index = {}, byName = {}, info = [];
  var gnodes = model.graph.nodes;
  nodes.forEach(function (nd, k) { index[nd.id] = k; });
  gnodes.forEach(function (g, k) { byName[g.name] = k; });
  var outEdges = nodes.map(function () { return []; });
  model.graph.edges.forEach(function (e) { outEdges[index[e.src]].push(e); });
  var svg = frame.querySelector("svg");
  var style = getComputedStyle(frame);
  function cssVar(name) { return style.getPropertyValue(name).trim(); }
  var colours = {
    fill: cssVar("--mg-node-fill") || "#ffffff",
    neg: cssVar("--mg-negative") || "#4393c3",
    pos: cssVar("--mg-positive") || "#d6604d",
    decades: parseFloat(cssVar("--mg-decades")) || 3,
    minTint: parseFloat(cssVar("--mg-min-tint")) || 0.15
  };
  for (var k = 0; k < n; k++) {
    info.push({g: null, box: null, data: null, grad: null, fill: null, state: "",
      slotData: {}, slotGrad: {}});
  }
  frame.querySelectorAll("g[data-id]").forEach(function (g) {
    var k = index[g.getAttribute("data-id")];
    if (k === undefined) { return; }
    info[k].g = g;
    info[k].box = g.querySelector(".mg-box");
    var d = g.querySelector('[data-field="data"]'), gr = g.querySelector('[data-field="grad"]');
    info[k].data = d; info[k].grad = gr;
  });
  var edgeSpan = {};
  frame.querySelectorAll('[data-field="local"]').forEach(function (s) {
    var g = s.closest ? s.closest("g[data-edge]") : null;
    var before = s.previousSibling;
    edgeSpan[s.getAttribute("data-edge")] = {el: s, slot: {}, g: g && g.hasAttribute("data-name") ? g : null,
      prefix: before && before.nodeType === 3 ? before.data.trim() + " " : ""};
  });
  /* An edge label was laid out with room after it for the longest number (no-break spaces,
     live_layout.LiveWriter.edge_label): anchor it at its left end and drop that room, so a
     longer number grows into it instead of spreading over both sides. */
  function anchor(text, where) {
    var bb;
    if (!text || text.getAttribute("text-anchor") === where) { return true; }
    try { bb = text.getBBox(); } catch (e) { return false; }
    if (!bb || !bb.width) { return false; }
    text.setAttribute("text-anchor", where);
    text.setAttribute("x", String(where === "start" ? bb.x : bb.x + bb.width / 2));
    return true;
  }
  Object.keys(edgeSpan).forEach(function (key) {
    var el = edgeSpan[key].el, tail = el.nextSibling;
    if (anchor(el.parentNode, "start") && tail && tail.nodeType === 3) { tail.data = ""; }
  });
  /* A box's number is written from the left of a cell as wide as the longest number
     (LiveWriter, ALIGN="LEFT"): keep it anchored there, so a longer one grows into that room. */
  info.forEach(function (it) {
    if (it.data) { anchor(it.data.parentNode, "start"); }
    if (it.grad) { anchor(it.grad.parentNode, "start"); }
  });
  var edgeList = [];  /* [node index, position, span] */
  nodes.forEach(function (nd, k) {
    (nd.inputs || []).forEach(function (src, j) {
      var s = edgeSpan["e-" + src + "-" + nd.id + "-" + j];
      if (s) { edgeList.push([k, j, s]); }
    });
  });

  /* Python's round(): half to even. */
  function roundEven(v) {
    var r = Math.round(v);
    if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) { r -= 1; }
    return r;
  }
  function rgb(c) {
    return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  }
  var RGB = {fill: rgb(colours.fill), neg: rgb(colours.neg), pos: rgb(colours.pos)};
  function hex2(v) { var s = v.toString(16); return s.length < 2 ? "0" + s : s; }
  /* microgrand.render.themes.mix */
  function mix(a, b, t) {
    t = Math.min(1, Math.max(0, t));
    return "#" + [0, 1, 2].map(function (i) { return hex2(roundEven(a[i] + (b[i] - a[i]) * t)); }).join("");
  }
  /* microgrand.render.themes.grad_strength and grad_fill */
  function strength(g, maxAbs) {
    var a = Math.abs(g);
    if (a === 0 || maxAbs <= 0) { return 0; }
    if (a === Infinity) { return 1; }
    if (maxAbs === Infinity) { return colours.minTint; }
    return Math.min(1, Math.max(colours.minTint, 1 + Math.log10(a / maxAbs) / colours.decades));
  }
  function gradFill(g, maxAbs) {
    if (isNaN(g) || isNaN(maxAbs)) { return colours.fill; }
    return mix(RGB.fill, g > 0 ? RGB.pos : RGB.neg, strength(g, maxAbs));
  }
  function maxAbsOf(grads) {
    var m = 0, any = false, inf = false;
    for (var k = 0; k < grads.length; k++) {
      var g = grads[k];
      if (g === null || isNaN(g)) { continue; }
      any = true;
      var a = Math.abs(g);
      if (a === Infinity) { inf = true; } else if (a > m) { m = a; }
    }
    return m > 0 || !inf ? (any ? m : 0) : Infinity;
  }

  /* Write only what changed; change the text node's data in place (cheaper than replacing
     the node, which makes Chromium rebuild the SVG text). */
  function setText(el, text) {
    var t = el.firstChild;
    if (t && t.nodeType === 3 && !t.nextSibling) {
      if (t.data !== text) { t.data = text; }
    } else if (el.textContent !== text) { el.textContent = text; }
  }
  function setNumber(el, x) {
    var s = x === null || x === undefined ? "" : MG.repr(x);
    if (el.getAttribute("data-number") !== s) { el.setAttribute("data-number", s); }
  }
  /* one shown number: skip everything when the float is the same as last time */
  function show(el, slot, x, text) {
    if (slot.last === x && slot.shown) { return; }
    slot.last = x; slot.shown = true;
    setNumber(el, x);
    setText(el, text !== undefined ? text : (x === null ? UNDEF : api.fmt(x)));
  }
  var UNDEF = "undefined";
  var api = {
    E: E, rules: rules, nodes: nodes, index: index, byName: byName, info: info, n: n,
    outEdges: outEdges, names: gnodes.map(function (g) { return g.name; }), P: P,
    colours: colours, gradFill: gradFill, maxAbs: 0, result: null,
    hidden: {}  /* "data:k" / "grad:k" -> true: the quiz hides these numbers */
  };
  /* MG.formatFixed, fast: JavaScript's toFixed rounds the exact binary value like Python's
     "%.{p}f" except on an exact tie (Python: half to even; JavaScript: up). A tie needs
     x = odd / 2^(p+1) exactly, which is cheap to test; those and the rare exponent form go
     to the exact (slower) formatter of the runtime. */
  var tieScale = Math.pow(2, P + 1), expBelow = 0.5 * Math.pow(10, -P);
  /* The decimals x is shown with: P, or fewer where the graph has a rule that is not exactly
     rounded in a browser (model.inexact; engine.js's contract) and P decimals would show more
     than model.shown_digits significant digits, where the browser's last bits could differ
     from Python's. Only numbers from 10 to 1e6, at a precision of 10 or more, lose decimals
     (from 1e6 up the exponent form has at most 13 significant digits already). */
  var maxDigits = model.inexact ? model.shown_digits : Infinity;
  function places(a) {
    if (maxDigits === Infinity || !(a >= 10 && a < 1e6)) { return P; }
    return Math.max(0, Math.min(P, maxDigits - 1 - Math.floor(Math.log10(a))));
  }
  api.fmt = function (x) {
    var a = Math.abs(x), p = places(a);
    if (p !== P) { return MG.formatFixed(x, p); }
    if (x !== 0 && a < 1e6 && a >= expBelow) {
      var y = x * tieScale;
      if (!(y % 1 === 0 && y % 2 !== 0)) { return x.toFixed(P); }
    }
    return MG.formatFixed(x, P);
  };
  api.short = function (x) { return MG.formatShort(x, places(Math.abs(x))); };
  api.paren = function (x) { var s = api.short(x); return s.charAt(0) === "-" ? "(" + s + ")" : s; };

  /* Recompute everything with the leaves' current values (nodes[k].value). */
  api.compute = function () {
    var r = E.evaluate(rules, model.engine, 1);
    /* the node that refused: its inputs are all defined (or it is a leaf) */
    r.origin = r.errors.map(function (msg, k) {
      if (msg === null) { return false; }
      var ins = nodes[k].inputs || [];
      for (var j = 0; j < ins.length; j++) { if (r.errors[index[ins[j]]] !== null) { return false; } }
      return true;
    });
    api.result = r;
    return r;
  };

  /* Write a result into the diagram. */
  var colourOn = api.colourOn = frame.getAttribute("data-colour") !== "off";
  /* the message on the node itself (shown on hover) */
  function tooltip(g, text) {
    var t = g.querySelector(":scope > title");
    if (!text) { if (t) { g.removeChild(t); } return; }
    if (!t) { t = document.createElementNS("http://www.w3.org/2000/svg", "title"); g.insertBefore(t, g.firstChild); }
    t.textContent = text;
  }
  api.render = function (r) {
    var maxAbs = r.ok ? maxAbsOf(r.grads) : 0;
    api.maxAbs = maxAbs;
    for (var k = 0; k < n; k++) {
      var it = info[k];
      if (!it.g) { continue; }
      var v = r.values[k], g = r.grads[k];
      if (it.data && !api.hidden["data:" + k]) { show(it.data, it.slotData, v); }
      if (it.grad && !api.hidden["grad:" + k]) { show(it.grad, it.slotGrad, g); }
      var state = r.errors[k] === null ? "" : (r.origin[k] ? "error" : "undef");
      if (state !== it.state) {
        it.g.classList.toggle("mg-error", state === "error");
        it.g.classList.toggle("mg-undef", state !== "");
        if (state === "error") { it.g.setAttribute("data-error", r.errors[k]); }
        else { it.g.removeAttribute("data-error"); }
        tooltip(it.g, state === "error" ? r.errors[k] : state === "undef" ?
          "undefined: an operation before this one was refused" : "");
        if (state === "undef") { it.g.setAttribute("data-undefined", ""); }
        else { it.g.removeAttribute("data-undefined"); }
        it.state = state;
      }
      if (it.box && colourOn) {
        var fill = (g === null || api.hidden["grad:" + k]) ? colours.fill : gradFill(g, maxAbs);
        if (fill !== it.fill) { it.box.setAttribute("fill", fill); it.fill = fill; }
      }
    }
    for (var e = 0; e < edgeList.length; e++) {
      var ed = edgeList[e], loc = r.locals[ed[0]], span = ed[2];
      var x = loc ? loc[ed[1]] : null;
      show(span.el, span.slot, x);
      if (span.g) {
        setLabel(span.g, span.g.getAttribute("data-name") + ", local derivative " + span.prefix +
          (x === null ? UNDEF : api.fmt(x)));
      }
    }
    for (k = 0; k < n; k++) {
      if (info[k].g && info[k].g.hasAttribute("role")) { setLabel(info[k].g, api.spokenNode(k, r)); }
    }
    frame.setAttribute("data-error", r.error === null ? "" : r.error);
  };

  /* Accessible names: what a screen reader says for a box or an edge, its visible text in
     order ("w, data = -3.0000, grad = 1.0019, an input"; "edge from w into x·w (×), local
     derivative ∂/∂w = 2.0000"); a number the quiz hides is "unknown". Value boxes are named
     once a page gives them a role (live.js: buttons). */
  function setLabel(el, text) {
    if (el.getAttribute("aria-label") !== text) { el.setAttribute("aria-label", text); }
  }
  function spoken(x) { return x === null || x === undefined ? UNDEF : api.fmt(x); }
  var kindOf = nodes.map(function (nd) {
    if (nd.id === model.engine.root) { return "the output"; }
    if (nd.op) { return "made by " + model.forms[nd.id].symbol; }
    var leaf = (model.leaves || []).filter(function (l) { return l.id === nd.id; })[0];
    return leaf && leaf.labelled ? "an input" : "a constant";
  });
  api.spokenNode = function (k, r) {
    var it = info[k], s = api.names[k];
    if (it.data) { s += ", data = " + (api.hidden["data:" + k] ? "unknown" : spoken(r.values[k])); }
    if (it.grad) { s += ", grad = " + (api.hidden["grad:" + k] ? "unknown" : spoken(r.grads[k])); }
    s += ", " + kindOf[k];
    if (r.errors[k] !== null) { s += r.origin[k] ? ", refused: " + r.errors[k] : ", undefined"; }
    return s;
  };

  /* The gradient colour scale under the diagram (same steps as draw(color="grad")'s legend). */
  api.scale = function (el) {
    var m = api.maxAbs, d = colours.decades, steps = [], i;
    if (!(m > 0 && m < Infinity)) {
      el.innerHTML = m === Infinity ? "fill = gradient: some gradient is infinite" :
        "fill = gradient: every gradient is 0 (or undefined)";
      return;
    }
    for (i = d - 1; i >= 0; i--) { steps.push(Math.pow(10, -i)); }  /* 0.01, 0.1, 1 */
    var coloured = colours.neg !== colours.pos;
    var all = coloured ? steps.slice().reverse().map(function (s) { return -s; }).concat([0], steps) :
      [0].concat(steps);
    var sw = all.map(function (s) {
      return '<span class="mg-swatch" style="background:' + gradFill(s * m, m) + '"></span>';
    }).join("");
    el.innerHTML = (coloured ? "fill = gradient (×10 per step): " : "shade = |gradient| (×10 per step): ") +
      '<span class="mg-scale-end">' + (coloured ? "-" + MG.escape(api.fmt(m)) : "0") + "</span>" + sw +
      '<span class="mg-scale-end">+' + MG.escape(api.fmt(m)) + "</span>";
  };

  /* Set a leaf (node index) to x. */
  api.setLeaf = function (k, x) { nodes[k].value = x; };
  api.leafValue = function (k) { return nodes[k].value; };

  /* The output after changing leaf k by h (null and the message when undefined). */
  api.nudged = function (k, h) {
    var old = nodes[k].value;
    nodes[k].value = old + h;
    var r = E.evaluate(rules, model.engine, 1);
    nodes[k].value = old;
    var root = index[model.engine.root];
    return {value: r.values[root], error: r.values[root] === null ? r.error : null};
  };

  /* The forward line of an operation node: [names form, numbers form]. */
  api.forward = function (k, known) {
    var f = model.forms[nodes[k].id], ins = nodes[k].inputs, r = api.result;
    var names = [], nums = [], numsOk = true;
    f.forward.forEach(function (p) {
      if (typeof p === "number") {
        var j = index[ins[p]], nm = api.names[j];
        names.push(model.paren[ins[p]] ? "(" + nm + ")" : nm);
        var v = r.values[j];
        if (v === null || (known && !known(j, "data"))) { nums.push(nm); numsOk = false; }
        else { nums.push(api.paren(v)); }
      } else { names.push(p); nums.push(p); }
    });
    return {names: names.join(""), numbers: nums.join(""), complete: numsOk};
  };

  /* The gradient terms of node k: [{symbol, worded, upstream, local, value, dst}]. */
  api.terms = function (k) {
    var r = api.result, out = [];
    outEdges[k].forEach(function (e) {
      var dst = index[e.dst], form = model.forms[e.dst].edges[e.position];
      var g = r.grads ? r.grads[dst] : null, loc = r.locals[dst] ? r.locals[dst][e.position] : null;
      out.push({symbol: form.symbol, worded: form.worded, upstream: g, local: loc,
        value: g === null || loc === null ? null : g * loc, dst: dst, position: e.position});
    });
    return out;
  };
  return api;
};

MG.kinds.live = function (view, model, MG) {
  var frame = view.querySelector(".mg-live");
  var gv = MG.graphView(view, model, MG, frame);
  var esc = MG.escape, P = model.precision;
  var statusEl = frame.querySelector(".mg-status");
  var controls = frame.querySelector(".mg-controls"), explainEl = frame.querySelector(".mg-explain"),
      nudgeEl = frame.querySelector(".mg-nudge"), errorsEl = frame.querySelector(".mg-errors"),
      scaleEl = frame.querySelector(".mg-scale");
  var rootK = gv.index[model.engine.root];
  var leaves = model.leaves.filter(function (l) { return l.editable; });
  var selected = leaves.length ? gv.index[leaves[0].id] : rootK;

  /* the controls: a number box, a slider and a message per editable leaf */
  var uid = view.parentNode && view.parentNode.id ? view.parentNode.id : "mg-live";
  var rows = leaves.map(function (l, i) {
    var v = MG.num(l.value), name = esc(l.name), id = uid + "-leaf-" + i;
    return '<div class="mg-ctl"><label class="mg-ctl-name" for="' + id + '">' + name + '</label>' +
      '<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" id="' + id +
      '" data-leaf="' + name + '" value="' + MG.repr(v) + '" aria-describedby="' + id + '-msg">' +
      '<input type="range" step="any" data-scrub="' + name + '" min="' + l.min + '" max="' + l.max +
      '" value="' + MG.repr(v) + '" aria-label="' + name + ' slider">' +
      '<span class="mg-ctl-msg mg-err-text" id="' + id + '-msg" aria-live="polite"></span></div>';
  });
  controls.innerHTML = rows.join("") + (leaves.length ? "" :
    '<span class="mg-muted">No labelled inputs: pass constants=True to edit the numbers.</span>');
  var boxes = {}, sliders = {};
  var allBoxes = controls.querySelectorAll("input[data-leaf]"),
      allSliders = controls.querySelectorAll("input[data-scrub]"),
      allMsgs = controls.querySelectorAll(".mg-ctl-msg");
  leaves.forEach(function (l, i) {
    var k = gv.index[l.id];
    /* by position, not by a selector built from the name (a name may hold any character) */
    var box = allBoxes[i], sl = allSliders[i], msg = allMsgs[i];
    /* the exact name (HTML turns a carriage return inside markup into a line feed) */
    box.setAttribute("data-leaf", l.name);
    sl.setAttribute("data-scrub", l.name);
    boxes[k] = box; sliders[k] = sl;
    /* anything but a finite number ("abc", "1e309", "nan", nothing) keeps the last good value */
    function bad(on) {
      if (on) {
        box.setAttribute("aria-invalid", "true");
        msg.textContent = "type a number (" + l.name + " stays " + MG.repr(gv.leafValue(k)) + ")";
      } else if (box.hasAttribute("aria-invalid")) {
        box.removeAttribute("aria-invalid");
        msg.textContent = "";
      }
    }
    function fromBox() {
      var x = MG.parseNumber(box.value);
      if (x === null) { bad(true); return; }
      bad(false);
      if (x < parseFloat(sl.min)) { sl.min = String(x); }
      if (x > parseFloat(sl.max)) { sl.max = String(x); }
      sl.value = String(x);
      gv.setLeaf(k, x);
      update();
    }
    function fromSlider() {
      var x = parseFloat(sl.value);
      box.value = String(x);
      bad(false);
      gv.setLeaf(k, x);
      update();
    }
    box.addEventListener("input", fromBox);
    box.addEventListener("change", fromBox);
    sl.addEventListener("input", fromSlider);
    sl.addEventListener("change", fromSlider);
  });
  /* the nudge panel */
  nudgeEl.innerHTML = '<div class="mg-head">Nudge an input</div>' +
    '<div class="mg-bar"><label>input <select data-nudge-leaf>' + leaves.map(function (l) {
      return '<option value="' + esc(l.id) + '">' + esc(l.name) + "</option>";
    }).join("") + '</select></label><label>step h <input type="text" inputmode="decimal" autocomplete="off" ' +
    'data-nudge-h value="0.01" class="mg-h"></label></div><div class="mg-nudge-body" aria-live="polite"></div>';
  var nudgeLeaf = nudgeEl.querySelector("[data-nudge-leaf]"), nudgeH = nudgeEl.querySelector("[data-nudge-h]"),
      nudgeBody = nudgeEl.querySelector(".mg-nudge-body");
  if (!leaves.length) { nudgeEl.style.display = "none"; }
  nudgeLeaf.addEventListener("change", function () { showNudge(); });
  nudgeH.addEventListener("input", function () { showNudge(); });

  function numCell(key, x, text) {
    return '<b data-nudge="' + key + '" data-number="' + (x === null ? "" : MG.repr(x)) + '">' +
      esc(text !== undefined ? text : (x === null ? "undefined" : gv.short(x))) + "</b>";
  }
  function showNudge() {
    if (!leaves.length) { return; }
    var k = gv.index[nudgeLeaf.value], h = MG.parseNumber(nudgeH.value), r = gv.result;
    var L = gv.names[rootK], x = gv.names[k];
    if (h === null) {
      nudgeH.setAttribute("aria-invalid", "true");
      nudgeBody.innerHTML = '<div class="mg-err-text">type a number for the step h.</div>'; return;
    }
    nudgeH.removeAttribute("aria-invalid");
    var before = r.values[rootK];
    if (before === null) {
      nudgeBody.innerHTML = '<div class="mg-muted">The output is undefined at these inputs: ' +
        "nothing to nudge.</div>" + numCell("before", null, "");
      return;
    }
    var after = gv.nudged(k, h), g = r.grads ? r.grads[k] : null;
    var change = after.value === null ? null : after.value - before;
    var pred = g === null ? null : g * h;
    var lines = [
      "<div>" + esc(L) + " now: " + numCell("before", before) + "</div>",
      "<div>" + esc(L) + " at " + esc(x) + " + h = " + esc(gv.short(gv.leafValue(k) + h)) + ": " +
        numCell("after", after.value) + (after.error ? ' <span class="mg-err-text">(' + esc(after.error) + ")</span>" : "") + "</div>",
      "<div>actual change: " + numCell("change", change) + "</div>",
      "<div>gradient × h = " + esc(g === null ? "undefined" : gv.short(g)) + " × " + esc(gv.paren(h)) +
        " = " + numCell("predicted", pred) + ' <span class="mg-muted">(the linear prediction)</span></div>'
    ];
    if (change !== null && pred !== null) {
      var err = change - pred, rel = change !== 0 ? Math.abs(err / change) : (pred === 0 ? 0 : Infinity);
      lines.push('<div class="mg-muted">prediction misses by ' + esc(gv.short(err)) +
        (rel < 0.01 ? ": the gradient predicts this change well." :
          rel < 0.2 ? ": close; the curve bends a little over this step." :
          ": the linear prediction fails here (a kink, or h too large for the curve).") + "</div>");
    }
    nudgeBody.innerHTML = lines.join("");
  }

  /* the explanation of the selected node */
  function showExplain() {
    var k = selected, r = gv.result, nd = gv.nodes[k], name = gv.names[k], h = [];
    var kind = k === rootK ? "the output" : nd.op ? "a " + model.forms[nd.id].symbol + " node" :
      (model.leaves.filter(function (l) { return l.id === nd.id; })[0] || {}).labelled ? "an input" : "a constant";
    h.push('<div class="mg-head"><b>' + esc(name) + '</b> <span class="mg-muted">(' + esc(kind) +
      ")</span></div>");
    var v = r.values[k];
    if (nd.op) {
      var f = gv.forward(k);
      h.push('<div class="mg-eq">' + esc(name) + " = " + esc(f.names) + " = " + esc(f.numbers) +
        " = <b>" + (v === null ? "undefined" : esc(gv.short(v))) + "</b></div>");
      model.forms[nd.id].edges.forEach(function (e) {
        var loc = r.locals[k] ? r.locals[k][e.position] : null;
        h.push('<div class="mg-eq mg-muted">' + esc(e.local) + " = " + (e.worded ? esc(e.worded) + " = " : "") +
          esc(loc === null ? "undefined" : gv.short(loc)) + "</div>");
      });
    } else {
      h.push('<div class="mg-eq">' + esc(name) + " = <b>" + (v === null ? "undefined" : esc(gv.short(v))) + "</b></div>");
    }
    if (nd.op && r.origin[k]) {
      h.push('<div class="mg-err-text">' + esc(r.errors[k]) + "</div>");
    }
    var lhs = model.lhs[nd.id], g = r.grads ? r.grads[k] : null;
    if (g === null) {
      h.push('<div class="mg-eq">' + esc(lhs) + " = undefined " +
        '<span class="mg-muted">(the forward pass failed, so there is no backward pass)</span></div>');
    } else if (k === rootK) {
      h.push('<div class="mg-eq">' + esc(lhs) + " = <b>1.0</b> " +
        '<span class="mg-muted">(' + esc(model.remarks.start) + ")</span></div>");
    } else {
      /* the chain-rule line, written in Python (microgrand.stepper.notation.chain_stages);
         only its numbers are filled in here */
      var chain = model.chains[nd.id], t = chain.terms;
      var parts = MG.renderStages(chain.stages, function (slot) {
        var c = t[slot.term], j = gv.index[c.node];
        var up = r.grads[j], loc = r.locals[j][c.position];
        return slot.n === "upstream" ? up : slot.n === "local" ? loc : up * loc;
      }, P);
      h.push('<div class="mg-eq">' + esc(lhs) + " = " + parts.map(esc).join(" = ") + " = <b>" +
        esc(gv.short(g)) + "</b></div>");
      if (t.length > 1) {
        h.push('<div class="mg-muted">' + esc(name) + " is used " + t.length +
          " times: its gradient is the sum of one term per use.</div>");
      }
    }
    explainEl.innerHTML = h.join("");
  }

  function select(k) {
    if (gv.info[selected].g) { gv.info[selected].g.classList.remove("mg-sel"); }
    selected = k;
    if (gv.info[k].g) { gv.info[k].g.classList.add("mg-sel"); }
    showExplain();
  }
  /* a box chosen by click, Enter or Space: its chain-rule line, said by screen readers too */
  function activate(k) {
    select(k);
    if (boxes[k]) { nudgeLeaf.value = gv.nodes[k].id; showNudge(); }
    statusEl.textContent = explainEl.innerText || explainEl.textContent;
  }
  var order = [];
  for (var j = 0; j < gv.n; j++) { if (gv.info[j].g) { order.push(j); } }
  var nav = MG.diagramNav({
    stage: frame.querySelector(".mg-stage"), bar: frame.querySelector(".mg-zoom"),
    items: order.map(function (j) { return gv.info[j].g; }),
    activate: function (i) { activate(order[i]); }
  });
  frame.querySelector("svg").addEventListener("click", function (e) {
    var g = e.target.closest ? e.target.closest("g[data-op]") : null;
    if (g && gv.index[g.getAttribute("data-op")] !== undefined) {
      activate(gv.index[g.getAttribute("data-op")]);
    }
  });

  function showErrors(r) {
    var msgs = [];
    r.errors.forEach(function (m, k) {
      if (m !== null && r.origin[k]) {
        msgs.push('<div class="mg-err-text"><b>' + esc(gv.names[k]) + "</b>: " + esc(m) +
          " <span class=\"mg-muted\">(everything after it is undefined)</span></div>");
      }
    });
    if (r.ok) {
      var bad = [];
      r.grads.forEach(function (g, k) { if (!isFinite(g)) { bad.push(gv.names[k] + " = " + gv.short(g)); } });
      if (bad.length) {
        msgs.push('<div class="mg-err-text">Some gradients are not finite (' + esc(bad.slice(0, 4).join(", ")) +
          (bad.length > 4 ? ", …" : "") + "): a local derivative is infinite here; backward() warns " +
          "about this in Python too.</div>");
      }
    }
    errorsEl.innerHTML = msgs.join("");
  }

  function values() {
    var out = {};
    leaves.forEach(function (l) { out[l.name] = gv.leafValue(gv.index[l.id]); });
    return out;
  }
  function update() {
    var r = gv.compute();
    gv.render(r);
    if (gv.colourOn) { gv.scale(scaleEl); }
    showErrors(r);
    showExplain();
    showNudge();
    var ev;
    try { ev = new CustomEvent("mg-change", {detail: {values: values()}}); }
    catch (e) { ev = null; }
    if (ev) { frame.dispatchEvent(ev); }
  }
  if (gv.info[selected].g) { gv.info[selected].g.classList.add("mg-sel"); }
  update();
  return {update: update, select: select, graph: gv, nav: nav};
};
