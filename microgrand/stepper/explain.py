"""The chain rule written out, one line per step of the backward pass.

:func:`explain` turns a :class:`~microgrand.stepper.trace.Trace` into lines such as
``dL/dx = dL/dz · ∂z/∂x = 0.5 · w = 0.5 · 3.0 = 1.5``: the symbols (``d`` for the total
derivative of the output, ``∂`` for the local derivative of one operation), the local derivative
worded from the rule table (``tanh``: ``1 − out²``), the numbers and the result. A node used
twice shows its gradient as a sum of contributions (``dL/da = 3.0 + 3.0 = 6.0``).

Example:
    >>> from microgrand import Value
    >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
    >>> z = x * w; z.label = "z"
    >>> print(explain(z))
    dz/dz = 1.0   (start: z changes one-for-one with itself)
    dz/dw = dz/dz · ∂z/∂w = 1.0 · x = 1.0 · 2.0 = 2.0
    dz/dx = dz/dz · ∂z/∂x = 1.0 · w = 1.0 · 3.0 = 3.0
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from .._format import check_precision, format_short
from ..rules import all_rules
from ..value import Value
from .trace import Contribution, Step, Trace, trace

__all__ = ["Explanation", "explain", "explain_step", "format_number"]

Format = Literal["text", "latex", "markdown"]
_FORMATS = ("text", "latex", "markdown")


class Explanation(str):
    """The explanation as a string (plain text, LaTeX or Markdown) that also displays
    itself in a notebook: LaTeX as typeset math, Markdown as rendered Markdown.

    ``kind`` is the format; ``lines`` holds one line per step; ``str(explanation)`` is
    the whole text.

    Example:
        >>> from microgrand import Value
        >>> e = explain(Value(2.0, label="x") * 3, format="latex")
        >>> e.kind, len(e.lines), e._repr_latex_().startswith("$$")
        ('latex', 3, True)
    """

    kind: str
    lines: tuple[str, ...]

    def __new__(cls, text: str, fmt: str, lines: Iterable[str]) -> Explanation:
        obj = super().__new__(cls, text)
        obj.kind = fmt
        obj.lines = tuple(lines)
        return obj

    def _repr_latex_(self) -> str | None:
        if self.kind != "latex":
            return None
        return f"$${self}$$"

    def _repr_markdown_(self) -> str | None:
        if self.kind != "markdown":
            return None
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


format_number = format_short  # the 0.1 name, kept for one release


# --- names ---------------------------------------------------------------------------------

_SIMPLE = re.compile(r"^[A-Za-z][0-9]*$")


def _text_d(name: str, d: str = "d") -> str:
    """``dx`` for a simple name, ``d(x·w)`` otherwise (``d`` may be ``∂``)."""
    return f"{d}{name}" if _SIMPLE.match(name) else f"{d}({name})"


def _text_frac(top: str, bottom: str) -> str:
    """The total derivative of the output: ``dL/dx``."""
    return f"{_text_d(top)}/{_text_d(bottom)}"


def _text_local(top: str, bottom: str) -> str:
    """The local derivative of one operation: ``∂z/∂x`` (never written like a total)."""
    return f"{_text_d(top, '∂')}/{_text_d(bottom, '∂')}"


_TOKEN = re.compile(r"[A-Za-z]+[0-9]*|[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\s+|.")
_LATEX_CHARS = {
    "·": r"\cdot ",
    "−": "-",
    "×": r"\times ",
    "÷": r"\div ",
    "²": "^{2}",
    "³": "^{3}",
    "√": r"\sqrt",
    "σ": r"\sigma",
    "Σ": r"\Sigma",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "{": r"\{",
    "}": r"\}",
    "\\": r"\backslash ",
    "~": r"\sim ",
    "^": r"\hat{}",
}


def _latex_funcs() -> set[str]:
    """Diagram symbols that are words (``tanh``, ``ReLU``): set upright, from the rules."""
    return {r.symbol for r in all_rules() if r.symbol.isalpha()}


def latex_name(name: str) -> str:
    r"""A node name in LaTeX: ``w1`` → ``w_{1}``, ``out`` → ``\mathrm{out}``.

    Example:
        >>> latex_name("w1"), latex_name("out"), latex_name("x·w + b"), latex_name("a_b")
        ('w_{1}', '\\mathrm{out}', 'x\\cdot w + b', 'a\\_b')
    """
    out: list[str] = []
    for tok in _TOKEN.findall(name):
        if tok[0].isalpha():
            m = re.match(r"([A-Za-z]+)([0-9]*)$", tok)
            assert m is not None
            word, digits = m.groups()
            if word in _latex_funcs():
                word = rf"\operatorname{{{word}}}"
            elif len(word) > 1:
                word = rf"\mathrm{{{word}}}"
            out.append(word + (f"_{{{digits}}}" if digits else ""))
        elif tok[0].isdigit() or tok.isspace() or tok in "+-()=<>/*[],.:;!|'":
            out.append(tok)
        elif tok in _LATEX_CHARS:
            out.append(_LATEX_CHARS[tok])
        else:
            out.append(rf"\text{{{tok}}}")
    return "".join(out)


def _latex_frac(top: str, bottom: str, d: str = r"\mathrm{d}") -> str:
    """The total derivative ``dL/dx`` (upright ``d``); with ``d=\\partial``, a local one."""

    def dd(name: str) -> str:
        s = latex_name(name)
        return rf"{d} \left({s}\right)" if _needs_parens(name) else rf"{d} {s}"

    return rf"\frac{{{dd(top)}}}{{{dd(bottom)}}}"


def _latex_local(top: str, bottom: str) -> str:
    return _latex_frac(top, bottom, r"\partial")


def _needs_parens(name: str) -> bool:
    return not re.match(r"^[A-Za-z0-9_.]+$|^[A-Za-z]+\(.*\)$", name)


# --- local derivatives worded from the rule table -------------------------------------------


def _template(c: Contribution, t: Trace, names: dict[str, str], latex: bool) -> str | None:
    """The rule's local-derivative template with the node names put in (None for a number)."""
    node = t.graph.node(c.node)
    rule = node.rule
    if rule is None:
        return None
    forms = rule.dlatex if latex else rule.dtext
    form = forms[c.position] if len(forms) > c.position else forms[0]
    if re.fullmatch(r"[−\-]?[0-9.]+", form):
        return None

    def nm(nid: str) -> str:
        n = names[nid]
        if latex:
            s = latex_name(n)
            return rf"\left({s}\right)" if _needs_parens(n) else s
        return f"({n})" if _needs_parens(n) else n

    subs: dict[str, str] = {"out": nm(node.id), "xi": nm(c.input)}
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


def _compound(form: str) -> bool:
    """True when a template must be bracketed to be multiplied (``1 − out²``)."""
    return bool(re.search(r"[\s+−-]", form.replace(r"\,", " ").strip()))


# --- one line per step ---------------------------------------------------------------------


def _num(x: float, precision: int, first: bool = True) -> str:
    s = format_number(x, precision)
    return s if first or not s.startswith("-") else f"({s})"


def _join(terms: list[str]) -> str:
    return " + ".join(terms)


def explain_step(
    step: Step,
    t: Trace,
    format: Format = "text",
    *,
    precision: int = 4,
    names: dict[str, str] | None = None,
) -> str:
    """The chain-rule line of one step (see :func:`explain`).

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0, label="a"); b = a * a; b.label = "b"
        >>> t = trace(b)
        >>> print(explain_step(t[1], t).replace(" = ", "\\n  = "))
        db/da
          = db/db · ∂b/∂a + db/db · ∂b/∂a
          = 1.0 · a + 1.0 · a
          = 1.0 · 3.0 + 1.0 · 3.0
          = 3.0 + 3.0
          = 6.0
    """
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}; got {format!r}")
    names = names if names is not None else _names(t)
    latex = format != "text"
    frac: Callable[[str, str], str] = _latex_frac if latex else _text_frac
    local: Callable[[str, str], str] = _latex_local if latex else _text_local
    dot = r" \cdot " if latex else " · "
    top = names[t.steps[0].id]
    me = names[step.id]
    lhs = frac(top, me)

    def n(x: float, first: bool = True) -> str:
        return _num(x, precision, first)

    # The terms that make up this gradient: an earlier value, the seed, the contributions.
    sym: list[str] = []
    worded: list[str] = []
    nums: list[str] = []
    vals: list[str] = []
    any_worded = False
    if step.start != 0.0:
        already = r"\text{(before)}" if latex else "(before)"
        s = n(step.start)
        sym.append(f"{s} {already}")
        worded.append(s)
        nums.append(s)
        vals.append(s)
    for c in step.incoming:
        sender = names[c.node]
        sym.append(f"{frac(top, sender)}{dot}{local(sender, me)}")
        tpl = _template(c, t, names, latex)
        any_worded = any_worded or tpl is not None
        first = not nums
        worded.append(f"{n(c.upstream, first)}{dot}{tpl if tpl is not None else n(c.local, False)}")
        nums.append(f"{n(c.upstream, first)}{dot}{n(c.local, False)}")
        vals.append(n(c.value, first))

    result = n(step.grad)
    if step.is_root:
        note = (
            rf"\quad\text{{(start: {_latex_text(top)} changes one-for-one with itself)}}"
            if latex
            else f"   (start: {top} changes one-for-one with itself)"
        )
        if not sym:
            return f"{lhs} = {result}{note}"
        # A seeded leaf that already had a gradient.
        return f"{lhs} = {_join(vals)} + {n(step.seed, False)} = {result}"
    if not step.incoming and step.start == 0.0:
        why = f"nothing flows back to {me}: every path to it passes through a zero gradient"
        return (
            rf"{lhs} = {result}\quad\text{{({_latex_text(why)})}}"
            if latex
            else (f"{lhs} = {result}   ({why})")
        )
    stages = [_join(sym)]
    if any_worded:
        stages.append(_join(worded))
    stages.append(_join(nums))
    if len(vals) > 1:
        stages.append(_join(vals))
    stages.append(result)
    line = f"{lhs} = " + " = ".join(stages)
    if step.blocked:
        tail = f"this is 0, so nothing flows back through {me}"
        line += rf"\quad\text{{({_latex_text(tail)})}}" if latex else f"   ({tail})"
    return line


def _latex_text(s: str) -> str:
    return "".join(_LATEX_CHARS.get(ch, ch) if ch in "_&%$#{}\\~^" else ch for ch in s)


def _names(t: Trace) -> dict[str, str]:
    names = {s.id: s.name for s in t.steps}
    root = t.steps[0]
    names[root.id] = root.node.label or "L"
    return names


def explain(
    x: Value | Trace,
    format: Format = "text",
    *,
    nodes: Iterable[Value | str] | None = None,
    precision: int = 4,
) -> Explanation:
    """Explain the backward pass from an output ``x`` (or of a :class:`Trace`), one
    chain-rule line per step, in the order the gradients are computed.

    Each line reads ``d root/d node = (symbols) = (local derivative from the rule table) =
    (numbers) = result``; a node used more than once gets a sum. Names are the labels
    (unlabelled nodes get a short expression or their id; an unlabelled output is ``L``).
    ``dL/dx`` is the total derivative of the output (what ``x.grad`` holds); ``∂z/∂x`` is the
    local derivative of the one operation ``z`` with respect to its input ``x``, so
    ``dL/dz · ∂z/∂x`` reads "gradient arriving at z, times z's own slope".

    Args:
        x: the output Value (its graph is traced; Values are not changed) or a Trace.
        format: ``"text"``, ``"latex"`` (displays as math in a notebook) or ``"markdown"``.
        nodes: only explain these nodes (Values or ids), still in backward order.
        precision: decimals of the numbers (trailing zeros are dropped).

    Example:
        >>> from microgrand import Value
        >>> x = Value(0.5, label="x")
        >>> y = x.tanh(); y.label = "y"
        >>> print(explain(y, nodes=[x]))
        dy/dx = dy/dy · ∂y/∂x = 1.0 · (1 − y²) = 1.0 · 0.7864 = 0.7864
    """
    if isinstance(x, Trace):
        t = x
    elif isinstance(x, Value):
        t = trace(x)
    else:
        raise TypeError(f"explain() takes an output Value or a Trace, got {type(x).__name__}")
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}; got {format!r}")
    check_precision(precision)
    steps: list[Step] = list(t.steps)
    if nodes is not None:
        if isinstance(nodes, Value | str):
            nodes = [nodes]
        wanted = {t.graph.node(v).id for v in nodes}
        steps = [s for s in steps if s.id in wanted]
    names = _names(t)
    lines = [explain_step(s, t, format, precision=precision, names=names) for s in steps]
    if format == "text":
        return Explanation("\n".join(lines), format, lines)
    if format == "latex":
        aligned = [ln.replace(" = ", " &= ", 1) for ln in lines]
        body = " \\\\\n".join(aligned)
        return Explanation(f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}", format, lines)
    md = [
        f"{i}. **{_md_escape(names[s.id])}**{_md_role(s)}: ${ln}$"
        for i, (s, ln) in enumerate(zip(steps, lines, strict=True), start=1)
    ]
    return Explanation("\n".join(md), format, md)


def _md_role(s: Step) -> str:
    if s.is_root:
        return " (the output)"
    if s.is_leaf:
        return " (an input: its gradient is final)"
    op = s.node.rule.symbol if s.node.rule is not None else ""
    return f" ({op} node)" if op else ""


def _md_escape(s: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>()#+!|])", r"\\\1", s)
