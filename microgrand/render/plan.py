"""Plans the DOT writer makes before writing: which scopes are collapsed (the node-count
guard) and what a layout would cost (edge labels left off, tangled graphs refused).

Example:
    >>> natural_key("layer10") > natural_key("layer2")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..graph import Graph
from .options import CollapseSpec, DiagramTooLargeError, DrawOptions

__all__ = [
    "HUB_LABEL_LIMIT",
    "LABEL_COST_LIMIT",
    "MAX_FRAME_DEPTH",
    "MAX_LAYOUT_COST",
    "LayoutCost",
    "LayoutTooComplexError",
    "all_scope_paths",
    "box_of",
    "boxes_by_scope",
    "check_scopes",
    "collapse_targets",
    "common_depth",
    "layout_cost",
    "natural_key",
    "nest_clusters",
    "plan_collapse",
    "plan_labels",
    "prefixes_of",
    "rank_levels",
    "scope_prefixes",
    "slug",
    "too_large",
]


# --- scopes ------------------------------------------------------------------------------


_PREFIXES: dict[str, tuple[str, ...]] = {}
_PREFIXES_KEPT = 200_000


def prefixes_of(path: str) -> tuple[str, ...]:
    """Every scope path that contains ``path``, outermost first, as a shared tuple (do not
    change it). Remembered per path and built from the parent's, so a scope nested ``d`` deep
    costs ``O(d)`` once, not ``O(d²)`` per call (scopes may nest a thousand deep).

    Example:
        >>> prefixes_of("mlp/layer1/neuron0")
        ('mlp', 'mlp/layer1', 'mlp/layer1/neuron0')
        >>> prefixes_of("")
        ()
    """
    got = _PREFIXES.get(path)
    if got is not None:
        return got
    if not path:
        return ()
    if len(_PREFIXES) > _PREFIXES_KEPT:
        _PREFIXES.clear()
    missing = [path]  # the path and its ancestors not remembered yet, deepest first
    cut = path.rfind("/")
    base: tuple[str, ...] = ()
    while cut > 0:
        parent = path[:cut]
        known = _PREFIXES.get(parent)
        if known is not None:
            base = known
            break
        missing.append(parent)
        cut = path.rfind("/", 0, cut)
    for p in reversed(missing):
        base = (*base, p)
        _PREFIXES[p] = base
    return base


def scope_prefixes(path: str) -> list[str]:
    """Every scope path that contains ``path``, outermost first.

    Example:
        >>> scope_prefixes("mlp/layer1/neuron0")
        ['mlp', 'mlp/layer1', 'mlp/layer1/neuron0']
    """
    return list(prefixes_of(path))


def common_depth(a: Sequence[str], b: Sequence[str]) -> int:
    """How many leading scope paths two :func:`prefixes_of` tuples share (their common
    ancestor's depth), by bisection: ``a[k] == b[k]`` holds for every ``k`` below it.

    Example:
        >>> common_depth(prefixes_of("m/l1/n2"), prefixes_of("m/l1/n3"))
        2
    """
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[mid - 1] == b[mid - 1]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def all_scope_paths(graph: Graph) -> list[str]:
    """Every scope path and every prefix of one, in order of first appearance."""
    seen: dict[str, None] = {}
    scopes: dict[str, None] = dict.fromkeys(n.scope for n in graph.nodes if n.scope)
    for s in scopes:
        if s in seen:
            continue
        for p in prefixes_of(s):
            seen.setdefault(p, None)
    return list(seen)


def collapse_targets(graph: Graph, spec: CollapseSpec) -> set[str]:
    """The scope paths ``collapse=`` names: ``True`` top level, an int a depth, or a list."""
    paths = all_scope_paths(graph)
    if spec is None or spec is False:
        return set()
    if spec is True:
        return {p for p in paths if "/" not in p}
    if isinstance(spec, int):
        if spec < 1:
            raise ValueError(f"collapse depth must be 1 or more, got {spec}")
        return {p for p in paths if p.count("/") + 1 == spec}
    return set(check_scopes(graph, spec, "collapse"))


def check_scopes(graph: Graph, spec: Iterable[str], what: str) -> list[str]:
    """Validate a list of scope paths against the graph."""
    if isinstance(spec, str):
        spec = [spec]
    paths = all_scope_paths(graph)
    known = set(paths)
    out = []
    for p in spec:
        if not isinstance(p, str):
            raise TypeError(f"{what}= takes scope paths (str), got {type(p).__name__}: {p!r}")
        if p not in known:
            listed = ", ".join(paths[:12]) + (" …" if len(paths) > 12 else "")
            raise ValueError(
                f"{what}=: no scope {p!r} in this graph; "
                + (f"its scopes are: {listed}" if paths else "it has no scopes")
            )
        out.append(p)
    return out


def box_of(scope: str, targets: set[str], expand: set[str]) -> str | None:
    """The collapsed scope a node of ``scope`` disappears into, or None when it is shown.

    A target scope that is expanded, or has an expanded scope inside it, is opened and its
    sub-scopes become the targets instead (so expanding ``mlp/layer2`` keeps ``mlp/layer1``
    and ``mlp/layer3`` collapsed).

    Example:
        >>> box_of("mlp/layer1/neuron2", {"mlp"}, {"mlp/layer2"})
        'mlp/layer1'
    """
    return boxes_by_scope([scope], targets, expand)[scope]


def boxes_by_scope(
    scopes: Iterable[str], targets: set[str], expand: set[str]
) -> dict[str, str | None]:
    """:func:`box_of` for many scopes at once, each distinct scope worked out once.

    Example:
        >>> boxes_by_scope(["a/b", "c", ""], {"a", "c"}, set())
        {'a/b': 'a', 'c': 'c', '': None}
    """
    inner = {q for e in expand for q in prefixes_of(e)[:-1]}  # have an expanded scope inside
    out: dict[str, str | None] = {}
    for scope in scopes:
        if scope in out:
            continue
        found: str | None = None
        if scope and targets:
            pending = False
            for p in prefixes_of(scope):
                if p in expand:
                    break
                if pending or p in targets:
                    if p in inner:
                        pending = True
                        continue
                    found = p
                    break
        out[scope] = found
    return out


MAX_FRAME_DEPTH = 48
"""Scopes nested deeper than this are drawn inside their ancestor at this depth: Graphviz
lays out nested clusters in time growing faster than the square of their depth (a chain of
200 nested clusters takes 0.8 s, 1,000 take 24 s)."""


def nest_clusters(
    items: Mapping[str, list[tuple[str, str]]],
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[str]], str]:
    """The clusters of a diagram: what each container (scope path, ``""`` the top) holds,
    nodes in graph order then boxes in natural order, with containers nested deeper than
    :data:`MAX_FRAME_DEPTH` merged into their ancestor at that depth; each container's child
    clusters (natural order); and a note when some were merged.

    Example:
        >>> held, kids, note = nest_clusters({"a/b": [("node", "n0")], "": [("node", "n1")]})
        >>> kids, note
        ({'': ['a'], 'a': ['a/b']}, '')
    """
    held: dict[str, list[tuple[str, str]]] = {}
    clipped = False
    for path, listed in items.items():
        if path.count("/") >= MAX_FRAME_DEPTH:
            clipped = True
            path = prefixes_of(path)[MAX_FRAME_DEPTH - 1]
        held.setdefault(path, []).extend(listed)
    for listed in held.values():
        listed.sort(
            key=lambda it: (0, int(it[1][1:])) if it[0] == "node" else (1, natural_key(it[1]))
        )
    containers: dict[str, None] = {}
    for path in held:
        if path and path not in containers:
            for p in prefixes_of(path):
                containers.setdefault(p, None)
    children: dict[str, list[str]] = {}
    for p in sorted(containers, key=natural_key):
        children.setdefault(p.rsplit("/", 1)[0] if "/" in p else "", []).append(p)
    note = (
        f"scopes nested more than {MAX_FRAME_DEPTH} deep are drawn inside their ancestor "
        f"{MAX_FRAME_DEPTH} levels down (collapse= or expand= show less)"
        if clipped
        else ""
    )
    return held, children, note


def slug(path: str) -> str:
    """A scope path as a DOT/SVG id part: ``/`` becomes ``--``, other odd characters ``_``.

    Example:
        >>> slug("mlp/layer 1")
        'mlp--layer_1'
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.replace("/", "--"))


def natural_key(path: str) -> tuple[tuple[str, int], ...]:
    """Sort key of scope paths: numbers compared as numbers (``neuron2`` before ``neuron10``).

    Example:
        >>> sorted(["layer10", "layer2", "layer1/neuron12", "layer1/neuron3"], key=natural_key)
        ['layer1/neuron3', 'layer1/neuron12', 'layer2', 'layer10']
    """
    parts = re.split(r"(\d+)", path)
    # pairs (text, the number after it); -1 after the last text: "a" sorts before "a1"
    numbers = [int(d) for d in parts[1::2]] + [-1]
    return tuple(zip(parts[0::2], numbers, strict=True))


def rank_levels(
    names: Sequence[str], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """Longest path from a source and to a sink of each DOT node (nodes on cycles left out).

    Two siblings with equal levels sit in the same rank of a tight layout: they can be put in
    order without moving anything to another rank.
    """
    succ: dict[str, list[str]] = {n: [] for n in names}
    indeg = dict.fromkeys(names, 0)
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    order = [n for n in names if indeg[n] == 0]
    for n in order:  # Kahn's algorithm; the list grows while it is read
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                order.append(m)
    depth = dict.fromkeys(order, 0)
    for n in order:
        for m in succ[n]:
            if m in depth:
                depth[m] = max(depth[m], depth[n] + 1)
    height = dict.fromkeys(order, 0)
    for n in reversed(order):
        for m in succ[n]:
            if m in height:
                height[n] = max(height[n], height[m] + 1)
    return {n: (depth[n], height[n]) for n in order}


# --- building ------------------------------------------------------------------------------


def _visible_count(graph: Graph, targets: set[str], expand: set[str]) -> int:
    boxes: set[str] = set()
    shown = 0
    box = boxes_by_scope((n.scope for n in graph.nodes), targets, expand)
    for n in graph.nodes:
        b = box[n.scope]
        if b is None:
            shown += 1
        else:
            boxes.add(b)
    return shown + len(boxes)


def too_large(n: int, max_nodes: int, has_scopes: bool, tried: str) -> DiagramTooLargeError:
    """The guard's error: the node count and which option (``collapse=``, ``max_nodes=``) helps.

    Example:
        >>> str(too_large(500, 300, False, "")).split(";")[0]
        'this diagram would have 500 nodes, more than max_nodes=300'
    """
    if not has_scopes:
        how = (
            "it has no scopes to collapse: build it inside `with scope('layer1'):` blocks and "
            f"pass collapse=True, or raise the limit with max_nodes={n} (large layouts are slow)"
        )
    elif tried:
        how = (
            f"{tried}; collapse more (collapse=2 or a list of scope paths, fewer expand=) "
            f"or raise the limit with max_nodes={n}"
        )
    else:
        how = f"pass collapse=True to draw each scope as one box, or max_nodes={n}"
    return DiagramTooLargeError(
        f"this diagram would have {n} nodes, more than max_nodes={max_nodes}; {how}",
        n,
        max_nodes,
    )


def plan_collapse(graph: Graph, opts: DrawOptions) -> tuple[set[str], list[str]]:
    """Decide which scopes are collapsed (applying the ``max_nodes`` guard) and why."""
    expand = set(check_scopes(graph, opts.expand, "expand"))
    targets = collapse_targets(graph, opts.collapse)
    n = _visible_count(graph, targets, expand)
    notes: list[str] = []
    if n <= opts.max_nodes:
        return targets, notes
    has_scopes = bool(graph.scopes)
    if opts.collapse is None and has_scopes:
        targets = collapse_targets(graph, True)
        m = _visible_count(graph, targets, expand)
        if m <= opts.max_nodes:
            notes.append(
                f"{n} nodes is more than max_nodes={opts.max_nodes}: scopes collapsed "
                "automatically (collapse=, expand= or max_nodes= change this)"
            )
            return targets, notes
        tried = "that is with its top-level scopes collapsed"
        raise too_large(m, opts.max_nodes, has_scopes, tried)
    tried = "" if opts.collapse is False else "that is with the scopes collapse= names collapsed"
    raise too_large(n, opts.max_nodes, has_scopes, tried)


HUB_LABEL_LIMIT = 1_200
"""Past this many bends for one node's edges with edge labels (:attr:`LayoutCost.hub_bends`),
the labels are left off. Graphviz doubles every rank when any edge has a label, and the long
edges out of a node used many times (``x`` in ``x*x*…*x``) then cross everything: measured
with ``dot``, 24 labelled edges out of one node (1,036 bends) lay out in 0.2 s, 32 (1,892) in
2.4 s, 48 in over a minute."""

LABEL_COST_LIMIT = 4_000
"""Past this many bends in all (:attr:`LayoutCost.bends`) with edge labels, the labels are left
off: a 2-8-8-1 MLP's graph (1,445 bends with labels) lays out in 0.7 s, a 2-16-16-1 one
(4,781) in 4.6 s with labels and 2 s without."""

MAX_LAYOUT_COST = 25_000
"""Past this many bends without labels (in all, or for one node), the diagram is refused: a
node feeding 100 others (9,702 bends) lays out in 2 s, 150 (22,052) in 7 s, and the time
grows with the square."""


class LayoutTooComplexError(ValueError):
    """The layout would take too long (long edges from a node used many times); the message
    says which node and how to draw less."""


@dataclass(frozen=True)
class LayoutCost:
    """What :func:`layout_cost` estimates: ``bends`` in all, the ``hub`` (the node whose edges
    need the most, or ``None``) and its ``hub_bends``."""

    bends: int
    hub: str | None
    hub_bends: int


def layout_cost(
    graph: Graph, box: Mapping[str, str | None] | None = None, labels: bool = False
) -> LayoutCost:
    """Estimated layout work: the bends (virtual nodes) ``dot`` needs to route the edges
    between ranks, in all and for the node whose edges need the most (the hub).

    Each value sits one rank after its operation, each operation one rank after its latest
    input; an edge spanning ``k`` ranks needs ``k - 1`` bends. Edge labels double the ranks.
    Nodes drawn inside a collapsed box (``box[id]`` not ``None``) are not counted.

    Example:
        >>> from microgrand import Value
        >>> x = Value(1.0, label="x"); y = x
        >>> for _ in range(9): y = y * x
        >>> layout_cost(Graph.of(y))
        LayoutCost(bends=72, hub='n0', hub_bends=72)
        >>> layout_cost(Graph.of(y), labels=True).bends > 72
        True
    """
    m = 2 if labels else 1
    rank: dict[str, int] = {}
    bends: dict[str, int] = {}
    total = 0
    for n in graph.nodes:
        if not n.inputs:
            rank[n.id] = 0
            continue
        r_op = max(rank[i] for i in n.inputs) + m
        rank[n.id] = r_op + m
        if box is not None and box.get(n.id) is not None:
            continue
        total += m - 1
        for i in n.inputs:
            if box is not None and box.get(i) is not None:
                continue
            k = r_op - rank[i] - 1
            total += k
            bends[i] = bends.get(i, 0) + k
    hub = max(bends, key=lambda i: (bends[i], i)) if bends else None
    if hub is None or bends[hub] == 0:
        return LayoutCost(total, None, 0)
    return LayoutCost(total, hub, bends[hub])


def plan_labels(
    graph: Graph, opts: DrawOptions, box: Mapping[str, str | None]
) -> tuple[bool, list[str]]:
    """Decide whether edge labels (``edge_labels=``, ``edge_notes=``) are drawn, before any
    layout runs: labels stay when the labelled layout is cheap; else they are left off with a
    note; :class:`LayoutTooComplexError` when even the unlabelled layout would take too long.
    """

    def name(i: str | None) -> str:
        if i is None:
            return "one node"
        n = graph.node(i)
        return repr(n.label) if n.label else i

    def uses(i: str | None) -> int:
        return len({e.dst for e in graph.edges if e.src == i})

    plain = layout_cost(graph, box)
    if plain.bends > MAX_LAYOUT_COST:
        why = (
            f"{name(plain.hub)} feeds {uses(plain.hub)} operations across the whole graph"
            if plain.hub_bends > plain.bends // 2
            else f"{len(graph.nodes)} nodes with long edges"
        )
        raise LayoutTooComplexError(
            f"this diagram would take too long to lay out: {why} (layout cost "
            f"{plain.bends:,}, more than {MAX_LAYOUT_COST:,}); draw a smaller part (fewer "
            "terms or factors, e.g. x**100 instead of x*x*…*x), or collapse= scopes"
        )
    if not (opts.edge_labels or opts.edge_notes):
        return False, []
    cost = layout_cost(graph, box, labels=True)
    if cost.hub_bends > HUB_LABEL_LIMIT:
        why = f"{name(cost.hub)} feeds {uses(cost.hub)} operations"
    elif cost.bends > LABEL_COST_LIMIT:
        why = f"{len(graph.nodes)} nodes"
    else:
        return True, []
    return False, [
        f"edge labels left off: {why} and a labelled layout would take too long; draw a "
        "smaller part to see them"
    ]
