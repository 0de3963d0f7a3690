/* The quiz: answer boxes on the diagram, checked in the page (see microgrand.pages.quiz).
 *
 * Built on MG.graphView (live.js): the numbers the student is not asked for are written by
 * the same code as in the live view; the asked ones are hidden until answered right or
 * shown. DOM contract:
 *   input[data-answer=NAME][data-answer-field="grad"|"data"]  an answer box; Enter checks;
 *                                   data-state becomes "right" or "wrong" ("shown" after
 *                                   Show answer; no attribute while blank or after Reset)
 *   [data-score]                    text "k/n": answers right of answers asked
 *   [data-action="check"|"hint"|"show"|"reset"]   buttons (hint/show: the current box); with
 *                                   model.reveal false there is no "show" button and show()
 *                                   does nothing (the answers stay in the model, to check)
 *   [data-hint]                     the hint of the current box
 */
MG.kinds.quiz = function (view, model, MG) {
  var frame = view.querySelector(".mg-quiz");
  var gv = MG.graphView(view, model, MG, frame);
  var esc = MG.escape, tol = model.tolerance;
  var rootK = gv.index[model.engine.root];
  var r = gv.compute();
  var hintEl = frame.querySelector("[data-hint]"), scoreEl = frame.querySelector("[data-score]");
  var svg = frame.querySelector("svg"), NS = "http://www.w3.org/2000/svg";
  var answers = model.answers.map(function (a) {
    var k = gv.index[a.id];
    gv.hidden[a.field + ":" + k] = true;
    return {k: k, id: a.id, name: a.name, field: a.field, value: a.value, input: null,
      span: gv.info[k][a.field], state: ""};
  });
  /* also hide the local derivatives when values are asked (they would give them away) */
  gv.render(r);
  var byKey = {};
  answers.forEach(function (a, i) { byKey[a.field + ":" + a.k] = i; });
  var current = answers.length ? 0 : -1;

  /* one input box over each asked number */
  answers.forEach(function (a, i) {
    if (!a.span) { return; }
    a.span.setAttribute("data-number", "");
    var box;
    try { box = a.span.getBBox(); } catch (e) { box = null; }
    if (!box || !box.width) {
      var t = a.span.parentNode; box = t.getBBox();
    }
    var w = Math.max(box.width + 6, 64), h = box.height + 4;
    var fo = document.createElementNS(NS, "foreignObject");
    fo.setAttribute("x", String(box.x - 3)); fo.setAttribute("y", String(box.y - 2));
    fo.setAttribute("width", String(w)); fo.setAttribute("height", String(h));
    fo.setAttribute("class", "mg-fo");
    var input = document.createElement("input");
    input.setAttribute("type", "text");
    input.setAttribute("inputmode", "decimal");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("data-answer", a.name);
    input.setAttribute("data-answer-field", a.field);
    input.setAttribute("aria-label", (a.field === "grad" ? model.lhs[a.id] : a.name));
    input.className = "mg-answer";
    input.style.fontSize = Math.max(9, box.height * 0.8) + "px";
    fo.appendChild(input);
    a.span.textContent = "";
    a.span.parentNode.parentNode.appendChild(fo);
    a.input = input;
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); check(i); showHint(i, false); }
    });
    input.addEventListener("focus", function () { current = i; if (hintEl.getAttribute("data-for") !== String(i)) { hintEl.innerHTML = ""; } });
  });

  function parse(text) {
    var t = String(text).trim().replace(/\u2212/g, "-").replace(/,/g, ".");
    if (t === "") { return null; }
    var m = /^([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*\/\s*([-+]?[0-9.]+(?:e[-+]?\d+)?)$/i.exec(t);
    var x = m ? Number(m[1]) / Number(m[2]) : Number(t);
    return isFinite(x) ? x : NaN;
  }
  function close(x, want) {
    return Math.abs(x - want) <= tol * Math.max(Math.abs(want), 1e-9);
  }
  function known(k, field) {
    if (field === "grad" && k === rootK) { return true; }
    var i = byKey[field + ":" + k];
    if (i === undefined) { return true; }
    return answers[i].state === "right" || answers[i].state === "shown";
  }
  function setState(a, state) {
    a.state = state;
    if (state) { a.input.setAttribute("data-state", state); } else { a.input.removeAttribute("data-state"); }
    a.input.title = state === "right" ? "right" : state === "wrong" ? "not right yet (Hint helps)" :
      state === "shown" ? "answer shown" : "";
    var show = state === "right" || state === "shown";
    a.span.setAttribute("data-number", show ? MG.repr(a.value) : "");
  }
  function check(i) {
    var a = answers[i];
    if (!a || !a.input || a.state === "shown") { return; }
    var x = parse(a.input.value);
    if (x === null) { setState(a, ""); }
    else { setState(a, !isNaN(x) && close(x, a.value) ? "right" : "wrong"); }
    score();
  }
  function score() {
    var right = answers.filter(function (a) { return a.state === "right"; }).length;
    scoreEl.textContent = right + "/" + answers.length;
  }

  /* the chain-rule template of one answer, with what the student has right filled in */
  function showHint(i, force) {
    var a = answers[i];
    if (!a) { return; }
    if (!force && hintEl.getAttribute("data-for") !== String(i)) { return; }
    var k = a.k, nd = gv.nodes[k], name = gv.names[k], h = [];
    if (a.field === "data") {
      var f = gv.forward(k, known);
      h.push('<div class="mg-eq">' + esc(name) + " = " + esc(f.names) +
        (f.numbers !== f.names ? " = " + esc(f.numbers) : "") + "</div>");
      h.push('<div class="mg-muted">' + (f.complete ? "Every input is known: work it out." :
        "Some inputs are still unknown: find them first (forward pass: inputs before outputs).") + "</div>");
    } else {
      var lhs = model.lhs[nd.id], terms = gv.terms(k), top = gv.names[rootK];
      var sym = terms.map(function (c) { return c.symbol; }).join(" + ");
      var filled = terms.map(function (c) {
        var up = known(c.dst, "grad") ? gv.paren(c.upstream) : model.lhs[gv.nodes[c.dst].id];
        var form = model.forms[gv.nodes[c.dst].id].edges[c.position];
        var ins = gv.nodes[c.dst].inputs || [];
        var inputsKnown = form.needs.every(function (j) { return known(gv.index[ins[j]], "data"); }) &&
          (!form.out || known(c.dst, "data"));
        var loc = inputsKnown ? gv.paren(c.local) : (c.worded || gv.paren(c.local));
        return up + " · " + loc;
      }).join(" + ");
      h.push('<div class="mg-eq">' + esc(lhs) + " = " + esc(sym) + "</div>");
      h.push('<div class="mg-eq mg-rhs">= ' + esc(filled) + "</div>");
      var notes = [];
      if (terms.length > 1) {
        notes.push(esc(name) + " is used " + terms.length + " times: add one term per use.");
      }
      terms.forEach(function (c) {
        if (!known(c.dst, "grad")) {
          notes.push("find " + esc(model.lhs[gv.nodes[c.dst].id]) + " first (the backward pass goes from " +
            esc(top) + " towards the inputs).");
        }
      });
      if (terms.length === 0) { notes.push("Nothing depends on " + esc(name) + ": its gradient is 0."); }
      h.push('<div class="mg-muted">Upstream gradient × local derivative. ' + notes.join(" ") + "</div>");
    }
    hintEl.setAttribute("data-for", String(i));
    hintEl.innerHTML = '<div class="mg-head">Hint for ' + esc(a.field === "grad" ? model.lhs[a.id] : name) +
      "</div>" + h.join("");
  }
  function show(i) {
    var a = answers[i];
    if (!a || model.reveal === false) { return; }
    a.input.value = gv.short(a.value);
    setState(a, "shown");
    a.input.readOnly = true;
    score();
  }
  function reset() {
    answers.forEach(function (a) { a.input.value = ""; a.input.readOnly = false; setState(a, ""); });
    hintEl.innerHTML = ""; hintEl.removeAttribute("data-for");
    current = answers.length ? 0 : -1;
    score();
  }
  function act(name) {
    if (name === "check") { answers.forEach(function (a, i) { check(i); }); }
    else if (name === "hint") { showHint(current, true); }
    else if (name === "show") { show(current); showHint(current, false); }
    else if (name === "reset") { reset(); }
  }
  frame.querySelectorAll("[data-action]").forEach(function (b) {
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });  /* keep the box's focus */
    b.addEventListener("click", function () { act(b.getAttribute("data-action")); });
  });
  svg.addEventListener("click", function (e) {
    var g = e.target.closest ? e.target.closest("g[data-id]") : null;
    if (!g) { return; }
    var k = gv.index[g.getAttribute("data-id")];
    var i = byKey["grad:" + k] !== undefined ? byKey["grad:" + k] : byKey["data:" + k];
    if (i !== undefined) { current = i; answers[i].input.focus(); }
  });
  score();
  return {check: check, hint: showHint, show: show, reset: reset, answers: answers};
};
