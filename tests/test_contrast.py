"""Every theme meets WCAG 2.2 AA contrast: 4.5:1 for text on every surface it is drawn on,
3:1 for the lines and marks a reader needs (edges, borders, scope frames, the highlight and the
playground's class colours) against the background.

The ratio is WCAG's own formula (relative luminance of sRGB), written out here independently
of the package.
"""

from __future__ import annotations

import pytest

from microgrand.pages.page import derived_colours
from microgrand.render.themes import THEMES, Theme


def _luminance(colour: str) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_on_known_pairs() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def _surfaces(t: Theme) -> dict[str, str]:
    """Every colour text is drawn on: page, boxes, buttons, panels and gradient fills."""
    d = derived_colours(t)
    return {
        "background": t.background,
        "node_fill": t.node_fill,
        "op_fill": t.op_fill,
        "cluster_fill": t.cluster_fill,
        "box_fill": t.box_fill,
        "button": d["button"],
        "accent-faint": d["accent-faint"],
        "known-fill": d["known-fill"],
    }


@pytest.mark.parametrize("name", sorted(THEMES))
def test_text_and_muted_text_on_every_surface(name: str) -> None:
    t = THEMES[name]
    low = {
        f"{fg} on {k}": round(contrast(getattr(t, fg), bg), 2)
        for fg in ("text", "muted")
        for k, bg in _surfaces(t).items()
        if contrast(getattr(t, fg), bg) < 4.5
    }
    assert not low, f"{name}: below 4.5:1: {low}"


@pytest.mark.parametrize("name", sorted(THEMES))
def test_node_text_on_the_strongest_gradient_fills(name: str) -> None:
    t = THEMES[name]
    for end in (t.negative, t.positive):
        assert contrast(t.text, end) >= 4.5, (name, end)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_links_and_highlight_text(name: str) -> None:
    t = THEMES[name]
    assert contrast(derived_colours(t)["accent-text"], t.background) >= 4.5


@pytest.mark.parametrize("name", sorted(THEMES))
def test_graphics_against_the_background(name: str) -> None:
    t = THEMES[name]
    marks = {
        "edge": t.edge,
        "node_border": t.node_border,
        "op_border": t.op_border,
        "cluster_border": t.cluster_border,
        "accent": t.accent,
        "negative_line": t.negative_line,
        "positive_line": t.positive_line,
    } | {f"class {i}": c for i, c in enumerate(t.classes)}
    low = {k: round(contrast(c, t.background), 3) for k, c in marks.items()}
    low = {k: v for k, v in low.items() if contrast(marks[k], t.background) < 3.0}
    assert not low, f"{name}: below 3:1 against the background: {low}"
