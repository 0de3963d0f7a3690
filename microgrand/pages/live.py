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

* each editable leaf: ``input[data-leaf="NAME"]`` (the number box, a text box for
  decimals) and ``input[type=range][data-scrub="NAME"]`` (its slider); setting the box's
  ``value`` and firing ``input`` or ``change`` recomputes the page synchronously; anything
  but a finite number ("abc", "1e309", "nan", nothing) sets ``aria-invalid="true"`` on the
  box and says "type a number" in the polite live region ``.mg-ctl-msg`` next to it, and the
  leaf keeps its last good value;
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
  numbers by name) after each recomputation;
* by keyboard: the value boxes ``g[data-id]`` are ``role="button"``, one tab stop (arrow
  keys, Home and End move in graph order), Enter or Space (or a click) shows the box's
  chain rule in ``.mg-explain`` and says it in the status region ``.mg-status``
  (``web/live_nav.js``); the buttons ``[data-action="zoom-in"|"zoom-out"|"fit"]`` (also
  ``[data-zoom="in"|"out"|"fit"]``) and the keys ``+``, ``-``, ``0`` zoom, ``.mg-zoom-level``
  says the scale in per cent, and Shift with the arrow keys pans: the zoom every diagram page
  shares (``MG.zoom`` in ``web/runtime.js``);
* every box, operation and edge has an ``aria-label`` saying what it is with the numbers
  shown ("w, data = -3.0000, grad = 1.0019, an input"; "edge from w into x·w (×), local
  derivative ∂/∂w = 2.0000"); the diagram is never drawn so small that its text is under
  11 px (``data-readable``: that width; wider diagrams scroll).

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

import html
import math
from collections.abc import Mapping
from typing import Any, Literal

from ..graph import Graph
from ..render import draw
from ..render.diagram import Diagram
from ..render.themes import THEMES
from ..render.themes import ThemeName as ThemeName  # the quiz imports it from here
from ..value import Value, set_forward
from ..value import apply as apply_rule
from .live_layout import choose_rankdir, live_diagram
from .live_model import (
    diagram_svg,
    hook_edges,
    hook_nodes,
    live_model,
    named_graph,
    page_names,
    slider_range,
)
from .options import ViewOptions
from .page import Page, PageView, build_page, fallback_picture, new_uid, web_text

__all__ = [
    "DEFAULT_MAX_NODES",
    "FALLBACK_DPI",
    "LiveTooLargeError",
    "LiveView",
    "diagram_svg",
    "hook_edges",
    "hook_nodes",
    "live",
    "live_model",
    "named_graph",
    "page_names",
    "slider_range",
]

DEFAULT_MAX_NODES = 3000
"""Graphs with more nodes are refused (pass ``max_nodes=`` to go further)."""

FALLBACK_DPI = 96
"""Resolution of the picture shown where scripts do not run."""

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
        rankdir: Literal["LR", "TB"] | None = None,
        theme: ThemeName = "light",
        max_nodes: int = DEFAULT_MAX_NODES,
        **draw_options: Any,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"{self.kind}() takes the output Value, got {type(root).__name__}")
        self.options = ViewOptions(precision, rankdir or "LR", theme)
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
        self._rankdir = rankdir
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
            {'a': 1.5, 'c': 2.0}
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
            if n.rule is None:
                target.data = fresh[n.id].data
            else:  # the number and the local derivatives at the new inputs
                set_forward(target, fresh[n.id])
            target.grad = 0.0
        self.root.backward()
        self._diagrams.clear()
        return self.root

    # --- the page ----------------------------------------------------------------------

    @property
    def rankdir(self) -> Literal["LR", "TB"]:
        """The diagram's direction: the one asked for, else chosen for a notebook cell's width
        (:func:`~microgrand.pages.live_layout.choose_rankdir`: left to right when its text
        stays readable there, else top to bottom).

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0, label="x")
            >>> live(x * 3).rankdir, live((((x * 3).tanh() + x) * x).exp()).rankdir
            ('LR', 'TB')
        """
        if self._rankdir is None:
            labels = bool(self.draw_options.get("edge_labels"))
            g = named_graph(Graph.of(self.root), self.names)
            chosen = choose_rankdir(g, edge_labels=labels, draw_lr=lambda: self._make("LR"))
            self._rankdir = "LR" if chosen == "LR" else "TB"
        return self._rankdir

    def _make(
        self, rankdir: str, dot_fields: Mapping[str, set[str]] | None = None, **extra: Any
    ) -> Diagram:
        g = named_graph(Graph.of(self.root), self.names)
        opts = {**self.draw_options, **extra}
        drawn = draw(
            g,
            precision=self.precision,
            rankdir=rankdir,  # type: ignore[arg-type]
            theme=self.theme,
            collapse=False,
            max_nodes=max(300, len(g)),
            blanks=dot_fields,
            **opts,
        )
        return live_diagram(drawn)

    def _draw(
        self, key: str = "view", dot_fields: Mapping[str, set[str]] | None = None, **extra: Any
    ) -> Diagram:
        if key not in self._diagrams:
            self._diagrams[key] = self._make(self.rankdir, dot_fields, **extra)
        return self._diagrams[key]

    def diagram(self) -> Diagram:
        """The diagram at the Values' current numbers (the picture shown where scripts do not
        run).

        Example:
            >>> from microgrand import Value
            >>> "∂/∂x = 2.0000" in live(Value(1.0, label="x") * 2).diagram().dot
            True
        """
        return self._draw("fallback")

    def model(self) -> dict[str, Any]:
        """The page model (plain JSON); see :func:`live_model`.

        Example:
            >>> from microgrand import Value
            >>> m = live(Value(1.0, label="x") * 2).model()
            >>> m["kind"], [(l["name"], l["editable"]) for l in m["leaves"]]
            ('live', [('x', True), ('c', False)])
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
        colour = "on" if self.draw_options.get("color") == "grad" else "off"
        return (
            f'<div class="mg-live mg-frame" data-error="" data-colour="{colour}" '
            f'role="group" aria-label="Live diagram of {title}: change an input to recompute">'
            '<div class="mg-controls"></div>'
            '<div class="mg-bar mg-zoom"></div>'
            f"{diagram_svg(diagram, uid, g, self.names)}"
            '<div class="mg-legend mg-scale"></div>'
            '<div class="mg-errors" role="alert"></div>'
            '<div class="mg-status mg-sr" role="status"></div>'
            '<div class="mg-panels">'
            '<div class="mg-panel mg-explain" role="group" aria-label="Chain rule"></div>'
            '<div class="mg-panel mg-nudge" role="group" aria-label="Nudge an input"></div>'
            "</div></div>"
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
            scripts=("engine.js", "live_nav.js", "live.js"),
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
    rankdir: Literal["LR", "TB"] | None = None,
    theme: ThemeName = "light",
    max_nodes: int = DEFAULT_MAX_NODES,
    **draw_options: Any,
) -> LiveView:
    """A live diagram of ``root``: every input editable, everything recomputed in the page.

    Labelled leaves (inputs and parameters) get a number box and a slider; unlabelled ones
    (constants such as the ``2`` in ``2 * x``) too with ``constants=True``. Draw options:
    ``precision``, ``rankdir`` (default: chosen for a notebook cell's width, left to right
    where the text stays readable, else top to bottom), ``theme`` and those of
    :func:`microgrand.draw` that apply (``show``, ``edge_labels`` (default on),
    ``highlight``, ``title``, ``engine``). The page has zoom in, zoom out and fit buttons
    (keys ``+``, ``-``, ``0``), and every node can be reached by keyboard. See
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
