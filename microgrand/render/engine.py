"""The layout engine: the system Graphviz ``dot`` when installed, else ``graphviz-pure``;
in a browser kernel (Pyodide), Graphviz compiled to WebAssembly (``wasm``).

``graphviz-pure`` is a pip-installed port of ``dot`` (a dependency of microgrand), so a plain
``pip install microgrand`` can always draw. Its console script is looked for on ``PATH``, in
the running interpreter's scripts directory and next to ``sys.executable`` (a Jupyter kernel
started from a virtual environment often lacks that directory on ``PATH``).

In a browser kernel no program can be started: there the engine is ``wasm``, the same
Graphviz version compiled to WebAssembly and shipped with the package (see
:mod:`microgrand.render.wasm`; load it once with ``await mg.ready()``). Elsewhere ``wasm`` is
used on request and runs under Node.js. It makes SVG only.

The choice is made once per ``PATH`` and request (cached). Force one with ``engine="dot"`` /
``engine="graphviz-pure"`` / ``engine="wasm"`` or the environment variable
``MICROGRAND_ENGINE``.

Layout has a time budget (:data:`DEFAULT_LAYOUT_TIMEOUT` seconds; ``layout_timeout=`` or the
environment variable ``MICROGRAND_LAYOUT_TIMEOUT``); past it the engine is killed and
:class:`LayoutTimeoutError` says how to draw less. The engine runs in its own process group,
is killed with everything it started when the budget runs out, when the caller is interrupted
(``KeyboardInterrupt``, ``SystemExit`` from a signal handler) and at interpreter exit; on Linux
it is also told to die with its parent, so even ``kill -9`` of Python leaves no engine behind.
In a browser kernel the layout runs in the same thread and cannot be stopped, so the budget
does not apply there (the size guard of :func:`microgrand.draw` still does).

Example:
    >>> choose_engine().name in ENGINE_NAMES
    True
    >>> svg = layout("digraph { a -> b }", "svg")
    >>> svg.lstrip().startswith(b"<?xml")
    True
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import wasm

__all__ = [
    "DEFAULT_LAYOUT_TIMEOUT",
    "ENGINE_NAMES",
    "ENV_VAR",
    "TIMEOUT_ENV_VAR",
    "WASM",
    "Engine",
    "LayoutTimeoutError",
    "RenderError",
    "choose_engine",
    "engines",
    "kill_children",
    "layout",
    "layout_timeout",
    "ready",
]

ENGINE_NAMES = ("dot", "graphviz-pure", "wasm")
WASM = "wasm"
ENV_VAR = "MICROGRAND_ENGINE"
TIMEOUT_ENV_VAR = "MICROGRAND_LAYOUT_TIMEOUT"
FORMATS = ("svg", "png")
DEFAULT_LAYOUT_TIMEOUT = 60.0
"""Seconds a layout may take before the engine is stopped (a diagram a teacher would show
takes well under a second; minutes mean the graph is too tangled to read anyway)."""


class RenderError(RuntimeError):
    """The layout engine is missing or failed; the message says which and why."""


class LayoutTimeoutError(RenderError):
    """The layout took longer than its budget; the engine was stopped."""


def layout_timeout(seconds: float | None = None) -> float:
    """The layout budget in seconds: ``seconds`` if given, else ``$MICROGRAND_LAYOUT_TIMEOUT``,
    else :data:`DEFAULT_LAYOUT_TIMEOUT`. Must be a positive finite number.

    Example:
        >>> layout_timeout(5)
        5.0
        >>> layout_timeout(0)
        Traceback (most recent call last):
        ...
        ValueError: layout_timeout must be a positive number of seconds, got 0
    """
    source = "layout_timeout"
    raw: object = seconds
    if seconds is None:
        env = os.environ.get(TIMEOUT_ENV_VAR, "").strip()
        if not env:
            return DEFAULT_LAYOUT_TIMEOUT
        source, raw = f"${TIMEOUT_ENV_VAR}", env
    try:
        if isinstance(raw, bool):
            raise TypeError
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{source} must be a positive number of seconds, got {raw}")
    return value


# Engine processes still running, so that interruption and interpreter exit can stop them.
_CHILDREN: set[subprocess.Popen[bytes]] = set()
_CHILDREN_LOCK = threading.Lock()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    # The engine leads its own process group: stop the whole group (it and anything it ran).
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                proc.kill()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        proc.wait(timeout=5)


def kill_children() -> int:
    """Stop every layout engine this process started that is still running; returns how many.

    Registered with :mod:`atexit`; the command line also calls it from its SIGTERM handler.

    Example:
        >>> kill_children()
        0
    """
    with _CHILDREN_LOCK:
        running = [p for p in _CHILDREN if p.poll() is None]
        _CHILDREN.clear()
    for p in running:
        _kill(p)
    return len(running)


atexit.register(kill_children)


@lru_cache(maxsize=1)
def _pdeathsig() -> Callable[[], None] | None:
    """Linux only: a function for the child (between fork and exec) that asks the kernel to
    SIGKILL it when its parent dies, even by SIGKILL. Prepared in the parent, so the child
    imports and loads nothing (that could deadlock with another thread's locks)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)

    def child() -> None:  # pragma: no cover - runs in the child
        prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)

    return child


@dataclass(frozen=True, slots=True)
class Engine:
    """A layout program: ``name`` (``dot``, ``graphviz-pure`` or ``wasm``) and its ``path``.

    For ``wasm`` the path is Node.js's outside a browser kernel, and the vendored
    ``viz-global.js`` inside one (where it runs in the page, not as a program).
    """

    name: str
    path: str

    @property
    def version(self) -> str:
        """The program's own version line (``dot -V``), or a note saying why it is unknown."""
        if self.name == WASM:
            return wasm.describe() + (
                "" if wasm.IN_BROWSER else f", Node.js {_version(self.path, '--version')}"
            )
        return _version(self.path)


@lru_cache(maxsize=8)
def _version(path: str, flag: str = "-V") -> str:
    try:
        r = subprocess.run(
            [path, flag], capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL
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
    if wasm.IN_BROWSER:  # no programs in a browser: only the engine that runs in the page
        vendored = Path(wasm.runner_path()).parent / "vendor" / "viz-global.js"
        return str(vendored) if name == WASM else None
    if name == WASM:
        return shutil.which("node", path=path_env)
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

    The system ``dot`` is preferred when it is on ``PATH``; otherwise ``graphviz-pure``; in a
    browser kernel ``wasm`` (the only one there).

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
            if wasm.IN_BROWSER:
                hint = "in a browser kernel only engine='wasm' can run"
            elif engine == "dot":
                hint = "install Graphviz (it provides 'dot') or use engine='graphviz-pure'"
            elif engine == WASM:
                hint = "outside a browser it runs under Node.js: install Node.js ('node')"
            else:
                hint = "reinstall it with: pip install graphviz-pure"
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
    dot: str,
    fmt: str,
    engine: str | None = None,
    extra_args: tuple[str, ...] = (),
    *,
    timeout: float | None = None,
) -> bytes:
    """Lay out DOT source with the chosen engine and return the output (``svg`` or ``png``).

    The DOT goes to the engine on stdin; its stderr is captured (``graphviz-pure`` warns about
    font widths of non-ASCII characters) and shown only when the engine fails. ``timeout``:
    the budget in seconds (see :func:`layout_timeout`); past it the engine is killed and
    :class:`LayoutTimeoutError` is raised. The ``wasm`` engine makes SVG only (PNG raises
    :class:`RenderError` saying so); in a browser kernel it runs in this thread, unbounded.

    Example:
        >>> layout("digraph { a }", "png")[:4]
        b'\\x89PNG'
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    budget = layout_timeout(timeout)
    eng = choose_engine(engine)
    cmd = [eng.path, f"-T{fmt}", *extra_args]
    if eng.name == WASM:
        if fmt != "svg":
            raise RenderError(wasm.NO_RASTER)
        if wasm.IN_BROWSER:
            return _in_page(dot, extra_args)
        cmd = [eng.path, wasm.runner_path(), *extra_args]
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=posix,
            preexec_fn=_pdeathsig(),
        )
    except OSError as e:
        raise RenderError(f"could not run {eng.name} at {eng.path}: {e}") from None
    with _CHILDREN_LOCK:
        _CHILDREN.add(proc)
    try:
        out, err = proc.communicate(dot.encode("utf-8"), timeout=budget)
    except subprocess.TimeoutExpired:
        raise LayoutTimeoutError(
            f"{eng.name} did not finish the layout within {budget:g} s and was stopped; "
            "draw less: a smaller expression or part of it, collapse= scopes, no edge "
            "labels, or allow more time with layout_timeout= (--layout-timeout on the command "
            f"line) or ${TIMEOUT_ENV_VAR}"
        ) from None
    finally:
        # Whatever happened (done, timed out, interrupted by a signal): no engine survives.
        _kill(proc)
        with _CHILDREN_LOCK:
            _CHILDREN.discard(proc)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
    r = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if r.returncode != 0 or not r.stdout:
        msg = r.stderr.decode("utf-8", "replace").strip() or "no output"
        lines = [ln for ln in msg.splitlines() if ln.strip()][-5:]
        raise RenderError(
            f"{eng.name} failed (exit code {r.returncode}) making {fmt}: " + " | ".join(lines)
        )
    return r.stdout


def _in_page(dot: str, extra_args: tuple[str, ...]) -> bytes:
    """The layout in a browser kernel, by the WebAssembly engine loaded into the page."""
    try:
        return wasm.render_svg(dot, extra_args)
    except wasm.WasmNotReadyError as e:
        raise RenderError(str(e)) from None
    except (RuntimeError, ValueError) as e:
        raise RenderError(f"wasm failed making svg: {e}") from None


async def ready() -> str:
    """Make sure diagrams can be drawn; returns the layout engine in use.

    In a browser kernel (JupyterLite, Pyodide) this loads Graphviz compiled to WebAssembly,
    once (a fraction of a second): run ``await mg.ready()`` in the first cell of a notebook.
    Importing microgrand already starts the loading, so a diagram drawn in a later cell works
    without it. Elsewhere it returns at once.

    Example:
        >>> import asyncio
        >>> asyncio.run(ready()).startswith(("dot", "graphviz-pure", "wasm"))
        True
    """
    eng = choose_engine()
    if eng.name == WASM:
        return f"wasm: {await wasm.load()}"
    return f"{eng.name} ({eng.version})"
