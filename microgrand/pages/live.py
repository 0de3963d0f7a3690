"""The live view: drag any input and watch every value and gradient update, in the page.

:func:`live` returns a :class:`LiveView`: the diagram of a graph with a number box and a
slider for every input and parameter (constants too with ``constants=True``). A change
recomputes **in the page** every forward value, local derivative and gradient from the
JavaScript forms of the rules (``microgrand/web/engine.js``), and updates every label, the
gradient colours (the same logarithmic scale as :func:`microgrand.draw`), the local
derivatives on the edges and the explanation of the selected node. A nudge panel shows the
first-order approximation: the output before and after ``leaf + h``, the actual change and
``gradient × h``. An operation outside its domain (``log`` of a negative number) shows
Python's own message on its node, and everything downstream is marked undefined: never a
silent NaN or a stale number.

The page needs no kernel and no network: it works in JupyterLab, Notebook 7, VS Code,
nbconvert HTML exports and as a saved file (:meth:`LiveView.save`). Where scripts do not run
(a stored notebook before it is trusted or run, GitHub) it shows a picture of the diagram at
its current numbers and the line "Run this cell to drag the inputs and watch every value and
gradient update".

DOM contract (stable; for tests and scripts):

* each editable leaf: ``input[data-leaf="NAME"]`` (the number box) and
  ``input[type=range][data-scrub="NAME"]`` (its slider); setting the box's ``value`` and
  firing ``input`` or ``change`` recomputes the page synchronously;
* every number on the diagram: ``[data-node="NAME"][data-field="data"|"grad"]`` whose
  ``data-number`` is the full-precision float (Python ``repr``; JavaScript ``String(x)``
  gives the same float back), or empty when the number is undefined;
* each local derivative on an edge: ``[data-edge="e-SRC-DST-POS"][data-field="local"]``
  with ``data-number``;
* the node whose operation was refused: ``g[data-id][data-error="MESSAGE"]`` (Python's
  message, word for word); nodes downstream of it carry ``data-undefined``; the page's
  ``.mg-live[data-error]`` holds the first message (empty when every number is defined);
* the nudge panel: ``select[data-nudge-leaf]``, ``input[data-nudge-h]``, and the results
  ``[data-nudge="before"|"after"|"change"|"predicted"]`` with ``data-number``;
* the page root ``.mg-live`` fires a ``mg-change`` event (``detail.values``: the leaves'
  numbers by name) after each recomputation.

NAME is the name the diagram shows: the label, or the trace's automatic name
(:func:`microgrand.stepper.trace.node_names`; the output is ``L`` when unlabelled; a name
that would repeat gets `` #2``, `` #3`` …).

Example:
    >>> from microgrand import Value
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> view = live((x * w).tanh())
    >>> sorted(view.values), view.names["n2"]
    (['w', 'x'], 'x·w')
    >>> h = view._repr_html_()
    >>> "MicrograndEngine" in h and "data:image/png;base64," in h
    True
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from .._format import check_precision
from ..graph import Graph
from ..render import draw, format_number
from ..render.build import BLANK
from ..render.diagram import Diagram
from ..render.themes import THEMES
from ..rules import rules_js
from ..stepper.explain import _needs_parens, _template, _text_frac, _text_local
from ..stepper.trace import Contribution, node_names, trace
from ..value import Value
from .model import edge_id, graph_model, number
from .page import Page, PageView, build_page, fallback_picture, new_uid, web_text
from .svg import SVG_NS, hook_svg, svg_text

__all__ = [
    "DEFAULT_MAX_NODES",
    "FALLBACK_DPI",
    "LiveTooLargeError",
    "LiveView",
    "live",
    "page_names",
    "slider_range",
]

DEFAULT_MAX_NODES = 3000
"""Graphs with more nodes are refused (pass ``max_nodes=`` to go further)."""

FALLBACK_DPI = 96
"""Resolution of the picture shown where scripts do not run."""

ThemeName = Literal["light", "dark", "print"]
_Q = f"{{{SVG_NS}}}"
_DRAW_OPTIONS = ("show", "edge_labels", "color", "highlight", "title", "engine")
_REFUSED_OPTIONS = (
    "worksheet",
    "known_grads",
    "collapse",
    "expand",
    "notes",
    "edge_notes",
    "path_from",
)


class LiveTooLargeError(ValueError):
    """The graph has more nodes than the live view's ``max_nodes``."""


def page_names(graph: Graph) -> dict[str, str]:
    """The name each node has on a page: :func:`node_names`, the output ``L`` when it has no
    label (as in the player), and `` #2``, `` #3`` … added to a name that would repeat.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x")
        >>> names = page_names(Graph.of(x * x + x * x))
        >>> [names[i] for i in ("n1", "n2", "n3")]
        ['x·x', 'x·x #2', 'L']
    """
    base = node_names(graph)
    root = graph.node(graph.root)
    base[root.id] = root.label or "L"
    seen: dict[str, int] = {}
    taken = set(base.values())
    out: dict[str, str] = {}
    for n in graph.nodes:
        name = base[n.id]
        k = seen.get(name, 0) + 1
        seen[name] = k
        if k > 1:
            while f"{name} #{k}" in taken:
                k += 1
            seen[name] = k
            name = f"{name} #{k}"
            taken.add(name)
        out[n.id] = name
    return out


def _nice(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least ``x``."""
    e = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**e >= x * (1 - 1e-12):
            return m * 10.0**e
    return 10.0 ** (e + 1)  # pragma: no cover


def slider_range(value: float) -> tuple[float, float]:
    """A slider range for a leaf at ``value``: round numbers, 0 inside, ``value`` well
    inside (twice its size each way, at least ±1).

    Example:
        >>> slider_range(2.0), slider_range(-3.0), slider_range(0.0), slider_range(6.88)
        ((-5.0, 5.0), (-10.0, 10.0), (-1.0, 1.0), (-20.0, 20.0))
    """
    half = _nice(max(1.0, 2.0 * abs(value)))
    if abs(value) > 0.8 * half:
        half = _nice(half * 1.01)
    return -half, half


def _forward_pieces(node_op: str, text: str, arity: int, n_inputs: int) -> list[Any]:
    """The rule's text split into strings and input positions: ``"x × y"`` -> ``[0, " × ", 1]``."""
    if arity == 0:
        return [f"{node_op}(", *_joined(n_inputs), ")"]
    out: list[Any] = []
    for part in re.split(r"(?<![A-Za-z])(x|y)(?![A-Za-z])", text):
        if part == "x":
            out.append(0)
        elif part == "y":
            out.append(1)
        elif part:
            out.append(part)
    return out


def _joined(n: int) -> list[Any]:
    out: list[Any] = []
    for i in range(n):
        if i:
            out.append(", ")
        out.append(i)
    return out


def _needs(form: str, position: int, n_inputs: int, arity: int) -> dict[str, Any]:
    """The inputs (positions) and whether the output a local-derivative template uses.

    Example:
        >>> _needs("y", 0, 2, 2), _needs("1 − out²", 0, 1, 1)
        ({'needs': [1], 'out': False}, {'needs': [], 'out': True})
    """
    words = set(re.findall(r"(?<![A-Za-z])(out|xi|x|y)(?![A-Za-z])", form))
    needs: set[int] = set()
    if arity == 0:
        if "xi" in words:
            needs.add(position)
        if "x" in words:
            needs.update(range(n_inputs))
    else:
        if "x" in words:
            needs.add(0)
        if "y" in words:
            needs.add(1)
    return {"needs": sorted(needs), "out": "out" in words}


@dataclasses.dataclass(frozen=True)
class _Fake:
    """The trace a rule template needs: only ``graph`` is read."""

    graph: Graph


def live_model(
    graph: Graph, names: Mapping[str, str], precision: int, editable: Mapping[str, bool]
) -> dict[str, Any]:
    """The page model shared by the live view and the quiz (plain JSON).

    ``graph`` is :func:`graph_model`'s snapshot; ``engine`` the graph as ``engine.js`` reads
    it (``id``, ``op``, ``param``, ``inputs``, ``value`` of a leaf, ``text``); ``rules`` the
    JavaScript forms of the operations used (:func:`microgrand.rules.rules_js`); ``leaves``
    one entry per input (``id``, ``name``, ``value``, ``min``, ``max``, ``editable``);
    ``forms`` per operation node: ``forward`` (the rule's text as strings and input
    positions), ``lhs`` (``"dL/dx"``) and per input edge the symbolic chain-rule term and
    the local derivative worded from the rule table.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x"); g = Graph.of((x * 3).tanh())
        >>> m = live_model(g, page_names(g), 4, {"n0": True, "n1": False})
        >>> sorted(m["rules"]), m["forms"]["n2"]["forward"], m["forms"]["n3"]["edges"][0]["worded"]
        (['mul', 'tanh'], [0, ' × ', 1], '(1 − L²)')
    """
    check_precision(precision)
    top = names[graph.root]
    table = rules_js()
    used = sorted({n.op for n in graph.nodes if n.op})
    fake: Any = _Fake(graph)
    forms: dict[str, Any] = {}
    lhs = {n.id: _text_frac(top, names[n.id]) for n in graph.nodes}
    for n in graph.nodes:
        r = n.rule
        if r is None:
            continue
        edges = []
        for pos, src in enumerate(n.inputs):
            c = Contribution(n.id, src, pos, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
            edges.append(
                {
                    "id": edge_id(src, n.id, pos),
                    "src": src,
                    "position": pos,
                    "symbol": f"{lhs[n.id]} · {_text_local(names[n.id], names[src])}",
                    "worded": _template(c, fake, dict(names), False),
                    # which numbers the local derivative needs (tanh: the output; x·y: the other)
                    **_needs(r.dtext[min(pos, len(r.dtext) - 1)], pos, len(n.inputs), r.arity),
                }
            )
        forms[n.id] = {
            "forward": _forward_pieces(r.symbol, r.text, r.arity, len(n.inputs)),
            "symbol": r.symbol,
            "edges": edges,
        }
    leaves = []
    for n in graph.nodes:
        if n.rule is not None:
            continue
        lo, hi = slider_range(n.data)
        leaves.append(
            {
                "id": n.id,
                "name": names[n.id],
                "value": number(n.data),
                "min": lo,
                "max": hi,
                "editable": bool(editable.get(n.id, False)),
                "labelled": bool(n.label),
            }
        )
    return {
        "precision": precision,
        "graph": graph_model(graph, names),
        "engine": {
            "root": graph.root,
            "nodes": [
                {
                    "id": n.id,
                    "op": n.op,
                    "inputs": list(n.inputs),
                    "param": None if n.rule is None else n.rule.param,
                    "text": None if n.rule is None else n.rule.text,
                    "value": number(n.data) if n.rule is None else None,
                }
                for n in graph.nodes
            ],
        },
        "rules": {k: table[k] for k in used},
        "leaves": leaves,
        "forms": forms,
        "lhs": lhs,
        "paren": {n.id: _needs_parens(names[n.id]) for n in graph.nodes},
    }


def named_graph(graph: Graph, names: Mapping[str, str]) -> Graph:
    """The graph with every node labelled by its page name (so the diagram shows it) and
    the gradients of one clean backward pass (:func:`~microgrand.stepper.trace.trace`; the
    Values are not changed).

    Example:
        >>> from microgrand import Value
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> [(n.label, n.grad) for n in named_graph(g, page_names(g)).nodes]
        [('x', 3.0), ('n1', 2.0), ('L', 1.0)]
    """
    grads = trace(graph.node(graph.root).value).grads
    nodes = tuple(dataclasses.replace(n, label=names[n.id], grad=grads[n.id]) for n in graph.nodes)
    return dataclasses.replace(graph, nodes=nodes)


def hook_edges(root: Any, uid: str) -> None:
    """Give each input edge's local-derivative label ``data-edge``/``data-field="local"``.

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g, edge_labels=True).svg(), "u", g, page_names(g))
        >>> hook_edges(root, "u")
        >>> sorted(e.get("data-edge") for e in root.iter() if e.get("data-field") == "local")
        ['e-n0-n2-0', 'e-n1-n2-1']
    """
    for g in root.iter(_Q + "g"):
        gid = (g.get("id") or "")[len(uid) + 1 :]
        if not gid.startswith("e-") or gid.count("-") != 3:
            continue
        g.set("data-edge", gid)
        for tx in g.iter(_Q + "text"):
            content = tx.text or ""
            if content.startswith("∂ = "):
                tx.text = "∂ = "
                span = tx.makeelement(
                    _Q + "tspan", {"data-edge": gid, "data-field": "local", "class": "mg-lv"}
                )
                span.text = content[len("∂ = ") :]
                tx.append(span)


def hook_nodes(root: Any) -> None:
    """Mark each value box's outline (``class="mg-box"``) so pages can colour it.

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g).svg(), "u", g, page_names(g))
        >>> hook_nodes(root)
        >>> sum(1 for e in root.iter() if e.get("class") == "mg-box")
        3
    """
    for g in root.iter(_Q + "g"):
        if g.get("data-id") is None:
            continue
        for child in g:
            if child.tag in (_Q + "path", _Q + "polygon"):
                child.set("class", "mg-box")
                break


def diagram_svg(diagram: Diagram, uid: str, graph: Graph, names: Mapping[str, str]) -> str:
    """The diagram's SVG with every page hook, inside its scrolling stage.

    Example:
        >>> from microgrand import Value
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> s = diagram_svg(draw(g, edge_labels=True), "u", g, page_names(g))
        >>> 'data-field="local"' in s and 'class="mg-box"' in s
        True
    """
    root, width = hook_svg(diagram.svg(), uid, graph, names)
    hook_edges(root, uid)
    hook_nodes(root)
    root.set("style", f"min-width:{min(width, 1600) * 0.55:.0f}px")
    return f'<div class="mg-stage" style="max-width:{width:.0f}px">{svg_text(root)}</div>'


def blank_dot(dot: str, graph: Graph, fields: Mapping[str, set[str]], precision: int) -> str:
    """The DOT source with the numbers of ``fields`` (``{id: {"data", "grad"}}``) blanked.

    Each value box is one DOT statement starting with its id, so the replacement touches
    only that box.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x"); g = Graph.of(x * 3)
        >>> d = draw(g)
        >>> "data = ________" in blank_dot(d.dot, g, {"n2": {"data"}}, 4)
        True
    """
    lines = dot.split("\n")
    for k, line in enumerate(lines):
        m = re.match(r"\s*(n\d+) \[", line)
        if not m or m.group(1) not in fields:
            continue
        node = graph.node(m.group(1))
        for field in fields[m.group(1)]:
            value = node.data if field == "data" else node.grad
            lines[k] = lines[k].replace(
                f"{field} = {html.escape(format_number(value, precision))}", f"{field} = {BLANK}"
            )
    return "\n".join(lines)


class LiveView(PageView):
    """A diagram whose inputs can be dragged; everything recomputes in the page.

    Make one with :func:`live`. It shows itself in a notebook (``_repr_html_``);
    :meth:`save` writes a standalone page; :attr:`values` and :meth:`apply` bring the page's
    numbers back to Python where a widget connects them (:meth:`widget`). See the module
    docstring for the DOM contract.

    Example:
        >>> from microgrand import Value
        >>> v = live(Value(2.0, label="x") ** 2)
        >>> v.values, v.leaves
        ({'x': 2.0}, ['x'])
    """

    kind = "live"
    noun = "live view"
    save_uid = "mglive"

    def __init__(
        self,
        root: Value,
        *,
        constants: bool = False,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "LR",
        theme: ThemeName = "light",
        max_nodes: int = DEFAULT_MAX_NODES,
        **draw_options: Any,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"{self.kind}() takes the output Value, got {type(root).__name__}")
        check_precision(precision)
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}; got {theme!r}")
        if not isinstance(constants, bool):
            raise TypeError("constants must be True or False")
        for key in draw_options:
            if key in _REFUSED_OPTIONS:
                raise ValueError(
                    f"{self.kind}() shows every node with its numbers; the draw option {key}= "
                    "does not apply (draw the graph with microgrand.draw for that)"
                )
            if key not in _DRAW_OPTIONS:
                raise TypeError(
                    f"{self.kind}() got an unknown option {key}=; options: constants, "
                    f"precision, rankdir, theme, max_nodes, {', '.join(_DRAW_OPTIONS)}"
                )
        graph = Graph.of(root)
        if len(graph) > max_nodes:
            raise LiveTooLargeError(
                f"this graph has {len(graph)} nodes, more than max_nodes={max_nodes}: pass "
                f"max_nodes={len(graph)} to build the page anyway (laying it out takes a while)"
            )
        self.root = root
        self.graph = graph
        self.names = page_names(graph)
        self.precision = precision
        self.rankdir = rankdir
        self.theme = theme
        self.constants = constants
        self.draw_options: dict[str, Any] = {"edge_labels": True, "color": "grad", **draw_options}
        self.max_nodes = max_nodes
        self._widget: Any = None
        self._diagrams: dict[str, Diagram] = {}

    # --- numbers -------------------------------------------------------------------------

    def _editable(self) -> dict[str, bool]:
        return {n.id: bool(n.label) or self.constants for n in self.graph.leaves}

    @property
    def leaves(self) -> list[str]:
        """The names of the inputs that get a slider (in the graph's order)."""
        ed = self._editable()
        return [self.names[n.id] for n in self.graph.leaves if ed[n.id]]

    @property
    def values(self) -> dict[str, float]:
        """The editable leaves' numbers by name: the page's current numbers where a widget
        (:meth:`widget`) connects the page to this kernel, else the Python Values' numbers.

        Example:
            >>> from microgrand import Value
            >>> live(Value(1.5, label="a") * 2, constants=True).values
            {'a': 1.5, 'n1': 2.0}
        """
        out = {self.names[n.id]: n.value.data for n in self.graph.leaves if self._editable()[n.id]}
        if self._widget is not None:
            for k, v in dict(self._widget.values).items():
                if k in out and isinstance(v, int | float) and math.isfinite(v):
                    out[k] = float(v)
        return out

    def apply(self, values: Mapping[str, float] | None = None) -> Value:
        """Write ``values`` (default: :attr:`values`) into the leaf Values, recompute every
        node's value and local derivatives in topological order, and run ``backward()``
        from a clean start. Returns the output Value.

        Raises Python's own error (the same message the page shows) when an operation is
        outside its domain; the Values are then left as they were.

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0, label="x"); y = x * x
            >>> v = live(y); _ = v.apply({"x": 3.0})
            >>> y.data, x.grad
            (9.0, 6.0)
        """
        from ..value import apply as apply_rule

        new = dict(self.values if values is None else values)
        by_name = {self.names[n.id]: n for n in self.graph.leaves}
        for k, v in new.items():
            if k not in by_name:
                raise KeyError(f"no leaf named {k!r}; leaves: {', '.join(sorted(by_name))}")
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                raise ValueError(f"the value of {k} must be a finite number, got {v!r}")
        data = {n.id: float(new.get(self.names[n.id], n.value.data)) for n in self.graph.leaves}
        fresh: dict[str, Value] = {}
        for n in self.graph.nodes:  # recompute on fresh Values first: all or nothing
            if n.rule is None:
                fresh[n.id] = Value(data[n.id])
            else:
                fresh[n.id] = apply_rule(n.op, *(fresh[i] for i in n.inputs), param=n.rule.param)
        for n in self.graph.nodes:
            target = n.value
            target.data = fresh[n.id].data
            if n.rule is not None:  # the local derivatives at the new numbers
                src = fresh[n.id]
                target._la, target._lb, target._ls = src._la, src._lb, src._ls
            target.grad = 0.0
        self.root.backward()
        self._diagrams.clear()
        return self.root

    # --- the page ----------------------------------------------------------------------

    def _draw(
        self, key: str = "view", dot_fields: Mapping[str, set[str]] | None = None, **extra: Any
    ) -> Diagram:
        if key not in self._diagrams:
            g = named_graph(Graph.of(self.root), self.names)
            opts = {**self.draw_options, **extra}
            d = draw(
                g,
                precision=self.precision,
                rankdir=self.rankdir,
                theme=self.theme,
                collapse=False,
                max_nodes=max(300, len(g)),
                **opts,
            )
            if dot_fields:
                d = Diagram(
                    blank_dot(d.dot, g, dot_fields, self.precision), graph=g, engine=d.engine
                )
            self._diagrams[key] = d
        return self._diagrams[key]

    def diagram(self) -> Diagram:
        """The diagram at the Values' current numbers (the picture shown where scripts do not
        run).

        Example:
            >>> from microgrand import Value
            >>> "∂ = 2.0000" in live(Value(1.0, label="x") * 2).diagram().dot
            True
        """
        return self._draw("fallback")

    def model(self) -> dict[str, Any]:
        """The page model (plain JSON); see :func:`live_model`.

        Example:
            >>> from microgrand import Value
            >>> m = live(Value(1.0, label="x") * 2).model()
            >>> m["kind"], [(l["name"], l["editable"]) for l in m["leaves"]]
            ('live', [('x', True), ('n1', False)])
        """
        g = named_graph(Graph.of(self.root), self.names)
        m = live_model(g, self.names, self.precision, self._editable())
        for leaf in m["leaves"]:
            leaf["labelled"] = bool(self.graph.node(leaf["id"]).label)
        m["kind"] = self.kind
        m["version"] = 1
        m["title"] = self.names[g.root]
        return m

    def _view_html(self, uid: str) -> str:
        diagram = self._draw("view", color=None)
        g = named_graph(Graph.of(self.root), self.names)
        title = html.escape(self.names[self.graph.root])
        return (
            f'<div class="mg-live mg-frame" data-error="" '
            f'aria-label="Live diagram of {title}: change an input to recompute">'
            '<div class="mg-controls"></div>'
            f"{diagram_svg(diagram, uid, g, self.names)}"
            '<div class="mg-legend mg-scale"></div>'
            '<div class="mg-errors" role="alert"></div>'
            '<div class="mg-panels"><div class="mg-panel mg-explain"></div>'
            '<div class="mg-panel mg-nudge"></div></div></div>'
        )

    def page(self, *, uid: str | None = None) -> Page:
        """The view as a :class:`~microgrand.pages.Page` (ids start with ``uid``).

        Example:
            >>> from microgrand import Value
            >>> live(Value(1.0, label="x") * 2).page(uid="lv").uid
            'lv'
        """
        uid = new_uid(self.kind) if uid is None else uid
        title = self.names[self.graph.root]
        return build_page(
            "live",
            self.model(),
            view_html=self._view_html(uid),
            theme=THEMES[self.theme],
            fallback_png=fallback_picture(self.diagram(), FALLBACK_DPI),
            fallback_note="Run this cell to drag the inputs and watch every value and "
            "gradient update.",
            title=f"Live diagram of {title}",
            fallback_alt=f"The diagram of {title} at its current numbers",
            uid=uid,
            scripts=("engine.js", "live.js"),
            styles=("live.css",),
        )

    def widget(self) -> Any:
        """The view as a notebook widget that reports the page's numbers back to Python
        (:attr:`values`, :meth:`apply`). Needs ``anywidget`` (an optional extra) and a live
        kernel; raises ``ImportError`` saying how to install it otherwise. In a stored
        notebook a widget needs its kernel: display the view itself (``view``) where the
        page must work without one.

        Example:
            >>> from microgrand import Value
            >>> view = live(Value(1.0, label="x") * 2)
            >>> w = view.widget()          # doctest: +SKIP
            >>> w                          # doctest: +SKIP
            >>> view.apply()               # doctest: +SKIP
        """
        try:
            import anywidget
            import traitlets
        except ImportError:
            raise ImportError(
                "view.widget() needs anywidget: pip install anywidget (the page itself works "
                "without it; only view.values and view.apply() need a kernel)"
            ) from None

        class LiveWidget(anywidget.AnyWidget):
            _esm = web_text("live_widget.js")
            fragment = traitlets.Unicode("").tag(sync=True)
            values = traitlets.Dict({}).tag(sync=True)

        w = LiveWidget(fragment=self.page().fragment, values=self.values)
        self._widget = w
        return w

    def __repr__(self) -> str:
        return f"<LiveView of {self.names[self.graph.root]}: {len(self.graph)} nodes>"


def live(
    root: Value,
    *,
    constants: bool = False,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    max_nodes: int = DEFAULT_MAX_NODES,
    **draw_options: Any,
) -> LiveView:
    """A live diagram of ``root``: every input editable, everything recomputed in the page.

    Labelled leaves (inputs and parameters) get a number box and a slider; unlabelled ones
    (constants such as the ``2`` in ``2 * x``) too with ``constants=True``. Draw options:
    ``precision``, ``rankdir``, ``theme`` and those of :func:`microgrand.draw` that apply
    (``show``, ``edge_labels`` (default on), ``highlight``, ``title``, ``engine``). See
    :mod:`microgrand.pages.live` for the page's DOM contract.

    Example:
        >>> from microgrand import Value
        >>> x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
        >>> view = live((x * w + b).tanh(), rankdir="TB")
        >>> view.leaves
        ['x', 'w', 'b']
    """
    return LiveView(
        root,
        constants=constants,
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        max_nodes=max_nodes,
        **draw_options,
    )
