"""The page code in ``microgrand/web/``: valid JavaScript, number formatting identical to
Python's, colours only from the theme, shipped in the wheel without development tools."""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from microgrand import Value
from microgrand._format import format_fixed, format_short
from microgrand.pages import page_css
from microgrand.pages.page import derived_colours
from microgrand.pages.player import step
from microgrand.render.themes import THEMES, Theme

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "microgrand" / "web"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed (apt-get install nodejs)"
)


def js_files() -> list[Path]:
    return sorted(WEB.glob("*.js"))


@needs_node
@pytest.mark.parametrize("path", js_files(), ids=lambda p: p.name)
def test_node_check(path: Path) -> None:
    assert NODE is not None
    r = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


def _cases() -> list[tuple[float, int]]:
    rng = random.Random(7)
    special = [
        0.0,
        -0.0,
        0.5,
        0.125,
        -0.125,
        2.5,
        0.375,
        1.5e-9,
        -1e-7,
        2.5e9,
        1e16,
        1.5e16,
        1e21,
        123456.789,
        999999.99999,
        1e-4,
        1e-5,
        0.1 + 0.2,
        6.88,
        -3.0,
        645.57731,
        math.inf,
        -math.inf,
        math.nan,
        5e-324,
        1.7976931348623157e308,
    ]
    out = [(x, p) for x in special for p in (0, 1, 2, 4, 12)]
    for _ in range(1500):
        x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-14, 9)
        if rng.random() < 0.2:
            x = round(x, rng.randint(0, 5))  # short decimals, where ties live
        out.append((x, rng.randint(0, 12)))
    return out


@needs_node
def test_js_number_formatting_equals_python() -> None:
    assert NODE is not None
    cases = _cases()
    enc = [[x if math.isfinite(x) else str(x).replace("inf", "inf"), p] for x, p in cases]
    script = (
        WEB.joinpath("runtime.js").read_text(encoding="utf-8")
        + "\nvar input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(input.map(function (c) {\n"
        "  return [MG.formatShort(c[0], c[1]), MG.formatFixed(c[0], c[1]), MG.repr(c[0])];\n"
        "})));\n"
    )
    r = subprocess.run(
        [NODE, "-e", script], input=json.dumps(enc), capture_output=True, text=True, check=True
    )
    got = json.loads(r.stdout)
    bad = []
    for (x, p), (short, fixed, rep) in zip(cases, got, strict=True):
        want = (format_short(x, p), format_fixed(x, p), repr(x))
        if (short, fixed, rep) != want:
            bad.append((x, p, (short, fixed, rep), want))
    assert bad == []


# --- colours ---------------------------------------------------------------------------------

_HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
_FUNC = re.compile(r"\b(?:rgba?|hsla?|color-mix|lab|lch|oklab|oklch)\(")
_NAMED = re.compile(
    r"\b(?:fill|stroke|color|background(?:-color)?|border(?:-[a-z]+)?-color|stop-color|"
    r"accent-color|outline-color)\s*[:=]\s*\"?([a-zA-Z]+)\b"
)


def allowed(theme: Theme) -> set[str]:
    own = {
        v.lower()
        for v in (getattr(theme, f) for f in Theme.__slots__)
        if isinstance(v, str) and v.startswith("#")
    }
    classes = {c.lower() for c in theme.classes}
    return own | classes | {c.lower() for c in derived_colours(theme).values()}


def colours_in(text: str) -> tuple[set[str], set[str]]:
    hexes = {h.lower() for h in _HEX.findall(text)}
    named = {m.lower() for m in _NAMED.findall(text)} - {
        "none",
        "transparent",
        "inherit",
        "currentcolor",
        "var",
    }
    return hexes, named


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_player_page_uses_only_its_theme_colours(theme: str) -> None:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    p = step((x * w + b).tanh(), theme=theme)  # type: ignore[arg-type]
    doc = p.html(uid="c1", standalone=True)
    m = re.search(r'class="mg-model">(.*?)</script>', doc, re.S)
    assert m is not None
    view = json.loads(m.group(1))["html"]
    page = re.sub(r'src="data:image/png;base64,[^"]*"', "", doc)
    hexes, named = colours_in(page + view)
    assert named == set()
    assert not _FUNC.search(page + view)
    assert hexes <= allowed(THEMES[theme]), hexes - allowed(THEMES[theme])
    # the style sheets themselves name no colour: only the theme's custom properties
    for css in ("page.css", "player.css"):
        text = re.sub(r"/\*.*?\*/", "", WEB.joinpath(css).read_text(encoding="utf-8"), flags=re.S)
        assert colours_in(text) == (set(), set()), css
        assert not _FUNC.search(text)
        used = set(re.findall(r"var\((--mg-[a-z-]+)\)", text))
        assert used <= set(re.findall(r"(--mg-[a-z-]+):", page_css(THEMES[theme], "x")))
    # and the colours differ between themes where the themes differ
    if theme == "print":
        assert "#e57600" not in page + view


# --- the wheel -------------------------------------------------------------------------------


@pytest.mark.slow
def test_wheel_ships_the_web_files_and_no_tools(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = tmp_path.glob("microgrand-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    web = {f"microgrand/web/{p.name}" for p in WEB.iterdir() if p.suffix in (".js", ".css")}
    assert web and web <= names
    assert not [n for n in names if n.startswith(("tools/", "tests/", "benchmarks/"))]
    # The lessons travel with the package (microgrand lessons DIR), and nothing else of the kind.
    assert not [
        n
        for n in names
        if "screenshot" in n
        or (n.endswith(".ipynb") and not n.startswith("microgrand/lessons_data/"))
    ]
    assert "microgrand/lessons_data/01_derivatives.ipynb" in names
