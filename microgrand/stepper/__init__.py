"""Step through the backward pass: trace it, write it out, explain it, animate it.

The trace (:mod:`~microgrand.stepper.trace`), the chain-rule notation and one record per step
(:mod:`~microgrand.stepper.notation`), the explanation (:mod:`~microgrand.stepper.explain`) and
the GIF frames (:mod:`~microgrand.stepper.animate`). The HTML player is a page
(:mod:`microgrand.pages.player`): this package imports nothing from :mod:`microgrand.pages`.

Example:
    >>> from microgrand import Value
    >>> from microgrand.stepper import trace
    >>> x = Value(2.0, label="x")
    >>> [s.name for s in trace(x * 3)]
    ['x·3', 'c', 'x']
"""

from __future__ import annotations

import sys
from typing import Any

from .animate import AnimationError, animate, frame_diagram, frames
from .explain import Explanation, explain
from .record import StepRecord, step_record, step_records
from .trace import (
    DEFAULT_MAX_STEPS,
    Contribution,
    PlayerTooLargeError,
    Step,
    Trace,
    node_names,
    trace,
)

__all__ = [
    "DEFAULT_MAX_STEPS",
    "AnimationError",
    "Contribution",
    "Explanation",
    "PlayerTooLargeError",
    "Step",
    "StepRecord",
    "Trace",
    "animate",
    "explain",
    "frame_diagram",
    "frames",
    "node_names",
    "step_record",
    "step_records",
    "trace",
]

# The player moved to microgrand.pages.player (the stepper imports nothing from the pages).
# Its old names here keep working for this release: microgrand's own __init__ always loads
# that module, so they are looked up in it, not imported (the modules
# microgrand.stepper.player and microgrand.stepper.player_page are aliases set by it).
_MOVED = {
    "Player": "microgrand.pages.player",
    "step": "microgrand.pages.player",
    "save_player": "microgrand.pages.player",
    "player": "microgrand.pages.player",
    "player_page": "microgrand.pages.player_page",
}


def __getattr__(name: str) -> Any:
    """``Player``, ``step`` and ``save_player`` from their new home (see above)."""
    home = _MOVED.get(name)
    module = sys.modules.get(home) if home is not None else None
    if module is None:
        raise AttributeError(f"module 'microgrand.stepper' has no attribute {name!r}")
    return module if name in ("player", "player_page") else getattr(module, name)
