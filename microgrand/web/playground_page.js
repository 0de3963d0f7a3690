/* The playground's replay page: a view of the one page runtime (runtime.js), drawn by the
 * widget's own code (playground.js) over the recorded frames. The page model is the payload
 * built by microgrand.play.replay.payload: {view, frames, history}. render() replaces the
 * children of the element it is given, so it gets its own, after the page's <style>. */
MG.kinds.playground = function (view, model) {
  var host = document.createElement("div");
  view.appendChild(host);
  return replay(host, model);
};
