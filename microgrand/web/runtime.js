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
 * Zoom and pan, shared by every diagram (player, live view, quiz, explorer): MG.zoom(stage,
 * svg, opts) (at the end of this file). The diagram is scaled by its CSS size and panned by
 * scrolling its stage; a scale of 1 is the diagram's natural size.
 *   stage  the element around the <svg> that scrolls (overflow: auto)
 *   svg    the diagram (with a viewBox); its width is set in CSS px, its height follows
 *   opts   width: the diagram's natural width in CSS px (default: the viewBox's);
 *          bar: the element the buttons go into (default: a new div.mg-zoom before stage);
 *            buttons already in it ([data-zoom] or [data-action="zoom-in"|"zoom-out"|"fit"])
 *            are used as they are, the missing ones are made;
 *          readable: the smallest scale at which the text is readable, or minText: the
 *            smallest text size in CSS px (the diagram's fonts are measured);
 *          start: the first scale, a number or a function of the fitted scale (default: the
 *            fitted scale, never above 1 nor below readable: a diagram too wide to read when
 *            fitted opens at the smallest readable scale and the stage scrolls sideways);
 *          fitMax: the largest scale Fit chooses (default 1); fitAll: Fit shows the whole
 *            diagram, its height too (for a stage of fixed height); min, max: limits (0.1,
 *            4; min "fit": never smaller than Fit);
 *          hideWhenReadable: the buttons are hidden while the fitted diagram is readable and
 *            nobody has zoomed; level: a percentage (span.mg-zoom-level) after the buttons;
 *          drag: dragging pans and two fingers pinch (a click after a drag is swallowed);
 *          tabStop: true (default) the stage is a Tab stop, "scroll" only while it scrolls,
 *            false never (the page has focusable parts inside it);
 *          label: the stage's accessible name (default: its aria-label or a sentence);
 *          onChange(scale): called after each change.
 *   Buttons [data-zoom="out"|"in"|"fit"] with [data-action="zoom-out"|"zoom-in"|"fit"]
 *   ("Zoom out", "Zoom in", "Fit to width"; at a limit they stay enabled and do nothing, so
 *   that the focus stays on them). Keys while the stage or anything in it has the focus
 *   (not a text box; not a key the page handled first with preventDefault) or on the
 *   buttons: + or = zoom in, - or _ zoom out, 0 fits; arrows pan (Shift: a screenful; up
 *   and down are left to the page when the stage does not scroll that way). Buttons and keys
 *   keep the middle of what is seen in the middle (the page scrolls too when the diagram's
 *   top is above the window); Ctrl + wheel (a touchpad pinch) and a pinch zoom around the
 *   pointer. Fit follows the stage's width until the user zooms, and so does the first
 *   scale. Returns {fit(), zoomBy(factor[, x, y]), set(scale), scale(), readable(),
 *   act(name), frame(rect), reveal(element), diagram(svg, opts)}: frame shows a rectangle of the
 *   diagram ([x, y, w, h] in viewBox units) as large as the stage allows (between readable
 *   and fitMax); reveal scrolls the least that shows an element (smoothly unless the user
 *   prefers reduced motion); diagram puts another <svg> (width, readable, minText) in.
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

/* The smallest text of a diagram, in its own units (the viewBox's): its <text> and the
   boxes of a foreignObject that say their size. Infinity when it has none. */
MG.smallestText = function (svg) {
  var smallest = Infinity;
  svg.querySelectorAll("text").forEach(function (t) {
    var s = parseFloat(t.getAttribute("font-size") || getComputedStyle(t).fontSize);
    if (s > 0 && t.textContent.trim()) { smallest = Math.min(smallest, s); }
  });
  svg.querySelectorAll("foreignObject [style]").forEach(function (e) {
    var s = parseFloat(e.style.fontSize);
    if (s > 0) { smallest = Math.min(smallest, s); }
  });
  return smallest;
};

/* Zoom and pan for a diagram: see the top of this file. */
MG.zoom = function (stage, svg, opts) {
  opts = opts || {};
  var doc = stage.ownerDocument, win = doc.defaultView || window;
  var hi = opts.max || 4, fitMax = opts.fitMax || 1, s = 1, mode = "auto";
  var natural = 600, ratio = 1, unit = 1, readable = 0;  /* unit: CSS px per viewBox unit at 1 */
  var KEYS = {out: ["zoom-out", "\u2212", "Zoom out", "-"], "in": ["zoom-in", "+", "Zoom in", "+"],
    fit: ["fit", "Fit", "Fit to width", "0"]};
  var motion = win.matchMedia ? win.matchMedia("(prefers-reduced-motion: reduce)") : null;

  /* --- the buttons --------------------------------------------------------------------- */
  var bar = opts.bar;
  if (!bar) {
    bar = doc.createElement("div");
    bar.className = "mg-zoom";
    stage.parentNode.insertBefore(bar, stage);
  }
  var buttons = {}, made = [], holder = bar;
  Object.keys(KEYS).forEach(function (what) {
    var b = bar.querySelector('[data-zoom="' + what + '"], [data-action="' + KEYS[what][0] + '"]');
    if (!b) {
      b = doc.createElement("button");
      b.type = "button"; b.textContent = KEYS[what][1];
      b.title = KEYS[what][2] + " (key " + KEYS[what][3] + ")";
      made.push(b);
    }
    b.setAttribute("data-zoom", what); b.setAttribute("data-action", KEYS[what][0]);
    if (!b.hasAttribute("aria-label")) { b.setAttribute("aria-label", KEYS[what][2]); }
    if (!b.hasAttribute("aria-keyshortcuts")) { b.setAttribute("aria-keyshortcuts", KEYS[what][3]); }
    buttons[what] = b;
  });
  var level = null;
  if (made.length) {
    holder = doc.createElement("span");
    holder.className = "mg-zoom-group";
    holder.setAttribute("role", "group");
    holder.setAttribute("aria-label", "Zoom");
    made.forEach(function (b) { holder.appendChild(b); });
    bar.appendChild(holder);
  }
  if (opts.level) {
    level = doc.createElement("span");
    level.className = "mg-muted mg-zoom-level";
    level.setAttribute("aria-hidden", "true");
    holder.appendChild(level);
  }
  var name = opts.label || stage.getAttribute("aria-label") ||
    "Diagram: plus and minus zoom, 0 fits it to the width, arrow keys pan";

  /* --- scales -------------------------------------------------------------------------- */
  function measure(o) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    natural = o.width || (vb && vb.width ? vb.width : svg.getBoundingClientRect().width || 600);
    ratio = vb && vb.width ? vb.height / vb.width : 0;
    unit = vb && vb.width ? natural / vb.width : 1;
    readable = o.readable || 0;
    if (!readable && o.minText) {
      var small = MG.smallestText(svg);
      readable = small < Infinity ? o.minText / (small * unit) : 0;
    }
  }
  function lowest() { return opts.min === "fit" ? fitScale() : opts.min || 0.1; }
  function fitScale() {
    var f = (stage.clientWidth || natural) / natural;
    if (opts.fitAll && ratio && stage.clientHeight) {
      f = Math.min(f, stage.clientHeight / (natural * ratio));
    }
    return Math.max(opts.min === "fit" ? 0 : opts.min || 0.1, Math.min(fitMax, f));
  }
  function autoScale() {
    if (opts.start === undefined) { return Math.max(readable, Math.min(1, fitScale())); }
    return typeof opts.start === "function" ? opts.start(fitScale()) : opts.start;
  }
  function scrolls() {
    return stage.scrollWidth > stage.clientWidth + 1 || stage.scrollHeight > stage.clientHeight + 1;
  }
  function update() {
    if (level) { level.textContent = Math.round(100 * s) + "%"; }
    if (opts.hideWhenReadable && mode === "auto") {
      var hide = !(readable && Math.min(1, fitScale()) < readable);
      holder.hidden = hide;
      Object.keys(buttons).forEach(function (what) { buttons[what].hidden = hide; });
    }
    if (opts.tabStop === false) { return; }
    if (opts.tabStop !== "scroll" || scrolls() || doc.activeElement === stage) {
      stage.setAttribute("tabindex", "0");
      stage.setAttribute("role", "group");
      stage.setAttribute("aria-label", name);
    } else {
      stage.removeAttribute("tabindex"); stage.removeAttribute("role");
      stage.removeAttribute("aria-label");
    }
  }
  /* Scroll the stage to (left, top): at once ("instant", whatever its CSS scroll-behavior
     says; the default) or "smooth"ly. */
  function jump(left, top, behavior) {
    if (stage.scrollTo) { stage.scrollTo({left: left, top: top, behavior: behavior || "instant"}); }
    else { stage.scrollLeft = left; stage.scrollTop = top; }
  }
  /* The scale `scale`, keeping the diagram's point under (x, y) (client px; default: the
     middle of what is seen) where it is. */
  function set(scale, newMode, x, y) {
    var sr = stage.getBoundingClientRect(), r = svg.getBoundingClientRect();
    if (x === undefined) {
      x = sr.left + stage.clientWidth / 2;
      y = (Math.max(sr.top, 0) + Math.min(sr.bottom, win.innerHeight || sr.bottom)) / 2;
    }
    var fx = r.width ? (x - r.left) / r.width : 0.5, fy = r.height ? (y - r.top) / r.height : 0.5;
    var old = r.width;
    s = Math.max(lowest(), Math.min(hi, scale));
    mode = newMode;
    svg.style.width = (natural * s).toFixed(1) + "px";
    svg.style.maxWidth = "none"; svg.style.minWidth = "0"; svg.style.height = "auto";
    var n = svg.getBoundingClientRect();
    var top = stage.scrollTop;
    if (stage.scrollHeight > stage.clientHeight + 1) { top += n.top + fy * n.height - y; }
    jump(stage.scrollLeft + n.left + fx * n.width - x, top);
    if (stage.scrollHeight <= stage.clientHeight + 1 && sr.top < 0 && old > 0) {
      /* the page scrolls: keep the middle in the window */
      win.scrollBy(0, n.top + fy * n.height - y);
    }
    update();
    if (opts.onChange) { opts.onChange(s); }
    return s;
  }
  function fit() { return set(fitScale(), "fit"); }
  function zoomBy(f, x, y) { return set(s * f, "free", x, y); }
  function act(what) {
    what = String(what).replace(/^zoom-/, "");
    if (what === "in") { return zoomBy(1.25); }
    if (what === "out") { return zoomBy(1 / 1.25); }
    if (what === "fit") { return fit(); }
    return s;
  }
  /* Rectangle b ([x, y, w, h] in viewBox units) as large as the stage allows. */
  function frame(b) {
    var vb = svg.viewBox.baseVal, W = stage.clientWidth, H = stage.clientHeight || Infinity;
    var f = Math.min(W / (b[2] * unit), H / (b[3] * unit));
    set(Math.max(readable, Math.min(fitMax, f)), "free");
    var r = svg.getBoundingClientRect(), sr = stage.getBoundingClientRect(), k = unit * s;
    var left = r.left - sr.left - stage.clientLeft + stage.scrollLeft + (b[0] - vb.x) * k;
    var top = r.top - sr.top - stage.clientTop + stage.scrollTop + (b[1] - vb.y) * k;
    var w = b[2] * k, h = b[3] * k;
    jump(w <= W ? left + w / 2 - W / 2 : left,
      h <= stage.clientHeight ? top + h / 2 - stage.clientHeight / 2 : top);
    return s;
  }
  /* Scroll the least that shows element `el` (its start first when it is larger). */
  function reveal(el) {
    if (!el) { return; }
    var r = el.getBoundingClientRect(), sr = stage.getBoundingClientRect(), pad = 8;
    var x0 = sr.left + stage.clientLeft, y0 = sr.top + stage.clientTop;
    function near(lo, size, span) {  /* lo, size: the element's place in the stage's box */
      if (size + 2 * pad > span || lo < pad) { return lo - pad; }
      return lo + size + pad > span ? lo + size + pad - span : 0;
    }
    var dx = near(r.left - x0, r.width, stage.clientWidth);
    var dy = near(r.top - y0, r.height, stage.clientHeight);
    if (!dx && !dy) { return; }
    jump(stage.scrollLeft + dx, stage.scrollTop + dy,
      motion && motion.matches ? "instant" : "smooth");
  }
  function diagram(el, o) {
    svg = el;
    measure(o || {});
    set(autoScale(), "auto");
  }

  /* --- buttons, keys, wheel, pointer --------------------------------------------------- */
  buttons.out.addEventListener("click", function () { act("out"); });
  buttons["in"].addEventListener("click", function () { act("in"); });
  buttons.fit.addEventListener("click", function () { act("fit"); });
  function typing(t) {
    return t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable);
  }
  function keys(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var k = e.key, dx = 0, dy = 0, onButton = !stage.contains(e.target);
    var px = e.shiftKey ? stage.clientWidth * 0.9 : 40, py = e.shiftKey ? stage.clientHeight * 0.9 : 40;
    if (k === "+" || k === "=") { act("in"); }
    else if (k === "-" || k === "_") { act("out"); }
    else if (k === "0") { act("fit"); }
    else if (onButton) { return; }
    else if (k === "ArrowLeft") { dx = -px; } else if (k === "ArrowRight") { dx = px; }
    else if (k === "ArrowUp") { dy = -py; } else if (k === "ArrowDown") { dy = py; }
    else { return; }
    if (dy && stage.scrollHeight <= stage.clientHeight) {  /* the page scrolls, nothing else */
      e.stopPropagation(); return;
    }
    if (stage.scrollBy) { stage.scrollBy(dx, dy); } else { stage.scrollLeft += dx; stage.scrollTop += dy; }
    e.preventDefault(); e.stopPropagation();
  }
  stage.addEventListener("keydown", keys);
  Object.keys(buttons).forEach(function (what) { buttons[what].addEventListener("keydown", keys); });
  stage.addEventListener("wheel", function (e) {
    if (!(e.ctrlKey || e.metaKey)) { return; }  /* a plain wheel scrolls */
    e.preventDefault();
    zoomBy(Math.exp(-e.deltaY * 0.005), e.clientX, e.clientY);
  }, {passive: false});
  if (opts.drag) {
    var pointers = {}, drag = null, moved = false, pinch = null;
    stage.addEventListener("pointerdown", function (e) {
      if (typing(e.target) || (e.button && e.button !== 0)) { return; }
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        pinch = Math.hypot(a[0] - b[0], a[1] - b[1]); drag = null;
      } else {
        drag = [e.clientX, e.clientY, stage.scrollLeft, stage.scrollTop]; moved = false;
      }
    });
    stage.addEventListener("pointermove", function (e) {
      if (!(e.pointerId in pointers)) { return; }
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var ids = Object.keys(pointers);
      if (ids.length === 2 && pinch) {
        var a = pointers[ids[0]], b = pointers[ids[1]], d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (d > 0) { zoomBy(d / pinch, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2); pinch = d; }
        moved = true;
        return;
      }
      if (!drag) { return; }
      var dx = e.clientX - drag[0], dy = e.clientY - drag[1];
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!moved) {
        moved = true;
        if (stage.setPointerCapture) { stage.setPointerCapture(e.pointerId); }
        stage.classList.add("mg-dragging");
      }
      jump(drag[2] - dx, drag[3] - dy);
    });
    var release = function (e) {
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) { pinch = null; }
      drag = null; stage.classList.remove("mg-dragging");
    };
    stage.addEventListener("pointerup", release);
    stage.addEventListener("pointercancel", release);
    stage.addEventListener("click", function (e) {  /* a drag is not a click */
      if (moved) { moved = false; e.stopPropagation(); e.preventDefault(); }
    }, true);
  }

  /* --- the first scale, and the stage's width ------------------------------------------ */
  var started = false;
  function start() {  /* once the stage has a width */
    started = stage.clientWidth > 0;
    set(autoScale(), "auto");
  }
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(function () {
      if (!svg) { return; }
      if (!started || mode === "auto") { start(); } else if (mode === "fit") { fit(); }
      else { update(); }
    }).observe(stage);
  }
  if (svg) { measure(opts); start(); }
  return {fit: fit, zoomBy: zoomBy, set: function (x) { return set(x, "free"); },
    scale: function () { return s; }, readable: function () { return readable; }, act: act,
    frame: frame, reveal: reveal, diagram: diagram};
};
