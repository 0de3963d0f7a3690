"""The rules a lesson's stored files must keep, as functions the tests share: the answers of a
lesson and where a student copy shows one, the width of stored pictures, and the lessons that
still break a rule.

How an answer is found in a student copy
----------------------------------------
The answers of a lesson are the literal values of its solution cells' ``qN = ...`` lines and
every value ``mg.check`` logged while the teacher's copy ran (the ``expected`` value and the
answer it accepted). A student copy is searched where a student can read it: the source of
every cell and the text of every stored output (printed text, ``text/plain``, the text of an
HTML page or an SVG picture with its tags, scripts and styles removed).

* A **number** is searched as its ``repr`` (``0.6000000000000001``) and rounded to 3, 4, 5
  and 6 significant digits (``6.1``, ``0.125``, ``1.0019``), each followed by any number of
  zeros (``6.100000``), as a whole number: no digit or ``.`` may stand right before it, no
  digit right after. The sign is ignored (matplotlib writes ``−``). Numbers a student meets
  everywhere are not searched: integers (and floats equal to one) below 100 in size, and
  ``True``/``False``. A rounding with fewer than 3 significant digits is searched only with
  at least two zeros after it (``6.100`` for 6.1: a value printed with fixed decimals),
  because ``6.1`` or ``0.5`` on its own also appears in prose and code that give nothing away.
* A **text answer** is searched as a quoted literal (``"B"``, ``'line'``, any case), the way
  a check cell (``mg.check(q3, "B")``) or a printed list would show it, in check cells and
  outputs only: the bare word is not searched, since letters and words such as "line" occur
  in every lesson's prose, and elsewhere a quoted ``"B"`` is usually one of the choices.

What this cannot catch: an answer drawn in a picture (PNG, or an SVG whose text is drawn as
outlines, as matplotlib's is), an answer rounded to 1–2 significant digits, a percentage
(0.875 shown as 87.5 %), a small integer, or the numbers inside an interactive page's data.

The width rule
--------------
A stored picture is readable at the notebook's width (about 1,000 px) when it is at most
1,000 px wide (1 pt = 4/3 px), or its smallest text is still 9 px or more once the picture is
scaled to 1,000 px. The text of an SVG is measured (its smallest ``font-size``); a PNG's is
not, except that a matplotlib figure's text is taken to be matplotlib's default 10 pt at the
dpi the PNG records (so a figure at 100 dpi may be up to 1,543 px wide; smaller fonts set by
hand are not seen). A PNG stored beside an SVG of the same output is not judged: Jupyter shows
the SVG. Pictures inside HTML outputs (a page's fallback PNG, an inline SVG) follow the same
rule.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import html
import json
import math
import re
import struct
from collections.abc import Iterable, Iterator
from typing import Any

from microgrand.lessons import CHECK, CLAIM, SOLUTION, output_text, tags

LOG_VARIABLE = "MICROGRAND_CHECK_LOG"
MAX_WIDTH_PX = 1000
MIN_TEXT_PX = 9.0
MATPLOTLIB_TEXT_PT = 10.0  # matplotlib's default font size (rcParams["font.size"])

# Lessons that break a rule on this branch: each rule's test expects them to fail (a strict
# xfail, so a lesson that is fixed makes the test fail until its name is removed here).
# The lessons are being rewritten for issue 21; remove a name as soon as its lesson passes.
PENDING: dict[str, set[str]] = {
    "claim cells": set(),
    "check cells": set(),
    "no collapsed-cells sentence": set(),
    "student copy": set(),
    "student copy runs": set(),
    "no answer in student copy": set(),
    "quizzes do not reveal": set(),
    "pictures fit the page": set(),
}


# --- answers -------------------------------------------------------------------------------


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple | set):
        for v in value:
            yield from _flatten(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    else:
        yield value


def _literal(text: str) -> Any:
    """A logged repr as a value; ``np.float64(0.5)`` as 0.5; None when it is not a literal."""
    text = re.sub(r"\bnp\.\w+\(([^()]*)\)", r"\1", text)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def solution_answers(nb: Any) -> list[Any]:
    """The literal values assigned to ``qN`` in the solution cells (lists flattened)."""
    found: list[Any] = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code" or SOLUTION not in tags(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and re.fullmatch(r"q\d+", node.targets[0].id)
            ):
                with contextlib.suppress(ValueError):
                    found += _flatten(ast.literal_eval(node.value))
    return found


def logged_answers(lines: Iterable[dict[str, Any]]) -> list[Any]:
    """Every expected value and every accepted answer in ``mg.check``'s log (lists flattened;
    digests ``sha256:…`` left out, their accepted answer kept)."""
    found: list[Any] = []
    for entry in lines:
        texts = [entry.get("expected", "")] + ([entry.get("answer", "")] if entry.get("ok") else [])
        for text in texts:
            value = _literal(str(text))
            for v in _flatten(value):
                if not (isinstance(v, str) and v.startswith("sha256:")) and v is not None:
                    found.append(v)
    return found


def _significant(form: str) -> int:
    digits = form.lstrip("-").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." in form else len(digits)


def number_patterns(x: float) -> list[str]:
    """The regular expressions that find the number ``x`` as shown to a reader (see above)."""
    if not math.isfinite(x):
        return []
    x = abs(x)
    if float(x).is_integer() and x < 100:
        return []
    forms = {repr(float(x)) if not float(x).is_integer() else str(int(x))}
    for digits in (3, 4, 5, 6):
        rounded = f"{x:.{digits}g}"
        if "e" not in rounded:
            forms.add(rounded)
    patterns = []
    for form in sorted(forms):
        if form.endswith(".0"):
            form = form[:-2]
        if "." not in form:
            tail = r"(?:\.0*)?"  # 1024 or 1024.0
        elif _significant(form) >= 3:
            tail = "0*"
        else:
            tail = "0{2,}"
        patterns.append(rf"(?<![\d.]){re.escape(form)}{tail}(?!\d)")
    return sorted(set(patterns))


def text_patterns(s: str) -> list[str]:
    """A text answer as a quoted literal, either quote, any case."""
    s = s.strip()
    if not s:
        return []
    quoted = re.escape(s)
    return [rf"(?i:\"{quoted}\"|'{quoted}')"]


def answer_patterns(answers: Iterable[Any]) -> dict[str, tuple[str, bool]]:
    """Each searchable pattern, the answer it stands for, and whether it is a text answer."""
    found: dict[str, tuple[str, bool]] = {}
    for a in answers:
        if isinstance(a, bool) or a is None:
            continue
        if isinstance(a, int | float):
            for p in number_patterns(float(a)):
                found.setdefault(p, (repr(a), False))
        elif isinstance(a, str):
            for p in text_patterns(a):
                found.setdefault(p, (repr(a), True))
    return found


def _visible(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?s)<[^>]*>", " ", markup)
    return html.unescape(markup)


def readable_text(nb: Any) -> Iterator[tuple[int, str, str]]:
    """``(cell number, where, text)`` for everything a reader of ``nb`` can read as text;
    ``where`` is ``"markdown source"``, ``"code source"``, ``"check source"`` or
    ``"… output"``."""
    for i, cell in enumerate(nb["cells"], 1):
        kind = "check" if is_check(cell) else cell.get("cell_type")
        yield i, f"{kind} source", _source(cell)
        for out in cell.get("outputs", ()):
            data = out.get("data", {})
            plain = dict(
                out, data={m: v for m, v in data.items() if m not in ("text/html", "image/svg+xml")}
            )
            yield i, "output", output_text({"outputs": [plain]})
            for mime in ("text/html", "image/svg+xml"):
                value = data.get(mime)
                if value is not None:
                    text = "".join(value) if isinstance(value, list) else str(value)
                    yield i, f"{mime} output", _visible(text)


def find_answers(nb: Any, answers: Iterable[Any]) -> list[str]:
    """Where ``nb`` shows one of ``answers``: one line per place found. Numbers are searched
    everywhere; text answers in outputs and check cells (elsewhere a quoted ``"B"`` is
    usually one of the choices the question lists)."""
    patterns = answer_patterns(answers)
    numbers = [p for p, (_, text) in patterns.items() if not text]
    texts = [p for p, (_, text) in patterns.items() if text]
    found = []
    for i, where, text in readable_text(nb):
        wanted = numbers + (texts if where.endswith("output") or where == "check source" else [])
        if not wanted:
            continue
        for m in re.finditer("|".join(f"(?:{p})" for p in wanted), text):
            answer = next(patterns[p][0] for p in wanted if re.fullmatch(p, m.group(0)))
            context = text[max(0, m.start() - 40) : m.end() + 20].replace("\n", " ")
            found.append(f"cell {i} ({where}) shows the answer {answer}: …{context}…")
    return found


# --- claims ----------------------------------------------------------------------------------


def claim_problems(cell: Any) -> list[str]:
    """Why a claim cell is not one: it must assert, print nothing and be collapsed."""
    problems = []
    view = cell.get("metadata", {}).get("jupyter", {})
    if not (view.get("source_hidden") and view.get("outputs_hidden")):
        problems.append("is not collapsed (source_hidden and outputs_hidden)")
    try:
        tree = ast.parse(_source(cell))
    except SyntaxError as e:
        return [*problems, f"is not Python: {e}"]
    if not any(isinstance(n, ast.Assert) for n in ast.walk(tree)):
        problems.append("asserts nothing")
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        problems.append("ends with an expression, which Jupyter would display")
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    if calls & {"print", "display"}:
        problems.append("prints")
    return problems


def is_claim(cell: Any) -> bool:
    return cell.get("cell_type") == "code" and CLAIM in tags(cell)


def is_check(cell: Any) -> bool:
    return cell.get("cell_type") == "code" and CHECK in tags(cell)


# --- pictures --------------------------------------------------------------------------------


def png_width(data: str | bytes) -> int:
    """The width in pixels of a PNG given in base64."""
    return png_info(data)[0]


def png_info(data: str | bytes) -> tuple[int, float | None]:
    """A PNG's width in pixels, and for a matplotlib figure the px size of its default text
    (rcParams["font.size"], 10 pt, at the dpi in its pHYs chunk) once scaled to 1,000 px."""
    raw = base64.b64decode(data if isinstance(data, str) else data.decode("ascii"))
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    width = int(struct.unpack(">I", raw[16:20])[0])
    dpi, matplotlib, i = None, False, 8
    while i + 8 <= len(raw):
        (n,) = struct.unpack(">I", raw[i : i + 4])
        kind, body = raw[i + 4 : i + 8], raw[i + 8 : i + 8 + n]
        if kind == b"IDAT":
            break
        if kind == b"pHYs" and body[8:9] == b"\x01":  # unit: metre
            dpi = struct.unpack(">I", body[:4])[0] * 0.0254
        if kind in (b"tEXt", b"iTXt") and body.startswith(b"Software\x00Matplotlib"):
            matplotlib = True
        i += 12 + n
    if not (matplotlib and dpi):
        return width, None
    return width, MATPLOTLIB_TEXT_PT * dpi / 72 * MAX_WIDTH_PX / width


def _length_px(text: str) -> float | None:
    m = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)?\s*", text or "")
    if not m:
        return None
    return float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)


def svg_readability(svg: str) -> tuple[float, float | None]:
    """An SVG's width in px, and its smallest text in px once scaled to 1,000 px wide
    (None when it has no text elements with a size)."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if not root:
        raise ValueError("no <svg> element")
    tag = root.group(0)
    width = re.search(r'\swidth="([^"]*)"', tag)
    view = re.search(r'\sviewBox="([^"]*)"', tag)
    view_width = float(view.group(1).split()[2]) if view else None
    px = _length_px(width.group(1)) if width else None
    if px is None:
        px = view_width if view_width is not None else 0.0
    user_width = view_width or px  # text sizes are in the viewBox's units
    scale = re.search(r'<g\b[^>]*transform="[^"]*scale\(([\d.]+)', svg)
    factor = float(scale.group(1)) if scale else 1.0
    sizes = [float(s) for s in re.findall(r'font-size[=:]\s*"?([\d.]+)', svg)]
    if not sizes or not user_width:
        return px, None
    return px, min(sizes) * factor * MAX_WIDTH_PX / user_width


def picture_problems(nb: Any) -> list[str]:
    """Every stored picture of ``nb`` that breaks the width rule, one line each."""
    problems = []
    for i, cell in enumerate(nb["cells"], 1):
        for out in cell.get("outputs", ()):
            data = out.get("data", {})
            pngs: list[tuple[str, str]] = []
            svgs: list[tuple[str, str]] = []
            if "image/png" in data and "image/svg+xml" not in data:  # else the SVG shows
                png = data["image/png"]
                pngs.append(("PNG", "".join(png) if isinstance(png, list) else png))
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                svgs.append(("SVG", "".join(svg) if isinstance(svg, list) else svg))
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            page = re.sub(r"(?is)<script\b.*?</script\s*>", " ", page)
            pngs += [
                ("page PNG", m)
                for m in re.findall(r'<img\b[^>]*src="data:image/png;base64,([^"]+)"', page)
            ]
            svgs += [
                ("page SVG", m.group(0))
                for m in re.finditer(r"(?s)<svg\b[^>]*\b(?:width|viewBox)=.*?</svg>", page)
            ]
            for kind, b64 in pngs:
                w, text = png_info(b64)
                if w > MAX_WIDTH_PX and (text is None or text < MIN_TEXT_PX):
                    small = (
                        ""
                        if text is None
                        else (f", its text about {text:.1f} px at {MAX_WIDTH_PX} px")
                    )
                    problems.append(f"cell {i}: {kind} {w} px wide (at most {MAX_WIDTH_PX}{small})")
            for kind, svg in svgs:
                w, text = svg_readability(svg)
                if w > MAX_WIDTH_PX and (text is None or text < MIN_TEXT_PX):
                    small = "no text size" if text is None else f"its smallest text {text:.1f} px"
                    problems.append(
                        f"cell {i}: {kind} {w:.0f} px wide, {small} at "
                        f"{MAX_WIDTH_PX} px (at least {MIN_TEXT_PX:g})"
                    )
    return problems


def load_log(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
