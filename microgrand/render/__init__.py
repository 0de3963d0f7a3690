"""Draw a computation graph: ``draw(root, ...)`` -> :class:`Diagram` (SVG, PNG, DOT).

One pipeline: :class:`~microgrand.graph.Graph` snapshot -> DOT (``graphviz`` package) ->
layout engine (system ``dot`` or the pip-installed ``graphviz-pure``) -> SVG / PNG.

Example:
    >>> from microgrand import Value
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> y = (x * w).tanh(); y.backward()
    >>> d = draw(y, edge_labels=True, color="grad")
    >>> import xml.etree.ElementTree as ET
    >>> texts = [t.text for t in ET.fromstring(d.svg()).iter("{http://www.w3.org/2000/svg}text")]
    >>> "∂/∂x = -3.0000" in texts, f"grad = {x.grad:.4f}" in texts
    (True, True)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from .._format import check_precision
from ..graph import Graph, topological_order
from ..value import Value
from .build import (
    SHOW_FIELDS,
    CollapseSpec,
    DiagramTooLargeError,
    DrawOptions,
    LayoutTooComplexError,
    build_dot,
    escape,
    format_number,
    too_large,
)
from .diagram import Diagram
from .engine import (
    ENGINE_NAMES,
    Engine,
    LayoutTimeoutError,
    RenderError,
    choose_engine,
    engines,
    layout,
)
from .engine import (
    layout_timeout as _layout_timeout,
)
from .themes import THEMES, Theme, ThemeName, theme_named

__all__ = [
    "THEMES",
    "Diagram",
    "DiagramTooLargeError",
    "Engine",
    "LayoutTimeoutError",
    "LayoutTooComplexError",
    "RenderError",
    "Theme",
    "choose_engine",
    "draw",
    "engines",
    "escape",
    "format_number",
    "layout",
]

NodeRef = Value | str


def _resolve(graph: Graph, ref: object, what: str) -> str:
    if isinstance(ref, str | Value):
        try:
            return graph.node(ref).id
        except KeyError as e:
            raise ValueError(f"{what}: {e.args[0]}") from None
    raise TypeError(f"{what} takes Values or node ids like 'n3', got {type(ref).__name__}")


def _refs(graph: Graph, refs: object, what: str) -> list[str]:
    if refs is None:
        return []
    if isinstance(refs, str | Value):
        return [_resolve(graph, refs, what)]
    if not isinstance(refs, Iterable):
        raise TypeError(f"{what} takes a Value, a node id or a list of them, got {refs!r}")
    return [_resolve(graph, r, what) for r in refs]


def _descendants(graph: Graph, start: str) -> set[str]:
    # Every node on a path from `start` to the root: `start` and everything computed from it.
    out = {start}
    for n in graph.nodes:
        if any(i in out for i in n.inputs):
            out.add(n.id)
    return out


def draw(
    root: Value | Graph,
    *,
    show: Iterable[str] = ("data", "grad"),
    edge_labels: bool = False,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    color: Literal["grad"] | None = None,
    highlight: NodeRef | Iterable[NodeRef] | None = None,
    path_from: NodeRef | None = None,
    known_grads: Iterable[NodeRef] | None = None,
    notes: Mapping[str, str] | None = None,
    edge_notes: Mapping[tuple[str, str, int], str] | None = None,
    worksheet: bool = False,
    blanks: Mapping[NodeRef, Iterable[str]] | Mapping[str, Iterable[str]] | None = None,
    collapse: CollapseSpec = None,
    expand: Iterable[str] = (),
    theme: ThemeName = "light",
    max_nodes: int = 300,
    title: str | None = None,
    engine: str | None = None,
    layout_timeout: float | None = None,
) -> Diagram:
    """Draw the graph of ``root`` (a Value or a :class:`~microgrand.graph.Graph`).

    Each Value is a box with its label, ``data`` and ``grad``; each operation a small node
    with its symbol. Options:

    * ``show``: fields in each box, any of ``"data"``, ``"grad"``, ``"id"`` (the label is
      always shown). ``precision``: decimals. ``rankdir``: ``"LR"`` or ``"TB"``.
    * ``edge_labels=True``: write each input edge's local derivative on it, naming the input
      (``∂/∂w = 3.0000``).
    * ``color="grad"``: fill boxes by gradient sign and size (blue negative, red positive),
      with a legend. The scale is logarithmic: each factor of 10 below the largest
      ``|grad|`` is one step lighter (three steps), a tiny gradient still shows its sign and
      only an exact zero is left white.
    * ``highlight``: Values or ids (``"n3"``) drawn with an accent; edges between two
      highlighted nodes too. ``path_from=leaf`` highlights every path from ``leaf`` to root.
    * ``known_grads``: only these nodes show their gradient, the others a blank.
      ``notes``: ``{id: text}`` shown under a node. ``edge_notes``:
      ``{(src_id, dst_id, position): text}`` shown on an edge.
    * ``worksheet=True``: every gradient is a blank to fill in, no gradient numbers anywhere;
      :meth:`Diagram.answer_key` gives the filled-in diagram. ``blanks``: ``{node: fields}``
      draws just those numbers (``"data"``, ``"grad"``) of those nodes as blanks.
    * ``collapse``: ``True`` (top-level scopes), a depth (int) or a list of scope paths
      becomes one box per scope; ``expand`` re-opens some. ``collapse=False`` never collapses.
    * ``theme``: ``"light"``, ``"dark"`` or ``"print"`` (greyscale). ``title``: a caption.
    * ``max_nodes``: past this many boxes, scopes are collapsed automatically (said in
      ``Diagram.notes`` and the caption) or :class:`DiagramTooLargeError` is raised.
    * ``engine``: ``"dot"`` or ``"graphviz-pure"`` (default: ``$MICROGRAND_ENGINE``, else
      ``dot`` when installed, else ``graphviz-pure``).
    * ``layout_timeout``: seconds the layout may take (default ``$MICROGRAND_LAYOUT_TIMEOUT``,
      else 60); past it the engine is stopped and :class:`LayoutTimeoutError` is raised.

    Before any layout runs, its cost is estimated: edge labels that would make it slow (a
    node used by many operations, as ``x`` in ``x*x*…*x``) are left off with a note, and a
    graph too tangled to lay out in seconds raises :class:`LayoutTooComplexError`.

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0, label="a"); b = a * a; b.backward()
        >>> d = draw(b, highlight=[a], worksheet=True)
        >>> "grad = ______" in d.dot, "6.0000" in d.dot, "6.0000" in d.answer_key().dot
        (True, False, True)
    """
    # Long because its docstring lists every option; the code below only gathers them.
    options: dict[str, Any] = {
        "show": show,
        "edge_labels": edge_labels,
        "precision": precision,
        "rankdir": rankdir,
        "color": color,
        "highlight": highlight,
        "path_from": path_from,
        "known_grads": known_grads,
        "notes": notes,
        "edge_notes": edge_notes,
        "worksheet": worksheet,
        "blanks": blanks,
        "collapse": collapse,
        "expand": expand,
        "theme": theme,
        "max_nodes": max_nodes,
        "title": title,
        "engine": engine,
        "layout_timeout": layout_timeout,
    }
    if isinstance(root, Value):
        _refuse_early(root, max_nodes, collapse)
        graph = Graph.of(root)
    elif isinstance(root, Graph):
        graph = root
    else:
        raise TypeError(f"draw() takes a Value or a Graph, got {type(root).__name__}")
    opts = _options(graph, options)
    if layout_timeout is not None:
        _layout_timeout(layout_timeout)  # refuse a bad budget now, not at layout time
    if engine is not None and engine not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINE_NAMES)}")
    built = build_dot(graph, opts)
    # Keep the Values' ids (not the Values) so the answer key redraws the same snapshot.
    stored = {
        **options,
        "show": opts.show,
        "highlight": sorted(opts.highlight),
        "path_from": None,
        "notes": dict(opts.notes),
        "edge_notes": dict(opts.edge_notes),
        "known_grads": None if opts.known_grads is None else sorted(opts.known_grads),
        "blanks": {k: sorted(v) for k, v in opts.blanks.items()},
        "expand": list(opts.expand),
    }
    rebuild = functools.partial(_redraw, graph, stored)
    return Diagram(
        built.source, graph=graph, notes=built.notes, engine=engine, rebuild=rebuild, options=stored
    )


def _refuse_early(root: Value, max_nodes: object, collapse: object) -> None:
    """Refuse a huge graph without scopes before taking its (slower) snapshot."""
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool):
        return  # validated, with a clear message, later
    order = topological_order(root)
    n = len(order)
    if n > max_nodes and (collapse is False or not any(v.scope for v in order)):
        has_scopes = collapse is False and any(v.scope for v in order)
        raise too_large(n, max_nodes, has_scopes, "")


def _redraw(graph: Graph, options: dict[str, Any], **changes: Any) -> Diagram:
    return draw(graph, **{**options, **changes})


def _bool(x: object, what: str) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"{what} must be True or False, got {x!r}")
    return x


def _options(graph: Graph, o: dict[str, Any]) -> DrawOptions:
    show = o["show"]
    if isinstance(show, str):
        show = (show,)
    show = tuple(show)
    for s in show:
        if s not in SHOW_FIELDS:
            raise ValueError(f"show= takes fields from {SHOW_FIELDS}, got {s!r}")
    prec = check_precision(o["precision"])
    if o["rankdir"] not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {o['rankdir']!r}")
    if o["color"] not in (None, "grad"):
        raise ValueError(f"color must be 'grad' or None, got {o['color']!r}")
    theme_named(o["theme"])
    mx = o["max_nodes"]
    if not isinstance(mx, int) or isinstance(mx, bool) or mx < 1:
        raise ValueError(f"max_nodes must be a positive int, got {mx!r}")
    coll = o["collapse"]
    if not (coll is None or isinstance(coll, bool | int | Iterable)):
        raise TypeError(f"collapse= takes True/False, a depth or scope paths, got {coll!r}")
    if isinstance(coll, str):
        coll = (coll,)
    elif coll is not None and not isinstance(coll, bool | int):
        coll = tuple(coll)
    exp = o["expand"]
    exp = (exp,) if isinstance(exp, str) else tuple(exp or ())
    hl = set(_refs(graph, o["highlight"], "highlight"))
    if o["path_from"] is not None:
        hl |= _descendants(graph, _resolve(graph, o["path_from"], "path_from"))
    kg = o["known_grads"]
    known = None if kg is None else frozenset(_refs(graph, kg, "known_grads"))
    notes = dict(o["notes"] or {})
    for k, v in notes.items():
        _resolve(graph, k, "notes")
        if not isinstance(v, str):
            raise TypeError(f"notes[{k!r}] must be a str, got {type(v).__name__}")
    notes = {_resolve(graph, k, "notes"): v for k, v in notes.items()}
    edge_notes = dict(o["edge_notes"] or {})
    keys = {(e.src, e.dst, e.position) for e in graph.edges}
    for k, v in edge_notes.items():
        if k not in keys:
            raise ValueError(
                f"edge_notes: no edge {k!r}; keys are (src_id, dst_id, input position) like "
                f"{next(iter(sorted(keys)), ('n0', 'n1', 0))!r}"
            )
        if not isinstance(v, str):
            raise TypeError(f"edge_notes[{k!r}] must be a str, got {type(v).__name__}")
    blanks: dict[str, frozenset[str]] = {}
    for k, fields in dict(o["blanks"] or {}).items():
        fs = frozenset((fields,) if isinstance(fields, str) else fields)
        if not fs <= {"data", "grad"}:
            raise ValueError(f"blanks[{k!r}] takes the fields 'data' and 'grad', got {sorted(fs)}")
        blanks[_resolve(graph, k, "blanks")] = fs
    title = o["title"]
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    return DrawOptions(
        show=show,
        edge_labels=_bool(o["edge_labels"], "edge_labels"),
        precision=prec,
        rankdir=o["rankdir"],
        color=o["color"],
        highlight=frozenset(hl),
        known_grads=known,
        notes=notes,
        edge_notes=edge_notes,
        worksheet=_bool(o["worksheet"], "worksheet"),
        blanks=blanks,
        collapse=coll,
        expand=exp,
        theme=o["theme"],
        max_nodes=mx,
        title=title,
    )
