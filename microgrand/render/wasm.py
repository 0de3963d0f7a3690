"""The WebAssembly layout engine: Graphviz compiled to WebAssembly (``@viz-js/viz``).

In a browser kernel (Pyodide: JupyterLite, a page running Python) no program can be started,
so neither the system ``dot`` nor ``graphviz-pure`` can lay out a diagram. There microgrand
uses the same Graphviz version compiled to WebAssembly, shipped with the package as
``microgrand/web/vendor/viz-global.js`` (version and licence beside it), which draws the same
SVG as ``graphviz-pure``.

Loading WebAssembly is asynchronous in a browser, so the engine is loaded once:

* importing microgrand in a browser kernel starts loading it in the background (it takes a
  fraction of a second), so a diagram drawn in a later cell just works;
* ``await mg.ready()`` (:func:`microgrand.render.engine.ready`) waits until it is loaded
  (put it in the first cell when a diagram is drawn in the same cell as the import);
* where the browser supports JavaScript Promise Integration, the first layout waits for it
  by itself.

After that every layout is synchronous. Outside a browser kernel the same engine can be asked
for with ``engine="wasm"`` or ``MICROGRAND_ENGINE=wasm``; it then runs under Node.js
(``node`` on ``PATH``), in its own process like the other engines.

It makes SVG only: PNG pictures and GIF animations need ``dot`` or ``graphviz-pure``.

Example:
    >>> info = vendored()
    >>> info["package"], info["version"] == VIZ_VERSION
    ('@viz-js/viz', True)
    >>> IN_BROWSER
    False
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "IN_BROWSER",
    "NO_RASTER",
    "RUNNER",
    "VIZ_VERSION",
    "WasmNotReadyError",
    "describe",
    "is_ready",
    "load",
    "render_svg",
    "runner_path",
    "vendored",
]

IN_BROWSER = sys.platform == "emscripten"
"""True in a browser kernel (Pyodide), where the WebAssembly engine is the only one."""

RUNNER = "viz_layout.js"
"""The Node.js script (in ``microgrand/web/``) that runs the engine outside a browser."""

NO_RASTER = (
    "the WebAssembly layout engine makes SVG only: PNG pictures and GIF animations need the "
    "system Graphviz ('dot') or graphviz-pure, which cannot run in a browser kernel; use the "
    "SVG (a Diagram shows it by itself, .save('name.svg') writes it) and, instead of a GIF, "
    "the step-through page (mg.step) or the live view (mg.live)"
)


class WasmNotReadyError(RuntimeError):
    """The WebAssembly engine is still loading: run ``await mg.ready()`` once, then draw."""


@cache
def vendored() -> dict[str, str]:
    """What is vendored: ``package``, ``version``, ``graphviz`` (its version), ``sha256``.

    Example:
        >>> vendored()["graphviz"]
        '16.1.0'
    """
    text = (resources.files("microgrand") / "web" / "vendor" / "viz.json").read_text("utf-8")
    info: dict[str, str] = json.loads(text)
    return info


VIZ_VERSION = vendored()["version"]
"""The version of ``@viz-js/viz`` shipped in ``microgrand/web/vendor/``."""


def runner_path() -> str:
    """The path of the Node.js runner script (for ``node runner_path() < graph.dot``).

    Example:
        >>> runner_path().endswith("viz_layout.js")
        True
    """
    return str(resources.files("microgrand") / "web" / RUNNER)


def describe() -> str:
    """One line naming the engine and its versions (for ``microgrand doctor``).

    Example:
        >>> describe()
        'viz-js 3.31.0 (Graphviz 16.1.0 compiled to WebAssembly)'
    """
    info = vendored()
    return f"viz-js {info['version']} (Graphviz {info['graphviz']} compiled to WebAssembly)"


# The engine in this browser kernel: a JavaScript Viz instance once loaded.
_instance: Any = None
_loading: asyncio.Future[Any] | None = None
_failure: BaseException | None = None


def is_ready() -> bool:
    """True when layouts can run now: outside a browser always (the engine is a process),
    in a browser kernel once the WebAssembly engine has loaded.

    Example:
        >>> is_ready()
        True
    """
    return not IN_BROWSER or _instance is not None


async def _load() -> Any:  # pragma: no cover - runs in a browser kernel
    global _instance, _failure
    from pyodide.code import run_js  # type: ignore[import-not-found]

    source = (resources.files("microgrand") / "web" / "vendor" / "viz-global.js").read_text("utf-8")
    # The file is a UMD bundle: run as a script it sets globalThis.Viz; keep our own handle.
    factory = run_js(f"(function () {{\n{source}\n;return globalThis.Viz;\n}})()")
    try:
        _instance = await factory.instance()
    except BaseException as e:
        _failure = e
        raise
    return _instance


async def load() -> str:
    """In a browser kernel, load the engine (once) and return :func:`describe`; elsewhere
    just return it (there the engine is a program, started for each layout).

    Example:
        >>> import asyncio
        >>> asyncio.run(load()) == describe()
        True
    """
    if not IN_BROWSER:
        return describe()
    global _loading
    if _instance is None:  # pragma: no cover - browser kernel
        import asyncio

        if _loading is None or (_loading.done() and _loading.exception() is not None):
            _loading = asyncio.ensure_future(_load())
        await _loading
    return describe()


def start_loading() -> None:
    """In a browser kernel, start loading the engine in the background (called on import).

    Does nothing elsewhere or when it is loaded or loading already.

    Example:
        >>> start_loading()
    """
    global _loading
    if not IN_BROWSER or _instance is not None or _loading is not None:
        return
    import asyncio  # pragma: no cover - browser kernel

    try:  # pragma: no cover - browser kernel
        _loading = asyncio.ensure_future(_load())
        # A failure is reported by load() or the first layout, not as an unretrieved error.
        _loading.add_done_callback(lambda f: f.cancelled() or f.exception())
    except RuntimeError:  # pragma: no cover - no event loop: load() loads it
        _loading = None


def _wait_here() -> None:  # pragma: no cover - browser kernel
    """Load the engine synchronously where the browser allows it (JSPI), else explain."""
    try:
        from pyodide.ffi import can_run_sync, run_sync  # type: ignore[import-not-found]
    except ImportError:
        can_run_sync = None
    global _failure
    if can_run_sync is not None and can_run_sync():
        try:
            run_sync(load())
            return
        except Exception as e:  # reported below, with what to do
            _failure = e
    detail = f" (loading failed: {_failure})" if _failure is not None else ""
    raise WasmNotReadyError(
        "the diagram engine (Graphviz in WebAssembly) is still loading" + detail + "; run "
        "`await mg.ready()` once (for example in the first cell, after `import microgrand as "
        "mg`), then draw again"
    )


def render_svg(dot: str, extra_args: tuple[str, ...] = ()) -> bytes:
    """Lay out ``dot`` in this browser kernel and return the SVG (UTF-8 bytes).

    ``extra_args`` are Graphviz attributes written as on the command line (``-Gdpi=72``).
    Raises :class:`WasmNotReadyError` before the engine has loaded (see :func:`load`) and
    :class:`RuntimeError` outside a browser kernel (there the engine runs under Node.js:
    use :func:`microgrand.render.engine.layout` with ``engine="wasm"``).

    Example:
        >>> render_svg("digraph { a }")
        Traceback (most recent call last):
        ...
        RuntimeError: render_svg runs in a browser kernel; use layout(dot, 'svg', engine='wasm')
    """
    if not IN_BROWSER:
        raise RuntimeError(
            "render_svg runs in a browser kernel; use layout(dot, 'svg', engine='wasm')"
        )
    if _instance is None:  # pragma: no cover - browser kernel
        _wait_here()
    from pyodide.ffi import to_js  # pragma: no cover - browser kernel

    attrs: dict[str, dict[str, str]] = {"G": {}, "N": {}, "E": {}}  # pragma: no cover
    for arg in extra_args:  # pragma: no cover - browser kernel
        kind = arg[1:2]
        name, eq, value = arg[2:].partition("=")
        if not arg.startswith("-") or kind not in attrs or not eq:
            raise ValueError(f"unsupported layout argument {arg!r} (use -Gname=value)")
        attrs[kind][name] = value
    opts = {  # pragma: no cover - browser kernel
        "format": "svg",
        "engine": "dot",
        "graphAttributes": attrs["G"],
        "nodeAttributes": attrs["N"],
        "edgeAttributes": attrs["E"],
    }
    result = _instance.render(dot, to_js(opts, dict_converter=_js_object))  # pragma: no cover
    if result.status != "success":  # pragma: no cover - browser kernel
        errors = [str(e.message) for e in result.errors] or ["no output"]
        raise RuntimeError(" | ".join(errors[-5:]))
    return str(result.output).encode("utf-8")  # pragma: no cover - browser kernel


def _js_object(pairs: Any) -> Any:  # pragma: no cover - browser kernel
    import js  # type: ignore[import-not-found]

    return js.Object.fromEntries(pairs)


start_loading()
