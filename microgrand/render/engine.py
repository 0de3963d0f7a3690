"""The layout engine: the system Graphviz ``dot`` when installed, else ``graphviz-pure``.

``graphviz-pure`` is a pip-installed port of ``dot`` (a dependency of microgrand), so a plain
``pip install microgrand`` can always draw. Its console script is looked for on ``PATH``, in
the running interpreter's scripts directory and next to ``sys.executable`` (a Jupyter kernel
started from a virtual environment often lacks that directory on ``PATH``).

The choice is made once per ``PATH`` and request (cached). Force one with ``engine="dot"`` /
``engine="graphviz-pure"`` or the environment variable ``MICROGRAND_ENGINE``.

Example:
    >>> choose_engine().name in ENGINE_NAMES
    True
    >>> svg = layout("digraph { a -> b }", "svg")
    >>> svg.lstrip().startswith(b"<?xml")
    True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "ENGINE_NAMES",
    "ENV_VAR",
    "Engine",
    "RenderError",
    "choose_engine",
    "engines",
    "layout",
]

ENGINE_NAMES = ("dot", "graphviz-pure")
ENV_VAR = "MICROGRAND_ENGINE"
FORMATS = ("svg", "png")
TIMEOUT_SECONDS = 300.0


class RenderError(RuntimeError):
    """The layout engine is missing or failed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Engine:
    """A layout program: ``name`` (``dot`` or ``graphviz-pure``) and its ``path``."""

    name: str
    path: str

    @property
    def version(self) -> str:
        """The program's own version line (``dot -V``), or a note saying why it is unknown."""
        return _version(self.path)


@lru_cache(maxsize=8)
def _version(path: str) -> str:
    try:
        r = subprocess.run(
            [path, "-V"], capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"unknown ({e})"
    text = (r.stderr or r.stdout).decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "unknown"


def _script_dirs() -> list[str]:
    dirs: list[str] = []
    for d in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        if d and d not in dirs:
            dirs.append(d)
    return dirs


def _find(name: str, path_env: str | None) -> str | None:
    found = shutil.which(name, path=path_env)
    if found:
        return found
    if name == "graphviz-pure":
        for d in _script_dirs():
            for candidate in (name, f"{name}.exe"):
                p = Path(d) / candidate
                if p.is_file() and os.access(p, os.X_OK):
                    return str(p)
    return None


def engines() -> list[Engine]:
    """Every layout engine found on this machine, in order of preference.

    Example:
        >>> any(e.name == "graphviz-pure" for e in engines())
        True
    """
    path_env = os.environ.get("PATH")
    out = []
    for name in ENGINE_NAMES:
        p = _find(name, path_env)
        if p:
            out.append(Engine(name, p))
    return out


def choose_engine(engine: str | None = None) -> Engine:
    """The engine to use: ``engine`` if given, else ``$MICROGRAND_ENGINE``, else the best found.

    The system ``dot`` is preferred when it is on ``PATH``; otherwise ``graphviz-pure``.

    Example:
        >>> choose_engine("graphviz-pure").name
        'graphviz-pure'
    """
    source = "engine="
    if engine is None:
        env = os.environ.get(ENV_VAR, "").strip()
        if env:
            engine, source = env, f"${ENV_VAR}"
    if engine is not None and engine not in ENGINE_NAMES:
        raise ValueError(
            f"unknown layout engine {engine!r} (from {source}); choose one of: "
            + ", ".join(ENGINE_NAMES)
        )
    return _choose(engine, os.environ.get("PATH"), source)


@lru_cache(maxsize=32)
def _choose(engine: str | None, path_env: str | None, source: str) -> Engine:
    if engine is not None:
        p = _find(engine, path_env)
        if p is None:
            hint = (
                "install Graphviz (it provides 'dot') or use engine='graphviz-pure'"
                if engine == "dot"
                else "reinstall it with: pip install graphviz-pure"
            )
            raise RenderError(f"layout engine {engine!r} (from {source}) was not found; {hint}")
        return Engine(engine, p)
    for name in ENGINE_NAMES:
        p = _find(name, path_env)
        if p:
            return Engine(name, p)
    raise RenderError(
        "no layout engine found: neither Graphviz 'dot' nor 'graphviz-pure' is installed; "
        "run: pip install graphviz-pure"
    )


def layout(
    dot: str, fmt: str, engine: str | None = None, extra_args: tuple[str, ...] = ()
) -> bytes:
    """Lay out DOT source with the chosen engine and return the output (``svg`` or ``png``).

    The DOT goes to the engine on stdin; its stderr is captured (``graphviz-pure`` warns about
    font widths of non-ASCII characters) and shown only when the engine fails.

    Example:
        >>> layout("digraph { a }", "png")[:4]
        b'\\x89PNG'
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    eng = choose_engine(engine)
    cmd = [eng.path, f"-T{fmt}", *extra_args]
    try:
        r = subprocess.run(
            cmd,
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{eng.name} did not finish within {TIMEOUT_SECONDS:.0f} s; the graph is too large "
            "to lay out (use collapse= or draw a smaller part)"
        ) from None
    except OSError as e:
        raise RenderError(f"could not run {eng.name} at {eng.path}: {e}") from None
    if r.returncode != 0 or not r.stdout:
        msg = r.stderr.decode("utf-8", "replace").strip() or "no output"
        lines = [ln for ln in msg.splitlines() if ln.strip()][-5:]
        raise RenderError(
            f"{eng.name} failed (exit code {r.returncode}) making {fmt}: " + " | ".join(lines)
        )
    return r.stdout
