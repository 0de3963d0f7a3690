"""The tape behind :func:`microgrand.record`: a recorded graph as groups of alike nodes over
flat lists of floats, replayed forward and backward with Python's own C loops.

This module holds the structure shared by every replay (which node sits where, which nodes
form a group, where each gradient comes from) and the scalar replay on Python floats;
:mod:`microgrand.array_tape` runs the same structure as NumPy array operations. Nothing here
is public API: use :func:`microgrand.record`.

Example:
    >>> from microgrand import Value
    >>> from microgrand.value import topological_order
    >>> w = Value(2.0)
    >>> out = w * w + 1.0
    >>> tape = Tape(topological_order(out), [w], [])
    >>> vals = tape.forward([w], [])
    >>> vals[tape.root], tape.backward(vals, [w]), w.grad
    (5.0, True, 4.0)
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from .rules import Rule
from .value import Value

__all__ = ["Tape", "describe_node", "signature"]


# --- the tape ----------------------------------------------------------------------------------
#
# The recorded graph becomes a *tape*: groups of nodes over one flat list of floats, ``vals``,
# in which every node has a position (its slot). A group holds nodes that can be computed
# together — the same operation, the same number of inputs, the same depth in the graph (the
# longest path from a leaf) — in one contiguous slice of ``vals``. A replay then runs one C
# loop per group instead of Python code per node:
#
#     vals[start:stop] = map(forward, inputs_0(vals), inputs_1(vals))
#
# where ``inputs_k`` (made once, when recording) gathers input k of every node of the group
# in one call: ``operator.itemgetter(*positions)``, or a plain slice when the positions are
# evenly spaced. The backward pass walks the groups in reverse. Every edge of the graph (from
# a node to one of its inputs) has a position in a second list, ``contrib``, which receives
# the edge's contribution ``local derivative × the node's gradient``; a node's gradient is
# the sum of the contributions of the edges that reach it, gathered the same way.
#
# Three things make this fast and exact:
#
# * **Chains of additions become one sum.** ``sum(terms)`` and ``s = s + t`` loops build a
#   chain ``((t0 + t1) + t2) + …`` in which every link feeds only the next one. The tape
#   keeps such a chain as one node over its terms: forward is the same left fold (the same
#   additions in the same order), backward hands the chain's gradient to every term, since
#   the local derivative of + is 1 — exactly what backward() does link by link.
# * **Memory is read in order.** Reading floats scattered over a large list costs about ten
#   times more than reading them in order, so nodes are placed where the replay will look
#   for them: groups are laid out from the last to the first, and the nodes of a group are
#   sorted by the position of their first consumer's edge. For a layered network most
#   gathers then become slices.
# * **Gradients are summed in backward()'s order.** Each node's contributions are added in
#   the order backward() adds them (consumers from the last in topological order to the
#   first, a consumer's inputs in order), starting from 0.0, so the numbers are identical bit
#   for bit. Two shortcuts change nothing but the sign of a zero (and no parameter's, unless
#   its grad was -0.0 before): a node with one consumer takes the contribution itself instead
#   of 0.0 + it, and nodes whose gradient is 0 pass on local · 0 where backward() skips them
#   — except where a local derivative is infinite (inf · 0 is nan), which is checked per group.

_Get = Callable[[list[float]], Any]  # gathers some positions of a list, in one C call

# How a group's contributions are formed from its gradients ``gout``: ``gout`` itself for
# every input of a sum (local derivative 1), ``-gout`` for the second input of ``-`` and for
# unary minus, the other input's value times ``gout`` for ``*``; other rules call their local
# derivative function.
_ONES, _SUB, _NEG, _MUL, _RULE = "ones", "sub", "neg", "mul", "rule"
_LOCAL_KIND = {"sum": _ONES, "sub": _SUB, "neg": _NEG, "mul": _MUL}

# Operations whose forward function is a C function with the rule's exact meaning.
_C_FORWARD: dict[str, Callable[..., float]] = {
    "sub": operator.sub,
    "mul": operator.mul,
    "neg": operator.neg,
}


def _getter(positions: Sequence[int]) -> _Get:
    """``lambda xs: [xs[i] for i in positions]`` as one C call (a slice when evenly spaced)."""
    if not positions:
        return operator.itemgetter(slice(0, 0))
    first = positions[0]
    step = positions[1] - first if len(positions) > 1 else 1
    if step and all(b - a == step for a, b in itertools.pairwise(positions)):
        stop = positions[-1] + step  # past the end; below 0 (going down to 0) it is None
        return operator.itemgetter(slice(first, stop if stop >= 0 else None, step))
    return operator.itemgetter(*positions)


def _scaled(local: float, grad: float) -> float:
    # backward() skips a node whose gradient is 0, so an infinite local derivative there
    # contributes nothing (not inf · 0 = nan).
    return local * grad if grad != 0.0 else 0.0


@dataclass(slots=True)
class _Group:
    start: int  # the group's nodes are vals[start:stop]
    stop: int
    rule: Rule | None  # None: sums (chains of additions)
    forward: Callable[..., float]
    local: str  # how contributions are formed: _ONES, _SUB, _NEG, _MUL or _RULE
    inputs: list[_Get]  # inputs[k](vals): input k of every node (of a sum: term k)
    edges: list[int]  # edges[k]: contrib position of input k of the first node (then in order)
    needs: list[bool]  # needs[k]: does any input k need a gradient?
    terms: list[_Get] | None = None  # sums computed one by one: each node's terms
    grad: _Get | None = None  # when every node has one consumer: all gradients, gathered
    grads: list[_Get] | None = None  # otherwise, per node: its contributions in order
    root: bool = False  # the output: its gradient is 1
    # The same as positions, for the array replay (microgrand.array_tape):
    in_pos: list[list[int]] | None = None  # in_pos[k][i]: slot of input k of node i
    grad_pos: list[list[int]] | None = None  # per node: its contributions' positions, in order


def _chains_of_additions(
    prev: list[tuple[int, ...]], rules: list[Rule | None], keep: set[int]
) -> tuple[list[tuple[int, ...]], list[tuple[tuple[int, int], ...]], list[bool]]:
    """Every node's inputs, with chains of additions folded into sums.

    Returns, per node, its inputs (for a sum: the chain's terms in order), the original
    edge each input comes through (node, input position: backward()'s order depends on it),
    and whether the node is a sum. Links folded into the sum that consumes them get no
    inputs: they are not computed. A link is folded when it is an addition used once, as the
    first input of another addition, and is not in ``keep`` (results the caller reads).
    """
    n = len(prev)
    uses = [0] * n
    for ins in prev:
        for j in ins:
            uses[j] += 1
    is_add = [
        r is not None and r.name == "add" and r.param is None and len(ins) == 2
        for r, ins in zip(rules, prev, strict=True)
    ]
    folded = [False] * n
    for i in range(n):
        if is_add[i]:
            a = prev[i][0]
            folded[a] = is_add[a] and uses[a] == 1 and a not in keep
    terms: list[tuple[int, ...]] = [()] * n
    via: list[tuple[tuple[int, int], ...]] = [()] * n
    for i in range(n):
        if not prev[i] or folded[i]:
            continue
        if not is_add[i]:
            terms[i] = prev[i]
            via[i] = tuple((i, k) for k in range(len(prev[i])))
            continue
        chain = [i]  # from the last link to the first
        while folded[prev[chain[-1]][0]]:
            chain.append(prev[chain[-1]][0])
        first = chain[-1]
        t, e = [*prev[first]], [(first, 0), (first, 1)]
        for link in reversed(chain[:-1]):
            t.append(prev[link][1])
            e.append((link, 1))
        terms[i], via[i] = tuple(t), tuple(e)
    return terms, via, is_add


class Tape:
    """The recorded graph as groups over flat lists; see the comment above.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.value import topological_order
        >>> w = Value(2.0)
        >>> tape = Tape(topological_order(w * w + w), [w], [])
        >>> len(tape.groups), tape.size
        (2, 3)
    """

    # __init__ is one pass of four layout steps (leaves; sums and groups; edges; gathers)
    # that share a dozen per-node lists; split into functions they would pass them all
    # around, so it stays one function, with the steps numbered in comments.
    def __init__(
        self,
        order: list[Value],
        params: Sequence[Value],
        inputs: Sequence[Value],
        watch: Sequence[Value] = (),
        keep: Sequence[Value] = (),
    ):
        # Long because the layout is one pass in numbered stages over the nodes (see the
        # module comment), and splitting it would hand a dozen local tables between functions.
        n = len(order)
        topo = {id(v): i for i, v in enumerate(order)}
        prev = [tuple([topo[id(u)] for u in v.inputs]) for v in order]
        rules = [v.rule for v in order]
        pidx = {topo[id(p)]: k for k, p in enumerate(params) if id(p) in topo}
        iidx = {topo[id(v)]: k for k, v in enumerate(inputs) if id(v) in topo}
        missing = [v for v in watch if id(v) not in topo]
        if missing:
            raise ValueError(
                "record(): the extra Values the function returns must be part of the graph of "
                f"its first result (the loss); {len(missing)} of them are not"
            )
        watched = {topo[id(v)] for v in watch}
        # Nodes whose numbers a replay must be able to read (guards): never folded away.
        watched.update(topo[id(v)] for v in keep if id(v) in topo)
        # 1. Leaves first: parameters, then inputs, then constants (which include results
        # computed under no_grad(): they have no inputs).
        leaves = [i for i in range(n) if not prev[i]]
        leaves_p = [i for i in leaves if i in pidx]
        leaves_i = [i for i in leaves if i in iidx and i not in pidx]
        leaves_c = [i for i in leaves if i not in pidx and i not in iidx]
        self.param_slots = [pidx[i] for i in leaves_p]  # parameter index of slot k
        self.input_slots = [iidx[i] for i in leaves_i]
        self.n_params, self.n_inputs = len(leaves_p), len(leaves_i)
        self.constants = [order[i].data for i in leaves_c]
        slot = [-1] * n
        for k, i in enumerate([*leaves_p, *leaves_i, *leaves_c]):
            slot[i] = k
        # 2. Chains of additions become sums; what remains is grouped by (depth, operation,
        # number of inputs), groups in order of depth, then of first appearance.
        terms, via, is_add = _chains_of_additions(prev, rules, watched)
        depth = [0] * n
        need = [i in pidx for i in range(n)]  # the parameters and what is computed from them
        buckets: dict[tuple[int, int, int], list[int]] = {}
        for i in range(n):
            ins = terms[i]
            if not ins:  # a leaf, or a link folded into a sum
                continue
            d = depth[i] = 1 + max([depth[j] for j in ins])
            need[i] = any([need[j] for j in ins])
            key = (d, 0 if is_add[i] else id(rules[i]), len(ins))
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [i]
            else:
                bucket.append(i)
        keys = sorted(buckets, key=lambda k: k[0])  # stable: first appearance within a depth
        # 3. Edges, laid out from the last group to the first, each group's edges by input
        # position then node; a group's nodes sorted by their first consumer's edge.
        first_use = [-1] * n
        consumers: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        first_edge: dict[tuple[int, int, int], int] = {}
        n_edges = 0
        for key in reversed(keys):
            members = buckets[key]
            members.sort(key=first_use.__getitem__)
            first_edge[key] = n_edges
            for k in range(key[2]):
                for i in members:
                    j = terms[i][k]
                    if first_use[j] < 0:
                        first_use[j] = n_edges
                    node, pos = via[i][k]
                    consumers[j].append((-node, pos, n_edges))  # backward()'s order
                    n_edges += 1
        self.n_edges = n_edges
        nxt = len(leaves)
        for key in keys:
            for i in buckets[key]:
                slot[i] = nxt
                nxt += 1
        self.size = nxt
        self.topo_slots = slot
        """The slot of each node in topological order (-1: a link folded into a sum)."""
        self.root = slot[n - 1]
        self.watch_slots = [slot[topo[id(v)]] for v in watch]
        self.keep_slots: dict[int, int] = {id(v): slot[topo[id(v)]] for v in keep if id(v) in topo}
        """Slot of each ``keep`` Value (by id) that is part of the graph."""

        def contributions(i: int) -> list[int]:
            return [e for _, _, e in sorted(consumers[i])]

        # 4. The groups: gathers for the forward pass, and where each gradient comes from.
        self.groups: list[_Group] = []
        for key in keys:
            members = buckets[key]
            m, arity = len(members), key[2]
            rule = None if is_add[members[0]] else rules[members[0]]
            if rule is None:
                forward, local = operator.add, _ONES
            else:
                c_forward = _C_FORWARD.get(rule.name) if rule.param is None else None
                forward = c_forward or rule.forward
                local = _LOCAL_KIND.get(rule.name, _RULE) if rule.param is None else _RULE
            in_pos = [[slot[terms[i][k]] for i in members] for k in range(arity)]
            g = _Group(
                start=slot[members[0]],
                stop=slot[members[0]] + m,
                rule=rule,
                forward=forward,
                local=local,
                inputs=[_getter(pos) for pos in in_pos],
                edges=[first_edge[key] + k * m for k in range(arity)],
                needs=[any([need[terms[i][k]] for i in members]) for k in range(arity)],
                in_pos=in_pos,
            )
            if rule is None and m < arity:  # few long sums: one fold per node
                g.terms = [_getter([slot[j] for j in terms[i]]) for i in members]
            if members == [n - 1]:
                g.root = True
            elif any([need[i] for i in members]):
                lists = [contributions(i) for i in members]
                g.grad_pos = lists
                if all([len(c) == 1 for c in lists]):
                    g.grad = _getter([c[0] for c in lists])
                else:
                    g.grads = [_getter(c) for c in lists]
            self.groups.append(g)
        self.param_pos = [(pidx[i], contributions(i)) for i in leaves_p if consumers[i]]
        """(parameter index, positions of its contributions in backward()'s order)."""
        self.param_grads = [(k, _getter(pos)) for k, pos in self.param_pos]
        self.signature = _signature_of(order, prev, rules, pidx, iidx)

    def read(self, vals: list[float], slots: Sequence[int]) -> list[float]:
        """The numbers at ``slots`` of a replay's ``vals``."""
        return [vals[k] for k in slots]

    def number_getter(self, vals: list[float], slots: Sequence[int]) -> Callable[[int], float]:
        """``get(slot)``: a node's number in a replay's ``vals``, for ``slots`` (the guards')."""
        return vals.__getitem__

    def forward(self, params: Sequence[Value], inputs: Sequence[float]) -> list[float]:
        vals = [0.0] * self.size
        n_p, n_i = self.n_params, self.n_inputs
        vals[:n_p] = [params[k].data for k in self.param_slots]
        vals[n_p : n_p + n_i] = [inputs[k] for k in self.input_slots]
        vals[n_p + n_i : n_p + n_i + len(self.constants)] = self.constants
        add = operator.add
        for g in self.groups:
            if g.terms is not None:  # long sums: a left fold per node, in C
                out: Iterable[float] = [reduce(add, get(vals)) for get in g.terms]
            elif g.rule is None:  # many sums: add term k to all of them at once, k = 1, 2…
                out = g.inputs[0](vals)
                for get in g.inputs[1:]:
                    out = list(map(add, out, get(vals)))
            else:
                out = map(g.forward, *[get(vals) for get in g.inputs])
            vals[g.start : g.stop] = out
        # The engine refuses infinities and NaN in the forward pass (an overflow raises); a
        # replay finds them here, all at once. (A sum of finite numbers can overflow: then
        # look closer.)
        if not math.isfinite(sum(vals)) and not all(map(math.isfinite, vals)):
            raise OverflowError("replay: a value became infinite or NaN")
        return vals

    def backward(self, vals: list[float], params: Sequence[Value]) -> bool:
        """Add d output / d parameter to each parameter's grad; False if a gradient is not
        finite (as backward() does, checked on a running sum of the gradients)."""
        contrib = [0.0] * self.n_edges
        add, mul = operator.add, operator.mul
        total = 0.0
        for g in reversed(self.groups):
            gout: Sequence[float]
            if g.grad is not None:  # one consumer each
                gout = g.grad(contrib)
            elif g.grads is not None:  # 0.0 + each contribution in backward()'s order
                gout = [reduce(add, get(contrib), 0.0) for get in g.grads]
            elif g.root:
                gout = [1.0]
            else:
                continue  # nothing here needs a gradient
            total += sum(gout)
            n = g.stop - g.start
            locs: list[tuple[float, ...]] | None = None
            for k, e in enumerate(g.edges):
                if not g.needs[k]:
                    continue
                part: Sequence[float]
                if g.local == _ONES or (g.local == _SUB and k == 0):
                    part = gout  # 1 · g is g
                elif g.local in (_SUB, _NEG):
                    part = list(map(operator.neg, gout))  # -1 · g is -g
                else:
                    if g.local == _MUL:  # the local derivative is the other input
                        local = g.inputs[1 - k](vals)
                    else:
                        if locs is None:
                            assert g.rule is not None
                            ins = [get(vals) for get in g.inputs]
                            locs = list(map(g.rule.local, vals[g.start : g.stop], *ins))
                        local = list(map(operator.itemgetter(k), locs))
                    part = list(map(mul, local, gout))
                    if not math.isfinite(sum(part)):  # inf · 0 where backward() adds nothing
                        part = list(map(_scaled, local, gout))
                contrib[e : e + n] = part
        for k, get in self.param_grads:
            params[k].grad = grad = reduce(add, get(contrib), params[k].grad)
            total += grad
        if self.root < self.n_params:  # the output is itself a parameter
            p = params[self.param_slots[self.root]]
            p.grad += 1.0
        return math.isfinite(total)


def describe_node(sig: tuple[Any, ...] | None, size: int) -> str:
    if sig is None:
        return f"nothing (that graph has {size} nodes)"
    kind = sig[0]
    if kind == "op":
        param = "" if sig[2] is None else f"({sig[2]!r})"
        return f"{sig[1]}{param}"
    if kind == "param":
        return f"parameter {sig[1]}"
    if kind == "input":
        return f"input {sig[1]}"
    return f"the constant {sig[1]!r}"


def signature(
    order: list[Value], params: Sequence[Value], inputs: Sequence[Value]
) -> list[tuple[Any, ...]]:
    """What each node is, independent of object identity: op and input positions, or leaf kind."""
    topo = {id(v): i for i, v in enumerate(order)}
    prev = [tuple(topo[id(u)] for u in v.inputs) for v in order]
    pidx = {topo[id(p)]: k for k, p in enumerate(params) if id(p) in topo}
    iidx = {topo[id(v)]: k for k, v in enumerate(inputs) if id(v) in topo}
    return _signature_of(order, prev, [v.rule for v in order], pidx, iidx)


def _signature_of(
    order: list[Value],
    prev: list[tuple[int, ...]],
    rules: list[Rule | None],
    pidx: dict[int, int],
    iidx: dict[int, int],
) -> list[tuple[Any, ...]]:
    sig: list[tuple[Any, ...]] = []
    for i, rule in enumerate(rules):
        if rule is not None:
            sig.append(("op", rule.name, rule.param, prev[i]))
        elif i in pidx:
            sig.append(("param", pidx[i]))
        elif i in iidx:
            sig.append(("input", iidx[i]))
        else:
            sig.append(("const", order[i].data))
    return sig
