"""The Python side of every microgrand HTML page: one page model, one runtime, one contract.

Every HTML view (the backward-pass player, the live view, the quiz, the explorer and the
playground's replay) is built the same way:

1. Python builds a **page model**: plain JSON from the graph snapshot (:func:`graph_model`),
   the trace's structured steps and whatever the view needs, never text parsed back out of
   sentences meant for people;
2. Python builds the view's **markup** (buttons, the Graphviz SVG with hooks added by
   :func:`hook_svg`);
3. :func:`build_page` assembles one self-contained piece of HTML: a **fallback** picture of the
   finished state (an ``<img>`` with a ``data:`` URI) and one line saying what running the cell
   gives, the model and markup as JSON inside ``<script type="application/json">``, and one
   script (the runtime ``web/runtime.js`` plus ``web/KIND.js``) that replaces the fallback with
   the interactive view. CSS (``web/page.css``, ``web/KIND.css``) is inlined, with the theme's
   colours as CSS custom properties. Nothing is fetched: it works from ``file://``, in
   JupyterLab, Notebook 7, VS Code and nbconvert HTML exports.

Sanitisers (JupyterLab for an untrusted notebook, GitHub, nbviewer) drop scripts and styles with
their content and keep ``<img>`` with a ``data:`` URI, so a stored notebook shows the picture
and the line, never stripped diagram text. Every element id starts with the page's ``uid``, so
several pages share one notebook.

Example:
    >>> from microgrand.render.themes import THEMES
    >>> p = build_page("demo", {"n": 1}, view_html="<p>hi</p>", theme=THEMES["light"],
    ...                fallback_png=b"\\x89PNG", fallback_note="Run this cell.", title="t",
    ...                uid="mg-demo-1", scripts=(), styles=())
    >>> 'id="mg-demo-1"' in p.fragment, '<img src="data:image/png;base64,' in p.fragment
    (True, True)
    >>> p.document().startswith("<!DOCTYPE html>")
    True
"""

from __future__ import annotations

from .model import graph_model, number
from .page import Page, PageView, build_page, new_uid, page_css, web_text
from .svg import hook_svg, svg_text

__all__ = [
    "Page",
    "PageView",
    "build_page",
    "graph_model",
    "hook_svg",
    "new_uid",
    "number",
    "page_css",
    "svg_text",
    "web_text",
]
