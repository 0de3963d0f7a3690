"""The explorer: one navigable page for a whole network, group by group.

:func:`explore` returns an :class:`Explorer`. Its page opens collapsed to the graph's top
scopes (the layers of an :class:`~microgrand.nn.MLP`, or the scopes the user named with
:func:`~microgrand.scope`), each drawn as one box with the edges between boxes aggregated
("16 edges"). A click on a box opens that group (a layer shows its neurons as boxes), a click
on a neuron shows its operations; a click on an open group's frame, or on the breadcrumb,
closes it again. The wheel (or a pinch) zooms, dragging pans, "Fit" shows everything, and the
search box finds a node or a group by name. A click on any node or box shows its details:
value, gradient, the local derivative on each input edge and the chain-rule line; for a group
its size, the gradient norm of its parameters and the largest ``|gradient|``.

Stepping works at the level shown: where groups are shown as boxes, each step is one group
(the loss, then the last layer, …, the first layer), with one sentence saying what gradient
arrived at the group's outputs and what parameter gradients it produced; inside a group without
sub-groups (a neuron) the steps are the backward pass's node steps
(:func:`~microgrand.stepper.trace`).

Layouts are Graphviz, computed in Python once per view (the top level and each group; views
are few, since only one path of groups is open at a time) in one run of the layout engine.

Size limits (the page stays quick to open):

* ``max_nodes``: the most boxes one view may show. A view over the limit is left out of the
  page, and clicking its group says so and how to see it (explore a smaller part). When the
  opening view itself is over the limit, :class:`ExploreTooLargeError` says how to narrow it.
* ``max_bytes``: the largest page. Views are dropped, the deepest first, until the page fits;
  if even the opening view does not fit, :class:`ExploreTooLargeError`.

DOM contract of the page (stable; for tests and scripts):

* every group shown: ``[data-group="SCOPE/PATH"]`` (a box, ``data-expanded="false"``, or an
  open group's frame, ``data-expanded="true"``); a click expands or collapses it;
* every value shown: ``g[data-id="n3"]`` holding ``[data-node=NAME][data-field="data"|"grad"]``
  with the full-precision float in ``data-number`` (Python ``repr``), as in the player;
* ``[data-action="start"|"prev"|"play"|"next"]`` step through the view's backward pass,
  ``[data-step]`` shows ``i/n``; ``[data-action="fit"]`` resets zoom and pan;
  ``[data-crumb=PATH]`` the breadcrumb (``""`` the top level); ``input[data-find]`` the search;
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

import html
import math
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from .._format import format_short
from ..graph import Edge
from ..render.engine import WASM, choose_engine, layout
from ..render.plan import natural_key, scope_prefixes
from ..render.themes import THEMES, ThemeName
from ..render.views import Group, ScopeViews, View, group_slug, scope_groups
from ..render.wasm import IN_BROWSER
from ..stepper.notation import partial_derivative
from ..stepper.record import display_graph, step_names, step_record
from ..stepper.trace import Trace, trace
from ..value import Value
from .model import number
from .options import ViewOptions
from .page import Page, PageView, build_page, new_uid
from .svg import SVG_NS, hook_svg, page_svg

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "ExploreTooLargeError",
    "Explorer",
    "Group",
    "explore",
]

DEFAULT_MAX_NODES = 150
"""The most boxes (values and collapsed groups) one view of the explorer shows."""

DEFAULT_MAX_BYTES = 10_000_000
"""The largest explorer page, in bytes."""

FALLBACK_DPI = 72
LAYOUT_WORKERS = 4
_Q = f"{{{SVG_NS}}}"


class ExploreTooLargeError(ValueError):
    """The explorer's opening view is over ``max_nodes`` or the page over ``max_bytes``."""


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
        engine: str | None = None,
    ) -> None:
        if not isinstance(t, Trace):
            raise TypeError(f"Explorer takes a Trace, got {type(t).__name__}")
        for nm, limit, lo in (("max_nodes", max_nodes, 2), ("max_bytes", max_bytes, 10_000)):
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
        self._buckets = self._views.buckets
        self._builder = self._views.writer
        self._first = {p: min(self.order[i] for i in gr.members) for p, gr in self.groups.items()}
        if focus is not None and focus != "" and focus not in self.groups:
            listed = ", ".join(sorted(self.groups, key=natural_key)[:12])
            raise ValueError(
                f"focus=: no scope {focus!r} in this graph; "
                + (f"its scopes are: {listed}" if listed else "it has no scopes")
            )
        self.views: dict[str, View] = {"": self._views.view("")}
        for p in sorted(self.groups, key=natural_key):
            self.views[p] = self._views.view(p)
        self.focus = self._opening() if focus is None else focus
        if self.views[self.focus].size > max_nodes:
            raise self._too_many(self.views[self.focus])
        for v in self.views.values():
            if v.size > max_nodes:
                v.refused = (
                    f"{v.path or 'The top level'} would show {v.size} boxes, more than this "
                    f"page's limit of {max_nodes}: explore a smaller part of the graph (one "
                    f"example, one layer) or pass max_nodes={v.size}"
                )
        self._layout()
        self._steps: dict[str, list[dict[str, Any]]] = {}
        self.seconds = time.perf_counter() - t0

    # --- structure -------------------------------------------------------------------------

    def _opening(self) -> str:
        """The view the page opens on: the top level, or inside the only group while a view
        shows just one (a graph all in one ``batch`` scope opens inside it)."""
        path = ""
        while True:
            v = self.views[path]
            if len(v.boxes) != 1:
                return path
            biggest = max(v.boxes, key=lambda b: self.groups[b].size)
            if self.views[biggest].size > self.max_nodes:
                return path
            path = biggest

    def _too_many(self, v: View) -> ExploreTooLargeError:
        if not self.groups:
            how = (
                "it has no scopes to collapse: build it inside `with scope('layer1'):` blocks "
                "(nn.MLP does this), explore a smaller part, or raise max_nodes="
            )
        else:
            how = (
                "put more of it inside scopes (`with scope('loss'):`, `with scope('batch'):`), "
                "explore a smaller part (one example, one layer) or raise max_nodes="
            )
        where = f"inside {v.path!r}" if v.path else "at its top level"
        return ExploreTooLargeError(
            f"this graph shows {v.size} boxes {where}, more than max_nodes={self.max_nodes}; "
            f"{how}{v.size} (large pages are slow)"
        )

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
        groups = {f"x-box-{group_slug(b)}": (b, "false") for b in v.boxes}
        groups.update({f"x-cluster-{group_slug(p)}": (p, "true") for p in v.open})
        for el in root.iter():
            gid = el.attrib.pop("id", None)
            if gid in groups:
                path, expanded = groups[gid]
                el.set("data-group", path)
                el.set("data-expanded", expanded)
            elif gid is not None and gid.startswith("x-e-") and el.get("class") == "edge input":
                el.set("data-edge", gid[2:])
        return page_svg(root, self._builder.t)

    # --- what the page says ----------------------------------------------------------------

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
        ps = gr.params
        top = max(ps, key=lambda p: abs(gd[p]), default=None)
        outs = sorted(gr.outputs, key=lambda i: int(i[1:]))
        top_out = max(outs, key=lambda p: abs(gd[p]), default=None)
        ins = sorted(gr.inputs, key=lambda i: int(i[1:]))
        return {
            "path": path,
            "name": gr.name,
            "size": gr.size,
            "groups": len(gr.children),
            "params": len(ps),
            "param_norm": _norm(gd[p] for p in ps),
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
            out.setdefault(v.box_of[self._scope_of[i]] or self.names[i], None)
        return list(out)

    def _qual(self, nid: str) -> str:
        n = self.graph.node(nid)
        return n.label if not n.scope else f"{n.scope.rsplit('/', 1)[-1]} {n.label}"

    def _group_sentence(self, path: str) -> str:
        s = self.group_stats(path)
        f = self._f
        out = "output" if s["outputs"] == 1 else "outputs"
        text = (
            f"Gradient arrived at the {s['outputs']} {out} of {path} (norm {f(s['out_norm'])}, "
            f"largest |grad| {f(s['out_max'])} at {s['out_max_name']})"
        )
        if s["params"]:
            text += (
                f"; it gave its {s['params']} parameters their gradients (norm "
                f"{f(s['param_norm'])}, largest |grad| {f(s['param_max'])} at "
                f"{s['param_max_name']})"
            )
        else:
            text += "; it has no parameters of its own"
        if s["inputs"]:
            what = "input" if s["inputs"] == 1 else "inputs"
            where = ", ".join(s["in_groups"][:3]) + (" …" if len(s["in_groups"]) > 3 else "")
            text += f"; it passed gradient on to {s['inputs']} {what} outside it ({where})"
        return text + "."

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
            for kind, items in self._units(v):
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

    def _units(self, v: View) -> list[tuple[str, list[str]]]:
        """The view's boxes and shown nodes in backward order (reverse topological order of
        the view's graph), shown nodes taken first whenever they are ready, runs merged."""
        key: dict[str, int] = {i: self.order[i] for i in v.shown}
        key.update({"box:" + b: self._first[b] for b in v.boxes})
        waiting: dict[str, set[str]] = {u: set() for u in key}
        for (ss, ds), edges in self._buckets.items():
            sb, db = v.box_of[ss], v.box_of[ds]
            if sb is not None and db is not None:
                if sb != db:
                    waiting["box:" + sb].add("box:" + db)
                continue
            for e in edges:
                a = e.src if sb is None else "box:" + sb
                b = e.dst if db is None else "box:" + db
                waiting[a].add(b)
        done: set[str] = set()
        order: list[str] = []
        remaining = set(key)
        while remaining:
            ready = [u for u in remaining if not (waiting[u] - done)]
            if not ready:  # a cycle between groups: take the earliest in the trace
                ready = [min(remaining, key=lambda u: key[u])]
            loose = [u for u in ready if not u.startswith("box:")]
            pick = (
                sorted(loose, key=lambda u: key[u]) if loose else [min(ready, key=lambda u: key[u])]
            )
            for u in pick:
                order.append(u)
                done.add(u)
                remaining.discard(u)
        units: list[tuple[str, list[str]]] = []
        for u in order:
            if u.startswith("box:"):
                units.append(("box", [u[4:]]))
            elif units and units[-1][0] == "nodes":
                units[-1][1].append(u)
            else:
                units.append(("nodes", [u]))
        return units

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
            "line": step_record(s, self.trace, precision=self.precision, names=self.names).text,
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
        shown: set[str] = set()
        views: dict[str, Any] = {}
        for p, v in self.views.items():
            if v.refused:
                views[p] = {"refused": v.refused}
                continue
            shown.update(v.shown)
            # "<" would cost six bytes in the page's JSON ("\\u003c"): sent as "`" instead
            svg = v.svg.replace("`", "&#96;").replace("<", "`")
            views[p] = {"svg": svg, "steps": self.view_steps(p)}
        groups = {}
        for p, gr in self.groups.items():
            st = self.group_stats(p)
            groups[p] = {
                **{k: number(x) if isinstance(x, float) else x for k, x in st.items()},
                "parent": gr.parent,
                "children": gr.children,
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
            drop = [
                p
                for p, v in self.views.items()
                if p != self.focus and not v.refused and p not in scope_prefixes(self.focus)
            ]
            if not drop:
                raise ExploreTooLargeError(
                    f"the explorer page would take {size / 1e6:.1f} MB, more than max_bytes="
                    f"{self.max_bytes}: explore a smaller part of the graph (fewer examples, "
                    f"one layer) or raise max_bytes={size}"
                )
            drop.sort(key=lambda p: (p.count("/"), len(self.views[p].svg)), reverse=True)
            for p in drop[: max(1, len(drop) // 4)]:
                self.views[p].refused = (
                    f"The view of {p} was left out to keep this page under "
                    f"{self.max_bytes / 1e6:g} MB: explore that part of the graph on its own, "
                    "or raise max_bytes="
                    f"{self.max_bytes * 2}"
                )

    def _page(self, uid: str, png: bytes) -> Page:
        m = self.model()
        title = str(m["title"])
        view = (
            f'<div class="mg-explore mg-frame" tabindex="0" data-view="{html.escape(self.focus)}"'
            f' aria-label="Explore the backward pass of {html.escape(title)}">'
            '<div class="mg-bar mg-nav"><span class="mg-crumbs"></span>'
            '<span class="mg-spacer"></span>'
            '<input type="search" data-find placeholder="find a node or group" '
            'aria-label="find a node or group">'
            '<button type="button" data-action="fit" title="Show everything">Fit</button></div>'
            '<div class="mg-bar">'
            '<button type="button" data-action="start" title="First (Home)">« Start</button>'
            '<button type="button" data-action="prev" title="Previous (←)">◀ Prev</button>'
            '<button type="button" data-action="play" title="Play / pause (space)">▶ Play</button>'
            '<button type="button" data-action="next" title="Next (→)">Next ▶</button>'
            '<span class="mg-count" data-step aria-live="polite">0/0</span>'
            '<span class="mg-step-text"></span></div>'
            '<div class="mg-canvas"></div>'
            '<div class="mg-legend">Click a group to open it, its frame to close it; wheel '
            "to zoom, drag to pan; click a value for its chain rule.</div>"
            '<div class="mg-panel mg-details"><div class="mg-head"></div>'
            '<div class="mg-body"></div></div></div>'
        )
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
    engine: str | None = None,
) -> Explorer:
    """An :class:`Explorer`: the navigable page of the backward pass from ``root``.

    It shows itself in a notebook; :meth:`Explorer.save` writes it as a file. ``focus`` is
    the group the page opens in (default: the top level, or inside the only group when the
    top level is one group). ``max_nodes`` and ``max_bytes`` are the page's limits (see
    the module docstring). The Values are not changed (the gradients come from a trace).

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
        engine=engine,
    )
