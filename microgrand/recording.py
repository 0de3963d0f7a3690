"""Record a computation once, replay it on new numbers: the idea behind ``torch.jit.trace``
and ``jax.jit``, on scalars.

Building a graph of :class:`~microgrand.value.Value` objects costs one Python object per
number, every step. But a training step computes the *same* graph every time: only the
numbers change. :func:`record` runs your function once, keeps the graph's structure (which
operation, which inputs), and turns it into straight-line Python code on plain floats — the
forward pass, then the backward pass in reverse order. Replaying it costs a few float
operations per node and creates no Values at all.

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
# The recorded graph is renumbered so that every group of nodes that can be computed together
# (the same operation, the same number of inputs, the same depth in the graph) sits in one
# contiguous slice of a list of floats. The forward pass is then one ``map`` per group, run
# by C loops: ``vals[s:e] = map(forward, gather(inputs 0), gather(inputs 1))``. The backward
# pass does the same in reverse: each group's contributions ``local · grad`` go into a list
# of edge contributions, and each node's gradient is the sum of its edges' contributions in
# exactly the order ``backward()`` adds them, so the results are identical, bit for bit.

# Operations whose forward function is a C function with the rule's exact meaning, and whose
# local derivatives are the constants 1 and -1 or the other input (``mul``).
_C_FORWARD: dict[str, Callable[..., float]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "neg": operator.neg,
}
_ONE, _MINUS = "one", "minus"
_CONSTANT_LOCAL: dict[str, tuple[str, ...]] = {
    "add": (_ONE, _ONE),
    "sub": (_ONE, _MINUS),
    "neg": (_MINUS,),
}


def _scaled(local: float, grad: float) -> float:
    # backward() skips a node whose gradient is 0, so an infinite local derivative there
    # contributes nothing (not inf · 0 = nan).
    return local * grad if grad != 0.0 else 0.0


def _locals(
    g: _Group, k: int, vals: list[float], locs: list[tuple[float, ...]] | None
) -> list[float]:
    if locs is None:  # mul
        return [vals[j] for j in g.inputs[1 - k]]
    return [t[k] for t in locs]


def _accumulate(values: Iterable[float]) -> float:
    return reduce(operator.add, values)


@dataclass(slots=True)
class _Group:
    start: int  # the group's nodes are vals[start:stop]
    stop: int
    rule: Rule
    inputs: list[list[int]]  # inputs[k][i]: position of input k of node start + i
    edges: list[int]  # edges[k]: first edge id of input k (edges of one k are contiguous)
    needs: list[bool]  # needs[k]: does any input k need a gradient?
    edge_lists: list[list[int]] | None = None  # per node: its consumers' edge ids, in order
    single: list[int] | None = None  # when every node has exactly one consumer edge


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
        prev = [tuple(topo[id(u)] for u in v.inputs) for v in order]
        rules = [v._op for v in order]
        pidx = {topo[id(p)]: k for k, p in enumerate(params) if id(p) in topo}
        iidx = {topo[id(v)]: k for k, v in enumerate(inputs) if id(v) in topo}
        # 1. Leaves first: parameters, then inputs, then constants.
        leaves = [i for i in range(n) if rules[i] is None]
        leaves_p = [i for i in leaves if i in pidx]
        leaves_i = [i for i in leaves if i in iidx and i not in pidx]
        leaves_c = [i for i in leaves if i not in pidx and i not in iidx]
        self.param_slots = [pidx[i] for i in leaves_p]  # parameter index of slot k
        self.input_slots = [iidx[i] for i in leaves_i]
        self.n_params, self.n_inputs = len(leaves_p), len(leaves_i)
        self.constants = [order[i].data for i in leaves_c]
        slot = [0] * n
        for k, i in enumerate([*leaves_p, *leaves_i, *leaves_c]):
            slot[i] = k
        # 2. Operations grouped by (depth, rule, arity), groups in order of depth, then of
        # first appearance (dicts keep insertion order, and order is topological).
        depth = [0] * n
        buckets: dict[tuple[int, int, int], list[int]] = {}
        for i in range(n):
            ins = prev[i]
            if rules[i] is None:
                continue
            d = 1 + max([depth[j] for j in ins])
            depth[i] = d
            key = (d, id(rules[i]), len(ins))
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [i]
            else:
                bucket.append(i)
        keys = sorted(buckets, key=lambda k: k[0])  # stable: first appearance within a depth
        nxt = len(leaves)
        for key in keys:
            for i in buckets[key]:
                slot[i] = nxt
                nxt += 1
        self.size = nxt
        self.root = slot[n - 1]
        missing = [v for v in watch if id(v) not in topo]
        if missing:
            raise ValueError(
                "record(): the extra Values the function returns must be part of the graph of "
                f"its first result (the loss); {len(missing)} of them are not"
            )
        self.watch_slots = [slot[topo[id(v)]] for v in watch]
        # 3. Which nodes need a gradient: the parameters and what is computed from them.
        need_t = [i in pidx for i in range(n)]
        for i in range(n):
            if rules[i] is not None:
                need_t[i] = any([need_t[j] for j in prev[i]])
        need = [False] * self.size
        for i in range(n):
            need[slot[i]] = need_t[i]
        # 4. Groups and edges (edge ids contiguous per group and input position). Each node's
        # contributions are summed in the order backward() adds them: consumers from the last
        # in topological order to the first, and a consumer's inputs in order.
        self.groups: list[_Group] = []
        consumers: list[list[tuple[int, int, int]]] = [[] for _ in range(self.size)]
        n_edges = 0
        for key in keys:
            members = buckets[key]
            arity = key[2]
            rule = rules[members[0]]
            assert rule is not None
            group_ins = [[slot[prev[i][k]] for i in members] for k in range(arity)]
            edges = []
            for k in range(arity):
                edges.append(n_edges)
                for i, j in zip(members, group_ins[k], strict=True):
                    if need[j]:
                        consumers[j].append((-i, k, n_edges))
                    n_edges += 1
            needs_k = [any([need[j] for j in group_ins[k]]) for k in range(arity)]
            first = slot[members[0]]
            self.groups.append(
                _Group(first, first + len(members), rule, group_ins, edges, needs_k)
            )
        self.n_edges = n_edges
        order_of = [[e for _, _, e in sorted(c)] if len(c) > 1 else [c[0][2]] if c else []
                    for c in consumers]
        for g in self.groups:
            if not any(need[g.start : g.stop]):
                continue
            lists = order_of[g.start : g.stop]
            if all(len(x) == 1 for x in lists):
                g.single = [x[0] for x in lists]
            else:
                g.edge_lists = lists
        self.param_edges = order_of[: len(leaves_p)]
        self.signature = _signature_of(order, prev, rules, pidx, iidx)

    def forward(self, params: Sequence[Value], inputs: Sequence[float]) -> list[float]:
        vals = [0.0] * self.size
        n_p, n_i = self.n_params, self.n_inputs
        vals[:n_p] = [params[k].data for k in self.param_slots]
        vals[n_p : n_p + n_i] = [inputs[k] for k in self.input_slots]
        vals[n_p + n_i : n_p + n_i + len(self.constants)] = self.constants
        get = vals.__getitem__
        for g in self.groups:
            fwd = _C_FORWARD.get(g.rule.name) if g.rule.param is None else None
            args = [map(get, idx) for idx in g.inputs]
            vals[g.start : g.stop] = list(map(fwd or g.rule.forward, *args))
        return vals

    def backward(self, vals: list[float], params: Sequence[Value]) -> None:
        grads = [0.0] * self.size
        contrib = [0.0] * self.n_edges
        get_v, get_c = vals.__getitem__, contrib.__getitem__
        grads[self.root] = 1.0
        for g in reversed(self.groups):
            if g.single is not None:
                grads[g.start : g.stop] = list(map(get_c, g.single))
            elif g.edge_lists is not None:
                grads[g.start : g.stop] = [
                    _accumulate(map(get_c, ids)) if ids else grads[g.start + i]
                    for i, ids in enumerate(g.edge_lists)
                ]
            else:
                continue  # nothing here needs a gradient
            name = g.rule.name if g.rule.param is None else ""
            gout = grads[g.start : g.stop]
            n = g.stop - g.start
            constant = _CONSTANT_LOCAL.get(name)
            locs: list[tuple[float, ...]] | None = None
            for k in range(len(g.inputs)):
                if not g.needs[k]:
                    continue
                e = g.edges[k]
                if constant is not None:
                    contrib[e : e + n] = gout if constant[k] == _ONE else list(
                        map(operator.neg, gout)
                    )
                else:
                    if name == "mul":  # the local derivative is the other input
                        local: Iterable[float] = map(get_v, g.inputs[1 - k])
                    else:
                        if locs is None:
                            ins = [map(get_v, i) for i in g.inputs]
                            locs = list(map(g.rule.local, vals[g.start : g.stop], *ins))
                        local = map(operator.itemgetter(k), locs)
                    part = list(map(operator.mul, local, gout))
                    if not math.isfinite(sum(part)):  # inf · 0 where backward() adds nothing
                        local_k = _locals(g, k, vals, locs)
                        part = [_scaled(x, y) for x, y in zip(local_k, gout, strict=True)]
                    contrib[e : e + n] = part
        for slot, k in enumerate(self.param_slots):
            ids = self.param_edges[slot]
            if ids:
                params[k].grad = reduce(operator.add, map(get_c, ids), params[k].grad)
        if self.root < self.n_params:  # the output is itself a parameter
            p = params[self.param_slots[self.root]]
            p.grad += 1.0


class Recorded:
    """A recorded computation; call it to replay forward and backward on new numbers.

    ``rec(*inputs)`` sets the leaves to the parameters' current ``data`` and to ``inputs``,
    computes the output, and **adds** d output / d parameter to each parameter's ``grad``
    (as ``backward()`` does: call ``zero_grad`` between steps). It returns the output as a
    float. ``rec.forward(*inputs)`` computes the output only. ``check=True`` also runs the
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
        self._tape = _Tape(order, self.params, input_leaves, watch)
        self._signature = self._tape.signature
        self.extras: Any = None
        """The numbers of the extra Values ``fn`` returned, from the last replay (or None)."""

    def _keep_extras(self, vals: list[float]) -> None:
        if self._extras_shape is not None:
            flat = iter([vals[k] for k in self._tape.watch_slots])
            self.extras = _unflatten(self._extras_shape, flat)

    def _step(self, params: list[Value], inputs: list[float]) -> float:
        vals = self._tape.forward(params, inputs)
        out = vals[self._tape.root]
        self._tape.backward(vals, params)
        self._keep_extras(vals)
        return out

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
        try:
            return self._step(self.params, flat)
        except (ArithmeticError, ValueError):
            # A domain error (division by zero, log of a negative number…): run eagerly, so
            # that the error names the operation and its operands as the engine does.
            self._eager(inputs).backward()
            raise  # pragma: no cover - the eager run raises first

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


def record(
    fn: Callable[..., Any], params: Iterable[Value], *example_inputs: Inputs
) -> Recorded:
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
