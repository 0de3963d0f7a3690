"""microgrand: see backpropagation.

A scalar autograd engine whose graphs can be drawn, stepped through and explained.

Example:
    >>> import microgrand as mg
    >>> x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    >>> y = (x * w + b).tanh()
    >>> y.backward()
    >>> round(w.grad, 4)
    1.0019
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from . import data as data
from . import init as init
from . import losses as losses
from . import nn as nn
from . import optim as optim
from .context import is_grad_enabled, no_grad, scope
from .doctor import doctor
from .expr import ExpressionError, parse_expression
from .functions import (
    cos,
    exp,
    leaky_relu,
    log,
    logsumexp,
    relu,
    sigmoid,
    sin,
    softmax,
    softplus,
    sqrt,
    tanh,
    vsum,
    zero_grad,
)
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .graph import Graph, topological_order
from .nn import MLP
from .pages.explore import Explorer, explore
from .pages.live import live
from .pages.player import Player, save_player, step
from .pages.quiz import quiz
from .recording import Recorded, RecordMismatchError, record
from .render import Diagram, DiagramTooLargeError, RenderError, draw
from .render.engine import ready
from .rules import RULES, Rule
from .selfcheck import Verdict, check
from .stepper import Trace, animate, explain, trace
from .train import History, fit
from .value import NonFiniteGradientWarning, Value, apply

if _TYPE_CHECKING:
    from .play import Playground

__version__ = "0.1.0"


def playground(**kwargs: _Any) -> "Playground":
    """A training playground in the notebook (TensorFlow Playground on this engine).

    Imported on first use (it needs NumPy, and anywidget for the live widget:
    ``pip install "microgrand[playground]"``); see :mod:`microgrand.play`.

    Example:
        >>> import microgrand as mg
        >>> pg = mg.playground(dataset="xor", layers=[4], seed=0)
        >>> loss = pg.step(10); pg.steps
        10
    """
    from .play import playground as make

    return make(**kwargs)


__all__ = [
    "MLP",
    "RULES",
    "Diagram",
    "DiagramTooLargeError",
    "Explorer",
    "ExpressionError",
    "GradcheckError",
    "GradcheckReport",
    "Graph",
    "History",
    "NonFiniteGradientWarning",
    "Player",
    "RecordMismatchError",
    "Recorded",
    "RenderError",
    "Rule",
    "Trace",
    "Value",
    "Verdict",
    "__version__",
    "animate",
    "apply",
    "check",
    "cos",
    "data",
    "doctor",
    "draw",
    "exp",
    "explain",
    "explore",
    "fit",
    "gradcheck",
    "init",
    "is_grad_enabled",
    "leaky_relu",
    "live",
    "log",
    "logsumexp",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "parse_expression",
    "playground",
    "quiz",
    "ready",
    "record",
    "relu",
    "save_player",
    "scope",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "sqrt",
    "step",
    "tanh",
    "topological_order",
    "trace",
    "vsum",
    "zero_grad",
]
