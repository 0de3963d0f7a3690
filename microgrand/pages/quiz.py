"""Gradient exercises that check themselves: the diagram with answer boxes.

:data:`quiz` (call it like a function) returns a :class:`QuizView`: the diagram of a graph
with an answer box in place of every gradient (``ask="grad"``), every computed value
(``ask="data"``) or both. The boxes, and the Tab order, follow the order in which the
backward pass fills the gradients (the output's inputs first, each node once every node that
uses it is done; values come first, inputs before outputs), so no box needs a later answer.
Enter checks an answer (relative tolerance ``1e-3`` by default) and says so in words under
the box: "✓ right" or "✗ not yet: …" with a reason that gives nothing away ("check the
sign", "add all 2 uses", "type a number", "try Hint"); the status line (a polite live
region) repeats it with the score, and says "All N gradients right." at the end. **Hint**
shows the node's chain-rule template (upstream gradient × local derivative) with the numbers
the student already has right filled in; **Show answer** fills it in; a running score
``k/n``; **Reset** starts again. Everything works by keyboard (Tab, Enter, the buttons).
Where the diagram, fitted to its width, would draw text under 11 px it is drawn at a
readable size (scrolling sideways) with zoom and Fit buttons. Printed, the page is a clean
paper worksheet with the answer key on its own page.

``reveal=False`` makes a quiz for students: no **Show answer** button and no answer key,
on screen, in print or in the stored picture (which is always the blank worksheet); no
answer is in the page's markup or attributes. The page still checks typed answers, so the
numbers it checks against stay in its data (the page model): they are not secret from a
student who reads the page's source, only not shown. ``quiz.random(seed=3, difficulty=2)``
makes a generated problem (:mod:`microgrand.pages.problems`): the same seed gives the same
problem.

Like every page it needs no kernel and no network; where scripts do not run it shows the
blank worksheet as a picture and the line "Run this cell to fill in the answers and check
them".

DOM contract (stable; for tests and scripts), besides the diagram's numbers
(``[data-node=NAME][data-field]`` with ``data-number``; an asked number's is empty until
it is answered right or shown):

* each answer box: ``input[data-answer="NAME"]`` with ``data-answer-field="grad"`` or
  ``"data"``, labelled "gradient of NAME, dL/dNAME" (or "value of NAME"), in the order of
  :meth:`QuizView.answers`; after checking (Enter, or the Check button), ``data-state`` is
  ``right`` or ``wrong`` (``shown`` after Show answer; absent when blank or reset) and a
  wrong box has ``aria-invalid="true"``;
* under each asked node's numbers, ``[data-feedback="NAME"]`` (SVG text, each box's
  ``aria-describedby``): the question ("dL/dx = ?"), then "✓ right", "✗ not yet: …" or
  "answer shown";
* the status line: ``[data-status]`` (``role="status"``); the score: ``[data-score]`` with
  text ``k/n``; ``.mg-quiz[data-complete]`` once every answer is right;
* the buttons ``[data-action="check"|"hint"|"show"|"reset"]`` (Hint and Show answer act
  on the box that has or last had the focus; no ``"show"`` with ``reveal=False``) and
  ``[data-action="zoom-in"|"zoom-out"|"fit"]`` (also ``[data-zoom="in"|"out"|"fit"]``; the
  shared zoom of every diagram, ``MG.zoom`` in ``web/runtime.js``: shown only where needed,
  keys ``+``, ``-``, ``0`` in the diagram, and the diagram is a Tab stop whose arrow keys
  scroll it while it is wider than the page); the hint text ``[data-hint]``;
* the answer key (printed on its own page): ``.mg-key`` with one
  ``[data-key="NAME"][data-answer-field]`` per answer, ``data-number`` the exact value
  (absent with ``reveal=False``).

Example:
    >>> from microgrand import Value
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> q = quiz((x * w).tanh())
    >>> [a["name"] for a in q.answers()]
    ['x·w', 'w', 'x']
    >>> q.answers()[0]["label"]
    'gradient of x·w, dL/d(x·w)'
    >>> q.ask, q.tolerance
    ('grad', 0.001)
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any, Literal

from .._format import format_short
from ..graph import Graph
from ..render.themes import THEMES
from ..stepper.notation import total_derivative
from ..value import Value
from .live import FALLBACK_DPI, LiveView, ThemeName, diagram_svg, named_graph
from .page import Page, build_page, fallback_picture, new_uid
from .problems import random_problem

__all__ = ["Quiz", "QuizView", "quiz"]

Ask = Literal["grad", "data", "both"]
_ASK = ("grad", "data", "both")
_GAP = "; "  # between the two questions of a node asked for both numbers


class QuizView(LiveView):
    """A gradient (and/or value) exercise on a diagram; make one with :data:`quiz`.

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0, label="a")
        >>> q = quiz(a * a, ask="both")
        >>> [(x["name"], x["field"]) for x in q.answers()]
        [('L', 'data'), ('a', 'grad')]
    """

    kind = "quiz"
    noun = "quiz view"
    save_uid = "mgquiz"

    def __init__(
        self,
        root: Value,
        *,
        ask: Ask = "grad",
        tolerance: float = 1e-3,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "TB",
        theme: ThemeName = "light",
        title: str | None = None,
        engine: str | None = None,
        reveal: bool = True,
    ) -> None:
        if ask not in _ASK:
            raise ValueError(f"ask must be one of {', '.join(_ASK)}; got {ask!r}")
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, int | float)
            or not 0 < tolerance < 1
        ):
            raise ValueError(f"tolerance must be a number between 0 and 1, got {tolerance!r}")
        options: dict[str, Any] = {"edge_labels": False}
        if engine is not None:
            options["engine"] = engine
        if title is not None:
            options["title"] = title
        if ask == "data":
            options["show"] = ("data",)
        super().__init__(root, precision=precision, rankdir=rankdir, theme=theme, **options)
        if not isinstance(reveal, bool):
            raise TypeError(f"reveal must be True or False, got {reveal!r}")
        self.ask: Ask = ask
        self.tolerance = float(tolerance)
        self.reveal = reveal
        self.draw_options["color"] = None

    def _fields(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for n in self.graph.nodes:
            f = set()
            if self.ask in ("grad", "both") and n.id != self.graph.root:
                f.add("grad")
            if self.ask in ("data", "both") and n.rule is not None:
                f.add("data")
            if f:
                out[n.id] = f
        return out

    def answers(self) -> list[dict[str, Any]]:
        """Every asked number, in the order the page asks for them: ``name``, ``id``,
        ``field`` (``"grad"``/``"data"``), the exact ``value``, ``label`` (what a screen
        reader says for its box: ``"gradient of x·w, dL/d(x·w)"``) and ``question`` (the
        line under the box before it is checked: ``"dL/d(x·w) = ?"``).

        The order is one in which no answer needs a later one: computed values in forward
        order (inputs before outputs), then gradients in the order the backward pass fills
        them (:func:`~microgrand.stepper.trace.trace`: the output's inputs first, and each
        node once every node that uses it is done).

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0, label="x")
            >>> [(a["name"], a["value"]) for a in quiz(x * x).answers()]
            [('x', 4.0)]
        """
        from ..stepper.trace import trace

        t = trace(self.root)
        fields = self._fields()
        top = self.names[self.graph.root]
        out = []
        for n in self.graph.nodes:
            if "data" in fields.get(n.id, ()):
                name = self.names[n.id]
                out.append(
                    {
                        "id": n.id,
                        "name": name,
                        "field": "data",
                        "value": n.data,
                        "label": f"value of {name}",
                        "question": f"{name} = ?",
                    }
                )
        for s in t.steps:
            if "grad" in fields.get(s.id, ()):
                name = self.names[s.id]
                lhs = total_derivative(top, name)
                out.append(
                    {
                        "id": s.id,
                        "name": name,
                        "field": "grad",
                        "value": s.grad,
                        "label": f"gradient of {name}, {lhs}",
                        "question": f"{lhs} = ?",
                    }
                )
        return out

    def _notes(self) -> dict[str, str]:
        """The line under each asked node's numbers: its questions (the page writes the
        feedback there once an answer is checked)."""
        out: dict[str, list[str]] = {}
        for a in sorted(self.answers(), key=lambda a: a["field"] != "data"):
            out.setdefault(a["id"], []).append(a["question"])
        return {k: _GAP.join(v) for k, v in out.items()}

    def diagram(self) -> Any:
        """The blank worksheet (the picture shown where scripts do not run).

        Example:
            >>> from microgrand import Value
            >>> "grad = ________" in quiz(Value(2.0, label="x") * 3).diagram().dot
            True
        """
        data = {k: {"data"} for k, f in self._fields().items() if "data" in f}
        return self._draw("fallback", dot_fields=data, worksheet=self.ask != "data")

    def answer_key(self) -> Any:
        """The filled-in diagram (every asked number shown).

        Example:
            >>> from microgrand import Value
            >>> "grad = 3.0000" in quiz(Value(2.0, label="x") * 3).answer_key().dot
            True
        """
        return self._draw("key")

    def model(self) -> dict[str, Any]:
        """The page model: the live view's model plus ``ask``, ``tolerance``, ``reveal``,
        ``answers`` (:meth:`answers`, in the order the page asks them; the page checks
        against their values, with or without ``reveal``) and ``notes`` (per asked node, the
        line under its numbers where the page writes the feedback).

        Example:
            >>> from microgrand import Value
            >>> m = quiz(Value(2.0, label="x") * 3).model()
            >>> m["kind"], m["ask"], len(m["answers"]), m["notes"]["n0"]
            ('quiz', 'grad', 2, 'dL/dx = ?')
        """
        m = super().model()
        m["ask"] = self.ask
        m["tolerance"] = self.tolerance
        m["reveal"] = self.reveal
        m["answers"] = [{**a, "value": float(a["value"])} for a in self.answers()]
        m["notes"] = self._notes()
        m["leaves"] = [{**leaf, "editable": False} for leaf in m["leaves"]]
        return m

    def _key_html(self) -> str:
        rows = []
        top = self.names[self.graph.root]
        for a in self.answers():
            lhs = total_derivative(top, a["name"]) if a["field"] == "grad" else a["name"]
            rows.append(
                f'<tr><td>{html.escape(lhs)}</td><td data-key="{html.escape(a["name"])}" '
                f'data-answer-field="{a["field"]}" data-number="{float(a["value"])!r}">'
                f"{html.escape(format_short(a['value'], self.precision))}</td></tr>"
            )
        return (
            '<div class="mg-key"><div class="mg-head">Answer key</div>'
            f"<table>{''.join(rows)}</table></div>"
        )

    def _blank_graph(self) -> Graph:
        """The graph the page's diagram is hooked from: page names, and every asked number
        NaN, so that no answer is in the markup (the page clears these numbers)."""
        fields = self._fields()
        nodes = []
        for n in named_graph(Graph.of(self.root), self.names).nodes:
            asked = fields.get(n.id, set())
            nodes.append(
                dataclasses.replace(
                    n,
                    data=math.nan if "data" in asked else n.data,
                    grad=math.nan if "grad" in asked else n.grad,
                )
            )
        return dataclasses.replace(self.graph, nodes=tuple(nodes))

    def _view_html(self, uid: str) -> str:
        data = {k: {"data"} for k, f in self._fields().items() if "data" in f}
        diagram = self._draw(
            "view",
            dot_fields=data,
            worksheet=self.ask != "data",
            color=None,
            notes=self._notes(),
        )
        title = html.escape(self.names[self.graph.root])
        heading = self.draw_options.get("title") or f"Exercise: {self.names[self.graph.root]}"
        what = {"grad": "every gradient", "data": "every value", "both": "every value and gradient"}
        order = {
            "grad": "from the output back",
            "data": "from the inputs on",
            "both": "values first, then gradients",
        }
        tol = f"{float(f'{self.tolerance:.6g}') * 100:g}%"
        show = '<button type="button" data-action="show">Show answer</button>'
        zoom = (
            '<span class="mg-zoom" hidden>'
            '<button type="button" data-action="zoom-out" aria-label="Zoom out" '
            'data-zoom="out" title="Zoom out (key -)">−</button>'
            '<button type="button" data-action="zoom-in" aria-label="Zoom in" '
            'data-zoom="in" title="Zoom in (key +)">+</button>'
            '<button type="button" data-action="fit" aria-label="Fit to width" '
            'data-zoom="fit" title="Fit to width (key 0)">Fit</button></span>'
        )
        return (
            f'<div class="mg-quiz mg-frame" data-colour="off" role="group" '
            f'aria-label="Exercise on {title}">'
            '<div class="mg-bar mg-quiz-bar">'
            f'<span class="mg-task">Fill in {what[self.ask]}, {order[self.ask]}; Enter checks '
            f'<span class="mg-muted">(within {tol})</span>.</span>'
            '<button type="button" data-action="check">Check</button>'
            '<button type="button" data-action="hint">Hint</button>'
            + (show if self.reveal else "")
            + '<button type="button" data-action="reset">Reset</button>'
            + zoom
            + '<span class="mg-score-label">Score <b data-score>0/0</b></span>'
            "</div>"
            '<div class="mg-status" role="status" aria-live="polite" data-status></div>'
            '<div class="mg-print-head">Name: ______________________ '
            f"{html.escape(heading)}</div>"
            f"{diagram_svg(diagram, uid, self._blank_graph(), self.names)}"
            '<div class="mg-panel mg-hint" data-hint aria-live="polite"></div>'
            + (self._key_html() if self.reveal else "")
            + "</div>"
        )

    def page(self, *, uid: str | None = None) -> Page:
        """The exercise as a :class:`~microgrand.pages.Page`.

        Example:
            >>> from microgrand import Value
            >>> quiz(Value(1.0, label="x") * 2).page(uid="qz").uid
            'qz'
        """
        uid = new_uid("quiz") if uid is None else uid
        title = self.names[self.graph.root]
        return build_page(
            "quiz",
            self.model(),
            view_html=self._view_html(uid),
            theme=THEMES[self.theme],
            fallback_png=fallback_picture(self.diagram(), FALLBACK_DPI),
            fallback_note="Run this cell to fill in the answers and check them.",
            title=f"Exercise: {title}",
            fallback_alt=f"Worksheet: the diagram of {title} with blanks to fill in",
            uid=uid,
            scripts=("engine.js", "live.js", "quiz.js"),
            styles=("live.css", "quiz.css"),
        )

    def __repr__(self) -> str:
        hidden = "" if self.reveal else ", reveal=False"
        return (
            f"<QuizView of {self.names[self.graph.root]}: {len(self.answers())} answers, "
            f"ask={self.ask!r}{hidden}>"
        )


class Quiz:
    """The callable :data:`quiz`: ``quiz(root, ask=...)`` and ``quiz.random(seed, difficulty)``.

    Example:
        >>> q = quiz.random(seed=3, difficulty=2)
        >>> q.ask, q.names[q.graph.root]
        ('grad', 'L')
    """

    def __call__(
        self,
        root: Value,
        ask: Ask = "grad",
        *,
        tolerance: float = 1e-3,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "TB",
        theme: ThemeName = "light",
        title: str | None = None,
        engine: str | None = None,
        reveal: bool = True,
    ) -> QuizView:
        """An exercise on the graph of ``root``: answer boxes for ``ask`` = ``"grad"``
        (every gradient but the output's), ``"data"`` (every computed value) or ``"both"``.

        ``tolerance`` is the relative tolerance of a right answer (default 1e-3).
        ``reveal=False`` (for students): no **Show answer** button and no answer key on the
        page; typed answers are still checked, against numbers kept in the page's data (not
        secret from anyone who reads the page's source, only not shown). See
        :mod:`microgrand.pages.quiz` for the page's DOM contract.

        Example:
            >>> from microgrand import Value
            >>> quiz(Value(2.0, label="x") ** 2, tolerance=0.01).tolerance
            0.01
            >>> quiz(Value(2.0, label="x") ** 2, reveal=False).model()["reveal"]
            False
        """
        return QuizView(
            root,
            ask=ask,
            tolerance=tolerance,
            precision=precision,
            rankdir=rankdir,
            theme=theme,
            title=title,
            engine=engine,
            reveal=reveal,
        )

    def random(
        self,
        seed: int = 0,
        difficulty: int = 2,
        *,
        ask: Ask = "grad",
        **options: Any,
    ) -> QuizView:
        """An exercise on a generated problem (:func:`~microgrand.pages.problems.random_problem`):
        the same ``seed`` and ``difficulty`` (1 … 5) give the same problem.

        Example:
            >>> a = quiz.random(seed=3, difficulty=2); b = quiz.random(seed=3, difficulty=2)
            >>> [x["value"] for x in a.answers()] == [x["value"] for x in b.answers()]
            True
        """
        root = random_problem(seed=seed, difficulty=difficulty)
        opts = {"title": f"Problem {seed} (difficulty {difficulty})", **options}
        return self(root, ask, **opts)

    def __repr__(self) -> str:
        return "<microgrand.quiz: call quiz(root, ask='grad'|'data'|'both') or quiz.random()>"


quiz = Quiz()
"""Make an exercise: ``quiz(root, ask="grad")``; a generated one: ``quiz.random(seed, difficulty)``.

Example:
    >>> from microgrand import Value
    >>> quiz(Value(2.0, label="x") * 3).ask
    'grad'
"""
