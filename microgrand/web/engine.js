/*
 * microgrand engine.js, the page's compute engine: recompute a graph's values, local
 * derivatives and gradients in the browser (or in node) from the JavaScript forms of the rules
 * table (microgrand/rules.py). Not the layout engine: that is the Graphviz program that draws
 * the diagrams (microgrand/render/engine.py, the engine= option of draw and the pages).
 * Plain JS, no build step. In a page, <script src="engine.js"> defines the global
 * `MicrograndEngine`; in node, `require("./engine.js")` returns the same object.
 *
 * API
 * ---
 * compileRules(rulesJson) -> rules
 *     rulesJson is microgrand.rules.rules_js() as JSON: {name: {name, text, arity, domain,
 *     family, forward, local: [...], check}}. Each form is a JS expression in x, y, out
 *     (one or two inputs) or xs, i, out (many inputs), and p (a family's parameter); it may
 *     call fsum. `check` is null inside the domain, else [kind, reason].
 *
 * applyRule(rules, op, param, xs, text?) -> {ok: true, value, local: [...]}
 *                                          | {ok: false, kind, message}
 *     One operation on plain numbers, refusing exactly what Python refuses, with Python's
 *     message ("log: log(x) is undefined for x = -1: the logarithm needs x > 0"). `text` is
 *     the rule's text for this parameter (from the graph model), used in messages.
 *
 * evaluate(rules, model, seed = 1) -> result
 *     model: {nodes: [{id, op, param, inputs: [ids], value, text}], root}: nodes in
 *     topological order (inputs first); a leaf has op "" and a finite `value`; `root`
 *     defaults to the last node. result: {values, locals, grads, errors, ok, error, index},
 *     arrays parallel to model.nodes. Forward values and local derivatives as in
 *     Value(...) operations; gradients by the same reverse sweep as Value.backward (every
 *     node, last to first, adds local * grad to each input; a node whose grad is 0 sends
 *     nothing). If an operation is refused, errors[k] holds Python's message on that node
 *     and on every node downstream of it, their values are null, ok is false, `error` is the
 *     first message and all gradients are null (Python would have raised before backward).
 *
 * Agreement with Python: a rule whose forms use only exactly rounded operations (+ − × ÷,
 * Math.sqrt, comparisons, fsum; x², √x and 1/x are written that way, not with Math.pow) gives
 * Python's floats bit for bit, the sign of zero included (Rule.browser_exact in rules.py). A
 * rule that calls Math.exp, log, sin, cos, tanh or pow may differ from CPython's C library by
 * a few units in the last place (at most 4 measured, in Chromium and node): about 1e-15 of
 * the number, which a shown number's digits reveal only when it sits on a rounding boundary
 * or is written with 15 or more significant digits. data-number then holds the float this
 * engine computed, and the live view and the quiz show such a graph's numbers with at most 13
 * significant digits (microgrand.pages.live_model.SHOWN_DIGITS).
 *
 * fsum(xs)      microgrand.rules.exact_sum: Python's math.fsum (the exactly rounded sum), also
 *               where a partial sum overflows but the sum does not; Infinity if it does.
 * formatG(x)    Python's format(x, ".6g"), used for operands in messages.
 */
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  } else {
    root.MicrograndEngine = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // microgrand.rules.exact_sum: math.fsum, and where a partial sum overflows although the
  // exact sum may be finite, the sum of the halves doubled (Infinity if that overflows too).
  function fsum(xs) {
    const s = shewchuk(xs);
    if (Number.isFinite(s) || !xs.every(Number.isFinite)) return s;
    const half = shewchuk(xs.map((x) => x * 0.5));
    return Math.abs(half) > Number.MAX_VALUE / 2 ? Infinity : half * 2;
  }

  // CPython's math.fsum: Shewchuk's partials, then a correctly rounded sum of them.
  function shewchuk(xs) {
    const p = [];
    for (const v of xs) {
      let x = v;
      let n = 0;
      for (let j = 0; j < p.length; j++) {
        let y = p[j];
        if (Math.abs(x) < Math.abs(y)) {
          const t = x;
          x = y;
          y = t;
        }
        const hi = x + y;
        const lo = y - (hi - x);
        if (lo !== 0) p[n++] = lo;
        x = hi;
      }
      p.length = n;
      if (x !== 0) {
        if (!Number.isFinite(x)) return Number.isFinite(v) ? Infinity : x;
        p.push(x);
      }
    }
    let n = p.length;
    let hi = 0;
    if (n > 0) {
      hi = p[--n];
      let lo = 0;
      while (n > 0) {
        const x = hi;
        const y = p[--n];
        hi = x + y;
        const yr = hi - x;
        lo = y - yr;
        if (lo !== 0) break;
      }
      if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
        const y = lo * 2;
        const x = hi + y;
        const yr = x - hi;
        if (y === yr) hi = x;
      }
    }
    return hi;
  }

  // Python's format(x, ".6g") (exact ties round half to even, as in Python).
  function formatG(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const exact = x.toExponential(100); // every digit of the double (ties end early)
    const digits = exact.split("e")[0].replace(/[-.]/g, "");
    if (/^\d{5}[02468]50*$/.test(digits)) {
      // an exact tie after the 6th digit and that digit is even: round down, not up
      x = Number(exact.split("e")[0].slice(0, x < 0 ? 8 : 7) + "e" + exact.split("e")[1]);
    }
    const [mant, ex] = x.toExponential(5).split("e");
    const e = parseInt(ex, 10);
    if (e < -4 || e >= 6) {
      const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
      return m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
    }
    let s = x.toFixed(5 - e);
    if (s.includes(".")) s = s.replace(/\.?0+$/, "");
    return s;
  }

  const ARGS = ["x", "y", "xs", "i", "out", "p", "fsum"];

  function compileForm(expr) {
    // eslint-disable-next-line no-new-func
    return new Function(...ARGS, '"use strict"; return (' + expr + ");");
  }

  function compileRules(rulesJson) {
    const rules = {};
    for (const name of Object.keys(rulesJson)) {
      const r = rulesJson[name];
      rules[name] = {
        name: r.name,
        text: r.text,
        arity: r.arity,
        domain: r.domain,
        family: !!r.family,
        forward: compileForm(r.forward),
        local: r.local.map(compileForm),
        check: r.check ? compileForm(r.check) : null,
      };
    }
    return rules;
  }

  function operands(xs) {
    const names = xs.length <= 2 ? ["x", "y"] : xs.map((_, k) => "x" + k);
    return xs.map((v, k) => names[k] + " = " + formatG(v)).join(", ");
  }

  function refuse(rule, text, xs, kind, reason) {
    const where = rule.name + ": " + text;
    if (!xs.every(Number.isFinite)) {
      return {
        ok: false,
        kind: "ValueError",
        message: where + " got a non-finite input (" + operands(xs) + "); microgrand works " +
          "with finite numbers only: find where the NaN or infinity was written into .data",
      };
    }
    if (kind === "OverflowError") {
      const valid = rule.domain === "all real numbers" ? "" : " (valid inputs: " + rule.domain + ")";
      return {
        ok: false,
        kind: kind,
        message: where + " overflows for " + operands(xs) +
          ": the result is too large for a float" + valid,
      };
    }
    return { ok: false, kind: kind, message: where + " is undefined for " + operands(xs) + ": " + reason };
  }

  function applyRule(rules, op, param, xs, text) {
    const rule = rules[op];
    if (!rule) throw new Error("unknown operation " + JSON.stringify(op));
    const t = text || rule.text;
    const p = rule.family ? param : null;
    const nary = rule.arity === 0;
    const x = nary ? undefined : xs[0];
    const y = nary ? undefined : xs[1];
    if (rule.check) {
      const bad = rule.check(x, y, xs, undefined, undefined, p, fsum);
      if (bad) return refuse(rule, t, xs, bad[0], bad[1]);
    }
    const out = rule.forward(x, y, xs, undefined, undefined, p, fsum);
    if (!Number.isFinite(out)) return refuse(rule, t, xs, "OverflowError", "");
    if (rule.arity === 1 && !Number.isFinite(x)) return refuse(rule, t, xs, "ValueError", "");
    let local;
    if (nary) {
      const f = rule.local[0];
      local = xs.map((_, i) => f(x, y, xs, i, out, p, fsum));
    } else {
      local = rule.local.map((f) => f(x, y, xs, undefined, out, p, fsum));
    }
    return { ok: true, value: out, local: local };
  }

  function evaluate(rules, model, seed) {
    const nodes = model.nodes;
    const n = nodes.length;
    const index = {};
    nodes.forEach((nd, k) => {
      index[nd.id] = k;
    });
    const values = new Array(n).fill(null);
    const locals = new Array(n).fill(null);
    const errors = new Array(n).fill(null);
    let first = null;
    for (let k = 0; k < n; k++) {
      const nd = nodes[k];
      const ins = (nd.inputs || []).map((id) => index[id]);
      if (!nd.op) {
        const v = Number(nd.value);
        if (!Number.isFinite(v)) {
          errors[k] = "Value() must be a finite number, got " + formatG(v) + ": microgrand " +
            "works with finite numbers only (NaN and ±inf are refused; a huge finite number " +
            "such as 1e308 works)";
        } else {
          values[k] = v;
        }
      } else {
        const upstream = ins.find((j) => errors[j] !== null);
        if (upstream !== undefined) {
          errors[k] = errors[upstream];
        } else {
          const r = applyRule(rules, nd.op, nd.param, ins.map((j) => values[j]), nd.text);
          if (r.ok) {
            values[k] = r.value;
            locals[k] = r.local;
          } else {
            errors[k] = r.message;
          }
        }
      }
      if (errors[k] !== null && first === null) first = errors[k];
    }
    const rootIndex = model.root !== undefined ? index[model.root] : n - 1;
    let grads = new Array(n).fill(null);
    if (errors[rootIndex] === null) {
      grads = new Array(n).fill(0);
      grads[rootIndex] += seed === undefined ? 1 : seed;
      for (let k = n - 1; k >= 0; k--) {
        const g = grads[k];
        const ins = nodes[k].inputs || [];
        if (g === 0 || ins.length === 0) continue;
        const loc = locals[k];
        for (let j = 0; j < ins.length; j++) grads[index[ins[j]]] += loc[j] * g;
      }
    }
    return {
      values: values,
      locals: locals,
      grads: grads,
      errors: errors,
      ok: first === null,
      error: first,
      index: index,
    };
  }

  return { fsum: fsum, formatG: formatG, compileRules: compileRules, applyRule: applyRule, evaluate: evaluate };
});
