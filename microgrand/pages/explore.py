"""The explorer: one navigable page for a whole network, group by group.

:func:`explore` returns an :class:`Explorer`. Its page opens collapsed to the graph's top
scopes (the layers of an :class:`~microgrand.nn.MLP`, or the scopes the user named with
:func:`~microgrand.scope`), each drawn as one box with the edges between boxes aggregated
("16 edges"). A click on a box (or Enter on it: every box and value is focusable, in graph
order) opens that group (a layer shows its neurons as boxes), a neuron shows its operations;
a click on an open group's frame, Escape or the breadcrumb closes it again. A view opens
framed on its open group at a scale where no text is under 11 px (the page grows in height;
what does not fit is panned to). + and − (buttons, keys, Ctrl + wheel and a pinch, around the
pointer) zoom, arrows or dragging pan, "Fit" (0) shows everything: the zoom every diagram page
shares (``MG.zoom`` in ``web/runtime.js``); the search box finds a node or a group by name,
or by the end of its path ("w7", "neuron3"), listing every match to choose from. Any node or
box shows its details: value, gradient, the local derivative on each input edge and the
chain-rule line (a term repeated from several groups followed by its group's path); for a
group its size, the gradient norm of its parameters and the largest ``|gradient|``. Every box,
value, operation and edge has an accessible name; transitions are off under
``prefers-reduced-motion``.

Stepping works at the level shown: where groups are shown as boxes, each step is one group
(the loss, then the last layer, …, the first layer), with one sentence saying what gradient
arrived at the group's outputs and what parameter gradients it produced; inside a group without
sub-groups (a neuron) the steps are the backward pass's node steps
(:func:`~microgrand.stepper.trace`).

Layouts are Graphviz, computed in Python once per view (the top level and each group; views
are few, since only one path of groups is open at a time) in one run of the layout engine.

Size limits (the page stays quick to open; :mod:`microgrand.pages.explore_limits`):

* ``max_nodes``: the most boxes one view may show. A view over the limit is left out of the
  page, and clicking its group says so and how to see it (explore a smaller part). When the
  opening view itself is over the limit, :class:`ExploreTooLargeError` says how to narrow it.
* ``max_views``: the most views laid out (one layout run each); past it the views
  farthest from the opening one are left out, each saying how to see it (``focus=``).
* ``max_bytes``: the largest page. Views are dropped, the deepest first, until the page fits;
  if even the opening view does not fit, :class:`ExploreTooLargeError`.

DOM contract of the page (stable; for tests and scripts):

* every group shown: ``[data-group="SCOPE/PATH"]`` (a box, ``data-expanded="false"``, or an
  open group's frame, ``data-expanded="true"``); a click expands or collapses it;
* every value shown: ``g[data-id="n3"]`` holding ``[data-node=NAME][data-field="data"|"grad"]``
  with the full-precision float in ``data-number`` (Python ``repr``), as in the player;
* ``[data-action="start"|"prev"|"play"|"next"]`` step through the view's backward pass,
  ``[data-step]`` shows ``i/n``; ``[data-action="zoom-in"|"zoom-out"|"fit"]`` (also
  ``[data-zoom="in"|"out"|"fit"]``) zoom, and show everything; the canvas ``.mg-canvas``
  scrolls and the diagram's CSS size is its scale (``MG.zoom``); ``[data-crumb=PATH]`` the
  breadcrumb (``""`` the top level); ``input[data-find]`` the search, ``[data-matches]
  [data-match]`` its matches;
* ``.mg-explore[data-view=PATH]`` the group whose view is shown (``""`` for the top level);
  ``.mg-details`` the details of the node or group clicked last.

Example:
    >>> from microgrand import Value, scope
    >>> x = Value(2.0, label="x")
    >>> with scope("layer1"):
    ...     h = (x * 3).tanh()
    >>> e = explore(h * 2)
    >>> sorted(e.views), e.groups["layer1"].size
    (['', 'layer1'], 3)
    >>> len(e.view_steps("")), e.view_steps("")[1]["title"]
    (3, 'layer1')
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from .._format import format_short
from ..graph import Edge
from ..render.engine import WASM, choose_engine, layout
from ..render.plan import natural_key
from ..render.themes import THEMES, ThemeName
from ..render.views import Group, ScopeViews, View, scope_groups
from ..render.wasm import IN_BROWSER
from ..stepper.notation import partial_derivative
from ..stepper.record import display_graph, step_names, step_record
from ..stepper.trace import Trace, trace
from ..value import Value
from .explore_limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_VIEWS,
    ExploreTooLargeError,
    drop_for_size,
    refuse_views,
    too_many,
)
from .explore_text import group_sentence, label_svg, qualified_line, view_markup
from .model import number
from .options import ViewOptions
from .page import Page, PageView, build_page, new_uid
from .svg import hook_svg, page_svg

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_VIEWS",
    "ExploreTooLargeError",
    "Explorer",
    "Group",
    "explore",
]

FALLBACK_DPI = 72
LAYOUT_WORKERS = 4


def _norm(xs: Iterable[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in xs))


class Explorer(PageView):
    """The navigable page of a graph's backward pass (see the module docstring).

    Example:
        >>> from microgrand import Value
        >>> e = explore(Value(2.0, label="x") * 3)
        >>> list(e.views), len(e.view_steps(""))
        ([''], 3)
    """

    noun = "explorer"
    save_uid = "mge"

    def __init__(
        self,
        t: Trace,
        *,
        focus: str | None = None,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "LR",
        theme: ThemeName = "light",
        max_nodes: int = DEFAULT_MAX_NODES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_views: int = DEFAULT_MAX_VIEWS,
        engine: str | None = None,
    ) -> None:
        if not isinstance(t, Trace):
            raise TypeError(f"Explorer takes a Trace, got {type(t).__name__}")
        for nm, limit, lo in (
            ("max_nodes", max_nodes, 2),
            ("max_bytes", max_bytes, 10_000),
            ("max_views", max_views, 1),
        ):
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < lo:
                raise ValueError(f"{nm} must be an int of at least {lo}, got {limit!r}")
        self.options = ViewOptions(precision, rankdir, theme)
        t0 = time.perf_counter()
        self.trace = t
        self.precision = precision
        self.rankdir = rankdir
        self.theme = theme
        self.max_nodes = max_nodes
        self.max_bytes = max_bytes
        self.max_views = max_views
        self.engine = engine
        self.names = step_names(t)
        self.graph = display_graph(t)
        self.order = {s.id: s.index for s in t}
        self._into: dict[str, list[Edge]] = {}
        for e in self.graph.edges:
            self._into.setdefault(e.dst, []).append(e)
        self._views = ScopeViews(
            self.graph, scope_groups(t.graph), precision=precision, rankdir=rankdir, theme=theme
        )
        self.groups = self._views.groups
        self._scope_of = self._views.scope_of
        self._builder = self._views.writer
        self._fold()
        if focus is not None and focus != "" and focus not in self.groups:
            listed = ", ".join(sorted(self.groups, key=natural_key)[:12])
            raise ValueError(
                f"focus=: no scope {focus!r} in this graph; "
                + (f"its scopes are: {listed}" if listed else "it has no scopes")
            )
        self.views: dict[str, View] = {"": self._views.view("", fit=max_nodes)}
        for p in self._views.in_order():
            self.views[p] = self._views.view(p, fit=max_nodes)
        self.focus = self._opening() if focus is None else focus
        if self.views[self.focus].size > max_nodes:
            raise too_many(
                self.views[self.focus], has_groups=bool(self.groups), max_nodes=max_nodes
            )
        refuse_views(self.views, self.groups, self.focus, max_nodes, max_views)
        self._layout()
        self._steps: dict[str, list[dict[str, Any]]] = {}
        self.seconds = time.perf_counter() - t0

    # --- structure -------------------------------------------------------------------------

    def _fold(self) -> None:
        """Per group, from its sub-groups up: the step nearest the output, the number of
        parameters, the sum of their squared gradients and the largest ``|gradient|``."""
        gd = self.trace.grads
        self._first: dict[str, int] = {}  # the step nearest the output
        self._early: dict[str, int] = {}  # the first node in graph order
        self._params: dict[str, tuple[int, float, str | None]] = {}
        for p, gr in reversed(self.groups.items()):  # sub-groups first
            first = min((self.order[i] for i in gr.direct), default=len(self.order))
            early = min((int(i[1:]) for i in gr.direct), default=len(self.order))
            count, square = len(gr.own_params), math.fsum(gd[i] * gd[i] for i in gr.own_params)
            top = max(gr.own_params, key=lambda i: abs(gd[i]), default=None)
            for c in gr.children:
                first = min(first, self._first[c])
                early = min(early, self._early[c])
                n, sq, t = self._params[c]
                count, square = count + n, square + sq
                if t is not None and (top is None or abs(gd[t]) > abs(gd[top])):
                    top = t
            self._first[p] = first
            self._early[p] = early
            self._params[p] = (count, square, top)

    def _opening(self) -> str:
        """The view the page opens on: the top level, or inside the only group while a view
        shows just one group and the group has no nodes of its own (a graph all in one
        ``batch`` scope opens inside it)."""
        path = ""
        while True:
            v = self.views[path]
            inner = [b for b in v.boxes if b != v.outside]
            if len(inner) != 1 or (path and self.groups[path].direct):
                return path
            if self.views[inner[0]].size > self.max_nodes:
                return path
            path = inner[0]

    # --- layout ----------------------------------------------------------------------------

    def _layout(self) -> None:
        todo = [v for v in self.views.values() if not v.refused]
        for v in todo:
            v.dot = self._views.dot(v)

        # One engine run per view (two at a time): `dot` given many graphs in one input
        # has been seen to crash.
        def run(v: View) -> bytes:
            return layout(v.dot, "svg", engine=self.engine)

        if IN_BROWSER:  # no threads in a browser kernel (and the layout runs in this one)
            svgs = [run(v) for v in todo]
        else:
            with ThreadPoolExecutor(max_workers=LAYOUT_WORKERS) as pool:
                svgs = list(pool.map(run, todo))
        for v, svg in zip(todo, svgs, strict=True):
            v.svg = self._hook(v, svg.decode("utf-8"))

    def _hook(self, v: View, svg: str) -> str:
        root, _ = hook_svg(svg, "x", self.graph, self.names)
        label_svg(root, v, self.names)
        for el in root.iter():
            el.attrib.pop("id", None)
        return page_svg(root, self._builder.t)

    # --- what the page says ----------------------------------------------------------------

    def _output(self, path: str) -> list[float | str] | None:
        """A group's one output: its value and gradient (None when it has several)."""
        outs = self.groups[path].outputs
        if len(outs) != 1:
            return None
        one = next(iter(outs))
        return [number(self.graph.node(one).data), number(self.trace.grads[one])]

    def group_stats(self, path: str) -> dict[str, Any]:
        """What the details of a group say: size, parameters, gradient norms, largest |grad|.

        Example:
            >>> from microgrand import Value, scope
            >>> with scope("n"):
            ...     w = Value(-3.0, label="w"); y = w * 2
            >>> s = explore(y + 1).group_stats("n")
            >>> s["size"], s["params"], s["param_norm"], s["param_max_name"]
            (3, 1, 2.0, 'n w')
        """
        gr = self.groups[path]
        gd = self.trace.grads
        n_params, square, top = self._params[path]
        outs = sorted(gr.outputs, key=lambda i: int(i[1:]))
        top_out = max(outs, key=lambda p: abs(gd[p]), default=None)
        ins = sorted(gr.inputs, key=lambda i: int(i[1:]))
        return {
            "path": path,
            "name": gr.name,
            "size": gr.size,
            "groups": len(gr.children),
            "params": n_params,
            "param_norm": math.sqrt(square),
            "param_max": abs(gd[top]) if top else 0.0,
            "param_max_name": self._qual(top) if top else "",
            "outputs": len(outs),
            "out_norm": _norm(gd[p] for p in outs),
            "out_max": abs(gd[top_out]) if top_out else 0.0,
            "out_max_name": self._qual(top_out) if top_out else "",
            "inputs": len(ins),
            "in_norm": _norm(gd[p] for p in ins),
            "in_groups": self._where(path, ins),
        }

    def _where(self, path: str, ids: Iterable[str]) -> list[str]:
        """Where ``ids`` sit in the view that shows group ``path`` as a box: the boxes (sibling
        groups) holding them, or the names of the values shown, in order of first use."""
        v = self.views[self.groups[path].parent]
        out: dict[str, None] = {}
        for i in ids:
            out.setdefault(v.box_of(self._scope_of[i]) or self.names[i], None)
        return list(out)

    def _qual(self, nid: str) -> str:
        n = self.graph.node(nid)
        return n.label if not n.scope else f"{n.scope.rsplit('/', 1)[-1]} {n.label}"

    def _group_sentence(self, path: str) -> str:
        return group_sentence(self.group_stats(path), self._f)

    def _f(self, x: float) -> str:
        return format_short(x, self.precision)

    def _loose_sentence(self, ids: Sequence[str]) -> str:
        gd = self.trace.grads
        root = self.graph.root
        listed = ", ".join(f"{self.names[i]} = {self._f(gd[i])}" for i in ids[:4])
        more = f" and {len(ids) - 4} more" if len(ids) > 4 else ""
        if root in ids:
            return (
                f"Start at the output {self.names[root]} (gradient 1) and go back through the "
                f"{len(ids)} nodes outside any group: {listed}{more}."
            )
        return f"The {len(ids)} nodes outside any group get their gradients: {listed}{more}."

    def view_steps(self, path: str) -> list[dict[str, Any]]:
        """The backward pass at the level of one view: one record per step.

        Where groups are shown as boxes each step is a group (or a run of the nodes outside
        any group); in a group without sub-groups each step is one node of the trace. Each
        record: ``title``, ``text`` (one sentence or the chain-rule line), ``items`` (the
        node ids or group paths that step covers).

        Example:
            >>> from microgrand import Value
            >>> [s["title"] for s in explore(Value(2.0, label="x") * 3).view_steps("")]
            ['L', 'c', 'x']
        """
        if path in self._steps:
            return self._steps[path]
        v = self.views[path]
        t = self.trace
        out: list[dict[str, Any]] = []
        leaf_view = not v.boxes or (path and not self.groups[path].children)
        if leaf_view:
            ids = self.groups[path].direct if path else v.shown
            for nid in sorted(ids, key=lambda i: self.order[i]):
                s = t.step_of(nid)
                out.append(
                    {
                        "title": self.names[nid],
                        "text": step_record(s, t, precision=self.precision, names=self.names).text,
                        "items": [nid],
                    }
                )
        else:
            for kind, items in self._views.backward_units(v, self.order, self._first):
                if kind == "box":
                    out.append(
                        {"title": items[0], "text": self._group_sentence(items[0]), "items": items}
                    )
                else:
                    out.append(
                        {
                            "title": "outside groups",
                            "text": self._loose_sentence(items),
                            "items": items,
                        }
                    )
        self._steps[path] = out
        return out

    # --- the page model ----------------------------------------------------------------------

    def _node_record(self, nid: str) -> dict[str, Any]:
        n = self.graph.node(nid)
        s = self.trace.step_of(nid)
        return {
            "n": self.names[nid],
            "s": n.scope,
            "o": n.rule.symbol if n.rule is not None else "",
            "d": number(n.data),
            "g": number(self.trace.grads[nid]),
            "i": [
                [
                    e.src,
                    self.names[e.src],
                    number(e.local),
                    number(e.local * self.trace.grads[nid]),
                    partial_derivative(self.names[nid], self.names[e.src]),
                ]
                for e in self._into.get(nid, [])
            ],
            "u": [
                [self.names[c.node], number(c.upstream), number(c.local), number(c.value)]
                for c in s.incoming
            ],
            "line": qualified_line(s, self.trace, self.precision, self.names, self._scope_of),
        }

    def model(self) -> dict[str, Any]:
        """The page model (plain JSON): views (SVG or the reason there is none), steps,
        groups, and the nodes any view shows.

        Example:
            >>> from microgrand import Value
            >>> m = explore(Value(2.0, label="x") * 3).model()
            >>> m["kind"], m["start"], sorted(m["nodes"])
            ('explore', '', ['n0', 'n1', 'n2'])
        """
        named: set[str] = set()  # the groups a view in the page shows, or opens
        for p, v in self.views.items():
            if not v.refused:
                named.add(p)
                named.update(v.frames)
                named.update(v.boxes)
        shown: set[str] = set()
        views: dict[str, Any] = {}
        for p, v in self.views.items():
            if v.refused:
                if p in named:  # a box on the page: opening it says why it cannot
                    views[p] = {"refused": v.refused}
                continue
            shown.update(v.shown)
            # "<" would cost six bytes in the page's JSON ("\\u003c"): sent as "`" instead
            svg = v.svg.replace("`", "&#96;").replace("<", "`")
            views[p] = {"svg": svg, "steps": self.view_steps(p)}
        named.discard("")
        groups = {}
        for p in (q for q in self.views if q in named):
            gr = self.groups[p]
            st = self.group_stats(p)
            del st["path"], st["name"]
            groups[p] = {
                **{k: number(x) if isinstance(x, float) else x for k, x in st.items()},
                "parent": gr.parent,
                "first": self._early[p],
                "out": self._output(p),
            }
        nodes = {nid: self._node_record(nid) for nid in sorted(shown, key=lambda i: int(i[1:]))}
        return {
            "kind": "explore",
            "version": 1,
            "title": self.names[self.graph.root],
            "root": self.graph.root,
            "precision": self.precision,
            "interval": 1200,
            "start": self.focus,
            "total": len(self.graph),
            "views": views,
            "groups": groups,
            "nodes": nodes,
        }

    def fallback_png(self) -> bytes:
        """PNG of the opening view: the picture shown where scripts do not run (SVG where only
        the WebAssembly engine draws: a browser kernel)."""
        if choose_engine(self.engine).name == WASM:
            return layout(self.views[self.focus].dot, "svg", engine=self.engine)
        return layout(
            self.views[self.focus].dot,
            "png",
            engine=self.engine,
            extra_args=(f"-Gdpi={FALLBACK_DPI}",),
        )

    def page(self, *, uid: str | None = None) -> Page:
        """The explorer as a :class:`~microgrand.pages.Page`; views that would take the page
        over ``max_bytes`` are left out (deepest first), and :class:`ExploreTooLargeError`
        is raised when even the opening view does not fit.

        Example:
            >>> from microgrand import Value
            >>> pg = explore(Value(1.0, label="x") * 2).page(uid="ex")
            >>> 'data-kind="explore"' in pg.fragment, pg.uid
            (True, 'ex')
        """
        uid = new_uid("explore") if uid is None else uid
        png = self.fallback_png()
        while True:
            pg = self._page(uid, png)
            size = len(pg.document().encode("utf-8"))
            if size <= self.max_bytes:
                return pg
            drop_for_size(self.views, self.focus, size, self.max_bytes)

    def _page(self, uid: str, png: bytes) -> Page:
        m = self.model()
        title = str(m["title"])
        view = view_markup(title, self.focus)
        return build_page(
            "explore",
            m,
            view_html=view,
            theme=THEMES[self.theme],
            fallback_png=png,
            fallback_note="Run this cell to explore the network: open groups, zoom, and step "
            "through the backward pass layer by layer.",
            title=f"Explore the backward pass of {title}",
            fallback_alt=f"The network of {title}, collapsed to its groups",
            uid=uid,
        )

    def __repr__(self) -> str:
        return (
            f"<Explorer of {self.names[self.graph.root]}: {len(self.graph)} nodes, "
            f"{len(self.groups)} groups, {len(self.views)} views>"
        )


def explore(
    root: Value | Trace,
    *,
    focus: str | None = None,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    max_nodes: int = DEFAULT_MAX_NODES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_views: int = DEFAULT_MAX_VIEWS,
    engine: str | None = None,
) -> Explorer:
    """An :class:`Explorer`: the navigable page of the backward pass from ``root``.

    It shows itself in a notebook; :meth:`Explorer.save` writes it as a file. ``focus`` is
    the group the page opens in (default: the top level, or inside the only group when the
    top level is one group). ``max_nodes``, ``max_bytes`` and ``max_views`` are the page's
    limits (see the module docstring). The Values are not changed (the gradients come from a trace).

    Example:
        >>> from microgrand import Value
        >>> e = explore(Value(2.0, label="x").tanh())
        >>> e.focus, len(e.graph)
        ('', 2)
    """
    t = root if isinstance(root, Trace) else trace(root) if isinstance(root, Value) else None
    if t is None:
        raise TypeError(f"explore() takes an output Value or a Trace, got {type(root).__name__}")
    return Explorer(
        t,
        focus=focus,
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        max_nodes=max_nodes,
        max_bytes=max_bytes,
        max_views=max_views,
        engine=engine,
    )
