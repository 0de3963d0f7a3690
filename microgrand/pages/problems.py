"""Generated gradient problems: the same seed gives the same problem, difficulty sets its size.

:func:`random_problem` builds a small expression from labelled inputs ``a, b, c, …`` with
friendly numbers (small integers; halves from difficulty 3). The difficulty (1 … 5) sets

* the **depth** (operations on the longest path from an input to the output),
* the **fan-out**: how many values are used twice (the accumulation trap: their gradient is
  a sum of one term per use),
* the **operations** that appear: 1: ``+ ×``; 2: ``+ − ×``; 3: also ``tanh``, ``ReLU``,
  ``x²``; 4: also ``÷``, ``exp``, ``log``, ``σ``; 5: also ``sin``, ``cos``, ``x³``.

Example:
    >>> p = random_problem(seed=3, difficulty=2)
    >>> q = random_problem(seed=3, difficulty=2)
    >>> p.label, p.data == q.data, describe(p) == describe(q)
    ('L', True, True)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..graph import Graph
from ..value import Value

__all__ = ["DIFFICULTIES", "LEVELS", "Level", "describe", "random_problem"]


@dataclass(frozen=True)
class Level:
    """What one difficulty means: inputs, depth, values used twice, operations."""

    inputs: int
    depth: int
    fanout: int
    ops: tuple[str, ...]
    halves: bool


LEVELS: dict[int, Level] = {
    1: Level(inputs=3, depth=2, fanout=0, ops=("add", "mul"), halves=False),
    2: Level(inputs=3, depth=3, fanout=1, ops=("add", "sub", "mul"), halves=False),
    3: Level(
        inputs=3,
        depth=4,
        fanout=1,
        ops=("add", "sub", "mul", "tanh", "relu", "square"),
        halves=True,
    ),
    4: Level(
        inputs=4,
        depth=5,
        fanout=2,
        ops=("add", "sub", "mul", "tanh", "relu", "square", "div", "exp", "log", "sigmoid"),
        halves=True,
    ),
    5: Level(
        inputs=4,
        depth=6,
        fanout=2,
        ops=(
            "add",
            "sub",
            "mul",
            "tanh",
            "relu",
            "square",
            "div",
            "exp",
            "log",
            "sigmoid",
            "sin",
            "cos",
            "cube",
        ),
        halves=True,
    ),
}
"""Difficulty -> :class:`Level`."""

DIFFICULTIES = tuple(LEVELS)
_UNARY = {"tanh", "relu", "square", "exp", "log", "sigmoid", "sin", "cos", "cube"}


def _apply(op: str, a: Value, b: Value | None) -> Value:
    if op == "add":
        assert b is not None
        return a + b
    if op == "sub":
        assert b is not None
        return a - b
    if op == "mul":
        assert b is not None
        return a * b
    if op == "div":
        assert b is not None
        return a / b
    if op == "square":
        return a**2
    if op == "cube":
        return a**3
    method = {
        "tanh": Value.tanh,
        "relu": Value.relu,
        "exp": Value.exp,
        "log": Value.log,
        "sigmoid": Value.sigmoid,
        "sin": Value.sin,
        "cos": Value.cos,
    }[op]
    return method(a)


def random_problem(seed: int = 0, difficulty: int = 2) -> Value:
    """A generated expression (its output labelled ``L``) for a gradient exercise.

    The same ``seed`` and ``difficulty`` give the same expression and numbers on every
    machine (Python's ``random.Random(seed)``). ``difficulty`` is 1 … 5 (see the module
    docstring); anything else raises ``ValueError``.

    Example:
        >>> L = random_problem(seed=1, difficulty=1)
        >>> sorted(n.label for n in Graph.of(L).leaves)
        ['a', 'b', 'c']
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if abs(seed) >= 10**18:  # formatting a huge int would fail (and no one types one)
        digits = "many" if seed.bit_length() > 10_000 else f"{len(str(abs(seed)))}"
        raise ValueError(f"seed must be an int from -10**18 to 10**18, got one of {digits} digits")
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or difficulty not in LEVELS:
        raise ValueError(
            f"difficulty must be one of {', '.join(map(str, DIFFICULTIES))}, got {difficulty!r}"
        )
    level = LEVELS[difficulty]
    rng = random.Random(f"microgrand-problem-{seed}-{difficulty}")
    for _attempt in range(200):
        root = _try(rng, level)
        if root is not None:
            root.label = "L"
            return root
    raise RuntimeError("could not generate a problem")  # pragma: no cover


def _number(rng: random.Random, halves: bool) -> float:
    choices = [x for x in range(-3, 4) if x != 0]
    x = float(rng.choice(choices))
    if halves and rng.random() < 0.3:
        x = rng.choice((-1.5, -0.5, 0.5, 1.5, 2.5))
    return x


def _try(rng: random.Random, level: Level) -> Value | None:
    leaves = [
        Value(_number(rng, level.halves), label=chr(ord("a") + i)) for i in range(level.inputs)
    ]
    depth = {id(v): 0 for v in leaves}
    frontier: list[Value] = list(leaves)  # values nobody uses yet
    used: list[Value] = []  # values used once (candidates for a second use)
    reuse = level.fanout
    unary_budget = max(1, level.depth // 2) if any(o in _UNARY for o in level.ops) else 0
    binary = [o for o in level.ops if o not in _UNARY]
    unary = [o for o in level.ops if o in _UNARY]
    for _step in range(60):
        deepest = max(depth[id(v)] for v in frontier)
        if len(frontier) == 1 and deepest >= level.depth and reuse == 0:
            break
        alone = len(frontier) == 1
        if alone and reuse and used:
            op = rng.choice(binary)
        elif unary and unary_budget > 0 and (alone or rng.random() < 0.35):
            op = rng.choice(unary)
        elif alone:
            return None
        else:
            op = rng.choice(binary)
        frontier.sort(key=lambda v: -depth[id(v)])
        a = frontier[0] if rng.random() < 0.7 else rng.choice(frontier)
        b: Value | None = None
        if op not in _UNARY:
            rest = [v for v in frontier if v is not a]
            if reuse and used and (not rest or rng.random() < 0.5):
                b = rng.choice(used)
                reuse -= 1
            elif rest:
                b = rng.choice(rest)
            else:
                return None
            if rng.random() < 0.5:
                a, b = b, a
        try:
            v = _apply(op, a, b)
        except (ValueError, ArithmeticError):
            return None
        if not (abs(v.data) < 50 and (v.data == 0 or abs(v.data) > 1e-3)):
            return None
        if op in _UNARY:
            unary_budget -= 1
        for x in (a, b):
            if x is not None and any(f is x for f in frontier):
                frontier = [f for f in frontier if f is not x]
                used.append(x)
        depth[id(v)] = 1 + max(depth[id(a)], depth[id(b)] if b is not None else 0)
        frontier.append(v)
    if len(frontier) != 1 or reuse:
        return None
    root = frontier[0]
    if depth[id(root)] < level.depth or depth[id(root)] > level.depth + 2:
        return None
    if not all(math.isfinite(n.data) for n in Graph.of(root).nodes):
        return None  # pragma: no cover
    return root


def describe(root: Value) -> str:
    """The problem as one line: the inputs and the operations in topological order.

    Example:
        >>> "n4=" in describe(random_problem(seed=1, difficulty=1))
        True
    """
    g = Graph.of(root)
    leaves = ", ".join(f"{n.label or n.id} = {n.data:g}" for n in g.leaves)
    ops = " ".join(f"{n.id}={n.op}({','.join(n.inputs)})" for n in g.nodes if n.op)
    return f"{leaves}; {ops}"
