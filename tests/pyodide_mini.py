"""A minimal self-hosted Pyodide distribution for the browser tests of the JupyterLite site.

The npm ``pyodide`` package holds Pyodide's core (the interpreter and the standard library)
but none of its packages; JupyterLite's kernel needs micropip, IPython and Jedi besides. All
of those are pure Python, so they are fetched from PyPI at the versions Pyodide's lock file
names, and the lock file is rewritten to list only them (with their own SHA-256). Pyodide's
compiled packages (NumPy, matplotlib, Pillow) are not on PyPI for WebAssembly, so a kernel
started from this distribution cannot import them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from tools.build_site import pure_wheels_command

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "build" / "npm" / "node_modules" / "pyodide"
KERNEL_NEEDS = ("micropip", "jedi", "ipython")
CORE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "package.json",
)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(packages: dict[str, dict[str, object]], roots: tuple[str, ...]) -> list[str]:
    """The lock's names of ``roots`` and everything they depend on."""
    by_norm = {_norm(k): k for k in packages}
    seen: list[str] = []
    stack = list(roots)
    while stack:
        name = by_norm[_norm(stack.pop())]
        if name not in seen:
            seen.append(name)
            stack.extend(packages[name]["depends"])  # type: ignore[arg-type]
    return sorted(seen)


def build(dest: Path) -> Path:
    """Write the distribution into ``dest`` (kept between runs); returns ``dest``."""
    lock_file = dest / "pyodide-lock.json"
    if lock_file.is_file():
        return dest
    lock = json.loads((CORE / "pyodide-lock.json").read_text("utf-8"))
    names = closure(lock["packages"], KERNEL_NEEDS)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in CORE_FILES:
        shutil.copy2(CORE / f, tmp / f)
    pins = [f"{lock['packages'][n]['name']}=={lock['packages'][n]['version']}" for n in names]
    subprocess.run(pure_wheels_command(tmp, *pins), check=True, capture_output=True)
    packages = {}
    for n in names:
        entry = dict(lock["packages"][n])
        whl = tmp / str(entry["file_name"])
        entry["sha256"] = hashlib.sha256(whl.read_bytes()).hexdigest()
        packages[n] = entry
    lock["packages"] = packages
    (tmp / "pyodide-lock.json").write_text(json.dumps(lock), "utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return dest


def self_hosted_site(site: Path, pyodide: Path, dest: Path) -> Path:
    """A copy of the JupyterLite ``site`` that loads Pyodide from its own ``static/pyodide``
    (what ``jupyter lite build --pyodide`` does with a release archive)."""
    shutil.copytree(site, dest)
    shutil.copytree(pyodide, dest / "static" / "pyodide")
    config_path = dest / "jupyter-lite.json"
    config = json.loads(config_path.read_text("utf-8"))
    plugins = config["jupyter-config-data"].setdefault("litePluginSettings", {})
    kernel = plugins.setdefault("@jupyterlite/pyodide-kernel-extension:kernel", {})
    kernel["pyodideUrl"] = "./static/pyodide/pyodide.mjs"
    config_path.write_text(json.dumps(config, indent=2), "utf-8")
    return dest
