// Lay out DOT with Graphviz compiled to WebAssembly (the vendored @viz-js/viz), under Node.
// microgrand's "wasm" layout engine outside a browser kernel (MICROGRAND_ENGINE=wasm) runs
//     node viz_layout.js [-Gname=value | -Nname=value | -Ename=value ...] < graph.dot
// and reads the SVG on stdout; Graphviz's messages go to stderr, and the exit code is 1 when
// the layout failed. In a browser kernel the same file, vendor/viz-global.js, is loaded into
// the page's JavaScript once and called directly (microgrand/render/wasm.py).
"use strict";

const path = require("path");
const Viz = require(path.join(__dirname, "vendor", "viz-global.js"));

function options(argv) {
  const opts = { format: "svg", engine: "dot", graphAttributes: {}, nodeAttributes: {}, edgeAttributes: {} };
  const where = { G: "graphAttributes", N: "nodeAttributes", E: "edgeAttributes" };
  for (const arg of argv) {
    const m = /^-([GNE])([^=]+)=(.*)$/s.exec(arg);
    if (!m) {
      process.stderr.write(`viz_layout.js: unsupported argument ${JSON.stringify(arg)}\n`);
      process.exit(2);
    }
    opts[where[m[1]]][m[2]] = m[3];
  }
  return opts;
}

async function main() {
  const opts = options(process.argv.slice(2));
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const dot = Buffer.concat(chunks).toString("utf8");
  const viz = await Viz.instance();
  const result = viz.render(dot, opts);
  for (const e of result.errors) process.stderr.write(`${e.level || "error"}: ${e.message}\n`);
  if (result.status !== "success") process.exit(1);
  process.stdout.write(result.output);
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
