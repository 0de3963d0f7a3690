/* microgrand page runtime: the one piece of JavaScript every microgrand HTML view shares.
 *
 * A view's output is
 *   <div class="mg-page" id="UID" data-kind="KIND">
 *     <div class="mg-fallback"><img src="data:..."> <p>Run this cell to ...</p></div>
 *     <script type="application/json" class="mg-model">{"model": {...}, "html": "..."}</script>
 *     <script>(runtime.js + KIND.js, wrapped in one function) MG.boot("UID")</script>
 *   </div>
 * Sanitisers (JupyterLab for an untrusted notebook, GitHub, nbviewer) drop the scripts with
 * their content and keep the <img>, so a stored notebook shows a picture, never stripped text.
 * When scripts run, MG.boot puts the view's markup (its <style> and <svg>) into the page,
 * removes the fallback and calls the view: MG.kinds[KIND](view, model, MG).
 *
 * Views register themselves in MG.kinds; they read numbers from the model (plain JSON built
 * in Python from the graph snapshot and the trace), never from text meant for people.
 * This file is plain ES5 so that it runs in every notebook front end without a build step.
 *
 * Zoom and pan, shared by every diagram: MG.zoom(stage, svg, opts) (at the end of this file).
 *   stage  the element around the <svg> that scrolls (overflow: auto); it becomes focusable
 *          (tabindex 0, role "group", opts.label as its name)
 *   svg    the diagram (with a viewBox); its width is set in CSS px, its height follows
 *   opts   width: the diagram's natural width in CSS px (default: the viewBox's);
 *          bar: the element the buttons go into (default: a new div.mg-zoom before stage);
 *          start: the first scale, a number or a function of the fitted scale (default: fit);
 *          fitMax: the largest scale Fit chooses (default 1); min, max: limits (0.1, 4);
 *          label: the stage's accessible name; onChange(scale): called after each change.
 *   Buttons [data-zoom="out"|"in"|"fit"] ("Zoom out", "Zoom in", "Fit to width"); keys while
 *   the stage itself has focus: + or = zoom in, - zoom out, 0 fit, arrows pan (Shift: a
 *   screenful); Ctrl + wheel (a touchpad pinch) zooms. Fit follows the stage's width until the
 *   user zooms. Returns {fit(), zoomBy(factor), set(scale), scale()}.
 */
var MG = {kinds: {}};

/* A number for a sentence, exactly as Python's microgrand._format.format_short writes it. */
MG.formatShort = function (x, precision) {
  x = MG.num(x);
  var p = precision === undefined ? 4 : precision;
  if (isNaN(x)) { return "nan"; }
  if (!isFinite(x)) { return x > 0 ? "inf" : "-inf"; }
  var a = Math.abs(x);
  if (x !== 0 && !(Math.pow(10, -p) <= a && a < 1e6) && p > 0) { return MG.formatG(x, p); }
  var s = MG.toFixed(x, p);
  if (s.indexOf(".") >= 0) {
    s = s.replace(/0+$/, "");
    if (s.charAt(s.length - 1) === ".") { s += "0"; }
  }
  if (parseFloat(s) === 0) { s = s.replace(/^-/, ""); }
  return s;
};

/* A number as diagrams show it, exactly as Python's microgrand._format.format_fixed. */
MG.formatFixed = function (x, precision) {
  x = MG.num(x);
  var p = precision === undefined ? 4 : precision;
  if (isNaN(x)) { return "nan"; }
  if (!isFinite(x)) { return x > 0 ? "inf" : "-inf"; }
  if (x === 0) { return MG.toFixed(0, p); }
  var a = Math.abs(x);
  if (a >= 1e6 || a < 0.5 * Math.pow(10, -p)) { return MG.toExp(x, p); }
  return MG.toFixed(x, p);
};

/* Exact decimal digits of a finite a >= 0: [integer digits, fraction digits]. */
function mgExact(a) {
  var m = a, k = 0;
  while (m !== Math.floor(m)) { m *= 2; k++; }  /* exact: a = m / 2^k, m an integer */
  var d = (BigInt(m) * BigInt(5) ** BigInt(k)).toString();  /* a = d / 10^k */
  while (d.length <= k) { d = "0" + d; }
  return [d.slice(0, d.length - k), d.slice(d.length - k).replace(/0+$/, "")];
}

/* The first n digits of the digit string d, rounded half to even as Python rounds. */
function mgRound(d, n) {
  var kept = d.slice(0, n), rest = d.slice(n), up = false;
  while (kept.length < n) { kept += "0"; }
  if (rest.charAt(0) > "5") { up = true; }
  else if (rest.charAt(0) === "5") {
    up = /[1-9]/.test(rest.slice(1)) || parseInt(kept.charAt(n - 1) || "0", 10) % 2 === 1;
  }
  if (!up) { return kept; }
  var a = kept.split(""), i = a.length - 1;
  while (i >= 0 && a[i] === "9") { a[i] = "0"; i--; }
  if (i < 0) { a.unshift("1"); } else { a[i] = String(parseInt(a[i], 10) + 1); }
  return a.join("");
}

function mgNegative(x) { return x < 0 || (x === 0 && 1 / x < 0); }

/* Python's "%.{p}f". */
MG.toFixed = function (x, p) {
  var e = mgExact(Math.abs(x)), frac = e[1];
  while (frac.length < p) { frac += "0"; }
  var r = mgRound(e[0] + frac, e[0].length + p);
  var ip = r.slice(0, r.length - p).replace(/^0+(?=\d)/, ""), fp = r.slice(r.length - p);
  return (mgNegative(x) ? "-" : "") + ip + (p > 0 ? "." + fp : "");
};

/* Significant digits of x (x != 0) rounded to n: [digits, decimal exponent]. */
function mgSig(x, n) {
  var e = mgExact(Math.abs(x)), exp, d;
  if (e[0] !== "0") { d = e[0] + e[1]; exp = e[0].length - 1; }
  else { var z = e[1].match(/^0*/)[0].length; d = e[1].slice(z); exp = -z - 1; }
  var r = mgRound(d, n);
  if (r.length > n) { r = r.slice(0, n); exp += 1; }
  return [r, exp];
}

function mgExponent(exp) {
  var a = Math.abs(exp);
  return "e" + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
}

/* Python's "%.{p}e": mantissa with p decimals, exponent with a sign and at least 2 digits. */
MG.toExp = function (x, p) {
  if (x === 0) { return (mgNegative(x) ? "-" : "") + MG.toFixed(0, p) + "e+00"; }
  var s = mgSig(x, p + 1), r = s[0];
  return (x < 0 ? "-" : "") + r.charAt(0) + (p > 0 ? "." + r.slice(1) : "") + mgExponent(s[1]);
};

/* Python's "%.{p}g" (trailing zeros dropped). */
MG.formatG = function (x, p) {
  var P = p === 0 ? 1 : p;
  var s = mgSig(x, P), exp = s[1];
  if (exp >= -4 && exp < P) {
    var f = MG.toFixed(x, P - 1 - exp);
    return f.indexOf(".") >= 0 ? f.replace(/0+$/, "").replace(/\.$/, "") : f;
  }
  var m = s[0].charAt(0) + (s[0].length > 1 ? "." + s[0].slice(1) : "");
  if (m.indexOf(".") >= 0) { m = m.replace(/0+$/, "").replace(/\.$/, ""); }
  return (x < 0 ? "-" : "") + m + mgExponent(exp);
};

/* A number of the model: JSON has no NaN or infinity, so those arrive as strings. */
/* A chain-rule line's stages as text (microgrand.stepper.notation.chain_stages): each piece
 * is text or a number slot {n, term, first}, filled with number(slot) and written as
 * notation.factor writes it (a negative number that is not first is bracketed). */
MG.renderStages = function (stages, number, precision) {
  return stages.map(function (stage) {
    return stage.map(function (p) {
      if (typeof p === "string") { return p; }
      var s = MG.formatShort(number(p), precision);
      return p.first || s.charAt(0) !== "-" ? s : "(" + s + ")";
    }).join("");
  });
};

MG.num = function (x) {
  if (typeof x === "number") { return x; }
  return x === "inf" ? Infinity : x === "-inf" ? -Infinity : x === "nan" ? NaN : parseFloat(x);
};

function mgZeros(n) { return new Array(Math.max(0, n) + 1).join("0"); }

/* The exact float of a number shown on the page, as Python's repr() writes it (data-number). */
MG.repr = function (x) {
  x = MG.num(x);
  if (isNaN(x)) { return "nan"; }
  if (!isFinite(x)) { return x > 0 ? "inf" : "-inf"; }
  if (x === 0) { return 1 / x < 0 ? "-0.0" : "0.0"; }
  var parts = x.toExponential().split("e"), exp = parseInt(parts[1], 10);
  var sign = x < 0 ? "-" : "", digits = parts[0].replace("-", "").replace(".", "");
  if (exp >= -4 && exp < 16) {
    if (exp < 0) { return sign + "0." + mgZeros(-exp - 1) + digits; }
    if (digits.length <= exp + 1) { return sign + digits + mgZeros(exp + 1 - digits.length) + ".0"; }
    return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  }
  var m = digits.length > 1 ? digits.charAt(0) + "." + digits.slice(1) : digits;
  return sign + m + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
};

MG.escape = function (s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
  });
};

/* A colour "#rrggbb" (or "#rgb") as [r, g, b]; grey for anything else. */
MG.hexRGB = function (c) {
  c = String(c || "").trim();
  if (/^#[0-9a-f]{3}$/i.test(c)) { c = "#" + c.charAt(1) + c.charAt(1) + c.charAt(2) + c.charAt(2) + c.charAt(3) + c.charAt(3); }
  if (!/^#[0-9a-f]{6}$/i.test(c)) { return [128, 128, 128]; }
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
};

/* Python's round(): half to even. */
MG.roundEven = function (v) {
  var r = Math.round(v);
  if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) { r -= 1; }
  return r;
};

/* The colour a fraction t (0…1) of the way from a to b, both [r, g, b], as [r, g, b]:
 * exactly microgrand.render.themes.mix. */
MG.mixRGB = function (a, b, t) {
  t = Math.min(1, Math.max(0, t));
  return [0, 1, 2].map(function (i) { return MG.roundEven(a[i] + (b[i] - a[i]) * t); });
};

/* The same mix of two "#rrggbb" colours, as "#rrggbb". */
MG.mix = function (a, b, t) {
  return "#" + MG.mixRGB(MG.hexRGB(a), MG.hexRGB(b), t).map(function (v) {
    return (v < 16 ? "0" : "") + v.toString(16);
  }).join("");
};

/* Start the view of the page whose root element has id `uid` (once per element). */
MG.boot = function (uid, script) {
  var root = script && script.parentNode && script.parentNode.id === uid ?
    script.parentNode : document.getElementById(uid);
  if (!root || root.getAttribute("data-ready")) { return null; }
  var data = root.querySelector("script.mg-model");
  if (!data) { return null; }
  var page = JSON.parse(data.textContent);
  var kind = root.getAttribute("data-kind");
  var run = MG.kinds[kind];
  if (!run) { throw new Error("microgrand: no view of kind " + kind); }
  var view = document.createElement("div");
  view.className = "mg-view";
  view.innerHTML = page.html;
  var fallback = root.querySelector(".mg-fallback");
  root.insertBefore(view, fallback);
  if (fallback) { root.removeChild(fallback); }
  root.setAttribute("data-ready", "1");
  return run(view, page.model, MG, root);
};

/* Zoom and pan for a diagram: see the top of this file. */
MG.zoom = function (stage, svg, opts) {
  opts = opts || {};
  var vb = svg.viewBox && svg.viewBox.baseVal;
  var natural = opts.width || (vb && vb.width ? vb.width : svg.getBoundingClientRect().width || 600);
  var lo = opts.min || 0.1, hi = opts.max || 4, fitMax = opts.fitMax || 1, s = 1, fitted = true;
  var doc = stage.ownerDocument;
  function button(what, text, name) {
    var b = doc.createElement("button");
    b.type = "button"; b.textContent = text; b.title = name;
    b.setAttribute("data-zoom", what); b.setAttribute("aria-label", name);
    return b;
  }
  var bar = opts.bar;
  if (!bar) {
    bar = doc.createElement("div");
    bar.className = "mg-zoom";
    stage.parentNode.insertBefore(bar, stage);
  }
  var group = doc.createElement("span");
  group.className = "mg-zoom-group";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Zoom");
  var out = button("out", "\u2212", "Zoom out"), inn = button("in", "+", "Zoom in"),
      fitB = button("fit", "Fit", "Fit to width");
  group.appendChild(out); group.appendChild(inn); group.appendChild(fitB);
  bar.appendChild(group);
  if (!stage.hasAttribute("tabindex")) { stage.setAttribute("tabindex", "0"); }
  if (!stage.hasAttribute("role")) { stage.setAttribute("role", "group"); }
  stage.setAttribute("aria-label", opts.label ||
    "Diagram: plus and minus zoom, 0 fits it to the width, arrow keys pan");
  function fitScale() {
    var w = stage.clientWidth || natural;
    return Math.max(lo, Math.min(fitMax, w / natural));
  }
  function set(scale, keepFit) {
    var old = s, cx = stage.scrollLeft + stage.clientWidth / 2;
    s = Math.max(lo, Math.min(hi, scale));
    fitted = !!keepFit;
    svg.style.width = (natural * s).toFixed(1) + "px";
    svg.style.maxWidth = "none";
    svg.style.height = "auto";
    stage.scrollLeft = cx * s / old - stage.clientWidth / 2;  /* keep the centre in place */
    out.disabled = s <= lo; inn.disabled = s >= hi;
    if (opts.onChange) { opts.onChange(s); }
    return s;
  }
  function fit() { return set(fitScale(), true); }
  function zoomBy(f) { return set(s * f, false); }
  out.addEventListener("click", function () { zoomBy(1 / 1.25); });
  inn.addEventListener("click", function () { zoomBy(1.25); });
  fitB.addEventListener("click", fit);
  stage.addEventListener("keydown", function (e) {
    if (e.target !== stage || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var k = e.key, dx = 0, dy = 0;
    var px = e.shiftKey ? stage.clientWidth * 0.9 : 40, py = e.shiftKey ? stage.clientHeight * 0.9 : 40;
    if (k === "+" || k === "=") { zoomBy(1.25); }
    else if (k === "-" || k === "_") { zoomBy(1 / 1.25); }
    else if (k === "0") { fit(); }
    else if (k === "ArrowLeft") { dx = -px; } else if (k === "ArrowRight") { dx = px; }
    else if (k === "ArrowUp") { dy = -py; } else if (k === "ArrowDown") { dy = py; }
    else { return; }
    if (dy && stage.scrollHeight <= stage.clientHeight) {  /* the page scrolls, nothing else */
      e.stopPropagation(); return;
    }
    stage.scrollLeft += dx; stage.scrollTop += dy;
    e.preventDefault(); e.stopPropagation();
  });
  stage.addEventListener("wheel", function (e) {
    if (!e.ctrlKey) { return; }
    e.preventDefault();
    zoomBy(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  }, {passive: false});
  var started = false;
  function start() {  /* the first scale, once the stage has a width */
    started = stage.clientWidth > 0;
    var first = opts.start === undefined ? null :
      typeof opts.start === "function" ? opts.start(fitScale()) : opts.start;
    if (first === null) { fit(); } else { set(first, false); }
  }
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(function () {
      if (!started) { start(); } else if (fitted) { fit(); }
    }).observe(stage);
  }
  start();
  return {fit: fit, zoomBy: zoomBy, set: function (x) { return set(x, false); },
    scale: function () { return s; }};
};
