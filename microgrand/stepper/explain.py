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
from collections.abc import Iterable
from typing import Any, Literal

from .._format import check_precision, format_short
from ..value import Value
from .notation import Format as NotationFormat
from .notation import latex_name
from .record import step_names, step_record
from .trace import Step, Trace, trace

__all__ = ["Explanation", "explain", "explain_step", "format_number", "latex_name"]

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


def explain_step(
    step: Step,
    t: Trace,
    format: Format = "text",
    *,
    precision: int = 4,
    names: dict[str, str] | None = None,
) -> str:
    """The chain-rule line of one step (see :func:`explain`): the text of its
    :func:`~microgrand.stepper.record.step_record`.

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
    fmt: NotationFormat = "text" if format == "text" else "latex"
    return step_record(step, t, fmt, precision=precision, names=names).text


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
    names = step_names(t)
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
