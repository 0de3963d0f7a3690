"""A backward-pass player: step through a :class:`~microgrand.stepper.trace.Trace` on the diagram.

:func:`step` returns a :class:`Player`. In a notebook it shows the diagram with the current
step highlighted, the chain-rule line beside it and Prev / Next / Play buttons and a slider
(arrow keys work too). It is one self-contained piece of HTML and JavaScript (one inline SVG
restyled per step; no network, no external scripts, no widgets needed), so it also works in
exported HTML, on nbviewer and as a plain file: :func:`save_player` writes it.

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x"); y = x * 3; y.label = "y"
    >>> p = step(y)
    >>> len(p), p.trace[0].name
    (3, 'y')
    >>> "<script>" in p._repr_html_() and "http" not in p._repr_html_().replace(
    ...     "http://www.w3.org", "")
    True
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Literal

from .._files import write_atomic
from .._format import check_precision
from ..graph import Graph
from ..render import draw, format_number
from ..render.diagram import Diagram
from ..value import Value
from .explain import _names, explain_step
from .explain import format_number as short_number
from .trace import Step, Trace, trace

__all__ = ["DEFAULT_MAX_STEPS", "Player", "PlayerTooLargeError", "save_player", "step"]

DEFAULT_MAX_STEPS = 150
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


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
    s = short_number(x, precision)
    return f"({s})" if s.startswith("-") else s


def _as_trace(x: Value | Trace) -> Trace:
    if isinstance(x, Trace):
        return x
    if isinstance(x, Value):
        return trace(x)
    raise TypeError(f"expected an output Value or a Trace, got {type(x).__name__}")


class Player:
    """Steps through the backward pass of a :class:`Trace` on its diagram.

    Frame 0 is the graph after the forward pass (no gradients yet); frame ``k`` (1 … N) is
    step ``k - 1`` of the trace: that node's gradient is final and shown, and what it sends
    back to its inputs is written on its input edges.

    Example:
        >>> from microgrand import Value
        >>> p = step(Value(2.0, label="x") * 3)
        >>> p.frames, p.explanation(1)
        (4, 'dL/dL = 1.0   (start: L changes one-for-one with itself)')
    """

    def __init__(
        self,
        t: Trace,
        *,
        precision: int = 4,
        rankdir: Literal["LR", "TB"] = "LR",
        theme: Literal["light", "dark", "print"] = "light",
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
                f"one loss term) or pass max_steps={len(t)} if you really want every step"
            )
        if isinstance(interval, bool) or not isinstance(interval, int | float) or not (
            0.05 <= interval <= 60
        ):
            raise ValueError(f"interval must be seconds between 0.05 and 60, got {interval!r}")
        check_precision(precision)
        self.trace = t
        self.precision = precision
        self.rankdir = rankdir
        self.theme = theme
        self.interval = float(interval)
        self.engine = engine
        self.names = _names(t)
        self.graph = display_graph(t)
        self._diagram: Diagram | None = None
        self._svg: str | None = None

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

    def _check_frame(self, frame: int) -> None:
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise TypeError(f"frame must be an int, got {type(frame).__name__}")
        if not 0 <= frame < self.frames:
            raise IndexError(f"frame {frame} out of range (0 … {self.frames - 1})")

    def _edge_note(self, value: float) -> str:
        arrow = "←" if self.rankdir == "LR" else "↑"
        return f"{arrow} {short_number(value, self.precision)}"

    # --- the diagram ----------------------------------------------------------------------

    def diagram(self) -> Diagram:
        """The full diagram the player restyles: every gradient and every contribution.

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

    def frame_diagram(self, frame: int, *, theme: str | None = None) -> Diagram:
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
            theme=theme or self.theme,  # type: ignore[arg-type]
            known_grads=known,
            highlight=hl,
            collapse=False,
            max_nodes=max(300, len(t)),
            engine=self.engine,
        )

    def _prefixed_svg(self, uid: str) -> tuple[str, float]:
        """The diagram's SVG with every id prefixed by ``uid`` and hooks for the script."""
        if self._svg is None:
            self._svg = self.diagram().svg()
        text = re.sub(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>", "", self._svg)
        root = ET.fromstring(text)
        q = f"{{{SVG_NS}}}"
        sent = {
            f"e-{c.input}-{c.node}-{c.position}": c.step for s in self.trace for c in s.outgoing
        }
        for el in root.iter():
            for title in [c for c in el if c.tag == q + "title"]:
                el.remove(title)
        for g in root.iter(q + "g"):
            gid = g.get("id")
            if gid is None:
                continue
            cls = g.get("class", "")
            if "value" in cls.split():
                g.set("data-node", gid)
                for tx in g.iter(q + "text"):
                    content = tx.text or ""
                    if content.startswith("grad = "):
                        tx.set("class", "mg-grad")
                        tx.text = "grad = "
                        span = ET.SubElement(tx, q + "tspan", {"class": "mg-gv"})
                        span.text = content[len("grad = ") :]
            elif "op" in cls.split():
                g.set("data-op", gid[: -len("-op")])
            elif gid in sent:
                g.set("data-edge", gid)
                g.set("data-step", str(sent[gid]))
                for tx in g.iter(q + "text"):
                    tx.set("class", "mg-note")
            g.set("id", f"{uid}-{gid}")
        width = float(re.sub(r"[a-z]+$", "", root.get("width", "600pt")))
        for attr in ("width", "height"):
            root.attrib.pop(attr, None)
        root.set("class", "mg-svg")
        return ET.tostring(root, encoding="unicode"), width * 4 / 3

    # --- HTML -------------------------------------------------------------------------------

    def _frame_data(self) -> list[dict[str, Any]]:
        t, names, p = self.trace, self.names, self.precision
        esc = html.escape
        total = len(t)
        frames: list[dict[str, Any]] = [
            {
                "node": None,
                "head": f"Start · {total} steps to go",
                "body": f'<div class="mg-text">{esc(self.explanation(0))}</div>',
            }
        ]
        partial: dict[str, list[float]] = {}
        for s in t:
            me = names[s.id]
            stages = explain_step(s, t, "text", precision=p, names=names)
            tail = ""
            m = re.search(r"   \((.*)\)$", stages)
            if m:
                stages, tail = stages[: m.start()], m.group(1)
            parts = stages.split(" = ")
            eq = f'<div class="mg-lhs">{esc(parts[0])}</div>' + "".join(
                f'<div class="mg-rhs">= {esc(x)}</div>' for x in parts[1:-1]
            )
            eq += (
                f'<div class="mg-rhs">= <b class="mg-result" data-grad="{s.grad!r}">'
                f"{esc(parts[-1])}</b></div>"
            )
            if tail:
                eq += f'<div class="mg-note-text">({esc(tail)})</div>'
            sends = []
            for c in s.outgoing:
                partial.setdefault(c.input, []).append(c.value)
                target = t.step_of(c.input)
                got, need = len(partial[c.input]), len(target.incoming)
                so_far = (
                    f"{esc(names[c.input])} now has all {need} of its terms"
                    if need > 1 and got == need
                    else f"{esc(names[c.input])} has {got} of {need} terms so far"
                    if need > 1
                    else f"that is all of {esc(names[c.input])}'s gradient"
                )
                sends.append(
                    f"<li>to <b>{esc(names[c.input])}</b>: "
                    f"{esc(_paren(c.upstream, p))} × {esc(_paren(c.local, p))} = "
                    f"<b>{esc(short_number(c.value, p))}</b> "
                    f'<span class="mg-muted">({so_far})</span></li>'
                )
            if sends:
                what = (
                    f"<div>Then <b>{esc(me)}</b> passes its gradient back: its gradient × the "
                    f"local derivative, along each input edge:</div><ul>{''.join(sends)}</ul>"
                )
            elif s.is_leaf:
                what = (
                    f"<div><b>{esc(me)}</b> is an input, so its gradient is a result of the "
                    "backward pass: how much the output changes per unit change of "
                    f"{esc(me)}.</div>"
                )
            else:
                what = (
                    f"<div>Its gradient is 0, so nothing flows back through <b>{esc(me)}</b>."
                    "</div>"
                )
            frames.append(
                {
                    "node": s.id,
                    "edges": [f"e-{c.input}-{c.node}-{c.position}" for c in s.outgoing],
                    "inputs": sorted({c.input for c in s.outgoing}),
                    "head": (
                        f"Step {s.index + 1} of {total} · <b>{esc(me)}</b> "
                        f'<span class="mg-muted">({_kind(s)}) · grad = '
                        f'<span class="mg-grad-now">{esc(format_number(s.grad, p))}</span></span>'
                    ),
                    "body": f'<div class="mg-eq">{eq}</div>{what}',
                }
            )
        return frames

    def html(self, *, uid: str | None = None, standalone: bool = False) -> str:
        """The player as HTML: a ``<div>`` with inline SVG, CSS and script (or a whole page).

        Every DOM id starts with ``uid`` (random by default), so several players can share a
        page.

        Example:
            >>> from microgrand import Value
            >>> h = step(Value(1.0, label="x") * 2).html(uid="demo")
            >>> 'id="demo"' in h and 'id="demo-n0"' in h
            True
        """
        if uid is None:
            uid = "mgp-" + secrets.token_hex(4)
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", uid):
            raise ValueError(
                f"uid must be letters, digits, '-' or '_', starting with a letter: {uid!r}"
            )
        svg, width = self._prefixed_svg(uid)
        frames = self._frame_data()
        data = json.dumps(
            {"uid": uid, "frames": frames, "interval": int(self.interval * 1000)},
            ensure_ascii=False,
        ).replace("</", "<\\/")
        dark = self.theme == "dark"
        css = _CSS.replace("#UID", f"#{uid}").replace("MINW", f"{min(width, 1600) * 0.55:.0f}")
        if dark:
            css += _DARK_CSS.replace("#UID", f"#{uid}")
        body = _TEMPLATE.format(
            uid=uid,
            css=css,
            svg=svg,
            maxw=f"{width:.0f}",
            last=len(frames) - 1,
            data=data,
            script=_SCRIPT.replace("#UID", uid),
            title=html.escape(self.names[self.trace[0].id]),
        )
        if not standalone:
            return body
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Backward pass of {html.escape(self.names[self.trace[0].id])}</title>"
            f"</head><body style=\"margin:16px;background:{'#1e1e1e' if dark else '#fff'}\">"
            f"{body}</body></html>\n"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the player as a standalone HTML page (atomically).

        Example:
            >>> import tempfile, pathlib
            >>> from microgrand import Value
            >>> with tempfile.TemporaryDirectory() as d:
            ...     p = step(Value(1.0, label="x") * 2).save(pathlib.Path(d) / "p.html")
            ...     p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
            True
        """
        p = Path(path)
        if p.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save the player as .html, got {str(p)!r}")
        return write_atomic(p, self.html(uid="mgp", standalone=True).encode("utf-8"))


def step(
    root: Value | Trace,
    *,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: Literal["light", "dark", "print"] = "light",
    interval: float = 1.2,
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> Player:
    """A :class:`Player` that steps through the backward pass from ``root``.

    Shows itself in a notebook (Prev / Next / Play / slider, arrow keys); ``interval`` is the
    seconds per step when playing. Graphs with more than ``max_steps`` nodes raise
    :class:`PlayerTooLargeError`. The Values are not changed.

    Example:
        >>> from microgrand import Value
        >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
        >>> p = step((x * w).tanh())
        >>> p.frames
        5
    """
    return Player(
        _as_trace(root),
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


_TEMPLATE = """<div id="{uid}" class="mg-player mg-nojs" tabindex="0" data-frame="0" \
aria-label="Backward pass of {title}: use the arrow keys to step">
<style>{css}</style>
<div class="mg-bar">
<button type="button" class="mg-first" title="First (Home)">« Start</button>
<button type="button" class="mg-prev" title="Previous (←)">◀ Prev</button>
<button type="button" class="mg-play" title="Play / pause (space)">▶ Play</button>
<button type="button" class="mg-next" title="Next (→)">Next ▶</button>
<input type="range" class="mg-slider" min="0" max="{last}" value="0" step="1" \
aria-label="step">
<span class="mg-count"></span>
</div>
<div class="mg-stage" style="max-width:{maxw}px">{svg}</div>
<div class="mg-legend"><span class="mg-sw mg-sw-cur"></span>current node \
<span class="mg-sw mg-sw-in"></span>receives gradient now \
<span class="mg-sw mg-sw-done"></span>gradient final \
<span class="mg-sw mg-sw-todo"></span>not reached yet (grad blank)</div>
<div class="mg-panel"><div class="mg-head"></div><div class="mg-body">\
<div class="mg-muted">Needs JavaScript to step; the picture shows the finished backward \
pass.</div></div></div>
<script type="application/json" class="mg-data">{data}</script>
<script>{script}</script>
</div>"""

_CSS = """
#UID{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
max-width:100%;outline:none;border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;
background:#fff;box-sizing:border-box}
#UID:focus-visible{box-shadow:0 0 0 3px #e6770055}
#UID .mg-bar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-bottom:6px}
#UID button{font:inherit;font-size:14px;padding:4px 10px;border:1px solid #afb8c1;
border-radius:6px;background:#f6f8fa;color:#1f2328;cursor:pointer}
#UID button:hover{background:#eaeef2}
#UID button:disabled{opacity:.45;cursor:default}
#UID .mg-slider{flex:1 1 160px;min-width:120px;accent-color:#e67700}
#UID .mg-count{font-size:13px;color:#57606a;min-width:7em;text-align:right}
#UID .mg-stage{width:100%;overflow-x:auto}
#UID .mg-svg{width:100%;min-width:MINWpx;height:auto;display:block}
#UID .mg-legend{font-size:12px;color:#57606a;margin-top:4px}
#UID .mg-sw{display:inline-block;width:14px;height:10px;border-radius:3px;margin:0 4px 0 10px;
vertical-align:-1px;border:1.5px solid #57606a;background:#fff}
#UID .mg-sw-cur{border:2.5px solid #e67700;background:#fff1e0}
#UID .mg-sw-in{border:2px dashed #e67700}
#UID .mg-sw-done{background:#eef7ee}
#UID .mg-panel{margin-top:8px;padding:8px 12px;border-left:4px solid #e67700;
background:#fff8f0;border-radius:4px;font-size:14px;line-height:1.4}
#UID .mg-head{font-size:15px;margin-bottom:4px}
#UID .mg-eq{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:15px;
margin:4px 0 6px 0}
#UID .mg-lhs{font-weight:bold}
#UID .mg-rhs{padding-left:1.5em}
#UID .mg-result{color:#c05600}
#UID .mg-muted,#UID .mg-note-text{color:#57606a;font-size:13px}
#UID ul{margin:2px 0 0 0;padding-left:1.4em}
#UID.mg-js .mg-gv{visibility:hidden}
#UID.mg-js .mg-known .mg-gv{visibility:visible}
#UID.mg-js .mg-note{visibility:hidden}
#UID.mg-js .mg-sent .mg-note{visibility:visible}
#UID .mg-known > path{fill:#eef7ee}
#UID .mg-current > path{fill:#fff1e0;stroke:#e67700;stroke-width:4}
#UID .mg-input > path{stroke:#e67700;stroke-width:2.5;stroke-dasharray:6 3}
#UID .mg-current-op > ellipse{stroke:#e67700;stroke-width:3;fill:#fff1e0}
#UID .mg-now > path{stroke:#e67700;stroke-width:3}
#UID .mg-now > polygon{stroke:#e67700;fill:#e67700}
#UID .mg-now .mg-note{fill:#c05600;font-weight:bold}
#UID .mg-current .mg-grad{font-weight:bold;fill:#c05600}
"""

_DARK_CSS = """
#UID{background:#1e1e1e;color:#e6edf3;border-color:#545d68}
#UID button{background:#2d333b;color:#e6edf3;border-color:#545d68}
#UID .mg-panel{background:#2d2416}
#UID .mg-known > path{fill:#23352a}
#UID .mg-current > path,#UID .mg-current-op > ellipse{fill:#4a3414}
#UID .mg-result,#UID .mg-now .mg-note,#UID .mg-current .mg-grad{fill:#ffc53d;color:#ffc53d}
"""

_SCRIPT = r"""
(function(){
var root=document.getElementById("#UID");
if(!root||root.getAttribute("data-ready")){return;}
root.setAttribute("data-ready","1");
var D=JSON.parse(root.querySelector(".mg-data").textContent);
var F=D.frames, last=F.length-1, cur=0, timer=null, uid=D.uid;
root.classList.remove("mg-nojs"); root.classList.add("mg-js");
var q=function(s){return root.querySelector(s);};
var slider=q(".mg-slider"), playB=q(".mg-play"), prevB=q(".mg-prev"),
    nextB=q(".mg-next"), firstB=q(".mg-first"), head=q(".mg-head"), body=q(".mg-body"),
    count=q(".mg-count"), stage=q(".mg-stage");
var nodes={}, ops={}, edges=[];
root.querySelectorAll("g[data-node]").forEach(function(g){nodes[g.getAttribute("data-node")]=g;});
root.querySelectorAll("g[data-op]").forEach(function(g){ops[g.getAttribute("data-op")]=g;});
root.querySelectorAll("g[data-edge]").forEach(function(g){edges.push(g);});
var order={};
for(var i=1;i<=last;i++){order[F[i].node]=i;}
function show(k){
  k=Math.max(0,Math.min(last,k)); cur=k;
  var f=F[k], inputs={}, now={};
  (f.inputs||[]).forEach(function(n){inputs[n]=1;});
  (f.edges||[]).forEach(function(e){now[e]=1;});
  for(var id in nodes){
    var g=nodes[id], o=order[id];
    g.classList.toggle("mg-known", o!==undefined && o<=k);
    g.classList.toggle("mg-current", id===f.node);
    g.classList.toggle("mg-input", !!inputs[id]);
    if(ops[id]){ops[id].classList.toggle("mg-current-op", id===f.node && (f.edges||[]).length>0);}
  }
  edges.forEach(function(g){
    var s=parseInt(g.getAttribute("data-step"),10)+1;
    g.classList.toggle("mg-sent", s<=k);
    g.classList.toggle("mg-now", !!now[g.getAttribute("data-edge")]);
  });
  head.innerHTML=f.head; body.innerHTML=f.body;
  if(f.node&&nodes[f.node]&&stage.scrollWidth>stage.clientWidth){
    // keep the current node and the inputs it sends to in view
    var ids=[f.node].concat(f.inputs||[]), lo=Infinity, hi=-Infinity;
    ids.forEach(function(n){
      if(nodes[n]){var r=nodes[n].getBoundingClientRect();
        lo=Math.min(lo,r.left);hi=Math.max(hi,r.right);}
    });
    var sr=stage.getBoundingClientRect();
    if(lo<sr.left||hi>sr.right){
      stage.scrollLeft+=(hi-lo>sr.width)?(hi-sr.right+8):((lo+hi)/2-(sr.left+sr.right)/2);
    }
  }
  slider.value=String(k); count.textContent=(k===0?"start":"step "+k+" / "+last);
  root.setAttribute("data-frame", String(k));
  prevB.disabled=(k===0); firstB.disabled=(k===0); nextB.disabled=(k===last);
  if(k===last){stop();}
}
function stop(){if(timer!==null){clearInterval(timer);timer=null;}playB.textContent="\u25B6 Play";}
function play(){
  if(timer!==null){stop();return;}
  if(cur===last){show(0);}
  playB.textContent="\u275A\u275A Pause";
  timer=setInterval(function(){show(cur+1);},D.interval);
}
prevB.addEventListener("click",function(){stop();show(cur-1);});
nextB.addEventListener("click",function(){stop();show(cur+1);});
firstB.addEventListener("click",function(){stop();show(0);});
playB.addEventListener("click",play);
slider.addEventListener("input",function(){stop();show(parseInt(slider.value,10));});
root.addEventListener("keydown",function(e){
  if(e.target===slider && (e.key.indexOf("Arrow")===0)){e.stopPropagation();return;}
  var k=null;
  if(e.key==="ArrowRight"||e.key==="ArrowDown"){k=cur+1;}
  else if(e.key==="ArrowLeft"||e.key==="ArrowUp"){k=cur-1;}
  else if(e.key==="Home"){k=0;} else if(e.key==="End"){k=last;}
  else if(e.key===" "&&e.target.tagName!=="BUTTON"){
    e.preventDefault();e.stopPropagation();play();return;
  }
  if(k!==null){e.preventDefault();e.stopPropagation();stop();show(k);}
});
root.addEventListener("click",function(e){if(e.target.tagName!=="BUTTON"&&e.target!==slider){root.focus({preventScroll:true});}});
show(0);
})();
"""
