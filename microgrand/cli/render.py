"""``microgrand render``: draw the graph of an expression (SVG, PNG or DOT).

Example:
    $ microgrand render "tanh(x*w + b)" x=2 w=-3 b=6.88 -o neuron.svg
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._files import check_target, write_atomic
from ..render import draw
from ..render.engine import ENGINE_NAMES, ENV_VAR
from ..render.themes import THEMES
from ..value import Value
from ._common import (
    EPILOG,
    UsageError,
    add_expression_arguments,
    add_layout_timeout_argument,
    add_precision_argument,
    build,
    check_path,
    check_precision_arg,
    write_stdout,
)

__all__ = ["FORMATS", "add_commands"]

FORMATS = ("svg", "png", "dot")


def add_commands(sub: Any) -> None:
    """Add ``microgrand render``."""
    r = sub.add_parser(
        "render",
        help="draw the graph of an expression (SVG, PNG or DOT)",
        description=(
            "Draw the computation graph of EXPR with the given variable values, after the "
            "backward pass. Example: microgrand render 'tanh(x*w + b)' x=2 w=-3 b=6.88 "
            "-o neuron.png. " + EPILOG
        ),
    )
    add_expression_arguments(r)
    r.add_argument(
        "-o",
        "--output",
        default="-",
        help="output file (.svg, .png or .dot) or '-' for stdout (default)",
    )
    r.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from the file suffix; svg for stdout)",
    )
    r.add_argument(
        "--backward",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the backward pass and show gradients (default: yes)",
    )
    r.add_argument(
        "--worksheet",
        action="store_true",
        help="blank gradients to fill in (writes NAME.key.EXT with the answers too)",
    )
    r.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="layout direction")
    r.add_argument("--theme", choices=tuple(THEMES), default="light")
    r.add_argument(
        "--edge-labels", action="store_true", help="write each edge's local derivative on it"
    )
    add_precision_argument(r)
    r.add_argument("--color", action="store_true", help="fill nodes by gradient sign and size")
    r.add_argument("--title", default=None, help="caption above the diagram")
    r.add_argument(
        "--max-nodes",
        type=int,
        default=300,
        metavar="N",
        help="refuse larger diagrams (default 300)",
    )
    r.add_argument(
        "--engine",
        choices=ENGINE_NAMES,
        default=None,
        help=f"layout engine (default: ${ENV_VAR}, else dot if installed)",
    )
    add_layout_timeout_argument(r)
    r.add_argument("-q", "--quiet", action="store_true", help="do not print the gradients")
    r.set_defaults(func=_cmd_render)


def _cmd_render(args: argparse.Namespace) -> int:
    check_precision_arg(args)
    if args.max_nodes < 1:
        raise UsageError("microgrand render: --max-nodes must be at least 1")
    expr = build(args)
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
    targets = [out] if out == "-" else [out, _key_path(out)] if args.worksheet else [out]
    for path in targets:  # every target checked before any is written
        if path != "-":
            check_path(args, path)
    diagram = draw(
        root,
        show=("data", "grad") if args.backward else ("data",),
        edge_labels=args.edge_labels,
        precision=args.precision,
        rankdir=args.rankdir,
        theme=args.theme,
        color="grad" if args.color and args.backward else None,
        worksheet=args.worksheet,
        max_nodes=args.max_nodes,
        title=args.title,
        engine=args.engine,
    )
    outputs = [(out, diagram)]
    if args.worksheet and out != "-":
        outputs.append((_key_path(out), diagram.answer_key()))
    # Render every file before writing any, so that a failure leaves no file half-done.
    rendered = [(path, _render_bytes(d, fmt)) for path, d in outputs]
    for path, _ in rendered:
        if path != "-":
            check_target(path)
    for path, data in rendered:
        if path == "-":
            write_stdout(data)
        else:
            write_atomic(path, data)
    if not args.quiet:
        _report(expr.root, expr.leaves, args.backward, outputs, to_stderr=out == "-")
    return 0


def _key_path(out: str) -> str:
    """The answer key's name beside a worksheet: ``sheet.svg`` -> ``sheet.key.svg``."""
    p = Path(out)
    return str(p.with_name(f"{p.stem}.key{p.suffix}"))


def _render_bytes(d: Any, fmt: str) -> bytes:
    if fmt == "dot":
        return str(d.dot).encode("utf-8")
    if fmt == "png":
        return bytes(d.png())
    return str(d.svg()).encode("utf-8")


def _report(
    root: Value,
    leaves: dict[str, Value],
    backward: bool,
    outputs: list[tuple[str, Any]],
    to_stderr: bool,
) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    lines = [f"out = {root.data:.6g}"]
    if backward:
        lines += [f"d out/d {name} = {v.grad:.6g}" for name, v in leaves.items()]
    lines += [f"wrote {path}" for path, _ in outputs if path != "-"]
    print("\n".join(lines), file=stream)
