/* The quiz: answer boxes on the diagram, checked in the page (see microgrand.pages.quiz).
 *
 * Built on MG.graphView (live.js): the numbers the student is not asked for are written by
 * the same code as in the live view; the asked ones are hidden until answered right or
 * shown. The boxes sit in one group at the end of the diagram, in the order of
 * model.answers (values forward, then gradients in the order the backward pass fills
 * them), so the Tab order is that order. DOM contract:
 *   input[data-answer=NAME][data-answer-field="grad"|"data"]  an answer box, labelled
 *                                   "gradient of NAME, dL/dNAME" (or "value of NAME");
 *                                   Enter checks; data-state becomes "right" or "wrong"
 *                                   ("shown" after Show answer; no attribute while blank or
 *                                   after Reset); aria-invalid="true" while wrong
 *   [data-feedback=NAME]            the line under the node's numbers (SVG text): the
 *                                   question ("dL/dx = ?"), then "✓ right", "✗ not yet: …"
 *                                   or "answer shown"; each box's aria-describedby
 *   [data-status]                   the polite live region: the last check's result, the
 *                                   score, "All N gradients right." when every box is right
 *   [data-score]                    text "k/n": answers right of answers asked
 *   [data-action="check"|"hint"|"show"|"reset"]   buttons (hint/show: the current box); with
 *                                   model.reveal false there is no "show" button and show()
 *                                   does nothing (the answers stay in the model, to check)
 *   [data-action="zoom-in"|"zoom-out"|"fit"] (also [data-zoom="in"|"out"|"fit"])
 *                                   MG.zoom's buttons (runtime.js), shown when the diagram,
 *                                   fitted to its width, would draw text under 11 px; keys
 *                                   + - 0 in the diagram; .mg-stage is a Tab stop (arrows
 *                                   scroll it) only while it is wider than the page
 *   [data-hint]                     the hint of the current box
 */
MG.kinds.quiz = function (view, model, MG, root) {
  var frame = view.querySelector(".mg-quiz");
  var gv = MG.graphView(view, model, MG, frame);
  var esc = MG.escape, tol = model.tolerance;
  var rootK = gv.index[model.engine.root];
  var r = gv.compute();
  var hintEl = frame.querySelector("[data-hint]"), scoreEl = frame.querySelector("[data-score]");
  var statusEl = frame.querySelector("[data-status]");
  var svg = frame.querySelector("svg"), NS = "http://www.w3.org/2000/svg";
  var uid = (root && root.id) || "mg-quiz";
  var answers = model.answers.map(function (a) {
    var k = gv.index[a.id];
    gv.hidden[a.field + ":" + k] = true;
    return {k: k, id: a.id, name: a.name, field: a.field, value: a.value, label: a.label,
      question: a.question, input: null, span: gv.info[k][a.field], state: "", reason: ""};
  });
  gv.render(r);
  var byKey = {};
  answers.forEach(function (a, i) { byKey[a.field + ":" + a.k] = i; });
  var current = answers.length ? 0 : -1;
  var NOUN = {grad: "gradients", data: "values", both: "answers"}[model.ask] || "answers";

  /* the line under each asked node's numbers: found by its text (model.notes) */
  var feedback = {}, GAP = "; ";
  function squash(s) { return String(s).replace(/\s+/g, " ").trim(); }
  Object.keys(model.notes || {}).forEach(function (id) {
    var k = gv.index[id], g = gv.info[k] && gv.info[k].g;
    if (!g) { return; }
    var texts = g.querySelectorAll("text");
    for (var t = 0; t < texts.length; t++) {
      if (squash(texts[t].textContent) === squash(model.notes[id])) {
        var el = texts[t];
        el.setAttribute("data-feedback", gv.names[k]);
        el.setAttribute("id", uid + "-fb-" + k);
        el.setAttribute("class", "mg-feedback");
        el.removeAttribute("fill");
        feedback[k] = {el: el, x: parseFloat(el.getAttribute("x")), width: el.getBBox().width};
        break;
      }
    }
  });

  /* the width of the widest asked number, as the diagram would write it, per px of font */
  var measure = document.createElement("canvas").getContext("2d"), widest = 0.6 * 6;
  if (measure) {
    measure.font = "bold 100px " + getComputedStyle(frame).fontFamily;  /* a right answer is bold */
    answers.forEach(function (a) {
      var x = a.field === "grad" ? r.grads && r.grads[a.k] : r.values[a.k];
      if (x !== null && x !== undefined) { widest = Math.max(widest, measure.measureText(gv.fmt(x)).width / 100); }
    });
  }

  /* one input box over each asked number, in one group at the end: DOM order = answer order */
  var layer = document.createElementNS(NS, "g");
  layer.setAttribute("class", "mg-answers");
  (svg.querySelector("g[data-id]") || {parentNode: svg}).parentNode.appendChild(layer);
  answers.forEach(function (a, i) {
    if (!a.span) { return; }
    a.span.setAttribute("data-number", "");
    var text = a.span.parentNode, box = text.getBBox();
    var nodeBox = gv.info[a.k].box ? gv.info[a.k].box.getBBox() : null;
    var left = box.x + box.width - a.span.getComputedTextLength();
    /* to the end of its cell: the next cell's text (less its padding) or the node's edge */
    var right = nodeBox ? nodeBox.x + nodeBox.width - 4 : box.x + box.width + 3;
    gv.info[a.k].g.querySelectorAll("text").forEach(function (t) {
      var x = parseFloat(t.getAttribute("x")), y = parseFloat(t.getAttribute("y"));
      if (x > left && Math.abs(y - parseFloat(text.getAttribute("y"))) < 2) { right = Math.min(right, x - 8); }
    });
    var w = Math.max(right - left, 48), h = box.height + 4;
    var fo = document.createElementNS(NS, "foreignObject");
    fo.setAttribute("x", String(left)); fo.setAttribute("y", String(box.y - 2));
    fo.setAttribute("width", String(w)); fo.setAttribute("height", String(h));
    fo.setAttribute("class", "mg-fo");
    var input = document.createElement("input");
    input.setAttribute("type", "text");
    input.setAttribute("inputmode", "decimal");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.setAttribute("data-answer", a.name);
    input.setAttribute("data-answer-field", a.field);
    input.setAttribute("aria-label", a.label);
    if (feedback[a.k]) { input.setAttribute("aria-describedby", feedback[a.k].el.id); }
    input.className = "mg-answer";
    /* the same size in every box, small enough for the widest number any box takes */
    input.style.fontSize = Math.min(box.height * 0.8, (w - 14) / widest) + "px";  /* borders, padding, caret */
    fo.appendChild(input);
    a.span.textContent = "";
    layer.appendChild(fo);
    a.input = input;
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); check(i, true); showHint(i, false); }
    });
    input.addEventListener("focus", function () {
      current = i;
      if (hintEl.getAttribute("data-for") !== String(i)) { hintEl.innerHTML = ""; }
    });
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
  /* why a wrong answer is wrong, without giving the answer away */
  function reason(a, x) {
    if (isNaN(x)) { return "type a number"; }
    if (a.value !== 0 && close(-x, a.value)) { return "check the sign"; }
    if (a.field === "grad") {
      var terms = gv.terms(a.k);
      if (terms.length > 1 && terms.some(function (c) { return c.value !== null && close(x, c.value); })) {
        return "add all " + terms.length + " uses";
      }
    }
    return "try Hint";
  }
  function what(a) { return a.field === "grad" ? model.lhs[a.id] : a.name; }
  /* the feedback line of node k from the states of its answers */
  function showFeedback(k) {
    var fb = feedback[k];
    if (!fb) { return; }
    var mine = answers.filter(function (a) { return a.k === k; });
    var both = mine.length > 1;
    function part(a, short) {
      var pre = both ? (a.field === "grad" ? "gradient " : "value ") : "";
      if (a.state === "right") { return pre + "✓ right"; }
      if (a.state === "wrong") { return pre + "✗ not yet" + (short || !a.reason ? "" : ": " + a.reason); }
      if (a.state === "shown") { return pre + "answer shown"; }
      return a.question;
    }
    var states = mine.map(function (a) { return a.state; }).join(" ");
    var text = mine.map(function (a) { return part(a, false); }).join(GAP);
    fb.el.textContent = text;
    if (fb.el.getComputedTextLength() > fb.room) {  /* too long for its node: the short form */
      fb.el.textContent = mine.map(function (a) { return part(a, true); }).join(GAP);
    }
    fb.el.setAttribute("x", String(fb.centre - fb.el.getComputedTextLength() / 2));
    fb.el.setAttribute("data-states", states.trim());
  }
  Object.keys(feedback).forEach(function (k) {
    var fb = feedback[k], nodeBox = gv.info[k].box ? gv.info[k].box.getBBox() : null;
    fb.centre = fb.x + fb.width / 2;
    fb.room = nodeBox ? nodeBox.width - 12 : fb.width;
  });
  function setState(a, state, why) {
    a.state = state;
    a.reason = state === "wrong" ? why : "";
    if (state) { a.input.setAttribute("data-state", state); } else { a.input.removeAttribute("data-state"); }
    if (state === "wrong") { a.input.setAttribute("aria-invalid", "true"); }
    else { a.input.removeAttribute("aria-invalid"); }
    var show = state === "right" || state === "shown";
    a.span.setAttribute("data-number", show ? MG.repr(a.value) : "");
    showFeedback(a.k);
  }
  function rightCount() {
    return answers.filter(function (a) { return a.state === "right"; }).length;
  }
  function allRight() {
    return answers.length > 0 && rightCount() === answers.length;
  }
  /* check box i; `say`: announce the result in the live region */
  function check(i, say) {
    var a = answers[i];
    if (!a || !a.input || a.state === "shown") { return; }
    var typed = a.input.value.trim(), x = parse(typed);
    if (x === null) { setState(a, ""); }
    else if (!isNaN(x) && close(x, a.value)) { setState(a, "right"); }
    else { setState(a, "wrong", reason(a, x)); }
    score();
    if (say && a.state) {
      announce(a.state === "right" ? "✓ " + what(a) + " = " + typed + ": right." :
        "✗ " + what(a) + " = " + typed + ": not yet, " + a.reason + ".");
    }
  }
  function announce(text) {
    var n = answers.length;
    statusEl.textContent = allRight() ? "✓ All " + n + " " + NOUN + " right." :
      text + " " + rightCount() + " of " + n + " right.";
    frame.toggleAttribute("data-complete", allRight());
  }
  function score() {
    scoreEl.textContent = rightCount() + "/" + answers.length;
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
    hintEl.innerHTML = '<div class="mg-head">Hint for ' + esc(what(a)) + "</div>" + h.join("");
  }
  function show(i) {
    var a = answers[i];
    if (!a || model.reveal === false) { return; }
    a.input.value = gv.short(a.value);
    setState(a, "shown");
    a.input.readOnly = true;
    score();
    announce(what(a) + ": answer shown.");
  }
  function reset() {
    answers.forEach(function (a) { a.input.value = ""; a.input.readOnly = false; setState(a, ""); });
    hintEl.innerHTML = ""; hintEl.removeAttribute("data-for");
    current = answers.length ? 0 : -1;
    score();
    statusEl.textContent = "Every box is empty again.";
    frame.removeAttribute("data-complete");
  }
  function checkAll() {
    answers.forEach(function (a, i) { check(i, false); });
    var wrong = answers.filter(function (a) { return a.state === "wrong"; }).map(what);
    announce(wrong.length ? "✗ not yet right: " + wrong.join(", ") + "." : "Checked.");
  }
  /* the diagram's zoom (runtime.js): drawn fitted to the width unless its text would be
     under 11 px, then at the smallest readable scale (the stage scrolls sideways) with the
     zoom buttons shown; never smaller than Fit */
  var zoom = MG.zoom(svg.parentNode, svg, {
    bar: frame.querySelector(".mg-zoom"), width: parseFloat(svg.getAttribute("data-natural")) || undefined,
    minText: 11.2, min: "fit", max: 3, hideWhenReadable: true, tabStop: "scroll",
    label: "Diagram, wider than the page: the arrow keys scroll it"
  });
  function act(name) {
    if (name === "check") { checkAll(); }
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
  return {check: check, hint: showHint, show: show, reset: reset, answers: answers, zoom: zoom};
};
