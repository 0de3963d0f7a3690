/* The backward-pass player: steps through the recorded trace on the diagram.
 *
 * MG.kinds.player(view, model, MG) is called by the runtime with the view's element (its
 * markup: buttons, the diagram's SVG with hooks, the panel) and the page model built in
 * Python (microgrand.pages.player.player_model): model.steps holds one record per step of
 * the trace, with every number as a float and the chain-rule line as text (lhs, stages, result,
 * note), so this file renders the line and never rebuilds it.
 *
 * DOM contract (stable; tests and scripts rely on it):
 *   [data-action="start"|"prev"|"play"|"next"]  the buttons
 *   [data-step]                                  the current step, text "i/n" (0/n at start)
 *   [data-scrub]                                 the slider (its value is the step)
 *   [data-node=NAME][data-field="data"|"grad"]   each number on the diagram; data-number holds
 *                                                the full-precision float (Python repr), or is
 *                                                empty while the gradient is not known yet
 *   .mg-player[data-frame]                       the current frame (same number as the step)
 *   g[data-id], g[data-edge]                     the value boxes and the input edges: focusable
 *                                                (role button, one Tab stop), named in words
 *   g[data-op], g.edge.output                    the operations and their output edges: named
 *   .mg-stage                                    the diagram, zoomed by MG.zoom ([data-zoom],
 *                                                [data-action=zoom-in|zoom-out|fit])
 * Keys on the player: arrows step, Home/End jump, space plays or pauses. On a node or edge:
 * arrows move between them in the order of the backward pass, Enter or space shows its step.
 * Play steps without animation; with prefers-reduced-motion nothing eases or scrolls smoothly.
 */
MG.kinds.player = function (view, model, MG) {
  var root = view.querySelector(".mg-player");
  var F = model.steps, last = F.length, cur = 0, timer = null, P = model.precision;
  var esc = MG.escape;
  function q(s) { return root.querySelector(s); }
  var slider = q("[data-scrub]"), playB = q('[data-action="play"]'),
      prevB = q('[data-action="prev"]'), nextB = q('[data-action="next"]'),
      startB = q('[data-action="start"]'), head = q(".mg-head"), body = q(".mg-body"),
      count = q("[data-step]"), stage = q(".mg-stage");
  var nodes = {}, ops = {}, edges = [], grads = {};
  root.querySelectorAll("g[data-id]").forEach(function (g) { nodes[g.getAttribute("data-id")] = g; });
  root.querySelectorAll("g[data-op]").forEach(function (g) { ops[g.getAttribute("data-op")] = g; });
  root.querySelectorAll("g[data-edge]").forEach(function (g) { edges.push(g); });
  root.querySelectorAll('[data-field="grad"]').forEach(function (el) {
    var g = el.closest ? el.closest("g[data-id]") : null;
    if (g) { grads[g.getAttribute("data-id")] = el; }
  });
  F.forEach(function (s) {  /* JSON carries non-finite numbers as strings */
    ["grad", "start", "seed"].forEach(function (k) { s[k] = MG.num(s[k]); });
    s.incoming.concat(s.sends).forEach(function (c) {
      ["upstream", "local", "value"].forEach(function (k) { c[k] = MG.num(c[k]); });
    });
  });
  var order = {}, finalGrad = {};
  F.forEach(function (s, i) { order[s.id] = i + 1; finalGrad[s.id] = s.grad; });
  var focus = playerFocus(root, model, nodes, ops, edges, order, function (k) { stop(); show(k); });
  var width = parseFloat(stage.getAttribute("data-width")) || 0;
  MG.zoom(stage, stage.querySelector("svg"), {
    bar: q(".mg-bar"), width: width || undefined,
    label: "The diagram: plus and minus zoom, 0 fits it to the width, arrow keys pan",
    start: function (fit) { return Math.max(fit, readableScale(stage, width)); }
  });

  function panel(k) {
    if (k === 0) {
      return ['<span class="mg-strong">Start</span> · ' + last + " steps to go",
        '<div class="mg-text">Forward pass done: every value is known. Gradients are blank ' +
        "until the backward pass reaches them. It starts at the output.</div>"];
    }
    /* the chain-rule line, written in Python (microgrand.stepper.record.step_record) */
    var s = F[k - 1], h = [];
    h.push('<div class="mg-lhs">' + esc(s.lhs) + "</div>");
    s.stages.forEach(function (x) { h.push('<div class="mg-rhs">= ' + esc(x) + "</div>"); });
    h.push('<div class="mg-rhs">= <b class="mg-result" data-number="' + MG.repr(s.grad) + '">' +
      esc(s.result) + "</b></div>");
    if (s.note) { h.push('<div class="mg-note-text">(' + esc(s.note) + ")</div>"); }
    var what;
    if (s.sends.length) {
      what = "<div>Then <b>" + esc(s.name) + "</b> passes its gradient back: its gradient × the " +
        "local derivative, along each input edge:</div><ul>" + s.sends.map(function (c) {
          var so = c.need > 1 && c.got === c.need ? esc(c.to) + " now has all " + c.need + " of its terms" :
            c.need > 1 ? esc(c.to) + " has " + c.got + " of " + c.need + " terms so far" :
            "that is all of " + esc(c.to) + "'s gradient";
          return "<li>to <b>" + esc(c.to) + "</b>: " + esc(c.product) + " = <b>" + esc(c.sent) +
            '</b> <span class="mg-muted">(' +
            so + ")</span></li>";
        }).join("") + "</ul>";
    } else if (s.leaf) {
      what = "<div><b>" + esc(s.name) + "</b> is an input, so its gradient is a result of the " +
        "backward pass: how much the output changes per unit change of " + esc(s.name) + ".</div>";
    } else {
      what = "<div>Its gradient is 0, so nothing flows back through <b>" + esc(s.name) + "</b>.</div>";
    }
    return ["Step " + k + " of " + last + " · <b>" + esc(s.name) + '</b> <span class="mg-muted">(' +
      esc(s.kind) + ") · grad = " + '<span class="mg-grad-now">' +
      esc(MG.formatFixed(s.grad, P)) + "</span></span>",
      '<div class="mg-eq">' + h.join("") + "</div>" + what];
  }

  function show(k) {
    k = Math.max(0, Math.min(last, k)); cur = k;
    var s = k > 0 ? F[k - 1] : null, inputs = {}, now = {};
    if (s) {
      s.sends.forEach(function (c) { inputs[c.input] = 1; now[c.edge] = 1; });
    }
    Object.keys(nodes).forEach(function (id) {
      var g = nodes[id], o = order[id], known = o !== undefined && o <= k;
      g.classList.toggle("mg-known", known);
      g.classList.toggle("mg-current", !!s && id === s.id);
      g.classList.toggle("mg-input", !!inputs[id]);
      if (grads[id]) {
        grads[id].setAttribute("data-number", known ? MG.repr(finalGrad[id]) : "");
      }
      if (ops[id]) { ops[id].classList.toggle("mg-current-op", !!s && id === s.id && s.sends.length > 0); }
    });
    edges.forEach(function (g) {
      var at = parseInt(g.getAttribute("data-sent-at"), 10) + 1;
      g.classList.toggle("mg-sent", at <= k);
      g.classList.toggle("mg-now", !!now[g.getAttribute("data-edge")]);
    });
    var p = panel(k);
    head.innerHTML = p[0]; body.innerHTML = p[1];
    if (s && nodes[s.id] && stage.scrollWidth > stage.clientWidth) {
      /* keep the current node and the inputs it sends to in view */
      var ids = [s.id].concat(Object.keys(inputs)), lo = Infinity, hi = -Infinity;
      ids.forEach(function (n) {
        if (nodes[n]) {
          var r = nodes[n].getBoundingClientRect();
          lo = Math.min(lo, r.left); hi = Math.max(hi, r.right);
        }
      });
      var sr = stage.getBoundingClientRect();
      if (lo < sr.left || hi > sr.right) {
        var dx = (hi - lo > sr.width) ? (hi - sr.right + 8) : ((lo + hi) / 2 - (sr.left + sr.right) / 2);
        var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        stage.scrollTo({left: stage.scrollLeft + dx, behavior: calm ? "auto" : "smooth"});
      }
    }
    slider.value = String(k);
    slider.setAttribute("aria-valuetext", k === 0 ? "start, before the first step" :
      "step " + k + " of " + last + ": " + s.name);
    count.textContent = k + "/" + last;
    focus.update(k);
    root.setAttribute("data-frame", String(k));
    var had = root.ownerDocument.activeElement;
    prevB.disabled = (k === 0); startB.disabled = (k === 0); nextB.disabled = (k === last);
    /* a button that has just disabled itself keeps no focus: move it to the way back */
    if (had && had.disabled) { (had === nextB ? prevB : nextB).focus(); }
    if (k === last) { stop(); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playB.innerHTML = '<span aria-hidden="true">\u25B6</span> Play';
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (cur === last) { show(0); }
    playB.innerHTML = '<span aria-hidden="true">\u275A\u275A</span> Pause';
    timer = setInterval(function () { show(cur + 1); }, model.interval);
  }
  prevB.addEventListener("click", function () { stop(); show(cur - 1); });
  nextB.addEventListener("click", function () { stop(); show(cur + 1); });
  startB.addEventListener("click", function () { stop(); show(0); });
  playB.addEventListener("click", play);
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  root.addEventListener("keydown", function (e) {
    if (e.target === slider && e.key.indexOf("Arrow") === 0) { e.stopPropagation(); return; }
    var k = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { k = cur + 1; }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { k = cur - 1; }
    else if (e.key === "Home") { k = 0; } else if (e.key === "End") { k = last; }
    else if (e.key === " " && e.target.tagName !== "BUTTON") {
      e.preventDefault(); e.stopPropagation(); play(); return;
    }
    if (k !== null) { e.preventDefault(); e.stopPropagation(); stop(); show(k); }
  });
  root.addEventListener("click", function (e) {
    if (e.target.tagName !== "BUTTON" && e.target !== slider && !focus.owns(e.target)) {
      root.focus({preventScroll: true});
    }
  });
  show(0);
  return {show: show, current: function () { return cur; }};
};

/* The scale at which the diagram's smallest text is 11 CSS px or more (a little over, so that
 * rounding never takes it under): the diagram is `width` CSS px wide at scale 1. */
function readableScale(stage, width) {
  var svg = stage.querySelector("svg"), vb = svg.viewBox.baseVal, least = Infinity;
  svg.querySelectorAll("text").forEach(function (t) {
    var f = parseFloat(t.getAttribute("font-size"));
    if (f > 0) { least = Math.min(least, f); }
  });
  if (!isFinite(least) || !vb || !vb.width || !width) { return 0; }
  return 11.25 / (least * width / vb.width);
}

/* Nodes and edges by keyboard: one Tab stop (roving tabindex) over the value boxes and the
 * input edges, in the order of the backward pass (each node, then the edges it sends along);
 * every one named in words, the names following the step shown. go(k) shows step k. */
function playerFocus(root, model, nodes, ops, edges, order, go) {
  var P = model.precision, G = model.graph, byId = {}, edgeOf = {}, items = [], at = 0;
  function say(x) { return MG.formatFixed(x, P).replace(/^-/, "\u2212"); }
  function short(x) { return MG.formatShort(x, P).replace(/^-/, "\u2212"); }
  G.nodes.forEach(function (n) { byId[n.id] = n; });
  G.edges.forEach(function (e) { edgeOf[e.id] = e; });
  var edgeEl = {};
  edges.forEach(function (g) { edgeEl[g.getAttribute("data-edge")] = g; });
  model.steps.forEach(function (s) {
    if (nodes[s.id]) { items.push(nodes[s.id]); }
    s.sends.forEach(function (c) { if (edgeEl[c.edge]) { items.push(edgeEl[c.edge]); } });
  });
  var sentValue = {};
  model.steps.forEach(function (s) { s.sends.forEach(function (c) { sentValue[c.edge] = c.value; }); });
  items.forEach(function (g) {
    g.setAttribute("role", "button");
    g.setAttribute("tabindex", "-1");
  });
  Object.keys(ops).forEach(function (id) {  /* the operations: named, not stops */
    var n = byId[id];
    ops[id].setAttribute("role", "img");
    ops[id].setAttribute("aria-label", "operation " + (n.symbol || n.op) + " making " + n.name +
      " from " + n.inputs.map(function (i) { return byId[i].name; }).join(" and "));
  });
  root.querySelectorAll("g.edge.output").forEach(function (g) {
    var id = (g.id || "").replace(/-op$/, "").replace(/^.*-(n\d+)$/, "$1"), n = byId[id];
    if (!n) { return; }
    g.setAttribute("role", "img");
    g.setAttribute("aria-label", "edge from the operation " + (n.symbol || n.op) + " to " + n.name);
  });
  function label(g, k) {
    var id = g.getAttribute("data-id");
    if (id) {
      var n = byId[id], known = order[id] !== undefined && order[id] <= k;
      /* the words drawn in the box come first, in order (WCAG 2.5.3: the label in the name) */
      return n.name + ": data = " + say(n.data) + ", grad = " + (known ? say(n.grad) : "not known yet");
    }
    var e = edgeOf[g.getAttribute("data-edge")], sent = parseInt(g.getAttribute("data-sent-at"), 10) + 1 <= k;
    return "edge from " + byId[e.src].name + " to " + byId[e.dst].name + ", local derivative " +
      short(e.local) + (sent ? ", sent back " + short(sentValue[e.id]) : "");
  }
  function stepOf(g) {
    var id = g.getAttribute("data-id");
    return id ? order[id] : parseInt(g.getAttribute("data-sent-at"), 10) + 1;
  }
  function move(i) {
    items[at].setAttribute("tabindex", "-1");
    at = Math.max(0, Math.min(items.length - 1, i));
    items[at].setAttribute("tabindex", "0");
    items[at].focus();
  }
  items.forEach(function (g, i) {
    g.addEventListener("keydown", function (e) {
      var k = e.key;
      if (k === "ArrowRight" || k === "ArrowDown") { move(i + 1); }
      else if (k === "ArrowLeft" || k === "ArrowUp") { move(i - 1); }
      else if (k === "Home") { move(0); } else if (k === "End") { move(items.length - 1); }
      else if (k === "Enter" || k === " ") { go(stepOf(g)); }
      else { return; }
      e.preventDefault(); e.stopPropagation();
    });
    g.addEventListener("click", function () { at = i; go(stepOf(g)); });
    g.addEventListener("focus", function () {
      items[at].setAttribute("tabindex", "-1"); at = i; g.setAttribute("tabindex", "0");
    });
  });
  if (items.length) { items[0].setAttribute("tabindex", "0"); }
  return {
    update: function (k) {
      items.forEach(function (g) { g.setAttribute("aria-label", label(g, k)); });
    },
    owns: function (el) { return items.some(function (g) { return g.contains(el); }); }
  };
}
