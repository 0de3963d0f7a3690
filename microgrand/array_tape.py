"""The recorded step as arrays: a tape's groups run as NumPy operations, one per group.

:mod:`microgrand.tape` lays a recorded graph out as groups of alike nodes — the same
operation, the same number of inputs, the same depth — over one flat list of numbers. Here
that list is a NumPy array, and each group is a handful of array operations:

* **forward**: gather each input of the group's nodes (a slice where the layout made them
  evenly spaced, ``vals[index]`` otherwise), one vector operation, one write
  ``vals[start:stop] = out``;
* **backward**, groups in reverse: each node's gradient is the sum of its consumers'
  contributions, added with ``np.bincount(owner, weights=contrib[positions])`` (one pass, in
  ``backward()``'s order), then ``contrib[edge:edge + m] = local × gradient`` for each input.

This is "from scalars to tensors" in one step: the graph of 41,000 scalar nodes of a
2-16-16-1 network on 100 points becomes about 40 groups, so a step costs a few hundred NumPy
calls instead of tens of thousands of Python float operations.

**The numbers are the scalar replay's, bit for bit.** Every addition happens in the order
``backward()`` uses (``np.add.accumulate`` and ``np.bincount`` add strictly in order, where
``np.sum`` would add pairwise); ``+ − × ÷``, negation, ``relu``, ``leaky_relu``, ``abs`` and
``sqrt`` are exactly rounded in IEEE 754 and so equal whatever computes them; every other
rule (``exp``, ``tanh``, ``log``, powers…) calls the rule's own Python function on each
element, because NumPy's vectorised ``exp`` or ``tanh`` may differ from the C library's in
the last bit. The one sum whose order differs is ``vsum`` (the ``Σ`` rule), which the engine
computes with ``rules.exact_sum`` (``math.fsum``), exactly rounded: here each sum is split
into high parts that add up without rounding and small low parts whose rounding error is
bounded, and each sum whose rounding that bound cannot decide (a few in a thousand) is
recomputed with ``exact_sum``; the result equals it bit for bit. Non-finite numbers behave
as in the scalar replay: a forward pass with an infinity or NaN raises ``OverflowError``
(the recording then runs the step eagerly to name the operation), and a non-finite gradient
is reported by
:meth:`ArrayTape.backward` returning False.

Nothing here is public API: :func:`microgrand.record` uses it when NumPy can be imported.
NumPy is imported only when an array tape is built (``import microgrand`` does not).

Example:
    >>> from microgrand import Value
    >>> from microgrand.tape import Tape
    >>> from microgrand.value import topological_order
    >>> w = Value(3.0)
    >>> out = (w * w).tanh() + w
    >>> tape = array_tape_for(Tape(topological_order(out), [w], []), required=True)
    >>> vals = tape.forward([w], [])
    >>> tape.read(vals, [tape.root]) == [out.data], tape.backward(vals, [w])
    (True, True)
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from .rules import exact_sum
from .tape import Tape
from .value import Value

__all__ = ["ArrayTape", "array_tape_for"]


def array_tape_for(tape: Tape, *, required: bool) -> ArrayTape | None:
    """The array replay of ``tape``, or None when NumPy cannot be imported.

    ``required=True`` raises ``ImportError`` instead of returning None.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.value import topological_order
        >>> w = Value(1.0)
        >>> t = array_tape_for(Tape(topological_order(w * 2.0), [w], []), required=False)
        >>> t is None or t.size == 3
        True
    """
    try:
        import numpy
    except ImportError:
        if required:
            raise ImportError(
                "arrays=True needs NumPy (pip install numpy); arrays=False replays on floats"
            ) from None
        return None
    return ArrayTape(tape, numpy)


def _index(np: Any, positions: Sequence[int]) -> Any:
    """A slice where the positions are evenly spaced (a view, no copy), else an index array."""
    first = positions[0]
    step = positions[1] - first if len(positions) > 1 else 1
    if step > 0 and all(b - a == step for a, b in itertools.pairwise(positions)):
        return slice(first, positions[-1] + 1, step)
    return np.array(positions, dtype=np.intp)


# Rules whose forward and local derivatives are exactly rounded IEEE operations, written as
# array operations: (forward(np, xs, param), local(np, out, xs, param, k)). Every other rule
# calls its Python functions element by element.
def _where_pos(np: Any, x: Any, a: Any, b: Any) -> Any:
    return np.where(x > 0.0, a, b)


_EXACT: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "mul": (lambda np, xs, p: xs[0] * xs[1], lambda np, out, xs, p, k: xs[1 - k]),
    "div": (
        lambda np, xs, p: xs[0] / xs[1],
        lambda np, out, xs, p, k: 1.0 / xs[1] if k == 0 else -out / xs[1],
    ),
    "relu": (
        lambda np, xs, p: _where_pos(np, xs[0], xs[0], 0.0),
        lambda np, out, xs, p, k: _where_pos(np, xs[0], 1.0, 0.0),
    ),
    "leaky_relu": (
        lambda np, xs, p: _where_pos(np, xs[0], xs[0], p * xs[0]),
        lambda np, out, xs, p, k: _where_pos(np, xs[0], 1.0, p),
    ),
    "abs": (
        lambda np, xs, p: np.abs(xs[0]),
        lambda np, out, xs, p, k: np.where(xs[0] > 0.0, 1.0, np.where(xs[0] < 0.0, -1.0, 0.0)),
    ),
    "sqrt": (
        lambda np, xs, p: np.sqrt(xs[0]),
        lambda np, out, xs, p, k: np.where(out != 0.0, 0.5 / out, np.inf),
    ),
}


class _Group:
    """One group of the tape as array operations (see the module docstring)."""

    __slots__ = (
        "edges", "exact", "flat", "gather", "kind", "m", "matrix", "needs", "owner", "param",
        "root", "rule", "start", "stop",
    )  # fmt: skip

    def __init__(self, np: Any, g: Any) -> None:
        self.start, self.stop = g.start, g.stop
        self.m = g.stop - g.start
        self.rule = g.rule
        self.param = None if g.rule is None else g.rule.param
        self.edges, self.needs, self.root = g.edges, g.needs, g.root
        assert g.in_pos is not None
        self.gather = [_index(np, pos) for pos in g.in_pos]
        name = "fold" if g.rule is None else g.rule.name
        self.exact = _EXACT.get(name)
        # "fold": a chain of additions (left fold); "fsum": vsum; "sub", "neg": the
        # contributions are ±gradient; otherwise the rule's local derivatives.
        self.kind = name if name in ("fold", "sub", "neg") else "fsum" if name == "sum" else ""
        self.matrix = np.array(g.in_pos, dtype=np.intp) if self.kind in ("fold", "fsum") else None
        # Where the gradients come from: a gather (one consumer each), or a bincount.
        self.flat: Any = None
        self.owner: Any = None
        if g.grad_pos is not None:
            if all(len(c) == 1 for c in g.grad_pos):
                self.flat = _index(np, [c[0] for c in g.grad_pos])
            else:
                self.flat = np.array([e for c in g.grad_pos for e in c], dtype=np.intp)
                self.owner = np.repeat(np.arange(self.m), [len(c) for c in g.grad_pos])


class ArrayTape:
    """A :class:`~microgrand.tape.Tape` replayed as NumPy array operations, group by group.

    Same interface as the scalar tape: :meth:`forward` returns the numbers of every node
    (an array), :meth:`backward` adds the gradients to the parameters and returns whether
    they are finite. See the module docstring for why the numbers are the same.

    Example:
        >>> from microgrand import Value, vsum
        >>> from microgrand.value import topological_order
        >>> a, b = Value(0.1), Value(0.2)
        >>> out = vsum([a * a, a * b, b * b, 0.3])
        >>> tape = ArrayTape(Tape(topological_order(out), [a, b], []), __import__("numpy"))
        >>> tape.read(tape.forward([a, b], []), [tape.root]) == [out.data]
        True
    """

    def __init__(self, tape: Tape, np: Any) -> None:
        self.np = np
        self.size, self.root, self.n_edges = tape.size, tape.root, tape.n_edges
        self.n_params, self.n_inputs = tape.n_params, tape.n_inputs
        self.param_slots = list(tape.param_slots)
        self.input_slots = np.array(tape.input_slots, dtype=np.intp)
        self.constants = np.array(tape.constants, dtype=np.float64)
        self.watch_slots = tape.watch_slots
        self.keep_slots = tape.keep_slots
        self.groups = [_Group(np, g) for g in tape.groups]
        # The parameters' gradients: each parameter's previous grad, then its contributions
        # in backward()'s order, added by one bincount.
        pos = tape.param_pos
        self.grad_params = [k for k, _ in pos]
        n = len(pos)
        self.grad_flat = np.array([e for _, c in pos for e in c], dtype=np.intp)
        self.grad_owner = np.concatenate(
            [np.arange(n), np.repeat(np.arange(n), [len(c) for _, c in pos])]
        ).astype(np.intp)
        self.root_param = self.param_slots[self.root] if self.root < self.n_params else None

    def read(self, vals: Any, slots: Sequence[int]) -> list[float]:
        """The numbers at ``slots`` of a replay's ``vals``, as Python floats."""
        out: list[float] = vals[list(slots)].tolist()
        return out

    def number_getter(self, vals: Any, slots: Sequence[int]) -> Callable[[int], float]:
        """``get(slot)``: a node's number in a replay's ``vals``, for ``slots`` (the guards'),
        read from the array in one call."""
        got: dict[int, float] = dict(zip(slots, vals[list(slots)].tolist(), strict=True))
        return got.__getitem__

    def forward(self, params: Sequence[Value], inputs: Sequence[float]) -> Any:
        """Every node's number: parameters, inputs, constants, then group by group."""
        np = self.np
        vals = np.empty(self.size)
        n_p, n_i = self.n_params, self.n_inputs
        vals[:n_p] = [params[k].data for k in self.param_slots]
        if n_i:
            vals[n_p : n_p + n_i] = np.asarray(inputs, dtype=np.float64)[self.input_slots]
        vals[n_p + n_i : n_p + n_i + len(self.constants)] = self.constants
        with np.errstate(all="ignore"):
            for g in self.groups:
                vals[g.start : g.stop] = self._forward_group(g, vals)
            # The engine refuses infinities and NaN in the forward pass; a replay finds them
            # here, all at once (the recording then runs eagerly to name the operation).
            if not np.isfinite(vals).all():
                raise OverflowError("replay: a value became infinite or NaN")
        return vals

    def _forward_group(self, g: _Group, vals: Any) -> Any:
        np = self.np
        if g.kind == "fold":  # ((t0 + t1) + t2) + …, in order
            terms = vals[g.matrix]
            if g.m < 8:  # few long chains: Python's own left fold per chain
                return [functools.reduce(operator.add, t) for t in terms.T.tolist()]
            out = terms[0] + terms[1]
            for t in terms[2:]:
                out += t
            return out
        if g.kind == "fsum":
            return self._fsums(vals[g.matrix])
        xs = [vals[ix] for ix in g.gather]
        if g.kind == "sub":
            return xs[0] - xs[1]
        if g.kind == "neg":
            return -xs[0]
        if g.exact is not None:
            return g.exact[0](np, xs, g.param)
        assert g.rule is not None
        return np.array(list(map(g.rule.forward, *[x.tolist() for x in xs])), dtype=np.float64)

    def _fsums(self, terms: Any) -> Any:
        """``math.fsum`` of each column of ``terms``, bit for bit (see the module docstring).

        Each column's terms are split at a power of two ``σ`` above their sum's reach: the
        high parts ``(σ + t) - σ`` are multiples of one unit and add up exactly in any
        order; the low parts ``t - high`` are exact and tiny, and their sum's rounding error
        is bounded. The sum is then right unless that bound reaches a halfway point between
        two doubles: those columns (and any with extreme exponents) use ``math.fsum``.
        """
        np = self.np
        k = len(terms)
        if k < 2:
            return terms[0] + 0.0
        if terms.shape[1] <= 4:  # a few sums (a mean, a penalty): math.fsum is quicker
            return np.array([exact_sum(c) for c in terms.T.tolist()], dtype=np.float64) + 0.0
        top = np.frexp(np.abs(terms).max(axis=0))[1]  # max |t| < 2**top
        power = top + (k.bit_length() + 1)  # σ = 2**power >= 2·k·max |t|
        sigma = np.ldexp(1.0, power)
        high = (terms + sigma) - sigma
        exact_high = high.sum(axis=0)  # multiples of σ·2**-53 below σ: no rounding
        low = terms - high
        bound = np.abs(low).sum(axis=0) * (k * 2.0**-52)  # |low_sum - Σ low| <= (k-1)·u·Σ|low|
        if k <= 4:  # few terms: add the low parts with TwoSum, to see when nothing was lost
            low_sum, lost = low[0], 0.0
            for t in low[1:]:
                s = low_sum + t
                z = s - low_sum
                lost = lost + np.abs((low_sum - (s - z)) + (t - z))
                low_sum = s
            bound[lost == 0.0] = 0.0
        else:
            low_sum = low.sum(axis=0)
        r = exact_high + low_sum
        z = r - exact_high
        rest = (exact_high - (r - z)) + (low_sum - z)  # r + rest == exact_high + low_sum
        half = np.spacing(np.abs(r)) / 2  # to the halfway point away from zero
        half[np.abs(np.frexp(r)[0]) == 0.5] /= 2  # a power of two: the gap below is half
        # With nothing lost, r is the exact sum rounded to nearest, ties to even: fsum's.
        sure = ((np.abs(rest) + bound < half) | (bound == 0.0)) & (power < 1000) & (power > -900)
        unsure = np.flatnonzero(~sure)
        if len(unsure):
            r[unsure] = [exact_sum(c) for c in terms[:, unsure].T.tolist()]
        return r + 0.0  # fsum gives +0.0 for a zero sum

    def backward(self, vals: Any, params: Sequence[Value]) -> bool:
        """Add d output / d parameter to each parameter's grad; False if a gradient is not
        finite (then the recording runs the step eagerly, so that backward() names the
        node)."""
        np = self.np
        contrib = np.empty(self.n_edges)
        with np.errstate(all="ignore"):
            for g in reversed(self.groups):
                if g.root:
                    gout = np.ones(1)
                elif g.owner is not None:  # 0.0 + each contribution in backward()'s order
                    gout = np.bincount(g.owner, weights=contrib[g.flat], minlength=g.m)
                elif g.flat is not None:  # one consumer each
                    gout = contrib[g.flat]
                else:
                    continue  # nothing here needs a gradient
                self._contributions(g, vals, gout, contrib)
            old = [params[k].grad for k in self.grad_params]
            weights = np.concatenate([np.array(old, dtype=np.float64), contrib[self.grad_flat]])
            grads = np.bincount(self.grad_owner, weights=weights, minlength=len(old))
            finite = bool(np.isfinite(contrib).all() and np.isfinite(grads).all())
        for k, grad in zip(self.grad_params, grads.tolist(), strict=True):
            params[k].grad = grad
        if self.root_param is not None:  # the output is itself a parameter
            params[self.root_param].grad += 1.0
        return finite

    def _contributions(self, g: _Group, vals: Any, gout: Any, contrib: Any) -> None:
        """``contrib[edge:edge + m] = local derivative × gradient`` for each input of ``g``."""
        np = self.np
        if g.kind in ("fold", "fsum"):  # every contribution is the gradient itself
            k = len(g.edges)  # the group's edges are contiguous: input k at edges[0] + k·m
            contrib[g.edges[0] : g.edges[0] + k * g.m] = np.tile(gout, k) if k > 1 else gout
            return
        xs: list[Any] | None = None
        locs: Any = None
        for k, e in enumerate(g.edges):
            if not g.needs[k]:
                continue
            if g.kind == "sub" and k == 0:
                part = gout  # 1 · g is g
            elif g.kind in ("sub", "neg"):
                part = -gout  # -1 · g is -g
            else:
                if xs is None:
                    xs = [vals[ix] for ix in g.gather]
                out = vals[g.start : g.stop]
                if g.exact is not None:
                    local = g.exact[1](np, out, xs, g.param, k)
                else:
                    if locs is None:
                        assert g.rule is not None
                        cols = [x.tolist() for x in xs]
                        locs = np.array(
                            list(map(g.rule.local, out.tolist(), *cols)), dtype=np.float64
                        ).reshape(g.m, -1)
                    local = locs[:, k]
                part = local * gout
                if not np.isfinite(part).all():  # inf · 0 where backward() adds nothing
                    part = np.where(gout != 0.0, part, 0.0)
            contrib[e : e + g.m] = part
