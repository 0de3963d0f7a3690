/* The explorer: a whole network on one page, opened group by group.
 *
 * MG.kinds.explore(view, model, MG) is called by the runtime with the view's element and the
 * page model built in Python (microgrand.pages.explore.Explorer.model): model.views maps a
 * group path ("" for the top level) to the SVG of that view (Graphviz, laid out in Python,
 * with the hooks of microgrand.pages.hook_svg and the names of explore_text.label_svg) and its
 * steps, or to the reason it has none; model.groups holds each group's numbers; model.nodes
 * the values any view shows.
 *
 * DOM contract (stable; tests and scripts rely on it):
 *   [data-group=PATH]                 a group: a box (data-expanded="false") opens on click or
 *                                     Enter, an open group's frame (data-expanded="true")
 *                                     closes on click; [data-outside] the box standing for
 *                                     everything outside a deep view
 *   g[data-id=ID] [data-node=NAME][data-field="data"|"grad"][data-number]
 *                                     every value shown and its full-precision numbers
 *   [tabindex][role=button][aria-label]  every value and box, focusable in graph order
 *   [data-action="start"|"prev"|"play"|"next"]  stepping; [data-step] the text "i/n"
 *   [data-action="zoom-in"|"zoom-out"|"fit"]    (also [data-zoom]) the zoom, MG.zoom of
 *                                     runtime.js: the diagram's CSS size, the canvas
 *                                     scrolls; "fit" shows all
 *   [data-crumb=PATH]                 the breadcrumb; input[data-find] find by name;
 *   [data-matches] [data-match]       the matches of a search that found several
 *   .mg-explore[data-view=PATH]       the open group ("" for the top level)
 *   .mg-details                       details of the node or group chosen last
 * Keys: in the diagram, Tab moves between boxes, Enter (or Space) opens a group or shows a
 * value's details, Escape or Backspace goes up, arrows pan, + and - zoom, 0 fits; elsewhere
 * arrows, Home and End step. Ctrl + wheel (or a pinch) zooms around the pointer, dragging
 * pans (MG.zoom's drag option). A view opens framed on its open group (MG.zoom's frame), at
 * a scale where the smallest text is at least 11 px.
 */
MG.kinds.explore = function (view, model, MG) {
  var root = view.querySelector(".mg-explore"), P = model.precision, esc = MG.escape;
  function q(s) { return root.querySelector(s); }
  function num(x) { return MG.formatShort(x, P); }
  function paren(x) { var s = num(x); return s.charAt(0) === "-" ? "(" + s + ")" : s; }
  var canvas = q(".mg-canvas"), crumbs = q(".mg-crumbs"), head = q(".mg-head"),
      body = q(".mg-body"), count = q("[data-step]"), stepText = q(".mg-step-text"),
      find = q("input[data-find]"), playB = q('[data-action="play"]'), matches = q("[data-matches]");
  var cur = null, svg = null, steps = [], k = 0, timer = null;
  var items = {};  /* node id or group path -> element of the current view */
  var z = null;  /* the diagram's zoom (MG.zoom, runtime.js); a scale is CSS px per SVG unit */
  var MIN_TEXT = 11.5, MAX_SCALE = 2;

  /* --- views and the breadcrumb ---------------------------------------------------------- */
  function parentOf(path) { return path.indexOf("/") < 0 ? "" : path.slice(0, path.lastIndexOf("/")); }
  function sel(path) { return path.replace(/["\\]/g, "\\$&"); }
  function order(el) {  /* place in graph order: a value's id, a box's first node */
    if (el.hasAttribute("data-outside")) { return -1; }
    var id = el.getAttribute("data-id");
    if (id) { return parseInt(id.slice(1), 10); }
    var g = model.groups[el.getAttribute("data-group")];
    return g ? g.first : 0;
  }

  /* --- accessible names (the page's model says what each box holds) ----------------------- */
  function spoken(path) {  /* "layer1/neuron2" -> "layer 1, neuron 2" */
    return path ? path.split("/").map(function (p) { return p.replace(/([^\d\s])(\d+)$/, "$1 $2"); }).join(", ") : "the top level";
  }
  function shown(g) {  /* its text; a space between its pieces, so that the name starts with it */
    var parts = [];
    g.querySelectorAll("text").forEach(function (t) {
      t.parentNode.insertBefore(document.createTextNode(" "), t.nextSibling);
      if (t.textContent.trim()) { parts.push(t.textContent.trim()); }
    });
    return parts.join(" ");
  }
  function describe(path) {
    var g = model.groups[path], parts = [];
    if (!g) { return spoken(path); }
    if (g.groups) { parts.push(g.groups + " groups"); }
    parts.push(g.size + " nodes");
    if (g.params) { parts.push(g.params + " parameters"); }
    parts.push(g.out ? "output " + num(g.out[0]) + ", gradient " + num(g.out[1]) : g.outputs + " outputs");
    return spoken(path) + ", " + parts.join(", ") + "; Enter opens it";
  }
  function name(g) {
    var id = g.getAttribute("data-id"), path = g.getAttribute("data-group"), n, label;
    if (g.hasAttribute("data-op")) {
      n = model.nodes[g.getAttribute("data-op")];
      g.setAttribute("role", "img");
      g.setAttribute("aria-label", n ? "operation " + n.o + " making " + n.n : "operation");
      return;
    }
    if (g.hasAttribute("data-edge")) {
      var e = g.getAttribute("data-edge").split("-"), to = model.nodes[e[2]], c = null;
      if (to) { c = to.i[+e[3]] && to.i[+e[3]][0] === e[1] ? to.i[+e[3]] : to.i.filter(function (x) { return x[0] === e[1]; })[0]; }
      g.setAttribute("role", "img");
      g.setAttribute("aria-label", c ? "edge from " + c[1] + " to " + to.n + ", local derivative " + num(c[2]) : "edge");
      return;
    }
    if (id) {
      n = model.nodes[id];
      label = shown(g) + (n && n.s ? ", in " + spoken(n.s) : "") + "; Enter shows its chain rule";
    } else if (g.hasAttribute("data-outside")) {
      label = shown(g) + ": " + spoken(path) + " and the rest of the graph; Enter opens it";
    } else {
      label = shown(g) + ": " + describe(path);
    }
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", label);
  }

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
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", "diagram of " + (path || "the top level"));
    if (!z) {
      z = MG.zoom(canvas, svg, {bar: q(".mg-nav"), minText: MIN_TEXT, fitMax: MAX_SCALE,
        fitAll: true, min: 0.05, max: 4, drag: true});
    } else {
      z.diagram(svg, {minText: MIN_TEXT});
    }
    items = {};
    var focusable = [];
    svg.querySelectorAll("g[data-id]").forEach(function (g) {
      items[g.getAttribute("data-id")] = g; focusable.push(g);
    });
    svg.querySelectorAll('[data-group][data-expanded="false"]').forEach(function (g) {
      items[g.getAttribute("data-group")] = g; focusable.push(g);
    });
    /* Tab goes through the boxes in graph order: they are put last, in that order (after
       the edges and frames, so nothing is drawn over them) */
    focusable.sort(function (a, b) { return order(a) - order(b); });
    focusable.forEach(name);
    svg.querySelectorAll("g[data-op]").forEach(name);
    svg.querySelectorAll("g[data-edge]").forEach(name);
    svg.querySelectorAll("g.edge[aria-label]").forEach(function (g) { g.setAttribute("role", "img"); });
    svg.querySelectorAll('[data-expanded="true"]').forEach(function (g) { g.setAttribute("role", "group"); });
    focusable.forEach(function (g) { g.parentNode.appendChild(g); });
    root.setAttribute("data-view", path);
    var parts = path ? path.split("/") : [], h = ['<a href="#" data-crumb="">all</a>'];
    parts.forEach(function (p, i) {
      var sub = parts.slice(0, i + 1).join("/");
      h.push('<a href="#" data-crumb="' + esc(sub) + '">' + esc(p) + "</a>");
    });
    crumbs.innerHTML = h.join(" \u203A ");
    crumbs.lastChild.setAttribute("aria-current", "page");
    steps = v.steps;
    setStep(0);
    var target = path && !whole ? svg.querySelector('[data-group="' + sel(path) + '"][data-expanded="true"]') : null;
    var vb = svg.viewBox.baseVal;
    frame(target ? bounds(target, 4) : [vb.x, vb.y, vb.width, vb.height]);
    return true;
  }

  /* --- zoom and pan: MG.zoom scales the diagram and scrolls the canvas --------------------- */
  /* An element's box in SVG units (the viewBox's), grown by `pad` units. */
  function bounds(el, pad) {
    var r = el.getBoundingClientRect(), m = svg.getScreenCTM().inverse(), pt = svg.createSVGPoint();
    pt.x = r.left; pt.y = r.top;
    var a = pt.matrixTransform(m);
    pt.x = r.right; pt.y = r.bottom;
    var b = pt.matrixTransform(m);
    return [a.x - pad, a.y - pad, b.x - a.x + 2 * pad, b.y - a.y + 2 * pad];
  }
  /* Show region `b` (SVG units): as large as the canvas width allows, never so small that
     text falls under 11 px nor larger than MAX_SCALE; the canvas grows in height to hold it
     (up to the window's height); what does not fit is reached by panning. */
  function frame(b) {
    var W = Math.max(canvas.clientWidth, 50);
    var maxH = Math.max(320, (window.innerHeight || 800) - 80);
    var s = Math.max(z.readable(), Math.min(MAX_SCALE, W / b[2]));
    var bar = b[2] * s > W + 1 ? canvas.offsetHeight - canvas.clientHeight || 16 : 0;
    canvas.style.height = Math.round(Math.min(maxH, Math.max(160, b[3] * s + 4 + bar))) + "px";
    z.frame(b);
  }
  function fit() { return z.fit(); }  /* everything, in the canvas as it is */
  /* f < 1 zooms in, around the screen point (cx, cy) (default: the middle) */
  function zoom(f, cx, cy) { return z.zoomBy(1 / f, cx, cy); }
  /* Bring element `el` into view at the present scale (smoothly, unless motion is reduced). */
  function reveal(el) { if (el) { z.reveal(el); } }
  canvas.addEventListener("focusin", function (e) {
    var el = e.target;
    if (el !== canvas && svg && el.getAttribute && el.getAttribute("tabindex") !== null) { reveal(el); }
  });

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
      (cur === path ? "Click its frame (or press Escape) to close it." : "Click it (or press Enter) to open it.")) + "</div>");
    body.innerHTML = h.join("");
  }

  /* Open group `path` (or, when its view is left out, say why), focusing its first box. */
  function enter(path, focusIt) {
    if (open(path)) {
      groupDetails(path);
      if (focusIt) {
        var first = null;
        Object.keys(items).forEach(function (key) {
          var el = items[key], inside = model.nodes[key] ? (model.nodes[key].s + "/").indexOf(path + "/") === 0
            : key.indexOf(path + "/") === 0;
          if (inside && (!first || order(el) < order(first))) { first = el; }
        });
        (first || canvas).focus({preventScroll: true});
      }
      return true;
    }
    select(items[path]);
    return false;
  }
  function up() {
    if (!cur) { return; }
    var from = cur;
    var to = parentOf(from);
    while (to && (!model.views[to] || model.views[to].refused)) { to = parentOf(to); }
    open(to); groupDetails(from);
    var el = items[from] || canvas;
    select(items[from]);
    el.focus({preventScroll: true});
  }
  function activate(el) {
    var id = el.getAttribute("data-id");
    if (id) { nodeDetails(id); return; }
    var path = el.getAttribute("data-group");
    if (path === null) { return; }
    if (el.getAttribute("data-expanded") === "true") { up(); } else { enter(path, true); }
  }

  canvas.addEventListener("click", function (e) {  /* (MG.zoom swallows the click ending a drag) */
    var t = e.target, n = t.closest ? t.closest("g[data-id]") : null;
    if (n) { nodeDetails(n.getAttribute("data-id")); return; }
    var g = t.closest ? t.closest("[data-group]") : null;
    if (!g) { return; }
    var path = g.getAttribute("data-group");
    if (g.getAttribute("data-expanded") === "true") {
      open(parentOf(path)); groupDetails(path); select(items[path]);
    } else {
      enter(path, false);
    }
  });
  crumbs.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("[data-crumb]") : null;
    if (!a) { return; }
    e.preventDefault();
    open(a.getAttribute("data-crumb"));
    (q('[data-crumb="' + sel(cur) + '"]') || canvas).focus();
  });

  /* --- find --------------------------------------------------------------------------------- */
  var list = document.createElement("datalist"), entries = [], suggest = {};
  list.id = root.closest(".mg-page").id + "-names";
  Object.keys(model.groups).forEach(function (p) { entries.push({full: p, kind: "group", key: p}); });
  Object.keys(model.nodes).forEach(function (id) {
    var n = model.nodes[id];
    entries.push({full: n.s ? n.s + "/" + n.n : n.n, kind: "node", key: id, name: n.n, scope: n.s});
  });
  entries.forEach(function (e) {
    suggest[e.full] = 1;
    if (e.kind === "node") { suggest[e.name] = 1; } else { suggest[e.full.slice(e.full.lastIndexOf("/") + 1)] = 1; }
  });
  list.innerHTML = Object.keys(suggest).slice(0, 5000).map(function (s) {
    return '<option value="' + esc(s) + '"></option>';
  }).join("");
  root.appendChild(list);
  find.setAttribute("list", list.id);
  /* Everything the text names: a whole path, or the end of paths ("w7", "neuron3",
     "layer2/w7"); else everything whose path contains it (ignoring case). */
  function lookup(text) {
    var t = text.trim(), low = t.toLowerCase(), tail = "/" + t;
    if (!t) { return {exact: true, hits: []}; }
    var whole = entries.filter(function (e) { return e.full === t; });
    if (whole.length === 1) { return {exact: true, hits: whole}; }
    var hits = entries.filter(function (e) {
      return e.full === t || e.full.slice(-tail.length) === tail;
    });
    if (hits.length) { return {exact: true, hits: hits}; }
    return {exact: false, hits: entries.filter(function (e) { return e.full.toLowerCase().indexOf(low) >= 0; })};
  }
  function describeHit(e) {
    if (e.kind === "group") { return e.full + " (group)"; }
    return (e.scope ? e.scope.split("/").join(" \u203A ") + " \u203A " : "") + e.name;
  }
  function goTo(hit) {
    hideMatches();
    if (hit.kind === "group") {
      if (open(hit.key)) { groupDetails(hit.key); (canvas.querySelector('[data-group="' + sel(hit.key) + '"]') || canvas).focus({preventScroll: true}); return; }
      var up1 = parentOf(hit.key);
      if (open(up1)) { groupDetails(hit.key); select(items[hit.key]); if (items[hit.key]) { items[hit.key].focus({preventScroll: true}); } }
      return;
    }
    var n = model.nodes[hit.key], path = n.s;
    while (!(model.views[path] && !model.views[path].refused) && path) { path = parentOf(path); }
    if (cur !== path) { open(path); }
    nodeDetails(hit.key);
    if (items[hit.key]) { items[hit.key].focus({preventScroll: true}); }
    reveal(items[hit.key]);
  }
  function hideMatches() { matches.hidden = true; matches.innerHTML = ""; }
  function showMatches(text, found) {
    var hits = found.hits.slice().sort(function (a, b) {  /* layer2 before layer10 */
      return a.full.localeCompare(b.full, undefined, {numeric: true});
    }), shown = hits.slice(0, 200);
    var what = found.exact ? hits.length + " matches for \u201C" + text.trim() + "\u201D" :
      "No name is \u201C" + text.trim() + "\u201D; " + hits.length + " contain it";
    matches.innerHTML = '<span class="mg-muted">' + esc(what) + (hits.length > shown.length ?
      " (the first " + shown.length + ")" : "") + ":</span> <ul aria-label=\"" + esc(what) + "\">" +
      shown.map(function (e, i) {
        return '<li><button type="button" data-match="' + i + '">' + esc(describeHit(e)) + "</button></li>";
      }).join("") + "</ul>";
    matches.hidden = false;
    matches.querySelectorAll("[data-match]").forEach(function (b) {
      b.addEventListener("click", function () { goTo(shown[+b.getAttribute("data-match")]); });
    });
    head.innerHTML = esc(what);
    body.innerHTML = '<div class="mg-text">Choose one in the list under the search box (Tab or ' +
      "the arrow keys, then Enter).</div>";
    matches.querySelector("[data-match]").focus();
  }
  function go(text) {
    var found = lookup(text);
    if (found.exact && found.hits.length === 1) { goTo(found.hits[0]); return; }
    if (found.hits.length) { showMatches(text, found); return; }
    hideMatches();
    head.innerHTML = "Not found: <b>" + esc(text) + "</b>";
    body.innerHTML = '<div class="mg-text">Type a group (neuron3, layer2/neuron3) or a value\'s ' +
      "name as the diagram shows it (w7).</div>";
  }
  find.addEventListener("change", function () { if (find.value.trim()) { go(find.value); } });
  find.addEventListener("keydown", function (e) {
    e.stopPropagation();
    if (e.key === "Enter") { e.preventDefault(); go(find.value); }
  });
  matches.addEventListener("keydown", function (e) {
    e.stopPropagation();
    var all = [].slice.call(matches.querySelectorAll("[data-match]")), i = all.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowRight") { e.preventDefault(); all[Math.min(all.length - 1, i + 1)].focus(); }
    else if (e.key === "ArrowUp" || e.key === "ArrowLeft") { e.preventDefault(); all[Math.max(0, i - 1)].focus(); }
    else if (e.key === "Escape") { e.preventDefault(); hideMatches(); find.focus(); }
  });

  /* --- stepping at the level shown ---------------------------------------------------------- */
  function setStep(i) {
    var n = steps.length, stepped = {};
    k = Math.max(0, Math.min(n, i));
    root.classList.toggle("mg-stepping", k > 0);
    steps.forEach(function (s) { s.items.forEach(function (key) { stepped[key] = 1; }); });
    Object.keys(items).forEach(function (key) {
      items[key].classList.remove("mg-current", "mg-known");
      /* values outside the steps of this view (the loss, seen from inside a neuron) keep
         their numbers while stepping */
      items[key].classList.toggle("mg-context", !(key in stepped));
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
      reveal(items[steps[k - 1].items[0]]);
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
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target, inCanvas = canvas.contains(t), key = e.key;
    if (t.tagName === "INPUT") { return; }
    var el = inCanvas && t.closest ? t.closest("[tabindex]") : null;
    if (inCanvas && el && el !== canvas && (key === "Enter" || key === " ")) {
      e.preventDefault(); activate(el); return;
    }
    if (key === "Escape" || (key === "Backspace" && t.tagName !== "BUTTON")) {
      if (cur) { e.preventDefault(); up(); }
      return;
    }
    /* in the canvas, arrows pan and + - 0 zoom: MG.zoom has handled them */
    if (inCanvas && /^Arrow/.test(key)) { return; }
    if (key === " " && (t === root || t === canvas)) { e.preventDefault(); play(); return; }
    var to = null;
    if (key === "ArrowRight" || key === "ArrowDown") { to = k + 1; }
    else if (key === "ArrowLeft" || key === "ArrowUp") { to = k - 1; }
    else if (key === "Home") { to = 0; } else if (key === "End") { to = steps.length; }
    if (to !== null && t.tagName !== "A") { e.preventDefault(); stop(); setStep(to); }
  });

  open(model.start, true);
  head.innerHTML = "<b>" + esc(model.title) + "</b>: " + model.total + " nodes";
  body.innerHTML = '<div class="mg-text">Open a group (click it, or Tab to it and press Enter); ' +
    "a value shows its chain rule.</div>";
  return {open: open, step: setStep, fit: fit, find: go, zoom: zoom, current: function () { return cur; }};
};
