"""The chain rule written down: the one home of the notation every view uses.

A step of the backward pass reads ``dL/dx = dL/dz · ∂z/∂x = 0.5 · w = 0.5 · 3.0 = 1.5``.
This module writes each part of that line (the total derivative ``dL/dx``, the local
derivative ``∂z/∂x``, the local derivative worded from the rule table, the bracketed remark)
as text or LaTeX; :func:`~microgrand.stepper.record.step_record` puts them together into one
record per step, which :func:`~microgrand.stepper.explain.explain`, the GIF captions and every
page model read, and the page code renders their parts: nobody else assembles the sentence.

:mod:`microgrand.stepper.record` puts the parts together, one record per step.

A line whose numbers are filled in later (the live view recomputes them in the page) is kept
as *stages*: each stage a tuple of pieces, a piece either text or a :class:`Slot` naming the
number that goes there. :func:`render_stages` fills them in Python; ``web/runtime.js``
(``MG.renderStages``) fills them in the page, the same way.

Example:
    >>> from microgrand import Value
    >>> from microgrand.stepper import trace
    >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
    >>> z = x * w; z.label = "z"
    >>> t = trace(z)
    >>> total_derivative("z", "x"), partial_derivative("z", "x")
    ('dz/dx', '∂z/∂x')
    >>> names = {n.id: n.label for n in t.graph.nodes}
    >>> [term.symbol for term in terms_of(t.graph, "n0", names)]
    ['dz/dz · ∂z/∂x']
    >>> local_derivative(t.graph.node("n2"), 0, names)
    'w'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._format import format_short
from ..graph import Graph, Node
from .latex import latex_name, latex_text

__all__ = [
    "Format",
    "Remark",
    "Slot",
    "Term",
    "bracketed",
    "chain_stages",
    "check_format",
    "clashes",
    "factor",
    "latex_name",
    "latex_text",
    "local_derivative",
    "named_inputs",
    "needs_parens",
    "partial_derivative",
    "remark",
    "render_stages",
    "stages_json",
    "terms_of",
    "total_derivative",
]

Format = Literal["text", "latex"]
Remark = Literal["start", "unreached", "blocked"]
_FORMATS = ("text", "latex")


def check_format(format: str) -> bool:
    """True for ``"latex"``, False for ``"text"``; a ``ValueError`` for any other format.

    Example:
        >>> check_format("text"), check_format("latex")
        (False, True)
    """
    if format not in _FORMATS:
        raise ValueError(f"format must be 'text' or 'latex'; got {format!r}")
    return format == "latex"


# --- names -----------------------------------------------------------------------------------

_SIMPLE = re.compile(r"^[A-Za-z][0-9]*$")


def needs_parens(name: str) -> bool:
    """True when a node name must be bracketed inside a formula (``x·w`` but not ``tanh(n)``).

    Example:
        >>> needs_parens("w1"), needs_parens("x·w"), needs_parens("tanh(x·w)")
        (False, True, False)
    """
    return not re.match(r"^[A-Za-z0-9_.]+$|^[A-Za-z]+\(.*\)$", name)


def clashes(name: str) -> bool:
    """True when a simple name would read as part of the notation after a ``d``: a name that
    starts with ``d`` or ``∂`` (``dL/dd``) or the name ``o`` (``do/do``). Such names are
    bracketed in text: ``dL/d(d)``, ``d(o)/d(o)``.

    Example:
        >>> clashes("d"), clashes("d1"), clashes("o"), clashes("x"), clashes("o1")
        (True, True, True, False, False)
    """
    return name[:1] in ("d", "∂") or name == "o"


def _text_d(name: str, d: str) -> str:
    """``dx`` for a simple name, ``d(x·w)`` otherwise (``d`` may be ``∂``); a name that clashes
    with the notation (:func:`clashes`) is bracketed too."""
    return f"{d}{name}" if _SIMPLE.match(name) and not clashes(name) else f"{d}({name})"


def _latex_frac(top: str, bottom: str, d: str) -> str:
    def dd(name: str) -> str:
        s = latex_name(name)
        return rf"{d} \left({s}\right)" if needs_parens(name) else rf"{d} {s}"

    return rf"\frac{{{dd(top)}}}{{{dd(bottom)}}}"


def total_derivative(top: str, node: str, format: Format = "text") -> str:
    r"""The total derivative of the output ``top`` with respect to ``node``: ``dL/dx``
    (what ``x.grad`` holds).

    Example:
        >>> total_derivative("L", "x"), total_derivative("L", "x·w")
        ('dL/dx', 'dL/d(x·w)')
        >>> total_derivative("L", "d"), total_derivative("o", "o")
        ('dL/d(d)', 'd(o)/d(o)')
        >>> total_derivative("L", "w1", "latex")
        '\\frac{\\mathrm{d} L}{\\mathrm{d} w_{1}}'
    """
    if check_format(format):
        return _latex_frac(top, node, r"\mathrm{d}")
    return f"{_text_d(top, 'd')}/{_text_d(node, 'd')}"


def partial_derivative(node: str, input: str, format: Format = "text") -> str:
    r"""The local derivative of the one operation ``node`` with respect to its ``input``:
    ``∂z/∂x`` (never written like a total derivative).

    Example:
        >>> partial_derivative("z", "x"), partial_derivative("x·w", "w")
        ('∂z/∂x', '∂(x·w)/∂w')
        >>> partial_derivative("z", "x", "latex")
        '\\frac{\\partial z}{\\partial x}'
    """
    if check_format(format):
        return _latex_frac(node, input, r"\partial")
    return f"{_text_d(node, '∂')}/{_text_d(input, '∂')}"


def local_derivative(
    node: Node, position: int, names: Mapping[str, str], format: Format = "text"
) -> str | None:
    """The rule's local derivative of ``node`` with respect to its input ``position``, worded
    with the node names (``tanh``: ``(1 − y²)``); None when the rule's form is a plain number
    (``+``: ``1``), which is then written as the number.

    Example:
        >>> from microgrand import Value, Graph
        >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
        >>> y = (x * w).tanh(); y.label = "y"
        >>> g = Graph.of(y); names = {n.id: n.label or n.id for n in g.nodes}
        >>> local_derivative(g.node("n2"), 0, names), local_derivative(g.node("n3"), 0, names)
        ('w', '(1 − y²)')
        >>> local_derivative(Graph.of(x + w).node("n2"), 0, names) is None
        True
    """
    latex = check_format(format)
    rule = node.rule
    if rule is None:
        return None
    forms = rule.dlatex if latex else rule.dtext
    form = forms[position] if len(forms) > position else forms[0]
    if re.fullmatch(r"[−\-]?[0-9.]+", form):
        return None

    def nm(nid: str) -> str:
        n = names[nid]
        if latex:
            s = latex_name(n)
            return rf"\left({s}\right)" if needs_parens(n) else s
        return f"({n})" if needs_parens(n) else n

    subs: dict[str, str] = {"out": nm(node.id), "xi": nm(node.inputs[position])}
    if node.inputs:
        subs["x"] = nm(node.inputs[0])
    if len(node.inputs) > 1:
        subs["y"] = nm(node.inputs[1])
    # x^1 (from the power rule with exponent 2) reads better as x.
    form = re.sub(r"\^1(?![0-9.])|\^\{1\}", "", form)
    if latex:
        form = form.replace(r"\mathrm{out}", "\0out\0").replace("x_i", "\0xi\0")
        form = re.sub(r"(?<![\\A-Za-z])([xy])(?![A-Za-z])", "\0\\1\0", form)
        worded = re.sub("\0(\\w+)\0", lambda m: subs.get(m.group(1), m.group(1)), form)
        return rf"\left({worded}\right)" if _compound(form) else worded
    worded = re.sub(r"(?<![A-Za-z])(out|xi|x|y)(?![A-Za-z])", lambda m: subs[m.group(1)], form)
    return f"({worded})" if _compound(form) else worded


def named_inputs(node: Node, position: int) -> dict[str, Any]:
    """What the worded local derivative of ``node`` for input ``position`` names
    (:func:`local_derivative`): the input positions in ``needs``, and ``out`` True when it
    names the node's own output. A page reads it to tell when the wording's numbers are known.

    Example:
        >>> from microgrand import Value, Graph
        >>> x, y = Value(2.0), Value(3.0)
        >>> mul, tanh = Graph.of(x * y).node("n2"), Graph.of(x.tanh()).node("n1")
        >>> named_inputs(mul, 0), named_inputs(tanh, 0)
        ({'needs': [1], 'out': False}, {'needs': [], 'out': True})
    """
    rule = node.rule
    if rule is None:
        return {"needs": [], "out": False}
    form = rule.dtext[min(position, len(rule.dtext) - 1)]
    words = set(re.findall(r"(?<![A-Za-z])(out|xi|x|y)(?![A-Za-z])", form))
    needs: set[int] = set()
    if rule.arity == 0:  # any number of inputs: x is all of them, xi the one in question
        if "xi" in words:
            needs.add(position)
        if "x" in words:
            needs.update(range(len(node.inputs)))
    else:
        needs.update(k for k, w in enumerate(("x", "y")) if w in words)
    return {"needs": sorted(needs), "out": "out" in words}


def _compound(form: str) -> bool:
    """True when a template must be bracketed to be multiplied (``1 − out²``)."""
    return bool(re.search(r"[\s+−-]", form.replace(r"\,", " ").strip()))


def remark(kind: Remark, name: str, format: Format = "text") -> str:
    r"""The bracketed remark that ends some chain-rule lines, without its brackets:
    ``"start"`` (the output, seeded with 1), ``"unreached"`` (no path carries a gradient to
    ``name``) and ``"blocked"`` (``name``'s gradient is 0, so nothing flows back through it).

    Example:
        >>> remark("start", "L")
        'start: L changes one-for-one with itself'
        >>> remark("blocked", "a_b", "latex")
        'this is 0, so nothing flows back through a\\_b'
    """
    latex = check_format(format)
    if kind == "start":
        s = f"start: {name} changes one-for-one with itself"
    elif kind == "unreached":
        s = f"nothing flows back to {name}: every path to it passes through a zero gradient"
    elif kind == "blocked":
        s = f"this is 0, so nothing flows back through {name}"
    else:
        raise ValueError(f"remark kind must be 'start', 'unreached' or 'blocked'; got {kind!r}")
    return latex_text(s) if latex else s


def bracketed(text: str, latex: bool = False) -> str:
    """A remark as it ends a line: ``"   (text)"``, in LaTeX ``\\quad\\text{(text)}``.

    Example:
        >>> bracketed("start")
        '   (start)'
    """
    return rf"\quad\text{{({text})}}" if latex else f"   ({text})"


def factor(x: float, precision: int = 4, first: bool = True) -> str:
    """A number as a factor of a product: bracketed when negative and not the first factor.

    Example:
        >>> factor(-2.0), factor(-2.0, first=False), factor(0.125, 2, first=False)
        ('-2.0', '(-2.0)', '0.12')
    """
    s = format_short(x, precision)
    return s if first or not s.startswith("-") else f"({s})"


# --- the structure of one line ---------------------------------------------------------------

Field = Literal["upstream", "local", "value", "start", "seed"]


@dataclass(frozen=True, slots=True)
class Slot:
    """A number in a chain-rule line, filled in when the line is rendered: ``field`` of term
    ``term`` (``upstream``, ``local``, ``value``), or the step's ``start``/``seed``;
    ``first`` is False where a negative number needs brackets (see :func:`factor`).

    Example:
        >>> Slot("local", 0, first=False).json()
        {'n': 'local', 'term': 0, 'first': False}
    """

    field: Field
    term: int = -1
    first: bool = True

    def json(self) -> dict[str, Any]:
        """The slot as the page reads it."""
        return {"n": self.field, "term": self.term, "first": self.first}


Piece = str | Slot
Stage = tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a gradient: what node ``node`` sends back through its input ``position``.

    ``total`` is the gradient arriving at ``node`` (``dL/dz``), ``local`` its local derivative
    (``∂z/∂x``) and ``worded`` that local derivative from the rule table (None for a plain
    number).

    Example:
        >>> Term("n2", 0, "dL/dz", "∂z/∂x", "w").symbol
        'dL/dz · ∂z/∂x'
    """

    node: str
    position: int
    total: str
    local: str
    worded: str | None
    latex: bool = False

    @property
    def symbol(self) -> str:
        """``dL/dz · ∂z/∂x``: the term in symbols."""
        return f"{self.total}{_dot(self.latex)}{self.local}"

    def json(self) -> dict[str, Any]:
        """The term as a page reads it."""
        return {
            "node": self.node,
            "position": self.position,
            "total": self.total,
            "local": self.local,
            "worded": self.worded,
            "symbol": self.symbol,
        }


def _dot(latex: bool) -> str:
    return r" \cdot " if latex else " · "


def terms_of(
    graph: Graph, node: str, names: Mapping[str, str], format: Format = "text"
) -> list[Term]:
    """The terms of ``node``'s gradient, one per use, in the order the backward pass adds
    them (the consumer nearest the output first), in symbols.

    Example:
        >>> from microgrand import Value, Graph
        >>> a = Value(3.0, label="a"); g = Graph.of(a * a + a)
        >>> names = {n.id: n.label or n.id for n in g.nodes}
        >>> [t.symbol for t in terms_of(g, "n0", names)]
        ['dn2/dn2 · ∂n2/∂a', 'dn2/dn1 · ∂n1/∂a', 'dn2/dn1 · ∂n1/∂a']
    """
    latex = check_format(format)
    top = names[graph.root]
    me = names[node]
    uses = sorted(
        ((graph.node(e.dst), e.position) for e in graph.edges if e.src == node),
        key=lambda u: (-u[0].index, u[1]),
    )
    return [
        Term(
            n.id,
            pos,
            total_derivative(top, names[n.id], format),
            partial_derivative(names[n.id], me, format),
            local_derivative(n, pos, names, format),
            latex,
        )
        for n, pos in uses
    ]


def chain_stages(terms: Sequence[Term], *, start: bool = False, latex: bool = False) -> list[Stage]:
    """The right-hand side of a chain-rule line, stage by stage, before the result: symbols,
    the local derivatives worded (when a rule gives a formula), numbers, and the sum of the
    products (when there are several terms). ``start`` adds a gradient the node already had.

    Example:
        >>> t = [Term("n2", 0, "dL/dz", "∂z/∂x", "w")]
        >>> render_stages(chain_stages(t), lambda s: {"upstream": 2.0, "local": 3.0}[s.field])
        ['dL/dz · ∂z/∂x', '2.0 · w', '2.0 · 3.0']
    """
    dot = _dot(latex)
    sym: list[Stage] = []
    worded: list[Stage] = []
    nums: list[Stage] = []
    vals: list[Stage] = []
    if start:
        before = r"\text{(before)}" if latex else "(before)"
        s = Slot("start")
        sym.append((s, f" {before}"))
        worded.append((s,))
        nums.append((s,))
        vals.append((s,))
    for i, t in enumerate(terms):
        first = not nums
        up = Slot("upstream", i, first)
        sym.append((t.symbol,))
        worded.append((up, dot, t.worded if t.worded is not None else Slot("local", i, False)))
        nums.append((up, dot, Slot("local", i, False)))
        vals.append((Slot("value", i, first),))
    stages = [_join(sym)]
    if any(t.worded is not None for t in terms):
        stages.append(_join(worded))
    stages.append(_join(nums))
    if len(vals) > 1:
        stages.append(_join(vals))
    return stages


def _join(parts: list[Stage]) -> Stage:
    out: list[Piece] = []
    for k, p in enumerate(parts):
        if k:
            out.append(" + ")
        out.extend(p)
    return tuple(out)


def render_stages(
    stages: Sequence[Stage], numbers: Callable[[Slot], float], precision: int = 4
) -> list[str]:
    """Each stage as text, with the numbers ``numbers(slot)`` written in (see :func:`factor`).

    Example:
        >>> render_stages([("x = ", Slot("value", 0, first=False))], lambda s: -1.5)
        ['x = (-1.5)']
    """
    return [
        "".join(p if isinstance(p, str) else factor(numbers(p), precision, p.first) for p in st)
        for st in stages
    ]


def stages_json(stages: Sequence[Stage]) -> list[list[Any]]:
    """Stages as plain JSON for a page: strings, and ``{"n", "term", "first"}`` for slots.

    Example:
        >>> stages_json([("a", Slot("seed"))])
        [['a', {'n': 'seed', 'term': -1, 'first': True}]]
    """
    return [[p if isinstance(p, str) else p.json() for p in st] for st in stages]
