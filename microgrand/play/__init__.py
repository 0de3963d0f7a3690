"""The training playground: TensorFlow Playground, live in the notebook, on microgrand's engine.

``mg.playground(...)`` returns a :class:`Playground`: Python owns the state (data, model,
optimizer, history) and the notebook shows it as a widget (anywidget) with the data and
decision boundary, every neuron's output as a small heatmap on the network diagram, edges
coloured by the weight's sign and thickened by its size (hover: weight and gradient; click:
how its last update was made, and set it), train and test loss curves, the gradient norm per
layer over time, and the knobs. ``pg.save("run.html")`` keeps the run as a replay page.

Example::

    import microgrand as mg
    pg = mg.playground(dataset="spirals", classes=3, layers=[16, 16], lr=0.03)
    pg                      # the widget: press Play, or
    pg.step(200)            # train from Python; the widget follows
    pg.history.test_loss[-1], pg.config
    pg.reset()              # the same initial weights, bit for bit
    pg.add_point(0.2, -0.4, label=1)
    pg.save("run.html")     # a replay with a scrubber, no kernel needed

    X, y = mg.data.load_csv("points.csv")            # your own points
    model = mg.nn.MLP(2, [8, 1], activation="tanh", rng=0)
    mg.playground(model=model, X=X, y=y, optimizer=mg.optim.Adam(model.parameters(), lr=0.01))

Needs NumPy (the views) and, for the live widget, anywidget:
``pip install "microgrand[playground]"``.

DOM contract of the widget and of the replay page: the scrubber is ``input[data-scrub]``;
the buttons are ``[data-action="play"|"step"|"reset"|"new-seed"]``; the numbers are
``[data-stat="step"|"train-loss"|"test-loss"|"train-accuracy"|"test-accuracy"]`` with the
full float in ``data-number``; each edge is ``[data-edge="L-j-i"]`` (layer, neuron, input)
with its weight in ``data-number``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

try:
    import numpy as _numpy  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        'microgrand.play (the playground) needs NumPy: pip install "microgrand[playground]"'
    ) from None

from ..nn import MLP
from ..optim import Optimizer
from . import replay as _replay
from .config import DEFAULTS, History, PlaygroundError
from .state import DATASETS, LOSSES, OPTIMIZERS, PlaygroundState

__all__ = [
    "DATASETS",
    "DEFAULTS",
    "LOSSES",
    "OPTIMIZERS",
    "History",
    "Playground",
    "PlaygroundError",
    "PlaygroundState",
    "playground",
]

_MISSING_ANYWIDGET = (
    'the live playground needs anywidget: pip install "microgrand[playground]" '
    "(or pip install anywidget), then run the cell again"
)


class Playground(PlaygroundState):
    """A training run with a notebook widget and a replay page (see :func:`playground`).

    The state and its methods are :class:`~microgrand.play.state.PlaygroundState`'s; this
    class adds :attr:`widget`, :meth:`save` and the notebook display.

    Example:
        >>> pg = Playground(dataset="moons", layers=[4], seed=0)
        >>> _ = pg.step(3); pg.steps
        3
    """

    _widget: Any = None

    @property
    def widget(self) -> Any:
        """The live anywidget view (made on first use; ImportError without anywidget)."""
        if self._widget is None:
            try:
                from .widget import make_widget
            except ImportError:
                raise ImportError(_MISSING_ANYWIDGET) from None
            self._widget = make_widget(self)
        return self._widget

    def save(self, path: Any) -> Any:
        """Write the recorded replay (a self-contained HTML page) to ``path``; returns the path.

        Example:
            >>> import tempfile, os
            >>> pg = Playground(layers=[2], seed=0); _ = pg.step(2)
            >>> pg.save(os.path.join(tempfile.mkdtemp(), "run.html")).suffix
            '.html'
        """
        return _replay.save(self, path)

    def _repr_mimebundle_(
        self, include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
    ) -> Any:
        """The widget view plus a stored-notebook fallback (picture, line and replay page)."""
        fallback: dict[str, Any] = {
            "text/plain": repr(self),
            "image/png": __import__("base64").b64encode(_replay.fallback_png(self)).decode(),
        }
        try:
            bundle = self.widget._repr_mimebundle_()
        except ImportError as e:
            fallback["text/html"] = _replay.fragment(self, interactive=False, note=str(e))
            return fallback
        fallback["text/html"] = _replay.fragment(self)
        if isinstance(bundle, tuple):
            data, meta = bundle
            return {**fallback, **data, "text/plain": repr(self)}, meta
        return fallback


def playground(
    *,
    model: MLP | None = None,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence[int] | None = None,
    optimizer: Optimizer | str | None = None,
    **settings: Any,
) -> Playground:
    """A training playground: a run you can step from Python or from its notebook widget.

    Settings (all optional; see ``DEFAULTS``): ``dataset`` (moons, circles, spirals, xor,
    blobs, or any registered in ``data.DATASETS``), ``n``, ``noise``, ``classes``,
    ``test_fraction``, ``layers`` (hidden sizes), ``activation``, ``init``, ``loss`` (bce, mse,
    hinge, cross_entropy; ``auto``), ``optimizer`` (sgd, momentum, adam, rmsprop, or any
    registered in ``optim.OPTIMIZERS``), ``lr``, ``batch_size``, ``l2``, ``seed``,
    ``record_every`` (a replay frame every k steps), ``theme``. Or start from your own
    objects: ``model`` (an ``nn.MLP`` with 2 inputs and a linear output), ``X``/``y``,
    ``optimizer``. Bad settings raise :class:`PlaygroundError` saying what is allowed.

    Example:
        >>> pg = playground(dataset="xor", layers=[4], lr=0.1, seed=0)
        >>> first = pg.step(); pg.reset(); first == pg.step()
        True
    """
    return Playground(model=model, X=X, y=y, optimizer=optimizer, **settings)
