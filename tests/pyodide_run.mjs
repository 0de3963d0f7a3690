// Run Python in Pyodide (WebAssembly) under Node.js with microgrand installed from its wheel.
//   node pyodide_run.mjs PYODIDE_DIR WHEEL [PURE_PACKAGE_DIR ...] < script.py
// Each PURE_PACKAGE_DIR (a pure-Python package folder, e.g. CPython's site-packages/graphviz)
// is copied into Pyodide's site-packages. The script may use top-level await; the value of
// its last expression (a string) is written to stdout.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// Emscripten code loaded by a plain script (the vendored viz-global.js) detects Node.js and
// expects the CommonJS `require`, which an ES module does not have; browsers need none.
globalThis.require = createRequire(import.meta.url);
globalThis.__filename = new URL(import.meta.url).pathname;
globalThis.__dirname = path.dirname(globalThis.__filename);

const [pyodideDir, wheel, ...pure] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + path.sep, stdout: (s) => process.stderr.write(s + "\n") });
const site = py.runPython("import site; site.getsitepackages()[0]");

function copyTree(from, to) {
  py.FS.mkdirTree(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(src, `${to}/${entry.name}`);
    else py.FS.writeFile(`${to}/${entry.name}`, new Uint8Array(fs.readFileSync(src)));
  }
}

py.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: site });
for (const dir of pure) copyTree(dir, `${site}/${path.basename(dir)}`);
const code = fs.readFileSync(0, "utf8");
const result = await py.runPythonAsync(code);
process.stdout.write(String(result));
