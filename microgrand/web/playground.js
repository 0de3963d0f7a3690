// microgrand playground: the front-end of the notebook widget and of the recorded replay.
//
// `render({model, el})`, in anywidget's shape, draws every view from the model's traits
// (`view`, `frame`, `history`, `frame_count`, `frame_index`, `error`) and sends the user's
// actions to Python with `model.send({action, ...})`. The replay page drives the same code with
// `replayModel(payload)`, a model whose actions move through recorded frames.
//
// The file holds plain declarations, with no import or export statement, so that it serves
// both: the widget gets it as an ES module with export lines added
// (`microgrand.play.replay.module()`), and the replay page runs it as one of the page's
// scripts, after `runtime.js`, with `playground_page.js` registering `MG.kinds.playground`.
//
// DOM contract: scrubber `input[data-scrub]`; buttons `[data-action="play"|"step"|"reset"|
// "new-seed"]`; numbers `[data-stat="step"|"train-loss"|"test-loss"|"train-accuracy"|
// "test-accuracy"]` with the full float in `data-number`; edges `[data-edge="L-j-i"]`.
// Colours come from the theme's CSS custom properties (--mg-*) and the view's class colours.

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

function hex(c) {
  c = (c || "").trim();
  if (c.startsWith("#") && c.length === 4) c = "#" + [...c.slice(1)].map((x) => x + x).join("");
  const n = parseInt(c.slice(1, 7), 16);
  return Number.isFinite(n) ? [(n >> 16) & 255, (n >> 8) & 255, n & 255] : [128, 128, 128];
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

function bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function fmt(x, digits = 4) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}

function themeColours(root) {
  const cs = getComputedStyle(root);
  const get = (n) => hex(cs.getPropertyValue(n));
  return {
    background: get("--mg-background"),
    negative: get("--mg-negative"),
    positive: get("--mg-positive"),
  };
}

function render({ model, el }) {
  const root = h("div", { class: "mg-pg" });
  el.replaceChildren(root);
  let playing = false;
  let timer = null;
  let selected = null; // {layer, neuron, index}
  let mode = 0; // a class index, or "erase"
  let ui = null;

  const send = (msg) => model.send(msg);
  const isReplay = () => !!model.get("view").replay;

  function stop() {
    playing = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (ui) ui.play.textContent = "Play";
    if (ui) ui.play.setAttribute("aria-pressed", "false");
  }

  function tick() {
    if (!playing) return;
    if (isReplay() && model.get("frame_index") >= model.get("frame_count") - 1) {
      stop();
      return;
    }
    send({ action: "step", n: 1 });
  }

  function build() {
    const view = model.get("view");
    const replay = !!view.replay;
    root.replaceChildren();
    root.classList.toggle("mg-pg-replay", replay);
    const btn = (action, label, title) =>
      h("button", { type: "button", "data-action": action, title, text: label });
    const play = btn("play", "Play", replay ? "play the recorded frames" : "train continuously");
    play.setAttribute("aria-pressed", "false");
    const bar = h(
      "div",
      { class: "mg-pg-bar" },
      btn("reset", "Reset", replay ? "first frame" : "back to the same initial weights"),
      play,
      btn("step", "Step", replay ? "next recorded frame" : "one optimizer step"),
    );
    if (!replay) bar.append(btn("new-seed", "New seed", "new data and new initial weights"));
    const scrub = h("input", {
      type: "range", "data-scrub": true, min: 0, step: 1, "aria-label": "recorded frames",
    });
    bar.append(h("label", { class: "mg-pg-scrub" }, h("span", { text: "Frames" }), scrub));
    const stats = h("div", { class: "mg-pg-stats" });
    const statEls = {};
    for (const [key, , label] of STATS) {
      const v = h("span", { class: "mg-pg-num", "data-stat": key, "data-number": "" });
      statEls[key] = v;
      stats.append(h("span", { class: "mg-pg-stat" }, h("span", { text: label + " " }), v));
    }
    const error = h("div", { class: "mg-pg-error", role: "alert" });
    const knobs = buildKnobs(view, replay);

    const boundary = h("div", { class: "mg-pg-boundary" });
    const bcanvas = h("canvas", { width: 1, height: 1, class: "mg-pg-heat" });
    const bsvg = s("svg", { class: "mg-pg-points", viewBox: "0 0 300 300" });
    boundary.append(bcanvas, bsvg);
    const net = h("div", { class: "mg-pg-net" });
    const tip = h("div", { class: "mg-pg-tip", hidden: true });
    net.append(tip);
    const netSvg = s("svg", { class: "mg-pg-edges" });
    net.append(netSvg);
    const lossSvg = s("svg", { class: "mg-pg-chart", viewBox: "0 0 300 120", "data-chart": "loss" });
    const gradSvg = s("svg", { class: "mg-pg-chart", viewBox: "0 0 300 120", "data-chart": "grad-norms" });
    const explain = h("div", { class: "mg-pg-explain", "data-view": "update" });

    root.append(
      bar, stats, error, knobs,
      h("div", { class: "mg-pg-main" },
        h("figure", {}, h("figcaption", { text: "Network: every neuron over the input plane" }), net),
        h("figure", {}, h("figcaption", { text: "Decision boundary (• train, ○ test)" }), boundary)),
      h("div", { class: "mg-pg-side" },
        h("figure", {}, h("figcaption", { text: "Loss: train (solid), test (dashed)" }), lossSvg),
        h("figure", {}, h("figcaption", { text: "Gradient norm per layer (log scale)" }), gradSvg),
        h("figure", {}, h("figcaption", { text: "Selected weight: its last update" }), explain)),
    );
    ui = { play, scrub, statEls, error, bcanvas, bsvg, net, netSvg, tip, lossSvg, gradSvg, explain, nodes: [], edges: [] };

    play.addEventListener("click", () => {
      if (playing) return stop();
      playing = true;
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      tick();
    });
    root.querySelector('[data-action="step"]').addEventListener("click", () => {
      stop();
      send({ action: "step", n: 1 });
    });
    root.querySelector('[data-action="reset"]').addEventListener("click", () => {
      stop();
      send({ action: "reset" });
    });
    const ns = root.querySelector('[data-action="new-seed"]');
    if (ns) ns.addEventListener("click", () => { stop(); send({ action: "new_seed" }); });
    scrub.addEventListener("input", () => { stop(); send({ action: "show", frame: Number(scrub.value) }); });
    bsvg.addEventListener("click", (ev) => {
      if (isReplay()) return;
      const r = bsvg.getBoundingClientRect();
      const [x0, x1, y0, y1] = model.get("view").bounds;
      const px = (ev.clientX - r.left) / r.width, py = (ev.clientY - r.top) / r.height;
      const x = x0 + px * (x1 - x0), y = y1 - py * (y1 - y0);
      if (mode === "erase") send({ action: "erase", x1: x, x2: y });
      else send({ action: "add_point", x1: x, x2: y, label: mode });
    });
    buildNetwork(view);
    update();
  }

  function buildKnobs(view, replay) {
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
        if (key === "layers") {
          value = value.trim() === "" ? [] : value.split(",").map((t) => Number(t.trim()));
        }
        send({ action: "set", key, value });
      });
      grid.append(h("label", {}, h("span", { text: label }), input));
    };
    const select = (key, label, options) => {
      const sel = h("select");
      for (const o of options) sel.append(h("option", { value: o.name, text: o.label, selected: String(cfg[key]) === o.name }));
      field(key, label, sel);
    };
    const number = (key, label, step, min) =>
      field(key, label, h("input", { type: "number", step, min, value: cfg[key] }));
    if (!view.own_data) {
      select("dataset", "Data", view.choices.dataset);
      number("noise", "Noise", 0.05, 0);
      number("n", "Points", 10, 4);
      if (view.variable_classes.includes(cfg.dataset)) number("classes", "Classes", 1, 2);
    }
    number("test_fraction", "Test fraction", 0.05, 0);
    field("layers", "Hidden layers", h("input", { type: "text", value: cfg.layers.join(","), title: "neurons per hidden layer, e.g. 8,8" }));
    select("activation", "Activation", view.choices.activation);
    select("init", "Initialiser", view.choices.init);
    select("loss", "Loss", view.choices.loss);
    select("optimizer", "Optimizer", view.choices.optimizer);
    number("lr", "Learning rate", 0.001, 0);
    number("batch_size", "Batch size", 1, 1);
    number("l2", "L2", 0.0001, 0);
    box.append(grid);
    if (!replay) {
      const pick = h("select", { "data-knob": "click" });
      for (let k = 0; k < view.classes; k++) pick.append(h("option", { value: k, text: `add class ${k}` }));
      pick.append(h("option", { value: "erase", text: "erase points" }));
      pick.addEventListener("change", () => { mode = pick.value === "erase" ? "erase" : Number(pick.value); });
      box.append(h("label", { class: "mg-pg-click" }, h("span", { text: "Click on the data: " }), pick));
    }
    return box;
  }

  function buildNetwork(view) {
    const sizes = view.sizes;
    const most = Math.max(...sizes);
    const size = most > 10 ? 22 : 30;
    const gap = most > 10 ? 5 : 8;
    const colW = 96;
    const height = most * (size + gap) + gap;
    const width = (sizes.length - 1) * colW + size + 16;
    ui.net.style.width = width + "px";
    ui.net.style.height = height + "px";
    ui.netSvg.setAttribute("width", width);
    ui.netSvg.setAttribute("height", height);
    ui.netSvg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const pos = sizes.map((n, l) => {
      const top = (height - n * (size + gap) + gap) / 2;
      return Array.from({ length: n }, (_, j) => [8 + l * colW, top + j * (size + gap)]);
    });
    ui.nodes = [];
    ui.edges = [];
    for (let l = 1; l < sizes.length; l++) {
      for (let j = 0; j < sizes[l]; j++) {
        for (let i = 0; i < sizes[l - 1]; i++) {
          const [ax, ay] = pos[l - 1][i], [bx, by] = pos[l][j];
          const line = s("line", {
            x1: ax + size, y1: ay + size / 2, x2: bx, y2: by + size / 2,
            "data-edge": `${l - 1}-${j}-${i}`, class: "mg-pg-edge",
          });
          const ref = { layer: l - 1, neuron: j, index: i };
          line.addEventListener("mouseenter", (ev) => showTip(ev, ref));
          line.addEventListener("mousemove", (ev) => moveTip(ev));
          line.addEventListener("mouseleave", () => { ui.tip.hidden = true; });
          line.addEventListener("click", () => { selected = ref; update(); });
          ui.netSvg.append(line);
          ui.edges.push({ line, ref });
        }
      }
    }
    for (let l = 0; l < sizes.length; l++) {
      const col = [];
      for (let j = 0; j < sizes[l]; j++) {
        const [x, y] = pos[l][j];
        const c = h("canvas", {
          width: 1, height: 1, class: "mg-pg-node", "data-node": `${l}-${j}`,
          title: l === 0 ? `input x${j + 1}` : `layer ${l}, neuron ${j + 1} (click: its bias)`,
        });
        c.style.left = x + "px";
        c.style.top = y + "px";
        c.style.width = c.style.height = size + "px";
        if (l > 0) c.addEventListener("click", () => { selected = { layer: l - 1, neuron: j, index: sizes[l - 1] }; update(); });
        ui.net.append(c);
        col.push(c);
      }
      ui.nodes.push(col);
    }
  }

  function weightAt(frame, ref, key) {
    const v = frame[key]?.[ref.layer]?.[ref.neuron]?.[ref.index];
    return v === undefined ? null : v;
  }

  function showTip(ev, ref) {
    const f = model.get("frame");
    ui.tip.textContent = `w = ${fmt(weightAt(f, ref, "weights"))}   ∂L/∂w = ${fmt(weightAt(f, ref, "grads"))}`;
    ui.tip.hidden = false;
    moveTip(ev);
  }

  function moveTip(ev) {
    const r = ui.net.getBoundingClientRect();
    ui.tip.style.left = ev.clientX - r.left + 12 + "px";
    ui.tip.style.top = ev.clientY - r.top + 12 + "px";
  }

  function paint(canvas, g, fill) {
    canvas.width = g;
    canvas.height = g;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(g, g);
    for (let p = 0; p < g * g; p++) {
      const c = fill(p);
      img.data[4 * p] = c[0];
      img.data[4 * p + 1] = c[1];
      img.data[4 * p + 2] = c[2];
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function update() {
    if (!ui) return;
    const view = model.get("view");
    const f = model.get("frame");
    if (!f || !f.boundary) return;
    const colours = themeColours(root);
    const classes = view.colors.map(hex);
    // numbers
    for (const [key, field] of STATS) {
      const v = f[field];
      const e = ui.statEls[key];
      e.dataset.number = v === null || v === undefined ? "" : String(v);
      e.textContent = key === "step" ? String(v) : key.endsWith("accuracy") ? (v === null ? "–" : (100 * v).toFixed(1) + "%") : fmt(v);
    }
    ui.error.textContent = model.get("error") || "";
    // scrubber
    const n = model.get("frame_count");
    ui.scrub.max = String(Math.max(0, n - 1));
    ui.scrub.value = String(model.get("frame_index"));
    ui.scrub.disabled = n < 2;
    // decision boundary
    const G = f.boundary.size, cls = bytes(f.boundary.cls), conf = bytes(f.boundary.conf);
    paint(ui.bcanvas, G, (p) => mix(colours.background, classes[cls[p]], 0.15 + 0.6 * (conf[p] / 255)));
    const [x0, x1, y0, y1] = view.bounds;
    const px = (x) => ((x - x0) / (x1 - x0)) * 300, py = (y) => ((y1 - y) / (y1 - y0)) * 300;
    ui.bsvg.replaceChildren();
    for (const [set, hollow] of [["train", false], ["test", true]]) {
      for (const [a, b, t] of f.points[set]) {
        const c = s("circle", { cx: px(a).toFixed(1), cy: py(b).toFixed(1), r: 3.2, class: hollow ? "mg-pg-test-pt" : "mg-pg-train-pt", "data-label": t });
        c.style[hollow ? "stroke" : "fill"] = view.colors[t];
        ui.bsvg.append(c);
      }
    }
    // neurons
    const g = f.neurons.size;
    f.neurons.maps.forEach((layer, l) => layer.forEach((b64, j) => {
      const canvas = ui.nodes[l] && ui.nodes[l][j];
      if (!canvas) return;
      const v = bytes(b64);
      paint(canvas, g, (p) => {
        const t = (v[p] - 127.5) / 127.5;
        return mix(colours.background, t < 0 ? colours.negative : colours.positive, Math.abs(t));
      });
    }));
    // edges
    for (const { line, ref } of ui.edges) {
      const w = weightAt(f, ref, "weights");
      line.classList.toggle("mg-pg-neg", w < 0);
      line.classList.toggle("mg-pg-sel", !!selected && selected.layer === ref.layer && selected.neuron === ref.neuron && selected.index === ref.index);
      line.style.strokeWidth = (0.6 + Math.min(Math.abs(w), 3) * 1.6).toFixed(2);
      line.dataset.number = String(w);
    }
    drawCurves(f);
    drawExplain(f);
  }

  function polyline(svg, xs, ys, cls, xmax, ymin, ymax, log) {
    const tx = (x) => 30 + (x / Math.max(1, xmax)) * 265;
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
    svg.append(s("line", { x1: 30, y1: 110, x2: 295, y2: 110, class: "mg-pg-axis" }));
    svg.append(s("line", { x1: 30, y1: 10, x2: 30, y2: 110, class: "mg-pg-axis" }));
    const t1 = s("text", { x: 2, y: 14, class: "mg-pg-tick" }); t1.textContent = label(hi);
    const t2 = s("text", { x: 2, y: 110, class: "mg-pg-tick" }); t2.textContent = label(lo);
    svg.append(t1, t2);
  }

  function drawCurves(f) {
    const hist = model.get("history");
    const steps = hist.steps;
    const xmax = Math.max(1, steps.length ? steps[steps.length - 1] : 1);
    const vals = [...hist.train_loss, ...hist.test_loss].filter((v) => v !== null && Number.isFinite(v));
    const hi = vals.length ? Math.max(...vals) : 1;
    axes(ui.lossSvg, 0, hi, (v) => fmt(v, 2));
    polyline(ui.lossSvg, steps, hist.train_loss, "mg-pg-train", xmax, 0, hi, false);
    polyline(ui.lossSvg, steps, hist.test_loss, "mg-pg-test", xmax, 0, hi, false);
    const norms = Object.values(hist.grad_norms).flat().filter((v) => v !== null && v > 0);
    const glo = norms.length ? Math.floor(Math.log10(Math.min(...norms))) : -3;
    const ghi = norms.length ? Math.ceil(Math.log10(Math.max(...norms))) : 1;
    axes(ui.gradSvg, glo, Math.max(ghi, glo + 1), (v) => `1e${v}`);
    Object.entries(hist.grad_norms).forEach(([name, ys], i) => {
      polyline(ui.gradSvg, steps, ys, `mg-pg-grad mg-pg-grad${i % 4}`, xmax, glo, Math.max(ghi, glo + 1), true);
      const t = s("text", { x: 240, y: 20 + 11 * i, class: `mg-pg-legend mg-pg-grad${i % 4}` });
      t.textContent = name;
      ui.gradSvg.append(t);
    });
    for (const svg of [ui.lossSvg, ui.gradSvg]) {
      const x = 30 + (f.step / xmax) * 265;
      svg.append(s("line", { x1: x, y1: 10, x2: x, y2: 110, class: "mg-pg-cursor" }));
    }
  }

  function drawExplain(f) {
    const box = ui.explain;
    box.replaceChildren();
    if (!selected) {
      box.append(h("p", { text: "Click an edge (a weight) or a neuron (its bias) to see how its last update was made; hover an edge for its weight and gradient." }));
      return;
    }
    const ref = selected;
    const sizes = model.get("view").sizes;
    const isBias = ref.index === sizes[ref.layer];
    const name = isBias ? `bias of layer ${ref.layer + 1}, neuron ${ref.neuron + 1}` : `weight layer ${ref.layer + 1}, neuron ${ref.neuron + 1} ← input ${ref.index + 1}`;
    const w = weightAt(f, ref, "weights"), g = weightAt(f, ref, "grads"), d = weightAt(f, ref, "updates");
    const o = f.optimizer;
    const lines = [[name, ""], ["w (now)", fmt(w, 6)], ["g = ∂L/∂w (last step" + (f.l2 && !isBias ? ", incl. 2·L2·w" : "") + ")", fmt(g, 6)], ["lr", fmt(o.lr, 6)]];
    if (o.kind === "Adam" && o.m) {
      const m = weightAt(o, ref, "m"), v = weightAt(o, ref, "v"), t = o.t;
      const mh = m / (1 - o.beta1 ** t), vh = v / (1 - o.beta2 ** t);
      lines.push(["m = β1·m + (1−β1)·g", fmt(m, 6)], ["v = β2·v + (1−β2)·g²", fmt(v, 8)],
        [`m̂ = m/(1−β1^${t})`, fmt(mh, 6)], [`v̂ = v/(1−β2^${t})`, fmt(vh, 8)],
        ["Δw = −lr·m̂/(√v̂+ε)", t ? fmt(-o.lr * mh / (Math.sqrt(vh) + o.eps), 6) : "–"]);
    } else if (o.kind === "RMSProp" && o.v) {
      const v = weightAt(o, ref, "v");
      lines.push(["v = α·v + (1−α)·g²", fmt(v, 8)], ["Δw = −lr·g/(√v+ε)", fmt(-o.lr * g / (Math.sqrt(v) + o.eps), 6)]);
    } else if (o.momentum && o.buf) {
      const b = weightAt(o, ref, "buf");
      lines.push(["b = μ·b + g", fmt(b, 6)], ["Δw = −lr·b", fmt(-o.lr * b, 6)]);
    } else {
      lines.push(["Δw = −lr·g", fmt(-o.lr * g, 6)]);
    }
    lines.push(["Δw applied", fmt(d, 6)]);
    const table = h("table");
    for (const [k, v] of lines) table.append(h("tr", {}, h("th", { text: k }), h("td", { text: v, "data-number": "" })));
    box.append(table);
    if (!isReplay()) {
      const input = h("input", { type: "number", step: "any", value: w, "data-weight-input": true, "aria-label": "new value" });
      const set = h("button", { type: "button", "data-action": "set-weight", text: "Set weight" });
      set.addEventListener("click", () => send({ action: "set_weight", ...ref, value: Number(input.value) }));
      box.append(h("div", { class: "mg-pg-set" }, input, set));
    }
  }

  const onFrame = () => {
    update();
    if (playing) timer = setTimeout(tick, isReplay() ? 120 : 0);
  };
  const onView = () => { stop(); selected = null; build(); };
  model.on("change:frame", onFrame);
  model.on("change:view", onView);
  model.on("change:history", update);
  model.on("change:error", update);
  build();
  return () => {
    stop();
    model.off("change:frame", onFrame);
    model.off("change:view", onView);
    model.off("change:history", update);
    model.off("change:error", update);
  };
}

// A model for the recorded replay: the same interface as anywidget's, over recorded frames.
function replayModel(payload) {
  const frames = payload.frames;
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
    get: (k) => state[k],
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

