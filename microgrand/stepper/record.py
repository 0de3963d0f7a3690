"""One record per step of the backward pass, written with :mod:`microgrand.stepper.notation`:
what :func:`~microgrand.stepper.explain.explain`, the GIF captions and every page model read.

Example:
    >>> from microgrand import Value
    >>> from microgrand.stepper import trace
    >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
    >>> z = x * w; z.label = "z"
    >>> t = trace(z)
    >>> step_record(t[2], t).text
    'dz/dx = dz/dz · ∂z/∂x = 1.0 · w = 1.0 · 3.0 = 3.0'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._format import check_precision
from ..graph import Graph
from .notation import (
    Format,
    Slot,
    Term,
    bracketed,
    chain_stages,
    check_format,
    factor,
    local_derivative,
    partial_derivative,
    remark,
    render_stages,
    total_derivative,
)
from .trace import Step, Trace

__all__ = [
    "StepRecord",
    "display_graph",
    "node_kind",
    "slot_numbers",
    "step_names",
    "step_record",
    "step_records",
]


def step_names(t: Trace) -> dict[str, str]:
    """The name of each node in the lines of a trace: :attr:`Step.name`, the output ``L``
    when it has no label.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> step_names(trace(Value(2.0, label="x") * 3))
        {'n2': 'L', 'n1': 'c', 'n0': 'x'}
    """
    names = {s.id: s.name for s in t.steps}
    root = t.steps[0]
    names[root.id] = root.node.label or "L"
    return names


def slot_numbers(step: Step) -> Callable[[Slot], float]:
    """The number each slot of a step's chain-rule stages stands for (see
    :func:`~microgrand.stepper.notation.render_stages`): the gradient it started with, or a
    term's upstream gradient, local derivative or product.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> from microgrand.stepper.notation import Slot
        >>> s = trace(Value(2.0, label="x") * 3)[2]
        >>> slot_numbers(s)(Slot("local", 0)), slot_numbers(s)(Slot("value", 0))
        (3.0, 3.0)
    """
    incoming = step.incoming

    def number(s: Slot) -> float:
        if s.field == "start":
            return step.start
        c = incoming[s.term]
        return {"upstream": c.upstream, "local": c.local, "value": c.value}[s.field]

    return number


def node_kind(s: Step) -> str:
    """What a step's node is, in words: ``"the output"``, ``"an input"``, ``"a tanh node"``.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> [node_kind(s) for s in trace(Value(2.0, label="x") * 3)]
        ['the output', 'an input: the number 3', 'an input']
    """
    if s.is_root:
        return "the output"
    if s.is_leaf:
        return "an input" if s.node.label else f"an input: the number {s.node.data:g}"
    return f"a {s.node.rule.symbol if s.node.rule else ''} node"


@dataclass(frozen=True)
class StepRecord:
    """One step of the backward pass, written out: what ``explain``, the GIF captions and the
    page models read.

    Attributes:
        step: the trace's step (its numbers: ``grad``, ``incoming``, ``outgoing`` …).
        name: the node's name in the line; ``kind`` what it is (:func:`node_kind`).
        lhs: ``dL/dx``; ``terms``: one :class:`Term` per incoming contribution.
        stages: the right-hand side before the result, each stage as text (empty for the
            output's own line and for a node nothing reaches).
        result: the gradient, as text; ``remark``: the bracketed remark or None.
        format: ``"text"`` or ``"latex"``.
        sends: what the node passes back, one ``(input name, product, value)`` per input
            edge, as text: ``("x", "(-2.0) × 3.0", "-6.0")``.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> a = Value(3.0, label="a"); t = trace(a * a)
        >>> r = step_record(t[1], t)
        >>> r.lhs, r.stages[-1], r.result
        ('dL/da', '3.0 + 3.0', '6.0')
    """

    step: Step
    name: str
    kind: str
    lhs: str
    terms: tuple[Term, ...]
    stages: tuple[str, ...]
    result: str
    remark: str | None
    format: Format = "text"
    sends: tuple[tuple[str, str, str], ...] = ()

    @property
    def text(self) -> str:
        """The whole chain-rule line: ``lhs = stage = … = result`` and the remark."""
        line = " = ".join([self.lhs, *self.stages, self.result])
        return line + (bracketed(self.remark, self.format == "latex") if self.remark else "")

    def parts(self) -> dict[str, Any]:
        """The record's words as plain JSON for a page model (the numbers are the step's).

        Example:
            >>> from microgrand import Value
            >>> from microgrand.stepper import trace
            >>> t = trace(Value(2.0, label="x") * 3)
            >>> p = step_record(t[2], t).parts()
            >>> p["lhs"], p["stages"], p["terms"][0]["local"]
            ('dL/dx', ['dL/dL · ∂L/∂x', '1.0 · c', '1.0 · 3.0'], '∂L/∂x')
        """
        return {
            "name": self.name,
            "kind": self.kind,
            "lhs": self.lhs,
            "stages": list(self.stages),
            "result": self.result,
            "remark": self.remark,
            "terms": [t.json() for t in self.terms],
            "sends": [list(x) for x in self.sends],
        }


def step_record(
    step: Step,
    t: Trace,
    format: Format = "text",
    *,
    precision: int = 4,
    names: Mapping[str, str] | None = None,
) -> StepRecord:
    """Write out one step of a trace (see :class:`StepRecord`).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> x = Value(0.5, label="x"); y = x.tanh(); y.label = "y"
        >>> t = trace(y)
        >>> step_record(t[1], t).text
        'dy/dx = dy/dy · ∂y/∂x = 1.0 · (1 − y²) = 1.0 · 0.7864 = 0.7864'
        >>> step_record(t[0], t).text
        'dy/dy = 1.0   (start: y changes one-for-one with itself)'
    """
    # Long because it assembles every part of one step's line (terms, stages, remark) in one place.
    latex = check_format(format)
    check_precision(precision)
    names = names if names is not None else step_names(t)
    top = names[t.steps[0].id]
    me = names[step.id]
    graph = t.graph
    terms = tuple(
        Term(
            c.node,
            c.position,
            total_derivative(top, names[c.node], format),
            partial_derivative(names[c.node], me, format),
            local_derivative(graph.node(c.node), c.position, names, format),
            latex,
        )
        for c in step.incoming
    )
    note: str | None = None
    stages: list[str] = []
    if step.is_root:
        if terms or step.start:
            # A seeded leaf that already had a gradient: the sum, then the seed.
            vals = [factor(step.start, precision)] if step.start else []
            vals += [factor(c.value, precision, not vals) for c in step.incoming]
            stages = [" + ".join(vals) + " + " + factor(step.seed, precision, False)]
        else:
            note = remark("start", top, format)
    elif not terms and step.start == 0.0:
        note = remark("unreached", me, format)
    else:
        stages = render_stages(
            chain_stages(terms, start=step.start != 0.0, latex=latex), slot_numbers(step), precision
        )
        if step.blocked:
            note = remark("blocked", me, format)
    times = r" \times " if format == "latex" else " × "
    sends = tuple(
        (
            names[c.input],
            f"{factor(c.upstream, precision, False)}{times}{factor(c.local, precision, False)}",
            factor(c.value, precision),
        )
        for c in step.outgoing
    )
    return StepRecord(
        step,
        me,
        node_kind(step),
        total_derivative(top, me, format),
        terms,
        tuple(stages),
        factor(step.grad, precision),
        note,
        format,
        sends,
    )


def step_records(t: Trace, format: Format = "text", *, precision: int = 4) -> list[StepRecord]:
    """:func:`step_record` of every step of ``t``, with one set of names.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> [r.lhs for r in step_records(trace(Value(2.0, label="x") * 3))]
        ['dL/dL', 'dL/dc', 'dL/dx']
    """
    names = step_names(t)
    return [step_record(s, t, format, precision=precision, names=names) for s in t]


def display_graph(t: Trace) -> Graph:
    """The trace's graph with each node's gradient from the trace and its name in the lines
    (:func:`step_names`) as label, so a diagram and the explanation use the same names.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> x = Value(2.0, label="x"); g = display_graph(trace(x * x))
        >>> [(n.label, n.grad) for n in g.nodes]
        [('x', 4.0), ('L', 1.0)]
    """
    names = step_names(t)
    nodes = tuple(
        dataclasses.replace(n, label=names[n.id], grad=t.grads[n.id]) for n in t.graph.nodes
    )
    return dataclasses.replace(t.graph, nodes=nodes)
