"""The notebook widget (anywidget): one view of a :class:`~microgrand.play.state.Playground`.

Python owns the state; the widget's traits mirror it (``view``: what changes only when the
run is rebuilt; ``frame``: the current views without the points; ``points``: the train and
test points, sent only when they change; ``history``: the curves, at most
:data:`HISTORY_ROWS` rows whatever the number of steps; ``frame_count`` and ``frame_index``:
the recorded frames and the one shown; ``error``: the last refused setting or divergence) and
the front-end (``web/playground.js``) sends the user's actions as custom messages: ``step``
(``n`` steps, or as many as fit in ``seconds`` while playing), ``reset``, ``new_seed``,
``show`` (a recorded frame), ``set`` (a setting), ``add_point``, ``erase``, ``set_weight``.
So a message carries what changed, a few tens of KB, not the run's whole history.

Saved widget state: the traits are the whole picture (the ES module included), so a notebook
saved with its widget state (JupyterLab and Notebook 7: Settings → Save Widget State
Automatically) reopens without a kernel showing the last frame.

This module imports anywidget; :func:`make_widget` is the only way in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from .replay import css, module
from .state import PlaygroundError

if TYPE_CHECKING:
    from .state import Playground

__all__ = ["HISTORY_ROWS", "PlaygroundWidget", "make_widget"]

HISTORY_ROWS = 300
"""The most history rows the widget's curves get (a chart is 265 px wide)."""


class PlaygroundWidget(anywidget.AnyWidget):
    """The live playground in a notebook (see :func:`microgrand.playground`)."""

    _esm = traitlets.Unicode(module()).tag(sync=True)
    _css = traitlets.Unicode("").tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    points = traitlets.Dict().tag(sync=True)
    history = traitlets.Dict().tag(sync=True)
    frame_count = traitlets.Int(1).tag(sync=True)
    frame_index = traitlets.Int(0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, pg: Playground) -> None:
        super().__init__()
        self._css = css(pg.config["theme"])
        self._pg = pg
        self._view_key: Any = None
        self.sync()
        pg._listen(self.sync)
        self.on_msg(self._on_msg)

    def sync(self) -> None:
        """Copy the playground's state into the traits (after every change in Python)."""
        pg = self._pg
        view = pg.view_data()
        with self.hold_sync():
            if view != self.view:
                self.view = view
            self._show(pg.frame)
            self.history = _rounded(pg.history.as_dict(max_rows=HISTORY_ROWS))
            self.frame_count = len(pg.frames) + (0 if pg.frames[-1] is pg.frame else 1)
            self.frame_index = self.frame_count - 1

    def _show(self, frame: dict[str, Any]) -> None:
        """Show ``frame``: its views in ``frame``, its points in ``points`` (sent if changed)."""
        self.frame = {k: v for k, v in frame.items() if k != "points"}
        if frame["points"] != self.points:
            self.points = frame["points"]

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        pg = self._pg
        action = content.get("action")
        try:
            self.error = ""
            if action == "step":
                seconds = content.get("seconds")
                pg.step(
                    int(content.get("n", 1)),
                    progress=False,
                    seconds=None if seconds is None else min(float(seconds), 1.0),
                )
            elif action == "reset":
                pg.reset()
            elif action == "new_seed":
                pg.new_seed()
            elif action == "set":
                pg.set(**{str(content["key"]): content["value"]})
            elif action == "add_point":
                pg.add_point(float(content["x1"]), float(content["x2"]), int(content["label"]))
            elif action == "erase":
                pg.erase_point(float(content["x1"]), float(content["x2"]))
            elif action == "set_weight":
                pg.set_weight(
                    int(content["layer"]),
                    int(content["neuron"]),
                    int(content["index"]),
                    float(content["value"]),
                )
            elif action == "show":
                i = int(content["frame"])
                frames = [*pg.frames] if pg.frames[-1] is pg.frame else [*pg.frames, pg.frame]
                i = max(0, min(len(frames) - 1, i))
                with self.hold_sync():
                    self._show(frames[i])
                    self.frame_index = i
        except (PlaygroundError, ValueError, TypeError, KeyError, ArithmeticError) as e:
            self.error = str(e)  # a refused setting, or a run that diverged (with advice)


def _rounded(history: dict[str, Any]) -> dict[str, Any]:
    """The curves to 6 significant digits (a picture 265 px wide; the message a third the size)."""

    def r(xs: list[Any]) -> list[Any]:
        return [x if x is None or x.__class__ is int else float(f"{x:.6g}") for x in xs]

    out: dict[str, Any] = {k: r(v) for k, v in history.items() if k != "grad_norms"}
    out["grad_norms"] = {g: r(v) for g, v in history["grad_norms"].items()}
    return out


def make_widget(pg: Playground) -> PlaygroundWidget:
    """The widget for ``pg`` (anywidget must be installed)."""
    return PlaygroundWidget(pg)
