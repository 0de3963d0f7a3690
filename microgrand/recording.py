"""Record a computation once, replay it on new numbers: the idea behind ``torch.jit.trace``
and ``jax.jit``, on scalars.

Building a graph of :class:`~microgrand.value.Value` objects costs one Python object per
number, every step. But a training step computes the *same* graph every time: only the
numbers change. :func:`record` runs your function once, keeps the graph's structure (which
operation, which inputs), and turns it into a *tape*: a short list of steps over a flat list
of floats, each computing a whole group of alike nodes at once with Python's own C loops
(``map``, ``operator.itemgetter``, slices) — the forward pass, then the backward pass in
reverse. Replaying it costs a few float operations per node and creates no Values at all,
which brings a training step close to the speed of the same step written by hand with
floats.

What is recorded is what ran. Python ``if`` statements and loops that look at a Value's
number are decided once, while recording (as with ``torch.jit.trace``); operations that
branch *inside* a rule (``relu``, ``abs``) stay correct for any input. Call with
``check=True`` to run the function eagerly as well and compare every node: if the graph the
function builds today is not the recorded one, :class:`RecordMismatchError` names the first
node that differs.

Example:
    >>> from microgrand import Value
    >>> w = Value(2.0, label="w")
    >>> step = record(lambda x: (w * x - 1.0) ** 2, [w], 3.0)
    >>> step(3.0), w.grad            # forward + backward: loss, and d loss / d w accumulates
    (25.0, 30.0)
    >>> w.grad = 0.0; w.data = 1.0
    >>> step(0.5), w.grad            # new numbers, same graph: no Values are built
    (0.25, -0.5)
"""

from __future__ import annotations

import gc
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from .rules import Rule
from .value import Value, topological_order

__all__ = ["BatchRecordings", "RecordMismatchError", "Recorded", "record"]

Inputs = Any  # a number, or a (nested) list or tuple of numbers


class RecordMismatchError(ValueError):
    """The graph a function builds now differs from the one :func:`record` recorded."""


def _flatten(x: Inputs, out: list[float], where: str) -> None:
    if isinstance(x, list | tuple):
        for item in x:
            _flatten(item, out, where)
    elif isinstance(x, int | float) and not isinstance(x, bool):
        out.append(float(x))
    elif isinstance(x, Value):
        out.append(x.data)
    else:
        raise TypeError(f"{where}: inputs are numbers or (nested) lists of numbers, got {x!r}")


def _shape(x: Inputs) -> Any:
    if isinstance(x, list | tuple):
        return [_shape(i) for i in x]
    return None


def _wrap(x: Inputs, leaves: list[Value]) -> Any:
    """The inputs with every number replaced by a new leaf Value (collected in ``leaves``)."""
    if isinstance(x, list | tuple):
        return type(x)(_wrap(i, leaves) for i in x)
    v = Value(x.data if isinstance(x, Value) else float(x))
    leaves.append(v)
    return v


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


class _Tape:
    """The recorded graph as groups over flat lists; see the comment above."""

    def __init__(
        self,
        order: list[Value],
        params: Sequence[Value],
        inputs: Sequence[Value],
        watch: Sequence[Value] = (),
    ):
        n = len(order)
        topo = {id(v): i for i, v in enumerate(order)}
        prev = [tuple([topo[id(u)] for u in v.inputs]) for v in order]
        rules = [v._op for v in order]
        pidx = {topo[id(p)]: k for k, p in enumerate(params) if id(p) in topo}
        iidx = {topo[id(v)]: k for k, v in enumerate(inputs) if id(v) in topo}
        missing = [v for v in watch if id(v) not in topo]
        if missing:
            raise ValueError(
                "record(): the extra Values the function returns must be part of the graph of "
                f"its first result (the loss); {len(missing)} of them are not"
            )
        watched = {topo[id(v)] for v in watch}
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
        self.root = slot[n - 1]
        self.watch_slots = [slot[topo[id(v)]] for v in watch]

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
            g = _Group(
                start=slot[members[0]],
                stop=slot[members[0]] + m,
                rule=rule,
                forward=forward,
                local=local,
                inputs=[_getter([slot[terms[i][k]] for i in members]) for k in range(arity)],
                edges=[first_edge[key] + k * m for k in range(arity)],
                needs=[any([need[terms[i][k]] for i in members]) for k in range(arity)],
            )
            if rule is None and m < arity:  # few long sums: one fold per node
                g.terms = [_getter([slot[j] for j in terms[i]]) for i in members]
            if members == [n - 1]:
                g.root = True
            elif any([need[i] for i in members]):
                lists = [contributions(i) for i in members]
                if all([len(c) == 1 for c in lists]):
                    g.grad = _getter([c[0] for c in lists])
                else:
                    g.grads = [_getter(c) for c in lists]
            self.groups.append(g)
        self.param_grads = [(pidx[i], _getter(contributions(i))) for i in leaves_p if consumers[i]]
        self.signature = _signature_of(order, prev, rules, pidx, iidx)

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


class Recorded:
    """A recorded computation; call it to replay forward and backward on new numbers.

    ``rec(*inputs)`` sets the leaves to the parameters' current ``data`` and to ``inputs``,
    computes the output, and **adds** d output / d parameter to each parameter's ``grad``
    (as ``backward()`` does: call ``zero_grad`` between steps). It returns the output as a
    float; a gradient that becomes infinite or NaN is reported as ``backward()`` reports it
    (:class:`~microgrand.value.NonFiniteGradientWarning`, naming the node).
    ``rec.forward(*inputs)`` computes the output only. ``check=True`` also runs the
    function eagerly and raises :class:`RecordMismatchError` at the first node where the
    two graphs or their numbers differ.

    Attributes:
        params: the parameters whose gradients are filled in.
        nodes: number of nodes in the recorded graph.

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0)
        >>> rec = record(lambda: a * a + a, [a])
        >>> rec.nodes, rec(), a.grad
        (3, 12.0, 7.0)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        params: Sequence[Value],
        example: tuple[Inputs, ...],
        root: Value,
        input_leaves: list[Value],
        extras: Any = None,
    ) -> None:
        self.fn = fn
        self.params = list(params)
        self._shape = _shape(list(example))
        self._n_inputs = len(input_leaves)
        order = topological_order(root)
        self.nodes = len(order)
        watch: list[Value] = []
        if extras is not None:
            _flatten_values(extras, watch)
        self._extras_shape = None if extras is None else _shape(extras)
        # Building the tape allocates many small tuples and no cycles; the cyclic garbage
        # collector would meanwhile scan the whole recorded graph again and again.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            self._tape = _Tape(order, self.params, input_leaves, watch)
        finally:
            if gc_was_on:
                gc.enable()
        self._signature = self._tape.signature
        self.extras: Any = None
        """The numbers of the extra Values ``fn`` returned, from the last replay (or None)."""

    def _keep_extras(self, vals: list[float]) -> None:
        if self._extras_shape is not None:
            flat = iter([vals[k] for k in self._tape.watch_slots])
            self.extras = _unflatten(self._extras_shape, flat)

    def _step(self, params: list[Value], inputs: list[float]) -> tuple[float, bool]:
        vals = self._tape.forward(params, inputs)
        out = vals[self._tape.root]
        finite = self._tape.backward(vals, params)
        self._keep_extras(vals)
        return out, finite

    def _forward(self, params: list[Value], inputs: list[float]) -> float:
        vals = self._tape.forward(params, inputs)
        self._keep_extras(vals)
        return vals[self._tape.root]

    def _inputs(self, inputs: tuple[Inputs, ...], where: str) -> list[float]:
        flat: list[float] = []
        _flatten(list(inputs), flat, where)
        if len(flat) != self._n_inputs or _shape(list(inputs)) != self._shape:
            raise ValueError(
                f"{where}: the inputs have another shape than when recorded "
                f"({len(flat)} numbers, recorded with {self._n_inputs}); record again for "
                "new shapes"
            )
        return flat

    def __call__(self, *inputs: Inputs, check: bool = False) -> float:
        """Forward and backward on the current parameters and ``inputs``; returns the output."""
        flat = self._inputs(inputs, "replay")
        if check:
            self.check(*inputs)
        before = [p.grad for p in self.params]
        try:
            out, finite = self._step(self.params, flat)
        except (ArithmeticError, ValueError):
            # A domain error (division by zero, log of a negative number…): run eagerly, so
            # that the error names the operation and its operands as the engine does.
            self._eager(inputs).backward()
            raise  # pragma: no cover - the eager run raises first
        if not finite:
            # A gradient became infinite or NaN: backward() warns, naming the node where it
            # happened, so that is done here too, by running this step eagerly instead (it
            # adds the same gradients to the same starting values).
            for p, g in zip(self.params, before, strict=True):
                p.grad = g
            self._eager(inputs).backward()
        return out

    def forward(self, *inputs: Inputs) -> float:
        """The output on the current parameters and ``inputs``; no gradients.

        Example:
            >>> from microgrand import Value
            >>> w = Value(2.0)
            >>> record(lambda x: w * x, [w], 1.0).forward(5.0)
            10.0
        """
        flat = self._inputs(inputs, "forward")
        try:
            return self._forward(self.params, flat)
        except (ArithmeticError, ValueError):
            self._eager(inputs)
            raise  # pragma: no cover

    def _eager(self, inputs: tuple[Inputs, ...]) -> Value:
        leaves: list[Value] = []
        return _split(self.fn(*_wrap(list(inputs), leaves)))[0]

    def check(self, *inputs: Inputs) -> None:
        """Run the function eagerly and compare its graph and numbers with the recording.

        Raises :class:`RecordMismatchError` naming the first node that differs.

        Example:
            >>> from microgrand import Value
            >>> w = Value(1.0)
            >>> rec = record(lambda: w.relu() if w.data > 0 else -w, [w])
            >>> rec.check()                  # same branch: fine
            >>> w.data = -1.0
            >>> rec.check()
            Traceback (most recent call last):
            ...
            microgrand.recording.RecordMismatchError: node n1 differs: recorded as relu, now neg; \
the function takes another path for these numbers (a Python if or loop on a Value's data), \
so the recording does not apply: record again, or run it eagerly
        """
        leaves: list[Value] = []
        out = _split(self.fn(*_wrap(list(inputs), leaves)))[0]
        order = topological_order(out)
        now = _signature(order, self.params, leaves)
        was_all = self._signature
        for i in range(max(len(now), len(was_all))):
            was = was_all[i] if i < len(was_all) else None
            is_ = now[i] if i < len(now) else None
            if was != is_:
                raise RecordMismatchError(
                    f"node n{i} differs: recorded as {_describe(was, len(was_all))}, now "
                    f"{_describe(is_, len(now))}; the function takes another path for these "
                    "numbers (a Python if or loop on a Value's data), so the recording does "
                    "not apply: record again, or run it eagerly"
                )
        value = self._forward(self.params, self._inputs(inputs, "check"))
        if value != out.data and not (math.isnan(value) and math.isnan(out.data)):
            raise RecordMismatchError(
                f"the replayed output {value!r} differs from the eager {out.data!r}"
            )


def _describe(sig: tuple[Any, ...] | None, size: int) -> str:
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


def _signature(
    order: list[Value], params: Sequence[Value], inputs: Sequence[Value]
) -> list[tuple[Any, ...]]:
    """What each node is, independent of object identity: op and input positions, or leaf kind."""
    topo = {id(v): i for i, v in enumerate(order)}
    prev = [tuple(topo[id(u)] for u in v.inputs) for v in order]
    pidx = {topo[id(p)]: k for k, p in enumerate(params) if id(p) in topo}
    iidx = {topo[id(v)]: k for k, v in enumerate(inputs) if id(v) in topo}
    return _signature_of(order, prev, [v._op for v in order], pidx, iidx)


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


def record(fn: Callable[..., Any], params: Iterable[Value], *example_inputs: Inputs) -> Recorded:
    """Run ``fn(*example_inputs)`` once and record its graph for fast replays.

    ``params`` are the Values whose gradients replays fill in (for example
    ``model.parameters()``); every other leaf is either one of the inputs (numbers or nested
    lists of numbers, passed anew at each replay) or a constant fixed at recording time.
    Inside ``fn`` the inputs arrive as Values, so ``fn`` is ordinary microgrand code.

    ``fn`` may also return a pair ``(loss, extras)``, where ``extras`` is a Value or a
    (nested) list of Values of the same graph, such as the model's outputs: after each replay
    :attr:`Recorded.extras` holds their numbers in the same shape.

    Replays are exact: they perform the same float operations in the same order as
    ``backward()``, so values and gradients are identical to the eager engine's. They are
    only valid while ``fn`` builds the same graph: see :meth:`Recorded.check`.

    Example:
        >>> import microgrand as mg
        >>> model = mg.nn.MLP(2, [4, 1], rng=0)
        >>> def loss(x, y):
        ...     return (model(x) - y) ** 2
        >>> rec = mg.record(loss, model.parameters(), [1.0, -1.0], 0.5)
        >>> model.zero_grad(); eager = loss([0.2, 0.3], 1.0); eager.backward()
        >>> g = [p.grad for p in model.parameters()]
        >>> model.zero_grad(); replay = rec([0.2, 0.3], 1.0)
        >>> replay == eager.data and g == [p.grad for p in model.parameters()]
        True
    """
    if not callable(fn):
        raise TypeError(f"record() needs a function that returns a Value, got {fn!r}")
    plist = list(params)
    for p in plist:
        if not isinstance(p, Value):
            raise TypeError(f"record() params must be Values, got {type(p).__name__}")
        if p._op is not None:
            raise ValueError(
                "record() params must be leaves (parameters made with Value(...)), "
                f"got the output of {p.op}"
            )
    leaves: list[Value] = []
    wrapped = _wrap(list(example_inputs), leaves)
    root, extras = _split(fn(*wrapped))
    if not root.inputs and root._op is None and root not in plist and root not in leaves:
        raise ValueError("record(): the function returned a constant; there is nothing to record")
    return Recorded(fn, plist, example_inputs, root, leaves, extras)


def _split(out: Any) -> tuple[Value, Any]:
    """``fn``'s result as (the Value to differentiate, the extra Values or None)."""
    if isinstance(out, Value):
        return out, None
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], Value):
        return out[0], out[1]
    raise TypeError(
        "record(): the function must return a Value, or a pair (Value, extra Values), got "
        f"{type(out).__name__}"
    )


def _flatten_values(x: Any, out: list[Value]) -> None:
    if isinstance(x, list | tuple):
        for item in x:
            _flatten_values(item, out)
    elif isinstance(x, Value):
        out.append(x)
    else:
        raise TypeError(f"record(): extra results must be Values or lists of Values, got {x!r}")


def _unflatten(shape: Any, flat: Any) -> Any:
    if isinstance(shape, list):
        return [_unflatten(s, flat) for s in shape]
    return next(flat)


class BatchRecordings:
    """Recordings of a training step's batch loss, one per batch shape, replayed batch by batch.

    This is what ``fit(compiled=True)`` and the playground use. ``graph(xs, ys)`` builds the
    loss of one batch — ``xs`` a list of examples, ``ys`` their labels — and returns it, or a
    pair ``(loss, extras)`` as :func:`record` accepts. With ``labels_as_inputs`` the labels are
    inputs of the recording too (a loss whose graph does not depend on the label's number, see
    :data:`microgrand.losses.LABELS_AS_INPUTS`), so one recording serves every batch of the
    same size. Otherwise the labels are constants of the graph: a batch is recorded the second
    time the same labels come in the same order, at most ``limit`` of them, and
    :meth:`step` returns ``None`` for a batch to run eagerly.

    Replays 1, 2, 4, 8, … of each recording are checked against an eager run
    (:meth:`Recorded.check`): a model whose graph depends on its numbers (a Python ``if`` on a
    Value) raises :class:`RecordMismatchError` soon, already at the second batch if the
    branch depends on the examples, at a cost that fades as training goes on.

    Example:
        >>> from microgrand import Value
        >>> w = Value(0.5)
        >>> steps = BatchRecordings(
        ...     lambda xs, ys: sum(((w * x - y) ** 2 for x, y in zip(xs, ys)), Value(0.0)),
        ...     [w], labels_as_inputs=True)
        >>> steps.step([1.0, 2.0], [1.0, 1.0]), w.grad    # recorded, checked, replayed
        (0.25, -1.0)
        >>> w.grad = 0.0
        >>> steps.step([3.0, -1.0], [0.0, 2.0]), w.grad   # other examples, other labels
        (8.5, 14.0)
        >>> steps.recordings
        1
    """

    def __init__(
        self,
        graph: Callable[[Any, Any], Any],
        params: Iterable[Value],
        *,
        labels_as_inputs: bool,
        limit: int = 32,
    ) -> None:
        self.graph = graph
        self.params = list(params)
        self.labels_as_inputs = labels_as_inputs
        self.limit = limit
        self._recs: dict[tuple[Any, ...], Recorded] = {}
        self._seen: set[tuple[Any, ...]] = set()
        self._replays: dict[tuple[Any, ...], int] = {}
        self.extras: Any = None
        """The numbers of the extra Values ``graph`` returned, from the last replay."""

    @property
    def recordings(self) -> int:
        """How many recordings are kept."""
        return len(self._recs)

    def step(self, xs: Inputs, ys: Any) -> float | None:
        """Forward and backward of one batch by replay; ``None`` means: run it eagerly.

        Gradients are **added** to the parameters' ``grad``, as ``backward()`` does.
        """
        key = (len(xs),) if self.labels_as_inputs else (len(xs), repr(ys))
        rec = self._recs.get(key)
        if rec is None:
            wanted = self.labels_as_inputs or key in self._seen
            if not wanted or len(self._recs) >= self.limit:
                if len(self._recs) < self.limit:
                    self._seen.add(key)
                return None
            if self.labels_as_inputs:
                rec = record(self.graph, self.params, xs, ys)
            else:  # the labels stay constants: they belong to this batch
                graph = self.graph
                rec = record(lambda xv: graph(xv, ys), self.params, xs)
            self._recs[key] = rec
        args = (xs, ys) if self.labels_as_inputs else (xs,)
        n = self._replays.get(key, 0) + 1
        self._replays[key] = n
        out = rec(*args, check=n & (n - 1) == 0)  # n is a power of two
        self.extras = rec.extras
        return out
