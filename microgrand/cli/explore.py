"""``microgrand explore``: write the explorer page of an expression's backward pass.

Example:
    $ microgrand explore "tanh(x*w + b)" x=2 w=-3 b=6.88 -o explore.html
"""

from __future__ import annotations

import argparse
from typing import Any

from ..pages.explore import DEFAULT_MAX_NODES, ExploreTooLargeError, explore
from ..render.engine import ENGINE_NAMES
from ..render.themes import THEMES
from ._common import (
    EPILOG,
    UsageError,
    add_expression_arguments,
    add_precision_argument,
    build,
    check_output,
    check_precision_arg,
)

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``microgrand explore``.

    Example:
        >>> from microgrand.cli import build_parser
        >>> build_parser().parse_args(["explore", "x*2", "x=1", "-o", "e.html"]).output
        'e.html'
    """
    p = sub.add_parser(
        "explore",
        help="write an HTML page to explore the graph: open groups, zoom, step",
        description="Write an HTML page (no network needed) that shows the graph collapsed to "
        "its groups, opens a group on click, zooms and pans, and steps through the backward "
        "pass at the level shown. Example: microgrand explore 'tanh(x*w + b)' x=2 w=-3 "
        "b=6.88 -o explore.html. " + EPILOG,
    )
    add_expression_arguments(p)
    add_precision_argument(p)
    p.add_argument("-o", "--output", required=True, help="output file (.html)")
    p.add_argument("--theme", choices=tuple(THEMES), default="light")
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="layout direction")
    p.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"most boxes one view shows (default {DEFAULT_MAX_NODES})",
    )
    p.add_argument("--engine", choices=ENGINE_NAMES, default=None, help="layout engine")
    p.set_defaults(func=_cmd_explore)


def _cmd_explore(args: argparse.Namespace) -> int:
    check_output(args, (".html", ".htm"))
    if args.max_nodes < 2:
        raise UsageError("microgrand explore: --max-nodes must be at least 2")
    check_precision_arg(args)
    root = build(args).root
    try:
        e = explore(
            root,
            precision=args.precision,
            rankdir=args.rankdir,
            theme=args.theme,
            max_nodes=args.max_nodes,
            engine=args.engine,
        )
        path = e.save(args.output)
    except ExploreTooLargeError as err:
        raise UsageError(f"microgrand explore: {err} (--max-nodes)") from None
    print(f"wrote {path} (open it in a browser; click a group to open it)")
    return 0
