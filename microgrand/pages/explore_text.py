"""What the explorer says in words: accessible names of its groups, values and edges, the
chain-rule line with repeated terms told apart, and the markup around its diagram.

Example:
    >>> spoken_path("layer1/neuron2")
    'layer 1, neuron 2'
"""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ..render.views import View, group_slug
from ..stepper.notation import chain_stages, render_stages
from ..stepper.record import slot_numbers, step_record
from ..stepper.trace import Step, Trace

__all__ = [
    "group_sentence",
    "label_svg",
    "qualified_line",
    "spoken_path",
    "view_markup",
]


def spoken_path(path: str) -> str:
    """A group path as words: a space before a trailing number, ``/`` as a comma.

    Example:
        >>> spoken_path("batch/ex12/layer1"), spoken_path("")
        ('batch, ex 12, layer 1', 'the top level')
    """
    if not path:
        return "the top level"
    return ", ".join(re.sub(r"(?<=[^\d\s])(\d+)$", r" \1", p) for p in path.split("/"))


def qualified_line(
    step: Step, t: Trace, precision: int, names: Mapping[str, str], scope_of: Mapping[str, str]
) -> str:
    """The step's chain-rule line, where a term's ``dL/d(…)`` appears more than once (x1
    feeds ``w1·x1`` in every neuron of a layer) followed by the scope of its node:
    ``dL/d(w1·x1) [layer1/neuron2]``.

    Example:
        >>> from microgrand import Value, scope
        >>> from microgrand.stepper import trace
        >>> x = Value(2.0, label="x")
        >>> with scope("n1"):
        ...     a = x * 3; a.label = "h"
        >>> with scope("n2"):
        ...     b = x * 4; b.label = "h"
        >>> y = a + b; y.label = "y"
        >>> t = trace(y)
        >>> names = {s.id: s.name for s in t}
        >>> line = qualified_line(t.step_of("n0"), t, 4, names,
        ...                       {n.id: n.scope for n in t.graph.nodes})
        >>> line.split(" = ")[1]
        'dy/dh [n2] · ∂h/∂x + dy/dh [n1] · ∂h/∂x'
    """
    record = step_record(step, t, precision=precision, names=names)
    seen = Counter(term.total for term in record.terms)
    if all(c == 1 for c in seen.values()):
        return record.text
    terms = [
        dataclasses.replace(term, total=f"{term.total} [{scope_of[term.node] or 'top level'}]")
        if seen[term.total] > 1
        else term
        for term in record.terms
    ]
    stages = render_stages(
        chain_stages(terms, start=step.start != 0.0), slot_numbers(step), precision
    )
    return dataclasses.replace(record, stages=tuple(stages)).text


def label_svg(root: ET.Element, v: View, names: Mapping[str, str]) -> None:
    """Hook a view's SVG for the page: each group box ``data-group`` (``data-expanded``,
    ``data-outside`` for the box standing for everything outside a deep view), each open
    group's frame a named group, each aggregated edge a named image, each input edge its
    ``data-edge``. The values, boxes, operations and input edges get their accessible names
    in the page (``explore.js``, from the model: the page stays small)."""
    boxes = {f"x-box-{group_slug(b)}": b for b in v.boxes}
    frames = {f"x-cluster-{group_slug(p)}": p for p in v.frames}
    agg = {f"x-agg-{k}": a for k, a in enumerate(v.aggregates)}

    def name(item: str) -> str:
        return names[item] if item in names else spoken_path(item)

    for el in root.iter():
        gid = el.get("id")
        if gid is None:
            continue
        if gid in boxes:
            el.set("data-group", boxes[gid])
            el.set("data-expanded", "false")
            if boxes[gid] == v.outside:
                el.set("data-outside", "true")
        elif gid in frames:
            el.set("data-group", frames[gid])
            el.set("data-expanded", "true")
            el.set("aria-label", f"{spoken_path(frames[gid])}, open")  # the page: role="group"
        elif gid.startswith("x-e-") and el.get("class") == "edge input":
            el.set("data-edge", gid[2:])
        elif gid in agg:
            src, dst, count = agg[gid]  # the page adds role="img"
            what = f"{count} edges" if count > 1 else "edge"
            el.set("aria-label", f"{what} from {name(src)} to {name(dst)}")


def view_markup(title: str, focus: str) -> str:
    """The explorer's HTML around its diagram (bars, canvas, details; see ``explore.js``)."""
    t = html.escape(title)
    return (
        f'<div class="mg-explore mg-frame" role="group" data-view="{html.escape(focus)}"'
        f' aria-label="Explore the backward pass of {t}">'
        '<div class="mg-bar mg-nav">'
        '<div class="mg-crumbs" role="group" aria-label="Open groups"></div>'
        '<span class="mg-spacer"></span>'
        '<input type="search" data-find placeholder="find a node or group" '
        'aria-label="find a node or group by name (w7, neuron3, layer2/neuron3)">'
        '<button type="button" data-action="zoom-out" data-zoom="out" aria-label="Zoom out" '
        'title="Zoom out (−)">−</button>'
        '<button type="button" data-action="zoom-in" data-zoom="in" aria-label="Zoom in" '
        'title="Zoom in (+)">+</button>'
        '<button type="button" data-action="fit" data-zoom="fit" '
        'aria-label="Fit: show everything" title="Show everything (0)">Fit</button></div>'
        '<div class="mg-matches" data-matches hidden></div>'
        '<div class="mg-bar">'
        '<button type="button" data-action="start" title="First (Home)">« Start</button>'
        '<button type="button" data-action="prev" title="Previous (←)">◀ Prev</button>'
        '<button type="button" data-action="play" title="Play / pause (space)">▶ Play</button>'
        '<button type="button" data-action="next" title="Next (→)">Next ▶</button>'
        '<span class="mg-count" data-step aria-live="polite">0/0</span>'
        '<span class="mg-step-text"></span></div>'
        '<div class="mg-canvas" tabindex="0" role="group" aria-roledescription="diagram" '
        'aria-label="Diagram: Tab to a box, Enter to open it or show its details, Escape to '
        'go up; arrow keys pan, + and − zoom, 0 fits"></div>'
        '<div class="mg-legend">Tab to a box and press Enter to open it (or click it); Escape '
        "or Backspace goes up. Arrow keys or dragging pan; + and − (or Ctrl + wheel) zoom; "
        "0 fits. Enter on a value shows its chain rule.</div>"
        '<div class="mg-panel mg-details" role="group" aria-label="Details" '
        'aria-live="polite"><div class="mg-head"></div><div class="mg-body"></div></div></div>'
    )


def group_sentence(s: Mapping[str, Any], f: Callable[[float], str]) -> str:
    """One step of the backward pass over a group shown as a box, from
    :meth:`Explorer.group_stats`: what arrived at its outputs, what its parameters got, where
    it passed gradient on."""
    out = "output" if s["outputs"] == 1 else "outputs"
    text = (
        f"Gradient arrived at the {s['outputs']} {out} of {s['path']} (norm "
        f"{f(s['out_norm'])}, largest |grad| {f(s['out_max'])} at {s['out_max_name']})"
    )
    if s["params"]:
        text += (
            f"; it gave its {s['params']} parameters their gradients (norm "
            f"{f(s['param_norm'])}, largest |grad| {f(s['param_max'])} at "
            f"{s['param_max_name']})"
        )
    else:
        text += "; it has no parameters of its own"
    if s["inputs"]:
        what = "input" if s["inputs"] == 1 else "inputs"
        where = ", ".join(s["in_groups"][:3]) + (" …" if len(s["in_groups"]) > 3 else "")
        text += f"; it passed gradient on to {s['inputs']} {what} outside it ({where})"
    return text + "."
