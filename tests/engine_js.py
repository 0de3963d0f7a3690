"""Run the page engine (``microgrand/web/engine.js``) under Node from the tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import microgrand as mg
from microgrand.rules import rules_js

ENGINE = Path(mg.__file__).parent / "web" / "engine.js"
NODE = shutil.which("node") or "/usr/bin/node"

_EVALUATE = (
    "const E = require(process.argv[1]); let b = '';"
    "process.stdin.on('data', (d) => { b += d; });"
    "process.stdin.on('end', () => { const q = JSON.parse(b);"
    "process.stdout.write(JSON.stringify(E.evaluate(E.compileRules(q.r), q.m))); });"
)


def evaluate(model: dict[str, Any]) -> Any:
    """``engine.js``'s ``evaluate`` of a page model, with the rules table as it is now."""
    proc = subprocess.run(
        [NODE, "-e", _EVALUATE, str(ENGINE)],
        input=json.dumps({"r": rules_js(), "m": model}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)
