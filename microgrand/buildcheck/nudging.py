"""The finite-difference check of the student's engine, with their engine only: each input's
gradient from ``backward()`` beside the slope measured by nudging it (:func:`nudge`), and when
they disagree, whether a node used twice kept only one of its contributions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .messages import close
from .running import leaf, walk

__all__ = ["NudgeReport", "nudge"]


class NudgeReport:
    """What :func:`nudge` found: for each input, the gradient ``backward()`` gave and the slope
    measured by nudging it; ``ok`` when every pair agrees, ``diagnosis`` when not.

    Example:
        >>> class V:
        ...     def __init__(self, data, inputs=(), local=()):
        ...         self.data, self.grad, self.inputs, self.local = float(data), 0.0, inputs, local
        >>> NudgeReport(["x"], [2.0], [2.0], [2.0]).ok
        True
    """

    def __init__(
        self,
        names: Sequence[str],
        data: Sequence[float],
        grads: Sequence[float],
        slopes: Sequence[float],
        diagnosis: str = "",
    ) -> None:
        self.names = list(names)
        self.data = list(data)
        self.grads = list(grads)
        self.slopes = list(slopes)
        self.diagnosis = diagnosis

    @property
    def agree(self) -> list[bool]:
        """For each input, whether the gradient and the slope agree (relative 1e-4)."""
        return [
            math.isclose(g, s, rel_tol=1e-4, abs_tol=1e-6)
            for g, s in zip(self.grads, self.slopes, strict=True)
        ]

    @property
    def ok(self) -> bool:
        """True when every input's gradient agrees with its slope."""
        return all(self.agree)

    def __repr__(self) -> str:
        lines = [f"{'input':<8}{'value':>10}{'backward()':>14}{'nudging':>14}"]
        for name, x, g, s, same in zip(
            self.names, self.data, self.grads, self.slopes, self.agree, strict=True
        ):
            lines.append(
                f"{name:<8}{x:>10.4g}{g:>14.6g}{s:>14.6g}   {'agree' if same else 'DIFFER'}"
            )
        if self.ok:
            lines.append("backward() and nudging agree on every input")
        else:
            lines.append(self.diagnosis or "backward() and nudging disagree")
        return "\n".join(lines)


def _overwritten(root: Any) -> str:
    """The name (label) of a node used twice whose gradient kept one contribution only."""
    users: dict[int, list[tuple[Any, float]]] = {}
    for v in walk(root):
        for inp, loc in zip(v.inputs, v.local, strict=True):
            users.setdefault(id(inp), []).append((v, loc))
    for v in walk(root):
        uses = users.get(id(v), [])
        if len(uses) < 2:
            continue
        parts = [loc * u.grad for u, loc in uses]
        if not close(v.grad, sum(parts), 1e-7) and any(close(v.grad, p, 1e-7) for p in parts):
            label = getattr(v, "label", "")
            return (
                f"the node {label}"
                if label
                else f"the {getattr(v, 'op', '')} node".replace("the  node", "a node")
            )
    return ""


def nudge(
    f: Callable[..., Any],
    inputs: Sequence[float],
    Value: Any,
    names: Sequence[str] = (),
    h: float = 1e-6,
) -> NudgeReport:
    """Check your engine's ``backward()`` against nudging, with your engine only.

    Builds ``out = f(*leaves)`` with ``Value`` at ``inputs``, runs ``out.backward()``, then
    measures each input's slope by central differences, ``(f(x + h) - f(x - h)) / 2h``, with
    new Values each time. The report lists both numbers for each input; when they disagree,
    it says whether a node used twice kept only one of its contributions (``=`` for ``+=``).

    Example:
        >>> from microgrand import Value
        >>> nudge(lambda x, y: x * y + x, [2.0, 3.0], Value, names=["x", "y"]).ok
        True
    """
    names = list(names) or [f"x{i + 1}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"nudge() got {len(inputs)} inputs but {len(names)} names")
    leaves = [leaf(Value, x, k) for x, k in zip(inputs, names, strict=True)]
    out = f(*leaves)
    out.backward()
    grads = [float(v.grad) for v in leaves]

    def at(i: int, dx: float) -> float:
        xs = [x + (dx if j == i else 0.0) for j, x in enumerate(inputs)]
        return float(f(*[Value(x) for x in xs]).data)

    slopes = [(at(i, h) - at(i, -h)) / (2 * h) for i in range(len(inputs))]
    diagnosis = ""
    if not all(
        math.isclose(g, s, rel_tol=1e-4, abs_tol=1e-6) for g, s in zip(grads, slopes, strict=True)
    ):
        node = _overwritten(out)
        diagnosis = (
            f"backward() and nudging disagree: {node} is used more than once, "
            "and its gradient kept only ONE of its contributions: backward_step must "
            "add them up (+=), not overwrite them (=)"
            if node
            else "backward() and nudging disagree: look at the local derivatives of the "
            "operations between that input and the output"
        )
    return NudgeReport(names, inputs, grads, slopes, diagnosis)
