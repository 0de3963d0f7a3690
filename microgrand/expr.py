"""A safe expression parser: text such as ``"tanh(x*w + b)"`` becomes a graph of Values.

The text is parsed with Python's ``ast`` module (``mode="eval"``) and only a whitelist is
interpreted: numbers, variable names, ``+ - * / **``, unary ``-``/``+`` and calls of the
engine's functions by name (:data:`FUNCTIONS`: every one-input rule of
:mod:`microgrand.rules`, such as ``tanh exp log sqrt sigmoid relu softplus sin cos abs``, and
``leaky_relu(x, 0.1)`` with a constant slope; a rule registered at run time is callable at
once). Everything else — attribute access,
subscripts, lambdas, comprehensions, keyword arguments, strings, booleans, complex numbers,
unknown names, huge numbers or exponents, very long or deeply nested text — is rejected with
an :class:`ExpressionError` that points at the offending part. User text is never passed to
``eval``, ``exec`` or ``compile``.

Example:
    >>> y = parse_expression("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.88})
    >>> round(y.data, 4)
    0.7064
    >>> parse_expression("x.__class__", {"x": 1.0})
    Traceback (most recent call last):
    ...
    microgrand.expr.ExpressionError: attribute access (.__class__) is not allowed at column 2
      x.__class__
       ^^^^^^^^^^
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from . import rules as _rules
from ._numbers import is_number
from .value import Value, apply

__all__ = [
    "FUNCTIONS",
    "MAX_AST_NODES",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "Expression",
    "ExpressionError",
    "build_expression",
    "parse_expression",
]

MAX_LENGTH = 2000
MAX_AST_NODES = 500
MAX_DEPTH = 200
MAX_EXPONENT = 100.0
MAX_LITERAL = 1e100


class _FunctionTable(Mapping[str, Callable[..., Value]]):
    """The functions an expression may call, read live from the rules table.

    A name maps to ``f(x)`` (``f(x, p)`` for a family such as ``leaky_relu``), which applies
    the rule: every rule with ``function=True`` in :data:`microgrand.rules.RULES` or
    :data:`~microgrand.rules.FAMILIES`, in registration order.
    """

    def _names(self) -> list[str]:
        return [
            *(r.name for r in _rules.RULES.values() if r.function),
            *(f.name for f in _rules.FAMILIES.values() if f.function),
        ]

    def __getitem__(self, name: str) -> Callable[..., Value]:
        r = _rules.RULES.get(name)
        if r is not None and r.function:
            return lambda x: apply(name, x)
        fam = _rules.FAMILIES.get(name)
        if fam is not None and fam.function:
            return lambda x, p=None: apply(name, x, param=p)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        r = _rules.RULES.get(name)
        fam = _rules.FAMILIES.get(name)
        return (r is not None and r.function) or (fam is not None and fam.function)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return f"FUNCTIONS({', '.join(self._names())})"


FUNCTIONS: Mapping[str, Callable[..., Value]] = _FunctionTable()
"""Name → function for every function an expression may call (derived from the rules).

Example:
    >>> "tanh" in FUNCTIONS, "add" in FUNCTIONS, FUNCTIONS["exp"](Value(0.0)).data
    (True, False, 1.0)
"""

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REJECTED_BINOPS = {
    ast.FloorDiv: "floor division (//)",
    ast.Mod: "the remainder operator (%)",
    ast.MatMult: "matrix multiplication (@)",
    ast.LShift: "bit shifts (<<)",
    ast.RShift: "bit shifts (>>)",
    ast.BitOr: "bitwise or (|)",
    ast.BitAnd: "bitwise and (&)",
    ast.BitXor: "bitwise xor (^; write x**2 for a power)",
}


class ExpressionError(ValueError):
    """The expression text is not allowed or not valid; says where (column and a caret line).

    Attributes: ``reason`` (one line, no position), ``column`` (1-based, or None), ``text``.
    """

    def __init__(
        self, reason: str, text: str = "", column: int | None = None, line: int = 1, width: int = 1
    ) -> None:
        self.reason = reason
        self.text = text
        self.column = column
        self.line = line
        msg = reason
        if column is not None:
            lines = text.split("\n")
            where = f"column {column}" if len(lines) == 1 else f"line {line}, column {column}"
            src = lines[line - 1] if 0 < line <= len(lines) else ""
            if len(src) > 100:  # show a window around the column
                start = max(0, column - 50)
                src = ("…" if start else "") + src[start : start + 100]
                column = column - start + (1 if start else 0)
            caret = " " * (column - 1) + "^" * max(1, min(width, len(src) - column + 1))
            msg = f"{reason} at {where}\n  {src}\n  {caret}"
        super().__init__(msg)

    @property
    def one_line(self) -> str:
        """The message on one line (for the command line)."""
        if self.column is None:
            return self.reason
        return f"{self.reason} (column {self.column})"


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its ``root`` Value and the ``leaves`` made for its variables."""

    text: str
    root: Value
    leaves: dict[str, Value]


class _Parser:
    def __init__(self, text: str, variables: Mapping[str, float | Value], lead: int) -> None:
        self.text = text
        self.body = text[lead:]
        self.lead = lead
        self.lines = [self.body]
        self.variables = variables
        self.leaves: dict[str, Value] = {}

    # positions ------------------------------------------------------------------------------

    def _col(self, node: ast.AST) -> tuple[int, int, int]:
        lineno = getattr(node, "lineno", 1)
        off = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if isinstance(node, ast.Attribute) and node.value.end_lineno == node.end_lineno:
            off = node.value.end_col_offset or off  # point at ".name", not at the object
        end_line = getattr(node, "end_lineno", lineno)
        src = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        raw = src.encode("utf-8")
        col = len(raw[:off].decode("utf-8", "replace"))
        if end is not None and end_line == lineno:
            width = len(raw[off:end].decode("utf-8", "replace"))
        else:
            width = len(src) - col
        return col + 1 + self.lead, lineno, max(1, width)

    def error(self, reason: str, node: ast.AST | None = None) -> ExpressionError:
        if node is None:
            return ExpressionError(reason, self.text)
        col, line, width = self._col(node)
        return ExpressionError(reason, self.text, col, line, width)

    def segment(self, node: ast.AST) -> str:
        s = ast.get_source_segment(self.body, node) or ""
        return s if len(s) <= 40 else s[:37] + "..."

    # evaluation -----------------------------------------------------------------------------

    def visit(self, node: ast.AST) -> Value | float:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            return self.unaryop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error(_describe(node, self.segment(node)), node)

    def constant(self, node: ast.Constant) -> float:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self.error(f"{v!r} is not a number", node)
        if isinstance(v, complex):
            raise self.error(f"complex numbers ({self.segment(node)}) are not allowed", node)
        if isinstance(v, str | bytes):
            raise self.error("text (strings) is not allowed; only numbers and names", node)
        if not isinstance(v, int | float):
            raise self.error(f"{type(v).__name__} constants are not allowed", node)
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f) or abs(f) > MAX_LITERAL:
            raise self.error(
                f"the number {self.segment(node)} is too large (the limit is {MAX_LITERAL:g})", node
            )
        return f

    def name(self, node: ast.Name) -> Value:
        n = node.id
        if n.startswith("__"):
            raise self.error(f"names starting with '__' ({n}) are not allowed", node)
        if n in self.leaves:
            return self.leaves[n]
        if n in self.variables:
            v = self.variables[n]
            leaf = v if isinstance(v, Value) else Value(float(v), label=n)
            self.leaves[n] = leaf
            return leaf
        if n in FUNCTIONS:
            raise self.error(f"{n} is a function: call it, as in {n}(x)", node)
        defined = ", ".join(sorted(self.variables)) or "none"
        raise self.error(f"unknown variable {n!r} (defined: {defined})", node)

    def binop(self, node: ast.BinOp) -> Value | float:
        op = type(node.op)
        if op not in _BINOPS:
            raise self.error(f"{_REJECTED_BINOPS.get(op, op.__name__)} is not allowed", node)
        left = self.visit(node.left)
        right = self.visit(node.right)
        if op is ast.Pow and not isinstance(right, Value) and abs(right) > MAX_EXPONENT:
            raise self.error(
                f"the exponent {_num(right)} is too large (at most ±{MAX_EXPONENT:g})", node.right
            )
        try:
            if op is ast.Add:
                out = left + right
            elif op is ast.Sub:
                out = left - right
            elif op is ast.Mult:
                out = left * right
            elif op is ast.Div:
                if not isinstance(left, Value) and not isinstance(right, Value):
                    if right == 0.0:
                        raise ZeroDivisionError("division by zero")
                    out = left / right
                else:
                    out = left / right
            else:
                out = self.power(left, right, node)
        except (ArithmeticError, ValueError) as e:
            if isinstance(e, ExpressionError):
                raise
            raise self.error(f"{self.segment(node)}: {e}", node) from None
        return self.checked(out, node)

    def power(self, left: Value | float, right: Value | float, node: ast.BinOp) -> Value | float:
        if isinstance(left, Value) or isinstance(right, Value):
            return left**right
        # both constants
        if left == 0.0 and right < 0.0:
            raise ZeroDivisionError("zero to a negative power")
        if left < 0.0 and not float(right).is_integer():
            raise ValueError("a negative base needs an integer exponent")
        return float(left**right)

    def checked(self, out: Value | float, node: ast.AST) -> Value | float:
        x = out.data if isinstance(out, Value) else out
        if not isinstance(out, Value) and not math.isfinite(x):
            raise self.error(f"{self.segment(node)} overflows (the result is not finite)", node)
        return out

    def unaryop(self, node: ast.UnaryOp) -> Value | float:
        if isinstance(node.op, ast.USub):
            v = self.visit(node.operand)
            return -v
        if isinstance(node.op, ast.UAdd):
            return self.visit(node.operand)
        what = "logical 'not'" if isinstance(node.op, ast.Not) else "bitwise inversion (~)"
        raise self.error(f"{what} is not allowed", node)

    def call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            raise self.error(
                f"only the functions {', '.join(FUNCTIONS)} can be called "
                f"(not {self.segment(node.func)})",
                node.func,
            )
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise self.error(f"unknown function {name!r}; the functions are: {known}", node.func)
        if node.keywords:
            raise self.error(f"{name}() takes no keyword arguments", node.keywords[0].value)
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.error("*arguments are not allowed", a)
        fam = _rules.FAMILIES.get(name)
        nmax = 1 if fam is None else 2
        what = "" if fam is None else _PARAM_WORDS.get(fam.param_name, fam.param_name)
        if not 1 <= len(node.args) <= nmax:
            how = f"one or two arguments (x, {what})" if nmax == 2 else "one argument"
            raise self.error(f"{name}() takes {how}, got {len(node.args)}", node)
        x = self.visit(node.args[0])
        xv = x if isinstance(x, Value) else Value(x)
        try:
            if len(node.args) == 2:
                param = self.visit(node.args[1])
                if isinstance(param, Value):
                    raise self.error(f"the {what} of {name} must be a number", node.args[1])
                out = FUNCTIONS[name](xv, param)
            else:
                out = FUNCTIONS[name](xv)
        except (ArithmeticError, ValueError) as e:
            if isinstance(e, ExpressionError):
                raise
            raise self.error(f"{self.segment(node)}: {e}", node) from None
        return out


_PARAM_WORDS = {"alpha": "slope"}


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


_DESCRIPTIONS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts (indexing) are",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.IfExp: "conditional expressions (if/else) are",
    ast.Tuple: "tuples are",
    ast.List: "lists are",
    ast.Dict: "dicts are",
    ast.Set: "sets are",
    ast.JoinedStr: "f-strings are",
    ast.NamedExpr: "assignment (:=) is",
    ast.Starred: "*arguments are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
    ast.Slice: "slices are",
}


def _describe(node: ast.AST, segment: str) -> str:
    if isinstance(node, ast.Attribute):
        return f"attribute access (.{node.attr}) is not allowed"
    what = _DESCRIPTIONS.get(type(node), f"{type(node).__name__} expressions are")
    return f"{what} not allowed" + (f": {segment}" if segment else "")


def _check_shape(tree: ast.AST, p: _Parser) -> None:
    """Reject too many nodes or too deep nesting, without recursion."""
    count = sum(isinstance(n, ast.expr) for n in ast.walk(tree))  # ast.walk is iterative
    if count > MAX_AST_NODES:
        raise p.error(f"the expression is too complex ({count} parts; at most {MAX_AST_NODES})")
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise p.error(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node
            )
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node))


def _check_variables(variables: Mapping[str, float | Value]) -> None:
    if not isinstance(variables, Mapping):
        raise TypeError(
            f"variables must be a mapping of names to numbers, got {type(variables).__name__}"
        )
    for k, v in variables.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ExpressionError(f"variable name {k!r} is not a valid name")
        if k.startswith("__"):
            raise ExpressionError(f"variable name {k!r} may not start with '__'")
        if k in FUNCTIONS:
            raise ExpressionError(f"variable name {k!r} is the name of a function")
        if not (isinstance(v, Value) or is_number(v)):
            raise ExpressionError(f"variable {k!r} must be a number, got {type(v).__name__}: {v!r}")


def build_expression(text: str, variables: Mapping[str, float | Value]) -> Expression:
    """Parse ``text`` into Values; returns the root and the leaf Value of each used variable.

    Each variable becomes one leaf Value labelled with its name (a Value given as a variable
    is used as it is). Variables given but not used are fine.

    Example:
        >>> e = build_expression("x*x + y", {"x": 3.0, "y": 1.0, "unused": 0.0})
        >>> e.root.backward()
        >>> e.root.data, {k: v.grad for k, v in e.leaves.items()}
        (10.0, {'x': 6.0, 'y': 1.0})
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})"
        )
    _check_variables(variables)
    if not text.strip():
        raise ExpressionError("the expression is empty")
    # One line: newlines and tabs become spaces (columns stay the same); leading spaces are
    # skipped for the parser and added back to every column.
    line = text.translate({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "})
    body = line.lstrip(" ")
    lead = len(line) - len(body)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as e:
        msg = e.msg or "invalid syntax"
        reason = msg if msg.startswith("invalid syntax") else f"invalid syntax: {msg}"
        col = e.offset if e.offset and e.offset > 0 and (e.lineno or 1) == 1 else len(body) + 1
        col = min(col, len(body) + 1) + lead
        raise ExpressionError(reason, line, col) from None
    except (ValueError, MemoryError, RecursionError) as e:  # e.g. a 5000-digit literal
        raise ExpressionError(f"the expression cannot be parsed: {e}") from None
    p = _Parser(line, variables, lead)
    _check_shape(tree, p)
    out = p.visit(tree.body)
    root = out if isinstance(out, Value) else Value(out)
    return Expression(text, root, dict(p.leaves))


def parse_expression(text: str, variables: Mapping[str, float | Value]) -> Value:
    """Parse ``text`` (like ``"tanh(x*w + b)"``) into a graph of Values; returns the output.

    Raises :class:`ExpressionError` (a ``ValueError``) for anything not allowed, pointing
    at the offending part.

    Example:
        >>> y = parse_expression("leaky_relu(x, 0.1) + x**2", {"x": -2.0})
        >>> y.data
        3.8
        >>> parse_expression("z + 1", {"x": 1.0})
        Traceback (most recent call last):
        ...
        microgrand.expr.ExpressionError: unknown variable 'z' (defined: x) at column 1
          z + 1
          ^
    """
    return build_expression(text, variables).root
