"""Checks for lesson 03, where students build their own autograd engine, step by step.

Each ``check_*`` function takes what the student wrote (their ``Value`` class, their
functions), runs it on small cases, compares the results with microgrand's (the oracle), and
returns a :class:`~microgrand.selfcheck.Verdict` whose message says precisely what differs: a
sign, a local derivative taken from the wrong input, a contribution overwritten (``=`` instead
of ``+=``), a node visited twice, nodes in the wrong order, a forgotten ``zero_grad``…

The student's ``Value`` is expected to keep the fields the lesson gives it::

    class Value:
        def __init__(self, data, inputs=(), local=(), op="", label=""):
            self.data = float(data)   # the number
            self.grad = 0.0           # d(output)/d(self), filled in by backward()
            self.inputs = inputs      # the Values this one was made from
            self.local = local        # ∂(self)/∂(input), one number per input
            self.op = op
            self.label = label

A step the student has not written yet (a method missing from the class, or a function still
bound to a :func:`todo` placeholder) makes the check raise :class:`NotWrittenYet`, which says
what to write and where; in Jupyter it shows as that one message, not a traceback, and "Run
all" stops there. Anything the student's code raises while being checked is caught and
reported in the verdict.

The checks live in the package's modules, in the lesson's order, and are all imported here:

* :mod:`~microgrand.buildcheck.operations`: ``+``, ``*``, ``tanh``, ``exp``;
* :mod:`~microgrand.buildcheck.backward`: ``backward_step``, the topological order,
  ``backward()``, tanh from ``exp`` and the accumulation of contributions;
* :mod:`~microgrand.buildcheck.nudging`: :func:`nudge`, the check by finite differences;
* :mod:`~microgrand.buildcheck.network`: ``Neuron``, ``Layer`` and ``MLP``, the training loop;

and what they share: :mod:`~microgrand.buildcheck.running` (the placeholders, running the
student's code) and :mod:`~microgrand.buildcheck.messages` (the ✗ messages and the verdicts).

Example:
    >>> class V:
    ...     def __init__(self, data, inputs=(), local=(), op="", label=""):
    ...         self.data, self.grad = float(data), 0.0
    ...         self.inputs, self.local, self.op, self.label = inputs, local, op, label
    ...     def __add__(self, other):
    ...         other = other if isinstance(other, V) else V(other)
    ...         return V(self.data + other.data, (self, other), (1.0, 1.0), "+")
    >>> check_add(V)
    ✓ a + b: the value, the inputs (a, b) and the local derivatives (1, 1) are right
"""

from __future__ import annotations

from ..selfcheck import Verdict as Verdict  # the checks' result type, importable here as before
from .backward import (
    check_accumulation,
    check_backward,
    check_backward_step,
    check_tanh_from_exp,
    check_topological_order,
)
from .network import check_layer_and_mlp, check_neuron, check_training
from .nudging import NudgeReport, nudge
from .operations import check_add, check_exp, check_mul, check_tanh
from .running import NotWrittenYet, todo

__all__ = [
    "NotWrittenYet",
    "NudgeReport",
    "check_accumulation",
    "check_add",
    "check_backward",
    "check_backward_step",
    "check_exp",
    "check_layer_and_mlp",
    "check_mul",
    "check_neuron",
    "check_tanh",
    "check_tanh_from_exp",
    "check_topological_order",
    "check_training",
    "nudge",
    "todo",
]

# The public classes go by this module's name (a traceback's
# `microgrand.buildcheck.NotWrittenYet`, a pickle), wherever in the package they are defined.
NotWrittenYet.__module__ = NudgeReport.__module__ = __name__
