/* Zoom, fit, pan and keyboard focus for a diagram page (the live view; see live.js).
 *
 * MG.diagramNav(opts) is called with
 *   opts.stage     the scrolling element that holds the diagram's <svg class="mg-svg">
 *                  (its data-natural / data-readable: widths in CSS px at which the diagram
 *                  is drawn at its own size / with its smallest text at 11 px)
 *   opts.bar       an element to put the zoom buttons into
 *   opts.items     the value boxes (<g data-id>) in graph order
 *   opts.activate  function (i): what Enter, Space or a click on item i does
 * and returns {focus(i), zoomBy(f), fit(), width()}.
 *
 * DOM contract: buttons [data-action="zoom-in"|"zoom-out"|"fit"] (keys +, -, 0 anywhere in
 * the diagram or on the buttons); the boxes are one tab stop (roving tabindex: arrow keys
 * move in graph order, Home/End to the first/last); Shift+arrow keys pan the diagram.
 * Until a button is used the diagram takes the cell's width, between data-readable and
 * data-natural (set by CSS, so it is right before this code runs).
 */
MG.diagramNav = function (opts) {
  var stage = opts.stage, svg = stage.querySelector("svg"), items = opts.items;
  var natural = parseFloat(svg.getAttribute("data-natural")) || svg.getBoundingClientRect().width;
  var current = 0;
  opts.bar.innerHTML =
    '<button type="button" data-action="zoom-out" aria-label="Zoom out" aria-keyshortcuts="-" ' +
    'title="Zoom out (key -)">−</button>' +
    '<button type="button" data-action="zoom-in" aria-label="Zoom in" aria-keyshortcuts="+" ' +
    'title="Zoom in (key +)">+</button>' +
    '<button type="button" data-action="fit" aria-label="Fit the diagram to the width" ' +
    'aria-keyshortcuts="0" title="Fit to the width (key 0)">Fit</button>' +
    '<span class="mg-muted mg-zoom-level" aria-hidden="true"></span>' +
    '<span class="mg-muted mg-keys">Tab to the diagram: arrow keys move between boxes, ' +
    "Enter explains one, Shift+arrows pan.</span>";
  var level = opts.bar.querySelector(".mg-zoom-level");

  function width() { return svg.getBoundingClientRect().width; }
  function showLevel() { level.textContent = Math.round(100 * width() / natural) + "%"; }
  function setWidth(px) {
    var lo = Math.min(natural * 0.2, stage.clientWidth), hi = natural * 4;
    px = Math.max(lo, Math.min(hi, px));
    svg.style.width = px + "px";
    svg.style.minWidth = "0";
    svg.style.maxWidth = "none";
    showLevel();
  }
  /* zoom by f, keeping the middle of what is seen in the middle */
  function zoomBy(f) {
    var w = width(), cx = (stage.scrollLeft + stage.clientWidth / 2) / w;
    var top = stage.getBoundingClientRect().top, h = svg.getBoundingClientRect().height;
    setWidth(w * f);
    stage.scrollLeft = cx * width() - stage.clientWidth / 2;
    if (top < 0 && h > 0) { window.scrollBy(0, (f - 1) * (-top)); }
  }
  function fit() { setWidth(stage.clientWidth); stage.scrollLeft = 0; }

  function setCurrent(i) {
    if (items[current]) { items[current].setAttribute("tabindex", "-1"); }
    current = i;
    items[i].setAttribute("tabindex", "0");
  }
  function focus(i) {
    i = Math.max(0, Math.min(items.length - 1, i));
    setCurrent(i);
    items[i].focus();
  }
  items.forEach(function (g, i) {
    g.setAttribute("tabindex", i === 0 ? "0" : "-1");
    g.setAttribute("role", "button");
    g.addEventListener("focus", function () { if (current !== i) { setCurrent(i); } });
    g.addEventListener("click", function () { setCurrent(i); opts.activate(i); });
  });

  opts.bar.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button[data-action]") : null;
    if (!b) { return; }
    var a = b.getAttribute("data-action");
    if (a === "zoom-in") { zoomBy(1.25); } else if (a === "zoom-out") { zoomBy(0.8); } else { fit(); }
  });
  var PAN = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};
  function keys(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var k = e.key, onItem = items.indexOf(e.target);
    if (k === "+" || k === "=") { zoomBy(1.25); }
    else if (k === "-" || k === "_") { zoomBy(0.8); }
    else if (k === "0") { fit(); }
    else if (PAN[k] && e.shiftKey) {
      stage.scrollBy(PAN[k][0] * 80, 0);
      if (PAN[k][1]) { window.scrollBy(0, PAN[k][1] * 80); }
    }
    else if (onItem < 0) { return; }
    else if (k === "ArrowRight" || k === "ArrowDown") { focus(onItem + 1); }
    else if (k === "ArrowLeft" || k === "ArrowUp") { focus(onItem - 1); }
    else if (k === "Home") { focus(0); }
    else if (k === "End") { focus(items.length - 1); }
    else if (k === "Enter" || k === " " || k === "Spacebar") { opts.activate(onItem); }
    else { return; }
    e.preventDefault();
  }
  stage.addEventListener("keydown", keys);
  opts.bar.addEventListener("keydown", function (e) {
    if (e.key === "+" || e.key === "=" || e.key === "-" || e.key === "_" || e.key === "0") { keys(e); }
  });
  showLevel();
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(showLevel).observe(stage);
  }
  return {focus: focus, zoomBy: zoomBy, fit: fit, width: width,
    current: function () { return current; }};
};
