"""A backward-pass player: step through a :class:`~microgrand.stepper.trace.Trace` on the diagram.

:func:`step` returns a :class:`Player`. In a notebook it shows the diagram with the current
step highlighted, the chain-rule line beside it and Start / Prev / Play / Next buttons and a
slider (arrow keys work too). It is one self-contained piece of HTML (no network, no external
scripts, no widgets; see :mod:`microgrand.pages`), so it also works in exported HTML and as a
plain file: :func:`save_player` writes it. Where scripts do not run (a stored notebook opened
in JupyterLab before it is trusted or run, GitHub, nbviewer) it shows a picture of the finished
backward pass and the line "Run this cell to step through the backward pass".

This module is the player's data and Python API: :func:`player_model` turns the trace into the
page model (one structured record per step: the node, its gradient, each incoming term with its
upstream gradient, local derivative and symbolic form, and what it sends to each input).
:mod:`microgrand.stepper.player_page` builds the markup; ``microgrand/web/player.js`` runs it.

DOM contract of the page (stable; for tests and scripts):

* buttons ``[data-action="start"|"prev"|"play"|"next"]``; the slider ``[data-scrub]``;
* the current step ``[data-step]`` with text ``i/n`` (``0/n`` before the first step);
* every number on the diagram: ``[data-node="NAME"][data-field="data"|"grad"]`` whose
  ``data-number`` is the full-precision float (Python ``repr``), empty while a gradient has not
  been reached; NAME is the name the diagram shows (the label, or the trace's automatic name);
* ``.mg-player[data-frame]``: the current frame (0 … n).

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

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._format import check_precision, format_short
from ..graph import Graph
from ..pages import Page, PageView, graph_model, number
from ..pages.model import edge_id
from ..pages.page import fallback_picture
from ..render import draw
from ..render.diagram import Diagram
from ..render.themes import THEMES
from ..value import Value
from .explain import _names, _template, _text_frac, _text_local, explain_step
from .player_page import FALLBACK_DPI, player_page
from .trace import Step, Trace, trace

if TYPE_CHECKING:
    from ..pages.explore import Explorer

__all__ = [
    "DEFAULT_MAX_STEPS",
    "Player",
    "PlayerTooLargeError",
    "player_model",
    "save_player",
    "step",
]

DEFAULT_MAX_STEPS = 150
ThemeName = Literal["light", "dark", "print"]


class PlayerTooLargeError(ValueError):
    """The graph has more steps than the player's ``max_steps``."""


def display_graph(t: Trace) -> Graph:
    """The trace's graph with each node's gradient from the trace and its readable name as
    label (so the diagram and the explanation use the same names).

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x"); g = display_graph(trace(x * x))
        >>> [(n.label, n.grad) for n in g.nodes]
        [('x', 4.0), ('L', 1.0)]
    """
    names = _names(t)
    nodes = tuple(
        dataclasses.replace(n, label=names[n.id], grad=t.grads[n.id]) for n in t.graph.nodes
    )
    return dataclasses.replace(t.graph, nodes=nodes)


def _kind(s: Step) -> str:
    if s.is_root:
        return "the output"
    if s.is_leaf:
        return "an input" if s.node.label else f"an input: the number {s.node.data:g}"
    return f"a {s.node.rule.symbol if s.node.rule else ''} node"


def _paren(x: float, precision: int) -> str:
    s = format_short(x, precision)
    return f"({s})" if s.startswith("-") else s


def _as_trace(x: Value | Trace) -> Trace:
    if isinstance(x, Trace):
        return x
    if isinstance(x, Value):
        return trace(x)
    raise TypeError(f"expected an output Value or a Trace, got {type(x).__name__}")


def _note(s: Step, top: str, me: str) -> str | None:
    """The bracketed remark of a step's chain-rule line, as :func:`explain_step` words it."""
    if s.is_root:
        return None if (s.incoming or s.start) else f"start: {top} changes one-for-one with itself"
    if not s.incoming and s.start == 0.0:
        return f"nothing flows back to {me}: every path to it passes through a zero gradient"
    if s.blocked:
        return f"this is 0, so nothing flows back through {me}"
    return None


def player_model(t: Trace, names: dict[str, str], precision: int) -> list[dict[str, Any]]:
    """One structured record per step of the trace: the player's page model.

    Each record: ``id``, ``name``, ``kind`` (``"the output"``, ``"an input"``, ``"a tanh
    node"``), ``grad`` (final), ``start``, ``seed``, ``root``, ``leaf``, ``lhs``
    (``"dL/dx"``), ``note`` (the bracketed remark or ``None``), ``incoming`` (the terms that
    make the gradient: ``from``, ``symbol`` ``"dL/dz · dz/dx"``, ``worded`` (the local
    derivative from the rule table with names put in, ``None`` for a plain number),
    ``upstream``, ``local``, ``value``, ``before``, ``after``) and ``sends`` (what the node
    passes to each input: ``input`` id, ``to`` name, ``edge`` id, ``upstream``, ``local``,
    ``value``, ``before``, ``after``, and ``got``/``need``: how many of that input's terms
    have arrived so far, of how many). Numbers are floats (non-finite ones as strings).

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0, label="a"); t = trace(a * a)
        >>> m = player_model(t, _names(t), 4)
        >>> [c["value"] for c in m[1]["incoming"]], m[1]["incoming"][0]["symbol"]
        ([3.0, 3.0], 'dL/dL · ∂L/∂a')
        >>> [(c["got"], c["need"]) for c in m[0]["sends"]]
        [(1, 2), (2, 2)]
    """
    check_precision(precision)
    top = names[t.steps[0].id]
    got: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for s in t:
        me = names[s.id]
        incoming = [
            {
                "from": c.node,
                "symbol": f"{_text_frac(top, names[c.node])} · {_text_local(names[c.node], me)}",
                "worded": _template(c, t, names, False),
                "upstream": number(c.upstream),
                "local": number(c.local),
                "value": number(c.value),
                "before": number(c.before),
                "after": number(c.after),
            }
            for c in s.incoming
        ]
        sends = []
        for c in s.outgoing:
            got[c.input] = got.get(c.input, 0) + 1
            sends.append(
                {
                    "input": c.input,
                    "to": names[c.input],
                    "edge": edge_id(c.input, c.node, c.position),
                    "upstream": number(c.upstream),
                    "local": number(c.local),
                    "value": number(c.value),
                    "before": number(c.before),
                    "after": number(c.after),
                    "got": got[c.input],
                    "need": len(t.step_of(c.input).incoming),
                }
            )
        out.append(
            {
                "id": s.id,
                "name": me,
                "kind": _kind(s),
                "grad": number(s.grad),
                "start": number(s.start),
                "seed": number(s.seed),
                "root": s.is_root,
                "leaf": s.is_leaf,
                "lhs": _text_frac(top, me),
                "note": _note(s, top, me),
                "incoming": incoming,
                "sends": sends,
            }
        )
    return out


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
        rankdir: Literal["LR", "TB"] = "LR",
        theme: ThemeName = "light",
        interval: float = 1.2,
        max_steps: int = DEFAULT_MAX_STEPS,
        engine: str | None = None,
    ) -> None:
        if not isinstance(t, Trace):
            raise TypeError(f"Player takes a Trace, got {type(t).__name__}")
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
        if len(t) > max_steps:
            raise PlayerTooLargeError(
                f"this graph has {len(t)} nodes, more than max_steps={max_steps}: a player with "
                f"{len(t)} steps is too long to follow. Step through a smaller piece (one neuron, "
                f"one loss term), build it inside `with scope(...)` blocks (then step() opens "
                f"it layer by layer) or pass max_steps={len(t)} if you really want every step"
            )
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int | float)
            or not (0.05 <= interval <= 60)
        ):
            raise ValueError(f"interval must be seconds between 0.05 and 60, got {interval!r}")
        check_precision(precision)
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}; got {theme!r}")
        self.trace = t
        self.precision = precision
        self.rankdir = rankdir
        self.theme = theme
        self.interval = float(interval)
        self.engine = engine
        self.names = _names(t)
        self.graph = display_graph(t)
        self._diagram: Diagram | None = None

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
        return explain_step(s, self.trace, "text", precision=self.precision, names=self.names)

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

    def _edge_note(self, value: float) -> str:
        arrow = "←" if self.rankdir == "LR" else "↑"
        return f"{arrow} {format_short(value, self.precision)}"

    # --- the diagram ----------------------------------------------------------------------

    def diagram(self) -> Diagram:
        """The full diagram the player restyles: every gradient and every contribution.

        It is also the picture of the finished backward pass that the page shows where
        scripts do not run.

        Example:
            >>> from microgrand import Value
            >>> "← 3.0" in step(Value(2.0, label="x") * 3).diagram().dot
            True
        """
        if self._diagram is None:
            notes = {
                (c.input, c.node, c.position): self._edge_note(c.value)
                for s in self.trace
                for c in s.outgoing
            }
            self._diagram = draw(
                self.graph,
                precision=self.precision,
                rankdir=self.rankdir,
                theme=self.theme,
                edge_notes=notes,
                collapse=False,
                max_nodes=max(300, len(self.trace)),
                engine=self.engine,
            )
        return self._diagram

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
        t = self.trace
        known = [s.id for s in t.steps[:frame]]
        hl: list[str] = []
        if frame > 0:
            s = t[frame - 1]
            hl = [s.id, *s.node.inputs] if s.outgoing else [s.id]
        return draw(
            self.graph,
            precision=self.precision,
            rankdir=self.rankdir,
            theme=theme or self.theme,
            known_grads=known,
            highlight=hl,
            collapse=False,
            max_nodes=max(300, len(t)),
            engine=self.engine,
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
            fallback_png=fallback_picture(self.diagram(), FALLBACK_DPI),
        )


def step(
    root: Value | Trace,
    *,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    interval: float = 1.2,
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> Player | Explorer:
    """A :class:`Player` that steps through the backward pass from ``root``.

    Shows itself in a notebook (Start / Prev / Play / Next / slider, arrow keys); ``interval``
    is the seconds per step when playing. The Values are not changed.

    ``max_steps`` is the size of one page: a graph with more nodes opens in the explorer
    (:func:`microgrand.explore`) instead, collapsed to its scopes (an MLP's layers), which
    steps group by group and opens a group on click; a graph over the limit without scopes
    to collapse raises :class:`PlayerTooLargeError`, saying how to narrow it.

    Example:
        >>> from microgrand import Value
        >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
        >>> p = step((x * w).tanh())
        >>> p.frames
        5
    """
    t = _as_trace(root)
    if (
        isinstance(max_steps, int)
        and not isinstance(max_steps, bool)
        and len(t) > max_steps
        and any(n.scope for n in t.graph.nodes)
    ):
        from ..pages.explore import explore

        return explore(t, precision=precision, rankdir=rankdir, theme=theme, engine=engine)
    return Player(
        t,
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        interval=interval,
        max_steps=max_steps,
        engine=engine,
    )


def save_player(root: Value | Trace, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write a standalone HTML player of the backward pass from ``root`` to ``path``.

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
