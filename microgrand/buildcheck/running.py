"""Running the student's code for lesson 03: the placeholders of the steps not written yet
(:func:`todo`, :class:`NotWrittenYet`), the run of a check's body that turns whatever the
student's code does into a verdict (:func:`run`), and the first looks at what it made (a
method there, a node with the lesson's fields, the graph below a node).

These helpers are shared by the checks of :mod:`microgrand.buildcheck`; ``todo`` and
``NotWrittenYet`` are public there too.

Example:
    >>> def body() -> str:
    ...     raise ZeroDivisionError("float division by zero")
    >>> run("add", body)
    ✗ your code raised ZeroDivisionError: float division by zero
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..selfcheck import Verdict
from .messages import Problem, verdict

__all__ = [
    "NotWrittenYet",
    "Todo",
    "fields",
    "leaf",
    "need_function",
    "need_method",
    "run",
    "todo",
    "walk",
]


class NotWrittenYet(NotImplementedError):
    """A step of the build has not been written yet; the message says what to write.

    In Jupyter the error shows as its message alone (no traceback), and "Run all" stops at it.

    Example:
        >>> try:  # doctest: +ELLIPSIS
        ...     todo("backward_step", "Exercise 4")(None)
        ... except NotWrittenYet as e:
        ...     print(e)
        … not answered yet: backward_step is not written yet: write it in the empty cell under ...
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return [f"NotWrittenYet: {self}"]


class Todo:
    """A placeholder for a function or class the student will write (see :func:`todo`); its
    :meth:`message` says what to write and where."""

    def __init__(self, name: str, where: str) -> None:
        self.name = name
        self.where = where

    def message(self) -> str:
        """What :class:`NotWrittenYet` says: what to write, and under which exercise."""
        return (
            f"… not answered yet: {self.name} is not written yet: write it in the empty "
            f"cell under {self.where}, then run this cell again"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotWrittenYet(self.message())

    def __repr__(self) -> str:
        return f"<{self.name}: not written yet ({self.where})>"


def todo(name: str, where: str) -> Callable[..., Any]:
    """A placeholder for a function (or class) the student writes later in the lesson.

    Calling it raises :class:`NotWrittenYet`, and a check given it says what to write, so a
    lesson run from the top stops at the first step not written yet.

    Example:
        >>> topological_order = todo("topological_order", "Exercise 5")
        >>> topological_order
        <topological_order: not written yet (Exercise 5)>
    """
    return Todo(name, where)


def run(step: str, body: Callable[[], str]) -> Verdict:
    """Run a check's body: its return is the ✓ message, a :class:`~.messages.Problem` the ✗
    message; anything the student's code raises is reported, :class:`NotWrittenYet` passes
    through.

    Example:
        >>> run("add", lambda: "a + b is right")
        ✓ a + b is right
    """
    try:
        return verdict(step, True, "✓ " + body())
    except NotWrittenYet:
        raise
    except Problem as p:
        return verdict(step, False, "✗ " + str(p))
    except RecursionError:
        return verdict(
            step,
            False,
            "✗ your code called itself without end (RecursionError): "
            "does a function call itself on the same node?",
        )
    except Exception as e:  # the student's code failed: say where, without a traceback
        return verdict(step, False, f"✗ your code raised {type(e).__name__}: {e}")


def need_method(V: Any, attr: str, what: str, where: str) -> None:
    """Raise :class:`NotWrittenYet` unless ``V`` is a class with the method ``attr`` (``what``
    in the message, written under the exercise ``where``).

    Example:
        >>> need_method(type("V", (), {}), "exp", "exp", "Exercise 7")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: your Value has no exp yet: ...
    """
    if not isinstance(V, type):
        raise NotWrittenYet(f"… not answered yet: pass your Value class (got {V!r})")
    if getattr(V, attr, None) is None:
        raise NotWrittenYet(
            f"… not answered yet: your Value has no {what} yet: write it in the empty cell "
            f"under {where} (and attach it: Value.{attr} = ...), then run this cell again"
        )


def need_function(f: Any, name: str) -> None:
    """Raise :class:`NotWrittenYet` while ``f`` is still a :func:`todo` placeholder, and stop
    the check (:class:`~.messages.Problem`) when it is not a function.

    Example:
        >>> need_function(print, "print")  # a function: nothing to say
    """
    if isinstance(f, Todo):
        raise NotWrittenYet(f.message())
    if not callable(f):
        raise Problem(f"{name} should be a function, got {type(f).__name__}")


def leaf(V: Any, x: float, label: str) -> Any:
    """A leaf ``V(x)`` labelled ``label``, with the student's class or microgrand's.

    Example:
        >>> from microgrand import Value
        >>> leaf(Value, 2.0, "a").label
        'a'
    """
    v = V(x)
    v.label = label
    return v


def fields(node: Any, V: Any, what: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A node's inputs and local derivatives, after checking it is a Value that has them
    (else the check stops, naming ``what`` and the field it lacks)."""
    if not isinstance(node, V):
        raise Problem(
            f"{what} should be a new Value, got {type(node).__name__} {node!r}: return Value(...)"
        )
    for attr in ("data", "grad", "inputs", "local"):
        if not hasattr(node, attr):
            raise Problem(f"{what} has no .{attr}: keep the fields of the lesson's __init__")
    inputs, local = tuple(node.inputs), tuple(node.local)
    if len(inputs) != len(local):
        raise Problem(
            f"{what} has {len(inputs)} inputs but {len(local)} local derivatives: "
            "one local derivative per input"
        )
    return inputs, local


def walk(root: Any) -> list[Any]:
    """Every node below ``root`` once, each after its inputs (iterative depth-first search)."""
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for inp in reversed(tuple(getattr(node, "inputs", ()))):
            if id(inp) not in seen:
                stack.append((inp, False))
    return order
