"""The :class:`Diagram`: DOT source plus lazily made, cached SVG and PNG.

Example:
    >>> from microgrand import Value
    >>> from microgrand.render import draw
    >>> d = draw(Value(2.0, label="x") * 3)
    >>> d.svg().count("<svg")
    1
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._files import write_atomic
from ..graph import Graph
from .engine import RenderError, layout
from .svgread import Part, read_svg

__all__ = ["Diagram"]

PNG_DPI = 144
SUFFIXES = (".svg", ".png", ".dot")


_FALLBACK_DPI = 72
_FIT_WIDTH = 'style="max-width: 100%; height: auto"'


class Diagram:
    """A drawn graph: ``.dot`` source, ``.svg()``, ``.png()``, ``.save(path)``; shows in Jupyter.

    Layout runs on first use of each format and is cached. Make one with
    :func:`microgrand.draw`.

    Example:
        >>> from microgrand import Value, draw
        >>> d = draw(Value(1.0, label="a") + 2)
        >>> d.dot.startswith("digraph")
        True
        >>> sorted(d._repr_mimebundle_(include=["image/svg+xml"]))
        ['image/svg+xml']
    """

    def __init__(
        self,
        dot: str,
        *,
        graph: Graph,
        notes: Iterable[str] = (),
        engine: str | None = None,
        rebuild: Callable[..., Diagram] | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        self._dot = dot
        self.graph = graph
        self.notes: tuple[str, ...] = tuple(notes)
        self.engine = engine
        self.options: dict[str, Any] = dict(options or {})
        self._rebuild = rebuild
        self._cache: dict[tuple[str, int | None], bytes] = {}
        self._svg: str | None = None  # the SVG with readable titles, made once

    @property
    def dot(self) -> str:
        """The DOT source (identical for the same graph and options, run after run)."""
        return self._dot

    def __repr__(self) -> str:
        extra = f", notes={list(self.notes)!r}" if self.notes else ""
        return f"<Diagram of {len(self.graph)} nodes{extra}>"

    def _layout(self, fmt: str, dpi: int | None = None) -> bytes:
        key = (fmt, dpi)
        if key not in self._cache:
            extra = (f"-Gdpi={dpi}",) if dpi else ()
            budget = self.options.get("layout_timeout")
            self._cache[key] = layout(self._dot, fmt, self.engine, extra, timeout=budget)
        return self._cache[key]

    def svg(self) -> str:
        """The diagram as SVG text, its parts titled in words (laid out once, then cached).

        Example:
            >>> from microgrand import Value, draw
            >>> "<svg" in draw(Value(3.0)).svg()
            True
        """
        if self._svg is None:
            self._svg = readable_titles(self._layout("svg").decode("utf-8"))
        return self._svg

    def png(self, dpi: int = PNG_DPI) -> bytes:
        """The diagram as PNG bytes at ``dpi`` dots per inch (default 144, sharp on projectors).

        Example:
            >>> from microgrand import Value, draw
            >>> draw(Value(3.0)).png()[:4]
            b'\\x89PNG'
        """
        if not isinstance(dpi, int) or isinstance(dpi, bool) or not 18 <= dpi <= 1200:
            raise ValueError(f"dpi must be an int between 18 and 1200, got {dpi!r}")
        return self._layout("png", dpi)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the diagram to ``path``; the format comes from the suffix (.svg, .png, .dot).

        The file is written atomically: on any error no half-written file is left behind.

        Example:
            >>> import tempfile, pathlib
            >>> from microgrand import Value, draw
            >>> with tempfile.TemporaryDirectory() as d:
            ...     p = draw(Value(1.0)).save(pathlib.Path(d) / "g.dot")
            ...     p.read_text().startswith("digraph")
            True
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in SUFFIXES:
            raise ValueError(
                f"cannot save {str(p)!r}: unknown file type {suffix or '(no suffix)'!r}; "
                f"use one of {', '.join(SUFFIXES)}"
            )
        if suffix == ".svg":
            data = self._layout("svg")
        elif suffix == ".png":
            data = self.png()
        else:
            data = self._dot.encode("utf-8")
        return write_atomic(p, data)

    def answer_key(self) -> Diagram:
        """The same diagram with every number filled in (for a ``worksheet=True`` diagram, or
        one drawn with ``blanks=``).

        Example:
            >>> from microgrand import Value, draw
            >>> x = Value(2.0, label="x"); y = x * x; y.backward()
            >>> "4.0000" in draw(y, worksheet=True).answer_key().dot
            True
        """
        if self._rebuild is None:
            raise ValueError("this Diagram was not made by draw(), so it has no answer key")
        return self._rebuild(worksheet=False, blanks=None)

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **_: Any,
    ) -> dict[str, str | bytes]:
        """SVG (and PNG) for Jupyter, exported HTML, GitHub and nbviewer.

        Viewers show the SVG; the PNG is a fallback for those that cannot, kept at screen
        resolution (72 dpi) so that notebooks storing it stay small.
        """
        wanted = ["image/svg+xml", "image/png"]
        if include is not None:
            inc = set(include)
            wanted = [m for m in wanted if m in inc]
        if exclude is not None:
            exc = set(exclude)
            wanted = [m for m in wanted if m not in exc]
        out: dict[str, str | bytes] = {}
        if "image/svg+xml" in wanted:
            # Shrink to the width of the notebook instead of scrolling sideways.
            out["image/svg+xml"] = self.svg().replace("<svg ", f"<svg {_FIT_WIDTH} ", 1)
        if "image/png" in wanted:
            try:
                out["image/png"] = self.png(dpi=_FALLBACK_DPI)
            except RenderError:
                if not out:
                    raise  # nothing else to show: let the user see why
        return out


# A part's <title> in the SVG text: the titles are rewritten in place, so the rest of the
# SVG stays byte for byte as the layout engine wrote it.
_TITLE = re.compile(r"<title>([^<]*)</title>")


def readable_titles(svg: str) -> str:
    """Graphviz's SVG with every ``<title>`` (what a screen reader reads as a part's name, and
    a browser shows on hover) saying what the part is, in the words drawn on it, instead of
    the internal ids: a box "x, data = 2.0000, grad = -2.0000", an operation "the ×
    operation", an edge "edge from x to the × operation, ∂/∂x = -1.0000", a collapsed group
    "layer1, 21 nodes". Only text drawn in the picture is used, so a hidden answer stays
    hidden.

    Example:
        >>> from microgrand import Value, draw
        >>> x = Value(2.0, label="x")
        >>> svg = draw(x * 3, show=["data"]).svg()
        >>> re.findall(r"<title>([^<]*)</title>", svg)[-4:]
        ['x, data = 2.0000', 'a value, data = 3.0000', 'a value, data = 6.0000', 'the × operation']
    """
    parts = read_svg(svg).parts
    names = {p.title: _node_name(p) for p in parts if p.kind == "node"}
    titles = [_title(p, names) for p in parts]
    spans = list(_TITLE.finditer(svg))
    if len(spans) != len(titles):  # not an SVG Graphviz wrote: leave it as it is
        return svg
    out, last = [], 0
    for m, title in zip(spans, titles, strict=True):
        if title is not None:
            out += [svg[last : m.start(1)], html.escape(title, quote=False)]
            last = m.end(1)
    out.append(svg[last:])
    return "".join(out)


def _node_name(part: Part) -> str:
    """How a box or an operation is named in the titles of the edges around it."""
    words = part.words
    if part.title.endswith("-op") or "op" in part.classes:
        return f"the {' '.join(words)} operation" if words else "an operation"
    if words and " = " not in words[0]:
        return words[0]
    return f"the value with {words[0]}" if words else "a value"  # no name drawn: its number


def _title(part: Part, names: dict[str, str]) -> str | None:
    """The readable title of a part (None: keep Graphviz's)."""
    words = part.words
    if part.kind == "node":
        name = names.get(part.title, part.title)
        if name.startswith("the value with"):
            return ", ".join(["a value", *words])
        return ", ".join([name, *(words[1:] if not name.startswith("the ") else [])])
    if part.kind == "edge" and "->" in part.title:
        src, dst = part.title.split("->", 1)
        return ", ".join([f"edge from {names.get(src, src)} to {names.get(dst, dst)}", *words])
    if part.kind == "cluster":
        return f"group {words[0]}" if words else "a group"
    if part.kind == "graph" and part.title == "microgrand":  # the graph's internal name
        return "computation graph"
    return None
