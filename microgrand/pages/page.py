"""Assemble a page: fallback picture, model, markup, inlined CSS and the runtime.

Example:
    >>> "MG.boot" in web_text("runtime.js"), "var(--mg-accent)" in web_text("page.css")
    (True, True)
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import write_atomic
from ..render.engine import WASM, choose_engine
from ..render.themes import Theme, css_variables, mix

if TYPE_CHECKING:
    from ..render.diagram import Diagram

__all__ = [
    "Page",
    "PageView",
    "build_page",
    "derived_colours",
    "fallback_picture",
    "new_uid",
    "page_css",
    "web_text",
]

_UID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_KIND = re.compile(r"[a-z][a-z0-9_]*")


@cache
def web_text(name: str) -> str:
    """The text of a file of the page code shipped in ``microgrand/web/`` (package data).

    Example:
        >>> "MG.kinds.player = function" in web_text("player.js")
        True
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]*\.(js|css)", name):
        raise ValueError(f"not a page file name: {name!r}")
    return (resources.files("microgrand") / "web" / name).read_text(encoding="utf-8")


def fallback_picture(diagram: Diagram, dpi: int) -> bytes:
    """The picture a page shows where its scripts do not run: ``diagram`` as PNG at ``dpi``;
    as SVG where only the WebAssembly engine draws (a browser kernel), which makes no PNG.
    :func:`build_page` takes either.

    Example:
        >>> from microgrand import Value, draw
        >>> fallback_picture(draw(Value(1.0, label="x")), 72)[:4]
        b'\x89PNG'
    """
    if choose_engine(diagram.engine).name == WASM:
        return diagram.svg().encode("utf-8")
    return diagram.png(dpi)


def new_uid(kind: str) -> str:
    """A fresh id prefix for one output of a view (``mg-player-1a2b3c4d``).

    Example:
        >>> new_uid("player").startswith("mg-player-"), new_uid("x") != new_uid("x")
        (True, True)
    """
    return f"mg-{kind}-{secrets.token_hex(4)}"


def derived_colours(theme: Theme) -> dict[str, str]:
    """The tints pages use besides the theme's own colours, each made with :func:`mix`.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> derived_colours(THEMES["print"])["accent-soft"]
        '#d9d9d9'
    """
    return {
        "accent-soft": mix(theme.node_fill, theme.accent, 0.15),
        "accent-faint": mix(theme.background, theme.accent, 0.06),
        "accent-text": mix(theme.accent, theme.text, 0.3),  # 4.5:1 on the background
        "known-fill": mix(theme.node_fill, theme.muted, 0.12),
        "button": theme.op_fill,
        "button-hover": mix(theme.op_fill, theme.muted, 0.15),
    }


def page_css(theme: Theme, selector: str) -> str:
    """The theme's custom properties (and the derived tints) for the elements of ``selector``.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> css = page_css(THEMES["dark"], "#p")
        >>> "--mg-background: #1e1e1e;" in css and "--mg-accent-soft:" in css
        True
    """
    base = css_variables(theme, selector)
    extra = "".join(f"  --mg-{k}: {v};\n" for k, v in derived_colours(theme).items())
    return base[: -len("}")] + extra + "}"


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: no ``<`` at all (so no ``</script>`` and no ``<!--``)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")


@dataclass(frozen=True)
class Page:
    """One assembled view: ``fragment`` for a notebook, :meth:`document` for a file.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> p = build_page("demo", {}, view_html="", theme=THEMES["light"], fallback_png=b"",
        ...                fallback_note="Run this cell.", title="t", uid="mg-d", scripts=(),
        ...                styles=())
        >>> p._repr_html_() == p.fragment, p.uid
        (True, 'mg-d')
    """

    kind: str
    uid: str
    title: str
    fragment: str
    theme: Theme

    def document(self) -> str:
        """The page as a standalone HTML document (UTF-8, no network needed): the fragment in
        the page's one ``<main>`` landmark under an ``<h1>`` that carries the title.

        Example:
            >>> from microgrand.render.themes import THEMES
            >>> p = build_page("demo", {}, view_html="", theme=THEMES["dark"], fallback_png=b"",
            ...                fallback_note="", title="A <b>", uid="mg-d", scripts=(),
            ...                styles=())
            >>> doc = p.document()
            >>> "<title>A &lt;b&gt;</title>" in doc, '<main><h1 class="mg-title">A &lt;b&gt;' in doc
            (True, True)
        """
        css = page_css(self.theme, ":root")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(self.title)}</title>"
            f"<style>{css}\nbody{{margin:16px;background:var(--mg-background);"
            "color:var(--mg-text);font-family:var(--mg-font)}"
            "h1.mg-title{font-size:20px;font-weight:600;margin:0 0 10px 0}</style>"
            f'</head><body><main><h1 class="mg-title">{html.escape(self.title)}</h1>'
            f"{self.fragment}</main></body></html>\n"
        )

    def _repr_html_(self) -> str:
        return self.fragment

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`document` to ``path`` (``.html`` or ``.htm``) atomically.

        Example:
            >>> import tempfile, pathlib
            >>> from microgrand.render.themes import THEMES
            >>> p = build_page("demo", {}, view_html="", theme=THEMES["light"],
            ...                fallback_png=b"", fallback_note="", title="t", uid="mg-d",
            ...                scripts=(), styles=())
            >>> with tempfile.TemporaryDirectory() as d:
            ...     p.save(pathlib.Path(d) / "x.html").suffix
            '.html'
        """
        p = Path(path)
        if p.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save a page as .html, got {str(p)!r}")
        return write_atomic(p, self.document().encode("utf-8"))


def build_page(
    kind: str,
    model: Mapping[str, Any],
    *,
    view_html: str,
    theme: Theme,
    fallback_png: bytes,
    fallback_note: str,
    title: str,
    uid: str | None = None,
    scripts: Iterable[str] | None = None,
    styles: Iterable[str] | None = None,
    fallback_alt: str | None = None,
    interactive: bool = True,
) -> Page:
    """Assemble the page of a view of kind ``kind`` (``"player"``, ``"live"``, ``"quiz"`` …).

    Args:
        kind: the view; the runtime calls ``MG.kinds[kind](view, model, MG, root)``.
        model: the page model (plain JSON; numbers via :func:`~microgrand.pages.number`).
        view_html: the view's markup, put into the page when scripts run (its ids must start
            with ``uid``).
        theme: colours, as CSS custom properties scoped to this page.
        fallback_png: PNG of the finished state, shown as an ``<img>`` (data URI) wherever
            scripts do not run (SVG text is accepted too: see :func:`fallback_picture`);
            ``fallback_note`` is the one line under it.
        scripts: files of ``microgrand/web/`` run after ``runtime.js`` (default ``KIND.js``);
            ``styles``: CSS files after ``page.css`` (default ``KIND.css``).

    The output is ``<div class="mg-page" id=UID data-kind=KIND>`` holding the fallback, the
    model as ``<script type="application/json" class="mg-model">`` and one script. With
    ``interactive=False`` it holds the fallback only (a picture and its line, no script).

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> p = build_page("demo", {"x": 1.5}, view_html="<b>hi</b>", theme=THEMES["light"],
        ...                fallback_png=b"png", fallback_note="Run this cell.", title="t",
        ...                uid="mg-x", scripts=(), styles=())
        >>> p.fragment.count("</script>"), "Run this cell." in p.fragment
        (2, True)
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"kind must be lower-case letters, digits or '_': {kind!r}")
    uid = new_uid(kind) if uid is None else uid
    if not _UID.fullmatch(uid):
        raise ValueError(
            f"uid must be letters, digits, '-' or '_', starting with a letter: {uid!r}"
        )
    mime = "image/svg+xml" if fallback_png.lstrip()[:1] == b"<" else "image/png"
    src = f"data:{mime};base64," + base64.b64encode(fallback_png).decode("ascii")
    alt = fallback_alt if fallback_alt is not None else title
    fragment = (
        f'<div class="mg-page mg-page-{kind}" id="{uid}" data-kind="{kind}">'
        f'<div class="mg-fallback"><img src="{src}" alt="{html.escape(alt)}" '
        f'style="max-width:100%;height:auto">'
        f'<p class="mg-fallback-note">{html.escape(fallback_note)}</p></div>'
    )
    if interactive:
        js_files = [f"{kind}.js"] if scripts is None else list(scripts)
        css_files = [f"{kind}.css"] if styles is None else list(styles)
        css = "\n".join(
            [page_css(theme, f"#{uid}"), web_text("page.css"), *(web_text(f) for f in css_files)]
        )
        payload = {"model": dict(model), "html": f"<style>{css}</style>{view_html}"}
        code = "\n".join([web_text("runtime.js"), *(web_text(f) for f in js_files)])
        script = (
            f'(function(){{"use strict";\n{code}\nMG.boot("{uid}", document.currentScript);\n}})();'
        )
        script = script.replace("</", "<\\/")  # only inside JS strings: same text
        fragment += (
            f'<script type="application/json" class="mg-model">{_script_json(payload)}</script>'
            f"<script>{script}</script>"
        )
    fragment += "</div>"
    return Page(kind=kind, uid=uid, title=title, fragment=fragment, theme=theme)


class PageView:
    """What every HTML view (player, live view, quiz, explorer) does with its :class:`Page`.

    A view defines ``page(uid=None) -> Page``, ``noun`` (how messages name it) and
    ``save_uid`` (the id prefix of a saved file); this class gives it notebook display,
    :meth:`html` and an atomic :meth:`save`.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> class Demo(PageView):
        ...     noun, save_uid = "demo", "mgd"
        ...     def page(self, *, uid=None):
        ...         return build_page("demo", {}, view_html="<p>hi</p>", theme=THEMES["light"],
        ...                           fallback_png=b"png", fallback_note="Run this cell.",
        ...                           title="t", uid=uid or "mgd", scripts=(), styles=())
        >>> Demo().html(standalone=True).startswith("<!DOCTYPE html>")
        True
    """

    noun = "view"
    save_uid = "mgv"

    def page(self, *, uid: str | None = None) -> Page:  # pragma: no cover - each view has one
        raise NotImplementedError

    def html(self, *, uid: str | None = None, standalone: bool = False) -> str:
        """The view as HTML: the fragment a notebook shows, or a whole page (``standalone``)."""
        pg = self.page(uid=uid)
        return pg.document() if standalone else pg.fragment

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the view as a standalone HTML page, atomically (``.html`` or ``.htm``)."""
        p = Path(path)
        if p.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save the {self.noun} as .html, got {str(p)!r}")
        return self.page(uid=self.save_uid).save(p)
