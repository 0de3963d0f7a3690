"""A backward-pass player: step through a :class:`~microgrand.stepper.trace.Trace` on the diagram.

:func:`player` returns a :class:`Player` (so does :func:`step`, unless the graph is too big for
one and built in scopes: then it opens the explorer). In a notebook the player shows the
diagram with the current step highlighted, the chain-rule line beside it and Start / Prev /
Play / Next buttons and a slider (arrow keys work too). It is one self-contained piece of HTML
(no network, no external scripts, no widgets; see :mod:`microgrand.pages`), so it also works in
exported HTML and as a plain file: :func:`save_player` writes it. Where scripts do not run (a
stored notebook opened in JupyterLab before it is trusted or run, GitHub, nbviewer) it shows a
picture of the finished backward pass and the line "Run this cell to step through the backward
pass".

This module is the player's data and Python API: :func:`player_model` turns the trace into the
page model (one structured record per step: the node, its gradient, each incoming term with its
upstream gradient, local derivative and symbolic form, and what it sends to each input).
:mod:`microgrand.pages.player_page` builds the markup; ``microgrand/web/player.js`` runs it.

DOM contract of the page (stable; for tests and scripts):

* buttons ``[data-action="start"|"prev"|"play"|"next"]``; the slider ``[data-scrub]``;
* the current step ``[data-step]`` with text ``i/n`` (``0/n`` before the first step);
* every number on the diagram: ``[data-node="NAME"][data-field="data"|"grad"]`` whose
  ``data-number`` is the full-precision float (Python ``repr``), empty while a gradient has not
  been reached; NAME is the name the diagram shows (the label, or the trace's automatic name);
* ``.mg-player[data-frame]``: the current frame (0 … n);
* the diagram zooms (``MG.zoom``: buttons ``[data-zoom="out"|"in"|"fit"]``, also
  ``[data-action="zoom-out"|"zoom-in"|"fit"]``; keys + - 0 in the diagram, and the arrows on
  the focused ``.mg-stage``) and opens at a scale where its text is 11 px or
  more; its value boxes ``g[data-id]`` and input edges ``g[data-edge]`` are buttons named in
  words (``"w: data = −3.0000, grad = 1.0019"``, ``"edge from w to x·w, local derivative
  2.0"``), one Tab stop with the arrow keys between them in backward order and Enter for
  their step; operations ``g[data-op]`` and their output edges are named images.

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x"); y = x * 3; y.label = "y"
    >>> p = step(y)
    >>> len(p), p.trace[0].name
    (3, 'y')
    >>> h = p._repr_html_()
    >>> "<script>" in h and "data:image/png;base64," in h and "http" not in h.replace(
    ...     "http://www.w3.org", "")
    True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from .._format import check_precision, format_short
from ..render import draw
from ..render.diagram import Diagram
from ..render.themes import ThemeName
from ..stepper.animate import frame_diagram
from ..stepper.record import display_graph, step_names, step_record
from ..stepper.trace import (
    DEFAULT_MAX_STEPS,
    Contribution,
    PlayerTooLargeError,
    Trace,
    as_trace,
    check_steps,
)
from ..value import Value
from . import player_page as _player_page
from .cell import (
    CELL_PX,
    MEASURED_NODES,
    STORED_MIN_TEXT_PX,
    diagram_width_px,
    direction_for_the_width,
    fits_cell,
)
from .explore import explore
from .model import edge_id, graph_model, number
from .options import ViewOptions
from .page import Page, PageView, fallback_picture
from .player_page import FALLBACK_DPI, player_page

__all__ = [
    "CELL_PX",
    "DEFAULT_MAX_STEPS",
    "Player",
    "PlayerTooLargeError",
    "display_graph",
    "player",
    "player_model",
    "save_player",
    "step",
]


def player_model(t: Trace, names: dict[str, str], precision: int) -> list[dict[str, Any]]:
    """One structured record per step of the trace: the player's page model.

    Each record: ``id``, ``name``, ``kind`` (``"the output"``, ``"an input"``, ``"a tanh
    node"``), ``grad`` (final), ``start``, ``seed``, ``root``, ``leaf``, ``lhs``
    (``"dL/dx"``), ``note`` (the bracketed remark or ``None``), ``incoming`` (the terms that
    make the gradient: ``from``, ``symbol`` ``"dL/dz · dz/dx"``, ``worded`` (the local
    derivative from the rule table with names put in, ``None`` for a plain number),
    ``upstream``, ``local``, ``value``, ``before``, ``after``), ``stages`` and ``result`` (the
    chain-rule line's right-hand side as text, from
    :func:`~microgrand.stepper.record.step_record`) and ``sends`` (what the node
    passes to each input: ``input`` id, ``to`` name, ``edge`` id, ``upstream``, ``local``,
    ``value``, ``before``, ``after``, ``got``/``need``: how many of that input's terms
    have arrived so far, of how many, and ``product``/``sent``: the record's text of the
    product and its value). Numbers are floats (non-finite ones as strings).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> a = Value(3.0, label="a"); t = trace(a * a)
        >>> m = player_model(t, step_names(t), 4)
        >>> [c["value"] for c in m[1]["incoming"]], m[1]["incoming"][0]["symbol"]
        ([3.0, 3.0], 'dL/dL · ∂L/∂a')
        >>> [(c["got"], c["need"]) for c in m[0]["sends"]]
        [(1, 2), (2, 2)]
    """
    check_precision(precision)
    got: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for s in t:
        rec = step_record(s, t, precision=precision, names=names)
        incoming = [
            {"from": c.node, "symbol": term.symbol, "worded": term.worded, **_numbers(c)}
            for c, term in zip(s.incoming, rec.terms, strict=True)
        ]
        sends = []
        for c, (_, product, sent) in zip(s.outgoing, rec.sends, strict=True):
            got[c.input] = got.get(c.input, 0) + 1
            sends.append(
                {
                    "input": c.input,
                    "to": names[c.input],
                    "edge": edge_id(c.input, c.node, c.position),
                    **_numbers(c),
                    "got": got[c.input],
                    "need": len(t.step_of(c.input).incoming),
                    "product": product,
                    "sent": sent,
                }
            )
        out.append(
            {
                "id": s.id,
                "name": rec.name,
                "kind": rec.kind,
                "grad": number(s.grad),
                "start": number(s.start),
                "seed": number(s.seed),
                "root": s.is_root,
                "leaf": s.is_leaf,
                "lhs": rec.lhs,
                "stages": list(rec.stages),
                "result": rec.result,
                "note": rec.remark,
                "incoming": incoming,
                "sends": sends,
            }
        )
    return out


def _numbers(c: Contribution) -> dict[str, Any]:
    """A chain-rule term's numbers for the page (non-finite ones as strings)."""
    return {k: number(getattr(c, k)) for k in ("upstream", "local", "value", "before", "after")}


class Player(PageView):
    """Steps through the backward pass of a :class:`Trace` on its diagram.

    Frame 0 is the graph after the forward pass (no gradients yet); frame ``k`` (1 … N) is
    step ``k - 1`` of the trace: that node's gradient is final and shown, and what it sends
    back to its inputs is written on its input edges. See the module docstring for the
    page's DOM contract.

    Example:
        >>> from microgrand import Value
        >>> p = step(Value(2.0, label="x") * 3)
        >>> p.frames, p.explanation(1)
        (4, 'dL/dL = 1.0   (start: L changes one-for-one with itself)')
    """

    noun = "player"
    save_uid = "mgp"

    def __init__(
        self,
        t: Trace,
        *,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] | None = None,
        theme: ThemeName = "light",
        interval: float = 1.2,
        max_steps: int = DEFAULT_MAX_STEPS,
        engine: str | None = None,
    ) -> None:
        if not isinstance(t, Trace):
            raise TypeError(f"Player takes a Trace, got {type(t).__name__}")
        check_steps(t, max_steps)
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int | float)
            or not (0.05 <= interval <= 60)
        ):
            raise ValueError(f"interval must be seconds between 0.05 and 60, got {interval!r}")
        self.options = ViewOptions(precision, rankdir or "LR", theme)
        self.trace = t
        self.precision = precision
        self.theme = theme
        self.interval = float(interval)
        self.engine = engine
        self.names = step_names(t)
        self.graph = display_graph(t)
        self._diagram: Diagram | None = None
        self.rankdir: Literal["LR", "TB"] = rankdir or self._for_the_width()

    def _for_the_width(self) -> Literal["LR", "TB"]:
        """:func:`~microgrand.pages.cell.direction_for_the_width`, its diagram kept (it is
        the one the page shows)."""
        rankdir, self._diagram = direction_for_the_width(self._draw, len(self.trace.graph))
        return rankdir

    def __len__(self) -> int:
        return len(self.trace)

    def __repr__(self) -> str:
        return f"<Player of {self.names[self.trace[0].id]}: {len(self)} steps>"

    @property
    def frames(self) -> int:
        """Number of frames: the starting picture plus one per step."""
        return len(self.trace) + 1

    # --- what each frame says ------------------------------------------------------------

    def explanation(self, frame: int) -> str:
        """The chain-rule line (plain text) of a frame; frame 0 says what is about to happen.

        Example:
            >>> from microgrand import Value
            >>> step(Value(1.0, label="x") + 1).explanation(0)[:19]
            'Forward pass done: '
        """
        self._check_frame(frame)
        if frame == 0:
            return (
                "Forward pass done: every value is known. Gradients are blank until the "
                "backward pass reaches them. It starts at the output."
            )
        s = self.trace[frame - 1]
        return step_record(s, self.trace, precision=self.precision, names=self.names).text

    def model(self) -> dict[str, Any]:
        """The page model (plain JSON): options, the graph snapshot and the steps.

        Example:
            >>> from microgrand import Value
            >>> m = step(Value(2.0, label="x") * 3).model()
            >>> m["kind"], len(m["steps"]), m["graph"]["root"]
            ('player', 3, 'n2')
        """
        return {
            "kind": "player",
            "version": 1,
            "title": self.names[self.trace[0].id],
            "precision": self.precision,
            "interval": round(self.interval * 1000),
            "graph": graph_model(self.graph, self.names),
            "steps": player_model(self.trace, self.names, self.precision),
        }

    def _check_frame(self, frame: int) -> None:
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise TypeError(f"frame must be an int, got {type(frame).__name__}")
        if not 0 <= frame < self.frames:
            raise IndexError(f"frame {frame} out of range (0 … {self.frames - 1})")

    def _edge_note(self, value: float, rankdir: str) -> str:
        arrow = "←" if rankdir == "LR" else "↑"
        return f"{arrow} {format_short(value, self.precision)}"

    # --- the diagram ----------------------------------------------------------------------

    def diagram(self) -> Diagram:
        """The full diagram the player restyles: every gradient and every contribution (the
        picture where scripts do not run is :meth:`still`).

        Example:
            >>> from microgrand import Value
            >>> "← 3.0" in step(Value(2.0, label="x") * 3, rankdir="LR").diagram().dot
            True
        """
        if self._diagram is None:
            self._diagram = self._draw(self.rankdir)
        return self._diagram

    def _draw(self, rankdir: Literal["LR", "TB"]) -> Diagram:
        notes = {
            (c.input, c.node, c.position): self._edge_note(c.value, rankdir)
            for s in self.trace
            for c in s.outgoing
        }
        return draw(
            self.graph,
            precision=self.precision,
            rankdir=rankdir,
            theme=self.theme,
            edge_notes=notes,
            collapse=False,
            max_nodes=max(300, len(self.trace)),
            engine=self.engine,
        )

    def still(self) -> Diagram:
        """The picture of the finished pass that the page shows where scripts do not run:
        :meth:`diagram`, or where its text would be under 9 px shown at the width of a
        notebook cell (:data:`CELL_PX`) and the other direction is narrower, the same diagram
        laid out that way, so that its text is larger at the cell's width (for graphs of up
        to :data:`~microgrand.pages.cell.MEASURED_NODES` nodes).

        Example:
            >>> from microgrand import Value
            >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
            >>> p = step(((x * w + 1) * 2 + 3).tanh(), rankdir="LR")
            >>> p.rankdir, "rankdir=TB" in p.still().dot
            ('LR', True)
        """
        shown = self.diagram()
        if len(self.trace.graph) > MEASURED_NODES or fits_cell(shown, STORED_MIN_TEXT_PX):
            return shown
        other = self._draw("TB" if self.rankdir == "LR" else "LR")
        return other if diagram_width_px(other) < diagram_width_px(shown) else shown

    def frame_diagram(self, frame: int, *, theme: ThemeName | None = None) -> Diagram:
        """A still picture of one frame (as the GIF shows it): the gradients known so far,
        the current node and its inputs highlighted, same layout in every frame.

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0, label="x"); p = step(x * 3)
            >>> "grad = 3.0000" in p.frame_diagram(3).dot, "grad = 3.0000" in p.frame_diagram(2).dot
            (True, False)
        """
        self._check_frame(frame)
        return frame_diagram(
            self.trace,
            frame,
            precision=self.precision,
            rankdir=self.rankdir,
            theme=theme or self.theme,
            engine=self.engine,
            graph=self.graph,
        )

    # --- the page ---------------------------------------------------------------------------

    def page(self, *, uid: str | None = None) -> Page:
        """The player as a :class:`~microgrand.pages.Page` (every DOM id starts with ``uid``,
        random by default, so several players can share a page).

        Example:
            >>> from microgrand import Value
            >>> pg = step(Value(1.0, label="x") * 2).page(uid="demo")
            >>> 'id="demo"' in pg.fragment, "demo-n0" in pg.fragment
            (True, True)
        """
        return player_page(
            uid=uid,
            model=self.model(),
            diagram=self.diagram(),
            trace=self.trace,
            graph=self.graph,
            names=self.names,
            theme=self.theme,
            fallback_png=fallback_picture(self.still(), FALLBACK_DPI),
        )


def player(
    root: Value | Trace,
    *,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] | None = None,
    theme: ThemeName = "light",
    interval: float = 1.2,
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> Player:
    """Always a :class:`Player` of the backward pass from ``root`` (a graph with more than
    ``max_steps`` nodes raises :class:`PlayerTooLargeError`); :func:`step` is the same but
    opens a big graph with scopes in the explorer instead.

    Example:
        >>> from microgrand import Value
        >>> player(Value(2.0, label="x") * 3).frames
        4
    """
    return Player(
        as_trace(root),
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        interval=interval,
        max_steps=max_steps,
        engine=engine,
    )


def step(
    root: Value | Trace,
    *,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] | None = None,
    theme: ThemeName = "light",
    interval: float = 1.2,
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> PageView:
    """Step through the backward pass from ``root``: a :class:`Player`, or for a graph too
    big for one (more than ``max_steps`` nodes) built inside scopes, an
    :class:`~microgrand.pages.explore.Explorer`.

    Both are a :class:`~microgrand.pages.PageView`: they show themselves in a notebook and
    ``.save(path)`` writes a standalone page. For one kind only, call :func:`player` (always
    a Player) or :func:`microgrand.explore` (always an Explorer).

    The player shows Start / Prev / Play / Next / slider (arrow keys) and zooms its diagram
    (it opens at a scale where its text is 11 px or more); ``interval`` is the seconds per
    step when playing. ``rankdir`` is ``"LR"`` (left to right) or ``"TB"`` (top to bottom); by
    default left to right where its text is readable fitted to a notebook cell, else whichever
    is narrower (the explorer: left to right). The explorer opens collapsed to its scopes (an
    MLP's layers), steps group by group and opens a group on click. A graph over the limit
    without scopes to collapse raises :class:`PlayerTooLargeError`, saying how to narrow it.
    The Values are not changed.

    Example:
        >>> from microgrand import Value
        >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
        >>> p = step((x * w).tanh())
        >>> type(p).__name__, len(p.trace)
        ('Player', 4)
    """
    t = as_trace(root)
    if (
        isinstance(max_steps, int)
        and not isinstance(max_steps, bool)
        and len(t) > max_steps
        and any(n.scope for n in t.graph.nodes)
    ):
        direction = rankdir or "LR"
        return explore(t, precision=precision, rankdir=direction, theme=theme, engine=engine)
    return player(
        t,
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        interval=interval,
        max_steps=max_steps,
        engine=engine,
    )


def save_player(root: Value | Trace, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write a standalone HTML page of the backward pass from ``root`` to ``path``: the page
    of :func:`step` (a player, or the explorer for a big graph with scopes).

    Options are those of :func:`step`. The file needs no network and no Python to play.

    Example:
        >>> import tempfile, pathlib
        >>> from microgrand import Value
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = save_player(Value(2.0, label="x") ** 2, pathlib.Path(d) / "player.html")
        ...     out.stat().st_size > 1000
        True
    """
    return step(root, **options).save(path)


# The player lived in microgrand.stepper until the stepper stopped importing pages: its old
# module paths microgrand.stepper.player and microgrand.stepper.player_page keep working as
# aliases of these modules (and microgrand.stepper.Player / step / save_player are looked up
# here by that package's __getattr__).
sys.modules.setdefault("microgrand.stepper.player", sys.modules[__name__])
sys.modules.setdefault("microgrand.stepper.player_page", _player_page)
