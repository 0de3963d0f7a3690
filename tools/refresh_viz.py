"""Refresh the vendored WebAssembly layout engine (``microgrand/web/vendor/viz-global.js``).

The browser kernel (Pyodide) lays out diagrams with Graphviz compiled to WebAssembly: the
file ``dist/viz-global.js`` of the npm package ``@viz-js/viz``, shipped unchanged as package
data so that ``pip install microgrand`` needs no npm. This script fetches a version with
``npm pack``, copies that file, and records its version, Graphviz version and SHA-256 in
``viz.json`` (which ``tests/test_wasm_engine.py`` checks against the file).

Pick a version whose Graphviz matches graphviz-pure's (``graphviz-pure -V``), so that both
engines draw the same picture; then run the tests.

Usage::

    python tools/refresh_viz.py 3.31.0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "microgrand" / "web" / "vendor"
PACKAGE = "@viz-js/viz"
FILE = "dist/viz-global.js"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="the @viz-js/viz version, e.g. 3.31.0")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d+\.\d+\.\d+", args.version):
        print(f"not a release version: {args.version!r}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{args.version}", "--silent"],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            print(f"npm pack failed: {r.stderr.strip()}", file=sys.stderr)
            return 1
        with tarfile.open(Path(tmp) / r.stdout.strip().splitlines()[-1]) as tar:
            js = tar.extractfile(f"package/{FILE}")
            meta = tar.extractfile("package/lib/metadata.js")
            if js is None or meta is None:
                print(f"{FILE} or lib/metadata.js missing from the package", file=sys.stderr)
                return 1
            data, metadata = js.read(), meta.read().decode("utf-8")
    m = re.search(r'graphvizVersion\s*=\s*"([^"]+)"', metadata)
    (VENDOR / "viz-global.js").write_bytes(data)
    info = json.loads((VENDOR / "viz.json").read_text(encoding="utf-8"))
    info.update(
        version=args.version,
        file=FILE,
        sha256=hashlib.sha256(data).hexdigest(),
        graphviz=m.group(1) if m else "unknown",
    )
    (VENDOR / "viz.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(
        f"{PACKAGE} {args.version} (Graphviz {info['graphviz']}): {len(data):,} bytes; "
        "check LICENSE.txt still matches the package's licences"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
