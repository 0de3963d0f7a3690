"""Record a computation once, replay it on new numbers: the idea behind ``torch.jit.trace``
and ``jax.jit``, on scalars.

Building a graph of :class:`~microgrand.value.Value` objects costs one Python object per
number, every step. But a training step computes the *same* graph every time: only the
numbers change. :func:`record` runs your function once, keeps the graph's structure (which
operation, which inputs), and turns it into a *tape* (:mod:`microgrand.tape`): groups of
alike nodes over one flat list of numbers, the forward pass, then the backward pass in
reverse. A replay creates no Values at all. When NumPy can be imported each group is a few
array operations (:mod:`microgrand.array_tape`: "from scalars to tensors", about ten times
faster); otherwise Python's own C loops (``map``, ``operator.itemgetter``, slices) run it on
floats. Both give the numbers of ``backward()``, bit for bit.

What is recorded is what ran. Python ``if`` statements and loops that look at a Value's
number are decided while recording (as with ``torch.jit.trace``); operations that branch
*inside* a rule (``relu``, ``abs``) stay correct for any input. So the recording also keeps
its *guards* (:mod:`microgrand.guards`): every comparison the function made on a number it
read from a Value, and every such number it used otherwise. Each replay recomputes them from
its own numbers — a few float operations — and when one differs, runs the function eagerly:
if the graph it builds now is not the recorded one, :class:`RecordMismatchError` names the
first node that differs. (Guards cannot see numbers that do not come from a Value — a
global, ``random``, a counter — nor code that asks ``isinstance(x, float)``.) Call with
``check=True`` to compare with an eager run on any replay.

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
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from .array_tape import array_tape_for
from .guards import Guard, Tracer, holds
from .tape import Tape, describe_node, signature
from .value import Value, topological_order

__all__ = ["BatchRecordings", "RecordMismatchError", "Recorded", "record"]

Inputs = Any  # a number, or a (nested) list or tuple of numbers


class RecordMismatchError(ValueError):
    """The graph a function builds now differs from the one :func:`record` recorded."""


def _as_float(x: int | float, where: str) -> float:
    """``float(x)``, or an ``OverflowError`` that says which input is too large."""
    try:
        return float(x)
    except OverflowError:
        bits = x.bit_length() if isinstance(x, int) else 0
        raise OverflowError(
            f"{where}: an input of {bits} bits is too large for a float; inputs are numbers "
            "up to about 1.8e308"
        ) from None


def _flatten(x: Inputs, out: list[float], where: str) -> Any:
    """Append the numbers of ``x`` to ``out``; return its layout (what :func:`_shape` gives)."""
    if isinstance(x, list | tuple):
        if all([v.__class__ is float for v in x]):  # the common case, in one C call
            out.extend(x)
            return [None] * len(x)
        return [_flatten(item, out, where) for item in x]
    if isinstance(x, int | float) and not isinstance(x, bool):
        out.append(_as_float(x, where))
    elif isinstance(x, Value):
        out.append(x.data)
    else:
        raise TypeError(f"{where}: inputs are numbers or (nested) lists of numbers, got {x!r}")
    return None


def _shape(x: Inputs) -> Any:
    if isinstance(x, list | tuple):
        return [_shape(i) for i in x]
    return None


def _wrap(x: Inputs, leaves: list[Value]) -> Any:
    """The inputs with every number replaced by a new leaf Value (collected in ``leaves``)."""
    if isinstance(x, list | tuple):
        return type(x)(_wrap(i, leaves) for i in x)
    v = Value(x.data if isinstance(x, Value) else _as_float(x, "record()"))
    leaves.append(v)
    return v


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

    Every replay checks the recording's *guards* (see :mod:`microgrand.guards`): the
    outcome of each comparison the function made on a Value's number while recording
    (``x.data > 0``), and every number it used otherwise, recomputed from the replayed
    numbers at the cost of a few float operations. When one differs, the step is checked
    eagerly and :class:`RecordMismatchError` is raised if the function now builds another
    graph — a Python ``if`` on a Value can never make a replay silently wrong.

    Attributes:
        params: the parameters whose gradients are filled in.
        nodes: number of nodes in the recorded graph.
        guards: how many guards each replay checks.
        checkable: False when the function read the number of a Value outside the graph of
            its result, which a replay does not compute: then every call runs the function
            eagerly too (:meth:`check`).
        arrays: True when replays run as NumPy array operations
            (:mod:`microgrand.array_tape`), False for the replay on Python floats.

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0)
        >>> rec = record(lambda: a * a + a, [a])
        >>> rec.nodes, rec(), a.grad, rec.guards
        (3, 12.0, 7.0, 0)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        params: Sequence[Value],
        example: tuple[Inputs, ...],
        root: Value,
        input_leaves: list[Value],
        extras: Any = None,
        tracer: Tracer | None = None,
        arrays: bool | None = None,
        trusted: Collection[int] = (),
    ) -> None:
        self.fn = fn
        self._trusted = trusted
        self.params = list(params)
        self._shape = _shape(list(example))
        self._n_inputs = len(input_leaves)
        order = topological_order(root)
        self.nodes = len(order)
        watch: list[Value] = []
        if extras is not None:
            _flatten_values(extras, watch)
        self._extras_shape = None if extras is None else _shape(extras)
        read = list(tracer.nodes.values()) if tracer is not None else []
        # Building the tape allocates many small tuples and no cycles; the cyclic garbage
        # collector would meanwhile scan the whole recorded graph again and again.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            tape = Tape(order, self.params, input_leaves, watch, keep=read)
            self._signature = tape.signature
            del order
            self._tape: Any = tape
            self.arrays = False
            if arrays is not False:
                runner = array_tape_for(tape, required=arrays is True)
                if runner is not None:
                    self._tape, self.arrays = runner, True
        finally:
            if gc_was_on:
                gc.enable()
        # The guards, with each node named by its slot in the replay's numbers. Each path is
        # the guards of one run of the function known to build the recorded graph: the
        # recording's own, then those of eager checks that found the same graph (at most
        # _PATHS of them), so that a comparison that does not change the graph (say, an
        # accuracy computed inside the function) costs one eager check per new outcome.
        self._topo_slots = tape.topo_slots
        self.checkable = all(id(v) in tape.keep_slots for v in read)
        self._paths: list[list[Guard]] = []
        if self.checkable:
            self._paths.append(_to_slots(tracer.guards if tracer else [], tape.keep_slots))
        self.guards = len(self._paths[0]) if self._paths else 0
        self._guard_slots = sorted(set(tape.keep_slots.values()))
        self.extras: Any = None
        """The numbers of the extra Values ``fn`` returned, from the last replay (or None)."""

    def _keep_extras(self, vals: Any) -> None:
        if self._extras_shape is not None:
            flat = iter(self._tape.read(vals, self._tape.watch_slots))
            self.extras = _unflatten(self._extras_shape, flat)

    def _guard(self, vals: Any, inputs: tuple[Inputs, ...]) -> None:
        """Check the guards on a replay's numbers; when no known path holds, check eagerly."""
        if not self.checkable:
            return  # checked eagerly before the replay
        get = self._tape.number_getter(vals, self._guard_slots)
        if not any(holds(path, get) for path in self._paths):
            self._check(inputs, learn=True)  # raises when the function builds another graph

    def _step(
        self, params: list[Value], flat: list[float], inputs: tuple[Inputs, ...]
    ) -> tuple[float, bool]:
        vals = self._tape.forward(params, flat)
        self._guard(vals, inputs)
        out = self._tape.read(vals, [self._tape.root])[0]
        finite = self._tape.backward(vals, params)
        self._keep_extras(vals)
        return out, finite

    def _forward(self, params: list[Value], flat: list[float]) -> Any:
        vals = self._tape.forward(params, flat)
        self._keep_extras(vals)
        return vals

    def _inputs(self, inputs: tuple[Inputs, ...], where: str) -> list[float]:
        flat: list[float] = []
        layout = _flatten(list(inputs), flat, where)
        if len(flat) != self._n_inputs or layout != self._shape:
            raise ValueError(
                f"{where}: the inputs have another shape than when recorded "
                f"({len(flat)} numbers, recorded with {self._n_inputs}); record again for "
                "new shapes"
            )
        return flat

    def __call__(self, *inputs: Inputs, check: bool = False) -> float:
        """Forward and backward on the current parameters and ``inputs``; returns the output."""
        flat = self._inputs(inputs, "replay")
        if check or not self.checkable:
            self.check(*inputs)
        before = [p.grad for p in self.params]
        try:
            out, finite = self._step(self.params, flat, inputs)
        except (ArithmeticError, ValueError) as err:
            if isinstance(err, RecordMismatchError):
                raise
            # A domain error (division by zero, log of a negative number…): run eagerly, so
            # that the error names the operation and its operands as the engine does.
            self._eager(inputs).backward()
            raise _failed_only_in_replay(err) from err
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
        if not self.checkable:
            self.check(*inputs)
        try:
            vals = self._forward(self.params, flat)
            self._guard(vals, inputs)
        except (ArithmeticError, ValueError) as err:
            if isinstance(err, RecordMismatchError):
                raise
            self._eager(inputs)
            raise _failed_only_in_replay(err) from err
        out: float = self._tape.read(vals, [self._tape.root])[0]
        return out

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
        self._check(inputs, learn=False)

    def _check(self, inputs: tuple[Inputs, ...], *, learn: bool) -> None:
        leaves: list[Value] = []
        wrapped: list[Any] = []
        varying = {id(p) for p in self.params}
        for k, x in enumerate(inputs):
            start = len(leaves)
            wrapped.append(_wrap(x, leaves))
            if k not in self._trusted:
                varying.update(id(v) for v in leaves[start:])
        with Tracer(varying) as tracer:
            out = _split(self.fn(*wrapped))[0]
        order = topological_order(out)
        now = signature(order, self.params, leaves)
        was_all = self._signature
        for i in range(max(len(now), len(was_all))):
            was = was_all[i] if i < len(was_all) else None
            is_ = now[i] if i < len(now) else None
            if was != is_:
                raise RecordMismatchError(
                    f"node n{i} differs: recorded as {describe_node(was, len(was_all))}, now "
                    f"{describe_node(is_, len(now))}; the function takes another path for these "
                    "numbers (a Python if or loop on a Value's data), so the recording does "
                    "not apply: record again, or run it eagerly"
                )
        vals = self._forward(self.params, self._inputs(inputs, "check"))
        value = self._tape.read(vals, [self._tape.root])[0]
        if value != out.data and not (math.isnan(value) and math.isnan(out.data)):
            raise RecordMismatchError(
                f"the replayed output {value!r} differs from the eager {out.data!r}"
            )
        if learn and len(self._paths) < _PATHS:  # this run's path builds the recorded graph
            topo = {id(v): i for i, v in enumerate(order)}
            slots = {key: self._topo_slots[topo[key]] for key in tracer.nodes if key in topo}
            if all(slots.get(key, -1) >= 0 for key in tracer.nodes):
                self._paths.append(_to_slots(tracer.guards, slots))
                self._guard_slots = sorted({*self._guard_slots, *slots.values()})


def _failed_only_in_replay(err: Exception) -> RecordMismatchError:
    return RecordMismatchError(
        f"the replay failed ({type(err).__name__}: {err}) where running the function eagerly "
        "did not: the function takes another path for these numbers (a Python if or loop on "
        "a Value's data, decided before the failing operation), so the recording does not "
        "apply: record again, or run it eagerly"
    )


_PATHS = 16  # the most paths a recording keeps (see Recorded.__init__)


def _to_slots(guards: list[Guard], slots: dict[int, int]) -> list[Guard]:
    """Guards with each node's id replaced by its slot."""
    return [(kind, _expr_to_slots(expr, slots), want) for kind, expr, want in guards]


def _expr_to_slots(expr: Any, slots: dict[int, int]) -> Any:
    if expr[0] == "node":
        return ("node", slots[expr[1]])
    if expr[0] == "const":
        return expr
    return (expr[0], *[_expr_to_slots(e, slots) for e in expr[1:]])


def record(
    fn: Callable[..., Any],
    params: Iterable[Value],
    *example_inputs: Inputs,
    arrays: bool | None = None,
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
    ``backward()``, so values and gradients are identical to the eager engine's. With
    ``arrays`` (the default when NumPy can be imported; ``arrays=False`` for the replay on
    Python floats) they run as NumPy array operations, one per group of alike nodes — about
    ten times faster, with the same numbers (see :mod:`microgrand.array_tape`). They are
    only valid while ``fn`` builds the same graph: every replay checks the decisions ``fn``
    took by looking at numbers (its guards, see :class:`Recorded`).

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
    return _record(fn, params, example_inputs, trusted=(), arrays=arrays)


def _record(
    fn: Callable[..., Any],
    params: Iterable[Value],
    example_inputs: tuple[Inputs, ...],
    *,
    trusted: Collection[int],
    arrays: bool | None,
) -> Recorded:
    """:func:`record`; the numbers of the inputs at positions ``trusted`` (labels of a loss
    whose graph does not depend on them) are read without guards."""
    if not callable(fn):
        raise TypeError(f"record() needs a function that returns a Value, got {fn!r}")
    if arrays is not None and not isinstance(arrays, bool):
        raise TypeError(f"arrays must be True, False or None, got {arrays!r}")
    plist = list(params)
    for p in plist:
        if not isinstance(p, Value):
            raise TypeError(f"record() params must be Values, got {type(p).__name__}")
        if p.rule is not None:
            raise ValueError(
                "record() params must be leaves (parameters made with Value(...)), "
                f"got the output of {p.op}"
            )
    leaves: list[Value] = []
    wrapped: list[Any] = []
    varying = {id(p) for p in plist}
    for k, x in enumerate(example_inputs):
        start = len(leaves)
        wrapped.append(_wrap(x, leaves))
        if k not in trusted:
            varying.update(id(v) for v in leaves[start:])
    with Tracer(varying) as tracer:
        out = fn(*wrapped)
    root, extras = _split(out)
    if not root.inputs and root.rule is None and root not in plist and root not in leaves:
        raise ValueError("record(): the function returned a constant; there is nothing to record")
    return Recorded(fn, plist, example_inputs, root, leaves, extras, tracer, arrays, trusted)


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


BREAK_EVEN = 20
"""How many replays must follow before :class:`BatchRecordings` records a batch shape. Recording
a training step (one watched eager forward pass, then laying out the tape) costs about 15
eager steps of micrograd's demo network on 100 points, and a replay about 0.03 of one, so
recording pays from about 16 replays on; 20 leaves a margin (``benchmarks/run.py`` measures
``fit(compiled=True)`` against eager at 1, 5, 11 and 60 epochs)."""


class BatchRecordings:
    """Recordings of a training step's batch loss, one per batch shape, replayed batch by batch.

    This is what ``fit(compiled=True)`` and the playground use. ``graph(xs, ys)`` builds the
    loss of one batch — ``xs`` a list of examples, ``ys`` their labels — and returns it, or a
    pair ``(loss, extras)`` as :func:`record` accepts. With ``labels_as_inputs`` the labels are
    inputs of the recording too (a loss whose graph does not depend on the label's number, see
    :data:`microgrand.losses.LABELS_AS_INPUTS`: the loss may read the labels' numbers without
    guards), so one recording serves every batch of the same size. Otherwise the labels are
    constants of the graph, and a recording serves the batches with the same labels in the
    same order, at most ``limit`` of them.

    When the caller says how many steps of a shape remain (``fit`` does), the shape is
    recorded as soon as at least ``break_even`` replays will follow (see
    :data:`BREAK_EVEN`), so a short run stays eager and is never slower than one; otherwise
    (the playground) a batch is recorded the second time its shape comes, so a single step
    costs what an eager step costs. With labels in the graph a batch is recorded only when
    the same labels come again. :meth:`step` returns ``None`` for a batch to run eagerly.

    Every replay checks the recording's guards (see :class:`Recorded`): a model whose graph
    depends on its numbers (a Python ``if`` on a Value) raises :class:`RecordMismatchError`
    at the first batch that takes another path. A recording that
    could only be checked by running the step eagerly (the function read the number of a
    Value outside the loss's graph) is not kept: those batches run eagerly. ``arrays`` is
    passed to :func:`record` (NumPy array replays when NumPy can be imported).

    Example:
        >>> from microgrand import Value
        >>> w = Value(0.5)
        >>> steps = BatchRecordings(
        ...     lambda xs, ys: sum(((w * x - y) ** 2 for x, y in zip(xs, ys)), Value(0.0)),
        ...     [w], labels_as_inputs=True)
        >>> steps.step([1.0, 2.0], [1.0, 1.0]) is None    # first sight: run it eagerly
        True
        >>> steps.step([1.0, 2.0], [1.0, 1.0]), w.grad    # recorded and replayed
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
        arrays: bool | None = None,
        break_even: int = BREAK_EVEN,
    ) -> None:
        self.graph = graph
        self.break_even = break_even
        self.params = list(params)
        self.labels_as_inputs = labels_as_inputs
        self.limit = limit
        self.arrays = arrays
        self._recs: dict[tuple[Any, ...], Recorded] = {}
        self._seen: set[tuple[Any, ...]] = set()
        self._refused: set[tuple[Any, ...]] = set()
        self.extras: Any = None
        """The numbers of the extra Values ``graph`` returned, from the last replay."""

    @property
    def recordings(self) -> int:
        """How many recordings are kept."""
        return len(self._recs)

    def step(self, xs: Inputs, ys: Any, *, remaining: int | None = None) -> float | None:
        """Forward and backward of one batch by replay; ``None`` means: run it eagerly.

        Gradients are **added** to the parameters' ``grad``, as ``backward()`` does.
        ``remaining``: how many more batches of this shape will follow (None: unknown, as
        in the playground; then a recording is made at the second sight).
        """
        key = (len(xs),) if self.labels_as_inputs else (len(xs), repr(ys))
        rec = self._recs.get(key)
        if rec is None:
            # Known to come back often enough: record now; unknown: at the second sight.
            wanted = key in self._seen or (self.labels_as_inputs and remaining is not None)
            too_few = remaining is not None and remaining < self.break_even
            if too_few or not wanted or key in self._refused or len(self._recs) >= self.limit:
                if len(self._seen) < 4 * self.limit:
                    self._seen.add(key)
                return None
            rec = self._record(xs, ys)
            if not rec.checkable:
                self._refused.add(key)
                return None
            self._recs[key] = rec
        args = (xs, ys) if self.labels_as_inputs else (xs,)
        out = rec(*args)
        self.extras = rec.extras
        return out

    def _record(self, xs: Inputs, ys: Any) -> Recorded:
        if self.labels_as_inputs:
            return _record(self.graph, self.params, (xs, ys), trusted={1}, arrays=self.arrays)
        graph = self.graph  # the labels stay constants: they belong to this batch
        return _record(lambda xv: graph(xv, ys), self.params, (xs,), trusted=(), arrays=self.arrays)
