"""The source of :class:`~microgrand.value.Value`'s operator methods, generated per rule.

:mod:`microgrand.value` runs this code in its own namespace (its node constructor, its
constant check, its live ``_GRAD_ENABLED`` and ``_SCOPE``); this module only writes it.

Example:
    >>> from microgrand.rules import RULES
    >>> "out = (x * y)" in operator_code(BINARY_SOURCE, RULES["mul"])
    True
"""

from __future__ import annotations

from .rules import Rule

__all__ = ["BINARY_SOURCE", "UNARY_SOURCE", "operator_code"]

# The operator methods are the hot path of every training step, so each is generated from its
# rule: the rule's forward and local derivatives are called, or, when the rule restates them
# as plain arithmetic (``py_forward``/``py_local`` in the rules table), written inline, which
# saves two Python calls per node. The node is built inline too (see value._node). The
# code runs in microgrand.value's namespace, so it reads _GRAD_ENABLED and _SCOPE live.
BINARY_SOURCE = """
def make(rule, fwd, loc, symbol):
    def op(self, other):
        if other.__class__ is not Value:
            c = _constant(other)
            if c is NotImplemented:
                _refuse(symbol, self, other)
                return NotImplemented
            other = c
        x = self.data
        y = other.data
        try:
            out = {forward}
            if out - out != 0.0:  # inf or nan (the one check of the numbers policy)
                raise OverflowError
            {local}
        except (ArithmeticError, ValueError) as e:
            raise domain_error(rule, (x, y), e) from None
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        v._op = rule
        if _GRAD_ENABLED:
            v._a = self
            v._b = other
            v._la = la
            v._lb = lb
        else:
            v._a = v._b = None
            v._la = v._lb = 0.0
        v._xs = v._ls = ()
        v._scope = _SCOPE
        return v
    return op
"""

UNARY_SOURCE = """
def make(rule, fwd, loc):
    def op(self):
        x = self.data
        try:
            out = {forward}
            if out - out != 0.0 or x - x != 0.0:  # inf or nan (relu(nan) would hide a NaN)
                raise OverflowError
            {local}
        except (ArithmeticError, ValueError) as e:
            raise domain_error(rule, (x,), e) from None
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        v._op = rule
        v._a = self if _GRAD_ENABLED else None
        v._b = None
        v._la = la
        v._lb = 0.0
        v._xs = v._ls = ()
        v._scope = _SCOPE
        return v
    return op
"""


def operator_code(source: str, rule: Rule) -> str:
    """``source`` with the rule's math filled in: its ``py_forward``/``py_local`` written inline
    when the rules table gives them (two Python calls fewer per node), else calls of the
    rule's forward and local functions.

    Example:
        >>> from microgrand.rules import RULES
        >>> "fwd(x)" in operator_code(UNARY_SOURCE, RULES["exp"]) or "math.exp" in operator_code(
        ...     UNARY_SOURCE, RULES["exp"])
        True
    """
    if rule.py_forward is not None and rule.py_local is not None:
        forward = f"({rule.py_forward})"
        local = "; ".join(f"{n} = {e}" for n, e in zip(("la", "lb"), rule.py_local, strict=False))
    else:
        forward = "fwd(x)" if rule.arity == 1 else "fwd(x, y)"
        local = "(la,) = loc(out, x)" if rule.arity == 1 else "la, lb = loc(out, x, y)"
    return source.format(forward=forward, local=local)
