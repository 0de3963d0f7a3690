"""Views of a graph built in scopes (an MLP's layers and neurons), as the explorer shows them:
each view opens one group and shows the groups beside it as boxes. This module says what a
view shows and writes its DOT, with the one writer's nodes (:class:`~.build.DotWriter`): the
same node text in every view, pasted together because the ``graphviz`` package's quoting is
slow for thousands of nodes.

Example:
    >>> from microgrand import Value, Graph, scope
    >>> with scope("layer1"):
    ...     y = Value(2.0, label="w") * 3
    >>> g = Graph.of(y + 1)
    >>> views = ScopeViews(g, scope_groups(g))
    >>> top = views.view("")
    >>> top.boxes, 'id="box-layer1"' in views.dot(top)
    (['layer1'], True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import graphviz

from ..graph import Edge, Graph
from .build import DotWriter, html_font, node_and_edge_style
from .options import DrawOptions, escape
from .plan import natural_key, scope_prefixes
from .themes import THEMES

__all__ = ["Group", "ScopeViews", "View", "group_slug", "scope_groups"]


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


def group_slug(path: str) -> str:
    """A group path as an id part (``mlp/layer1`` → ``mlp--layer1``; the top is ``top``).

    Example:
        >>> group_slug("mlp/layer 1"), group_slug("")
        ('mlp--layer_1', 'top')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.replace("/", "--")) or "top"


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


class ScopeViews:
    """The views of a graph's scopes: :meth:`view` says what a view shows, :meth:`dot` writes
    it. ``groups`` come from :func:`scope_groups` (of the graph as built: its labels tell
    parameters from constants); ``graph`` is the one drawn.

    Example:
        >>> from microgrand import Value, Graph
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> ScopeViews(g, {}).view("").shown
        ['n0', 'n1', 'n2']
    """

    def __init__(
        self,
        graph: Graph,
        groups: dict[str, Group],
        *,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "LR",
        theme: str = "light",
    ) -> None:
        self.graph = graph
        self.groups = groups
        self.rankdir = rankdir
        self.theme = theme
        self.scope_of = {n.id: n.scope for n in graph.nodes}
        self.by_scope: dict[str, list[str]] = {}
        for n in graph.nodes:
            self.by_scope.setdefault(n.scope, []).append(n.id)
        # edges by (scope of src, scope of dst): a view decides for a whole bucket at once
        self.buckets: dict[tuple[str, str], list[Edge]] = {}
        for e in graph.edges:
            key = (self.scope_of[e.src], self.scope_of[e.dst])
            self.buckets.setdefault(key, []).append(e)
        self.writer = DotWriter(
            graph, DrawOptions(precision=precision, rankdir=rankdir, theme=theme)
        )
        self._dot_cache: dict[str, str] = {}

    def view(self, path: str) -> View:
        """Which nodes and boxes the view that opens group ``path`` (``""``: the top) shows."""
        open_paths = scope_prefixes(path) if path else []
        open_set = set(open_paths)
        box_of: dict[str, str | None] = {}
        for s in self.by_scope:
            box: str | None = None
            if s:
                for p in scope_prefixes(s):
                    if p not in open_set:
                        box = p
                        break
            box_of[s] = box
        shown = sorted(
            (i for sc, ids in self.by_scope.items() if box_of[sc] is None for i in ids),
            key=lambda i: int(i[1:]),
        )
        boxes = sorted({b for b in box_of.values() if b is not None}, key=natural_key)
        return View(path, open_paths, shown, boxes, box_of)

    def dot(self, v: View) -> str:
        """The DOT source of one view, pasted together from per-node pieces (the same in
        every view, so each is made once: the ``graphviz`` package's quoting is slow)."""
        g = self.graph
        where: dict[str, list[tuple[str, str]]] = {}
        for nid in v.shown:
            where.setdefault(g.nodes[int(nid[1:])].scope, []).append(("node", nid))
        for bx in v.boxes:
            where.setdefault(self.groups[bx].parent, []).append(("box", bx))
        box_id = {bx: f"box-{group_slug(bx)}" for bx in v.boxes}
        plain: list[str] = []
        agg: dict[tuple[str, str], int] = {}
        for (ss, ds), edges in self.buckets.items():
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
                    chain.append(f"box-{group_slug(key)}")
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
        t = self.writer.t
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
        node_and_edge_style(dot, t)
        source: str = dot.source
        text = self._dot_cache[key] = source.rstrip().rstrip("}")
        return text

    def _node_dot(self, nid: str) -> str:
        text = self._dot_cache.get(nid)
        if text is None:
            d = graphviz.Digraph()
            self.writer.emit_node(d, self.graph.nodes[int(nid[1:])])
            text = self._dot_cache[nid] = "".join(d.body)
        return text

    def _edge_dot(self, e: Edge) -> str:
        return f'\t{e.src} -> "{e.dst}-op" [id="e-{e.src}-{e.dst}-{e.position}" class=input]\n'

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
        t = self.writer.t
        d = graphviz.Digraph()
        with d.subgraph(name=f"cluster_{group_slug(path)}") as c:
            c.attr(
                label=f"<{html_font('<B>' + escape(self.groups[path].name) + '</B>', 13)}>",
                labeljust="l",
                labelloc="t",
                style="rounded,filled",
                fillcolor=t.cluster_fill,
                color=t.cluster_border,
                fontcolor=t.muted,
                id=f"cluster-{group_slug(path)}",
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
        lines.append(html_font(escape(what), 12, t.muted))
        sub.node(
            f"box-{group_slug(path)}",
            label="<" + "<BR/>".join(lines) + ">",
            id=f"box-{group_slug(path)}",
            shape="box",
            style="rounded,filled,bold",
            fillcolor=t.box_fill,
            margin="0.2,0.1",
            **{"class": "scope-box"},
        )


def scope_groups(graph: Graph) -> dict[str, Group]:
    """One :class:`Group` per scope path of ``graph`` (its members, parameters, inputs and
    outputs), parents before children.

    Example:
        >>> from microgrand import Value, Graph, scope
        >>> with scope("layer1"):
        ...     y = Value(2.0, label="w") * 3
        >>> g = scope_groups(Graph.of(y + 1))["layer1"]
        >>> g.size, g.params, sorted(g.outputs)
        (3, ['n0'], ['n2'])
    """
    groups: dict[str, Group] = {}
    scope_of: list[str] = []
    for n in graph.nodes:
        scope_of.append(n.scope)
        if not n.scope:
            continue
        pre = scope_prefixes(n.scope)
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
        inside[s] = set(scope_prefixes(s)) if s else set()
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
