// microgrand playground by keyboard and screen reader (and the weights' tooltips): runs with
// `playground.js` (the same plain declarations, no import or export), in the widget's module
// and on the replay page.
//
// The network: every neuron (a canvas) and every weight (a line) is a button named in words
// ("weight from x1 to neuron 2 of layer 1: 0.53, gradient −0.012"; "neuron 2 of layer 1,
// bias 0.1"), the names following the frame shown. They are one Tab stop (a roving tabindex):
// arrow keys move in graph order (each neuron, then the weights into it), Home and End jump,
// Enter or space explains the last update of that weight or bias (as a click does) and focus
// shows its tooltip (as hovering does).
//
// The data (the widget only; a replay has no Python to add points): `[data-plot]` is
// focusable, with a cursor (a cross): arrows move it (Shift: finer), Enter or space does what
// a click there does (adds a point of the chosen class, or erases in erase mode), Delete or
// Backspace erases the point nearest to the cursor, a digit 0…K−1 chooses the class. Each
// action is announced in the live region `[data-status]`, which also says where the cursor is
// and which class the network predicts there.
//
// A new view (another setting) builds the panels again; the control that had the focus gets
// it back, and points added by hand (which change only the view's list of them) build nothing.

// A neuron in words: "input x1", "neuron 2 of layer 1", "the output neuron".
function neuronName(sizes, l, j) {
  if (l === 0) return `input x${j + 1}`;
  if (l === sizes.length - 1) return sizes[l] === 1 ? "the output neuron" : `output neuron ${j + 1}`;
  return `neuron ${j + 1} of layer ${l}`;
}

// A number for a name read aloud: a true minus sign, so that it is read as "minus".
function spoken(x, digits = 3) {
  return num(x, digits).replace(/^-/, "\u2212");
}

// The network's neurons and weights as one Tab stop, in graph order (see the top of the file).
function focusNetwork(app, view) {
  const ui = app.ui, sizes = view.sizes, items = [];
  for (let l = 0; l < sizes.length; l++) {
    for (let j = 0; j < sizes[l]; j++) {
      const el = ui.nodes[l][j];
      items.push({ el, ref: l === 0 ? null : { layer: l - 1, neuron: j, index: sizes[l - 1] } });
      for (const e of ui.edges) {
        if (l > 0 && e.ref.layer === l - 1 && e.ref.neuron === j) items.push({ el: e.line, ref: e.ref });
      }
    }
  }
  let at = 0;
  const go = (i) => {
    items[at].el.setAttribute("tabindex", "-1");
    at = Math.max(0, Math.min(items.length - 1, i));
    items[at].el.setAttribute("tabindex", "0");
    items[at].el.focus();
  };
  items.forEach((item, i) => {
    const { el, ref } = item;
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", i === 0 ? "0" : "-1");
    el.addEventListener("keydown", (ev) => {
      const k = ev.key;
      if (k === "ArrowRight" || k === "ArrowDown") go(i + 1);
      else if (k === "ArrowLeft" || k === "ArrowUp") go(i - 1);
      else if (k === "Home") go(0);
      else if (k === "End") go(items.length - 1);
      else if ((k === "Enter" || k === " ") && ref) { app.selected = ref; update(app); }
      else return;
      ev.preventDefault();
      ev.stopPropagation();
    });
    el.addEventListener("focus", () => {
      items[at].el.setAttribute("tabindex", "-1");
      at = i;
      el.setAttribute("tabindex", "0");
      if (ref) tipAt(app, el, ref);
    });
    el.addEventListener("blur", () => { ui.tip.hidden = true; });
  });
  ui.focusItems = items;
}

// The tooltip of a weight: beside the mouse while it hovers …
function showTip(app, ev, ref) {
  const f = app.model.get("frame");
  app.ui.tip.textContent = `w = ${num(weightAt(f, ref, "weights"))}   ∂L/∂w = ${num(weightAt(f, ref, "grads"))}`;
  app.ui.tip.hidden = false;
  moveTip(app, ev);
}

function moveTip(app, ev) {
  const r = app.ui.net.getBoundingClientRect();
  app.ui.tip.style.left = ev.clientX - r.left + 12 + "px";
  app.ui.tip.style.top = ev.clientY - r.top + 12 + "px";
}

// … or beside the element that has the keyboard focus.
function tipAt(app, el, ref) {
  const f = app.model.get("frame"), ui = app.ui;
  ui.tip.textContent = `w = ${num(weightAt(f, ref, "weights"))}   ∂L/∂w = ${num(weightAt(f, ref, "grads"))}`;
  ui.tip.hidden = false;
  const r = el.getBoundingClientRect(), n = ui.net.getBoundingClientRect();
  ui.tip.style.left = r.left + r.width / 2 - n.left + 8 + "px";
  ui.tip.style.top = r.top + r.height / 2 - n.top + 8 + "px";
}

// Every neuron's and weight's name, from the frame shown.
function nameNetwork(app, f) {
  const sizes = app.model.get("view").sizes;
  for (const { el, ref } of app.ui.focusItems || []) {
    if (el.tagName.toLowerCase() === "canvas") {
      const [l, j] = el.dataset.node.split("-").map(Number);
      const name = neuronName(sizes, l, j);
      el.setAttribute("aria-label", l === 0 ? name : `${name}, bias ${spoken(weightAt(f, ref, "weights"))}`);
    } else {
      const from = neuronName(sizes, ref.layer, ref.index), to = neuronName(sizes, ref.layer + 1, ref.neuron);
      el.setAttribute("aria-label", `weight from ${from} to ${to}: ${spoken(weightAt(f, ref, "weights"))}, ` +
        `gradient ${spoken(weightAt(f, ref, "grads"))}`);
    }
  }
}

// --- the data by keyboard (the widget only) ---------------------------------------------

function announce(app, text) {
  app.ui.status.textContent = text;
}

function where(x, y) {
  return `(${spoken(x, 2)}, ${spoken(y, 2)})`;
}

// The class the network predicts at (x, y), from the frame's decision-boundary grid.
function predictedAt(app, x, y) {
  const f = app.model.get("frame"), [x0, x1, y0, y1] = app.model.get("view").bounds;
  if (!f || !f.boundary) return null;
  const g = f.boundary.size, cls = bytes(f.boundary.cls);
  const col = Math.min(g - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * g)));
  const row = Math.min(g - 1, Math.max(0, Math.floor(((y1 - y) / (y1 - y0)) * g)));
  return cls[row * g + col];
}

// What a click (or Enter) at (x, y) does: add a point of the chosen class, or erase.
function actAt(app, x, y) {
  if (app.mode === "erase") return eraseNearest(app, x, y);
  app.send({ action: "add_point", x1: x, x2: y, label: app.mode });
  announce(app, `Added a point of class ${app.mode} at ${where(x, y)}.`);
}

// Erase the point (train or test) nearest to (x, y), and say which.
function eraseNearest(app, x, y) {
  const pts = app.model.get("frame").points || app.model.get("points") || { train: [], test: [] };
  let best = null;
  for (const [a, b, t] of [...pts.train, ...pts.test]) {
    const d = (a - x) ** 2 + (b - y) ** 2;
    if (!best || d < best[0]) best = [d, a, b, t];
  }
  if (!best) return announce(app, "There is no point to erase.");
  app.send({ action: "erase", x1: best[1], x2: best[2] });
  announce(app, `Erased the point of class ${best[3]} at ${where(best[1], best[2])}.`);
}

// The data plot's keys (see the top of the file); the cursor starts in the middle.
function dataKeys(app, view) {
  const plot = app.ui.bsvg;
  if (view.replay) return;
  const [x0, x1, y0, y1] = view.bounds;
  if (!app.cursor) app.cursor = [(x0 + x1) / 2, (y0 + y1) / 2];
  plot.setAttribute("tabindex", "0");
  plot.setAttribute("role", "application");
  plot.setAttribute("aria-label", `The data. Arrow keys move a cursor, Enter adds a point of the chosen class, Delete erases the nearest point, 0 to ${view.classes - 1} choose the class.`);
  const say = () => {
    const [x, y] = app.cursor, c = predictedAt(app, x, y);
    announce(app, `Cursor at ${where(x, y)}` + (c === null ? "." : `, where the network predicts class ${c}.`));
  };
  plot.addEventListener("focus", () => { drawCursor(app); say(); });
  plot.addEventListener("blur", () => drawCursor(app));
  plot.addEventListener("keydown", (ev) => {
    const k = ev.key, fine = ev.shiftKey ? 0.01 : 0.05;
    const dx = (x1 - x0) * fine, dy = (y1 - y0) * fine;
    let [x, y] = app.cursor;
    if (k === "ArrowLeft") x -= dx;
    else if (k === "ArrowRight") x += dx;
    else if (k === "ArrowUp") y += dy;
    else if (k === "ArrowDown") y -= dy;
    else if (k === "Enter" || k === " ") { ev.preventDefault(); return actAt(app, x, y); }
    else if (k === "Delete" || k === "Backspace") { ev.preventDefault(); return eraseNearest(app, x, y); }
    else if (/^[0-9]$/.test(k) && Number(k) < view.classes) {
      app.mode = Number(k);
      if (app.ui.pick) app.ui.pick.value = k;
      return announce(app, `Enter now adds points of class ${k}.`);
    } else return;
    ev.preventDefault();
    app.cursor = [Math.min(x1, Math.max(x0, x)), Math.min(y1, Math.max(y0, y))];
    drawCursor(app);
    say();
  });
}

// The cursor: a cross on the data plot while it has the keyboard focus.
function drawCursor(app) {
  const ui = app.ui, view = app.model.get("view");
  if (!ui.cursorG || !app.cursor) return;
  ui.cursorG.replaceChildren();
  if (!ui.bsvg.matches(":focus")) return;
  const [x0, x1, y0, y1] = view.bounds;
  const cx = ((app.cursor[0] - x0) / (x1 - x0)) * 300, cy = ((y1 - app.cursor[1]) / (y1 - y0)) * 300;
  ui.cursorG.append(
    s("circle", { cx, cy, r: 7, class: "mg-pg-mark-ring" }),
    s("line", { x1: cx - 12, y1: cy, x2: cx + 12, y2: cy, class: "mg-pg-mark-line" }),
    s("line", { x1: cx, y1: cy - 12, x2: cx, y2: cy + 12, class: "mg-pg-mark-line" }));
}

// --- keeping the keyboard's place when the view is built again ------------------------------

// What about a view needs a new build: everything but the list of points added by hand.
function viewKey(view) {
  return JSON.stringify({ ...view, config: { ...view.config, added: null } });
}

// The focused control as a selector of its stable attributes (to focus it again after a build).
function focusedKey(root) {
  const e = root.ownerDocument.activeElement;
  if (!e || !root.contains(e)) return null;
  for (const a of ["data-action", "data-knob", "data-edge", "data-node", "data-plot", "data-scrub"]) {
    if (e.hasAttribute(a)) return `[${a}="${e.getAttribute(a)}"]`;
  }
  return null;
}

function refocus(root, key) {
  const e = key && root.querySelector(key);
  if (e) e.focus();
}
