/* The explorer: a whole network on one page, opened group by group.
 *
 * MG.kinds.explore(view, model, MG) is called by the runtime with the view's element and the
 * page model built in Python (microgrand.pages.explore.Explorer.model): model.views maps a
 * group path ("" for the top level) to the SVG of that view (Graphviz, laid out in Python,
 * with the hooks of microgrand.pages.hook_svg) and its steps, or to the reason it has none;
 * model.groups holds each group's numbers; model.nodes the values any view shows.
 *
 * DOM contract (stable; tests and scripts rely on it):
 *   [data-group=PATH]                 a group: a box (data-expanded="false") opens on click,
 *                                     an open group's frame (data-expanded="true") closes
 *   g[data-id=ID] [data-node=NAME][data-field="data"|"grad"][data-number]
 *                                     every value shown and its full-precision numbers
 *   [data-action="start"|"prev"|"play"|"next"]  stepping; [data-step] the text "i/n"
 *   [data-action="fit"]               reset zoom and pan (the SVG's viewBox)
 *   [data-crumb=PATH]                 the breadcrumb; input[data-find] find a node or group
 *   .mg-explore[data-view=PATH]       the open group ("" for the top level)
 *   .mg-details                       details of the node or group clicked last
 * Wheel or pinch zooms, dragging pans, arrow keys step.
 */
MG.kinds.explore = function (view, model, MG) {
  var root = view.querySelector(".mg-explore"), P = model.precision, esc = MG.escape;
  function q(s) { return root.querySelector(s); }
  function num(x) { return MG.formatShort(x, P); }
  function paren(x) { var s = num(x); return s.charAt(0) === "-" ? "(" + s + ")" : s; }
  var canvas = q(".mg-canvas"), crumbs = q(".mg-crumbs"), head = q(".mg-head"),
      body = q(".mg-body"), count = q("[data-step]"), stepText = q(".mg-step-text"),
      find = q("input[data-find]"), playB = q('[data-action="play"]');
  var cur = null, svg = null, base = null, box = null, steps = [], k = 0, timer = null;
  var items = {};  /* node id or group path -> element of the current view */

  /* --- views and the breadcrumb ---------------------------------------------------------- */
  function parentOf(path) { return path.indexOf("/") < 0 ? "" : path.slice(0, path.lastIndexOf("/")); }
  function nameOf(path) { return path.slice(path.lastIndexOf("/") + 1); }

  function open(path, whole) {
    var v = model.views[path];
    if (!v) { return false; }
    if (v.refused) {
      head.innerHTML = "<b>" + esc(path || "top level") + "</b> cannot be opened here";
      body.innerHTML = '<div class="mg-text">' + esc(v.refused) + "</div>";
      return false;
    }
    stop();
    cur = path;
    canvas.innerHTML = v.svg.replace(/`/g, "<");  /* see Explorer.model */
    svg = canvas.querySelector("svg");
    base = svg.getAttribute("viewBox").split(/[\s,]+/).map(parseFloat);
    box = base.slice();
    /* as tall as the picture needs at this width, between 240 and 560 pixels */
    canvas.style.height = Math.round(Math.max(240, Math.min(560,
      canvas.clientWidth * base[3] / Math.max(base[2], 1) + 16))) + "px";
    items = {};
    svg.querySelectorAll("g[data-id]").forEach(function (g) { items[g.getAttribute("data-id")] = g; });
    svg.querySelectorAll('[data-group][data-expanded="false"]').forEach(function (g) {
      items[g.getAttribute("data-group")] = g;
    });
    root.setAttribute("data-view", path);
    var parts = path ? path.split("/") : [], h = ['<a href="#" data-crumb="">all</a>'];
    parts.forEach(function (p, i) {
      var sub = parts.slice(0, i + 1).join("/");
      h.push('<a href="#" data-crumb="' + esc(sub) + '">' + esc(p) + "</a>");
    });
    crumbs.innerHTML = h.join(" \u203A ");
    steps = v.steps;
    setStep(0);
    if (path && !whole) {  /* the open group fills the canvas; "Fit" shows everything */
      centre(svg.querySelector('[data-group="' + path.replace(/["\\]/g, "\\$&") + '"][data-expanded="true"]'), 1.1, 300);
    }
    return true;
  }

  /* --- zoom and pan: the SVG's viewBox ----------------------------------------------------- */
  function apply() { svg.setAttribute("viewBox", box.map(function (x) { return x.toFixed(2); }).join(" ")); }
  function scale() {  /* SVG units per CSS pixel (the picture keeps its aspect ratio) */
    var r = svg.getBoundingClientRect();
    return Math.max(box[2] / Math.max(r.width, 1), box[3] / Math.max(r.height, 1));
  }
  function toSvg(cx, cy) {
    var r = svg.getBoundingClientRect(), s = scale();
    var ox = box[0] + (box[2] - r.width * s) / 2, oy = box[1] + (box[3] - r.height * s) / 2;
    return [ox + (cx - r.left) * s, oy + (cy - r.top) * s];
  }
  function zoom(f, cx, cy) {
    var p = toSvg(cx, cy), w = box[2] * f, h = box[3] * f;
    if (w > base[2] * 8 || w < 20) { return; }
    box = [p[0] - (p[0] - box[0]) * f, p[1] - (p[1] - box[1]) * f, w, h];
    apply();
  }
  function fit() { box = base.slice(); apply(); }
  /* Show element `el` (its box grown by `pad`, at least `least` SVG units wide). */
  function centre(el, pad, least) {
    if (!el || !el.getBBox) { return; }
    var b = el.getBBox(), g0 = svg.querySelector("g"), tr = g0 ? g0.getAttribute("transform") || "" : "";
    var mt = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(tr), dx = mt ? parseFloat(mt[1]) : 0,
        dy = mt ? parseFloat(mt[2]) : 0;
    var w = Math.min(base[2], Math.max(b.width * pad, least)),
        h = Math.min(base[3], Math.max(b.height * pad, least * base[3] / base[2]));
    box = [b.x + dx + b.width / 2 - w / 2, b.y + dy + b.height / 2 - h / 2, w, h];
    apply();
  }
  canvas.addEventListener("wheel", function (e) {
    if (!svg) { return; }
    e.preventDefault();
    zoom(Math.exp(e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), e.clientX, e.clientY);
  }, {passive: false});
  var pointers = {}, drag = null, moved = false, pinch = null;
  canvas.addEventListener("pointerdown", function (e) {
    pointers[e.pointerId] = [e.clientX, e.clientY];
    var ids = Object.keys(pointers);
    if (ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      pinch = Math.hypot(a[0] - b[0], a[1] - b[1]); drag = null;
    } else {
      drag = [e.clientX, e.clientY, box[0], box[1]]; moved = false;
    }
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!(e.pointerId in pointers) || !svg) { return; }
    pointers[e.pointerId] = [e.clientX, e.clientY];
    var ids = Object.keys(pointers);
    if (ids.length === 2 && pinch) {
      var a = pointers[ids[0]], b = pointers[ids[1]], d = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (d > 0) { zoom(pinch / d, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2); pinch = d; }
      moved = true;
      return;
    }
    if (!drag) { return; }
    var dx = e.clientX - drag[0], dy = e.clientY - drag[1];
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    if (!moved) { moved = true; canvas.setPointerCapture(e.pointerId); canvas.classList.add("mg-dragging"); }
    var s = scale();
    box[0] = drag[2] - dx * s; box[1] = drag[3] - dy * s;
    apply();
  });
  function release(e) {
    delete pointers[e.pointerId];
    if (Object.keys(pointers).length < 2) { pinch = null; }
    drag = null; canvas.classList.remove("mg-dragging");
  }
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);

  /* --- details ---------------------------------------------------------------------------- */
  function select(el) {
    canvas.querySelectorAll(".mg-selected").forEach(function (x) { x.classList.remove("mg-selected"); });
    if (el) { el.classList.add("mg-selected"); }
  }
  function nodeDetails(id) {
    var n = model.nodes[id];
    if (!n) { return; }
    select(items[id]);
    var kind = n.o ? "a " + n.o + " node" : (id === model.root ? "the output" : "an input");
    head.innerHTML = "<b>" + esc(n.n) + '</b> <span class="mg-muted">(' + esc(kind) +
      (n.s ? " in " + esc(n.s) : "") + ")</span>";
    var h = ["<div>value <b data-detail=\"data\">" + esc(num(n.d)) + "</b> · gradient <b data-detail=\"grad\">" +
      esc(num(n.g)) + "</b></div>", '<div class="mg-eq">' + esc(n.line) + "</div>"];
    if (n.i.length) {
      h.push("<div>Its input edges (local derivative; what the gradient sends back):</div><ul>" +
        n.i.map(function (c) {
          return "<li>" + esc(c[4]) + " = <b>" + esc(num(c[2])) +
            "</b>; sends " + esc(num(n.g)) + " \u00D7 " + esc(paren(c[2])) + " = <b>" +
            esc(num(c[3])) + "</b> to " + esc(c[1]) + "</li>";
        }).join("") + "</ul>");
    }
    body.innerHTML = h.join("");
  }
  function groupDetails(path) {
    var g = model.groups[path];
    if (!g) { return; }
    head.innerHTML = "<b>" + esc(path) + '</b> <span class="mg-muted">(group' +
      (g.groups ? " of " + g.groups + " groups" : "") + ")</span>";
    var h = ["<ul>", "<li>size: <b>" + g.size + "</b> nodes</li>",
      "<li>parameters: <b>" + g.params + "</b>" + (g.params ? ", gradient norm <b>" +
        esc(num(g.param_norm)) + "</b>, largest |gradient| <b>" + esc(num(g.param_max)) +
        "</b> (" + esc(g.param_max_name) + ")" : "") + "</li>",
      "<li>outputs: " + g.outputs + ", gradient norm " + esc(num(g.out_norm)) +
        ", largest |gradient| " + esc(num(g.out_max)) + " (" + esc(g.out_max_name) + ")</li>",
      "<li>inputs from outside: " + g.inputs + (g.inputs ? ", gradient norm " + esc(num(g.in_norm)) : "") +
        "</li></ul>"];
    var v = model.views[path];
    h.push('<div class="mg-muted">' + (v && v.refused ? esc(v.refused) :
      (cur === path ? "Click its frame to close it." : "Click it to open it.")) + "</div>");
    body.innerHTML = h.join("");
  }

  canvas.addEventListener("click", function (e) {
    if (moved) { moved = false; return; }
    var t = e.target, n = t.closest ? t.closest("g[data-id]") : null;
    if (n) { nodeDetails(n.getAttribute("data-id")); return; }
    var g = t.closest ? t.closest("[data-group]") : null;
    if (!g) { return; }
    var path = g.getAttribute("data-group");
    if (g.getAttribute("data-expanded") === "true") {
      open(parentOf(path)); groupDetails(path); select(items[path]);
    } else if (open(path)) {
      groupDetails(path);
    } else {
      select(g);
    }
  });
  crumbs.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("[data-crumb]") : null;
    if (!a) { return; }
    e.preventDefault();
    open(a.getAttribute("data-crumb"));
  });
  q('[data-action="fit"]').addEventListener("click", fit);

  /* --- find --------------------------------------------------------------------------------- */
  var list = document.createElement("datalist"), byName = {};
  list.id = root.closest(".mg-page").id + "-names";
  Object.keys(model.groups).forEach(function (p) { byName[p] = ["group", p]; });
  Object.keys(model.nodes).forEach(function (id) {
    var n = model.nodes[id], full = n.s ? n.s + "/" + n.n : n.n;
    if (!(full in byName)) { byName[full] = ["node", id]; }
    if (!(n.n in byName)) { byName[n.n] = ["node", id]; }
    if (!(id in byName)) { byName[id] = ["node", id]; }
  });
  list.innerHTML = Object.keys(byName).slice(0, 5000).map(function (s) {
    return '<option value="' + esc(s) + '"></option>';
  }).join("");
  root.appendChild(list);
  find.setAttribute("list", list.id);
  function go(text) {
    var hit = byName[text.trim()];
    if (!hit) {
      head.innerHTML = "Not found: <b>" + esc(text) + "</b>";
      body.innerHTML = '<div class="mg-text">Type a group (layer2/neuron3) or a value\'s name ' +
        "as the diagram shows it.</div>";
      return;
    }
    if (hit[0] === "group") {
      if (open(hit[1]) || open(parentOf(hit[1]))) { groupDetails(hit[1]); }
      return;
    }
    var n = model.nodes[hit[1]], path = n.s;
    while (!(model.views[path] && !model.views[path].refused) && path) { path = parentOf(path); }
    if (cur !== path) { open(path); }
    nodeDetails(hit[1]);
    centre(items[hit[1]], 4, 400);
  }
  find.addEventListener("change", function () { go(find.value); });
  find.addEventListener("keydown", function (e) {
    e.stopPropagation();
    if (e.key === "Enter") { e.preventDefault(); go(find.value); }
  });

  /* --- stepping at the level shown ---------------------------------------------------------- */
  function setStep(i) {
    var n = steps.length;
    k = Math.max(0, Math.min(n, i));
    root.classList.toggle("mg-stepping", k > 0);
    Object.keys(items).forEach(function (key) {
      items[key].classList.remove("mg-current", "mg-known");
    });
    for (var j = 0; j < k; j++) {
      steps[j].items.forEach(function (key) {
        if (items[key]) { items[key].classList.add(j === k - 1 ? "mg-current" : "mg-known"); }
      });
    }
    if (k > 0) {
      steps[k - 1].items.forEach(function (key) {
        if (items[key]) { items[key].classList.add("mg-known"); }
      });
    }
    count.textContent = k + "/" + n;
    if (k === 0) {
      stepText.textContent = n ? "Step through the backward pass at this level (" + n +
        " steps)." : "";
    } else {
      stepText.textContent = steps[k - 1].text;
    }
    q('[data-action="prev"]').disabled = k === 0;
    q('[data-action="start"]').disabled = k === 0;
    q('[data-action="next"]').disabled = k === n;
    if (k === n) { stop(); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playB.textContent = "\u25B6 Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (k === steps.length) { setStep(0); }
    playB.textContent = "\u275A\u275A Pause";
    timer = setInterval(function () { setStep(k + 1); }, model.interval);
  }
  q('[data-action="next"]').addEventListener("click", function () { stop(); setStep(k + 1); });
  q('[data-action="prev"]').addEventListener("click", function () { stop(); setStep(k - 1); });
  q('[data-action="start"]').addEventListener("click", function () { stop(); setStep(0); });
  playB.addEventListener("click", play);
  root.addEventListener("keydown", function (e) {
    var to = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { to = k + 1; }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { to = k - 1; }
    else if (e.key === "Home") { to = 0; } else if (e.key === "End") { to = steps.length; }
    if (to !== null) { e.preventDefault(); stop(); setStep(to); }
  });

  open(model.start, true);
  head.innerHTML = "<b>" + esc(model.title) + "</b>: " + model.total + " nodes";
  body.innerHTML = '<div class="mg-text">Click a group to open it, a value for its chain rule.</div>';
  return {open: open, step: setStep, fit: fit, find: go, current: function () { return cur; }};
};
