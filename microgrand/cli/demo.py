"""``microgrand demo``: train micrograd's demo network and write its pictures.

Example:
    $ microgrand demo --out demo-output
"""

from __future__ import annotations

import argparse
from typing import Any

from ..demo import DATASETS, run_demo
from ._common import UsageError

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``microgrand demo``."""
    demo = sub.add_parser(
        "demo",
        help="train a small network and write its pictures",
        description=(
            "Train micrograd's demo network (2-16-16-1 ReLU, hinge loss, SGD) on a 2-D "
            "dataset; print train/test accuracy; write decision_boundary.png, loss.png, "
            "network.svg/.png, example.svg/.png and explore.html (the network on one example, "
            "to explore layer by layer) into --out."
        ),
    )
    demo.add_argument(
        "--dataset",
        choices=DATASETS.names(),
        default="moons",
        help="the 2-D dataset (default: moons)",
    )
    demo.add_argument(
        "--epochs", type=int, default=100, metavar="N", help="training steps (default: 100)"
    )
    demo.add_argument(
        "--out",
        default=".",
        metavar="DIR",
        help="folder for the pictures (default: current directory)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bar, no output")
    demo.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.epochs < 1:
        raise UsageError(f"microgrand demo: --epochs must be at least 1, got {args.epochs}")
    run_demo(dataset=args.dataset, epochs=args.epochs, out_dir=args.out, quiet=args.quiet)
    return 0
