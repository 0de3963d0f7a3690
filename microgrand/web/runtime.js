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

/* Python's "%.{p}f": like toFixed, but an exact tie rounds half to even, as Python does. */
MG.toFixed = function (x, p) {
  var s = x.toFixed(p);
  var a = Math.abs(x);
  if (a < 1e21) {
    var exact = a.toFixed(Math.min(100, p + 60));
    var dot = exact.indexOf(".");
    var kept = exact.slice(0, p > 0 ? dot + 1 + p : dot);
    var rest = exact.slice(dot + 1 + p);
    if (/^50*$/.test(rest) && parseInt(kept.charAt(kept.length - 1), 10) % 2 === 0) {
      s = (x < 0 ? "-" : "") + kept;
    }
  }
  return s;
};

/* Python's "%.{p}e": mantissa with p decimals, exponent with a sign and at least 2 digits. */
MG.toExp = function (x, p) {
  var s = x.toExponential(p);
  return s.replace(/e([+-])(\d)$/, "e$10$2");
};

/* Python's "%.{p}g" (trailing zeros dropped). */
MG.formatG = function (x, p) {
  var e = x.toExponential(p - 1);
  var exp = parseInt(e.split("e")[1], 10);
  if (exp >= -4 && exp < p) {
    var f = x.toFixed(Math.max(0, p - 1 - exp));
    if (f.indexOf(".") >= 0) { f = f.replace(/0+$/, "").replace(/\.$/, ""); }
    return f;
  }
  var m = e.split("e")[0];
  if (m.indexOf(".") >= 0) { m = m.replace(/0+$/, "").replace(/\.$/, ""); }
  var ex = e.split("e")[1];
  var sign = ex.charAt(0) === "-" ? "-" : "+";
  var digits = ex.replace(/^[+-]/, "");
  if (digits.length < 2) { digits = "0" + digits; }
  return m + "e" + sign + digits;
};

/* A number of the model: JSON has no NaN or infinity, so those arrive as strings. */
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
