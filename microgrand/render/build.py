"""Graph snapshot -> DOT source (built with the ``graphviz`` package).

Everything here reads only the :class:`~microgrand.graph.Graph` snapshot (stable ids, never
``id()`` of objects), so the same graph and options always give byte-identical DOT.

Layout, as in micrograd's ``draw_dot``: each Value is a box with its label, ``data`` and
``grad``; each operation is a small node with the rule's symbol between its inputs and its
output. SVG ids: value node ``n3``, its operation node ``n3-op``, input edge ``e-n1-n3-0``
(``n1`` feeds input 0 of ``n3``), operation-to-output edge ``e-n3-op``, collapsed scope
``box-layer1``, scope cluster ``cluster-layer1``, aggregated edge ``e-n0-box-layer1``.

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x"); y = x * 3
    >>> 'id="n2-op"' in build_dot(Graph.of(y), DrawOptions()).source
    True
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import graphviz

from .._format import format_fixed, format_short
from ..graph import Graph, Node
from .options import (
    BLANK,
    SHOW_FIELDS,
    Built,
    CollapseSpec,
    DiagramTooLargeError,
    DrawOptions,
    escape,
    format_number,
)
from .plan import (
    HUB_LABEL_LIMIT,
    LABEL_COST_LIMIT,
    MAX_FRAME_DEPTH,
    MAX_LAYOUT_COST,
    LayoutCost,
    LayoutTooComplexError,
    all_scope_paths,
    box_of,
    boxes_by_scope,
    check_scopes,
    collapse_targets,
    layout_cost,
    natural_key,
    nest_clusters,
    plan_collapse,
    plan_labels,
    rank_levels,
    scope_prefixes,
    slug,
    too_large,
)
from .themes import DECADES, Theme, grad_fill, mix, theme_named

__all__ = [
    "BLANK",
    "HUB_LABEL_LIMIT",
    "LABEL_COST_LIMIT",
    "MAX_FRAME_DEPTH",
    "MAX_LAYOUT_COST",
    "SHOW_FIELDS",
    "Built",
    "CollapseSpec",
    "DiagramTooLargeError",
    "DotWriter",
    "DrawOptions",
    "LayoutCost",
    "LayoutTooComplexError",
    "all_scope_paths",
    "box_of",
    "build_dot",
    "check_scopes",
    "collapse_targets",
    "escape",
    "format_number",
    "html_font",
    "layout_cost",
    "natural_key",
    "node_and_edge_style",
    "plan_collapse",
    "plan_labels",
    "rank_levels",
    "scope_prefixes",
    "slug",
    "too_large",
]


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def html_font(text: str, size: float | None = None, color: str | None = None) -> str:
    """``text`` (already escaped) in a Graphviz ``<FONT>`` of that size and colour.

    Example:
        >>> html_font("n3", 11, "#777777"), html_font("x")
        ('<FONT POINT-SIZE="11" COLOR="#777777">n3</FONT>', 'x')
    """
    attrs = ""
    if size is not None:
        attrs += f' POINT-SIZE="{size:g}"'
    if color is not None:
        attrs += f' COLOR="{color}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def node_and_edge_style(
    dot: graphviz.Digraph, t: Theme, rankdir: str = "LR", boxes: bool = False, **graph: str
) -> None:
    """Give ``dot`` the graph, node and edge defaults of every microgrand diagram in theme
    ``t`` (the diagrams and the explorer's views share them): direction ``rankdir``, ranks
    spaced wider when collapsed ``boxes`` are drawn (collapsed layers are often joined all
    to all: room to see the edges fan out), plus the ``graph`` attributes given.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> d = graphviz.Digraph(); node_and_edge_style(d, THEMES["light"], "TB", id="g")
        >>> "penwidth=1.2" in d.source, "rankdir=TB" in d.source, "id=g" in d.source
        (True, True, True)
    """
    dot.attr(
        "graph",
        rankdir=rankdir,
        bgcolor=t.background,
        fontname=t.font,
        fontcolor=t.text,
        nodesep="0.3",
        ranksep="0.9" if boxes else "0.45",
        pad="0.3",
        outputorder="edgesfirst",
        **graph,
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


class DotWriter:
    """The one DOT writer: a :class:`~microgrand.graph.Graph` and resolved
    :class:`DrawOptions` in, DOT out (:meth:`build`; :func:`build_dot` is the short way).
    Its pieces (:meth:`emit_node`, :meth:`value_label` …) also write the explorer's views
    (:mod:`microgrand.render.views`), so every diagram's boxes read the same.

    Example:
        >>> from microgrand import Value
        >>> w = DotWriter(Graph.of(Value(2.0, label="x") * 3), DrawOptions(blanks={"n0": {"data"}}))
        >>> "data = ________" in w.build().source
        True
    """

    def __init__(self, graph: Graph, opts: DrawOptions) -> None:
        self.g = graph
        self.o = opts
        self.t: Theme = theme_named(opts.theme)
        self.fill_by_grad = opts.color == "grad" and not opts.worksheet
        grads = [abs(n.grad) for n in graph.nodes if not math.isnan(n.grad)]
        finite = [g for g in grads if not math.isinf(g)]
        self.max_abs = max(finite) if finite else (math.inf if grads else 0.0)
        self.labels = True

    def fmt(self, x: float) -> str:
        return format_fixed(x, self.o.precision)

    # labels ------------------------------------------------------------------------------

    def inked(self, kind: str, text: str) -> str:
        """``text`` in the colour ``ink`` gives numbers of this kind (unchanged without)."""
        colour = self.o.ink.get(kind)
        return text if colour is None else f'<FONT COLOR="{colour}">{text}</FONT>'

    def blank(self, n: Node, field: str) -> bool:
        """True when ``blanks`` asks for this field of ``n`` to be left blank."""
        return field in self.o.blanks.get(n.id, ())

    def grad_text(self, n: Node) -> str:
        o = self.o
        if o.worksheet or self.blank(n, "grad"):
            return f"grad = {BLANK}"
        if o.known_grads is not None and n.id not in o.known_grads:
            # Same number of characters as the number, so boxes keep their size when filled.
            return "grad = " + " " * (2 * len(self.fmt(n.grad)))
        return f"grad = {self.inked('grad', self.fmt(n.grad))}"

    def value_label(self, n: Node) -> str:
        t = self.t
        cells: list[str] = []
        if n.label and self.o.label_values:
            value = self.inked("label", escape(format_short(n.data, self.o.precision)))
            cells.append(f"<B>{escape(n.label)} = {value}</B>")
        elif n.label:
            cells.append(f"<B>{escape(n.label)}</B>")
        if "id" in self.o.show:
            cells.append(html_font(n.id, 11, t.muted))
        if "data" in self.o.show:
            data = BLANK if self.blank(n, "data") else self.inked("data", self.fmt(n.data))
            cells.append(f"data = {data}")
        if "grad" in self.o.show:
            cells.append(self.grad_text(n))
        if not cells:
            cells.append(html_font(n.id, 11, t.muted))
        row = "<VR/>".join(f"<TD>{c}</TD>" for c in cells)
        rows = f"<TR>{row}</TR>"
        note = self.o.notes.get(n.id)
        if note:
            text = html_font(escape(note), 12, t.muted)
            rows += f'<HR/><TR><TD COLSPAN="{len(cells)}">{text}</TD></TR>'
        return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6">{rows}</TABLE>>'

    def value_fill(self, n: Node) -> str:
        if not self.fill_by_grad:
            return self.t.node_fill
        if self.o.known_grads is not None and n.id not in self.o.known_grads:
            return self.t.node_fill
        return grad_fill(self.t, n.grad, self.max_abs)

    def caption(self, notes: Sequence[str]) -> str | None:
        t = self.t
        rows: list[str] = []
        if self.o.title:
            rows.append(
                f'<TR><TD ALIGN="LEFT">{html_font(f"<B>{escape(self.o.title)}</B>", 18)}</TD></TR>'
            )
        for note in notes:
            rows.append(f'<TR><TD ALIGN="LEFT">{html_font(escape(note), 12, t.muted)}</TD></TR>')
        if self.fill_by_grad and 0.0 < self.max_abs < math.inf:
            rows.append(f'<TR><TD ALIGN="LEFT">{self.legend()}</TD></TR>')
        if not rows:
            return None
        return f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">{"".join(rows)}</TABLE>>'

    def legend(self) -> str:
        t = self.t
        m = self.max_abs
        decades = [10.0**-k for k in range(DECADES - 1, -1, -1)]  # 0.01, 0.1, 1
        if t.coloured:
            steps = [-s for s in reversed(decades)] + [0.0] + decades
            title = "fill = gradient (×10 per step)"
        else:
            steps = [0.0, *decades]
            title = "shade = |gradient| (×10 per step)"
        swatches = "".join(
            f'<TD BGCOLOR="{grad_fill(t, s * m, m)}"'
            f' WIDTH="30" HEIGHT="16" BORDER="1" COLOR="{t.node_border}"> </TD>'
            for s in steps
        )
        small = 11
        side = DECADES - 1
        if t.coloured:
            low, high = (
                html_font("-" + self.fmt(m), small, t.muted),
                html_font("+" + self.fmt(m), small, t.muted),
            )
            ends = (
                f'<TD COLSPAN="{side}" ALIGN="LEFT">{low}</TD>'
                f'<TD COLSPAN="3">{html_font(self.fmt(0.0), small, t.muted)}</TD>'
                f'<TD COLSPAN="{side}" ALIGN="RIGHT">{high}</TD>'
            )
        else:
            ends = (
                f'<TD COLSPAN="2" ALIGN="LEFT">{html_font(self.fmt(0.0), small, t.muted)}</TD>'
                f'<TD COLSPAN="{len(steps) - 2}" ALIGN="RIGHT">'
                f"{html_font(self.fmt(m), small, t.muted)}</TD>"
            )
        head = f'<TD COLSPAN="{len(steps)}" ALIGN="LEFT">{html_font(title, 12, t.muted)}</TD>'
        return (
            f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{head}</TR>'
            f"<TR>{swatches}</TR><TR>{ends}</TR></TABLE>"
        )

    # graph --------------------------------------------------------------------------------

    def build(self) -> Built:
        # Long because it writes the DOT in one pass, in the order Graphviz reads it (graph
        # attributes, clusters with their nodes, boxes, edges, caption): split, the order
        # would be spread over several functions sharing the same locals.
        g, o, t = self.g, self.o, self.t
        targets, notes = plan_collapse(g, o)
        expand = set(o.expand)
        by_scope = boxes_by_scope((n.scope for n in g.nodes), targets, expand)
        box: dict[str, str | None] = {n.id: by_scope[n.scope] for n in g.nodes}
        self.labels, label_notes = plan_labels(g, o, box)
        notes = [*notes, *label_notes]
        box_ids: dict[str, str] = {}
        members: dict[str, list[str]] = {}
        for n in g.nodes:
            b = box[n.id]
            if b is not None:
                box_ids.setdefault(b, f"box-{slug(b)}")
                members.setdefault(b, []).append(n.id)

        dot = graphviz.Digraph(name="microgrand")
        node_and_edge_style(dot, t, o.rankdir, bool(members), id="microgrand")

        # what goes in which cluster: "" is the top level
        items: dict[str, list[tuple[str, str]]] = {}  # container path -> [(kind, key)]
        for n in g.nodes:
            b = box[n.id]
            if b is None:
                items.setdefault(n.scope, []).append(("node", n.id))
            elif n.id == members[b][0]:
                parent = b.rsplit("/", 1)[0] if "/" in b else ""
                items.setdefault(parent, []).append(("box", b))
        items, children, note = nest_clusters(items)
        notes += [note] if note else []
        cap = self.caption(notes)
        if cap is not None:
            dot.attr("graph", label=cap, labelloc="t" if o.title else "b", labeljust="l")
        chains = self.sibling_order(items, box, box_ids)
        if chains and children:
            # The final crossing-reduction pass over the whole graph ignores the order
            # constraints set inside clusters (it rotated neuron1…16 into neuron9…16, 1…8).
            dot.attr("graph", remincross="false")

        highlighted_boxes = {b for b, ids in members.items() if any(i in o.highlight for i in ids)}
        used_cluster_ids: set[str] = set()

        def own(path: str) -> list[str]:
            """The DOT lines of what sits directly in container ``path``."""
            sub = graphviz.Digraph()
            for kind, key in items.get(path, []):
                if kind == "node":
                    self.emit_node(sub, g.node(key))
                else:
                    self.emit_box(
                        sub, key, box_ids[key], len(members[key]), key in highlighted_boxes
                    )
            for chain in chains.get(path, []):
                self.emit_chain(sub, chain, bool(path))
            body: list[str] = sub.body
            return body

        def head(child: str) -> list[str]:
            cid = f"cluster-{slug(child)}"
            while cid in used_cluster_ids:
                cid += "_"
            used_cluster_ids.add(cid)
            sub = graphviz.Digraph()
            with sub.subgraph(name=f"cluster_{cid}") as c:
                title = escape(child.rsplit("/", 1)[-1])
                c.attr(
                    label=f"<{html_font(f'<B>{title}</B>', 13)}>",
                    labeljust="l",
                    labelloc="t",
                    style="rounded,filled",
                    fillcolor=mix(t.cluster_fill, t.cluster_border, 0.15 * child.count("/")),
                    color=t.cluster_border,
                    fontcolor=t.muted,
                    id=cid,
                    **{"class": "scope"},
                )
            lines: list[str] = sub.body[:-1]  # without the closing brace
            return lines

        # clusters written depth first with a stack (scopes may nest hundreds deep)
        dot.body.extend(own(""))
        stack: list[tuple[str, int]] = [("", 0)]
        while stack:
            path, k = stack.pop()
            kids = children.get(path, [])
            if k == len(kids):
                if path:
                    dot.body.append("\t}\n")
                continue
            stack.append((path, k + 1))
            child = kids[k]
            dot.body.extend(head(child))
            dot.body.extend(own(child))
            stack.append((child, 0))
        self.emit_edges(dot, box, box_ids, highlighted_boxes)
        return Built(dot.source, tuple(notes))

    def sibling_order(
        self,
        items: Mapping[str, Sequence[tuple[str, str]]],
        box: Mapping[str, str | None],
        box_ids: Mapping[str, str],
    ) -> dict[str, list[list[str]]]:
        """Chains of DOT nodes to keep in order: sibling scopes read neuron1, neuron2, … .

        Crossing reduction alone leaves siblings that are all connected alike (the neurons of
        a dense layer) in any order, often rotated. Sibling boxes in the same rank (equal
        longest paths from the inputs and to the root) are chained inside their container.
        """
        names: list[str] = []
        edges: list[tuple[str, str]] = []
        for n in self.g.nodes:
            if box[n.id] is None:
                names.append(n.id)
                if n.rule is not None:
                    names.append(f"{n.id}-op")
                    edges.append((f"{n.id}-op", n.id))
        names += list(box_ids.values())
        for e in self.g.edges:
            sb, db = box[e.src], box[e.dst]
            if sb is not None and sb == db:
                continue
            src = e.src if sb is None else box_ids[sb]
            dst = f"{e.dst}-op" if db is None else box_ids[db]
            edges.append((src, dst))
        levels = rank_levels(names, edges)
        out: dict[str, list[list[str]]] = {}
        for path, listed in items.items():
            by_level: dict[tuple[int, int], list[str]] = {}
            for kind, key in listed:
                if kind == "box" and box_ids[key] in levels:
                    by_level.setdefault(levels[box_ids[key]], []).append(box_ids[key])
            found = [c for _, c in sorted(by_level.items()) if len(c) > 1]
            if found:
                out[path] = found
        return out

    def emit_chain(self, sub: graphviz.Digraph, chain: Sequence[str], inside_cluster: bool) -> None:
        """Keep ``chain`` in one rank, in order: top to bottom (rankdir LR), left to right (TB).

        A ``rank=same`` subgraph with invisible edges; both engines honour it inside a cluster
        when ``remincross=false`` (set by :meth:`build`), but there they place an LR chain
        bottom to top, so it is written in reverse.
        """
        ordered = list(reversed(chain)) if inside_cluster and self.o.rankdir == "LR" else chain
        with sub.subgraph() as s:
            s.attr(rank="same")
            for a, b in itertools.pairwise(ordered):
                s.edge(a, b, style="invis")

    def emit_node(self, sub: graphviz.Digraph, n: Node) -> None:
        t, o = self.t, self.o
        hl = n.id in o.highlight
        classes = ["value", "leaf" if n.is_leaf else "result"]
        if n.id == self.g.root:
            classes.append("root")
        if hl:
            classes.append("highlight")
        attrs: dict[str, Any] = {
            "id": n.id,
            "class": " ".join(classes),
            "shape": "box",
            "style": "rounded,filled",
            "margin": "0",
            "fillcolor": self.value_fill(n),
        }
        if hl:
            attrs.update(color=t.accent, penwidth=f"{t.accent_width:g}")
        sub.node(n.id, label=self.value_label(n), **attrs)
        if n.rule is not None:
            sym = n.rule.symbol
            short = len(sym) <= 2
            op_attrs: dict[str, Any] = {
                "id": f"{n.id}-op",
                "class": "op highlight" if hl else "op",
                "shape": "circle" if short else "ellipse",
                "style": "filled",
                "fillcolor": t.op_fill,
                "color": t.accent if hl else t.op_border,
                "fontsize": "18" if short else "13",
                "margin": "0.02" if short else "0.05,0.02",
                "width": "0.45" if short else "0.3",
                "height": "0.45" if short else "0.3",
            }
            if hl:
                op_attrs["penwidth"] = f"{t.accent_width:g}"
            sub.node(f"{n.id}-op", label=f"<{escape(sym)}>", **op_attrs)

    def emit_box(self, sub: graphviz.Digraph, path: str, bid: str, count: int, hl: bool) -> None:
        t = self.t
        name = path.rsplit("/", 1)[-1]
        # A nested box sits in its parent's cluster, which names the rest of the path.
        lines = [f"<B>{escape(name)}</B>"]
        lines.append(html_font(f"{count} node{'s' if count != 1 else ''}", 12, t.muted))
        attrs: dict[str, Any] = {
            "id": bid,
            "class": "scope-box highlight" if hl else "scope-box",
            "shape": "box",
            "style": "rounded,filled,bold",
            "fillcolor": t.box_fill,
            "margin": "0.2,0.1",
        }
        if hl:
            attrs.update(color=t.accent, penwidth=f"{t.accent_width:g}")
        sub.node(bid, label="<" + "<BR/>".join(lines) + ">", **attrs)

    def edge_label(self, src: str, position: int, local: float) -> str:
        """The local derivative on an input edge, naming its input: ``∂/∂w = 2.0000``,
        ``∂/∂(x·w) = 1.0000``; an input without a label is named by its position in the
        operation (``∂/∂(input 2) = …``), as the box shows no name.

        Example:
            >>> from microgrand import Value
            >>> w = DotWriter(Graph.of(Value(2.0, label="x") * 3), DrawOptions())
            >>> w.edge_label("n0", 0, 3.0), w.edge_label("n1", 1, 2.0)
            ('∂/∂x = 3.0000', '∂/∂(input 2) = 2.0000')
        """
        label = self.g.node(src).label
        name = label if label else f"input {position + 1}"
        if not _IDENTIFIER.fullmatch(name):
            name = f"({name})"
        return f"∂/∂{name} = {self.fmt(local)}"

    def emit_edges(
        self,
        dot: graphviz.Digraph,
        box: Mapping[str, str | None],
        box_ids: Mapping[str, str],
        highlighted_boxes: set[str],
    ) -> None:
        t, o, g = self.t, self.o, self.g
        hl_set = o.highlight
        accent = {"color": t.accent, "penwidth": f"{t.accent_width - 1:g}"}
        aggregated: dict[tuple[str, str], list[bool]] = {}
        for n in g.nodes:
            if n.rule is None or box[n.id] is not None:
                continue
            hl = n.id in hl_set
            attrs: dict[str, Any] = {"id": f"e-{n.id}-op", "class": "output"}
            if hl:
                attrs.update(accent, **{"class": "output highlight"})
            dot.edge(f"{n.id}-op", n.id, **attrs)
        for e in g.edges:
            sb, db = box[e.src], box[e.dst]
            if sb is None and db is None:
                hl = e.src in hl_set and e.dst in hl_set
                attrs = {"id": f"e-{e.src}-{e.dst}-{e.position}", "class": "input"}
                lines = []
                if self.labels:
                    if o.edge_labels:
                        lines.append(self.edge_label(e.src, e.position, e.local))
                    note = o.edge_notes.get((e.src, e.dst, e.position))
                    if note:
                        lines.append(note)
                if lines:
                    attrs["label"] = "<" + "<BR/>".join(escape(s) for s in lines) + ">"
                if hl:
                    attrs.update(accent, **{"class": "input highlight"})
                dot.edge(e.src, f"{e.dst}-op", **attrs)
                continue
            if sb is not None and sb == db:
                continue
            src = e.src if sb is None else box_ids[sb]
            dst = f"{e.dst}-op" if db is None else box_ids[db]
            src_hl = e.src in hl_set if sb is None else sb in highlighted_boxes
            dst_hl = e.dst in hl_set if db is None else db in highlighted_boxes
            aggregated.setdefault((src, dst), []).append(src_hl and dst_hl)
        # Dense layers joined all to all: hundreds of edges read better as fine lines.
        dense = len(aggregated) > 64
        for (src, dst), flags in aggregated.items():
            dst_name = dst[: -len("-op")] if dst.endswith("-op") else dst
            attrs = {"id": f"e-{src}-{dst_name}", "class": "aggregate"}
            if dense:
                attrs.update(penwidth="0.6", arrowsize="0.5")
            if len(flags) > 1:
                attrs["label"] = f"{len(flags)} edges"
                attrs["fontsize"] = "11"
                attrs["penwidth"] = f"{min(4.0, 1.2 + 0.15 * len(flags)):g}"
            if any(flags):
                attrs.update(accent, **{"class": "aggregate highlight"})
            dot.edge(src, dst, **attrs)


def build_dot(graph: Graph, opts: DrawOptions) -> Built:
    """Build the DOT source of ``graph`` with resolved options.

    Example:
        >>> from microgrand import Value
        >>> b = build_dot(Graph.of(Value(1.0, label="a") + 2), DrawOptions())
        >>> b.source.count("->")
        3
    """
    return DotWriter(graph, opts).build()
