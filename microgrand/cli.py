"""The ``microgrand`` command line.

Exit codes: 0 success, 1 failure, 2 bad usage (one line on stderr, never a traceback).

Commands are added by small functions, one per feature, listed in :data:`COMMANDS`; each
takes the sub-parsers object and adds its sub-command(s) with ``set_defaults(func=...)``,
where ``func(args) -> int`` returns the exit code and raises :class:`UsageError` for bad
input.

Example:
    $ microgrand render "tanh(x*w + b)" x=2 w=-3 b=6.88 -o neuron.svg
    $ microgrand doctor
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from ._files import write_atomic
from .expr import ExpressionError, build_expression
from .render import draw
from .render.engine import ENGINE_NAMES, ENV_VAR, RenderError, choose_engine, engines, layout
from .value import Value

__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]


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
    from .demo import run_demo

    if args.epochs < 1:
        raise UsageError(f"microgrand demo: --epochs must be at least 1, got {args.epochs}")
    run_demo(dataset=args.dataset, epochs=args.epochs, out_dir=args.out, quiet=args.quiet)
    return 0


def add_demo_command(sub: Any) -> None:
    """Add ``microgrand demo``."""
    demo = sub.add_parser(
        "demo",
        help="train a small network and write its pictures",
        description=(
            "Train micrograd's demo network (2-16-16-1 ReLU, hinge loss, SGD) on a 2-D "
            "dataset; print train/test accuracy; write decision_boundary.png, loss.png, "
            "network.svg/.png and example.svg/.png into --out."
        ),
    )
    demo.add_argument("--dataset", choices=("moons", "circles", "spirals", "xor"),
                      default="moons", help="the 2-D dataset (default: moons)")
    demo.add_argument("--epochs", type=int, default=100, metavar="N",
                      help="training steps (default: 100)")
    demo.add_argument("--out", default=".", metavar="DIR",
                      help="folder for the pictures (default: current directory)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar, no output")
    demo.set_defaults(func=_cmd_demo)


# --- render ----------------------------------------------------------------------------------

FORMATS = ("svg", "png", "dot")


def parse_assignment(text: str) -> tuple[str, float]:
    """``"x=2.5"`` -> ``("x", 2.5)``; raises :class:`UsageError` with one clear line.

    Example:
        >>> parse_assignment("w=-3")
        ('w', -3.0)
    """
    if "=" not in text:
        raise UsageError(f"microgrand render: {text!r} is not name=value (e.g. x=2.0)")
    name, _, raw = text.partition("=")
    name = name.strip()
    if not name.isidentifier():
        raise UsageError(f"microgrand render: {name!r} in {text!r} is not a valid variable name")
    try:
        value = float(raw.strip())
    except ValueError:
        raise UsageError(
            f"microgrand render: the value of {name} ({raw.strip()!r}) is not a number"
        ) from None
    if not math.isfinite(value):
        raise UsageError(f"microgrand render: the value of {name} must be a finite number")
    return name, value


def add_render_command(sub: Any) -> None:
    """Add ``microgrand render``."""
    r = sub.add_parser(
        "render",
        help="draw the graph of an expression (SVG, PNG or DOT)",
        description=(
            "Draw the computation graph of EXPR with the given variable values, after the "
            "backward pass. Example: microgrand render 'tanh(x*w + b)' x=2 w=-3 b=6.88 "
            "-o neuron.png. Functions: tanh exp log sqrt sigmoid relu leaky_relu softplus "
            "sin cos abs. An expression starting with '-' goes after '--'."
        ),
    )
    r.add_argument("expression", metavar="EXPR", help="expression, e.g. 'tanh(x*w + b)'")
    r.add_argument("assignments", metavar="NAME=VALUE", nargs="*", help="variable values")
    r.add_argument("-o", "--output", default="-",
                   help="output file (.svg, .png or .dot) or '-' for stdout (default)")
    r.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the file suffix; svg for stdout)")
    r.add_argument("--backward", action=argparse.BooleanOptionalAction, default=True,
                   help="run the backward pass and show gradients (default: yes)")
    r.add_argument("--worksheet", action="store_true",
                   help="blank gradients to fill in (writes NAME.key.EXT with the answers too)")
    r.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="layout direction")
    r.add_argument("--theme", choices=("light", "dark", "print"), default="light")
    r.add_argument("--edge-labels", action="store_true",
                   help="write each edge's local derivative on it")
    r.add_argument("--precision", type=int, default=4, metavar="N", help="decimals (0-12)")
    r.add_argument("--color", action="store_true", help="fill nodes by gradient sign and size")
    r.add_argument("--title", default=None, help="caption above the diagram")
    r.add_argument("--max-nodes", type=int, default=300, metavar="N",
                   help="refuse larger diagrams (default 300)")
    r.add_argument("--engine", choices=ENGINE_NAMES, default=None,
                   help=f"layout engine (default: ${ENV_VAR}, else dot if installed)")
    r.add_argument("-q", "--quiet", action="store_true", help="do not print the gradients")
    r.set_defaults(func=_cmd_render)


def _cmd_render(args: argparse.Namespace) -> int:
    variables: dict[str, float] = {}
    for a in args.assignments:
        name, value = parse_assignment(a)
        if name in variables:
            raise UsageError(f"microgrand render: {name} is given twice")
        variables[name] = value
    if not 0 <= args.precision <= 12:
        raise UsageError("microgrand render: --precision must be from 0 to 12")
    if args.max_nodes < 1:
        raise UsageError("microgrand render: --max-nodes must be at least 1")
    try:
        expr = build_expression(args.expression, variables)
    except ExpressionError as e:
        raise UsageError(f"microgrand render: bad expression: {e.one_line}") from None
    root = expr.root
    if args.backward:
        root.backward()
    out = args.output
    fmt = args.format
    if fmt is None:
        suffix = Path(out).suffix.lower().lstrip(".") if out != "-" else "svg"
        if suffix not in FORMATS:
            raise UsageError(
                f"microgrand render: cannot tell the format of {out!r}; use a .svg, .png or "
                ".dot name or --format"
            )
        fmt = suffix
    if out == "-" and fmt == "png" and sys.stdout.isatty():
        raise UsageError("microgrand render: not writing PNG to a terminal; use -o FILE.png")
    options: dict[str, Any] = {
        "show": ("data", "grad") if args.backward else ("data",),
        "edge_labels": args.edge_labels,
        "precision": args.precision,
        "rankdir": args.rankdir,
        "theme": args.theme,
        "color": "grad" if args.color and args.backward else None,
        "worksheet": args.worksheet,
        "max_nodes": args.max_nodes,
        "title": args.title,
        "engine": args.engine,
    }
    diagram = draw(root, **options)
    outputs = [(out, diagram)]
    if args.worksheet and out != "-":
        p = Path(out)
        outputs.append((str(p.with_name(f"{p.stem}.key{p.suffix}")), diagram.answer_key()))
    for path, d in outputs:
        data = _render_bytes(d, fmt)
        if path == "-":
            _write_stdout(data)
        else:
            write_atomic(path, data)
    if not args.quiet:
        _report(expr.root, expr.leaves, args.backward, outputs, to_stderr=out == "-")
    return 0


def _render_bytes(d: Any, fmt: str) -> bytes:
    if fmt == "dot":
        return str(d.dot).encode("utf-8")
    if fmt == "png":
        return bytes(d.png())
    return str(d.svg()).encode("utf-8")


def _write_stdout(data: bytes) -> None:
    buf = getattr(sys.stdout, "buffer", None)
    if buf is not None:
        sys.stdout.flush()
        buf.write(data)
        buf.flush()
    else:
        sys.stdout.write(data.decode("utf-8", "replace"))


def _report(
    root: Value, leaves: dict[str, Value], backward: bool, outputs: list[tuple[str, Any]],
    to_stderr: bool,
) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    lines = [f"out = {root.data:.6g}"]
    if backward:
        lines += [f"d out/d {name} = {v.grad:.6g}" for name, v in leaves.items()]
    lines += [f"wrote {path}" for path, _ in outputs if path != "-"]
    print("\n".join(lines), file=stream)


# --- doctor ----------------------------------------------------------------------------------


def add_doctor_command(sub: Any) -> None:
    """Add ``microgrand doctor``."""
    d = sub.add_parser("doctor", help="show the layout engine and versions (for bug reports)")
    d.set_defaults(func=_cmd_doctor)


def _pkg_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cmd_doctor(args: argparse.Namespace) -> int:
    print(f"microgrand {__version__}")
    print(f"python {platform.python_version()} ({sys.executable})")
    print(f"graphviz (Python package) {_pkg_version('graphviz')}")
    print(f"graphviz-pure (Python package) {_pkg_version('graphviz-pure')}")
    print(f"{ENV_VAR}={os.environ.get(ENV_VAR, '')!s}" if os.environ.get(ENV_VAR)
          else f"{ENV_VAR} not set")
    found = {e.name: e for e in engines()}
    for name in ENGINE_NAMES:
        e = found.get(name)
        print(f"{name}: {e.path} ({e.version})" if e else f"{name}: not found")
    try:
        chosen = choose_engine()
    except (RenderError, ValueError) as e:
        print(f"layout engine: none usable: {e}")
        return 1
    t0 = time.perf_counter()
    try:
        layout("digraph { a -> b }", "svg")
    except RenderError as e:
        print(f"layout engine: {chosen.name} ({chosen.path}) FAILED: {e}")
        return 1
    print(f"layout engine: {chosen.name} ({chosen.path}), test layout "
          f"{time.perf_counter() - t0:.2f} s: ok")
    return 0


CommandAdder = Callable[[Any], None]

#: One function per feature; each adds its sub-commands. Extend this list to add commands.
COMMANDS: list[CommandAdder] = [add_demo_command, add_render_command, add_doctor_command]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (one adder per feature in COMMANDS).

    Example:
        >>> build_parser().parse_args(["render", "x*2", "x=1"]).expression
        'x*2'
    """
    p = _Parser(prog="microgrand", description="See backpropagation: draw, step, explain.")
    p.add_argument("--version", action="version", version=f"microgrand {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    importlib.import_module(".step.commands", __package__).add_step_commands(sub)
    return p


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return " ".join(text.split("\n")[0].split()) if "\n" in text else text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failure, 2 bad usage).

    Example:
        >>> main(["render", "x +", "x=1"])  # bad expression: one line on stderr
        2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help(sys.stderr)
            return 2
        code: int = args.func(args)
        return code
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        msg = _one_line(e)
        if "unrecognized arguments" in msg and any(
            a.startswith("-") for a in (argv if argv is not None else sys.argv[1:])
        ):
            msg += " (an expression starting with '-' goes after '--')"
        print(msg, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except (OSError, ValueError, TypeError, ArithmeticError, RuntimeError) as e:
        print(f"microgrand: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # never a traceback
        print(f"microgrand: internal error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1
