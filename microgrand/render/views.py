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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import graphviz

from ..graph import Edge, Graph
from .build import DotWriter, html_font, node_and_edge_style
from .options import DrawOptions, escape
from .plan import common_depth, natural_key, prefixes_of
from .themes import THEMES

__all__ = ["CONTEXT_FRAMES", "Group", "ScopeViews", "View", "group_slug", "scope_groups"]


@dataclass
class Group:
    """One scope of the graph, with what the explorer says about it.

    ``direct`` are the ids of the nodes made in the scope itself; ``own_params`` the labelled
    leaves among them (the parameters, such as ``w1`` and ``b``; unlabelled leaves are
    constants or data); ``size`` counts the nodes of the scope and its sub-scopes;
    ``outputs`` are the members used outside the group (or the root), ``inputs`` the nodes
    outside it that its members use.
    """

    path: str
    parent: str
    depth: int = 1
    children: list[str] = field(default_factory=list)
    direct: list[str] = field(default_factory=list)
    own_params: list[str] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    size: int = 0

    @property
    def name(self) -> str:
        """The last part of the path (``neuron3``)."""
        return self.path.rsplit("/", 1)[-1]


def group_slug(path: str) -> str:
    """A group path as an id part (``mlp/layer1`` → ``mlp--layer1``; the top is ``top``).

    Example:
        >>> group_slug("mlp/layer 1"), group_slug("")
        ('mlp--layer_1', 'top')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.replace("/", "--")) or "top"


CONTEXT_FRAMES = 3
"""The most open frames one view draws: the group opened and up to two groups around it.
Deeper views draw what lies outside their outermost frame as one box, so a view's size does
not grow with the depth of its scope (scopes may nest a thousand deep)."""

BucketKey = tuple[str, str]


@dataclass
class View:
    """The view of one open path: what it shows, its DOT, later its SVG (or why it has none).

    ``open`` are the open groups, outermost first (``""`` not included); the view draws the
    frames ``open[start:]``; when ``start`` is above 0, everything outside the outermost
    frame is one box, ``outside`` (the path of the group around that frame, or ``""`` for
    the top level), and ``size`` counts it.
    """

    path: str
    open: tuple[str, ...]
    start: int
    size: int
    groups: dict[str, Group] = field(repr=False)
    unscoped: list[str] = field(repr=False)
    top: list[str] = field(repr=False)
    dot: str = ""
    svg: str = ""
    refused: str = ""
    # the aggregated edges :meth:`ScopeViews.dot` wrote (ids agg-0, agg-1, …): source and
    # target (a node id or a group path) and how many edges each stands for
    aggregates: list[tuple[str, str, int]] = field(default_factory=list, repr=False)

    @property
    def frames(self) -> tuple[str, ...]:
        """The open groups this view draws as frames, outermost first."""
        return self.open[self.start :]

    @property
    def outside(self) -> str | None:
        """The box standing for everything outside the outermost frame (None: no such box)."""
        if not self.start:
            return None
        return self.open[self.start - 1]

    @cached_property
    def shown(self) -> list[str]:
        """Node ids shown as themselves, in graph order."""
        ids = [] if self.start else list(self.unscoped)
        for p in self.frames:
            ids.extend(self.groups[p].direct)
        return sorted(ids, key=lambda i: int(i[1:]))

    @cached_property
    def boxes(self) -> list[str]:
        """Group paths shown as boxes (the ``outside`` box included), in natural order."""
        opened = set(self.frames)
        out = [] if self.start else [p for p in self.top if p not in opened]
        for p in self.frames:
            out.extend(c for c in self.groups[p].children if c not in opened)
        if self.outside is not None:
            out.append(self.outside)
        return sorted(out, key=natural_key)

    def box_of(self, scope: str) -> str | None:
        """The box a node of ``scope`` disappears into in this view (None: it is shown)."""
        pre = prefixes_of(scope)
        m = common_depth(pre, self.open)
        if self.start and m <= self.start:
            return self.outside
        return None if m == len(pre) else pre[m]


class ScopeViews:
    """The views of a graph's scopes: :meth:`view` says what a view shows, :meth:`dot` writes
    it. ``groups`` come from :func:`scope_groups` (of the graph as built: its labels tell
    parameters from constants); ``graph`` is the one drawn.

    A view costs what it shows: the edges are kept by the scope pair they join, indexed by
    the deepest scope holding both ends and by the groups whose boundary they cross, so a
    view reads only the edges it draws.

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
        self.unscoped = [n.id for n in graph.nodes if not n.scope]
        self.top = sorted((p for p, gr in groups.items() if not gr.parent), key=natural_key)
        # edges by (scope of src, scope of dst): a view decides for a whole bucket at once
        self.buckets: dict[BucketKey, list[Edge]] = {}
        for e in graph.edges:
            key = (self.scope_of[e.src], self.scope_of[e.dst])
            self.buckets.setdefault(key, []).append(e)
        self.by_common: dict[str, list[BucketKey]] = {}  # the deepest scope holding both ends
        self.crossing: dict[str, list[BucketKey]] = {}  # groups with one end inside
        for key in self.buckets:
            pa, pb = prefixes_of(key[0]), prefixes_of(key[1])
            m = common_depth(pa, pb)
            self.by_common.setdefault(pa[m - 1] if m else "", []).append(key)
            for p in (*pa[m:], *pb[m:]):
                self.crossing.setdefault(p, []).append(key)
        self.writer = DotWriter(
            graph, DrawOptions(precision=precision, rankdir=rankdir, theme=theme)
        )
        self._dot_cache: dict[str, str] = {}
        self.reads = 0  # items and edge buckets the views have read: their cost, for tests

    def in_order(self) -> list[str]:
        """Every group path, parents before children and siblings in natural order (as
        ``sorted(groups, key=natural_key)``, without comparing whole long paths).

        Example:
            >>> from microgrand import Value, Graph, scope
            >>> with scope("b"):
            ...     with scope("x2"):
            ...         y = Value(1.0) * 2
            ...     with scope("x10"):
            ...         z = y * 3
            >>> ScopeViews(Graph.of(z), scope_groups(Graph.of(z))).in_order()
            ['b', 'b/x2', 'b/x10']
        """
        out: list[str] = []
        stack = list(reversed(self.top))
        while stack:
            p = stack.pop()
            out.append(p)
            stack.extend(reversed(self.groups[p].children))
        return out

    def _items(self, path: str) -> int:
        """Boxes a group's own content adds to a view: its direct nodes and sub-groups."""
        gr = self.groups[path]
        return len(gr.direct) + len(gr.children)

    def view(self, path: str, fit: int | None = None) -> View:
        """Which nodes and boxes the view that opens group ``path`` (``""``: the top) shows:
        at most :data:`CONTEXT_FRAMES` frames, fewer when ``fit`` (a number of boxes) asks."""
        opened = prefixes_of(path)
        d = len(opened)
        start = base = max(0, d - CONTEXT_FRAMES)
        own = [self._items(p) for p in opened[base:]]

        def size(k: int) -> int:
            # each frame but the outermost is also counted as a box of the frame around it
            inner = sum(own[k - base :]) - max(0, d - 1 - k)
            if k:
                return 1 + inner  # the box standing for everything outside
            top = len(self.unscoped) + len(self.top)
            return top + inner - (1 if d else 0)

        n = size(start)
        while fit is not None and n > fit and start < d - 1:
            start += 1
            n = size(start)
        self.reads += len(own) + start - base
        return View(path, opened, start, n, self.groups, self.unscoped, self.top)

    def visible(self, v: View) -> list[BucketKey]:
        """The edge buckets view ``v`` draws (the others join nodes inside one box)."""
        keys: list[BucketKey] = []
        for c in ([] if v.start else [""]) + list(v.frames):
            keys.extend(self.by_common.get(c, ()))
        if v.start:
            keys.extend(self.crossing.get(v.frames[0], ()))
        self.reads += len(keys) + len(v.frames)
        return keys

    def backward_units(
        self, v: View, order: Mapping[str, int], first: Mapping[str, int]
    ) -> list[tuple[str, list[str]]]:
        """The view's boxes and shown nodes in backward order (reverse topological order of
        the view's graph), shown nodes taken first whenever they are ready, runs merged:
        ``("box", [path])`` or ``("nodes", [id, …])``. ``order`` is each node's step in the
        backward pass, ``first`` each group's earliest step."""
        key: dict[str, int] = {i: order[i] for i in v.shown}
        key.update({"box:" + b: first[b] for b in v.boxes})
        waiting: dict[str, set[str]] = {u: set() for u in key}
        for ss, ds in self.visible(v):
            edges = self.buckets[(ss, ds)]
            sb, db = v.box_of(ss), v.box_of(ds)
            if sb is not None and db is not None:
                if sb != db:
                    waiting["box:" + sb].add("box:" + db)
                continue
            for e in edges:
                a = e.src if sb is None else "box:" + sb
                b = e.dst if db is None else "box:" + db
                waiting[a].add(b)
        done: set[str] = set()
        backward: list[str] = []
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
                backward.append(u)
                done.add(u)
                remaining.discard(u)
        units: list[tuple[str, list[str]]] = []
        for u in backward:
            if u.startswith("box:"):
                units.append(("box", [u[4:]]))
            elif units and units[-1][0] == "nodes":
                units[-1][1].append(u)
            else:
                units.append(("nodes", [u]))
        return units

    def dot(self, v: View) -> str:
        """The DOT source of one view, pasted together from per-node pieces (the same in
        every view, so each is made once: the ``graphviz`` package's quoting is slow)."""
        g = self.graph
        where: dict[str, list[tuple[str, str]]] = {}
        for nid in v.shown:
            where.setdefault(g.nodes[int(nid[1:])].scope, []).append(("node", nid))
        for bx in v.boxes:
            parent = "" if bx == v.outside else self.groups[bx].parent
            where.setdefault(parent, []).append(("box", bx))
        box_id = {bx: f"box-{group_slug(bx)}" for bx in v.boxes}
        self.reads += len(v.shown) + len(v.boxes)
        plain: list[str] = []
        agg: dict[tuple[str, str], int] = {}
        for ss, ds in self.visible(v):
            edges = self.buckets[(ss, ds)]
            sb, db = v.box_of(ss), v.box_of(ds)
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
        # the frames nest in a line (each holds the next): written one after the other
        for container in ("", *v.frames):
            if container:
                out.append(self._cluster_head(container))
            chain: list[str] = []
            for kind, key in where.get(container, []):
                if kind == "node":
                    out.append(self._node_dot(key))
                else:
                    out.append(self._outside_dot(key) if key == v.outside else self._box_dot(key))
                    chain.append(f"box-{group_slug(key)}")
            if len(chain) > 1 and not any((a, c) in agg for a in chain for c in chain):
                # sibling boxes side by side (neuron1 … neuron16): keep them in reading order
                ordered = list(reversed(chain)) if container and self.rankdir == "LR" else chain
                out.append(
                    "\t{ rank=same; "
                    + " -> ".join(f'"{c}"' for c in ordered)
                    + " [style=invis] }\n"
                )
        out.append("\t}\n" * len(v.frames))
        for nid in v.shown:
            if g.nodes[int(nid[1:])].rule is not None:
                out.append(f'\t"{nid}-op" -> "{nid}" [id="e-{nid}-op" class=output]\n')
        out.extend(plain)
        dense = len(agg) > 64
        item = {bid: bx for bx, bid in box_id.items()}
        v.aggregates = []
        for k, ((src, dst), count) in enumerate(agg.items()):
            attrs = f'id="agg-{k}" class=aggregate'
            v.aggregates.append((item.get(src, src), item.get(dst, dst.removesuffix("-op")), count))
            if dense:
                attrs += " penwidth=0.6 arrowsize=0.5"
            if count > 1:
                attrs += (
                    f' label="{count} edges" fontsize=13 penwidth={min(4.0, 1.2 + 0.15 * count):g}'
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
        node_and_edge_style(dot, t, self.rankdir, boxes, remincross="false")
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

    def _outside_dot(self, path: str) -> str:
        """The box standing for everything outside a deep view's outermost frame."""
        t = THEMES[self.theme]
        name = escape(self.groups[path].name) if path else "the top level"
        d = graphviz.Digraph()
        d.node(
            f"box-{group_slug(path)}",
            label=f"<<B>↑ {name}</B><BR/>{html_font('and the rest of the graph', 13, t.muted)}>",
            id=f"box-{group_slug(path)}",
            shape="box",
            style="rounded,filled,dashed",
            fillcolor=t.box_fill,
            margin="0.2,0.1",
            **{"class": "scope-box outside"},
        )
        return "".join(d.body)

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
        lines.append(html_font(escape(what), 13, t.muted))
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
    """One :class:`Group` per scope path of ``graph`` (its nodes, parameters, inputs and
    outputs), parents before children; in time linear in the graph (plus, per edge between
    scopes, the groups whose boundary it crosses).

    Example:
        >>> from microgrand import Value, Graph, scope
        >>> with scope("layer1"):
        ...     y = Value(2.0, label="w") * 3
        >>> g = scope_groups(Graph.of(y + 1))["layer1"]
        >>> g.size, g.own_params, sorted(g.outputs)
        (3, ['n0'], ['n2'])
    """
    groups: dict[str, Group] = {}
    for n in graph.nodes:
        s = n.scope
        if not s:
            continue
        gr = groups.get(s)
        if gr is None:
            missing = [s]  # the scope and its ancestors not met yet, deepest first
            cut = s.rfind("/")
            while cut > 0 and s[:cut] not in groups:
                missing.append(s[:cut])
                cut = s.rfind("/", 0, cut)
            for p in reversed(missing):
                cut = p.rfind("/")
                parent = p[:cut] if cut > 0 else ""
                groups[p] = Group(p, parent, depth=groups[parent].depth + 1 if parent else 1)
                if parent:
                    groups[parent].children.append(p)
            gr = groups[s]
        gr.direct.append(n.id)
        if n.is_leaf and n.label:  # a labelled leaf: a parameter (w1, b); not a constant
            gr.own_params.append(n.id)
    for gr in reversed(groups.values()):  # children before their parents
        gr.size += len(gr.direct)
        if gr.parent:
            groups[gr.parent].size += gr.size
        gr.children.sort(key=lambda c: natural_key(c[c.rfind("/") + 1 :]))  # siblings: by name
    scope_of = [n.scope for n in graph.nodes]
    pairs: dict[tuple[str, str], list[Edge]] = {}
    for e in graph.edges:
        a, b = scope_of[int(e.src[1:])], scope_of[int(e.dst[1:])]
        if a != b:
            pairs.setdefault((a, b), []).append(e)
    for (a, b), edges in pairs.items():
        pa, pb = prefixes_of(a), prefixes_of(b)
        m = common_depth(pa, pb)
        for p in pa[m:]:  # src leaves group p: it is one of p's outputs
            groups[p].outputs.update(e.src for e in edges)
        for p in pb[m:]:  # dst's group p takes src from outside
            groups[p].inputs.update(e.src for e in edges)
    root = graph.root
    for p in prefixes_of(scope_of[int(root[1:])]):
        groups[p].outputs.add(root)
    return groups
