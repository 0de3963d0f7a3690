"""The player's page: its markup (buttons, the diagram's SVG with hooks, the panel) assembled by
:func:`microgrand.pages.build_page` with ``web/player.js`` and ``web/player.css``.

Example:
    >>> from microgrand import Value
    >>> from microgrand.pages.player import step
    >>> p = step(Value(2.0, label="x") * 3)
    >>> html = p.page(uid="u").fragment
    >>> 'data-kind="player"' in html and 'data-action=\\\\"next\\\\"' in html
    True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from ..graph import Graph
from ..render.diagram import Diagram
from ..render.themes import THEMES
from ..stepper.trace import Trace
from .model import edge_id
from .page import Page, build_page, new_uid
from .svg import SVG_NS, hook_svg, svg_text

__all__ = ["FALLBACK_DPI", "player_page"]

FALLBACK_DPI = 96
"""Resolution of the picture of the finished pass shown where scripts do not run."""

_Q = f"{{{SVG_NS}}}"


def _svg(diagram: Diagram, uid: str, t: Trace, graph: Graph, names: Mapping[str, str]) -> str:
    root, width = hook_svg(diagram.svg(), uid, graph, names)
    sent = {edge_id(c.input, c.node, c.position): c.step for s in t for c in s.outgoing}
    for g in root.iter(_Q + "g"):
        gid = (g.get("id") or "")[len(uid) + 1 :]
        if gid in sent:
            g.set("data-edge", gid)
            g.set("data-sent-at", str(sent[gid]))
            for tx in g.iter(_Q + "text"):
                tx.set("class", "mg-note")
    root.set("role", "group")
    root.set("aria-label", "The graph: Tab to its nodes, then arrow keys between nodes and edges")
    # the page zooms the diagram (MG.zoom): its natural width in CSS px is where 100 % is
    return f'<div class="mg-stage" data-width="{width:.0f}">{svg_text(root)}</div>'


def player_page(
    *,
    uid: str | None,
    model: Mapping[str, Any],
    diagram: Diagram,
    trace: Trace,
    graph: Graph,
    names: Mapping[str, str],
    theme: str,
    fallback_png: bytes,
) -> Page:
    """Assemble the player's page (see :class:`microgrand.pages.player.Player` for its contract).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.pages.player import step
        >>> step(Value(1.0, label="x") + 1).page(uid="p1").uid
        'p1'
    """
    uid = new_uid("player") if uid is None else uid
    title = str(model["title"])
    last = len(trace)
    hidden = '<span aria-hidden="true">'
    view = (
        f'<div class="mg-player mg-frame" tabindex="0" data-frame="0" role="group" '
        f'aria-label="Backward pass of {html.escape(title)}: arrow keys step, Home and End '
        'jump, space plays or pauses">'
        '<div class="mg-bar">'
        f'<button type="button" data-action="start" title="First (Home)">{hidden}«</span> '
        "Start</button>"
        f'<button type="button" data-action="prev" title="Previous (←)">{hidden}◀</span> '
        "Prev</button>"
        f'<button type="button" data-action="play" title="Play / pause (space)">'
        f"{hidden}▶</span> Play</button>"
        f'<button type="button" data-action="next" title="Next (→)">Next {hidden}▶</span>'
        "</button>"
        f'<input type="range" class="mg-slider" data-scrub min="0" max="{last}" value="0" '
        'step="1" aria-label="Step">'
        f'<span class="mg-count" data-step>0/{last}</span></div>'
        f"{_svg(diagram, uid, trace, graph, names)}"
        '<div class="mg-legend"><span class="mg-sw mg-sw-cur"></span>current node '
        '<span class="mg-sw mg-sw-in"></span>receives gradient now '
        '<span class="mg-sw mg-sw-done"></span>gradient final '
        '<span class="mg-sw"></span>not reached yet (grad blank)</div>'
        '<div class="mg-panel"><div class="mg-head" aria-live="polite"></div>'
        '<div class="mg-body"></div></div>'
        "</div>"
    )
    return build_page(
        "player",
        model,
        view_html=view,
        theme=THEMES[theme],
        fallback_png=fallback_png,
        fallback_note="Run this cell to step through the backward pass.",
        title=f"Backward pass of {title}",
        fallback_alt=f"The finished backward pass of {title}: every gradient filled in",
        uid=uid,
    )
