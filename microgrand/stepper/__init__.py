"""Step through the backward pass: trace it, explain it, play it, animate it.

Example:
    >>> from microgrand import Value
    >>> from microgrand.stepper import trace
    >>> x = Value(2.0, label="x")
    >>> [s.name for s in trace(x * 3)]
    ['x·3', 'n1', 'x']
"""

from __future__ import annotations

from .animate import AnimationError, animate, frames
from .explain import Explanation, explain
from .player import Player, PlayerTooLargeError, save_player, step
from .trace import Contribution, Step, Trace, node_names, trace

__all__ = [
    "AnimationError",
    "Contribution",
    "Explanation",
    "Player",
    "PlayerTooLargeError",
    "Step",
    "Trace",
    "animate",
    "explain",
    "frames",
    "node_names",
    "save_player",
    "step",
    "trace",
]
