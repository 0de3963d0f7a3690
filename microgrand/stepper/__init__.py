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
    ['x·3', 'n1', 'x']
"""

from __future__ import annotations

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

# ``Player``, ``step`` and ``save_player`` were importable from here (and the modules
# ``microgrand.stepper.player`` and ``microgrand.stepper.player_page`` existed) until the
# player moved to :mod:`microgrand.pages.player`; that module keeps those old paths working.
