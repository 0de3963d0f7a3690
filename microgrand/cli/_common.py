"""What every ``microgrand`` command shares: the usage error, NAME=VALUE parsing, the
expression arguments, the precision range and writing an output file (or standard output).

Each command family module (``render``, ``stepping``, ``demo``, ``doctor``) builds on these, so
that every command reports errors the same way with its own prefix (``microgrand step: …``).
"""

from __future__ import annotations

import argparse
import math
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path

from .._files import check_target
from .._format import PRECISION_MAX, PRECISION_MIN
from ..expr import FUNCTIONS, Expression, ExpressionError, build_expression
from ..value import NonFiniteGradientWarning

__all__ = [
    "EPILOG",
    "Parser",
    "UsageError",
    "add_expression_arguments",
    "add_layout_timeout_argument",
    "build",
    "check_output",
    "check_path",
    "check_precision_arg",
    "parse_assignment",
    "parse_assignments",
    "prog",
    "write_stdout",
]


class UsageError(Exception):
    """Bad input on the command line (exit code 2); the message is one line with its prefix."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def prog(args: argparse.Namespace) -> str:
    """The prefix of a command's messages: ``"microgrand step"``."""
    return f"microgrand {args.command}"


EPILOG = (
    "Functions: " + " ".join(sorted(FUNCTIONS)) + ". "
    "An expression starting with '-' goes after '--'."
)
"""The help text's last line for commands that take an expression (derived from the rules)."""


def parse_assignment(text: str, command: str = "microgrand") -> tuple[str, float]:
    """``"x=2.5"`` -> ``("x", 2.5)``; raises :class:`UsageError` with one clear line.

    Example:
        >>> parse_assignment("w=-3")
        ('w', -3.0)
        >>> parse_assignment("w=abc", "microgrand live")
        Traceback (most recent call last):
        ...
        microgrand.cli._common.UsageError: microgrand live: the value of w ('abc') is not a number
    """
    if "=" not in text:
        raise UsageError(f"{command}: {text!r} is not name=value (e.g. x=2.0)")
    name, _, raw = text.partition("=")
    # As Python reads identifiers (and so the expression parser): "ｘ" is "x".
    name = unicodedata.normalize("NFKC", name.strip())
    if not name.isidentifier():
        raise UsageError(f"{command}: {name!r} in {text!r} is not a valid variable name")
    try:
        value = float(raw.strip())
    except ValueError:
        raise UsageError(
            f"{command}: the value of {name} ({raw.strip()!r}) is not a number"
        ) from None
    if not math.isfinite(value):
        raise UsageError(f"{command}: the value of {name} must be a finite number")
    return name, value


def parse_assignments(texts: Sequence[str], command: str = "microgrand") -> dict[str, float]:
    """Every ``NAME=VALUE`` of a command line, as a dict; a name given twice is refused.

    Example:
        >>> parse_assignments(["x=2", "w=-3"])
        {'x': 2.0, 'w': -3.0}
    """
    variables: dict[str, float] = {}
    for text in texts:
        name, value = parse_assignment(text, command)
        if name in variables:
            raise UsageError(f"{command}: {name} is given twice")
        variables[name] = value
    return variables


def add_expression_arguments(p: argparse.ArgumentParser) -> None:
    """``EXPR`` and ``NAME=VALUE...``: the arguments of every command that takes an expression."""
    p.add_argument("expression", metavar="EXPR", help="expression, e.g. 'tanh(x*w + b)'")
    p.add_argument("assignments", metavar="NAME=VALUE", nargs="*", help="variable values")


def add_layout_timeout_argument(p: argparse.ArgumentParser) -> None:
    """``--layout-timeout SECONDS``: the Graphviz layout budget (``$MICROGRAND_LAYOUT_TIMEOUT``)."""
    p.add_argument(
        "--layout-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the layout after this many seconds (default: "
        "$MICROGRAND_LAYOUT_TIMEOUT, else 60)",
    )


def add_precision_argument(p: argparse.ArgumentParser, default: int = 4) -> None:
    """``--precision N``: decimals, in the range shared by every view."""
    p.add_argument(
        "--precision",
        type=int,
        default=default,
        metavar="N",
        help=f"decimals ({PRECISION_MIN}-{PRECISION_MAX}, default {default})",
    )


def check_precision_arg(args: argparse.Namespace) -> None:
    """Refuse a ``--precision`` outside the shared range."""
    if not PRECISION_MIN <= args.precision <= PRECISION_MAX:
        raise UsageError(
            f"{prog(args)}: --precision must be from {PRECISION_MIN} to {PRECISION_MAX}"
        )


def build(args: argparse.Namespace) -> Expression:
    """Parse ``args.expression`` with ``args.assignments``; bad input is a :class:`UsageError`."""
    cmd = prog(args)
    variables = parse_assignments(args.assignments, cmd)
    try:
        expr = build_expression(args.expression, variables)
    except ExpressionError as err:
        raise UsageError(f"{cmd}: bad expression: {err.one_line}") from None
    except (ValueError, ArithmeticError) as err:
        raise UsageError(f"{cmd}: cannot evaluate the expression: {err}") from None
    # Values are finite by construction; a gradient can still be ±inf or NaN (the slope of
    # sqrt at 0): refuse here rather than print it (the graph is left as it was built).
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteGradientWarning)
        try:
            expr.root.backward()
        except NonFiniteGradientWarning as w:
            raise UsageError(f"{cmd}: cannot differentiate here: {w}") from None
        finally:
            expr.root.zero_grad()
    return expr


def check_output(
    args: argparse.Namespace, suffixes: tuple[str, ...], *, stdout: bool = False
) -> Path | None:
    """Check ``-o`` before any work: the suffix (one of ``suffixes``) and that the file can be
    written. Returns the path as given, or ``None`` for ``-o -`` (standard output) where the
    command allows it.

    Every command that writes a file checks its ``-o`` here, so that the same path gets the
    same answer from each (a folder, a missing or broken parent, a trailing slash, a read-only
    file; see :func:`microgrand._files.check_target`).

    Example:
        >>> a = argparse.Namespace(command="live", output="notes.txt")
        >>> check_output(a, (".html", ".htm"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.cli._common.UsageError: microgrand live: -o 'notes.txt': the file name must ...
    """
    out = str(args.output)
    if out == "-":
        if stdout:
            return None
        raise UsageError(
            f"{prog(args)}: -o - (standard output) is not possible here; "
            f"give a file name ending in {' or '.join(suffixes)}"
        )
    check_path(args, out)
    if not out.lower().endswith(suffixes):
        raise UsageError(
            f"{prog(args)}: -o {out!r}: the file name must end in {' or '.join(suffixes)}"
        )
    return Path(out)


def check_path(args: argparse.Namespace, path: str) -> Path:
    """``path`` checked as a file this command can write, or a :class:`UsageError` that says
    why in one line: ``microgrand live: -o 'x/p.html': the folder 'x' does not exist``.

    Example:
        >>> a = argparse.Namespace(command="render", output="/")
        >>> check_path(a, "/")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.cli._common.UsageError: microgrand render: -o '/': it ends with a slash, ...
    """
    try:
        return check_target(path)
    except OSError as e:
        why = str(e).removeprefix(f"cannot save {path!r}: ")
        if isinstance(e, PermissionError):
            why = f"not writable ({why})"
        raise UsageError(f"{prog(args)}: -o {path!r}: {why}") from None


def write_stdout(data: bytes) -> None:
    """Write bytes to standard output (through its binary buffer where there is one)."""
    buf = getattr(sys.stdout, "buffer", None)
    if buf is not None:
        sys.stdout.flush()
        buf.write(data)
        buf.flush()
    else:
        sys.stdout.write(data.decode("utf-8", "replace"))
