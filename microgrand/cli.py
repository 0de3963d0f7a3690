"""The ``microgrand`` command line.

Exit codes: 0 success, 1 failure, 2 bad usage (one line on stderr, never a traceback).

Example:
    $ microgrand demo
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .graph import Graph
from .value import Value

__all__ = ["main"]


class UsageError(Exception):
    """Bad input on the command line (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def readme_example() -> Value:
    """The README's example: a neuron ``tanh(x*w + b)`` with its backward pass done.

    Example:
        >>> round(readme_example().data, 4)
        0.7064
    """
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.88, label="b")
    xw = x * w
    xw.label = "x*w"
    n = xw + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out


def _cmd_demo(args: argparse.Namespace) -> int:
    out = readme_example()
    g = Graph.of(out)
    print("out = tanh(x*w + b) with x=2, w=-3, b=6.88; gradients after out.backward():\n")
    print(f"{'node':<6}{'label':<8}{'op':<8}{'data':>12}{'grad':>12}")
    for n in g.nodes:
        print(f"{n.id:<6}{n.label:<8}{n.op or '-':<8}{n.data:>12.4f}{n.grad:>12.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    p = _Parser(prog="microgrand", description="See backpropagation: draw, step, explain.")
    p.add_argument("--version", action="version", version=f"microgrand {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = sub.add_parser("demo", help="run the main demo")
    demo.set_defaults(func=_cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Example:
        >>> main(["demo"]) == 0  # doctest: +SKIP
        True
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        code: int = args.func(args)
        return code
    except UsageError as e:
        print(e, file=sys.stderr)
        return 2
    except (OSError, ValueError, TypeError, ArithmeticError) as e:
        print(f"microgrand: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
