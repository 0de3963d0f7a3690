"""``microgrand doctor``: which layout engine draws, and the versions (for bug reports).

Example:
    $ microgrand doctor
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
import time
from typing import Any

from .. import __version__
from ..render.engine import ENGINE_NAMES, ENV_VAR, RenderError, choose_engine, engines, layout

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``microgrand doctor``."""
    d = sub.add_parser("doctor", help="show the layout engine and versions (for bug reports)")
    d.set_defaults(func=_cmd_doctor)


def _pkg_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cmd_doctor(args: argparse.Namespace) -> int:
    print(f"microgrand {__version__}")
    print(f"python {platform.python_version()} ({sys.executable})")
    print(f"graphviz (Python package) {_pkg_version('graphviz')}")
    print(f"graphviz-pure (Python package) {_pkg_version('graphviz-pure')}")
    print(f"{ENV_VAR}={os.environ.get(ENV_VAR, '')!s}" if os.environ.get(ENV_VAR)
          else f"{ENV_VAR} not set")
    found = {e.name: e for e in engines()}
    for name in ENGINE_NAMES:
        e = found.get(name)
        print(f"{name}: {e.path} ({e.version})" if e else f"{name}: not found")
    try:
        chosen = choose_engine()
    except (RenderError, ValueError) as e:
        print(f"layout engine: none usable: {e}")
        return 1
    t0 = time.perf_counter()
    try:
        layout("digraph { a -> b }", "svg")
    except RenderError as e:
        print(f"layout engine: {chosen.name} ({chosen.path}) FAILED: {e}")
        return 1
    print(f"layout engine: {chosen.name} ({chosen.path}), test layout "
          f"{time.perf_counter() - t0:.2f} s: ok")
    return 0
