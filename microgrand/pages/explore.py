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

import dataclasses
import html
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import graphviz

from .._format import check_precision, format_short
from ..graph import Edge, Graph
from ..pages.model import edge_id, number
from ..pages.page import Page, PageView, build_page, new_uid
from ..pages.svg import SVG_NS, hook_svg
from ..render.build import DrawOptions, _Builder, _font, escape, natural_key
from ..render.engine import WASM, choose_engine, layout
from ..render.themes import THEMES
from ..render.wasm import IN_BROWSER
from ..stepper.explain import _names, explain_step
from ..stepper.trace import Trace, trace
from ..value import Value

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
ThemeName = Literal["light", "dark", "print"]
_Q = f"{{{SVG_NS}}}"


class ExploreTooLargeError(ValueError):
    """The explorer's opening view is over ``max_nodes`` or the page over ``max_bytes``."""


@dataclass
class Group:
    """One scope of the graph, with what the explorer says about it.

    ``members`` are the ids of every node in the scope and its sub-scopes; ``direct`` those
    made in the scope itself; ``params`` the labelled leaves among ``members`` (the
    parameters, such as ``w1`` and ``b``; unlabelled leaves are constants or data);
    ``outputs`` the members used outside the group (or the root).
    """

    path: str
    parent: str
    children: list[str] = field(default_factory=list)
    direct: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The last part of the path (``neuron3``)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def size(self) -> int:
        """Number of nodes in the group (sub-groups included)."""
        return len(self.members)


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.replace("/", "--")) or "top"


def _norm(xs: Iterable[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in xs))


@dataclass
class View:
    """The view of one open path: what it shows, its DOT, later its SVG (or why it has none)."""

    path: str
    open: list[str]  # the open groups, outermost first ("" not included)
    shown: list[str]  # node ids shown as themselves
    boxes: list[str]  # group paths shown as boxes
    box_of: dict[str, str | None]  # scope -> the box it disappears into (None: shown)
    dot: str = ""
    svg: str = ""
    refused: str = ""

    @property
    def size(self) -> int:
        """Boxes in the view: values shown plus collapsed groups."""
        return len(self.shown) + len(self.boxes)


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
        check_precision(precision)
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}; got {theme!r}")
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
        t0 = time.perf_counter()
        self.trace = t
        self.precision = precision
        self.rankdir = rankdir
        self.theme = theme
        self.max_nodes = max_nodes
        self.max_bytes = max_bytes
        self.engine = engine
        self.names = _names(t)
        self.graph = _display_graph(t, self.names)
        self.order = {s.id: s.index for s in t}
        self._into: dict[str, list[Edge]] = {}
        for e in self.graph.edges:
            self._into.setdefault(e.dst, []).append(e)
        self.groups = _groups(t.graph)
        self._scope_of = {n.id: n.scope for n in self.graph.nodes}
        self._by_scope: dict[str, list[str]] = {}
        for n in self.graph.nodes:
            self._by_scope.setdefault(n.scope, []).append(n.id)
        # edges by (scope of src, scope of dst): a view decides for a whole bucket at once
        self._buckets: dict[tuple[str, str], list[Edge]] = {}
        for e in self.graph.edges:
            key = (self._scope_of[e.src], self._scope_of[e.dst])
            self._buckets.setdefault(key, []).append(e)
        self._first = {p: min(self.order[i] for i in gr.members) for p, gr in self.groups.items()}
        self._builder = _Builder(
            self.graph, DrawOptions(precision=precision, rankdir=rankdir, theme=theme)
        )
        self._dot_cache: dict[str, str] = {}
        if focus is not None and focus != "" and focus not in self.groups:
            listed = ", ".join(sorted(self.groups, key=natural_key)[:12])
            raise ValueError(
                f"focus=: no scope {focus!r} in this graph; "
                + (f"its scopes are: {listed}" if listed else "it has no scopes")
            )
        self.views: dict[str, View] = {"": self._view("")}
        for p in sorted(self.groups, key=natural_key):
            self.views[p] = self._view(p)
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

    def _view(self, path: str) -> View:
        open_paths = _prefixes(path) if path else []
        open_set = set(open_paths)
        box_of: dict[str, str | None] = {}
        for s in self._by_scope:
            box: str | None = None
            if s:
                for p in _prefixes(s):
                    if p not in open_set:
                        box = p
                        break
            box_of[s] = box
        shown = sorted(
            (i for sc, ids in self._by_scope.items() if box_of[sc] is None for i in ids),
            key=lambda i: int(i[1:]),
        )
        boxes = sorted({b for b in box_of.values() if b is not None}, key=natural_key)
        return View(path, open_paths, shown, boxes, box_of)

    # --- layout ----------------------------------------------------------------------------

    def _dot(self, v: View) -> str:
        """The DOT source of one view, pasted together from per-node pieces (the same in
        every view, so each is made once: the ``graphviz`` package's quoting is slow)."""
        g = self.graph
        where: dict[str, list[tuple[str, str]]] = {}
        for nid in v.shown:
            where.setdefault(g.nodes[int(nid[1:])].scope, []).append(("node", nid))
        for bx in v.boxes:
            where.setdefault(self.groups[bx].parent, []).append(("box", bx))
        box_id = {bx: f"box-{_slug(bx)}" for bx in v.boxes}
        plain: list[str] = []
        agg: dict[tuple[str, str], int] = {}
        for (ss, ds), edges in self._buckets.items():
            sb, db = v.box_of[ss], v.box_of[ds]
            if sb is None and db is None:
                plain.extend(self._edge_dot(e) for e in edges)
                continue
            if sb is not None and sb == db:
                continue
            if sb is not None and db is not None:
                agg[(box_id[sb], box_id[db])] = agg.get((box_id[sb], box_id[db]), 0) + len(edges)
                continue
            for e in edges:
                src = e.src if sb is None else box_id[sb]
                dst = f"{e.dst}-op" if db is None else box_id[str(db)]
                agg[(src, dst)] = agg.get((src, dst), 0) + 1
        out: list[str] = [self._head(bool(v.boxes))]

        def emit(container: str, indent: str) -> None:
            chain: list[str] = []
            for kind, key in where.get(container, []):
                if kind == "node":
                    out.append(self._node_dot(key))
                else:
                    out.append(self._box_dot(key))
                    chain.append(f"box-{_slug(key)}")
            if len(chain) > 1 and not any((a, c) in agg for a in chain for c in chain):
                # sibling boxes side by side (neuron1 … neuron16): keep them in reading order
                ordered = list(reversed(chain)) if container and self.rankdir == "LR" else chain
                out.append(
                    indent
                    + "{ rank=same; "
                    + " -> ".join(f'"{c}"' for c in ordered)
                    + " [style=invis] }\n"
                )
            idx = v.open.index(container) + 1 if container else 0
            if idx < len(v.open):
                child = v.open[idx]
                out.append(self._cluster_head(child))
                emit(child, indent + "\t")
                out.append(indent + "}\n")

        emit("", "\t")
        for nid in v.shown:
            if g.nodes[int(nid[1:])].rule is not None:
                out.append(f'\t"{nid}-op" -> "{nid}" [id="e-{nid}-op" class=output]\n')
        out.extend(plain)
        dense = len(agg) > 64
        for (src, dst), count in agg.items():
            attrs = "class=aggregate"
            if dense:
                attrs += " penwidth=0.6 arrowsize=0.5"
            if count > 1:
                attrs += (
                    f' label="{count} edges" fontsize=11 penwidth={min(4.0, 1.2 + 0.15 * count):g}'
                )
            out.append(f'\t"{src}" -> "{dst}" [{attrs}]\n')
        out.append("}\n")
        return "".join(out)

    def _head(self, boxes: bool) -> str:
        key = f"head:{boxes}"
        if key in self._dot_cache:
            return self._dot_cache[key]
        t = self._builder.t
        dot = graphviz.Digraph(name="explore")
        dot.attr(
            "graph",
            rankdir=self.rankdir,
            bgcolor=t.background,
            fontname=t.font,
            fontcolor=t.text,
            nodesep="0.3",
            ranksep="0.9" if boxes else "0.45",
            pad="0.3",
            outputorder="edgesfirst",
            remincross="false",
        )
        dot.attr(
            "node",
            fontname=t.font,
            fontsize="14",
            fontcolor=t.text,
            color=t.node_border,
            penwidth="1.2",
        )
        dot.attr(
            "edge",
            fontname=t.font,
            fontsize="12",
            fontcolor=t.muted,
            color=t.edge,
            arrowsize="0.7",
            penwidth="1.2",
        )
        source: str = dot.source
        text = self._dot_cache[key] = source.rstrip().rstrip("}")
        return text

    def _node_dot(self, nid: str) -> str:
        text = self._dot_cache.get(nid)
        if text is None:
            d = graphviz.Digraph()
            self._builder.emit_node(d, self.graph.nodes[int(nid[1:])])
            text = self._dot_cache[nid] = "".join(d.body)
        return text

    def _edge_dot(self, e: Edge) -> str:
        return f'\t{e.src} -> "{e.dst}-op" [id="{edge_id(e.src, e.dst, e.position)}" class=input]\n'

    def _box_dot(self, path: str) -> str:
        key = "box:" + path
        if key not in self._dot_cache:
            d = graphviz.Digraph()
            self._emit_box(d, path)
            self._dot_cache[key] = "".join(d.body)
        return self._dot_cache[key]

    def _cluster_head(self, path: str) -> str:
        key = "cluster:" + path
        if key in self._dot_cache:
            return self._dot_cache[key]
        t = self._builder.t
        d = graphviz.Digraph()
        with d.subgraph(name=f"cluster_{_slug(path)}") as c:
            c.attr(
                label=f"<{_font('<B>' + escape(self.groups[path].name) + '</B>', 13)}>",
                labeljust="l",
                labelloc="t",
                style="rounded,filled",
                fillcolor=t.cluster_fill,
                color=t.cluster_border,
                fontcolor=t.muted,
                id=f"cluster-{_slug(path)}",
                **{"class": "scope"},
            )
        text = self._dot_cache[key] = "".join(d.body[:-1])
        return text

    def _emit_box(self, sub: graphviz.Digraph, path: str) -> None:
        t = THEMES[self.theme]
        gr = self.groups[path]
        lines = [f"<B>{escape(gr.name)}</B>"]
        what = f"{gr.size} node{'s' if gr.size != 1 else ''}"
        if gr.children:
            what = f"{len(gr.children)} group{'s' if len(gr.children) != 1 else ''} · " + what
        lines.append(_font(escape(what), 12, t.muted))
        sub.node(
            f"box-{_slug(path)}",
            label="<" + "<BR/>".join(lines) + ">",
            id=f"box-{_slug(path)}",
            shape="box",
            style="rounded,filled,bold",
            fillcolor=t.box_fill,
            margin="0.2,0.1",
            **{"class": "scope-box"},
        )

    def _layout(self) -> None:
        todo = [v for v in self.views.values() if not v.refused]
        for v in todo:
            v.dot = self._dot(v)

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
        groups = {f"x-box-{_slug(b)}": (b, "false") for b in v.boxes}
        groups.update({f"x-cluster-{_slug(p)}": (p, "true") for p in v.open})
        for el in root.iter():
            gid = el.attrib.pop("id", None)
            if gid in groups:
                path, expanded = groups[gid]
                el.set("data-group", path)
                el.set("data-expanded", expanded)
            elif gid is not None and gid.startswith("x-e-") and el.get("class") == "edge input":
                el.set("data-edge", gid[2:])
        root.set("class", "mg-svg")
        root.attrib.pop("style", None)
        text = _compact(ET.tostring(root, encoding="unicode"))
        # the edges' default look comes from the page's CSS (classes mg-e, mg-a)
        edge = self._builder.t.edge
        text = text.replace(
            f"<path fill='none' stroke='{edge}' stroke-width='1.2' ", "<path class='mg-e' "
        ).replace(
            f"<polygon fill='{edge}' stroke='{edge}' stroke-width='1.2' ", "<polygon class='mg-a' "
        )
        text = _ROUNDED.sub(_rect, text)
        # text defaults (start anchor, the theme's text colour, 14 pt) inherited from <svg>
        t = self._builder.t
        text = text.replace(" text-anchor='start'", "").replace(
            f" font-size='14.00' fill='{t.text}'", ""
        )
        defaults = f" class='mg-svg' font-size='14' fill='{t.text}'>"
        text = text.replace(" class='mg-svg'>", defaults, 1)
        return text.replace(" />", "/>")

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
            ['L', 'n1', 'x']
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
                        "text": explain_step(
                            s, t, "text", precision=self.precision, names=self.names
                        ),
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
                [e.src, self.names[e.src], number(e.local), number(e.local * self.trace.grads[nid])]
                for e in self._into.get(nid, [])
            ],
            "u": [
                [self.names[c.node], number(c.upstream), number(c.local), number(c.value)]
                for c in s.incoming
            ],
            "line": explain_step(s, self.trace, "text", precision=self.precision, names=self.names),
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
                if p != self.focus and not v.refused and p not in _prefixes(self.focus)
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


_FONT = re.compile(r' font-family="[^"]*"')
_COORDS = re.compile(r' (d|points|x|y|transform)="([^"]*)"')
_DECIMALS = re.compile(r"(\d+\.\d)\d+")
_TEXT_QUOTE = re.compile(r'>[^<]*"[^<]*<')


_ROUNDED = re.compile(
    r"(<g class='(?:node value[^']*|node scope-box|cluster scope)'[^>]*>)"
    r"<path ([^>]*?)d='(M[^']*C[^']*)' ?/>"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _rect(m: re.Match[str]) -> str:
    """A rounded box as ``<rect rx>`` (a fifth of the bytes of Graphviz's path)."""
    nums = [float(x) for x in _NUMBER.findall(m[3])]
    xs, ys = nums[0::2], nums[1::2]
    x0, y0 = min(xs), min(ys)
    return (
        f"{m[1]}<rect {m[2]}x='{x0:g}' y='{y0:g}' width='{max(xs) - x0:.1f}' "
        f"height='{max(ys) - y0:.1f}' rx='6'/>"
    )


def _short(m: re.Match[str]) -> str:
    return m[1]


def _compact(svg: str) -> str:
    """Smaller SVG, same picture: no blank text between tags, coordinates to 0.1 pt, the font
    family from the page's CSS, attribute values in single quotes (no escaping in JSON).

    Example:
        >>> _compact('<a d="M1.25,2.5" x="3.75"> <b>say "hi"</b></a>')
        "<a d='M1.2,2.5' x='3.7'><b>say &quot;hi&quot;</b></a>"
    """
    svg = re.sub(r">\s+<", "><", svg)
    svg = _FONT.sub("", svg)
    svg = _COORDS.sub(lambda m: " " + m[1] + '="' + _DECIMALS.sub(_short, m[2]) + '"', svg)
    # attribute values never hold '"' (the serialiser escapes it), so after quoting every
    # "'" and every '"' of text content, the remaining '"' are attribute quotes
    svg = svg.replace("'", "&#39;")
    svg = _TEXT_QUOTE.sub(lambda m: m[0].replace('"', "&quot;"), svg)
    return svg.replace('"', "'")


def _display_graph(t: Trace, names: Mapping[str, str]) -> Graph:
    nodes = tuple(
        dataclasses.replace(n, label=names[n.id], grad=t.grads[n.id]) for n in t.graph.nodes
    )
    return dataclasses.replace(t.graph, nodes=nodes)


def _groups(graph: Graph) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    scope_of: list[str] = []
    for n in graph.nodes:
        scope_of.append(n.scope)
        if not n.scope:
            continue
        pre = _prefixes(n.scope)
        for i, p in enumerate(pre):
            gr = groups.get(p)
            if gr is None:
                parent = pre[i - 1] if i else ""
                gr = groups[p] = Group(p, parent)
                if parent:
                    groups[parent].children.append(p)
            gr.members.append(n.id)
            if n.is_leaf and n.label:  # a labelled leaf: a parameter (w1, b); not a constant
                gr.params.append(n.id)
        groups[n.scope].direct.append(n.id)
    for gr in groups.values():
        gr.children.sort(key=natural_key)
    inside: dict[str, set[str]] = {}
    for s in set(scope_of):
        inside[s] = set(_prefixes(s)) if s else set()
    for e in graph.edges:
        a, b = inside[scope_of[int(e.src[1:])]], inside[scope_of[int(e.dst[1:])]]
        if a == b:
            continue
        for p in a - b:  # src leaves group p: it is one of p's outputs
            groups[p].outputs.add(e.src)
        for p in b - a:  # dst's group p takes src from outside
            groups[p].inputs.add(e.src)
    root = graph.root
    for p in inside[scope_of[int(root[1:])]]:
        groups[p].outputs.add(root)
    return groups


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
