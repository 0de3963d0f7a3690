r"""Node names and plain words in LaTeX, for the chain-rule lines of
:mod:`microgrand.stepper.notation` (``w1`` → ``w_{1}``, ``tanh`` upright).

Example:
    >>> latex_name("x·w1")
    'x\\cdot w_{1}'
"""

from __future__ import annotations

import re

from ..rules import all_rules

__all__ = ["LATEX_CHARS", "latex_name", "latex_text"]

_TOKEN = re.compile(r"[A-Za-z]+[0-9]*|[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\s+|.")
LATEX_CHARS = {  # Unicode in names and the characters LaTeX reserves
    "·": r"\cdot ",
    "−": "-",
    "×": r"\times ",
    "÷": r"\div ",
    "²": "^{2}",
    "³": "^{3}",
    "√": r"\sqrt",
    "σ": r"\sigma",
    "Σ": r"\Sigma",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "{": r"\{",
    "}": r"\}",
    "\\": r"\backslash ",
    "~": r"\sim ",
    "^": r"\hat{}",
}


def _latex_funcs() -> set[str]:
    """Diagram symbols that are words (``tanh``, ``ReLU``): set upright, from the rules."""
    return {r.symbol for r in all_rules() if r.symbol.isalpha()}


def latex_name(name: str) -> str:
    r"""A node name in LaTeX: ``w1`` → ``w_{1}``, ``out`` → ``\mathrm{out}``.

    Example:
        >>> latex_name("w1"), latex_name("out"), latex_name("x·w + b"), latex_name("a_b")
        ('w_{1}', '\\mathrm{out}', 'x\\cdot w + b', 'a\\_b')
    """
    out: list[str] = []
    funcs = _latex_funcs()
    for tok in _TOKEN.findall(name):
        if tok[0].isalpha():
            m = re.match(r"([A-Za-z]+)([0-9]*)$", tok)
            assert m is not None
            word, digits = m.groups()
            if word in funcs:
                word = rf"\operatorname{{{word}}}"
            elif len(word) > 1:
                word = rf"\mathrm{{{word}}}"
            out.append(word + (f"_{{{digits}}}" if digits else ""))
        elif tok[0].isdigit() or tok.isspace() or tok in "+-()=<>/*[],.:;!|'":
            out.append(tok)
        elif tok in LATEX_CHARS:
            out.append(LATEX_CHARS[tok])
        else:
            out.append(rf"\text{{{tok}}}")
    return "".join(out)


def latex_text(s: str) -> str:
    r"""Plain words made safe inside LaTeX's ``\text{…}`` (``_`` → ``\_``).

    Example:
        >>> latex_text("a_b & c")
        'a\\_b \\& c'
    """
    return "".join(LATEX_CHARS.get(ch, ch) if ch in "_&%$#{}\\~^" else ch for ch in s)
