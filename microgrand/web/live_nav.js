/* Keyboard focus for a diagram page's boxes, and its zoom (the live view; see live.js).
 *
 * MG.diagramNav(opts) is called with
 *   opts.stage     the scrolling element that holds the diagram's <svg class="mg-svg">
 *                  (its data-natural / data-readable: widths in CSS px at which the diagram
 *                  is drawn at its own size / with its smallest text at 11 px)
 *   opts.bar       an element to put the zoom buttons into
 *   opts.items     the value boxes (<g data-id>) in graph order
 *   opts.activate  function (i): what Enter, Space or a click on item i does
 * and returns {focus(i), zoomBy(f), fit(), width(), current(), zoom} (zoom: the MG.zoom of
 * the diagram, runtime.js).
 *
 * DOM contract: the boxes are one tab stop (roving tabindex: arrow keys move in graph
 * order, Home/End to the first/last; Enter, Space or a click activates one). The zoom is
 * MG.zoom's: buttons [data-action="zoom-in"|"zoom-out"|"fit"] (also [data-zoom]), the
 * percentage .mg-zoom-level, keys +, -, 0 anywhere in the diagram or on the buttons,
 * Shift+arrow keys pan. The diagram opens at the cell's width, between data-readable and
 * data-natural (set by CSS too, so it is right before this code runs); Fit fills the width.
 */
MG.diagramNav = function (opts) {
  var stage = opts.stage, svg = stage.querySelector("svg"), items = opts.items;
  var natural = parseFloat(svg.getAttribute("data-natural")) || svg.getBoundingClientRect().width;
  var readable = parseFloat(svg.getAttribute("data-readable")) || 0;
  var current = 0;

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
  /* before MG.zoom's keys: the arrows move between boxes (with Shift they pan) */
  stage.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) { return; }
    var k = e.key, onItem = items.indexOf(e.target);
    if (onItem < 0) { return; }
    if (k === "ArrowRight" || k === "ArrowDown") { focus(onItem + 1); }
    else if (k === "ArrowLeft" || k === "ArrowUp") { focus(onItem - 1); }
    else if (k === "Home") { focus(0); }
    else if (k === "End") { focus(items.length - 1); }
    else if (k === "Enter" || k === " " || k === "Spacebar") { opts.activate(onItem); }
    else { return; }
    e.preventDefault();
  });
  var zoom = MG.zoom(stage, svg, {
    bar: opts.bar, width: natural, readable: readable / natural, fitMax: 4, min: 0.2,
    level: true, tabStop: false
  });
  var keys = document.createElement("span");
  keys.className = "mg-muted mg-keys";
  keys.textContent = "Tab to the diagram: arrow keys move between boxes, Enter explains one, " +
    "Shift+arrows pan.";
  opts.bar.appendChild(keys);
  return {focus: focus, zoomBy: zoom.zoomBy, fit: zoom.fit, zoom: zoom,
    width: function () { return svg.getBoundingClientRect().width; },
    current: function () { return current; }};
};
