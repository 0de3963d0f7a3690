// microgrand playground: the front-end of the notebook widget and of the recorded replay.
//
// `render({model, el})`, in anywidget's shape, draws every view from the model's traits
// (`view`, `frame`, `history`, `frame_count`, `frame_index`, `error`) and sends the user's
// actions to Python with `model.send({action, ...})`. The replay page drives the same code with
// `replayModel(payload)`, a model whose actions move through recorded frames.
//
// The file holds plain declarations, with no import or export statement, and runs after the
// page runtime (`runtime.js`: `MG.formatShort`, the one number formatter, and `MG.mixRGB`,
// the one colour mix), so that it serves both: the widget gets both files as one ES module with
// export lines added (`microgrand.play.replay.module()`), and the replay page runs it as one of
// the page's scripts, with `playground_page.js` registering `MG.kinds.playground`.
//
// The keyboard and screen-reader side (names, focus, the data cursor, announcements, the
// weights' tooltips, keeping the focus through a rebuild) is in `playground_keys.js`, which
// runs with this file (the same plain declarations).
//
// One function per panel: `buildBar`, `buildStats`, `buildKnobs`, `buildPlots` and
// `buildNetwork` make the elements once per view; `drawStats`, `drawBoundary`, `drawNeurons`,
// `drawEdges`, `drawCurves` and `drawExplain` redraw them for every frame. `app` carries the
// model, the elements (`app.ui`) and what the user chose (playing, the selected weight, the
// click mode).
//
// DOM contract: scrubber `input[data-scrub]`; buttons `[data-action="play"|"step"|"reset"|
// "new-seed"]`; numbers `[data-stat="step"|"train-loss"|"test-loss"|"train-accuracy"|
// "test-accuracy"]` with the full float in `data-number`; edges `[data-edge="L-j-i"]`; menus
// `select[data-knob=KEY]` whose options are the registries' names (`value`) and labels (text),
// from the view's `choices`; the data plot `[data-plot]` and its announcements `[data-status]`.
// Colours come from the theme's CSS custom properties (--mg-*); a class's colour is
// `--mg-class-K` when the theme defines it, else the view's `colors` (the theme's `classes`,
// set on the root as `--mg-pg-class-K`).

const SVGNS = "http://www.w3.org/2000/svg";
const STATS = [
  ["step", "step", "Step"],
  ["train-loss", "train_loss", "Train loss"],
  ["test-loss", "test_loss", "Test loss"],
  ["train-accuracy", "train_accuracy", "Train acc."],
  ["test-accuracy", "test_accuracy", "Test acc."],
];

function h(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids) e.append(k);
  return e;
}

function s(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// A number for a panel: the runtime's formatter (Python's format_short); "–" for none.
function num(x, digits = 4) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return MG.formatShort(x, digits);
}

function percent(x) {
  return x === null || x === undefined ? "–" : MG.formatFixed(100 * x, 1) + "%";
}

// The heatmaps' colours: the view's palette (Python's theme), so that the first picture is
// right even while the element is not yet in the document (no computed style there yet).
function themeColours(root, view) {
  const cs = root.isConnected ? getComputedStyle(root) : null;
  const own = (n) => (cs ? cs.getPropertyValue(n).trim() : "");
  // a class's colour: the theme's --mg-class-K where the page defines it, else the view's
  const classes = view.colors.map((c, k) => MG.hexRGB(own(`--mg-class-${k}`) || c));
  const p = view.palette;
  if (p) return { classes, background: MG.hexRGB(p.background), negative: MG.hexRGB(p.negative), positive: MG.hexRGB(p.positive) };
  const get = (n) => MG.hexRGB(own(n));
  return { classes, background: get("--mg-background"), negative: get("--mg-negative"), positive: get("--mg-positive") };
}

// 256 colours, one per byte value, so that a heatmap mixes each colour once, not per pixel.
function table(colourOf) {
  return Array.from({ length: 256 }, (_, b) => colourOf(b));
}

function paint(canvas, g, colourAt) {
  if (canvas.width !== g || canvas.height !== g) {  // resizing clears and reallocates: only on change
    canvas.width = g;
    canvas.height = g;
  }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(g, g);
  for (let p = 0; p < g * g; p++) {
    const c = colourAt(p);
    img.data[4 * p] = c[0];
    img.data[4 * p + 1] = c[1];
    img.data[4 * p + 2] = c[2];
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function weightAt(frame, ref, key) {
  const v = frame[key]?.[ref.layer]?.[ref.neuron]?.[ref.index];
  return v === undefined ? null : v;
}

// --- the elements, made once per view -----------------------------------------------------

function buildBar(app, replay) {
  const btn = (action, label, title) => h("button", { type: "button", "data-action": action, title, text: label });
  const play = btn("play", "Play", replay ? "play the recorded frames" : "train continuously");
  const step = btn("step", "Step", replay ? "next recorded frame" : "one optimizer step");
  const reset = btn("reset", "Reset", replay ? "first frame" : "back to the same initial weights");
  const bar = h("div", { class: "mg-pg-bar" }, reset, play, step);
  if (!replay) {
    const seed = btn("new-seed", "New seed", "new data and new initial weights");
    seed.addEventListener("click", () => { stop(app); app.send({ action: "new_seed" }); });
    bar.append(seed);
  }
  const scrub = h("input", { type: "range", "data-scrub": true, min: 0, step: 1, "aria-label": "recorded frames" });
  bar.append(h("label", { class: "mg-pg-scrub" }, h("span", { text: "Frames" }), scrub));
  play.addEventListener("click", () => {
    if (app.playing) return stop(app);
    app.playing = true;
    play.textContent = "Pause";
    play.dataset.playing = "1";
    tick(app);
  });
  step.addEventListener("click", () => { stop(app); app.send({ action: "step", n: 1 }); });
  reset.addEventListener("click", () => { stop(app); app.send({ action: "reset" }); });
  scrub.addEventListener("input", () => { stop(app); app.send({ action: "show", frame: Number(scrub.value) }); });
  return { bar, play, scrub };
}

function buildStats() {
  const stats = h("div", { class: "mg-pg-stats" });
  const statEls = {};
  for (const [key, , label] of STATS) {
    const v = h("span", { class: "mg-pg-num", "data-stat": key, "data-number": "" });
    statEls[key] = v;
    stats.append(h("span", { class: "mg-pg-stat" }, h("span", { text: label + " " }), v));
  }
  return { stats, statEls };
}

function buildKnobs(app, view, replay) {
  const box = h("details", { class: "mg-pg-knobs", open: !replay });
  box.append(h("summary", { text: replay ? "Settings of this run" : "Settings" }));
  const cfg = view.config;
  const grid = h("div", { class: "mg-pg-grid" });
  const field = (key, label, input) => {
    input.dataset.knob = key;
    input.disabled = replay;
    input.addEventListener("change", () => {
      let value = input.value;
      if (input.type === "number") value = Number(value);
      if (key === "layers") value = value.trim() === "" ? [] : value.split(",").map((t) => Number(t.trim()));
      app.send({ action: "set", key, value });
    });
    grid.append(h("label", {}, h("span", { text: label }), input));
  };
  const select = (key, label) => {  // the options: the registry's names and labels
    const sel = h("select");
    for (const o of view.choices[key]) {
      sel.append(h("option", { value: o.name, text: o.label, selected: String(cfg[key]) === o.name }));
    }
    field(key, label, sel);
  };
  const number = (key, label, step, min) => field(key, label, h("input", { type: "number", step, min, value: cfg[key] }));
  if (!view.own_data) {
    select("dataset", "Data");
    number("noise", "Noise", 0.05, 0);
    number("n", "Points", 10, 4);
    if (view.variable_classes.includes(cfg.dataset)) number("classes", "Classes", 1, 2);
  }
  number("test_fraction", "Test fraction", 0.05, 0);
  field("layers", "Hidden layers", h("input", { type: "text", value: cfg.layers.join(","), title: "neurons per hidden layer, e.g. 8,8" }));
  select("activation", "Activation");
  select("init", "Initialiser");
  select("loss", "Loss");
  select("optimizer", "Optimizer");
  number("lr", "Learning rate", 0.001, 0);
  number("batch_size", "Batch size", 1, 1);
  number("l2", "L2", 0.0001, 0);
  box.append(grid);
  if (!replay) box.append(buildClickMode(app, view));
  return box;
}

function buildClickMode(app, view) {
  const pick = h("select", { "data-knob": "click" });
  for (let k = 0; k < view.classes; k++) pick.append(h("option", { value: k, text: `add class ${k}` }));
  pick.append(h("option", { value: "erase", text: "erase points" }));
  pick.addEventListener("change", () => { app.mode = pick.value === "erase" ? "erase" : Number(pick.value); });
  if (app.mode !== "erase" && !(app.mode < view.classes)) app.mode = 0;
  pick.value = String(app.mode);
  app.ui.pick = pick;
  return h("label", { class: "mg-pg-click" }, h("span", { text: "Click (or Enter) on the data: " }), pick);
}

function buildPlots(app) {
  const boundary = h("div", { class: "mg-pg-boundary" });
  const bcanvas = h("canvas", { width: 1, height: 1, class: "mg-pg-heat" });
  const bsvg = s("svg", { class: "mg-pg-points", viewBox: "0 0 300 300", "data-plot": "" });
  const pointsG = s("g"), cursorG = s("g", { class: "mg-pg-mark" });
  bsvg.append(pointsG, cursorG);
  boundary.append(bcanvas, bsvg);
  bsvg.addEventListener("click", (ev) => {  // add a point of the chosen class, or erase one
    if (app.isReplay()) return;
    const r = bsvg.getBoundingClientRect();
    const [x0, x1, y0, y1] = app.model.get("view").bounds;
    const px = (ev.clientX - r.left) / r.width, py = (ev.clientY - r.top) / r.height;
    const x = x0 + px * (x1 - x0), y = y1 - py * (y1 - y0);
    app.cursor = [x, y];
    actAt(app, x, y);
  });
  const status = h("p", { class: "mg-pg-status", role: "status", "data-status": "" });
  const tip = h("div", { class: "mg-pg-tip", hidden: true });
  const netSvg = s("svg", { class: "mg-pg-edges" });
  const net = h("div", { class: "mg-pg-net" }, tip, netSvg);
  const lossSvg = s("svg", { class: "mg-pg-chart", viewBox: "0 0 300 120", "data-chart": "loss" });
  const gradSvg = s("svg", { class: "mg-pg-chart", viewBox: "0 0 300 120", "data-chart": "grad-norms" });
  const explain = h("div", { class: "mg-pg-explain", "data-view": "update" });
  const fig = (caption, body) => h("figure", {}, h("figcaption", { text: caption }), body);
  const main = h("div", { class: "mg-pg-main" },
    fig("Network: every neuron over the input plane", net),
    fig("Decision boundary (• train, ○ test)", h("div", {}, boundary, status)));
  const side = h("div", { class: "mg-pg-side" },
    fig("Loss: train (solid), test (dashed)", lossSvg),
    fig("Gradient norm per layer (log scale)", gradSvg),
    fig("Selected weight: its last update", explain));
  return { main, side, bcanvas, bsvg, pointsG, cursorG, status, net, netSvg, tip, lossSvg, gradSvg, explain };
}

// The network: one canvas per neuron (its heatmap), one line per weight.
function buildNetwork(app, view) {
  const ui = app.ui, sizes = view.sizes;
  const most = Math.max(...sizes);
  const size = most > 10 ? 22 : 30, gap = most > 10 ? 5 : 8, colW = 96;
  const height = most * (size + gap) + gap;
  const width = (sizes.length - 1) * colW + size + 16;
  ui.net.style.width = width + "px";
  ui.net.style.height = height + "px";
  for (const [k, v] of [["width", width], ["height", height], ["viewBox", `0 0 ${width} ${height}`]]) ui.netSvg.setAttribute(k, v);
  const pos = sizes.map((n, l) => {
    const top = (height - n * (size + gap) + gap) / 2;
    return Array.from({ length: n }, (_, j) => [8 + l * colW, top + j * (size + gap)]);
  });
  const select = (ref) => { app.selected = ref; update(app); };
  ui.nodes = [];
  ui.edges = [];
  for (let l = 1; l < sizes.length; l++) {
    for (let j = 0; j < sizes[l]; j++) {
      for (let i = 0; i < sizes[l - 1]; i++) {
        const [ax, ay] = pos[l - 1][i], [bx, by] = pos[l][j];
        const line = s("line", { x1: ax + size, y1: ay + size / 2, x2: bx, y2: by + size / 2, "data-edge": `${l - 1}-${j}-${i}`, class: "mg-pg-edge" });
        const ref = { layer: l - 1, neuron: j, index: i };
        line.addEventListener("mouseenter", (ev) => showTip(app, ev, ref));
        line.addEventListener("mousemove", (ev) => moveTip(app, ev));
        line.addEventListener("mouseleave", () => { ui.tip.hidden = true; });
        line.addEventListener("click", () => select(ref));
        ui.netSvg.append(line);
        ui.edges.push({ line, ref });
      }
    }
  }
  for (let l = 0; l < sizes.length; l++) {
    ui.nodes.push(pos[l].map(([x, y], j) => {
      const c = h("canvas", { width: 1, height: 1, class: "mg-pg-node", "data-node": `${l}-${j}`, title: l === 0 ? `input x${j + 1}` : `${neuronName(sizes, l, j)} (click: its bias)` });
      Object.assign(c.style, { left: x + "px", top: y + "px", width: size + "px", height: size + "px" });
      if (l > 0) c.addEventListener("click", () => select({ layer: l - 1, neuron: j, index: sizes[l - 1] }));
      ui.net.append(c);
      return c;
    }));
  }
  focusNetwork(app, view);
}

// --- the panels, redrawn for every frame ----------------------------------------------------

function drawStats(app, f) {
  const ui = app.ui;
  for (const [key, field] of STATS) {
    const v = f[field], e = ui.statEls[key];
    e.dataset.number = v === null || v === undefined ? "" : String(v);
    e.textContent = key === "step" ? String(v) : key.endsWith("accuracy") ? percent(v) : num(v);
  }
  ui.error.textContent = app.model.get("error") || "";
  const n = app.model.get("frame_count");
  ui.scrub.max = String(Math.max(0, n - 1));
  ui.scrub.value = String(app.model.get("frame_index"));
  ui.scrub.disabled = n < 2;
}

function drawBoundary(app, view, f, colours) {
  const ui = app.ui;
  const cls = bytes(f.boundary.cls), conf = bytes(f.boundary.conf);
  const shades = colours.classes.map((c) => table((b) => MG.mixRGB(colours.background, c, 0.15 + 0.6 * (b / 255))));
  paint(ui.bcanvas, f.boundary.size, (p) => shades[cls[p]][conf[p]]);
  if (ui.drawnPoints === f.points) return;  // the points change rarely: redraw them only then
  ui.drawnPoints = f.points;
  const [x0, x1, y0, y1] = view.bounds;
  const px = (x) => ((x - x0) / (x1 - x0)) * 300, py = (y) => ((y1 - y) / (y1 - y0)) * 300;
  ui.pointsG.replaceChildren();
  for (const [set, hollow] of [["train", false], ["test", true]]) {
    for (const [a, b, t] of f.points[set]) {
      const c = s("circle", { cx: px(a).toFixed(1), cy: py(b).toFixed(1), r: 3.2, class: hollow ? "mg-pg-test-pt" : "mg-pg-train-pt", "data-label": t });
      c.style[hollow ? "stroke" : "fill"] = `var(--mg-class-${t}, var(--mg-pg-class-${t}))`;
      ui.pointsG.append(c);
    }
  }
}

function drawNeurons(app, f, colours) {
  // byte v stands for t = (v - 127.5) / 127.5 in [-1, 1]: negative or positive, |t| strong
  const shade = table((v) => {
    const t = (v - 127.5) / 127.5;
    return MG.mixRGB(colours.background, t < 0 ? colours.negative : colours.positive, Math.abs(t));
  });
  f.neurons.maps.forEach((layer, l) => layer.forEach((b64, j) => {
    const canvas = app.ui.nodes[l] && app.ui.nodes[l][j];
    if (!canvas) return;
    const v = bytes(b64);
    paint(canvas, f.neurons.size, (p) => shade[v[p]]);
  }));
}

function drawEdges(app, f) {
  const sel = app.selected;
  for (const { line, ref } of app.ui.edges) {
    const w = weightAt(f, ref, "weights");
    line.classList.toggle("mg-pg-neg", w < 0);
    line.classList.toggle("mg-pg-sel", !!sel && sel.layer === ref.layer && sel.neuron === ref.neuron && sel.index === ref.index);
    line.style.strokeWidth = (0.6 + Math.min(Math.abs(w), 3) * 1.6).toFixed(2);
    line.dataset.number = String(w);
  }
}

const AXIS_X = 40;  // where the charts' y axis is: the tick labels (11 px) fit left of it

function polyline(svg, xs, ys, cls, xmax, ymin, ymax, log) {
  const tx = (x) => AXIS_X + (x / Math.max(1, xmax)) * (295 - AXIS_X);
  const ty = (y) => {
    const v = log ? Math.log10(Math.max(y, 1e-12)) : y;
    return 110 - ((v - ymin) / Math.max(1e-12, ymax - ymin)) * 100;
  };
  const pts = [];
  xs.forEach((x, i) => { if (ys[i] !== null && Number.isFinite(ys[i])) pts.push(`${tx(x).toFixed(1)},${ty(ys[i]).toFixed(1)}`); });
  if (pts.length) svg.append(s("polyline", { points: pts.join(" "), class: cls }));
}

function axes(svg, lo, hi, label) {
  svg.replaceChildren();
  svg.append(s("line", { x1: AXIS_X, y1: 110, x2: 295, y2: 110, class: "mg-pg-axis" }));
  svg.append(s("line", { x1: AXIS_X, y1: 10, x2: AXIS_X, y2: 110, class: "mg-pg-axis" }));
  const t1 = s("text", { x: AXIS_X - 3, y: 16, class: "mg-pg-tick" }); t1.textContent = label(hi);
  const t2 = s("text", { x: AXIS_X - 3, y: 112, class: "mg-pg-tick" }); t2.textContent = label(lo);
  svg.append(t1, t2);
}

function drawCurves(app, f) {
  const ui = app.ui, hist = app.model.get("history");
  const steps = hist.steps;
  const xmax = Math.max(1, steps.length ? steps[steps.length - 1] : 1);
  const vals = [...hist.train_loss, ...hist.test_loss].filter((v) => v !== null && Number.isFinite(v));
  const hi = vals.length ? Math.max(...vals) : 1;
  axes(ui.lossSvg, 0, hi, (v) => num(v, 2));
  polyline(ui.lossSvg, steps, hist.train_loss, "mg-pg-train", xmax, 0, hi, false);
  polyline(ui.lossSvg, steps, hist.test_loss, "mg-pg-test", xmax, 0, hi, false);
  const norms = Object.values(hist.grad_norms).flat().filter((v) => v !== null && v > 0);
  const glo = norms.length ? Math.floor(Math.log10(Math.min(...norms))) : -3;
  const ghi = Math.max(norms.length ? Math.ceil(Math.log10(Math.max(...norms))) : 1, glo + 1);
  axes(ui.gradSvg, glo, ghi, (v) => `1e${v}`);
  const series = Object.entries(hist.grad_norms);
  series.forEach(([, ys], i) => polyline(ui.gradSvg, steps, ys, `mg-pg-grad mg-pg-grad${i % 4}`, xmax, glo, ghi, true));
  // the legend on a backdrop, above the lines: a sample of each line, its name in text colour
  ui.gradSvg.append(s("rect", { x: 218, y: 10, width: 77, height: 13 * series.length + 4, class: "mg-pg-legend-bg" }));
  series.forEach(([name], i) => {
    const y = 22 + 13 * i;
    ui.gradSvg.append(s("line", { x1: 222, y1: y - 4, x2: 234, y2: y - 4, class: `mg-pg-grad mg-pg-grad${i % 4}` }));
    const t = s("text", { x: 238, y, class: "mg-pg-legend" });
    t.textContent = name;
    ui.gradSvg.append(t);
  });
  for (const svg of [ui.lossSvg, ui.gradSvg]) {
    const x = AXIS_X + (f.step / xmax) * (295 - AXIS_X);
    svg.append(s("line", { x1: x, y1: 10, x2: x, y2: 110, class: "mg-pg-cursor" }));
  }
}

// The lines of the update explanation, from the optimizer's public state() (Python), read by
// what it holds (Adam's m and v, RMSProp's v, momentum's buf), not by the optimizer's name.
function updateLines(o, ref, g) {
  const at = (key) => weightAt(o, ref, key);
  if (o.m && o.v) {
    const m = at("m"), v = at("v"), t = o.t;
    const mh = m / (1 - o.beta1 ** t), vh = v / (1 - o.beta2 ** t);
    return [["m = β1·m + (1−β1)·g", num(m, 6)], ["v = β2·v + (1−β2)·g²", num(v, 8)],
      [`m̂ = m/(1−β1^${t})`, num(mh, 6)], [`v̂ = v/(1−β2^${t})`, num(vh, 8)],
      ["Δw = −lr·m̂/(√v̂+ε)", t ? num(-o.lr * mh / (Math.sqrt(vh) + o.eps), 6) : "–"]];
  }
  if (o.v) {
    const v = at("v");
    return [["v = α·v + (1−α)·g²", num(v, 8)], ["Δw = −lr·g/(√v+ε)", num(-o.lr * g / (Math.sqrt(v) + o.eps), 6)]];
  }
  if (o.momentum && o.buf) {
    const b = at("buf");
    return [["b = μ·b + g", num(b, 6)], ["Δw = −lr·b", num(-o.lr * b, 6)]];
  }
  return [["Δw = −lr·g", num(-o.lr * g, 6)]];
}

function drawExplain(app, f) {
  const box = app.ui.explain, ref = app.selected;
  box.replaceChildren();
  if (!ref) {
    box.append(h("p", { text: "Click an edge (a weight) or a neuron (its bias), or Tab to the network and press Enter on one, to see how its last update was made; hover or focus an edge for its weight and gradient." }));
    return;
  }
  const isBias = ref.index === app.model.get("view").sizes[ref.layer];
  const name = isBias ? `bias of layer ${ref.layer + 1}, neuron ${ref.neuron + 1}` : `weight layer ${ref.layer + 1}, neuron ${ref.neuron + 1} ← input ${ref.index + 1}`;
  const w = weightAt(f, ref, "weights"), g = weightAt(f, ref, "grads"), d = weightAt(f, ref, "updates");
  const o = f.optimizer;
  const lines = [[name, ""], ["w (now)", num(w, 6)], ["g = ∂L/∂w (last step" + (f.l2 && !isBias ? ", incl. 2·L2·w" : "") + ")", num(g, 6)], ["lr", num(o.lr, 6)],
    ...updateLines(o, ref, g), ["Δw applied", num(d, 6)]];
  const tbl = h("table");
  for (const [k, v] of lines) tbl.append(h("tr", {}, h("th", { text: k }), h("td", { text: v, "data-number": "" })));
  box.append(tbl);
  if (!app.isReplay()) {
    const input = h("input", { type: "number", step: "any", value: w, "data-weight-input": true, "aria-label": "new value" });
    const set = h("button", { type: "button", "data-action": "set-weight", text: "Set weight" });
    set.addEventListener("click", () => app.send({ action: "set_weight", ...ref, value: Number(input.value) }));
    box.append(h("div", { class: "mg-pg-set" }, input, set));
  }
}

// --- the view: build once per `view`, update for every frame -------------------------------

function build(app) {
  const view = app.model.get("view"), replay = !!view.replay;
  app.viewKey = viewKey(view);
  app.root.replaceChildren();
  app.ui = {};  // filled as the panels are made
  app.root.classList.toggle("mg-pg-replay", replay);
  // the theme's colours the page has no custom property for yet (see playground.css)
  view.colors.forEach((c, k) => app.root.style.setProperty(`--mg-pg-class-${k}`, c));
  if (view.palette && view.palette.negative_line) {
    app.root.style.setProperty("--mg-pg-negative-line", view.palette.negative_line);
    app.root.style.setProperty("--mg-pg-positive-line", view.palette.positive_line);
  }
  const bar = buildBar(app, replay), stats = buildStats(), plots = buildPlots(app);
  const error = h("div", { class: "mg-pg-error", role: "alert" });
  app.root.append(bar.bar, stats.stats, error, buildKnobs(app, view, replay), plots.main, plots.side);
  app.ui = { ...app.ui, ...bar, ...stats, ...plots, error, nodes: [], edges: [] };
  buildNetwork(app, view);
  dataKeys(app, view);
  update(app);
}

function update(app) {
  if (!app.ui) return;
  const view = app.model.get("view"), f0 = app.model.get("frame");
  if (!f0 || !f0.boundary) return;
  // the widget sends the points apart from the frame, only when they change
  const f = f0.points ? f0 : { ...f0, points: app.model.get("points") || { train: [], test: [] } };
  const colours = themeColours(app.root, view);
  drawStats(app, f);
  drawBoundary(app, view, f, colours);
  drawNeurons(app, f, colours);
  drawEdges(app, f);
  nameNetwork(app, f);
  drawCursor(app);
  drawCurves(app, f);
  drawExplain(app, f);
}

function stop(app) {
  app.playing = false;
  app.sentAt = null;
  if (app.timer) clearTimeout(app.timer);
  app.timer = null;
  if (app.ui) {
    app.ui.play.textContent = "Play";
    delete app.ui.play.dataset.playing;
  }
}

// While playing, the widget asks for as many steps as fit in a time budget (several per frame
// when the engine is fast). The budget adapts so that a frame comes back every FRAME_SECONDS:
// the round trip's overhead (messages, the frame's views) is measured and left out of it.
const FRAME_SECONDS = 0.085, FIRST_BUDGET = 0.05, MIN_BUDGET = 0.01, MAX_BUDGET = 0.08;

function tick(app) {
  if (!app.playing) return;
  const m = app.model;
  if (app.isReplay()) {
    if (m.get("frame_index") >= m.get("frame_count") - 1) return stop(app);
    return app.send({ action: "step", n: 1 });
  }
  if (m.get("error")) return stop(app);
  const now = performance.now();
  if (app.sentAt !== null) {
    const overhead = (now - app.sentAt) / 1000 - app.budget;
    app.budget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, FRAME_SECONDS - overhead));
  }
  app.sentAt = now;
  app.send({ action: "step", n: 1000, seconds: Number(app.budget.toFixed(3)) });
}

// One message changes several traits (frame, history, points…): run `fn` once, after all.
function batched(fn) {
  let queued = false;
  return () => { if (!queued) { queued = true; queueMicrotask(() => { queued = false; fn(); }); } };
}

function render({ model, el }) {
  const app = {
    model, root: h("div", { class: "mg-pg" }), ui: null,
    playing: false, timer: null, selected: null, mode: 0, // mode: a class index, or "erase"
    budget: FIRST_BUDGET, sentAt: null, // Play's time budget per message (see tick)
    send: (msg) => model.send(msg),
    isReplay: () => !!model.get("view").replay,
  };
  el.replaceChildren(app.root);
  const redraw = batched(() => update(app));
  const onFrame = () => {
    // While playing live, ask for the next steps first: Python trains while this page draws.
    if (app.playing && !app.isReplay()) tick(app);
    else if (app.playing) app.timer = setTimeout(() => tick(app), 120);
    redraw();
  };
  const onView = () => {
    // points added by hand change only the view's record of them: no new view, just redraw
    if (viewKey(model.get("view")) === app.viewKey) return redraw();
    stop(app);
    app.selected = null;
    const again = focusedKey(app.root);  // keep the keyboard where it was
    build(app);
    refocus(app.root, again);
  };
  const onError = () => { if (model.get("error")) stop(app); redraw(); };  // e.g. diverged
  const handlers = [["change:frame", onFrame], ["change:view", onView], ["change:history", redraw], ["change:points", redraw], ["change:error", onError]];
  for (const [name, cb] of handlers) model.on(name, cb);
  build(app);
  return () => {
    stop(app);
    for (const [name, cb] of handlers) model.off(name, cb);
  };
}

// A model for the recorded replay: the same interface as anywidget's, over recorded frames.
function replayModel(payload) {
  // A frame carries its points only when they changed: the others take the previous ones.
  const frames = [];
  for (const f of payload.frames) frames.push(f.points || !frames.length ? f : { ...f, points: frames[frames.length - 1].points });
  const state = {
    view: { ...payload.view, replay: true },
    frame: frames[frames.length - 1],
    frame_index: frames.length - 1,
    frame_count: frames.length,
    history: payload.history,
    error: "",
  };
  const listeners = {};
  const emit = (name) => (listeners[name] || []).slice().forEach((cb) => cb());
  const show = (i) => {
    i = Math.max(0, Math.min(frames.length - 1, i));
    state.frame_index = i;
    state.frame = frames[i];
    emit("change:frame");
  };
  return {
    get: (k) => (k === "points" ? state.frame.points : state[k]),
    set: (k, v) => { state[k] = v; },
    save_changes: () => {},
    on: (name, cb) => { (listeners[name] = listeners[name] || []).push(cb); },
    off: (name, cb) => { listeners[name] = (listeners[name] || []).filter((f) => f !== cb); },
    send: (msg) => {
      if (msg.action === "step" && state.frame_index < frames.length - 1) show(state.frame_index + 1);
      else if (msg.action === "reset") show(0);
      else if (msg.action === "show") show(Number(msg.frame));
    },
  };
}

// The replay page: render the recorded frames into `el` (the fallback picture is replaced).
function replay(el, payload) {
  return render({ model: replayModel(payload), el });
}
