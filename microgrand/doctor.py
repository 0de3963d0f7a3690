"""``mg.doctor()``: which layout engine draws here, and the versions (for bug reports).

The same report as ``microgrand doctor`` on the command line; in a notebook (JupyterLite
included) it shows as text.

Example:
    >>> report = doctor()
    >>> report.ok, report.engine in ("dot", "graphviz-pure", "wasm")
    (True, True)
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import time
from dataclasses import dataclass

from .render import engine as _engines
from .render import wasm

__all__ = ["DoctorReport", "doctor"]


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """What :func:`doctor` found: ``lines`` of text, the ``engine`` in use (``""`` when none
    works) and whether a test layout succeeded (``ok``). ``str(report)`` is the text.
    """

    lines: tuple[str, ...]
    engine: str
    ok: bool

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __repr__(self) -> str:
        return str(self)


def _pkg_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def doctor() -> DoctorReport:
    """Report microgrand's version, Python, the layout engines found and the one in use, with
    a test layout; ``print(mg.doctor())`` or just ``mg.doctor()`` in a notebook.

    Example:
        >>> import microgrand as mg
        >>> any(line.startswith("layout engine: ") for line in mg.doctor().lines)
        True
    """
    env = os.environ.get(_engines.ENV_VAR, "")
    lines = [
        f"microgrand {_pkg_version('microgrand')}",
        f"python {platform.python_version()} ({sys.executable or sys.platform})",
        f"graphviz (Python package) {_pkg_version('graphviz')}",
        f"graphviz-pure (Python package) {_pkg_version('graphviz-pure')}",
        f"{_engines.ENV_VAR}={env}" if env else f"{_engines.ENV_VAR} not set",
    ]
    if wasm.IN_BROWSER:
        lines.append("running in a browser kernel (Pyodide): only the WebAssembly engine runs")
    found = {e.name: e for e in _engines.engines()}
    for name in _engines.ENGINE_NAMES:
        e = found.get(name)
        lines.append(f"{name}: {e.path} ({e.version})" if e else f"{name}: not found")
    try:
        chosen = _engines.choose_engine()
    except (_engines.RenderError, ValueError) as e:
        lines.append(f"layout engine: none usable: {e}")
        return DoctorReport(tuple(lines), "", False)
    t0 = time.perf_counter()
    try:
        _engines.layout("digraph { a -> b }", "svg")
    except _engines.RenderError as e:
        lines.append(f"layout engine: {chosen.name} ({chosen.path}) FAILED: {e}")
        return DoctorReport(tuple(lines), chosen.name, False)
    lines.append(
        f"layout engine: {chosen.name} ({chosen.version}; {chosen.path}), test layout "
        f"{time.perf_counter() - t0:.2f} s: ok"
    )
    return DoctorReport(tuple(lines), chosen.name, True)
